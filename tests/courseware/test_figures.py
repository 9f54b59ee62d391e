"""Figure descriptions: checked like exercise specs, and turned into the right numbers."""

import math

import pytest

from courseware.figures import FigureError, figure_data
from courseware.rendering import render_markdown
from tests.topic_files import refused, run_import, topic_text, write

CONTOUR = 'kind: contour\nfunction: "x^2 + 3*y^2"\nx: [-2, 2]\ny: [-2, 2]\ngradient: true\n'


def test_gradient_arrows_follow_the_gradient_and_cross_the_level_sets_at_right_angles():
    data = figure_data(CONTOUR)
    assert data["lines"] and len(data["arrows"]) == 80  # a 9 x 9 grid, less the origin where the gradient is 0
    for x, y, u, v in data["arrows"]:
        gx, gy = 2 * x, 6 * y
        assert abs(u * gy - v * gx) < 1e-3 * math.hypot(gx, gy)  # parallel to the gradient...
        assert u * gx + v * gy > 0  # ...and pointing uphill
    for line in data["lines"]:  # every contour line is a level set: f is constant along it
        values = [px**2 + 3 * py**2 for px, py in line]
        assert max(values) - min(values) < 0.02 * max(values)


def test_the_directional_derivative_curve_peaks_at_the_gradient_s_angle():
    data = figure_data('kind: curve\nvariable: t\nfunction: "2*cos(t) + 6*sin(t)"\nrange: [0, 6.3]\nmark_max: true')
    t, value = data["max"]
    assert t == pytest.approx(math.atan2(6, 2), abs=1e-3) and value == pytest.approx(math.sqrt(40), abs=1e-3)


def test_a_tangent_line_has_the_derivative_as_its_slope():
    assert figure_data("kind: curve\nfunction: x^3\nrange: [-2, 2]\ntangent_at: 1")["tangent"] == [1, 1, 3]


def test_gradient_descent_paths_match_the_closed_form():
    data = figure_data(
        'kind: descent\nfunction: "x^2 + 10*y^2"\nx: [-2, 2]\ny: [-1, 1]\nstart: [-1.8, 0.8]\n'
        "steps: [0.02, 0.095, 0.2]\niterations: 40\n"
    )
    slow, fast, unstable = data["paths"]
    for path in (slow, fast):
        step, (x, y) = path["step"], path["points"][-1]
        assert x == pytest.approx(-1.8 * (1 - 2 * step) ** 40, abs=1e-4)
        assert y == pytest.approx(0.8 * (1 - 20 * step) ** 40, abs=1e-4)
    assert fast["points"][1][1] < 0 < fast["points"][2][1]  # it zigzags across the valley
    assert unstable["diverged"] is True and len(unstable["points"]) < 41  # 0.2 > 2/L = 0.1: it blows up


