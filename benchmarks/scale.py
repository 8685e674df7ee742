"""The scale run: synthetic corpora of growing size, each indexed, served and queried."""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import first_pass
from measure import bench_engine, load_queries
from peer import datasette_metadata
from processes import code_env, conf_path, cstosearch_build, cstosearch_server, datasette_server, peer_build
from report import fmt, header_lines, machine_facts, mb, ratio, write_outputs
from synth import SentencePool
from urls import PRIMARY_PEER, cstosearch_path, ranked_peer_path


def repeated_load(args: argparse.Namespace) -> str:
    return (
        f"{args.clients} concurrent keep-alive clients on the same machine, {args.warmup} warm-up"
        f" pass, {args.rounds} measured pass(es) per query, one phase per query class;"
        f" cstosearch on gunicorn with {args.workers} workers"
    )


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
            if args.first_pass > 0:
                # Queries drawn from this size's own articles, each sent once (the headline figures).
                sets, _ = first_pass.generate(source, args.first_pass_scan, args.first_pass,
                                              args.first_pass_warmup, args.seed)
                target = first_pass.Target("cstosearch", srv.port, lambda q: cstosearch_path(q, page_size),
                                           srv.proc.pid)
                first = first_pass.measure([target], sets, args.clients, args.timeout, args.phase_time_limit)
                row["first_pass"] = first["cstosearch"]
                c1 = row["first_pass"]["c1"]["all"]
                print(f"  cstosearch first pass: c=1 p50 {c1['p50_ms']:.1f} ms, p95 {c1['p95_ms']:.1f} ms", flush=True)
            if args.repeated:
                paths = {q["id"]: cstosearch_path(q, page_size) for q in queries}
                row["cstosearch"] = bench_engine("cstosearch", srv.port, paths, queries, args, srv.proc.pid)
                print(f"  cstosearch queries (repeated): p50 {row['cstosearch']['all']['p50_ms']:.1f} ms", flush=True)
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
    md = header_lines("Scale benchmark: cstosearch on synthetic corpora", argv, facts, repeated_load(args))
    md += [
        "Synthetic articles recombine real sentences within each outlet and year (benchmarks/synth.py).",
        "Growth is relative to the smallest size.",
        "",
    ]
    if all("first_pass" in row for row in rows):
        md += first_pass_rows(rows, args.clients)
    if all("cstosearch" in row for row in rows):
        md += repeated_rows(rows)
    if args.scale_peer and all("cstosearch" in row for row in rows):
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


def first_pass_rows(rows: list[dict], clients: int) -> list[str]:
    """The headline table: build, size and memory, and first-pass latency (each query sent once)."""
    md = [
        f"First pass (each generated query sent once; c=1, then c={clients}):",
        "",
        "| articles | build s | docs/s | peak RSS MB | index MB | c=1 p50 ms | c=1 p95 ms"
        f" | c={clients} p50 ms | c={clients} req/s | server RSS MB | errors"
        " | growth build s | growth p50 | growth p95 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    b0, f0 = rows[0]["builds"][0], rows[0]["first_pass"]["c1"]["all"]
    for row in rows:
        b, fp = row["builds"][0], row["first_pass"]
        c1, cn = fp["c1"]["all"], fp["cN"]["all"]
        errors = c1["errors"] + cn["errors"]
        md.append(
            f"| {row['articles']:,} | {fmt(b['seconds'])} | {fmt(b['docs_per_s'], 0)} | {mb(b['peak_rss_bytes'])}"
            f" | {mb(b['size_bytes'])} | {fmt(c1['p50_ms'])} | {fmt(c1['p95_ms'])} | {fmt(cn['p50_ms'])}"
            f" | {fmt(cn['req_per_s'])} | {mb(fp['server_peak_rss_bytes'])} | {errors}"
            f" | {ratio(b['seconds'], b0['seconds'])} | {ratio(c1['p50_ms'], f0['p50_ms'])}"
            f" | {ratio(c1['p95_ms'], f0['p95_ms'])} |"
        )
    md.append("")
    return md


def repeated_rows(rows: list[dict]) -> list[str]:
    """Repeated passes over the fixed query set at each size (the page cache answers repeats)."""
    md = [
        "Repeated passes over the fixed query set (the page cache answers repeats):",
        "",
        "| articles | build s | docs/s | peak RSS MB | index MB | p50 ms | p95 ms | p99 ms | req/s | errors"
        " | growth build s | growth p50 | growth p95 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    b0, q0 = rows[0]["builds"][0], rows[0]["cstosearch"]["all"]
    for row in rows:
        b, q = row["builds"][0], row["cstosearch"]["all"]
        md.append(
            f"| {row['articles']:,} | {fmt(b['seconds'])} | {fmt(b['docs_per_s'], 0)} | {mb(b['peak_rss_bytes'])}"
            f" | {mb(b['size_bytes'])} | {fmt(q['p50_ms'])} | {fmt(q['p95_ms'])} | {fmt(q['p99_ms'])}"
            f" | {fmt(q['req_per_s'])} | {q['errors']} | {ratio(b['seconds'], b0['seconds'])}"
            f" | {ratio(q['p50_ms'], q0['p50_ms'])} | {ratio(q['p95_ms'], q0['p95_ms'])} |"
        )
    md.append("")
    return md
