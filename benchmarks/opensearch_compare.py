"""Whoosh and OpenSearch behind the same web app, on the same articles: build time and first-pass latency.

    python benchmarks/opensearch_compare.py                       # all 58,627 articles, a local 3-node cluster
    python benchmarks/opensearch_compare.py --articles 2000       # a quick run
    python benchmarks/opensearch_compare.py --opensearch-url http://127.0.0.1:9250   # a running cluster
    python benchmarks/opensearch_compare.py --opensearch-url URL --resume .cache/cstosearch-os-bench-XXXX
        # serve and query the indexes a run built (its build figures from their run reports)

Both indexes are built by ``cstosearch index`` (the same ingester, dedupe and run report), then
each is served by gunicorn with the same settings, and the committed query set is sent once
(the first pass: cold caches) and once more (warm). Writes RESULTS-opensearch.md and
results-opensearch.json into this folder.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shlex
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import DEFAULT_CORPUS, write_sample  # noqa: E402
from loadgen import run_phase  # noqa: E402
from measure import summarize  # noqa: E402
from processes import BIN, HOST, REPO, cstosearch_server, snapshot_source, timed_build  # noqa: E402
from report import machine_facts  # noqa: E402
from urls import cstosearch_path, total_of  # noqa: E402

ALIAS = "bench-articles"


def _cluster_script():
    spec = importlib.util.spec_from_file_location("opensearch_cluster", REPO / "scripts" / "opensearch_cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cluster_rss(urls: list[str]) -> int:
    """Resident memory of the local nodes listening on these URLs' ports (0 for a remote cluster)."""
    ports = {int(url.rsplit(":", 1)[1]) for url in urls}
    total = 0
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port in ports and conn.pid:
            try:
                total += psutil.Process(conn.pid).memory_info().rss
            except psutil.Error:
                continue
    return total


