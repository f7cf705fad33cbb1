"""Probe TensorFlow in this Python environment: version, build, devices (see _probe_common)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Keep TensorFlow's C++ start-up chatter off stderr unless the user asked for it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from _probe_common import check_op, run_probe


def _onednn():
    try:
        from tensorflow.python.util import _pywrap_util_port  # internal, absent in some builds
    except ImportError:
        return None
    enabled = _pywrap_util_port.IsMklEnabled()
    if os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0":
        enabled = False
    return "enabled" if enabled else "disabled"


def _build(tf):
    info = dict(tf.sysconfig.get_build_info())
    rocm = info.get("rocm_version") if info.get("is_rocm_build") else None
    return {
        "cuda_version": info.get("cuda_version") if info.get("is_cuda_build") else None,
        "cudnn_version": info.get("cudnn_version") if info.get("is_cuda_build") else None,
        "rocm_version": rocm,
        "onednn": _onednn(),
        "mkl": None,
        "details": {key: str(value) for key, value in sorted(info.items())},
    }


def _matmul_ok(tf, logical_name):
    with tf.device(logical_name):
        ones = tf.ones((4, 4))
        return float(tf.reduce_sum(tf.matmul(ones, ones)).numpy()) == 64.0


def _device_name(tf, device):
    try:
        details = tf.config.experimental.get_device_details(device)
    except Exception:  # details are optional; the device is still listed
        details = {}
    return details.get("device_name")


def _devices(tf):
    kinds = {"CPU": "cpu", "GPU": "rocm" if tf.test.is_built_with_rocm() else "cuda"}
    devices = []
    for device in tf.config.list_physical_devices():
        if device.device_type not in kinds:
            continue
        logical = device.name.replace("/physical_device:", "/")
        ok, error = check_op(lambda name=logical: _matmul_ok(tf, name))
        label = " ".join(filter(None, [logical.strip("/"), _device_name(tf, device)]))
        devices.append(
            {"kind": kinds[device.device_type], "name": label, "op_ok": ok, "op_error": error}
        )
    return devices


def inspect(tf):
    return {"build": _build(tf), "devices": _devices(tf)}


if __name__ == "__main__":
    sys.exit(run_probe("tensorflow", "tensorflow", inspect))
