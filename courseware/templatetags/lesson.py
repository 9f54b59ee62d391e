from django import template
from django.utils.safestring import mark_safe

from courseware.rendering import render_inline, render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 (sanitised by nh3 in render_markdown)


@register.filter
def markdown_inline(text: str) -> str:
    return mark_safe(render_inline(text))  # noqa: S308 (sanitised by nh3)
