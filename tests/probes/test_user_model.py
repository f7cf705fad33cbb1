"""The user's own model, built in a real subprocess: what it is, and every broken contract
as one line (tests/fixtures/models/broken.py holds one factory per way of breaking it)."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import pytest

from advisor.base.errors import EXIT_USAGE, UserModelError
from advisor.terminal.cli import main
from advisor.usermodel import inspect_model, parse_model_ref

pytestmark = pytest.mark.frameworks
MODELS = Path(__file__).parents[1] / "fixtures" / "models"
BROKEN = MODELS / "broken.py"


def _inspect(name: str, timeout_s: float = 120.0) -> object:
    return inspect_model(parse_model_ref(f"{MODELS / name}"), sys.executable, timeout_s)


def test_a_torch_model_is_described_by_kind_size_inputs_and_hash() -> None:
    model = _inspect("cnn.py:build")
    expected_sha = hashlib.sha256((MODELS / "cnn.py").read_bytes()).hexdigest()
    # 3*4*3*3 + 4 conv weights and biases, 256*5 + 5 linear ones
    assert (model.kind, model.backend, model.parameters) == ("torch", None, 1397)
    assert model.input_shapes == ((1, 3, 16, 16),) and model.sha256 == expected_sha
    assert model.function == "build" and model.source.endswith("fixtures/models/cnn.py")


@pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="needs keras")
def test_a_keras_model_names_its_back_end() -> None:
    model = _inspect("keras_custom.py:build")
    # Dense 6->8 (56), Scale (8), Dense 8->3 (27)
    assert (model.kind, model.backend, model.parameters) == ("keras", "tensorflow", 91)
    assert model.input_shapes == ((2, 6),)
    # the back-ends bench --model times it on: those installed here
    installed = [name for name in ("tensorflow", "torch", "jax") if importlib.util.find_spec(name)]
    assert model.backends == tuple(installed)


BROKEN_LINES = {
    "raises": "raises() raised ValueError: no weights found in /data/weights.bin (at ",
    "not_a_pair": "not_a_pair() must return (model, example_inputs); it returned a Linear",
    "unknown_kind": "unknown_kind() returned a model of unknown kind: builtins.object "
    "(expected a torch.nn.Module, a Keras 3 model or a tf.Module)",
    "rejects": "the model rejected the example inputs of rejects(): RuntimeError: mat1 and mat2 "
    "shapes cannot be multiplied (1x5 and 4x2)",
    "too_big": "too_big() raised MemoryError: Unable to allocate 128. TiB",
    "missing": "tests/fixtures/models/broken.py has no function 'missing'",
}


@pytest.mark.parametrize("function", sorted(BROKEN_LINES))
def test_a_broken_contract_is_one_line(function: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MODELS.parents[2])
    with pytest.raises(UserModelError) as caught:
        inspect_model(parse_model_ref(f"{BROKEN}:{function}"), sys.executable, 120)
    line = str(caught.value)
    assert line.startswith(BROKEN_LINES[function]) and "\n" not in line
    if function == "raises":  # the place in the user's file, relative to the working folder
        assert line.endswith("(at tests/fixtures/models/broken.py:15)")


def test_a_factory_that_hangs_is_killed_at_the_timeout() -> None:
    with pytest.raises(UserModelError, match=r"building the model timed out after 3 s"):
        inspect_model(parse_model_ref(f"{BROKEN}:hangs"), sys.executable, 3)


def test_a_factory_that_prints_to_stdout_leaves_the_result_intact() -> None:
    model = _inspect("broken.py:prints")
    assert (model.kind, model.parameters, model.input_shapes) == ("torch", 8, ((2, 3),))


def test_the_terminal_says_one_line_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["deploy", "--model", f"{BROKEN}:not_a_pair", "--quiet", "--preset", "tiny"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_USAGE
    assert err == [
        "framework-advisor: error: --model not_a_pair() must return (model, example_inputs); "
        "it returned a Linear"
    ]


def test_a_missing_file_is_refused_before_anything_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["deploy", "--model", "no_such_model.py:build", "--quiet"])
    assert code == EXIT_USAGE
    assert capsys.readouterr().err.strip() == (
        "framework-advisor: error: --model no such file: no_such_model.py"
    )
