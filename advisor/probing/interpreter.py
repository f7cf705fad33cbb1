"""Check that a path is a working Python interpreter and describe it."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from advisor.base.errors import BadInterpreterError, CancelledError
from advisor.base.serde import SchemaError, from_jsonable
from advisor.probing.environments import default_python, python_in
from advisor.probing.runner import run_process
from advisor.record import Interpreter

_DESCRIBE = (
    "import json, platform, sys; print(json.dumps({"
    "'version': platform.python_version(), "
    "'implementation': platform.python_implementation(), 'prefix': sys.prefix}))"
)
_MINIMUM = (3, 8)


def resolve_python(path: str | None) -> Path:
    """The interpreter to probe: the given path (a venv folder is accepted) or our own Python."""
    if path is None:
        return default_python()
    candidate = Path(path).expanduser()
    if candidate.is_dir():
        inside = python_in(candidate)
        if inside is None:
            raise BadInterpreterError(f"{path}: a folder with no bin/python inside")
        return inside
    if not candidate.exists():
        raise BadInterpreterError(f"{path}: no such file")
    return candidate.absolute()  # 'python' alone would be looked up on PATH, not here


def describe_interpreter(
    python: Path, timeout_s: float = 30.0, cancel: threading.Event | None = None
) -> Interpreter:
    """Ask the interpreter about itself; anything but a usable Python is a BadInterpreterError.

    The probes later run through the same path, so a venv's or a wrapper's own
    settings apply to them as they would for the user.
    """
    result = run_process([str(python), "-c", _DESCRIBE], timeout_s, cancel=cancel)
    if result.cancelled:
        raise CancelledError(f"cancelled by the user while checking {python}")
    failure = result.failure_reason(timeout_s)
    if failure:
        raise BadInterpreterError(f"{python}: not a working Python interpreter ({failure})")
    not_python = BadInterpreterError(f"{python}: not a Python interpreter")
    try:
        facts = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise not_python from exc
    if not isinstance(facts, dict):
        raise not_python
    try:
        interpreter = from_jsonable(Interpreter, dict(facts, executable=str(python.absolute())))
    except SchemaError as exc:
        raise not_python from exc
    version = tuple(int(part) for part in interpreter.version.split(".")[:2])
    if version < _MINIMUM:
        raise BadInterpreterError(
            f"{python}: Python {interpreter.version} is too old (3.8 or newer needed)"
        )
    return interpreter
