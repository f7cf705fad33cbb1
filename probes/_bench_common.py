"""Shared benchmark machinery for the framework bench scripts: timing, weights, events.

The plan (a JSON file written by the advisor) names the phase (eager or compiled),
device, thread count, the timing budget of one pass and the workloads with their
sizes. After importing its framework (the import alone is timed) and setting up what
its phase needs, a bench script says "ready", then obeys one command per line on
stdin: "prepare I" sets up workload I's cases (dtype x variant: the set-up, the timed
first call, the parity output), "measure I" times them for one pass, "finish" ends
the suite. Each command is answered with a "slot_done" event: the advisor runs both
frameworks' scripts side by side and lets them take turns, slot by slot, so a slow
spell of the machine hits both alike. "phase PLAN" moves the process on to the next
phase's plan (the compiled one, after the eager one: compiled code never runs before an
eager case is timed) and is answered with "ready" again.

Each case is reported after every pass ("case_updated", then "case_finished"),
so results survive a crash or a cancel. Weights and inputs come from one seeded
NumPy file per workload shared by both frameworks, and each script saves its
float32 eager outputs for the parity check.
"""

import json
import os
import statistics
import sys
import tempfile
import time
import zlib

from _probe_common import (
    PROTOCOL_VERSION,
    emit_progress,
    exit_without_teardown,
    last_line,
    peak_resident_memory_bytes,
    probe_framework,
    reserve_stdout,
    resident_memory_bytes,
    timed_import,
    write_document,
)


def read_plan(argv=None):
    """The plan file named on the command line, as a dict."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2 or args[0] != "--plan":
        sys.stderr.write("usage: %s --plan PLAN.json\n" % os.path.basename(sys.argv[0]))
        sys.exit(2)
    return load_plan(args[1])


def read_args(argv=None):
    """The plan file named on the command line, and the ecosystem packages to list where the
    script starts as its framework's probe (``--probe PACKAGES``, comma-separated), else None."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) == 2 and args[0] == "--plan":
        return args[1], None
    if len(args) == 4 and args[0] == "--plan" and args[2] == "--probe":
        return args[1], [name for name in args[3].split(",") if name]
    sys.stderr.write(
        "usage: %s --plan PLAN.json [--probe PACKAGES]\n" % os.path.basename(sys.argv[0])
    )
    sys.exit(2)


def load_plan(path):
    """A plan file, as a dict."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


# What the compiler set-up keeps its copy of TorchInductor's precompiled headers in.
PRECOMPILED_HEADERS = "precompiled_headers"


def inductor_header_folder():
    """Where TorchInductor keeps its precompiled headers, as torch/_inductor/codecache.py
    names it (_HEADER_DIR): outside its cache folder, in the temporary folder, which the
    advisor points at each child's own folder. Computed without importing the compiler,
    whose import belongs to the timed first compiled call."""
    import getpass
    import re

    try:
        user = getpass.getuser()
    except (KeyError, ImportError, OSError):
        user = "uid_%d" % os.getuid() if hasattr(os, "getuid") else "unknown_user"
    user = re.sub(r'[\\/:*?"<>|]', "_", user)
    return os.path.join(tempfile.gettempdir(), "torchinductor_" + user, PRECOMPILED_HEADERS)


def pin_threads(threads):
    """Environment for the native thread pools; call before importing the framework."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(threads)


