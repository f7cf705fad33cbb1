"""Deployment routes for real: the tiny models through every route installed here, a corrupt
artifact, a missing runtime, and export scripts that crash or hang (fakes)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from advisor.base.datadir import DATA_DIR_VARIABLE
from advisor.base.resources_path import probes_folder
from advisor.deploy.exporting import export_framework
from advisor.deploy.spec import RouteSpec, deploy_spec
from advisor.record import Interpreter, Record, record_from_json
from tests.helpers import INTERPRETER, run_advisor, run_captured

pytestmark = pytest.mark.frameworks
# The light extras (.ci/run installs them): their routes must really run in CI.
LIGHT_RUNTIMES = ("onnx", "onnxscript", "onnxruntime", "tf2onnx", "ai_edge_litert")


def _require(*modules: str) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if not missing:
        return
    if os.environ.get("FRAMEWORK_ADVISOR_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{', '.join(missing)} required here (FRAMEWORK_ADVISOR_REQUIRE_TOOLS=1)")
    pytest.skip(f"not installed: {', '.join(missing)} (pip install 'framework-advisor[deploy]')")


@pytest.fixture(scope="module")
def tiny_deploy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Record, list[str]]:
    """A tiny run from the command line with an empty home and temporary folder: its
    record, and every path the run left in those two folders."""
    home = tmp_path_factory.mktemp("deploy-home")
    temporary = tmp_path_factory.mktemp("deploy-tmp")
    data = tmp_path_factory.mktemp("deploy-data")
    output = tmp_path_factory.mktemp("deploy-out") / "record.json"
    done = run_advisor(
        "deploy",
        "--preset",
        "tiny",
        "--output",
        str(output),
        timeout=900,
        env=dict(
            os.environ, HOME=str(home), TMPDIR=str(temporary), **{DATA_DIR_VARIABLE: str(data)}
        ),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    left = sorted(str(p) for folder in (home, temporary) for p in folder.rglob("*"))
    return record_from_json(output.read_text(encoding="utf-8")), left


@pytest.fixture(scope="module")
def tiny_run(tiny_deploy: tuple[Record, list[str]]) -> Record:
    return tiny_deploy[0]


def test_a_run_leaves_nothing_in_the_home_or_the_temporary_folder(
    tiny_deploy: tuple[Record, list[str]],
) -> None:
    # ONNX Runtime's telemetry device id, event store and .ses file, Keras's keras.json,
    # TorchInductor's folder: none of them, anywhere the user would find them.
    record, left = tiny_deploy
    assert any(r.route == "torch_onnx" and r.status == "ok" for r in record.deployment.routes)  # type: ignore[union-attr]
    assert left == []


def test_every_installed_route_exports_reloads_and_reproduces(tiny_run: Record) -> None:
    run = tiny_run.deployment
    assert run is not None and not run.cancelled
    statuses = {r.route: r for r in run.routes}
    assert set(statuses) == {r.id for r in deploy_spec().routes}  # every target by default
    for route in ("torch_export", "torchscript", "tf_keras_export", "tf_saved_model"):
        result = statuses[route]
        assert result.status == "ok", (route, result.reason)
        for model in result.models:
            assert model.max_abs_diff is not None and model.max_abs_diff <= 1e-5
            assert model.stats is not None and model.stats.samples >= 2
            assert model.export_s and model.load_first_s and model.artifact_bytes
        # what else the machine did while the latencies were timed (machine/load.py)
        use = result.cpu_use
        assert use is not None and use.elapsed_s > 0 and use.own_s > 0 and use.cores >= 1
    assert statuses["aot_inductor"].status == "skipped"  # slow: the full preset only
    assert set(run.exporters) == {"torch", "tensorflow", "keras_torch"}


def test_a_light_runtime_loads_without_its_framework(tiny_run: Record) -> None:
    _require(*LIGHT_RUNTIMES)
    run = tiny_run.deployment
    assert run is not None
    for route in ("torch_onnx", "tf_onnx", "tf_litert"):
        result = next(r for r in run.routes if r.route == route)
        assert result.status == "ok", (route, result.reason)
        assert result.frameworks_loaded == ()  # onnxruntime, LiteRT: no torch, no tensorflow
        assert result.runtime_import_s is not None and result.runtime_import_s < 2


@pytest.mark.parametrize(
    ("route", "modules"),
    [
        ("executorch_xnnpack", ("executorch",)),
        ("executorch_portable", ("executorch",)),
        ("torch_litert", ("litert_torch", "ai_edge_litert")),
    ],
)
def test_pytorchs_on_device_routes_work_where_installed(
    tiny_run: Record, route: str, modules: tuple[str, ...]
) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:  # an optional extra: CI installs only the light one
        pytest.skip(
            f"not installed: {', '.join(missing)} (pip install 'framework-advisor[deploy-mobile]')"
        )
    run = tiny_run.deployment
    assert run is not None
    result = next(r for r in run.routes if r.route == route)
    assert result.status == "ok", result.reason


def test_a_route_whose_package_is_missing_says_how_to_add_it(tiny_run: Record) -> None:
    run = tiny_run.deployment
    assert run is not None
    for result in run.routes:
        if result.status == "not_installed":
            assert result.reason and result.reason.startswith("missing: ")
            assert result.install_hint and f"{sys.executable} -m pip install" in result.install_hint


def _load(tmp_path: Path, runtime: str, artifact: Path, reference: Path) -> dict[str, object]:
    plan = {
        "route": "test",
        "runtime": runtime,
        "threads": 1,
        "latency": deploy_spec().presets["tiny"].latency,
        "rtol": 1e-4,
        "atol": 1e-5,
        "models": [{"id": "mlp", "artifact": str(artifact), "reference": str(reference)}],
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    done = run_captured(
        [sys.executable, str(probes_folder() / "deploy_load.py"), "--plan", str(path)], timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith('{"event"')]
    return next(e["result"] for e in events if e.get("stage") == "model_loaded")


def test_a_corrupt_artifact_is_one_line_of_failure(tmp_path: Path) -> None:
    _require("onnxruntime", "numpy")
    import numpy as np

    reference = tmp_path / "reference.npz"
    np.savez(reference, x0=np.zeros((1, 4), "float32"), y0=np.zeros((1, 2), "float32"))
    artifact = tmp_path / "model.onnx"
    artifact.write_bytes(b"\x00not an onnx model\xff" * 10)
    result = _load(tmp_path, "onnxruntime", artifact, reference)
    assert result["status"] == "failed"
    reason = str(result["reason"])
    assert reason.startswith("load: ") and "\n" not in reason and len(reason) <= 310


def _fake_python(tmp_path: Path, behaviour: dict[str, str]) -> Interpreter:
    """An 'interpreter' that plays an export script: each route ok, or crashing, or hanging."""
    script = tmp_path / "fake_python"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys, time\n"
        "def emit(stage, **extra):\n"
        "    sys.stderr.write(json.dumps(dict(event='progress', stage=stage, message=stage,\n"
        "                                     **extra)) + '\\n'); sys.stderr.flush()\n"
        "plan = json.load(open(sys.argv[3]))\n"
        f"behaviour = {behaviour!r}\n"
        "for route in plan['routes']:\n"
        "    emit('route_started', route=route['id'])\n"
        "    what = behaviour.get(route['id'], 'ok')\n"
        "    if what == 'hang': time.sleep(600)\n"
        "    if what == 'crash': sys.stderr.write('Segmentation fault\\n'); os._exit(139)\n"
        "    result = dict(model='mlp', status='ok', reason=None, export_s=0.1,\n"
        "                  artifact='/nonexistent', artifact_bytes=10, reference='/nonexistent')\n"
        "    emit('model_exported', route=route['id'], result=result)\n"
        "    emit('route_finished', route=route['id'], missing=[])\n"
        "print(json.dumps(dict(schema_version=1, probe='deploy_export', version='9.9')))\n"
    )
    script.chmod(0o755)
    return replace(INTERPRETER, executable=str(script))


def _routes(*ids: str) -> list[RouteSpec]:
    template = deploy_spec().routes[0]
    return [replace(template, id=route_id, title=route_id) for route_id in ids]


def test_a_hanging_export_is_killed_at_its_timeout_and_the_rest_go_on(tmp_path: Path) -> None:
    interpreter = _fake_python(tmp_path, {"b": "hang", "c": "crash"})
    plan = {"run_dir": str(tmp_path), "seed": 0, "threads": 1, "models": []}
    exports = export_framework(
        "torch", _routes("a", "b", "c", "d"), plan, interpreter, 2.0, lambda _m: None, None
    )
    assert not exports.cancelled and exports.version == "9.9"
    routes = exports.routes
    assert routes["a"].failure is None and "mlp" in routes["a"].models
    assert routes["b"].failure == ("timed_out", "timed out after 2 s and was killed")
    status, reason = routes["c"].failure or ("", "")
    assert status == "failed" and "status 139" in reason and "Segmentation fault" in reason
    assert routes["d"].failure is None and "mlp" in routes["d"].models  # after two restarts


def test_a_cancel_stops_the_export_and_says_so(tmp_path: Path) -> None:
    interpreter = _fake_python(tmp_path, {"a": "hang"})
    plan = {"run_dir": str(tmp_path), "seed": 0, "threads": 1, "models": []}
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    exports = export_framework(
        "torch", _routes("a", "b"), plan, interpreter, 60.0, lambda _m: None, cancel
    )
    assert exports.cancelled
    assert exports.routes["a"].failure == ("cancelled", "cancelled by the user")
    assert "b" not in exports.routes


def test_a_missing_runtime_makes_the_route_not_installed(tmp_path: Path) -> None:
    route = replace(deploy_spec().routes[0], id="r", runtime_modules=("no_such_runtime_here",))
    plan = {"run_dir": str(tmp_path), "seed": 0, "threads": 1, "models": []}
    exports = export_framework("torch", [route], plan, INTERPRETER, 120.0, lambda _m: None, None)
    assert exports.routes["r"].missing == ("no_such_runtime_here",)
