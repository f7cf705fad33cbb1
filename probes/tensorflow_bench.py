"""TensorFlow side of the micro-benchmark suite (see _bench_common for the protocol).

Every workload does the same math as torch_bench.py, from the same seeded
arrays. Layouts are TensorFlow's native ones (NHWC, kernels HWIO, dense kernels
in x out); parity outputs are transposed back to the canonical layouts.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow_probe
from _bench_common import (
    PIPELINE_MEAN,
    PIPELINE_STD,
    arrays_for,
    run_suite,
)

_NCHW_TO_NHWC = (0, 2, 3, 1)
_NHWC_TO_NCHW = (0, 3, 1, 2)
_OIHW_TO_HWIO = (2, 3, 1, 0)


def _case(workload, variant, dtype="float32"):
    return {"workload": workload["id"], "variant": variant, "dtype": dtype}


def _variants(plan, workload, keras_default):
    """Eager, plus Keras's own graph form, in the eager phase; XLA in the compiled phase.

    `keras_default` is what Keras runs a compiled model as on this device ("function",
    or "xla" where jit_compile="auto" resolves to XLA): the form a TensorFlow user's
    fit(), predict() and SavedModel serving actually run.
    """
    graph = workload.get("graph", False)
    if plan["phase"] == "eager":
        return ["eager", keras_default] if graph else ["eager"]
    if not workload["compile"] or (graph and keras_default == "xla"):
        return []
    return ["xla"]


def keras_default_variant(tf):
    """What Keras's compile(jit_compile="auto") resolves to here: "xla" or "function"."""
    keras = tf.keras
    model = keras.Sequential([keras.layers.Dense(1)])
    model.build((None, 1))
    model.compile(optimizer="sgd", loss="mse", jit_compile="auto")
    return "xla" if model.jit_compile else "function"


def _once(run, sync, workload):
    """Latency workloads wait for the device after every call; throughput ones per block."""
    if workload["metric"] == "latency":
        return lambda: (run(), sync())
    return run


def nhwc(images):
    """NCHW images (the shared arrays' layout) in Keras's channels-last layout."""
    return images.transpose(_NCHW_TO_NHWC)


def mlp_model(keras, params, arrays):
    """The suite's MLP as a Keras model with the workload's seeded weights."""
    widths = [*list(params["hidden"]), params["classes"]]
    dense = keras.layers.Dense
    model = keras.Sequential(
        [dense(width, activation="relu") for width in widths[:-1]] + [dense(widths[-1])]
    )
    model.build((None, params["features"]))
    weights = []
    for i in range(len(widths)):
        weights += [arrays["w%d" % i].T, arrays["b%d" % i]]
    model.set_weights(weights)
    return model


