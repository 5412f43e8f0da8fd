"""The app's JSON in and out through orjson: request bodies of megabytes of page HTML and
responses of thousands of links are most of the API's time with the standard library."""

from __future__ import annotations

import dataclasses
import decimal
import json
import uuid
from datetime import date
from typing import Any

import orjson
from flask import Response
from flask.json.provider import JSONProvider
from werkzeug.http import http_date

# Flask's own provider accepts int keys; orjson needs this option for them.
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _default(value: Any) -> Any:
    """What Flask's default provider writes for the types orjson leaves to us."""
    if isinstance(value, date):
        return http_date(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _without_lone_surrogates(value: Any) -> Any:
    """JSON may escape a lone surrogate (\\ud800), which no UTF-8 encoder accepts later on."""
    if isinstance(value, str):
        # Through UTF-16, each lone surrogate becomes one U+FFFD, as in a browser.
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


class OrjsonProvider(JSONProvider):
    """Dataclasses (an analysis's links) are written field by field in declaration order."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj, default=_default, option=_OPTIONS).decode("utf-8")

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            # What orjson refuses and the standard library reads: lone surrogate escapes,
            # NaN/Infinity, integers beyond 64 bits. Real syntax errors raise here as before.
            return _without_lone_surrogates(json.loads(s))

    def response(self, *args: Any, **kwargs: Any) -> Response:
        data = self._prepare_response_obj(args, kwargs)
        body = orjson.dumps(data, default=_default, option=_OPTIONS)
        return Response(body, mimetype="application/json")
