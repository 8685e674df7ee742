"""Test pages with known answers, loaded from the scrapinghub and Mozilla readability layouts."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import lxml.html

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
