"""The versioned record: save, load, and clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.base.errors import RecordFormatError
from advisor.record import record_from_json, record_to_json, save_record
from tests import helpers


def test_record_survives_a_json_round_trip(tmp_path: Path) -> None:
    original = helpers.record()
    path = tmp_path / "record.json"
    save_record(original, path)
    assert record_from_json(path.read_text(), str(path)) == original


def test_saved_record_carries_schema_version_and_probe_details(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    save_record(helpers.record(), path)
    data = json.loads(path.read_text())
    assert data["schema_version"] == 3
    torch = data["frameworks"][0]
    assert torch["framework"] == "torch"
    assert torch["report"]["build"]["onednn"] == "3.12.0"


def test_version_1_and_2_records_still_read_and_a_newer_one_is_refused_by_name() -> None:
    fixture = Path(__file__).parents[1] / "fixtures" / "records" / "bench_quick_cpu.json"
    data = json.loads(fixture.read_text())
    assert data["schema_version"] == 1 and "model" not in data["benchmarks"]
    assert record_from_json(json.dumps(data), "old.json").benchmarks is not None
    # version 2 as it was written: no CPU use per slot, nor per deployment route
    assert "cpu_use" not in data["benchmarks"]
    version_2 = record_from_json(json.dumps(dict(data, schema_version=2)), "two.json")
    assert version_2.benchmarks is not None and version_2.benchmarks.cpu_use == ()
    data["schema_version"] = 4
    with pytest.raises(
        RecordFormatError, match=r"schema_version 4 is not supported \(expected 1 to 3\)"
    ):
        record_from_json(json.dumps(data), "new.json")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "saved.json: not valid JSON"),
        ('{"schema_version": 99}', "schema_version 99 is not supported"),
        ("[1, 2]", "schema_version None is not supported"),
    ],
)
def test_bad_documents_raise_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(RecordFormatError, match=message):
        record_from_json(text, "saved.json")


def test_wrong_field_type_is_named_with_its_path() -> None:
    data = json.loads(record_to_json(helpers.record()))
    data["machine"]["cpu"]["logical_cores"] = "two"
    with pytest.raises(RecordFormatError, match=r"\$\.machine\.cpu\.logical_cores: expected int"):
        record_from_json(json.dumps(data), "saved.json")
