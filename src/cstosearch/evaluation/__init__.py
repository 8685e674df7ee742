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
* Strict title and strict byline: the expected title, and the expected byline against the
  extracted names joined by ``", "``, must be equal after collapsing whitespace and case-folding:
  no segment dropped, no "By" prefix, date or role forgiven.
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
