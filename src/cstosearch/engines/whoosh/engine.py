"""The Whoosh implementation of the ``SearchEngine`` seam over one local index folder.

A search reads its query into the engine-neutral tree, evaluates matching as masks (so the
total, the facets and the pages agree by construction), scores only what the page needs, and
folds story groups; everything runs under one deadline.
"""

from __future__ import annotations

import hashlib
import json
import threading
from html import escape
from pathlib import Path

import numpy as np
from whoosh import query as wq

from cstosearch.article import Article
from cstosearch.engines.whoosh import feedback
from cstosearch.engines.whoosh.deadline import Deadline
from cstosearch.engines.whoosh.generation import Generation
from cstosearch.engines.whoosh.ranking import DEFAULT_RANKING, Ranking, coordinated, fold_groups
from cstosearch.engines.whoosh.snippets import Snippets, lead
from cstosearch.engines.whoosh.spelling import suggest_spelling
from cstosearch.engines.whoosh.translate import Translator
from cstosearch.engines.whoosh.vector_scoring import scores_of
from cstosearch.index import ArticleIndex
from cstosearch.names.expand import expand_names
from cstosearch.names.storage import VariantsFile
from cstosearch.query import SearchRequest
from cstosearch.query_parser import parse_query
from cstosearch.query_tree import (
    SEARCHABLE_FIELDS,
    AnyOf,
    Everything,
    Group,
    Node,
    ParsedQuery,
    Phrase,
    Prefix,
    Spellings,
    Word,
    leaves,
)
from cstosearch.results import ClauseReading, FacetValue, Hit, QueryExplanation, SearchPage

# facet -> (column field, the filter kind that does not narrow its own counts)
FACET_FIELDS = {
    "outlet": ("outlet_facet", "outlet"), "author": ("authors", "author"),
    "year": ("year", "date"), "month": ("month", "date"),
}
FACET_LIMIT = 50
# Columns nearly every search reads: facets, story groups, dates.
WARM_COLUMNS = ("outlet_facet", "authors", "year", "month", "group_id", "published")
MONTH_FACET_LIMIT = 240
SEARCH_TIME_LIMIT_S = 1.8
SPELLING_BELOW = 10
# Phrases (and near pairs) are position-checked on at most this many of the best-placed
# matches, or this many per result asked for when a page lies deep.
PHRASE_CANDIDATES = 400
PHRASE_CANDIDATES_PER_RESULT = 5
RELAXED_NOTICE = "No article contains all of these words; showing articles that contain some of them."


