"""From what a scan counted to proposed answers, each with the evidence behind it.

Only questions with evidence get a proposal; must-haves are only suggested (the user
ticks them). Keras 3 code is reported as Keras, which runs on TensorFlow, JAX or
PyTorch, not as TensorFlow code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from advisor.scan.run import Count, ScanResult
from advisor.scan.signals import SignalTable
from advisor.scoring.knowledge import Knowledge

SMALL_MAX_FILES = 10  # framework source files in "a few models or scripts"
LARGE_MIN_FILES = 100
LARGE_IN_PRODUCTION_MIN_FILES = 30  # with serving or pipeline signs in the tree
# The other framework's share under which its files are incidental (a converter script).
MINOR_SHARE = 0.1
MINOR_MIN_FILES = 3
# A sign seen only in source code speaks for an answer when at least this share of the
# framework files show it (a TPU script among 1,500 files of a library is an aside); one
# dependency list, app build or config naming it is enough.
SIGN_MIN_SHARE = 0.01
SUGGEST_MIN_SHARE = 0.05  # a must-have needs a stronger hint


@dataclass(frozen=True)
class Proposal:
    """An answer the code supports: question id, option id(s), and why."""

    question: str
    value: Any  # an option id (single) or a list of them (multi)
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    """A must-have the code hints at; the user decides."""

    requirement: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Findings:
    """A scan and what it proposes."""

    result: ScanResult
    proposals: tuple[Proposal, ...]
    suggestions: tuple[Suggestion, ...]

    def answers(self) -> dict[str, Any]:
        """Question id -> proposed value."""
        return {p.question: p.value for p in self.proposals}


_SINGULAR = {"are": "is", "were": "was", "do": "does"}


def sentence(count: Count, says: str) -> str:
    """'3 files import torch (a.py, b.py, c.py)'; '1 file imports torch (a.py)'."""
    if count.files == 1:
        verb, _, rest = says.partition(" ")
        says = f"{_SINGULAR.get(verb, verb + 's')} {rest}".rstrip()
    noun = "file" if count.files == 1 else "files"
    return f"{count.files} {noun} {says} ({', '.join(count.examples)})"


def propose(result: ScanResult, table: SignalTable, known: Knowledge) -> Findings:
    """The proposals and suggestions a scan's counts support."""
    proposals = _framework_proposals(result)
    if proposals:
        proposals += _size_proposal(result)
    proposals += _option_proposals(result, table, known)
    return Findings(
        result, tuple(_in_question_order(proposals, known)), _suggestions(result, table, proposals)
    )


def _framework_counts(result: ScanResult) -> tuple[int, int, int]:
    files = result.framework_files
    return tuple(files[k].files if k in files else 0 for k in ("torch", "tensorflow", "keras"))  # type: ignore[return-value]


def _framework_proposals(result: ScanResult) -> list[Proposal]:
    torch, tensorflow, keras = _framework_counts(result)
    if torch + tensorflow + keras == 0:
        return []
    evidence = (_framework_sentence(result), *_keras_sentences(result))
    code = _existing_code(result, torch, tensorflow, keras)
    team = "tensorflow" if code == "keras3" else code
    value = "both" if code == "keras3" else code
    return [Proposal("existing_code", value, evidence), Proposal("team_experience", team, evidence)]


def _existing_code(result: ScanResult, torch: int, tensorflow: int, keras: int) -> str:
    if keras and result.signal("keras3") is not None and keras >= tensorflow and keras >= torch:
        return "keras3"  # Keras 3 code: it runs on TensorFlow, JAX or PyTorch
    keras_side = tensorflow + keras
    larger = max(torch, keras_side)
    floor = max(MINOR_MIN_FILES, MINOR_SHARE * larger)
    if min(torch, keras_side) >= floor:
        return "both"
    return "pytorch" if torch > keras_side else "tensorflow"


def _framework_sentence(result: ScanResult) -> str:
    files = result.framework_files
    parts = [
        sentence(files[key], says)
        for key, says in (
            ("torch", "import torch"),
            ("tensorflow", "use tensorflow directly"),
            ("keras", "use Keras without tf.*"),
        )
        if key in files
    ]
    return f"Of {result.source_files} source files: " + "; ".join(parts)


def _keras_sentences(result: ScanResult) -> tuple[str, ...]:
    keras3 = result.signal("keras3")
    if keras3 is None or "keras" not in result.framework_files:
        return ()
    direct = result.framework_files.get("tensorflow")
    also = f"; {sentence(direct, 'use tf.* directly too')}" if direct else ""
    return (
        "Keras 3 code (" + ", ".join(keras3.examples) + "): it runs on the TensorFlow, "
        f"JAX or PyTorch back-end, so it is not counted as TensorFlow code{also}",
    )


def _size_proposal(result: ScanResult) -> list[Proposal]:
    torch, tensorflow, keras = _framework_counts(result)
    files = torch + tensorflow + keras
    production = any(result.signal(s) for s in ("tfx", "tf_serving", "torchserve", "triton"))
    if files <= SMALL_MAX_FILES:
        size = "small"
    elif files >= LARGE_MIN_FILES or (production and files >= LARGE_IN_PRODUCTION_MIN_FILES):
        size = "large"
    else:
        size = "some"
    why = f"{files} source files use a framework"
    if production and size == "large":
        why += ", with serving or pipeline configuration beside them"
    return [Proposal("codebase_size", size, (why,))]


def _option_proposals(result: ScanResult, table: SignalTable, known: Knowledge) -> list[Proposal]:
    """Options the table's signs speak for, with the evidence of each sign."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for signal in table.signals:
        count = result.signal(signal.id)
        if count is None or not _weighty(result, signal.id, SIGN_MIN_SHARE):
            continue
        for support in signal.sets:
            found[support.question][support.option].append(sentence(count, signal.says))
    proposals = []
    for question in known.questions:
        options = found.get(question.id)
        if not options:
            continue
        ordered = [o.id for o in question.options if o.id in options]
        # A single-choice question takes the furthest option with evidence (production
        # over research, many machines over one).
        value: Any = ordered if question.kind == "multi" else ordered[-1]
        chosen = ordered if question.kind == "multi" else ordered[-1:]
        evidence = tuple(dict.fromkeys(s for o in chosen for s in options[o]))
        proposals.append(Proposal(question.id, value, evidence))
    return proposals


def _suggestions(
    result: ScanResult, table: SignalTable, proposals: list[Proposal]
) -> tuple[Suggestion, ...]:
    found: dict[str, list[str]] = defaultdict(list)
    for signal in table.signals:
        count = result.signal(signal.id)
        if count is None or not _weighty(result, signal.id, SUGGEST_MIN_SHARE):
            continue
        for requirement in signal.suggests:
            found[requirement].append(sentence(count, signal.says))
    size = next((p for p in proposals if p.question == "codebase_size"), None)
    if size is not None and size.value == "large":
        found["keep_code"].append(size.evidence[0])
    return tuple(Suggestion(k, tuple(dict.fromkeys(v))) for k, v in found.items())


def _weighty(result: ScanResult, signal_id: str, share: float) -> bool:
    """Whether a sign is more than an aside: declared in a non-source file, or in enough files."""
    found = result.found(signal_id)
    if found is None:
        return False
    if found.declared:
        return True
    framework_files = sum(c.files for c in result.framework_files.values())
    return found.count.files >= max(1, share * framework_files)


def _in_question_order(proposals: list[Proposal], known: Knowledge) -> list[Proposal]:
    order = {q.id: i for i, q in enumerate(known.questions)}
    return sorted(proposals, key=lambda p: order[p.question])
