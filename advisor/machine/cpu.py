"""The processor: model, topology, clocks, caches and ISA features (fullest on Linux)."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping
from pathlib import Path

import psutil

from advisor.catalog import cpu_features
from advisor.record import CacheLevel, CpuInfo

_ARCH_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}

# ARM "CPU implementer" codes (from the Linux kernel's arch/arm64/include/asm/cputype.h).
_ARM_IMPLEMENTERS = {
    "0x41": "ARM",
    "0x42": "Broadcom",
    "0x43": "Cavium",
    "0x46": "Fujitsu",
    "0x48": "HiSilicon",
    "0x4e": "NVIDIA",
    "0x51": "Qualcomm",
    "0x61": "Apple",
    "0xc0": "Ampere",
}


def normalise_arch(machine: str) -> str:
    """One spelling per architecture, as the feature table uses."""
    lowered = machine.lower()
    return _ARCH_ALIASES.get(lowered, lowered)


def first_processor_block(cpuinfo: str) -> dict[str, str]:
    """The key/value lines describing the first processor in /proc/cpuinfo text."""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    return fields


def detect_features(flags: set[str], table: Mapping[str, tuple[str, ...]]) -> dict[str, bool]:
    """Feature label -> present, where present means every required flag is set."""
    return {label: all(flag in flags for flag in needed) for label, needed in table.items()}


def parse_cache_sysfs(cache_dir: Path) -> tuple[CacheLevel, ...]:
    """The caches listed under /sys/devices/system/cpu/cpuN/cache, smallest level first."""
    levels = []
    for index in sorted(cache_dir.glob("index*")):
        try:
            level = int((index / "level").read_text())
            kind = (index / "type").read_text().strip()
            size = _parse_size((index / "size").read_text().strip())
            shared = _count_cpus((index / "shared_cpu_list").read_text().strip())
        except (OSError, ValueError):
            continue
        levels.append(CacheLevel(level, kind, size, shared))
    return tuple(sorted(levels, key=lambda c: (c.level, c.kind)))


def _parse_size(text: str) -> int:
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    if text and text[-1].upper() in units:
        return int(text[:-1]) * units[text[-1].upper()]
    return int(text)


def _count_cpus(cpu_list: str) -> int:
    count = 0
    for part in cpu_list.split(","):
        first, _, last = part.partition("-")
        count += int(last or first) - int(first) + 1
    return count


def _read_khz_as_mhz(path: Path) -> float | None:
    try:
        return int(path.read_text()) / 1000
    except (OSError, ValueError):
        return None


def linux_cpu_info(cpuinfo: str, sysfs_cpu0: Path, arch: str) -> CpuInfo:
    """Build the CPU description from /proc/cpuinfo text and a sysfs cpu0 folder."""
    fields = first_processor_block(cpuinfo)
    flags = set((fields.get("flags") or fields.get("Features") or "").split())
    table = cpu_features().get(arch)
    freq = sysfs_cpu0 / "cpufreq"
    current = fields.get("cpu MHz")
    return CpuInfo(
        model=fields.get("model name") or fields.get("Model name") or fields.get("Hardware"),
        vendor=fields.get("vendor_id") or _ARM_IMPLEMENTERS.get(fields.get("CPU implementer", "")),
        architecture=arch,
        physical_cores=psutil.cpu_count(logical=False),
        logical_cores=os.cpu_count(),
        base_mhz=_read_khz_as_mhz(freq / "base_frequency"),
        max_mhz=_read_khz_as_mhz(freq / "cpuinfo_max_freq"),
        current_mhz=float(current) if current else None,
        caches=parse_cache_sysfs(sysfs_cpu0 / "cache"),
        features=detect_features(flags, table) if table else {},
        features_unknown_reason=None if table else f"no feature table for {arch}",
        family=_int_or_none(fields.get("cpu family")),
        model_number=_int_or_none(fields.get("model")),
    )


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def other_os_cpu_info(arch: str) -> CpuInfo:
    """What psutil and the platform module know where /proc and sysfs do not exist."""
    freq = psutil.cpu_freq()
    return CpuInfo(
        model=platform.processor() or None,
        vendor=None,
        architecture=arch,
        physical_cores=psutil.cpu_count(logical=False),
        logical_cores=os.cpu_count(),
        base_mhz=None,
        max_mhz=freq.max or None if freq else None,
        current_mhz=freq.current or None if freq else None,
        caches=(),
        features={},
        features_unknown_reason=f"ISA features are read on Linux only (this is {sys.platform})",
    )


def cpu_info() -> CpuInfo:
    """The CPU of this machine."""
    arch = normalise_arch(platform.machine())
    cpuinfo = Path("/proc/cpuinfo")
    if sys.platform.startswith("linux") and cpuinfo.is_file():
        return linux_cpu_info(
            cpuinfo.read_text(encoding="utf-8", errors="replace"),
            Path("/sys/devices/system/cpu/cpu0"),
            arch,
        )
    return other_os_cpu_info(arch)
