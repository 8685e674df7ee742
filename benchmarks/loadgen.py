"""A small closed-loop HTTP load client: N threads, one keep-alive connection each.

Each thread takes the next request from a shared list, sends it, reads the whole
body and records the wall time from send to last byte. Bodies are kept and
checked after the phase, so that parsing JSON does not take CPU from the server
while it is being measured (client and server share the same cores).
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Sample:
    key: str
    latency_s: float
    status: int
    body: bytes = b""
    error: str = ""


@dataclass
class PhaseResult:
    samples: list[Sample] = field(default_factory=list)
    wall_s: float = 0.0
    stopped_early: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.error or s.status != 200)


def run_phase(
    host: str,
    port: int,
    requests: list[tuple[str, str]],
    clients: int,
    timeout_s: float = 60.0,
    time_limit_s: float = 600.0,
) -> PhaseResult:
    """Send every (key, path) once, `clients` at a time; stop early after `time_limit_s`."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the benchmark only sends traffic to loopback addresses")
    result = PhaseResult()
    lock = threading.Lock()
    next_index = [0]
    start = time.perf_counter()
    deadline = start + time_limit_s

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
        local: list[Sample] = []
        try:
            while True:
                with lock:
                    i = next_index[0]
                    next_index[0] += 1
                if i >= len(requests):
                    return
                if time.perf_counter() > deadline:
                    result.stopped_early = True
                    return
                key, path = requests[i]
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Connection": "keep-alive"})
                    resp = conn.getresponse()
                    body = resp.read()
                    latency = time.perf_counter() - t0
                    local.append(Sample(key, latency, resp.status, body))
                    if resp.will_close:
                        conn.close()  # reopened by the next request
                except (OSError, http.client.HTTPException) as exc:
                    latency = time.perf_counter() - t0
                    local.append(Sample(key, latency, 0, b"", f"{type(exc).__name__}: {exc}"))
                    conn.close()
        finally:
            conn.close()
            with lock:
                result.samples.extend(local)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.wall_s = time.perf_counter() - start
    return result


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, int(-(-pct * len(ordered) // 100)))  # ceil
    return ordered[min(rank, len(ordered)) - 1]
