"""The bench job's pure parts: device choice, plan, parsing events and suite outcomes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from advisor.base.datadir import cache_dir
from advisor.base.errors import UsageError
from advisor.bench.compiler_setup import compiler_setup_folder, remove_failed_builds
from advisor.bench.events import parse_case
from advisor.bench.lockstep import slots
from advisor.bench.run import build_plan, plan_dtypes, resolve_device
from advisor.bench.spec import suite
from advisor.bench.suite_result import suite_from_result
from advisor.probing.runner import ProcessResult
from advisor.record import CaseResult, DeviceCheck, FrameworkProbe, GpuInfo, GpuInventory
from tests import helpers


def _probe(framework: str, *kinds: str) -> FrameworkProbe:
    probe = helpers.recorded_probe("torch_ok_cpu.json", "torch")
    assert probe.report is not None
    devices = tuple(DeviceCheck(kind, kind, True) for kind in kinds)  # type: ignore[arg-type]
    return replace(probe, framework=framework, report=replace(probe.report, devices=devices))


MISSING = helpers.recorded_probe("torch_not_installed.json", "torch")


@pytest.mark.parametrize(
    ("requested", "probes", "device"),
    [
        ("auto", [_probe("torch", "cpu", "cuda"), _probe("tensorflow", "cpu", "cuda")], "cuda"),
        ("auto", [_probe("torch", "cpu", "cuda"), _probe("tensorflow", "cpu")], "cpu"),
        ("auto", [_probe("torch", "cpu", "cuda"), MISSING], "cuda"),
        ("auto", [MISSING], "cpu"),
        ("cpu", [_probe("torch", "cpu", "cuda")], "cpu"),
        ("cuda", [_probe("torch", "cpu", "cuda"), _probe("tensorflow", "cpu")], "cuda"),
    ],
)
def test_device_choice(requested: str, probes: list[FrameworkProbe], device: str) -> None:
    assert resolve_device(requested, probes) == device  # type: ignore[arg-type]


def test_cuda_without_any_gpu_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^cuda: no installed framework"):
        resolve_device("cuda", [_probe("torch", "cpu")])


def test_matmul_dtypes_follow_the_hardware() -> None:
    cpu_machine = helpers.machine()
    assert plan_dtypes(cpu_machine, "cpu") == ["float32"]
    bf16 = replace(cpu_machine, cpu=replace(cpu_machine.cpu, features={"AVX512_BF16": True}))
    assert plan_dtypes(bf16, "cpu") == ["float32", "bfloat16"]
    for capability, expected in (
        ("7.0", ["float32", "float16"]),
        ("9.0", ["float32", "float16", "bfloat16"]),
    ):
        gpu = GpuInfo(0, "g", None, None, capability, None, None, None, None)
        machine = replace(cpu_machine, gpu=GpuInventory((gpu,)))
        assert plan_dtypes(machine, "cuda") == expected


def test_plan_carries_sizes_budget_and_compile_choices() -> None:
    shipped = suite()
    plan = build_plan(shipped.presets["quick"], shipped.workloads, helpers.machine(), "cpu", 2, 7)
    json.dumps(plan)  # the bench scripts read it as JSON
    assert plan["threads"] == 2 and plan["seed"] == 7
    assert plan["budget"] == shipped.presets["quick"].pass_budget()
    assert plan["passes"] == shipped.presets["quick"].passes
    by_id = {w["id"]: w for w in plan["workloads"]}
    assert by_id["matmul"]["params"] == {"n": 1024}
    assert by_id["mlp_train"]["compile"] is True
    assert by_id["lstm"]["compile"] is False


def test_compiled_variants_get_a_plan_and_processes_of_their_own() -> None:
    shipped = suite()
    quick = shipped.presets["quick"]
    eager = build_plan(quick, shipped.workloads, helpers.machine(), "cpu", 2, 7)
    compiled = build_plan(quick, shipped.workloads, helpers.machine(), "cpu", 2, 7, "compiled")
    assert eager["phase"] == "eager" and compiled["phase"] == "compiled"
    assert len(eager["workloads"]) == len(shipped.workloads)
    assert [w["id"] for w in compiled["workloads"]] == list(quick.compile)


def test_slots_prepare_everything_then_time_each_workload_once_per_pass() -> None:
    assert [(s.command, s.reverse) for s in slots(2, 3)] == [
        ("prepare 0", False),
        ("prepare 1", True),
        ("measure 0", False),
        ("measure 1", True),
        ("measure 0", True),
        ("measure 1", False),
        ("measure 0", False),
        ("measure 1", True),
    ]


def test_each_workload_changes_its_first_mover_every_pass_whatever_the_count() -> None:
    for workloads in (1, 2, 7, 8):
        for i in range(workloads):
            firsts = [s.reverse for s in slots(workloads, 4) if s.command == f"measure {i}"]
            assert firsts in ([False, True, False, True], [True, False, True, False])


RAW = {
    "workload": "mlp_train",
    "variant": "eager",
    "dtype": "float32",
    "status": "ok",
    "reason": None,
    "samples_s": [0.01, 0.011, 0.012],
    "inner_iterations": 4,
    "warmup_iterations": 2,
    "work_per_iteration": 128.0,
    "first_call_s": 0.5,
}


def test_a_finished_case_gets_its_statistics() -> None:
    case = parse_case(RAW)
    assert case.status == "ok"
    assert case.stats is not None
    assert case.stats.median_s == 0.011
    assert case.stats.samples == 3


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (dict(RAW, samples_s=[0.01]), "fewer than two timed samples"),
        (dict(RAW, samples_s="fast"), "malformed result: $.samples_s: expected list"),
        ("nonsense", "malformed result"),
    ],
)
def test_unusable_case_data_becomes_a_failed_case(raw: object, reason: str) -> None:
    case = parse_case(raw)
    assert case.status == "failed"
    assert (case.reason or "").startswith(reason)


def test_a_failed_case_keeps_its_reason() -> None:
    raw = {
        "workload": "matmul",
        "variant": "eager",
        "dtype": "float16",
        "status": "failed",
        "reason": "RuntimeError: not implemented for 'Half'",
    }
    assert parse_case(raw) == CaseResult(
        "matmul", "eager", "float16", "failed", reason="RuntimeError: not implemented for 'Half'"
    )


DOC = json.dumps(
    {
        "schema_version": 1,
        "probe": "torch_bench",
        "version": "2.13.0",
        "import_time_s": 1.0,
        "rss_after_import_bytes": 100,
        "peak_rss_bytes": 200,
        "settings": {"intra_op_threads": "2"},
    }
)
DONE = [parse_case(RAW)]


@pytest.mark.parametrize(
    ("result", "status", "reason"),
    [
        (ProcessResult(0, DOC, (), 5.0), "ok", None),
        (ProcessResult(None, "", (), 2.0, cancelled=True), "cancelled", "cancelled by the user"),
        (
            ProcessResult(None, "", (), 300.0, timed_out=True),
            "failed",
            "suite timed out after 300 s and was killed",
        ),
        (
            ProcessResult(-11, "", ("Segmentation fault",), 3.0),
            "failed",
            "suite killed by signal SIGSEGV: Segmentation fault",
        ),
        (ProcessResult(0, "garbage", (), 3.0), "failed", "suite output unusable"),
    ],
)
def test_suite_outcomes_keep_the_finished_cases(
    result: ProcessResult, status: str, reason: str | None
) -> None:
    outcome = suite_from_result(helpers.spec("torch"), result, 300, DONE)
    assert outcome.status == status
    assert outcome.cases == tuple(DONE)
    assert outcome.reason == reason or (outcome.reason or "").startswith(reason or "")
    if status == "ok":
        assert outcome.version == "2.13.0"
        assert outcome.peak_rss_bytes == 200


def test_the_compiler_set_up_is_kept_per_pytorch_version_and_device() -> None:
    with_torch = helpers.record((_probe("torch", "cpu"),))
    folder = compiler_setup_folder(with_torch, "cpu")
    assert folder is not None
    assert folder.parent == cache_dir() / "torch-compiler"
    assert folder.name.startswith("torch-2.")
    assert compiler_setup_folder(with_torch, "cuda") != folder
    newer = replace(with_torch.frameworks[0].report, version="9.9.9")
    other_version = helpers.record((replace(with_torch.frameworks[0], report=newer),))
    assert compiler_setup_folder(other_version, "cpu") != folder
    assert compiler_setup_folder(helpers.record((MISSING,)), "cpu") is None


@pytest.mark.usefixtures("unusable_data_folder")
def test_without_a_usable_cache_folder_the_compile_is_fully_cold() -> None:
    assert compiler_setup_folder(helpers.record((_probe("torch", "cpu"),)), "cpu") is None


def test_half_built_compiler_set_ups_of_ended_processes_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "torch-compiler" / "torch-2.13.0-cpu-0123"
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    crashed = folder.with_name(f"{folder.name}.building-{ended.pid}")
    just_ended = folder.with_name(f"{folder.name}.building-{os.getpid()}")
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        another_run = folder.with_name(f"{folder.name}.building-{running.pid}")
        other_set_up = folder.with_name(f"torch-2.12.0-cpu-4567.building-{ended.pid}")
        for half in (crashed, just_ended, another_run, other_set_up):
            (half / "triton").mkdir(parents=True)
        remove_failed_builds(folder, ended_pid=os.getpid())
        assert sorted(p.name for p in folder.parent.iterdir()) == sorted(
            [another_run.name, other_set_up.name]
        )
    finally:
        running.kill()
        running.wait()
