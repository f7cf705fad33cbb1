"""Expert scenarios and the shipped profiles, scored static-only and against both recorded runs.

Each file in tests/scenarios/ is an answers file written from public guidance (named
in its comments, with the URL) with the outcome an expert would give: the winner
("either" for a close call), the confidence labels that fit ("clear|leaning") and,
optionally, the notes the verdict must show (`notes`, ids of criteria.toml's [[hedge]]).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from advisor.comparison import Comparison, compare
from advisor.record import record_from_json
from advisor.scoring.answers import load_answers
from advisor.scoring.engine import recommend
from advisor.scoring.knowledge import knowledge
from advisor.scoring.profiles import expected_winner, profile_names, profile_path
from tests.helpers import FIXTURES

SCENARIOS = Path(__file__).parents[1] / "scenarios"
RUNS = ("static", "bench_quick_cpu.json", "bench_quick_h200_torch_only.json")
_KEY = re.compile(r'^# (expected|confidence|notes) = "([^"]+)"$', re.MULTILINE)


@functools.cache
def _comparison(name: str) -> Comparison | None:
    if name == "static":
        return None
    run = record_from_json((FIXTURES / "records" / name).read_text(), name).benchmarks
    assert run is not None
    return compare(run)


def _expectations(path: Path) -> dict[str, str]:
    return dict(_KEY.findall(path.read_text(encoding="utf-8")))


def _scenario_files() -> list[Path]:
    return sorted(SCENARIOS.glob("*.toml"))


def test_the_suite_has_the_mix_of_projects_it_promises() -> None:
    winners = [_expectations(path)["expected"] for path in _scenario_files()]
    assert len(winners) >= 20
    assert winners.count("tensorflow") >= 5
    assert winners.count("either") >= 4
    assert winners.count("torch") >= 5


def test_every_scenario_names_its_guidance_with_a_url() -> None:
    for path in _scenario_files():
        text = path.read_text(encoding="utf-8")
        assert "# guidance:" in text and "https://" in text, path.name


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("path", _scenario_files(), ids=lambda p: p.stem)
def test_scenario_gives_the_expert_answer(path: Path, run: str) -> None:
    expected = _expectations(path)
    rec = recommend(knowledge(), load_answers(path, knowledge()), _comparison(run))
    if expected["expected"] != "either":
        assert rec.winner == expected["expected"], (rec.totals, rec.decisive)
    assert rec.confidence in expected["confidence"].split("|"), rec.confidence_reasons
    shown = {note.id for note in rec.notes}
    assert set(expected.get("notes", "").split()) <= shown, shown


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("name", profile_names())
def test_each_example_profile_gives_its_documented_outcome(name: str, run: str) -> None:
    path = profile_path(name)
    expected = expected_winner(path)
    assert expected is not None, f"{name} documents no expected outcome"
    rec = recommend(knowledge(), load_answers(path, knowledge()), _comparison(run))
    assert rec.winner == expected, (name, rec.totals)
