"""The shipped workload specification, and that both bench scripts implement every workload."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from advisor.base.errors import ResourceError
from advisor.bench.spec import PRESETS, parse_suite, suite

PROBES = Path(__file__).parents[2] / "probes"
ISSUE_WORKLOADS = {
    "matmul",
    "conv2d",
    "mlp_train",
    "cnn_train",
    "lstm",
    "transformer_b1",
    "transformer_b32",
    "input_pipeline",
}


def test_shipped_suite_has_every_workload_and_preset() -> None:
    shipped = suite()
    assert {w.id for w in shipped.workloads} == ISSUE_WORKLOADS
    assert set(shipped.presets) == set(PRESETS)
    for workload in shipped.workloads:
        assert set(workload.sizes) == set(PRESETS), workload.id


def test_quick_compiles_at_least_one_workload_and_full_compiles_the_trainable_ones() -> None:
    presets = suite().presets
    assert presets["quick"].compile
    assert {"mlp_train", "cnn_train", "transformer_b1", "transformer_b32"} <= set(
        presets["full"].compile
    )


@pytest.mark.parametrize("script", ["torch_bench.py", "tensorflow_bench.py"])
def test_each_bench_script_implements_every_workload(script: str) -> None:
    text = (PROBES / script).read_text()
    for workload in suite().workloads:
        assert re.search(rf"^    (def {workload.id}\(|{workload.id} = )", text, re.M), workload.id


def test_every_workload_has_seeded_arrays() -> None:
    text = (PROBES / "_bench_common.py").read_text()
    for workload in suite().workloads:
        assert f'"{workload.id}": _make_' in text, workload.id


def _valid() -> dict[str, Any]:
    preset = {
        "budget_s": 1,
        "min_repeats": 3,
        "max_repeats": 5,
        "warmup": 1,
        "min_sample_s": 0.01,
        "target_cv": 0.05,
        "passes": 2,
        "suite_timeout_s": 60,
        "compile": ["w"],
    }
    return {
        "presets": {name: dict(preset) for name in PRESETS},
        "workload": [
            {
                "id": "w",
                "title": "W",
                "metric": "throughput",
                "unit": "items/s",
                "work": "items",
                "parity_rtol": 1e-4,
                "parity_atol": 1e-5,
                "sizes": {name: {"n": 1} for name in PRESETS},
            }
        ],
    }


def test_the_budget_is_shared_out_over_the_passes() -> None:
    data = _valid()
    data["presets"]["quick"].update(budget_s=0.8, min_repeats=8, max_repeats=80, passes=4)
    preset = parse_suite(data, Path("w.toml")).presets["quick"]
    # 4 passes: a quarter each, but never fewer than two samples a pass; the target
    # dispersion is judged over all of a case's samples, once there are the total minimum.
    assert preset.pass_budget() == dict(
        preset.budget, budget_s=0.2, min_repeats=2, max_repeats=20, cv_min_repeats=8
    )
    data["presets"]["quick"].update(min_repeats=3)
    assert parse_suite(data, Path("w.toml")).presets["quick"].pass_budget()["min_repeats"] == 2


def test_a_valid_file_parses() -> None:
    parsed = parse_suite(_valid(), Path("w.toml"))
    assert parsed.presets["quick"].budget["min_repeats"] == 3
    assert parsed.presets["quick"].suite_timeout_s == 60.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["presets"].pop("full"), r"missing \[presets.full\]"),
        (lambda d: d["presets"]["quick"].update(min_repeats=1), "need 2 <= min_repeats"),
        (lambda d: d["presets"]["quick"].update(passes=0), "passes must be a whole number"),
        (lambda d: d["presets"]["quick"].update(passes=1.5), "passes must be a whole number"),
        (lambda d: d["presets"]["quick"].update(budget_s="long"), "budget_s must be a number"),
        (lambda d: d["presets"]["quick"].update(compile=["nope"]), "compiles unknown"),
        (lambda d: d["workload"][0].update(metric="speed"), "metric must be"),
        (lambda d: d["workload"][0].update(work="bytes"), "work must be"),
        (lambda d: d["workload"][0]["sizes"].pop("tiny"), "sizes must be given"),
        (lambda d: d.update(workload=[]), "at least one"),
    ],
)
def test_invalid_files_are_rejected(change: Any, message: str) -> None:
    data = _valid()
    change(data)
    with pytest.raises(ResourceError, match=message):
        parse_suite(data, Path("w.toml"))
