"""The user's own model, named as FILE.py:FUNCTION or package.module:FUNCTION.

The advisor never imports it: probes/user_model_probe.py builds it in a subprocess of
the chosen interpreter (with the probes' timeout, cancel, memory and crash handling)
and says what it is; the export and bench scripts build it again in their own
processes. The record keeps where it came from, a hash and its size, not the model.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.base.errors import CancelledError, UserModelError, quoted
from advisor.base.resources_path import probes_folder
from advisor.probing.runner import ProcessResult, run_process
from advisor.record import UserModel

USER_MODEL_ID = "user"  # the user's model's id among a route's models
_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
_KINDS = ("torch", "keras", "tensorflow")
# The back-ends a Keras 3 model is timed on where installed (probes/_user_model.py), in order:
# the first one's weights are loaded by the others.
KERAS_BACKENDS = ("tensorflow", "torch", "jax")
# The export scripts (advisor.deploy.spec.EXPORT_SCRIPTS) that take each kind of model.
KIND_FRAMEWORKS = {
    "torch": ("torch",),
    "keras": ("tensorflow", "keras_torch"),
    "tensorflow": ("tensorflow",),
}


@dataclass(frozen=True)
class ModelRef:
    """Where the user's model comes from: a file or an importable module, and its factory."""

    text: str  # as the user wrote it
    function: str
    path: Path | None = None  # absolute
    module: str | None = None

    def plan(self) -> dict[str, str | None]:
        """What a probe needs to build the model."""
        return {
            "path": str(self.path) if self.path else None,
            "module": self.module,
            "function": self.function,
        }


def parse_model_ref(text: str) -> ModelRef:
    """FILE.py:FUNCTION or package.module:FUNCTION, checked as far as can be without running."""
    where, colon, function = text.rpartition(":")
    if not colon or not where or not function.isidentifier():
        raise UserModelError(
            f"expected FILE.py:FUNCTION or package.module:FUNCTION, got {quoted(text)}"
        )
    if where.endswith(".py") or os.sep in where or "/" in where:
        path = Path(where).expanduser()
        if not path.is_file():
            raise UserModelError(f"no such file: {where}")
        return ModelRef(text, function, path=path.resolve())
    if not _DOTTED.fullmatch(where):
        raise UserModelError(f"not a file (.py) nor a module name: {quoted(where)}")
    return ModelRef(text, function, module=where)


def relative_source(path: str) -> str:
    """A path relative to the working folder when it lies under it, else as it is."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if relative.startswith(os.pardir) else relative


def describe_model(model: UserModel) -> str:
    """One line naming the user's model: where from, what kind, how big, which inputs."""
    kind = f"Keras 3 ({model.backend} back-end)" if model.kind == "keras" else model.kind
    kind = {"torch": "PyTorch", "tensorflow": "TensorFlow"}.get(kind, kind)
    shapes = ", ".join("x".join(str(n) for n in shape) or "scalar" for shape in model.input_shapes)
    sha = f", sha256 {model.sha256[:12]}" if model.sha256 else ""
    return (
        f"{model.source}:{model.function} ({kind}, {model.parameters:,} parameters, "
        f"inputs {shapes}{sha})"
    )


def inspect_model(
    ref: ModelRef,
    python: str,
    timeout_s: float,
    threads: int = 1,
    cancel: threading.Event | None = None,
) -> UserModel:
    """Build the model once in a subprocess of `python`: what it is, or UserModelError."""
    with tempfile.TemporaryDirectory(prefix="framework-advisor-model-") as folder:
        plan = Path(folder) / "plan.json"
        plan.write_text(json.dumps({"threads": threads, "user_model": ref.plan()}), "utf-8")
        argv = [python, str(probes_folder() / "user_model_probe.py"), "--plan", str(plan)]
        process = run_process(argv, timeout_s, cancel=cancel)
    return _described(ref, process, timeout_s)


def _described(ref: ModelRef, process: ProcessResult, timeout_s: float) -> UserModel:
    if process.cancelled:
        raise CancelledError("cancelled while building the model")
    document = process.json_object()
    if document is None or process.returncode != 0:
        why = process.failure_reason(timeout_s) or "the model probe printed no result"
        raise UserModelError(f"{ref.text}: building the model {why}")
    if document.get("status") != "ok":
        raise UserModelError(str(document.get("reason")))
    return _user_model(ref, document)


def _user_model(ref: ModelRef, document: dict[str, Any]) -> UserModel:
    kind, shapes = document.get("kind"), document.get("input_shapes")
    if kind not in _KINDS or not isinstance(shapes, list):
        raise UserModelError(f"{ref.text}: the model probe's answer is not understood")
    file, sha = document.get("file"), document.get("sha256")
    source = relative_source(str(ref.path))
    if ref.module:
        source = f"{ref.module} ({relative_source(file)})" if isinstance(file, str) else ref.module
    return UserModel(
        source=source,
        function=ref.function,
        sha256=sha if isinstance(sha, str) else None,
        parameters=int(document.get("parameters") or 0),
        kind=kind,
        backend=document.get("backend") if kind == "keras" else None,
        input_shapes=tuple(tuple(int(n) for n in shape) for shape in shapes),
        backends=_names(document.get("backends")),
    )


def _names(found: Any) -> tuple[str, ...]:
    """The back-ends the probe found installed (names it knows, nothing else)."""
    return tuple(n for n in KERAS_BACKENDS if isinstance(found, list) and n in found)