def cnn_model(keras, params, arrays):
    """The suite's small CNN as a Keras model (channels-last) with the seeded weights."""
    layers = keras.layers
    c1, c2 = params["channels"]
    model = keras.Sequential(
        [
            layers.Conv2D(c1, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(c2, 3, padding="same", activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(params["classes"]),
        ]
    )
    model.build((None, params["size"], params["size"], 3))
    model.set_weights(
        [
            arrays["conv1_w"].transpose(_OIHW_TO_HWIO),
            arrays["conv1_b"],
            arrays["conv2_w"].transpose(_OIHW_TO_HWIO),
            arrays["conv2_b"],
            arrays["fc_w"].T,
            arrays["fc_b"],
        ]
    )
    return model


class Bench:
    def __init__(self, tf, suite):
        self.tf = tf
        self.keras = tf.keras
        self.suite = suite
        self.plan = suite.plan
        sync_devices = getattr(tf.test.experimental, "sync_devices", None)
        self.sync = sync_devices or (lambda: None)
        self.keras_default = keras_default_variant(tf)

    def tensor(self, array, dtype=None):
        value = self.tf.constant(array)
        return self.tf.cast(value, dtype) if dtype is not None else value

    def compiled(self, fn, variant):
        """The graph forms as Keras builds them (reduce_retracing, as its train/predict steps)."""
        if variant == "function":
            return self.tf.function(fn, reduce_retracing=True)
        if variant == "xla":
            return self.tf.function(fn, jit_compile=True, reduce_retracing=True)
        return fn

    def variants(self, workload):
        return _variants(self.plan, workload, self.keras_default)

    # --- workloads -------------------------------------------------------
    def matmul(self, workload):
        arrays = arrays_for(self.plan, workload)
        n = workload["params"]["n"]
        tf = self.tf
        for dtype in workload["dtypes"]:

            def build(dtype=dtype):
                kind = getattr(tf, dtype)
                a, b = self.tensor(arrays["a"], kind), self.tensor(arrays["b"], kind)
                if dtype == "float32":
                    self.suite.keep_parity_output("matmul", tf.matmul(a, b).numpy())
                return self.suite.timed(
                    _once(lambda: tf.matmul(a, b), self.sync, workload), self.sync, 2.0 * n**3
                )

            self.suite.run_case(_case(workload, "eager", dtype), build)

    def conv2d(self, workload):
        arrays = arrays_for(self.plan, workload)
        tf = self.tf

        def build():
            x = self.tensor(nhwc(arrays["x"]))
            w = self.tensor(arrays["w"].transpose(_OIHW_TO_HWIO))
            b = self.tensor(arrays["b"])

            def run():
                return tf.nn.bias_add(tf.nn.conv2d(x, w, strides=1, padding="SAME"), b)

            self.suite.keep_parity_output("conv2d", run().numpy().transpose(_NHWC_TO_NCHW))
            return self.suite.timed(_once(run, self.sync, workload), self.sync, x.shape[0])

        self.suite.run_case(_case(workload, "eager"), build)

    def _train(self, workload, make_model, x_array, parity_name):
        arrays = arrays_for(self.plan, workload)
        tf = self.tf
        for variant in self.variants(workload):

            def build(variant=variant):
                model = make_model(arrays)
                x, y = self.tensor(x_array(arrays)), self.tensor(arrays["y"])
                if variant == "eager":
                    self.suite.keep_parity_output(parity_name, model(x).numpy())
                optimizer = self.keras.optimizers.SGD(learning_rate=0.01)
                optimizer.build(model.trainable_variables)

                def step():
                    with tf.GradientTape() as tape:
                        logits = model(x, training=True)
                        loss = tf.reduce_mean(
                            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
                        )
                    grads = tape.gradient(loss, model.trainable_variables)
                    optimizer.apply_gradients(zip(grads, model.trainable_variables))
                    return loss

                return self.suite.timed(
                    self.compiled(step, variant), self.sync, x.shape[0], first_call=True
                )

            self.suite.run_case(_case(workload, variant), build)

    def mlp_train(self, workload):
        self._train(
            workload,
            lambda arrays: mlp_model(self.keras, workload["params"], arrays),
            lambda arrays: arrays["x"],
            "mlp_train",
        )

    def cnn_train(self, workload):
        self._train(
            workload,
            lambda arrays: cnn_model(self.keras, workload["params"], arrays),
            lambda arrays: nhwc(arrays["x"]),
            "cnn_train",
        )

    def lstm(self, workload):
        arrays = arrays_for(self.plan, workload)
        tf = self.tf
        p = workload["params"]

        def build(variant):
            lstm = self.keras.layers.LSTM(p["hidden"])
            batches = []
            for x, lengths in zip(arrays["x"], arrays["lengths"]):
                longest = int(lengths.max())
                batches.append(
                    (self.tensor(x[:, :longest]), tf.sequence_mask(self.tensor(lengths), longest))
                )
            lstm(batches[0][0], mask=batches[0][1])
            lstm.set_weights([arrays["w_ih"].T, arrays["w_hh"].T, arrays["bias"]])
            # Each batch is as long as its longest sequence, so a graph form traces once
            # per length, as Keras does for a padded batch of a new shape.
            call = self.compiled(lambda x, mask: lstm(x, mask=mask), variant)

            def run():
                return [call(x, mask) for x, mask in batches]

            if variant == "eager":
                self.suite.keep_parity_output("lstm", tf.concat(run(), axis=0).numpy())
            work = sum(int(mask.shape[0]) for _, mask in batches)
            return self.suite.timed(
                _once(run, self.sync, workload), self.sync, work, first_call=variant != "eager"
            )

        for variant in self.variants(workload):
            self.suite.run_case(_case(workload, variant), lambda variant=variant: build(variant))

    def _encoder(self, arrays, p):
        layers = self.keras.layers
        d, heads = p["d_model"], p["heads"]
        head_dim = d // heads
        attention = layers.MultiHeadAttention(heads, head_dim)
        norm1, norm2 = (
            layers.LayerNormalization(epsilon=1e-5),
            layers.LayerNormalization(epsilon=1e-5),
        )
        ff1, ff2 = layers.Dense(p["feedforward"], activation="relu"), layers.Dense(d)

        def encoder(x):
            x = norm1(x + attention(x, x))
            return norm2(x + ff2(ff1(x)))

        encoder(self.tensor(arrays["x"]))
        q, k, v = (
            arrays["in_proj_w"][i * d : (i + 1) * d].T.reshape(d, heads, head_dim) for i in range(3)
        )
        qb, kb, vb = (
            arrays["in_proj_b"][i * d : (i + 1) * d].reshape(heads, head_dim) for i in range(3)
        )
        attention.set_weights(
            [
                q,
                qb,
                k,
                kb,
                v,
                vb,
                arrays["out_proj_w"].T.reshape(heads, head_dim, d),
                arrays["out_proj_b"],
            ]
        )
        norm1.set_weights([arrays["norm1_g"], arrays["norm1_b"]])
        norm2.set_weights([arrays["norm2_g"], arrays["norm2_b"]])
        ff1.set_weights([arrays["ff1_w"].T, arrays["ff1_b"]])
        ff2.set_weights([arrays["ff2_w"].T, arrays["ff2_b"]])
        return encoder

    def _transformer(self, workload):
        arrays = arrays_for(self.plan, workload)
        for variant in self.variants(workload):

            def build(variant=variant):
                encoder = self._encoder(arrays, workload["params"])
                model = self.compiled(encoder, variant)
                x = self.tensor(arrays["x"])
                if variant == "eager":
                    self.suite.keep_parity_output(workload["id"], model(x).numpy())
                return self.suite.timed(
                    _once(lambda: model(x), self.sync, workload),
                    self.sync,
                    x.shape[0],
                    first_call=True,
                )

            self.suite.run_case(_case(workload, variant), build)

    transformer_b1 = _transformer
    transformer_b32 = _transformer

    def input_pipeline(self, workload):
        arrays = arrays_for(self.plan, workload)
        tf = self.tf
        batch = workload["params"]["batch"]

        def prepare(image, label):
            image = (tf.cast(image, tf.float32) / 255.0 - PIPELINE_MEAN) / PIPELINE_STD
            image = tf.cond(label % 2 == 0, lambda: tf.reverse(image, axis=[1]), lambda: image)
            return image, label

        def build():
            with tf.device("/CPU:0"):
                dataset = (
                    tf.data.Dataset.from_tensor_slices((arrays["images"], arrays["labels"]))
                    .map(prepare)
                    .batch(batch)
                )
                self.suite.keep_parity_output("input_pipeline", next(iter(dataset))[0].numpy())
                batches = iter(dataset.repeat())
            # One iteration is one batch from a long-lived stream: steady-state throughput,
            # with epoch boundaries amortised as in training.
            return self.suite.timed(lambda: next(batches), lambda: None, batch)

        self.suite.run_case(_case(workload, "eager"), build)


def configure(tf, plan):
    """Threads, seed and strict FP32, as every TensorFlow bench process runs; its settings."""
    tf.config.threading.set_intra_op_parallelism_threads(plan["threads"])
    # One inter-op thread: ops run one at a time, as in PyTorch eager, so both
    # frameworks use the same number of compute threads.
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.experimental.enable_tensor_float_32_execution(False)
    tf.random.set_seed(plan["seed"])
    return {
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "tf32": "disabled",
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
        "keras": tf.keras.__version__ if hasattr(tf.keras, "__version__") else "unknown",
    }


def keras_setting(keras_default):
    """What Keras's jit_compile="auto" resolved to, as the record says it."""
    return "XLA" if keras_default == "xla" else "plain tf.function (no XLA)"


def run_all(tf, suite):
    plan = suite.plan
    settings = configure(tf, plan)
    if plan["device"] == "cuda" and not tf.config.list_physical_devices("GPU"):
        raise SystemExit("TensorFlow sees no GPU")
    bench = Bench(tf, suite)
    with tf.device("/GPU:0" if plan["device"] == "cuda" else "/CPU:0"):
        suite.serve(bench)
    return dict(
        settings,
        input_pipeline="tf.data, map without num_parallel_calls",
        keras_jit_compile_auto=keras_setting(bench.keras_default),
    )


def probe_report(tf, plan):
    """The probe's report (tensorflow_probe.py), for a run whose process is the probe;
    configured first: TensorFlow's threads are set before its first op, or never."""
    configure(tf, plan)
    return tensorflow_probe.inspect(tf)


if __name__ == "__main__":
    sys.exit(run_suite("tensorflow", "tensorflow", run_all, probe_report=probe_report))
