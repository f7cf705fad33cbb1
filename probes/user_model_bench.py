"""Time the user's own model on one framework (or one Keras back-end): eager against compiled.

Usage: user_model_bench.py --plan PLAN.json. The plan holds "user_model", "backend"
("torch" or "tensorflow": for a Keras 3 model, the back-end Keras runs on; a plain model
runs on its own framework), "threads", the timing "budget" (_bench_common.measure) and
"run_dir". Variants: PyTorch eager and torch.compile; TensorFlow eager, tf.function (the
graph form Keras's fit and predict run) and tf.function(jit_compile=True) (XLA). Each at
the example inputs' own batch and at batch 1 (the first row of each input), with its
first call (tracing and compiling) timed apart. For a Keras model, "weights_out" saves
the weights and the output on the example inputs; "weights_in" loads another back-end's
weights first and reports the largest difference from its output: both back-ends then
run literally the same model. Cases stream as "case_finished" events.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _bench_common import measure, pin_threads, read_plan, steady_allocator, time_first_call
from _probe_common import (
    emit_progress,
    exit_without_teardown,
    last_line,
    peak_resident_memory_bytes,
    reserve_stdout,
    write_document,
)
from _user_model import (
    UserModelError,
    call,
    first_output,
    keras_call,
    load,
    reason,
    to_numpy,
)

BATCHES = ("batch", "batch1")


def _torch_variants(kind, model, torch):
    if kind == "torch":
        model.eval()
        eager = model
    else:

        def eager(*xs):
            return keras_call(model, xs)

    def run(function):
        def once(xs):
            with torch.no_grad():
                return first_output(function(*xs))

        return once

    return {
        "eager": lambda: (run(eager), lambda xs: [torch.from_numpy(x) for x in xs]),
        "compile": lambda: (
            run(torch.compile(eager)),
            lambda xs: [torch.from_numpy(x) for x in xs],
        ),
    }


def _tf_variants(kind, model, tf):
    if kind == "keras":

        def eager(*xs):
            return keras_call(model, xs)
    else:

        def eager(*xs):
            return first_output(model(*xs))

    def tensors(xs):
        return [tf.constant(x) for x in xs]

    return {
        "eager": lambda: (lambda xs: eager(*xs), tensors),
        "function": lambda: (_graph(tf, eager, False), tensors),
        "xla": lambda: (_graph(tf, eager, True), tensors),
    }


def _graph(tf, eager, jit_compile):
    graph = tf.function(eager, jit_compile=jit_compile)
    return lambda xs: graph(*xs)


def _variants(kind, model, backend):
    if backend == "torch":
        import torch

        return _torch_variants(kind, model, torch)
    import tensorflow as tf

    return _tf_variants(kind, model, tf)


def _batches(inputs):
    """The example inputs at their own batch and at batch 1 (when their batch is larger)."""
    found = {"batch": inputs}
    if all(x.ndim and x.shape[0] > 1 for x in inputs):
        found["batch1"] = tuple(x[:1] for x in inputs)
    return found


def _case(variant, batch, xs, build, plan, path):
    """One variant at one batch: first call, then timed blocks; or why it failed."""
    result = {
        "workload": "model_%s" % batch,
        "variant": variant,
        "dtype": str(xs[0].dtype),
        "work_per_iteration": float(xs[0].shape[0]) if xs[0].ndim else 1.0,
    }
    try:
        run, convert = build()
        given = convert(xs)
        result["first_call_s"] = time_first_call(lambda: run(given), lambda: None)
        timing = measure(lambda: run(given), lambda: None, plan["budget"])
    except Exception as exc:  # a compiler that refuses the model is the finding
        return dict(result, status="failed", reason=reason(exc, path))
    return dict(result, status="ok", **timing)


def _parity(plan, kind, model, inputs):
    """Save this back-end's weights and output, or load another's and compare: a dict."""
    import numpy as np

    if kind != "keras":
        return None
    if plan.get("weights_out"):
        weights = {"w%d" % i: w for i, w in enumerate(model.get_weights())}
        np.savez(plan["weights_out"], y=call(kind, model, inputs), **weights)
        return None
    if not os.path.isfile(plan.get("weights_in") or ""):
        return None  # the first back-end did not get as far as saving them
    with np.load(plan["weights_in"]) as stored:
        model.set_weights([stored["w%d" % i] for i in range(len(stored.files) - 1)])
        expected = stored["y"]
    output = to_numpy(call(kind, model, inputs)).astype("float64")
    largest = float(np.max(np.abs(output - expected))) if output.shape == expected.shape else None
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    return {"max_abs_diff": largest, "scale": scale, "shape": list(output.shape)}


def main():
    steady_allocator()
    plan = read_plan()
    out = reserve_stdout()  # before the user's code: what it prints goes to stderr
    pin_threads(plan["threads"])
    if plan["backend"] in ("torch", "tensorflow", "jax"):
        os.environ["KERAS_BACKEND"] = plan["backend"]
    document = {"probe": "user_model_bench", "backend": plan["backend"], "cases": []}
    started = time.perf_counter()
    emit_progress("building the model on %s" % plan["backend"], stage="import")
    try:
        kind, model, inputs, path = load(plan["user_model"])
        parity = _parity(plan, kind, model, inputs)
    except UserModelError as exc:
        write_document(out, dict(document, status="failed", reason=str(exc)))
        exit_without_teardown()
    except Exception as exc:  # the model will not build on this back-end: the finding
        write_document(out, dict(document, status="failed", reason=last_line(exc)))
        exit_without_teardown()
    module = sys.modules[plan["backend"]]
    document.update(version=module.__version__, setup_s=time.perf_counter() - started)
    for variant, build in _variants(kind, model, plan["backend"]).items():
        for batch, xs in _batches(inputs).items():
            emit_progress("%s at %s" % (variant, batch), stage="case_started")
            result = _case(variant, batch, xs, build, plan, path)
            emit_progress(
                "%s %s: %s" % (variant, batch, result["status"]),
                stage="case_finished",
                result=result,
            )
            document["cases"].append(result)
    write_document(
        out,
        dict(document, status="ok", parity=parity, peak_rss_bytes=peak_resident_memory_bytes()),
    )
    exit_without_teardown()


if __name__ == "__main__":
    main()
