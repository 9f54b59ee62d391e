"""Lesson Markdown to safe HTML: math kept intact for KaTeX, blocks styled, output sanitised (no Django)."""

import html
import json
import re
from collections.abc import Mapping
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

from courseware.blocks import KINDS, LABELS
from courseware.figures import FigureError, figure_data

_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "span", "div", "section", "header",
}  # fmt: skip
_ATTRIBUTES = {
    "span": {"class"},
    "div": {"class", "data-figure", "aria-hidden"},
    "section": {"class"},
    "header": {"class"},
    "code": {"class"},
    "a": {"href", "title"},
}
_PARAM = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")


def _render_block(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return "</div></section>\n"
    kind, _, title = token.info.strip().partition(" ")
    heading = html.escape(LABELS.get(kind, kind))
    if title.strip():
        heading += ": " + _markdown().renderInline(title.strip())
    return (
        f'<section class="block block-{kind}"><header class="block-title">{heading}</header><div class="block-body">\n'
    )


def _render_display_in_paragraph(self, tokens, idx, options, env) -> str:
    """`$$...$$` written straight under a line of text is display math all the same (a block span in the paragraph)."""
    return f'<span class="math block">{html.escape(tokens[idx].content)}</span>'


def _render_fence(self, tokens, idx, options, env) -> str:
    """A ```plot fence becomes the holder the browser draws the figure in (static/js/figures.js)."""
    token = tokens[idx]
    if token.info.strip() != "plot":
        return RendererHTML.fence(self, tokens, idx, options, env)
    try:
        data = json.dumps(figure_data(token.content), separators=(",", ":"))
    except FigureError as exc:
        return f'<p class="figure-error">This figure cannot be drawn: {html.escape(exc.message)}</p>\n'
    return (
        f'<div class="figure-plot" aria-hidden="true" data-figure="{html.escape(data)}">'
        '<p class="meta">The figure is drawn with JavaScript; its description follows.</p></div>\n'
    )


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    dollarmath_plugin(md, allow_space=True, double_inline=True)
    md.add_render_rule("math_inline_double", _render_display_in_paragraph)
    md.add_render_rule("fence", _render_fence)
    for kind in KINDS:
        container_plugin(
            md, kind, validate=lambda params, *_, k=kind: params.strip().split(" ", 1)[0] == k, render=_render_block
        )
    return md


def sanitize(markup: str) -> str:
    return nh3.clean(markup, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"})


def render_markdown(text: str) -> str:
    """Markdown (with `$...$` math and `:::` blocks) to sanitised HTML."""
    return sanitize(_markdown().render(text))


def render_inline(text: str) -> str:
    """One line of Markdown (a title, a summary) to sanitised inline HTML."""
    return sanitize(_markdown().renderInline(text))


def fill_parameters(text: str, values: Mapping[str, str]) -> str:
    """Replace `{{name}}` by the variant's value (LaTeX); unknown names are left visible."""
    return _PARAM.sub(lambda m: values.get(m.group(1), m.group(0)), text)
