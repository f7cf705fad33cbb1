"""Load one deployment route's artifacts in a fresh process that imports only its runtime.

Usage: deploy_load.py --plan PLAN.json. The plan names the runtime, the thread count,
the latency budget and, per model, the artifact and the reference file its exporter
wrote (the framework's own inputs and outputs). For each model: load + first inference
(timed), the largest difference from the framework's own outputs, every one of them
(and, for the user's model, on a second input: a branch frozen by tracing shows there),
then latency on the example inputs, timed in blocks (see _bench_common.measure). Results stream as
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
from _user_model import outputs, to_numpy


def _torch(plan):
    import torch

    torch.set_num_threads(plan["threads"])
    return torch, torch.__version__, None


def arrays(output):
    """Every output a runtime gave (a tensor, or a tuple, list or dict of them) as NumPy."""
    return [to_numpy(y) for y in outputs(output)]


def _torch_loader(load):
    def loader(torch, path, threads):
        module = load(torch, path)
        tensors = {}

        def run(xs):
            with torch.inference_mode():
                return module(*tensors.setdefault(id(xs), [torch.from_numpy(x) for x in xs]))

        return run

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
    return lambda xs: session.run(None, dict(zip(names, xs)))


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
        return serve(**dict(zip(names, given)))

    return run


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
    return lambda xs: runner(**dict(zip(names, xs)))


def _executorch(plan):
    from importlib import metadata

    from executorch.runtime import Runtime

    return Runtime.get(), metadata.version("executorch"), "threads: the runtime's own default"


def _executorch_loader(runtime, path, threads):
    import torch

    method = runtime.load_program(path).load_method("forward")
    tensors = {}

    def run(xs):
        return method.execute(tensors.setdefault(id(xs), [torch.from_numpy(x) for x in xs]))

    return run


# runtime name -> (import it: (module, version, note),
#                  load an artifact with a thread count: run(inputs) -> its outputs)
RUNTIMES = {
    "torch_export": (_torch, _torch_loader(lambda torch, path: torch.export.load(path).module())),
    "torchscript": (_torch, _torch_loader(lambda torch, path: torch.jit.load(path))),
    "aot_inductor": (_torch, _torch_loader(_aoti)),
    "onnxruntime": (_onnxruntime, _onnx_loader),
    "tf_saved_model": (_tensorflow, _saved_model_loader),
    "litert": (_litert, _litert_loader),
    "executorch": (_executorch, _executorch_loader),
}


def _difference(output, expected):
    """(largest abs difference, the expected output's scale, or why they cannot be compared)."""
    import numpy as np

    output = np.asarray(output, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if output.shape != expected.shape:
        return None, None, "output shape %s, expected %s" % (output.shape, expected.shape)
    if not np.all(np.isfinite(output)):
        return None, None, "the output holds NaN or infinite values"
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    largest = float(np.max(np.abs(output - expected))) if expected.size else 0.0
    return largest, scale, None


def compare(found, expected, rtol, atol, differs="differs from the framework's own output by"):
    """(max abs diff, max rel diff, why they do not match or None) over every output; the
    first output that does not match is named ("output 1: ...") when there are several."""
    if len(found) != len(expected):
        return None, None, "%d outputs, expected %d" % (len(found), len(expected))
    worst = (0.0, 0.0)
    for index, (output, wanted) in enumerate(zip(found, expected)):
        named = "output %d: " % index if len(expected) > 1 else ""
        largest, scale, problem = _difference(output, wanted)
        if problem is not None:
            return None, None, named + problem
        relative = largest / scale if scale > 0 else largest
        if largest > atol + rtol * scale:
            return largest, relative, "%s%s %.3g" % (named, differs, largest)
        worst = (max(worst[0], largest), max(worst[1], relative))
    return worst[0], worst[1], None


def _numbered(stored, prefix):
    """The arrays stored as prefix0, prefix1, ... in order."""
    numbers = [key[len(prefix) :] for key in stored.files if key.startswith(prefix)]
    count = sum(1 for number in numbers if number.isdigit())
    return [stored["%s%d" % (prefix, i)] for i in range(count)]


def _stored(path, inputs, outputs_prefix):
    """The inputs (x0, x1, ... or s0, s1, ...) and the outputs they gave (y0, ... or z0,
    ...), or None if not stored."""
    import numpy as np

    with np.load(path) as stored:
        given, expected = _numbered(stored, inputs), _numbered(stored, outputs_prefix)
    return (given, expected) if given and expected else None


def second_check(run, second, plan):
    """Why the artifact froze a branch (it differs on the second input), or None."""
    xs, expected = second
    try:
        output = arrays(run(xs))
    except Exception as exc:  # it runs the example input only
        return "failed", "load: on a second input (floats negated): " + last_line(exc)
    _largest, _relative, mismatch = compare(
        output, expected, plan["rtol"], plan["atol"], differs="max abs diff"
    )
    if mismatch is None:
        return None
    said = "reproduces the example input, not a second one (floats negated; %s)" % mismatch
    return "frozen", said


def load_model(plan, module, load, model):
    """One model through the runtime: load + first call, difference, then batch-1 latency."""
    xs, expected = _stored(model["reference"], "x", "y")
    second = _stored(model["reference"], "s", "z")
    started = time.perf_counter()
    try:
        run = load(module, model["artifact"], plan["threads"])
        output = arrays(run(xs))
    except Exception as exc:  # a corrupt or unloadable artifact is the finding
        return {"model": model["id"], "status": "failed", "reason": "load: " + last_line(exc)}
    first = time.perf_counter() - started
    largest, relative, mismatch = compare(output, expected, plan["rtol"], plan["atol"])
    status = "mismatch" if mismatch else "ok"
    frozen = second_check(run, second, plan) if second and not mismatch else None
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