# glibc's malloc hands big blocks (conv outputs, activations) out as fresh mmap()s
# below a threshold that moves with the process's history, so the same op paid for
# page faults on every call in one process and not in the next: 31 ms against 17.5 ms
# for PyTorch's quick conv2d on a 2-core Zen 4. Fixed thresholds keep freed memory for
# reuse, the steady state a long-running program reaches; both frameworks get the same.
_MMAP_THRESHOLD_BYTES = 256 << 20
_TRIM_THRESHOLD_BYTES = 512 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def steady_allocator():
    """Fix glibc's mmap and trim thresholds (call first thing); says what took effect."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    if name is None:
        return "system default"
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return "system default"
    mmap_fixed = mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES) == 1
    trim_fixed = mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES) == 1
    if not (mmap_fixed and trim_fixed):
        return "system default (mallopt refused)"
    return "glibc mmap/trim thresholds fixed at %d/%d MiB" % (
        _MMAP_THRESHOLD_BYTES >> 20,
        _TRIM_THRESHOLD_BYTES >> 20,
    )


def coefficient_of_variation(samples):
    if len(samples) < 2:
        return float("inf")
    mean = statistics.fmean(samples)
    return statistics.stdev(samples) / mean if mean > 0 else float("inf")


# An iteration this long warms itself up: caches refill in well under 1 % of it.
WARM_ENOUGH_S = 0.1


def measure(run_once, sync, budget, clock=time.perf_counter, inner=None, earlier=()):
    """Warm up, then time blocks of iterations until the budget or target dispersion is reached.

    One block repeats `run_once` enough times to last at least `min_sample_s`
    (so timer and loop overhead stay small; `inner` reuses an earlier
    calibration, whose last block is the pass's first sample), then calls
    `sync` so that queued device work is finished before the clock is read.
    The target dispersion is judged over all of the case's samples, `earlier`
    passes' included, and only once there are `cv_min_repeats` of them: two
    samples that happen to agree say little, and a case whose passes disagree
    keeps sampling to the end of its budget.
    A later pass skips the warm-up when one iteration lasts `WARM_ENOUGH_S` or
    more: refilling the caches after the other framework's turn is lost in it.
    A block that alone outlasts the pass's budget ends the pass (`min_repeats` is met by
    the passes together): TensorFlow's eager LSTM, 0.35-0.5 s an iteration, took 5 of a
    quick run's 45 s with two such blocks a pass, and takes 3 s with one (two in the
    first, the calibration's block among them).
    Returns per-iteration seconds for every block of this pass, the iterations
    per block and the warm-up count.
    """
    warmup = budget["warmup"]
    if earlier and statistics.median(earlier) >= WARM_ENOUGH_S:
        warmup = 0
    for _ in range(warmup):
        run_once()
    sync()
    samples = []
    started = clock()
    if inner is None:
        inner, seconds = _calibrate(run_once, sync, budget["min_sample_s"], clock)
        samples.append(seconds / inner)
    while len(samples) < budget["max_repeats"]:
        begin = clock()
        for _ in range(inner):
            run_once()
        sync()
        samples.append((clock() - begin) / inner)
        if len(samples) < budget["min_repeats"] and samples[-1] * inner < budget["budget_s"]:
            continue
        if clock() - started >= budget["budget_s"]:
            break
        so_far = [*earlier, *samples]
        enough = len(so_far) >= budget["cv_min_repeats"]
        if enough and coefficient_of_variation(so_far) <= budget["target_cv"]:
            break
    return {"samples_s": samples, "inner_iterations": inner, "warmup_iterations": warmup}


def _calibrate(run_once, sync, min_sample_s, clock):
    """Iterations per block, doubled until one block lasts min_sample_s, and that block's
    seconds: a block like every timed one after it, so it is the pass's first sample."""
    inner = 1
    while True:
        begin = clock()
        for _ in range(inner):
            run_once()
        sync()
        seconds = clock() - begin
        if seconds >= min_sample_s or inner >= 1 << 16:
            return inner, seconds
        inner *= 2


def time_first_call(run_once, sync, clock=time.perf_counter):
    """Seconds for the very first call (for compiled variants: tracing and compiling)."""
    begin = clock()
    run_once()
    sync()
    return clock() - begin


def workload_rng(seed, workload_id):
    """A NumPy generator of its own for each workload, independent of workload order."""
    import numpy as np

    return np.random.default_rng([seed, zlib.crc32(workload_id.encode())])


def load_or_create_arrays(run_dir, name, seed, make):
    """The seeded arrays of one workload, generated once per run and shared by both frameworks."""
    import numpy as np

    path = os.path.join(run_dir, "arrays_%s.npz" % name)
    if not os.path.exists(path):
        arrays = make(workload_rng(seed, name))
        temp = path + ".%d.tmp.npz" % os.getpid()
        np.savez(temp, **arrays)
        os.replace(temp, path)
    with np.load(path) as stored:
        return {key: stored[key] for key in stored.files}


