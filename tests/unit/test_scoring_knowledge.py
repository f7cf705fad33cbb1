"""The shipped criteria and questionnaire, and rejection of broken ones."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest

from advisor.base.errors import ResourceError
from advisor.base.resources_path import resource_file
from advisor.scoring.answers import checked_answers
from advisor.scoring.knowledge import knowledge, parse_knowledge
from advisor.scoring.weights import answer_scores, requirements

DIMENSIONS = {"api", "graph", "debugging", "deployment", "community"}


def test_questionnaire_has_15_to_25_questions_of_every_kind() -> None:
    questions = knowledge().questions
    assert 15 <= len(questions) <= 25
    assert {q.kind for q in questions} == {"single", "multi", "importance"}
    assert all(q.help for q in questions)


def test_questions_cover_what_the_issue_lists() -> None:
    ids = {q.id for q in knowledge().questions}
    assert {
        "stage",
        "model_families",
        "deployment_targets",
        "hardware",
        "training_scale",
        "team_experience",
        "existing_code",
        "pytorch_ecosystem",
        "tensorflow_ecosystem",
        "debugging_priority",
        "tracking_visualisation",
        "install_simplicity",
        "performance_priority",
    } <= ids


def test_criteria_cover_the_five_dimensions_and_deployment_is_broken_down() -> None:
    criteria = knowledge().criteria
    assert {c.dimension for c in criteria} >= DIMENSIONS
    deployment = {c.id for c in criteria if c.dimension == "deployment"}
    assert {"deploy_server", "deploy_mobile", "deploy_browser", "deploy_edge"} <= deployment
    assert {c.metric for c in criteria if c.kind == "measured"} >= {
        "training",
        "inference",
        "compiled",
        "compile_cost",
        "footprint",
    }


def test_every_static_score_has_rationale_source_and_date() -> None:
    for criterion in knowledge().criteria:
        if criterion.kind != "static":
            continue
        assert criterion.source and criterion.as_of, criterion.id
        for score in (criterion.torch, criterion.tensorflow):
            assert score is not None and score.rationale and 0 <= score.score <= 10


def test_every_criterion_can_be_weighted_by_some_answer_or_its_base() -> None:
    reachable = set()
    for question in knowledge().questions:
        reachable |= set(question.weights)
        for option in question.options:
            reachable |= set(option.weights) | set(option.scores)
    for criterion in knowledge().criteria:
        assert criterion.base_weight > 0 or criterion.id in reachable, criterion.id


def _static(criteria: dict[str, Any], criterion_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in criteria["criterion"] if c["id"] == criterion_id)
    return found


def _question(questions: dict[str, Any], question_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(q for q in questions["question"] if q["id"] == question_id)
    return found


def _option(questions: dict[str, Any], question_id: str, option_id: str) -> dict[str, Any]:
    options = _question(questions, question_id)["options"]
    found: dict[str, Any] = next(o for o in options if o["id"] == option_id)
    return found


def test_every_static_claim_is_dated_and_sourced_with_a_url() -> None:
    known = knowledge()
    for criterion in known.criteria:
        if criterion.kind == "static":
            assert criterion.url.startswith("https://"), criterion.id
            assert len(criterion.as_of) == 10 and criterion.version, criterion.id
    assert {t.status for t in known.tools} >= {"limited maintenance", "deprecated", "renamed"}


def test_only_needs_with_a_real_gap_in_support_decide() -> None:
    known = knowledge()
    options = next(q for q in known.questions if q.id == "requirements").options
    deciding = set()
    for option in options:
        answers = checked_answers({"requirements": [option.id]}, "t", known)
        found = requirements(known, answers, answer_scores(known, answers))
        deciding |= {option.id for r in found if r.deciding}
    # One framework only: Transformers v5, PyG/timm/Lightning, TFX.
    assert deciding == {"huggingface", "pytorch_libraries", "tfx"}
    # Both reach these through maintained routes (LiteRT.js and ONNX Runtime Web,
    # LiteRT and ExecuTorch, ExecuTorch's Cortex-M back-end, TorchTPU): they count more.
    assert not deciding & {"browser", "mobile", "microcontroller", "edge_accelerator", "tpu"}


def _data() -> tuple[dict[str, Any], dict[str, Any]]:
    criteria = tomllib.loads(resource_file("criteria.toml").read_text())
    questions = tomllib.loads(resource_file("questions.toml").read_text())
    return criteria, questions


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda c, q: c["criterion"][0].update(dimension="vibes"), "unknown dimension 'vibes'"),
        (lambda c, q: c["criterion"][0]["torch"].update(score=11), "scores are 0-10"),
        (lambda c, q: c["criterion"][0].update(source=""), "needs a source"),
        (lambda c, q: c["criterion"][0].pop("tensorflow"), "needs torch and tensorflow scores"),
        (lambda c, q: c["criterion"][1].update(id=c["criterion"][0]["id"]), "must be unique"),
        (
            lambda c, q: q["question"][0]["options"][0]["weights"].update(nope=1.0),
            "unknown criteria ['nope']",
        ),
        (
            lambda c, q: q["question"][0]["options"][0].update(colour="red"),
            "unknown field 'colour'",
        ),
        (lambda c, q: q["question"][0].update(options=[]), "needs options"),
        (lambda c, q: _static(c, "api_pythonic").update(url="pytorch.org"), "an https url"),
        (lambda c, q: _static(c, "api_pythonic").update(as_of="2026-11"), "YYYY-MM-DD"),
        (lambda c, q: _static(c, "graph_export").update(tools=["nope"]), "unknown tools"),
        (
            # Transformers: PyTorch native, TensorFlow none; TensorFlow may not score higher
            lambda c, q: _static(c, "hf_transformers")["tensorflow"].update(score=9),
            "must lead by 3.0 points",
        ),
        (
            lambda c, q: _static(c, "deploy_browser").update(support={"torch": "somehow"}),
            "support needs torch and tensorflow",
        ),
        (lambda c, q: c["tool"][0].update(status="fine"), "status must be one of"),
        (lambda c, q: c["tool"][0].update(as_of="recently"), "tool 'torchserve': as_of"),
        (lambda c, q: c["tool"][0].update(url="pytorch.org/serve"), "needs an https url"),
        (lambda c, q: c["hedge"][0].pop("url"), "missing"),
        (lambda c, q: c["hedge"][0].update(as_of=""), "note 'keras3_backends': as_of"),
        (
            lambda c, q: _static(c, "deploy_server")["overrides"][0].update(as_of="2026"),
            "'deploy_server': override: as_of",
        ),
        (lambda c, q: q["renamed"][0].update(new=["smoke_signals"]), "every new id"),
        (lambda c, q: q["renamed"][0].update(old="mobile"), "no longer offer the old id"),
        (
            lambda c, q: c["hedge"][0]["when"][0].update(any_of=["astrology"]),
            "condition names an unknown question or option",
        ),
        (lambda c, q: c["relevance"]["cpu"].update(nvidia=2.0), "values are 0-1"),
        (
            lambda c, q: _option(q, "requirements", "browser").update(requires="nope"),
            "requires an unknown criterion",
        ),
        (
            lambda c, q: _option(q, "stage", "research").update(requires="deploy_browser"),
            "a must-have option needs a multi-choice question",
        ),
        (
            lambda c, q: _question(q, "performance_priority").update(scales=["nope"]),
            "scales names unknown criteria",
        ),
    ],
)
def test_broken_knowledge_is_rejected(break_it: Any, message: str) -> None:
    criteria, questions = (copy.deepcopy(part) for part in _data())
    break_it(criteria, questions)
    with pytest.raises(ResourceError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_knowledge(criteria, questions)
