"""Load one deployment route's artifacts in a fresh process that imports only its runtime.

Usage: deploy_load.py --plan PLAN.json. The plan names the runtime, the thread count,
the latency budget and, per model, the artifact and the reference file its exporter
wrote (the framework's own input and output). For each model: load + first inference
(timed), the largest difference from the framework's own output (and, for the user's
model, on a second input: a branch frozen by tracing shows there), then latency on the
example inputs, timed in blocks (see _bench_common.measure). Results stream as
"model_loaded" events; the document says which runtime ran, its import time, and which
frameworks ended up imported (a runtime that pulls its framework in is not a light runtime).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _bench_common import measure, pin_threads, read_plan, steady_allocator
from _probe_common import (
    emit_progress,
    exit_without_teardown,
    last_line,
    reserve_stdout,
    write_document,
)


def _torch(plan):
    import torch

    torch.set_num_threads(plan["threads"])
    return torch, torch.__version__, None


def _first(output):
    """A model's first output (the one compared), from a tuple, list or dict of them."""
    while isinstance(output, (tuple, list)) and output:
        output = output[0]
    if isinstance(output, dict) and output:
        output = next(iter(output.values()))
    return output


def _torch_loader(load):
    def loader(torch, path, threads):
        module = load(torch, path)
        tensors = {}

        def run(xs):
            with torch.inference_mode():
                return module(*tensors.setdefault(id(xs), [torch.from_numpy(x) for x in xs]))

        return run, lambda y: _first(y).numpy()

    return loader


def _aoti(torch, path):
    from torch._inductor import aoti_load_package

    return aoti_load_package(path)


def _onnxruntime(plan):
    import onnxruntime

    return onnxruntime, onnxruntime.__version__, None


