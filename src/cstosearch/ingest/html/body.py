"""The article body: trafilatura's and readability-lxml's text, combined, junk lines dropped."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import lxml.html

from cstosearch.article import Caption
from cstosearch.ingest.html.body_lines import is_article_metadata
from cstosearch.ingest.html.body_merge import merge_lines, without_unshared_labels
from cstosearch.ingest.html.tree_text import block_lines, clean_text

JUNK_LINE_RE = re.compile(
    r"^(?:advertisement|advert|sponsored|share(?: this(?: article| story)?)?|share on \w+|"
    r"tweet|email|print|comments?|related(?: articles?| stories| content)?:?|read more:?|"
    r"sign up.*newsletter.*|subscribe(?: now)?|click here.*|follow us.*|"
    r"we use cookies.*|this (?:site|website) uses cookies.*|accept(?: all)? cookies|"
    r"skip (?:to|advertisement).*|image|photo|loading\.*|close|"
    r"video|up next|like loading\.*|this slideshow requires javascript\.?|thanks for watching!?|visit website)$",
    re.IGNORECASE,
)
# A link to another story under a label: "Related: ...", "READ MORE: ...", "On chron.com: ...",
# "Main article: ..." (wikis).
TEASER_LINE_RE = re.compile(
    r"^(?:related(?: posts?| stor(?:y|ies)| articles?| content| reading| coverage)?|also|read (?:more|also)|"
    r"see also|main articles?|more|watch|listen|further reading|recommended|"
    r"on [\w.-]+\.(?:com|org|net|co\.uk))\s*:\s*\S",
    re.IGNORECASE,
)
# The story's tags or topics: "Tags: BGR Deals", "Filed under: ...", "Topics: uber, Sydney".
TAG_LIST_RE = re.compile(r"^(?:tags?|tagged(?: with)?|topics?|filed under)\s*(?::|$)", re.IGNORECASE)
TEASER_MAX_WORDS = 20
WORD_RE = re.compile(r"\w+")
LONGER_BODY_RATIO = 1.5
SHORTER_BODY_RATIO = 0.5
SUBSET_SHARE = 0.95
# Under this many words the precise text found nothing: trafilatura is asked again, favouring recall.
RECALL_FALLBACK_WORDS = 5


def _trafilatura_lines(tree: Any, url: str, precision: bool) -> list[str]:
    import trafilatura

    text = trafilatura.extract(
        copy.deepcopy(tree),
        url=url or None,
        favor_precision=precision,
        favor_recall=not precision,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
        output_format="txt",
    )
    return [clean_text(line) for line in (text or "").splitlines() if clean_text(line)]


def _readability_lines(tree: Any) -> list[str]:
    from readability import Document

    html = lxml.html.tostring(tree, encoding="unicode")
    summary = Document(html).summary(html_partial=True)
    if not summary.strip():
        return []
    return block_lines(lxml.html.fromstring(summary))


def word_count(lines: list[str]) -> int:
    return sum(len(line.split()) for line in lines)


def clean_paragraphs(lines: Iterable[str], captions: list[Caption]) -> list[str]:
    """Body lines without junk (share buttons, cookie notes) and without caption text."""
    caption_keys = {re.sub(r"\W+", " ", c.text).strip().casefold() for c in captions if c.text}
    caption_keys |= {re.sub(r"\W+", " ", f"{c.text} {c.credit}").strip().casefold() for c in captions if c.text}
    paragraphs: list[str] = []
    for line in lines:
        line = clean_text(line)
        if not line or JUNK_LINE_RE.match(line):
            continue
        if (TEASER_LINE_RE.match(line) or TAG_LIST_RE.match(line)) and len(line.split()) <= TEASER_MAX_WORDS:
            continue
        if re.sub(r"\W+", " ", line).strip().casefold() in caption_keys:
            continue
        paragraphs.append(line)
    return paragraphs


def _shingles(lines: Iterable[str]) -> Counter[tuple[str, ...]]:
    tokens = WORD_RE.findall(" ".join(lines))
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(0, len(tokens) - 3)))


def _contained_share(part: list[str], whole: list[str]) -> float:
    """Share of ``part``'s 4-word sequences that also occur in ``whole``."""
    wanted, available = _shingles(part), _shingles(whole)
    total = sum(wanted.values())
    if not total:
        return 0.0
    return sum(min(count, available.get(key, 0)) for key, count in wanted.items()) / total


def choose_body(precise: list[str], broad: list[str]) -> list[str]:
    """Combine trafilatura's precise text and readability-lxml's text.

    trafilatura (favor_precision) is usually cleaner but sometimes stops half-way through an
    article; readability-lxml then finds much more, and its text is taken. When readability-lxml
    returns a shorter text made almost only of trafilatura's sentences, trafilatura has picked
    up extra blocks (a related-stories list, a company's "About" section) before or after the
    article, and the shorter text is the base, with the lines only trafilatura found between
    two lines both found (list items, tables, quoted posts readability-lxml dropped). Otherwise
    trafilatura's text is kept, with the lines only readability-lxml found between two lines
    both found (subheadings, list items, quotes trafilatura skipped).
    """
    precise_words, broad_words = word_count(precise), word_count(broad)
    if broad_words > LONGER_BODY_RATIO * precise_words:
        return merge_lines(without_unshared_labels(broad, precise), precise)
    if SHORTER_BODY_RATIO * precise_words <= broad_words < precise_words and (
        _contained_share(broad, precise) >= SUBSET_SHARE
    ):
        return merge_lines(broad, precise)
    return merge_lines(precise, broad)


def without_article_metadata(lines: list[str], author_names: Iterable[str]) -> list[str]:
    """Lines without bylines, datelines and photo credits (compared before choosing a text)."""
    names = list(author_names)
    return [line for line in lines if not is_article_metadata(line, names)]


def extract_body(tree: Any, url: str, author_names: Iterable[str] = ()) -> list[str]:
    """Lines of the main text, from trafilatura and readability-lxml (see choose_body)."""
    names = list(author_names)
    precise = without_article_metadata(_trafilatura_lines(tree, url, precision=True), names)
    try:
        broad = _readability_lines(tree)
    except Exception:  # readability-lxml raises bare errors on odd markup; trafilatura still counts
        broad = []
    lines = choose_body(precise, without_article_metadata(broad, names))
    if word_count(lines) < RECALL_FALLBACK_WORDS:
        recall = _trafilatura_lines(tree, url, precision=False)
        if word_count(recall) > word_count(lines):
            lines = recall
    return lines
