"""Records of several machines compared: who counts, what is set aside, where they disagree."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from advisor.bench.stats import summarise
from advisor.fleet.compare import build_fleet
from advisor.record import Record, SuiteResult, record_from_json, record_to_json
from advisor.report.fleet_view import fleet_view
from advisor.scoring.answers import Answers, default_answers
from advisor.scoring.knowledge import knowledge
from advisor.terminal.cli import main
from advisor.terminal.fleet import format_fleet
from tests.helpers import FIXTURES

RECORDS = FIXTURES / "records"
CPU = record_from_json((RECORDS / "bench_quick_cpu.json").read_text())
H200_TORCH_ONLY = record_from_json((RECORDS / "bench_quick_h200_torch_only.json").read_text())
DEPLOY_ONLY = record_from_json((RECORDS / "deploy_tiny_cpu.json").read_text())
TINY = record_from_json((RECORDS / "bench_tiny_cpu.json").read_text())  # CPU's machine, tiny
XEON = "Intel(R) Xeon(R) Processor"  # the CPU of the machine those records come from, "vm"


def _answers(**values: object) -> Answers:
    return Answers(dict(default_answers(knowledge()).values, **values), "test")


def _slower_torch(suite: SuiteResult, factor: float) -> SuiteResult:
    if suite.framework != "torch":
        return suite
    cases = tuple(
        replace(
            c,
            samples_s=tuple(s * factor for s in c.samples_s),
            stats=summarise(tuple(s * factor for s in c.samples_s)),
        )
        if c.stats is not None
        else c
        for c in suite.cases
    )
    return replace(suite, cases=cases)


def _elsewhere(record: Record, host: str, device: str = "cpu", torch_factor: float = 1.0) -> Record:
    """The CPU record as if measured on another host (and device), PyTorch slowed down."""
    run = record.benchmarks
    assert run is not None
    system = replace(record.machine.system, hostname=host)
    suites = tuple(_slower_torch(s, torch_factor) for s in run.suites)
    run = replace(run, device=device, device_name=f"{host} device", suites=suites)
    return replace(record, machine=replace(record.machine, system=system), benchmarks=run)


def test_records_without_a_run_and_duplicates_are_set_aside_with_the_reason() -> None:
    fleet = build_fleet(
        [("a.json", CPU), ("b.json", DEPLOY_ONLY), ("c.json", CPU)], knowledge(), _answers()
    )
    assert [m.source for m in fleet.machines] == ["a.json"]
    assert [(s.source, s.reason) for s in fleet.set_aside] == [
        ("b.json", "holds no benchmark run"),
        ("c.json", "the same run as a.json"),
    ]
    with pytest.raises(ValueError, match="no record holds a benchmark run"):
        build_fleet([("b.json", DEPLOY_ONLY)], knowledge(), _answers())


def test_the_machine_that_stands_for_the_targets_counts_and_the_report_says_why() -> None:
    gpu = _elsewhere(CPU, "gpu-node", device="cuda")
    entries = [("cpu.json", CPU), ("gpu.json", gpu)]
    on_gpus = build_fleet(entries, knowledge(), _answers(hardware=["nvidia"]))
    assert on_gpus.chosen.label == "gpu-node device"  # the processor its run timed
    assert on_gpus.why.startswith("The figures of gpu-node device count: a run on an NVIDIA GPU")
    assert "100% (training)" in on_gpus.why and on_gpus.warnings == ()
    on_cpus = build_fleet(entries, knowledge(), _answers(hardware=["cpu_only"]))
    assert on_cpus.chosen.label == "Intel(R) Xeon(R) Processor"  # not its host, "vm"


def test_a_run_of_one_framework_only_cannot_count_and_is_named() -> None:
    fleet = build_fleet(
        [("cpu.json", CPU), ("h200.json", H200_TORCH_ONLY)],
        knowledge(),
        _answers(hardware=["nvidia"]),
    )
    assert fleet.chosen.source == "cpu.json"
    assert fleet.why.startswith("NVIDIA H200 stands better for your targets but ran one")


def test_a_target_no_record_stands_for_is_warned_about() -> None:
    fleet = build_fleet(
        [("a.json", CPU), ("b.json", _elsewhere(CPU, "other"))],
        knowledge(),
        _answers(hardware=["nvidia", "tpu"]),
    )
    assert fleet.warnings == (
        "No record from an NVIDIA GPU machine for NVIDIA GPUs: run `framework-advisor bench "
        "--output` on one (or `framework-advisor fleet slurm` or `fleet ray` on the "
        "cluster).",
        "No record can stand for Google TPUs: the benchmarks run on CPUs and NVIDIA GPUs.",
    )


def test_machines_that_reach_different_verdicts_are_named() -> None:
    slow = _elsewhere(CPU, "old-box", torch_factor=3.0)  # PyTorch three times slower there
    fleet = build_fleet([("a.json", CPU), ("b.json", slow)], knowledge(), _answers())
    lines = {(d.workload, d.pair): d.text for d in fleet.disagreements}
    mlp = lines["MLP training step (forward, backward, SGD update)", "as you would write it"]
    assert mlp == (
        "Intel(R) Xeon(R) Processor: PyTorch 1.42x faster (95% CI 1.35-1.49x); "
        "old-box device: TensorFlow 2.11x faster (95% CI 2.02-2.23x)"
    )
    assert ("Small CNN training step, CIFAR-sized images", "as you would write it") not in lines


def test_one_machine_with_other_framework_versions_stays_two_entries_and_is_named() -> None:
    run = CPU.benchmarks
    assert run is not None
    upgraded = tuple(
        replace(s, version="2.99.0") if s.framework == "torch" else s for s in run.suites
    )
    later = replace(
        CPU,
        created_at="2027-01-01T00:00:00+00:00",
        benchmarks=replace(run, suites=upgraded, started_at="2027-01-01T00:00:00+00:00"),
    )
    fleet = build_fleet([("a.json", CPU), ("b.json", later)], knowledge(), _answers())
    assert [m.label for m in fleet.machines] == [XEON, f"{XEON} #2"]
    assert len(fleet.notes) == 1
    assert f"{XEON} and {XEON} #2 are the same machine with different framework" in fleet.notes[0]
    assert "PyTorch 2.13.0+cpu / 2.99.0" in fleet.notes[0]


def test_compare_writes_one_report_with_every_machine_and_a_json_that_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.json"
    other.write_text(record_to_json(_elsewhere(CPU, "gpu-node", device="cuda")))
    html, data = tmp_path / "fleet.html", tmp_path / "fleet.json"
    sources = [str(RECORDS / "bench_quick_cpu.json"), str(other)]
    assert main(["compare", *sources, "--profile", "nlp_research_lab", "--output", str(html)]) == 0
    out = capsys.readouterr().out
    assert "gpu-node device [counted]" in out and "Machines compared: 2" in out
    page = html.read_text()
    assert '<section id="machines">' in page and 'id="fleet-chart"' in page
    assert "gpu-node" in page and str(other) in page
    assert main(["compare", *sources, "--output", str(data)]) == 0
    document = json.loads(data.read_text())
    assert [m["label"] for m in document["compared"]["machines"]] == [XEON, "gpu-node device"]
    assert record_from_json(data.read_text()).benchmarks is not None  # a record again


def test_compare_needs_two_records(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(RECORDS / "bench_quick_cpu.json")]) == 2
    assert "compare needs two or more records" in capsys.readouterr().err


def _machine_lines(text: str) -> list[str]:
    """The machine lines of the terminal's ratio table, without their indent."""
    table = text.split("per machine\n", 1)[1]
    return [line[6:] for line in table.splitlines() if line.startswith("      ")]


