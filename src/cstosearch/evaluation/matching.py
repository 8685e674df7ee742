"""Scoring rules: body shingles, lenient and strict title and byline matches, dates, sites, captions."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

TOKEN_RE = re.compile(r"\w+", re.UNICODE)
SHINGLE_SIZE = 4
PERFECT_F1 = 0.9
CAPTION_FOUND_SHARE = 0.8
CAPTION_LABEL_RE = re.compile(r"^\s*(?:credits?|photo(?:graph)?|image)(?:\s*:\s*|\s+|(?=[A-Z]))", re.I)
MAX_TITLE_SEGMENTS_DROPPED = 2
CAPTION_LABEL_WORDS = frozenset("photo photos photograph photographs image picture credit credits by".split())
TITLE_SEPARATORS = (" | ", " - ", " · ", " » ", " :: ", " / ")
AUTHOR_CONNECTORS = frozenset("by and par von et und y e with from written posted da di de del der van".split())


def tokenize(text: str) -> list[str]:
    return TOKEN_RE.findall(text or "")


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    tokens = tokenize(text)
    grams = [tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1))]
    return Counter(gram for gram in grams if gram)


def shingle_scores(expected: str, extracted: str) -> tuple[float, float, float]:
    """Per-page (tp, fp, fn), normalised to sum to 1 (all zero when both are empty)."""
    truth, found = shingles(expected), shingles(extracted)
    tp = fp = fn = 0
    for key in truth.keys() | found.keys():
        t, f = truth.get(key, 0), found.get(key, 0)
        tp += min(t, f)
        fp += max(0, f - t)
        fn += max(0, t - f)
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def body_metrics(scores: Sequence[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean precision (pages with output), mean recall (pages with truth) and their F1."""
    precisions = [tp / (tp + fp) for tp, fp, _ in scores if tp + fp > 0]
    recalls = [tp / (tp + fn) for tp, _, fn in scores if tp + fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def page_f1(score: tuple[float, float, float]) -> float:
    tp, fp, fn = score
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = re.sub(r"[‘’‚‛′`´]", "'", text)
    text = re.sub(r"[“”„‟″«»]", '"', text)
    text = re.sub(r"[‐‑‒–—―]", "-", text)
    text = " ".join(text.split())
    return text.strip(" \"'.,;:!?")


def _title_variants(title: str) -> set[str]:
    variants = {title}
    for separator in TITLE_SEPARATORS:
        parts = title.split(separator)
        for cut in range(1, min(len(parts), MAX_TITLE_SEGMENTS_DROPPED + 1)):
            variants.add(normalise_text(separator.join(parts[:-cut])))
            variants.add(normalise_text(separator.join(parts[cut:])))
    return {v for v in variants if v}


def titles_match(expected: str, extracted: str) -> bool:
    a, b = normalise_text(expected), normalise_text(extracted)
    if not a or not b:
        return False
    return a == b or bool(_title_variants(a) & _title_variants(b))


def _name_words(text: str) -> set[str]:
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKC", text or "").casefold())
    return {w for w in words if w not in AUTHOR_CONNECTORS}


def authors_match(expected: str, extracted: Iterable[str]) -> bool:
    a, b = _name_words(expected), _name_words(" ".join(extracted))
    if not a or not b or not (a <= b or b <= a):
        return False
    return len(a & b) >= 0.5 * max(len(a), len(b))


def _collapsed(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def titles_match_strict(expected: str, extracted: str) -> bool:
    """The whole title, nothing dropped: equal after collapsing spaces and case-folding."""
    return bool(_collapsed(expected)) and _collapsed(expected) == _collapsed(extracted)


def bylines_match_strict(expected: str, extracted: Iterable[str]) -> bool:
    """The stated byline equals the extracted names joined by ", " (spaces collapsed, case-folded)."""
    return bool(_collapsed(expected)) and _collapsed(expected) == _collapsed(", ".join(extracted))


def dates_match(expected: str, extracted: str) -> bool:
    found = re.match(r"\s*(\d{4}-\d{2}-\d{2})", expected or "")
    return bool(found) and found.group(1) == (extracted or "")[:10]


def sites_match(expected: str, extracted: str) -> bool:
    a, b = normalise_text(expected), normalise_text(extracted)
    return bool(a and b) and (a == b or a in b or b in a)


def caption_found(expected: str, haystack: str) -> bool:
    expected = CAPTION_LABEL_RE.sub("", expected)
    wanted = Counter(t for t in tokenize(expected.casefold()) if t not in CAPTION_LABEL_WORDS)
    if not wanted:
        return False
    available = Counter(tokenize(haystack.casefold()))
    hits = sum(min(count, available.get(token, 0)) for token, count in wanted.items())
    return hits >= CAPTION_FOUND_SHARE * sum(wanted.values())
