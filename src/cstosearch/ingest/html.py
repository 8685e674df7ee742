"""Turn a saved news web page into an Article: body paragraphs, metadata and photo captions.

The page is read in small steps: decode the bytes, parse once, read metadata (JSON-LD, meta
tags, byline markup), take photo captions out of the tree, then find the body text with
trafilatura (readability-lxml when trafilatura finds little) on the caption-free tree.
"""

from __future__ import annotations

import codecs
import copy
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.etree
import lxml.html

from cstosearch.article import Article, Caption
from cstosearch.errors import UnreadableSource
from cstosearch.ingest.files import decode_text
from cstosearch.ingest.normalize import normalize_url, outlet_from_url, site_host

HEAD_BYTES = 8192
META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
# Browsers read these labels as windows-1252 (WHATWG encoding standard); so must we.
WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "latin-1", "latin1", "ascii", "us-ascii", "l1"})

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenews",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "blogposting",
        "liveblogposting",
        "scholarlyarticle",
        "techarticle",
        "report",
        "socialmediaposting",
        "webpage",
        "medicalwebpage",
        "posting",
    }
)
TITLE_SPLIT_RE = re.compile(r"(\s+(?:\||-|–|—|·|»|::|/)\s+)")
BY_PREFIX_RE = re.compile(
    r"^\s*(?:(?:written|posted|reported|words|story|text|photos?)\s+)?"
    r"(?:by:?|par|von|por|di|door|av|af|autor(?:in)?:?|автор:?|author:?)\s+",
    re.IGNORECASE,
)
AUTHOR_SPLIT_RE = re.compile(r"\s*(?:,|;|\s&\s|\s\+\s|\b(?:and|und|et|y|i|e|with|avec|mit|con)\b)\s*")
NAME_JUNK_RE = re.compile(
    r"https?://|www\.|@|\d{3,}|\b(?:updated|published|posted|staff|editor|correspondent|"
    r"reporter|contributor|follow|email|twitter|min read|share)\b",
    re.IGNORECASE,
)
ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
CAPTION_CREDIT_XPATH = (
    ".//*[self::small or self::cite or contains(concat(' ', normalize-space(@class), ' '), ' credit ')"
    " or contains(@class, 'credit') or contains(@class, 'Credit') or contains(@class, 'copyright')"
    " or contains(@class, 'byline') or contains(@class, 'source') or contains(@class, 'attribution')]"
)
CREDIT_PREFIX_RE = re.compile(
    r"^\s*(?:photo(?:graph)?s?|image|picture|foto|bild|credit|source|copyright|©|\(c\))\s*[:/]?\s*",
    re.IGNORECASE,
)
CREDIT_LABEL_RE = re.compile(
    r"\(\s*(?:photo(?:graph)?s?|foto|image|credit)\b\s*:?"
    r"|\b(?:photo(?:graph)?s?|image|picture|foto|bild)\s*(?:by\b|:|/|credit\s*:?)"
    r"|\bcredits?\s*:|\bcredit\b|Credit(?=[A-Z])|©",
    re.IGNORECASE,
)
CAPTION_LABEL_RE = re.compile(r"^\s*(?:main\s+|top\s+|lead\s+)?(?:image|photo|picture)\s*:\s*", re.I)
JUNK_LINE_RE = re.compile(
    r"^(?:advertisement|advert|sponsored|share(?: this(?: article| story)?)?|share on \w+|"
    r"tweet|email|print|comments?|related(?: articles?| stories| content)?:?|read more:?|"
    r"sign up.*newsletter.*|subscribe(?: now)?|click here.*|follow us.*|"
    r"we use cookies.*|this (?:site|website) uses cookies.*|accept(?: all)? cookies|"
    r"skip (?:to|advertisement).*|image|photo|loading\.*|close)$",
    re.IGNORECASE,
)
# Comments and processing instructions confuse the extractors' tree walks (text hides in tails).
HTML_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th "
    "thead tr ul".split()
)
WORD_RE = re.compile(r"\w+")
LONGER_BODY_RATIO = 1.5
SHORTER_BODY_RATIO = 0.5
SUBSET_SHARE = 0.95
MIN_BODY_WORDS = 5


@dataclass
class PageMetadata:
    """Metadata gathered from one parsed page; empty when the page does not say."""

    title: str = ""
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: str = ""
    outlet_name: str = ""
    url: str = ""
    language: str = ""


