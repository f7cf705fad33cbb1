"""Typed conversion between dataclasses and JSON data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest

from advisor.base.serde import TEXT_LIMIT, SchemaError, from_jsonable, to_jsonable
from advisor.base.text import breakable


@dataclass(frozen=True)
class Inner:
    name: str
    size: float


@dataclass(frozen=True)
class Outer:
    kind: Literal["a", "b"]
    items: tuple[Inner, ...]
    tags: dict[str, str]
    note: str | None = None


def test_round_trip_keeps_every_field() -> None:
    value = Outer("a", (Inner("x", 1.5), Inner("y", 2.0)), {"k": "v"}, note="n")
    data = to_jsonable(value)
    assert data == {
        "kind": "a",
        "items": [{"name": "x", "size": 1.5}, {"name": "y", "size": 2.0}],
        "tags": {"k": "v"},
        "note": "n",
    }
    assert from_jsonable(Outer, data) == value


def test_defaults_fill_missing_optional_fields_and_ints_widen_to_float() -> None:
    value = from_jsonable(Outer, {"kind": "b", "items": [{"name": "x", "size": 3}], "tags": {}})
    assert value.note is None
    assert value.items[0].size == 3.0
    assert isinstance(value.items[0].size, float)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "c", "items": [], "tags": {}}, "$.kind: 'c' is not one of"),
        ({"kind": "a", "items": [{"name": 1, "size": 1.0}], "tags": {}}, "$.items[0].name"),
        ({"kind": "a", "items": [], "tags": {}, "extra": 1}, "unknown field 'extra'"),
        ({"kind": "a", "tags": {}}, "missing field 'items'"),
        ({"kind": "a", "items": [{"name": "x", "size": True}], "tags": {}}, "got a boolean"),
        ({"kind": "a", "items": {}, "tags": {}}, "$.items: expected list"),
    ],
)
def test_mismatches_name_the_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(SchemaError, match=message.replace("[", r"\[").replace("$", r"\$")):
        from_jsonable(Outer, data)


def test_paths_become_plain_text() -> None:
    from pathlib import Path

    assert to_jsonable({"python": Path("/envs/ml/bin/python")}) == {"python": "/envs/ml/bin/python"}


def test_a_string_past_the_limit_is_cut_where_it_is_read_and_says_so() -> None:
    read = from_jsonable(Inner, {"name": "y" * (TEXT_LIMIT + 10), "size": 1.0})
    assert read.name == "y" * TEXT_LIMIT + "… [10 more characters cut]"
    assert from_jsonable(Inner, {"name": "y" * TEXT_LIMIT, "size": 1.0}).name == "y" * TEXT_LIMIT


def test_only_very_long_words_get_break_opportunities() -> None:
    path = "/home/someone/projects/a-rather-long-folder-name/and/a/deeper/one/python3.11"
    assert breakable(f"could not start {path}") == f"could not start {path}"
    token = "x" * 250
    assert breakable(token) == "\u200b".join(("x" * 100, "x" * 100, "x" * 50))
