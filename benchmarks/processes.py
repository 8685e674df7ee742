"""Processes the benchmark starts: timed index builds and servers on loopback, with their memory."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil
from peer import DATASETTE_SETTINGS

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
HOST = "127.0.0.1"
BIN = Path(sys.executable).parent


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
    reused: bool = False  # an index built before this run: its build was not measured here
    earlier_docs_per_s: float | None = None  # what a reused index's own build record says, if it has one

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
            "reused": self.reused,
            "earlier_docs_per_s": self.earlier_docs_per_s,
        }


def reused_build(engine: str, output: Path, articles: int) -> BuildResult:
    build = BuildResult(engine, articles, 0.0, 0, disk_usage(output), f"reused {output}", reused=True)
    record = output / "last-run.json" if output.is_dir() else None
    if record is not None and record.is_file():
        # cstosearch's own record of the run that built the folder from scratch.
        try:
            last = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return build
        if last.get("rebuild") and last.get("seconds") and last.get("documents"):
            build.earlier_docs_per_s = last["documents"] / last["seconds"]
    return build


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
                last = f"HTTP {exc.code}: {exc.read()[:300]!r}"
                if exc.code != 503:
                    break  # it answers, but wrongly: waiting longer will not help
                # 503: up, but still opening (a cold index on a busy machine can exceed the search deadline).
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
    # A word no article has: the probe opens the index without caching anything a measured query could reuse.
    ready = "/api/search?q=zqxjvbenchprobe"
    return Server("cstosearch", cmd, port, ready, log_dir, env={"CSTOSEARCH_INDEX_DIR": str(index_dir)})


def datasette_server(db: Path, metadata: Path, log_dir: Path) -> Server:
    port = free_port()
    cmd = [str(BIN / "datasette"), "serve", "-i", str(db), "--metadata", str(metadata)]
    cmd += ["--host", HOST, "--port", str(port)]
    for key, value in DATASETTE_SETTINGS.items():
        cmd += ["--setting", key, value]
    return Server("datasette", cmd, port, "/-/versions.json", log_dir)


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
