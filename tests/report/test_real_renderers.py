"""The exported report in real engines: headless Chromium reads the HTML, Qt WebEngine prints PDF.

Both tools are Debian packages that .ci/run installs (chromium, poppler-utils); a machine
without them skips these tests with the reason, unless FRAMEWORK_ADVISOR_REQUIRE_TOOLS=1.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from advisor.record import record_from_json
from advisor.report.export import export_report
from tests.helpers import fixture_text, required_tool

ARTIFACTS = Path(__file__).parents[2] / "artifacts"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    record = record_from_json(fixture_text("records", "bench_quick_cpu.json"))
    target = tmp_path_factory.mktemp("report") / "report.html"
    export_report(record, target, "html")
    return target


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [required_tool("chromium"), *CHROMIUM_FLAGS, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_chromium_reads_the_headline_and_draws_every_chart(exported: Path) -> None:
    dom = _chromium("--dump-dom", exported.as_uri()).stdout
    assert re.search(r"<h1>Recommendation: (PyTorch|TensorFlow)</h1>", dom)
    for chart in ("contribution-chart", "ratio-chart", "compile-chart"):
        figure = re.search(rf'<figure class="chart" id="{chart}">.*?</figure>', dom, re.S)
        assert figure, chart
        assert len(re.findall(r'<svg class="bar"', figure.group(0))) >= 3, chart


def test_chromium_screenshot_is_kept_as_an_artifact(exported: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        shot = ARTIFACTS / f"report-{width}px.png"
        shot.unlink(missing_ok=True)
        _chromium(f"--screenshot={shot}", f"--window-size={width},3000", exported.as_uri())
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pdf_export_is_a_real_pdf_with_the_headline_in_it(tmp_path: Path) -> None:
    pytest.importorskip("PySide6.QtWebEngineCore")
    record = record_from_json(fixture_text("records", "bench_quick_cpu.json"))
    target = tmp_path / "report.pdf"
    export_report(record, target, "pdf")
    assert target.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(
        [required_tool("pdftotext"), "-layout", str(target), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert re.search(r"Recommendation: (PyTorch|TensorFlow)", text)
    assert "Benchmarks on this machine" in text and "Method and reproducibility" in text
    pages = text.count("\f") + (not text.endswith("\f"))
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert os.listdir(tmp_path) == ["report.pdf"]


def test_a_report_over_two_megabytes_prints_as_pdf(tmp_path: Path) -> None:
    # Qt WebEngine refuses in-memory pages over 2 MB: the report must not be handed over so.
    pytest.importorskip("PySide6.QtWebEngineCore")
    from advisor.report.pdf import print_pdf

    filler = "<!-- " + "raw samples " * 250_000 + "-->"  # 3 MB the layout does not see
    html = f"<!doctype html><html><body>{filler}<h1>Recommendation: big</h1></body></html>"
    target = tmp_path / "big.pdf"
    print_pdf(html, target)
    text = subprocess.run(
        [required_tool("pdftotext"), str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Recommendation: big" in text
