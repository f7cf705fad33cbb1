"""A scan of one or more folders: walk them, read every file (in worker processes when many),
and count which files showed which signs."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from advisor.base.errors import UsageError
from advisor.base.text import neutralised
from advisor.scan.files import PROBLEMS, SOURCE_KINDS, FileResult, read_file
from advisor.scan.matcher import Matcher, build_matcher
from advisor.scan.signals import SignalTable, signal_table
from advisor.scan.walk import FoundFile, Walk, walk_root

EXAMPLES = 3  # example paths kept per finding
NAMED_PROBLEMS = 20  # files named per problem kind (an unreadable file is worth naming)
_CHUNK = 256  # files per task sent to a worker process
_PARALLEL_FROM = 1500  # fewer files than this are read faster than workers start

ScanProgress = Callable[[int, int], None]  # files read, files found


@dataclass(frozen=True)
class Count:
    """How many files showed something, and a few of them (the shallowest first)."""

    files: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class SignalCount:
    """One sign the scan found; `declared` counts the files among them that are not source
    code (dependency lists, app builds, configs, model files), where one file is enough."""

    signal: str
    says: str
    count: Count
    declared: int = 0


@dataclass(frozen=True)
class ProblemCount:
    """Files of one problem kind (unreadable, too large, unparsable ...)."""

    problem: str
    text: str
    count: Count


@dataclass(frozen=True)
class ScanResult:
    """What a scan read and found; paths are relative to the scanned folder."""

    roots: tuple[str, ...]  # absolute, as given
    files: int  # regular files seen (artifacts included)
    source_files: int  # Python, notebooks, C/C++, JavaScript/TypeScript
    framework_files: dict[str, Count]  # torch, tensorflow, keras (without tf.*): source files
    signals: tuple[SignalCount, ...]
    problems: tuple[ProblemCount, ...]
    skipped_folders: Count  # vendored code, environments, build output
    links_not_followed: Count
    cancelled: bool = False

    def signal(self, signal_id: str) -> Count | None:
        """The count of one sign, or None when no file showed it."""
        found = self.found(signal_id)
        return found.count if found else None

    def found(self, signal_id: str) -> SignalCount | None:
        """One sign as found, or None."""
        return next((s for s in self.signals if s.signal == signal_id), None)


@dataclass(frozen=True)
class ScanOptions:
    """How to scan: read vendored folders too; worker processes (0: choose)."""

    include_vendored: bool = False
    workers: int = 0


def scan_folders(
    roots: Sequence[Path],
    options: ScanOptions = ScanOptions(),
    on_progress: ScanProgress | None = None,
    cancel: threading.Event | None = None,
) -> ScanResult:
    """Scan the folders; UsageError when one is missing or not a folder."""
    for root in roots:
        _check_root(root)
    stop = cancel or threading.Event()
    walk = Walk()
    for root in roots:
        prefix = f"{root.resolve().name}/" if len(roots) > 1 else ""
        walk_root(root, prefix, options.include_vendored, stop.is_set, walk)
    table = signal_table()
    results = list(_read_all(walk.files, build_matcher(table), options, on_progress, stop))
    return _tally(roots, walk, results, table, stop.is_set())


def _check_root(root: Path) -> None:
    if not root.exists():
        raise UsageError(f"{root}: no such folder")
    if not root.is_dir():
        raise UsageError(f"{root}: not a folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise UsageError(f"{root}: folder cannot be read (permission denied)")


def _read_all(
    files: list[FoundFile],
    matcher: Matcher,
    options: ScanOptions,
    on_progress: ScanProgress | None,
    stop: threading.Event,
) -> Iterator[FileResult]:
    workers = options.workers or min(os.cpu_count() or 1, 8)
    chunks = [files[i : i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    done = 0
    if workers > 1 and len(files) >= _PARALLEL_FROM:
        read = _in_workers(chunks, matcher, workers, stop)
    else:
        read = (_read_chunk(chunk, matcher) for chunk in chunks)
    for results in read:
        if stop.is_set():
            return
        yield from results
        done += len(results)
        if on_progress is not None:
            on_progress(done, len(files))


def _in_workers(
    chunks: list[list[FoundFile]], matcher: Matcher, workers: int, stop: threading.Event
) -> Iterator[list[FileResult]]:
    """Chunks read by worker processes, in order; what is still queued is dropped on cancel."""
    with ProcessPoolExecutor(
        workers, mp_context=_context(), initializer=_set_matcher, initargs=(matcher,)
    ) as pool:
        futures: list[Future[list[FileResult]]] = [pool.submit(_worker_chunk, c) for c in chunks]
        for future in futures:
            if stop.is_set():
                pool.shutdown(wait=True, cancel_futures=True)
                return
            yield future.result()


def _context() -> multiprocessing.context.BaseContext:
    # fork starts a worker in milliseconds; it is only safe from a single-threaded process
    # (the terminal), so anything else (the app's worker thread) spawns.
    single = threading.active_count() == 1
    method = "fork" if sys.platform == "linux" and single else "spawn"
    return multiprocessing.get_context(method)


_WORKER_MATCHER: list[Matcher] = []


def _set_matcher(matcher: Matcher) -> None:
    _WORKER_MATCHER[:] = [matcher]


def _worker_chunk(chunk: list[FoundFile]) -> list[FileResult]:
    return _read_chunk(chunk, _WORKER_MATCHER[0])


def _read_chunk(chunk: list[FoundFile], matcher: Matcher) -> list[FileResult]:
    return [read_file(found, matcher) for found in chunk]


@dataclass
class _Tally:
    signals: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    frameworks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    declared: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sources: int = 0


def _tally(
    roots: Sequence[Path],
    walk: Walk,
    results: list[FileResult],
    table: SignalTable,
    cancelled: bool,
) -> ScanResult:
    tally = _Tally()
    kinds = {s.id: s.framework for s in table.signals if s.framework is not None}
    for result in results:
        _add(tally, result, kinds)
    for shown in walk.unreadable:
        tally.problems["unreadable"].append(shown)
    signals = tuple(
        SignalCount(s.id, s.says, count(tally.signals[s.id]), tally.declared[s.id])
        for s in table.signals
        if tally.signals.get(s.id)
    )
    problems = tuple(
        ProblemCount(key, text, count(tally.problems[key], NAMED_PROBLEMS))
        for key, text in PROBLEMS.items()
        if tally.problems.get(key)
    )
    return ScanResult(
        roots=tuple(str(r.absolute()) for r in roots),
        files=len(results),
        source_files=tally.sources,
        framework_files={k: count(v) for k, v in sorted(tally.frameworks.items())},
        signals=signals,
        problems=problems,
        skipped_folders=count(walk.skipped_folders),
        links_not_followed=count(walk.links_not_followed),
        cancelled=cancelled,
    )


def _add(tally: _Tally, result: FileResult, kinds: dict[str, str]) -> None:
    for signal in result.signals:
        tally.signals[signal].append(result.shown)
        if result.kind not in SOURCE_KINDS:
            tally.declared[signal] += 1
    if result.problem:
        tally.problems[result.problem].append(result.shown)
    if result.kind not in SOURCE_KINDS:
        return
    tally.sources += 1
    # A file with tf.* is TensorFlow code even when it also imports keras; Keras alone
    # may run on another back-end.
    shown = {kinds[s] for s in result.signals if s in kinds}
    if "tensorflow" in shown:
        shown.discard("keras")
    for framework in shown & {"torch", "tensorflow", "keras"}:
        tally.frameworks[framework].append(result.shown)


def count(paths: list[str], examples: int = EXAMPLES) -> Count:
    """A count with the shallowest, then alphabetically first, paths as examples."""
    shallow = sorted(paths, key=lambda p: (p.count("/"), p))[:examples]
    return Count(len(paths), tuple(_shown(p) for p in shallow))


def _shown(path: str) -> str:
    """A path safe on one line (a file name may hold a newline or an escape sequence)."""
    return neutralised(path).replace("\n", "\\n").replace("\t", "\\t")
