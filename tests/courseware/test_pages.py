import html
import re

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from courseware.rendering import fill_parameters
from tests.pages import STATIC, parse_page

pytestmark = pytest.mark.django_db


def source_math(text: str) -> list[str]:
    md = MarkdownIt("commonmark")
    dollarmath_plugin(md, allow_space=True, double_inline=True)
    found = []

    def walk(tokens):
        for token in tokens:
            if token.type.startswith("math"):
                found.append(token.content.strip())
            if token.children:
                walk(token.children)

    walk(md.parse(text))
    return found


def test_the_index_groups_every_topic_by_layer(client, lesson_content):
    page = client.get("/").content.decode()
    for doc in lesson_content:
        assert f'href="/topics/{doc.slug}/"' in page
    layers = re.findall(r'<section class="layer" id="layer-([^"]+)"', page)
    assert layers[:2] == ["0A", "0B"] and layers == sorted(set(layers), key=layers.index)


def test_every_topic_page_renders_its_math_intact(client, lesson_content):
    for doc in lesson_content:
        response = client.get(f"/topics/{doc.slug}/")
        assert response.status_code == 200, doc.slug
        page = parse_page(response)
        rendered = set(page.math)
        expected = source_math(doc.body)
        for exercise in doc.exercises:
            expected += source_math(exercise.prompt)
        missing = [m for m in expected if m not in rendered and not re.search(r"\{\{\s*\w+\s*\}\}", m)]
        assert not any("{{" in m for m in rendered), f"{doc.slug}: a parameter was left unfilled"
        assert not missing, f"{doc.slug}: math lost on the page: {missing[:3]}"
        assert "$" not in re.sub(r"<[^>]+>", "", response.content.decode()).replace("&#36;", ""), doc.slug


def test_the_seed_lesson_shows_its_blocks_relations_and_review_date(client, lesson_content):
    page = client.get("/topics/differentiation-in-rn/").content.decode()
    for css in ("block-definition", "block-theorem", "block-statement", "block-proof-sketch", "block-failure-mode",
                "block-confusion", "block-summary", "block-exercise"):  # fmt: skip
        assert f'class="block {css}"' in page, css
    for slug in ("sets-functions-and-relations", "jacobian-matrix", "gradient-descent-variants"):
        assert f'href="/topics/{slug}/"' in page
    assert "Rudin, Principles of Mathematical Analysis (1976), Chapter 9" in page
    assert "Last reviewed" in page and 'datetime="2026-04-01"' in page


def test_no_page_loads_anything_from_another_host_or_inline(client, lesson_content):
    for url in ["/", *[f"/topics/{doc.slug}/" for doc in lesson_content]]:
        response = client.get(url)
        page = parse_page(response)
        assert page.inline_scripts == 0, url
        assert not page.styled, url
        assert all(r.startswith("/static/") for r in page.resources), (url, page.resources)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "http" not in policy


def test_katex_is_served_from_our_own_static_files():
    version = (STATIC / "vendor/katex/VERSION").read_text().split()[1]
    assert tuple(int(p) for p in version.split(".")) >= (0, 16, 21)
    assert (STATIC / "vendor/katex/katex.min.js").stat().st_size > 100_000
    assert "trust: false" in (STATIC / "js/math.js").read_text()


def test_authored_markdown_is_sanitised(client, db):
    from courseware.models import Topic

    Topic.objects.create(
        slug="hostile", title="Hostile", layer="1", summary="s",
        body='<script>alert(1)</script>\n\n[link](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n\n$<b>x</b>$\n',
    )  # fmt: skip
    page = client.get("/topics/hostile/").content.decode()
    assert "<script>alert" not in page and 'href="javascript' not in page and "<img" not in page
    assert html.escape("<b>x</b>", quote=False) in page


def test_an_unknown_topic_is_404(client, db):
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_parameters_fill_prompts_and_unknown_ones_stay_visible():
    assert fill_parameters("$f = {{a}} x + {{ b }}$ {{c}}", {"a": "3", "b": "-1"}) == "$f = 3 x + -1$ {{c}}"
