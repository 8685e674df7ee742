"""The comparison run: cstosearch and Datasette over SQLite FTS5 on the same articles, in one invocation:
the first pass (the headline) alternating between engines, then the repeated passes over the fixed set."""

from __future__ import annotations

import argparse
import json
import os
from contextlib import nullcontext
from pathlib import Path
from typing import NamedTuple

import first_pass
from corpus import count_lines, write_sample
from measure import bench_engine, load_queries
from peer import DATASETTE_SETTINGS, datasette_metadata
from processes import (
    BuildResult,
    code_env,
    conf_path,
    cstosearch_build,
    cstosearch_server,
    datasette_server,
    peer_build,
    reused_build,
)
from report import (
    agreement,
    build_table,
    header_lines,
    latency_table,
    machine_facts,
    mb,
    single_engine_table,
    write_outputs,
)
from urls import cstosearch_path, ranked_peer_path, table_peer_path


class Prepared(NamedTuple):
    index_dir: Path
    peer_db: Path | None
    builds: list[BuildResult]
    articles: int
    source: Path  # the articles both indexes hold, in JSONL


def prepare_indexes(args: argparse.Namespace, work: Path) -> Prepared:
    """Build what is not given (timed), reuse what is."""
    reuse_both = args.cstosearch_index is not None and (not args.peers or (args.peer_db and args.peer_db.exists()))
    source = args.corpus
    if reuse_both and args.articles <= 0:
        n = count_lines(args.corpus)  # nothing to build: no need to copy the corpus
    else:
        source = work / "articles.jsonl"
        n = write_sample(args.corpus, args.articles, source, args.seed)
        print(f"sample: {n:,} articles -> {source}", flush=True)
    builds: list[BuildResult] = []
    if args.cstosearch_index is not None:
        index_dir = args.cstosearch_index
        builds.append(reused_build("cstosearch", index_dir, n))
    else:
        index_dir = work / "cstosearch-index"
        builds.append(cstosearch_build(source, index_dir, n, args, work))
        print(f"cstosearch index: {builds[-1].seconds:.1f} s", flush=True)
    db = None
    if args.peers:
        db = args.peer_db or work / "bench.db"
        if db.exists() and args.peer_db is not None:
            builds.append(reused_build("sqlite-fts5", db, n))
        else:
            db.parent.mkdir(parents=True, exist_ok=True)
            builds.append(peer_build(source, db, n, work))
            print(f"sqlite-fts5 index: {builds[-1].seconds:.1f} s", flush=True)
        if db.name != "bench.db":
            # Datasette names the database after the file; the canned queries expect "bench".
            link = work / "bench.db"
            link.unlink(missing_ok=True)
            link.symlink_to(db.resolve())
            db = link
    return Prepared(index_dir, db, builds, n, source)


