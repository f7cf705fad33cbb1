"""PyTorch's deployment routes: export the benchmark's seeded models (see _deploy_common).

Usage: deploy_torch.py --plan PLAN.json. Routes: torch.export, AOTInductor, TorchScript
(deprecated), ONNX through the dynamo exporter, ExecuTorch (XNNPACK and portable), and
LiteRT through litert-torch. Each writes one artifact per model under the run folder;
every exporter takes the model's tuple of example inputs. TorchScript's tracer warns
when it turns a tensor into a Python value (an `if` on data): that route says it froze
a branch.
"""

import os
import shutil
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _deploy_common import model_input, run_exporter, user_reference
from _user_model import shown_path
from torch_bench import cnn_model, mlp_model

_BUILDERS = {"mlp": mlp_model, "cnn": cnn_model}


def _exported_program(torch, model, inputs):
    return torch.export.export(model, inputs)


def _torch_export(torch, model, inputs, base):
    path = base + ".pt2"
    torch.export.save(_exported_program(torch, model, inputs), path)
    return path


def _aot_inductor(torch, model, inputs, base):
    if not any(shutil.which(name) for name in ("c++", "g++", "clang++")):
        raise RuntimeError("no C++ compiler: AOTInductor compiles each model to a shared library")
    from torch._inductor import aoti_compile_and_package

    program = _exported_program(torch, model, inputs)
    return aoti_compile_and_package(program, package_path=base + ".pt2")


def _torchscript(torch, model, inputs, base):
    path = base + ".ts"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", torch.jit.TracerWarning)
        traced = torch.jit.trace(model, inputs)
    traced.save(path)
    return path, _frozen_branch(torch, caught)


def _frozen_branch(torch, caught):
    """What a TracerWarning says: the trace kept a tensor's value (a branch) as a constant."""
    for warning in caught:
        if issubclass(warning.category, torch.jit.TracerWarning):
            said = str(warning.message).split(". ")[0].rstrip(".")
            where = "%s:%d" % (shown_path(warning.filename), warning.lineno)
            return "torch.jit.trace warned: %s (at %s)" % (said, where)
    return None


def _torch_onnx(torch, model, inputs, base):
    path = base + ".onnx"
    torch.onnx.export(model, inputs, path, dynamo=True, external_data=False, verbose=False)
    return path


def _executorch(lowered):
    def export(torch, model, inputs, base):
        program = lowered(_exported_program(torch, model, inputs)).to_executorch()
        path = base + ".pte"
        with open(path, "wb") as handle:
            handle.write(program.buffer)
        return path

    return export


def _xnnpack(exported):
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import to_edge_transform_and_lower

    return to_edge_transform_and_lower(exported, partitioner=[XnnpackPartitioner()])


def _portable(exported):
    from executorch.exir import to_edge

    return to_edge(exported)


def _torch_litert(torch, model, inputs, base):
    import litert_torch

    path = base + ".tflite"
    litert_torch.convert(model, inputs).export(path)
    return path


_EXPORTERS = {
    "torch_export": _torch_export,
    "aot_inductor": _aot_inductor,
    "torchscript": _torchscript,
    "torch_onnx": _torch_onnx,
    "executorch_xnnpack": _executorch(_xnnpack),
    "executorch_portable": _executorch(_portable),
    "torch_litert": _torch_litert,
}


def prepare(torch, plan):
    torch.set_num_threads(plan["threads"])
    built = {}

    def reference(model):
        if "user_model" in model:
            _kind, network, xs, y, second = user_reference(model)
            built[model["id"]] = network, tuple(torch.from_numpy(x) for x in xs)
            return xs, y, second
        arrays, x = model_input(plan, model)
        network = _BUILDERS[model["id"]](torch, model["params"], arrays).eval()
        inputs = torch.from_numpy(x)
        with torch.no_grad():
            y = network(inputs).numpy()
        built[model["id"]] = network, (inputs,)
        return (x,), [y], None

    def export(route_id, model, base):
        network, inputs = built[model["id"]]
        return _EXPORTERS[route_id](torch, network, inputs, base)

    return reference, export


def fresh_inductor_cache(plan):
    """AOTInductor compiles cold, in the run folder, never from an earlier run's cache."""
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(plan["run_dir"], "inductor-cache")


if __name__ == "__main__":
    run_exporter("torch", "torch", prepare, fresh_inductor_cache)
