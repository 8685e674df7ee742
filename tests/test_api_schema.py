"""The JSON API against its own OpenAPI description: generated requests, no 5xx, answers as described."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from cstosearch.web import create_app
from tests.conftest import SAMPLE_CORPUS, build_index

# schemathesis' fixture loader does not work with this pytest, so the app over the sample corpus is
# built when the module loads, in a folder removed when the test process ends.
_WORK = tempfile.TemporaryDirectory(prefix="cstosearch-schema-")


def _sample_app():
    corpus = Path(_WORK.name) / "corpus"
    corpus.mkdir()
    for seed in sorted(SAMPLE_CORPUS.glob("*.txt")):
        shutil.copy(seed, corpus / seed.name)
    index_dir = Path(_WORK.name) / "index"
    build_index(index_dir, corpus)
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True})


APP = _sample_app()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_answers_as_described(case):
    case.call_and_validate(checks=CHECKS)


def test_description_covers_the_api():
    spec = APP.test_client().get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/search", "/api/search.csv", "/api/articles/{article_id}"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert names >= {"q", "outlet", "author", "from", "to", "year", "month", "sort", "page", "page_size", "group",
                     "story", "format"}
