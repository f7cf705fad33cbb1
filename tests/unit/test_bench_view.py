"""Comparison rows and the terminal view, from recorded benchmark runs."""

from __future__ import annotations

import statistics
from dataclasses import replace
from pathlib import Path

import pytest

from advisor.bench.compare import comparison_rows, compile_rows
from advisor.record import BenchmarkRun, CaseResult, ParityCheck, record_from_json
from advisor.textbench import format_benchmarks, format_live_case, format_number
from tests.helpers import FIXTURES


def _run(name: str) -> BenchmarkRun:
    path = FIXTURES / "records" / name
    record = record_from_json(Path(path).read_text(), name)
    assert record.benchmarks is not None
    return record.benchmarks


CPU = _run("bench_tiny_cpu.json")
GPU = _run("bench_quick_h200_torch_only.json")


def _case(run: BenchmarkRun, framework: str, workload: str, variant: str) -> CaseResult:
    suite = next(s for s in run.suites if s.framework == framework)
    return next(c for c in suite.cases if (c.workload, c.variant) == (workload, variant))


def _rate(case: CaseResult) -> float:
    return case.work_per_iteration / statistics.median(case.samples_s)


def test_one_eager_row_per_workload_and_dtype_plus_compiled_rows() -> None:
    rows = [(r.workload.id, r.dtype, r.mode) for r in comparison_rows(CPU)]
    assert rows == [
        ("matmul", "float32", "eager"),
        ("matmul", "bfloat16", "eager"),
        ("conv2d", "float32", "eager"),
        ("mlp_train", "float32", "eager"),
        ("mlp_train", "float32", "compiled"),
        ("cnn_train", "float32", "eager"),
        ("lstm", "float32", "eager"),
        ("transformer_b1", "float32", "eager"),
        ("transformer_b32", "float32", "eager"),
        ("input_pipeline", "float32", "eager"),
    ]


def test_eager_ratio_is_pytorch_speed_over_tensorflow_speed() -> None:
    row = next(r for r in comparison_rows(CPU) if r.workload.id == "lstm")
    expected = _rate(_case(CPU, "torch", "lstm", "eager")) / _rate(
        _case(CPU, "tensorflow", "lstm", "eager")
    )
    assert row.ratio == pytest.approx(expected)
    assert row.parity is not None and row.parity.agree


def test_compiled_row_takes_each_frameworks_fastest_compiled_variant() -> None:
    row = next(r for r in comparison_rows(CPU) if r.mode == "compiled")
    function, xla = (_case(CPU, "tensorflow", "mlp_train", v) for v in ("function", "xla"))
    fastest = function if _rate(function) > _rate(xla) else xla
    assert row.tensorflow.figure is not None
    assert row.tensorflow.figure.case == fastest
    assert row.torch.figure is not None and row.torch.figure.case.variant == "compile"
    assert row.parity is None


def test_compile_rows_give_speedup_over_eager_and_first_call_cost() -> None:
    rows = {(r.framework, r.variant): r for r in compile_rows(CPU)}
    assert set(rows) == {("torch", "compile"), ("tensorflow", "function"), ("tensorflow", "xla")}
    xla = rows["tensorflow", "xla"]
    case, eager = (_case(CPU, "tensorflow", "mlp_train", v) for v in ("xla", "eager"))
    assert xla.speedup == pytest.approx(_rate(case) / _rate(eager))
    assert xla.first_call_s == case.first_call_s


def test_missing_framework_rows_carry_the_reason_and_no_ratio() -> None:
    row = comparison_rows(GPU)[0]
    assert row.ratio is None
    assert row.tensorflow.figure is None
    assert "no module named 'tensorflow'" in (row.tensorflow.reason or "")
    assert row.parity is not None and row.parity.agree is None


def test_percent_of_peak_uses_the_recorded_peak() -> None:
    row = next(r for r in comparison_rows(GPU) if r.dtype == "bfloat16")
    assert row.torch.figure is not None
    peak = next(p for p in GPU.peaks if p.dtype == "bfloat16")
    assert peak.gflops is not None
    expected = 100 * row.torch.figure.value / peak.gflops
    assert row.torch.figure.percent_of_peak == pytest.approx(expected)


def test_a_failed_case_shows_its_reason() -> None:
    suites = tuple(
        replace(
            s,
            cases=tuple(
                replace(c, status="failed", reason="ResourceExhaustedError: OOM", stats=None)
                if c.workload == "conv2d"
                else c
                for c in s.cases
            ),
        )
        if s.framework == "tensorflow"
        else s
        for s in CPU.suites
    )
    row = next(r for r in comparison_rows(replace(CPU, suites=suites)) if r.workload.id == "conv2d")
    assert row.tensorflow.reason == "ResourceExhaustedError: OOM"
    assert row.ratio is None


def test_text_view_names_every_part() -> None:
    text = format_benchmarks(CPU)
    assert text.startswith("Benchmarks: tiny preset on cpu (AMD EPYC), 2 threads, ")
    assert "  lstm float32 eager: PyTorch/TensorFlow speed " in text
    assert "numerics agree (max abs diff " in text
    assert "Compilation (steady-state speed-up over eager; first call includes compiling)" in text
    assert "tf.function + XLA" in text
    assert "  PyTorch     import " in text
    assert "float32   unknown: the maximum CPU clock is not exposed" in text


def test_disagreeing_numerics_are_shouted() -> None:
    parity = tuple(
        replace(p, agree=False, max_abs_diff=0.5, max_rel_diff=0.1) if p.workload == "conv2d" else p
        for p in CPU.parity
    )
    text = format_benchmarks(replace(CPU, parity=parity))
    assert (
        "NUMERICS DISAGREE (max abs diff 0.5, rel 0.1; tolerance rtol 0.0001, atol 0.0001)" in text
    )


def test_unchecked_parity_says_why() -> None:
    parity = (ParityCheck("matmul", None, None, None, 1e-4, 1e-3, "no output from TensorFlow"),)
    text = format_benchmarks(replace(CPU, parity=parity))
    assert "numerics not checked: no output from TensorFlow" in text


def test_live_line_for_a_finished_case() -> None:
    case = _case(CPU, "torch", "transformer_b1", "eager")
    workload = next(w for w in CPU.workloads if w.id == "transformer_b1")
    line = format_live_case("torch", case, workload)
    assert line.startswith("PyTorch transformer_b1 eager float32: ")
    assert line.endswith(f"n={len(case.samples_s)}") or line.endswith("NOISY")
    assert " ms [" in line


@pytest.mark.parametrize(
    ("value", "text"),
    [(12345.6, "12,346"), (123.4, "123"), (12.34, "12.3"), (1.234, "1.23"), (0.01234, "0.0123")],
)
def test_numbers_keep_three_significant_figures(value: float, text: str) -> None:
    assert format_number(value) == text