def first_passes(port: int, queries: list[dict], page_size: int, clients: int) -> dict:
    requests = [(q["id"], cstosearch_path(q, page_size)) for q in queries]
    passes = {}
    for name in ("first", "second"):
        phase = run_phase(HOST, port, requests, clients, 60.0, 900.0)
        ok = [s for s in phase.samples if s.status == 200 and not s.error]
        totals = {s.key: total_of("cstosearch", s.body)[0] for s in ok}
        passes[name] = {**summarize([s.latency_s for s in phase.samples], len(phase.samples), phase.errors,
                                    phase.wall_s), "totals": totals}
    return passes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=0, help="0: all")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--opensearch-url", default="", help="a running cluster (default: start 3 local nodes)")
    parser.add_argument("--heap", default="1g", help="heap per local node")
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--out-dir", type=Path, default=HERE)
    parser.add_argument("--resume", type=Path, help="a work folder whose two builds finished: serve and query them")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    doc = json.loads((HERE / "queries.json").read_text())
    queries, page_size = doc["queries"], int(doc.get("page_size", 10))
    if args.resume:
        work = args.resume.resolve()
        source = work / "articles.jsonl"
        articles = sum(1 for _ in source.open(encoding="utf-8"))
    else:
        work = Path(tempfile.mkdtemp(prefix="cstosearch-os-bench-", dir=REPO / ".cache"))
        work.chmod(0o755)  # local nodes started by root run as `nobody`, who must reach their folders
        source = work / "articles.jsonl"
        articles = write_sample(args.corpus, args.articles, source, args.seed)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    # Builds and servers run a copy of src/, so a change to src/ during the run cannot mix versions.
    snapshot = snapshot_source(work)
    code = {"PYTHONPATH": str(snapshot)}
    cluster = None
    results: dict = {"articles": articles, "machine": machine_facts(), "argv": sys.argv, "builds": {}, "passes": {}}
    try:
        if args.opensearch_url:
            urls = args.opensearch_url.split(",")
        else:
            cluster = _cluster_script().LocalCluster(work / "cluster", http_port=9600, heap=args.heap)
            started = time.perf_counter()
            cluster.start(timeout_s=600)
            print(f"cluster green in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            urls = cluster.urls()
        url = ",".join(urls)
        env_os = {"CSTOSEARCH_ENGINE": "opensearch", "CSTOSEARCH_OPENSEARCH_URL": url,
                  "CSTOSEARCH_OPENSEARCH_INDEX": ALIAS, **code}
        whoosh_dir, os_dir = work / "whoosh-index", work / "opensearch-runs"
        cmd = [str(BIN / "cstosearch"), "index", "--index-dir", str(whoosh_dir), str(source)]
        results["builds"]["whoosh"] = (reported_build("whoosh", whoosh_dir, articles) if args.resume else
                                       timed_build("whoosh", cmd, whoosh_dir, articles, logs, env=code).as_dict())
        cmd = [str(BIN / "cstosearch"), "index", "--engine", "opensearch", "--opensearch-url", url, "--index-dir",
               str(os_dir), "--shards", str(args.shards), "--replicas", str(args.replicas), str(source)]
        build = (reported_build("opensearch", os_dir, articles) if args.resume else
                 timed_build("opensearch", cmd, os_dir, articles, logs, env=env_os).as_dict())
        sys.path.insert(0, str(REPO / "src"))
        from cstosearch.engines.opensearch.connection import connect
        from cstosearch.engines.opensearch.writer import OpenSearchStore

        store = OpenSearchStore(connect(url), ALIAS)
        build["size_bytes"] = store.size_bytes()
        build["cluster_rss_bytes_after"] = cluster_rss(urls)
        results["builds"]["opensearch"] = build
        for engine, env in (("whoosh", code), ("opensearch", env_os)):
            # The server's settings come from the same copy of the code as the app.
            server = cstosearch_server(whoosh_dir, args.workers, logs, snapshot / "cstosearch" / "gunicorn_conf.py")
            server.env.update(env)
            with server:
                results["passes"][engine] = first_passes(server.port, queries, page_size, args.clients)
    finally:
        if cluster is not None:
            cluster.stop()
    write_report(args.out_dir, results, queries)
    print(f"work folder: {work}", file=sys.stderr)
    return 0


def reported_build(engine: str, folder: Path, articles: int) -> dict:
    """A finished build's figures from its run report (a resumed run: memory was not watched)."""
    from cstosearch.index import ArticleIndex

    report = json.loads((folder / "last-run.json").read_text())
    return {"engine": engine, "articles": articles, "seconds": report["seconds"],
            "docs_per_s": articles / report["seconds"], "peak_rss_bytes": 0,
            "size_bytes": ArticleIndex(folder).size_bytes(), "command": f"(run report of {folder.name})",
            "reused": True, "earlier_docs_per_s": None}


def _ms(value: float) -> str:
    return f"{value:.1f}"


def write_report(out_dir: Path, results: dict, queries: list[dict]) -> None:
    (out_dir / "results-opensearch.json").write_text(json.dumps(results, indent=2))
    builds, passes, machine = results["builds"], results["passes"], results["machine"]
    lines = ["# Whoosh and OpenSearch behind the same app (one run)", "",
             f"`{shlex.join(results['argv'])}` — {results['articles']:,} articles, "
             f"{len(queries)} queries of `benchmarks/queries.json`; {machine['cpu_count']} CPUs "
             f"({machine['cpu_model']}), {machine['memory_bytes'] / 2**30:.0f} GiB, "
             f"commit {machine['git_commit']}.", "",
             "## Build (`cstosearch index`, the same ingester for both)", "",
             "| engine | seconds | docs/s | client peak RSS MB | size MB |", "|---|---:|---:|---:|---:|"]
    for engine, build in builds.items():
        memory = f"{build['peak_rss_bytes'] / 1e6:.0f}" if build["peak_rss_bytes"] else "not watched (resumed)"
        lines.append(f"| {engine} | {build['seconds']:.1f} | {build['docs_per_s']:.0f} | {memory} | "
                     f"{build['size_bytes'] / 1e6:.0f} |")
    lines += ["", "## Latency of /api/search (gunicorn, 2 workers, one client)", "",
              "| engine | pass | p50 ms | p95 ms | p99 ms | max ms | errors |", "|---|---|---:|---:|---:|---:|---:|"]
    for engine, runs in passes.items():
        for name, run in runs.items():
            lines.append(f"| {engine} | {name} | {_ms(run['p50_ms'])} | {_ms(run['p95_ms'])} | {_ms(run['p99_ms'])} | "
                         f"{_ms(run['max_ms'])} | {run['errors']} |")
    if {"whoosh", "opensearch"} <= set(passes):
        whoosh, other = passes["whoosh"]["first"]["totals"], passes["opensearch"]["first"]["totals"]
        same = sum(1 for key in whoosh if other.get(key) == whoosh[key])
        lines += ["", f"Same total on both engines: {same} of {len(whoosh)} queries."]
        differing = [(key, whoosh[key], other.get(key)) for key in whoosh if other.get(key) != whoosh[key]]
        for key, a, b in differing[:15]:
            lines.append(f"- `{key}`: whoosh {a}, opensearch {b}")
    (out_dir / "RESULTS-opensearch.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
