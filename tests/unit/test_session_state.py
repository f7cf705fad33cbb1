"""The Session both front-ends hold: its state, its cached comparison, where runs go."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from advisor.base.errors import UsageError
from advisor.comparison import Comparison, compare
from advisor.record import BenchmarkRun, record_from_json, save_record
from advisor.scoring.answers import Answers, default_answers
from advisor.scoring.knowledge import knowledge
from advisor.session import Session
from advisor.session.saved import SavedSession, load_session
from advisor.session.store import store_path
from tests.helpers import FIXTURES, machine

QUICK = record_from_json((FIXTURES / "records" / "bench_quick_cpu.json").read_text())
H200 = record_from_json((FIXTURES / "records" / "bench_quick_h200_torch_only.json").read_text())
DEPLOYED = record_from_json((FIXTURES / "records" / "deploy_tiny_cpu.json").read_text())


def test_the_comparison_is_built_once_per_record() -> None:
    session = Session(knowledge(), SavedSession(default_answers(knowledge()), QUICK))
    first = session.comparison
    assert first is not None and session.comparison is first  # cached, not rebuilt
    assert session.report() is not None and session.comparison is first
    session.set_record(H200)
    assert session.comparison is not first and session.comparison is not None
    assert session.comparison.run == H200.benchmarks


def test_with_other_machines_each_comparison_is_built_once_across_answer_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = Session(knowledge(), SavedSession(default_answers(knowledge()), QUICK))
    other = tmp_path / "h200.json"
    save_record(replace(H200, machine=machine(hostname="gpu-node")), other)
    session.add_other(other)
    built: list[object] = []

    def counted(run: BenchmarkRun) -> Comparison:
        built.append(run)
        return compare(run)

    monkeypatch.setattr("advisor.session.state.compare", counted)
    for stage in ("research", "production"):  # the user answers; nothing is re-measured
        values = dict(default_answers(knowledge()).values, stage=stage)
        session.answers = Answers(values, "app")
        shown = session.report()
        assert shown is not None and shown.view.fleet is not None
    assert len(built) == 2  # this machine's run and the other's, once each


def test_a_saved_session_comes_back_as_it_was_held(tmp_path: Path) -> None:
    answers = Answers(dict(default_answers(knowledge()).values, stage="production"), "app")
    saved = SavedSession(answers, QUICK, (H200,), model="net.py:build")
    session = Session(knowledge(), saved)
    assert session.saved() == saved and not session.first_run
    session.save_as(tmp_path / "s.json")
    assert load_session(tmp_path / "s.json", knowledge()) == saved


def test_a_fresh_session_is_a_first_run_until_a_probe_is_placed() -> None:
    session = Session(knowledge(), SavedSession(default_answers(knowledge()), None))
    assert session.first_run
    probe = replace(QUICK, benchmarks=None)
    assert session.follows_probe(probe) != bool(probe.machine.gpu.gpus)
    assert not session.first_run and not session.follows_probe(probe)  # asked once


def test_a_cancelled_run_is_held_back_beside_the_complete_one() -> None:
    session = Session(knowledge(), SavedSession(default_answers(knowledge()), QUICK))
    assert QUICK.benchmarks is not None
    cancelled = replace(QUICK, benchmarks=replace(QUICK.benchmarks, cancelled=True))
    placed = session.measured(cancelled)
    assert placed.held_back == ("benchmarks",)
    assert session.record is not None and session.record.benchmarks == QUICK.benchmarks
    session.use_run("benchmarks", cancelled)  # the user chose the partial run
    assert session.record.benchmarks == cancelled.benchmarks


def test_another_environments_record_shelves_this_ones_runs() -> None:
    session = Session(knowledge(), SavedSession(default_answers(knowledge()), QUICK))
    there = replace(
        QUICK, benchmarks=None, interpreter=replace(QUICK.interpreter, executable="/o/python")
    )
    session.measured(there)
    assert session.record == there and session.other_environments == (QUICK,)
    assert session.saved().other_environments == (QUICK,)


def test_other_machines_are_compared_and_keep_their_identity_in_exports(tmp_path: Path) -> None:
    session = Session(knowledge(), SavedSession(default_answers(knowledge()), QUICK))
    other = tmp_path / "h200.json"
    save_record(replace(H200, machine=machine(hostname="gpu-node")), other)
    session.add_other(other)
    shown = session.report()
    assert shown is not None and shown.view.fleet is not None and shown.problem is None
    with pytest.raises(UsageError, match="cannot leave out the identity"):
        session.export(tmp_path / "r.html", "html", leave_out_identity=True)
    assert not (tmp_path / "r.html").exists()
    session.remove_others()
    shown = session.report()
    assert shown is not None and shown.view.fleet is None


def test_a_record_with_no_benchmark_run_is_refused_as_another_machine(tmp_path: Path) -> None:
    session = Session(knowledge(), SavedSession(default_answers(knowledge()), QUICK))
    path = tmp_path / "deploy.json"
    save_record(DEPLOYED, path)
    with pytest.raises(UsageError, match="holds no benchmark run"):
        session.add_other(path)
    assert session.others == ()


def test_without_given_answers_a_saved_record_keeps_its_own() -> None:
    answers = Answers(dict(default_answers(knowledge()).values, stage="production"), "file")
    session = Session(knowledge())
    session.answers = answers
    session.set_record(QUICK)
    shown = session.report()
    assert shown is not None and shown.record.answers is not None
    again = Session(knowledge())  # `report --from`: nothing given, the record's answers stand
    again.set_record(shown.record)
    assert (again_shown := again.report()) is not None
    assert again_shown.record.answers == shown.record.answers


def test_autosave_writes_the_store() -> None:
    session = Session(knowledge(), SavedSession(default_answers(knowledge()), QUICK))
    session.autosave()
    assert load_session(store_path(), knowledge()).record == QUICK