def test_a_long_machine_label_never_runs_into_its_figure() -> None:
    amd = "AMD EPYC 9654 96-Core Processor"
    assert CPU.benchmarks is not None
    other = replace(
        CPU,
        machine=replace(CPU.machine, cpu=replace(CPU.machine.cpu, model=amd)),
        benchmarks=replace(CPU.benchmarks, device_name=amd),
        created_at="2027-01-01",
    )
    again = replace(other, created_at="2027-01-02")  # a second run of that machine
    fleet = build_fleet([("a", CPU), ("b", other), ("c", again)], knowledge(), _answers())
    assert fleet.machines[2].label == f"{amd} #2"
    lines = _machine_lines(format_fleet(fleet_view(fleet)))
    assert sorted({line[:30].rstrip() for line in lines}) == [
        "AMD EPYC 9654 96-Co… Processor",
        "AMD EPYC 9654 96-Co…ocessor #2",  # cut in the middle: the '#2' stays
        XEON,
    ]
    for line in lines:
        assert line[30:32] == "  " and line[32:].startswith(("PyTorch ", "TensorFlow ", "a tie"))


def test_machines_alike_in_processor_are_told_apart_by_host_and_versions_survive_a_cancel() -> None:
    assert CPU.benchmarks is not None
    elsewhere = replace(
        CPU, machine=replace(CPU.machine, system=replace(CPU.machine.system, hostname="vm2"))
    )
    cut = tuple(
        replace(s, status="cancelled", version=None, cases=s.cases[:3])
        for s in CPU.benchmarks.suites
    )  # a cancelled run: the suites never sent their summary, with its version
    cancelled = replace(elsewhere, benchmarks=replace(CPU.benchmarks, cancelled=True, suites=cut))
    fleet = build_fleet([("a", CPU), ("b", cancelled)], knowledge(), _answers())
    assert [m.label for m in fleet.machines] == [f"{XEON} on vm", f"{XEON} on vm2"]
    columns = fleet_view(fleet).machines
    assert columns[1].versions == "TensorFlow 2.21.0, PyTorch 2.13.0+cpu"  # as it was probed
    assert columns[1].versions == columns[0].versions


