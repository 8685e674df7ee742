"""The text-dump reader as a pipeline of small steps, from raw text to one Article.

Clean the lines, take the footer URL and stray URLs, read the header, drop player junk, lift doubled
captions, build paragraphs (re-joining hard wraps and page breaks), lift body captions, then name the outlet.
"""

from __future__ import annotations

import re

from cstosearch.article import Article
from cstosearch.errors import UnreadableSource
from cstosearch.ingest.outlets import outlet_for_url
from cstosearch.ingest.text.authors import restore_accents
from cstosearch.ingest.text.captions import take_body_captions, take_doubled_captions, unique_captions
from cstosearch.ingest.text.header import take_header
from cstosearch.ingest.text.junk import drop_player_runs, is_related_line
from cstosearch.ingest.text.lines import BULLET, Draft, clean_lines, has_blank_between, strip_markdown
from cstosearch.ingest.text.urls import take_footer_url, take_stray_urls
from cstosearch.ingest.text.wraps import is_hard_wrapped, line_pieces, rejoin_broken, wrap_width


def read_text(text: str, source_path: str) -> Article:
    """Turn one text dump into an Article; raises UnreadableSource when nothing is left."""
    draft = Draft(lines=clean_lines(text))
    take_footer_url(draft)
    take_stray_urls(draft)
    take_header(draft)
    drop_player_runs(draft)
    take_doubled_captions(draft)
    hard_wrapped = is_hard_wrapped(draft.lines)
    pieces = [p for p in line_pieces(draft.lines, hard_wrapped) if not is_related_line(p)]
    pieces = [_plain(p) for p in take_body_captions(pieces, draft)]
    pieces = [p for p in pieces if p]
    # Bare text has one paragraph per line and no blank lines: nothing there was broken by a blank line.
    heading_chars = int(wrap_width([line for line in draft.lines if line.strip()]) * 0.85) if hard_wrapped else 0
    paragraphs = rejoin_broken(pieces, hard_wrapped, heading_chars) if has_blank_between(draft.lines) else pieces
    if not paragraphs:
        raise UnreadableSource(source_path, "no article text found")
    captions = unique_captions(draft.captions)
    shown = "\n".join([draft.title, draft.subtitle, *paragraphs, *(f"{c.text}\n{c.credit}" for c in captions)])
    outlet = draft.outlet_name
    for hint in [draft.url, *draft.url_hints]:
        if hint and not outlet:
            outlet = outlet_for_url(hint, shown)
    return Article(
        paragraphs=paragraphs,
        url=draft.url,
        title=draft.title,
        subtitle=draft.subtitle,
        authors=[restore_accents(name, shown) for name in draft.authors],
        published_at=draft.published_at,
        outlet_name=outlet,
        captions=captions,
        source_path=source_path,
    )


def _plain(piece: str) -> str:
    """Markdown emphasis, links, heading marks and list bullets removed."""
    piece = strip_markdown(piece).strip()
    piece = re.sub(r"^#+\s*", "", piece)
    return BULLET.sub("", piece, count=1) if piece.startswith(("* ", "- ", "• ")) else piece
