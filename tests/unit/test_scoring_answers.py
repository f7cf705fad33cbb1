"""Answers files: one clear error per problem, defaults for what is left out."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from advisor.base.errors import UsageError
from advisor.record import SavedAnswers
from advisor.scoring.answers import (
    PROBE_ORIGIN,
    Answers,
    default_answers,
    load_answers,
    parse_answers,
    saved_answers,
    template,
    unanswered,
)
from advisor.scoring.engine import recommend
from advisor.scoring.knowledge import knowledge
from advisor.scoring.verdict import verdict_jsonable
from advisor.session.saved import SavedSession, load_session, save_session
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
    save_session(SavedSession(old, None), path)
    assert '"edge_mcu"' in path.read_text()
    loaded = load_session(path, knowledge()).answers
    assert loaded.values["deployment_targets"] == ["microcontroller"]
    assert len(loaded.notes) == 1


def test_answers_with_current_ids_carry_no_note() -> None:
    answers = parse_answers('deployment_targets = ["microcontroller"]\n', "a.toml", knowledge())
    assert answers.notes == ()


def test_a_value_the_probe_chose_is_no_answer_but_a_kept_default_is() -> None:
    known = knowledge()
    defaults = default_answers(known)
    probed = replace(
        defaults,
        values=dict(defaults.values, hardware=["cpu_only"]),
        origins=dict(defaults.origins, hardware=PROBE_ORIGIN),
    )
    assert recommend(known, probed, None).rests_on_defaults  # only the probe spoke
    given = parse_answers('stage = "prototype"\n', "a.toml", known)  # the default, given
    assert given.values["stage"] == defaults.values["stage"]
    rec = recommend(known, given, None)
    assert not rec.rests_on_defaults
    assert "stage" not in rec.unanswered and len(rec.unanswered) == len(known.questions) - 1
    assert unanswered(given, known) == rec.unanswered


def test_answers_saved_before_origins_named_the_defaults_read_as_they_showed() -> None:
    known = knowledge()
    values = dict(default_answers(known).values, stage="research")
    saved = SavedAnswers("answered in the app", values, {"hardware": "your code"})
    old = saved_answers(saved, known, legacy=True)
    assert set(unanswered(old, known)) == {q.id for q in known.questions} - {"stage", "hardware"}
    new = saved_answers(saved, known, legacy=False)  # origins complete: the rest were given
    assert unanswered(new, known) == ()
    assert new.origins["hardware"] == "your code"


def test_the_terminal_names_the_deciding_must_have_first_and_what_rests_on_defaults() -> None:
    known = knowledge()
    answers = parse_answers('requirements = ["tfx"]\n', "a.toml", known)
    rec = recommend(known, answers, None)
    assert rec.winner == "tensorflow" and rec.without_must_haves == "torch"
    text = format_recommendation(rec)
    changes = text.split("What would change the answer\n")[1]
    assert changes.startswith(
        "  - TFX pipelines, a must-have you ticked (requirements = tfx), decides it; "
        "unticked, the other answers favour PyTorch\n"
    )
    left = len(known.questions) - 1
    assert f"answers: a.toml; {left} questions still at the default" in text
    first = format_recommendation(recommend(known, default_answers(known), None)).splitlines()[0]
    assert first.endswith(", resting on defaults: no question answered yet")
    verdict = verdict_jsonable(rec)  # --json and the JSON report
    assert verdict["without_must_haves"] == "torch" and len(verdict["unanswered"]) == left
    (tfx,) = (r for r in verdict["requirements"] if r["deciding"])
    assert (tfx["question"], tfx["option"], tfx["winner"]) == ("requirements", "tfx", "tensorflow")
