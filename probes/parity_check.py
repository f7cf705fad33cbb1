"""Compare the float32 outputs the bench scripts saved for the same inputs.

Usage: parity_check.py --plan PLAN.json. Needs only NumPy (both frameworks bring it).
Prints one JSON document; max_rel_diff is max|a - b| / max|b| (relative to the
output's scale), and `agree` holds when |a - b| <= atol + rtol * |b| everywhere.
The suite compares PyTorch's outputs with TensorFlow's. A plan with "parity"
({"reference": ..., "backends": [...]}: `bench --model`) compares each back-end's with
the reference back-end's, every check naming its back-end. A workload's outputs are
saved under its id, or, for a model with several, under id_out0, id_out1, ...: every
one is compared.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _bench_common import read_plan
from _probe_common import reserve_stdout, write_document

NAMES = {"torch": "PyTorch", "tensorflow": "TensorFlow", "jax": "JAX"}


def _load(run_dir, framework):
    import numpy as np

    path = os.path.join(run_dir, "outputs_%s.npz" % framework)
    if not os.path.exists(path):
        return None
    with np.load(path) as stored:
        return {key: stored[key] for key in stored.files}


def workload_outputs(saved, name):
    """A workload's saved outputs, in order: one under its id, or id_out0, id_out1, ..."""
    if saved is None:
        return []
    if name in saved:
        return [saved[name]]
    found = []
    while "%s_out%d" % (name, len(found)) in saved:
        found.append(saved["%s_out%d" % (name, len(found))])
    return found


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
    if not second.size:  # an empty output: nothing can differ
        return {"agree": True, "max_abs_diff": 0.0, "max_rel_diff": 0.0, "reason": None}
    difference = np.abs(first.astype("float64") - second.astype("float64"))
    scale = float(np.abs(second).max()) or 1.0
    return {
        "agree": bool(np.all(difference <= atol + rtol * np.abs(second))),
        "max_abs_diff": float(difference.max()),
        "max_rel_diff": float(difference.max()) / scale,
        "reason": None,
    }


def compare_all(firsts, seconds, rtol, atol):
    """One verdict over every output: the largest differences, and which output (of
    several) disagrees first."""
    if len(firsts) != len(seconds):
        reason = "%d outputs vs %d" % (len(firsts), len(seconds))
        return {"agree": False, "max_abs_diff": None, "max_rel_diff": None, "reason": reason}
    verdicts = [compare(a, b, rtol, atol) for a, b in zip(firsts, seconds)]
    if len(verdicts) == 1:
        return verdicts[0]
    for index, verdict in enumerate(verdicts):
        if verdict["max_abs_diff"] is None:
            return dict(verdict, reason="output %d: %s" % (index, verdict["reason"]))
    disagreeing = [i for i, verdict in enumerate(verdicts) if not verdict["agree"]]
    return {
        "agree": not disagreeing,
        "max_abs_diff": max(v["max_abs_diff"] for v in verdicts),
        "max_rel_diff": max(v["max_rel_diff"] for v in verdicts),
        "reason": "output %d disagrees" % disagreeing[0] if disagreeing else None,
    }


def _pairs(plan):
    """(back-end, reference, name for the document or None) for each comparison."""
    parity = plan.get("parity")
    if parity is None:
        return [("torch", "tensorflow", None)]
    return [(backend, parity["reference"], backend) for backend in parity["backends"]]


def check(saved, workload, framework, reference):
    """The outputs of `framework` against `reference`'s on one workload; `saved` holds
    each framework's saved outputs (None where it saved none)."""
    name, rtol, atol = workload["id"], workload["parity_rtol"], workload["parity_atol"]
    found = {fw: workload_outputs(saved[fw], name) for fw in (framework, reference)}
    missing = [NAMES.get(fw, fw) for fw in (framework, reference) if not found[fw]]
    if missing:
        reason = "no output from %s" % " and ".join(missing)
        return {"agree": None, "max_abs_diff": None, "max_rel_diff": None, "reason": reason}
    return compare_all(found[framework], found[reference], rtol, atol)


def main():
    plan = read_plan()
    out = reserve_stdout()
    pairs = _pairs(plan)
    saved = {fw: _load(plan["run_dir"], fw) for pair in pairs for fw in pair[:2]}
    checks = []
    for framework, reference, named in pairs:
        for workload in plan["workloads"]:
            verdict = check(saved, workload, framework, reference)
            checks.append(
                dict(
                    verdict,
                    workload=workload["id"],
                    rtol=workload["parity_rtol"],
                    atol=workload["parity_atol"],
                    backend=named,
                )
            )
    write_document(out, {"probe": "parity", "checks": checks})
    return 0


if __name__ == "__main__":
    sys.exit(main())
