"""Whole-number query arguments and the paged list answer every list endpoint gives."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, overload

from flask import Response, jsonify, request

from server.errors import ApiError

MAX_PAGE = 1_000_000
MAX_PER_PAGE = 200


@overload
def query_number(name: str, default: int, maximum: int, minimum: int = 1) -> int: ...
@overload
def query_number(name: str, default: None, maximum: int, minimum: int = 1) -> int | None: ...
def query_number(name: str, default: int | None, maximum: int, minimum: int = 1) -> int | None:
    """The query argument `name` as a whole number from `minimum` to `maximum`; `default`
    when it is absent or empty; a 400 `invalid_<name>` otherwise."""
    value = request.args.get(name) or ""
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or not minimum <= int(value) <= maximum:
        raise ApiError(
            400, f"invalid_{name}", f"'{name}' must be a whole number from {minimum} to {maximum}."
        )
    return int(value)


def page_args() -> tuple[int, int]:
    """`page` (from 1) and `per_page` (50 unless asked, at most 200)."""
    return query_number("page", 1, MAX_PAGE), query_number("per_page", 50, MAX_PER_PAGE)


def paged(items: Iterable[dict[str, Any]], total: int, page: int, per_page: int) -> Response:
    return jsonify({"items": list(items), "total": total, "page": page, "per_page": per_page})
