"""Architecture rules: the core never imports a framework, and only advisor.gui imports Qt."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import advisor

# Ray (the fleet-ray extra) is optional and heavy: only a Ray fleet run imports it.
FORBIDDEN = ("torch", "tensorflow", "keras", "jax", "PySide6", "shiboken6", "ray")


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
    assert "advisor.terminal.cli" in modules and "advisor.probing.inventory" in modules
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


def _imports() -> dict[str, set[str]]:
    """Module -> the advisor modules it imports anywhere in its source (read, not run)."""
    root = Path(advisor.__file__).parent
    files = {
        ".".join(("advisor", *path.relative_to(root).with_suffix("").parts)).removesuffix(
            ".__init__"
        ): path
        for path in root.rglob("*.py")
        if path.relative_to(root).parts[0] not in ("probes", "resources")
    }
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = found & set(files)
    return graph


def _part(module: str) -> str:
    """The folder or top-level module a module belongs to: advisor.bench, advisor.record..."""
    return ".".join(module.split(".")[:2])


def test_folders_and_top_level_modules_import_each_other_without_loops() -> None:
    edges: dict[str, set[str]] = {}
    for module, imported in _imports().items():
        for other in imported:
            if _part(other) != _part(module):
                edges.setdefault(_part(module), set()).add(_part(other))

    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    loops = sorted((a, b) for a, targets in edges.items() for b in targets if a in reachable(b))
    assert loops == []


def test_only_the_front_ends_use_the_terminal_views_the_session_and_the_app() -> None:
    graph = _imports()

    def importers(prefix: str) -> set[str]:
        return {
            module
            for module, imported in graph.items()
            if any(i == prefix or i.startswith(prefix + ".") for i in imported)
            and not module.startswith(prefix)
        }

    assert importers("advisor.terminal") == {"advisor.__main__"}
    assert {
        m
        for m in importers("advisor.session")
        if not m.startswith(("advisor.gui", "advisor.terminal"))
    } == set()
    assert importers("advisor.gui") <= {"advisor.terminal.cli", "advisor.__main__"}


# What the front-ends may call: the session (the Session, its decisions and the few ground
# functions it exposes), the shared wording, text escaping and errors. From anywhere else
# only types and constants, which name data and decide nothing.
FRONT_END_SOURCES = (
    "advisor.session",
    "advisor.wording",
    "advisor.base.text",
    "advisor.base.errors",
)


def _front_end_imports() -> list[tuple[str, str, str]]:
    """(front-end module, core module, name) for every name a front-end imports from the core."""
    root = Path(advisor.__file__).parent
    files = [*sorted((root / "terminal").glob("*.py")), *sorted((root / "gui").glob("*.py"))]
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("advisor"):
                found += [(path.name, str(node.module), a.name) for a in node.names]
    return found


def test_the_front_ends_call_only_the_session_the_wording_text_and_errors() -> None:
    outside = {
        (front_end, module, name)
        for front_end, module, name in _front_end_imports()
        if not module.startswith(("advisor.gui", "advisor.terminal", *FRONT_END_SOURCES))
        and module != "advisor"  # the version
        and not name[0].isupper()  # a type or a constant names data, it decides nothing
    }
    assert outside == set()
