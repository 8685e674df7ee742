"""``OpenSearchEngine``: the ``SearchEngine`` seam answered from an OpenSearch cluster.

It returns the same plain data as the Whoosh engine (``SearchPage``, ``Hit``, ``FacetValue``),
so the web layer and the JSON contract do not change with the engine.
"""

from __future__ import annotations

import re
from pathlib import Path

from opensearchpy import NotFoundError, OpenSearch
from opensearchpy.exceptions import ConnectionError as ClusterConnectionError
from opensearchpy.exceptions import ConnectionTimeout, OpenSearchException, TransportError

from cstosearch.article import Article
from cstosearch.engines.opensearch import translate
from cstosearch.engines.opensearch.search_body import FACET_FIELDS, group_sizes_body, search_body
from cstosearch.engines.opensearch.snippets import TermClasses, lead
from cstosearch.engines.opensearch.spellings import NO_WEIGHTS, SpellingWeights, count_weights
from cstosearch.errors import BadQuery, IndexMissing
from cstosearch.names.expand import expand_names
from cstosearch.names.storage import VariantsFile
from cstosearch.query import SearchRequest
from cstosearch.query_parser import parse_query
from cstosearch.query_tree import Everything, ParsedQuery
from cstosearch.results import ClauseReading, FacetValue, Hit, QueryExplanation, SearchPage, SearchTimeout

SEARCH_TIME_LIMIT_S = 8.0
SPELLING_BELOW = 10
RELAXED_NOTICE = "No article contains all of these words; showing articles that contain some of them."
CAPTION_SEPARATOR = " · "
RELATED_LIMIT = 200
SPELLING_RARE_BELOW = 50
SPELLING_FIELDS = ("body", "title", "captions")


class ClusterUnavailable(IndexMissing):
    """No node of the cluster answered, or the articles alias is missing."""


