"""The terminal view of `bench --model`: the user's own model, eager against compiled, and a
Keras 3 model's back-ends against each other."""

from __future__ import annotations

from advisor.record import BenchmarkRun
from advisor.wording.model_view import model_bench_view


def format_model_bench(run: BenchmarkRun) -> str:
    """The whole run as text: one line per back-end, variant and batch, then the ratios."""
    view = model_bench_view(run)
    cancelled = " - CANCELLED, partial results" if run.cancelled else ""
    lines = [f"Your model: {view.model}{cancelled}", f"  {view.method}"]
    for row in view.rows:
        figures = f"first call {row.first_call:<9} latency {row.latency} {row.spread}"
        figures += f"  {row.throughput}" if row.problem is None else f"  failed: {row.problem}"
        lines.append(f"  {row.backend:<22} {row.variant:<18} batch {row.batch:<4} {figures}")
    if view.ratios:
        lines.append("  PyTorch / TensorFlow, the same model on both back-ends:")
    for ratio in view.ratios:
        forms = f" ({ratio.forms})" if ratio.forms else ""
        lines.append(f"    batch {ratio.batch}, {ratio.pair}{forms}: {ratio.words}")
    lines += [f"  {line}" for line in (*view.memory, *view.failures, *view.parity)]
    return "\n".join(lines) + "\n"
