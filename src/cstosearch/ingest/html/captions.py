"""Photo captions and their credits, read from the tree before the body is extracted."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from cstosearch.article import Caption
from cstosearch.ingest.html.structured import ld_first, ld_names
from cstosearch.ingest.html.tree_text import clean_text, element_text, remove_keep_tail

CAPTION_CREDIT_XPATH = (
    ".//*[self::small or self::cite or contains(concat(' ', normalize-space(@class), ' '), ' credit ')"
    " or contains(@class, 'credit') or contains(@class, 'Credit') or contains(@class, 'copyright')"
    " or contains(@class, 'byline') or contains(@class, 'source') or contains(@class, 'attribution')]"
)
CREDIT_PREFIX_RE = re.compile(
    r"^\s*(?:photo(?:graph)?s?|image|picture|foto|bild|credit|source|copyright|©|\(c\))\s*[:/]?\s*",
    re.IGNORECASE,
)
CREDIT_LABEL_RE = re.compile(
    r"\(\s*(?:photo(?:graph)?s?|foto|image|credit)\b\s*:?"
    r"|\b(?:photo(?:graph)?s?|image|picture|foto|bild)\s*(?:by\b|:|/|credit\s*:?)"
    r"|\bcredits?\s*:|\bcredit\b|Credit(?=[A-Z])|©",
    re.IGNORECASE,
)
CAPTION_LABEL_RE = re.compile(r"^\s*(?:main\s+|top\s+|lead\s+)?(?:image|photo|picture)\s*:\s*", re.I)


def _split_credit(text: str) -> tuple[str, str]:
    """Split 'Caption text. Photograph: Name' into text and credit at the last credit label."""
    labels = list(CREDIT_LABEL_RE.finditer(text))
    if not labels:
        return text, ""
    label = labels[-1]
    credit = text[label.end() :].strip(" ()[]:")
    if not 2 <= len(credit) <= 120:
        return text, ""
    return text[: label.start()].rstrip(" ([-–—|"), credit


def _caption_from(element: Any) -> Caption | None:
    credit_parts: list[str] = []
    working = copy.deepcopy(element)
    working.tail = None
    for credit in working.xpath(CAPTION_CREDIT_XPATH):
        text = element_text(credit)
        if text and text not in credit_parts:
            credit_parts.append(text)
        parent = credit.getparent()
        if parent is not None:
            remove_keep_tail(credit)
    text = element_text(working)
    credit = " ".join(credit_parts)
    if not credit:
        text, credit = _split_credit(text)
    credit = CREDIT_PREFIX_RE.sub("", credit).strip(" ()[]")
    text = CAPTION_LABEL_RE.sub("", text).strip()
    if not text and not credit:
        return None
    return Caption(text=text, credit=credit)


def caption_elements(tree: Any) -> list[Any]:
    """Caption elements of photos: figcaptions and caption/credit blocks next to images."""
    found = tree.xpath(
        "//figcaption"
        " | //*[contains(@class, 'wp-caption-text')]"
        " | //figure//*[contains(@class, 'caption') and not(ancestor::figcaption)]"
        " | //figure//*[contains(@class, 'credit') and not(ancestor::figcaption)"
        "   and not(ancestor::*[contains(@class, 'caption')])]"
    )
    unique: list[Any] = []
    for element in found:
        if any(element in set(other.iterdescendants()) for other in unique):
            continue
        unique = [u for u in unique if u not in set(element.iterdescendants())]
        unique.append(element)
    return [e for e in unique if not e.xpath("ancestor::nav | ancestor::footer | ancestor::*[@role='navigation']")]


def extract_captions(elements: list[Any], ld: list[dict[str, Any]]) -> list[Caption]:
    captions: list[Caption] = []
    for element in elements:
        caption = _caption_from(element)
        if caption is not None:
            captions.append(caption)
    images = ld_first(ld, "image") or []
    for image in images if isinstance(images, list) else [images]:
        if isinstance(image, dict) and isinstance(image.get("caption"), str):
            text = clean_text(image["caption"])
            credit = image.get("creditText") or image.get("copyrightHolder") or ""
            credit = ", ".join(ld_names(credit)) if not isinstance(credit, str) else credit
            if text:
                captions.append(Caption(text=text, credit=clean_text(credit)))
    return merge_captions(captions)


def merge_captions(captions: Iterable[Caption]) -> list[Caption]:
    """Captions without repeats: same text (case and spacing aside) counts once, keeping a credit."""
    merged: list[Caption] = []
    by_key: dict[str, int] = {}
    for caption in captions:
        key = re.sub(r"\W+", " ", caption.text).strip().casefold() or "credit:" + caption.credit.casefold()
        if key in by_key:
            index = by_key[key]
            if not merged[index].credit and caption.credit:
                merged[index] = Caption(merged[index].text, caption.credit)
            continue
        # A caption repeated with its credit glued on ("Text Photo: X") is the same caption.
        duplicate = next(
            (
                i
                for i, m in enumerate(merged)
                if m.text and caption.text and (m.text.startswith(caption.text) or caption.text.startswith(m.text))
            ),
            None,
        )
        if duplicate is not None:
            current = merged[duplicate]
            shorter = caption if len(caption.text) <= len(current.text) else current
            merged[duplicate] = Caption(shorter.text, current.credit or caption.credit)
            by_key[key] = duplicate
            continue
        by_key[key] = len(merged)
        merged.append(caption)
    return merged
