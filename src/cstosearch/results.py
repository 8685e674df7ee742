"""What a search answers, as plain data both renderings (HTML and JSON) and every engine share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Protocol

from cstosearch.article import Article
from cstosearch.errors import CstoSearchError
from cstosearch.names.expand import VariantNote
from cstosearch.query import SearchRequest


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
    # The query's words this article lacks, when a plain search shows partial matches.
    missing: list[str] = field(default_factory=list)

    @classmethod
    def from_record(cls, article: dict, group_id: str, score: float | None, snippet: str = "",
                    caption_snippet: str = "", missing: list[str] | None = None) -> Hit:
        """A hit for a stored article record (``Article.to_dict()``), as every engine shows it."""
        return cls(
            id=article["id"],
            url=article.get("url", ""),
            title=article.get("display_title") or article.get("title", ""),
            title_is_derived=bool(article.get("title_is_derived")),
            outlet=article.get("outlet_name", ""),
            author=", ".join(article.get("authors", [])),
            published=article.get("published_at") or None,
            snippet=snippet,
            caption_snippet=caption_snippet,
            score=round(float(score), 4) if score is not None else None,
            group_id=group_id or article["id"],
            missing=missing or [],
        )


@dataclass
class ClauseReading:
    """One part of the query as the engine read it, and how many articles it matched alone."""

    clause: str
    kind: str
    role: str
    field: str | None
    matches: int


@dataclass
class QueryExplanation:
    reading: str
    clauses: list[ClauseReading]
    ignored_words: list[str]
    widened: bool
    notes: list[str]
    # Words searched together with other spellings of the same name.
    variants: list[VariantNote] = field(default_factory=list)


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
    # Of ``total``, how many have every word of a plain search (the rest have some of them).
    total_all_words: int | None = None
    explain: QueryExplanation | None = None
    # Other spellings of the query's names that were searched too (``variants=off``: none, and ``exact``).
    variants: list[VariantNote] = field(default_factory=list)
    exact: bool = False

    @property
    def page_count(self) -> int:
        shown = self.total_groups if self.grouped else self.total
        return max(1, -(-shown // self.page_size))

    def to_dict(self) -> dict:
        """What ``dataclasses.asdict`` gives (and the page count), built field by field: asdict
        copies every facet value and hit through a generic walk, a millisecond per answer."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["results"] = [{**hit.__dict__, "missing": list(hit.missing)} for hit in self.results]
        data["facets"] = {name: [{"value": v.value, "count": v.count} for v in values]
                          for name, values in self.facets.items()}
        data["filters"] = {name: list(value) if isinstance(value, list) else value
                           for name, value in self.filters.items()}
        data["variants"] = [asdict(note) for note in self.variants]
        if self.explain is None:
            data.pop("explain")
        else:
            data["explain"] = asdict(self.explain)
        data["page_count"] = self.page_count
        return data


class SearchEngine(Protocol):
    """The seam between the web layer and whatever engine answers searches."""

    def search(self, request: SearchRequest) -> SearchPage: ...

    def article(self, article_id: str) -> Article | None: ...

    def related(self, article_id: str) -> list[Hit]: ...

    def document_count(self) -> int: ...
