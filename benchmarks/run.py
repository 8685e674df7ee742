"""Benchmark cstosearch against SQLite FTS5 served by Datasette, on the same articles.

    python benchmarks/run.py                      # all 58,627 articles
    python benchmarks/run.py --articles 1000      # a quick run
    python benchmarks/run.py --scale              # synthetic 10k / 100k / 1M articles

See benchmarks/README.md for what is measured and why the peer is set up as it is.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.metadata
import json
import os
import platform
import random
import shlex
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from loadgen import PhaseResult, percentile, run_phase  # noqa: E402
from synth import SentencePool  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news-58k.jsonl.gz"
HOST = "127.0.0.1"
BIN = Path(sys.executable).parent
PRIMARY_PEER = "datasette-ranked"

# --------------------------------------------------------------------------- peer

PEER_FILTERS = """
    AND (:outlets = '' OR a.outlet IN (SELECT value FROM json_each(:outlets)))
    AND (:date_from = '' OR a.date >= :date_from)
    AND (:date_to = '' OR a.date <= :date_to)"""

# One request returns what one cstosearch request returns: the exact total, outlet
# and year counts over all matches, and one page of hits in rank order (bm25,
# FTS5's `rank`) with a snippet of the body.
RANKED_SQL = """
WITH hits AS MATERIALIZED (
  SELECT a.outlet, a.year
  FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
  WHERE articles_fts MATCH :q{filters}
),
page AS (
  SELECT a.id, a.url, a.title, a.outlet, a.author, a.date AS published,
         snippet(articles_fts, 1, '<b>', '</b>', '…', 24) AS snippet,
         articles_fts.rank AS score
  FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
  WHERE articles_fts MATCH :q{filters}
  ORDER BY {order}
  LIMIT CAST(:page_size AS INTEGER)
  OFFSET (CAST(:page AS INTEGER) - 1) * CAST(:page_size AS INTEGER)
)
SELECT
  (SELECT count(*) FROM hits) AS total,
  (SELECT json_group_array(json_object('value', outlet, 'count', n)) FROM
     (SELECT outlet, count(*) AS n FROM hits GROUP BY outlet ORDER BY n DESC, outlet LIMIT 30)) AS facet_outlet,
  (SELECT json_group_array(json_object('value', year, 'count', n)) FROM
     (SELECT year, count(*) AS n FROM hits GROUP BY year ORDER BY n DESC, year LIMIT 30)) AS facet_year,
  (SELECT json_group_array(json_object('id', id, 'url', url, 'title', title, 'outlet', outlet,
     'author', author, 'published', published, 'snippet', snippet, 'score', score)) FROM page) AS results
"""


def datasette_metadata() -> dict:
    return {
        "title": "cstosearch benchmark peer",
        "databases": {
            "bench": {
                "tables": {"articles": {"fts_table": "articles_fts", "fts_pk": "rowid"}},
                "queries": {
                    "search": {
                        "sql": RANKED_SQL.format(filters=PEER_FILTERS, order="articles_fts.rank"),
                    },
                    "search_by_date": {
                        "sql": RANKED_SQL.format(filters=PEER_FILTERS, order="a.date DESC, articles_fts.rank"),
                    },
                },
            }
        },
    }


DATASETTE_SETTINGS = {
    # Large enough that no query of the set is cut short: cstosearch has no such limit.
    "sql_time_limit_ms": "60000",
    "facet_time_limit_ms": "60000",
    "num_sql_threads": "3",
}

# --------------------------------------------------------------------------- queries


def cstosearch_path(query: dict, page_size: int) -> str:
    params: list[tuple[str, str]] = [("q", query["q"])]
    params += [("outlet", o) for o in query["outlet"]]
    if query["from"]:
        params.append(("from", query["from"]))
    if query["to"]:
        params.append(("to", query["to"]))
    params += [("sort", query["sort"]), ("page", str(query["page"])), ("page_size", str(page_size))]
    return "/api/search?" + urllib.parse.urlencode(params)


def ranked_peer_path(query: dict, page_size: int) -> str:
    name = "search_by_date" if query["sort"] == "date" else "search"
    params = {
        "q": query["fts"],
        "outlets": json.dumps(query["outlet"]) if query["outlet"] else "",
        "date_from": query["from"],
        "date_to": query["to"],
        "page": str(query["page"]),
        "page_size": str(page_size),
        "_shape": "array",
    }
    return f"/bench/{name}.json?" + urllib.parse.urlencode(params)


def table_peer_params(query: dict, size: int) -> list[tuple[str, str]]:
    params = [("_search", query["fts"]), ("_searchmode", "raw")]
    for col in ("id", "url", "title", "outlet", "author", "date"):
        params.append(("_col", col))
    if len(query["outlet"]) == 1:
        params.append(("outlet__exact", query["outlet"][0]))
    elif query["outlet"]:
        params.append(("outlet__in", json.dumps(query["outlet"])))
    if query["from"]:
        params.append(("date__gte", query["from"]))
    if query["to"]:
        params.append(("date__lte", query["to"]))
    if query["sort"] == "date":
        params.append(("_sort_desc", "date"))
    params.append(("_size", str(size)))
    return params


def table_peer_path(query: dict, page_size: int, port: int) -> str:
    """Datasette's own table view; a later page is reached with its `_next` token."""
    extra = [("_facet", "outlet"), ("_facet", "year"), ("_nosuggest", "1")]
    params = table_peer_params(query, page_size)
    if query["page"] > 1:
        skip = (query["page"] - 1) * page_size
        first = table_peer_params(query, skip) + [("_nocount", "1"), ("_nofacet", "1")]
        url = f"http://{HOST}:{port}/bench/articles.json?" + urllib.parse.urlencode(first)
        with urllib.request.urlopen(url, timeout=120) as resp:
            token = json.load(resp).get("next")
        # Fewer hits than the skipped pages: a token past every rowid gives the empty page.
        params.append(("_next", str(token) if token is not None else "9223372036854775807"))
    return "/bench/articles.json?" + urllib.parse.urlencode(params + extra)


