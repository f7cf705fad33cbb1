"""Keras 3 on the PyTorch backend: the same Keras model exported as a torch.export program.

Usage: deploy_keras.py --plan PLAN.json. The hedge between the two frameworks: model
code written for Keras runs on PyTorch, and `model.export(format="torch")` hands a
`.pt2` program to PyTorch's own runtime (see _deploy_common).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _deploy_common import model_input, run_exporter, user_reference
from tensorflow_bench import cnn_model, mlp_model, nhwc

_BUILDERS = {"mlp": mlp_model, "cnn": cnn_model}


def prepare(keras, plan):
    import torch

    torch.set_num_threads(plan["threads"])
    built = {}

    def reference(model):
        if "user_model" in model:
            _kind, network, inputs, y, second = user_reference(model)
            built[model["id"]] = network, inputs
            return inputs, y, second
        arrays, x = model_input(plan, model)
        x = nhwc(x) if x.ndim == 4 else x
        network = _BUILDERS[model["id"]](keras, model["params"], arrays)
        y = keras.ops.convert_to_numpy(network(x, training=False))
        built[model["id"]] = network, None
        return (x,), [y], None

    def export(route_id, model, base):
        path = base + ".pt2"
        network, inputs = built[model["id"]]
        signature = None
        if inputs is not None:  # the user's model: its example inputs' shapes
            specs = [keras.InputSpec(shape=x.shape, dtype=str(x.dtype)) for x in inputs]
            signature = specs if len(specs) == 1 else [specs]
        network.export(path, format="torch", verbose=False, input_signature=signature)
        return path

    return reference, export


def torch_backend(plan):
    """Keras reads its backend once, at import."""
    os.environ["KERAS_BACKEND"] = "torch"


if __name__ == "__main__":
    run_exporter("keras_torch", "keras", prepare, torch_backend)
