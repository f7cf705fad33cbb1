"""Theoretical peaks for known CPUs and GPUs, and 'unknown' with a reason for the rest."""

from __future__ import annotations

import pytest

from advisor.bench.peaks import cpu_peak, gpu_peak, tables
from advisor.record import CpuInfo, GpuInfo


def _cpu(vendor: str, family: int, model: int, cores: int, max_mhz: float | None) -> CpuInfo:
    return CpuInfo(
        model="test",
        vendor=vendor,
        architecture="x86_64",
        physical_cores=cores,
        logical_cores=cores,
        base_mhz=None,
        max_mhz=max_mhz,
        current_mhz=2000.0,
        caches=(),
        features={},
        family=family,
        model_number=model,
    )


def _gpu(capability: str | None, cores: int | None = 16896, clock: int | None = 1980) -> GpuInfo:
    return GpuInfo(0, "test GPU", None, None, capability, None, clock, None, None, cores)


@pytest.mark.parametrize(
    ("cpu", "dtype", "gflops"),
    [
        # 2 cores x 3.7 GHz x 32 FP32 FLOPs/cycle (Zen 4 Genoa, family 25 model 17)
        (_cpu("AuthenticAMD", 25, 17, 2, 3700), "float32", 236.8),
        (_cpu("AuthenticAMD", 25, 17, 2, 3700), "bfloat16", 473.6),
        # 56 cores x 3.8 GHz x 64 FP32 / 1024 AMX BF16 FLOPs/cycle (Sapphire Rapids, model 143)
        (_cpu("GenuineIntel", 6, 143, 56, 3800), "float32", 13619.2),
        (_cpu("GenuineIntel", 6, 143, 56, 3800), "bfloat16", 217907.2),
        # Zen 3 Milan (model 1): 32 FP32 FLOPs/cycle
        (_cpu("AuthenticAMD", 25, 1, 64, 3500), "float32", 7168.0),
    ],
)
def test_known_cpus(cpu: CpuInfo, dtype: str, gflops: float) -> None:
    peak = cpu_peak(cpu, dtype)
    assert peak.gflops == pytest.approx(gflops)
    assert "maximum clock" in peak.basis


@pytest.mark.parametrize(
    ("cpu", "dtype", "reason"),
    [
        (_cpu("AuthenticAMD", 25, 17, 2, None), "float32", "maximum CPU clock is not exposed"),
        (_cpu("GenuineIntel", 6, 85, 28, 3800), "float32", "family 6 model 85 not in table"),
        (_cpu("AuthenticAMD", 25, 1, 64, 3500), "bfloat16", "no bfloat16 rate for AMD Zen 3"),
        (_cpu("AuthenticAMD", 25, 17, 0, 3700), "float32", "physical core count not known"),
    ],
)
def test_cpu_peak_unknown_says_why(cpu: CpuInfo, dtype: str, reason: str) -> None:
    peak = cpu_peak(cpu, dtype)
    assert peak.gflops is None
    assert peak.basis.startswith("unknown: ")
    assert reason in peak.basis


def test_h100_or_h200_peaks_from_nvml_cores_and_clock() -> None:
    # 16896 CUDA cores / 128 per SM = 132 SMs, at 1980 MHz.
    assert gpu_peak(_gpu("9.0"), "float32").gflops == pytest.approx(132 * 1980 * 256 / 1000)
    assert gpu_peak(_gpu("9.0"), "bfloat16").gflops == pytest.approx(132 * 1980 * 4096 / 1000)


def test_a100_peak() -> None:
    # A100 SXM: 108 SMs x 64 FP32 cores, 1410 MHz -> 19.5 TFLOP/s FP32, 312 TFLOP/s BF16.
    a100 = _gpu("8.0", cores=108 * 64, clock=1410)
    assert gpu_peak(a100, "float32").gflops == pytest.approx(19491.84)
    assert gpu_peak(a100, "bfloat16").gflops == pytest.approx(311869.44)


@pytest.mark.parametrize(
    ("gpu", "dtype", "reason"),
    [
        (_gpu("8.6"), "float32", "compute capability 8.6 not in table"),
        (_gpu("7.0"), "bfloat16", "no bfloat16 rate for Volta"),
        (_gpu("9.0", cores=None), "float32", "NVML gave no core count"),
        (_gpu(None), "float32", "compute capability None not in table"),
    ],
)
def test_gpu_peak_unknown_says_why(gpu: GpuInfo, dtype: str, reason: str) -> None:
    peak = gpu_peak(gpu, dtype)
    assert peak.gflops is None
    assert reason in peak.basis


def test_shipped_tables_load_and_name_their_sources() -> None:
    shipped = tables()
    assert len(shipped.cpus) >= 4 and len(shipped.gpus) >= 3
    for entry in (*shipped.cpus, *shipped.gpus):
        assert entry.source
