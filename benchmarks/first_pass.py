"""The first-pass measurement: generated queries, each sent once to each engine, at one client and then
at several (disjoint sets), and its tables."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from corpus import read_articles
from loadgen import PhaseResult, run_phase
from measure import summarize
from processes import HOST, TreeSampler
from query_gen import KINDS, QueryGenerator, article_text
from report import fmt, mb, ratio
from urls import total_of

# What the first pass is held to (latency in ms at one client; request rate against the peer's at several).
TARGET_C1_P50_MS = 12.0
TARGET_C1_P95_MS = 60.0
TARGET_KIND_P95_MS = 80.0
TARGET_RATE_RATIO = 1.5


def set_sizes(total: int, warmup: int) -> dict[str, int]:
    """Half the measured queries for one client, half for several; a small unmeasured set first."""
    return {"warmup": warmup, "c1": total // 2, "cN": total - total // 2}


def generate(articles_path: Path, scan_limit: int, total: int, warmup: int, seed: int) -> tuple[dict, dict]:
    """The query sets and what they were drawn from (articles scanned, words per frequency band)."""
    docs = read_articles(articles_path, scan_limit, seed)
    generator = QueryGenerator([article_text(d) for d in docs], seed)
    sets = {name: generator.query_set(name, size) for name, size in set_sizes(total, warmup).items()}
    about = {
        "scanned_articles": len(docs),
        "seed": seed,
        "words_per_band": generator.band_sizes(),
        "common_min_docs": generator.common_min,
        "mid_min_docs": generator.mid_min,
        "rare_min_docs": generator.bands.rare_min_docs,
        "sizes": {name: len(queries) for name, queries in sets.items()},
    }
    return sets, about


def read_phase(engine: str, phase: PhaseResult, by_id: dict[str, dict], totals: dict, errors: list[str]) -> dict:
    """Latency figures of a phase overall, per kind, and filtered or not; totals and errors recorded."""
    rows = []
    for s in phase.samples:
        ok = s.status == 200 and not s.error
        if ok:
            try:
                totals[s.key] = total_of(engine, s.body)[0]
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                ok, s.error = False, f"malformed body: {exc}"
        if not ok and len(errors) < 5:
            errors.append(f"{s.key}: status {s.status} {s.error} {s.body[:200]!r}")
        rows.append((by_id[s.key], s.latency_s, ok))

    def stats(selected: list, wall: float | None = None) -> dict:
        return summarize([lat for _, lat, _ in selected], len(selected), sum(1 for *_, ok in selected if not ok), wall)

    return {
        "all": stats(rows, phase.wall_s),
        "kinds": {
            k: stats([r for r in rows if r[0]["class"] == k]) for k in KINDS if any(r[0]["class"] == k for r in rows)
        },
        "filtered": stats([r for r in rows if r[0]["variant"] != "none"]),
        "unfiltered": stats([r for r in rows if r[0]["variant"] == "none"]),
        "stopped_early": phase.stopped_early,
    }


@dataclass(frozen=True)
class Target:
    """One engine to measure: where it listens, how a query becomes its request, its server process."""

    engine: str
    port: int
    path_of: Callable[[dict], str]
    server_pid: int


def measure(
    targets: list[Target],
    sets: dict[str, list[dict]],
    clients: int,
    timeout_s: float,
    time_limit_s: float,
    turn_size: int = 100,
) -> dict[str, dict]:
    """Warm every server up on its own queries, then send each measured query once to each engine.

    The engines take turns of `turn_size` queries (a different engine first at each turn), so that
    whatever else runs on a shared machine weighs on all of them alike.
    """
    by_id = {q["id"]: q for queries in sets.values() for q in queries}
    requests = {t.engine: {q["id"]: t.path_of(q) for q in by_id.values()} for t in targets}
    for t in targets:
        run_phase(HOST, t.port, [(q["id"], requests[t.engine][q["id"]]) for q in sets["warmup"]], 1, timeout_s)
    phases = {t.engine: {"c1": PhaseResult(), "cN": PhaseResult()} for t in targets}
    with ExitStack() as stack:
        samplers = {t.engine: stack.enter_context(TreeSampler(t.server_pid, interval_s=0.2)) for t in targets}
        for name, n_clients in (("c1", 1), ("cN", clients)):
            queries = sets[name]
            for turn, start in enumerate(range(0, len(queries), turn_size)):
                first = turn % len(targets)
                for t in targets[first:] + targets[:first]:
                    part = [(q["id"], requests[t.engine][q["id"]]) for q in queries[start : start + turn_size]]
                    got = run_phase(HOST, t.port, part, n_clients, timeout_s, time_limit_s)
                    merged = phases[t.engine][name]
                    merged.samples += got.samples
                    merged.wall_s += got.wall_s
                    merged.stopped_early |= got.stopped_early
    results = {}
    for t in targets:
        totals: dict[str, int] = {}
        errors: list[str] = []
        results[t.engine] = {
            "engine": t.engine,
            "clients": clients,
            "c1": read_phase(t.engine, phases[t.engine]["c1"], by_id, totals, errors),
            "cN": read_phase(t.engine, phases[t.engine]["cN"], by_id, totals, errors),
            "totals": totals,
            "error_examples": errors,
            "server_peak_rss_bytes": samplers[t.engine].peak_bytes,
        }
    return results


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def worst_kind(result: dict) -> tuple[str, float]:
    kinds = result["c1"]["kinds"]
    name = max(kinds, key=lambda k: kinds[k]["p95_ms"])
    return name, kinds[name]["p95_ms"]


def headline_table(results: dict[str, dict], peer: str, builds: list[dict]) -> list[str]:
    """The figures the first pass is judged by, cstosearch beside the headline peer."""
    ours, theirs = results["cstosearch"], results[peer]
    clients = ours["clients"]
    o1, t1, on, tn = ours["c1"]["all"], theirs["c1"]["all"], ours["cN"]["all"], theirs["cN"]["all"]
    o_kind, o_kind_p95 = worst_kind(ours)
    t_kind, t_kind_p95 = worst_kind(theirs)
    rate_ratio = on["req_per_s"] / tn["req_per_s"] if on["req_per_s"] and tn["req_per_s"] else 0.0

    def row(figure: str, mine: str, peers: str, ratios: str, target: str) -> str:
        return f"| {figure} | {mine} | {peers} | {ratios} | {target} |"

    lines = [
        row("figure", "cstosearch", peer, "ratio", "target"),
        "|---|---:|---:|---:|---|",
        row(
            f"1 client: p50 ms ({o1['requests']} queries)",
            fmt(o1["p50_ms"]),
            fmt(t1["p50_ms"]),
            ratio(o1["p50_ms"], t1["p50_ms"]),
            f"≤ {TARGET_C1_P50_MS:g}: {_verdict(o1['p50_ms'] <= TARGET_C1_P50_MS)}",
        ),
        row(
            "1 client: p95 ms",
            fmt(o1["p95_ms"]),
            fmt(t1["p95_ms"]),
            ratio(o1["p95_ms"], t1["p95_ms"]),
            f"≤ {TARGET_C1_P95_MS:g}: {_verdict(o1['p95_ms'] <= TARGET_C1_P95_MS)}",
        ),
        row(
            "1 client: slowest kind's p95 ms",
            f"{fmt(o_kind_p95)} ({o_kind})",
            f"{fmt(t_kind_p95)} ({t_kind})",
            "",
            f"≤ {TARGET_KIND_P95_MS:g}: {_verdict(o_kind_p95 <= TARGET_KIND_P95_MS)}",
        ),
        row(
            f"{clients} clients: p50 / p95 ms ({on['requests']} other queries)",
            f"{fmt(on['p50_ms'])} / {fmt(on['p95_ms'])}",
            f"{fmt(tn['p50_ms'])} / {fmt(tn['p95_ms'])}",
            f"{ratio(on['p50_ms'], tn['p50_ms'])} / {ratio(on['p95_ms'], tn['p95_ms'])}",
            "",
        ),
        row(
            f"{clients} clients: requests/s",
            fmt(on["req_per_s"]),
            fmt(tn["req_per_s"]),
            ratio(on["req_per_s"], tn["req_per_s"]),
            f"≥ {TARGET_RATE_RATIO:g}× the peer: {_verdict(rate_ratio >= TARGET_RATE_RATIO)}",
        ),
    ]
    by_engine = {b["engine"]: b for b in builds}
    ours_build, peer_build = by_engine.get("cstosearch"), by_engine.get("sqlite-fts5")
    if ours_build and peer_build:
        measured = not (ours_build["reused"] or peer_build["reused"])
        build_ratio = ratio(ours_build["docs_per_s"], peer_build["docs_per_s"]) if measured else ""
        lines.append(row("indexing docs/s", build_rate(ours_build), build_rate(peer_build), build_ratio, ""))
    lines.append(row("errors", str(o1["errors"] + on["errors"]), str(t1["errors"] + tn["errors"]), "", "0"))
    return lines


def peers_table(results: dict[str, dict]) -> list[str]:
    """Every peer's first-pass figures as ratios of cstosearch's: the headline against each view of the peer."""
    ours = results["cstosearch"]
    o1, on = ours["c1"]["all"], ours["cN"]["all"]
    lines = [
        "| peer | 1 client p50 / p95 ms | cstosearch ÷ peer | "
        f"{ours['clients']} clients requests/s | cstosearch ÷ peer |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        if name == "cstosearch":
            continue
        t1, tn = r["c1"]["all"], r["cN"]["all"]
        lines.append(
            f"| {name} | {fmt(t1['p50_ms'])} / {fmt(t1['p95_ms'])}"
            f" | {ratio(o1['p50_ms'], t1['p50_ms'])} / {ratio(o1['p95_ms'], t1['p95_ms'])}"
            f" | {fmt(tn['req_per_s'])} | {ratio(on['req_per_s'], tn['req_per_s'])} |"
        )
    return lines


def build_rate(build: dict) -> str:
    if not build["reused"]:
        return fmt(build["docs_per_s"], 0)
    if build.get("earlier_docs_per_s"):
        return f"reused (its own build record: {fmt(build['earlier_docs_per_s'], 0)})"
    return "reused"


def kinds_table(results: dict[str, dict], phase: str) -> list[str]:
    """p50 / p95 per kind (and filtered or not) for every engine measured, in one phase."""
    engines = list(results)
    lines = [
        "| kind | n | " + " | ".join(f"{e} p50 / p95 ms" for e in engines) + " |",
        "|---|---:|" + "---:|" * len(engines),
    ]
    first = results[engines[0]][phase]
    rows = [(k, "kinds", k) for k in first["kinds"]]
    rows += [("filtered", "filtered", None), ("unfiltered", "unfiltered", None), ("**all**", "all", None)]
    for label, key, kind in rows:
        cells = []
        n = 0
        for e in engines:
            figures = results[e][phase][key]
            figures = figures[kind] if kind else figures
            n = figures["requests"]
            cells.append(f"{fmt(figures['p50_ms'])} / {fmt(figures['p95_ms'])}")
        lines.append(f"| {label} | {n} | " + " | ".join(cells) + " |")
    return lines


def rates_table(results: dict[str, dict]) -> list[str]:
    lines = [
        "| engine | n | p50 / p95 / p99 ms | requests/s | wall s | server peak RSS MB | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        a = r["cN"]["all"]
        lines.append(
            f"| {name} | {a['requests']} | {fmt(a['p50_ms'])} / {fmt(a['p95_ms'])} / {fmt(a['p99_ms'])}"
            f" | {fmt(a['req_per_s'])} | {fmt(a['wall_s'])} | {mb(r['server_peak_rss_bytes'])} | {a['errors']} |"
        )
    return lines


def section(results: dict[str, dict], peer: str, builds: list[dict], about: dict, clients: int) -> list[str]:
    """The first-pass part of RESULTS.md: headline, per kind at one client, all engines at several."""
    sizes = about["sizes"]
    md = [
        f"## First pass (headline): {sizes['c1'] + sizes['cN']:,} generated queries, each sent once",
        "",
        f"Queries generated from {about['scanned_articles']:,} of the articles (seed {about['seed']}; words by"
        f" document frequency: common in ≥ {about['common_min_docs']:,} of them, mid in ≥ {about['mid_min_docs']:,},"
        f" rare in ≥ {about['rare_min_docs']}), about a third with an outlet and/or year filter taken from an article"
        f" that matches. {sizes['c1']} go to one client, {sizes['cN']} others to {clients} clients;"
        f" {sizes['warmup']} more warm each server up unmeasured. No word set is sent twice to an engine,"
        " so no answer or match set can come from cstosearch's caches (a word may recur inside another query).",
        "",
        *headline_table(results, peer, builds),
        "",
        "The same queries against each view of the peer (`datasette-table`: Datasette's table view with"
        " `_facet=outlet&_facet=year`, hits in rowid order, no snippet; `datasette-ranked`: one canned SQL"
        " query with the exact total, outlet and year counts and a bm25-ranked page with snippets):",
        "",
        *peers_table(results),
        "",
        "### One client, per kind",
        "",
        *kinds_table(results, "c1"),
        "",
        f"### {clients} clients",
        "",
        *rates_table(results),
        "",
    ]
    for name, r in results.items():
        if r["error_examples"]:
            md += [f"Errors from {name}: " + "; ".join(r["error_examples"]), ""]
        if r["c1"]["stopped_early"] or r["cN"]["stopped_early"]:
            md += [f"{name}: a first-pass phase hit --phase-time-limit and stopped early.", ""]
    return md
