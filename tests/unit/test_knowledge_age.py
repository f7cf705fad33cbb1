"""The knowledge shows its age and its sources: in every verdict, report and `knowledge` listing."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from advisor.record import record_from_json
from advisor.report.render import render_view
from advisor.report.view import report_view, with_answers
from advisor.scoring.answers import Answers, load_answers
from advisor.scoring.engine import recommend
from advisor.scoring.knowledge import TOOL_STATUSES, Criterion, Knowledge, Score, knowledge
from advisor.scoring.verdict import verdict_jsonable
from advisor.terminal.cli import main
from advisor.terminal.recommend import format_recommendation
from advisor.wording.claims import claims
from tests.helpers import FIXTURES

SCENARIOS = Path(__file__).parents[1] / "scenarios"
NO_ANSWERS = Answers({}, "test")


def _criterion(name: str, weight: float, as_of: str) -> Criterion:
    return Criterion(
        name, "api", name, "d", "static", weight, "src", as_of, Score(8, "t"), Score(5, "f")
    )


def _dated(*rows: tuple[float, str]) -> Knowledge:
    criteria = tuple(_criterion(f"c{i}", weight, as_of) for i, (weight, as_of) in enumerate(rows))
    return Knowledge({"api": "API"}, criteria, ())


# The oldest weighed claim dates the verdict; one weighing nothing does not count.
KNOWN = _dated((1.0, "2026-05-01"), (2.0, "2026-01-10"), (0.0, "2020-01-01"))


def test_a_verdict_is_dated_by_the_oldest_claim_it_weighed() -> None:
    found = recommend(KNOWN, NO_ANSWERS, None, today=date(2026, 7, 9)).freshness
    assert found is not None
    assert (found.checked, found.age_days, found.stale) == ("2026-01-10", 180, False)
    assert found.sentence() == "Knowledge last checked 2026-01-10 (180 days ago)."


def test_the_age_is_said_as_a_person_would_say_it() -> None:
    ages = {
        day: recommend(KNOWN, NO_ANSWERS, None, today=date(2026, 1, day)).freshness
        for day in (10, 11, 12)
    }
    assert [f.sentence() for f in ages.values() if f is not None] == [
        "Knowledge last checked 2026-01-10 (today).",
        "Knowledge last checked 2026-01-10 (1 day ago).",
        "Knowledge last checked 2026-01-10 (2 days ago).",
    ]


def test_past_180_days_the_verdict_says_it_may_be_out_of_date_and_what_to_do() -> None:
    rec = recommend(KNOWN, NO_ANSWERS, None, today=date(2026, 7, 10))
    assert rec.freshness is not None and rec.freshness.stale
    text = format_recommendation(rec)
    assert "Knowledge last checked 2026-01-10 (181 days ago): it may be out of date" in text
    assert "pip install --upgrade framework-advisor" in text
    assert "framework-advisor knowledge" in text
    assert verdict_jsonable(rec)["knowledge"] == {
        "checked": "2026-01-10",
        "age_days": 181,
        "stale": True,
        "text": rec.freshness.sentence(),
    }


def _report(today: date) -> str:
    record = record_from_json((FIXTURES / "records" / "bench_quick_cpu.json").read_text())
    answers = load_answers(SCENARIOS / "pt_team_tpu_training.toml", knowledge())
    html = render_view(report_view(with_answers(record, answers), knowledge(), today=today))
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_report_shows_the_knowledge_date_and_warns_when_it_is_old() -> None:
    fresh = _report(date(2026, 12, 3))
    assert re.search(r"Knowledge last checked 20\d\d-\d\d-\d\d \((today|\d+ days? ago)\)\.", fresh)
    assert "may be out of date" not in fresh
    old = _report(date(2028, 1, 1))
    assert re.search(r"Knowledge last checked 20\d\d-\d\d-\d\d \(\d+ days ago\): it may be", old)


def test_the_report_shows_the_jax_note_with_its_source_and_date() -> None:
    text = _report(date(2026, 12, 3))
    assert "On TPUs a third option leads: JAX" in text
    source = r"\(checked 2026-12-03,\s+https://docs\.cloud\.google\.com/tpu/docs/reference\.md\.txt"
    assert re.search(source, text)


def test_recommend_json_carries_the_notes_and_the_knowledge_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = SCENARIOS / "pt_team_tpu_training.toml"
    assert main(["recommend", "--answers", str(scenario), "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    jax = next(n for n in verdict["notes"] if "JAX" in n["text"])
    assert jax["url"].startswith("https://") and jax["as_of"] == "2026-12-03"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", verdict["knowledge"]["checked"])
    assert verdict["knowledge"]["text"].startswith("Knowledge last checked ")
    assert main(["recommend", "--answers", str(scenario)]) == 0
    terminal = capsys.readouterr().out
    assert "On TPUs a third option leads: JAX" in terminal
    source = "(https://docs.cloud.google.com/tpu/docs/reference.md.txt, checked 2026-12-03)"
    assert source in terminal
    assert "Knowledge last checked " in terminal


def test_every_claim_and_tool_is_sourced_and_dated() -> None:
    known = knowledge()
    listed = claims(known)
    assert {c.kind for c in listed} == {"criterion", "override", "note"}
    for item in [*listed, *known.tools]:
        assert item.url.startswith("https://"), item
        assert date.fromisoformat(item.as_of) <= date.today(), item
    assert all(tool.status in TOOL_STATUSES for tool in known.tools)


def test_the_knowledge_command_lists_every_claim_and_tool(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["knowledge", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    known = knowledge()
    static = [c for c in known.criteria if c.kind == "static"]
    overrides = sum(len(c.overrides) for c in static)
    assert len(listing["claims"]) == len(static) + overrides + len(known.hedges)
    assert {t["id"] for t in listing["tools"]} == {t.id for t in known.tools}
    browser = next(c for c in listing["claims"] if c["id"] == "deploy_browser")
    assert browser["torch"] == 7 and browser["url"].startswith("https://")
    assert browser["version"] and browser["as_of"] == "2026-12-03"
    assert listing["oldest_check"] == min(c["as_of"] for c in listing["claims"])
    assert main(["knowledge"]) == 0
    text = capsys.readouterr().out
    assert "In the browser [deploy_browser]: PyTorch 7, TensorFlow 7" in text
    assert "TorchServe [torchserve]: limited maintenance" in text and "Oldest check: " in text
