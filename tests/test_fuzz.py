"""A bounded fuzz run over the engine and POST /api/v1/analyze: never a 500, always JSON that is
either a valid analysis or the error shape.

Runs for FUZZ_SECONDS (default 60 when CI=true, else 5): rounds of hypothesis examples with
seeds 0, 1, 2, ... until the time is up, so a failure names a seed that reproduces it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from importlib import resources
from typing import Any

import orjson
import pytest
from flask.testing import FlaskClient
from html_strategies import HREFS, HTML_DOCUMENTS, PAGE_URLS, SITES
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from server import create_app
from server.analysis import analyze

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "60" if CI else "5"))
ROUND = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
DOC_URI = "urn:link-inspector:openapi"


def run_for(seconds: float, make_test: Callable[[], Callable[[], None]]) -> int:
    """Run hypothesis rounds with seeds 0, 1, 2... until `seconds` have passed; return rounds."""
    deadline = time.monotonic() + seconds
    rounds = 0
    while rounds == 0 or time.monotonic() < deadline:
        seed(rounds)(make_test())()
        rounds += 1
    return rounds


def validator(name: str) -> Draft202012Validator:
    text = resources.files("server.api").joinpath("openapi.json").read_text(encoding="utf-8")
    document = json.loads(text)
    registry: Registry[Any] = Registry().with_resource(
        DOC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    schema = {"$ref": f"{DOC_URI}#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=registry)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=10,
)
URL_VALUES = st.one_of(PAGE_URLS, HREFS, JSON_VALUES)
HTML_VALUES = st.one_of(HTML_DOCUMENTS, st.text(), JSON_VALUES)
LIST_VALUES = st.one_of(SITES, st.lists(st.text(max_size=30), max_size=5), JSON_VALUES)
CHARSETS = st.one_of(st.sampled_from(["utf-8", "windows-1252", "gbk", "x"]), JSON_VALUES)
HEADERS = st.one_of(
    st.dictionaries(st.sampled_from(["X-Robots-Tag", "x-robots-tag", "Other"]), st.text()),
    st.lists(st.lists(st.text(max_size=15), max_size=3), max_size=3),
    JSON_VALUES,
)
FIELDS = {
    "url": URL_VALUES,
    "html": HTML_VALUES,
    "sites": LIST_VALUES,
    "competitors": LIST_VALUES,
    "charset": CHARSETS,
    "headers": HEADERS,
}
_EXTRA_FIELDS = {k: v for k, v in FIELDS.items() if k not in ("url", "html")}
# Any subset of fields with any values, or a valid url and html plus anything else.
PAYLOADS = st.fixed_dictionaries({}, optional=FIELDS) | st.fixed_dictionaries(
    {"url": PAGE_URLS, "html": HTML_DOCUMENTS}, optional=_EXTRA_FIELDS
)
BODIES = st.one_of(
    PAYLOADS.map(lambda d: json.dumps(d).encode()),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    PAYLOADS.map(lambda d: json.dumps(d).encode()[: len(json.dumps(d)) // 2]),
    st.builds(
        lambda d, junk: json.dumps(d).encode().replace(b'"', junk, 1),
        PAYLOADS,
        st.sampled_from([b"\xff", b"\\ud800", b"\x00", b'"\\udc00']),
    ),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
        "application/problem+json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
    ]
)


@pytest.fixture(scope="module")
def fuzz_client() -> FlaskClient:
    return create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "MAX_LINKS": 50}).test_client()


def test_fuzz_the_engine_never_raises_on_documents() -> None:
    def make_test() -> Callable[[], None]:
        @ROUND
        @given(html=st.one_of(HTML_DOCUMENTS, st.text()), url=PAGE_URLS, sites=SITES)
        def engine_round(html: str, url: str, sites: list[str]) -> None:
            result = analyze(html, url, sites=sites, max_links=50)
            assert len(result.links) <= 50
            orjson.dumps(result.to_json())

        return engine_round

    assert run_for(FUZZ_SECONDS / 2, make_test) >= 1


def test_fuzz_the_analyze_endpoint_never_answers_500(fuzz_client: FlaskClient) -> None:
    analysis = validator("Analysis")
    error = validator("Error")

    def make_test() -> Callable[[], None]:
        @ROUND
        @given(body=BODIES, content_type=CONTENT_TYPES)
        def api_round(body: bytes, content_type: str) -> None:
            response = fuzz_client.post("/api/v1/analyze", data=body, content_type=content_type)
            assert response.status_code < 500, response.data[:300]
            assert response.mimetype == "application/json"
            data = response.get_json()
            if response.status_code == 200:
                analysis.validate(data)
            else:
                assert 400 <= response.status_code < 500
                error.validate(data)

        return api_round

    assert run_for(FUZZ_SECONDS / 2, make_test) >= 1
