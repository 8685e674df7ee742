"""Reader for plain-text scrapes: markdown-like page dumps, bare text and PDF-to-text dumps.

The reader is a pipeline of small steps: clean the lines, pull out the footer URL and
stray URLs, read the header (title, subtitle, byline, date, captions, player junk),
build paragraphs (re-joining hard wraps and page breaks), then lift captions out of the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cstosearch.article import Article, Caption
from cstosearch.errors import UnreadableSource
from cstosearch.ingest.normalize import (
    TERMINAL,
    author_from_url,
    normalize_url,
    outlet_from_url,
    parse_date,
    split_authors,
    split_caption_credit,
)

URL_ONLY = re.compile(r"^<?(https?://\S+?)>?$")
FOOTER_LABEL = re.compile(r"^(original url|source|original article|read more at)\s*:\s*(.*)$", re.I)
BYLINE = re.compile(r"^by\s+\S", re.I)
PLAYER_JUNK = re.compile(r"^(updated|published|posted|share|listen|watch|\d{1,2}:\d{2}(:\d{2})?)\s*:?$", re.I)
RELATED = re.compile(r"^\**\s*(related( article| story| stories)?|read also|see also|read more)\s*:", re.I)
NAME_LINE = re.compile(r"^[A-Z][\w'’.-]+(\s+(van|von|de|der|al|bin|[A-Z][\w'’.-]*)){1,3}$")
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
HEADER_SCAN_LINES = 12


@dataclass
class _Draft:
    """What the steps have found so far."""

    lines: list[str]
    url: str = ""
    title: str = ""
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: str = ""
    outlet_name: str = ""
    captions: list[Caption] = field(default_factory=list)
    url_hints: list[str] = field(default_factory=list)


def read_text(text: str, source_path: str) -> Article:
    """Turn one text dump into an Article; raises UnreadableSource when nothing is left."""
    draft = _Draft(lines=_clean_lines(text))
    _take_footer_url(draft)
    _take_stray_urls(draft)
    _take_header(draft)
    pieces = _take_body_captions(_line_pieces(draft.lines), draft)
    pieces = [_strip_markdown(p).strip() for p in pieces if not RELATED.match(p)]
    paragraphs = _rejoin_broken([re.sub(r"^#+\s*", "", p) for p in pieces if p])
    if not paragraphs:
        raise UnreadableSource(source_path, "no article text found")
    outlet = draft.outlet_name
    for hint in [draft.url, *draft.url_hints]:
        if hint and not outlet:
            outlet = outlet_from_url(hint)
    return Article(
        paragraphs=paragraphs,
        url=draft.url,
        title=draft.title,
        subtitle=draft.subtitle,
        authors=draft.authors,
        published_at=draft.published_at,
        outlet_name=outlet,
        captions=_unique_captions(draft.captions),
        source_path=source_path,
    )


def _clean_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return [line.rstrip() for line in text.split("\n")]


def _strip_markdown(line: str) -> str:
    line = MARKDOWN_LINK.sub(r"\1", line)
    line = re.sub(r"\*\*([^*]+)\*\*", r"\1", line)
    return line


def _take_footer_url(draft: _Draft) -> None:
    """'Original url:' followed by the URL on the same or the next non-empty line."""
    lines = draft.lines
    for i in range(len(lines) - 1, -1, -1):
        match = FOOTER_LABEL.match(lines[i].strip())
        if not match:
            continue
        candidate, last = match.group(2).strip(), i
        if not candidate:
            for j in range(i + 1, min(i + 4, len(lines))):
                if lines[j].strip():
                    candidate, last = lines[j].strip(), j
                    break
        url_match = URL_ONLY.match(candidate)
        if url_match:
            draft.url = normalize_url(url_match.group(1))
            del lines[i: last + 1]
        return


def _take_stray_urls(draft: _Draft) -> None:
    """A URL alone on a line (a PDF page footer, an author link) is never body text."""
    kept = []
    for line in draft.lines:
        match = URL_ONLY.match(line.strip())
        if not match:
            kept.append(line)
            continue
        url = normalize_url(match.group(1))
        author = author_from_url(url)
        if author and author not in draft.authors:
            draft.authors.append(author)
        draft.url_hints.append(url)
        # Keep an empty line only where the URL stood alone between blank lines.
    draft.lines = kept


def _header_end(nonempty: list[tuple[int, str]]) -> int:
    """Index (into ``nonempty``) of the last header marker line, or -1 when there is none."""
    last = -1
    for k, (_, line) in enumerate(nonempty[:HEADER_SCAN_LINES]):
        plain = _strip_markdown(line).strip()
        if BYLINE.match(plain) or PLAYER_JUNK.match(plain) or (parse_date(plain) and len(plain) < 40):
            last = k
    return last


def _take_header(draft: _Draft) -> None:
    lines = draft.lines
    nonempty = [(i, line) for i, line in enumerate(lines) if line.strip()]
    if not nonempty:
        return
    end = _header_end(nonempty)
    consumed: set[int] = set()
    if end >= 0:
        header = nonempty[: end + 1]
    else:
        header = _unmarked_header(nonempty)
    k = 0
    while k < len(header):
        i, raw = header[k]
        line = raw.strip()
        plain = _strip_markdown(line).strip()
        consumed.add(i)
        if line.startswith("#") and not draft.title:
            draft.title = line.lstrip("#").strip()
        elif BYLINE.match(plain):
            draft.authors = split_authors(plain) or draft.authors
        elif PLAYER_JUNK.match(plain):
            pass
        elif parse_date(plain) and len(plain) < 40:
            draft.published_at = draft.published_at or parse_date(plain)
        elif draft.title and plain == draft.title:
            pass  # the page repeats its headline
        elif split_caption_credit(line):
            text, credit = split_caption_credit(line)
            draft.captions.append(Caption(_strip_markdown(text), credit))
        elif not draft.title and not plain.endswith(TERMINAL):
            draft.title = plain
        elif draft.title and not draft.authors and NAME_LINE.match(plain):
            draft.authors = [plain]
        elif draft.title and not draft.subtitle and plain.endswith(TERMINAL) and len(plain) < 300:
            draft.subtitle = plain
        else:
            consumed.discard(i)
        k += 1
    # A caption can follow the header, as in page dumps that wrap it over two lines.
    draft.lines = [line for i, line in enumerate(lines) if i not in consumed]


def _unmarked_header(nonempty: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Without byline or date markers, only a short first line with no full stop is a title."""
    first = nonempty[0][1].strip()
    if len(first) < 150 and not first.endswith(TERMINAL) and len(nonempty) > 1:
        return nonempty[:1]
    return []