def run_compare(args: argparse.Namespace, argv: list[str], work: Path) -> int:
    queries, page_size = load_queries(args.queries, args.classes, args.max_queries)
    index_dir, db, builds, n, source = prepare_indexes(args, work)
    load_before = os.getloadavg()
    sets, about = ({}, {})
    if args.first_pass > 0:
        sets, about = first_pass.generate(
            source, args.first_pass_scan, args.first_pass, args.first_pass_warmup, args.seed
        )
        print(f"first pass: {about['sizes']} queries generated from {about['scanned_articles']:,} articles", flush=True)

    results: dict[str, dict] = {}
    first: dict[str, dict] = {}
    ours_srv = cstosearch_server(index_dir, args.workers, work, conf_path(args), args.app, code_env(args))
    peer_srv = None
    if args.peers:
        meta = work / "datasette-metadata.json"
        meta.write_text(json.dumps(datasette_metadata(), indent=1), encoding="utf-8")
        peer_srv = datasette_server(db, meta, work)
    # Both servers run at once, so that the first pass can alternate between them; an idle one takes no CPU.
    with ours_srv, peer_srv or nullcontext():
        targets = [
            first_pass.Target("cstosearch", ours_srv.port, lambda q: cstosearch_path(q, page_size), ours_srv.proc.pid)
        ]
        if peer_srv is not None:
            port, pid = peer_srv.port, peer_srv.proc.pid
            for peer in args.peers:
                if peer == "datasette-ranked":
                    targets.append(first_pass.Target(peer, port, lambda q: ranked_peer_path(q, page_size), pid))
                else:
                    targets.append(first_pass.Target(peer, port, lambda q: table_peer_path(q, page_size, port), pid))
        if sets:
            first = first_pass.measure(targets, sets, args.clients, args.timeout, args.phase_time_limit)
            for name, r in first.items():
                print(
                    f"{name} first pass: c=1 p50 {r['c1']['all']['p50_ms']:.1f} ms,"
                    f" c={args.clients} {r['cN']['all']['req_per_s']:.1f} req/s",
                    flush=True,
                )
        for target in targets if args.repeated else []:
            name = target.engine
            paths = {q["id"]: target.path_of(q) for q in queries}
            results[name] = bench_engine(name, target.port, paths, queries, args, target.server_pid)
            print(f"{name} repeated passes: p50 {results[name]['all']['p50_ms']:.1f} ms", flush=True)
    load_after = os.getloadavg()

    facts = machine_facts()
    facts["load_average_1_5_15"] = {"before": load_before, "after": load_after}
    build_dicts = [b.as_dict() for b in builds]
    load = (
        f"first pass at 1 client, then at {args.clients} clients (each generated query once);"
        f" repeated passes: {args.clients} concurrent keep-alive clients, {args.warmup} warm-up pass,"
        f" {args.rounds} measured pass(es) per fixed query, one phase per query class;"
        f" cstosearch on gunicorn with {args.workers} workers, all on the same machine"
    )
    md = header_lines(f"Benchmark: cstosearch vs SQLite FTS5 + Datasette, {n:,} articles", argv, facts, load)
    md[-1:] = [
        f"- machine load (1-minute average) before the queries {load_before[0]:.1f}, after {load_after[0]:.1f}"
        f" on {facts['cpu_count']} CPUs" + (": other work ran at the same time" if load_before[0] > 1 else ""),
        "",
    ]
    headline_peer = args.headline_peer if args.headline_peer in first else next(iter(args.peers), "")
    if first and headline_peer in first:
        md += first_pass.section(first, headline_peer, build_dicts, about, args.clients)
        agree = agreement(first["cstosearch"], first[headline_peer], [q for s in sets.values() for q in s])
        md += [
            f"Match counts, first pass: {agree['equal']} of {agree['compared']} queries equal between cstosearch"
            f" and {headline_peer}, {agree['within_5pct']} within 5% (stemmers and tokenizers differ).",
            "",
        ]
    md += ["## Indexing", "", *build_table(build_dicts), ""]
    md += [
        "Peak RSS sums the build process and its children (polled every 50 ms); index size is the bytes on disk."
        " A reused index was built before this run, so its build was not measured here.",
        "",
    ]
    md += repeated_sections(results, queries, args)
    raw = {
        "kind": "compare",
        "argv": argv,
        "machine": facts,
        "articles": n,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "builds": build_dicts,
        "first_pass": {"about": about, "results": first, "queries": sets},
        "queries": results,
        "agreement": {p: agreement(results["cstosearch"], results[p], queries) for p in results if p != "cstosearch"},
        "datasette": {"settings": DATASETTE_SETTINGS, "metadata": datasette_metadata()},
    }
    write_outputs(args.out_dir, "RESULTS", md, raw)
    errors = sum(r["all"]["errors"] for r in results.values())
    errors += sum(r[phase]["all"]["errors"] for r in first.values() for phase in ("c1", "cN"))
    return 0 if errors == 0 else 1


def repeated_sections(results: dict[str, dict], queries: list[dict], args: argparse.Namespace) -> list[str]:
    """The repeated-pass tables: the fixed set, answered largely from cstosearch's caches after its first pass."""
    if "cstosearch" not in results:
        return []
    ours = results["cstosearch"]
    peers = [p for p in results if p != "cstosearch"]
    md = [
        f"## Repeated passes over the fixed set (`queries.json`, {len(queries)} queries, {args.rounds} measured"
        " passes after a warm-up pass)",
        "",
        "Every query here was sent before it is measured, so cstosearch answers much of it from its"
        " per-generation caches; these are not first-pass figures.",
        "",
    ]
    for peer in peers:
        theirs = results[peer]
        md += [f"### Repeated passes: cstosearch vs {peer}", ""]
        md += ["Ratios are cstosearch ÷ peer: above 1× is slower (latency) or faster (req/s).", ""]
        md += [*latency_table(ours, theirs, "class", True), ""]
        if "first_pass" in ours and "first_pass" in theirs:
            md += ["The fixed set's warm-up pass (each of its queries new to the server, after the first pass):", ""]
            md += [*latency_table(ours["first_pass"], theirs["first_pass"], "class", False), ""]
        md += [*latency_table(ours, theirs, "variant", False), ""]
        md += [*latency_table(ours, theirs, "page", False), ""]
        agree = agreement(ours, theirs, queries)
        md += [
            f"Match counts: {agree['equal']} of {agree['compared']} queries equal, {agree['within_5pct']} within 5%."
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
        md += ["### Repeated passes: cstosearch", "", *single_engine_table(ours), ""]
    for name, r in results.items():
        if r["error_examples"]:
            md += [f"Errors from {name}: " + "; ".join(r["error_examples"]), ""]
        if r["stopped_early"]:
            md += [f"{name}: a phase hit --phase-time-limit and stopped early.", ""]
    return md
