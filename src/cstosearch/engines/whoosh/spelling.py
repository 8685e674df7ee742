"""Did-you-mean: rare query words replaced by much commoner near spellings from the index."""

from __future__ import annotations

import re

SPELLING_RARE_BELOW = 50
_OPERATORS = re.compile(r'"|\bOR\b|\bNOT\b|\bAND\b|(^|\s)[-+]|\w:|\*')


def suggest_spelling(searcher, text: str) -> str:
    """The query with rare words replaced by much commoner near spellings, or "" if none."""
    words = re.findall(r"(?<![\w:\-])[A-Za-z][\w'’]{3,}", text)
    if not words or len(words) > 6 or _OPERATORS.search(text):
        return ""
    reader = searcher.reader()
    analyzer = searcher.schema["body"].analyzer
    changed = text
    for word in words:
        stems = [t.text for t in analyzer(word)]
        if len(stems) != 1:
            continue
        own = _document_frequency(reader, stems[0])
        if own >= SPELLING_RARE_BELOW:
            continue
        best, best_count = "", own
        for candidate in reader.terms_within("body", stems[0], maxdist=2, prefix=2):
            count = _document_frequency(reader, candidate)
            if count > best_count:
                best, best_count = candidate, count
        if best and best_count >= max(3, 3 * own):
            changed = re.sub(rf"\b{re.escape(word)}\b", _like_case(word, best), changed, count=1)
    return changed if changed != text else ""


def _document_frequency(reader, term: str) -> int:
    return sum(reader.doc_frequency(fieldname, term) for fieldname in ("body", "title", "captions"))


def _like_case(original: str, suggestion: str) -> str:
    return suggestion.capitalize() if original[:1].isupper() else suggestion
