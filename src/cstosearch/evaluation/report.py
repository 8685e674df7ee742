"""Run extractors over test pages, score them, and print the scores as a table."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cstosearch.evaluation.extractors import EXTRACTORS, Extraction, Extractor
from cstosearch.evaluation.matching import (
    authors_match,
    body_metrics,
    bylines_match_strict,
    caption_found,
    dates_match,
    page_f1,
    shingle_scores,
    sites_match,
    titles_match,
    titles_match_strict,
)
from cstosearch.evaluation.pages import Page, load_pages

PERFECT_F1 = 0.9


@dataclass
class Report:
    """Scores of one extractor over one folder."""

    name: str
    pages: int
    precision: float
    recall: float
    f1: float
    share_f1_ok: float
    title_accuracy: float | None
    title_strict_accuracy: float | None
    title_pages: int
    author_accuracy: float | None
    author_strict_accuracy: float | None
    author_pages: int
    date_accuracy: float | None
    date_pages: int
    site_accuracy: float | None
    site_pages: int
    caption_recall: float | None
    caption_count: int
    pages_per_second: float
    errors: int
    per_page_f1: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run_extractor(extractor: Extractor, page: Page) -> tuple[Extraction, float]:
    start = time.perf_counter()
    try:
        extraction = extractor(page)
    except Exception as exc:  # one broken page must not stop the measurement
        extraction = Extraction(error=f"{type(exc).__name__}: {exc}")
    return extraction, time.perf_counter() - start


def evaluate(pages: Sequence[Page], name: str, extractor: Extractor) -> Report:
    """Run one extractor over the pages and score it."""
    scores: list[tuple[float, float, float]] = []
    per_page: dict[str, float] = {}
    checks: dict[str, list[bool]] = {
        "title": [],
        "title_strict": [],
        "author": [],
        "author_strict": [],
        "date": [],
        "site": [],
    }
    captions_found = captions_total = 0
    seconds = 0.0
    errors = 0
    for page in pages:
        got, elapsed = run_extractor(extractor, page)
        seconds += elapsed
        errors += bool(got.error)
        score = shingle_scores(page.body, got.body)
        scores.append(score)
        if page.body.strip():
            per_page[page.page_id] = page_f1(score)
        if page.title is not None:
            checks["title"].append(titles_match(page.title, got.title))
            checks["title_strict"].append(titles_match_strict(page.title, got.title))
        if page.author is not None:
            checks["author"].append(authors_match(page.author, got.authors))
            checks["author_strict"].append(bylines_match_strict(page.author, got.authors))
        if page.date is not None:
            checks["date"].append(dates_match(page.date, got.date))
        if page.site_name is not None:
            checks["site"].append(sites_match(page.site_name, got.site_name))
        haystack = got.body if got.captions_in_body else "\n".join(got.captions)
        for caption in page.captions:
            captions_total += 1
            captions_found += caption_found(caption, haystack)
    precision, recall, f1 = body_metrics(scores)

    def accuracy(values: list[bool]) -> float | None:
        return sum(values) / len(values) if values else None

    return Report(
        name=name,
        pages=len(pages),
        precision=precision,
        recall=recall,
        f1=f1,
        share_f1_ok=(sum(v >= PERFECT_F1 for v in per_page.values()) / len(per_page) if per_page else 0.0),
        title_accuracy=accuracy(checks["title"]),
        title_strict_accuracy=accuracy(checks["title_strict"]),
        title_pages=len(checks["title"]),
        author_accuracy=accuracy(checks["author"]),
        author_strict_accuracy=accuracy(checks["author_strict"]),
        author_pages=len(checks["author"]),
        date_accuracy=accuracy(checks["date"]),
        date_pages=len(checks["date"]),
        site_accuracy=accuracy(checks["site"]),
        site_pages=len(checks["site"]),
        caption_recall=captions_found / captions_total if captions_total else None,
        caption_count=captions_total,
        pages_per_second=len(pages) / seconds if seconds else 0.0,
        errors=errors,
        per_page_f1=per_page,
    )


def evaluate_folder(
    folder: Path, limit: int | None = None, extractors: dict[str, Extractor] | None = None
) -> list[Report]:
    pages = load_pages(folder, limit)
    chosen = extractors or EXTRACTORS
    return [evaluate(pages, name, extractor) for name, extractor in chosen.items()]


def format_table(folder: str, reports: Sequence[Report]) -> str:
    def cell(value: float | None, count: int | None = None) -> str:
        if value is None:
            return "n/a"
        return f"{value:.3f}" if count is None else f"{value:.3f} ({count})"

    header = (
        "extractor",
        "precision",
        "recall",
        "F1",
        "F1>=0.9",
        "title",
        "title strict",
        "author",
        "author strict",
        "date",
        "site",
        "captions",
        "pages/s",
        "errors",
    )
    rows = [header]
    for r in reports:
        rows.append(
            (
                r.name,
                cell(r.precision),
                cell(r.recall),
                cell(r.f1),
                cell(r.share_f1_ok),
                cell(r.title_accuracy, r.title_pages),
                cell(r.title_strict_accuracy),
                cell(r.author_accuracy, r.author_pages),
                cell(r.author_strict_accuracy),
                cell(r.date_accuracy, r.date_pages),
                cell(r.site_accuracy, r.site_pages),
                cell(r.caption_recall, r.caption_count),
                f"{r.pages_per_second:.1f}",
                str(r.errors),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [f"{folder} ({reports[0].pages} pages)" if reports else folder]
    for number, row in enumerate(rows):
        cells = [v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells))
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
