"""Both real suites at the test-only size, end to end through the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from advisor.base.datadir import DATA_DIR_VARIABLE
from advisor.base.resources_path import probes_folder
from advisor.bench.run import build_plan
from advisor.bench.spec import suite
from advisor.probing.inventory import take_inventory
from advisor.record import record_from_json
from tests.helpers import machine, run_advisor

pytestmark = pytest.mark.frameworks


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    # A data folder the run creates (two levels), an empty home and temporary folder.
    data = tmp_path_factory.mktemp("bench-data") / "share" / "framework-advisor"
    temporary = tmp_path_factory.mktemp("bench-tmp")
    home = tmp_path_factory.mktemp("bench-home")
    result = run_advisor(
        "bench",
        "--preset",
        "tiny",
        "--device",
        "cpu",
        "--json",
        timeout=600,
        env=dict(
            os.environ, HOME=str(home), TMPDIR=str(temporary), **{DATA_DIR_VARIABLE: str(data)}
        ),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {
        "record": record_from_json(result.stdout),
        "stderr": result.stderr,
        "data": data,
        "left": sorted(str(p) for folder in (home, temporary) for p in folder.rglob("*")),
    }


def test_a_run_leaves_nothing_in_the_home_or_the_temporary_folder(
    tiny_run: dict[str, object],
) -> None:
    # Keras's keras.json, TensorFlow's autograph files, TorchInductor's cache and its
    # 150 MB of precompiled headers, ONNX Runtime's device id: each child's own folder.
    assert tiny_run["left"] == []


def test_every_folder_the_run_created_for_its_data_is_owner_only(
    tiny_run: dict[str, object],
) -> None:
    data = Path(str(tiny_run["data"]))
    (set_up,) = (data / "cache" / "torch-compiler").iterdir()
    created = [data.parent, data, data / "cache", set_up.parent, set_up]
    modes = {str(p): oct(p.stat().st_mode & 0o777) for p in created}
    assert modes == dict.fromkeys(map(str, created), oct(0o700))


def test_each_framework_is_imported_once_by_its_probe_whose_process_runs_its_suite(
    tiny_run: dict[str, object],
) -> None:
    record = tiny_run["record"]
    suites = {s.framework: s for s in record.benchmarks.suites}  # type: ignore[attr-defined]
    for probe in record.frameworks:  # type: ignore[attr-defined]
        assert probe.status == "ok" and probe.report is not None
        # one import: the probe timed and measured it, and the suite reports the same figures
        assert suites[probe.framework].import_time_s == probe.report.import_time_s
        assert suites[probe.framework].rss_after_import_bytes == probe.report.rss_after_import_bytes
        assert suites[probe.framework].processes == 1


def test_every_workload_has_a_figure_or_a_reason_in_both_frameworks(
    tiny_run: dict[str, object],
) -> None:
    run = tiny_run["record"].benchmarks  # type: ignore[attr-defined]
    assert run.preset == "tiny" and run.device == "cpu" and not run.cancelled
    for framework_suite in run.suites:
        assert framework_suite.status == "ok", framework_suite.reason
        # one process: the eager phase, then the compiled one
        assert framework_suite.processes == 1
        assert framework_suite.settings["intra_op_threads"] == str(run.threads)
        assert framework_suite.settings["malloc"]  # what the allocator ran with
        assert framework_suite.import_time_s > 0
        assert framework_suite.peak_rss_bytes >= framework_suite.rss_after_import_bytes
        for workload in suite().workloads:
            cases = [c for c in framework_suite.cases if c.workload == workload.id]
            assert cases, (framework_suite.framework, workload.id)
            for case in cases:
                assert case.stats is not None or case.reason, (framework_suite.framework, case)


def test_compiled_variants_ran_and_report_first_call_cost(tiny_run: dict[str, object]) -> None:
    run = tiny_run["record"].benchmarks  # type: ignore[attr-defined]
    variants = {
        (s.framework, c.variant): c
        for s in run.suites
        for c in s.cases
        if c.workload == "mlp_train"
    }
    assert set(variants) == {
        ("torch", "eager"),
        ("torch", "compile"),
        ("tensorflow", "eager"),
        ("tensorflow", "function"),
        ("tensorflow", "xla"),
    }
    for case in variants.values():
        assert case.status == "ok", case.reason
        assert case.first_call_s is not None and case.first_call_s > 0


def test_torch_compile_is_timed_after_the_compilers_one_time_set_up(
    tiny_run: dict[str, object],
) -> None:
    run = tiny_run["record"].benchmarks  # type: ignore[attr-defined]
    torch = next(s for s in run.suites if s.framework == "torch")
    assert torch.settings["compile_cache"] == (
        "model compiled cold; compiler set up once on this machine beforehand"
    )
    (set_up,) = (Path(str(tiny_run["data"])) / "cache" / "torch-compiler").iterdir()
    assert set_up.name.startswith("torch-" + tiny_run["record"].frameworks[0].report.version)  # type: ignore[attr-defined]
    # The precompiled headers TorchInductor keeps outside its cache are part of it.
    assert list((set_up / "precompiled_headers").glob("*.h.gch"))
    assert "setting up torch.compile's compiler" in str(tiny_run["stderr"])


def test_moving_on_to_the_compiled_phase_imports_torch_compile_before_it_says_ready(
    tmp_path: Path,
) -> None:
    # What making a torch.compile wrapper imports (TorchDynamo) is untimed set-up: done as
    # the eager phase's process moves on to the compiled phase, not in PyTorch's first
    # compiled turn, which TensorFlow waits out. Python's import log, on stderr with the
    # events, shows the order.
    paths = {}
    for phase in ("eager", "compiled"):
        plan = build_plan(suite().presets["tiny"], suite().workloads, machine(), "cpu", 1, 1, phase)
        paths[phase] = tmp_path / f"plan_{phase}.json"
        paths[phase].write_text(json.dumps(dict(plan, run_dir=str(tmp_path), compiler_setup=None)))
    result = subprocess.run(
        [sys.executable, str(probes_folder() / "torch_bench.py"), "--plan", str(paths["eager"])],
        input=f"phase {paths['compiled']}\nfinish\n",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=dict(os.environ, PYTHONPROFILEIMPORTTIME="1", TMPDIR=str(tmp_path)),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    ready = [i for i, line in enumerate(lines) if '"stage": "ready"' in line]
    assert len(ready) == 2  # the eager phase, then the compiled one
    imported = [line.rpartition("|")[2].strip() for line in lines[: ready[1]]]
    assert "torch._dynamo" in imported
    assert "torch._dynamo" not in imported[: ready[0]]  # the eager phase never needed it
    assert '"compile_cache"' not in result.stdout  # nothing was compiled


def test_tensorflow_times_the_graph_form_keras_runs_for_every_keras_model(
    tiny_run: dict[str, object],
) -> None:
    run = tiny_run["record"].benchmarks  # type: ignore[attr-defined]
    tensorflow = next(s for s in run.suites if s.framework == "tensorflow")
    # On a CPU, Keras's jit_compile="auto" resolves to plain tf.function.
    assert tensorflow.settings["keras_jit_compile_auto"] == "plain tf.function (no XLA)"
    graph = {w.id for w in suite().workloads if w.graph}
    assert graph == {"mlp_train", "cnn_train", "lstm", "transformer_b1", "transformer_b32"}
    timed = {c.workload for c in tensorflow.cases if c.variant == "function" and c.stats}
    assert timed == graph
    torch = next(s for s in run.suites if s.framework == "torch")
    assert not [c for c in torch.cases if c.variant == "function"]


def test_parity_ran_for_every_workload_and_the_frameworks_agree(
    tiny_run: dict[str, object],
) -> None:
    run = tiny_run["record"].benchmarks  # type: ignore[attr-defined]
    assert [p.workload for p in run.parity] == [w.id for w in suite().workloads]
    for check in run.parity:
        assert check.agree is True, check
        assert check.max_abs_diff is not None


def test_progress_was_shown_live(tiny_run: dict[str, object]) -> None:
    stderr = str(tiny_run["stderr"])
    assert "… PyTorch matmul eager float32: " in stderr
    assert "… TensorFlow input_pipeline eager float32: " in stderr


def test_ctrl_c_stops_the_run_and_keeps_finished_results() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", "bench", "--preset", "tiny", "--device", "cpu"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "PyTorch matmul eager float32: " in line:
            break
    interrupted = time.monotonic()
    os.kill(process.pid, signal.SIGINT)
    stdout, _ = process.communicate(timeout=30)
    stopped_after = time.monotonic() - interrupted
    assert process.returncode == 130
    assert "CANCELLED, partial results" in stdout
    assert "PyTorch     " in stdout and "matmul float32, as you would write it" in stdout
    # Recorded for the closing note; the requirement is 2 s, asserted loosely on a shared CI box.
    assert stopped_after < 10, stopped_after


def test_cuda_on_a_machine_without_one_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from advisor.terminal.cli import main

    if any(
        d.kind == "cuda" for p in take_inventory().frameworks if p.report for d in p.report.devices
    ):
        pytest.skip("this machine has a CUDA device")
    assert main(["bench", "--device", "cuda", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "framework-advisor: error: --device cuda: no installed framework can run on a CUDA GPU here"
    )


def test_report_measures_first_when_given_no_results(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = run_advisor("report", "--preset", "tiny", "--output", str(target), timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "PyTorch mlp_train eager float32:" in result.stderr  # live progress
    assert result.stdout.startswith("Recommendation: ")
    html = target.read_text()
    assert "tiny preset on cpu" in html and 'id="ratio-chart"' in html
    assert "framework-advisor bench --preset tiny --device cpu" in html
