"""The repeated-pass measurement: a fixed query set, warmed up, then several closed-loop passes per class."""

from __future__ import annotations

import argparse
import json
import random
import statistics
from collections.abc import Iterable
from pathlib import Path

from loadgen import PhaseResult, percentile, run_phase
from processes import HOST, TreeSampler
from urls import total_of


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
