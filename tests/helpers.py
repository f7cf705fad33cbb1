"""Shared builders for tests: recorded probe outputs and a fixed machine inventory."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from advisor.catalog import FrameworkSpec
from advisor.probing.frameworks import outcome_from_result
from advisor.probing.runner import ProcessResult
from advisor.record import (
    SCHEMA_VERSION,
    BenchmarkRun,
    CacheLevel,
    CpuInfo,
    CpuUse,
    FrameworkProbe,
    GpuInfo,
    GpuInventory,
    Interpreter,
    MachineInventory,
    MemoryInfo,
    Record,
    SlotUse,
    SystemInfo,
    record_from_json,
)

FIXTURES = Path(__file__).parent / "fixtures"
GIB = 1024**3

INTERPRETER = Interpreter(sys.executable, "3.11.7", "CPython", sys.prefix)


def required_tool(name: str) -> str:
    """The path of a Debian tool a test needs; skip without it, unless CI requires it."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("FRAMEWORK_ADVISOR_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{name} is required here (FRAMEWORK_ADVISOR_REQUIRE_TOOLS=1)")
        pytest.skip(f"{name} is not installed (Debian: see .ci/run)")
    return path


def fixture_text(*parts: str) -> str:
    return FIXTURES.joinpath(*parts).read_text(encoding="utf-8")


def spec(
    framework: str = "torch", script: Path | None = None, bench: Path | None = None
) -> FrameworkSpec:
    display = {"torch": "PyTorch", "tensorflow": "TensorFlow"}.get(framework, framework)
    return FrameworkSpec(
        framework,
        display,
        framework,
        script or Path(f"{framework}_probe.py"),
        bench or Path(f"{framework}_bench.py"),
        ("onnx",),
    )


def recorded_probe(name: str, framework: str) -> FrameworkProbe:
    """The outcome the advisor builds from a recorded probe output file."""
    stdout = fixture_text("probe_outputs", name)
    result = ProcessResult(0, stdout, (), 1.5)
    return outcome_from_result(spec(framework), INTERPRETER, result, 60)


def machine(gpus: tuple[GpuInfo, ...] = (), hostname: str = "testhost") -> MachineInventory:
    return MachineInventory(
        SystemInfo("Linux", "Debian GNU/Linux 12 (bookworm)", "6.1.0", hostname, "3.11.7", "/py"),
        CpuInfo(
            model="AMD EPYC",
            vendor="AuthenticAMD",
            architecture="x86_64",
            physical_cores=2,
            logical_cores=2,
            base_mhz=None,
            max_mhz=None,
            current_mhz=2596.1,
            caches=(CacheLevel(1, "Data", 32768, 1), CacheLevel(3, "Unified", 32 * 1024**2, 2)),
            features={"AVX2": True, "AVX-512F": True, "AMX-BF16": False},
        ),
        MemoryInfo(24 * GIB, 23 * GIB, 0, 0),
        GpuInventory(gpus, unavailable_reason=None if gpus else "NVML could not start: missing"),
    )


def record(frameworks: tuple[FrameworkProbe, ...] | None = None, **machine_args: object) -> Record:
    if frameworks is None:
        frameworks = (
            recorded_probe("torch_ok_cpu.json", "torch"),
            recorded_probe("tensorflow_ok_cpu.json", "tensorflow"),
        )
    return Record(
        SCHEMA_VERSION,
        "0.1.0",
        "2026-11-26T04:00:00+00:00",
        "framework-advisor probe",
        machine(**machine_args),  # type: ignore[arg-type]
        INTERPRETER,
        frameworks,
    )


def slot_use(phase: str, workload: str, share: float, command: str = "measure") -> SlotUse:
    """A slot of one second on two cores in which other work took ``share`` of the cores
    (and the run itself 0.5 CPU-seconds)."""
    return SlotUse(phase, command, workload, CpuUse(1.0, 2, 0.5 + 2 * share, 0.5, 0.0))


def busy_bench_run() -> BenchmarkRun:
    """The recorded tiny run, with other work taking 48 % of the cores while the eager
    phase timed mlp_train (and more while it prepared cnn_train, which times nothing)."""
    run = record_from_json(fixture_text("records", "bench_tiny_cpu.json")).benchmarks
    assert run is not None
    slots = (
        slot_use("eager", "mlp_train", 0.48),
        slot_use("eager", "mlp_train", 0.48),
        slot_use("compiled", "mlp_train", 0.02),
        slot_use("eager", "cnn_train", 0.05),
        slot_use("eager", "cnn_train", 0.9, command="prepare"),
    )
    return dataclasses.replace(run, cpu_use=slots)


def run_captured(
    argv: Sequence[str],
    *,
    timeout: float = 300,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a program to its end with its output captured as text; the caller checks the
    exit code (and says what went wrong with the output it has)."""
    return subprocess.run(
        list(argv), capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd, check=False
    )


def run_advisor(
    *argv: str,
    timeout: float = 300,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """The real command line, `python -m advisor ARGV`, in a fresh interpreter."""
    return run_captured([sys.executable, "-m", "advisor", *argv], timeout=timeout, env=env, cwd=cwd)


@contextlib.contextmanager
def competing_load() -> Iterator[list[int]]:
    """Another program keeping every core busy, as a user's browser or build might: one
    `while True: pass` process pinned to each core this process may use, killed on exit.

    Their parent is the caller, so a run started beside them (a sibling) counts them as
    other work, never as its own.
    """
    busy = "import os, sys\nos.sched_setaffinity(0, {int(sys.argv[1])})\nwhile True: pass\n"
    loops = [
        subprocess.Popen([sys.executable, "-c", busy, str(cpu)])
        for cpu in sorted(os.sched_getaffinity(0))
    ]
    try:
        yield [loop.pid for loop in loops]
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def load_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def hostile_strings(value: Any, text: str) -> Any:
    """Every free-text string in a record replaced by `text`; ids and enums are kept."""
    free_text = {
        "hostname", "name", "model", "vendor", "executable", "prefix", "location", "reason",
        "device_name", "os", "distribution", "kernel", "python_executable", "op_error",
        "display_name", "install_hint", "source",
    }  # fmt: skip
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            current = getattr(value, field.name)
            if field.name in free_text and isinstance(current, str):
                changes[field.name] = text
            else:
                changes[field.name] = hostile_strings(current, text)
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(hostile_strings(item, text) for item in value)
    if isinstance(value, dict):
        return {key: hostile_strings(item, text) for key, item in value.items()}
    return value
