"""Bounds on the request itself (line length, header count and size), answered as 414 or 431.

They sit a little below gunicorn's own limits (gunicorn_conf.py), so an oversize request
gets the app's error, JSON under /api with security headers, rather than gunicorn's.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import RequestHeaderFieldsTooLarge, RequestURITooLarge

MAX_REQUEST_LINE = 8000
MAX_HEADER_FIELDS = 90
MAX_HEADER_FIELD_BYTES = 8000


def request_line_length() -> int:
    environ = request.environ
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if target is None:
        query = environ.get("QUERY_STRING", "")
        target = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) + ("?" + query if query else "")
    return len(request.method) + 1 + len(target) + 1 + len(environ.get("SERVER_PROTOCOL", "HTTP/1.1"))


def check_request_size() -> None:
    if request_line_length() > MAX_REQUEST_LINE:
        raise RequestURITooLarge(f"the request line is too long (over {MAX_REQUEST_LINE} bytes)")
    headers = list(request.headers.items())
    if len(headers) > MAX_HEADER_FIELDS:
        raise RequestHeaderFieldsTooLarge(f"more than {MAX_HEADER_FIELDS} request headers")
    if any(len(name) + 2 + len(value) > MAX_HEADER_FIELD_BYTES for name, value in headers):
        raise RequestHeaderFieldsTooLarge(f"a request header is too large (over {MAX_HEADER_FIELD_BYTES} bytes)")


def install(app: Flask) -> None:
    app.before_request(check_request_size)
