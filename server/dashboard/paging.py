"""The page number of a dashboard list, as every list reads it."""

from __future__ import annotations

from flask import abort, request


def page_number() -> int:
    """`?page=`, a whole number from 1 (the default) to 1,000,000; a 400 otherwise (ASCII
    digits only: "²" is a digit to str.isdigit, not to int)."""
    value = request.args.get("page") or "1"
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 1_000_000:
        abort(400, "'page' must be a whole number from 1 to 1000000.")
    return int(value)
