"""The --model argument read without running anything: FILE.py:FUNCTION or module:FUNCTION."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.base.errors import EXIT_USAGE, UserModelError
from advisor.record import UserModel
from advisor.usermodel import describe_model, parse_model_ref, relative_source

MODELS = Path(__file__).parents[1] / "fixtures" / "models"


def test_a_file_and_function_resolve_to_an_absolute_path() -> None:
    ref = parse_model_ref(f"{MODELS / 'cnn.py'}:build")
    assert ref.path == (MODELS / "cnn.py").resolve() and ref.function == "build"
    assert ref.plan() == {"path": str(ref.path), "module": None, "function": "build"}


def test_a_module_and_function_are_kept_for_the_chosen_interpreter() -> None:
    ref = parse_model_ref("my_team.models:make_model")
    assert (ref.module, ref.function, ref.path) == ("my_team.models", "make_model", None)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("missing_model.py:build", "no such file: missing_model.py"),
        ("cnn.py", "expected FILE.py:FUNCTION or package.module:FUNCTION, got 'cnn.py'"),
        ("model.py:", "expected FILE.py:FUNCTION or package.module:FUNCTION, got 'model.py:'"),
        ("a.py:not-a-name", "expected FILE.py:FUNCTION or package.module:FUNCTION"),
        ("my model:build", "not a file (.py) nor a module name: 'my model'"),
    ],
)
def test_bad_model_arguments_say_one_line(text: str, line: str) -> None:
    with pytest.raises(UserModelError) as caught:
        parse_model_ref(text)
    assert str(caught.value).startswith(line)
    assert caught.value.exit_code == EXIT_USAGE and caught.value.option == "--model"


def test_a_path_under_the_working_folder_is_shown_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert relative_source(str(tmp_path / "src" / "model.py")) == "src/model.py"
    assert relative_source("/elsewhere/model.py") == "/elsewhere/model.py"


def test_the_model_is_described_in_one_line() -> None:
    model = UserModel("m.py", "build", "ab" * 32, 1397, "keras", "torch", ((1, 3, 16, 16), (2,)))
    assert describe_model(model) == (
        "m.py:build (Keras 3 (torch back-end), 1,397 parameters, inputs 1x3x16x16, 2, "
        "sha256 abababababab)"
    )


def test_bench_model_refuses_cuda_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from advisor.terminal.cli import main

    code = main(["bench", "--model", f"{MODELS / 'cnn.py'}:build", "--device", "cuda"])
    assert code == EXIT_USAGE
    assert capsys.readouterr().err.strip() == (
        "framework-advisor: error: --model is timed on the CPU only "
        "(--device cuda is not supported yet)"
    )