class WhooshSearchEngine:
    """Searches one ``ArticleIndex``; reuses its searcher until a new commit appears."""

    def __init__(self, index_dir: Path, ranking: Ranking = DEFAULT_RANKING,
                 time_limit_s: float = SEARCH_TIME_LIMIT_S) -> None:
        self.index = ArticleIndex(index_dir)
        self.ranking = ranking
        self.time_limit_s = time_limit_s
        self._weighting = ranking.weighting()
        self._ix = self.index.open()
        self._names = VariantsFile(index_dir)
        self._generation = self._new_generation()
        self._retired: Generation | None = None
        self._refresh_lock = threading.Lock()

    def _new_generation(self) -> Generation:
        generation = Generation(self._ix.searcher(weighting=self._weighting))
        generation.names_signature = self._names.signature()
        generation.variants = self._names.current()
        return generation

    def _current(self) -> Generation:
        generation = self._generation
        # Name groups are rewritten after each commit: new groups start a new generation too.
        if generation.searcher.up_to_date() and generation.names_signature == self._names.signature():
            return generation
        with self._refresh_lock:
            if self._generation is generation:
                # Close the generation before last: no request can still be using it.
                if self._retired is not None:
                    self._retired.searcher.close()
                self._retired = generation
                self._generation = self._new_generation()
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
        return [_hit_from(hit.fields(), None, None) for hit in results if hit["id"] != article_id]

    def warm(self) -> None:
        """Load the current generation's columns and field lengths now (a new worker, a new commit),
        so that no search pays for them inside its time limit."""
        self._current().warm(WARM_COLUMNS, SEARCHABLE_FIELDS)

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of results; a page already answered for this index generation is served again."""
        generation = self._current()
        generation.warm(WARM_COLUMNS, SEARCHABLE_FIELDS)
        return generation.pages.get(request, lambda: self._search(generation, request))

    def _with_feedback(self, generation, translator, parsed, scoring, targets, tier, scores, deadline):
        """Scores again with the words that stand out in the first pass's best articles."""
        ranking = self.ranking
        if scoring is None or not _feedback_applies(ranking, parsed):
            return scores
        top = feedback.best(scores, tier, targets, ranking.feedback_docs, ranking.feedback_sharpness)
        query_stems = {stem for leaf in leaves(parsed.root) for stem in translator.stems(leaf)}
        extra = feedback.expansion_query(generation.searcher, top, query_stems, ranking.feedback_terms,
                                         ranking.feedback_weight)
        if extra is None:
            return scores
        return scores + self._scores(generation, extra, targets, tier, deadline, len(targets))

    def _scores(self, generation: Generation, query, targets: np.ndarray, tier: np.ndarray, deadline: Deadline,
                limit: int) -> np.ndarray:
        candidates = max(PHRASE_CANDIDATES, PHRASE_CANDIDATES_PER_RESULT * limit)
        return scores_of(generation, query, targets, tier, self._weighting, deadline, candidates)

    # --- one search --------------------------------------------------------------------------
    def _search(self, generation: Generation, request: SearchRequest) -> SearchPage:
        deadline = Deadline(self.time_limit_s)
        parsed = parse_query(request.query) if request.query else ParsedQuery(Everything())
        variants = []
        if request.variants:
            parsed, variants = expand_names(parsed, generation.variants)
        translator = Translator(generation, self.ranking, deadline)
        live = generation.live()
        matched = translator.mask(parsed.root) & live
        filters = _filter_masks(generation, request)
        allowed = matched
        for _, mask in filters.values():
            allowed = allowed & mask
        optional = parsed.ranked_optional
        coord = None
        total_all_words = None
        if optional:
            coord = np.zeros(generation.size, dtype=np.uint8)
            for clause in optional:
                coord += translator.mask(clause)
            total_all_words = int(np.count_nonzero(allowed & (coord == len(optional))))
        relaxed = total_all_words == 0 and bool(allowed.any())
        filter_key = tuple(sorted((kind, key) for kind, (key, _) in filters.items()))
        facets = generation.facets.get(("facets", parsed.root, filter_key),
                                       lambda: _facet_counts(generation, matched, filters))
        grouping = request.group_duplicates and not request.story
        group_sizes = generation.column("group_id").counts(allowed) if grouping else None
        hits = self._page_of_hits(generation, translator, parsed, allowed, coord, request, group_sizes, deadline)
        total = int(np.count_nonzero(allowed))
        suggestion = ""
        if request.query and total < SPELLING_BELOW:
            suggestion = suggest_spelling(generation.searcher, request.query, generation.spelling)
        explanation = _explain(parsed, translator, live, relaxed, variants) if request.explain else None
        return SearchPage(
            query=request.query, total=total, page=request.page, page_size=request.page_size,
            results=hits, facets=facets, sort=request.sort, relaxed=relaxed,
            notice=RELAXED_NOTICE if relaxed else "", grouped=grouping,
            total_groups=int(np.count_nonzero(group_sizes)) if group_sizes is not None else total,
            did_you_mean=suggestion,
            filters={"outlet": list(request.outlets), "author": list(request.authors),
                     "from": request.date_from or None, "to": request.date_to or None,
                     "year": list(request.years), "month": list(request.months), "story": request.story or None},
            total_all_words=total_all_words, explain=explanation, variants=variants, exact=not request.variants,
        )

    def _page_of_hits(self, generation: Generation, translator: Translator, parsed: ParsedQuery,
                      allowed: np.ndarray, coord: np.ndarray | None, request: SearchRequest,
                      group_sizes: np.ndarray | None, deadline: Deadline) -> list[Hit]:
        limit = request.offset + request.page_size
        targets = np.flatnonzero(allowed)
        if not len(targets) or request.offset >= len(targets):
            return []
        groups = generation.column("group_id") if group_sizes is not None else None
        words = len(parsed.ranked_optional)
        matched_words = coord[targets] if coord is not None else None
        # Documents with every word of a plain search form the first tier.
        if matched_words is not None:
            tier = (matched_words == words).astype(np.int8)
        else:
            tier = np.zeros(len(targets), dtype=np.int8)
        by_date = request.sort == "date" or isinstance(parsed.root, Everything)
        if not by_date:
            # Only the tiers that can fill the page need scores.
            keep = _best_tiers(tier, limit, targets, groups)
            targets, tier = targets[keep], tier[keep]
            matched_words = matched_words[keep] if matched_words is not None else None
        if by_date:
            scores = None
            newest = -generation.column("published").sort_rank()[targets].astype(np.int64)
            order = np.lexsort((-targets, newest, -tier))
        else:
            scoring = translator.scoring_query(parsed)
            scores = self._scores(generation, scoring, targets, tier, deadline, limit)
            scores = self._with_feedback(generation, translator, parsed, scoring, targets, tier, scores, deadline)
            if matched_words is not None:
                scores = coordinated(scores, matched_words, words, self.ranking.coordination)
            order = np.lexsort((targets, -scores, -tier))
        if groups is not None:
            order = fold_groups(order, groups.codes[targets])
        page = order[request.offset: limit]
        snippets = None
        if request.with_snippets:
            snippets = Snippets(_terms_by_field(translator, parsed.root), generation.searcher.schema["body"].analyzer)
        optional = parsed.ranked_optional
        clause_masks = [translator.mask(c) for c in optional]
        searcher = generation.searcher
        hits = []
        for position in page.tolist():
            docnum = int(targets[position])
            hit = _hit_from(searcher.stored_fields(docnum), scores[position] if scores is not None else None,
                            snippets)
            if group_sizes is not None:
                hit.group_size = int(group_sizes[groups.code_of[hit.group_id]])
            if optional and coord[docnum] < len(optional):
                hit.missing = [_plain(c) for c, mask in zip(optional, clause_masks, strict=True) if not mask[docnum]]
            hits.append(hit)
        deadline.check()
        return hits


