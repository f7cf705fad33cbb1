"""TensorFlow's deployment routes: export the benchmark's seeded models (see _deploy_common).

Usage: deploy_tensorflow.py --plan PLAN.json. Routes: SavedModel through Keras's
model.export, through tf.saved_model.save of a tf.function (plain and jit_compile),
ONNX through tf2onnx, LiteRT through Keras's model.export, and the TensorFlow.js
converter. Models take channels-last images, as Keras builds them. The user's own
model may be a Keras 3 model (every route) or a tf.Module (the routes that start from
a tf.function; Keras's model.export needs a Keras model).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _deploy_common import model_input, run_exporter, user_reference
from _user_model import keras_call, outputs
from tensorflow_bench import cnn_model, mlp_model, nhwc

_BUILDERS = {"mlp": mlp_model, "cnn": cnn_model}


def _serving_function(tf, model, inputs, jit_compile=False):
    specs = [
        tf.TensorSpec(x.shape, tf.as_dtype(x.dtype), name="x%d" % i) for i, x in enumerate(inputs)
    ]

    def serve(*xs):
        # a tf.Module (or tf.function holder) takes the inputs as arguments
        found = keras_call(model, xs) if _is_keras(model) else model(*xs)
        return outputs(found)  # every one, as a list: the signature's output_0, output_1, ...

    return tf.function(serve, input_signature=specs, jit_compile=jit_compile)


def _is_keras(model):
    return hasattr(model, "export") and hasattr(model, "count_params")


def _keras_only(model, route):
    if not _is_keras(model):
        raise RuntimeError("%s takes a Keras model; this one is a tf.Module" % route)


def _signature(tf, model, inputs):
    """The Keras export's input signature: the example inputs' shapes and dtypes."""
    specs = [tf.TensorSpec(x.shape, tf.as_dtype(x.dtype)) for x in inputs]
    return specs if len(specs) == 1 else [specs]


def _keras_export(tf, model, inputs, base):
    _keras_only(model, "Keras model.export")
    signature = _signature(tf, model, inputs)
    model.export(base, format="tf_saved_model", verbose=False, input_signature=signature)
    return base


def _saved_model(jit_compile):
    def export(tf, model, inputs, base):
        serve = _serving_function(tf, model, inputs, jit_compile)
        module = tf.Module()
        module.model, module.serve = model, serve
        tf.saved_model.save(module, base, signatures={"serving_default": serve})
        return base

    return export


def _tf_onnx(tf, model, inputs, base):
    import tf2onnx

    serve = _serving_function(tf, model, inputs)
    path = base + ".onnx"
    tf2onnx.convert.from_function(serve, input_signature=serve.input_signature, output_path=path)
    return path


def _litert(tf, model, inputs, base):
    path = base + ".tflite"
    if _is_keras(model):
        signature = _signature(tf, model, inputs)
        model.export(path, format="litert", verbose=False, input_signature=signature)
        return path
    saved = _saved_model(jit_compile=False)(tf, model, inputs, base + "-savedmodel")
    converter = tf.lite.TFLiteConverter.from_saved_model(saved)  # keeps the signature
    with open(path, "wb") as handle:
        handle.write(converter.convert())
    return path


def _tfjs(tf, model, inputs, base):
    import tensorflowjs

    saved = base + "-savedmodel"
    _keras_export(tf, model, inputs, saved)
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
        if "user_model" in model:
            _kind, network, inputs, y, second = user_reference(model)
            built[model["id"]] = network, inputs
            return inputs, y, second
        arrays, x = model_input(plan, model)
        x = nhwc(x) if x.ndim == 4 else x
        network = _BUILDERS[model["id"]](tf.keras, model["params"], arrays)
        y = network(x, training=False).numpy()
        built[model["id"]] = network, (x,)
        return (x,), [y], None

    def export(route_id, model, base):
        network, x = built[model["id"]]
        return _EXPORTERS[route_id](tf, network, x, base)

    return reference, export


def keras_on_tensorflow(plan):
    """Keras reads its back-end once, at import: TensorFlow, whatever the shell says."""
    os.environ["KERAS_BACKEND"] = "tensorflow"


if __name__ == "__main__":
    run_exporter("tensorflow", "tensorflow", prepare, keras_on_tensorflow)
