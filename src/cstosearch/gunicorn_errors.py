"""gunicorn's own error replies (a request it cannot parse, a crashed request) as JSON with security headers.

gunicorn answers these before the app sees the request, with a small HTML page; the API
promises JSON errors, so its writer is replaced when the gunicorn settings load.
"""

from __future__ import annotations

import json

from cstosearch.http_headers import SECURITY_HEADERS

# Fixed messages: gunicorn's own text can echo the offending request line or header.
MESSAGES = {
    400: "the request could not be parsed",
    403: "the request was refused",
    414: "the request line is too long",
    417: "the expectation cannot be met",
    431: "too many request headers, or one too large",
    500: "the server could not answer this request",
    501: "not implemented",
}


def error_reply(status: int, reason: str) -> bytes:
    """A complete HTTP/1.1 reply with a JSON ``{"error", "message"}`` body; the connection closes after it."""
    reason = reason.encode("latin-1", "replace").decode("latin-1").replace("\r", " ").replace("\n", " ")
    body = json.dumps({"error": "_".join(reason.lower().split()) or "error",
                       "message": MESSAGES.get(status, reason.lower())}).encode()
    headers = [f"HTTP/1.1 {status} {reason}", "Connection: close", "Content-Type: application/json",
               f"Content-Length: {len(body)}", *(f"{name}: {value}" for name, value in SECURITY_HEADERS.items())]
    return ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1") + body


def install() -> bool:
    """Replace gunicorn's HTML error writer; False (and gunicorn's own pages) if its shape is not the known one."""
    from gunicorn import util

    original = getattr(util, "write_error", None)
    if original is None or getattr(original, "__name__", "") == "write_json_error":
        return original is not None
    if original.__code__.co_argcount != 4:
        return False

    def write_json_error(sock, status_int, reason, mesg):
        util.write_nonblock(sock, error_reply(int(status_int), str(reason)))

    util.write_error = write_json_error
    return True
