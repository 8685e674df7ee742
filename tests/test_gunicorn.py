"""The real server: gunicorn with the project's config, on a free loopback port, queried over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

GUNICORN_CONF = Path(__file__).resolve().parents[1] / "src" / "cstosearch" / "gunicorn_conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_gunicorn(index_dir: Path, workers: int = 2):
    port = free_port()
    env = dict(os.environ, CSTOSEARCH_INDEX_DIR=str(index_dir))
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "cstosearch.web:create_app()"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"gunicorn did not start:\n{output[-2000:]}")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def get_json(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_gunicorn_serves_search_over_http(sample_index_dir):
    with running_gunicorn(sample_index_dir) as base:
        status, data = get_json(base + "/api/search?q=CSTO")
        assert status == 200
        assert data["total"] == 5
        assert {f["value"]: f["count"] for f in data["facets"]["outlet"]} == {"The Moscow Times": 3}
        status, data = get_json(base + "/api/search?q=%22unbalanced")
        assert status in (200, 400)
        status, data = get_json(base + "/api/search?q=" + "x" * 5000)
        assert status == 400 and "too long" in data["message"]
        with urllib.request.urlopen(base + "/?q=CSTO", timeout=10) as response:
            page = response.read().decode()
            assert response.headers["X-Frame-Options"] == "DENY"
        assert "<mark" in page
