"""Topic documents: parse Markdown + YAML front matter + blocks, and write them back (no Django).

A document's exercise blocks are lifted out of the body into `exercises`; the body keeps
a slot line (`[[exercise:<slug>]]`) where each stood, so rendering and export put them back.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

import yaml

from courseware import blocks
from courseware.figures import FigureError, figure_data
from courseware.graph import is_layer

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLOT = re.compile(r"^\[\[exercise:([a-z0-9-]+)\]\]$")
_FRONT_KEYS = (
    "slug",
    "title",
    "layer",
    "summary",
    "prerequisites",
    "next_topics",
    "last_reviewed",
    "references",
)


class DocumentError(ValueError):
    """A problem in a topic document, located by file and line (1-based)."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


@dataclass(frozen=True)
class ExerciseBlock:
    slug: str
    title: str
    prompt: str
    spec_yaml: str
    spec: dict
    solution: str = ""
    line: int = field(default=0, compare=False)  # of the spec fence, where spec problems are reported


@dataclass(frozen=True)
class TopicDocument:
    slug: str
    title: str
    layer: str
    summary: str
    prerequisites: tuple[str, ...]
    next_topics: tuple[str, ...]
    last_reviewed: dt.date | None
    references_canonical: tuple[str, ...]
    references_current: tuple[str, ...]
    body: str
    exercises: tuple[ExerciseBlock, ...] = ()
    path: str = field(default="<document>", compare=False)
    # Lines of front-matter entries, e.g. ("prerequisites", "foo") -> 7, for error messages.
    lines: dict[tuple[str, str], int] = field(default_factory=dict, compare=False)

    def line_of(self, key: str, item: str = "") -> int | None:
        return self.lines.get((key, item)) or self.lines.get((key, ""))


def parse_document(text: str, path: str = "<document>") -> TopicDocument:
    """Parse one topic document; raises DocumentError naming the line."""
    if "\x00" in text:
        raise DocumentError(path, None, "the file contains NUL bytes")
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise DocumentError(path, 1, 'a topic document starts with a YAML front matter between "---" lines')
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise DocumentError(path, 1, 'the front matter is not closed by a "---" line') from None
    front, positions = _load_front_matter("\n".join(lines[1:end]), path, offset=2)
    body_lines = lines[end + 1 :]
    body, exercises = _lift_exercises(body_lines, path, offset=end + 2)
    return _build(front, positions, body, exercises, path)


