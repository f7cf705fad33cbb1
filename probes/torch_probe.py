"""Probe PyTorch in this Python environment: version, build, devices (see _probe_common)."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _probe_common import check_op, run_probe


def _matmul_ok(torch, device):
    ones = torch.ones(4, 4, device=device)
    return float((ones @ ones).sum().item()) == 64.0


def _cudnn_version(torch):
    if not torch.backends.cudnn.is_available():
        return None
    number = torch.backends.cudnn.version()
    return "%d.%d.%d" % (number // 10000, number // 100 % 100, number % 100) if number else None


def _onednn(torch):
    if not torch.backends.mkldnn.is_available():
        return "disabled"
    match = re.search(r"MKL-DNN v([\d.]+)|oneDNN v([\d.]+)", torch.__config__.show())
    return next((g for g in match.groups() if g), "enabled") if match else "enabled"


def _build(torch):
    details = {
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "openmp": str(torch.backends.openmp.is_available()),
        "intra_op_threads": str(torch.get_num_threads()),
    }
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    if blas:
        details["blas"] = blas.group(1)
    return {
        "cuda_version": torch.version.cuda,
        "cudnn_version": _cudnn_version(torch),
        "rocm_version": getattr(torch.version, "hip", None),
        "onednn": _onednn(torch),
        "mkl": bool(torch.backends.mkl.is_available()),
        "details": details,
    }


def _device(kind, name, run):
    ok, error = check_op(run)
    return {"kind": kind, "name": name, "op_ok": ok, "op_error": error}


def _devices(torch):
    devices = [_device("cpu", "CPU", lambda: _matmul_ok(torch, "cpu"))]
    gpu_kind = "rocm" if getattr(torch.version, "hip", None) else "cuda"
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            name = "cuda:%d %s" % (index, torch.cuda.get_device_name(index))
            devices.append(
                _device(gpu_kind, name, lambda i=index: _matmul_ok(torch, "cuda:%d" % i))
            )
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append(_device("mps", "Apple MPS", lambda: _matmul_ok(torch, "mps")))
    return devices


def inspect(torch):
    return {"build": _build(torch), "devices": _devices(torch)}


if __name__ == "__main__":
    sys.exit(run_probe("torch", "torch", inspect))
