"""A report made to share names no one, in the PDF as in the HTML and JSON (see test_redact)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import required_tool
from tests.unit.test_redact import _from_alices_laptop


def test_a_pdf_of_another_machines_record_leaves_out_its_host_user_and_home(
    tmp_path: Path,
) -> None:
    pytest.importorskip("PySide6.QtWebEngineCore")
    record = tmp_path / "alice.json"
    record.write_text(json.dumps(_from_alices_laptop()))
    target = tmp_path / "shared.pdf"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1")
    command = ["report", "--results", str(record), "--leave-out-identity", "--output", str(target)]
    subprocess.run(
        [sys.executable, "-m", "advisor", *command],
        check=True,
        capture_output=True,
        timeout=300,
        cwd=Path(__file__).parents[2],
        env=env,
    )
    text = subprocess.run(
        [required_tool("pdftotext"), "-layout", str(target), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Recommendation:" in text
    assert "alice" not in text.lower()
    assert "~/v/bin/py" in text