def total_of(engine: str, body: bytes) -> tuple[int, int]:
    """(total hits, results on the page) read from a response body; raises on a malformed one."""
    data = json.loads(body)
    if engine == "cstosearch":
        return int(data["total"]), len(data["results"])
    if engine == "datasette-ranked":
        row = data[0]
        return int(row["total"]), len(json.loads(row["results"]))
    return int(data["filtered_table_rows_count"]), len(data["rows"])


# --------------------------------------------------------------------------- processes


class TreeSampler:
    """Peak summed RSS of a process and all its descendants, polled in a thread."""

    def __init__(self, pid: int, interval_s: float = 0.05) -> None:
        self.pid = pid
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
        self.peak_bytes = max(self.peak_bytes, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> TreeSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class BuildResult:
    engine: str
    articles: int
    seconds: float
    peak_rss_bytes: int
    size_bytes: int
    command: str

    @property
    def docs_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "engine": self.engine,
            "articles": self.articles,
            "seconds": self.seconds,
            "docs_per_s": self.docs_per_s,
            "peak_rss_bytes": self.peak_rss_bytes,
            "size_bytes": self.size_bytes,
            "command": self.command,
        }


def disk_usage(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed_build(
    engine: str, cmd: list[str], output: Path, articles: int, log_dir: Path, env: dict | None = None
) -> BuildResult:
    """Run a build command as a subprocess; time it and poll its process tree's memory."""
    log = log_dir / f"build-{engine}.log"
    with log.open("wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=fh, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        with TreeSampler(proc.pid) as sampler:
            rc = proc.wait()
        seconds = time.perf_counter() - t0
    if rc != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{engine} build failed (exit {rc}): {shlex.join(cmd)}\n{tail}")
    return BuildResult(engine, articles, seconds, sampler.peak_bytes, disk_usage(output), shlex.join(cmd))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """A server process started by the benchmark, in its own process group."""

    def __init__(self, name: str, cmd: list[str], port: int, ready_path: str, log_dir: Path, env: dict | None = None):
        self.name, self.cmd, self.port, self.ready_path = name, cmd, port, ready_path
        self.log = log_dir / f"server-{name}.log"
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 120.0) -> None:
        fh = self.log.open("wb")
        self.proc = subprocess.Popen(
            self.cmd, cwd=REPO, env=self.env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
        fh.close()
        deadline = time.monotonic() + timeout_s
        url = f"http://{HOST}:{self.port}{self.ready_path}"
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(url, timeout=60) as resp:
                    if resp.status == 200:
                        return
                    last = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                # It answers, but wrongly: waiting longer will not help.
                last = f"HTTP {exc.code}: {exc.read()[:300]!r}"
                break
            except (OSError, ValueError) as exc:
                last = str(exc)
            time.sleep(0.25)
        tail = self.log.read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"{self.name} is not serving {url} ({last}): {shlex.join(self.cmd)}\n{tail}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def snapshot_source(work: Path) -> Path | None:
    """Copy src/ so that the index and the server run the same code even if src/ changes meanwhile."""
    src = REPO / "src"
    if not (src / "cstosearch").is_dir():
        return None
    dest = work / "src-snapshot"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def code_env(args: argparse.Namespace) -> dict:
    if args.snapshot is None:
        return {}
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(args.snapshot), os.environ.get("PYTHONPATH", "")]))}


