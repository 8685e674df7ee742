"""Measure HTML article extraction against folders of pages with known answers.

Runs the project's extractor and two reference extractors (trafilatura, readability-lxml)
on the same pages and reports body precision/recall/F1, metadata accuracy, caption recall
and speed, so a change to the extractor can be judged by numbers.

Supported folder layouts:

* scrapinghub benchmark: ``ground-truth.json`` ({id: {"articleBody", "url"}}) and
  ``html/<id>.html.gz``;
* Mozilla readability test pages: one subfolder per page with ``source.html``,
  ``expected.html`` (cleaned article, captions in ``<figcaption>``) and
  ``expected-metadata.json`` (title, byline, publishedTime, siteName).

Scoring rules (documented here because the figures are only comparable when exact):

* Body: tokens are ``re.findall(r"\\w+", text)`` (case-sensitive), compared as multisets of
  4-token shingles (a text with fewer than 4 tokens is one shingle). Per page, tp/fp/fn are
  divided by their sum so every page weighs the same. Precision is the mean over pages where
  the extractor returned text, recall the mean over pages whose expected body is not empty,
  and F1 is 2PR/(P+R) of those two means: the scrapinghub benchmark's own definition.
  In the readability layout the expected body is ``expected.html`` without its
  ``<figcaption>`` elements, since captions are scored on their own.
* Title: both sides are NFKC-normalised, case-folded, quotes and dashes unified and spacing
  collapsed. They match when equal, or when they become equal after dropping up to two first
  or last segments set off by a title separator (`` | ``, `` - `` and the other dashes, `` · ``,
  `` » ``, `` :: ``, `` / ``): whether the site name belongs to the title is a convention, not an
  extraction error (nor whether the author's name follows it, as on Medium).
* Author: the letters-only words of both sides, case-folded, without connectors such as
  "by", "and", "par", "von". They match when one word set contains the other and the shared
  words are at least half of the larger set (bylines in the ground truth sometimes carry a
  date or role; a missing co-author or an extra stray name still fails).
* Date: the ``YYYY-MM-DD`` at the start of the expected published time, as the page states it
  (no time-zone conversion), must equal the extracted date.
* Site name: normalised like titles; equal, or one contains the other.
* Captions: each non-empty ``<figcaption>`` of ``expected.html`` counts once; it is found when
  at least 80% of its word tokens (as a multiset) occur in the extractor's captions and
  credits for that page (label words such as "Credit", "Photo by", "Photograph:" are ignored: extractors
  keep the credit apart and drop its label). Reference
  extractors do not separate captions, so their body text is searched instead. Caption recall
  is found/expected over all such captions.

Errors on one page count as empty output for that page; the run never stops for one page.
"""

from __future__ import annotations

import gzip
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import lxml.html

TOKEN_RE = re.compile(r"\w+", re.UNICODE)
SHINGLE_SIZE = 4
PERFECT_F1 = 0.9
CAPTION_FOUND_SHARE = 0.8
CAPTION_LABEL_RE = re.compile(r"^\s*(?:credits?|photo(?:graph)?|image)(?:\s*:\s*|\s+|(?=[A-Z]))", re.I)
MAX_TITLE_SEGMENTS_DROPPED = 2
CAPTION_LABEL_WORDS = frozenset("photo photos photograph photographs image picture credit credits by".split())
TITLE_SEPARATORS = (" | ", " - ", " · ", " » ", " :: ", " / ")
AUTHOR_CONNECTORS = frozenset("by and par von et und y e with from written posted da di de del der van".split())
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th "
    "thead tr ul".split()
)


@dataclass
class Page:
    """One test page and what a perfect extractor would return for it."""

    page_id: str
    html: bytes
    url: str = ""
    body: str = ""
    title: str | None = None
    author: str | None = None
    date: str | None = None
    site_name: str | None = None
    captions: list[str] = field(default_factory=list)


@dataclass
class Extraction:
    """What one extractor returned for one page (empty fields when it returned nothing)."""

    body: str = ""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    date: str = ""
    site_name: str = ""
    captions: list[str] = field(default_factory=list)
    captions_in_body: bool = False
    error: str = ""


Extractor = Callable[[Page], Extraction]


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
    title_pages: int
    author_accuracy: float | None
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


# ---------------------------------------------------------------- loading pages


