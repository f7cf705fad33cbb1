"""The aligned terminal summary shows every section and every kind of outcome."""

from __future__ import annotations

import pytest

from advisor.formatting import format_bytes
from advisor.record import FrameworkProbe, GpuInfo
from advisor.terminal.inventory import format_inventory
from tests import helpers


def test_summary_lists_machine_and_both_frameworks() -> None:
    text = format_inventory(helpers.record())
    assert "  Model         AMD EPYC (AuthenticAMD, x86_64)\n" in text
    assert "  Cores         2 physical, 2 logical\n" in text
    assert "  Clock         base unknown, max unknown, now 2596 MHz\n" in text
    assert "  Caches        L1d 32.0 KiB, L3 32.0 MiB\n" in text
    assert "  DL features   AVX2, AVX-512F  (absent: AMX-BF16)\n" in text
    assert "  RAM           24.0 GiB total, 23.0 GiB available\n" in text
    assert "  None          no NVIDIA GPU: NVML could not start: missing\n" in text
    assert "    build       CUDA none, cuDNN none, ROCm none, oneDNN 3.12.0, MKL yes\n" in text
    assert "    devices     CPU (op ok)\n" in text
    assert "    build       CUDA 12.5.1, cuDNN 9, ROCm none, oneDNN enabled, MKL unknown\n" in text


def test_gpus_are_listed_with_their_nvml_facts() -> None:
    gpu = GpuInfo(0, "NVIDIA H200", 150 * 1024**3, 149 * 1024**3, "9.0", 700.0, 1980, 5, 16)
    text = format_inventory(helpers.record(gpus=(gpu,)))
    assert (
        "  GPU 0         NVIDIA H200: 149.0 GiB free of 150.0 GiB, compute 9.0, "
        "SM max 1980 MHz, power limit 700 W, PCIe gen 5 x16\n"
    ) in text


def test_missing_and_failed_frameworks_show_reason_and_fix() -> None:
    missing = helpers.recorded_probe("torch_not_installed.json", "torch")
    failed = FrameworkProbe(
        "tensorflow", "TensorFlow", "failed", 60.0, reason="probe timed out after 60 s"
    )
    text = format_inventory(helpers.record(frameworks=(missing, failed)))
    assert "  PyTorch       not installed: no module named 'torch'" in text
    assert f"    install     {helpers.INTERPRETER.executable} -m pip install torch\n" in text
    assert "  TensorFlow    failed: probe timed out after 60 s\n" in text


@pytest.mark.parametrize(
    ("count", "text"),
    [(None, "unknown"), (512, "512 B"), (1536, "1.5 KiB"), (3 * 1024**3, "3.0 GiB")],
)
def test_byte_counts_use_binary_units(count: int | None, text: str) -> None:
    assert format_bytes(count) == text


def test_timestamps_read_in_local_time_with_their_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from advisor.formatting import local_time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        assert local_time("2026-11-26T21:33:22+00:00") == "2026-11-26 22:33 UTC+01:00"
        assert local_time("2026-07-01T12:00:00+00:00") == "2026-07-01 14:00 UTC+02:00"
        assert local_time("not a time") == "not a time"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_ratios_say_which_framework_is_faster_in_words() -> None:
    from advisor.comparison import compare
    from advisor.formatting import ratio_words
    from advisor.record import record_from_json
    from tests.helpers import fixture_text

    run = record_from_json(fixture_text("records", "bench_quick_cpu.json")).benchmarks
    assert run is not None
    compared = compare(run)
    mlp, cnn = compared.row("mlp_train", "as_written"), compared.row("cnn_train", "as_written")
    tie = compared.row("mlp_train", "compiled")
    assert mlp is not None and cnn is not None and tie is not None
    assert ratio_words(mlp) == "PyTorch 1.42x faster [1.35-1.49]"
    assert cnn.interval is not None
    low, high = cnn.interval  # of PyTorch/TensorFlow; TensorFlow's speed-up is its inverse
    assert ratio_words(cnn) == f"TensorFlow 1.61x faster [{1 / high:.2f}-{1 / low:.2f}]"
    assert ratio_words(cnn) == "TensorFlow 1.61x faster [1.50-1.83]"
    assert ratio_words(tie) == "a tie: 0.98x [0.94-1.07]"
