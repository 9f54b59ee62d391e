"""Reading rendered pages in tests: what a page loads, and the text of its math."""

from html.parser import HTMLParser
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"


class PageParser(HTMLParser):
    """Collects what a page asks the browser to load, and the text of its math elements."""

    def __init__(self):
        super().__init__()
        self.resources, self.inline_scripts, self.styled, self.math = [], 0, [], []
        self._math_depth, self._buffer = 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.resources.append(attrs["src"])
            else:
                self.inline_scripts += 1
        if tag == "link" and attrs.get("href"):
            self.resources.append(attrs["href"])
        if tag in ("img", "iframe") and attrs.get("src"):
            self.resources.append(attrs["src"])
        if "style" in attrs or tag == "style":
            self.styled.append(tag)
        if self._math_depth:
            self._math_depth += 1
        elif "math" in (attrs.get("class") or "").split():
            self._math_depth, self._buffer = 1, []

    def handle_endtag(self, tag):
        if self._math_depth:
            self._math_depth -= 1
            if not self._math_depth:
                self.math.append("".join(self._buffer).strip())

    def handle_data(self, data):
        if self._math_depth:
            self._buffer.append(data)


def parse_page(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser
