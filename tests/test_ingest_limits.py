"""Each JSONL line stands alone, dates are kept plausible, and the chart stays small over any range."""

from __future__ import annotations

import json
from datetime import date, timedelta

from cstosearch.article import Article
from cstosearch.errors import SourceWarning, UnreadableSource
from cstosearch.ingest.reader import read_file
from cstosearch.ingest.sanitize import vet_article
from cstosearch.web.chart import MAX_BARS, month_chart
from tests.test_hostile_corpus import record


def test_every_bad_jsonl_line_is_reported_with_its_number_and_every_good_one_kept(tmp_path):
    feed = tmp_path / "feed.jsonl"
    lines = [record("Good", 1), "[" * 100_000 + "\n", record("Good", 2), '{"n": ' + "7" * 5000 + "}\n",
             "not json at all\n", "\n", '["a list"]\n', record("Good", 3), '{"text": ""}\n', record("Good", 4)]
    feed.write_bytes(b"\xef\xbb\xbf" + "".join(lines).encode())
    outcomes = list(read_file(feed))
    articles = [o for o in outcomes if isinstance(o, Article)]
    assert [a.title for a in articles] == [f"Good record {n}" for n in (1, 2, 3, 4)]
    failures = {o.path.rsplit(":", 1)[1]: o.reason for o in outcomes if isinstance(o, UnreadableSource)}
    assert set(failures) == {"2", "4", "5", "7", "9"}
    assert "nested too deeply" in failures["2"] and "invalid JSON" in failures["4"]
    assert "JSON object" in failures["7"] and "no article text" in failures["9"]


def test_a_record_over_the_size_limit_is_refused_and_the_next_line_read(tmp_path):
    feed = tmp_path / "feed.jsonl"
    huge = json.dumps({"url": "https://example.org/huge", "text": "x" * (17 * 1024 * 1024)})
    feed.write_text(huge + "\n" + record("After", 1))
    outcomes = list(read_file(feed))
    assert isinstance(outcomes[0], UnreadableSource) and outcomes[0].path.endswith(":1")
    assert [o.title for o in outcomes if isinstance(o, Article)] == ["After record 1"]


def test_implausible_dates_are_dropped_with_a_warning_and_control_characters_stripped():
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for published, kept in (("0001-01-01", ""), ("1799-12-31", ""), ("1800-01-01", "1800-01-01"),
                            (tomorrow, tomorrow), ("9999-12-31", ""), ("2030-01-01", "")):
        outcomes = vet_article(Article(paragraphs=["Text."], published_at=published, source_path="a.jsonl:3"))
        article = outcomes[-1]
        assert article.published_at == kept, published
        warned = [o for o in outcomes if isinstance(o, SourceWarning)]
        assert bool(warned) == (kept == ""), published
        if warned:
            assert warned[0].path == "a.jsonl:3" and published in warned[0].reason
    cleaned = vet_article(Article(paragraphs=["Body\x00 text\x07."], title="Ti\ntle", authors=["Ann\x1fLee", "\x1f"]))
    assert cleaned[-1].paragraphs == ["Body text."]
    assert cleaned[-1].title == "Ti tle" and cleaned[-1].authors == ["Ann Lee"]


def test_chart_over_absurd_dates_stays_bounded():
    counts = {"0001-01": 1, "2023-05": 40, "2024-02": 7, "9999-12": 1}
    chart = month_chart(counts, counts)
    assert len(chart.bars) <= MAX_BARS
    assert sum(b.count for b in chart.bars) == 49
    assert chart.unit.endswith("years")
    assert chart.first.startswith("0001") and chart.last.endswith("9999")
    yearly = month_chart({"1900-01": 2, "2024-06": 3}, {})
    assert yearly.unit == "year" and len(yearly.bars) == 125
    assert [b.month for b in yearly.bars][:2] == ["1900", "1901"] and yearly.bars[-1].count == 3
    monthly = month_chart({"2010-01": 1, "2024-12": 1}, {})
    assert monthly.unit == "month" and len(monthly.bars) == 180


def test_search_page_over_an_index_with_absurd_dates_stays_small(tmp_path):
    from cstosearch.reindex import Indexer
    from cstosearch.web import create_app

    # Articles indexed as given (an index built before dates were checked).
    articles = [Article(paragraphs=[f"The Quillan archive entry {n} was catalogued."], url=f"https://example.org/{n}",
                        published_at=day) for n, day in enumerate(("0001-01-01", "2023-05-02", "9999-12-31"))]
    Indexer(tmp_path / "index", progress=False).index_articles(articles, rebuild=True)
    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True}).test_client()
    page = client.get("/?q=Quillan")
    assert page.status_code == 200
    assert len(page.data) < 300_000
    assert page.data.count(b"<rect") <= 2 * MAX_BARS
