"""Comparison rows and the terminal view, from recorded benchmark runs."""

from __future__ import annotations

import statistics
from dataclasses import replace
from pathlib import Path

import pytest

from advisor.comparison import compare, ratio_interval
from advisor.record import BenchmarkRun, CaseResult, ParityCheck, record_from_json
from advisor.terminal.bench import format_benchmarks, format_live_case
from advisor.wording.formatting import format_number
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


def test_each_workload_has_its_pairs_in_order() -> None:
    rows = [(r.workload.id, r.dtype, r.pair) for r in compare(CPU).rows]
    assert rows == [
        ("matmul", "float32", "as_written"),
        ("matmul", "bfloat16", "as_written"),
        ("conv2d", "float32", "as_written"),
        ("mlp_train", "float32", "as_written"),
        ("mlp_train", "float32", "compiled"),
        ("mlp_train", "float32", "eager"),
        ("cnn_train", "float32", "as_written"),
        ("cnn_train", "float32", "eager"),
        ("lstm", "float32", "as_written"),
        ("lstm", "float32", "eager"),
        ("transformer_b1", "float32", "as_written"),
        ("transformer_b1", "float32", "eager"),
        ("transformer_b32", "float32", "as_written"),
        ("transformer_b32", "float32", "eager"),
        ("input_pipeline", "float32", "as_written"),
    ]


def test_as_written_pairs_pytorch_eager_with_tensorflow_as_keras_runs_it() -> None:
    comparison = compare(CPU)
    assert comparison.keras_default == "function"  # a CPU: Keras's "auto" is no XLA
    row = comparison.row("lstm", "as_written")
    assert row is not None and row.torch.figure and row.tensorflow.figure
    assert row.torch.figure.case.variant == "eager"
    assert row.tensorflow.figure.case.variant == "function"
    expected = _rate(_case(CPU, "torch", "lstm", "eager")) / _rate(
        _case(CPU, "tensorflow", "lstm", "function")
    )
    assert row.ratio == pytest.approx(expected)
    assert row.parity is None  # parity compares the eager outputs


def test_a_keras_model_on_both_back_ends_pairs_as_the_suite_does() -> None:
    model = _run("bench_model_keras.json")  # bench --model: Keras 3 on TensorFlow, PyTorch, JAX
    rows = {(r.workload.id, r.pair): r for r in compare(model).rows}
    assert set(rows) == {
        (workload, pair)
        for workload in ("model_batch", "model_batch1")
        for pair in ("as_written", "compiled", "eager")
    }
    written = rows["model_batch1", "as_written"]  # a model: TensorFlow runs its graph form
    assert written.torch.figure and written.tensorflow.figure
    assert (written.torch.figure.case.variant, written.tensorflow.figure.case.variant) == (
        "eager",
        "function",
    )
    expected = _rate(_case(model, "torch", "model_batch1", "eager")) / _rate(
        _case(model, "tensorflow", "model_batch1", "function")
    )
    assert written.ratio == pytest.approx(expected)
    # Keras on PyTorch against Keras on TensorFlow; JAX's check is its own
    assert (model.parity[1].backend, written.parity) == ("jax", None)  # batch 1: not checked
    eager = rows["model_batch", "eager"]
    assert eager.parity is not None and eager.parity.backend == "torch"


def test_single_kernel_workloads_are_eager_either_way_and_parity_checked() -> None:
    row = compare(CPU).row("conv2d", "as_written")
    assert row is not None and row.tensorflow.figure is not None
    assert row.tensorflow.figure.case.variant == "eager"
    assert row.parity is not None and row.parity.agree


def test_eager_pair_is_eager_against_eager() -> None:
    row = compare(CPU).row("transformer_b1", "eager")
    assert row is not None and row.torch.figure and row.tensorflow.figure
    assert {row.torch.figure.case.variant, row.tensorflow.figure.case.variant} == {"eager"}
    expected = _rate(_case(CPU, "torch", "transformer_b1", "eager")) / _rate(
        _case(CPU, "tensorflow", "transformer_b1", "eager")
    )
    assert row.ratio == pytest.approx(expected)


def test_compiled_pair_is_torch_compile_against_xla() -> None:
    row = compare(CPU).row("mlp_train", "compiled")
    assert row is not None and row.torch.figure and row.tensorflow.figure
    assert row.torch.figure.case.variant == "compile"
    assert row.tensorflow.figure.case.variant == "xla"
    assert row.parity is None


