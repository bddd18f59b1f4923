"""A cache of log reads, so that re-ranking unchanged logs does not read them again.

An entry holds what reading one file gave (:class:`~adaem_tasks.rating.records.LogRead`)
and is used only while all of these match:

* the file's identity: its path, size and modification time (nanoseconds), and those of the
  files its read depends on (an lm-eval samples file's ``results_*.json``) -- any write
  changes them, so an entry never outlives the bytes it was read from;
* :func:`cache_format`: the explicit :data:`~adaem_tasks.rating.records.RECORD_FORMAT`
  version, the field names of ``ValueRecord``, ``Problem`` and ``LogRead`` (a field added
  later invalidates every older entry by itself), a digest of the modules that build records
  (a reader fixed to give other records must not be served the old ones), and Inspect's
  version.

Only final reads are stored (:attr:`LogRead.final`): never a log whose eval is still
running (status ``started``), never a file that could not be parsed, never a file whose
identity changed while it was read, and never a file modified in the two seconds before it
was read (it could change again within one tick of the file system's clock). Entries are
JSON (data, not code), one per log path, written to a temporary file and renamed into
place, so a crash leaves the old entry or none. An entry that cannot be read is a miss.
The cache lives in ``$ADAEM_CACHE_DIR`` when set, else in the user cache directory
(``~/.cache/adaem-tasks/log-reads`` on Linux).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_type_hints

from adaem_tasks.rating.records import RECORD_FORMAT, LogRead, Problem, ValueRecord

__all__ = [
    "CACHE_ENV",
    "SETTLE_NS",
    "FileIdentity",
    "LogCache",
    "cache_format",
    "cache_format_text",
    "default_cache_dir",
]

CACHE_ENV = "ADAEM_CACHE_DIR"
_SUBDIR = "log-reads"


#: A file modified this recently (before it was looked at) may be written again without its
#: modification time moving (file systems stamp times at a coarse tick), so it is not cached.
SETTLE_NS = 2_000_000_000


def _stamp(path: str | Path) -> tuple[str, int, int]:
    """``(path, size, mtime_ns)``; size -1 for a file that is not there."""
    try:
        stat = os.stat(path)
    except OSError:
        return str(path), -1, 0
    return str(path), stat.st_size, stat.st_mtime_ns


@dataclass(frozen=True)
class FileIdentity:
    """What says a file is unchanged: its path, size and modification time, and those of its companions.

    A companion is another file the read depends on (an lm-eval samples file takes its model
    name from the ``results_*.json`` beside it): adding, changing or removing it changes the
    identity too.
    """

    path: str
    size: int
    mtime_ns: int
    companions: tuple[tuple[str, int, int], ...] = ()
    seen_ns: int = field(default=0, compare=False)  # when the files were looked at

    @classmethod
    def of(cls, path: str | Path, companions: Sequence[Path] = ()) -> FileIdentity | None:
        """The identity of ``path`` now; None when it cannot be looked at."""
        path, size, mtime_ns = _stamp(path)
        if size < 0:
            return None
        return cls(path, size, mtime_ns, tuple(_stamp(c) for c in companions), time.time_ns())

    @property
    def key(self) -> list[Any]:
        """The identity as cache entries store it (JSON)."""
        return [self.path, self.size, self.mtime_ns, [list(c) for c in self.companions]]

    def same_file(self, other: FileIdentity | None) -> bool:
        return other is not None and self.key == other.key

    @property
    def settled(self) -> bool:
        """Whether every file had been left alone for :data:`SETTLE_NS` when they were looked at."""
        mtimes = [self.mtime_ns, *(mtime for _, size, mtime in self.companions if size >= 0)]
        return all(self.seen_ns - mtime >= SETTLE_NS for mtime in mtimes)


def _reader_modules() -> list[Path]:
    from adaem_tasks.rating import _sample_source, _summary_json, inspect_logs, lmeval_logs, records

    modules = (records, inspect_logs, _sample_source, _summary_json, lmeval_logs)
    return [Path(m.__file__ or "") for m in modules]


def cache_format_text() -> str:
    """What :func:`cache_format` digests: record format, Inspect version, field names, reader code."""
    from inspect_ai import __version__ as inspect_version

    lines = [f"record-format {RECORD_FORMAT}", f"inspect {inspect_version}"]
    lines += [
        f"{cls.__name__}: {' '.join(f.name for f in fields(cls))}" for cls in (ValueRecord, Problem, LogRead)
    ]
    lines += [hashlib.sha256(module.read_bytes()).hexdigest() for module in _reader_modules()]
    return "\n".join(lines)


@cache
def cache_format() -> str:
    """The version every entry must carry (see the module), computed once per process."""
    return f"{RECORD_FORMAT}-{hashlib.sha256(cache_format_text().encode()).hexdigest()[:16]}"


def default_cache_dir() -> Path:
    """``$ADAEM_CACHE_DIR``, else the user cache directory of adaem-tasks."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override) / _SUBDIR
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("adaem-tasks")) / _SUBDIR


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a cached read is parsed and its records built.

    They hold no cycles, but every few hundred new objects the collector would walk all the
    objects built so far: a third of loading a cached read of 12,310 records.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@cache
