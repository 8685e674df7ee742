"""Last checks on every article a reader produces: control characters, implausible dates, size."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from cstosearch.article import Article, Caption
from cstosearch.errors import SourceWarning, UnreadableSource

# An article's text (body and captions): the longest real articles are a few hundred
# thousand characters; past this a file is a dump or an attack, not an article.
MAX_ARTICLE_CHARS = 2_000_000
EARLIEST_DATE = "1800-01-01"
# Publication dates a little ahead of the server's clock happen (time zones, embargoes).
FUTURE_SLACK_DAYS = 2

# In running text only tab and newline survive; in one-line metadata none does.
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def clean_line(value: str) -> str:
    """One-line metadata (title, author, outlet) without control characters."""
    return " ".join(_LINE_CONTROL.sub(" ", value).split())


def clean_text(value: str) -> str:
    return _TEXT_CONTROL.sub("", value)


def plausible_date(iso_date: str, today: date | None = None) -> bool:
    latest = (today or date.today()) + timedelta(days=FUTURE_SLACK_DAYS)
    return EARLIEST_DATE <= iso_date <= latest.isoformat()


def vet_article(article: Article) -> list[Article | UnreadableSource | SourceWarning]:
    """The article cleaned, with warnings for what was dropped; or its refusal when it is too large."""
    size = sum(len(p) for p in article.paragraphs) + sum(len(c.text) + len(c.credit) for c in article.captions)
    if size > MAX_ARTICLE_CHARS:
        return [UnreadableSource(article.source_path,
                                 f"article text is {size:,} characters, over the limit of {MAX_ARTICLE_CHARS:,}")]
    outcomes: list[Article | UnreadableSource | SourceWarning] = []
    published = article.published_at
    if published and not plausible_date(published):
        outcomes.append(SourceWarning(article.source_path, f"implausible date {published} dropped"))
        published = ""
    paragraphs = [text for text in (clean_text(p).strip() for p in article.paragraphs) if text]
    if not paragraphs:
        return [UnreadableSource(article.source_path, "no article text")]
    cleaned = replace(
        article,
        paragraphs=paragraphs,
        url=clean_line(article.url),
        title=clean_line(article.title),
        subtitle=clean_line(article.subtitle),
        authors=[name for name in (clean_line(a) for a in article.authors) if name],
        published_at=published,
        outlet_name=clean_line(article.outlet_name),
        captions=[Caption(clean_line(c.text), clean_line(c.credit)) for c in article.captions],
    )
    outcomes.append(cleaned)
    return outcomes
