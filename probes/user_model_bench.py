"""Time the user's own model on one back-end, taking turns with the others (see _bench_common).

Usage: user_model_bench.py --plan PLAN.json. The plan is a phase plan like the suite's
("phase", "threads", "seed", "budget", "passes", "run_dir"), whose workloads are the model
at its example inputs' batch ("model_batch") and, where that batch is larger, at batch 1
("model_batch1": the first row of each input), plus "user_model", "backend" (the framework
a plain model runs on; for a Keras 3 model the back-end Keras runs on: tensorflow, torch or
jax) and, for a Keras model, its weights: "weights_out" (this back-end saves its weights
there when it builds the model) or "weights_in" (it loads them). The advisor gives the
first "prepare" slot to the back-end that saves them, so every back-end runs literally
the same model.

The model is built before "ready" (while nothing is timed: the other back-ends import and
build theirs at the same time); at the first "prepare" it gets the shared weights, and
every back-end keeps its outputs on the example inputs, every one of them, for
parity_check.py. One process serves both phases (see _bench_common's Suite.serve), and
the compiled phase reuses the model built for the eager one. Variants are the suite's for
each framework: PyTorch eager, then torch.compile in the compiled phase; TensorFlow eager
and the graph form Keras runs, then XLA; JAX eager, then jax.jit (what Keras runs on
JAX). Each case's first call (tracing and compiling) is timed apart.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tensorflow_bench
import torch_bench
from _bench_common import read_plan, run_suite
from _user_model import UserModelError, call, keras_call, keras_inputs, load, reason


class _TorchForms:
    """PyTorch's variants of the model: eager, and torch.compile as the suite compiles."""

    def __init__(self, torch, suite):
        self.torch = torch
        self.settings = torch_bench.configure(torch, suite.plan)
        self.bench = torch_bench.Bench(torch, suite)

    def variants(self, workload):
        return self.bench.variants(workload)

    def tensors(self, xs):
        return [self.torch.from_numpy(x) for x in xs]

    def form(self, variant, kind, model):
        if kind == "torch":
            model.eval()
            eager = model
        else:

            def eager(*xs):
                return keras_call(model, xs)

        function = self.bench.compiled(eager, variant)

        def run(*xs):
            with self.torch.no_grad():
                return function(*xs)

        return run

    def finish(self):
        compile_cache = self.bench.compile_cache
        return dict(self.settings, **({"compile_cache": compile_cache} if compile_cache else {}))


class _TensorFlowForms:
    """TensorFlow's variants: eager, the graph form Keras runs a model as, and XLA."""

    def __init__(self, tf, suite):
        self.tf = tf
        self.settings = tensorflow_bench.configure(tf, suite.plan)
        self.bench = tensorflow_bench.Bench(tf, suite)

    def variants(self, workload):
        return self.bench.variants(workload)

    def tensors(self, xs):
        return [self.tf.constant(x) for x in xs]

    def form(self, variant, kind, model):
        if kind == "keras":

            def eager(*xs):
                return keras_call(model, xs)
        else:  # a tf.Module (or a tf.function holder), called with the inputs as arguments
            eager = model
        return self.bench.compiled(eager, variant)

    def finish(self):
        setting = tensorflow_bench.keras_setting(self.bench.keras_default)
        return dict(self.settings, keras_jit_compile_auto=setting)


class _JaxForms:
    """Keras 3 on JAX: eager, and jax.jit of its stateless call (what Keras's predict runs)."""

    def __init__(self, jax, suite):
        self.jax = jax
        self.plan = suite.plan

    def variants(self, workload):
        return ["eager"] if self.plan["phase"] == "eager" else ["jit"]

    def tensors(self, xs):
        return [self.jax.numpy.asarray(x) for x in xs]

    def form(self, variant, kind, model):
        jax = self.jax
        if variant == "eager":

            def function(*xs):
                return keras_call(model, xs)
        else:
            trainable = [v.value for v in model.trainable_variables]
            fixed = [v.value for v in model.non_trainable_variables]
            stateless = jax.jit(
                lambda t, n, *xs: model.stateless_call(t, n, keras_inputs(xs), training=False)[0]
            )

            def function(*xs):
                return stateless(trainable, fixed, *xs)

        # JAX dispatches asynchronously: a call is timed until its outputs are computed
        return lambda *xs: jax.block_until_ready(function(*xs))

    def finish(self):
        # XLA sizes its CPU thread pool from the cores it may run on; JAX has no setting
        return {"threads": "not pinned (XLA's CPU thread pool takes every core)"}


