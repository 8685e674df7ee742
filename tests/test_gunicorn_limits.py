"""The real server against oversize requests and slow clients: JSON errors with security headers, no stalls."""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from cstosearch.web.limits import MAX_REQUEST_LINE
from tests.test_gunicorn import running_gunicorn


def raw_request(base: str, request_line: str, headers: list[tuple[str, str]] = ()) -> tuple[int, dict, bytes]:
    """Send a request exactly as written; the status, headers and body of the reply."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        lines = [request_line, f"Host: {parts.netloc}", "Connection: close",
                 *(f"{name}: {value}" for name, value in headers)]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        found[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), found, body


def assert_json_error(reply, status: int) -> dict:
    code, headers, body = reply
    assert code == status, body[:300]
    assert headers["content-type"].startswith("application/json")
    assert headers["x-frame-options"] == "DENY" and "content-security-policy" in headers
    data = json.loads(body)
    assert set(data) == {"error", "message"}
    return data


def test_oversize_request_line_and_headers_get_json_errors_under_api(sample_index_dir):
    with running_gunicorn(sample_index_dir) as base:
        # Just past the app's bound: the app answers.
        line = "GET /api/search?q=" + "x" * (MAX_REQUEST_LINE - 20) + " HTTP/1.1"
        assert "too long" in assert_json_error(raw_request(base, line), 414)["message"]
        # Past gunicorn's own bound: gunicorn answers, also in JSON.
        line = "GET /api/search?q=" + "x" * 9000 + " HTTP/1.1"
        assert "too long" in assert_json_error(raw_request(base, line), 414)["message"]
        assert_json_error(raw_request(base, "GET /api/search HTTP/1.1", [("X-Big", "y" * 8050)]), 431)
        assert_json_error(raw_request(base, "GET /api/search HTTP/1.1", [("X-Big", "y" * 9000)]), 431)
        many = [(f"X-H{n}", "v") for n in range(95)]
        assert_json_error(raw_request(base, "GET /api/search HTTP/1.1", many), 431)
        many = [(f"X-H{n}", "v") for n in range(150)]
        assert_json_error(raw_request(base, "GET /api/search HTTP/1.1", many), 431)
        assert_json_error(raw_request(base, "GARBAGE"), 400)
        # Ordinary requests are untouched.
        code, headers, body = raw_request(base, "GET /api/search?q=CSTO HTTP/1.1")
        assert code == 200 and json.loads(body)["total"] == 5


def _trickle_headers(base: str, seconds: float, stop: threading.Event, sent: list[int]) -> None:
    """A client that sends its request headers one byte at a time, never finishing them."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(f"GET /api/search?q=CSTO HTTP/1.1\r\nHost: {parts.netloc}\r\n".encode())
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not stop.is_set():
            try:
                sock.sendall(b"X")
            except OSError:
                return  # the server gave up on us: fine
            sent[0] += 1
            time.sleep(0.5)


@pytest.mark.slow
def test_slow_clients_do_not_stall_normal_requests(sample_index_dir):
    with running_gunicorn(sample_index_dir, workers=2) as base:
        stop = threading.Event()
        sent = [[0] for _ in range(3)]
        slow = [threading.Thread(target=_trickle_headers, args=(base, 20, stop, s), daemon=True) for s in sent]
        for thread in slow:
            thread.start()
        time.sleep(1)
        latencies = []
        started = time.monotonic()
        try:
            while time.monotonic() - started < 18:
                before = time.monotonic()
                with urllib.request.urlopen(base + "/api/search?q=CSTO", timeout=10) as response:
                    assert response.status == 200 and json.loads(response.read())["total"] == 5
                latencies.append(time.monotonic() - before)
                time.sleep(0.25)
        finally:
            stop.set()
            for thread in slow:
                thread.join(timeout=5)
        assert all(s[0] >= 10 for s in sent), "the slow clients did not keep trickling"
        assert len(latencies) >= 20
        # A generous bound on a shared machine: every request answers, the typical one well under a second.
        assert statistics.median(latencies) < 1.0 and max(latencies) < 3.0, latencies
