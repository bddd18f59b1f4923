"""An append-only JSONL journal that makes ``adaem-gen run`` resumable after ``kill -9``.

One line per *completed* unit of work (an explored question with its LLM outputs, an
S estimate, a refinement round, a guard verdict, a finished bandit step). Every line
is written and flushed to the operating system before the run moves on, so a killed
process (``kill -9``, a crash) leaves every finished unit in the file and at most one
torn (partial) last line, which :meth:`Journal.read` drops (and truncates away)
instead of failing.

``fsync`` (surviving a power loss or a kernel crash, not just a killed process) is
grouped: with ``fsync_interval`` > 0 a line is synced when the previous sync is older
than the interval, a ``durable`` line (a finished bandit step, the run's end) is synced
at once, and :meth:`close` syncs the rest. Because the file is append-only and each
record depends only on earlier ones, whatever prefix survives a power loss is a
consistent journal; it lacks at most the units of the last interval, which a resume
redoes. (One fsync per unit costs ~5 ms of blocking I/O each, hundreds of times a
minute with many pulls in flight.)

Resuming = replaying the records: step records rebuild the bandit, the question pool
and the dedup index; unit records of the interrupted step are served from a memo so
its finished LLM work is neither lost nor paid for twice.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

__all__ = ["Journal", "JournalError"]


class JournalError(RuntimeError):
    """The journal is unusable (corrupt in the middle, wrong run, missing on resume)."""


class Journal:
    """Append records as JSON lines with ``fsync``; read them back tolerating a torn tail.

    ``fsync_interval=0`` syncs every line (the strictest setting); see the module doc.
    """

    def __init__(self, path: str | Path, fsync: bool = True, fsync_interval: float = 0.0) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self.fsync_interval = fsync_interval
        self._handle: Any = None
        self._reader: Any = None
        self._last_sync: float | None = None  # never synced: the first line syncs at once
        self._unsynced = False
        self.syncs = 0
        self.dropped_tail = False
        self.offsets: list[int] = []
        """Byte offset of each record the last :meth:`read` returned (for :meth:`load`)."""

    def exists(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > 0

    def read(self, repair: bool = False) -> list[dict[str, Any]]:
        """All complete records. A bad *last* line (torn write) is dropped; with
        ``repair`` the file is truncated to the last complete line. A bad line
        anywhere else is corruption and raises :class:`JournalError`.
        """
        if not self.path.is_file():
            return []
        data = self.path.read_bytes()
        records: list[dict[str, Any]] = []
        self.offsets = []
        good_end = 0
        offset = 0
        lines = data.split(b"\n")
        for index, raw in enumerate(lines):
            is_last = index == len(lines) - 1
            end = offset + len(raw) + (0 if is_last else 1)
            if raw.strip():
                try:
                    record = json.loads(raw)
                    if not isinstance(record, dict):
                        raise ValueError("not an object")
                    if is_last:  # complete JSON but no newline yet: torn before the "\n"
                        raise ValueError("missing newline")
                except ValueError as exc:
                    tail_is_blank = all(not r.strip() for r in lines[index + 1 :])
                    if not tail_is_blank:
                        raise JournalError(
                            f"{self.path}: corrupt record on line {index + 1}: {exc}"
                        ) from None
                    self.dropped_tail = True
                    break
                records.append(record)
                self.offsets.append(offset)
            good_end = end
            offset = end
        if repair and good_end < len(data):
            with self.path.open("r+b") as handle:
                handle.truncate(good_end)
                handle.flush()
                os.fsync(handle.fileno())
        return records

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("ab")

    def append(self, record: dict[str, Any], *, durable: bool = False) -> int:
        """Write one record; returns its byte offset (for :meth:`load`).

        ``durable`` syncs it to disk now instead of with the next group.
        """
        if self._handle is None:
            self.open()
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)
        offset = int(self._handle.tell())
        self._handle.write(line.encode("utf-8") + b"\n")
        self._handle.flush()
        self._unsynced = True
        if durable or self._last_sync is None or time.monotonic() - self._last_sync >= self.fsync_interval:
            self.sync()
        return offset

    def load(self, offset: int) -> dict[str, Any]:
        """The record written at ``offset`` (an :meth:`append` result or one of :attr:`offsets`)."""
        if self._reader is None:
            self._reader = self.path.open("rb")
        self._reader.seek(offset)
        record: dict[str, Any] = json.loads(self._reader.readline())
        return record

    def sync(self) -> None:
        """``fsync`` what was written since the last sync (nothing to do when nothing was)."""
        if self._handle is None or not self._unsynced:
            return
        if self.fsync:
            os.fsync(self._handle.fileno())
            self.syncs += 1
        self._unsynced = False
        self._last_sync = time.monotonic()

    def close(self) -> None:
        if self._handle is not None:
            self.sync()
            self._handle.close()
            self._handle = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
