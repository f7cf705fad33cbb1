"""Describe the user's own model: its kind, parameter count, input shapes and file hash.

Usage: user_model_probe.py --plan PLAN.json, the plan holding "user_model" ({"path" or
"module", "function"}) and "threads". Runs the factory and the model once on its
example inputs, so every broken contract shows here, as one line, before any route.
The document: {"status": "ok", "kind", "backend", "backends" (a Keras model's back-ends
installed here), "parameters", "input_shapes", "file", "sha256"} or {"status": "error",
"reason"}.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _bench_common import pin_threads, read_plan
from _probe_common import (
    emit_progress,
    exit_without_teardown,
    is_installed,
    reserve_stdout,
    write_document,
)
from _user_model import (
    KERAS_BACKENDS,
    UserModelError,
    checked_call,
    file_sha256,
    keras_backend,
    load,
    parameter_count,
)


def describe(ref):
    """The model's description, or UserModelError."""
    kind, model, inputs, path = load(ref)
    checked_call(kind, model, inputs, ref["function"], path)
    return {
        "status": "ok",
        "kind": kind,
        "backend": keras_backend() if kind == "keras" else None,
        "backends": [name for name in KERAS_BACKENDS if is_installed(name)]
        if kind == "keras"
        else [],
        "parameters": parameter_count(kind, model),
        "input_shapes": [list(x.shape) for x in inputs],
        "file": os.path.abspath(path) if path else None,
        "sha256": file_sha256(path),
    }


def main():
    plan = read_plan()
    out = reserve_stdout()  # before the user's code: what it prints goes to stderr
    pin_threads(plan["threads"])
    emit_progress("building the model", stage="import")
    try:
        document = describe(plan["user_model"])
    except UserModelError as exc:
        document = {"status": "error", "reason": str(exc)}
    write_document(out, dict(document, probe="user_model"))
    exit_without_teardown()


if __name__ == "__main__":
    main()
