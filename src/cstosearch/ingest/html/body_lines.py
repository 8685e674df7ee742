"""Lines an extractor returns that are not article text: bylines, datelines, photo credits.

Both extractors keep some of these (readability-lxml most): they sit between the headline and
the first paragraph, or under photos, and name people and times rather than tell the story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NAME_TOKEN_RE = re.compile(r"[^\W\d_]+|\d+")
BY_PREFIX_RE = re.compile(r"^(?:by|par|von|por|door|di)\s+(.+)$", re.IGNORECASE)
# Words of "Updated 11:34 PM EST Nov 19, 2019" or "Monday, November 18, 2019, 04:05 pm PT".
DATE_WORDS = frozenset(
    """
    updated published posted modified last on at am pm a m p utc gmt est edt cst cdt mst mdt pst
    pdt et pt ct bst cet cest ist jst aest
    jan january feb february mar march apr april may jun june jul july aug august sep sept
    september oct october nov november dec december
    mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday
    sun sunday
    """.split()
)
MONTH_AND_DAY_WORDS = DATE_WORDS - frozenset("updated published posted modified last on at am pm a m p".split())
# "Updated 3 hours ago": words of a relative time, only after a label such as "Updated".
RELATIVE_TIME_WORDS = frozenset("ago min mins minute minutes hour hours hr hrs day days week weeks".split())
READING_TIME_RE = re.compile(r"^\d+\s*(?:min(?:ute)?s?|m)\.?\s+read$", re.IGNORECASE)
# "Jane Doe | Updated Nov 19, 2019", "Nov. 19, 2019 / Updated Nov. 20, 2019", "May 3, 2021 • 4 min read".
SEGMENT_SPLIT_RE = re.compile(r"\s+[|•·/]\s+")
LABEL_WORDS = frozenset("updated published posted modified last".split())
YEAR_RE = re.compile(r"(?:19|20)\d\d")
CLOCK_RE = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\b|[A-Z]{2,4}\b)", re.IGNORECASE)
# Short credit lines naming a picture agency ("Getty Images", "Photo: Gene J. Puskar / AP").
PICTURE_AGENCY_RE = re.compile(
    r"(?:getty images|shutterstock|alamy|reuters|afp|associated press|\bap\b|\bepa\b|image copyright)"
    r"(?:\s*/\s*(?:istock(?:photo)?|getty images plus|e\+))?\s*$",
    re.IGNORECASE,
)
CREDIT_LINE_RE = re.compile(
    r"^(?:photo(?:graph)?s?|images?|picture|credit|source|copyright)\s*(?::|by\b|/|©)|^(?:©|\(c\)\s)"
    r"|^credits?\s*(?:\.\.\.|…)|^(?:photo )?illustration(?: by\b|\s*:)|^courtesy(?: of\b|\s*:| photo\b)",
    re.IGNORECASE,
)
# A caption with its credit in brackets at the end: "... in Littleton, Colo. (AP Photo/David Z.)".
TRAILING_CREDIT_RE = re.compile(
    r"\(\s*(?:ap\s+)?(?:photos?|images?|pictures?|credit|foto)\b[^()]*\)\s*$"
    r"|\([^()]*/\s*(?:getty images|ap|reuters|afp|epa)\s*\)\s*$",
    re.IGNORECASE,
)
# Staff credits under or over a story: "Reviewed by Hansa D. Bhargava, MD", "Reporting by X;
# Editing by Y", "Additional reporting by Z" (Reuters, health sites).
STAFF_CREDIT_RE = re.compile(
    r"^(?:(?:medically )?reviewed|(?:additional )?reporting|editing|edited|fact[- ]checked|written)\s+by\s+\S",
    re.IGNORECASE,
)
MAX_STAFF_CREDIT_WORDS = 30
NAME_CONNECTORS = frozenset("and & und et y e".split())
MAX_META_LINE_WORDS = 14


def words(line: str) -> list[str]:
    return NAME_TOKEN_RE.findall(line)


def is_dateline(line: str) -> bool:
    """A line made only of date and time words ("Published 2:16 AM EST Nov 20, 2019")."""
    tokens = [t.casefold() for t in words(line)]
    # Two stamps ("Published 6:00 AM ET Tue, 19 Nov 2019 Updated 10:14 AM ET ...") run longer.
    if not tokens or len(tokens) > 2 * MAX_META_LINE_WORDS:
        return False
    if "|" in line:
        return False
    if tokens[0] in LABEL_WORDS and all(
        t.isdigit() or t in DATE_WORDS or t in RELATIVE_TIME_WORDS for t in tokens
    ):
        return True
    if not all(t.isdigit() or t in DATE_WORDS for t in tokens):
        if len(tokens) > MAX_META_LINE_WORDS:
            return False
        # In any language, "11 апреля 2023" is a day, a month word and a year.
        numbers = [t for t in tokens if t.isdigit()]
        return len(tokens) <= 4 and len(tokens) - len(numbers) == 1 and any(YEAR_RE.fullmatch(n) for n in numbers)
    if tokens[0] in ("updated", "published", "posted"):
        return True
    # Numbers alone are table cells or scores; a date names its month or day, a time its clock.
    return any(t in MONTH_AND_DAY_WORDS for t in tokens) or bool(CLOCK_RE.search(line))


def is_byline(line: str, author_names: Iterable[str] = ()) -> bool:
    """A "By A and B" line, or a line holding only the page's author names (and an agency)."""
    tokens = words(line)
    if not tokens or len(tokens) > MAX_META_LINE_WORDS or line.rstrip().endswith((".", "?", "!", ":")):
        return False
    found = BY_PREFIX_RE.match(line.strip())
    if found:
        named = [t for t in words(found.group(1)) if t.casefold() not in NAME_CONNECTORS]
        return 0 < len(named) <= 8 and all(t[0].isupper() for t in named)
    known = {t.casefold() for name in author_names for t in words(name)}
    if not known:
        return False
    named = [t.casefold() for t in tokens if t.casefold() not in NAME_CONNECTORS]
    return bool(named) and sum(t in known for t in named) >= max(2, len(named) - 3)