def test_the_surface_leaves_out_the_points_where_the_function_is_undefined():
    data = figure_data('kind: surface\nfunction: "x*y/(x^2 + y^2)"\nx: [-1, 1]\ny: [-1, 1]\nsamples: 31')
    assert data["zs"][15][15] is None  # the origin
    assert data["z"] == pytest.approx([-0.5, 0.5])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("kind: pie", "kind: expected one of contour, curve, surface, descent"),
        ("[1, 2]", "must be a mapping"),
        ("kind: contour\nfunction: x\nx: [-1, 1]\ny: [-1, 1]\nfoo: 1", "foo: not a key of a contour figure"),
        ('kind: contour\nfunction: "x^2 +"\nx: [-1, 1]\ny: [-1, 1]', "function: Expected"),
        ('kind: contour\nfunction: "z"\nx: [-1, 1]\ny: [-1, 1]', 'function: Unknown variable "z"'),
        ('kind: contour\nfunction: "9^9^9^9"\nx: [-1, 1]\ny: [-1, 1]', "function: Exponents larger"),
        ('kind: contour\nfunction: "__import__(1)"\nx: [-1, 1]\ny: [-1, 1]', "function:"),
        ("kind: contour\nfunction: x\nx: [1, -1]\ny: [-1, 1]", "x: the low end 1 must be below the high end -1"),
        ("kind: contour\nfunction: x\nx: [-1, 1]", "y: expected [low, high]"),
        ("kind: contour\nfunction: x\nx: [-1, .nan]\ny: [-1, 1]", "x: expected a number"),
        ("kind: contour\nfunction: x\nx: [-1, 1000000000]\ny: [-1, 1]", "too large"),
        ("kind: contour\nfunction: x\nx: [-1, 1]\ny: [-1, 1]\nlevels: 500", "levels: expected a whole number"),
        ("kind: contour\nfunction: x\nx: [-1, 1]\ny: [-1, 1]\narrows: 5", "arrows: only with gradient: true"),
        ('kind: surface\nfunction: "log(-1 - x^2)"\nx: [-1, 1]\ny: [-1, 1]', "undefined or infinite"),
        ("kind: surface\nfunction: x\nx: [-1, 1]\ny: [-1, 1]\nsamples: 1000", "samples: expected a whole number"),
        ("kind: curve\nfunction: x\nrange: [0, 1]\ntangent_at: 5", "tangent_at: 5 is outside the range"),
        ("kind: curve\nfunction: x\nrange: [0, 1]\nticks: degrees", 'ticks: the only choice is "pi"'),
        ("kind: curve\nvariable: 3\nfunction: x\nrange: [0, 1]", "variable: expected the name"),
        ("kind: descent\nfunction: x^2\nx: [-1, 1]\ny: [-1, 1]\nsteps: [0.1]", "start: expected the starting point"),
        ("kind: descent\nfunction: x^2\nx: [-1, 1]\ny: [-1, 1]\nstart: [1, 1]\nsteps: [-1]", "step size must be"),
        ("kind: descent\nfunction: x^2\nx: [-1, 1]\ny: [-1, 1]\nstart: [1, 1]\nsteps: []", "steps: expected a list"),
        ("kind: contour\nfunction: x\nx_label: 4\nx: [-1, 1]\ny: [-1, 1]", "x_label: expected a short text"),
    ],
)
def test_a_description_that_cannot_be_drawn_says_which_key_and_what_to_change(text, words):
    with pytest.raises(FigureError) as caught:
        figure_data(text)
    assert words in caught.value.message


def figure_block(description: str, text: str = "What the figure shows, in words.") -> str:
    return f"::: figure Level sets\n```plot\n{description}```\n{text}\n:::\n"


def test_a_figure_renders_as_a_holder_with_its_numbers_and_its_description():
    html = render_markdown(figure_block(CONTOUR))
    assert '<section class="block block-figure">' in html and "Figure: Level sets" in html
    assert 'class="figure-plot" aria-hidden="true" data-figure="{&quot;kind&quot;:&quot;contour&quot;' in html
    assert "What the figure shows, in words." in html


@pytest.mark.django_db
def test_import_refuses_a_figure_that_cannot_be_drawn_naming_file_and_line(tmp_path):
    bad = CONTOUR.replace("x^2 + 3*y^2", "x^2 + ")
    path = write(tmp_path, "a", topic_text("a", body="Intro.\n\n" + figure_block(bad)))
    assert f'{path}:19: figure "Level sets": function: Expected' in refused(tmp_path)  # the line of the key


@pytest.mark.django_db
def test_import_refuses_a_figure_without_a_text_description(tmp_path):
    path = write(tmp_path, "a", topic_text("a", body=figure_block(CONTOUR, text="")))
    assert f'{path}:14: the figure "Level sets" needs a text description' in refused(tmp_path)


@pytest.mark.django_db
def test_a_good_figure_imports(tmp_path):
    write(tmp_path, "a", topic_text("a", body="Intro.\n\n" + figure_block(CONTOUR)))
    assert "created" in run_import(tmp_path).lower() or run_import(tmp_path)


@pytest.mark.django_db
def test_the_seed_lesson_and_gradient_descent_variants_have_their_figures(lesson_content):
    from courseware.models import Topic

    kinds = {
        slug: [
            line.split(": ")[1] for line in Topic.objects.get(slug=slug).body.splitlines() if line.startswith("kind:")
        ]
        for slug in ("differentiation-in-rn", "gradient-descent-variants")
    }
    assert sorted(kinds["differentiation-in-rn"]) == ["contour", "curve", "surface"]
    assert kinds["gradient-descent-variants"] == ["descent"]


@pytest.mark.django_db
def test_the_admin_previews_a_figure_and_refuses_one_that_cannot_be_drawn():
    from courseware.admin import preview_html
    from courseware.authoring import body_problems

    body = "Intro.\n\n" + figure_block(CONTOUR)
    assert 'class="figure-plot"' in preview_html(body, {}) and body_problems(body) == []
    bad = "Intro.\n\n" + figure_block(CONTOUR.replace("y: [-2, 2]", "y: [2, -2]"))
    assert body_problems(bad) == ['line 8: figure "Level sets": y: the low end 2 must be below the high end -2']
