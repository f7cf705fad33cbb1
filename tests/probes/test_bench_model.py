"""`bench --model`: the user's own models timed for real, eager against compiled, and a Keras
model on both back-ends with the same weights (tests/fixtures/models/)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from advisor.bench.usermodel import run_model_bench
from advisor.record import BenchmarkRun
from advisor.terminal.model import format_model_bench
from advisor.usermodel import parse_model_ref

pytestmark = pytest.mark.frameworks
MODELS = Path(__file__).parents[1] / "fixtures" / "models"


def _bench(name: str) -> BenchmarkRun:
    run = run_model_bench(parse_model_ref(f"{MODELS / name}"), "tiny", 1, sys.executable)
    assert run.benchmarks is not None and run.benchmarks.model is not None
    return run.benchmarks


def _cases(run: BenchmarkRun) -> dict[tuple[str, str, str], str]:
    return {(s.display_name, c.variant, c.workload): c.status for s in run.suites for c in s.cases}


def test_a_torch_model_eager_and_compiled() -> None:
    run = _bench("cnn.py:build")
    assert [w.id for w in run.workloads] == ["model_batch"]  # its example batch is 1
    assert _cases(run) == {
        ("PyTorch", "eager", "model_batch"): "ok",
        ("PyTorch", "compile", "model_batch"): "ok",
    }
    (suite,) = run.suites
    assert suite.peak_rss_bytes and suite.version and suite.status == "ok"
    for case in suite.cases:
        assert case.stats is not None and case.first_call_s is not None
        assert case.work_per_iteration == 1.0
    assert run.parity == ()
    text = format_model_bench(run)
    assert "torch.compile" in text and "PyTorch: peak" in text


@pytest.mark.skipif(
    importlib.util.find_spec("keras") is None or importlib.util.find_spec("tensorflow") is None,
    reason="needs keras and tensorflow",
)
def test_a_keras_model_on_both_back_ends_with_the_same_weights() -> None:
    run = _bench("keras_custom.py:build")
    assert [w.id for w in run.workloads] == ["model_batch", "model_batch1"]  # batch 2, then 1
    tf, pt = "Keras 3 on TensorFlow", "Keras 3 on PyTorch"
    expected = {
        (name, variant, workload): "ok"
        for name, variants in ((tf, ("eager", "function", "xla")), (pt, ("eager", "compile")))
        for variant in variants
        for workload in ("model_batch", "model_batch1")
    }
    assert _cases(run) == expected
    (parity,) = run.parity
    assert parity.agree is True and parity.max_abs_diff is not None
    assert parity.max_abs_diff <= 1e-5
    assert [c.work_per_iteration for c in run.suites[0].cases[:2]] == [2.0, 1.0]
