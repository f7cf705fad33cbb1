"""The shared store: one session for both front-ends, the terminal's old file migrated once."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from advisor.base.datadir import data_dir
from advisor.base.errors import RecordFormatError
from advisor.record import Record, record_from_json
from advisor.scoring.answers import Answers, default_answers
from advisor.scoring.knowledge import knowledge
from advisor.session.runs import merged
from advisor.session.saved import SavedSession
from advisor.session.store import (
    LEGACY_RESULTS_NAME,
    MIGRATED_RESULTS_NAME,
    remember_run,
    restore,
    save,
    store_path,
    stored_results,
)
from tests.helpers import FIXTURES, machine

RECORD = record_from_json((FIXTURES / "records" / "bench_tiny_cpu.json").read_text())


def test_nothing_stored_is_a_fresh_session_and_static_criteria() -> None:
    restored = restore(knowledge())
    assert restored.session == SavedSession(default_answers(knowledge()), None)
    assert restored.problem == ""
    assert stored_results(knowledge()) == (
        None,
        "no saved benchmark or deployment results: static criteria only",
    )


def test_a_run_is_remembered_beside_the_answers_already_stored() -> None:
    answers = Answers(dict(default_answers(knowledge()).values, stage="production"), "app")
    save(SavedSession(answers, None))
    remember_run(RECORD, knowledge())
    session = restore(knowledge()).session
    assert session.record == RECORD and session.answers.values["stage"] == "production"
    record, origin = stored_results(knowledge())
    assert record == RECORD and origin.startswith(f"benchmark results from {store_path()}")


def test_a_probe_only_record_is_no_benchmark_result() -> None:
    save(SavedSession(default_answers(knowledge()), replace(RECORD, benchmarks=None)))
    assert stored_results(knowledge())[0] is None


def test_the_terminals_old_results_file_is_migrated_once() -> None:
    legacy = data_dir() / LEGACY_RESULTS_NAME
    legacy.write_text((FIXTURES / "records" / "bench_tiny_cpu.json").read_text())
    restored = restore(knowledge())
    assert restored.session.record == RECORD and restored.problem == ""
    assert not legacy.exists() and (data_dir() / MIGRATED_RESULTS_NAME).is_file()
    assert store_path().is_file()  # the store now holds it; the old file is not read again
    assert restore(knowledge()).session.record == RECORD


def test_an_older_migrated_run_does_not_replace_a_newer_stored_one() -> None:
    newer = replace(RECORD, created_at="2999-01-01T00:00:00+00:00")
    save(SavedSession(default_answers(knowledge()), newer))
    (data_dir() / LEGACY_RESULTS_NAME).write_text(
        (FIXTURES / "records" / "bench_tiny_cpu.json").read_text()
    )
    assert restore(knowledge()).session.record == newer


def test_an_unreadable_old_results_file_is_moved_aside_and_named() -> None:
    legacy = data_dir() / LEGACY_RESULTS_NAME
    legacy.write_text("{not json")
    restored = restore(knowledge())
    kept = list(data_dir().glob("latest-results-unreadable-*.json"))
    assert len(kept) == 1 and kept[0].read_text() == "{not json"
    assert "could not be read" in restored.problem and str(kept[0]) in restored.problem
    assert restored.session.record is None


def test_opening_an_answers_only_session_keeps_this_machines_record() -> None:
    current = SavedSession(default_answers(knowledge()), RECORD)
    opened = SavedSession(Answers(dict(current.answers.values, stage="research"), "file"), None)
    session, kept = merged(current, opened)
    assert kept and session.record == RECORD and session.answers == opened.answers
    other = replace(RECORD, created_at="2000-01-01T00:00:00+00:00")
    session, kept = merged(current, SavedSession(opened.answers, other))
    assert not kept and session.record == other


def test_a_stored_session_with_an_impossible_measurement_is_moved_aside_and_named() -> None:
    save(SavedSession(default_answers(knowledge()), RECORD))
    text = store_path().read_text()
    start = text.index('"median_s": ') + len('"median_s": ')
    store_path().write_text(text[:start] + "0.0" + text[text.index(",", start) :])
    restored = restore(knowledge())
    assert restored.session.record is None
    assert "median_s: 0.0 must be at least 1e-12 (seconds per run)" in restored.problem
    (kept,) = data_dir().glob("session-unreadable-*.json")
    assert restored.problem.endswith(f"it was kept as {kept}")
    assert not store_path().exists()


def test_an_unusable_data_folder_starts_a_fresh_session_without_autosave(
    unusable_data_folder: Path,
) -> None:
    restored = restore(knowledge())
    assert restored.session == SavedSession(default_answers(knowledge()), None)
    blocker = unusable_data_folder.parent  # a regular file
    assert restored.problem == (
        f"Autosave is off: the data folder {unusable_data_folder} cannot be used "
        f"({blocker} is not a folder)"
    )
    assert remember_run(RECORD, knowledge())[1] == (
        f"not kept as the latest run: data folder {unusable_data_folder} cannot be used "
        f"({blocker} is not a folder)"
    )


def test_a_run_keeps_what_the_stored_record_measured_of_the_same_environment() -> None:
    from advisor.session.runs import combined

    deployed = record_from_json((FIXTURES / "records" / "deploy_tiny_cpu.json").read_text())
    here = replace(deployed, machine=RECORD.machine, interpreter=RECORD.interpreter, frameworks=())
    kept = combined(RECORD, here)
    assert kept.deployment == deployed.deployment and kept.benchmarks == RECORD.benchmarks
    assert kept.frameworks == RECORD.frameworks  # a deploy run probes no framework
    assert combined(kept, RECORD).deployment == deployed.deployment  # and the other way round
    elsewhere = replace(deployed, machine=machine(hostname="elsewhere"))
    assert combined(RECORD, elsewhere) == elsewhere  # another machine: replaced whole


def test_other_machines_are_kept_with_the_session_and_checked_on_load(tmp_path: Path) -> None:
    from advisor.session.saved import load_session, save_session

    h200 = record_from_json((FIXTURES / "records" / "bench_quick_h200_torch_only.json").read_text())
    path = tmp_path / "session.json"
    save_session(SavedSession(default_answers(knowledge()), RECORD, (h200,)), path)
    assert load_session(path, knowledge()).others == (h200,)
    data = json.loads(path.read_text())
    data["others"][0]["schema_version"] = 9  # an added record from a future version
    path.write_text(json.dumps(data))
    with pytest.raises(RecordFormatError, match="record schema_version 9 is not supported"):
        load_session(path, knowledge())


def test_a_session_written_before_other_environments_were_kept_still_opens(
    tmp_path: Path,
) -> None:
    from advisor.session.saved import load_session, save_session

    path = tmp_path / "session.json"
    save_session(
        SavedSession(default_answers(knowledge()), RECORD, other_environments=(RECORD,)), path
    )
    assert load_session(path, knowledge()).other_environments == (RECORD,)
    data = json.loads(path.read_text())
    assert data["schema_version"] == 3
    del data["other_environments"]
    path.write_text(json.dumps(dict(data, schema_version=1)))  # as version 1 wrote it
    assert load_session(path, knowledge()) == SavedSession(default_answers(knowledge()), RECORD)
    path.write_text(json.dumps(dict(data, schema_version=4)))
    with pytest.raises(RecordFormatError, match="schema_version 4 is not supported"):
        load_session(path, knowledge())


def test_a_cancelled_run_never_replaces_a_complete_one_unless_asked() -> None:
    from advisor.session.runs import combined, held_back

    assert RECORD.benchmarks is not None
    cancelled = replace(RECORD, benchmarks=replace(RECORD.benchmarks, cancelled=True, suites=()))
    assert combined(RECORD, cancelled).benchmarks == RECORD.benchmarks
    assert held_back(RECORD, cancelled) == ("benchmarks",) and held_back(RECORD, RECORD) == ()
    assert combined(RECORD, cancelled, keep_complete=False) == cancelled
    assert combined(None, cancelled) == cancelled  # nothing complete to keep


def _deployed(cancelled: bool) -> Record:
    """This environment's record with a deployment run (cut short by a cancel, or not)."""
    deployed = record_from_json((FIXTURES / "records" / "deploy_tiny_cpu.json").read_text())
    assert deployed.deployment is not None
    run = replace(deployed.deployment, cancelled=cancelled)
    return replace(RECORD, benchmarks=None, deployment=run)


