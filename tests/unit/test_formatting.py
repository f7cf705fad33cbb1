"""The aligned terminal summary shows every section and every kind of outcome."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.record import FrameworkProbe, GpuInfo
from advisor.terminal.inventory import format_inventory
from advisor.wording.formatting import format_bytes
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

    from advisor.wording.formatting import local_time

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
    from advisor.comparison import compare, ratio_words
    from advisor.record import record_from_json
    from tests.helpers import fixture_text

    run = record_from_json(fixture_text("records", "bench_quick_cpu.json")).benchmarks
    assert run is not None
    compared = compare(run)
    mlp, cnn = compared.row("mlp_train", "as_written"), compared.row("cnn_train", "as_written")
    tie = compared.row("mlp_train", "compiled")
    assert mlp is not None and cnn is not None and tie is not None
    assert ratio_words(mlp.ratio, mlp.interval) == "PyTorch 1.42x faster (95% CI 1.35-1.49x)"
    assert cnn.interval is not None
    low, high = cnn.interval  # of PyTorch/TensorFlow; TensorFlow's speed-up is its inverse
    assert (1 / high, 1 / low) == pytest.approx((1.50, 1.83), abs=0.005)
    assert ratio_words(cnn.ratio, cnn.interval) == "TensorFlow 1.61x faster (95% CI 1.50-1.83x)"
    assert ratio_words(tie.ratio, tie.interval) == (
        "a tie (95% CI: TensorFlow up to 1.07x faster, PyTorch up to 1.07x faster)"
    )


def test_ratios_from_a_busy_run_never_read_below_one_or_as_a_tie_beside_a_winner() -> None:
    from advisor.comparison import ratio_words

    # The wordings issue 25 found: a 16x gap said as "a tie: 0.06x", a tie as "2.02x".
    assert ratio_words(0.0568, (0.05, 0.07)) == "TensorFlow 17.61x faster (95% CI 14.29-20.00x)"
    assert ratio_words(2.02, (0.32, 2.26)) == (
        "a tie (95% CI: TensorFlow up to 3.12x faster, PyTorch up to 2.26x faster)"
    )
    assert ratio_words(1.004, (1.001, 1.008)) == "PyTorch 1.004x faster (95% CI 1.001-1.01x)"
    assert ratio_words(1.0, (1.0, 1.1)) == "a tie (95% CI: equal speed, PyTorch up to 1.10x faster)"
    assert ratio_words(0.5, None) == "TensorFlow 2.00x faster (no interval: too few samples)"
    assert ratio_words(None, None) == "n/a"


_SPEED = st.floats(min_value=1e-4, max_value=1e4, allow_nan=False)


@given(st.lists(_SPEED, min_size=3, max_size=3).map(sorted))
def test_ratio_wording_never_contradicts_its_interval(speeds: list[float]) -> None:
    from advisor.comparison import ratio_words

    low, ratio, high = speeds
    words = ratio_words(ratio, (low, high))
    figures = [float(f.replace(",", "")) for f in re.findall(r"(\d[\d,]*(?:\.\d+)?)x", words)]
    assert figures or words == "a tie (95% CI: equal speed)", words
    assert all(f >= 1.0 for f in figures), words  # never "0.06x"
    assert ("a tie" in words) == (low <= 1.0 <= high), words
    if low > 1.0 or high < 1.0:  # a winner is named: the one the interval's centre favours
        centre = math.sqrt(low * high)
        winner = "PyTorch" if centre > 1.0 else "TensorFlow"
        assert words.startswith(f"{winner} "), words
        assert ("TensorFlow" in words) != ("PyTorch" in words), words
