"""Load one deployment route's artifacts in a fresh process that imports only its runtime.

Usage: deploy_load.py --plan PLAN.json. The plan names the runtime, the thread count,
the latency budget and, per model, the artifact and the reference file its exporter
wrote (the framework's own input and output). For each model: load + first inference
(timed), the largest difference from the framework's own output, then batch-1 latency
timed in blocks (see _bench_common.measure). Results stream as "model_loaded" events;
the document says which runtime ran, its import time, and which frameworks ended up
imported (a runtime that pulls its framework in is not a light runtime).
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


def _torch_loader(load):
    def loader(torch, path, threads):
        module = load(torch, path)
        inputs = {}

        def run(x):
            with torch.inference_mode():
                return module(inputs.setdefault(id(x), torch.from_numpy(x)))

        return run, lambda y: y.numpy()

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
    name = session.get_inputs()[0].name
    return (lambda x: session.run(None, {name: x})[0]), (lambda y: y)


def _tensorflow(plan):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(plan["threads"])
    tf.config.threading.set_inter_op_parallelism_threads(1)
    return tf, tf.__version__, None


def _saved_model_loader(tf, path, threads):
    serve = tf.saved_model.load(path).signatures["serving_default"]
    name = next(iter(serve.structured_input_signature[1]))
    inputs = {}

    def run(x):
        outputs = serve(**{name: inputs.setdefault(id(x), tf.constant(x))})
        return next(iter(outputs.values()))

    return run, lambda y: y.numpy()


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
    name = interpreter.get_signature_list()[signature]["inputs"][0]
    return (lambda x: next(iter(runner(**{name: x}).values()))), (lambda y: y)


def _executorch(plan):
    from importlib import metadata

    from executorch.runtime import Runtime

    return Runtime.get(), metadata.version("executorch"), "threads: the runtime's own default"


def _executorch_loader(runtime, path, threads):
    import torch

    method = runtime.load_program(path).load_method("forward")
    inputs = {}

    def run(x):
        return method.execute([inputs.setdefault(id(x), torch.from_numpy(x))])[0]

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


def load_model(plan, module, load, model):
    """One model through the runtime: load + first call, difference, then batch-1 latency."""
    import numpy as np

    with np.load(model["reference"]) as stored:
        x, expected = stored["x"], stored["y"]
    started = time.perf_counter()
    try:
        run, to_numpy = load(module, model["artifact"], plan["threads"])
        output = to_numpy(run(x))
    except Exception as exc:  # a corrupt or unloadable artifact is the finding
        return {"model": model["id"], "status": "failed", "reason": "load: " + last_line(exc)}
    first = time.perf_counter() - started
    largest, relative, mismatch = compare(output, expected, plan["rtol"], plan["atol"])
    result = {
        "model": model["id"],
        "status": "mismatch" if mismatch else "ok",
        "reason": mismatch,
        "load_first_s": first,
        "max_abs_diff": largest,
        "max_rel_diff": relative,
    }
    timing = measure(lambda: run(x), lambda: None, plan["latency"])
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