_FORMS = {"torch": _TorchForms, "tensorflow": _TensorFlowForms, "jax": _JaxForms}


class Bench:
    """The user's model on this back-end: built before "ready", one case per variant."""

    def __init__(self, forms, suite):
        self.forms = forms
        self.suite = suite
        self.plan = suite.plan
        self.built = None  # (kind, model, inputs, path) once built
        self.failure = None  # or why it would not build or run
        self.shared = False  # whether the first prepare has shared the weights
        try:
            self.built = load(self.plan["user_model"])
        except Exception as exc:  # the model will not build on this back-end: every case says so
            self.failure = exc

    def model_batch(self, workload):
        self._prepare(workload, lambda xs: xs)

    def model_batch1(self, workload):
        self._prepare(workload, lambda xs: tuple(x[:1] for x in xs))

    def _prepare(self, workload, batch):
        if self.built is not None and not self.shared:
            self._share()
        dtype = str(self.built[2][0].dtype) if self.built else "float32"
        for variant in self.forms.variants(workload):
            case = {"workload": workload["id"], "variant": variant, "dtype": dtype}
            self.suite.run_case(case, lambda v=variant: self._timed(v, batch), self._why)

    def _share(self):
        """Share the weights (the first prepare, in the eager phase: the advisor gives its
        first slot to the back-end that saves them), then keep the outputs compared."""
        self.shared = True
        kind, model, inputs, _path = self.built
        try:
            if self._share_weights(kind, model):
                for index, output in enumerate(call(kind, model, inputs)):
                    self.suite.keep_parity_output("model_batch_out%d" % index, output)
        except Exception as exc:  # the model will not run on this back-end: every case says so
            self.built, self.failure = None, exc

    def _share_weights(self, kind, model):
        """Save this back-end's weights for the others, or load the first one's: whether the
        model now holds the weights every back-end runs."""
        import numpy as np

        if kind != "keras":
            return True
        given = self.plan.get("weights_in")
        if self.plan.get("weights_out"):
            saved = self.plan["weights_out"]
            weights = {"w%d" % i: w for i, w in enumerate(model.get_weights())}
            np.savez(saved + ".tmp.npz", **weights)
            os.replace(saved + ".tmp.npz", saved)
            return True
        if not (given and os.path.isfile(given)):
            return False  # the first back-end did not get as far as saving them
        with np.load(given) as stored:
            model.set_weights([stored["w%d" % i] for i in range(len(stored.files))])
        return True

    def _timed(self, variant, batch):
        if self.failure is not None:
            raise self.failure
        kind, model, inputs, _path = self.built
        given = batch(inputs)
        xs = self.forms.tensors(given)
        function = self.forms.form(variant, kind, model)
        work = given[0].shape[0] if given[0].ndim else 1
        return self.suite.timed(lambda: function(*xs), lambda: None, work, first_call=True)

    def _why(self, exc):
        """A broken contract as its one line; a compiler's refusal with its place in the file."""
        if isinstance(exc, UserModelError):
            return str(exc)
        return reason(exc, self.built[3] if self.built else None)


def run_all(module, suite):
    forms = _FORMS[suite.plan["backend"]](module, suite)
    suite.serve(Bench(forms, suite))
    return dict(forms.finish(), backend=suite.plan["backend"])


def prepare_environment(plan):
    """Keras reads its back-end once, at import; torch.compile compiles cold, as the suite's."""
    os.environ["KERAS_BACKEND"] = plan["backend"]
    if plan["backend"] == "torch":
        torch_bench.fresh_compile_cache(plan)


if __name__ == "__main__":
    backend = read_plan()["backend"]
    sys.exit(run_suite(backend, backend, run_all, prepare_environment))