def test_a_cancelled_deployment_run_is_held_back_even_with_nothing_to_keep() -> None:
    from advisor.session.runs import combined, held_back

    partial, complete = _deployed(cancelled=True), _deployed(cancelled=False)
    assert combined(RECORD, partial).deployment is None  # one framework's routes: one-sided
    assert held_back(RECORD, partial) == held_back(None, partial) == ("deployment",)
    assert combined(complete, partial).deployment == complete.deployment
    assert combined(RECORD, partial, keep_complete=False).deployment == partial.deployment
    assert combined(RECORD, complete).deployment == complete.deployment


def _elsewhere(record: Record, python: str) -> Record:
    """The same machine's record, from another Python environment."""
    return replace(record, interpreter=replace(record.interpreter, executable=python))


def test_another_environment_shelves_the_runs_and_switching_back_restores_them() -> None:
    from advisor.session.runs import placed_run

    here = replace(RECORD, deployment=_deployed(cancelled=False).deployment)
    probe_there = _elsewhere(replace(RECORD, benchmarks=None), "/opt/other/bin/python")
    there = placed_run(here, (), probe_there)
    assert there.record == probe_there and there.other_environments == (here,)
    probe_here = replace(RECORD, benchmarks=None, created_at="2026-12-01T00:00:00+00:00")
    back = placed_run(there.record, there.other_environments, probe_here)
    assert back.record.benchmarks == here.benchmarks
    assert back.record.deployment == here.deployment
    assert back.record.created_at == probe_here.created_at  # the new probe, with the old runs
    assert back.other_environments == ()  # nothing was measured there: nothing to keep
    again = placed_run(back.record, back.other_environments, probe_there)
    assert again.other_environments == (back.record,)  # one entry per environment


def test_a_terminal_run_in_another_environment_keeps_the_stored_runs() -> None:
    save(SavedSession(default_answers(knowledge()), RECORD))
    there = _elsewhere(RECORD, "/opt/other/bin/python")
    remember_run(there, knowledge())
    session = restore(knowledge()).session
    assert session.record == there and session.other_environments == (RECORD,)
    remember_run(RECORD, knowledge())  # back in the first environment: the shelf swaps
    session = restore(knowledge()).session
    assert session.record == RECORD and session.other_environments == (there,)


def test_a_stored_session_with_a_retired_option_id_restores_and_says_so() -> None:
    values = dict(default_answers(knowledge()).values, deployment_targets=["edge_mcu"])
    save(SavedSession(Answers(values, "app"), None))  # as an older advisor saved it
    restored = restore(knowledge())
    assert restored.session.answers.values["deployment_targets"] == ["microcontroller"]
    assert "'edge_mcu'" in restored.problem and "\n" not in restored.problem
