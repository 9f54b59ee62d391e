"""An exercise spec as the admin's structured fields, and back; which field a spec problem is about.

Plain data in, plain data out (no forms): the admin form only shows what this module decides. The
spec is written back in the documents' key order, so that what the admin saves exports as an
author would have written it.
"""

import re
from collections.abc import Collection, Mapping

import yaml

from courseware.documents import SLUG
from grading.core.spec import FORM_KEYS, SpecProblem

REFERENCE_FORMS = [
    ("expression", "a plain answer"),
    ("partial", "partial derivative"),
    ("gradient", "gradient"),
    ("directional_derivative", "directional derivative"),
    ("max_rate", "steepest rate of increase"),
    ("steepest_ascent", "direction of steepest ascent"),
    ("jacobian", "Jacobian matrix"),
    ("hessian", "Hessian matrix"),
]
# A derivative's keys in the documented order (FORM_KEYS says which ones each form takes).
REFERENCE_KEYS = ("function", "wrt", "variable", "at", "direction")
# Top-level spec keys that are fields of their own.
SPEC_FIELDS = ("slug", "kind", "variables", "parameters", "rtol", "atol", "partial_credit", "attempts", "wrong_answers",
               "shapes", "functions")  # fmt: skip
# A matrix expression's derivative keys beyond function and wrt.
MATRIX_KEYS = ("layout", "closed_form")
_INTEGERS = re.compile(r"integers\s+(-?\d+)\s*\.\.\s*(-?\d+)\Z")
_INDEX = re.compile(r"\[\d+\]")


class FieldError(ValueError):
    """A field's text cannot be read; `message` says how to write it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def scalar_text(value) -> str:
    """A number or expression as typed: YAML flow style, quoted only where YAML would misread it."""
    return yaml.safe_dump(value, default_flow_style=True, width=10_000).removesuffix("\n...\n").strip()


def scalar(text: str, what: str):
    """A number stays a number and anything else is an expression, exactly as in the YAML spec."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldError(f'"{text}" is not {what}.')
    return value


def split(text: str) -> list[str]:
    """Comma-separated items, commas inside brackets left alone; surrounding brackets optional."""
    text = text.strip()
    if text[:1] + text[-1:] in ("[]", "()"):
        text = text[1:-1]
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char in "([{") - (char in ")]}")
        if char == "," and depth == 0:
            items.append(text[start:i].strip())
            start = i + 1
    items.append(text[start:].strip())
    if items == [""]:
        return []
    if "" in items:
        raise FieldError("An item between two commas is empty.")
    return items


def point(text: str) -> dict:
    values = {}
    for item in split(text):
        name, equals, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not name or not value:
            raise FieldError(f'"{item}": write each coordinate as name = value, e.g. "x=1, y=2".')
        if name in values:
            raise FieldError(f'"{name}" is given twice.')
        values[name] = scalar(value, "a number or an expression")
    return values


def parameter_text(name: str, rule) -> str:
    if isinstance(rule, dict) and len(rule) == 1:
        ((how, arg),) = rule.items()
        if how == "integers" and isinstance(arg, list) and len(arg) == 2 and all(type(v) is int for v in arg):
            return f"{name}: integers {arg[0]}..{arg[1]}"
        if how == "choice" and isinstance(arg, list) and arg:
            return f"{name}: choice " + ", ".join(scalar_text(v) for v in arg)
    return f"{name}: {scalar_text(rule)}"


def parameters(text: str) -> dict:
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, rule = (part.strip() for part in line.partition(":"))
        wrong = f'line {number}: write "a: integers 2..5", "b: choice 1, 3, 7" or "u: choice [3, 4] | [4, 3]".'
        if not colon or not name or not rule:
            raise FieldError(wrong)
        if name in found:
            raise FieldError(f'line {number}: "{name}" is given twice.')
        if match := _INTEGERS.match(rule):
            found[name] = {"integers": [int(match.group(1)), int(match.group(2))]}
        elif rule.startswith("choice"):
            try:
                values = yaml.safe_load("[" + rule.removeprefix("choice").replace("|", ",") + "]")
            except yaml.YAMLError:
                raise FieldError(wrong) from None
            found[name] = {"choice": values}
        else:  # a YAML flow mapping, as in the spec: {integers: [2, 5]}
            try:
                found[name] = yaml.safe_load(rule)
            except yaml.YAMLError:
                raise FieldError(wrong) from None
            if not isinstance(found[name], dict):
                raise FieldError(wrong)
    return found


