"""`deploy --model`: the user's own models (tests/fixtures/models/) through the real routes,
with the statuses and reasons each is known to get."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from advisor.deploy.run import DeployOptions, run_deployment
from advisor.record import DeploymentRun, RouteResult
from advisor.usermodel import inspect_model, parse_model_ref

pytestmark = pytest.mark.frameworks
MODELS = Path(__file__).parents[1] / "fixtures" / "models"
ONNX = ("onnx", "onnxscript", "onnxruntime")


def _installed(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


def _deploy(
    name: str, monkeypatch: pytest.MonkeyPatch, targets: tuple[str, ...] = ("server",)
) -> dict[str, RouteResult]:
    monkeypatch.chdir(MODELS.parents[2])  # the user's file shows relative to here
    model = parse_model_ref(f"tests/fixtures/models/{name}")
    options = DeployOptions(preset="tiny", targets=targets, model=model)
    run = run_deployment(options, sys.executable).deployment
    assert isinstance(run, DeploymentRun) and run.model is not None
    return {r.route: r for r in run.routes}


def test_data_dependent_control_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    routes = _deploy("branchy.py:build", monkeypatch)
    assert set(routes) == {"torch_export", "aot_inductor", "torchscript", "torch_onnx"}
    guard = (
        "export: GuardOnDataDependentSymNode: Could not guard on data-dependent "
        "expression Eq(u0, 1)"
    )
    exported = routes["torch_export"]
    assert exported.status == "failed" and exported.reason is not None
    assert exported.reason.startswith(guard)
    assert exported.reason.endswith("(at tests/fixtures/models/branchy.py:13)")
    traced = routes["torchscript"]  # it "works" on the example input: it froze the branch
    assert traced.status == "frozen" and traced.models[0].max_abs_diff == 0
    assert traced.reason == (
        "torch.jit.trace warned: Converting a tensor to a Python boolean might cause the "
        "trace to be incorrect (at tests/fixtures/models/branchy.py:13); reproduces the example "
        f"input, not a second one (floats negated; max abs diff {_diff(traced)})"
    )
    if _installed(*ONNX):  # torch.onnx goes through torch.export: the same finding
        onnx = routes["torch_onnx"]
        assert onnx.status == "failed" and onnx.reason is not None
        assert onnx.reason.startswith(guard) and "branchy.py:13)" in onnx.reason


def _diff(route: RouteResult) -> str:
    text = route.reason or ""
    return text[text.rindex("max abs diff ") + len("max abs diff ") : -1]


def test_a_plain_cnn_works_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    routes = _deploy("cnn.py:build", monkeypatch)
    tried = ["torch_export", "torchscript"] + (["torch_onnx"] if _installed(*ONNX) else [])
    for route in tried:
        assert (routes[route].status, routes[route].reason) == ("ok", None), route
        (model,) = routes[route].models
        assert model.model == "user" and model.max_abs_diff is not None
        assert model.max_abs_diff < 1e-5 and model.stats is not None
    assert routes["aot_inductor"].status == "skipped"


def test_a_data_dependent_output_shape_exports(monkeypatch: pytest.MonkeyPatch) -> None:
    # x[x > 0]: torch.export keeps the length symbolic, and tracing records the mask
    # indexing itself, so every route reproduces the negated input's other length too.
    routes = _deploy("dynamic.py:build", monkeypatch)
    tried = ["torch_export", "torchscript"] + (["torch_onnx"] if _installed(*ONNX) else [])
    assert {r: routes[r].status for r in tried} == dict.fromkeys(tried, "ok")


@pytest.mark.skipif(not _installed("keras", "tensorflow"), reason="needs keras and tensorflow")
def test_a_keras_model_with_a_custom_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    routes = _deploy("keras_custom.py:build", monkeypatch)
    expected = {"tf_keras_export", "tf_saved_model", "tf_saved_model_xla", "keras_torch"}
    expected |= {"tf_onnx"} if _installed("tf2onnx", "onnxruntime") else set()
    assert {r for r, result in routes.items() if result.status == "ok"} == expected
    assert not any(r.framework == "torch" for r in routes.values())


def test_every_output_is_compared_and_the_one_that_differs_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Only the second output depends on a branch: tracing reproduces the first one on the
    # negated input too, and the route is caught on the second.
    routes = _deploy("two_outputs.py:branch_in_second_output", monkeypatch)
    traced = routes["torchscript"]
    assert traced.status == "frozen" and traced.models[0].max_abs_diff == 0
    assert traced.reason is not None
    assert "; reproduces the example input, not a second one (floats negated; output 1: " in (
        traced.reason
    )
    exported = routes["torch_export"]
    assert exported.status == "failed" and exported.reason is not None
    assert exported.reason.endswith("(at tests/fixtures/models/two_outputs.py:33)")


@pytest.mark.skipif(not _installed("keras", "tensorflow"), reason="needs keras and tensorflow")
def test_a_keras_model_with_two_outputs_gives_both_back_on_every_route(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Their widths differ (3 and 4): an output lost or two swapped would not match.
    routes = _deploy("two_outputs.py:build", monkeypatch)
    expected = {"tf_keras_export", "tf_saved_model", "tf_saved_model_xla", "keras_torch"}
    expected |= {"tf_onnx"} if _installed("tf2onnx", "onnxruntime") else set()
    assert {r for r, result in routes.items() if result.status == "ok"} == expected
    for route in expected:
        (model,) = routes[route].models
        assert model.max_abs_diff is not None and model.max_abs_diff < 1e-5, route


@pytest.mark.skipif(not _installed("tensorflow"), reason="needs tensorflow")
def test_a_plain_tf_module_takes_the_tf_function_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    routes = _deploy("tf_module.py:build", monkeypatch, ("server", "mobile"))
    keras_only = routes["tf_keras_export"]
    assert (keras_only.status, keras_only.reason) == (
        "failed",
        "export: RuntimeError: Keras model.export takes a Keras model; this one is a tf.Module",
    )
    working = {"tf_saved_model", "tf_saved_model_xla", "tf_litert"}
    working |= {"tf_onnx"} if _installed("tf2onnx", "onnxruntime") else set()
    assert {r for r, result in routes.items() if result.status == "ok"} == working


def test_a_module_importable_from_the_working_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MODELS.parents[2])
    model = inspect_model(parse_model_ref("tests.fixtures.models.cnn:build"), sys.executable, 120)
    assert model.source == "tests.fixtures.models.cnn (tests/fixtures/models/cnn.py)"
    assert (model.kind, model.parameters) == ("torch", 1397)
