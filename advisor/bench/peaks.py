"""Theoretical peak GFLOP/s of the benchmarked device, derived from known tables or 'unknown'."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.base.errors import ResourceError, quoted
from advisor.base.resources_path import load_toml, resource_file
from advisor.base.serde import fitting
from advisor.record import CpuInfo, Gflops, GpuInfo, PeakEstimate


@dataclass(frozen=True)
class CpuRate:
    """FLOPs per core per cycle of one microarchitecture, by dtype."""

    name: str
    vendor: str
    family: int
    models: tuple[tuple[int, int], ...]
    flops_per_cycle: dict[str, float]
    source: str


@dataclass(frozen=True)
class GpuRate:
    """FLOPs per SM per cycle of one compute capability, by dtype."""

    compute_capability: str
    name: str
    fp32_cores_per_sm: int
    flops_per_sm_per_cycle: dict[str, float]
    source: str


@dataclass(frozen=True)
class PeakTables:
    cpus: tuple[CpuRate, ...]
    gpus: tuple[GpuRate, ...]


def parse_peaks(data: dict[str, Any], source: Path) -> PeakTables:
    """Validate the peak tables."""
    try:
        cpus = tuple(
            CpuRate(
                str(e["name"]),
                str(e["vendor"]),
                int(e["family"]),
                tuple((int(lo), int(hi)) for lo, hi in e["models"]),
                {k: float(v) for k, v in e["flops_per_cycle"].items()},
                str(e["source"]),
            )
            for e in data.get("cpu", [])
        )
        gpus = tuple(
            GpuRate(
                str(e["compute_capability"]),
                str(e["name"]),
                int(e["fp32_cores_per_sm"]),
                {k: float(v) for k, v in e["flops_per_sm_per_cycle"].items()},
                str(e["source"]),
            )
            for e in data.get("gpu", [])
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ResourceError(f"{source}: malformed entry ({quoted(exc)})") from exc
    return PeakTables(cpus, gpus)


@functools.cache
def tables() -> PeakTables:
    """The shipped peak tables."""
    path = resource_file("peaks.toml")
    return parse_peaks(load_toml(path), path)


def _cpu_rate(cpu: CpuInfo, rates: tuple[CpuRate, ...]) -> CpuRate | None:
    for rate in rates:
        if (cpu.vendor, cpu.family) == (rate.vendor, rate.family) and any(
            lo <= (cpu.model_number or -1) <= hi for lo, hi in rate.models
        ):
            return rate
    return None


def cpu_peak(cpu: CpuInfo, dtype: str, rates: tuple[CpuRate, ...] | None = None) -> PeakEstimate:
    """physical cores x maximum clock x FLOPs/cycle/core, or unknown with the reason.

    Only the maximum (turbo) clock bounds what the cores can do; a base or current
    clock would give a "peak" that a turbo-boosted run exceeds, so without the
    maximum the peak is unknown.
    """
    rate = _cpu_rate(cpu, tables().cpus if rates is None else rates)
    if rate is None:
        identity = f"{cpu.vendor} family {cpu.family} model {cpu.model_number}"
        return PeakEstimate(dtype, None, f"unknown: microarchitecture of {identity} not in table")
    per_cycle = rate.flops_per_cycle.get(dtype)
    if per_cycle is None:
        return PeakEstimate(dtype, None, f"unknown: no {dtype} rate for {rate.name}")
    if not cpu.physical_cores:
        return PeakEstimate(dtype, None, "unknown: physical core count not known")
    if not cpu.max_mhz:
        return PeakEstimate(
            dtype,
            None,
            f"unknown: the maximum CPU clock is not exposed (common in virtual machines); "
            f"{rate.name} does {per_cycle:g} {dtype} FLOPs/cycle/core",
        )
    gflops = cpu.physical_cores * cpu.max_mhz * 1e-3 * per_cycle
    basis = (
        f"{cpu.physical_cores} cores x {cpu.max_mhz:.0f} MHz (maximum clock) x {per_cycle:g} "
        f"{dtype} FLOPs/cycle ({rate.name}: {rate.source})"
    )
    return _estimate(dtype, gflops, basis)


def gpu_peak(gpu: GpuInfo, dtype: str, rates: tuple[GpuRate, ...] | None = None) -> PeakEstimate:
    """SMs x max SM clock x FLOPs/SM/cycle, or unknown with the reason."""
    known = {r.compute_capability: r for r in (tables().gpus if rates is None else rates)}
    rate = known.get(gpu.compute_capability or "")
    if rate is None:
        return PeakEstimate(
            dtype, None, f"unknown: compute capability {gpu.compute_capability} not in table"
        )
    per_cycle = rate.flops_per_sm_per_cycle.get(dtype)
    if per_cycle is None:
        return PeakEstimate(dtype, None, f"unknown: no {dtype} rate for {rate.name}")
    if not gpu.cuda_cores or not gpu.max_sm_clock_mhz:
        return PeakEstimate(dtype, None, "unknown: NVML gave no core count or SM clock")
    sms = gpu.cuda_cores // rate.fp32_cores_per_sm
    gflops = sms * gpu.max_sm_clock_mhz * 1e-3 * per_cycle
    basis = (
        f"{sms} SMs x {gpu.max_sm_clock_mhz} MHz (max SM clock) x {per_cycle:g} {dtype} "
        f"FLOPs/SM/cycle ({rate.name}: {rate.source})"
    )
    return _estimate(dtype, gflops, basis)


def _estimate(dtype: str, gflops: float, basis: str) -> PeakEstimate:
    """The peak, or unknown when the inputs give none a record can hold (a clock of 0 MHz)."""
    if fitting(Gflops, gflops) is None:
        return PeakEstimate(dtype, None, f"unknown: {basis} gives no plausible peak")
    return PeakEstimate(dtype, gflops, basis)
