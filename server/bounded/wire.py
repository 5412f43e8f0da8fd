"""How a result crosses from an analysis process to its parent: marshal where it can, else pickle.

Pickling an `Analysis` calls back into Python for every `Link`, and that cost is paid twice
(dump in the child, load in the parent): 0.5 ms for a 212-link page whose analysis takes 5.
Here dataclasses become tuples, and a sequence of one dataclass becomes rows of field values
(read by `operator.attrgetter`, in C); `marshal`, also C, writes them. Rebuilding calls each
class with its values, in field order. Anything marshal cannot hold (an object nested in a row,
a set of dataclasses...) makes the whole value go by pickle instead: same result, slower.
"""

from __future__ import annotations

import dataclasses
import importlib
import marshal
import operator
import pickle
from collections.abc import Callable
from functools import cache
from itertools import starmap
from typing import Any

_OBJECT = "\0dataclass"
_ROWS = "\0rows"


def _key(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


@cache
def _class(key: str) -> type:
    module, _, name = key.partition(":")
    target: Any = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


@cache
def _fields(cls: type) -> tuple[Callable[[Any], Any], int] | None:
    """A getter of all init fields as a tuple, or None if the class cannot be rebuilt from them."""
    fields = dataclasses.fields(cls)
    if not fields or not all(f.init for f in fields):
        return None
    names = [f.name for f in fields]
    if len(names) == 1:
        only = operator.attrgetter(names[0])
        return (lambda obj: (only(obj),)), 1
    return operator.attrgetter(*names), len(names)


def _holds_objects(value: Any) -> bool:
    if isinstance(value, tuple | list):
        return any(map(_holds_objects, value))
    return dataclasses.is_dataclass(value) or isinstance(value, dict)


def _flatten(value: Any) -> Any:
    if isinstance(value, tuple | list) and value:
        first = type(value[0])
        if dataclasses.is_dataclass(first) and all(type(v) is first for v in value):
            fields = _fields(first)
            # Rows hold raw field values: only for classes whose values are plain (the first
            # item tells; a later one that is not sends the whole result by pickle).
            if fields is not None and not any(map(_holds_objects, fields[0](value[0]))):
                rows = list(map(fields[0], value))
                return (_ROWS, _key(first), isinstance(value, tuple), rows)
        flat = [_flatten(v) for v in value]
        return tuple(flat) if isinstance(value, tuple) else flat
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = _fields(type(value))
        if fields is None:
            raise ValueError("a dataclass with fields outside __init__")
        return (_OBJECT, _key(type(value)), tuple(_flatten(v) for v in fields[0](value)))
    if isinstance(value, dict):
        return {k: _flatten(v) for k, v in value.items()}
    return value


def _rebuild(value: Any) -> Any:
    if isinstance(value, tuple) and value and isinstance(value[0], str):
        if value[0] == _ROWS and len(value) == 4:
            _, key, as_tuple, rows = value
            items = starmap(_class(key), rows)
            return tuple(items) if as_tuple else list(items)
        if value[0] == _OBJECT and len(value) == 3:
            _, key, fields = value
            return _class(key)(*(_rebuild(v) for v in fields))
    if isinstance(value, tuple):
        return tuple(_rebuild(v) for v in value)
    if isinstance(value, list):
        return [_rebuild(v) for v in value]
    if isinstance(value, dict):
        return {k: _rebuild(v) for k, v in value.items()}
    return value


def dumps(value: Any) -> bytes:
    try:
        return b"m" + marshal.dumps(_flatten(value))
    except ValueError:
        return b"p" + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    if data[:1] == b"m":
        return _rebuild(marshal.loads(data[1:]))
    return pickle.loads(data[1:])
