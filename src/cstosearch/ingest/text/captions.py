"""Photo captions in text dumps: credits split off, doubled captions found by their repetition, labels read."""

from __future__ import annotations

import os
import re

from cstosearch.article import Caption
from cstosearch.ingest.text.lines import Draft, ends_sentence

# Small words that may sit inside a credit between names ("Adrian Malloch for the Guardian").
CREDIT_CONNECTORS = frozenset({
    "via", "for", "the", "by", "of", "and", "de", "del", "la", "le", "van", "von", "der", "da", "di", "y", "et",
    "und", "photo", "photos", "photograph", "image", "images", "montage", "courtesy", "staff", "pool", "/", "&",
})
CAPTION_LABEL = re.compile(
    r"^(?:图注|圖注|图说|圖說|图片说明|Caption|Photo caption|Bildunterschrift|Légende)\s*[：:]\s*", re.I)
SENTENCE_GAP = re.compile(r"[.!?。！？]\s+")
MAX_CREDIT_CHARS = 100


def name_like(text: str) -> bool:
    """Words of a credit: names, agencies, domains and a few linking words, at most twelve."""
    words = [w.strip(",;") for w in text.split()]
    words = [w for w in words if w]
    if not words or len(words) > 12:
        return False
    named = 0
    for word in words:
        if word.casefold() in CREDIT_CONNECTORS:
            continue
        if word[0].isupper() or "/" in word or ("." in word.strip(".") and len(word) > 3):
            named += 1
            continue
        return False
    return named >= 1 and named * 2 >= len(words)


def is_credit(tail: str) -> bool:
    """A credit is short, has no full stop at its end, and reads like names; '[M1 / MP]' and '(bsc)' do not."""
    tail = tail.strip()
    if not 1 < len(tail) <= MAX_CREDIT_CHARS or tail.startswith("["):
        return False
    if tail.startswith("(") and tail.endswith(")"):
        tail = tail[1:-1].strip()
    if not tail or ends_sentence(tail) or tail.endswith((",", ";", ":")):
        return False
    return name_like(tail)


CREDIT_LABEL = re.compile(r"^(?:photo(?:graph)?s?|image|picture|foto|bild|credit)\s*:\s*", re.I)


def _unwrap(credit: str) -> str:
    """The credit without its brackets or a 'Photo:' label."""
    credit = credit.strip()
    credit = credit[1:-1].strip() if credit.startswith("(") and credit.endswith(")") else credit
    return CREDIT_LABEL.sub("", credit)


def split_credit(text: str) -> tuple[str, str] | None:
    """'A man speaks. Jane Roe / AP' -> ('A man speaks.', 'Jane Roe / AP'); None when the end is no credit."""
    text = " ".join(text.split())
    bold = re.match(r"^(?P<text>.*?)\s*\*\*(?P<credit>[^*]+)\*\*\s*$", text)
    if bold:
        return bold["text"].strip(), bold["credit"].strip()
    for match in reversed(list(SENTENCE_GAP.finditer(text))):
        before = text[: match.start()]
        if re.search(r"(^|\s)[A-Z]$", before):
            continue  # an initial, as in "J. Smith"
        tail = text[match.end():]
        if is_credit(tail):
            return text[: match.start() + 1].strip(), _unwrap(tail)
        return None
    return None


def split_glued_credit(text: str) -> tuple[str, str]:
    """A caption line known to be a caption: its credit may follow with no full stop before it."""
    text = " ".join(text.split())
    split = split_credit(text)
    if split:
        return split
    paren = re.match(r"^(?P<text>.+?)\s*\((?P<credit>[^()]+)\)$", text)
    if paren and is_credit(paren["credit"]):
        return paren["text"].strip(), paren["credit"].strip()
    words = text.split()
    # 'in Paris Benoit Tessier/Reuters': the credit starts at the first slashed name, or the first name before it.
    for k, word in enumerate(words[1:], start=1):
        if "/" not in word or not name_like(" ".join(words[k:])):
            continue
        left = word.split("/")[0]
        start = k - 1 if (k > 1 and left[:1].isupper() and not left.isupper() and words[k - 1][:1].isupper()) else k
        return " ".join(words[:start]), " ".join(words[start:])
    # 'the day after the military takeover HARARE HERALD': capitals after a lower-case word.
    k = len(words)
    while k > 1 and words[k - 1].isupper() and any(ch.isalpha() for ch in words[k - 1]):
        k -= 1
    if k < len(words) and k > 0 and words[k - 1].islower() and sum(len(w) for w in words[k:]) >= 4:
        return " ".join(words[:k]), " ".join(words[k:])
    return text, ""


def label_caption(piece: str) -> Caption | None:
    """'图注：…' / 'Caption: …' lines are captions whatever their shape."""
    match = CAPTION_LABEL.match(piece)
    if not match:
        return None
    rest = piece[match.end():].strip()
    if not rest:
        return None
    split = split_credit(rest)
    return Caption(*split) if split else Caption(rest, "")


def _doubled(first: str, second: str) -> Caption | None:
    """Two versions of one caption on consecutive lines: the same text, differing at most by its credit."""
    a, b = " ".join(first.split()), " ".join(second.split())
    if len(a) < 3 or len(b) < 3:
        return None
    if a == b:
        return Caption(*split_glued_credit(a))
    shared = os.path.commonprefix([a, b])
    if " " in shared and not shared.endswith(" "):
        shared = shared[: shared.rfind(" ") + 1]
    if len(shared) < 8 or len(shared) < 0.6 * max(len(a), len(b)):
        return None
    rests = [a[len(shared):].strip(), b[len(shared):].strip()]
    credits = [r for r in rests if r and is_credit(r)]
    if not credits or any(r and not is_credit(r) for r in rests):
        return None
    return Caption(shared.strip(), _unwrap(credits[0]))


def take_doubled_captions(draft: Draft) -> None:
    """Scrapes print a caption twice (with and without the credit's brackets): keep it once, as a caption."""
    lines, kept, i = draft.lines, [], 0
    while i < len(lines):
        caption = _doubled(lines[i], lines[i + 1]) if i + 1 < len(lines) and lines[i].strip() else None
        if caption:
            draft.captions.append(caption)
            i += 2
            continue
        kept.append(lines[i])
        i += 1
    draft.lines = kept


def take_body_captions(pieces: list[str], draft: Draft) -> list[str]:
    """Pieces that are a caption with its credit (or a labelled caption) leave the body."""
    body = []
    for piece in pieces:
        caption = label_caption(piece)
        split = None if caption else split_credit(piece)
        if caption or split:
            draft.captions.append(caption or Caption(*split))
        else:
            body.append(piece)
    return body


def unique_captions(captions: list[Caption]) -> list[Caption]:
    seen: dict[str, Caption] = {}
    for caption in captions:
        key = " ".join(caption.text.split()).casefold()
        if key not in seen or (caption.credit and not seen[key].credit):
            seen[key] = Caption(" ".join(caption.text.split()), caption.credit)
    return list(seen.values())
