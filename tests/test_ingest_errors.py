"""Bad input is reported with its path and reason and skipped; the batch goes on."""

from __future__ import annotations

import gzip
import json

from click.testing import CliRunner

from cstosearch.article import Article
from cstosearch.cli import cli
from cstosearch.errors import UnreadableSource
from cstosearch.ingest.reader import read_paths
from tests.conftest import seed_path


def test_broken_files_are_reported_and_the_rest_is_read(tmp_path):
    (tmp_path / "a_binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "b_empty.txt").write_bytes(b"   \n\n")
    (tmp_path / "c_broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "d_good.txt").write_text(seed_path("000").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "e_latin1.txt").write_bytes("Un caf\xe9 \xe0 Erevan, dit le ministre.\n".encode("latin-1") * 3)
    outcomes = list(read_paths([tmp_path]))
    failures = {o.path.rsplit("/", 1)[-1]: o.reason for o in outcomes if isinstance(o, UnreadableSource)}
    articles = [o for o in outcomes if isinstance(o, Article)]
    assert set(failures) == {"a_binary.txt", "b_empty.txt", "c_broken.txt.gz"}
    assert "binary" in failures["a_binary.txt"]
    assert "empty" in failures["b_empty.txt"]
    assert "gzip" in failures["c_broken.txt.gz"]
    assert sorted(a.source_path.rsplit("/", 1)[-1] for a in articles) == ["d_good.txt", "e_latin1.txt"]
    assert "café à Erevan" in articles[1].body_text


def test_jsonl_bad_lines_skipped_good_lines_kept(tmp_path):
    good = {"id": "x1", "url": "HTTPS://Example.com/a/?utm_source=x#top", "title": "T", "author": "A and B",
            "date": "2016-09-20", "outlet": "Example", "text": "First paragraph.\n\nSecond one."}
    lines = [json.dumps(good), "{not json", json.dumps([1, 2]), json.dumps({"title": "no text"})]
    path = tmp_path / "batch.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    outcomes = list(read_paths([path]))
    articles = [o for o in outcomes if isinstance(o, Article)]
    failures = [o for o in outcomes if isinstance(o, UnreadableSource)]
    assert len(articles) == 1 and len(failures) == 3
    assert articles[0].url == "https://example.com/a"
    assert articles[0].authors == ["A", "B"]
    assert articles[0].paragraphs == ["First paragraph.", "Second one."]
    assert [f.path.rsplit(":", 1)[-1] for f in failures] == ["2", "3", "4"]


def test_cli_ingest_reports_skips_on_stderr(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "good.txt").write_text(seed_path("004").read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path)])
    assert result.exit_code == 0
    assert "skipped" in result.stderr and "bad.txt" in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["authors"] for r in records] == [["Pyotr Kozlov"]]