class Suite:
    """Prepares and times the cases of one framework's suite, as the advisor commands."""

    def __init__(self, framework, plan, ready_message):
        self.framework = framework
        self.plan = plan
        self.ready_message = ready_message
        self.parity_outputs = {}
        self.prepared = []

    def serve(self, bench):
        """Say "ready", then obey "prepare I", "measure I" and "finish" lines on stdin,
        answering each with slot_done.

        Ready only now: whatever the script set up since its import ran while nothing
        else was timed (the advisor starts the next import, or the first turn, on hearing it).
        """
        emit_progress(self.ready_message, stage="ready")
        for line in sys.stdin:
            verb, _, index = line.strip().partition(" ")
            if verb == "finish":
                break
            if verb == "phase":
                self.next_phase(index, bench)
                continue
            workload = self.plan["workloads"][int(index)]
            if verb == "prepare":
                getattr(bench, workload["id"])(workload)
                if int(index) == len(self.plan["workloads"]) - 1:
                    # every output is kept: the parity check may read them from now on
                    self.save_parity_outputs()
            elif verb == "measure":
                self.measure_workload(workload["id"])
            else:
                raise SystemExit("unknown command %r" % line.strip())
            emit_progress(line.strip(), stage="slot_done")

    def next_phase(self, plan_path, bench):
        """Leave the phase that ended for the one `plan_path` names, then say "ready" again.

        The ended phase's cases are let go. The plan changes in place: the bench and
        everything it made read the same dict. `bench.enter_phase()`, where it has one,
        sets up what the new phase needs (untimed, as after the import).
        """
        self.prepared = []
        self.plan.clear()
        self.plan.update(load_plan(plan_path))
        getattr(bench, "enter_phase", lambda: None)()
        emit_progress("%s phase set up" % self.plan["phase"], stage="ready")

    def run_case(self, case, build, why=last_line):
        """Prepare one case; any exception becomes a failed result (`why(exc)` its reason)
        and the suite goes on."""
        emit_progress(
            "%s %s %s" % (case["workload"], case["variant"], case["dtype"]),
            stage="case_started",
            case=case,
        )
        try:
            timer = build()
        except Exception as exc:  # a failed case is a finding (unsupported dtype, OOM, ...)
            self._report(dict(case, status="failed", reason=why(exc)), final=True)
            return
        self.prepared.append(
            {"case": case, "timer": timer, "samples": [], "inner": None, "warmup": 0, "passes": 0}
        )

    def timed(self, run_once, sync, work, first_call=False):
        """A case ready to time; `work` is what one iteration does (FLOPs, samples...)."""
        first = time_first_call(run_once, sync) if first_call else None
        return {"run_once": run_once, "sync": sync, "work": float(work), "first_call_s": first}

    def measure_workload(self, workload_id):
        """One timing pass over the prepared cases of one workload."""
        for entry in [e for e in self.prepared if e["case"]["workload"] == workload_id]:
            entry["passes"] += 1
            self._measure_pass(entry, self.plan["budget"], entry["passes"] >= self.plan["passes"])

    def _measure_pass(self, entry, budget, final):
        timer = entry["timer"]
        try:
            timing = measure(
                timer["run_once"],
                timer["sync"],
                budget,
                inner=entry["inner"],
                earlier=entry["samples"],
            )
        except Exception as exc:  # e.g. out of memory in a later pass
            self.prepared.remove(entry)
            self._report(dict(entry["case"], status="failed", reason=last_line(exc)), final=True)
            return
        entry["inner"] = timing["inner_iterations"]
        entry["samples"].extend(timing["samples_s"])
        entry["warmup"] += timing["warmup_iterations"]
        result = dict(
            entry["case"],
            status="ok",
            reason=None,
            samples_s=list(entry["samples"]),
            inner_iterations=entry["inner"],
            warmup_iterations=entry["warmup"],
            work_per_iteration=timer["work"],
            first_call_s=timer["first_call_s"],
        )
        self._report(result, final)

    def _report(self, result, final):
        label = "%s %s %s" % (result["workload"], result["variant"], result["dtype"])
        emit_progress(
            "%s: %s" % (label, result["status"]),
            stage="case_finished" if final else "case_updated",
            result=result,
        )

    def keep_parity_output(self, workload, array):
        self.parity_outputs[workload] = array

    def save_parity_outputs(self):
        """Save the outputs kept so far, once: they come from the eager phase's preparing,
        and the compiled phase keeps none, so it leaves the file alone."""
        if not self.parity_outputs:
            return
        import numpy as np

        path = os.path.join(self.plan["run_dir"], "outputs_%s.npz" % self.framework)
        np.savez(path + ".tmp.npz", **self.parity_outputs)
        os.replace(path + ".tmp.npz", path)
        self.parity_outputs = {}


