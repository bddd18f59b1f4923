"""Read many log files at once: cached reads first, the rest in worker processes, with progress.

Reading a big Inspect log is CPU work in Python (JSON and pydantic), so threads would
queue on the interpreter lock; logs are read in up to ``jobs`` worker processes instead,
largest first so the last one to finish is a small one. A pool costs its workers' start
(importing Inspect, about a second of CPU each), so it is used only when there are at least
two logs to read and more than :attr:`ReadOptions.pool_min_bytes` of them; smaller reads
run in this process. Results come back in the order the files were given, whatever the
order they finished in.

Each read that is final is stored in the :class:`~adaem_tasks.rating.log_cache.LogCache`
unless the file changed while it was read; the next run with the same files takes them
from there. On a terminal, a progress line shows files and samples read and the time left
(estimated from the bytes still to read).

``adaem-rank`` passes :class:`ReadOptions` from ``--jobs`` / ``--no-cache``;
``adaem-validate`` sets them for a whole study with :func:`reading_options`, and every
reader below it (:func:`adaem_tasks.rating.load_records`) picks them up.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from adaem_tasks.cli_types import arg_int
from adaem_tasks.rating.log_cache import FileIdentity, LogCache

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from adaem_tasks.rating.records import LogRead

__all__ = [
    "MAX_JOBS",
    "ReadProgress",
    "ReadOptions",
    "ReadReport",
    "add_reading_arguments",
    "current_reading_options",
    "default_jobs",
    "read_file",
    "read_files",
    "reading_options",
    "reading_options_from_args",
]

logger = logging.getLogger(__name__)

#: The most worker processes a read uses, whatever ``--jobs`` says: each holds one log's
#: summaries in memory at a time, and more than this stops paying on the disks logs live on.
MAX_JOBS = 32


def default_jobs() -> int:
    """The CPUs this process may run on, at most 8."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(8, available))


@dataclass(frozen=True)
class ReadOptions:
    """How :func:`read_files` reads."""

    jobs: int | None = None  # worker processes; None: default_jobs()
    cache: bool = True  # use and update the cache of log reads
    cache_dir: Path | None = None  # None: LogCache's default
    progress: bool | None = None  # None: when stderr is a terminal
    pool_min_bytes: int = 16 * 2**20  # below this much to read, one process reads everything


_OPTIONS: ContextVar[ReadOptions | None] = ContextVar("adaem_reading_options", default=None)


def current_reading_options() -> ReadOptions:
    """The options :func:`reading_options` set, else the defaults."""
    return _OPTIONS.get() or ReadOptions()


@contextmanager
def reading_options(options: ReadOptions) -> Iterator[ReadOptions]:
    """Make ``options`` the default of every read inside the block (how adaem-validate passes them)."""
    token = _OPTIONS.set(options)
    try:
        yield options
    finally:
        _OPTIONS.reset(token)


def add_reading_arguments(parser: argparse.ArgumentParser) -> None:
    """``--jobs`` and ``--no-cache``, as adaem-rank and every adaem-validate study take them."""
    group = parser.add_argument_group("reading logs")
    group.add_argument(
        "--jobs",
        type=arg_int(1, MAX_JOBS),
        default=None,
        metavar="N",
        help="logs read at once, in worker processes "
        f"(default: the CPUs available, at most 8; max {MAX_JOBS})",
    )
    group.add_argument(
        "--no-cache",
        action="store_true",
        help="read every log again instead of taking unchanged ones from the cache of earlier reads "
        "(the cache is not updated either)",
    )


def reading_options_from_args(args: argparse.Namespace) -> ReadOptions:
    """The options :func:`add_reading_arguments` parsed (defaults where a parser lacks them).

    ``--quiet``, where a command has it, also keeps the progress line off.
    """
    return ReadOptions(
        jobs=getattr(args, "jobs", None),
        cache=not getattr(args, "no_cache", False),
        progress=False if getattr(args, "quiet", False) else None,
    )


def companion_files(kind: str, path: Path) -> list[Path]:
    """Other files a read of ``path`` depends on: an lm-eval samples file's results file (its model name)."""
    if kind == "lmeval":
        from adaem_tasks.rating.lmeval_logs import results_file

        return [results_file(path)]
    return []


def read_file(kind: str, path: Path) -> LogRead:
    """Read one file of a format :func:`~adaem_tasks.rating.sources.collect_files` named."""
    if kind == "inspect":
        from adaem_tasks.rating.inspect_logs import read_inspect_file

        return read_inspect_file(path)
    from adaem_tasks.rating.lmeval_logs import read_lmeval_file

    return read_lmeval_file(path)


@dataclass
class ReadReport:
    """The reads, in the order the files were given, and where they came from."""

    reads: list[LogRead] = field(default_factory=list)
    from_cache: int = 0
    read: int = 0
    stored: int = 0
    workers: int = 0  # worker processes used; 0 when everything was read in this process


