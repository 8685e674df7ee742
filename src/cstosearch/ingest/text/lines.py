"""Line-level helpers shared by the text-dump steps: cleaning, markdown, blocks, script detection."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cstosearch.article import Caption

URL_ONLY = re.compile(r"^<?(https?://\S+?)>?$")
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
BULLET = re.compile(r"^\s*(?:[*•\-–]|\d{1,2}[.)])\s+")
# CJK ideographs, kana, hangul and full-width punctuation: these scripts join wrapped lines without a space.
CJK_CHAR = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
CJK_TERMINAL = tuple("。！？…")
CLOSING_QUOTES = "\"”’»」』）)"


@dataclass
class Draft:
    """What the steps have found so far in one dump."""

    lines: list[str]
    url: str = ""
    title: str = ""
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: str = ""
    outlet_name: str = ""
    captions: list[Caption] = field(default_factory=list)
    url_hints: list[str] = field(default_factory=list)


def clean_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return [line.rstrip() for line in text.split("\n")]


def strip_markdown(line: str) -> str:
    line = MARKDOWN_LINK.sub(r"\1", line)
    line = re.sub(r"\*\*([^*]+)\*\*", r"\1", line)
    return line


def blocks(lines: list[str]) -> list[list[str]]:
    """Runs of non-empty lines, split at blank lines (lines keep their leading space)."""
    found, current = [], []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def has_blank_between(lines: list[str]) -> bool:
    """Whether any blank line separates two non-empty lines (bare dumps have none)."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return any(not lines[i].strip() for i in range(filled[0], filled[-1])) if filled else False


def is_cjk(text: str) -> bool:
    """Mostly Chinese/Japanese/Korean characters (ignoring spaces and ASCII punctuation)."""
    letters = [ch for ch in text if ch.isalnum() or CJK_CHAR.match(ch)]
    if not letters:
        return False
    return sum(1 for ch in letters if CJK_CHAR.match(ch)) / len(letters) > 0.5


def join_wrapped(first: str, second: str) -> str:
    """Re-join two pieces of one wrapped sentence: with a space, or none between CJK characters."""
    first, second = first.rstrip(), second.lstrip()
    if not first:
        return second
    if not second:
        return first
    if CJK_CHAR.match(first[-1]) and CJK_CHAR.match(second[0]):
        return first + second
    return first + " " + second


def ends_sentence(text: str) -> bool:
    """Ends with a sentence mark, possibly followed by closing quotes or brackets."""
    text = text.rstrip().rstrip(CLOSING_QUOTES)
    return text.endswith((".", "!", "?", "…", *CJK_TERMINAL))
