"""HTML extraction: encodings, captions, metadata, and scores on the shared benchmark pages."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cstosearch.cli import cli
from cstosearch.errors import UnreadableSource
from cstosearch.evaluation import matching
from cstosearch.evaluation.extractors import project_extractor
from cstosearch.evaluation.pages import Page
from cstosearch.evaluation.report import evaluate_folder, format_table
from cstosearch.ingest.files import read_raw_bytes
from cstosearch.ingest.html import declared_charset, extract_article, read_html
from cstosearch.ingest.normalize import normalize_url

PAGES = Path(__file__).resolve().parent / "pages"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SCRAPINGHUB = SHARED / "html-pages" / "scrapinghub"
READABILITY = SHARED / "html-pages" / "readability"
needs_shared = pytest.mark.skipif(
    not (SCRAPINGHUB.is_dir() and READABILITY.is_dir()),
    reason=f"benchmark pages not available at {SHARED / 'html-pages'}",
)


def read_page(name: str):
    path = PAGES / name
    return read_html(read_raw_bytes(path), str(path))


# ---------------------------------------------------------------- encodings


def test_windows_1251_page_declared_in_meta_is_decoded():
    raw = (PAGES / "cp1251-declared.html").read_bytes()
    assert declared_charset(raw) == "cp1251"
    article = read_page("cp1251-declared.html")
    assert article.title == "Набережную реконструируют к следующему лету"
    assert article.paragraphs[0].startswith("Городской совет Новосибирска во вторник")
    assert article.authors == ["Ирина Смирнова"]
    assert article.published_at == "2023-04-11"
    assert article.language == "ru"
    assert article.outlet_name == "Вечерний город"


def test_cyrillic_page_wrongly_declared_latin1_is_sniffed():
    article = read_page("cp1251-wrongly-declared-latin1.html")
    assert "Стоимость реконструкции" in article.body_text
    assert "Ð" not in article.body_text and "Ã" not in article.body_text


def test_latin1_page_without_declaration_is_sniffed():
    raw = (PAGES / "latin1-undeclared.html").read_bytes()
    assert declared_charset(raw) is None
    article = read_page("latin1-undeclared.html")
    assert article.title == "Montréal interdit les camions la nuit dans le Vieux-Port"
    assert "« C'est une décision attendue" in article.body_text
    assert article.authors == ["Élodie Gagné", "François Côté"]
    assert article.published_at == ""  # the page states no date: nothing is invented


# ---------------------------------------------------------------- captions and metadata


def test_two_figures_captions_and_credits_kept_apart_from_body():
    article = read_page("two-figures.html")
    texts = [c.text for c in article.captions]
    # the JSON-LD image caption repeats the first figcaption: counted once
    assert texts == [
        "Water covers the market square in the lower town on Sunday morning.",
        "Volunteers stack sandbags outside the fire station.",
    ]
    assert article.caption_credits == ["Lena Marsh / Valley Courier", "Reuters/Tom Birch"]
    body = article.body_text
    assert "market square" not in body and "stack sandbags" not in body
    assert "Reuters" not in body and "Lena Marsh" not in body
    assert len(article.paragraphs) == 5
    assert article.paragraphs[-1].startswith("Residents who need transport")
    for junk in ("Share this article", "Related stories", "We use cookies", "Home"):
        assert junk not in body


def test_metadata_from_json_ld_and_meta_tags():
    article = read_page("two-figures.html")
    assert article.title == "Floods force hundreds from their homes"
    assert article.authors == ["Dana Whitfield", "Omar Haddad"]
    assert article.published_at == "2024-02-18"
    assert article.outlet_name == "The Valley Courier"
    assert article.language == "en"
    assert article.url == "https://www.valley-courier.example/news/floods-2024?id=7"


def test_gzip_file_reads_like_the_plain_page():
    gz_path = PAGES / "two-figures.html.gz"
    assert gz_path.read_bytes()[:2] == b"\x1f\x8b"
    plain, packed = read_page("two-figures.html"), read_page("two-figures.html.gz")
    assert packed.paragraphs == plain.paragraphs
    assert packed.captions == plain.captions
    assert packed.source_path.endswith(".gz")


def test_page_without_article_raises():
    with pytest.raises(UnreadableSource) as caught:
        read_page("no-article.html")
    assert caught.value.reason == "no article text found"


SHORT_PAGE = b"<!DOCTYPE html><html><head><title>Note</title></head><body><p>Back in an hour.</p></body></html>"


def test_short_body_is_extracted_but_refused_by_the_ingester():
    assert extract_article(SHORT_PAGE, "short.html").paragraphs == ["Back in an hour."]
    with pytest.raises(UnreadableSource) as caught:
        read_html(SHORT_PAGE, "short.html")
    assert caught.value.reason == "no article text found"


def test_eval_extract_scores_the_extractor_not_the_ingest_policy():
    page = Page("short", SHORT_PAGE, body="Back in an hour.")
    assert project_extractor(page).body == "Back in an hour."


def test_index_skips_and_reports_a_page_under_five_words(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "short.html").write_bytes(SHORT_PAGE)
    (inbox / "story.html").write_bytes((PAGES / "two-figures.html").read_bytes())
    report_path = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli, ["index", str(inbox), "--index-dir", str(tmp_path / "index"), "--procs", "1", "--report", str(report_path)]
    )
    assert result.exit_code == 0, result.output
    assert "short.html: no article text found" in result.stderr
    report = json.loads(report_path.read_text())
    assert [Path(entry["path"]).name for entry in report["failed"] + report["skipped"]] == ["short.html"]
    assert report["added"] == 1


def test_binary_data_raises():
    with pytest.raises(UnreadableSource):
        read_html(b"\x00\x01\x02PNG\x00" * 50, "image.png")


def test_url_normalisation():
    assert (
        normalize_url("HTTP://Example.COM:80/a/b?utm_medium=x&page=2&gclid=1&fbclid=2#top")
        == "http://example.com/a/b?page=2"
    )
    assert normalize_url("/story/1", "https://news.example.org/x") == "https://news.example.org/story/1"
    assert normalize_url("mailto:someone@example.org") == ""


# ---------------------------------------------------------------- scoring functions


def test_shingle_scores_follow_the_benchmark_definition():
    text = "one two three four five six"
    assert matching.shingle_scores(text, text) == (1.0, 0.0, 0.0)
    tp, fp, fn = matching.shingle_scores(text, "one two three four five")
    assert (tp, fp, fn) == pytest.approx((2 / 3, 0.0, 1 / 3))
    precision, recall, f1 = matching.body_metrics([(0.5, 0.5, 0.0), (0.0, 0.0, 1.0)])
    # the second page returned nothing: it counts for recall only
    assert (precision, recall) == (0.5, 0.5)
    assert f1 == pytest.approx(0.5)


def test_metadata_comparisons():
    assert matching.titles_match("Big news | The Daily", "Big News")
    assert not matching.titles_match("Big news today", "Small news today")
    assert matching.authors_match("By Jane Doe", ["Jane Doe"])
    assert not matching.authors_match("Jane Doe", ["John Roe"])
    assert matching.dates_match("2019-01-03T07:00:02.000Z", "2019-01-03")
    assert not matching.dates_match("2019-01-03T07:00:02.000Z", "2019-01-04")


# ---------------------------------------------------------------- real pages


@needs_shared
def test_real_guardian_page():
    article = read_html((READABILITY / "guardian-1" / "source.html").read_bytes(), "guardian-1")
    assert article.title.startswith("'What is the sea telling us?'")
    assert article.authors == ["Eleanor Ainge Roy"]
    assert article.published_at == "2019-01-03"
    assert article.language == "en"
    assert article.url.startswith("https://www.theguardian.com/environment/2019/jan/03/")
    assert article.captions[0].credit == "Adrian Malloch for the Guardian"
    assert "Photograph: Adrian Malloch" not in article.body_text


@needs_shared
def test_real_czech_page():
    article = read_html((READABILITY / "aktualne" / "source.html").read_bytes(), "aktualne")
    assert article.title == "West Ham hrozí gigantům, okouzlil i Linekera. Součka je snadné přehlédnout"
    assert article.authors == ["Aleš Vávra"]
    assert article.published_at == "2021-11-01"
    assert article.language == "cs"


@needs_shared
def test_real_french_page_with_several_authors():
    article = read_html((READABILITY / "lemonde-1" / "source.html").read_bytes(), "lemonde-1")
    assert article.authors == ["Martin Untersinger", "Damien Leloup", "Morgane Tual"]
    assert article.published_at == "2015-05-04"
    assert article.language == "fr"


@needs_shared
def test_real_scrapinghub_pages_match_ground_truth():
    truth = json.loads((SCRAPINGHUB / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth)[:4]:
        raw = gzip.decompress((SCRAPINGHUB / "html" / f"{page_id}.html.gz").read_bytes())
        article = read_html(raw, page_id, url_hint=truth[page_id]["url"])
        score = matching.shingle_scores(truth[page_id]["articleBody"], article.body_text)
        assert matching.page_f1(score) > 0.85, page_id
        assert article.title
        assert article.url.startswith("http")


@needs_shared
@pytest.mark.parametrize("folder", [SCRAPINGHUB, READABILITY], ids=["scrapinghub", "readability"])
def test_evaluation_on_five_pages(folder):
    reports = evaluate_folder(folder, limit=5)
    assert [r.name for r in reports] == ["cstosearch", "trafilatura", "readability"]
    for report in reports:
        assert report.pages == 5
        for value in (report.precision, report.recall, report.f1, report.share_f1_ok):
            assert 0.0 <= value <= 1.0
        for value in (report.title_accuracy, report.author_accuracy, report.caption_recall):
            assert value is None or 0.0 <= value <= 1.0
        assert report.pages_per_second > 0
    project = reports[0]
    assert project.f1 >= 0.8
    assert project.errors == 0 or folder == READABILITY
    table = format_table(str(folder), reports)
    assert "cstosearch" in table and "trafilatura" in table and "readability" in table
