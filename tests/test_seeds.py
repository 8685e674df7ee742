"""The text reader on the five sample articles: metadata and body as a careful human would read them."""

from __future__ import annotations

import pytest

from cstosearch.article import Caption
from cstosearch.ingest.reader import read_file
from tests.conftest import seed_path


def read_seed(prefix: str):
    (article,) = list(read_file(seed_path(prefix)))
    assert not isinstance(article, Exception), article
    return article


def test_000_markdown_scrape_metadata_and_body():
    article = read_seed("000")
    assert article.title == "Armenia Might Quit Russia-Led Military Bloc – PM"
    assert article.authors == ["AFP"]
    assert article.published_at == "2023-05-22"
    assert article.outlet_name == "The Moscow Times"
    assert article.url == "https://www.themoscowtimes.com/2023/05/22/armenia-might-quit-russia-led-military-bloc-pm-a81235"
    assert article.captions == [Caption("Armenian Prime Minister Nikol Pashinyan.", "Alexander Patrin / TASS")]
    body = article.body_text
    assert body.startswith("Armenian Prime Minister Nikol Pashinyan said Monday")
    for junk in ("By AFP", "May 22, 2023", "Related article", "Original url", "themoscowtimes.com", "**", "](#)"):
        assert junk not in body
    # The stray blank line inside a sentence is mended.
    assert "seeking to negotiate a peace agreement" in body


def test_001_bare_rewrite_has_no_invented_metadata():
    article = read_seed("001")
    assert (article.title, article.authors, article.published_at, article.url, article.outlet_name) == (
        "", [], "", "", "")
    assert article.title_is_derived
    assert article.display_title.startswith("In a further display of resentment")
    assert len(article.paragraphs) == 13


def test_002_title_without_markdown_heading():
    article = read_seed("002")
    assert article.title == "Armenia Says 'Froze' Participation in Russia-Led Security Bloc"
    assert article.published_at == "2024-02-23"
    assert article.captions[0].credit == "Vladimir Smirnov, TASS / kremlin.ru"


def test_003_captions_once_each_with_credit_and_no_player_junk():
    article = read_seed("003")
    assert article.authors == ["Adam Morrow"]
    assert article.title == "Armenia’s Ties With Russia-Led Alliance Are ‘De Facto’ Frozen, Leader Confirms"
    assert article.subtitle.startswith("Prime minister reiterates claims")
    assert article.published_at == ""
    credits = [c.credit for c in article.captions]
    assert credits == ["Dmitry Astakhov, Sputnik, Government Pool Photo via AP",
                       "Hayk Baghdasaryan/Photolure via Reuters", "Stringer/Reuters"]
    assert len({c.text for c in article.captions}) == 3
    assert "Updated:" not in article.paragraphs and "0:00" not in article.paragraphs
    assert "Kremlin ‘Seeking Clarity’" in article.paragraphs
    assert not any("Mishustin" in p for p in article.paragraphs)
    assert article.title not in article.paragraphs


def test_004_pdf_dump_rejoined():
    article = read_seed("004")
    assert article.authors == ["Pyotr Kozlov"]
    assert article.outlet_name == "The Moscow Times"
    assert article.url == ""
    assert article.captions == [Caption(
        "Police at the 102nd Russian military base, where a rally demanding Armenia's withdrawal "
        "from the CSTO is being held.", "Alexander Patrin / TASS")]
    body = article.body_text
    assert "the rift between Yerevan and Moscow lasts, the less likely" in body
    assert "decided to make a withdrawal statement" in body
    assert "https://" not in body
    assert "Related article" not in body
    # Hard-wrapped lines become paragraphs, not one line each.
    assert 20 <= len(article.paragraphs) <= 35
    assert all("\n" not in p for p in article.paragraphs)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_seed_has_identity_and_hash(prefix):
    article = read_seed(prefix)
    assert len(article.article_id) == 16
    assert len(article.content_hash) == 40
    assert article.source_path.endswith(".txt")
