"""Answering search requests: matching, ranking, facet counts and highlighted snippets.

The web layer sees only ``SearchEngine``: give it a ``SearchRequest``, get a ``SearchPage``
of plain data back. ``WhooshSearchEngine`` is the implementation over a local index.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, OrderedDict
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path
from typing import Protocol

from whoosh import highlight
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TimeLimit, TimeLimitCollector

from cstosearch.article import Article
from cstosearch.errors import BadQuery, CstoSearchError
from cstosearch.index import ArticleIndex
from cstosearch.query import SearchRequest, has_operators, parse_query

FACET_FIELDS = {"outlet": "outlet_facet", "year": "year", "month": "month"}
FACET_LIMIT = 50
SNIPPET_CHARS = 240
SEARCH_TIME_LIMIT_S = 8.0


class SearchTimeout(CstoSearchError):
    """A search ran past its time limit and was stopped."""


@dataclass
class FacetValue:
    value: str
    count: int


@dataclass
class Hit:
    id: str
    url: str
    title: str
    title_is_derived: bool
    outlet: str
    author: str
    published: str | None
    snippet: str
    caption_snippet: str
    score: float | None


@dataclass
class SearchPage:
    query: str
    total: int
    page: int
    page_size: int
    results: list[Hit]
    facets: dict[str, list[FacetValue]]
    sort: str = "relevance"
    relaxed: bool = False
    notice: str = ""
    filters: dict[str, object] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["page_count"] = self.page_count
        return data


class SearchEngine(Protocol):
    """The seam between the web layer and whatever engine answers searches."""

    def search(self, request: SearchRequest) -> SearchPage: ...

    def article(self, article_id: str) -> Article | None: ...

    def document_count(self) -> int: ...


class _Generation:
    """A searcher and everything cached for it; replaced when the index commits anew."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.columns: dict[str, list[str]] = {}
        self.docsets: OrderedDict[tuple, frozenset[int]] = OrderedDict()
        self.lock = threading.Lock()

    def column(self, fieldname: str) -> list[str]:
        with self.lock:
            if fieldname not in self.columns:
                reader = self.searcher.reader()
                self.columns[fieldname] = list(reader.column_reader(fieldname))
            return self.columns[fieldname]

    def docset(self, key: tuple, make) -> frozenset[int]:
        with self.lock:
            if key in self.docsets:
                self.docsets.move_to_end(key)
                return self.docsets[key]
        docs = frozenset(make())
        with self.lock:
            self.docsets[key] = docs
            while len(self.docsets) > 256:
                self.docsets.popitem(last=False)
        return docs


