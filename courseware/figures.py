"""Figures in lessons: an authored plot description (the ```plot fence of a `figure` block) checked and turned
into the numbers the browser draws (no Django).

The functions are read by the grading engine's own parser (never `eval`) and sampled here, so the page only
draws polylines, arrows and meshes: no expression is evaluated in the browser, and a description that cannot
be drawn is refused at import with the key at fault.

Kinds:
- contour: level sets of f(x, y), optionally with the gradient field as arrows;
- curve:   the graph of a function of one variable, optionally with its maximum marked and a tangent line;
- surface: the graph of f(x, y) as a mesh, turned with the mouse or the buttons;
- descent: gradient descent paths on f(x, y) from one start, one per step size, over its level sets.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import sympy
import yaml

KINDS = ("contour", "curve", "surface", "descent")
_KEYS = {
    "contour": {"kind", "function", "x", "y", "levels", "gradient", "arrows", "x_label", "y_label"},
    "curve": {"kind", "function", "variable", "range", "mark_max", "tangent_at", "x_label", "y_label", "ticks"},
    "surface": {"kind", "function", "x", "y", "z", "samples", "x_label", "y_label", "z_label"},
    "descent": {"kind", "function", "x", "y", "start", "steps", "iterations", "levels", "x_label", "y_label"},
}
_MAX_ABS = 1e6
_CONTOUR_SAMPLES = 81
_CURVE_SAMPLES = 241
_DIGITS = 4


class FigureError(ValueError):
    """A plot description that cannot be drawn; the message names the key and what to change."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_description(text: str) -> dict:
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FigureError(f"the plot description is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(spec, dict):
        raise FigureError("the plot description must be a mapping of keys to values (kind, function, ...)")
    return spec


def figure_data(text: str) -> dict:
    """The drawing data (JSON-ready) for a plot description; raises FigureError."""
    return _figure_data(text.strip())


@lru_cache(maxsize=128)
def _figure_data(text: str) -> dict:
    spec = read_description(text)
    kind = spec.get("kind")
    if kind not in KINDS:
        raise FigureError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    if unknown := set(map(str, spec)) - _KEYS[kind]:
        raise FigureError(
            f"{sorted(unknown)[0]}: not a key of a {kind} figure; its keys: {', '.join(sorted(_KEYS[kind]))}"
        )
    labels = {k: _text(spec, k) for k in ("x_label", "y_label", "z_label") if k in spec}
    return {"kind": kind, **labels, **_BUILDERS[kind](spec)}


# --- reading the description ---------------------------------------------------------------------------


def _text(spec: dict, key: str) -> str:
    value = spec[key]
    if not isinstance(value, str) or len(value) > 80:
        raise FigureError(f"{key}: expected a short text (at most 80 characters)")
    return value


def _number(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FigureError(f"{key}: expected a number, got {value!r}")
    if abs(value) > _MAX_ABS:
        raise FigureError(f"{key}: {value} is too large (at most {_MAX_ABS:g} in size)")
    return float(value)


def _interval(spec: dict, key: str, default: list | None = None) -> tuple[float, float]:
    value = spec.get(key, default)
    if not (isinstance(value, list) and len(value) == 2):
        raise FigureError(f"{key}: expected [low, high], for example {key}: [-2, 2]")
    low, high = (_number(v, f"{key}") for v in value)
    if not low < high:
        raise FigureError(f"{key}: the low end {low:g} must be below the high end {high:g}")
    return low, high


def _whole(spec: dict, key: str, default: int, low: int, high: int) -> int:
    value = spec.get(key, default)
    if type(value) is not int or not low <= value <= high:
        raise FigureError(f"{key}: expected a whole number from {low} to {high}, got {value!r}")
    return value


def _function(spec: dict, variables: tuple[str, ...]):
    """The `function` key read by the engine's parser, as a NumPy function of `variables`, and its SymPy form."""
    from grading.core.parsing import AnswerError, parse, symbol

    text = spec.get("function")
    if not isinstance(text, (str, int, float)) or isinstance(text, bool):
        raise FigureError(f'function: expected an expression in {", ".join(variables)}, for example "x^2 + 3*y^2"')
    try:
        parsed = parse(str(text), variables)
    except AnswerError as exc:
        raise FigureError(f"function: {exc.message}") from None
    if parsed.shape != ():
        raise FigureError("function: expected a single number-valued expression, not a vector or a matrix")
    symbols = [symbol(v) for v in variables]  # the parser's own symbols, so that derivatives see them
    expr = parsed.value
    # Only the engine's whitelist reaches here; lambdify writes NumPy code for that tree.
    return _vectorised(sympy.lambdify(symbols, expr, "numpy")), expr, symbols


def _vectorised(f):
    def evaluate(*arrays):
        with np.errstate(all="ignore"):
            value = np.asarray(f(*arrays), dtype=float)
        value = np.broadcast_to(value, np.broadcast(*arrays).shape).astype(float)
        value[~np.isfinite(value)] = np.nan
        return value

    return evaluate


def _round(values) -> list:
    return [None if v is None or not math.isfinite(v) else round(float(v), _DIGITS) for v in values]


def _grid(spec: dict, samples: int):
    x_range, y_range = _interval(spec, "x"), _interval(spec, "y")
    xs, ys = np.linspace(*x_range, samples), np.linspace(*y_range, samples)
    return x_range, y_range, xs, ys, *np.meshgrid(xs, ys)


def _needs_finite(z: np.ndarray, what: str) -> None:
    share = np.isfinite(z).mean()
    if share < 0.5:
        raise FigureError(
            f"function: it is undefined or infinite on {100 - 100 * share:.0f} % of {what}; narrow x and y"
        )


def _contour_lines(xs, ys, z, levels_spec) -> tuple[list[float], list[list[list[float]]]]:
    import contourpy

    finite = z[np.isfinite(z)]
    low, high = float(finite.min()), float(finite.max())
    if isinstance(levels_spec, list):
        levels = [_number(v, "levels") for v in levels_spec]
    else:
        count = levels_spec
        if high - low < 1e-12:
            return [], []
        # Quadratic spacing: level sets of a bowl come out evenly spaced in distance, not crowded at the rim.
        levels = [low + (high - low) * (k / (count + 1)) ** 2 for k in range(1, count + 1)]
    generator = contourpy.contour_generator(xs, ys, np.ma.masked_invalid(z), line_type="Separate")
    lines = []
    for level in levels:
        for line in generator.lines(level):
            points = np.asarray(line, dtype=float).reshape(-1, 2)  # "Separate": one (n, 2) array per line
            if len(points) >= 2:
                lines.append([[round(float(a), _DIGITS), round(float(b), _DIGITS)] for a, b in points])
    return [round(v, _DIGITS) for v in levels], lines


def _contour(spec: dict) -> dict:
    f, expr, symbols = _function(spec, ("x", "y"))
    x_range, y_range, xs, ys, gx, gy = _grid(spec, _CONTOUR_SAMPLES)
    z = f(gx, gy)
    _needs_finite(z, "the plotted square")
    levels_spec = spec.get("levels", 10)
    if not isinstance(levels_spec, list):
        levels_spec = _whole(spec, "levels", 10, 1, 40)
    levels, lines = _contour_lines(xs, ys, z, levels_spec)
    data = {"x": list(x_range), "y": list(y_range), "levels": levels, "lines": lines}
    gradient = spec.get("gradient", False)
    if not isinstance(gradient, bool):
        raise FigureError("gradient: expected true or false")
    if gradient:
        data["arrows"] = _gradient_arrows(expr, symbols, x_range, y_range, _whole(spec, "arrows", 9, 3, 25))
    elif "arrows" in spec:
        raise FigureError("arrows: only with gradient: true")
    return data


def _gradient_arrows(
    expr, symbols, x_range: tuple[float, float], y_range: tuple[float, float], count: int
) -> list[list[float]]:
    parts = [_vectorised(sympy.lambdify(symbols, sympy.diff(expr, s), "numpy")) for s in symbols]
    xs, ys = np.linspace(*x_range, count + 2)[1:-1], np.linspace(*y_range, count + 2)[1:-1]
    gx, gy = np.meshgrid(xs, ys)
    dx, dy = parts[0](gx, gy), parts[1](gx, gy)
    length = np.hypot(dx, dy)
    longest = np.nanmax(length) if np.isfinite(length).any() else 0
    if not longest:
        return []
    cell = min(xs[1] - xs[0], ys[1] - ys[0]) if count > 1 else (x_range[1] - x_range[0]) / 2
    scale = 0.85 * cell / longest  # the longest arrow just fills its cell; the others in proportion
    arrows = []
    for x, y, u, v in zip(gx.ravel(), gy.ravel(), (dx * scale).ravel(), (dy * scale).ravel(), strict=True):
        if math.isfinite(u) and math.isfinite(v) and (u or v):
            arrows.append(_round([x, y, u, v]))
    return arrows


def _curve(spec: dict) -> dict:
    variable = spec.get("variable", "x")
    if not isinstance(variable, str) or not variable.isidentifier() or len(variable) > 8:
        raise FigureError("variable: expected the name of the variable, for example t")
    f, expr, symbols = _function(spec, (variable,))
    low, high = _interval(spec, "range")
    xs = np.linspace(low, high, _CURVE_SAMPLES)
    ys = f(xs)
    _needs_finite(ys, "the range")
    data: dict = {"range": [low, high], "variable": variable, "points": [_round(xs), _round(ys)]}
    mark_max = spec.get("mark_max", False)
    if not isinstance(mark_max, bool):
        raise FigureError("mark_max: expected true or false")
    if mark_max:
        data["max"] = _round(_maximum(f, xs, ys))
    if "tangent_at" in spec:
        at = _number(spec["tangent_at"], "tangent_at")
        if not low <= at <= high:
            raise FigureError(f"tangent_at: {at:g} is outside the range [{low:g}, {high:g}]")
        slope_f = _vectorised(sympy.lambdify(symbols, sympy.diff(expr, symbols[0]), "numpy"))
        value, slope = float(f(np.array([at]))[0]), float(slope_f(np.array([at]))[0])
        if not (math.isfinite(value) and math.isfinite(slope)):
            raise FigureError(f"tangent_at: the function has no tangent at {at:g}")
        data["tangent"] = _round([at, value, slope])
    if "ticks" in spec:
        ticks = spec["ticks"]
        if ticks != "pi":
            raise FigureError('ticks: the only choice is "pi" (ticks at multiples of pi/2)')
        data["ticks"] = "pi"
    return data


def _maximum(f, xs, ys) -> list[float]:
    """The maximum on the sampled range, refined by golden-section search between its neighbours."""
    i = int(np.nanargmax(ys))
    a, b = xs[max(i - 1, 0)], xs[min(i + 1, len(xs) - 1)]
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if f(np.array([c]))[0] > f(np.array([d]))[0]:
            b = d
        else:
            a = c
    x = (a + b) / 2
    value = float(f(np.array([x]))[0])
    return [x, value] if math.isfinite(value) and value >= ys[i] else [float(xs[i]), float(ys[i])]


def _surface(spec: dict) -> dict:
    f, _, _ = _function(spec, ("x", "y"))
    samples = _whole(spec, "samples", 30, 6, 60)
    x_range, y_range, xs, ys, gx, gy = _grid(spec, samples)
    z = f(gx, gy)
    _needs_finite(z, "the plotted square")
    if "z" in spec:
        z_low, z_high = _interval(spec, "z")
        z = np.where((z < z_low) | (z > z_high), np.nan, z)
    finite = z[np.isfinite(z)]
    return {
        "x": list(x_range),
        "y": list(y_range),
        "z": [float(finite.min()), float(finite.max())] if "z" not in spec else [z_low, z_high],
        "xs": _round(xs),
        "ys": _round(ys),
        "zs": [_round(row) for row in z],
    }


def _descent(spec: dict) -> dict:
    f, expr, symbols = _function(spec, ("x", "y"))
    x_range, y_range, xs, ys, gx, gy = _grid(spec, _CONTOUR_SAMPLES)
    z = f(gx, gy)
    _needs_finite(z, "the plotted square")
    levels, lines = _contour_lines(xs, ys, z, _whole(spec, "levels", 12, 1, 40))
    start = spec.get("start")
    if not (isinstance(start, list) and len(start) == 2):
        raise FigureError("start: expected the starting point [x, y], for example start: [-1.8, 0.9]")
    point = [_number(v, "start") for v in start]
    steps = spec.get("steps")
    if not (isinstance(steps, list) and 1 <= len(steps) <= 4):
        raise FigureError("steps: expected a list of one to four step sizes, for example steps: [0.1, 0.3]")
    iterations = _whole(spec, "iterations", 30, 1, 500)
    grad = [_vectorised(sympy.lambdify(symbols, sympy.diff(expr, s), "numpy")) for s in symbols]
    paths = []
    for step in (_number(s, "steps") for s in steps):
        if step <= 0:
            raise FigureError(f"steps: a step size must be positive, got {step:g}")
        paths.append(_path(grad, point, step, iterations))
    return {"x": list(x_range), "y": list(y_range), "levels": levels, "lines": lines, "paths": paths}


def _path(grad, start: list[float], step: float, iterations: int) -> dict:
    x, y = start
    points = [_round([x, y])]
    diverged = False
    for _ in range(iterations):
        gx, gy = (float(g(np.array([x]), np.array([y]))[0]) for g in grad)
        if not (math.isfinite(gx) and math.isfinite(gy)):
            raise FigureError(f"function: its gradient is undefined at ({x:g}, {y:g}) on the path with step {step:g}")
        x, y = x - step * gx, y - step * gy
        if max(abs(x), abs(y)) > _MAX_ABS:
            diverged = True
            break
        points.append(_round([x, y]))
    return {"step": step, "points": points, "diverged": diverged}


_BUILDERS = {"contour": _contour, "curve": _curve, "surface": _surface, "descent": _descent}