def test_a_graph_form_missing_from_an_older_record_is_said_not_replaced_by_eager() -> None:
    suites = tuple(
        replace(s, cases=tuple(c for c in s.cases if c.variant != "function")) for s in CPU.suites
    )
    row = compare(replace(CPU, suites=suites)).row("transformer_b32", "as_written")
    assert row is not None and row.ratio is None
    assert row.tensorflow.reason == "tf.function was not measured in this run"


def test_the_ratio_interval_brackets_the_ratio_and_is_reproducible() -> None:
    for row in compare(CPU).rows:
        if row.ratio is None:
            continue
        assert row.interval is not None
        low, high = row.interval
        assert low <= row.ratio <= high, row
    assert compare(CPU).rows == compare(CPU).rows


def test_identical_samples_give_an_interval_that_holds_one() -> None:
    case = _case(CPU, "torch", "mlp_train", "eager")
    interval = ratio_interval(case, case, "seed")
    assert interval is not None and interval[0] <= 1.0 <= interval[1]


def test_clearly_separated_samples_give_an_interval_that_excludes_one() -> None:
    steady = tuple(0.010 + 0.0001 * (i % 7) for i in range(30))  # about 3 % spread
    case = replace(_case(CPU, "torch", "mlp_train", "eager"), samples_s=steady)
    slower = replace(case, samples_s=tuple(2 * s for s in steady))
    interval = ratio_interval(case, slower, "seed")
    assert interval is not None and 1.6 < interval[0] <= interval[1] < 2.5


def test_compile_rows_give_speedup_over_eager_and_first_call_cost() -> None:
    rows = {
        (r.framework, r.variant): r
        for r in compare(CPU).compile_rows
        if r.workload.id == "mlp_train"
    }
    assert set(rows) == {("torch", "compile"), ("tensorflow", "function"), ("tensorflow", "xla")}
    xla = rows["tensorflow", "xla"]
    case, eager = (_case(CPU, "tensorflow", "mlp_train", v) for v in ("xla", "eager"))
    assert xla.speedup == pytest.approx(_rate(case) / _rate(eager))
    assert xla.first_call_s == case.first_call_s


def test_missing_framework_rows_carry_the_reason_and_no_ratio() -> None:
    row = compare(GPU).rows[0]
    assert row.ratio is None
    assert row.tensorflow.figure is None
    assert "no module named 'tensorflow'" in (row.tensorflow.reason or "")
    assert row.parity is not None and row.parity.agree is None


def test_percent_of_peak_uses_the_recorded_peak() -> None:
    row = next(r for r in compare(GPU).rows if r.dtype == "bfloat16")
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
    row = next(r for r in compare(replace(CPU, suites=suites)).rows if r.workload.id == "conv2d")
    assert row.tensorflow.reason == "ResourceExhaustedError: OOM"
    assert row.ratio is None


def test_text_view_names_every_part() -> None:
    text = format_benchmarks(compare(CPU))
    assert text.startswith(f"Benchmarks: tiny preset on cpu ({CPU.device_name}), 2 threads, ")
    assert (
        "  lstm float32, as you would write it: PyTorch 3.10x faster (95% CI 2.22-5.16x)\n" in text
    )
    assert "  lstm float32, step-through (eager vs eager): PyTorch 62.84x faster (" in text
    assert "numerics agree (max abs diff " in text
    assert "Compilation (steady-state speed-up over eager; first call includes compiling)" in text
    assert "tf.function + XLA" in text
    assert "  PyTorch     import " in text
    assert "float32   unknown: the maximum CPU clock is not exposed" in text
    assert "pairs: as you would write it = PyTorch eager vs TensorFlow as Keras runs it" in text


def test_disagreeing_numerics_are_shouted() -> None:
    parity = tuple(
        replace(p, agree=False, max_abs_diff=0.5, max_rel_diff=0.1) if p.workload == "conv2d" else p
        for p in CPU.parity
    )
    text = format_benchmarks(compare(replace(CPU, parity=parity)))
    assert (
        "NUMERICS DISAGREE (max abs diff 0.5, rel 0.1; tolerance rtol 0.0001, atol 0.0001)" in text
    )


def test_unchecked_parity_says_why() -> None:
    parity = (ParityCheck("matmul", None, None, None, 1e-4, 1e-3, "no output from TensorFlow"),)
    text = format_benchmarks(compare(replace(CPU, parity=parity)))
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
