"""Files the user names: reading them with one clear error, writing them atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from advisor.errors import OutputPathError, UsageError


def read_text_file(path: Path, label: str, what: str = "") -> str:
    """The text of a file the user named; a problem is one UsageError starting with ``label``."""
    noun = f" {what}" if what else ""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{label}: cannot read{noun} ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{label}: not a text file") from exc


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see either the old file or the whole new one."""

    def write(temp: Path) -> None:
        with temp.open("w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())

    atomic_write(path, write)


def atomic_write(path: Path, produce: Callable[[Path], None]) -> None:
    """Let ``produce`` write a temporary file beside ``path``, then rename it into place.

    Whatever goes wrong (an OSError, an export error, Ctrl-C), the temporary file is
    removed and an existing ``path`` is left as it was.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputPathError(f"cannot write {path}: it is a directory")
    if not folder.is_dir():
        raise OutputPathError(f"cannot write {path}: folder {folder} does not exist")
    try:
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {exc.strerror}") from exc
    os.close(handle)
    temp = Path(temp_name)
    try:
        os.chmod(temp, _mode_for(path))
        produce(temp)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise OutputPathError(f"cannot write {path}: {exc.strerror}") from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """Keep a replaced file's permissions; a new file gets the usual 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