# ---------------------------------------------------------------- decoding and parsing


def declared_charset(raw: bytes) -> str | None:
    """The charset a page declares in its first bytes (meta tag or XML declaration)."""
    head = raw[:HEAD_BYTES]
    found = XML_ENCODING_RE.search(head) or META_CHARSET_RE.search(head)
    if not found:
        return None
    label = found.group(1).decode("ascii", "ignore").strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if label in WINDOWS_1252_LABELS or name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return name


def decode_html(raw: bytes, source_path: str) -> str:
    """Page text: UTF-8 when valid, else the declared charset, else a sniffed one."""
    charset = declared_charset(raw)
    if charset == "cp1252" and _looks_cyrillic_misdeclared(raw):
        charset = None
    text = decode_text(raw, source_path, charset)
    return text.lstrip("\ufeff")


def _looks_cyrillic_misdeclared(raw: bytes) -> bool:
    """True when bytes declared as Latin-1 read like windows-1251 Cyrillic instead.

    Western text has a few accented letters among ASCII ones; Cyrillic text in a single-byte
    code page is mostly high bytes in the 0xC0-0xFF range, forming whole words.
    """
    sample = raw[:65536]
    high = sum(1 for b in sample if b >= 0xC0)
    letters = sum(1 for b in sample if 65 <= (b | 32) <= 122)
    return high > 200 and high > 0.5 * letters


