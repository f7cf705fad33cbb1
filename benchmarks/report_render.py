"""Benchmark of report rendering (issue 5): a full report from a recorded quick run; target 0.5 s.

Usage: python benchmarks/report_render.py [--runs N]

Times render_html (view-model + templates) on tests/fixtures/records/bench_quick_cpu.json,
the first call (templates compiled, resources loaded) apart from the warm ones.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.record import record_from_json  # noqa: E402
from advisor.report.render import render_html  # noqa: E402

TARGET_S = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    fixture = ROOT / "tests" / "fixtures" / "records" / "bench_quick_cpu.json"
    record = record_from_json(fixture.read_text(encoding="utf-8"))
    start = time.perf_counter()
    html = render_html(record)
    first = time.perf_counter() - start
    warm = []
    for _ in range(args.runs):
        start = time.perf_counter()
        render_html(record)
        warm.append(time.perf_counter() - start)
    deciles = statistics.quantiles(warm, n=10)
    print(f"report: {len(html):,} characters")
    print(f"first render (cold templates): {first * 1e3:.1f} ms")
    print(
        f"warm render: median {statistics.median(warm) * 1e3:.1f} ms "
        f"(p10 {deciles[0] * 1e3:.1f}, p90 {deciles[-1] * 1e3:.1f}, n={len(warm)}); "
        f"target <= {TARGET_S * 1e3:.0f} ms: {'ok' if first <= TARGET_S else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
