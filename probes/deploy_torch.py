"""PyTorch's deployment routes: export the benchmark's seeded models (see _deploy_common).

Usage: deploy_torch.py --plan PLAN.json. Routes: torch.export, AOTInductor, TorchScript
(deprecated), ONNX through the dynamo exporter, ExecuTorch (XNNPACK and portable), and
LiteRT through litert-torch. Each writes one artifact per model under the run folder.
"""

import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _deploy_common import model_input, run_exporter
from torch_bench import cnn_model, mlp_model

_BUILDERS = {"mlp": mlp_model, "cnn": cnn_model}


def _exported_program(torch, model, x):
    return torch.export.export(model, (x,))


def _torch_export(torch, model, x, base):
    path = base + ".pt2"
    torch.export.save(_exported_program(torch, model, x), path)
    return path


def _aot_inductor(torch, model, x, base):
    if not any(shutil.which(name) for name in ("c++", "g++", "clang++")):
        raise RuntimeError("no C++ compiler: AOTInductor compiles each model to a shared library")
    from torch._inductor import aoti_compile_and_package

    return aoti_compile_and_package(_exported_program(torch, model, x), package_path=base + ".pt2")


def _torchscript(torch, model, x, base):
    path = base + ".ts"
    torch.jit.trace(model, x).save(path)
    return path


def _torch_onnx(torch, model, x, base):
    path = base + ".onnx"
    torch.onnx.export(model, (x,), path, dynamo=True, external_data=False, verbose=False)
    return path


def _executorch(lowered):
    def export(torch, model, x, base):
        program = lowered(_exported_program(torch, model, x)).to_executorch()
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


def _torch_litert(torch, model, x, base):
    import litert_torch

    path = base + ".tflite"
    litert_torch.convert(model, (x,)).export(path)
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
        arrays, x = model_input(plan, model)
        network = _BUILDERS[model["id"]](torch, model["params"], arrays).eval()
        inputs = torch.from_numpy(x)
        with torch.no_grad():
            y = network(inputs).numpy()
        built[model["id"]] = network, inputs
        return x, y

    def export(route_id, model, base):
        network, inputs = built[model["id"]]
        return _EXPORTERS[route_id](torch, network, inputs, base)

    return reference, export


def fresh_inductor_cache(plan):
    """AOTInductor compiles cold, in the run folder, never from an earlier run's cache."""
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(plan["run_dir"], "inductor-cache")


if __name__ == "__main__":
    run_exporter("torch", "torch", prepare, fresh_inductor_cache)