def parse_html(text: str, source_path: str) -> Any:
    """An lxml tree of the page; raises UnreadableSource when nothing parses."""
    text = XML_DECLARATION_RE.sub("", text, count=1)
    if not text.strip():
        raise UnreadableSource(source_path, "empty page")
    try:
        tree = lxml.html.document_fromstring(text, parser=HTML_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise UnreadableSource(source_path, f"cannot parse HTML: {exc}") from exc
    return tree


# ---------------------------------------------------------------- small text functions


def clean_text(text: str | None) -> str:
    return " ".join((text or "").split())


def element_text(element: Any) -> str:
    """Visible text of an element with spaces where block elements meet."""
    parts: list[str] = []
    for node in element.iter():
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript"):
            if node is not element and node.tail:
                parts.append(node.tail)
            continue
        if node.tag in ("br", "p", "div", "li", "span") and parts:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        if node is not element and node.tail:
            parts.append(node.tail)
    return clean_text("".join(parts))


def _walk_json(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in value:
                yield from _walk_json(value[key])
    elif isinstance(value, list):
        for item in value:
            yield from _walk_json(item)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type") or []
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def json_ld_objects(tree: Any) -> list[dict[str, Any]]:
    """All JSON-LD objects of the page (article-like ones first)."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        raw = re.sub(r"^\s*<!\[CDATA\[|\]\]>\s*$", "", raw)
        try:
            data = json.loads(raw)
        except ValueError:
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
            except ValueError:
                continue
        found.extend(_walk_json(data))
    articles = [n for n in found if _types(n) & ARTICLE_TYPES and "webpage" not in _types(n)]
    pages = [n for n in found if "webpage" in _types(n)]
    others = [n for n in found if n not in articles and n not in pages]
    return articles + pages + others


def _ld_first(objects: list[dict[str, Any]], key: str, article_only: bool = True) -> Any:
    for node in objects:
        if article_only and not (_types(node) & ARTICLE_TYPES):
            continue
        value = node.get(key)
        if value:
            return value
    return None


def _ld_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name") or ""
        if isinstance(name, list):
            return [str(n) for n in name]
        return [str(name)] if name else []
    if isinstance(value, list):
        names: list[str] = []
        for item in value:
            names.extend(_ld_names(item))
        return names
    return []


def meta_values(tree: Any) -> dict[str, list[str]]:
    """Content of <meta> tags by lower-cased name/property/itemprop."""
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        content = clean_text(content)
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attribute)
            if key:
                for part in key.lower().split():
                    values.setdefault(part, []).append(content)
    return values


def _first_meta(meta: dict[str, list[str]], *keys: str) -> str:
    for key in keys:
        for value in meta.get(key, []):
            if value:
                return value
    return ""


# ---------------------------------------------------------------- metadata


def iso_date(value: Any) -> str:
    """YYYY-MM-DD from an ISO-like date string, or '' when it holds no valid date."""
    if not isinstance(value, str):
        return ""
    found = ISO_DATE_RE.search(value)
    if not found:
        return ""
    year, month, day = (int(g) for g in found.groups())
    if not (1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def clean_author_names(values: Iterable[str]) -> list[str]:
    """Person names from raw author strings: 'By A and B' -> ['A', 'B']; URLs and junk dropped."""
    names: list[str] = []
    seen: set[str] = set()
    for value in values:
        value = clean_text(value)
        if not value or value.startswith(("http://", "https://", "/")):
            continue
        value = BY_PREFIX_RE.sub("", value).replace("(", ",").replace(")", ",")
        value = re.split(r"\s[|–—]\s|\s-\s", value)[0]
        for part in AUTHOR_SPLIT_RE.split(value):
            name = BY_PREFIX_RE.sub("", part).strip(" .,:;-–—|")
            if not name or NAME_JUNK_RE.search(name) or len(name) > 60:
                continue
            if len(name.split()) > 5 or not re.search(r"[^\W\d_]", name):
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                names.append(name)
    return names


BYLINE_XPATH = (
    "//*[@itemprop='author']//*[@itemprop='name'] | //*[@itemprop='author'][not(.//*[@itemprop='name'])]"
    " | //a[@rel='author'] | //*[contains(@class, 'byline') or contains(@class, 'author-name')"
    " or @class='author' or contains(@class, 'article-author') or contains(@class, 'byline__name')]"
)
OFF_ARTICLE_XPATH = (
    "ancestor::footer | ancestor::nav | ancestor::*[contains(@class, 'comment')"
    " or contains(@class, 'related') or contains(@class, 'recommend') or contains(@id, 'comment')]"
)


def _byline_names(tree: Any) -> list[str]:
    """Names in the byline nearest the headline (pages list other stories' bylines too)."""
    nodes = [n for n in tree.xpath(BYLINE_XPATH) if not n.xpath(OFF_ARTICLE_XPATH)]
    nodes = [n for n in nodes if 0 < len(element_text(n)) < 120]
    if not nodes:
        return []
    order = {node: i for i, node in enumerate(tree.iter())}
    headings = tree.xpath("//h1")
    anchor = order.get(headings[0], 0) if len(headings) == 1 else 0
    chosen = min(nodes, key=lambda n: (order[n] < anchor, abs(order[n] - anchor)))
    return clean_author_names([element_text(chosen)])


def extract_authors(tree: Any, meta: dict[str, list[str]], ld: list[dict[str, Any]]) -> list[str]:
    ld_author = _ld_first(ld, "author") or _ld_first(ld, "creator")
    if ld_author:
        names = clean_author_names(_ld_names(ld_author))
        if names:
            return names
    for key in (
        "dc:creator",
        "dc.creator",
        "dcterms:creator",
        "dcterms.creator",
        "author",
        "article:author",
        "parsely-author",
        "sailthru.author",
        "byl",
    ):
        names = clean_author_names(meta.get(key, []))
        if names:
            return names
    return _byline_names(tree)


def _strip_site_from_title(title: str, site_names: Iterable[str], heading: str) -> str:
    """Drop a leading or trailing ' | Site name' segment; keep the title otherwise."""
    pieces = TITLE_SPLIT_RE.split(title)  # text, separator, text, separator, ...
    if len(pieces) < 3:
        return title
    sites = {re.sub(r"\W+", "", s).casefold() for s in site_names if s}
    sites.discard("")

    def is_site(part: str) -> bool:
        key = re.sub(r"\W+", "", part).casefold()
        return bool(key) and any(key == s or key in s or s in key for s in sites)

    while len(pieces) >= 3 and is_site(pieces[-1]):
        pieces = pieces[:-2]
    while len(pieces) >= 3 and is_site(pieces[0]):
        pieces = pieces[2:]
    if len(pieces) >= 3 and heading:
        head_key = clean_text(heading).casefold()
        for end in range(len(pieces) - 2, 0, -2):
            if clean_text("".join(pieces[:end])).casefold() == head_key:
                return clean_text(heading)
    return clean_text("".join(pieces))


def _same_title(a: str, b: str) -> bool:
    a, b = (re.sub(r"\W+", " ", t).strip().casefold() for t in (a, b))
    return bool(a and b) and (a == b or (len(a) > 15 and a in b) or (len(b) > 15 and b in a))


def extract_title(
    tree: Any,
    meta: dict[str, list[str]],
    ld: list[dict[str, Any]],
    outlet: str,
    url: str,
    authors: Iterable[str] = (),
) -> str:
    """The headline: the first stated title another source on the page confirms, else the first."""
    headings = [element_text(h) for h in tree.xpath("//h1")]
    headings = [h for h in headings if 3 <= len(h) <= 300]
    heading = headings[0] if len(headings) == 1 else ""
    site_names = [outlet, site_host(url).split(".")[0] if url else "", *authors]
    ld_headline = _ld_first(ld, "headline")
    # One candidate per independent source: meta tags often repeat each other.
    stated = [
        _first_meta(
            meta,
            "dc:title",
            "dc.title",
            "dcterms:title",
            "dcterms.title",
            "og:title",
            "twitter:title",
            "parsely-title",
            "sailthru.title",
        ),
        clean_text(ld_headline) if isinstance(ld_headline, str) else "",
        clean_text(tree.findtext(".//title")),
        heading,
    ]
    candidates = [_strip_site_from_title(clean_text(c), site_names, heading) for c in stated]
    candidates = [c for c in candidates if c]
    for i, candidate in enumerate(candidates):
        if any(_same_title(candidate, other) for j, other in enumerate(candidates) if j != i):
            return candidate
    return candidates[0] if candidates else ""


def extract_date(tree: Any, meta: dict[str, list[str]], ld: list[dict[str, Any]], url: str) -> str:
    for value in (
        _ld_first(ld, "datePublished"),
        _ld_first(ld, "dateCreated"),
        _first_meta(
            meta,
            "article:published_time",
            "og:published_time",
            "article:published",
            "datepublished",
            "publishdate",
            "pubdate",
            "publish-date",
            "date",
            "dc.date.issued",
            "dcterms.issued",
            "dc.date",
            "dcterms.date",
            "parsely-pub-date",
            "sailthru.date",
            "article.published",
            "published_time",
        ),
    ):
        found = iso_date(value)
        if found:
            return found
    for node in tree.xpath("//time[@itemprop='datePublished' or @pubdate or contains(@class, 'publish')]"):
        found = iso_date(node.get("datetime") or "")
        if found:
            return found
    try:
        from htmldate import find_date

        found = find_date(copy.deepcopy(tree), url=url or None, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # htmldate fails on odd trees; a missing date is not an error
        found = None
    return found or ""


def extract_language(tree: Any, meta: dict[str, list[str]], ld: list[dict[str, Any]]) -> str:
    value = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if not value:
        body = tree.find("body")
        value = body.get("lang", "") if body is not None else ""
    if not value:
        value = _first_meta(meta, "content-language", "og:locale", "dc.language", "language")
    if not value:
        in_language = _ld_first(ld, "inLanguage")
        value = in_language if isinstance(in_language, str) else ""
    primary = re.split(r"[-_,;\s]", value.strip().lower())[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary or "") else ""


def extract_metadata(tree: Any, url_hint: str = "") -> tuple[PageMetadata, list[dict[str, Any]]]:
    meta = meta_values(tree)
    ld = json_ld_objects(tree)
    base = url_hint
    canonical = ""
    for link in tree.xpath("//link[@href]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            canonical = link.get("href")
            break
    og_url = _first_meta(meta, "og:url")
    url = normalize_url(canonical, base or og_url) or normalize_url(og_url, base) or normalize_url(url_hint)
    publisher = _ld_first(ld, "publisher") or _ld_first(ld, "publisher", article_only=False)
    outlet = (
        _first_meta(meta, "og:site_name", "application-name", "al:android:app_name")
        or next(iter(_ld_names(publisher)), "")
        or outlet_from_url(url or url_hint)
    )
    outlet = clean_text(outlet)
    subtitle = _ld_first(ld, "alternativeHeadline")
    authors = extract_authors(tree, meta, ld)
    data = PageMetadata(
        title=extract_title(tree, meta, ld, outlet, url or url_hint, authors),
        subtitle=clean_text(subtitle) if isinstance(subtitle, str) else "",
        authors=authors,
        published_at=extract_date(tree, meta, ld, url or url_hint),
        outlet_name=outlet,
        url=url,
        language=extract_language(tree, meta, ld),
    )
    return data, ld


# ---------------------------------------------------------------- captions


def _split_credit(text: str) -> tuple[str, str]:
    """Split 'Caption text. Photograph: Name' into text and credit at the last credit label."""
    labels = list(CREDIT_LABEL_RE.finditer(text))
    if not labels:
        return text, ""
    label = labels[-1]
    credit = text[label.end() :].strip(" ()[]:")
    if not 2 <= len(credit) <= 120:
        return text, ""
    return text[: label.start()].rstrip(" ([-–—|"), credit


def _caption_from(element: Any) -> Caption | None:
    credit_parts: list[str] = []
    working = copy.deepcopy(element)
    working.tail = None
    for credit in working.xpath(CAPTION_CREDIT_XPATH):
        text = element_text(credit)
        if text and text not in credit_parts:
            credit_parts.append(text)
        parent = credit.getparent()
        if parent is not None:
            _remove_keep_tail(credit)
    text = element_text(working)
    credit = " ".join(credit_parts)
    if not credit:
        text, credit = _split_credit(text)
    credit = CREDIT_PREFIX_RE.sub("", credit).strip(" ()[]")
    text = CAPTION_LABEL_RE.sub("", text).strip()
    if not text and not credit:
        return None
    return Caption(text=text, credit=credit)


def _remove_keep_tail(element: Any) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    element.tail = None
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def caption_elements(tree: Any) -> list[Any]:
    """Caption elements of photos: figcaptions and caption/credit blocks next to images."""
    found = tree.xpath(
        "//figcaption"
        " | //*[contains(@class, 'wp-caption-text')]"
        " | //figure//*[contains(@class, 'caption') and not(ancestor::figcaption)]"
        " | //figure//*[contains(@class, 'credit') and not(ancestor::figcaption)"
        "   and not(ancestor::*[contains(@class, 'caption')])]"
    )
    unique: list[Any] = []
    for element in found:
        if any(element in set(other.iterdescendants()) for other in unique):
            continue
        unique = [u for u in unique if u not in set(element.iterdescendants())]
        unique.append(element)
    return [e for e in unique if not e.xpath("ancestor::nav | ancestor::footer | ancestor::*[@role='navigation']")]


def extract_captions(elements: list[Any], ld: list[dict[str, Any]]) -> list[Caption]:
    captions: list[Caption] = []
    for element in elements:
        caption = _caption_from(element)
        if caption is not None:
            captions.append(caption)
    images = _ld_first(ld, "image") or []
    for image in images if isinstance(images, list) else [images]:
        if isinstance(image, dict) and isinstance(image.get("caption"), str):
            text = clean_text(image["caption"])
            credit = image.get("creditText") or image.get("copyrightHolder") or ""
            credit = ", ".join(_ld_names(credit)) if not isinstance(credit, str) else credit
            if text:
                captions.append(Caption(text=text, credit=clean_text(credit)))
    return merge_captions(captions)


def merge_captions(captions: Iterable[Caption]) -> list[Caption]:
    """Captions without repeats: same text (case and spacing aside) counts once, keeping a credit."""
    merged: list[Caption] = []
    by_key: dict[str, int] = {}
    for caption in captions:
        key = re.sub(r"\W+", " ", caption.text).strip().casefold() or "credit:" + caption.credit.casefold()
        if key in by_key:
            index = by_key[key]
            if not merged[index].credit and caption.credit:
                merged[index] = Caption(merged[index].text, caption.credit)
            continue
        # A caption repeated with its credit glued on ("Text Photo: X") is the same caption.
        duplicate = next(
            (
                i
                for i, m in enumerate(merged)
                if m.text and caption.text and (m.text.startswith(caption.text) or caption.text.startswith(m.text))
            ),
            None,
        )
        if duplicate is not None:
            current = merged[duplicate]
            shorter = caption if len(caption.text) <= len(current.text) else current
            merged[duplicate] = Caption(shorter.text, current.credit or caption.credit)
            by_key[key] = duplicate
            continue
        by_key[key] = len(merged)
        merged.append(caption)
    return merged


# ---------------------------------------------------------------- body


def _trafilatura_lines(tree: Any, url: str, precision: bool) -> list[str]:
    import trafilatura

    text = trafilatura.extract(
        copy.deepcopy(tree),
        url=url or None,
        favor_precision=precision,
        favor_recall=not precision,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
        output_format="txt",
    )
    return [clean_text(line) for line in (text or "").splitlines() if clean_text(line)]


def block_lines(root: Any) -> list[str]:
    """Text of a tree as lines, one per block element (paragraph, list item, heading, cell)."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("script", "style", "noscript", "template"):
            element.text = ""
        elif element.tag in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    return [clean_text(line) for line in root.text_content().splitlines() if clean_text(line)]


def _readability_lines(tree: Any) -> list[str]:
    from readability import Document

    html = lxml.html.tostring(tree, encoding="unicode")
    summary = Document(html).summary(html_partial=True)
    if not summary.strip():
        return []
    return block_lines(lxml.html.fromstring(summary))


def _word_count(lines: list[str]) -> int:
    return sum(len(line.split()) for line in lines)


def clean_paragraphs(lines: Iterable[str], captions: list[Caption]) -> list[str]:
    """Body lines without junk (share buttons, cookie notes) and without caption text."""
    caption_keys = {re.sub(r"\W+", " ", c.text).strip().casefold() for c in captions if c.text}
    caption_keys |= {re.sub(r"\W+", " ", f"{c.text} {c.credit}").strip().casefold() for c in captions if c.text}
    paragraphs: list[str] = []
    for line in lines:
        line = clean_text(line)
        if not line or JUNK_LINE_RE.match(line):
            continue
        if re.sub(r"\W+", " ", line).strip().casefold() in caption_keys:
            continue
        paragraphs.append(line)
    return paragraphs


def _shingles(lines: Iterable[str]) -> Counter[tuple[str, ...]]:
    tokens = WORD_RE.findall(" ".join(lines))
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(0, len(tokens) - 3)))


def _contained_share(part: list[str], whole: list[str]) -> float:
    """Share of ``part``'s 4-word sequences that also occur in ``whole``."""
    wanted, available = _shingles(part), _shingles(whole)
    total = sum(wanted.values())
    if not total:
        return 0.0
    return sum(min(count, available.get(key, 0)) for key, count in wanted.items()) / total


def choose_body(precise: list[str], broad: list[str]) -> list[str]:
    """Pick between trafilatura's precise text and readability-lxml's text.

    trafilatura (favor_precision) is usually cleaner but sometimes stops half-way through an
    article; readability-lxml then finds much more. When readability-lxml returns a shorter
    text made almost only of trafilatura's sentences, trafilatura has picked up extra blocks.
    """
    precise_words, broad_words = _word_count(precise), _word_count(broad)
    if broad_words > LONGER_BODY_RATIO * precise_words:
        return broad
    if SHORTER_BODY_RATIO * precise_words <= broad_words < precise_words and (
        _contained_share(broad, precise) >= SUBSET_SHARE
    ):
        return broad
    return precise


def extract_body(tree: Any, url: str) -> list[str]:
    """Lines of the main text, from trafilatura and readability-lxml (see choose_body)."""
    precise = _trafilatura_lines(tree, url, precision=True)
    try:
        broad = _readability_lines(tree)
    except Exception:  # readability-lxml raises bare errors on odd markup; trafilatura still counts
        broad = []
    lines = choose_body(precise, broad)
    if _word_count(lines) < MIN_BODY_WORDS:
        recall = _trafilatura_lines(tree, url, precision=False)
        if _word_count(recall) > _word_count(lines):
            lines = recall
    return lines


# ---------------------------------------------------------------- entry point


def read_html(raw: bytes, source_path: str, url_hint: str = "") -> Article:
    """The Article in a saved web page; raises UnreadableSource when the page holds none."""
    text = decode_html(raw, source_path)
    tree = parse_html(text, source_path)
    metadata, ld = extract_metadata(tree, url_hint)
    captions_found = caption_elements(tree)
    captions = extract_captions(captions_found, ld)
    for element in captions_found:
        _remove_keep_tail(element)
    lines = extract_body(tree, metadata.url or normalize_url(url_hint))
    paragraphs = clean_paragraphs(lines, captions)
    if metadata.title and paragraphs and clean_text(paragraphs[0]) == metadata.title:
        paragraphs = paragraphs[1:]
    if _word_count(paragraphs) < MIN_BODY_WORDS:
        raise UnreadableSource(source_path, "no article text found")
    return Article(
        paragraphs=paragraphs,
        url=metadata.url,
        title=metadata.title,
        subtitle=metadata.subtitle,
        authors=metadata.authors,
        published_at=metadata.published_at,
        outlet_name=metadata.outlet_name,
        captions=captions,
        source_path=source_path,
        language=metadata.language,
    )
