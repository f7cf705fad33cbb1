"""CPU description from recorded /proc/cpuinfo text and a fake sysfs tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.machine.cpu import (
    detect_features,
    first_processor_block,
    linux_cpu_info,
    normalise_arch,
    parse_cache_sysfs,
)
from advisor.record import CacheLevel
from tests.helpers import fixture_text


def _fake_sysfs(root: Path, caches: list[tuple[int, str, str, str]], max_khz: str = "") -> Path:
    cpu0 = root / "cpu0"
    for number, (level, kind, size, shared) in enumerate(caches):
        index = cpu0 / "cache" / f"index{number}"
        index.mkdir(parents=True)
        (index / "level").write_text(f"{level}\n")
        (index / "type").write_text(f"{kind}\n")
        (index / "size").write_text(f"{size}\n")
        (index / "shared_cpu_list").write_text(f"{shared}\n")
    if max_khz:
        (cpu0 / "cpufreq").mkdir(parents=True)
        (cpu0 / "cpufreq" / "cpuinfo_max_freq").write_text(max_khz)
    cpu0.mkdir(exist_ok=True)
    return cpu0


def test_intel_sapphire_rapids_has_amx_and_avx512_fp16(tmp_path: Path) -> None:
    cpu = linux_cpu_info(
        fixture_text("cpuinfo", "intel_xeon_sapphire_rapids.txt"),
        _fake_sysfs(tmp_path, [], max_khz="3800000\n"),
        "x86_64",
    )
    assert cpu.model == "Intel(R) Xeon(R) Platinum 8480+"
    assert cpu.vendor == "GenuineIntel"
    assert cpu.max_mhz == 3800.0
    assert cpu.current_mhz == 2000.0
    assert cpu.features == {
        "AVX2": True,
        "FMA": True,
        "AVX-512F": True,
        "AVX512_BF16": True,
        "AVX512_FP16": True,
        "AVX512_VNNI": True,
        "AVX-VNNI": True,
        "AMX-BF16": True,
        "AMX-INT8": True,
    }


def test_amd_zen4_has_avx512_bf16_but_no_amx(tmp_path: Path) -> None:
    cpu = linux_cpu_info(
        fixture_text("cpuinfo", "amd_epyc_zen4_vm.txt"), _fake_sysfs(tmp_path, []), "x86_64"
    )
    assert cpu.model == "AMD EPYC"
    assert cpu.features["AVX-512F"] and cpu.features["AVX512_BF16"]
    assert not cpu.features["AMX-BF16"]
    assert not cpu.features["AVX512_FP16"]
    assert cpu.base_mhz is None and cpu.max_mhz is None


def test_arm_graviton3_reports_neon_sve_bf16_and_vendor(tmp_path: Path) -> None:
    cpu = linux_cpu_info(
        fixture_text("cpuinfo", "arm_neoverse_v1_graviton3.txt"),
        _fake_sysfs(tmp_path, []),
        "aarch64",
    )
    assert cpu.vendor == "ARM"
    assert cpu.features["NEON"] and cpu.features["SVE"] and cpu.features["BF16"]
    assert not cpu.features["SVE2"]
    assert not cpu.features["SME"]


def test_unknown_architecture_says_why_features_are_missing(tmp_path: Path) -> None:
    cpu = linux_cpu_info("processor : 0\n", _fake_sysfs(tmp_path, []), "riscv64")
    assert cpu.features == {}
    assert cpu.features_unknown_reason == "no feature table for riscv64"


def test_feature_needs_every_listed_flag() -> None:
    table = {"AMX-BF16": ("amx_tile", "amx_bf16")}
    assert detect_features({"amx_bf16"}, table) == {"AMX-BF16": False}
    assert detect_features({"amx_bf16", "amx_tile"}, table) == {"AMX-BF16": True}


def test_first_block_stops_at_the_blank_line() -> None:
    block = first_processor_block(fixture_text("cpuinfo", "intel_xeon_sapphire_rapids.txt"))
    assert block["processor"] == "0"
    assert "amx_tile" in block["flags"]


def test_caches_are_parsed_with_units_and_sharing(tmp_path: Path) -> None:
    cpu0 = _fake_sysfs(
        tmp_path,
        [
            (3, "Unified", "32768K", "0-1"),
            (1, "Instruction", "32K", "0"),
            (1, "Data", "48K", "0"),
            (2, "Unified", "2M", "0,4"),
        ],
    )
    assert parse_cache_sysfs(cpu0 / "cache") == (
        CacheLevel(1, "Data", 48 * 1024, 1),
        CacheLevel(1, "Instruction", 32 * 1024, 1),
        CacheLevel(2, "Unified", 2 * 1024**2, 2),
        CacheLevel(3, "Unified", 32 * 1024**2, 2),
    )


@pytest.mark.parametrize(
    ("raw", "expected"), [("AMD64", "x86_64"), ("arm64", "aarch64"), ("x86_64", "x86_64")]
)
def test_architecture_spellings_are_normalised(raw: str, expected: str) -> None:
    assert normalise_arch(raw) == expected