class OpenSearchEngine:
    """Searches the articles alias on one cluster."""

    def __init__(self, client: OpenSearch, alias: str, index_dir: Path | None = None) -> None:
        self.client = client
        self.alias = alias
        # The name groups learned at each index run live in the local index folder.
        self._names = VariantsFile(index_dir) if index_dir is not None else None

    # --- the SearchEngine seam ----------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchPage:
        parsed = parse_query(request.query) if request.query else ParsedQuery(Everything())
        variants = []
        if request.variants and self._names is not None:
            parsed, variants = expand_names(parsed, self._names.current())
        everything = isinstance(parsed.root, Everything)
        by_date = request.sort == "date" or everything
        ranked = parsed.ranked_optional
        boosts = self._spelling_weights(parsed) if variants and not by_date else NO_WEIGHTS
        query = translate.scored_query(parsed, text_score=not by_date, boosts=boosts)
        marks = None if everything or not request.with_snippets else translate.highlight_query(parsed)
        body = search_body(request, query, marks, translate.every_clause(parsed), by_date, bool(ranked))
        if request.explain and not everything:
            body["aggs"]["explain"] = {"global": {}, "aggs": {"clauses": {"filters": {"filters": {
                str(number): translate.translate(node)
                for number, (_, node) in enumerate(translate.clauses_by_role(parsed.root))}}}}}
        # A shard without any copy answering fails the request instead of shrinking the counts.
        params = {"timeout": f"{SEARCH_TIME_LIMIT_S:g}s", "allow_partial_search_results": "false"}
        if boosts:
            params["search_type"] = "dfs_query_then_fetch"  # the idf the spelling boosts assume
        answer = self._call(self.client.search, index=self.alias, body=body, params=params,
                            request_timeout=SEARCH_TIME_LIMIT_S + 2)
        if answer.get("timed_out"):
            raise SearchTimeout(f"the search took longer than {SEARCH_TIME_LIMIT_S:.0f} s and was stopped; narrow it")
        aggregations = answer.get("aggregations", {})
        total = int(answer["hits"]["total"]["value"])
        grouping = "collapse" in body
        classes = TermClasses()
        hits = [self._hit(raw, not by_date, classes, ranked, request.with_snippets) for raw in answer["hits"]["hits"]]
        if grouping and hits:
            sizes = self._group_sizes(query, request, [hit.group_id for hit in hits])
            for hit in hits:
                hit.group_size = sizes.get(hit.group_id, 1)
        total_all_words = aggregations["every_word"]["doc_count"] if "every_word" in aggregations else None
        relaxed = total_all_words == 0 and total > 0
        suggestion = self._suggest_spelling(request.query) if request.query and total < SPELLING_BELOW else ""
        return SearchPage(
            query=request.query, total=total, page=request.page, page_size=request.page_size,
            results=hits, facets=self._facets(aggregations), sort=request.sort, relaxed=relaxed,
            notice=RELAXED_NOTICE if relaxed else "", grouped=grouping,
            total_groups=int(aggregations["stories"]["count"]["value"]) if grouping else total,
            did_you_mean=suggestion,
            filters={"outlet": list(request.outlets), "author": list(request.authors),
                     "from": request.date_from or None, "to": request.date_to or None,
                     "year": list(request.years), "month": list(request.months), "story": request.story or None},
            total_all_words=total_all_words,
            explain=self._explain(parsed, aggregations, relaxed, variants) if request.explain else None,
            variants=variants, exact=not request.variants,
        )

    def article(self, article_id: str) -> Article | None:
        stored = self._source(article_id)
        return Article.from_dict(stored["article"]) if stored else None

    def related(self, article_id: str) -> list[Hit]:
        """The other articles of the same story, newest first."""
        stored = self._source(article_id)
        if not stored:
            return []
        body = {"size": RELATED_LIMIT, "query": {"bool": {"filter": [{"term": {"group_id": stored["group_id"]}}],
                                                          "must_not": [{"ids": {"values": [article_id]}}]}},
                "sort": [{"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
                "_source": ["article", "group_id"]}
        answer = self._call(self.client.search, index=self.alias, body=body)
        return [self._hit(raw, False, TermClasses(), with_snippets=False) for raw in answer["hits"]["hits"]]

    def document_count(self) -> int:
        return int(self._call(self.client.count, index=self.alias)["count"])

    # --- pieces -------------------------------------------------------------------------------
    def _call(self, method, **kwargs):
        try:
            return method(**kwargs)
        except ConnectionTimeout:
            raise SearchTimeout(f"the search took longer than {SEARCH_TIME_LIMIT_S:.0f} s and was stopped; "
                                "narrow it") from None
        except NotFoundError:
            raise ClusterUnavailable(f"no index behind the alias {self.alias!r}; build one with "
                                     "`cstosearch index --engine opensearch`") from None
        except ClusterConnectionError as exc:
            raise ClusterUnavailable(f"no OpenSearch node answered: {exc.info}") from None
        except TransportError as exc:
            if exc.status_code == 400:
                raise BadQuery(f"the search engine could not run this query: {exc.error}") from None
            if isinstance(exc.status_code, int) and exc.status_code >= 500:
                raise ClusterUnavailable(f"the cluster could not answer ({exc.status_code}): {exc.error}") from None
            raise

    def _source(self, article_id: str) -> dict | None:
        try:
            return self.client.get(index=self.alias, id=article_id, _source=["article", "group_id"])["_source"]
        except NotFoundError:
            return None
        except ClusterConnectionError as exc:
            raise ClusterUnavailable(f"no OpenSearch node answered: {exc.info}") from None

    def _hit(self, raw: dict, with_score: bool, classes: TermClasses, ranked: tuple = (),
             with_snippets: bool = True) -> Hit:
        article = raw["_source"]["article"]
        marked = raw.get("highlight", {})
        paragraphs = [p for p in [article.get("subtitle", ""), *article.get("paragraphs", [])] if p]
        snippet = ""
        if with_snippets:
            snippet = classes.mark(marked["body"]) if marked.get("body") else lead("\n".join(paragraphs))
        caption_snippet = classes.mark(marked["captions"][:2], CAPTION_SEPARATOR) if marked.get("captions") else ""
        score = raw.get("_score")
        matched = set(raw.get("matched_queries", ()))
        missing = [translate.plain_text(clause) for number, clause in enumerate(ranked)
                   if translate.CLAUSE_NAME.format(number) not in matched]
        if score is not None and ranked and not missing:
            # The weight puts articles with every word first; the score shown is without it.
            score -= translate.EVERY_WORD_WEIGHT
        return Hit.from_record(article, raw["_source"].get("group_id", ""),
                               score if with_score else None, snippet, caption_snippet, missing)

    def _group_sizes(self, query: dict, request: SearchRequest, group_ids: list[str]) -> dict[str, int]:
        answer = self._call(self.client.search, index=self.alias, body=group_sizes_body(query, request, group_ids))
        return {b["key"]: int(b["doc_count"]) for b in answer["aggregations"]["sizes"]["buckets"]}

    def _spelling_weights(self, parsed: ParsedQuery) -> SpellingWeights:
        """What ranks a name's spellings as equals, from this query's document counts."""
        def counts(queries: list[dict]) -> list[int]:
            lines: list[dict] = []
            for query in queries:
                lines += [{"index": self.alias}, {"size": 0, "track_total_hits": True, "query": query}]
            answers = self._call(self.client.msearch, body=lines, request_timeout=SEARCH_TIME_LIMIT_S)["responses"]
            # A count that failed leaves its spelling unboosted (n = 0), not the search failed.
            return [int(a["hits"]["total"]["value"]) if "hits" in a else 0 for a in answers]

        # Words paired with a spelling for proximity need their own idf too.
        neighbours = [(name, spelled[0]) for spelled in translate.proximity_words(parsed) if len(spelled) == 1
                      for name in translate.PROXIMITY_FIELDS] if parsed.ranked_optional else []
        return count_weights(translate.spelling_words(parsed.root), neighbours, counts)

    @staticmethod
    def _explain(parsed: ParsedQuery, aggregations: dict, widened: bool, variants: list) -> QueryExplanation:
        counts = aggregations.get("explain", {}).get("clauses", {}).get("buckets", {})
        clauses = [ClauseReading(clause=node.describe(), kind=translate.kind_of(node), role=role,
                                 field=getattr(node, "field", None),
                                 matches=int(counts.get(str(number), {}).get("doc_count", 0)))
                   for number, (role, node) in enumerate(translate.clauses_by_role(parsed.root))]
        return QueryExplanation(reading=parsed.root.describe(), clauses=clauses,
                                ignored_words=list(parsed.ignored_words), widened=widened, notes=list(parsed.notes),
                                variants=variants)

    @staticmethod
    def _facets(aggregations: dict) -> dict[str, list[FacetValue]]:
        return {facet: [FacetValue(str(b["key"]), int(b["doc_count"]))
                        for b in aggregations[f"facet_{facet}"]["values"]["buckets"] if b["key"]]
                for facet in FACET_FIELDS}

    def _suggest_spelling(self, text: str) -> str:
        """The query with rare words replaced by much commoner near spellings, or "" (as the Whoosh engine does)."""
        words = re.findall(r"(?<![\w:\-])[A-Za-z][\w'’]{3,}", text)
        if not words or len(words) > 6 or re.search(r'"|\bOR\b|\bNOT\b|\bAND\b|(^|\s)[-+]|\w:', text):
            return ""
        changed = text
        try:
            for word in words:
                own = self._document_frequency(word)
                if own >= SPELLING_RARE_BELOW:
                    continue
                suggest = {"spelling": {"text": word, "term": {
                    "field": "body", "suggest_mode": "popular", "max_edits": 2, "prefix_length": 2,
                    "min_word_length": 4, "sort": "frequency", "size": 5}}}
                answer = self.client.search(index=self.alias, body={"size": 0, "suggest": suggest})
                options = [o for entry in answer["suggest"]["spelling"] for o in entry["options"]]
                if not options:
                    continue
                best = max(options, key=lambda o: o["freq"])
                if best["freq"] >= max(3, 3 * own):
                    replacement = best["text"].capitalize() if word[:1].isupper() else best["text"]
                    changed = re.sub(rf"\b{re.escape(word)}\b", replacement, changed, count=1)
        except OpenSearchException:
            return ""  # a suggestion is a nicety; the results stand without it
        return changed if changed != text else ""

    def _document_frequency(self, word: str) -> int:
        query = {"bool": {"should": [{"match": {name: word}} for name in SPELLING_FIELDS]}}
        return int(self.client.count(index=self.alias, body={"query": query})["count"])
