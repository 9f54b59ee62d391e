"""The structured blocks of a lesson (`::: kind title` ... `:::`): their kinds and a checker."""

import re
from dataclasses import dataclass, field

# kind -> (title required, parent kind it must sit in, or None for the top level)
KINDS: dict[str, tuple[bool, str | None]] = {
    "definition": (True, None),
    "theorem": (True, None),
    "statement": (False, "theorem"),
    "intuition": (False, "theorem"),
    "proof-sketch": (False, "theorem"),
    "why-it-matters": (False, "theorem"),
    "failure-mode": (False, "theorem"),
    "confusion": (True, None),
    "summary": (False, None),
    "remark": (False, None),
    "exercise": (True, None),
    "solution": (False, "exercise"),
    "figure": (True, None),
}
THEOREM_PARTS = ("statement", "intuition", "proof-sketch", "why-it-matters", "failure-mode")
LABELS = {
    "definition": "Definition",
    "theorem": "Theorem",
    "statement": "Statement",
    "intuition": "Intuition",
    "proof-sketch": "Proof sketch",
    "why-it-matters": "Why it matters",
    "failure-mode": "Failure mode",
    "confusion": "Common confusion",
    "summary": "Summary",
    "remark": "Remark",
    "exercise": "Exercise",
    "solution": "Worked solution",
    "figure": "Figure",
}

_OPEN = re.compile(r"^(:{3,})\s*([A-Za-z][\w-]*)\s*(.*?)\s*$")
_CLOSE = re.compile(r"^(:{3,})\s*$")
_CODE = re.compile(r"^(`{3,}|~{3,})")


class BlockError(ValueError):
    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index, self.message = index, message  # index: 0-based line within the scanned lines


@dataclass
class Block:
    kind: str
    title: str
    start: int  # line index of the opening fence
    colons: int
    end: int = -1  # line index of the closing fence
    children: list["Block"] = field(default_factory=list)


def scan(lines: list[str]) -> list[Block]:
    """Top-level blocks with their children; raises BlockError on any malformed block."""
    top: list[Block] = []
    stack: list[Block] = []
    code_fence: str | None = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if code_fence:
            if stripped.startswith(code_fence) and not stripped.strip(code_fence[0]):
                code_fence = None
            continue
        if match := _CODE.match(stripped):
            code_fence = match.group(1)
            continue
        if match := _CLOSE.match(stripped):
            if not stack:
                raise BlockError(index, f'"{stripped}" closes no open block')
            block = stack.pop()
            if len(match.group(1)) != block.colons:
                raise BlockError(
                    index,
                    f'"{stripped}" does not match the "{":" * block.colons}" that opened '
                    f"the {block.kind} block on line {block.start + 1} of the body",
                )
            block.end = index
            _check(block)
            continue
        if match := _OPEN.match(stripped):
            block = _open(match, index, stack)
            (stack[-1].children if stack else top).append(block)
            stack.append(block)
    if code_fence:
        raise BlockError(len(lines) - 1, f"a code fence {code_fence} is never closed")
    if stack:
        raise BlockError(
            stack[-1].start, f'the {stack[-1].kind} block is never closed (add "{":" * stack[-1].colons}")'
        )
    return top


def _open(match: re.Match, index: int, stack: list[Block]) -> Block:
    colons, kind, title = len(match.group(1)), match.group(2), match.group(3)
    if kind not in KINDS:
        raise BlockError(index, f'unknown block "{kind}" (known: {", ".join(KINDS)})')
    needs_title, parent = KINDS[kind]
    if needs_title and not title:
        raise BlockError(index, f"a {kind} block needs a title after ::: {kind}")
    if title and not needs_title and kind != "remark":
        raise BlockError(index, f'a {kind} block takes no title (found "{title}")')
    enclosing = stack[-1] if stack else None
    if parent and (enclosing is None or enclosing.kind != parent):
        raise BlockError(index, f"a {kind} block belongs inside a {parent} block")
    if enclosing and not parent:
        raise BlockError(index, f"a {kind} block cannot be inside a {enclosing.kind} block")
    if enclosing and colons >= enclosing.colons:
        raise BlockError(
            index,
            f"a block inside another needs fewer colons than its parent "
            f"({enclosing.colons} on line {enclosing.start + 1})",
        )
    return Block(kind, title, index, colons)


def _check(block: Block) -> None:
    if block.kind != "theorem":
        return
    parts = [child.kind for child in block.children]
    if "statement" not in parts:
        raise BlockError(block.start, f'the theorem "{block.title}" needs a statement block')
    order = [THEOREM_PARTS.index(p) for p in parts]
    if order != sorted(set(order)):
        raise BlockError(
            block.start,
            f'the parts of theorem "{block.title}" must appear once each, in order: ' + ", ".join(THEOREM_PARTS),
        )