def _feedback_applies(ranking: Ranking, parsed: ParsedQuery) -> bool:
    return ranking.feedback_terms > 0 and len(parsed.flat_words()) >= ranking.feedback_min_words


def _best_tiers(tier: np.ndarray, limit: int, targets: np.ndarray, groups) -> np.ndarray:
    """Which targets to rank: the first tier alone when it holds at least ``limit`` stories."""
    first = tier == 1
    if first.all() or not first.any():
        return np.ones(len(tier), dtype=bool)
    chosen = targets[first]
    stories = len(np.unique(groups.codes[chosen])) if groups is not None else len(chosen)
    return first if stories >= limit else np.ones(len(tier), dtype=bool)


def _filter_masks(generation: Generation, request: SearchRequest) -> dict[str, tuple[tuple, np.ndarray]]:
    """(cache key, mask) per filter kind, read from the coded columns and kept for the generation
    (readers filter by the same outlets and years again and again)."""
    filters: dict[str, tuple[tuple, np.ndarray]] = {}

    def add(kind: str, key: tuple, make) -> None:
        filters[kind] = (key, generation.mask(("filter", kind, key), make))

    if request.outlets:
        chosen = frozenset(request.outlets)
        add("outlet", tuple(sorted(chosen)), lambda: generation.column("outlet_facet").mask_where(chosen.__contains__))
    if request.authors:
        chosen_authors = frozenset(request.authors)
        add("author", tuple(sorted(chosen_authors)),
            lambda: generation.column("authors").mask_where(chosen_authors.__contains__))
    if request.story:
        add("story", (request.story,), lambda: generation.column("group_id").mask_where(request.story.__eq__))
    if request.date_from or request.date_to or request.years or request.months:
        low, high = request.date_from or "0000", request.date_to or "9999"

        def dates() -> np.ndarray:
            mask = generation.column("published").mask_where(lambda day: bool(day) and low <= day <= high)
            if request.years:
                years = set(request.years)
                mask = mask & generation.column("year").mask_where(years.__contains__)
            if request.months:
                months = set(request.months)
                mask = mask & generation.column("month").mask_where(months.__contains__)
            return mask

        add("date", (low, high, request.years, request.months), dates)
    if request.article_ids:
        # Feeds: only what one re-index run added; the key is a digest, the ids can be many.
        wanted = set(request.article_ids)
        digest = hashlib.sha1("\n".join(sorted(wanted)).encode("utf-8")).hexdigest()
        add("articles", (digest,), lambda: generation.column("id").mask_where(wanted.__contains__))
    return filters


