"""HTML reader rules on small pages written here: titles, bylines, body lines, merging, scoring."""

from __future__ import annotations

from pathlib import Path

import pytest

from cstosearch.evaluation import matching
from cstosearch.evaluation.extractors import EXTRACTORS
from cstosearch.evaluation.report import evaluate_folder
from cstosearch.ingest.html import read_html
from cstosearch.ingest.html.body import choose_body, clean_paragraphs
from cstosearch.ingest.html.body_lines import is_article_metadata, is_byline, is_dateline, is_photo_credit
from cstosearch.ingest.html.body_merge import merge_lines, without_unshared_labels
from cstosearch.ingest.html.bylines import clean_author_names
from cstosearch.ingest.html.page import without_page_header

SHARED = Path(__file__).resolve().parents[2] / "shared" / "html-pages"
PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of the council story tells what the city decided about the river bank on Tuesday.</p>"
    for n in range(1, 7)
)


def page(head: str, body: str) -> bytes:
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>".encode()


# ---------------------------------------------------------------- titles


def test_stated_meta_title_is_kept_whole():
    raw = page(
        "<title>River plan | The Daily</title><meta property='og:title' content='River plan approved | The Daily'>",
        f"<article><h1>River plan approved</h1>{PARAGRAPHS}</article>",
    )
    assert read_html(raw, "t.html").title == "River plan approved | The Daily"


def test_document_title_loses_a_separated_site_name():
    raw = page("<title>Council approves the river plan – The Daily</title>", f"<article>{PARAGRAPHS}</article>")
    assert read_html(raw, "t.html").title == "Council approves the river plan"


def test_short_document_title_is_not_cut():
    raw = page("<title>Mozilla - Wikipedia</title>", f"<article>{PARAGRAPHS}</article>")
    assert read_html(raw, "t.html").title == "Mozilla - Wikipedia"


def test_json_ld_headline_beats_a_site_name_in_name():
    ld = (
        '{"@context": "https://schema.org", "@type": "NewsArticle", "name": "The Daily",'
        ' "headline": "Council approves the river plan"}'
    )
    raw = page(
        f"<title>Council approves river plan - The Daily</title><script type='application/ld+json'>{ld}</script>",
        f"<article>{PARAGRAPHS}</article>",
    )
    assert read_html(raw, "t.html").title == "Council approves the river plan"


# ---------------------------------------------------------------- bylines


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Dan GoodinApr 16", ["Dan Goodin"]),
        ("James Akinaka • 8h", ["James Akinaka"]),
        ("By GILLIAN MOHNEY March 11, 2015 3:46 PM", ["GILLIAN MOHNEY"]),
        ("Sam Decker, 3 days ago", ["Sam Decker"]),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ],
)
def test_dates_glued_to_bylines_are_cut(raw, names):
    assert clean_author_names([raw]) == names


def test_byline_in_the_article_beats_one_in_a_related_box():
    raw = page(
        "<title>Council approves the river plan</title>",
        "<aside class='related'><h3>More</h3><span class='byline'>By Other Writer</span></aside>"
        f"<main><h1>Council approves the river plan</h1><p class='byline'>By Ana Berg</p>{PARAGRAPHS}</main>",
    )
    assert read_html(raw, "t.html").authors == ["Ana Berg"]


# ---------------------------------------------------------------- body lines


def test_metadata_lines_are_recognised():
    assert is_dateline("Published 11:34 PM EST Nov 19, 2019")
    assert is_dateline("Updated")
    assert is_dateline("11 апреля 2023")
    assert not is_dateline("63")
    assert not is_dateline("29 November 2018 | 20 January 2019")
    assert is_byline("By Mike Wuerthele and Malcolm Owen")
    assert not is_byline("By the time the council met, the plan had changed.")
    assert is_byline("Tom Davies", ["Tom Davies"])
    assert is_photo_credit("Photo: Gene J. Puskar / AP")
    assert is_photo_credit("Protesters marched on Sunday (Image: GETTY )")
    assert is_photo_credit("Getty Images")
    assert not is_article_metadata("The council approved the plan on Tuesday after three years of talks.")


