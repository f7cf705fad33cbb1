"""Compare the float32 outputs both frameworks' bench scripts saved for the same inputs.

Usage: parity_check.py --plan PLAN.json. Needs only NumPy (both frameworks bring it).
Prints one JSON document; max_rel_diff is max|a - b| / max|b| (relative to the
output's scale), and `agree` holds when |a - b| <= atol + rtol * |b| everywhere.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _bench_common import read_plan
from _probe_common import reserve_stdout, write_document


def _load(run_dir, framework):
    import numpy as np

    path = os.path.join(run_dir, "outputs_%s.npz" % framework)
    if not os.path.exists(path):
        return None
    with np.load(path) as stored:
        return {key: stored[key] for key in stored.files}


def compare(first, second, rtol, atol):
    """One parity verdict for two arrays that should hold the same values."""
    import numpy as np

    if first.shape != second.shape:
        return {
            "agree": False,
            "max_abs_diff": None,
            "max_rel_diff": None,
            "reason": "shapes differ: %s vs %s" % (first.shape, second.shape),
        }
    difference = np.abs(first.astype("float64") - second.astype("float64"))
    scale = float(np.abs(second).max()) or 1.0
    return {
        "agree": bool(np.all(difference <= atol + rtol * np.abs(second))),
        "max_abs_diff": float(difference.max()) if difference.size else 0.0,
        "max_rel_diff": float(difference.max()) / scale if difference.size else 0.0,
        "reason": None,
    }


def main():
    plan = read_plan()
    out = reserve_stdout()
    torch_out, tf_out = _load(plan["run_dir"], "torch"), _load(plan["run_dir"], "tensorflow")
    checks = []
    for workload in plan["workloads"]:
        name = workload["id"]
        check = {"workload": name, "rtol": workload["parity_rtol"], "atol": workload["parity_atol"]}
        missing = [
            fw
            for fw, outputs in (("PyTorch", torch_out), ("TensorFlow", tf_out))
            if outputs is None or name not in outputs
        ]
        if missing:
            check.update(
                agree=None,
                max_abs_diff=None,
                max_rel_diff=None,
                reason="no output from %s" % " and ".join(missing),
            )
        else:
            check.update(compare(torch_out[name], tf_out[name], check["rtol"], check["atol"]))
        checks.append(check)
    write_document(out, {"probe": "parity", "checks": checks})
    return 0


if __name__ == "__main__":
    sys.exit(main())
