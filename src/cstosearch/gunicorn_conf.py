"""gunicorn settings for cstosearch; every value can be overridden by environment or flags."""

import os

bind = os.environ.get("CSTOSEARCH_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CSTOSEARCH_WORKERS", "2"))
threads = int(os.environ.get("CSTOSEARCH_THREADS", "1"))
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
# Let long queries reach the app, which answers them with a clear JSON error.
limit_request_line = 8190
# No control socket: its default path is shared by every gunicorn on the machine.
control_socket_disable = True