def test_stamps_credits_and_joined_bylines_are_metadata():
    assert is_dateline("Updated 3 hours ago")
    assert is_dateline("Published 6:00 AM ET Tue, 19 Nov 2019 Updated 10:14 AM ET Tue, 19 Nov 2019")
    assert not is_dateline("3 days")
    assert is_article_metadata("Jane Doe | Updated Nov 19, 2019", ["Jane Doe"])
    assert is_article_metadata("Nov. 19, 2019, 4:05 PM UTC / Updated Nov. 19, 2019, 5:12 PM UTC")
    assert is_article_metadata("Published November 19, 2019 • 4 min read")
    assert is_article_metadata("5 min read")
    assert is_photo_credit("Credit...Doug Mills/The New York Times")
    assert is_photo_credit("Getty Images/iStockphoto")
    assert is_photo_credit("Courtesy of NASA")
    assert not is_article_metadata("Courtesy is a virtue the council has lost.")
    assert not is_article_metadata("Credit Suisse shares fell 3%")
    assert is_article_metadata("Reviewed by Hansa D. Bhargava, MD")
    assert is_article_metadata("Reporting by Rodrigo Campos; additional reporting by Ana Kelly; Editing by Nick Ziemin")
    assert not is_article_metadata("Reporting on the council is hard work, the editor said.")


def test_metadata_lines_are_not_body_text():
    raw = page(
        "<title>Council approves the river plan</title><meta name='author' content='Ana Berg'>",
        "<article><h1>Council approves the river plan</h1><p>By Ana Berg</p>"
        f"<p>Published 11:34 PM EST Nov 19, 2019</p>{PARAGRAPHS}</article>",
    )
    body = read_html(raw, "t.html").body_text
    assert "Paragraph 1 of the council story" in body
    assert "By Ana Berg" not in body and "11:34 PM" not in body


def test_hover_card_text_stays_out_of_the_sentence():
    card = (
        "<span class='author-hovercard'><b>Ana Berg</b> writes about rivers. 1,204 followers. Follow</span>"
    )
    raw = page(
        "<title>Council approves the river plan</title>",
        f"<article><p>Paragraph 0 quotes <a class='popover-trigger' href='/ana'>Ana Berg</a>{card} on the "
        f"river bank plan the council passed on Tuesday night.</p>{PARAGRAPHS}</article>",
    )
    body = read_html(raw, "t.html").body_text
    assert "quotes Ana Berg on the river bank plan" in body
    assert "followers" not in body


def test_teasers_and_player_labels_are_not_body_text():
    lines = [
        SENTENCES[0],
        "READ MORE: Plague outbreak confirmed in the capital",
        "On HoustonChronicle.com: Car sales plunge nearly 17 percent in August",
        "VIDEO",
        "Related: Possible water plumes on Europa",
        "Tags: BGR Deals",
        "Main article: History of New Zealand",
        "See also: the council's earlier plans, which the mayor set out in a long and angry speech "
        "to the residents of the east bank last spring.",
        SENTENCES[1],
    ]
    assert clean_paragraphs(lines, []) == [SENTENCES[0], lines[7], SENTENCES[1]]


def test_lines_above_a_repeated_headline_are_the_page_header():
    title = "Council opens the river bank to walkers"
    story = ["Sentence one of the story.", "Sentence two of the story."]
    assert without_page_header([title, *story], (title, "")) == story
    assert without_page_header(["Review", "A teaser of another story.", title, *story], (title, "")) == story
    # Past the first lines, or a word or two long, the headline's words are the story's own.
    assert without_page_header(["a", "b", "c", title, *story], (title, "")) == ["a", "b", "c", title, *story]
    short_title = ["Intro line.", "Mozilla", *story]
    assert without_page_header(short_title, ("Mozilla", "")) == short_title


def test_merge_keeps_inner_lines_and_drops_edge_lines():
    base = ["one two three four five six", "seven eight nine ten eleven twelve"]
    other = ["Related: a story elsewhere", "one two three four five six", "A subheading", base[1], "About us"]
    assert merge_lines(base, other) == [base[0], "A subheading", base[1]]