class WhooshSearchEngine:
    """Searches one ``ArticleIndex``; reuses its searcher until a new commit appears."""

    def __init__(self, index_dir: Path) -> None:
        self.index = ArticleIndex(index_dir)
        self._ix = self.index.open()
        self._generation = _Generation(self._ix.searcher())
        self._refresh_lock = threading.Lock()

    def _current(self) -> _Generation:
        generation = self._generation
        if generation.searcher.up_to_date():
            return generation
        with self._refresh_lock:
            if self._generation is generation:
                self._generation = _Generation(generation.searcher.refresh())
            return self._generation

    def close(self) -> None:
        self._generation.searcher.close()

    def document_count(self) -> int:
        return self._current().searcher.doc_count()

    def article(self, article_id: str) -> Article | None:
        stored = self._current().searcher.document(id=article_id)
        if not stored:
            return None
        return Article.from_dict(json.loads(stored["article"]))

    def search(self, request: SearchRequest) -> SearchPage:
        generation = self._current()
        searcher = generation.searcher
        schema = searcher.schema
        relaxed = False
        if request.query:
            parsed = parse_query(request.query, schema, searcher.reader())
        else:
            parsed = wq.Every()
        filters = self._filter_sets(generation, request)
        matched = generation.docset(("q", repr(parsed)), lambda: searcher.docs_for_query(parsed))
        allowed = _intersect([matched, *filters.values()])
        if not allowed and request.query and not has_operators(request.query) and len(request.query.split()) > 1:
            # No article has every word: rank those with some of them instead of showing nothing.
            parsed = parse_query(request.query, schema, searcher.reader(), conjunctive=False)
            matched = generation.docset(("q", repr(parsed)), lambda: searcher.docs_for_query(parsed))
            allowed = _intersect([matched, *filters.values()])
            relaxed = bool(allowed)
        facets = self._facet_counts(generation, matched, filters)
        hits = self._page_of_hits(searcher, parsed, allowed, request) if allowed else []
        notice = ""
        if relaxed:
            notice = "No article contains all of these words; showing articles that contain some of them."
        return SearchPage(
            query=request.query, total=len(allowed), page=request.page, page_size=request.page_size,
            results=hits, facets=facets, sort=request.sort, relaxed=relaxed, notice=notice,
            filters={"outlet": list(request.outlets), "from": request.date_from or None,
                     "to": request.date_to or None, "year": list(request.years),
                     "month": list(request.months)},
        )

    def _filter_sets(self, generation: _Generation, request: SearchRequest) -> dict[str, frozenset[int]]:
        """Doc sets per filter kind, cached for this generation (cheap on repeated filters)."""
        searcher = generation.searcher
        sets: dict[str, frozenset[int]] = {}
        if request.outlets:
            q = wq.Or([wq.Term("outlet_facet", o) for o in request.outlets])
            sets["outlet"] = generation.docset(("f", repr(q)), lambda: searcher.docs_for_query(q))
        date_parts = []
        if request.date_from or request.date_to:
            date_parts.append(wq.TermRange("published", request.date_from or "0000", request.date_to or "9999"))
        if request.years:
            date_parts.append(wq.Or([wq.Term("year", y) for y in request.years]))
        if request.months:
            date_parts.append(wq.Or([wq.Term("month", m) for m in request.months]))
        if date_parts:
            q = wq.And(date_parts)
            sets["date"] = generation.docset(("f", repr(q)), lambda: searcher.docs_for_query(q))
        return sets

    def _facet_counts(self, generation, matched, filters) -> dict[str, list[FacetValue]]:
        """Each facet counts the matches under every filter but its own, so choices can widen."""
        counts = {}
        for facet, fieldname in FACET_FIELDS.items():
            own = "outlet" if facet == "outlet" else "date"
            docs = _intersect([matched, *(s for kind, s in filters.items() if kind != own)])
            column = generation.column(fieldname)
            tally = Counter(column[d] for d in docs)
            tally.pop("", None)
            if facet == "outlet":
                ordered = tally.most_common(FACET_LIMIT)
            else:
                ordered = sorted(tally.items(), reverse=True)[:FACET_LIMIT if facet == "year" else 120]
            counts[facet] = [FacetValue(value, count) for value, count in ordered]
        return counts

    def _page_of_hits(self, searcher, parsed, allowed, request: SearchRequest) -> list[Hit]:
        limit = request.offset + request.page_size
        collector = searcher.collector(
            limit=limit, sortedby=("published" if request.sort == "date" else None),
            reverse=request.sort == "date", terms=True,
        )
        # The filter must wrap the time limit: a wrapper's own loop bypasses inner filters.
        timed = TimeLimitCollector(collector, timelimit=SEARCH_TIME_LIMIT_S, use_alarm=False)
        filtered = FilterCollector(timed, allow=set(allowed))
        try:
            searcher.search_with_collector(parsed, filtered)
        except TimeLimit:
            raise SearchTimeout(
                f"the search took longer than {SEARCH_TIME_LIMIT_S:.0f} s and was stopped; narrow it") from None
        results = filtered.results()
        results.highlighter = _highlighter()
        hits = []
        for hit in results[request.offset: limit]:
            hits.append(_hit_from(hit, request.sort == "relevance"))
        return hits


def _intersect(sets) -> frozenset[int]:
    sets = sorted(sets, key=len)
    if not sets:
        return frozenset()
    result = sets[0]
    for other in sets[1:]:
        result = result & other
    return frozenset(result)


def _highlighter() -> highlight.Highlighter:
    return highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80),
        formatter=highlight.HtmlFormatter(tagname="mark", between=" … "),
    )


def _hit_from(hit, with_score: bool) -> Hit:
    article = json.loads(hit["article"])
    body = "\n".join(p for p in [article.get("subtitle", ""), *article.get("paragraphs", [])] if p)
    captions = "\n".join(
        f"{c['text']} {c['credit']}".strip() for c in article.get("captions", []))
    snippet = hit.highlights("body", text=body, top=2) if body else ""
    caption_snippet = hit.highlights("captions", text=captions, top=1) if captions else ""
    if not snippet:
        snippet = escape(_lead(body))
    return Hit(
        id=article["id"],
        url=article.get("url", ""),
        title=article.get("display_title") or article.get("title", ""),
        title_is_derived=bool(article.get("title_is_derived")),
        outlet=article.get("outlet_name", ""),
        author=", ".join(article.get("authors", [])),
        published=article.get("published_at") or None,
        snippet=snippet,
        caption_snippet=caption_snippet,
        score=round(hit.score, 4) if with_score and hit.score is not None else None,
    )


def _lead(body: str) -> str:
    text = " ".join(body.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


__all__ = ["SearchEngine", "WhooshSearchEngine", "SearchPage", "Hit", "FacetValue", "BadQuery", "SearchTimeout"]
