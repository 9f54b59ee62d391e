"""`$$...$$` is display math wherever it is written, in the lesson and in the admin's preview."""

import pytest

from courseware.admin import preview_html
from courseware.rendering import render_markdown

UNDER_TEXT = "The linearization is\n$$\nf(x + h) \\approx f(x) + Df(x)\\, h\n$$\nfor small $h$.\n"


def test_display_math_straight_under_a_line_of_text_is_display_math():
    html = render_markdown(UNDER_TEXT)
    assert '<span class="math block">' in html and 'class="math inline">\nf(x' not in html
    assert html.count("<p>") == html.count("</p>") == 1  # one well-formed paragraph, no stray <div> inside it
    assert '<span class="math inline">h</span>' in html


def test_display_math_on_lines_of_its_own_is_unchanged():
    assert '<div class="math block">' in render_markdown("Text.\n\n$$\nx^2\n$$\n")


def test_the_math_is_escaped_not_interpreted():
    assert "&lt;script&gt;" in render_markdown("Text\n$$\n<script>alert(1)</script>\n$$\n")


@pytest.mark.django_db
def test_the_admin_preview_renders_it_the_same_way():
    assert preview_html(UNDER_TEXT, {}) == render_markdown(UNDER_TEXT)


def test_the_admin_header_carries_the_site_s_name(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "Mathematics of ML · authoring" in page and "Django administration" not in page


@pytest.mark.django_db
def test_a_title_with_a_bare_caret_is_refused_at_import(tmp_path):
    from tests.topic_files import refused, topic_text, write

    path = write(tmp_path, "a", topic_text("a").replace("title: Topic a", "title: Differentiation in R^n"))
    assert f'{path}:3: a "^" outside math shows as a literal caret' in refused(tmp_path)
    write(tmp_path, "a", topic_text("a").replace("title: Topic a", "title: Differentiation in $R^n$"))
    from tests.topic_files import run_import

    run_import(tmp_path)