def _pool_context() -> multiprocessing.context.BaseContext:
    """How workers start: forked from this process where that is safe, else from a clean interpreter.

    A forked worker starts at once, with the reader already imported, and shares this
    process's memory until it writes to it; nor does it import the program's main module
    again, so a script without an ``if __name__ == "__main__"`` guard works. Forking is
    safe only while this process runs no other thread (a lock held by another thread at the
    fork stays held in the child for ever), which ``adaem-rank`` and ``adaem-validate`` do
    not when they read. Otherwise a fork server (spawn where there is none, or where its
    socket would not fit under the temporary directory) starts workers from a clean
    interpreter that imports the reader once -- about a second of CPU, and the main module is
    imported again in each worker, as :mod:`multiprocessing` documents.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods and _forkserver_socket_fits():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "adaem_tasks.rating.inspect_logs"])
        return context
    return multiprocessing.get_context("spawn")


#: Longest path of a UNIX socket on Linux (``sun_path`` holds 108 bytes with the final NUL).
_UNIX_SOCKET_PATH_MAX = 107
#: What multiprocessing adds below the temporary directory for the fork server's socket:
#: ``/pymp-XXXXXXXX/listener-XXXXXXXX`` (32 bytes), with room to spare.
_FORKSERVER_SOCKET_SUFFIX = 40


def _forkserver_socket_fits() -> bool:
    """Whether the fork server's socket path stays within the UNIX limit under this ``TMPDIR``.

    The fork server listens on a UNIX socket in a fresh directory under the temporary
    directory; under a long ``TMPDIR`` its path is too long to bind, and every worker fails.
    Spawned workers talk over pipes instead, so they start whatever the temporary path.
    """
    base = len(os.fsencode(tempfile.gettempdir()))
    return base + _FORKSERVER_SOCKET_SUFFIX <= _UNIX_SOCKET_PATH_MAX


class ReadProgress:
    """Files and samples read and the time left, on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, enabled: bool, files: int, total_bytes: int, console: Console | None = None) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._files = files
        self._done = 0
        self._samples = 0
        if enabled and files:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            console = console or Console(stderr=True)

            self._progress = Progress(
                TextColumn("reading logs"),
                BarColumn(),
                TextColumn("{task.fields[files]}"),
                TextColumn("{task.fields[samples]}"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self._task = self._progress.add_task("read", total=max(total_bytes, 1), files="", samples="")
            self._show()
            self._progress.start()

    def _show(self, advance: int = 0) -> None:
        if self._progress is not None and self._task is not None:
            files, samples = f"{self._done}/{self._files} files", f"{self._samples:,} samples"
            self._progress.update(self._task, advance=advance, files=files, samples=samples)
            self._progress.refresh()

    def advance(self, size: int, samples: int) -> None:
        """One more file read: ``size`` bytes holding ``samples`` samples."""
        self._done += 1
        self._samples += samples
        self._show(size)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _size(identity: FileIdentity | None) -> int:
    return identity.size if identity is not None else 0


def read_files(files: Sequence[tuple[str, Path]], options: ReadOptions | None = None) -> ReadReport:
    """Read ``(format, path)`` pairs: from the cache where unchanged, else in parallel (see the module)."""
    options = options or current_reading_options()
    cache = LogCache(options.cache_dir) if options.cache else None
    report = ReadReport(reads=[])
    results: dict[int, LogRead] = {}
    identities: dict[int, FileIdentity | None] = {}
    for index, (kind, path) in enumerate(files):
        identity = FileIdentity.of(path, companion_files(kind, path))
        identities[index] = identity
        cached = cache.load(identity) if cache is not None and identity is not None else None
        if cached is not None:
            results[index] = cached
            report.from_cache += 1
    todo = [i for i in range(len(files)) if i not in results]
    size = {i: _size(identities[i]) for i in todo}
    todo.sort(key=lambda i: -size[i])
    jobs = min(options.jobs or default_jobs(), MAX_JOBS, len(todo))
    enabled = options.progress if options.progress is not None else sys.stderr.isatty()
    progress = ReadProgress(enabled, len(todo), sum(size.values()))

    def finish(index: int, read: LogRead) -> None:
        results[index] = read
        report.read += 1
        progress.advance(size[index], read.samples)
        identity = identities[index]
        if (
            cache is not None
            and identity is not None
            and identity.same_file(FileIdentity.of(files[index][1], companion_files(*files[index])))
        ):
            report.stored += cache.store(identity, read)

    try:
        if jobs >= 2 and sum(size.values()) >= options.pool_min_bytes:
            try:
                with ProcessPoolExecutor(max_workers=jobs, mp_context=_pool_context()) as pool:
                    futures: dict[Future[LogRead], int] = {
                        pool.submit(read_file, files[i][0], files[i][1]): i for i in todo
                    }
                    report.workers = jobs
                    for future in as_completed(futures):
                        finish(futures[future], future.result())
            except (OSError, BrokenProcessPool) as exc:
                # workers that cannot start (a socket path too long for a fork server, a main
                # module that cannot be imported again) or that died: what is left is read here
                report.workers = 0
                logger.warning("reading logs in this process: the worker processes failed (%s)", exc)
        for index in todo:
            if index not in results:
                finish(index, read_file(*files[index]))
    finally:
        progress.close()
    report.reads = [results[i] for i in range(len(files))]
    return report
