"""Answering search requests: matching, ranking, facet counts and highlighted snippets.

The web layer sees only ``SearchEngine``: give it a ``SearchRequest``, get a ``SearchPage``
of plain data back. ``WhooshSearchEngine`` is the implementation over a local index.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from html import escape
from itertools import islice
from pathlib import Path
from typing import Protocol

import numpy as np
from whoosh import highlight
from whoosh import query as wq
from whoosh.collectors import TimeLimit, WrappingCollector

from cstosearch.article import Article
from cstosearch.errors import BadQuery, CstoSearchError
from cstosearch.index import AUTHOR_SEPARATOR, ArticleIndex
from cstosearch.query import SearchRequest, has_operators, parse_query

# facet -> (column field, the filter kind that does not narrow its own counts)
FACET_FIELDS = {
    "outlet": ("outlet_facet", "outlet"), "author": ("authors", "author"),
    "year": ("year", "date"), "month": ("month", "date"),
}
SPELLING_RARE_BELOW = 50
# Per worker: cached match sets hold at most this many document numbers in all (about 60 MB),
# and at most this many answered pages and facet tallies are kept.
DOCSET_CACHE_BUDGET = 1_000_000
RESULT_CACHE_ENTRIES = 512
# A filter keeping under a fifth of the matches is walked document by document.
NARROW_FILTER_SHARE = 5
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
    group_id: str = ""
    group_size: int = 1


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
    grouped: bool = True
    total_groups: int = 0
    did_you_mean: str = ""
    filters: dict[str, object] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        shown = self.total_groups if self.grouped else self.total
        return max(1, -(-shown // self.page_size))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["page_count"] = self.page_count
        return data


class SearchEngine(Protocol):
    """The seam between the web layer and whatever engine answers searches."""

    def search(self, request: SearchRequest) -> SearchPage: ...

    def article(self, article_id: str) -> Article | None: ...

    def related(self, article_id: str) -> list[Hit]: ...

    def document_count(self) -> int: ...


class _CodedColumn:
    """A column-stored field as one integer code per document, so counting is one numpy call."""

    def __init__(self, values: list[str], separator: str | None = None) -> None:
        codes: dict[str, int] = {}
        self.size = len(values)
        if separator is None:
            self.codes = np.fromiter((codes.setdefault(v, len(codes)) for v in values), dtype=np.int32,
                                     count=len(values))
            self.pair_docs = None
        else:
            docs, labels = [], []
            for docnum, value in enumerate(values):
                for part in value.split(separator) if value else ():
                    docs.append(docnum)
                    labels.append(codes.setdefault(part, len(codes)))
            self.pair_docs = np.array(docs, dtype=np.int64)
            self.codes = np.array(labels, dtype=np.int32)
        self.labels = list(codes)
        self.code_of = codes

    def counts(self, docs: np.ndarray) -> np.ndarray:
        if self.pair_docs is None:
            return np.bincount(self.codes[docs], minlength=len(self.labels))
        chosen = np.zeros(self.size, dtype=bool)
        chosen[docs] = True
        return np.bincount(self.codes[chosen[self.pair_docs]], minlength=len(self.labels))


class _BoundedCache:
    """A least-recently-used cache whose entries weigh something; the oldest go past the budget."""

    def __init__(self, budget: int, weigh=lambda value: 1) -> None:
        self.budget = budget
        self.weigh = weigh
        self.entries: OrderedDict = OrderedDict()
        self.held = 0
        self.lock = threading.Lock()

    def get(self, key, make):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = make()
        with self.lock:
            if key not in self.entries:
                self.entries[key] = value
                self.held += self.weigh(value)
            while self.held > self.budget and len(self.entries) > 1:
                _, evicted = self.entries.popitem(last=False)
                self.held -= self.weigh(evicted)
        return value


class _Generation:
    """A searcher and everything cached for it; replaced when the index commits anew."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.columns: dict[str, _CodedColumn] = {}
        # Match sets are weighed by the documents they hold; tallies and pages by count.
        self.docsets = _BoundedCache(DOCSET_CACHE_BUDGET, weigh=len)
        self.facets = _BoundedCache(RESULT_CACHE_ENTRIES)
        self.pages = _BoundedCache(RESULT_CACHE_ENTRIES)
        self.lock = threading.Lock()

    def column(self, fieldname: str) -> _CodedColumn:
        with self.lock:
            if fieldname not in self.columns:
                values = list(self.searcher.reader().column_reader(fieldname))
                separator = AUTHOR_SEPARATOR if fieldname == "authors" else None
                self.columns[fieldname] = _CodedColumn(values, separator)
            return self.columns[fieldname]

    def docset(self, key: tuple, make) -> frozenset[int]:
        """A query's matching documents, cached within a budget of documents held in all sets."""
        return self.docsets.get(key, lambda: frozenset(make()))

    def facet_counts(self, key: tuple, make) -> dict:
        return self.facets.get(key, make)