def _facet_counts(generation: Generation, matched: np.ndarray, filters) -> dict[str, list[FacetValue]]:
    """Each facet counts the matches under every filter but its own, so choices can widen."""
    counts = {}
    for facet, (fieldname, own) in FACET_FIELDS.items():
        docs = matched
        for kind, (_, mask) in filters.items():
            if kind != own:
                docs = docs & mask
        column = generation.column(fieldname)
        tally = column.counts(docs)
        if facet in ("outlet", "author"):
            ordered = column.most_common(tally, FACET_LIMIT)
        else:
            ordered = column.latest(tally, FACET_LIMIT if facet == "year" else MONTH_FACET_LIMIT)
        counts[facet] = [FacetValue(value, count) for value, count in ordered]
    return counts


def _terms_by_field(translator: Translator, root: Node) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for leaf in leaves(root):
        stems = translator.stems(leaf)[:200]
        for fieldname in translator.fields(leaf):
            found.setdefault(fieldname, set()).update(stems)
    return {fieldname: frozenset(stems) for fieldname, stems in found.items()}


def _plain(node: Node) -> str:
    """A clause as the reader typed it, for "Missing: …"."""
    if isinstance(node, Spellings):
        return _plain(node.typed)
    if isinstance(node, Word):
        return node.text
    if isinstance(node, Phrase) and node.joined:
        return node.joined
    return node.describe()


def _explain(parsed: ParsedQuery, translator: Translator, live: np.ndarray, widened: bool,
             variants: list) -> QueryExplanation:
    root = parsed.root
    if isinstance(root, Group):
        roles = [("optional", root.optional), ("required", root.required), ("excluded", root.excluded)]
    else:
        roles = [("required", (root,))]
    clauses = [
        ClauseReading(clause=node.describe(), kind=_kind(node), role=role, field=getattr(node, "field", None),
                      matches=int(np.count_nonzero(translator.mask(node) & live)))
        for role, nodes in roles for node in nodes
    ]
    return QueryExplanation(reading=root.describe(), clauses=clauses, ignored_words=list(parsed.ignored_words),
                            widened=widened, notes=list(parsed.notes), variants=variants)


def _kind(node: Node) -> str:
    return {Word: "word", Phrase: "phrase", Prefix: "prefix", AnyOf: "any of", Group: "group",
            Everything: "everything", Spellings: "spellings"}[type(node)]


def _hit_from(stored: dict, score: float | None, snippets: Snippets | None) -> Hit:
    article = json.loads(stored["article"])
    paragraphs = [p for p in [article.get("subtitle", ""), *article.get("paragraphs", [])] if p]
    captions = [f"{c['text']} {c['credit']}".strip() for c in article.get("captions", [])]
    snippet = snippets.body(paragraphs) if snippets else ""
    caption_snippet = snippets.captions(captions) if snippets else ""
    if not snippet and snippets is not None:
        snippet = escape(lead("\n".join(paragraphs)))
    return Hit.from_record(article, stored.get("group_id", ""), score, snippet, caption_snippet)
