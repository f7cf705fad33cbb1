"""Measure the code's shape: loose modules, long functions, what the front-ends call, renames.

Run from the repository root: `python benchmarks/structure.py` (add `--long N` to list the
functions longer than N lines). Reads the source as syntax trees; runs nothing.

- loose modules: files directly in advisor/ (the issue's target is at most 8);
- the longest functions, by lines from `def` to the end of the body;
- the core modules whose functions each front-end calls (names that start lower-case,
  imported by advisor/terminal/ or advisor/gui/ from outside those folders; the session
  package counts as one);
- session functions that only rename: a body (after the docstring) of one `return f(...)`
  that hands its own parameters on unchanged (methods too, `self` aside).
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "advisor"
SKIP = ("probes", "resources")


def _modules() -> dict[str, ast.Module]:
    return {
        path.relative_to(ROOT).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in SKIP
    }


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def long_functions(modules: dict[str, ast.Module], longer_than: int) -> list[tuple[int, str]]:
    """(lines, file:name) of every function longer than ``longer_than`` lines, longest first."""
    found = [
        ((node.end_lineno or node.lineno) - node.lineno + 1, f"{path}:{node.name}")
        for path, tree in modules.items()
        for node in _functions(tree)
    ]
    return sorted((f for f in found if f[0] > longer_than), reverse=True)


def front_end_sources(modules: dict[str, ast.Module]) -> dict[str, set[str]]:
    """Front-end folder -> the core modules it imports functions from."""
    calls: dict[str, set[str]] = {}
    for path, tree in modules.items():
        front_end = path.split("/")[1]
        if front_end not in ("terminal", "gui"):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                "advisor."
            ):
                continue
            module = str(node.module)
            if module.startswith(("advisor.terminal", "advisor.gui")):
                continue
            if module.startswith("advisor.session."):
                module = "advisor.session"
            if any(a.name[0].islower() for a in node.names):
                calls.setdefault(front_end, set()).add(module)
    return calls


def _only_renames(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return False
    call = body[0].value
    if not isinstance(call, ast.Call):
        return False
    params = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
    params.discard("self")
    handed = [*call.args, *(k.value for k in call.keywords)]
    return all(isinstance(a, ast.Name) and a.id in params for a in handed) and len(handed) == len(
        params
    )


def renames(modules: dict[str, ast.Module], folder: str) -> list[str]:
    """Public functions and methods of the modules under ``folder`` that only hand on to
    another call."""
    found = []
    for path, tree in modules.items():
        if not path.startswith(folder):
            continue
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        nodes = [*tree.body, *(n for c in classes for n in c.body)]
        found += [
            node.name
            for node in nodes
            if isinstance(node, ast.FunctionDef)
            and not node.name.startswith("_")
            and _only_renames(node)
        ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long", type=int, default=50, help="list functions longer than this")
    parser.add_argument(
        "--service", default="advisor/session/", help="the folder whose renames to count"
    )
    args = parser.parse_args()
    modules = _modules()
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    print(f"loose modules in advisor/: {len(loose)} ({', '.join(loose)})")
    longest = long_functions(modules, 0)[0]
    print(f"longest function: {longest[1]} ({longest[0]} lines)")
    over = long_functions(modules, args.long)
    print(f"functions over {args.long} lines: {len(over)}")
    for lines, name in over:
        print(f"  {lines:4d}  {name}")
    for front_end, sources in sorted(front_end_sources(modules).items()):
        print(f"{front_end} calls functions of {len(sources)} core modules: {sorted(sources)}")
    renamed = renames(modules, args.service)
    print(f"{args.service}: {len(renamed)} public functions only rename: {renamed}")


if __name__ == "__main__":
    main()
