"""CSV export of a result list, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from flask import Response

from cstosearch.search import SearchPage

CSV_COLUMNS = ["rank", "id", "published", "outlet", "author", "title", "title_is_derived", "url",
               "group_id", "group_size", "score", "snippet", "caption_snippet"]
# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TAG = re.compile(r"<[^>]*>")


def plain(snippet_html: str) -> str:
    """Snippet HTML (escaped text and <mark> tags) as plain text."""
    return " ".join(unescape(TAG.sub("", snippet_html or "")).split())


def safe_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def rows(page: SearchPage):
    first = (page.page - 1) * page.page_size + 1
    for rank, hit in enumerate(page.results, start=first):
        yield [rank, hit.id, hit.published, hit.outlet, hit.author, hit.title, hit.title_is_derived, hit.url,
               hit.group_id, hit.group_size, hit.score, plain(hit.snippet), plain(hit.caption_snippet)]


def csv_text(page: SearchPage) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows(page):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_response(page: SearchPage) -> Response:
    response = Response(csv_text(page), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="cstosearch-results-p{page.page}.csv"'
    response.headers["X-Total-Count"] = str(page.total)
    return response