def html_to_text(html: str | bytes, drop_figcaptions: bool = False) -> str:
    """Plain text of an HTML fragment, with line breaks between block elements."""
    if not (html.strip() if isinstance(html, str) else html.strip()):
        return ""
    root = lxml.html.fromstring(html)
    if drop_figcaptions:
        for caption in root.xpath("//figcaption"):
            _drop_keep_tail(caption)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("script", "style", "noscript", "template"):
            element.text = ""
            continue
        if element.tag in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    text = root.text_content()
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _drop_keep_tail(element: Any) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def load_pages(folder: Path, limit: int | None = None) -> list[Page]:
    """Pages of a scrapinghub-style or readability-style folder, sorted by id."""
    folder = Path(folder)
    if (folder / "ground-truth.json").is_file():
        pages = _load_scrapinghub(folder, limit)
    else:
        pages = _load_readability(folder, limit)
    if not pages:
        raise click.ClickException(f"{folder}: no test pages found (unknown layout?)")
    return pages


def _load_scrapinghub(folder: Path, limit: int | None) -> list[Page]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        path = folder / "html" / f"{page_id}.html.gz"
        if not path.is_file():
            path = folder / "html" / f"{page_id}.html"
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if raw.startswith(b"\x1f\x8b"):
            raw = gzip.decompress(raw)
        entry = truth[page_id]
        pages.append(Page(page_id, raw, url=entry.get("url") or "", body=entry.get("articleBody") or ""))
    return pages


def _load_readability(folder: Path, limit: int | None) -> list[Page]:
    pages = []
    subfolders = sorted(p for p in folder.iterdir() if (p / "source.html").is_file())
    for sub in subfolders[:limit]:
        expected_html = ""
        if (sub / "expected.html").is_file():
            expected_html = (sub / "expected.html").read_text(encoding="utf-8", errors="replace")
        meta: dict[str, Any] = {}
        if (sub / "expected-metadata.json").is_file():
            meta = json.loads((sub / "expected-metadata.json").read_text(encoding="utf-8"))
        captions: list[str] = []
        if expected_html.strip():
            root = lxml.html.fromstring(expected_html)
            for caption in root.xpath("//figcaption"):
                text = " ".join(caption.text_content().split())
                if text:
                    captions.append(text)
        pages.append(
            Page(
                sub.name,
                (sub / "source.html").read_bytes(),
                body=html_to_text(expected_html, drop_figcaptions=True),
                title=meta.get("title") or None,
                author=meta.get("byline") or None,
                date=meta.get("publishedTime") or None,
                site_name=meta.get("siteName") or None,
                captions=captions,
            )
        )
    return pages


# ---------------------------------------------------------------- extractors


def project_extractor(page: Page) -> Extraction:
    from cstosearch.ingest.html import read_html

    article = read_html(page.html, page.page_id, url_hint=page.url)
    return Extraction(
        body="\n".join(article.paragraphs),
        title=article.title,
        authors=list(article.authors),
        date=article.published_at,
        site_name=article.outlet_name,
        captions=[f"{c.text} {c.credit}".strip() for c in article.captions],
    )


def trafilatura_extractor(page: Page) -> Extraction:
    import trafilatura

    document = trafilatura.bare_extraction(page.html, url=page.url or None, favor_precision=True, with_metadata=True)
    if document is None:
        return Extraction()
    date = document.date or ""
    return Extraction(
        body=document.text or "",
        title=document.title or "",
        authors=[a.strip() for a in (document.author or "").split(";") if a.strip()],
        date=date[:10],
        site_name=document.sitename or "",
        captions_in_body=True,
    )


def readability_extractor(page: Page) -> Extraction:
    from readability import Document

    document = Document(page.html, url=page.url or None)
    return Extraction(
        body=html_to_text(document.summary(html_partial=True)),
        title=document.title() or "",
        captions_in_body=True,
    )


EXTRACTORS: dict[str, Extractor] = {
    "cstosearch": project_extractor,
    "trafilatura": trafilatura_extractor,
    "readability": readability_extractor,
}


# ---------------------------------------------------------------- scoring


def tokenize(text: str) -> list[str]:
    return TOKEN_RE.findall(text or "")


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    tokens = tokenize(text)
    grams = [tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1))]
    return Counter(gram for gram in grams if gram)


