"""Text out of lxml elements: collapsed spacing, block-aware text, one line per block."""

from __future__ import annotations

from typing import Any

BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th "
    "thead tr ul".split()
)


def clean_text(text: str | None) -> str:
    return " ".join((text or "").split())


def element_text(element: Any) -> str:
    """Visible text of an element with spaces where block elements meet."""
    parts: list[str] = []
    for node in element.iter():
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript"):
            if node is not element and node.tail:
                parts.append(node.tail)
            continue
        if node.tag in ("br", "p", "div", "li", "span") and parts:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        if node is not element and node.tail:
            parts.append(node.tail)
    return clean_text("".join(parts))


def block_lines(root: Any) -> list[str]:
    """Text of a tree as lines, one per block element (paragraph, list item, heading, cell)."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        # Line breaks in the source text are not paragraph breaks: only block elements are.
        element.text = _spaced(element.text)
        element.tail = _spaced(element.tail)
        if element.tag in ("script", "style", "noscript", "template"):
            element.text = ""
        elif element.tag in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    return [clean_text(line) for line in root.text_content().splitlines() if clean_text(line)]


def _spaced(text: str | None) -> str | None:
    return text.replace("\n", " ").replace("\r", " ") if text else text


def remove_keep_tail(element: Any) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    element.tail = None
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)
