"""Set up torch.compile's compiler toolchain once per machine, into a cache to reuse.

The first torch.compile on a machine pays for the compiler's own set-up (checking which
vector instructions the C++ compiler can target, building shared headers, starting its
worker pool), about 15 of the 19 s of a small MLP's first compiled call on a 2-core VM;
later compiles of a new model in a new process pay only for their own kernels (8 s).
That set-up is what any earlier torch.compile leaves in the cache and in its
precompiled headers (kept beside the cache, in the temporary folder), so this script
compiles a small function unrelated to the benchmark's workloads into a fresh cache,
moves the headers into it and renames it into place: the bench then copies it, and
its own first call stays a cold compile of its model.

Usage: torch_compiler_setup.py --plan PLAN.json --into FOLDER
"""

import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _bench_common import PRECOMPILED_HEADERS, inductor_header_folder, pin_threads
from _probe_common import exit_without_teardown


def main(argv):
    if len(argv) != 4 or argv[0] != "--plan" or argv[2] != "--into":
        sys.stderr.write("usage: torch_compiler_setup.py --plan PLAN.json --into FOLDER\n")
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        plan = json.load(handle)
    target = argv[3]
    # The advisor removes this folder once the process has ended, however it ended.
    building = "%s.building-%d" % (target, os.getpid())
    os.mkdir(building, 0o700)
    set_up(plan, building)
    try:
        os.rename(building, target)
    except OSError:  # another run set it up first
        shutil.rmtree(building, ignore_errors=True)
    exit_without_teardown()


def set_up(plan, building):
    """Compile an unrelated function with the cache in ``building``; keep its headers there."""
    pin_threads(plan["threads"])
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = building
    os.environ["TRITON_CACHE_DIR"] = os.path.join(building, "triton")
    import torch

    torch.set_num_threads(plan["threads"])
    device = "cuda" if plan["device"] == "cuda" else "cpu"
    unrelated = torch.compile(lambda x: (x * 2.0 + 1.0).relu().sum())
    unrelated(torch.arange(8.0, device=device))
    headers = inductor_header_folder()
    if os.path.isdir(headers):
        shutil.move(headers, os.path.join(building, PRECOMPILED_HEADERS))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
