"""The text reader on the development set of text dumps (scored by its own scorer), and its general rules
on small dumps written here."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cstosearch.article import Caption
from cstosearch.ingest.outlets import name_in_text, outlet_for_url
from cstosearch.ingest.reader import read_file
from cstosearch.ingest.text import read_text
from cstosearch.ingest.text.authors import byline_authors, restore_accents
from cstosearch.ingest.text.captions import is_credit, split_glued_credit
from tests.conftest import REPO_ROOT, SHARED

TEXT_DUMPS = SHARED / "text-dumps"

# Floors just below the figures measured on the 46 development dumps (all at 100 %, body F1 1.00).
FIELD_FLOORS = {"title": 0.97, "authors": 0.97, "date": 0.97, "url": 0.97, "outlet": 0.95}


@pytest.fixture(scope="module")
def dump_scores(tmp_path_factory) -> dict:
    if not (TEXT_DUMPS / "score.py").is_file():
        pytest.skip("../shared/text-dumps (development dumps and their scorer) is not present")
    articles = tmp_path_factory.mktemp("dumps") / "articles.jsonl"
    with articles.open("w", encoding="utf-8") as out:
        for path in sorted((TEXT_DUMPS / "dumps").glob("*.txt")):
            for article in read_file(path):
                assert not isinstance(article, Exception), article
                out.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
    result = subprocess.run(
        [sys.executable, str(TEXT_DUMPS / "score.py"), str(TEXT_DUMPS / "truth.json"), str(articles), "--json"],
        capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    return json.loads(result.stdout)


def test_every_dump_has_an_article(dump_scores):
    assert dump_scores["matched"] == dump_scores["truth_files"] == 46


@pytest.mark.parametrize("field", sorted(FIELD_FLOORS))
def test_metadata_fields_on_dumps(dump_scores, field):
    assert dump_scores["table"]["all"][field] >= FIELD_FLOORS[field]


def test_captions_found_once_and_kept_out_of_the_body(dump_scores):
    overall = dump_scores["table"]["all"]
    assert overall["caption_recall"] >= 0.97
    assert overall["caption_leak"] <= 0.01


@pytest.mark.parametrize("shape", ["mdscrape", "junkscrape", "pdftext", "bare"])
def test_body_and_junk_per_shape(dump_scores, shape):
    row = dump_scores["table"][shape]
    assert row["body_f1"] >= 0.99
    assert 0.95 <= row["para_ratio"] <= 1.05
    assert row["junk_hits"] == 0


# ---- general rules, on dumps written for these tests

def _read(text: str):
    return read_text(text, "inline.txt")


JUNK_SCRAPE = """The Ferry Crossing "Could Close By May"

A short standfirst about the crossing.
The Ferry Crossing "Could Close By May"
Harbour workers at the pier in Dover. Jane Roe for the Gazette
John Doe
Updated:
Feb. 3, 2021
0:00

The ferry crossing between the two ports may close in the spring, the operator said on Tuesday.

Video Player is loading.
Play Video
Current Time 0:00
/
Duration 1:47
Loaded: 0%
Fullscreen

Passengers were told to book early.

A crane lifts a container on the quay (Sam Poe)
A crane lifts a container on the quay Sam Poe

The operator blamed rising fuel costs.

Ticket queue at dawn
Ticket queue at dawn

