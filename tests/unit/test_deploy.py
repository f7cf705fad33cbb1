"""Deployment routes: the shipped spec, the evidence they give the advice, and their views."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from advisor.base.errors import ResourceError
from advisor.base.resources_path import load_toml, resource_file
from advisor.deploy.spec import deploy_spec, parse_deploy
from advisor.record import DeploymentRun, RouteResult, UserModel, record_from_json
from advisor.scoring.answers import Answers, default_answers
from advisor.scoring.deployment import (
    FAILED_PENALTY,
    USER_FAILED_PENALTY,
    USER_VERIFIED_BONUS,
    VERIFIED_BONUS,
    route_evidence,
)
from advisor.scoring.engine import recommend
from advisor.scoring.knowledge import knowledge
from advisor.terminal.deploy import format_deployment
from advisor.wording.deploy_view import deployment_view, duration
from tests.helpers import FIXTURES

RECORD = record_from_json((FIXTURES / "records" / "deploy_tiny_cpu.json").read_text())
SOURCE = Path("deploy.toml")


def _run() -> DeploymentRun:
    assert RECORD.deployment is not None
    return RECORD.deployment


def _with_status(run: DeploymentRun, framework: str, target: str, **changes: Any) -> DeploymentRun:
    routes = tuple(
        replace(r, **changes) if r.framework == framework and target in r.targets else r
        for r in run.routes
    )
    return replace(run, routes=routes)


def test_the_shipped_routes_load_and_name_real_targets_and_models() -> None:
    spec = deploy_spec()
    assert set(spec.targets) == {"server", "mobile", "browser", "edge"}
    assert [m.id for m in spec.models] == ["mlp", "cnn"]
    assert {r.framework for r in spec.routes} == {"torch", "tensorflow", "keras_torch"}
    for target in spec.targets:  # each target has a route for both frameworks
        frameworks = {r.framework for r in spec.routes_for((target,))}
        assert {"torch", "tensorflow"} <= frameworks, target
    assert [r.id for r in spec.routes if r.slow] == ["aot_inductor"]
    assert not spec.presets["quick"].include_slow and spec.presets["full"].include_slow
    assert [r.id for r in spec.routes if r.deprecated] == ["torchscript"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["route"][0].update(targets=["moon"]), "targets must be among"),
        (lambda d: d["route"][0].update(runtime="jvm"), "runtime must be one of"),
        (lambda d: d["route"][1].update(id=d["route"][0]["id"]), "route ids must be unique"),
        (lambda d: d["model"][0].update(workload="nope"), "must name a workload"),
        (lambda d: d["presets"]["quick"]["latency"].pop("warmup"), "latency: needs exactly"),
        (lambda d: d["presets"]["tiny"].update(export_timeout_s=0), "must be numbers > 0"),
        (lambda d: d.update(rtol=-1), "rtol and atol"),
    ],
)
def test_a_broken_route_file_is_refused_with_the_reason(change: Any, message: str) -> None:
    data = copy.deepcopy(load_toml(resource_file("deploy.toml")))
    change(data)
    with pytest.raises(ResourceError, match=message):
        parse_deploy(data, SOURCE)


def test_the_recorded_tiny_run_tried_the_default_install_routes() -> None:
    statuses = {r.route: r.status for r in _run().routes}
    for route in ("torch_export", "torch_onnx", "tf_keras_export", "tf_onnx", "tf_litert"):
        assert statuses[route] == "ok", route
    assert statuses["aot_inductor"] == "skipped"
    assert statuses["tfjs"] == "not_installed"


def test_a_working_route_is_evidence_for_its_target() -> None:
    found = route_evidence(_run(), "deploy_server", "torch")
    assert found is not None and found.finding == "verified"
    assert "torch.export (.pt2)" in found.text and "TorchScript" not in found.text  # deprecated
    assert found.adjusted(7.0) == 7.0 + VERIFIED_BONUS and found.adjusted(9.5) == 10.0


def test_routes_that_all_fail_are_evidence_against_with_their_reasons() -> None:
    run = _with_status(_run(), "tensorflow", "server", status="failed", reason="export: boom")
    found = route_evidence(run, "deploy_server", "tensorflow")
    assert found is not None and found.finding == "failed"
    assert "export: boom" in found.text
    assert found.adjusted(8.0) == 8.0 - FAILED_PENALTY and found.adjusted(1.0) == 0.0


def test_routes_not_tried_leave_the_static_score_alone() -> None:
    found = route_evidence(_run(), "deploy_browser", "tensorflow")  # tfjs is not installed
    assert found is not None and found.finding == "unmeasured"
    assert "not installed" in found.text and found.adjusted(8.0) == 8.0
    not_aimed = replace(_run(), targets=("server",))
    assert route_evidence(not_aimed, "deploy_mobile", "torch") is None
    assert route_evidence(_run(), "debugging", "torch") is None


def _deploy_row(run: DeploymentRun | None, answers: Answers) -> tuple[float, float, str]:
    rec = recommend(knowledge(), answers, None, deployment=run)
    row = next(r for r in rec.criteria if r.criterion.id == "deploy_server")
    return row.torch, row.tensorflow, row.rationale_tensorflow


def test_the_engine_moves_the_deployment_scores_and_says_why() -> None:
    answers = default_answers(knowledge())  # a cloud or server target
    static_torch, static_tf, rationale = _deploy_row(None, answers)
    assert "Measured here" not in rationale
    torch, tensorflow, rationale = _deploy_row(_run(), answers)
    assert (torch, tensorflow) == (static_torch + 1, static_tf + 1)
    assert "Measured here: works and reproduces the output" in rationale
    failing = _with_status(_run(), "tensorflow", "server", status="mismatch", reason="cnn: differs")
    torch, tensorflow, rationale = _deploy_row(failing, answers)
    assert tensorflow == static_tf - FAILED_PENALTY and "cnn: differs" in rationale


def test_a_partial_run_says_so_and_counts_no_route_it_did_not_reach_as_failed() -> None:
    cut = _with_status(_run(), "tensorflow", "server", status="cancelled", reason="cancelled")
    partial = replace(cut, cancelled=True)
    torch = route_evidence(partial, "deploy_server", "torch")
    tensorflow = route_evidence(partial, "deploy_server", "tensorflow")
    assert torch is not None and tensorflow is not None
    assert torch.finding == "verified" and tensorflow.finding == "unmeasured"
    assert tensorflow.adjusted(5.0) == 5.0
    for evidence in (torch, tensorflow):
        assert evidence.text.endswith(
            "(A cancelled, partial run: routes it did not reach are not counted.)"
        )
    complete = route_evidence(_run(), "deploy_server", "torch")
    assert complete is not None and "partial" not in complete.text


def test_the_terminal_view_has_a_block_per_target_and_every_reason() -> None:
    text = format_deployment(_run())
    labels = (
        "Server and cloud",
        "Android / iOS",
        "Browser",
        "Edge accelerators and microcontrollers",
    )
    for label in labels:
        assert f"\n{label}\n" in text
    assert "TorchScript (torch.jit.trace) [deprecated]: works" in text
    assert "AOTInductor package (.pt2, compiled C++): skipped (left out of the tiny preset" in text
    assert "install: " in text and "pip install tensorflowjs" in text
    assert "fails to import under NumPy 2" in text  # the shipped finding about tensorflowjs
    assert "ONNX Runtime Web" in text


def test_the_view_lists_a_multi_target_route_under_each_target_and_the_hedge_apart() -> None:
    view = deployment_view(_run())
    tables = {t.target: [r.route for r in t.rows] for t in view.tables}
    assert "torch_onnx" in tables["server"] and "torch_onnx" in tables["browser"]
    assert all("keras_torch" not in routes for routes in tables.values())
    assert [r.route for r in view.hedge] == ["keras_torch"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "-"), (0.000_085, "85 µs"), (0.0123, "12.3 ms"), (1.844, "1.84 s")],
)
def test_durations_read_in_the_unit_that_fits(seconds: float | None, text: str) -> None:
    assert duration(seconds) == text


def test_a_route_result_without_models_keeps_its_reason() -> None:
    route = RouteResult("x", "X", "torch", ("server",), "failed", reason="export: no")
    text = format_deployment(replace(_run(), routes=(route,), targets=("server",)))
    assert "X: failed (export: no)" in text


def test_the_answered_deployment_targets_choose_the_routes_to_try() -> None:
    from advisor.session.decisions import answered_targets

    answers = default_answers(knowledge())
    assert answered_targets(answers) == ("server",)
    chosen = Answers(dict(answers.values, deployment_targets=["microcontroller", "mobile"]), "t")
    assert answered_targets(chosen) == ("mobile", "edge")
    none = Answers(dict(answers.values, deployment_targets=[]), "t")
    assert answered_targets(none) == ()
    every_option = next(q for q in knowledge().questions if q.id == "deployment_targets")
    assert {o.id for o in every_option.options} == set(deploy_spec().answer_targets)


YOURS = UserModel("src/net.py", "build", "ab" * 32, 36, "torch", None, ((1, 8),))


def test_routes_failing_for_your_model_weigh_more_and_name_it() -> None:
    run = replace(_run(), model=YOURS)
    frozen = "torch.jit.trace warned: Converting a tensor (at src/net.py:13)"
    run = _with_status(run, "torch", "server", status="frozen", reason=frozen)
    found = route_evidence(run, "deploy_server", "torch")
    assert found is not None and found.finding == "failed"  # froze a branch: not a success
    assert found.text.startswith("Measured here on your model src/net.py:build: every route")
    assert f"froze a branch ({frozen})" in found.text
    assert found.adjusted(8.0) == 8.0 - USER_FAILED_PENALTY > 8.0 - FAILED_PENALTY - 2.5


def test_a_route_working_for_your_model_weighs_more_than_for_the_seeded_ones() -> None:
    found = route_evidence(replace(_run(), model=YOURS), "deploy_server", "torch")
    assert found is not None and found.finding == "verified"
    assert found.adjusted(7.0) == 7.0 + USER_VERIFIED_BONUS > 7.0 + VERIFIED_BONUS


def test_the_view_describes_your_model_and_a_frozen_route() -> None:
    run = _with_status(replace(_run(), model=YOURS), "torch", "server", status="frozen")
    text = format_deployment(run)
    assert "Each route exports your model, src/net.py:build (PyTorch, 36 parameters" in text
    assert "TorchScript (torch.jit.trace) [deprecated]: froze a branch" in text
