"""Convert frozen dataclasses to JSON-ready dicts and back, checking types at the boundary.

Every number read is checked where it is read: a float must be finite, and a field
typed ``Annotated[float, Bounds(...)]`` must lie in its range. A number with no range of
its own still lies within `DEFAULT_BOUNDS` (an integer every JSON reader holds exactly,
a float far from overflow), so no figure derived from what was read overflows. What is
written is strict JSON (`dumps`): never a bare NaN or Infinity. A string longer than
`TEXT_LIMIT` (a broken probe's megabyte of output, a hand-edited file) is cut there,
saying how much was cut, so no front-end has to lay out or render megabytes of one field;
a lone surrogate, which no UTF-8 file can hold, becomes U+FFFD. A field typed ``Any``
takes only what the writer can write again: JSON values, at most `MAX_DEPTH` levels deep.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import types
import typing
from pathlib import PurePath
from typing import Any, TypeVar

from advisor.base.errors import quoted

T = TypeVar("T")
TEXT_LIMIT = 4096  # characters; a path (PATH_MAX) fits, as does any real reason or name
MAX_DEPTH = 32  # levels of nesting inside an ``Any`` field; workload parameters need two
_SURROGATE = re.compile("[\ud800-\udfff]")


class SchemaError(ValueError):
    """Data does not fit the dataclass it is read into; the message names the field path."""


@dataclasses.dataclass(frozen=True)
class Bounds:
    """The range of a number field, for ``Annotated[float, Bounds(...)]``; ``what`` it measures.

    On a tuple field, the range of its length.
    """

    above: float | None = None  # strictly greater than
    at_least: float | None = None
    at_most: float | None = None
    what: str = ""

    def problem(self, value: float) -> str | None:
        """Why ``value`` is out of range, or None."""
        if self.above is not None and not value > self.above:
            return self._said(f"must be more than {self.above:g}")
        if self.at_least is not None and not value >= self.at_least:
            return self._said(f"must be at least {self.at_least:g}")
        if self.at_most is not None and not value <= self.at_most:
            return self._said(f"must be at most {self.at_most:g}")
        return None

    def _said(self, problem: str) -> str:
        return f"{problem} ({self.what})" if self.what else problem


# Any number without a range of its own. Integers: what every JSON reader holds exactly
# (I-JSON, RFC 7493). Floats: a product or ratio of two such figures stays finite.
DEFAULT_BOUNDS = {
    int: Bounds(at_least=-(2**53), at_most=2**53, what="a number beyond what JSON holds exactly"),
    float: Bounds(at_least=-1e18, at_most=1e18, what="no figure the advisor reads is this large"),
}


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


def fitting(hint: Any, data: Any) -> Any | None:
    """``data`` read as ``hint`` (a field kind such as record.Duration), or None if it does not fit.

    For figures a child reports one by one: one out of range is left out, not the run.
    """
    try:
        return _convert(hint, data, "$")
    except SchemaError:
        return None


def from_jsonable(cls: type[T], data: Any, where: str = "$") -> T:
    """Build ``cls`` from plain data, raising SchemaError with the path of the first mismatch."""
    return typing.cast(T, _convert(cls, data, where))


def _convert(hint: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if hint is Any:
        return _plain(data, where)
    if origin is typing.Annotated:
        base, *extras = typing.get_args(hint)
        own = [e for e in extras if isinstance(e, Bounds)]
        if _is_number(data):  # its own range before the default one: the clearer reason
            for bounds in own:
                _check(bounds, data, where)
        if isinstance(data, list):  # a list's range is that of its length
            for bounds in own:
                _check(bounds, len(data), f"{where} (items)")
        return _convert(base, data, where)
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
            _convert(key_hint, key, where): _convert(value_hint, value, _key_path(where, key))
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
            raise SchemaError(f"{where}: missing field {quoted(name)}")
    try:
        return cls(**values)
    except ValueError as exc:  # a rule across fields (see the class's __post_init__)
        raise SchemaError(f"{where}: {exc}") from exc


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


def _plain(data: Any, where: str) -> Any:
    """JSON data for an ``Any`` field, checked as a typed field would be."""
    if _depth(data) > MAX_DEPTH:
        raise SchemaError(f"{where}: nested too deeply (more than {MAX_DEPTH} levels)")
    return _plain_value(data, where)


def _plain_value(data: Any, where: str) -> Any:
    # Recursion is safe here: _plain measured the depth first.
    if isinstance(data, dict):
        return {
            _convert_scalar(str, key, where): _plain_value(value, _key_path(where, key))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_plain_value(item, f"{where}[{i}]") for i, item in enumerate(data)]
    if data is None or isinstance(data, bool):
        return data
    if isinstance(data, int | float | str):
        return _convert_scalar(type(data), data, where)
    raise SchemaError(f"{where}: a {type(data).__name__} cannot be saved as JSON")


def _depth(data: Any) -> int:
    """How many levels of lists and dicts ``data`` nests (a scalar: 0), up to MAX_DEPTH + 1.

    Counted without recursion, so no depth of nesting can exhaust the stack here.
    """
    deepest, pending = 0, [(data, 0)]
    while pending and deepest <= MAX_DEPTH:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth + 1)
            items = value.values() if isinstance(value, dict) else value
            pending.extend((item, depth + 1) for item in items)
    return deepest


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")


def _key_path(where: str, key: object) -> str:
    """The path of a dict's item in an error line: short keys as is, others quoted and cut."""
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
        return f"{where}.{key}"
    return f"{where}[{quoted(key)}]"


def _convert_scalar(hint: Any, data: Any, where: str) -> Any:
    if hint in (int, float) and isinstance(data, bool):
        raise SchemaError(f"{where}: expected {hint.__name__}, got a boolean")
    if hint is float and isinstance(data, int):
        _check(DEFAULT_BOUNDS[int], data, where)  # before float() could overflow
        data = float(data)
    _expect(data, hint, where)
    if isinstance(data, float) and not math.isfinite(data):
        raise SchemaError(f"{where}: {quoted(data)} is not a finite number")
    if type(data) in DEFAULT_BOUNDS:
        _check(DEFAULT_BOUNDS[type(data)], data, where)
    if isinstance(data, str):
        return _text(data)
    return data


def _text(data: str) -> str:
    """A string as kept: lone surrogates replaced, cut at TEXT_LIMIT."""
    if not data.isascii():
        data = _SURROGATE.sub("\ufffd", data)
    if len(data) > TEXT_LIMIT:
        return f"{data[:TEXT_LIMIT]}… [{len(data) - TEXT_LIMIT} more characters cut]"
    return data


def _is_number(data: Any) -> bool:
    """A finite number as JSON gives it (an int of any size, or a finite float)."""
    if isinstance(data, bool):
        return False
    return isinstance(data, int) or (isinstance(data, float) and math.isfinite(data))


def _check(bounds: Bounds, value: float, where: str) -> None:
    problem = bounds.problem(value)
    if problem:
        raise SchemaError(f"{where}: {quoted(value)} {problem}")


def _expect(data: Any, kind: type, where: str) -> None:
    if not isinstance(data, kind):
        raise SchemaError(f"{where}: expected {kind.__name__}, got {type(data).__name__}")
