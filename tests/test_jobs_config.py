"""The job settings: read from LINKINSPECTOR_* like the others, refused at start when they
cannot work, and the queue each URL selects."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import POSTGRES_URL
from huey import PostgresHuey, RedisHuey, SqliteHuey
from sqlalchemy import create_engine, text

from server import create_app
from server.config import ConfigError
from server.jobs.queue import make_queue, queue_url
from server.jobs.settings import JobSettings


def test_job_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKINSPECTOR_PER_HOST_LIMIT", "1")
    monkeypatch.setenv("LINKINSPECTOR_LINK_CHECK_CACHE_SECONDS", "0")
    monkeypatch.setenv("LINKINSPECTOR_ACTION_URL_PATTERNS", '["/private/", "logout"]')
    monkeypatch.setenv("LINKINSPECTOR_QUEUE_URL", "redis://127.0.0.1:6390/3")
    app = create_app()
    settings = JobSettings.from_config(app.config)
    assert settings.per_host == 1 and settings.cache_age.total_seconds() == 0
    assert [p.pattern for p in settings.check.action_patterns] == ["/private/", "logout"]
    assert app.config["QUEUE_URL"] == "redis://127.0.0.1:6390/3"


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("QUEUE_URL", "amqp://rabbit/", "QUEUE_URL must be"),
        ("PER_HOST_LIMIT", 0, "PER_HOST_LIMIT must be a whole number >= 1"),
        ("JOB_LEASE_SECONDS", 1, "JOB_LEASE_SECONDS must be a whole number >= 2"),
        ("MAX_JOB_URLS", "many", "MAX_JOB_URLS must be a whole number"),
        ("ACTION_URL_PATTERNS", ["(unclosed"], "is not a regular expression"),
        ("ACTION_URL_PATTERNS", {"a": 1}, "must be a JSON list"),
    ],
)
def test_job_settings_that_cannot_work_stop_the_server_with_a_message(
    setting: str, value: object, says: str
) -> None:
    with pytest.raises(ConfigError, match=says):
        create_app({"TESTING": True, setting: value})


def test_the_queue_is_sqlite_in_the_instance_folder_unless_told_otherwise(tmp_path: Path) -> None:
    app = create_app({"TESTING": True})
    app.instance_path = str(tmp_path)
    assert queue_url(app) == f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    assert isinstance(make_queue(app).huey, SqliteHuey)
    app.config["QUEUE_URL"] = "redis://127.0.0.1:1/0"  # nothing is sent until a task is
    assert isinstance(make_queue(app).huey, RedisHuey)


@pytest.mark.skipif(POSTGRES_URL is None, reason="needs LINKINSPECTOR_TEST_DATABASE_URL")
def test_a_postgresql_queue_url_selects_huey_s_postgres_storage(
    postgres_database: str, tmp_path: Path
) -> None:
    url = postgres_database.replace("postgresql+psycopg://", "postgresql://", 1)
    app = create_app({"TESTING": True, "QUEUE_URL": url})
    queue = make_queue(app)
    assert isinstance(queue.huey, PostgresHuey)
    queue.start(41, 2)
    queue.run_job.schedule((42,), delay=60)
    try:
        assert queue.queued_job_ids() == {41, 42}
    finally:
        queue.huey.storage.close()
        # huey made its tables in the session's test database: other tests expect only ours.
        engine = create_engine(postgres_database)
        with engine.begin() as connection:
            for table in ("huey_kv", "huey_schedule", "huey_task", "huey_counter"):
                connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()
