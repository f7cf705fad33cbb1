"""Signs in the files around the code: dependency lists, app builds, C includes, configs.

Each reader takes a file's text and returns the signal ids it shows; a file that cannot
be read as its format raises ValueError with the reason, and the scan counts it.
"""

from __future__ import annotations

import ast
import configparser
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from advisor.base.tomltext import read_toml
from advisor.scan.matcher import Matcher, dependency_matches
from advisor.scan.python_source import read_python

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;#]*)")
_CONDA_ITEM = re.compile(r"^[ \t]*-[ \t]*(?:[\w-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)([^#\n]*)", re.M)
_POD = re.compile(r"^\s*pod\s+['\"]([^'\"/]+)", re.M)
_INCLUDE = re.compile(r"^\s*#\s*include\s*[<\"]([^>\"]+)[>\"]", re.M)
_JS_IMPORT = re.compile(r"""(?:\bfrom\s+|\brequire\s*\(\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]""")
_SETUP_KEYS = ("install_requires", "extras_require", "requires", "tests_require")
_MAGIC = re.compile(r"^[ \t]*[%!].*$", re.M)


def requirement_signals(specs: Iterable[str], matcher: Matcher) -> set[str]:
    """Signals of requirement lines such as ``keras>=3.0`` or ``torch[cuda]==2.4``."""
    hits: set[str] = set()
    for spec in specs:
        match = _REQUIREMENT.match(spec)
        if match is None or spec.lstrip().startswith(("-", "#")):
            continue
        name, version = match.group(1), match.group(2)
        hits |= {s for want, s in matcher.dependencies if dependency_matches(want, name, version)}
    return hits


def read_requirements(text: str, matcher: Matcher) -> set[str]:
    """requirements*.txt: one requirement a line."""
    return requirement_signals(text.splitlines(), matcher)


def read_pyproject(text: str, matcher: Matcher) -> set[str]:
    """pyproject.toml: PEP 621 dependencies and extras, Poetry's tables, build requires."""
    data = read_toml(text)
    project = _table(data, "project")
    specs = list(_strings(project.get("dependencies")))
    for extra in _table(project, "optional-dependencies").values():
        specs += _strings(extra)
    specs += _strings(_table(data, "build-system").get("requires"))
    for group in _table(data, "dependency-groups").values():
        specs += _strings(group)
    poetry = _table(_table(data, "tool"), "poetry")
    specs += [_poetry_spec(k, v) for k, v in _table(poetry, "dependencies").items()]
    for group in _table(poetry, "group").values():
        deps = _table(group, "dependencies") if isinstance(group, dict) else {}
        specs += [_poetry_spec(k, v) for k, v in deps.items()]
    return requirement_signals(specs, matcher)


def read_pipfile(text: str, matcher: Matcher) -> set[str]:
    """Pipfile: the [packages] and [dev-packages] tables."""
    data = read_toml(text)
    specs = [_poetry_spec(k, v) for k, v in _table(data, "packages").items()]
    specs += [_poetry_spec(k, v) for k, v in _table(data, "dev-packages").items()]
    return requirement_signals(specs, matcher)


def read_setup_cfg(text: str, matcher: Matcher) -> set[str]:
    """setup.cfg: install_requires and the extras in [options.extras_require]."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ValueError(f"not a valid setup.cfg ({type(exc).__name__})") from exc
    specs = parser.get("options", "install_requires", fallback="").splitlines()
    if parser.has_section("options.extras_require"):
        for _name, value in parser.items("options.extras_require"):
            specs += value.splitlines()
    return requirement_signals(specs, matcher)


def read_setup_py(text: str, matcher: Matcher) -> set[str]:
    """setup.py: its imports and calls like any module, and the requirement strings it lists."""
    signals = read_python(text, matcher).signals
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return signals
    specs = [
        node.value
        for keyword in _requirement_keywords(tree)
        for node in ast.walk(keyword)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    return signals | requirement_signals(specs, matcher)


def _requirement_keywords(tree: ast.AST) -> list[ast.AST]:
    """The values of setup(install_requires=...), and of lists assigned to *require* names."""
    return [
        node.value
        for node in ast.walk(tree)
        if (isinstance(node, ast.keyword) and node.arg in _SETUP_KEYS)
        or (isinstance(node, ast.Assign) and any(_requirement_name(t) for t in node.targets))
    ]


def _requirement_name(target: ast.expr) -> bool:
    return isinstance(target, ast.Name) and "require" in target.id.lower()


def read_conda(text: str, matcher: Matcher) -> set[str]:
    """environment*.yml: conda and pip items (`- name=version`)."""
    specs = [f"{m.group(1)} {m.group(2)}" for m in _CONDA_ITEM.finditer(text)]
    return requirement_signals(specs, matcher)


def read_package_json(text: str, matcher: Matcher) -> set[str]:
    """package.json: every kind of dependency."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValueError("not valid JSON") from exc
    names: list[str] = []
    for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        deps = data.get(key) if isinstance(data, dict) else None
        if isinstance(deps, dict):
            names += [str(name) for name in deps]
    return _npm_hits(names, matcher)


def read_javascript(text: str, matcher: Matcher) -> set[str]:
    """JavaScript and TypeScript: the packages imported or required."""
    return _npm_hits([m.group(1) for m in _JS_IMPORT.finditer(text)], matcher)


def _npm_hits(names: list[str], matcher: Matcher) -> set[str]:
    return {
        signal
        for name in names
        for wanted, signal in matcher.npm
        if name == wanted or name.startswith(wanted + "/")
    }


def read_gradle(text: str, matcher: Matcher) -> set[str]:
    """Android Gradle files: the dependency coordinates they name."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return {signal for wanted, signal in matcher.gradle if wanted in code}


def read_podfile(text: str, matcher: Matcher) -> set[str]:
    """An iOS Podfile: its pods."""
    hits: set[str] = set()
    for match in _POD.finditer(text):
        hits |= matcher.pods.get(match.group(1), frozenset())
    return hits


def read_c_source(text: str, matcher: Matcher) -> set[str]:
    """C and C++ sources and headers: their #include paths."""
    return {
        signal
        for match in _INCLUDE.finditer(text)
        for wanted, signal in matcher.includes
        if match.group(1) == wanted or match.group(1).startswith(wanted + "/")
    }


def read_config(text: str, matcher: Matcher) -> set[str]:
    """Dockerfiles, compose and CI files, shell scripts, properties: the patterns they hold."""
    return {signal for pattern, signal in matcher.config if pattern.search(text)}


def read_notebook(text: str, matcher: Matcher) -> tuple[set[str], str | None]:
    """A Jupyter notebook: its code cells as one Python text (magics and shell lines blanked)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValueError("notebook is not valid JSON") from exc
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise ValueError("notebook has no list of cells")
    sources = [
        _cell_source(c) for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"
    ]
    code = _MAGIC.sub("", "\n".join(sources))
    reading = read_python(code, matcher)
    return reading.signals | read_config(code, matcher), reading.problem


def _cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _table(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _poetry_spec(name: str, value: Any) -> str:
    version = value if isinstance(value, str) else _table({"v": value}, "v").get("version", "")
    return f"{name} {version if isinstance(version, str) else ''}".replace("^", ">=")


TextReader = Callable[[str, Matcher], set[str]]
