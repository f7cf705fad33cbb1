"""What else the machine did: /proc/stat accounting, the run's own tree, and what is said."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from advisor.bench.run import PHASES
from advisor.comparison import busy_note, compare, ratio_words
from advisor.machine.load import (
    BUSY_SHARE,
    Reading,
    SlotMeter,
    between,
    core_times,
    descendants,
    is_busy,
    others_share,
    own_cpu_s,
    read,
    steal_share,
)
from advisor.record import (
    BenchmarkRun,
    CpuUse,
    record_from_json,
    record_to_json,
)
from advisor.scoring.answers import default_answers
from advisor.scoring.engine import recommend
from advisor.scoring.evidence import measured_scores
from advisor.scoring.knowledge import knowledge
from advisor.terminal.bench import format_benchmarks
from tests import helpers

PROC = helpers.FIXTURES / "proc"
# Recorded on a two-core VM (100 ticks a second) over 2.004 s while a busy loop was
# pinned to each core: cpu0 took 180 user + 20 system + 1 steal ticks, cpu1 185 + 14.
BEFORE = (PROC / "stat_loaded_before").read_text()
AFTER = (PROC / "stat_loaded_after").read_text()


def _run(name: str) -> BenchmarkRun:
    record = record_from_json((helpers.FIXTURES / "records" / name).read_text(), name)
    assert record.benchmarks is not None
    return record.benchmarks


def test_proc_stat_counts_busy_and_steal_time_of_the_cores_the_run_may_use() -> None:
    # user + nice + system + irq + softirq + steal of cpu0 and cpu1; the "cpu" total
    # line is not counted twice
    assert core_times(AFTER, {0, 1}, 100) == pytest.approx((1918.77, 19.48, 2))
    assert core_times(BEFORE, {0, 1}, 100) == pytest.approx((1914.77, 19.47, 2))
    assert core_times(AFTER, {1}, 100) == pytest.approx((1001.87, 10.68, 1))
    assert core_times(AFTER, {7}, 100)[2] == 0  # a core the machine does not list


def _reading(text: str, at_s: float, own_s: float) -> Reading:
    busy, steal, cores = core_times(text, {0, 1}, 100)
    return Reading(at_s, busy, steal, own_s, cores)


def test_other_work_is_the_machines_busy_time_less_the_runs_own() -> None:
    # The recorded load kept both cores busy for 2 s: 4 CPU-seconds in all.
    outside = between(_reading(BEFORE, 10.0, 5.0), _reading(AFTER, 12.0, 5.0))
    assert outside == CpuUse(2.0, 2, pytest.approx(4.0), 0.0, pytest.approx(0.01))
    assert others_share([outside]) == pytest.approx(1.0)
    assert is_busy(others_share([outside]))
    # The same ticks, all of them the run's own (its two suites): nothing else ran.
    own = between(_reading(BEFORE, 10.0, 5.0), _reading(AFTER, 12.0, 8.98))
    assert others_share([own]) == pytest.approx(0.02 / 4)
    assert not is_busy(others_share([own]))
    # One core of the two taken by others: half
    half = between(_reading(BEFORE, 10.0, 5.0), _reading(AFTER, 12.0, 7.0))
    assert others_share([half]) == pytest.approx(0.5)
    assert steal_share([half]) == pytest.approx(0.01 / 4)


def test_slots_are_summed_before_the_run_is_subtracted() -> None:
    # Process times and /proc/stat need not tick together: a short slot can read a
    # little below zero, which the next one makes up; clamping each would add up noise.
    first = CpuUse(elapsed_s=0.5, cores=2, busy_s=0.9, own_s=1.0, steal_s=0.0)
    second = CpuUse(elapsed_s=0.5, cores=2, busy_s=1.1, own_s=0.9, steal_s=0.0)
    assert others_share([first, second]) == pytest.approx(0.1 / 2)
    assert others_share([first]) == 0.0
    assert others_share([]) is None
    assert is_busy(BUSY_SHARE + 0.01) and not is_busy(BUSY_SHARE) and not is_busy(None)


_BURN = "import time\nend = time.process_time() + {s}\nwhile time.process_time() < end: pass\n"


def test_the_runs_own_tree_counts_children_and_grandchildren_living_or_reaped() -> None:
    # A child that burns 0.4 s of CPU, starts a grandchild that burns 0.4 s and reaps it,
    # burns 0.4 s more and waits while we read: a running child, a reaped grandchild.
    code = (
        "import subprocess, sys, time\n"
        + _BURN.format(s=0.4)
        + f"subprocess.run([sys.executable, '-c', {_BURN.format(s=0.4)!r}], check=True)\n"
        + _BURN.format(s=0.4)
        + "print('burnt', flush=True)\n"
        + "time.sleep(30)\n"
    )
    start = own_cpu_s(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "burnt\n"
        counted = own_cpu_s(os.getpid()) - start
    finally:
        child.kill()
        child.wait()
    # 1.2 s burnt in the tree (and the interpreters' start-up), counted in 10 ms ticks
    assert counted >= 1.15


def test_the_kernels_lists_of_children_find_the_tree_psutil_finds() -> None:
    code = "import subprocess, sys\nsubprocess.run([sys.executable, '-c', 'input()'])\n"
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(psutil.Process(child.pid).children()) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        (grandchild,) = psutil.Process(child.pid).children()
        found = descendants(os.getpid())
        expected = {p.pid for p in psutil.Process().children(recursive=True)}
    finally:
        assert child.stdin is not None
        child.stdin.close()  # the grandchild's input() ends, then both
        child.wait(timeout=60)
    assert {child.pid, grandchild.pid} <= set(found) and set(found) == expected
    assert descendants(grandchild.pid) == []


def test_work_outside_the_runs_tree_is_other_work_not_its_own() -> None:
    """Two sibling processes: an idle one stands for the run, a busy loop for other work."""
    run = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    other = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)  # both interpreters started
        before_run, before_all = read(run.pid), read()
        loop = psutil.Process(other.pid)
        busy_before = loop.cpu_times().user
        deadline = time.monotonic() + 60  # however busy the machine, the loop gets 0.3 s
        while loop.cpu_times().user - busy_before < 0.3 and time.monotonic() < deadline:
            time.sleep(0.1)
        after_run, after_all = read(run.pid), read()
        burnt = loop.cpu_times().user - busy_before
    finally:
        for process in (run, other):
            process.kill()
            process.wait()
    assert before_run and after_run and before_all and after_all
    assert burnt >= 0.3
    as_the_run = between(before_run, after_run)
    as_us = between(before_all, after_all)  # the loop is a child of this process
    assert as_the_run.own_s < 0.05  # the idle process
    assert as_us.own_s >= burnt - 0.02
    assert as_the_run.busy_s - as_the_run.own_s >= burnt - 0.05  # the loop is the others'
    assert as_the_run.cores == len(os.sched_getaffinity(0))


def test_the_slot_meter_reads_between_slots_and_names_each_slot() -> None:
    heard: list[str] = []
    meter = SlotMeter()
    step_done = meter.hearing("compiled", ["mlp_train", "cnn_train"], heard.append)
    time.sleep(1.0)  # the suites import: not a slot
    for step in ("import", "prepare 0 #1", "prepare 1 #1", "measure 0 #1", "measure 1 #1"):
        step_done(step)
        time.sleep(0.02)
    assert heard == ["import", "prepare 0 #1", "prepare 1 #1", "measure 0 #1", "measure 1 #1"]
    named = [(s.phase, s.command, s.workload) for s in meter.slots]
    assert named == [
        ("compiled", "prepare", "mlp_train"),
        ("compiled", "prepare", "cnn_train"),
        ("compiled", "measure", "mlp_train"),
        ("compiled", "measure", "cnn_train"),
    ]
    assert all(0.015 <= s.use.elapsed_s < 0.9 for s in meter.slots)  # "import" starts it
    assert all(s.use.cores == len(os.sched_getaffinity(0)) for s in meter.slots)


def test_a_pair_measured_on_a_busy_machine_says_so_with_its_figure() -> None:
    comparison = compare(helpers.busy_bench_run())
    eager = comparison.row("mlp_train", "as_written")
    compiled = comparison.row("mlp_train", "compiled")
    quiet = comparison.row("cnn_train", "as_written")
    unmeasured = comparison.row("lstm", "as_written")
    assert eager and compiled and quiet and unmeasured
    assert eager.busy == pytest.approx(0.48)
    assert compiled.busy == pytest.approx(0.02) and quiet.busy == pytest.approx(0.05)
    assert unmeasured.busy is None  # no slot of it was read
    mark = "measured on a busy machine (other work took 48% of the cores)"
    assert ratio_words(eager.ratio, eager.interval, eager.busy).endswith(f", {mark}")
    assert ratio_words(eager.ratio, eager.interval) == ratio_words(
        eager.ratio, eager.interval, compiled.busy
    )
    text = format_benchmarks(comparison)
    assert "mlp_train float32, as you would write it: " in text and mark in text
    assert text.count(mark) == 2  # its as-written and eager pairs, both timed in those slots
    note = busy_note(comparison)
    assert note is not None and note.startswith("2 of 15 PyTorch/TensorFlow pairs")
    assert "up to 48% of the cores" in note and "left out of the advice" in note
    assert f"! {note}" in text
    assert "virtual machines" not in note  # no steal time in these slots
    stolen = tuple(
        replace(s, use=replace(s.use, busy_s=s.use.busy_s + 0.2, steal_s=0.2))
        for s in helpers.busy_bench_run().cpu_use
    )
    on_a_vm = busy_note(compare(replace(helpers.busy_bench_run(), cpu_use=stolen)))
    assert on_a_vm is not None and "(10% of the cores went to other virtual machines)" in on_a_vm


def test_a_quiet_or_older_run_says_nothing_of_a_busy_machine() -> None:
    old = _run("bench_tiny_cpu.json")
    assert old.cpu_use == () and busy_note(compare(old)) is None
    calm = helpers.slot_use("", "", 0.1).use
    quiet = replace(
        old, cpu_use=tuple(replace(s, use=calm) for s in helpers.busy_bench_run().cpu_use)
    )
    assert busy_note(compare(quiet)) is None
    assert "busy" not in format_benchmarks(compare(quiet))


def test_the_advice_leaves_busy_pairs_out_and_says_that_it_did() -> None:
    run = helpers.busy_bench_run()
    quiet = measured_scores(compare(_run("bench_tiny_cpu.json")))
    busy = measured_scores(compare(run))
    changed = [name for name in busy if busy[name] != quiet[name]]
    assert changed, "no measured criterion reads mlp_train's as-written pair"
    for name in changed:
        assert "left out of the advice: mlp_train" in busy[name].evidence
        assert "other work took 48% of the cores" in busy[name].evidence
    everything = replace(
        run,
        cpu_use=tuple(
            helpers.slot_use(phase, w.id, 0.6) for w in run.workloads for phase in PHASES
        ),
    )
    for scored in measured_scores(compare(everything)).values():
        if "left out of the advice" in scored.evidence:
            assert (
                scored.torch is None
                and "no " in scored.evidence
                and "quiet machine" in scored.evidence
            )
    known = knowledge()
    advice = recommend(known, default_answers(known), compare(everything))
    assert any("measured on a busy machine" in w for w in advice.warnings)
    assert any("quiet machine" in m for m in advice.missing)


def test_a_version_3_record_keeps_the_cpu_use_of_every_slot_and_route() -> None:
    run = helpers.busy_bench_run()
    deployment = record_from_json(
        (helpers.FIXTURES / "records" / "deploy_tiny_cpu.json").read_text()
    ).deployment
    assert deployment is not None
    route = replace(deployment.routes[0], cpu_use=CpuUse(0.8, 2, 1.2, 0.6, 0.1))
    record = replace(
        helpers.record(),
        benchmarks=run,
        deployment=replace(deployment, routes=(route, *deployment.routes[1:])),
    )
    again = record_from_json(record_to_json(record))
    assert again == record and again.benchmarks and again.benchmarks.cpu_use == run.cpu_use


def test_a_deployment_routes_latency_says_when_the_machine_was_busy() -> None:
    from advisor.wording.deploy_view import route_row

    deployment = record_from_json(
        (helpers.FIXTURES / "records" / "deploy_tiny_cpu.json").read_text()
    ).deployment
    assert deployment is not None
    timed = next(r for r in deployment.routes if any(m.stats for m in r.models))
    busy = route_row(replace(timed, cpu_use=CpuUse(1.0, 2, 1.6, 0.6, 0.0)))
    quiet = route_row(replace(timed, cpu_use=CpuUse(1.0, 2, 0.7, 0.6, 0.0)))
    mark = "measured on a busy machine (other work took 50% of the cores)"
    assert all(mark in m.spread for m in busy.models if m.latency != "-")
    assert not any("busy" in m.spread for m in quiet.models)


def test_without_proc_stat_nothing_is_read(tmp_path: Path) -> None:
    assert read(stat=tmp_path / "absent") is None


def test_the_report_says_it_above_the_figures_and_in_the_advice() -> None:
    from advisor.report.render import render_html

    record = replace(helpers.record(), benchmarks=helpers.busy_bench_run())
    html = render_html(record)
    note = busy_note(compare(helpers.busy_bench_run()))
    assert note is not None
    escaped = note.replace("'", "&#39;")
    assert f'<p class="warning busy">{escaped}</p>' in html  # the Benchmarks section
    assert f'<p class="warning">{escaped}</p>' in html  # the advice's warnings
    table = html[html.index('id="workload-mlp_train"') :]
    table = table[: table.index("</article>")]
    mark = "measured on a busy machine (other work took 48% of the cores)"
    assert table.count(mark) == 2  # its as-written and step-through rows


def test_the_first_compiled_call_is_left_out_when_the_machine_was_busy_while_it_ran() -> None:
    run = helpers.busy_bench_run()  # busy while cnn_train prepared in the eager phase
    assert measured_scores(compare(run))["compile_cost"].torch is not None
    compiling = helpers.slot_use("compiled", "mlp_train", 0.6, command="prepare")
    busy = measured_scores(compare(replace(run, cpu_use=(*run.cpu_use, compiling))))
    cost = busy["compile_cost"]
    assert cost.torch is None and cost.tensorflow is None
    assert cost.evidence.startswith("first fully compiled step: torch.compile ")
    assert cost.evidence.endswith(
        "; left out of the advice: measured on a busy machine (other work took 60% of the cores)"
    )
