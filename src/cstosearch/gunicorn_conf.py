"""gunicorn settings for cstosearch; every value can be overridden by environment or flags.

Put a reverse proxy (deploy/nginx.conf) in front in production: it buffers slow clients
and bounds request sizes before gunicorn sees them.
"""

import os

from cstosearch.gunicorn_errors import install as install_json_errors

bind = os.environ.get("CSTOSEARCH_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CSTOSEARCH_WORKERS", "2"))
# Threaded workers: a client trickling its headers holds one thread (and gunicorn hands an
# idle connection back to its poller), not the whole worker as a sync worker would.
worker_class = "gthread"
threads = int(os.environ.get("CSTOSEARCH_THREADS", "8"))
worker_connections = 1000
keepalive = 5
# A search is cut off by its own time limit well before this.
timeout = int(os.environ.get("CSTOSEARCH_TIMEOUT", "30"))
graceful_timeout = 10
# Recycle workers now and then so memory cannot creep without bound.
max_requests = int(os.environ.get("CSTOSEARCH_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
accesslog = os.environ.get("CSTOSEARCH_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("CSTOSEARCH_LOG_LEVEL", "info")
# Engines are opened lazily in each worker, after the fork.
preload_app = False
# Request size bounds, set on purpose. The app's own bounds (web/limits.py) are a little lower,
# so most oversize requests get the app's JSON error; past these, gunicorn answers itself
# (414, 431 or 400, also as JSON, see gunicorn_errors.py).
limit_request_line = 8190  # gunicorn's maximum
limit_request_fields = 100
limit_request_field_size = 8190
# No control socket: its default path is shared by every gunicorn on the machine.
control_socket_disable = True

install_json_errors()


def post_worker_init(worker):
    """Each worker opens its engine and loads columns and field lengths before its first request."""
    from cstosearch.web import warm_engine

    warm_engine(worker.wsgi)
