"""A report to share leaves out the host name, the user name and the home folder."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.record import SavedAnswers, record_from_json, record_to_json
from advisor.redact import redacted
from tests.helpers import FIXTURES


@pytest.fixture
def ana(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/ana")
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, "ana")


@pytest.mark.usefixtures("ana")
def test_host_user_and_home_are_replaced_everywhere_and_nothing_else() -> None:
    record = record_from_json((FIXTURES / "records" / "bench_quick_cpu.json").read_text())
    system = dataclasses.replace(record.machine.system, hostname="ana-laptop")
    record = dataclasses.replace(
        record,
        machine=dataclasses.replace(record.machine, system=system),
        interpreter=dataclasses.replace(
            record.interpreter, executable="/home/ana/.venv/bin/python", prefix="/home/ana/.venv"
        ),
        answers=SavedAnswers("/home/ana/projects/banana/answers.toml", {"stage": "production"}),
    )
    shared = redacted(record)
    text = record_to_json(shared)
    assert "ana-laptop" not in text and "/home/ana" not in text
    assert shared.machine.system.hostname == "host"
    assert shared.interpreter.executable == "~/.venv/bin/python"
    assert shared.answers is not None
    assert shared.answers.source == "~/projects/banana/answers.toml"  # 'banana' is no user
    assert shared.benchmarks == record.benchmarks  # every measurement kept
    assert shared.machine.cpu == record.machine.cpu


@pytest.mark.usefixtures("ana")
def test_a_user_name_inside_another_word_is_left_alone() -> None:
    record = record_from_json((FIXTURES / "records" / "bench_quick_cpu.json").read_text())
    answers = SavedAnswers("/srv/ana/banana-ana.toml", {})
    shared = redacted(dataclasses.replace(record, answers=answers))
    assert shared.answers is not None
    assert shared.answers.source == "/srv/user/banana-user.toml"
