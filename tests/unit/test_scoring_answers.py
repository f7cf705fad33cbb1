"""Answers files: one clear error per problem, defaults for what is left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.errors import UsageError
from advisor.scoring.answers import (
    Answers,
    default_answers,
    load_answers,
    parse_answers,
    template,
)
from advisor.scoring.engine import recommend
from advisor.scoring.knowledge import knowledge
from advisor.session import Session, load_session, save_session
from advisor.terminal.recommend import format_recommendation


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('colour = "blue"\n', "answers.toml: key 'colour': unknown question id"),
        ('stage = "done"\n', "answers.toml: key 'stage': option 'done' not offered (research,"),
        ("stage = 3\n", "answers.toml: key 'stage': expected one option id (text), got 3"),
        ('model_families = "graph"\n', "key 'model_families': expected a list of option ids"),
        ('model_families = ["graph", "graph"]\n', "an option is listed twice"),
        ("debugging_priority = 9\n", "key 'debugging_priority': expected a whole number 0-5"),
        ("debugging_priority = true\n", "expected a whole number 0-5, got True"),
        (
            'stage = "research"\nstage = "production"\n',
            "answers.toml: key 'stage': duplicate key (line 2)",
        ),
        ("stage = \n", "answers.toml: not valid TOML"),
    ],
)
def test_bad_answers_name_the_file_key_and_problem(text: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_answers(text, "answers.toml", knowledge())
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_left_out_questions_take_their_defaults() -> None:
    answers = parse_answers('stage = "research"\n', "a.toml", knowledge())
    defaults = default_answers(knowledge()).values
    assert answers.values["stage"] == "research"
    assert {k: v for k, v in answers.values.items() if k != "stage"} == {
        k: v for k, v in defaults.items() if k != "stage"
    }


def test_the_template_is_a_valid_answers_file_holding_the_defaults() -> None:
    answers = parse_answers(template(knowledge()), "template", knowledge())
    assert answers.values == default_answers(knowledge()).values


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read answers"):
        load_answers(tmp_path / "nope.toml", knowledge())


OLD_EDGE = 'deployment_targets = ["edge_mcu", "mobile"]\nrequirements = ["microcontroller"]\n'


def test_an_old_option_id_still_reads_with_a_one_line_note(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text(OLD_EDGE)
    answers = load_answers(path, knowledge())
    assert answers.values["deployment_targets"] == ["microcontroller", "mobile"]
    (note,) = answers.notes
    assert "'edge_mcu'" in note and "'edge_accelerator'" in note and "\n" not in note
    rec = recommend(knowledge(), answers, None)
    assert rec.warnings[0] == note
    assert f"  ! {note}" in format_recommendation(rec)


def test_a_saved_session_with_an_old_option_id_loads_migrated(tmp_path: Path) -> None:
    old = Answers(dict(default_answers(knowledge()).values, deployment_targets=["edge_mcu"]), "x")
    path = tmp_path / "session.json"
    save_session(Session(old, None), path)
    assert '"edge_mcu"' in path.read_text()
    loaded = load_session(path, knowledge()).answers
    assert loaded.values["deployment_targets"] == ["microcontroller"]
    assert len(loaded.notes) == 1


def test_answers_with_current_ids_carry_no_note() -> None:
    answers = parse_answers('deployment_targets = ["microcontroller"]\n', "a.toml", knowledge())
    assert answers.notes == ()
