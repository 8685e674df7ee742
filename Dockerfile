# cstosearch: the web UI and JSON API under gunicorn, over an index built at image build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CSTOSEARCH_INDEX_DIR=/app/index \
    CSTOSEARCH_WEBUI_DIR=/app/webui \
    CSTOSEARCH_BIND=0.0.0.0:8000 \
    CSTOSEARCH_WORKERS=2

WORKDIR /app
RUN useradd --create-home --uid 10001 cstosearch

COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir .

COPY webui ./webui
COPY ingest ./ingest
RUN cstosearch index --index-dir /app/index ingest && chown -R cstosearch /app/index

USER cstosearch
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/search?q=CSTO', timeout=4)"
ENTRYPOINT ["gunicorn", "-c", "python:cstosearch.gunicorn_conf", "cstosearch.web:create_app()"]
