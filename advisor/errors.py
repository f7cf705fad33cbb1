"""The application's exception hierarchy: one root, a short identifier and an exit code per kind."""

from __future__ import annotations


class AdvisorError(Exception):
    """Root of every error the advisor raises on purpose; the CLI maps it to an exit code."""

    code = "advisor-error"
    exit_code = 1


class UsageError(AdvisorError):
    """The user asked for something impossible: a bad argument, path or file."""

    code = "usage"
    exit_code = 2


class BadInterpreterError(UsageError):
    """The ``--python`` path does not exist or is not a working Python interpreter."""

    code = "bad-interpreter"


class OutputPathError(UsageError):
    """An output file cannot be written where the user asked."""

    code = "unwritable-output"


class RecordFormatError(UsageError):
    """A saved record is not valid JSON or does not match the record schema."""

    code = "bad-record"


class ExportError(AdvisorError):
    """A report could not be produced in the requested format (e.g. the PDF engine failed)."""

    code = "export-failed"


class CancelledError(AdvisorError):
    """The user cancelled (Ctrl-C or Cancel) before there was anything to keep."""

    code = "cancelled"
    exit_code = 130


class ResourceError(AdvisorError):
    """A data file shipped with the advisor is missing or invalid (a broken installation)."""

    code = "bad-resource"
