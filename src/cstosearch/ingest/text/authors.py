"""Author names in text dumps: byline links kept whole, and names rebuilt from URL slugs given back their accents."""

from __future__ import annotations

import re
import unicodedata

from cstosearch.ingest.normalize import split_authors
from cstosearch.ingest.text.lines import MARKDOWN_LINK


def byline_authors(byline: str) -> list[str]:
    """'By [A](#), [B](#) and [C](#)' -> the link texts, each one name even with '&' inside ('Mac & i')."""
    linked = [" ".join(m.group(1).split()) for m in MARKDOWN_LINK.finditer(byline)]
    linked = [name for name in linked if name]
    if linked:
        return linked
    # Without links, an '&' joins two names only when both sides are full names ("Jane Roe & John Doe").
    protected = re.sub(r"(?<!\S)(\S+)\s+&\s+(\S+)(?!\S)",
                       lambda m: m.group(0) if _has_full_names(byline, m) else m.group(1) + "\x00" + m.group(2), byline)
    return [name.replace("\x00", " & ") for name in split_authors(protected)]


def _has_full_names(byline: str, match: re.Match) -> bool:
    before = byline[: match.start(2)].split("&")[0].strip().split()
    after = byline[match.start(2):].split(",")[0].strip().split()
    return len([w for w in before if w.lower() not in ("by", "from")]) >= 2 and len(after) >= 2


def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def restore_accents(slug_name: str, text: str) -> str:
    """'Ales Vavra' (from a URL slug) -> 'Aleš Vávra' when the text writes the name that way."""
    words = slug_name.split()
    if not words or not slug_name.isascii():
        return slug_name
    target = [fold_accents(w) for w in words]
    tokens = re.findall(r"\w+", text)
    for i in range(len(tokens) - len(words) + 1):
        found = tokens[i: i + len(words)]
        if not all(w[0].isupper() for w in found) or all(w.isascii() for w in found):
            continue
        if [fold_accents(w) for w in found] == target:
            return " ".join(found)
    return slug_name