def run_suite(framework, module_name, run_all, prepare_environment=None, probe_report=None):
    """Shared flow of a bench script: pin threads, import, serve the advisor, print the summary.

    `run_all(module, suite)` configures the framework, sets up its bench, calls
    `suite.serve(bench)` (which says "ready") and returns the settings it ran with.

    `prepare_environment(plan)` may set variables the framework reads at import.

    Started with ``--probe PACKAGES`` (the bench job), the script is first its framework's
    probe: its one import is the probe's, `probe_report(module, plan)` the probe script's
    report, and the probe's document goes out as a "probed" event. Then it waits for the
    first phase's plan ("phase PLAN"), so a run imports each framework once. The plan it
    starts with names only the threads, the seed and the run folder.
    """
    allocator = steady_allocator()
    plan_path, packages = read_args()
    plan = load_plan(plan_path)
    out = reserve_stdout()
    pin_threads(plan["threads"])
    if prepare_environment is not None:
        prepare_environment(plan)
    if packages is None:
        emit_progress("importing %s" % module_name, stage="import")
        module, import_time = timed_import(module_name)
        rss_after_import = resident_memory_bytes()
    else:
        module, import_time, rss_after_import = _probe_first(
            framework, module_name, probe_report, packages, plan
        )
    suite = Suite(framework, plan, "%s %s imported" % (module_name, module.__version__))
    settings = run_all(module, suite)
    write_document(
        out,
        {
            "probe": framework + "_bench",
            "version": module.__version__,
            "import_time_s": import_time,
            "rss_after_import_bytes": rss_after_import,
            "peak_rss_bytes": peak_resident_memory_bytes(),
            "settings": {
                key: str(value) for key, value in dict(settings, malloc=allocator).items()
            },
        },
    )
    exit_without_teardown()


def _probe_first(framework, module_name, probe_report, packages, plan):
    """Probe the framework (the probe's document as a "probed" event), then wait for the
    first phase's plan, which replaces `plan` in place; the module, its import's seconds and
    the memory right after the import, as the probe measured them (before its inspection).
    Ends the process where the framework did not import, or the advisor sends no plan."""
    document, module = probe_framework(
        framework, module_name, lambda module: probe_report(module, plan), packages
    )
    document = dict(document, schema_version=PROTOCOL_VERSION)
    emit_progress("%s: %s" % (framework, document["status"]), stage="probed", document=document)
    verb, _, path = sys.stdin.readline().strip().partition(" ")
    if module is None or verb != "phase":
        exit_without_teardown()
    plan.clear()
    plan.update(load_plan(path))
    report = document["report"]
    return module, report["import_time_s"], report["rss_after_import_bytes"]


def _scaled_uniform(rng, shape, fan_in):
    bound = 1.0 / fan_in**0.5
    return rng.uniform(-bound, bound, size=shape).astype("float32")


def _make_matmul(rng, p):
    n = p["n"]
    return {
        "a": rng.standard_normal((n, n), dtype="float32"),
        "b": rng.standard_normal((n, n), dtype="float32"),
    }


def _make_conv2d(rng, p):
    fan_in = p["channels_in"] * p["kernel"] ** 2
    return {
        "x": rng.standard_normal(
            (p["batch"], p["channels_in"], p["size"], p["size"]), dtype="float32"
        ),
        "w": _scaled_uniform(
            rng, (p["channels_out"], p["channels_in"], p["kernel"], p["kernel"]), fan_in
        ),
        "b": _scaled_uniform(rng, (p["channels_out"],), fan_in),
    }


