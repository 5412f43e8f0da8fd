"""The monitoring and alert settings: read from LINKINSPECTOR_* variables, and a setting
that cannot work stops the server at start with a message that says how to fix it."""

from __future__ import annotations

import os

import pytest

from server import create_app
from server.config import ConfigError


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("LINKINSPECTOR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LINKINSPECTOR_ACCESS_LOG", "false")
    return monkeypatch


def test_monitoring_settings_from_env(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LINKINSPECTOR_MONITOR_INTERVAL_HOURS", "6")
    clean_env.setenv("LINKINSPECTOR_MONITOR_CONFIRM_SECONDS", "0")
    clean_env.setenv("LINKINSPECTOR_RENDER", "Always")
    clean_env.setenv("LINKINSPECTOR_ALERT_WEBHOOK_URL", "https://hooks.example/li")
    clean_env.setenv("LINKINSPECTOR_ALERT_WEBHOOK_SECRET", "a-long-enough-secret")
    clean_env.setenv(
        "LINKINSPECTOR_ALERT_APPRISE_URLS",
        "mailtos://me:pw@gmail.com slack://a/b/c/#links,alerts",
    )
    clean_env.setenv("LINKINSPECTOR_ALERT_KINDS", "lost,nofollow")
    clean_env.setenv("LINKINSPECTOR_ALERT_DIGEST", "yes")
    config = create_app().config
    assert config["MONITOR_INTERVAL_HOURS"] == 6
    assert config["MONITOR_CONFIRM_SECONDS"] == 0
    assert config["RENDER"] == "always"
    # Apprise URLs are split on whitespace only: a comma belongs to the URL.
    assert config["ALERT_APPRISE_URLS"] == [
        "mailtos://me:pw@gmail.com",
        "slack://a/b/c/#links,alerts",
    ]
    assert config["ALERT_KINDS"] == ["lost", "nofollow"]
    assert config["ALERT_DIGEST"] is True


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"RENDER": "sometimes"}, "RENDER must be one of auto, always, never"),
        ({"ALERT_WEBHOOK_URL": "https://hooks.example/li"}, "needs ALERT_WEBHOOK_SECRET"),
        (
            {"ALERT_WEBHOOK_URL": "https://hooks.example/li", "ALERT_WEBHOOK_SECRET": "short"},
            "at least 16 characters",
        ),
        ({"ALERT_WEBHOOK_URL": "ftp://x/"}, "must be an http(s) URL"),
        ({"ALERT_APPRISE_URLS": ["not a url"]}, "Apprise URLs"),
        ({"ALERT_KINDS": ["lost", "gone"]}, "not gone"),
        ({"ALERT_DIGEST_HOUR": 24}, "0 to 23"),
        ({"MONITOR_INTERVAL_HOURS": 0}, "MONITOR_INTERVAL_HOURS must be a whole number >= 1"),
        ({"RENDER_TIMEOUT": 1}, "RENDER_TIMEOUT must be a whole number >= 2"),
    ],
)
def test_a_monitoring_setting_that_cannot_work_stops_the_server(
    settings: dict[str, object], words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        create_app({"TESTING": True, **settings})
    assert words in str(caught.value)


def test_a_web_process_closes_chromium_sooner_than_a_worker(clean_env: pytest.MonkeyPatch) -> None:
    from server.render import RenderSettings

    app = create_app()
    # A web process renders only for "Check now": its browser goes soon after.
    assert RenderSettings.from_config(app.config).idle_close == 10.0
    # run_worker sets this before its consumer starts: scheduled checks keep it warm.
    app.config["RENDER_IDLE_CLOSE"] = 120.0
    assert RenderSettings.from_config(app.config).idle_close == 120.0
