"""Hostile requests against a running server: every answer must be bounded in time, never a 5xx,
and under /api always JSON with the security headers.

    python benchmarks/hostile_requests.py --url http://127.0.0.1:8000

It prints one line per request (status, milliseconds, what was wrong) and a summary, and exits 1
when any request broke a rule.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from urllib.parse import quote, urlencode, urlsplit

REQUIRED_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")
LIMIT_S = 2.0


def hostile_queries() -> list[tuple[str, str]]:
    """(label, query string) pairs: costly shapes, odd syntax, bad parameters."""
    the_words = " ".join(["the"] * 247)
    wildcards = " ".join(f"{a}{b}{c}*" for a, b, c in zip("abcdefghijklmnop" * 4, "aeiou" * 13, "nrstl" * 13,
                                                               strict=False))[:990]
    cases = [
        ("phrase of 247 stop words, slop 1000", {"q": f'"{the_words}"~1000'[:1000]}),
        ("phrase of 247 stop words", {"q": f'"{the_words}"'[:1000]}),
        ("64 three-letter wildcards", {"q": wildcards}),
        ("many ORs of common words", {"q": " OR ".join(["the", "a", "of", "and", "to", "in"] * 30)[:1000]}),
        ("deep parentheses", {"q": "(" * 400 + "csto" + ")" * 400}),
        ("unbalanced syntax", {"q": '((("csto OR AND NOT -- ++ ~~ ** ??'}),
        ("bare star", {"q": "*"}),
        ("leading question mark", {"q": "?transverse"}),
        ("hyphen and parentheses", {"q": "x (chapman-enskog theory)"}),
        ("capitals with operators", {"q": "EFFORTS OF THE AND NOT OR COUNCIL"}),
        ("internal field", {"q": "source_path:/etc/passwd"}),
        ("schema probe", {"q": "article:x"}),
        ("query over the limit", {"q": "x" * 5000}),
        ("NUL and controls", {"q": "csto\x00\x1f\x7f"}),
        ("many outlets", {"q": "csto", "outlet": [f"o{i}" for i in range(200)]}),
        ("deep page", {"q": "the", "page": "100000"}),
        ("huge page size", {"q": "csto", "page_size": "1000000"}),
        ("negative page", {"q": "csto", "page": "-1"}),
        ("bad date", {"q": "csto", "from": "2024-13-45"}),
        ("empty to", {"q": "csto", "to": ""}),
        ("reversed dates", {"q": "csto", "from": "2024-01-02", "to": "2020-01-01"}),
        ("bad sort", {"q": "csto", "sort": "'; DROP TABLE"}),
        ("story not an id", {"story": "../../etc"}),
        ("every article, date sort, last page", {"q": "", "sort": "date", "page": "100", "page_size": "100"}),
        ("common word, explain", {"q": "the said", "explain": "1"}),
        ("slop over the limit", {"q": '"yerevan moscow"~500'}),
    ]
    return [(label, urlencode(params, doseq=True)) for label, params in cases]


def hostile_paths() -> list[tuple[str, str]]:
    return [
        ("article path traversal", "/api/articles/..%2F..%2Fetc%2Fpasswd"),
        ("article id of 5,000 characters", "/api/articles/" + "a" * 5000),
        ("unknown API path", "/api/nothing-here"),
        ("feed-like path", "/api/" + quote("<script>")),
    ]


def request(host: str, port: int, path: str, timeout: float) -> tuple[int, float, dict, bytes]:
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        return response.status, time.monotonic() - started, dict(response.getheaders()), body
    finally:
        connection.close()


def check(label: str, path: str, status: int, seconds: float, headers: dict, body: bytes) -> list[str]:
    problems = []
    if status >= 500:
        problems.append(f"status {status}")
    if seconds > LIMIT_S:
        problems.append(f"took {seconds:.2f} s")
    if path.startswith("/api"):
        if "json" not in headers.get("Content-Type", ""):
            problems.append(f"not JSON: {headers.get('Content-Type')}")
        else:
            try:
                data = json.loads(body)
            except ValueError:
                problems.append("body is not JSON")
            else:
                if status >= 400 and not {"error", "message"} <= set(data):
                    problems.append("error without error/message")
        missing = [h for h in REQUIRED_HEADERS if h not in headers]
        if missing:
            problems.append("missing headers " + ", ".join(missing))
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--timeout", type=float, default=35.0)
    args = parser.parse_args()
    parts = urlsplit(args.url)
    cases = [(label, "/api/search?" + qs) for label, qs in hostile_queries()]
    cases += [(label + " (page)", "/?" + qs) for label, qs in hostile_queries()[:6]]
    cases += hostile_paths()
    failures, slowest = 0, 0.0
    print(f"{'request':<44} {'status':>6} {'ms':>8}  problems")
    for label, path in cases:
        status, seconds, headers, body = request(parts.hostname, parts.port or 80, path, args.timeout)
        problems = check(label, path, status, seconds, headers, body)
        failures += bool(problems)
        slowest = max(slowest, seconds)
        print(f"{label[:44]:<44} {status:>6} {seconds * 1000:>8.1f}  {'; '.join(problems)}")
    print(f"\n{len(cases)} requests, {failures} broke a rule, slowest {slowest * 1000:.0f} ms (limit {LIMIT_S:.0f} s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
