"""Example answer profiles shipped under resources/profiles/ (recommend --profile NAME)."""

from __future__ import annotations

import re
from pathlib import Path

from advisor.base.errors import UnknownProfileError, quoted
from advisor.base.resources_path import resource_folder

_EXPECTED = re.compile(r'^# expected = "(torch|tensorflow)"$', re.MULTILINE)


def profile_names() -> list[str]:
    """The shipped profiles, by name."""
    return sorted(path.stem for path in resource_folder("profiles").glob("*.toml"))


def profile_path(name: str) -> Path:
    """The file of one shipped profile; an unknown name is a usage error listing the known ones."""
    if name not in profile_names():
        raise UnknownProfileError(f"{quoted(name)}: no such profile ({', '.join(profile_names())})")
    return resource_folder("profiles") / f"{name}.toml"


def expected_winner(path: Path) -> str | None:
    """The outcome a profile documents in its '# expected = ...' comment."""
    match = _EXPECTED.search(path.read_text(encoding="utf-8"))
    return match.group(1) if match else None
