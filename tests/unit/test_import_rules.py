"""Architecture rules: the core never imports a framework, and only advisor.gui imports Qt."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import advisor

FORBIDDEN = ("torch", "tensorflow", "keras", "jax", "PySide6", "shiboken6")


def _core_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(advisor.__path__, "advisor.")
        # probes/resources are data for other interpreters, shipped inside the package
        if not info.name.startswith(
            ("advisor.gui", "advisor.__main__", "advisor.probes", "advisor.resources")
        )
    )


def test_importing_every_core_module_loads_no_framework_and_no_qt() -> None:
    modules = _core_modules()
    assert "advisor.cli" in modules and "advisor.probing.inventory" in modules
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(json.dumps([m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


def test_probe_scripts_never_import_the_advisor() -> None:
    probes = Path(__file__).parents[2] / "probes"
    scripts = sorted(probes.glob("*.py"))
    assert len(scripts) >= 3
    for script in scripts:
        text = script.read_text()
        assert "import advisor" not in text and "from advisor" not in text, script.name