def _load_front_matter(text: str, path: str, offset: int) -> tuple[dict, dict[tuple[str, str], int]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + offset if mark else offset
        raise DocumentError(path, line, f"the front matter is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise DocumentError(path, offset, "the front matter must be a mapping of keys to values")
    positions: dict[tuple[str, str], int] = {}
    for key_node, value_node in node.value:
        positions[(key_node.value, "")] = key_node.start_mark.line + offset
        if isinstance(value_node, yaml.SequenceNode):
            for item in value_node.value:
                if isinstance(item, yaml.ScalarNode):
                    positions[(key_node.value, item.value)] = item.start_mark.line + offset
    return data, positions


def title_problem(title: str) -> str | None:
    """Titles are plain text with $...$ math: "R^n" would show its caret (write ℝⁿ or $\\mathbb{R}^n$)."""
    if "^" in re.sub(r"\$[^$]*\$", "", title):
        return 'a "^" outside math shows as a literal caret in the title: write ℝⁿ, or $\\mathbb{R}^n$'
    return None


def _build(front: dict, positions: dict, body: str, exercises: list[ExerciseBlock], path: str) -> TopicDocument:
    def fail(key: str, message: str) -> DocumentError:
        return DocumentError(path, positions.get((key, ""), 2), message)

    unknown = sorted(set(front) - set(_FRONT_KEYS))
    if unknown:
        raise fail(unknown[0], f'unknown front matter key "{unknown[0]}" (known: {", ".join(_FRONT_KEYS)})')
    for key in ("slug", "title", "layer", "summary"):
        value = front.get(key)
        if not isinstance(value, str | int) or not str(value).strip():
            raise fail(key, f'front matter needs "{key}" as non-empty text')
    slug, layer = str(front["slug"]), str(front["layer"])
    if not SLUG.match(slug):
        raise fail("slug", f'slug "{slug}" must be lowercase letters, digits and single dashes')
    if not is_layer(layer):
        raise fail("layer", f'layer "{layer}" is not a layer such as 0A, 0B, 1, 2')
    if problem := title_problem(str(front["title"])):
        raise fail("title", problem)

    def slug_list(key: str) -> tuple[str, ...]:
        value = front.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, f'"{key}" must be a list of topic slugs')
        if len(set(value)) != len(value):
            raise fail(key, f'"{key}" lists a topic twice')
        return tuple(value)

    reviewed = front.get("last_reviewed")
    if reviewed is not None and not isinstance(reviewed, dt.date):
        raise fail("last_reviewed", '"last_reviewed" must be a date such as 2026-04-01')
    references = front.get("references") or {}
    if not isinstance(references, dict) or set(references) - {"canonical", "current"}:
        raise fail("references", '"references" has two lists: "canonical" and "current"')
    refs = {}
    for kind in ("canonical", "current"):
        items = references.get(kind) or []
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise fail("references", f'"references.{kind}" must be a list of texts')
        refs[kind] = tuple(i.strip() for i in items)
    return TopicDocument(
        slug=slug,
        title=str(front["title"]).strip(),
        layer=layer,
        summary=" ".join(str(front["summary"]).split()),
        prerequisites=slug_list("prerequisites"),
        next_topics=slug_list("next_topics"),
        last_reviewed=reviewed,
        references_canonical=refs["canonical"],
        references_current=refs["current"],
        body=body,
        exercises=tuple(exercises),
        path=path,
        lines=positions,
    )


def _lift_exercises(lines: list[str], path: str, offset: int) -> tuple[str, list[ExerciseBlock]]:
    """Check every block's structure, and replace each exercise block by a slot line."""
    try:
        tree = blocks.scan(lines)
    except blocks.BlockError as exc:
        raise DocumentError(path, exc.index + offset, exc.message) from None
    for index, message in figure_problems(lines, tree):
        raise DocumentError(path, index + offset, message)
    out: list[str] = []
    exercises: list[ExerciseBlock] = []
    cursor = 0
    for block in tree:
        if block.kind != "exercise":
            continue
        out.extend(lines[cursor : block.start])
        exercise = _exercise(block, lines, path, offset)
        if any(e.slug == exercise.slug for e in exercises):
            raise DocumentError(path, exercise.line, f'two exercises have the slug "{exercise.slug}"')
        exercises.append(exercise)
        out.append(f"[[exercise:{exercise.slug}]]")
        cursor = block.end + 1
    out.extend(lines[cursor:])
    return "\n".join(out).strip() + "\n", exercises


def figure_problems(lines: list[str], tree: list[blocks.Block]) -> list[tuple[int, str]]:
    """(0-based line, problem) for each figure block that cannot be drawn or has no text description."""
    problems = []
    for block in (b for b in tree if b.kind == "figure"):
        inner = lines[block.start + 1 : block.end]
        fences = [i for i, line in enumerate(inner) if line.strip() == "```plot"]
        if len(fences) != 1:
            problems.append((block.start, f'the figure "{block.title}" needs exactly one ```plot fence'))
            continue
        start = fences[0]
        close = next((i for i in range(start + 1, len(inner)) if inner[i].strip() == "```"), None)
        if close is None:
            problems.append((block.start + 1 + start, "the ```plot fence is not closed"))
            continue
        if not any(line.strip() for i, line in enumerate(inner) if not start <= i <= close):
            problems.append(
                (block.start, f'the figure "{block.title}" needs a text description (what it shows, in words)')
            )
        description = inner[start + 1 : close]
        try:
            figure_data("\n".join(description))
        except FigureError as exc:
            key = exc.message.split(":", 1)[0]
            at = next((i for i, line in enumerate(description) if line.strip().startswith(f"{key}:")), -1)
            problems.append((block.start + 2 + start + at, f'figure "{block.title}": {exc.message}'))
    return problems


def _exercise(block: blocks.Block, lines: list[str], path: str, offset: int) -> ExerciseBlock:
    inner = lines[block.start + 1 : block.end]
    fences = [i for i, line in enumerate(inner) if line.strip() == "```spec"]
    if len(fences) != 1:
        raise DocumentError(path, block.start + offset, "an exercise needs exactly one ```spec fence")
    open_at = fences[0]
    try:
        close_at = next(i for i in range(open_at + 1, len(inner)) if inner[i].strip() == "```")
    except StopIteration:
        raise DocumentError(path, block.start + open_at + 1 + offset, "the ```spec fence is not closed") from None
    spec_line = block.start + 1 + open_at + offset
    spec_yaml = "\n".join(inner[open_at + 1 : close_at])
    solution = ""
    rest = [b for b in block.children if b.kind == "solution"]
    for child in block.children:
        if child.kind != "solution":
            raise DocumentError(path, child.start + offset, f'a "{child.kind}" block cannot be inside an exercise')
        if child.start < block.start + 1 + close_at:
            raise DocumentError(path, child.start + offset, "the solution comes after the ```spec fence")
    if rest:
        solution = "\n".join(lines[rest[0].start + 1 : rest[0].end]).strip()
    stray = [
        i
        for i in range(block.start + 2 + close_at, block.end)
        if lines[i].strip() and not (rest and rest[0].start <= i <= rest[0].end)
    ]
    if stray:
        raise DocumentError(path, stray[0] + offset, "only a solution block may follow the ```spec fence")
    try:
        spec = load_spec(spec_yaml)
    except SpecSyntaxError as exc:
        line = spec_line + 1 + exc.line if exc.line is not None else spec_line
        raise DocumentError(path, line, f"the exercise spec {exc.message}") from None
    slug = spec["slug"]
    return ExerciseBlock(
        slug=slug,
        title=block.title,
        prompt="\n".join(inner[:open_at]).strip(),
        spec_yaml=spec_yaml.strip("\n") + "\n",
        spec=spec,
        solution=solution,
        line=spec_line,
    )


class SpecSyntaxError(ValueError):
    """An exercise spec that is not a YAML mapping with a slug; `line` is 0-based within the spec."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line


def load_spec(spec_yaml: str) -> dict:
    """The spec mapping of an exercise (its content is the grading engine's to check)."""
    try:
        spec = yaml.safe_load(spec_yaml)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SpecSyntaxError(f"is not valid YAML: {getattr(exc, 'problem', exc)}", mark.line if mark else 0) from None
    if not isinstance(spec, dict):
        raise SpecSyntaxError("must be a mapping of keys to values")
    slug = spec.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise SpecSyntaxError('needs a "slug" of lowercase letters, digits and dashes')
    return spec


def write_document(doc: TopicDocument) -> str:
    """The canonical text of a document; parse_document(write_document(d)) == d."""
    front = {
        "slug": doc.slug,
        "title": doc.title,
        "layer": doc.layer,
        "summary": doc.summary,
        "prerequisites": list(doc.prerequisites),
        "next_topics": list(doc.next_topics),
        "last_reviewed": doc.last_reviewed,
        "references": {"canonical": list(doc.references_canonical), "current": list(doc.references_current)},
    }
    if doc.last_reviewed is None:
        del front["last_reviewed"]
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    by_slug = {e.slug: e for e in doc.exercises}
    body = []
    for line in doc.body.rstrip("\n").split("\n"):
        match = SLOT.match(line.strip())
        body.append(write_exercise(by_slug[match.group(1)]) if match and match.group(1) in by_slug else line)
    return f"---\n{header}---\n\n" + "\n".join(body).strip("\n") + "\n"


def write_exercise(exercise: ExerciseBlock) -> str:
    fence = "::::" if exercise.solution else ":::"
    parts = [
        f"{fence} exercise {exercise.title}",
        exercise.prompt,
        "",
        "```spec",
        exercise.spec_yaml.rstrip("\n"),
        "```",
    ]
    if exercise.solution:
        parts += ["", "::: solution", exercise.solution, ":::"]
    return "\n".join(parts + [fence])
