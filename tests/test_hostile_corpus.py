"""A corpus built to break the indexer: links out, bombs, huge files, odd names, bad lines, absurd dates.

`cstosearch index` runs over it as a subprocess: every good article is indexed, every bad
file or line is reported with a reason, the run exits 0, and its memory stays bounded.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from cstosearch.query import request_from_args
from cstosearch.search import WhooshSearchEngine
from tests.conftest import SAMPLE_CORPUS

CLI = [sys.executable, "-m", "cstosearch.cli"]
GIGABYTE = 1024 ** 3
RUNNING_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def story(topic: str, number: int) -> str:
    """A short article of its own: a headline, a byline and two paragraphs that no other file shares."""
    return (f"{topic} report number {number}\n\nBy Hild Rasmussen\n\n"
            f"Officials said on Tuesday that the {topic} inquiry, case {number}, would continue into the spring. "
            f"They named the {topic} review board and promised a public hearing.\n\n"
            f"Residents asked for the {topic} records to be published in full before the hearing.\n")


def record(topic: str, number: int, **extra) -> str:
    fields = {"url": f"https://example.org/{topic}/{number}", "title": f"{topic} record {number}",
              "date": "2024-03-01", "outlet": "Example Wire",
              "text": f"The {topic} board met for session {number}.\n\nIt agreed on the {topic} agenda."}
    fields.update(extra)
    return json.dumps(fields) + "\n"


def gzip_members(*parts: bytes, repeat_middle: int = 1) -> bytes:
    """Concatenated gzip members (a valid gzip stream): one compressed block repeated makes a bomb cheaply."""
    first, middle, *rest = [gzip.compress(part, compresslevel=9) for part in parts]
    return first + middle * repeat_middle + b"".join(rest)


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    for seed in sorted(SAMPLE_CORPUS.glob("*.txt")):
        shutil.copy(seed, corpus / seed.name)
    expected_good = 5
    # A link to a file and to a folder outside the corpus.
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(story("Zebraquux", 1))
    (corpus / "link-to-secret.txt").symlink_to(outside / "secret.txt")
    (corpus / "link-to-folder").symlink_to(outside, target_is_directory=True)
    # Decompression bombs: 16 MiB of text repeated to 1 GiB once decompressed, a few MB on disk.
    block = (b"lorem ipsum dolor sit amet " * 700_000)[: 16 * 1024 * 1024]
    (corpus / "bomb.txt.gz").write_bytes(gzip_members(b"", block, repeat_middle=64))
    (corpus / "bomb.jsonl.gz").write_bytes(gzip_members(
        b'{"url": "https://example.org/bomb", "text": "', block, b'"}\n' + record("Bombfeed", 1).encode(),
        repeat_middle=64))
    expected_good += 1  # the line after the bomb's record
    # A 50 MB article as a text file, and a 3 MB article in one JSONL record.
    (corpus / "huge.txt").write_text("Huge article\n\n" + "word " * 10_000_000)
    (corpus / "long-record.jsonl").write_text(record("Longrecord", 1, text="many words " * 300_000)
                                              + record("Longrecord", 2))
    expected_good += 1
    # A file name that is not UTF-8, and one with a newline that could forge a report line.
    with open(os.fsencode(corpus) + b"/latin1-name-\xe9t\xe9.txt", "w") as handle:
        handle.write(story("Bytename", 1))
    expected_good += 1
    (corpus / "evil\nfailed forged.txt: fake").write_bytes(b"\x00\x01\x02binary" * 100)
    # An unreadable file (root reads it anyway, so there it is an ordinary good file).
    unreadable = corpus / "unreadable.txt"
    unreadable.write_text(story("Lockedaway", 1))
    unreadable.chmod(0)
    if RUNNING_AS_ROOT:
        expected_good += 1
    # JSONL lines that end a naive reader: deep nesting, a 4,300-digit number; a BOM on line 1.
    (corpus / "bad-lines.jsonl").write_text(
        record("Linefeed", 1) + "[" * 100_000 + "\n" + record("Linefeed", 2) + '{"n": ' + "9" * 4400 + "}\n"
        + record("Linefeed", 3))
    expected_good += 3
    (corpus / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + record("Bomfeed", 1).encode() + record("Bomfeed", 2).encode())
    expected_good += 2
    # UTF-16 with a BOM; NUL bytes deep inside a text; a control character in an author's name.
    (corpus / "utf16.txt").write_bytes(story("Widechar", 1).encode("utf-16"))
    expected_good += 1
    (corpus / "nul-inside.txt").write_text(story("Nulbyte", 1) + "x" * 9000 + "\x00\x00 tail of the story.\n")
    expected_good += 1
    (corpus / "dates.jsonl").write_text(record("Farpast", 1, date="0001-01-01") + record("Farfuture", 1,
                                        date="9999-12-31") + record("Unitsep", 1, author="Ann Lee\x1fBob Roe"))
    expected_good += 3
    yield corpus, {"good": expected_good}
    unreadable.chmod(0o644)


def run_index_measured(corpus: Path, index_dir: Path, report: Path, tmp_path: Path) -> tuple[int, int, str]:
    """Exit status, peak resident memory in bytes (from the kernel, for that child alone), and stderr."""
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("wb") as stderr, open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(CLI + ["index", str(corpus), "--index-dir", str(index_dir), "--report", str(report)],
                                   stdout=devnull, stderr=stderr)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss * 1024, stderr_path.read_text(errors="replace")


@pytest.mark.slow
def test_hostile_corpus_is_indexed_with_every_problem_reported(hostile_corpus, tmp_path):
    corpus, expected = hostile_corpus
    index_dir, report_path = tmp_path / "index", tmp_path / "report.json"
    exit_code, peak_rss, stderr = run_index_measured(corpus, index_dir, report_path, tmp_path)
    assert exit_code == 0, stderr[-3000:]
    assert peak_rss < GIGABYTE, f"peak memory {peak_rss / 1e6:.0f} MB"
    report = json.loads(report_path.read_text())
    assert report["documents"] == expected["good"], report

    def reason(fragment: str, entries=report["failed"]) -> str:
        found = [e["reason"] for e in entries if fragment in e["path"]]
        assert found, f"nothing reported for {fragment}: {entries}"
        return found[0]

    assert "symbolic link" in reason("link-to-secret.txt", report["skipped"])
    assert "symbolic link" in reason("link-to-folder", report["skipped"])
    assert "after decompression" in reason("bomb.txt.gz")
    assert "longer than" in reason("bomb.jsonl.gz:1")
    assert "larger than 20 MB" in reason("huge.txt")
    assert "over the limit" in reason("long-record.jsonl:1")
    assert "nested too deeply" in reason("bad-lines.jsonl:2")
    assert "invalid JSON" in reason("bad-lines.jsonl:4")
    assert "binary" in reason("evil\\nfailed forged.txt")
    if not RUNNING_AS_ROOT:
        assert "cannot read" in reason("unreadable.txt")
    warnings = [w["reason"] for w in report["warnings"]]
    assert any("0001-01-01" in w for w in warnings) and any("9999-12-31" in w for w in warnings)
    # A newline in a file name is printed escaped: no report line is forged.
    assert not any(line.startswith("failed forged") for line in stderr.splitlines())
    assert "evil\\nfailed forged.txt" in stderr

    engine = WhooshSearchEngine(index_dir)

    def total(query: str) -> int:
        return engine.search(request_from_args(MultiDict({"q": query}))).total

    assert total("Zebraquux") == 0  # the link out was not followed
    for word in ("Bytename", "Widechar", "Nulbyte", "Bomfeed", "Bombfeed", "Farpast", "Farfuture"):
        assert total(word) >= 1, word
    assert total("Linefeed") == 3 and total("Bomfeed") == 2 and total("CSTO") == 5
    dated = engine.search(request_from_args(MultiDict({"q": "Farpast OR Farfuture", "group": "off"})))
    assert [hit.published for hit in dated.results] == [None, None]
    nul_article = engine.article(engine.search(request_from_args(MultiDict({"q": "Nulbyte"}))).results[0].id)
    assert "\x00" not in nul_article.body_text and "tail of the story" in nul_article.body_text
    unitsep = engine.article(engine.search(request_from_args(MultiDict({"q": "Unitsep"}))).results[0].id)
    assert unitsep.authors == ["Ann Lee Bob Roe"]