def is_staff_credit(line: str) -> bool:
    """A "Reviewed by ..." or "Reporting by ...; Editing by ..." line."""
    return bool(STAFF_CREDIT_RE.match(line.strip())) and len(words(line)) <= MAX_STAFF_CREDIT_WORDS


def is_photo_credit(line: str) -> bool:
    """A credit line ("Photo: X / AP", "Getty Images", "© X") or a caption ending in its credit."""
    if TRAILING_CREDIT_RE.search(line):
        return True
    if len(words(line)) > MAX_META_LINE_WORDS:
        return False
    return bool(CREDIT_LINE_RE.match(line) or PICTURE_AGENCY_RE.search(line))


def _is_metadata_segment(segment: str, author_names: Iterable[str]) -> bool:
    return (
        is_dateline(segment)
        or is_byline(segment, author_names)
        or bool(READING_TIME_RE.match(segment))
        or bool(PICTURE_AGENCY_RE.fullmatch(segment))
    )


def is_segmented_metadata(line: str, author_names: Iterable[str] = ()) -> bool:
    """A byline and a stamp joined by "|", "/" or "•" ("Jane Doe | Updated Nov 19, 2019").

    Every part must be a byline, dateline, reading time or agency, and one part must carry a
    label ("Updated", "By ...") or a reading time: a row of bare dates is a table row.
    """
    segments = [part.strip() for part in SEGMENT_SPLIT_RE.split(line.strip().strip("|•·").strip())]
    segments = [part for part in segments if part]
    if not 2 <= len(segments) <= 4 or not all(_is_metadata_segment(part, author_names) for part in segments):
        return False
    return any(
        words(part)[0].casefold() in LABEL_WORDS or BY_PREFIX_RE.match(part) or READING_TIME_RE.match(part)
        for part in segments
        if words(part)
    )


def is_article_metadata(line: str, author_names: Iterable[str] = ()) -> bool:
    """True for bylines, datelines and photo credits: text about the article, not of it."""
    names = list(author_names)
    return (
        is_dateline(line)
        or is_byline(line, names)
        or is_photo_credit(line)
        or is_staff_credit(line)
        or bool(READING_TIME_RE.match(line.strip()))
        or is_segmented_metadata(line, names)
    )