def wrong_answers(text: str) -> list[dict]:
    answers = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        answer, arrow, feedback = (part.strip() for part in line.partition("=>"))
        if not arrow or not answer or not feedback:
            raise FieldError(f'line {number}: write the answer, then "=>", then its feedback.')
        answers.append({"answer": answer, "feedback": feedback})
    return answers


def shapes(text: str) -> dict:
    """Matrix expressions: one symbol per line, "x: [n]", "W1: [h, n]" or "c: []" (the brackets optional)."""
    result: dict = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, dims = (part.strip() for part in line.partition(":"))
        if not colon or not name:
            raise FieldError(f'line {number}: write a symbol and its dimensions, e.g. "W1: [h, n]".')
        if name in result:
            raise FieldError(f'line {number}: "{name}" is given twice.')
        result[name] = [1 if d == "1" else d for d in split(dims)]
    return result


def shapes_text(value) -> str:
    if not isinstance(value, dict):
        return ""
    return "\n".join(f"{name}: [{', '.join(map(str, dims))}]" for name, dims in value.items())


def functions(text: str) -> list | dict:
    """Matrix expressions: "sigma" (an arbitrary function) or "sigma: logistic", comma-separated."""
    items = [tuple(part.strip() for part in item.partition(":")[::2]) for item in split(text)]
    if not any(meaning for _, meaning in items):
        return [name for name, _ in items]
    return {name: meaning or None for name, meaning in items}