def _make_mlp(rng, p):
    sizes = [p["features"], *list(p["hidden"]), p["classes"]]
    arrays = {
        "x": rng.standard_normal((p["batch"], p["features"]), dtype="float32"),
        "y": rng.integers(0, p["classes"], size=p["batch"]).astype("int64"),
    }
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        arrays["w%d" % i] = _scaled_uniform(rng, (fan_out, fan_in), fan_in)
        arrays["b%d" % i] = _scaled_uniform(rng, (fan_out,), fan_in)
    return arrays


def _make_cnn(rng, p):
    c1, c2 = p["channels"]
    return {
        "x": rng.standard_normal((p["batch"], 3, p["size"], p["size"]), dtype="float32"),
        "y": rng.integers(0, p["classes"], size=p["batch"]).astype("int64"),
        "conv1_w": _scaled_uniform(rng, (c1, 3, 3, 3), 27),
        "conv1_b": _scaled_uniform(rng, (c1,), 27),
        "conv2_w": _scaled_uniform(rng, (c2, c1, 3, 3), 9 * c1),
        "conv2_b": _scaled_uniform(rng, (c2,), 9 * c1),
        "fc_w": _scaled_uniform(rng, (p["classes"], c2), c2),
        "fc_b": _scaled_uniform(rng, (p["classes"],), c2),
    }


def _make_lstm(rng, p):
    k, b, hidden = p["batches"], p["batch"], p["hidden"]
    lengths = rng.integers(p["min_length"], p["max_length"] + 1, size=(k, b)).astype("int64")
    return {
        "x": rng.standard_normal((k, b, p["max_length"], p["features"]), dtype="float32"),
        "lengths": lengths,
        "w_ih": _scaled_uniform(rng, (4 * hidden, p["features"]), hidden),
        "w_hh": _scaled_uniform(rng, (4 * hidden, hidden), hidden),
        "bias": _scaled_uniform(rng, (4 * hidden,), hidden),
    }


def _make_transformer(rng, p):
    d, ff = p["d_model"], p["feedforward"]
    return {
        "x": rng.standard_normal((p["batch"], p["sequence"], d), dtype="float32"),
        "in_proj_w": _scaled_uniform(rng, (3 * d, d), d),
        "in_proj_b": _scaled_uniform(rng, (3 * d,), d),
        "out_proj_w": _scaled_uniform(rng, (d, d), d),
        "out_proj_b": _scaled_uniform(rng, (d,), d),
        "ff1_w": _scaled_uniform(rng, (ff, d), d),
        "ff1_b": _scaled_uniform(rng, (ff,), d),
        "ff2_w": _scaled_uniform(rng, (d, ff), ff),
        "ff2_b": _scaled_uniform(rng, (d,), ff),
        "norm1_g": (1 + 0.1 * rng.standard_normal(d)).astype("float32"),
        "norm1_b": (0.1 * rng.standard_normal(d)).astype("float32"),
        "norm2_g": (1 + 0.1 * rng.standard_normal(d)).astype("float32"),
        "norm2_b": (0.1 * rng.standard_normal(d)).astype("float32"),
    }


def _make_pipeline(rng, p):
    size = p["size"]
    return {
        "images": rng.integers(0, 256, size=(p["samples"], size, size, 3)).astype("uint8"),
        "labels": rng.integers(0, 10, size=p["samples"]).astype("int64"),
    }


_MAKERS = {
    "matmul": _make_matmul,
    "conv2d": _make_conv2d,
    "mlp_train": _make_mlp,
    "cnn_train": _make_cnn,
    "lstm": _make_lstm,
    "transformer_b1": _make_transformer,
    "transformer_b32": _make_transformer,
    "input_pipeline": _make_pipeline,
}

# Shared by both frameworks' input pipelines: per-sample normalisation constants.
PIPELINE_MEAN, PIPELINE_STD = 0.5, 0.25


def arrays_for(plan, workload):
    """Seeded weights and inputs of one workload (NumPy, canonical PyTorch layouts)."""
    maker = _MAKERS[workload["id"]]
    return load_or_create_arrays(
        plan["run_dir"], workload["id"], plan["seed"], lambda rng: maker(rng, workload["params"])
    )