def _is_hard_wrapped(lines: list[str]) -> bool:
    """PDF dumps wrap lines at a fixed width, mostly in the middle of sentences."""
    filled = [line for line in lines if line.strip()]
    if len(filled) < 6:
        return False
    longest = sorted(len(line) for line in filled)[int(len(filled) * 0.95) - 1]
    if longest > 130:
        return False
    mid_sentence = sum(1 for line in filled if len(line) > longest * 0.6 and not line.endswith(TERMINAL))
    return mid_sentence / len(filled) > 0.3


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _line_pieces(lines: list[str]) -> list[str]:
    """One piece per line, or per blank-line block where the dump is hard-wrapped."""
    if _is_hard_wrapped(lines):
        return [" ".join(block) for block in _blocks(lines)]
    return [line.strip() for line in lines if line.strip()]


def _rejoin_broken(pieces: list[str]) -> list[str]:
    """Re-join a paragraph split mid-sentence by a page break or a stray blank line."""
    joined: list[str] = []
    for piece in pieces:
        if joined and _ends_mid_sentence(joined[-1]) and not RELATED.match(joined[-1]):
            joined[-1] = joined[-1] + " " + piece
        else:
            joined.append(piece)
    return [" ".join(p.split()) for p in joined]


def _ends_mid_sentence(paragraph: str) -> bool:
    if paragraph.endswith(TERMINAL) or paragraph.endswith((")", "]")):
        return False
    words = paragraph.split()
    # A short line with no full stop is a sub-heading, not a broken sentence.
    return len(words) >= 8 or paragraph.endswith((",", "-", "—"))


def _take_body_captions(paragraphs: list[str], draft: _Draft) -> list[str]:
    body = []
    for paragraph in paragraphs:
        split = split_caption_credit(paragraph)
        if split and not RELATED.match(paragraph):
            draft.captions.append(Caption(split[0], split[1]))
        else:
            body.append(paragraph)
    return body


def _unique_captions(captions: list[Caption]) -> list[Caption]:
    seen: dict[str, Caption] = {}
    for caption in captions:
        key = " ".join(caption.text.split()).casefold()
        if key not in seen or (caption.credit and not seen[key].credit):
            seen[key] = Caption(" ".join(caption.text.split()), caption.credit)
    return list(seen.values())