def functions_text(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{name}: {meaning}" if meaning else str(name) for name, meaning in value.items())
    return ", ".join(map(str, value or []))


def _is_default(value) -> bool:
    return value is None or value is False or value == [] or value == {} or value == ""


def fields_from_spec(spec: Mapping) -> dict:
    """The structured fields' values for a stored spec."""
    reference = spec.get("reference")
    form, body = next(iter(reference.items())) if isinstance(reference, dict) and len(reference) == 1 else ("", {})
    expression = "" if isinstance(body, dict) else str(body)
    body = body if isinstance(body, dict) else {}
    function = body.get("function", "")
    return {
        "kind": spec.get("kind", ""),
        "variables": ", ".join(map(str, spec.get("variables") or [])),
        "reference_form": form,
        "expression": expression,
        "function": "\n".join(map(str, function)) if isinstance(function, list) else str(function),
        "wrt": body["wrt"] if isinstance(body.get("wrt"), str) else ", ".join(map(str, body.get("wrt") or [])),
        "shapes": shapes_text(spec.get("shapes")),
        "functions": functions_text(spec.get("functions")),
        "layout": str(body.get("layout", "")),
        "closed_form": str(body.get("closed_form", "")),
        "variable": str(body.get("variable", "")),
        "at": ", ".join(f"{k}={scalar_text(v)}" for k, v in (body.get("at") or {}).items()),
        "direction": ", ".join(scalar_text(v) for v in body.get("direction") or []),
        "rtol": spec.get("rtol"),
        "atol": spec.get("atol"),
        "partial_credit": spec.get("partial_credit", False),
        "attempts": spec.get("attempts"),
        "parameters": "\n".join(parameter_text(k, v) for k, v in (spec.get("parameters") or {}).items()),
        "wrong_answers": "\n".join(
            f"{item.get('answer', '')} => {' '.join(str(item.get('feedback', '')).split())}"
            for item in spec.get("wrong_answers") or []
            if isinstance(item, dict)
        ),
    }


def spec_from_fields(data: Mapping, stored: Mapping, *, invalid: Collection[str] = ()) -> tuple[dict, dict]:
    """The spec the fields describe, in the documented key order, and the problems per field.

    `data` holds the fields' cleaned values; `invalid` names fields the form has already refused.
    The spec is only meaningful when there are no problems.
    """
    errors: dict[str, list[str]] = {}
    values: dict = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    def read(name, parse):
        try:
            values[name] = parse(data.get(name) or "")
        except FieldError as exc:
            refuse(name, exc.message)

    slug = data.get("slug") or ""
    if "slug" in invalid:
        pass
    elif not slug:
        refuse("slug", "This field is required.")
    elif not SLUG.match(slug):
        refuse("slug", "Lowercase letters, digits and single dashes, e.g. gradient-at-a-point.")
    for name in ("kind", "reference_form"):
        if not data.get(name) and name not in invalid:
            refuse(name, "This field is required.")
    form = data.get("reference_form")
    if data.get("kind") == "matrix_expression":
        return _matrix_spec(data, stored, slug, form, errors, invalid)
    read("variables", split)
    read("parameters", parameters)
    read("wrong_answers", wrong_answers)
    reference: dict = {}
    if form == "expression":
        if not (data.get("expression") or "").strip():
            refuse("expression", "A plain answer needs the answer.")
        reference = {"expression": (data.get("expression") or "").strip()}
    elif form:
        required, optional = FORM_KEYS[form]
        body = {}
        parsers = {"function": str.strip, "wrt": split, "variable": str.strip, "at": point, "direction": split}
        for key in (k for k in REFERENCE_KEYS if k in required | optional):
            read(key, parsers[key])
            value = values.get(key)
            if key == "function" and value:
                lines = [line.strip() for line in value.splitlines() if line.strip()]
                value = lines if form == "jacobian" else " ".join(lines)
            if key == "direction" and value:
                try:
                    value = [scalar(v, "a number or an expression") for v in value]
                except FieldError as exc:
                    refuse(key, exc.message)
            if value:
                body[key] = value
            elif key in required and key not in errors and key not in invalid:
                refuse(key, f"Needed for the {dict(REFERENCE_FORMS)[form]}.")
        reference = {form: body}
    spec = {"slug": slug, "kind": data.get("kind")}
    for key, value in [
        ("variables", values.get("variables")),
        ("parameters", values.get("parameters")),
        ("reference", reference),
        ("rtol", data.get("rtol")),
        ("atol", data.get("atol")),
        ("partial_credit", data.get("partial_credit")),
        ("attempts", data.get("attempts")),
        ("wrong_answers", values.get("wrong_answers")),
    ]:
        if not _is_default(value):
            spec[key] = value
        elif key in stored and _is_default(stored[key]):
            spec[key] = stored[key]  # an explicit default ("variables: []") stays written
    if "group" in stored:  # written in the YAML only
        spec["group"] = stored["group"]
    return spec, errors


def _matrix_spec(data: Mapping, stored: Mapping, slug: str, form: str | None, errors: dict, invalid: Collection[str]):
    """The fields of a matrix-expression exercise (docs/content-format.md), in the documented key order."""
    values: dict = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name, parse in (("shapes", shapes), ("functions", functions), ("wrong_answers", wrong_answers)):
        try:
            values[name] = parse(data.get(name) or "")
        except FieldError as exc:
            refuse(name, exc.message)
    if not values.get("shapes") and "shapes" not in errors and "shapes" not in invalid:
        refuse("shapes", "A matrix expression needs its symbols with their shapes.")
    reference: dict = {}
    if form == "expression":
        reference = {"expression": (data.get("expression") or "").strip()}
        if not reference["expression"]:
            refuse("expression", "A plain answer needs the answer.")
    elif form in ("jacobian", "gradient", "hessian"):
        body = {"function": " ".join((data.get("function") or "").split()), "wrt": (data.get("wrt") or "").strip()}
        for key in ("function", "wrt"):
            if not body[key] and key not in invalid:
                refuse(key, f"Needed for the {dict(REFERENCE_FORMS)[form]}.")
        for key in MATRIX_KEYS:
            if (data.get(key) or "").strip():
                body[key] = data[key].strip()
        reference = {form: body}
    elif form:
        refuse("reference_form", "A matrix expression takes a plain answer, a Jacobian, a gradient or a Hessian.")
    spec: dict = {"slug": slug, "kind": "matrix_expression"}
    for key, value in [
        ("shapes", values.get("shapes")),
        ("functions", values.get("functions")),
        ("reference", reference),
        ("rtol", data.get("rtol")),
        ("atol", data.get("atol")),
        ("attempts", data.get("attempts")),
        ("wrong_answers", values.get("wrong_answers")),
    ]:
        if not _is_default(value):
            spec[key] = value
        elif key in stored and _is_default(stored[key]):
            spec[key] = stored[key]
    return spec, errors


def field_of(problem: SpecProblem) -> str | None:
    """The structured field a spec problem is about, from its key alone (None: the spec as a whole).

    `reference.gradient.at.x` is the point's field, `wrong_answers[2].answer` the wrong answers',
    `reference` (SymPy and JAX disagree, say) the reference form's.
    """
    parts = _INDEX.sub("", problem.key).split(".") if problem.key else []
    if not parts:
        return None
    if parts[0] == "reference":
        if "expression" in parts[1:]:
            return "expression"
        return next((part for part in parts[1:] if part in (*REFERENCE_KEYS, *MATRIX_KEYS)), "reference_form")
    return next((part for part in parts if part in SPEC_FIELDS), None)
