"""Hostile requests against gunicorn over HTTP: bounded, never a 5xx, JSON with headers under /api."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_gunicorn import running_gunicorn

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "hostile_requests.py"


def test_hostile_requests_are_answered_in_bounds(sample_index_dir):
    with running_gunicorn(sample_index_dir) as base:
        run = subprocess.run([sys.executable, str(SCRIPT), "--url", base], capture_output=True, text=True,
                             timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broke a rule" in run.stdout
