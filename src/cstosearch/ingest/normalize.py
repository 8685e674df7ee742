"""Metadata normalisers shared by every reader: URLs, dates, authors, outlets, credits."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from dateutil import parser as date_parser

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga",
    "_gl", "ocid", "cmpid", "ref_src", "smid", "sr_share", "share", "mbid", "ito", "ns_campaign", "ns_mchannel",
    "ns_source", "ns_linkname", "ns_fee",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "vero_")

# Outlets whose names cannot be read off their domain.
KNOWN_OUTLETS = {
    "themoscowtimes.com": "The Moscow Times",
    "theepochtimes.com": "The Epoch Times",
    "nytimes.com": "The New York Times",
    "washingtonpost.com": "The Washington Post",
    "wsj.com": "The Wall Street Journal",
    "reuters.com": "Reuters",
    "apnews.com": "AP News",
    "bbc.co.uk": "BBC",
    "bbc.com": "BBC",
    "theguardian.com": "The Guardian",
    "aljazeera.com": "Al Jazeera",
    "rferl.org": "RFE/RL",
    "azatutyun.am": "Azatutyun",
    "eurasianet.org": "Eurasianet",
    "tass.com": "TASS",
    "foxnews.com": "Fox News",
    "cnn.com": "CNN",
    "npr.org": "NPR",
}

MULTI_PART_SUFFIXES = ("co.uk", "com.au", "co.jp", "com.br", "org.uk", "co.in", "co.nz")


def normalize_url(url: str, base: str = "") -> str:
    """Absolute URL with lower-case scheme and host, no default port, fragment or tracking parameters."""
    url = " ".join(url.split()).strip("<>")
    if not url:
        return ""
    if base:
        url = urljoin(base, url)
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        return ""
    netloc = parts.netloc.lower()
    if (scheme, netloc[-3:]) == ("http", ":80"):
        netloc = netloc[:-3]
    if (scheme, netloc[-4:]) == ("https", ":443"):
        netloc = netloc[:-4]
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)])
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit((scheme, netloc, path, query, ""))


def site_host(url: str) -> str:
    """The host without its www-like prefix: ``https://www.nytimes.com/x`` -> ``nytimes.com``."""
    host = urlsplit(url).hostname or ""
    return re.sub(r"^(?:www\d*|m|amp|mobile|edition)\.", "", host)


def registered_domain(url: str) -> str:
    """``www.themoscowtimes.com`` -> ``themoscowtimes.com`` (good enough without a suffix list)."""
    host = urlsplit(url).hostname or ""
    labels = host.split(".")
    keep = 3 if host.endswith(MULTI_PART_SUFFIXES) else 2
    return ".".join(labels[-keep:]) if len(labels) >= keep else host


def outlet_from_url(url: str) -> str:
    domain = registered_domain(url)
    if not domain:
        return ""
    return KNOWN_OUTLETS.get(domain) or site_host(url)


def author_from_url(url: str) -> str:
    """Author pages such as ``/author/pyotr-kozlov`` name the author in their slug."""
    match = re.search(r"/(?:author|authors|by|profile|people|writers?)/([a-z][a-z0-9-]+?)/?$", url.lower())
    if not match:
        return ""
    words = [w for w in match.group(1).split("-") if w and not w.isdigit()]
    return " ".join(w.capitalize() for w in words)


def split_authors(raw: str) -> list[str]:
    """'By Jane Roe and John Doe' -> ['Jane Roe', 'John Doe']."""
    raw = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw)  # markdown links
    raw = re.sub(r"^\s*(by|from)\s+", "", raw.strip(), flags=re.I)
    raw = raw.strip(" ,;|*")
    if not raw:
        return []
    pieces = re.split(r"\s*(?:,|;|\band\b|&|\|)\s*", raw)
    return [" ".join(p.split()) for p in pieces if p and p.strip()]


_DATE_HINT = re.compile(
    r"\b(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|"
    r"\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec))",
    re.I,
)


def parse_date(text: str) -> str:
    """ISO date for a date written out in full (year, month and day), else ""."""
    text = text.strip()
    if not text or len(text) > 80 or not _DATE_HINT.search(text):
        return ""
    text = re.sub(r"^(updated|published|posted|last updated)\s*:?\s*", "", text, flags=re.I)
    try:
        first = date_parser.parse(text, default=datetime(1900, 1, 1), fuzzy=True)
        second = date_parser.parse(text, default=datetime(1904, 2, 2), fuzzy=True)
    except (ValueError, OverflowError):
        return ""
    if first.date() != second.date():
        return ""  # the text lacks year, month or day: do not invent it
    if not 1900 < first.year < 2100:
        return ""
    return first.date().isoformat()


def normalize_date(value: str) -> str:
    """A date from structured data (ISO timestamps, 'YYYY-MM-DD', or prose) as ISO date."""
    value = (value or "").strip()
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)
    if match:
        try:
            return datetime(int(match[1]), int(match[2]), int(match[3])).date().isoformat()
        except ValueError:
            return ""
    return parse_date(value)


CREDIT_WORDS = re.compile(
    r"\b(AP|AFP|TASS|Reuters|Getty|Sputnik|EPA|Photo|Photos|Images|Pool|Shutterstock|Xinhua|"
    r"Bloomberg|Courtesy|Handout|press service|Anadolu|Photolure|kremlin\.ru|Wikimedia|"
    r"Wikipedia|Flickr|Alamy|Unsplash)\b"
)
TERMINAL = tuple(".!?\"”’…;:")


def looks_like_credit(text: str) -> bool:
    text = text.strip()
    if not 2 < len(text) <= 100 or text.endswith(TERMINAL):
        return False
    if text.startswith("(") and text.endswith(")"):
        return True
    return "/" in text or bool(CREDIT_WORDS.search(text))


def split_caption_credit(text: str) -> tuple[str, str] | None:
    """'A man speaks. Jane Roe / AP' -> ('A man speaks.', 'Jane Roe / AP'); None if no credit."""
    text = " ".join(text.split())
    bold = re.match(r"^(?P<text>.*?)\s*\*\*(?P<credit>[^*]+)\*\*\s*$", text)
    if bold:
        return bold["text"].strip(), bold["credit"].strip()
    for match in reversed(list(re.finditer(r"[.!?]\s+", text))):
        before = text[: match.start()]
        if re.search(r"(^|\s)[A-Z]$", before):
            continue  # an initial, as in "J. Smith"
        tail = text[match.end():]
        if looks_like_credit(tail):
            credit = tail[1:-1] if tail.startswith("(") and tail.endswith(")") else tail
            return text[: match.start() + 1].strip(), credit.strip()
        return None
    return None
