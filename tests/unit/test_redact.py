"""A report to share leaves out the host name, the user name and the home folder."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from advisor.record import SavedAnswers, record_from_json, record_to_json
from advisor.redact import redacted
from advisor.terminal import cli
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


def _from_alices_laptop() -> dict[str, object]:
    """The quick record as Alice's laptop would have written it (not this machine's user)."""
    data: dict[str, Any] = json.loads((FIXTURES / "records" / "bench_quick_cpu.json").read_text())
    home = "/home/alice"
    data["machine"]["system"].update(hostname="alice-laptop", python_executable=f"{home}/v/bin/py")
    data["interpreter"].update(executable=f"{home}/v/bin/py", prefix=f"{home}/v")
    for probe in data["frameworks"]:
        probe["report"]["location"] = f"{home}/v/lib/site-packages/{probe['framework']}"
    data["answers"] = {"source": f"{home}/answers.toml", "values": {}}
    return data


@pytest.mark.parametrize("fmt", ["html", "json"])
def test_another_machines_host_user_and_home_are_left_out_of_a_shared_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    record = tmp_path / "alice.json"
    record.write_text(json.dumps(_from_alices_laptop()))
    output = tmp_path / f"shared.{fmt}"
    argv = ["report", "--results", str(record), "--leave-out-identity", "--output", str(output)]
    assert cli.main(argv) == 0, capsys.readouterr().err
    text = output.read_text()
    assert "alice" not in text.lower()
    assert "~/v/bin/py" in text  # the paths stay, relative to a home no one is named in


def test_every_home_folder_form_and_a_qualified_host_name_are_left_out() -> None:
    data = _from_alices_laptop()
    data["machine"]["system"]["hostname"] = "bob-pc.corp.example.com"  # type: ignore[index]
    data["interpreter"] = {
        "executable": "C:\\Users\\Bob\\envs\\ml\\python.exe",
        "version": "3.11.7",
        "implementation": "CPython",
        "prefix": "/var/home/carol/.venv",
    }
    data["answers"] = {
        "source": "/Users/dave/answers.toml (bob-pc, carol) /Users/Shared/x",
        "values": {},
    }
    shared = record_to_json(redacted(record_from_json(json.dumps(data))))
    for name in ("Bob", "bob-pc", "carol", "dave", "alice", "corp.example"):
        assert name not in shared, name
    assert "~\\\\envs\\\\ml\\\\python.exe" in shared and "~/.venv" in shared
    assert "~/answers.toml (host, user) /Users/Shared/x" in shared  # a shared folder is no one's
