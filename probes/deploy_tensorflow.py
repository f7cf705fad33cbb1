"""TensorFlow's deployment routes: export the benchmark's seeded models (see _deploy_common).

Usage: deploy_tensorflow.py --plan PLAN.json. Routes: SavedModel through Keras's
model.export, through tf.saved_model.save of a tf.function (plain and jit_compile),
ONNX through tf2onnx, LiteRT through Keras's model.export, and the TensorFlow.js
converter. Models take channels-last images, as Keras builds them.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _deploy_common import model_input, run_exporter
from tensorflow_bench import cnn_model, mlp_model, nhwc

_BUILDERS = {"mlp": mlp_model, "cnn": cnn_model}


def _serving_function(tf, model, x, jit_compile=False):
    spec = tf.TensorSpec(x.shape, tf.float32, name="x")
    return tf.function(
        lambda inputs: model(inputs, training=False),
        input_signature=[spec],
        jit_compile=jit_compile,
    )


def _keras_export(tf, model, x, base):
    model.export(base, format="tf_saved_model", verbose=False)
    return base


def _saved_model(jit_compile):
    def export(tf, model, x, base):
        serve = _serving_function(tf, model, x, jit_compile)
        module = tf.Module()
        module.model, module.serve = model, serve
        tf.saved_model.save(module, base, signatures={"serving_default": serve})
        return base

    return export


def _tf_onnx(tf, model, x, base):
    import tf2onnx

    serve = _serving_function(tf, model, x)
    path = base + ".onnx"
    tf2onnx.convert.from_function(serve, input_signature=serve.input_signature, output_path=path)
    return path


def _litert(tf, model, x, base):
    path = base + ".tflite"
    model.export(path, format="litert", verbose=False)
    return path


def _tfjs(tf, model, x, base):
    import tensorflowjs

    saved = base + "-savedmodel"
    model.export(saved, format="tf_saved_model", verbose=False)
    tensorflowjs.converters.convert_tf_saved_model(saved, base)
    return base


_EXPORTERS = {
    "tf_keras_export": _keras_export,
    "tf_saved_model": _saved_model(jit_compile=False),
    "tf_saved_model_xla": _saved_model(jit_compile=True),
    "tf_onnx": _tf_onnx,
    "tf_litert": _litert,
    "tfjs": _tfjs,
}


def prepare(tf, plan):
    tf.config.threading.set_intra_op_parallelism_threads(plan["threads"])
    tf.config.threading.set_inter_op_parallelism_threads(1)
    built = {}

    def reference(model):
        arrays, x = model_input(plan, model)
        x = nhwc(x) if x.ndim == 4 else x
        network = _BUILDERS[model["id"]](tf.keras, model["params"], arrays)
        y = network(x, training=False).numpy()
        built[model["id"]] = network, x
        return x, y

    def export(route_id, model, base):
        network, x = built[model["id"]]
        return _EXPORTERS[route_id](tf, network, x, base)

    return reference, export


if __name__ == "__main__":
    run_exporter("tensorflow", "tensorflow", prepare)
