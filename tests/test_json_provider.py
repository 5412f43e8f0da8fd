"""The app's JSON provider (orjson) reads and writes what Flask's own provider did."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import uuid

import pytest
from flask import Flask, jsonify

from server import create_app


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"TESTING": True, "RATELIMIT_ENABLED": False})


@dataclasses.dataclass(slots=True)
class Pair:
    name: str
    values: tuple[int, ...]


def test_dataclasses_are_written_field_by_field_in_declaration_order(app: Flask) -> None:
    assert app.json.dumps(Pair("x", (1, 2))) == '{"name":"x","values":[1,2]}'


def test_dates_decimals_uuids_and_int_keys_are_written_as_flask_wrote_them(app: Flask) -> None:
    moment = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)
    ident = uuid.UUID(int=1)
    written = app.json.loads(app.json.dumps({1: moment, "d": decimal.Decimal("1.5"), "u": ident}))
    assert written == {"1": "Fri, 27 Nov 2026 12:00:00 GMT", "d": "1.5", "u": str(ident)}


def test_keys_keep_their_order(app: Flask) -> None:
    assert list(app.json.loads(app.json.dumps({"b": 1, "a": 2}))) == ["b", "a"]


def test_lone_surrogate_escapes_are_read_and_replaced(app: Flask) -> None:
    assert app.json.loads('{"a": ["x\\ud800y"], "\\udfff": 1}') == {"a": ["x\ufffdy"], "\ufffd": 1}


def test_what_only_the_standard_library_reads_is_still_read(app: Flask) -> None:
    assert app.json.loads(b'{"n": NaN, "big": 123456789012345678901234567890}')["big"] == (
        123456789012345678901234567890
    )


def test_invalid_json_still_raises_a_value_error(app: Flask) -> None:
    with pytest.raises(ValueError):
        app.json.loads(b'{"a": ')


def test_jsonify_answers_utf8_json(app: Flask) -> None:
    with app.test_request_context():
        response = jsonify(text="café")
    assert response.mimetype == "application/json"
    assert response.get_data(as_text=True) == '{"text":"café"}'
