"""Convert frozen dataclasses to JSON-ready dicts and back, checking types at the boundary.

Every number read is checked where it is read: a float must be finite, and a field
typed ``Annotated[float, Bounds(...)]`` must lie in its range. What is written is
strict JSON (`dumps`): never a bare NaN or Infinity. A string longer than `TEXT_LIMIT`
(a broken probe's megabyte of output, a hand-edited file) is cut there, saying how much
was cut, so no front-end has to lay out or render megabytes of one field.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from pathlib import PurePath
from typing import Any, TypeVar

from advisor.errors import quoted

T = TypeVar("T")
TEXT_LIMIT = 4096  # characters; a path (PATH_MAX) fits, as does any real reason or name


class SchemaError(ValueError):
    """Data does not fit the dataclass it is read into; the message names the field path."""


@dataclasses.dataclass(frozen=True)
class Bounds:
    """The range of a number field, for ``Annotated[float, Bounds(...)]``."""

    above: float | None = None  # strictly greater than
    at_least: float | None = None

    def problem(self, value: float) -> str | None:
        if self.above is not None and not value > self.above:
            return f"must be more than {self.above:g}"
        if self.at_least is not None and not value >= self.at_least:
            return f"must be at least {self.at_least:g}"
        return None


def dumps(value: Any, indent: int | None = 2) -> str:
    """A dataclass tree (or plain data) as strict JSON text; ValueError on NaN or Infinity."""
    return json.dumps(to_jsonable(value), indent=indent, allow_nan=False)


def to_jsonable(value: Any) -> Any:
    """A dataclass tree as plain dicts, lists and scalars."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, PurePath):
        return str(value)
    return value


def from_jsonable(cls: type[T], data: Any, where: str = "$") -> T:
    """Build ``cls`` from plain data, raising SchemaError with the path of the first mismatch."""
    return typing.cast(T, _convert(cls, data, where))


def _convert(hint: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if hint is Any:
        return data
    if origin is typing.Annotated:
        base, *extras = typing.get_args(hint)
        value = _convert(base, data, where)
        for bounds in (e for e in extras if isinstance(e, Bounds)):
            problem = bounds.problem(value)
            if problem:
                raise SchemaError(f"{where}: {quoted(value)} {problem}")
        return value
    if dataclasses.is_dataclass(hint):
        return _convert_dataclass(typing.cast(type, hint), data, where)
    if origin in (typing.Union, types.UnionType):
        return _convert_union(typing.get_args(hint), data, where)
    if origin is typing.Literal:
        if data not in typing.get_args(hint):
            raise SchemaError(f"{where}: {quoted(data)} is not one of {typing.get_args(hint)}")
        return data
    if origin is tuple:
        item_hint = typing.get_args(hint)[0]
        _expect(data, list, where)
        return tuple(_convert(item_hint, item, f"{where}[{i}]") for i, item in enumerate(data))
    if origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        _expect(data, dict, where)
        return {
            _convert(key_hint, key, where): _convert(value_hint, value, f"{where}.{key}")
            for key, value in data.items()
        }
    return _convert_scalar(hint, data, where)


def _convert_dataclass(cls: type, data: Any, where: str) -> Any:
    _expect(data, dict, where)
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise SchemaError(f"{where}: unknown field {quoted(unknown[0])}")
    values = {}
    for name, field in fields.items():
        if name in data:
            values[name] = _convert(hints[name], data[name], f"{where}.{name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise SchemaError(f"{where}: missing field {name!r}")
    return cls(**values)


def _convert_union(options: tuple[Any, ...], data: Any, where: str) -> Any:
    if data is None and type(None) in options:
        return None
    errors = []
    for option in options:
        if option is type(None):
            continue
        try:
            return _convert(option, data, where)
        except SchemaError as exc:
            errors.append(str(exc))
    raise SchemaError(
        errors[0] if len(errors) == 1 else f"{where}: {quoted(data)} fits none of {options}"
    )


def _convert_scalar(hint: Any, data: Any, where: str) -> Any:
    if hint is float and isinstance(data, float) and not math.isfinite(data):
        raise SchemaError(f"{where}: {quoted(data)} is not a finite number")
    if hint is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if hint in (int, float) and isinstance(data, bool):
        raise SchemaError(f"{where}: expected {hint.__name__}, got a boolean")
    _expect(data, hint, where)
    if isinstance(data, str) and len(data) > TEXT_LIMIT:
        return f"{data[:TEXT_LIMIT]}… [{len(data) - TEXT_LIMIT} more characters cut]"
    return data


def _expect(data: Any, kind: type, where: str) -> None:
    if not isinstance(data, kind):
        raise SchemaError(f"{where}: expected {kind.__name__}, got {type(data).__name__}")
