"""NVIDIA GPUs through NVML; no driver or no library becomes a reason, never a crash."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from advisor.record import GpuInfo, GpuInventory

T = TypeVar("T")


def _load_pynvml() -> ModuleType:
    return importlib.import_module("pynvml")


# NVML's start-up errors as a user would say them; NVML's own words follow in brackets.
_START_ERRORS = {
    "NVML_ERROR_LIBRARY_NOT_FOUND": "no NVIDIA GPU driver found",
    "NVML_ERROR_DRIVER_NOT_LOADED": "the NVIDIA driver is installed but not loaded",
    "NVML_ERROR_NO_PERMISSION": "no permission to talk to the NVIDIA driver",
}


def _why_not_started(nvml: ModuleType, exc: Exception) -> str:
    code = getattr(exc, "value", None)
    for name, wording in _START_ERRORS.items():
        if code is not None and code == getattr(nvml, name, None):
            return f"{wording} (NVML: {exc})"
    return f"NVML could not start: {exc}"


def gpu_inventory(load_nvml: Callable[[], ModuleType] = _load_pynvml) -> GpuInventory:
    """List NVIDIA GPUs, or say why none could be listed (with NVML's own words)."""
    try:
        nvml = load_nvml()
    except ImportError as exc:
        return GpuInventory((), unavailable_reason=f"nvidia-ml-py is not installed ({exc})")
    try:
        nvml.nvmlInit()
    except nvml.NVMLError as exc:
        return GpuInventory((), unavailable_reason=_why_not_started(nvml, exc))
    try:
        return _read_gpus(nvml)
    except nvml.NVMLError as exc:
        return GpuInventory((), unavailable_reason=f"NVML failed while listing GPUs: {exc}")
    finally:
        _optional(nvml, nvml.nvmlShutdown)


def _read_gpus(nvml: Any) -> GpuInventory:
    count = nvml.nvmlDeviceGetCount()
    gpus = tuple(_read_gpu(nvml, index) for index in range(count))
    cuda = _optional(nvml, nvml.nvmlSystemGetCudaDriverVersion)
    return GpuInventory(
        gpus,
        driver_version=_text(_optional(nvml, nvml.nvmlSystemGetDriverVersion)),
        cuda_driver_version=f"{cuda // 1000}.{cuda % 1000 // 10}" if cuda else None,
        unavailable_reason=None if count else "NVML found no NVIDIA GPU",
    )


def _read_gpu(nvml: Any, index: int) -> GpuInfo:
    handle = nvml.nvmlDeviceGetHandleByIndex(index)
    memory = _optional(nvml, nvml.nvmlDeviceGetMemoryInfo, handle)
    capability = _optional(nvml, nvml.nvmlDeviceGetCudaComputeCapability, handle)
    power_mw = _optional(nvml, nvml.nvmlDeviceGetPowerManagementLimit, handle)
    return GpuInfo(
        index=index,
        name=_text(nvml.nvmlDeviceGetName(handle)) or f"GPU {index}",
        memory_total_bytes=int(memory.total) if memory else None,
        memory_free_bytes=int(memory.free) if memory else None,
        compute_capability=f"{capability[0]}.{capability[1]}" if capability else None,
        power_limit_w=power_mw / 1000 if power_mw else None,
        max_sm_clock_mhz=_optional(
            nvml, nvml.nvmlDeviceGetMaxClockInfo, handle, nvml.NVML_CLOCK_SM
        ),
        pcie_generation=_optional(nvml, nvml.nvmlDeviceGetCurrPcieLinkGeneration, handle),
        pcie_width=_optional(nvml, nvml.nvmlDeviceGetCurrPcieLinkWidth, handle),
        cuda_cores=_optional(nvml, getattr(nvml, "nvmlDeviceGetNumGpuCores", _absent), handle),
    )


def _absent(*_args: Any) -> None:
    """Stands in for NVML queries that older nvidia-ml-py releases do not have."""
    return None


def _optional(nvml: Any, query: Callable[..., T], *args: Any) -> T | None:
    """A query some GPUs or drivers do not support answers None instead of failing the list."""
    try:
        return query(*args)
    except nvml.NVMLError:
        return None


def _text(value: str | bytes | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
