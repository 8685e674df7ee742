"""The search request a user can make and its bounds (the query text is read by ``query_parser``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from cstosearch.errors import BadQuery

SORTS = ("relevance", "date")

MAX_QUERY_CHARS = 1000
MAX_PAGE_SIZE = 100
MAX_RESULT_DEPTH = 10_000
MAX_OUTLETS = 50


@dataclass(frozen=True)
class SearchRequest:
    """What a user asked for, validated; the same for HTML, JSON and the CLI."""

    query: str = ""
    outlets: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10
    group_duplicates: bool = True
    years: tuple[str, ...] = field(default=())
    months: tuple[str, ...] = field(default=())
    authors: tuple[str, ...] = field(default=())
    story: str = ""
    explain: bool = False
    # Other spellings of a name are searched too (``variants=off``: the spelling as typed only).
    variants: bool = True
    # Internal: a caller that reads only ids and scores (evaluation) skips the snippets.
    with_snippets: bool = True
    # Only these articles (by id) may match; empty means no restriction. Feeds use it to search
    # what one re-index run added.
    article_ids: tuple[str, ...] = field(default=())

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def _positive_int(raw: str | None, name: str, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadQuery(f"{name} must be a whole number, not {str(raw)[:20]!r}") from None
    if value < 1:
        raise BadQuery(f"{name} must be 1 or more")
    return value


def _iso_date(raw: str | None, name: str) -> str:
    if not raw:
        return ""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise BadQuery(f"{name} must be a date as YYYY-MM-DD, not {raw[:20]!r}")
    try:
        date.fromisoformat(raw)
    except ValueError:
        raise BadQuery(f"{name} is not a real date: {raw}") from None
    return raw


def request_from_args(args) -> SearchRequest:
    """Build a SearchRequest from a MultiDict-like mapping (query string parameters)."""
    query = (args.get("q") or "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise BadQuery(f"the query is too long: {len(query)} characters, the limit is {MAX_QUERY_CHARS}")
    outlets = tuple(dict.fromkeys(o for o in args.getlist("outlet") if o))
    if len(outlets) > MAX_OUTLETS:
        raise BadQuery(f"at most {MAX_OUTLETS} outlets can be selected at once")
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadQuery(f"sort must be one of {', '.join(SORTS)}")
    page = _positive_int(args.get("page"), "page", 1)
    page_size = _positive_int(args.get("page_size"), "page_size", 10)
    if page_size > MAX_PAGE_SIZE:
        raise BadQuery(f"page_size must be at most {MAX_PAGE_SIZE}")
    if page * page_size > MAX_RESULT_DEPTH:
        raise BadQuery(f"results deeper than {MAX_RESULT_DEPTH} are not served; narrow the search")
    date_from = _iso_date(args.get("from"), "from")
    date_to = _iso_date(args.get("to"), "to")
    if date_from and date_to and date_from > date_to:
        raise BadQuery("from must not be after to")
    years = tuple(y for y in args.getlist("year") if y)
    months = tuple(m for m in args.getlist("month") if m)
    for year in years:
        if not re.fullmatch(r"\d{4}", year):
            raise BadQuery(f"year must be four digits, not {year[:10]!r}")
    for month in months:
        if not re.fullmatch(r"\d{4}-\d{2}", month):
            raise BadQuery(f"month must be YYYY-MM, not {month[:10]!r}")
    group = (args.get("group") or "on").lower() not in ("0", "off", "false", "no")
    authors = tuple(dict.fromkeys(a for a in args.getlist("author") if a))
    if len(authors) > MAX_OUTLETS:
        raise BadQuery(f"at most {MAX_OUTLETS} authors can be selected at once")
    story = args.get("story") or ""
    if story and not re.fullmatch(r"[0-9a-f]{16}", story):
        raise BadQuery("story must be a story id as given in the results")
    explain = (args.get("explain") or "").lower() in ("1", "on", "true", "yes")
    variants = (args.get("variants") or "on").lower() not in ("0", "off", "false", "no")
    return SearchRequest(query, outlets, date_from, date_to, sort, page, page_size, group, years, months,
                         authors, story, explain, variants=variants)
