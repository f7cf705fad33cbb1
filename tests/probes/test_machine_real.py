"""The machine inventory agrees with what the kernel says, read independently here."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from advisor.machine.system import machine_inventory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_cpu_model_and_logical_cores_match_proc_cpuinfo() -> None:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    inventory = machine_inventory()
    if model:
        assert inventory.cpu.model == model.group(1).strip()
    assert inventory.cpu.logical_cores == os.cpu_count()
    assert inventory.cpu.logical_cores == len(re.findall(r"^processor\s*:", cpuinfo, re.MULTILINE))


def test_total_memory_matches_proc_meminfo() -> None:
    meminfo = Path("/proc/meminfo").read_text()
    total_kib = int(re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert machine_inventory().memory.total_bytes == total_kib * 1024


def test_isa_features_match_the_cpu_flags() -> None:
    flags = set(
        re.search(r"^(?:flags|Features)\s*:(.*)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        .group(1)
        .split()
    )  # type: ignore[union-attr]
    features = machine_inventory().cpu.features
    if "AVX-512F" in features:
        assert features["AVX-512F"] == ("avx512f" in flags)
        assert features["AMX-BF16"] == ({"amx_tile", "amx_bf16"} <= flags)


def test_without_nvidia_driver_the_reason_is_given() -> None:
    gpu = machine_inventory().gpu
    if gpu.gpus:
        pytest.skip("this machine has an NVIDIA GPU")
    assert gpu.unavailable_reason