def cstosearch_server(
    index_dir: Path,
    workers: int,
    log_dir: Path,
    conf: Path | None,
    app: str = "cstosearch.web:create_app()",
    env: dict | None = None,
) -> Server:
    port = free_port()
    cmd = [str(BIN / "gunicorn")]
    if conf is not None and conf.exists():
        cmd += ["-c", str(conf)]
    cmd += ["--bind", f"{HOST}:{port}", "--workers", str(workers), app]
    return Server("cstosearch", cmd, port, "/api/search?q=said", log_dir, env={"CSTOSEARCH_INDEX_DIR": str(index_dir)})


def datasette_server(db: Path, metadata: Path, log_dir: Path) -> Server:
    port = free_port()
    cmd = [str(BIN / "datasette"), "serve", "-i", str(db), "--metadata", str(metadata)]
    cmd += ["--host", HOST, "--port", str(port)]
    for key, value in DATASETTE_SETTINGS.items():
        cmd += ["--setting", key, value]
    return Server("datasette", cmd, port, "/-/versions.json", log_dir)


# --------------------------------------------------------------------------- corpus


def count_lines(path: Path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def write_sample(corpus: Path, n: int, out: Path, seed: int) -> int:
    """Write N articles of the corpus (a seeded uniform sample, in corpus order) to `out`."""
    total = count_lines(corpus)
    wanted = None if n <= 0 or n >= total else set(random.Random(seed).sample(range(total), n))
    opener = gzip.open if corpus.suffix == ".gz" else open
    written = 0
    with opener(corpus, "rt", encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        i = 0
        for line in src:
            if not line.strip():
                continue
            if wanted is None or i in wanted:
                dst.write(line if line.endswith("\n") else line + "\n")
                written += 1
            i += 1
    return written


# --------------------------------------------------------------------------- measuring


def load_queries(path: Path, classes: set[str] | None, max_queries: int) -> tuple[list[dict], int]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    queries = [q for q in doc["queries"] if not classes or q["class"] in classes]
    if 0 < max_queries < len(queries):
        # Evenly spaced, so that a short run still covers several classes.
        step = len(queries) / max_queries
        queries = [queries[int(i * step)] for i in range(max_queries)]
    return queries, int(doc.get("page_size", 10))


def summarize(latencies: list[float], count: int, errors: int, wall_s: float | None) -> dict:
    ms = [x * 1000 for x in latencies]
    return {
        "requests": count,
        "errors": errors,
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "mean_ms": statistics.fmean(ms) if ms else float("nan"),
        "max_ms": max(ms) if ms else float("nan"),
        "wall_s": wall_s,
        "req_per_s": (count / wall_s) if wall_s else None,
    }


def bench_engine(
    engine: str,
    port: int,
    paths: dict[str, str],
    queries: list[dict],
    args: argparse.Namespace,
    server_pid: int,
) -> dict:
    """Warm up, then measure each query class as its own closed-loop phase."""
    by_id = {q["id"]: q for q in queries}
    warm = [(q["id"], paths[q["id"]]) for q in queries]
    first_pass = None
    for number in range(args.warmup):
        phase = run_phase(HOST, port, warm, args.clients, args.timeout, args.phase_time_limit)
        if number == 0:
            first_pass = phase
    classes = sorted({q["class"] for q in queries}, key=lambda c: [q["class"] for q in queries].index(c))
    rng = random.Random(args.seed)
    phases: dict[str, PhaseResult] = {}
    with TreeSampler(server_pid, interval_s=0.2) as sampler:
        for cls in classes:
            reqs = [(q["id"], paths[q["id"]]) for q in queries if q["class"] == cls] * args.rounds
            rng.shuffle(reqs)
            phases[cls] = run_phase(HOST, port, reqs, args.clients, args.timeout, args.phase_time_limit)
    samples = []
    per_query_total: dict[str, int] = {}
    bad_bodies = 0
    error_examples: list[str] = []
    for cls, phase in phases.items():
        for s in phase.samples:
            ok = s.status == 200 and not s.error
            if ok:
                try:
                    total, _ = total_of(engine, s.body)
                    per_query_total[s.key] = total
                except (ValueError, KeyError, IndexError, TypeError) as exc:
                    ok = False
                    bad_bodies += 1
                    s.error = f"malformed body: {exc}"
            if not ok and len(error_examples) < 5:
                error_examples.append(f"{s.key}: status {s.status} {s.error} {s.body[:200]!r}")
            samples.append((cls, s, ok))

    def stats(selected: Iterable[tuple[str, object, bool]], wall: float | None) -> dict:
        sel = list(selected)
        return summarize([s.latency_s for _, s, _ in sel], len(sel), sum(1 for *_, ok in sel if not ok), wall)

    result = {
        "engine": engine,
        "classes": {cls: stats([x for x in samples if x[0] == cls], phases[cls].wall_s) for cls in phases},
        "all": stats(samples, sum(p.wall_s for p in phases.values())),
        "variants": {},
        "pages": {},
        "totals": per_query_total,
        "stopped_early": any(p.stopped_early for p in phases.values()),
        "error_examples": error_examples,
        "server_peak_rss_bytes": sampler.peak_bytes,
    }
    if first_pass is not None:
        # Every query is new to the server in this pass: no answered page or match set is cached.
        firsts = [(by_id[s.key]["class"], s, s.status == 200 and not s.error) for s in first_pass.samples]
        result["first_pass"] = {
            "engine": engine,
            "classes": {cls: stats([x for x in firsts if x[0] == cls], None) for cls in classes},
            "all": stats(firsts, first_pass.wall_s),
        }
    for key, field_name in (("variants", "variant"), ("pages", "page")):
        groups = sorted({str(by_id[s.key][field_name]) for _, s, _ in samples})
        for g in groups:
            result[key][g] = stats([x for x in samples if str(by_id[x[1].key][field_name]) == g], None)
    return result


def machine_facts() -> dict:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_bytes": psutil.virtual_memory().total,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "versions": {d: version(d) for d in ("cstosearch", "Whoosh-Reloaded", "gunicorn", "Flask", "datasette")},
        "git_commit": commit or "(none)",
    }


# --------------------------------------------------------------------------- reporting


def fmt(x: float | None, digits: int = 1) -> str:
    if x is None or x != x:  # None or NaN
        return "–"
    return f"{x:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b or a != a or b != b:
        return "–"
    return f"{a / b:.2f}×"


def mb(n: int) -> str:
    return f"{n / 1e6:,.0f}"


def build_table(builds: list[dict]) -> list[str]:
    lines = [
        "| engine | articles | build s | docs/s | peak RSS MB | index MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for b in builds:
        lines.append(
            f"| {b['engine']} | {b['articles']:,} | {fmt(b['seconds'])} | {fmt(b['docs_per_s'], 0)}"
            f" | {mb(b['peak_rss_bytes'])} | {mb(b['size_bytes'])} |"
        )
    if len(builds) >= 2:
        c, p = builds[0], builds[1]
        lines.append(
            f"| ratio {c['engine']} ÷ {p['engine']} | | {ratio(c['seconds'], p['seconds'])}"
            f" | {ratio(c['docs_per_s'], p['docs_per_s'])} | {ratio(c['peak_rss_bytes'], p['peak_rss_bytes'])}"
            f" | {ratio(c['size_bytes'], p['size_bytes'])} |"
        )
    return lines


def latency_table(ours: dict, peer: dict, group: str, with_rate: bool) -> list[str]:
    head = "| " + group + " | n | cstosearch p50 / p95 / p99 ms |"
    sep = "|---|---:|---:|"
    if with_rate:
        head += " req/s |"
        sep += "---:|"
    head += f" {peer['engine']} p50 / p95 / p99 ms |"
    sep += "---:|"
    if with_rate:
        head += " req/s |"
        sep += "---:|"
    head += " ratio p50 | ratio p95 | ratio p99 |"
    sep += "---:|---:|---:|"
    if with_rate:
        head += " ratio req/s |"
        sep += "---:|"
    head += " errors |"
    sep += "---:|"
    lines = [head, sep]
    key = {"class": "classes", "variant": "variants", "page": "pages"}[group]
    rows = list(ours[key].items())
    if group == "class":
        rows.append(("**all**", ours["all"]))
    for name, a in rows:
        b = peer["all"] if name == "**all**" else peer[key].get(name)
        if b is None:
            continue
        line = f"| {name} | {a['requests']} | {fmt(a['p50_ms'])} / {fmt(a['p95_ms'])} / {fmt(a['p99_ms'])} |"
        if with_rate:
            line += f" {fmt(a['req_per_s'])} |"
        line += f" {fmt(b['p50_ms'])} / {fmt(b['p95_ms'])} / {fmt(b['p99_ms'])} |"
        if with_rate:
            line += f" {fmt(b['req_per_s'])} |"
        line += " " + " | ".join(ratio(a[k], b[k]) for k in ("p50_ms", "p95_ms", "p99_ms")) + " |"
        if with_rate:
            line += f" {ratio(a['req_per_s'], b['req_per_s'])} |"
        line += f" {a['errors']} / {b['errors']} |"
        lines.append(line)
    return lines


def agreement(ours: dict, peer: dict, queries: list[dict]) -> dict:
    """How often the two engines count the same number of matches."""
    same = close = compared = 0
    differing = []
    for q in queries:
        a, b = ours["totals"].get(q["id"]), peer["totals"].get(q["id"])
        if a is None or b is None:
            continue
        compared += 1
        if a == b:
            same += 1
        if abs(a - b) <= max(1, 0.05 * max(a, b)):
            close += 1
        elif q["page"] == 1 and q["variant"] == "none":
            differing.append(f"`{q['q']}`: {a:,} vs {b:,}")
    return {"compared": compared, "equal": same, "within_5pct": close, "differing_examples": differing}


def single_engine_table(result: dict) -> list[str]:
    lines = ["| class | n | p50 ms | p95 ms | p99 ms | req/s | errors |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, a in [*result["classes"].items(), ("**all**", result["all"])]:
        lines.append(
            f"| {name} | {a['requests']} | {fmt(a['p50_ms'])} | {fmt(a['p95_ms'])} | {fmt(a['p99_ms'])}"
            f" | {fmt(a['req_per_s'])} | {a['errors']} |"
        )
    return lines


def header_lines(title: str, argv: list[str], facts: dict, args: argparse.Namespace) -> list[str]:
    cmd = shlex.join([Path(sys.executable).name, "benchmarks/run.py", *argv])
    v = facts["versions"]
    return [
        f"# {title}",
        "",
        f"- command: `{cmd}`",
        f"- when: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, git {facts['git_commit']}",
        f"- machine: {facts['cpu_count']} CPUs ({facts['cpu_model'] or 'unknown model'}),"
        f" {facts['memory_bytes'] / 2**30:.0f} GiB RAM, {facts['platform']}",
        f"- software: Python {facts['python']}, SQLite {facts['sqlite']}, cstosearch {v['cstosearch']},"
        f" Whoosh-Reloaded {v['Whoosh-Reloaded']}, gunicorn {v['gunicorn']}, Flask {v['Flask']},"
        f" Datasette {v['datasette']}",
        f"- load: {args.clients} concurrent keep-alive clients on the same machine, {args.warmup} warm-up"
        f" pass, {args.rounds} measured pass(es) per query, one phase per query class;"
        f" cstosearch on gunicorn with {args.workers} workers",
        "",
    ]


def write_outputs(out_dir: Path, stem: str, markdown: list[str], raw: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    text = "\n".join(markdown).rstrip() + "\n"
    (out_dir / f"{stem}.md").write_text(text, encoding="utf-8")
    (out_dir / f"{stem.lower()}.json").write_text(json.dumps(raw, indent=1, default=str) + "\n", encoding="utf-8")
    print(text)
    print(f"wrote {out_dir / (stem + '.md')} and {out_dir / (stem.lower() + '.json')}")


# --------------------------------------------------------------------------- runs


def cstosearch_build(
    source: Path, index_dir: Path, articles: int, args: argparse.Namespace, log_dir: Path
) -> BuildResult:
    cmd = [str(args.cstosearch_bin), "index", "--index-dir", str(index_dir), *shlex.split(args.index_args)]
    cmd.append(str(source))
    return timed_build("cstosearch", cmd, index_dir, articles, log_dir, env=code_env(args))


def peer_build(source: Path, db: Path, articles: int, log_dir: Path) -> BuildResult:
    cmd = [sys.executable, str(HERE / "peer_index.py"), str(source), str(db)]
    return timed_build("sqlite-fts5", cmd, db, articles, log_dir)


def conf_path(args: argparse.Namespace) -> Path:
    """The gunicorn config, taken from the snapshot when it lies under src/."""
    if args.snapshot is not None:
        try:
            return args.snapshot / args.gunicorn_conf.resolve().relative_to(REPO / "src")
        except ValueError:
            pass
    return args.gunicorn_conf


def run_compare(args: argparse.Namespace, argv: list[str], work: Path) -> int:
    queries, page_size = load_queries(args.queries, args.classes, args.max_queries)
    source = work / "articles.jsonl"
    n = write_sample(args.corpus, args.articles, source, args.seed)
    print(f"sample: {n:,} articles -> {source}", flush=True)

    builds = [cstosearch_build(source, work / "cstosearch-index", n, args, work)]
    print(f"cstosearch index: {builds[-1].seconds:.1f} s", flush=True)
    peers = [p for p in args.peers if p]
    if peers:
        builds.append(peer_build(source, work / "bench.db", n, work))
        print(f"sqlite-fts5 index: {builds[-1].seconds:.1f} s", flush=True)

    results: dict[str, dict] = {}
    ours_srv = cstosearch_server(
        work / "cstosearch-index", args.workers, work, conf_path(args), args.app, code_env(args)
    )
    with ours_srv:
        paths = {q["id"]: cstosearch_path(q, page_size) for q in queries}
        results["cstosearch"] = bench_engine("cstosearch", ours_srv.port, paths, queries, args, ours_srv.proc.pid)
        print(f"cstosearch queries: p50 {results['cstosearch']['all']['p50_ms']:.1f} ms", flush=True)
    if peers:
        meta = work / "datasette-metadata.json"
        meta.write_text(json.dumps(datasette_metadata(), indent=1), encoding="utf-8")
        peer_srv = datasette_server(work / "bench.db", meta, work)
        with peer_srv:
            for peer in peers:
                if peer == "datasette-ranked":
                    paths = {q["id"]: ranked_peer_path(q, page_size) for q in queries}
                else:
                    paths = {q["id"]: table_peer_path(q, page_size, peer_srv.port) for q in queries}
                results[peer] = bench_engine(peer, peer_srv.port, paths, queries, args, peer_srv.proc.pid)
                print(f"{peer} queries: p50 {results[peer]['all']['p50_ms']:.1f} ms", flush=True)

    facts = machine_facts()
    md = header_lines(f"Benchmark: cstosearch vs SQLite FTS5 + Datasette, {n:,} articles", argv, facts, args)
    md += ["## Indexing", "", *build_table([b.as_dict() for b in builds]), ""]
    md += [
        "Peak RSS sums the build process and its children (polled every 50 ms); index size is the bytes on disk.",
        "",
    ]
    ours = results["cstosearch"]
    raw_agreement = {}
    for peer in peers:
        theirs = results[peer]
        md += [f"## Queries: cstosearch vs {peer}", ""]
        md += ["Ratios are cstosearch ÷ peer: above 1× is slower (latency) or faster (req/s).", ""]
        md += [*latency_table(ours, theirs, "class", True), ""]
        if "first_pass" in ours and "first_pass" in theirs:
            md += ["First pass only (each query new to the server, so nothing cached by cstosearch):", ""]
            md += [*latency_table(ours["first_pass"], theirs["first_pass"], "class", False), ""]
        md += [*latency_table(ours, theirs, "variant", False), ""]
        md += [*latency_table(ours, theirs, "page", False), ""]
        agree = raw_agreement[peer] = agreement(ours, theirs, queries)
        md += [
            f"Match counts: {agree['equal']} of {agree['compared']} queries equal, {agree['within_5pct']} within 5%.",
        ]
        if agree["differing_examples"]:
            md += [
                "Unfiltered queries counting differently (cstosearch vs peer): "
                + "; ".join(agree["differing_examples"])
            ]
        md += [""]
    md += [
        "Server peak RSS under load: "
        + ", ".join(f"{name} {mb(r['server_peak_rss_bytes'])} MB" for name, r in results.items()),
        "",
    ]
    if not peers:
        md += ["## Queries: cstosearch", "", *single_engine_table(ours), ""]
    for name, r in results.items():
        if r["error_examples"]:
            md += [f"Errors from {name}: " + "; ".join(r["error_examples"]), ""]
        if r["stopped_early"]:
            md += [f"{name}: a phase hit --phase-time-limit and stopped early.", ""]
    raw = {
        "kind": "compare",
        "argv": argv,
        "machine": facts,
        "articles": n,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "builds": [b.as_dict() for b in builds],
        "queries": results,
        "agreement": raw_agreement,
        "datasette": {"settings": DATASETTE_SETTINGS, "metadata": datasette_metadata()},
    }
    write_outputs(args.out_dir, "RESULTS", md, raw)
    return 0 if all(r["all"]["errors"] == 0 for r in results.values()) else 1


def run_scale(args: argparse.Namespace, argv: list[str], work: Path) -> int:
    queries, page_size = load_queries(args.queries, args.classes, args.max_queries)
    print("reading the corpus into the sentence pool...", flush=True)
    pool = SentencePool.from_jsonl(args.corpus)
    rows = []
    for size in args.scale_sizes:
        source = work / f"synthetic-{size}.jsonl"
        with source.open("w", encoding="utf-8") as fh:
            for doc in pool.articles(size, args.seed):
                fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
        print(f"synthetic corpus: {size:,} articles, {source.stat().st_size / 1e6:,.0f} MB", flush=True)
        index_dir = work / f"cstosearch-index-{size}"
        row: dict = {"articles": size, "builds": []}
        build = cstosearch_build(source, index_dir, size, args, work)
        row["builds"].append(build.as_dict())
        print(f"  cstosearch index: {build.seconds:.1f} s", flush=True)
        srv = cstosearch_server(index_dir, args.workers, work, conf_path(args), args.app, code_env(args))
        with srv:
            paths = {q["id"]: cstosearch_path(q, page_size) for q in queries}
            row["cstosearch"] = bench_engine("cstosearch", srv.port, paths, queries, args, srv.proc.pid)
        print(f"  cstosearch queries: p50 {row['cstosearch']['all']['p50_ms']:.1f} ms", flush=True)
        if args.scale_peer:
            db = work / f"bench-{size}.db"
            row["builds"].append(peer_build(source, db, size, work).as_dict())
            meta = work / "datasette-metadata.json"
            meta.write_text(json.dumps(datasette_metadata(), indent=1), encoding="utf-8")
            # Datasette names the database after the file; the canned queries expect "bench".
            link = work / "bench.db"
            link.unlink(missing_ok=True)
            link.symlink_to(db)
            peer_srv = datasette_server(link, meta, work)
            with peer_srv:
                paths = {q["id"]: ranked_peer_path(q, page_size) for q in queries}
                row[PRIMARY_PEER] = bench_engine(PRIMARY_PEER, peer_srv.port, paths, queries, args, peer_srv.proc.pid)
            db.unlink()
        rows.append(row)
        if not args.keep_work:
            source.unlink()
            subprocess.run(["rm", "-rf", str(index_dir)], check=False)

    facts = machine_facts()
    md = header_lines("Scale benchmark: cstosearch on synthetic corpora", argv, facts, args)
    md += [
        "Synthetic articles recombine real sentences within each outlet and year (benchmarks/synth.py).",
        "Growth is relative to the smallest size.",
        "",
        "| articles | build s | docs/s | peak RSS MB | index MB | p50 ms | p95 ms | p99 ms | req/s | errors"
        " | growth build s | growth p50 | growth p95 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    first = rows[0]
    for row in rows:
        b, q = row["builds"][0], row["cstosearch"]["all"]
        b0, q0 = first["builds"][0], first["cstosearch"]["all"]
        md.append(
            f"| {row['articles']:,} | {fmt(b['seconds'])} | {fmt(b['docs_per_s'], 0)} | {mb(b['peak_rss_bytes'])}"
            f" | {mb(b['size_bytes'])} | {fmt(q['p50_ms'])} | {fmt(q['p95_ms'])} | {fmt(q['p99_ms'])}"
            f" | {fmt(q['req_per_s'])} | {q['errors']} | {ratio(b['seconds'], b0['seconds'])}"
            f" | {ratio(q['p50_ms'], q0['p50_ms'])} | {ratio(q['p95_ms'], q0['p95_ms'])} |"
        )
    md.append("")
    if args.scale_peer:
        md += ["### Peer at the same sizes (SQLite FTS5, ranked canned query)", ""]
        md += ["| articles | build s | docs/s | index MB | p50 ms | p95 ms | p99 ms | req/s | ratio p50 | ratio p95 |"]
        md += ["|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for row in rows:
            b, q, ours = row["builds"][1], row[PRIMARY_PEER]["all"], row["cstosearch"]["all"]
            md.append(
                f"| {row['articles']:,} | {fmt(b['seconds'])} | {fmt(b['docs_per_s'], 0)} | {mb(b['size_bytes'])}"
                f" | {fmt(q['p50_ms'])} | {fmt(q['p95_ms'])} | {fmt(q['p99_ms'])} | {fmt(q['req_per_s'])}"
                f" | {ratio(ours['p50_ms'], q['p50_ms'])} | {ratio(ours['p95_ms'], q['p95_ms'])} |"
            )
        md.append("")
    raw = {
        "kind": "scale",
        "argv": argv,
        "machine": facts,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "rows": rows,
    }
    write_outputs(args.out_dir, "RESULTS-scale", md, raw)
    ok = all(r["cstosearch"]["all"]["errors"] == 0 for r in rows)
    return 0 if ok else 1


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Benchmark cstosearch against SQLite FTS5 + Datasette.")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL(.gz) articles (default: %(default)s)")
    p.add_argument("--articles", type=int, default=0, help="how many articles to sample; 0 = all (default)")
    p.add_argument("--queries", type=Path, default=HERE / "queries.json")
    p.add_argument(
        "--classes",
        type=lambda s: set(filter(None, s.split(","))),
        default=None,
        help="comma-separated query classes to run (default: all)",
    )
    p.add_argument("--max-queries", type=int, default=0, help="use N queries spread evenly over the set (0 = all)")
    p.add_argument("--clients", type=int, default=4, help="concurrent client threads (default 4)")
    p.add_argument("--rounds", type=int, default=2, help="measured passes over the query set (default 2)")
    p.add_argument("--warmup", type=int, default=1, help="unmeasured passes first (default 1)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers for cstosearch (default 2)")
    p.add_argument(
        "--peers",
        type=lambda s: [x for x in s.split(",") if x],
        default=["datasette-ranked", "datasette-table"],
        help="peers to measure: datasette-ranked,datasette-table (empty string for none)",
    )
    p.add_argument("--timeout", type=float, default=60.0, help="per-request timeout, s")
    p.add_argument("--phase-time-limit", type=float, default=600.0, help="stop a phase after this many s")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out-dir", type=Path, default=HERE, help="where RESULTS.md and results.json go")
    p.add_argument("--work-dir", type=Path, default=None, help="scratch space (default: a new temp dir)")
    p.add_argument("--keep-work", action="store_true", help="keep the scratch dir (indexes, logs)")
    p.add_argument("--cstosearch-bin", type=Path, default=BIN / "cstosearch")
    p.add_argument("--gunicorn-conf", type=Path, default=REPO / "src" / "cstosearch" / "gunicorn_conf.py")
    p.add_argument(
        "--no-snapshot",
        action="store_true",
        help="run the installed cstosearch as it is, instead of a copy of src/ taken at the start",
    )
    p.add_argument("--index-args", default="", help="extra options for `cstosearch index`, e.g. '--procs 2'")
    p.add_argument("--app", default="cstosearch.web:create_app()", help="gunicorn app spec (default: %(default)s)")
    p.add_argument("--scale", action="store_true", help="synthetic corpora at --scale-sizes instead")
    p.add_argument("--scale-sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000, 1_000_000])
    p.add_argument("--scale-peer", action="store_true", help="also build and query the peer at each size")
    args = p.parse_args(argv)
    for peer in args.peers:
        if peer not in ("datasette-ranked", "datasette-table"):
            p.error(f"unknown peer {peer!r}")
    if not args.corpus.exists():
        p.error(f"corpus not found: {args.corpus}")
    if not args.cstosearch_bin.exists():
        p.error(f"cstosearch executable not found: {args.cstosearch_bin} (run `pip install -e .`)")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    own_work = args.work_dir is None
    work = Path(tempfile.mkdtemp(prefix="cstosearch-bench-")) if own_work else args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    args.snapshot = None if args.no_snapshot else snapshot_source(work)
    runner: Callable[[argparse.Namespace, list[str], Path], int] = run_scale if args.scale else run_compare
    try:
        return runner(args, argv, work)
    finally:
        if args.keep_work or not own_work:
            print(f"scratch kept in {work}")
        else:
            subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    sys.exit(main())
