"""Markdown tables and the machine facts that a benchmark run writes out."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent


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
        if b.get("reused"):
            earlier = f" (own record: {fmt(b['earlier_docs_per_s'], 0)})" if b.get("earlier_docs_per_s") else ""
            lines.append(
                f"| {b['engine']} | {b['articles']:,} | reused | reused{earlier} | – | {mb(b['size_bytes'])} |"
            )
            continue
        lines.append(
            f"| {b['engine']} | {b['articles']:,} | {fmt(b['seconds'])} | {fmt(b['docs_per_s'], 0)}"
            f" | {mb(b['peak_rss_bytes'])} | {mb(b['size_bytes'])} |"
        )
    if len(builds) >= 2 and not any(b.get("reused") for b in builds[:2]):
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


def header_lines(title: str, argv: list[str], facts: dict, load: str) -> list[str]:
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
        f"- load: {load}",
        "",
    ]


def write_outputs(out_dir: Path, stem: str, markdown: list[str], raw: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    text = "\n".join(markdown).rstrip() + "\n"
    (out_dir / f"{stem}.md").write_text(text, encoding="utf-8")
    (out_dir / f"{stem.lower()}.json").write_text(json.dumps(raw, indent=1, default=str) + "\n", encoding="utf-8")
    print(text)
    print(f"wrote {out_dir / (stem + '.md')} and {out_dir / (stem.lower() + '.json')}")
