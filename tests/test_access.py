"""Who may use the API: token, Host allowlist, Origin policy and CORS, rate limit, body size."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import create_app

TOKEN = "s3cret-token-for-tests"
CHROME = "chrome-extension://" + "a" * 32
OTHER_CHROME = "chrome-extension://" + "b" * 32
FIREFOX = "moz-extension://0f8b4a52-3d5e-4c4a-9a57-2f1e0b6c7d8e"
PAGE = {"url": "https://blog.example/post", "html": '<a href="https://other.example/">x</a>'}


def make_app(**config: Any) -> Flask:
    return create_app({"TESTING": True, "ACCESS_LOG": False, **config})


@pytest.fixture
def client() -> FlaskClient:
    return make_app().test_client()


def analyze(client: FlaskClient, **kwargs: Any) -> Any:
    return client.post("/api/v1/analyze", json=PAGE, **kwargs)


# --- token -------------------------------------------------------------------------------


def test_api_without_token_is_401_when_a_token_is_set() -> None:
    response = analyze(make_app(API_TOKEN=TOKEN).test_client())
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_api_with_wrong_token_is_401() -> None:
    client = make_app(API_TOKEN=TOKEN).test_client()
    response = analyze(client, headers={"Authorization": "Bearer " + TOKEN + "x"})
    assert response.status_code == 401


def test_api_with_the_token_as_basic_auth_is_401() -> None:
    client = make_app(API_TOKEN=TOKEN).test_client()
    assert analyze(client, headers={"Authorization": "Basic " + TOKEN}).status_code == 401


def test_api_with_right_token_is_200() -> None:
    client = make_app(API_TOKEN=TOKEN).test_client()
    response = analyze(client, headers={"Authorization": "Bearer " + TOKEN})
    assert response.status_code == 200
    assert response.json["summary"]["external"] == 1


def test_health_needs_no_token() -> None:
    client = make_app(API_TOKEN=TOKEN).test_client()
    assert client.get("/api/v1/health").status_code == 200


# --- Origin (CSRF) and CORS ----------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://evil.example", "null", "http://127.0.0.1:3000", "file://"],
)
def test_request_from_a_web_page_origin_is_refused_with_403(
    client: FlaskClient, origin: str
) -> None:
    response = analyze(client, headers={"Origin": origin})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden_origin"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_web_origin_is_refused_even_with_the_right_token() -> None:
    client = make_app(API_TOKEN=TOKEN).test_client()
    headers = {"Origin": "https://evil.example", "Authorization": "Bearer " + TOKEN}
    assert analyze(client, headers=headers).status_code == 403


def test_request_without_origin_is_allowed(client: FlaskClient) -> None:
    assert analyze(client).status_code == 200


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        ("localhost", "http://localhost"),
        ("127.0.0.1:8750", "http://127.0.0.1:8750"),
        ("[::1]:8750", "http://[::1]:8750"),
    ],
)
def test_same_origin_request_from_the_servers_own_pages_is_allowed(
    client: FlaskClient, host: str, origin: str
) -> None:
    response = analyze(client, headers={"Host": host, "Origin": origin})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_same_origin_behind_a_tls_proxy_is_allowed() -> None:
    client = make_app(API_TOKEN=TOKEN, ALLOWED_HOSTS=["links.example.com"]).test_client()
    headers = {
        "Host": "links.example.com",
        "Origin": "https://links.example.com",
        "Authorization": "Bearer " + TOKEN,
    }
    assert analyze(client, headers=headers).status_code == 200


def test_another_port_on_the_same_host_is_a_foreign_origin(client: FlaskClient) -> None:
    headers = {"Host": "127.0.0.1:8750", "Origin": "http://127.0.0.1:8751"}
    assert analyze(client, headers=headers).status_code == 403


@pytest.mark.parametrize("origin", [CHROME, FIREFOX])
def test_any_extension_origin_gets_cors_on_a_loopback_server_when_none_configured(
    client: FlaskClient, origin: str
) -> None:
    response = analyze(client, headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in response.headers.get("Vary", "")


def test_only_configured_extension_origins_get_cors() -> None:
    client = make_app(EXTENSION_ORIGINS=[CHROME]).test_client()
    allowed = analyze(client, headers={"Origin": CHROME})
    assert allowed.headers["Access-Control-Allow-Origin"] == CHROME
    other = analyze(client, headers={"Origin": OTHER_CHROME})
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other.headers


def test_extension_origins_must_be_configured_on_a_public_server() -> None:
    client = make_app(API_TOKEN=TOKEN, ALLOWED_HOSTS=["links.example.com"]).test_client()
    headers = {"Host": "links.example.com", "Origin": CHROME, "Authorization": "Bearer " + TOKEN}
    response = analyze(client, headers=headers)
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers


def test_configured_extension_on_a_public_server_gets_cors() -> None:
    client = make_app(
        API_TOKEN=TOKEN, ALLOWED_HOSTS=["links.example.com"], EXTENSION_ORIGINS=CHROME
    ).test_client()
    headers = {"Host": "links.example.com", "Origin": CHROME, "Authorization": "Bearer " + TOKEN}
    response = analyze(client, headers=headers)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == CHROME


def test_error_responses_to_the_extension_carry_cors_so_it_can_read_them() -> None:
    client = make_app(API_TOKEN=TOKEN).test_client()
    response = analyze(client, headers={"Origin": CHROME})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == CHROME


def preflight(client: FlaskClient, origin: str) -> Any:
    return client.options(
        "/api/v1/analyze",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_preflight_from_the_extension_allows_authorization_and_content_type() -> None:
    client = make_app(API_TOKEN=TOKEN, RATE_LIMIT="1/minute").test_client()
    for _ in range(3):  # no token needed, and preflights do not spend the rate limit
        response = preflight(client, CHROME)
        assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == CHROME
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_preflight_from_a_web_page_is_refused(client: FlaskClient) -> None:
    response = preflight(client, "https://evil.example")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers


# --- Host (DNS rebinding) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8750", "10.0.0.5:8750", "", "localhost:80@evil.example"]
)
def test_request_for_an_unknown_host_is_421(client: FlaskClient, host: str) -> None:
    response = client.get("/api/v1/health", headers={"Host": host})
    assert response.status_code == 421
    assert response.json["error"]["code"] == "misdirected_host"


def test_rebinding_host_is_refused_before_the_token_or_the_view(client: FlaskClient) -> None:
    response = analyze(client, headers={"Host": "attacker.example:8750"})
    assert response.status_code == 421


@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:8750", "127.0.0.1", "127.0.0.1:8750", "[::1]:8750", "LOCALHOST"],
)
def test_loopback_names_are_allowed_with_or_without_port(client: FlaskClient, host: str) -> None:
    assert client.get("/api/v1/health", headers={"Host": host}).status_code == 200


def test_allowed_host_with_a_port_matches_only_that_port() -> None:
    client = make_app(ALLOWED_HOSTS=["localhost:8750"]).test_client()
    assert client.get("/api/v1/health", headers={"Host": "localhost:8750"}).status_code == 200
    assert client.get("/api/v1/health", headers={"Host": "localhost:9000"}).status_code == 421


# --- rate limit --------------------------------------------------------------------------


def test_over_the_rate_limit_is_429_json_with_retry_after() -> None:
    client = make_app(RATE_LIMIT="3/minute").test_client()
    statuses = [analyze(client).status_code for _ in range(3)]
    response = analyze(client)
    assert statuses == [200, 200, 200]
    assert response.status_code == 429
    assert response.json["error"]["code"] == "too_many_requests"
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_invalid_requests_spend_the_budget_too() -> None:
    client = make_app(RATE_LIMIT="2/minute").test_client()
    assert client.post("/api/v1/analyze", json={}).status_code == 400
    assert client.post("/api/v1/analyze", data="x").status_code == 415
    assert analyze(client).status_code == 429


def test_health_is_not_rate_limited() -> None:
    client = make_app(RATE_LIMIT="1/minute").test_client()
    assert [client.get("/api/v1/health").status_code for _ in range(5)] == [200] * 5


def test_rate_limit_can_be_turned_off_for_load_tests() -> None:
    client = make_app(RATE_LIMIT="1/minute", RATELIMIT_ENABLED=False).test_client()
    assert [analyze(client).status_code for _ in range(3)] == [200, 200, 200]


def test_each_client_address_has_its_own_budget() -> None:
    client = make_app(RATE_LIMIT="1/minute").test_client()
    first = {"REMOTE_ADDR": "192.0.2.1"}
    assert analyze(client, environ_overrides=first).status_code == 200
    assert analyze(client, environ_overrides=first).status_code == 429
    assert analyze(client, environ_overrides={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200


def test_forwarded_for_cannot_dodge_the_limit_without_a_trusted_proxy() -> None:
    client = make_app(RATE_LIMIT="1/minute").test_client()
    assert analyze(client, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert analyze(client, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_limited() -> None:
    client = make_app(RATE_LIMIT="1/minute", TRUSTED_PROXIES=1).test_client()
    assert analyze(client, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert analyze(client, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    assert analyze(client, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200


# --- request size ------------------------------------------------------------------------


def body_of(size: int) -> bytes:
    head = b'{"url": "https://blog.example/", "html": "'
    return head + b"x" * (size - len(head) - 2) + b'"}'


def test_body_over_max_page_bytes_is_413_json() -> None:
    client = make_app(MAX_PAGE_BYTES=2000).test_client()
    response = client.post("/api/v1/analyze", data=body_of(2001), content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"]["code"] == "request_entity_too_large"


def test_body_of_exactly_max_page_bytes_is_analysed() -> None:
    client = make_app(MAX_PAGE_BYTES=2000).test_client()
    response = client.post("/api/v1/analyze", data=body_of(2000), content_type="application/json")
    assert response.status_code == 200


def post_chunked(client: FlaskClient, body: bytes) -> Any:
    # What gunicorn hands the app for Transfer-Encoding: chunked: no Content-Length, and
    # wsgi.input_terminated set because the server ends the stream itself.
    return client.post(
        "/api/v1/analyze",
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_chunked_body_over_max_page_bytes_is_413_not_a_truncated_page() -> None:
    client = make_app(MAX_PAGE_BYTES=2000).test_client()
    response = post_chunked(client, body_of(2001))
    assert response.status_code == 413
    assert response.json["error"]["code"] == "request_entity_too_large"


def test_chunked_body_within_max_page_bytes_is_analysed() -> None:
    client = make_app(MAX_PAGE_BYTES=2000).test_client()
    assert post_chunked(client, body_of(2000)).status_code == 200