Prices will rise by a tenth next year.
"""


def test_junk_scrape_header_with_quoted_title_and_lead_caption():
    article = _read(JUNK_SCRAPE)
    assert article.title == 'The Ferry Crossing "Could Close By May"'
    assert article.subtitle == "A short standfirst about the crossing."
    assert article.authors == ["John Doe"]
    assert article.published_at == "2021-02-03"
    assert article.captions[0] == Caption("Harbour workers at the pier in Dover.", "Jane Roe for the Gazette")


def test_doubled_captions_found_by_repetition_not_by_credit_names():
    article = _read(JUNK_SCRAPE)
    assert Caption("A crane lifts a container on the quay", "Sam Poe") in article.captions
    assert Caption("Ticket queue at dawn", "") in article.captions
    assert not any("crane" in p or "Ticket queue" in p for p in article.paragraphs)


def test_player_controls_leave_the_body():
    article = _read(JUNK_SCRAPE)
    assert article.paragraphs == [
        "The ferry crossing between the two ports may close in the spring, the operator said on Tuesday.",
        "Passengers were told to book early.",
        "The operator blamed rising fuel costs.",
        "Prices will rise by a tenth next year.",
    ]


def test_player_junk_near_the_top_does_not_stretch_the_header():
    article = _read("Why Is The Sea Warming?\n\nWhy Is The Sea Warming?\nJane Roe and John Doe\nUpdated:\n0:00\n\n"
                    "The sea is warming faster than expected, scientists said.\n\nWatch\n0:00\n/\n2:31\nFull screen\n\n"
                    "Boats in the harbour. (Photo: Sam Poe/AFP)\nBoats in the harbour. Photo: Sam Poe/AFP\n\n"
                    "It ends.\n")
    assert article.title == "Why Is The Sea Warming?"
    assert article.authors == ["Jane Roe", "John Doe"]
    assert article.paragraphs == ["The sea is warming faster than expected, scientists said.", "It ends."]
    assert article.captions == [Caption("Boats in the harbour.", "Sam Poe/AFP")]


def test_list_items_without_full_stops_stay_apart():
    article = _read("\n\n# Review\n\nBy [Ann Lee](#)\n\nMay 4, 2015\n\n\n\nThe console is fast and quiet in use.\n\n"
                    "Most powerful hardware ever in a home console\n\nExpensive\n\nStill no VR support at all here\n\n"
                    "The verdict follows below.\n")
    assert article.paragraphs[1:4] == [
        "Most powerful hardware ever in a home console", "Expensive", "Still no VR support at all here"]


def test_stray_blank_line_inside_a_sentence_is_mended():
    article = _read("\n\n# Talks\n\nBy [Ann Lee](#)\n\nMay 4, 2015\n\n\n\nThe neighbours have been seeking to\n\n"
                    "negotiate a peace agreement with help from abroad.\n")
    assert article.paragraphs == [
        "The neighbours have been seeking to negotiate a peace agreement with help from abroad."]


def _wrapped(paragraph: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in paragraph.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return lines + [current]


LONG = ("The committee met on Monday to weigh the proposal, which would move the depot to the northern edge of the "
        "town and open a new road for the lorries that now pass the school twice a day")


def test_pdf_text_title_with_question_mark_caption_and_pairs_without_blank_line():
    first = _wrapped(LONG + ".", 60)
    second = _wrapped("Residents asked for a vote before any work starts on the site.", 60)
    third = _wrapped(LONG + " and the market square.", 60)
    text = "\n".join([
        " do the new roads help?",
        " Lorries wait at the depot gate on a wet morning. Kim Park/Reuters",
        "",
        *first, *second,  # no blank line between these two paragraphs
        "", "[Read: Depot plans revealed]", "",
        *third[:2], "", "", "https://www.example-news.com/author/ales-vavra", "", *third[2:],
        "", "The report was written by Aleš Vávra.",
    ])
    article = _read(text)
    assert article.title == "do the new roads help?"
    assert article.captions == [Caption("Lorries wait at the depot gate on a wet morning.", "Kim Park/Reuters")]
    assert article.paragraphs[:3] == [
        LONG + ".", "Residents asked for a vote before any work starts on the site.", LONG + " and the market square."]
    assert not any("Read:" in p for p in article.paragraphs)
    assert article.authors == ["Aleš Vávra"]
    assert article.outlet_name == "example-news.com"


def test_cjk_lines_join_without_space_and_sentence_end_splits_pairs():
    text = "\n".join([
        " 标题片段", "", "在采访中，我们了解到不少学子在出国前就每年守在电脑前观看两会直播。但是，随着年龄和阅历的",
        "增长，学子对两会的关注点在出国前后发生了很大的变化。", "出国后：国家未来将如何发展？",
        "在法国里昂国立应用科学院留学的卢宇表示，他还是个中学生时，就开始关注两会了。我高中毕业",
        "后就出国留学了。", "", "第二段很短。", "", "第三段很短。", "", "第四段很短。", "",
        "在英国求学6年后，李博灏希望能够学有所用，为国家发展过程中遇到的难题寻求解决办法。因此随",
        "着课题研究的深入，他更加关注国家和社会目前所面临的挑战。",
    ])
    article = _read(text)
    assert article.paragraphs[0] == (
        "在采访中，我们了解到不少学子在出国前就每年守在电脑前观看两会直播。但是，随着年龄和阅历的"
        "增长，学子对两会的关注点在出国前后发生了很大的变化。")
    assert article.paragraphs[1] == "出国后：国家未来将如何发展？"


def test_bare_text_has_no_title_and_one_paragraph_per_line():
    article = _read("don’t preach to me Mr. integrity\n一波波接續性低溫寒流報到 已將新竹尖石鄉\n"
                    "玉峰道路一路上雲氣山嵐滯留山頭\nAnother line of the story without a full stop\n")
    assert article.title == "" and article.title_is_derived
    assert article.display_title
    assert len(article.paragraphs) == 4


def test_bracketed_references_and_sign_offs_are_not_credits():
    assert not is_credit("[M1 / MP3]")
    assert not is_credit("(bsc)")
    assert not is_credit("(Normally it would start here, but not now.)")
    assert is_credit("(Hayk Baghdasaryan/Photolure via Reuters)")
    assert is_credit("Vladimir Smirnov, TASS / kremlin.ru")
    assert not is_credit("Whenever a blueprint/book is")


def test_glued_credits_without_a_full_stop():
    assert split_glued_credit("The Moulin Rouge cabaret in Paris Benoit Tessier/Reuters") == (
        "The Moulin Rouge cabaret in Paris", "Benoit Tessier/Reuters")
    assert split_glued_credit("Ayn Rand, Rand Paul AP/Manuel Balce Ceneta/Photo montage by Salon") == (
        "Ayn Rand, Rand Paul", "AP/Manuel Balce Ceneta/Photo montage by Salon")
    assert split_glued_credit("taken the day after the military takeover HARARE HERALD") == (
        "taken the day after the military takeover", "HARARE HERALD")
    assert split_glued_credit("Flame chart") == ("Flame chart", "")


def test_byline_links_keep_ampersand_names_whole():
    assert byline_authors("By [Mac & i](#)") == ["Mac & i"]
    assert byline_authors("By [A Bee](#), [C Dee](#) and [E Eff](#)") == ["A Bee", "C Dee", "E Eff"]
    assert byline_authors("By Jane Roe & John Doe") == ["Jane Roe", "John Doe"]
    assert byline_authors("By Smith & Wesson") == ["Smith & Wesson"]


def test_accents_come_back_from_the_text_only_for_the_same_name():
    assert restore_accents("Ales Vavra", "Text by Aleš Vávra, Prague.") == "Aleš Vávra"
    assert restore_accents("Ales Vavra", "No such name here.") == "Ales Vavra"
    assert restore_accents("Ales Vavra", "ales vavra wrote it") == "Ales Vavra"


def test_outlet_name_shown_in_the_dump_or_from_the_table():
    assert name_in_text("seattletimes.com", "Photo: Ellen M. Banner / The Seattle Times") == "The Seattle Times"
    assert outlet_for_url("https://www.cnet.com/news/x", "Read more on CNET today.") == "CNET"
    assert outlet_for_url("https://www.nytimes.com/2020/x", "no name shown") == "The New York Times"
    assert outlet_for_url("https://blog.example.org/post", "nothing named here") == "blog.example.org"
    assert outlet_for_url("https://blog.example.org/post", "Posted on Example today.") == "Example"
