"""The exercise admin's structured fields in tests: typing an exercise in, reading the form's errors back."""


def structured(topic, **overrides):
    """A gradient-at-a-point exercise typed into the structured fields."""
    data = {
        "topic": str(topic.pk),
        "title": "Gradient at a point",
        "slug": "grad-point",
        "position": "2",
        "prompt": "Let $f(x, y) = {{a}} x^2 y + y^3$. Compute $\\nabla f(1, 2)$.",
        "kind": "vector",
        "variables": "",
        "reference_form": "gradient",
        "function": "a*x^2*y + y^3",
        "wrt": "x, y",
        "at": "x=1, y=2",
        "rtol": "1e-4",
        "attempts": "3",
        "parameters": "a: integers 2..5",
        "wrong_answers": "[2*a, a + 12] => Differentiate a x^2 y with respect to x: the factor y stays.",
        "solution": "$\\partial_x f = 2 a x y$.",
        "spec_yaml": "",
    }
    data.update(overrides)
    return data


def form_data(form) -> dict:
    """What the browser posts back for an unbound form left as it was loaded."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not False:
            data[name] = "on" if value is True else "" if value is None else str(value)
    return data


def errors(response) -> dict:
    return response.context["adminform"].form.errors
