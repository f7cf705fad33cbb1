"""`bench --model`: the user's own models timed for real, eager against compiled, and a Keras
model on every back-end with the same weights, taking turns (tests/fixtures/models/)."""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
from pathlib import Path

import pytest

from advisor.base.datadir import DATA_DIR_VARIABLE
from advisor.base.errors import UserModelError
from advisor.bench.run import run_parity
from advisor.bench.usermodel import ATOL, RTOL, run_model_bench
from advisor.record import BenchmarkRun, Interpreter
from advisor.terminal.model import format_model_bench
from advisor.usermodel import parse_model_ref

pytestmark = pytest.mark.frameworks
MODELS = Path(__file__).parents[1] / "fixtures" / "models"
JAX = importlib.util.find_spec("jax") is not None


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
    assert suite.processes == 1  # eager, then compiled in the same process, as the suite
    for case in suite.cases:
        assert case.stats is not None and case.first_call_s is not None
        assert case.work_per_iteration == 1.0
    assert run.parity == ()
    text = format_model_bench(run)
    assert "torch.compile" in text and "PyTorch: peak" in text
    assert "PyTorch / TensorFlow" not in text  # one framework: nothing to compare


@pytest.mark.skipif(
    importlib.util.find_spec("keras") is None
    or importlib.util.find_spec("tensorflow") is None
    or importlib.util.find_spec("torch") is None,
    reason="needs keras, tensorflow and torch",
)
def test_a_keras_model_on_every_back_end_with_the_same_weights() -> None:
    run = _bench("keras_custom.py:build")
    assert [w.id for w in run.workloads] == ["model_batch", "model_batch1"]  # batch 2, then 1
    tf, pt, jax = "Keras 3 on TensorFlow", "Keras 3 on PyTorch", "Keras 3 on JAX"
    forms = [(tf, ("eager", "function", "xla")), (pt, ("eager", "compile"))]
    forms += [(jax, ("eager", "jit"))] if JAX else []
    expected = {
        (name, variant, workload): "ok"
        for name, variants in forms
        for variant in variants
        for workload in ("model_batch", "model_batch1")
    }
    assert _cases(run) == expected
    suites = {s.framework: s for s in run.suites}
    assert [s.processes for s in run.suites if s.status == "ok"] == [1] * len(forms)
    # every eager slot (2 prepares, 2 passes x 2 workloads: tiny), then the compiled ones
    assert [(u.phase, u.command) for u in run.cpu_use] == [
        (phase, command)
        for phase in ("eager", "compiled")
        for command in ["prepare"] * 2 + ["measure"] * 4
    ]
    # every back-end loaded the weights TensorFlow saved before them: the same outputs
    checked = {check.backend: check for check in run.parity}
    assert set(checked) == ({"torch", "jax"} if JAX else {"torch"})
    for check in checked.values():
        assert check.agree is True and check.max_abs_diff is not None
        assert check.max_abs_diff <= ATOL and (check.rtol, check.atol) == (RTOL, ATOL)
    if not JAX:
        assert (suites["jax"].status, suites["jax"].reason) == (
            "not_installed",
            "JAX is not installed in this environment",
        )
    work = {c.workload: c.work_per_iteration for c in suites["tensorflow"].cases}
    assert work == {"model_batch": 2.0, "model_batch1": 1.0}  # items per call
    text = format_model_bench(run)
    assert "  PyTorch / TensorFlow, the same model on both back-ends:" in text
    assert "    batch 2, as you would write it (eager vs tf.function): " in text
    assert "    batch 1, fully compiled (torch.compile vs tf.function + XLA): " in text


def _running_under(folder: Path) -> list[str]:
    """Command lines of processes that name ``folder`` (the compiler set-up's --into)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # it ended while we looked
            continue
        if str(folder) in line:
            found.append(line)
    return found


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or not Path("/proc").is_dir(),
    reason="needs torch (for a set-up to start) and /proc",
)
def test_a_model_without_pytorch_stops_the_compiler_set_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))  # a cold cache: a set-up starts
    run = _bench("tf_module.py:build")
    assert [s.framework for s in run.suites] == ["tensorflow"]
    _assert_set_up_stopped(tmp_path)


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or not Path("/proc").is_dir(),
    reason="needs torch (for a set-up to start) and /proc",
)
def test_a_model_that_will_not_build_stops_the_compiler_set_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(UserModelError, match=r"no weights found in /data/weights\.bin"):
        _bench("broken.py:raises")
    _assert_set_up_stopped(tmp_path)


def _assert_set_up_stopped(data: Path) -> None:
    setups = data / "cache" / "torch-compiler"
    assert setups.is_dir()  # the set-up started before the model was described ...
    assert list(setups.iterdir()) == [] and _running_under(setups) == []  # ... and was stopped


def _interpreter() -> Interpreter:
    version = platform.python_version()
    return Interpreter(sys.executable, version, platform.python_implementation(), sys.prefix)


def test_parity_compares_every_output_and_names_the_one_that_differs(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    scores = np.arange(6, dtype="float32").reshape(2, 3)
    box = np.ones((2, 4), dtype="float32")
    np.savez(tmp_path / "outputs_tensorflow.npz", model_batch_out0=scores, model_batch_out1=box)
    np.savez(tmp_path / "outputs_torch.npz", model_batch_out0=scores, model_batch_out1=box + 0.5)
    np.savez(tmp_path / "outputs_jax.npz", model_batch_out0=scores)  # its second output lost
    plan = tmp_path / "plan.json"
    workload = {"id": "model_batch", "parity_rtol": RTOL, "parity_atol": ATOL}
    parity = {"reference": "tensorflow", "backends": ["torch", "jax"]}
    plan.write_text(
        json.dumps({"run_dir": str(tmp_path), "workloads": [workload], "parity": parity})
    )
    torch, jax = run_parity(_interpreter(), plan, lambda _event: None, None)
    assert (torch.backend, torch.agree, torch.max_abs_diff) == ("torch", False, 0.5)
    assert torch.reason == "output 1 disagrees"  # its first output agrees to the bit
    assert (jax.backend, jax.agree, jax.reason) == ("jax", False, "1 outputs vs 2")