def _article_filter(generation: _Generation, article_ids: tuple[str, ...]) -> tuple[str, frozenset[int]]:
    """(cache key, doc set) of the documents with these article ids, read from the id column."""
    key = "ids:" + hashlib.sha1("\n".join(sorted(article_ids)).encode("utf-8")).hexdigest()

    def documents() -> list[int]:
        column = generation.column("id")
        codes = [column.code_of[i] for i in article_ids if i in column.code_of]
        return np.flatnonzero(np.isin(column.codes, codes)).tolist()

    return key, generation.docset(("f", key), documents)


def _as_array(docs: frozenset[int]) -> np.ndarray:
    return np.fromiter(docs, dtype=np.int64, count=len(docs))


class WhooshSearchEngine:
    """Searches one ``ArticleIndex``; reuses its searcher until a new commit appears."""

    def __init__(self, index_dir: Path) -> None:
        self.index = ArticleIndex(index_dir)
        self._ix = self.index.open()
        self._generation = _Generation(self._ix.searcher())
        self._retired: _Generation | None = None
        self._refresh_lock = threading.Lock()

    def _current(self) -> _Generation:
        generation = self._generation
        if generation.searcher.up_to_date():
            return generation
        with self._refresh_lock:
            if self._generation is generation:
                # Close the generation before last: no request can still be using it.
                if self._retired is not None:
                    self._retired.searcher.close()
                self._retired = generation
                self._generation = _Generation(self._ix.searcher())
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

    def related(self, article_id: str) -> list[Hit]:
        """The other articles folded into this article's story (copies and rewrites), newest first."""
        searcher = self._current().searcher
        stored = searcher.document(id=article_id)
        if not stored:
            return []
        results = searcher.search(wq.Term("group_id", stored["group_id"]), limit=200, sortedby="published",
                                  reverse=True)
        return [_hit_from(hit, with_score=False) for hit in results if hit["id"] != article_id]

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of results; a page already answered for this index generation is served again.

        Pages are read-only once built, and a new commit starts a new generation with empty caches.
        """
        generation = self._current()
        return generation.pages.get(request, lambda: self._search(generation, request))

    def _search(self, generation: _Generation, request: SearchRequest) -> SearchPage:
        searcher = generation.searcher
        relaxed = False
        if request.query:
            parsed = parse_query(request.query, searcher.schema, searcher.reader())
        else:
            parsed = wq.Every()
        filters = self._filter_sets(generation, request)
        matched = generation.docset(("q", repr(parsed)), lambda: searcher.docs_for_query(parsed))
        allowed = _intersect([matched, *(docs for _, docs in filters.values())])
        if not allowed and request.query and not has_operators(request.query) and len(request.query.split()) > 1:
            # No article has every word: rank those with some of them instead of showing nothing.
            parsed = parse_query(request.query, searcher.schema, searcher.reader(), conjunctive=False)
            matched = generation.docset(("q", repr(parsed)), lambda: searcher.docs_for_query(parsed))
            allowed = _intersect([matched, *(docs for _, docs in filters.values())])
            relaxed = bool(allowed)
        filter_key = tuple(sorted((kind, key) for kind, (key, _) in filters.items()))
        facets = generation.facet_counts(
            ("facets", repr(parsed), filter_key), lambda: self._facet_counts(generation, matched, filters))
        grouping = request.group_duplicates and not request.story
        group_sizes = None
        if grouping:
            group_sizes = generation.facet_counts(
                ("groups", repr(parsed), filter_key),
                lambda: generation.column("group_id").counts(_as_array(allowed)))
        hits = self._page_of_hits(generation, parsed, matched, allowed, request, group_sizes) if allowed else []
        notices = []
        if relaxed:
            notices.append("No article contains all of these words; showing articles that contain some of them.")
        suggestion = suggest_spelling(searcher, request.query) if request.query and len(allowed) < 10 else ""
        return SearchPage(
            query=request.query, total=len(allowed), page=request.page, page_size=request.page_size,
            results=hits, facets=facets, sort=request.sort, relaxed=relaxed, notice=" ".join(notices),
            grouped=grouping,
            total_groups=int(np.count_nonzero(group_sizes)) if group_sizes is not None else len(allowed),
            did_you_mean=suggestion,
            filters={"outlet": list(request.outlets), "author": list(request.authors),
                     "from": request.date_from or None, "to": request.date_to or None,
                     "year": list(request.years), "month": list(request.months), "story": request.story or None},
        )

    def _filter_sets(self, generation: _Generation, request: SearchRequest) -> dict[str, tuple[str, frozenset[int]]]:
        """(cache key, doc set) per filter kind, cached for this generation (cheap on repeated filters)."""
        searcher = generation.searcher
        queries: dict[str, wq.Query] = {}
        if request.outlets:
            queries["outlet"] = wq.Or([wq.Term("outlet_facet", o) for o in request.outlets])
        if request.authors:
            queries["author"] = wq.Or([wq.Term("author_facet", a) for a in request.authors])
        if request.story:
            queries["story"] = wq.Term("group_id", request.story)
        date_parts = []
        if request.date_from or request.date_to:
            date_parts.append(wq.TermRange("published", request.date_from or "0000", request.date_to or "9999"))
        if request.years:
            date_parts.append(wq.Or([wq.Term("year", y) for y in request.years]))
        if request.months:
            date_parts.append(wq.Or([wq.Term("month", m) for m in request.months]))
        if date_parts:
            queries["date"] = wq.And(date_parts)
        filters = {kind: (repr(q), generation.docset(("f", repr(q)), lambda q=q: searcher.docs_for_query(q)))
                   for kind, q in queries.items()}
        if request.article_ids:
            filters["articles"] = _article_filter(generation, request.article_ids)
        return filters

    def _facet_counts(self, generation, matched, filters) -> dict[str, list[FacetValue]]:
        """Each facet counts the matches under every filter but its own, so choices can widen."""
        counts = {}
        for facet, (fieldname, own) in FACET_FIELDS.items():
            docs = _intersect([matched, *(d for kind, (_, d) in filters.items() if kind != own)])
            column = generation.column(fieldname)
            tally = column.counts(_as_array(docs))
            pairs = [(column.labels[code], int(tally[code])) for code in np.flatnonzero(tally)]
            pairs = [(value, count) for value, count in pairs if value]
            if facet in ("outlet", "author"):
                ordered = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:FACET_LIMIT]
            else:
                ordered = sorted(pairs, reverse=True)[:FACET_LIMIT if facet == "year" else 240]
            counts[facet] = [FacetValue(value, count) for value, count in ordered]
        return counts

    def _page_of_hits(self, generation, parsed, matched, allowed, request: SearchRequest,
                      group_sizes: np.ndarray | None) -> list[Hit]:
        searcher = generation.searcher
        limit = request.offset + request.page_size
        collector = searcher.collector(
            limit=limit, sortedby=("published" if request.sort == "date" else None),
            reverse=request.sort == "date",
        )
        groups = generation.column("group_id") if group_sizes is not None else None
        # Only stories with several matching articles need folding; the rest skip that work.
        folded = groups.codes if groups is not None else None
        shared = group_sizes > 1 if group_sizes is not None else None
        narrow = len(allowed) * NARROW_FILTER_SHARE < len(matched)
        page_collector = _PageCollector(collector, allowed, folded, shared, SEARCH_TIME_LIMIT_S, narrow)
        try:
            searcher.search_with_collector(parsed, page_collector)
        except TimeLimit:
            raise SearchTimeout(
                f"the search took longer than {SEARCH_TIME_LIMIT_S:.0f} s and was stopped; narrow it") from None
        results = page_collector.results()
        snippets = _Snippets(parsed, searcher.reader())
        hits = []
        for hit in results[request.offset: limit]:
            found = _hit_from(hit, request.sort == "relevance", snippets)
            if groups is not None:
                found.group_size = int(group_sizes[groups.code_of[found.group_id]])
            hits.append(found)
        return hits


class _PageCollector(WrappingCollector):
    """Filter, fold story groups and keep a time limit in one pass over the matches.

    Whoosh's own wrappers each run their own loop and skip one another's logic when nested,
    so filtering, collapsing and timing are done here together.
    """

    def __init__(self, child, allowed: frozenset[int], groups: np.ndarray | None, shared: np.ndarray | None,
                 time_limit_s: float, narrow: bool = False) -> None:
        super().__init__(child)
        self.allowed = allowed
        self.targets = sorted(allowed) if narrow else None
        self.groups = groups
        self.shared = shared
        self.deadline = time.monotonic() + time_limit_s
        self.best_in_group: dict[int, tuple] = {}

    def _candidates(self):
        """Segment-relative docnums to score: every match, or, under a narrow filter, only the
        allowed documents, reached by skipping the matcher forward (much less to walk)."""
        child = self.child
        if self.targets is None:
            yield from child.matches()
            return
        matcher, offset = child.matcher, child.offset
        end = offset + child.subsearcher.doc_count_all()
        for docnum in self.targets:
            if docnum < offset:
                continue
            if docnum >= end or not matcher.is_active():
                return
            sub_docnum = docnum - offset
            if matcher.id() < sub_docnum:
                matcher.skip_to(sub_docnum)
                if not matcher.is_active():
                    return
            if matcher.id() == sub_docnum:
                yield sub_docnum

    def collect_matches(self) -> None:
        child, allowed, groups, shared, best = self.child, self.allowed, self.groups, self.shared, self.best_in_group
        offset = child.offset
        for seen, sub_docnum in enumerate(self._candidates()):
            if seen % 512 == 0 and time.monotonic() > self.deadline:
                raise TimeLimit
            docnum = offset + sub_docnum
            if docnum not in allowed:
                continue
            if groups is not None and shared[groups[docnum]]:
                key = groups[docnum]
                sort_key = child.sort_key(sub_docnum)
                previous = best.get(key)
                if previous is not None:
                    if sort_key >= previous[0]:
                        continue
                    try:
                        child.remove(previous[1])
                    except KeyError:
                        pass
                best[key] = (sort_key, docnum)
            child.collect(sub_docnum)


def suggest_spelling(searcher, text: str) -> str:
    """The query with rare words replaced by much commoner near spellings, or "" if none."""
    words = re.findall(r"(?<![\w:\-])[A-Za-z][\w'’]{3,}", text)
    if not words or len(words) > 6 or has_operators(text):
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


def _intersect(sets) -> frozenset[int]:
    sets = sorted(sets, key=len)
    if not sets:
        return frozenset()
    result = sets[0]
    for other in sets[1:]:
        result = result & other
    return frozenset(result)


class _Snippets:
    """Highlighted snippets for one query: its terms per field, and a quick scan for the paragraphs
    worth re-analysing (highlighting re-tokenises text, the costliest step per hit)."""

    def __init__(self, parsed: wq.Query, reader) -> None:
        found: dict[str, set[str]] = {}
        for leaf in [parsed] if parsed.is_leaf() else parsed.leaves():
            if isinstance(leaf, (wq.Prefix, wq.Wildcard)):
                expansions = (t.decode("utf-8") for t in leaf._btexts(reader))
                found.setdefault(leaf.fieldname, set()).update(islice(expansions, 200))
            else:
                for fieldname, text in leaf.iter_all_terms(phrases=True):
                    found.setdefault(fieldname, set()).add(text if isinstance(text, str) else text.decode("utf-8"))
        self.terms = {fieldname: frozenset(texts) for fieldname, texts in found.items()}
        self.analyzer = reader.schema["body"].analyzer
        stems = sorted(set().union(*self.terms.values()), key=len, reverse=True) if self.terms else []
        # Snowball stems are word prefixes but for a changed last letter (economy -> economi).
        prefixes = [re.escape(t[:-1] if len(t) > 3 else t) for t in stems]
        self.scan = re.compile(r"\b(?:" + "|".join(prefixes) + ")", re.IGNORECASE) if prefixes else None
        self.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80)
        self.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")

    def snippet(self, fieldname: str, paragraphs: list[str], top: int) -> str:
        terms = self.terms.get(fieldname)
        if not terms or not paragraphs:
            return ""
        likely = [p for p in paragraphs if self.scan.search(p)] if self.scan else []
        text = "\n".join(likely[:8]) if likely else "\n".join(paragraphs)
        return highlight.highlight(text, terms, self.analyzer, self.fragmenter, self.formatter, top=top)


def _hit_from(hit, with_score: bool, snippets: _Snippets | None = None) -> Hit:
    article = json.loads(hit["article"])
    paragraphs = [p for p in [article.get("subtitle", ""), *article.get("paragraphs", [])] if p]
    captions = [f"{c['text']} {c['credit']}".strip() for c in article.get("captions", [])]
    snippet = snippets.snippet("body", paragraphs, top=2) if snippets else ""
    caption_snippet = snippets.snippet("captions", captions, top=1) if snippets else ""
    if not snippet:
        snippet = escape(_lead("\n".join(paragraphs)))
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
        group_id=hit.get("group_id") or article["id"],
    )


def _lead(body: str) -> str:
    text = " ".join(body.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


__all__ = ["SearchEngine", "WhooshSearchEngine", "SearchPage", "Hit", "FacetValue", "BadQuery", "SearchTimeout"]
