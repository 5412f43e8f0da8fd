"""Settings: read from LINKINSPECTOR_* env vars, checked at start, refused when unsafe."""

from __future__ import annotations

import pytest

from server import create_app
from server.config import (
    ConfigError,
    bind_is_loopback,
    parse_env_value,
    refuse_exposure_without_token,
    serve_addresses,
)

CHROME = "chrome-extension://" + "a" * 32
FIREFOX = "moz-extension://0f8b4a52-3d5e-4c4a-9a57-2f1e0b6c7d8e"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os

    for name in list(os.environ):
        if name.startswith("LINKINSPECTOR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LINKINSPECTOR_ACCESS_LOG", "false")
    return monkeypatch


def test_extension_origins_from_env_as_a_json_list(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LINKINSPECTOR_EXTENSION_ORIGINS", f'["{CHROME}", "{FIREFOX}"]')
    assert create_app().config["EXTENSION_ORIGINS"] == [CHROME, FIREFOX]


def test_extension_origins_from_env_comma_separated(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LINKINSPECTOR_EXTENSION_ORIGINS", f"{CHROME}, {FIREFOX}/")
    assert create_app().config["EXTENSION_ORIGINS"] == [CHROME, FIREFOX]


def test_allowed_hosts_from_env(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LINKINSPECTOR_API_TOKEN", "t")
    clean_env.setenv("LINKINSPECTOR_ALLOWED_HOSTS", "links.example.com,[::1]")
    app = create_app()
    assert app.config["ALLOWED_HOSTS"] == ["links.example.com", "[::1]"]
    assert app.test_client().get("/", headers={"Host": "evil.example"}).status_code == 421


def test_numbers_and_rate_limit_from_env(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LINKINSPECTOR_MAX_PAGE_BYTES", "5000")
    clean_env.setenv("LINKINSPECTOR_RATE_LIMIT", "10/second;500/hour")
    app = create_app()
    assert app.config["MAX_PAGE_BYTES"] == app.config["MAX_CONTENT_LENGTH"] == 5000
    assert app.config["RATE_LIMIT"] == "10/second;500/hour"


@pytest.mark.parametrize("token", ["1e3", "12345", "0x10", "abc def", "-5"])
def test_api_token_from_env_is_kept_exactly_as_written(
    clean_env: pytest.MonkeyPatch, token: str
) -> None:
    clean_env.setenv("LINKINSPECTOR_API_TOKEN", token)
    assert create_app().config["API_TOKEN"] == token


def test_empty_api_token_means_no_token(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LINKINSPECTOR_API_TOKEN", "")
    assert create_app().config["API_TOKEN"] is None


def test_env_values_decode_only_when_nothing_is_lost() -> None:
    assert parse_env_value('["a", "b"]') == ["a", "b"]
    assert parse_env_value("false") is False
    assert parse_env_value("42") == 42
    assert parse_env_value("2.5") == 2.5
    assert parse_env_value("1e3") == "1e3"
    assert parse_env_value("[::1]") == "[::1]"


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "*", "chrome-extension://short", "null"]
)
def test_extension_origins_refuse_anything_but_extensions(origin: str) -> None:
    with pytest.raises(ConfigError, match="EXTENSION_ORIGINS"):
        create_app({"EXTENSION_ORIGINS": [origin]})


@pytest.mark.parametrize("rate", ["often", "120 per", ""])
def test_bad_rate_limit_is_refused_at_start(rate: str) -> None:
    with pytest.raises(ConfigError, match="RATE_LIMIT"):
        create_app({"RATE_LIMIT": rate})


@pytest.mark.parametrize("size", [0, -1, "big", 1.5, True])
def test_bad_max_page_bytes_is_refused_at_start(size: object) -> None:
    with pytest.raises(ConfigError, match="MAX_PAGE_BYTES"):
        create_app({"MAX_PAGE_BYTES": size})


def test_empty_allowed_hosts_is_refused() -> None:
    with pytest.raises(ConfigError, match="ALLOWED_HOSTS"):
        create_app({"ALLOWED_HOSTS": []})


@pytest.mark.parametrize("bind", ["0.0.0.0", "0.0.0.0:8750", "192.168.1.10", "[::]:8750", "::"])
def test_app_refuses_a_public_bind_without_token(bind: str) -> None:
    with pytest.raises(ConfigError, match="LINKINSPECTOR_API_TOKEN"):
        create_app({"BIND": bind})


def test_app_refuses_public_bind_from_env_without_token(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LINKINSPECTOR_BIND", "0.0.0.0")
    with pytest.raises(ConfigError, match="0.0.0.0"):
        create_app()


def test_app_accepts_a_public_bind_with_a_token() -> None:
    assert create_app({"BIND": "0.0.0.0", "API_TOKEN": "t"}).config["API_TOKEN"] == "t"


@pytest.mark.parametrize("bind", ["127.0.0.1", "127.0.0.1:8750", "localhost", "[::1]", "::1"])
def test_app_accepts_a_loopback_bind_without_token(bind: str) -> None:
    assert create_app({"BIND": bind}).config["API_TOKEN"] is None


def test_public_allowed_host_without_token_is_refused() -> None:
    with pytest.raises(ConfigError, match="links.example.com"):
        create_app({"ALLOWED_HOSTS": ["localhost", "links.example.com"]})


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1:8750", True),
        ("127.0.0.2", True),
        ("localhost:80", True),
        ("[::1]:8750", True),
        ("unix:/run/link-inspector.sock", True),
        ("0.0.0.0:8750", False),
        (":8750", False),
        ("[::]:8750", False),
        ("example.com:80", False),
        ("10.0.0.1", False),
    ],
)
def test_bind_is_loopback(address: str, loopback: bool) -> None:
    assert bind_is_loopback(address) is loopback


def test_exposure_check_passes_with_a_token() -> None:
    refuse_exposure_without_token(["0.0.0.0:8750"], "token")
    with pytest.raises(ConfigError):
        refuse_exposure_without_token(["127.0.0.1:1", "0.0.0.0:8750"], None)


@pytest.mark.parametrize(
    ("bind", "port", "expected"),
    [
        (None, None, ["127.0.0.1:8750"]),
        (None, "9000", ["127.0.0.1:9000"]),
        ("0.0.0.0", "5000", ["0.0.0.0:5000"]),
        ("127.0.0.1:9100", "5000", ["127.0.0.1:9100"]),
        ("::1", None, ["[::1]:8750"]),
        ("[::1]:81", None, ["[::1]:81"]),
        ("unix:/run/li.sock", None, ["unix:/run/li.sock"]),
    ],
)
def test_serve_addresses(bind: str | None, port: str | None, expected: list[str]) -> None:
    assert serve_addresses(bind, port) == expected
