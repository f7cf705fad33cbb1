"""Answers files: one clear error per problem, defaults for what is left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.errors import UsageError
from advisor.scoring.answers import default_answers, load_answers, parse_answers, template
from advisor.scoring.knowledge import knowledge


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
