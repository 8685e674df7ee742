"""The header of a text dump: title, standfirst, byline, date, lead caption and the scrape's header junk."""

from __future__ import annotations

import re

from cstosearch.article import Caption
from cstosearch.ingest.normalize import TERMINAL, parse_date
from cstosearch.ingest.text.authors import byline_authors
from cstosearch.ingest.text.captions import name_like, split_credit, split_glued_credit
from cstosearch.ingest.text.lines import Draft, has_blank_between, join_wrapped, strip_markdown

BYLINE = re.compile(r"^by\s+\S", re.I)
HEADER_JUNK = re.compile(r"^(updated|published|posted|share|listen|watch|\d{1,2}:\d{2}(:\d{2})?)\s*:?$", re.I)
NAME_LINE = re.compile(r"^[A-Z][\w'’.-]+(\s+(van|von|de|der|al|bin|[A-Z][\w'’.-]*)){1,3}$")
HEADER_SCAN_LINES = 12
# How far down a scrape may repeat its headline (after a standfirst) for the repeat to mark the header.
TITLE_REPEAT_WITHIN = 4

Line = tuple[int, str]


def take_header(draft: Draft) -> None:
    """Read the header lines into the draft and remove them from its lines."""
    lines = draft.lines
    nonempty = [(i, line) for i, line in enumerate(lines) if line.strip()]
    if not nonempty or not has_blank_between(lines):
        return  # bare text: one paragraph per line and no header at all
    if lines[nonempty[0][0]][:1].isspace():
        consumed = _pdf_header(nonempty, draft)
    else:
        end = _header_end(nonempty)
        header = nonempty[: end + 1] if end >= 0 else _unmarked_header(nonempty)
        repeat = _title_repeat(header)
        consumed = _scrape_header(header, repeat, draft) if repeat else _marked_header(header, draft)
    draft.lines = [line for i, line in enumerate(lines) if i not in consumed]


def _is_marker(plain: str) -> bool:
    return bool(BYLINE.match(plain) or HEADER_JUNK.match(plain) or (parse_date(plain) and len(plain) < 40))


def _header_end(nonempty: list[Line]) -> int:
    """Index (into ``nonempty``) of the last header marker line, or -1 when there is none."""
    last = -1
    for k, (i, line) in enumerate(nonempty[:HEADER_SCAN_LINES]):
        if _is_marker(strip_markdown(line).strip()):
            last = k
        elif last >= 0 and k > 0 and nonempty[k - 1][0] < i - 1:
            break  # past a blank line after the markers the body has begun (its player junk is not header)
    return last


def _unmarked_header(nonempty: list[Line]) -> list[Line]:
    """Without byline or date markers, only a short first line with no full stop is a title."""
    first = nonempty[0][1].strip()
    if len(first) < 150 and not first.endswith(TERMINAL) and len(nonempty) > 1:
        return nonempty[:1]
    return []


def _pdf_header(nonempty: list[Line], draft: Draft) -> set[int]:
    """PDF text starts with the title's last line, indented, then the indented lead caption wrapped to its end."""
    (first, title), rest = nonempty[0], nonempty[1:]
    draft.title = " ".join(title.split())
    consumed = {first}
    if not rest or rest[0][0] != first + 1 or not rest[0][1][:1].isspace():
        return consumed
    caption, previous = "", first
    for i, line in rest:
        if i != previous + 1:
            break  # the caption ends at the first blank line
        caption, previous = join_wrapped(caption, line.strip()), i
        consumed.add(i)
    draft.captions.append(Caption(*split_glued_credit(caption)))
    return consumed


def _title_repeat(header: list[Line]) -> int:
    """Position in the header where the first line comes again (scrapes print the headline twice), or 0."""
    if len(header) < 3:
        return 0
    first = " ".join(header[0][1].split())
    for k in range(1, min(len(header), TITLE_REPEAT_WITHIN + 1)):
        if " ".join(header[k][1].split()) == first:
            return k
    return 0


def _scrape_header(header: list[Line], repeat: int, draft: Draft) -> set[int]:
    """Headline, standfirst, headline again, lead captions, author, then the markers (Updated:, date, 0:00)."""
    draft.title = " ".join(header[0][1].split())
    standfirst = " ".join(" ".join(line.split()) for _, line in header[1:repeat])
    draft.subtitle = draft.subtitle or standfirst
    between: list[str] = []
    for _, line in header[repeat + 1:]:
        plain = strip_markdown(line).strip()
        if BYLINE.match(plain):
            draft.authors = byline_authors(line) or draft.authors
        elif _is_marker(plain):
            if not HEADER_JUNK.match(plain):
                draft.published_at = draft.published_at or parse_date(plain)
        elif not draft.published_at:
            between.append(plain)
    if between and not draft.authors and _is_author_line(between[-1]):
        draft.authors = byline_authors(between.pop())
    for caption in between:
        draft.captions.append(Caption(*split_glued_credit(caption)))
    return {i for i, _ in header}


def _is_author_line(line: str) -> bool:
    return len(line) < 80 and not line.endswith(TERMINAL) and (bool(NAME_LINE.match(line)) or (
        name_like(line) and len(line.split()) <= 5 and "/" not in line))


def _marked_header(header: list[Line], draft: Draft) -> set[int]:
    consumed: set[int] = set()
    for k, (i, raw) in enumerate(header):
        line = raw.strip()
        plain = strip_markdown(line).strip()
        consumed.add(i)
        if line.startswith("#") and not draft.title:
            draft.title = line.lstrip("#").strip()
        elif BYLINE.match(plain):
            draft.authors = byline_authors(line) or draft.authors
        elif HEADER_JUNK.match(plain):
            pass
        elif parse_date(plain) and len(plain) < 40:
            draft.published_at = draft.published_at or parse_date(plain)
        elif draft.title and plain == draft.title:
            pass  # the page repeats its headline
        elif split_credit(line):
            draft.captions.append(Caption(*(strip_markdown(part) if n == 0 else part
                                            for n, part in enumerate(split_credit(line)))))
        elif not draft.title and (k == 0 and len(header) > 1 and len(plain) < 200 or not plain.endswith(TERMINAL)):
            draft.title = plain  # a marked header opens with its title, whatever its last mark
        elif draft.title and not draft.authors and NAME_LINE.match(plain):
            draft.authors = [plain]
        elif draft.title and not draft.subtitle and plain.endswith(TERMINAL) and len(plain) < 300:
            draft.subtitle = plain
        else:
            consumed.discard(i)
    return consumed