def _nested_fields() -> dict[str, type]:
    """ValueRecord fields that hold a dataclass (``conditions``): stored as JSON objects, rebuilt on load."""
    hints = get_type_hints(ValueRecord)
    return {f.name: hints[f.name] for f in fields(ValueRecord) if is_dataclass(hints[f.name])}


def _immutable(value: object) -> bool:
    """Whether one value may serve every record: a plain value or a frozen dataclass, never a dict."""
    if isinstance(value, str | int | float | bool | None):
        return True
    params = getattr(value, "__dataclass_params__", None)
    return params is not None and bool(params.frozen)


def _to_json(value: object) -> object:
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value


def _record_table(records: list[ValueRecord]) -> dict[str, Any]:
    """Records as columns: an immutable value all records share (model, source, conditions...) stored once.

    Labels are never shared: each record keeps a dict of its own, as a fresh read gives.
    """
    names = [f.name for f in fields(ValueRecord)]
    columns = {name: [getattr(r, name) for r in records] for name in names}
    shared = {n: c[0] for n, c in columns.items() if c and _immutable(c[0]) and all(v == c[0] for v in c)}
    varying = [n for n in names if n not in shared]
    return {
        "count": len(records),
        "shared": {n: _to_json(v) for n, v in shared.items()},
        "varying": varying,
        "rows": [[_to_json(v) for v in row] for row in zip(*(columns[n] for n in varying), strict=True)],
    }


def _records_from_table(table: dict[str, Any]) -> list[ValueRecord]:
    """The records of :func:`_record_table`, built from positional values (twice as fast as keywords)."""
    shared, varying, rows = dict(table["shared"]), table["varying"], table["rows"]
    names = [f.name for f in fields(ValueRecord)]
    if set(shared) | set(varying) != set(names) or set(shared) & set(varying):
        raise ValueError("a cached record table of other fields")
    nested = _nested_fields()
    for name, value in shared.items():
        if name in nested:
            shared[name] = nested[name](**value)  # one object for every record, as a fresh read gives
    template: list[Any] = [shared.get(name) for name in names]
    slots = [names.index(name) for name in varying]
    rebuild = [(i, nested[name]) for i, name in zip(slots, varying, strict=True) if name in nested]
    if not varying:
        return [ValueRecord(*template) for _ in range(table["count"])]
    records = []
    for row in rows:
        values = template.copy()
        for slot, value in zip(slots, row, strict=True):
            values[slot] = value
        for slot, cls in rebuild:
            values[slot] = cls(**values[slot])
        records.append(ValueRecord(*values))
    return records


class LogCache:
    """Entries in one directory, one per log path (see the module)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_cache_dir()

    def _entry(self, identity: FileIdentity) -> Path:
        name = hashlib.sha256(identity.path.encode("utf-8", "surrogateescape")).hexdigest()
        return self.directory / f"{name}.json"

    def load(self, identity: FileIdentity) -> LogRead | None:
        """The cached read of this exact file, or None."""
        try:
            with _collector_paused():
                data = json.loads(self._entry(identity).read_bytes())
            if data.get("format") != cache_format() or data.get("file") != identity.key:
                return None
            read = data["read"]
            with _collector_paused():
                records = _records_from_table(read["records"])
            return LogRead(
                records=records,
                problems=[Problem(**p) for p in read["problems"]],
                status=read["status"],
                how=read["how"],
                why=read["why"],
                samples=read["samples"],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent, stale, corrupt or from another version: read the log

    def store(self, identity: FileIdentity, read: LogRead) -> bool:
        """Keep a final read of a settled file; False (nothing stored) otherwise or on a write error."""
        if not read.final or not identity.settled:
            return False
        data = {
            "format": cache_format(),
            "file": identity.key,
            "read": {
                "records": _record_table(read.records),
                "problems": [p.to_json() for p in read.problems],
                "status": read.status,
                "how": read.how,
                "why": read.why,
                "samples": read.samples,
            },
        }
        temporary: str | None = None
        try:
            text = json.dumps(data)  # ASCII: any path or label text round-trips
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(text)
            os.replace(temporary, self._entry(identity))
        except (OSError, TypeError, ValueError):
            # a read-only or full cache directory only costs speed; never fail a ranking for it
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)
            return False
        return True
