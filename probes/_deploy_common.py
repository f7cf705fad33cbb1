"""Shared machinery of the deployment probes: the plan, the seeded models, the route loop.

An export script (deploy_torch.py, deploy_tensorflow.py, deploy_keras.py) imports its
framework once, builds the benchmark's seeded MLP and CNN, keeps each model's own
output on one batch-1 input as the reference, then exports every model through every
route the plan names, in order. It announces each route ("route_started") and reports
each model's outcome as it happens ("model_exported", then "route_finished"), so the
advisor keeps what finished when a route crashes or hangs: it kills the process and
starts a new one for the routes left. deploy_load.py then loads one route's artifacts
in a fresh process that imports only the route's runtime.

With the user's own model (a plan model with "user_model"), the script builds it
through _user_model.py instead, keeps its output on a second input too (floats
negated: a branch frozen by tracing shows there), and states an exporter's failure by
its first line and the place in the user's file it points at.
"""

import os
import time

from _bench_common import arrays_for, pin_threads, read_plan, steady_allocator
from _probe_common import (
    emit_progress,
    exit_without_teardown,
    is_installed,
    last_line,
    reserve_stdout,
    write_document,
)
from _user_model import call, load, reason, second_inputs


def model_input(plan, model):
    """The batch-1 input of one model (NCHW for images), from the shared seeded arrays."""
    arrays = arrays_for(plan, {"id": model["workload"], "params": model["params"]})
    return arrays, arrays["x"][:1]


def user_reference(model):
    """The user's model built here: (kind, model, inputs, outputs, second) for `reference`.

    `second` is (other inputs, the model's outputs on them), or None where the inputs
    hold no floats or the model rejects the other inputs.
    """
    kind, network, inputs, path = load(model["user_model"])
    model["user_file"] = path
    output = call(kind, network, inputs)
    others = second_inputs(inputs)
    try:
        second = None if others is None else (others, call(kind, network, others))
    except Exception:  # a model that only takes its own example inputs: no second check
        second = None
    return kind, network, inputs, output, second


def save_reference(plan, framework, model, inputs, outputs, second=None):
    """The framework's own outputs (a list) for the route's loader to compare against; its path."""
    import numpy as np

    path = os.path.join(plan["run_dir"], "reference_%s_%s.npz" % (framework, model["id"]))
    arrays = {"x%d" % i: x for i, x in enumerate(inputs)}
    arrays.update({"y%d" % i: y for i, y in enumerate(outputs)})
    if second is not None:
        arrays.update({"s%d" % i: x for i, x in enumerate(second[0])})
        arrays.update({"z%d" % i: z for i, z in enumerate(second[1])})
    np.savez(path + ".tmp.npz", **arrays)
    os.replace(path + ".tmp.npz", path)
    return path


def artifact_bytes(path):
    """Size of an exported file, or of every file under an exported folder."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for folder, _dirs, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(folder, name)) for name in files)
    return total


def missing_modules(route):
    """The modules a route needs that this interpreter cannot import (without importing them)."""
    missing = [name for name in route["export_modules"] if not is_installed(name)]
    runtime = [name for name in route["runtime_modules"] if not is_installed(name)]
    fallback = route.get("fallback_modules", [])
    if runtime and fallback and all(is_installed(name) for name in fallback):
        runtime = []  # the loader falls back, and says so
    return sorted(set(missing + runtime), key=(missing + runtime).index)


def _export_model(plan, route, model, export):
    base = os.path.join(plan["run_dir"], route["id"], model["id"])
    os.makedirs(os.path.dirname(base), exist_ok=True)
    if model.get("failure"):
        return {"model": model["id"], "status": "failed", "reason": model["failure"]}
    started = time.perf_counter()
    try:
        artifact = export(route["id"], model, base)
    except Exception as exc:  # an export that fails is the finding
        why = reason(exc, model["user_file"]) if "user_model" in model else last_line(exc)
        return {"model": model["id"], "status": "failed", "reason": "export: " + why}
    frozen = None
    if isinstance(artifact, tuple):  # (path, why the export froze a branch)
        artifact, frozen = artifact
    return {
        "model": model["id"],
        "status": "ok",
        "reason": None,
        "frozen": frozen,
        "export_s": time.perf_counter() - started,
        "artifact": artifact,
        "artifact_bytes": artifact_bytes(artifact),
        "reference": model["reference"],
    }


def export_routes(plan, export):
    """Export every model through every route of the plan; `export(route_id, model, base)`."""
    for route in plan["routes"]:
        emit_progress(route["title"], stage="route_started", route=route["id"])
        missing = missing_modules(route)
        if missing:
            emit_progress(
                route["title"], stage="route_finished", route=route["id"], missing=missing
            )
            continue
        for model in plan["models"]:
            result = _export_model(plan, route, model, export)
            emit_progress(
                "%s %s: %s" % (route["id"], model["id"], result["status"]),
                stage="model_exported",
                route=route["id"],
                result=result,
            )
        emit_progress(route["title"], stage="route_finished", route=route["id"], missing=[])


def run_exporter(framework, module_name, prepare, prepare_environment=None):
    """Shared flow of an export script: pin threads, import, build references, export, report.

    `prepare(module, plan)` returns `(reference, export)`: `reference(model)` gives the
    model's inputs (a tuple of arrays), its own outputs (a list) and the second check (see
    user_reference; None for the seeded models), `export(route_id, model, base)` writes
    the artifact and returns its path, or (path, why the export froze a branch).
    `prepare_environment(plan)` may set variables the framework reads at import.
    """
    steady_allocator()
    plan = read_plan()
    out = reserve_stdout()
    pin_threads(plan["threads"])
    if prepare_environment is not None:
        prepare_environment(plan)
    if not is_installed(module_name):
        for route in plan["routes"]:
            emit_progress(
                route["title"], stage="route_finished", route=route["id"], missing=[module_name]
            )
        write_document(out, {"probe": "deploy_export", "framework": framework, "version": None})
        exit_without_teardown()
    emit_progress("importing %s" % module_name, stage="import")
    import importlib

    started = time.perf_counter()
    module = importlib.import_module(module_name)
    import_time = time.perf_counter() - started
    reference, export = prepare(module, plan)
    for model in plan["models"]:
        try:
            inputs, y, second = reference(model)
        except Exception as exc:  # the user's model will not build here: every route says so
            model["failure"] = "building the model here: " + last_line(exc)
            continue
        model["reference"] = save_reference(plan, framework, model, inputs, y, second)
    export_routes(plan, export)
    write_document(
        out,
        {
            "probe": "deploy_export",
            "framework": framework,
            "version": module.__version__,
            "import_time_s": import_time,
        },
    )
    exit_without_teardown()
