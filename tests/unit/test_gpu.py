"""NVML inventory with a fake pynvml module: no library, no GPU, partial support, full data."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import pytest

from advisor.machine.gpu import gpu_inventory


class FakeNVMLError(Exception):
    def __init__(self, text: str, value: int = 999) -> None:
        super().__init__(text)
        self.value = value


def _fake_nvml(
    devices: list[dict[str, Any]], init_error: str | None = None, init_code: int = 999
) -> types.ModuleType:
    nvml = types.ModuleType("pynvml")
    nvml.NVMLError = FakeNVMLError  # type: ignore[attr-defined]
    nvml.NVML_CLOCK_SM = 1  # type: ignore[attr-defined]
    nvml.NVML_ERROR_LIBRARY_NOT_FOUND = 12  # type: ignore[attr-defined]

    def init() -> None:
        if init_error:
            raise FakeNVMLError(init_error, init_code)

    def field(name: str) -> Callable[..., Any]:
        def query(handle: int, *_args: Any) -> Any:
            value = devices[handle].get(name)
            if value is None:
                raise FakeNVMLError("Not Supported")
            return value

        return query

    functions: dict[str, Callable[..., Any]] = {
        "nvmlInit": init,
        "nvmlShutdown": lambda: None,
        "nvmlDeviceGetCount": lambda: len(devices),
        "nvmlDeviceGetHandleByIndex": lambda index: index,
        "nvmlSystemGetDriverVersion": lambda: "580.159.04",
        "nvmlSystemGetCudaDriverVersion": lambda: 13000,
        "nvmlDeviceGetName": field("name"),
        "nvmlDeviceGetMemoryInfo": field("memory"),
        "nvmlDeviceGetCudaComputeCapability": field("capability"),
        "nvmlDeviceGetPowerManagementLimit": field("power_mw"),
        "nvmlDeviceGetMaxClockInfo": field("sm_clock"),
        "nvmlDeviceGetCurrPcieLinkGeneration": field("pcie_gen"),
        "nvmlDeviceGetCurrPcieLinkWidth": field("pcie_width"),
    }
    for name, function in functions.items():
        setattr(nvml, name, function)
    return nvml


H100 = {
    "name": b"NVIDIA H100 80GB HBM3",
    "memory": types.SimpleNamespace(total=85520809984, free=84935770112),
    "capability": (9, 0),
    "power_mw": 700000,
    "sm_clock": 1980,
    "pcie_gen": 5,
    "pcie_width": 16,
}


def test_missing_library_is_a_reason_not_a_crash() -> None:
    def missing() -> types.ModuleType:
        raise ImportError("No module named 'pynvml'")

    inventory = gpu_inventory(missing)
    assert inventory.gpus == ()
    assert inventory.unavailable_reason == (
        "nvidia-ml-py is not installed (No module named 'pynvml')"
    )


def test_no_driver_is_said_plainly_with_nvml_own_words() -> None:
    nvml = _fake_nvml([], init_error="NVML Shared Library Not Found", init_code=12)
    inventory = gpu_inventory(lambda: nvml)
    assert inventory.unavailable_reason == (
        "no NVIDIA GPU driver found (NVML: NVML Shared Library Not Found)"
    )


def test_another_start_error_keeps_nvml_own_words() -> None:
    nvml = _fake_nvml([], init_error="Unknown Error", init_code=999)
    assert gpu_inventory(lambda: nvml).unavailable_reason == "NVML could not start: Unknown Error"


def test_driver_without_gpus_says_so() -> None:
    inventory = gpu_inventory(lambda: _fake_nvml([]))
    assert inventory.gpus == ()
    assert inventory.unavailable_reason == "NVML found no NVIDIA GPU"


def test_full_device_description() -> None:
    inventory = gpu_inventory(lambda: _fake_nvml([H100]))
    assert inventory.driver_version == "580.159.04"
    assert inventory.cuda_driver_version == "13.0"
    (gpu,) = inventory.gpus
    assert gpu.name == "NVIDIA H100 80GB HBM3"
    assert gpu.memory_total_bytes == 85520809984
    assert gpu.compute_capability == "9.0"
    assert gpu.power_limit_w == 700.0
    assert gpu.max_sm_clock_mhz == 1980
    assert (gpu.pcie_generation, gpu.pcie_width) == (5, 16)


@pytest.mark.parametrize("unsupported", ["power_mw", "pcie_gen", "memory", "capability"])
def test_an_unsupported_query_leaves_only_that_field_empty(unsupported: str) -> None:
    device = dict(H100, **{unsupported: None})
    (gpu,) = gpu_inventory(lambda: _fake_nvml([device])).gpus
    assert gpu.name == "NVIDIA H100 80GB HBM3"
    assert gpu.max_sm_clock_mhz == 1980
    empty = {
        "power_mw": gpu.power_limit_w,
        "pcie_gen": gpu.pcie_generation,
        "memory": gpu.memory_total_bytes,
        "capability": gpu.compute_capability,
    }
    assert empty[unsupported] is None
    assert all(value is not None for key, value in empty.items() if key != unsupported)
