"""The one record that travels from ingester to index to search results."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from cstosearch.analysis import fold, split_words


@dataclass(frozen=True)
class Caption:
    """A photo caption and the credit line of its photo (either may be empty)."""

    text: str
    credit: str = ""


@dataclass
class Article:
    """A cleaned news article.

    Fields the source does not state stay empty: nothing here is invented.
    ``display_title`` may be derived from the first sentence when the source has
    no title; ``title_is_derived`` says so.
    """

    paragraphs: list[str]
    url: str = ""
    title: str = ""
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: str = ""  # ISO date, YYYY-MM-DD, or "" when unknown
    outlet_name: str = ""
    captions: list[Caption] = field(default_factory=list)
    source_path: str = ""
    language: str = ""

    @property
    def body_text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def indexed_body(self) -> str:
        """What an index's body field holds: the subtitle, then the paragraphs."""
        return "\n".join([self.subtitle, self.body_text]).strip()

    @property
    def indexed_text(self) -> str:
        """What an index's body field holds: the article as read, headline first, then the subtitle
        and the paragraphs. A headline the text already opens with (scrapers often copy it into
        the text) is not written twice, so its words count once in the text wherever it came from.
        """
        body = self.indexed_body
        if not self.title or opens_with(body, self.title):
            return body
        return f"{self.title}\n{body}".strip()

    @property
    def caption_text(self) -> str:
        return "\n".join(c.text for c in self.captions if c.text)

    @property
    def caption_credits(self) -> list[str]:
        return [c.credit for c in self.captions if c.credit]

    @property
    def content_hash(self) -> str:
        """Hash of the normalised body text: equal for exact copies under other URLs."""
        normalised = " ".join(self.body_text.split()).casefold()
        return hashlib.sha1(normalised.encode("utf-8")).hexdigest()

    @property
    def article_id(self) -> str:
        """Stable identity: the normalised URL when known, else the content hash."""
        key = ("url:" + self.url) if self.url else ("hash:" + self.content_hash)
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    @property
    def title_is_derived(self) -> bool:
        return not self.title

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        return derive_title(self.body_text)

    def public_record(self) -> dict[str, Any]:
        """The record an index stores and pages show: without the server's file path."""
        record = self.to_dict()
        record.pop("source_path", None)
        return record

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            id=self.article_id,
            content_hash=self.content_hash,
            display_title=self.display_title,
            title_is_derived=self.title_is_derived,
        )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        return cls(
            paragraphs=list(data.get("paragraphs") or []),
            url=data.get("url") or "",
            title=data.get("title") or "",
            subtitle=data.get("subtitle") or "",
            authors=list(data.get("authors") or []),
            published_at=data.get("published_at") or "",
            outlet_name=data.get("outlet_name") or "",
            captions=[Caption(**c) for c in data.get("captions") or []],
            source_path=data.get("source_path") or "",
            language=data.get("language") or "",
        )


def derive_title(body_text: str, max_chars: int = 90) -> str:
    """A display title from the first sentence, cut at a word boundary."""
    text = " ".join(body_text.split())
    if not text:
        return "(untitled)"
    for end in (". ", "? ", "! "):
        cut = text.find(end)
        if 0 < cut < max_chars:
            return text[: cut + 1]
    if len(text) <= max_chars:
        return text
    return text[:max_chars].rsplit(" ", 1)[0] + "…"


def opens_with(text: str, heading: str) -> bool:
    """Whether ``text`` begins with the words of ``heading`` (case, accents, spacing and punctuation aside)."""
    wanted = [fold(w) for w in split_words(heading)]
    if not wanted:
        return True
    opening = [fold(w) for w in split_words(text[: 2 * len(heading) + 64])][: len(wanted)]
    return opening == wanted
