"""Outlet names for a domain: the name the text itself shows when it spells the domain, else a curated table."""

from __future__ import annotations

import re
import unicodedata

from cstosearch.ingest.normalize import KNOWN_OUTLETS, registered_domain, site_host

# Major outlets by registered domain; the name as the publication writes it.
OUTLET_NAMES: dict[str, str] = {
    **KNOWN_OUTLETS,
    "latimes.com": "Los Angeles Times",
    "usatoday.com": "USA Today",
    "bloomberg.com": "Bloomberg",
    "ft.com": "Financial Times",
    "economist.com": "The Economist",
    "theatlantic.com": "The Atlantic",
    "newyorker.com": "The New Yorker",
    "politico.com": "Politico",
    "axios.com": "Axios",
    "vox.com": "Vox",
    "theverge.com": "The Verge",
    "wired.com": "Wired",
    "cnet.com": "CNET",
    "engadget.com": "Engadget",
    "techcrunch.com": "TechCrunch",
    "arstechnica.com": "Ars Technica",
    "buzzfeed.com": "BuzzFeed",
    "buzzfeednews.com": "BuzzFeed News",
    "huffpost.com": "HuffPost",
    "cbsnews.com": "CBS News",
    "nbcnews.com": "NBC News",
    "abcnews.go.com": "ABC News",
    "seattletimes.com": "The Seattle Times",
    "chicagotribune.com": "Chicago Tribune",
    "bostonglobe.com": "The Boston Globe",
    "salon.com": "Salon",
    "slate.com": "Slate",
    "medicalnewstoday.com": "Medical News Today",
    "webmd.com": "WebMD",
    "telegraph.co.uk": "The Telegraph",
    "independent.co.uk": "The Independent",
    "thetimes.co.uk": "The Times",
    "ft.co.uk": "Financial Times",
    "dw.com": "Deutsche Welle",
    "spiegel.de": "Der Spiegel",
    "zeit.de": "Die Zeit",
    "faz.net": "Frankfurter Allgemeine Zeitung",
    "sueddeutsche.de": "Süddeutsche Zeitung",
    "heise.de": "heise online",
    "lemonde.fr": "Le Monde",
    "lefigaro.fr": "Le Figaro",
    "liberation.fr": "Libération",
    "france24.com": "France 24",
    "elpais.com": "El País",
    "elmundo.es": "El Mundo",
    "corriere.it": "Corriere della Sera",
    "repubblica.it": "la Repubblica",
    "aktualne.cz": "Aktuálně.cz",
    "meduza.io": "Meduza",
    "kommersant.ru": "Kommersant",
    "rbc.ru": "RBC",
    "interfax.ru": "Interfax",
    "ria.ru": "RIA Novosti",
    "rt.com": "RT",
    "scmp.com": "South China Morning Post",
    "xinhuanet.com": "Xinhua",
    "chinadaily.com.cn": "China Daily",
    "japantimes.co.jp": "The Japan Times",
    "nikkei.com": "Nikkei",
    "abc.net.au": "ABC News",
    "smh.com.au": "The Sydney Morning Herald",
    "cbc.ca": "CBC",
    "theglobeandmail.com": "The Globe and Mail",
    "dailysabah.com": "Daily Sabah",
    "hurriyetdailynews.com": "Hürriyet Daily News",
    "armenpress.am": "Armenpress",
    "news.am": "News.am",
    "civil.ge": "Civil Georgia",
    "kyivindependent.com": "The Kyiv Independent",
    "pravda.com.ua": "Ukrainska Pravda",
    "atlasobscura.com": "Atlas Obscura",
    "quantamagazine.org": "Quanta Magazine",
    "kotaku.com": "Kotaku",
}

# A run of capitalised words (with inner links such as "of", "the"), the shape of a publication's name.
NAME_RUN = re.compile(r"(?:[A-Z][\w.&'’-]*|[A-Z]{2,})(?:\s+(?:of|the|and|de|la|le|du|der|die|das|[A-Z][\w.&'’-]*))*")


def _letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch)).casefold()


def name_in_text(domain: str, text: str) -> str:
    """A name in the text whose letters spell the domain's name ('The Seattle Times' for seattletimes.com)."""
    label = _letters(domain.split(".")[0]) if domain else ""
    if len(label) < 3:
        return ""
    best = ""
    for run in NAME_RUN.finditer(text):
        words = run.group(0).split()
        for start in range(len(words)):
            for end in range(start + 1, min(len(words), start + 5) + 1):
                candidate = " ".join(words[start:end]).rstrip(".,'’")
                letters = _letters(candidate)
                if letters == label or (letters.startswith("the") and letters[3:] == label):
                    if len(candidate) > len(best):
                        best = candidate
    return best


def outlet_for_url(url: str, shown_text: str = "") -> str:
    """The outlet of a page URL: a matching name shown in the text, the table's name, else the bare host."""
    domain = registered_domain(url)
    if not domain:
        return ""
    return name_in_text(domain, shown_text) or OUTLET_NAMES.get(domain) or site_host(url)