def test_labels_that_would_read_alike_when_cut_stay_whole() -> None:
    hosts = ["gpu-partition-rack-a-node-" + "x" * 8 + f"-{n}-interconnect" for n in (1, 2)]
    fleet = build_fleet([(h, _elsewhere(CPU, h)) for h in hosts], knowledge(), _answers())
    text = format_fleet(fleet_view(fleet))
    for host in hosts:
        assert f"      {host} device  " in text  # whole, then the gap and the figure


def test_between_equals_the_largest_preset_counts_whatever_the_order() -> None:
    for entries in ([("tiny", TINY), ("quick", CPU)], [("quick", CPU), ("tiny", TINY)]):
        fleet = build_fleet(entries, knowledge(), _answers())
        assert fleet.chosen.source == "quick"
        assert (
            "the one of the largest preset, then of the newest advisor version counts: "
            "quick preset" in fleet.why
        )
        assert any(w.startswith("The records ran different presets (") for w in fleet.warnings)


def test_between_equals_the_newest_advisor_counts_with_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    older = replace(CPU, advisor_version="0.0.9", created_at="2026-01-01T00:00:00+00:00")
    newer = replace(CPU, advisor_version="0.10.0", created_at="2026-02-01T00:00:00+00:00")
    fleet = build_fleet([("old", older), ("new", newer)], knowledge(), _answers())
    assert fleet.chosen.source == "new"  # 0.10 is newer than 0.9, not older as text
    files = []
    for name, record in (("old", older), ("new", newer)):
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(record_to_json(record))
    assert main(["compare", *map(str, files), "--output", str(tmp_path / "c.html")]) == 0
    out = capsys.readouterr().out
    assert (
        f"  ! The records come from different advisor versions (0.0.9: {XEON}; 0.10.0: {XEON} #2)"
        in out
    )
    assert f"{XEON} #2 [counted]" in out
    page = (tmp_path / "c.html").read_text()
    assert '<p class="warning">The records come from different advisor versions' in page
