"""Topic documents written to a folder and imported, as the import tests and others need them."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def topic_text(slug, layer="1", prerequisites=(), body="Body with $x^2$.\n", next_topics=()):
    prereqs = "".join(f"\n  - {p}" for p in prerequisites) or " []"
    nexts = "".join(f"\n  - {p}" for p in next_topics) or " []"
    return (
        f"---\nslug: {slug}\ntitle: Topic {slug}\nlayer: '{layer}'\nsummary: About {slug}.\n"
        f"prerequisites:{prereqs}\nnext_topics:{nexts}\nlast_reviewed: 2026-01-01\n"
        f"references:\n  canonical: []\n  current: []\n---\n\n{body}"
    )


def write(directory: Path, slug: str, text: str) -> Path:
    path = directory / f"{slug}.md"
    path.write_text(text)
    return path


def run_import(directory) -> str:
    out = StringIO()
    call_command("import_content", str(directory), stdout=out)
    return out.getvalue()


def refused(directory) -> str:
    with pytest.raises(CommandError) as caught:
        run_import(directory)
    return str(caught.value)