def test_merge_places_a_line_the_base_splits_in_two():
    base = ["one two three four", "five six seven eight", "nine ten eleven twelve"]
    other = ["one two three four five six seven eight", "nine ten eleven twelve"]
    assert merge_lines(base, other) == base


def test_merge_keeps_a_lead_paragraph_before_the_first_shared_line():
    lead = "The council voted on Tuesday to open the river bank to walkers, ending a dispute that ran for ten years."
    base = ["one two three four five six", "seven eight nine ten eleven twelve"]
    other = ["Home", lead, *base]
    assert merge_lines(base, other) == [lead, *base]


def test_merge_passes_over_a_photo_credit_between_the_lead_and_the_first_shared_line():
    lead = "The council voted on Tuesday to open the river bank to walkers, ending a dispute that ran for ten years."
    base = ["one two three four five six", "seven eight nine ten eleven twelve"]
    other = ["Home", lead, "West Mercia Police", *base]
    assert merge_lines(base, other) == [lead, *base]
    three_labels = ["Home", lead, "Photo gallery", "Keyboard via iFixit", "West Mercia Police", *base]
    assert merge_lines(base, three_labels) == base


SENTENCES = [
    f"Sentence {n} of the council story tells what the city decided about the river bank on Tuesday."
    for n in range(1, 9)
]


def test_shorter_subset_keeps_the_lines_only_the_longer_text_has_inside_it():
    precise = ["Related: five other stories", *SENTENCES[:4], "A list item the other text dropped", *SENTENCES[4:]]
    precise += [f"About the company, line {n}, long enough to count for the word totals here." for n in range(3)]
    chosen = choose_body(precise, SENTENCES)
    assert chosen == [*SENTENCES[:4], "A list item the other text dropped", *SENTENCES[4:]]


def test_longer_text_keeps_a_quoted_post_only_the_shorter_text_has():
    tweet = "Drinking game for web devs: think of a noun, search for it with .js"
    precise = [SENTENCES[0], tweet, SENTENCES[1]]
    assert choose_body(precise, SENTENCES) == [SENTENCES[0], tweet, *SENTENCES[1:]]


def test_longer_text_loses_unshared_labels_above_the_article_and_repeated_credits():
    credit = "Mandel Ngan for The Daily"
    broad = ["Politics", "Jane Doe Staff Writer", *SENTENCES[:3], credit, *SENTENCES[3:], credit, "2014", "2014"]
    assert without_unshared_labels(broad, SENTENCES[:2]) == [*SENTENCES, "2014", "2014"]


def test_merge_leaves_out_a_caption_the_other_text_repeats():
    caption = "Players celebrate the winning goal during the second period of the game on Tuesday"
    other = [SENTENCES[0], caption, SENTENCES[1], caption, "link", SENTENCES[2], "link"]
    assert merge_lines(SENTENCES[:3], other) == [SENTENCES[0], SENTENCES[1], "link", SENTENCES[2]]


# ---------------------------------------------------------------- scoring


def test_strict_matches_forgive_only_spacing_and_case():
    assert matching.titles_match_strict("Big  News | The Daily", "big news | the daily")
    assert not matching.titles_match_strict("Big News | The Daily", "Big News")
    assert matching.bylines_match_strict("Jane Doe,  John Roe", ["Jane Doe", "John Roe"])
    assert not matching.bylines_match_strict("By Jane Doe", ["Jane Doe"])


# Floors just below one full run (README, "How well HTML pages are cleaned").
FLOORS = {
    "scrapinghub": {"f1": 0.974},
    "readability": {"f1": 0.962, "title_strict": 0.97, "author_strict": 0.68},
}


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_scores_on_shared_pages(kind):
    folder = SHARED / kind
    if not folder.is_dir():
        pytest.skip(f"benchmark pages not available at {folder}")
    (report,) = evaluate_folder(folder, extractors={"cstosearch": EXTRACTORS["cstosearch"]})
    floors = FLOORS[kind]
    assert report.f1 >= floors["f1"]
    if "title_strict" in floors:
        assert report.title_strict_accuracy >= floors["title_strict"]
        assert report.author_strict_accuracy >= floors["author_strict"]