def shingle_scores(expected: str, extracted: str) -> tuple[float, float, float]:
    """Per-page (tp, fp, fn), normalised to sum to 1 (all zero when both are empty)."""
    truth, found = shingles(expected), shingles(extracted)
    tp = fp = fn = 0
    for key in truth.keys() | found.keys():
        t, f = truth.get(key, 0), found.get(key, 0)
        tp += min(t, f)
        fp += max(0, f - t)
        fn += max(0, t - f)
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def body_metrics(scores: Sequence[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean precision (pages with output), mean recall (pages with truth) and their F1."""
    precisions = [tp / (tp + fp) for tp, fp, _ in scores if tp + fp > 0]
    recalls = [tp / (tp + fn) for tp, _, fn in scores if tp + fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def page_f1(score: tuple[float, float, float]) -> float:
    tp, fp, fn = score
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = re.sub(r"[‘’‚‛′`´]", "'", text)
    text = re.sub(r"[“”„‟″«»]", '"', text)
    text = re.sub(r"[‐‑‒–—―]", "-", text)
    text = " ".join(text.split())
    return text.strip(" \"'.,;:!?")


def _title_variants(title: str) -> set[str]:
    variants = {title}
    for separator in TITLE_SEPARATORS:
        parts = title.split(separator)
        for cut in range(1, min(len(parts), MAX_TITLE_SEGMENTS_DROPPED + 1)):
            variants.add(normalise_text(separator.join(parts[:-cut])))
            variants.add(normalise_text(separator.join(parts[cut:])))
    return {v for v in variants if v}


def titles_match(expected: str, extracted: str) -> bool:
    a, b = normalise_text(expected), normalise_text(extracted)
    if not a or not b:
        return False
    return a == b or bool(_title_variants(a) & _title_variants(b))


def _name_words(text: str) -> set[str]:
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKC", text or "").casefold())
    return {w for w in words if w not in AUTHOR_CONNECTORS}


def authors_match(expected: str, extracted: Iterable[str]) -> bool:
    a, b = _name_words(expected), _name_words(" ".join(extracted))
    if not a or not b or not (a <= b or b <= a):
        return False
    return len(a & b) >= 0.5 * max(len(a), len(b))


def dates_match(expected: str, extracted: str) -> bool:
    found = re.match(r"\s*(\d{4}-\d{2}-\d{2})", expected or "")
    return bool(found) and found.group(1) == (extracted or "")[:10]


def sites_match(expected: str, extracted: str) -> bool:
    a, b = normalise_text(expected), normalise_text(extracted)
    return bool(a and b) and (a == b or a in b or b in a)


def caption_found(expected: str, haystack: str) -> bool:
    expected = CAPTION_LABEL_RE.sub("", expected)
    wanted = Counter(t for t in tokenize(expected.casefold()) if t not in CAPTION_LABEL_WORDS)
    if not wanted:
        return False
    available = Counter(tokenize(haystack.casefold()))
    hits = sum(min(count, available.get(token, 0)) for token, count in wanted.items())
    return hits >= CAPTION_FOUND_SHARE * sum(wanted.values())


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
    checks: dict[str, list[bool]] = {"title": [], "author": [], "date": [], "site": []}
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
        if page.author is not None:
            checks["author"].append(authors_match(page.author, got.authors))
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
        title_pages=len(checks["title"]),
        author_accuracy=accuracy(checks["author"]),
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
        "author",
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
                cell(r.author_accuracy, r.author_pages),
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


@click.command("eval-extract")
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--limit", type=int, default=None, help="Only the first N pages of each folder.")
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice(sorted(EXTRACTORS)),
    help="Run only these extractors (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--worst", type=int, default=0, help="Also list the N pages with the lowest project F1.")
def eval_extract(
    folders: tuple[Path, ...], limit: int | None, only: tuple[str, ...], as_json: bool, worst: int
) -> None:
    """Score HTML article extraction on test page folders (project vs trafilatura and readability)."""
    chosen = {name: EXTRACTORS[name] for name in (only or EXTRACTORS)}
    results: dict[str, list[Report]] = {}
    for folder in folders:
        results[str(folder)] = evaluate_folder(folder, limit, chosen)
    if as_json:
        payload = {
            folder: [{k: v for k, v in r.as_dict().items() if k != "per_page_f1" or worst} for r in reports]
            for folder, reports in results.items()
        }
        click.echo(json.dumps(payload, indent=2))
        return
    for folder, reports in results.items():
        click.echo(format_table(folder, reports))
        if worst:
            first = reports[0]
            click.echo(f"lowest {first.name} F1:")
            for page_id, value in sorted(first.per_page_f1.items(), key=lambda kv: kv[1])[:worst]:
                click.echo(f"  {value:.3f}  {page_id}")
        click.echo("")
