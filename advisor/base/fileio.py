"""Files the user names: reading them with one clear error, writing them atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from advisor.base.errors import OutputPathError, UsageError

# Every file the advisor reads back (answers, records, sessions) is far smaller: a full
# GPU record with all raw samples is about 1 MiB.
MAX_INPUT_BYTES = 32 << 20


def read_text_file(path: Path, label: str, what: str = "") -> str:
    """The text of a file the user named; a problem is one UsageError starting with ``label``.

    Only a regular file is read: a FIFO, a device (``/dev/zero``) or a folder is refused
    without blocking, and so is anything over MAX_INPUT_BYTES.
    """
    noun = f" {what}" if what else ""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise UsageError(f"{label}: cannot read{noun} ({exc.strerror})") from exc
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise UsageError(f"{label}: not a regular file ({_kind(status.st_mode)})")
    with os.fdopen(descriptor, "rb") as stream:
        if status.st_size > MAX_INPUT_BYTES:
            raise UsageError(f"{label}: {_too_big(status.st_size)}")
        try:
            data = stream.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"{label}: cannot read{noun} ({exc.strerror})") from exc
    if len(data) > MAX_INPUT_BYTES:  # it grew while being read
        raise UsageError(f"{label}: {_too_big(len(data))}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{label}: not a text file") from exc


def _too_big(size: int) -> str:
    return f"too large ({size / (1 << 20):.0f} MiB; the limit is {MAX_INPUT_BYTES >> 20} MiB)"


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISFIFO: "a pipe",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "not a plain file")


def check_output_path(path: Path) -> None:
    """Refuse, before any work, a path that cannot take a file the advisor writes.

    A symbolic link is allowed when it points to a regular file or nowhere: the write
    replaces the link itself, and its target is left untouched.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        problem = _output_problem(path, folder)
    except OSError as exc:
        problem = exc.strerror or str(exc)
    if problem:
        raise OutputPathError(f"cannot write {path}: {problem}")


def _output_problem(path: Path, folder: Path) -> str | None:
    if path.is_dir():
        return "it is a directory"
    if path.exists() and not path.is_file():
        return f"not a regular file ({_kind(path.stat().st_mode)})"
    if not folder.is_dir():
        return f"folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"folder {folder} is not writable"
    return None


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` and its missing parents for the user only (0700); folders that
    exist are left as they are. A problem is one OutputPathError naming it."""
    problem = private_folder_problem(folder)
    if problem:
        raise OutputPathError(f"cannot create folder {folder}: {problem}")


def private_folder_problem(folder: Path) -> str | None:
    """Create ``folder`` as make_private_folder does; what stood in the way, or None.

    ``Path.mkdir(parents=True)`` would give the parents it creates the default mode
    (0755 under the usual umask): every folder made here is 0700.
    """
    missing = []
    current = folder
    try:
        while not current.is_dir():
            if os.path.lexists(current):
                return (
                    "it exists and is not a folder"
                    if current == folder
                    else f"{current} is not a folder"
                )
            missing.append(current)
            current = current.parent
    except OSError as exc:  # a name too long to look up, say
        return exc.strerror or str(exc)
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except OSError as exc:
            if not path.is_dir():  # one made meanwhile by another run is as good
                reason = exc.strerror or str(exc)
                return reason if path == folder else f"{path}: {reason}"
    return None


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
    check_output_path(path)
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
    """A new file is for the user only (0600); a replaced one keeps its permissions.

    Records, sessions and reports name the machine, its user and their folders; a user
    who shares a file by making it readable keeps it shared when it is written again.
    """
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o600
