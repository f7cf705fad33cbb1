"""The application's exception hierarchy: one root, a short identifier and an exit code per kind.

Messages name the subject (an interpreter path, a framework, a device), never a
command-line flag: the app shows them as they are. `option` says which terminal option
a subject arrives by, so the terminal can put the flag in front.
"""

from __future__ import annotations

import reprlib

# The process exit codes, for every command: the one table.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


# Containers are shown two levels deep and a few items wide: a value nested thousands deep
# or megabytes long costs no more to quote than a short one.
_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel = 2


def quoted(value: object, limit: int = 40) -> str:
    """A value as an error line quotes it: its repr (one line, escaped), cut to ``limit``.

    The one way an error message shows a value that came from outside (a file, an
    argument, the environment): however long or deep the value, the quote is short.
    """
    if isinstance(value, str):
        text = repr(value[:limit])  # only what can be shown is escaped
    else:
        try:
            text = _SHORT_REPR.repr(value)
        except ValueError:  # an integer of more digits than Python converts
            text = f"<an {type(value).__name__} too long to show>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AdvisorError(Exception):
    """Root of every error the advisor raises on purpose; the CLI maps it to an exit code."""

    code = "advisor-error"
    exit_code = EXIT_FAILED
    option: str | None = None  # the terminal option the subject came in by, if any


class UsageError(AdvisorError):
    """The user asked for something impossible: a bad argument, path or file."""

    code = "usage"
    exit_code = EXIT_USAGE


class BadInterpreterError(UsageError):
    """The chosen Python path does not exist or is not a working Python interpreter."""

    code = "bad-interpreter"
    option = "--python"


class UserModelError(UsageError):
    """The user's own model (--model FILE.py:FUNCTION) could not be found, built or run."""

    code = "bad-model"
    option = "--model"


class UnknownFrameworkError(UsageError):
    """A framework name the advisor does not know."""

    code = "unknown-framework"
    option = "--frameworks"


class DeviceError(UsageError):
    """The requested device cannot run the benchmarks here."""

    code = "bad-device"
    option = "--device"


class UnknownProfileError(UsageError):
    """A shipped example profile that does not exist."""

    code = "unknown-profile"
    option = "--profile"


class ReportFormatError(UsageError):
    """The report format can be told neither from the request nor from the file name."""

    code = "unknown-format"
    option = "--format"


class OutputPathError(UsageError):
    """An output file cannot be written where the user asked."""

    code = "unwritable-output"


class RecordFormatError(UsageError):
    """A saved record is not valid JSON or does not match the record schema."""

    code = "bad-record"


class JobFailedError(AdvisorError):
    """The job ran but produced nothing usable (every probe failed, no framework ran)."""

    code = "job-failed"


class DataFolderError(AdvisorError):
    """The advisor's own data folder cannot be created or written (e.g. a read-only mount)."""

    code = "data-folder"


class ExportError(AdvisorError):
    """A report could not be produced in the requested format (e.g. the PDF engine failed)."""

    code = "export-failed"


class CancelledError(AdvisorError):
    """The user cancelled (Ctrl-C or Cancel) before there was anything to keep."""

    code = "cancelled"
    exit_code = EXIT_INTERRUPTED


class ResourceError(AdvisorError):
    """A data file shipped with the advisor is missing or invalid (a broken installation)."""

    code = "bad-resource"
