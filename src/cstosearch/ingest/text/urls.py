"""The footer URL of page dumps and stray URLs (PDF page footers, author links) taken out of the text."""

from __future__ import annotations

import re

from cstosearch.ingest.normalize import author_from_url, normalize_url
from cstosearch.ingest.text.lines import URL_ONLY, Draft

FOOTER_LABEL = re.compile(r"^(original url|source|original article|read more at)\s*:\s*(.*)$", re.I)


def take_footer_url(draft: Draft) -> None:
    """'Original url:' followed by the URL on the same or the next non-empty line."""
    lines = draft.lines
    for i in range(len(lines) - 1, -1, -1):
        match = FOOTER_LABEL.match(lines[i].strip())
        if not match:
            continue
        candidate, last = match.group(2).strip(), i
        if not candidate:
            for j in range(i + 1, min(i + 4, len(lines))):
                if lines[j].strip():
                    candidate, last = lines[j].strip(), j
                    break
        url_match = URL_ONLY.match(candidate)
        if url_match:
            draft.url = normalize_url(url_match.group(1))
            del lines[i: last + 1]
        return


def take_stray_urls(draft: Draft) -> None:
    """A URL alone on a line (a PDF page footer, an author link) is never body text."""
    kept = []
    for line in draft.lines:
        match = URL_ONLY.match(line.strip())
        if not match:
            kept.append(line)
            continue
        url = normalize_url(match.group(1))
        author = author_from_url(url)
        if author and author not in draft.authors:
            draft.authors.append(author)
        draft.url_hints.append(url)
    draft.lines = kept