def _onnx_loader(ort, path, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    names = [given.name for given in session.get_inputs()]
    return (lambda xs: session.run(None, dict(zip(names, xs)))[0]), (lambda y: y)


def _tensorflow(plan):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(plan["threads"])
    tf.config.threading.set_inter_op_parallelism_threads(1)
    return tf, tf.__version__, None


def _saved_model_loader(tf, path, threads):
    serve = tf.saved_model.load(path).signatures["serving_default"]
    names = _in_order(serve.structured_input_signature[1])
    tensors = {}

    def run(xs):
        given = tensors.setdefault(id(xs), [tf.constant(x) for x in xs])
        return _first(serve(**dict(zip(names, given))))

    return run, lambda y: y.numpy()


def _in_order(names):
    """A signature's input names in the exporter's order (x0, x1, ... sort by number)."""
    names = list(names)
    numbered = all(n[1:].isdigit() for n in names)
    return sorted(names, key=lambda n: int(n[1:])) if numbered else names


def _litert(plan):
    try:
        from ai_edge_litert import interpreter
    except ImportError:
        import tensorflow as tf

        note = "ai-edge-litert is not installed: ran in TensorFlow's deprecated tf.lite.Interpreter"
        return tf.lite, tf.__version__, note
    from importlib import metadata

    return interpreter, metadata.version("ai-edge-litert"), None


def _litert_loader(module, path, threads):
    interpreter = module.Interpreter(model_path=path, num_threads=threads)
    signature = next(iter(interpreter.get_signature_list()))
    runner = interpreter.get_signature_runner(signature)
    names = _in_order(interpreter.get_signature_list()[signature]["inputs"])
    return (lambda xs: _first(runner(**dict(zip(names, xs))))), (lambda y: y)


def _executorch(plan):
    from importlib import metadata

    from executorch.runtime import Runtime

    return Runtime.get(), metadata.version("executorch"), "threads: the runtime's own default"


def _executorch_loader(runtime, path, threads):
    import torch

    method = runtime.load_program(path).load_method("forward")
    tensors = {}

    def run(xs):
        return method.execute(tensors.setdefault(id(xs), [torch.from_numpy(x) for x in xs]))[0]

    return run, lambda y: y.numpy()


# runtime name -> (import it: (module, version, note),
#                  load an artifact with a thread count: (run, to_numpy))
RUNTIMES = {
    "torch_export": (_torch, _torch_loader(lambda torch, path: torch.export.load(path).module())),
    "torchscript": (_torch, _torch_loader(lambda torch, path: torch.jit.load(path))),
    "aot_inductor": (_torch, _torch_loader(_aoti)),
    "onnxruntime": (_onnxruntime, _onnx_loader),
    "tf_saved_model": (_tensorflow, _saved_model_loader),
    "litert": (_litert, _litert_loader),
    "executorch": (_executorch, _executorch_loader),
}


def compare(output, expected, rtol, atol):
    """(max abs diff, max rel diff, why it does not match or None)."""
    import numpy as np

    output = np.asarray(output, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if output.shape != expected.shape:
        return None, None, "output shape %s, expected %s" % (output.shape, expected.shape)
    if not np.all(np.isfinite(output)):
        return None, None, "the output holds NaN or infinite values"
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    largest = float(np.max(np.abs(output - expected))) if expected.size else 0.0
    relative = largest / scale if scale > 0 else largest
    if largest > atol + rtol * scale:
        return largest, relative, "differs from the framework's own output by %.3g" % largest
    return largest, relative, None


def _stored(path, prefix, output):
    """The inputs under `prefix` (x0, x1, ...) and their output, or None if not stored."""
    import numpy as np

    with np.load(path) as stored:
        count = sum(1 for key in stored.files if key[:1] == prefix and key[1:].isdigit())
        if not count or output not in stored.files:
            return None
        return [stored["%s%d" % (prefix, i)] for i in range(count)], stored[output]


def second_check(run, to_numpy, second, plan):
    """Why the artifact froze a branch (it differs on the second input), or None."""
    xs, expected = second
    try:
        output = to_numpy(run(xs))
    except Exception as exc:  # it runs the example input only
        return "failed", "load: on a second input (floats negated): " + last_line(exc)
    largest, _relative, mismatch = compare(output, expected, plan["rtol"], plan["atol"])
    if mismatch is None:
        return None
    said = "max abs diff %.3g" % largest if largest is not None else mismatch
    return "frozen", ("reproduces the example input, not a second one (floats negated; %s)" % said)


def load_model(plan, module, load, model):
    """One model through the runtime: load + first call, difference, then batch-1 latency."""
    xs, expected = _stored(model["reference"], "x", "y")
    second = _stored(model["reference"], "s", "z")
    started = time.perf_counter()
    try:
        run, to_numpy = load(module, model["artifact"], plan["threads"])
        output = to_numpy(run(xs))
    except Exception as exc:  # a corrupt or unloadable artifact is the finding
        return {"model": model["id"], "status": "failed", "reason": "load: " + last_line(exc)}
    first = time.perf_counter() - started
    largest, relative, mismatch = compare(output, expected, plan["rtol"], plan["atol"])
    status = "mismatch" if mismatch else "ok"
    frozen = second_check(run, to_numpy, second, plan) if second and not mismatch else None
    if frozen is not None:
        status, mismatch = frozen
    result = {
        "model": model["id"],
        "status": status,
        "reason": mismatch,
        "load_first_s": first,
        "max_abs_diff": largest,
        "max_rel_diff": relative,
    }
    timing = measure(lambda: run(xs), lambda: None, plan["latency"])
    result.update(
        samples_s=timing["samples_s"],
        inner_iterations=timing["inner_iterations"],
        warmup_iterations=timing["warmup_iterations"],
    )
    return result


def main():
    steady_allocator()
    plan = read_plan()
    out = reserve_stdout()
    pin_threads(plan["threads"])
    import_runtime, load = RUNTIMES[plan["runtime"]]
    emit_progress("importing the %s runtime" % plan["runtime"], stage="import")
    started = time.perf_counter()
    module, version, note = import_runtime(plan)
    import_time = time.perf_counter() - started
    emit_progress("imported", stage="ready")
    for model in plan["models"]:
        result = load_model(plan, module, load, model)
        emit_progress(
            "%s %s: %s" % (plan["route"], model["id"], result["status"]),
            stage="model_loaded",
            result=result,
        )
    write_document(
        out,
        {
            "probe": "deploy_load",
            "runtime": plan["runtime"],
            "runtime_version": version,
            "runtime_import_s": import_time,
            "note": note,
            "frameworks_loaded": [n for n in ("torch", "tensorflow") if n in sys.modules],
        },
    )
    exit_without_teardown()


if __name__ == "__main__":
    main()
