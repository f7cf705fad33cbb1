"""The same bench quiet and beside a busy loop on every core: other work's share and the ratios.

Usage: python benchmarks/busy_machine.py [--preset quick|tiny|full] [--keep DIR]

Runs `framework-advisor bench --preset P --device cpu` twice, with one fresh data
folder (the second run skips torch.compile's one-time set-up): first as the machine is
(keep other work off it: its share is printed, so a run that was not quiet shows it),
then beside one `while True: pass` process pinned to each core
(tests/helpers.competing_load, the load the busy-machine test uses). Prints, per
PyTorch/TensorFlow pair, other work's share of the cores while its samples were taken
and its ratio in the one wording every front-end shows, quiet above loaded; then each
run's share over all its timing passes and the steal time. Issue 25: a busy machine
must be said ("measured on a busy machine") and left out of the advice, never shown as
quiet.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the advisor and the tests' competing load, from this checkout

from advisor.comparison import PAIR_LABELS, Comparison, compare, ratio_words  # noqa: E402
from advisor.machine.load import others_share, steal_share  # noqa: E402
from advisor.record import record_from_json  # noqa: E402
from tests.helpers import competing_load  # noqa: E402


def _bench(preset: str, saved: Path, data: str, load: AbstractContextManager[object]) -> Comparison:
    command = [sys.executable, "-m", "advisor", "bench", "--preset", preset, "--device", "cpu"]
    with load:
        subprocess.run(
            [*command, "--output", str(saved), "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
            env=dict(os.environ, FRAMEWORK_ADVISOR_DATA_DIR=data),
        )
    run = record_from_json(saved.read_text(encoding="utf-8"), str(saved)).benchmarks
    assert run is not None
    return compare(run)


def _share(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.0%}"


def _whole(name: str, comparison: Comparison) -> str:
    uses = [s.use for s in comparison.run.cpu_use if s.command == "measure"]
    return (
        f"{name:<7} {comparison.run.wall_time_s:6.1f} s; other work {_share(others_share(uses))}"
        f" of the cores over every timing pass, steal {_share(steal_share(uses))}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="quick", choices=("tiny", "quick", "full"))
    parser.add_argument("--keep", type=Path, help="save both records in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryDirectory() as data:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        quiet = _bench(args.preset, folder / "quiet.json", data, nullcontext())
        loaded = _bench(args.preset, folder / "loaded.json", data, competing_load())
    print(f"{args.preset} preset on {quiet.run.device_name}, {quiet.run.threads} threads")
    print("per pair: other work's share of the cores while its samples were taken, its ratio")
    for row in quiet.rows:
        other = loaded.row(row.workload.id, row.pair, row.dtype)
        print(f"{row.workload.id} {row.dtype}, {PAIR_LABELS[row.pair]}")
        for name, shown in (("quiet", row), ("loaded", other)):
            if shown is not None:
                words = ratio_words(shown.ratio, shown.interval, shown.busy)
                print(f"  {name:<7} {_share(shown.busy)}  {words}")
    print(_whole("quiet", quiet))
    print(_whole("loaded", loaded))
    return 0


if __name__ == "__main__":
    sys.exit(main())
