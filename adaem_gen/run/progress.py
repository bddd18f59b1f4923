"""Progress display for ``adaem-gen run``: steps, best S, calls, tokens, cost, throughput.

Besides the run's totals (journaled, so a resumed run shows the same), the status
line shows what this process is doing: calls per second, model requests in flight and
the estimated remaining time and cost at the current rate (:mod:`adaem_gen.run.throughput`).

On a terminal a live ``rich`` bar; elsewhere (CI logs, pipes) one plain line per step
on stderr, so a long run still leaves a readable trace. :class:`NullDisplay` shows
nothing (library use, tests).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from adaem_gen.run.throughput import format_duration

if TYPE_CHECKING:  # pragma: no cover
    from adaem_gen.models import Meter

__all__ = ["NullDisplay", "RichDisplay", "RunDisplay", "format_status"]


class RunDisplay(Protocol):
    def start(self, budget: int, done: int) -> None: ...
    def seeds(self, done: int, total: int) -> None: ...
    def step(self, step: int, topic: str, nodes: list[Any]) -> None: ...
    def update(self, **status: Any) -> None: ...
    def message(self, text: str) -> None: ...
    def stop(self) -> None: ...


def _num(value: float | None, fmt: str = ".2f") -> str:
    return "-" if value is None else format(value, fmt)


def format_status(status: dict[str, Any]) -> str:
    """``best S 7.10 | mean S 5.2 (seeds 3.1) | 1,234 calls | 56k tokens | $0.12 | 3 failures | ...``.

    With throughput fields: ``| 41.0 calls/s | 57 in flight (max 148) | ETA 3m20s | $0.40 to go``.
    """
    meter: Meter | None = status.get("meter")
    parts = [
        f"best S {_num(status.get('best'))}",
        f"mean S {_num(status.get('mean_new'))} (seeds {_num(status.get('mean_seeds'))})",
    ]
    if meter is not None:
        cost = meter.cost()
        parts += [f"{meter.calls:,} calls", f"{meter.tokens:,} tokens"]
        parts.append(f"${cost:.4f}" if cost is not None else "cost n/a")
        parts.append(f"{meter.failures} failures")
    stats = status.get("stats")
    if stats is not None:
        parts.append(f"{stats.accepted} new / {stats.duplicates} dup / {stats.unsafe} unsafe")
    parts += _throughput_parts(status)
    return " | ".join(parts)


def _throughput_parts(status: dict[str, Any]) -> list[str]:
    if "in_flight" not in status:
        return []
    to_go = status.get("cost_to_go")
    return [
        f"{_num(status.get('calls_per_s'), '.1f')} calls/s",
        f"{status['in_flight']} in flight (max {status.get('peak_in_flight', 0)})",
        f"ETA {format_duration(status.get('eta_s'))}",
        f"${to_go:.4f} to go" if to_go is not None else "cost to go n/a",
    ]


class NullDisplay:
    def start(self, budget: int, done: int) -> None:
        pass

    def seeds(self, done: int, total: int) -> None:
        pass

    def step(self, step: int, topic: str, nodes: list[Any]) -> None:
        pass

    def update(self, **status: Any) -> None:
        pass

    def message(self, text: str) -> None:
        pass

    def stop(self) -> None:
        pass


class RichDisplay:
    """Live bar on a terminal, plain lines otherwise (both on stderr)."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.live = self.console.is_terminal
        self._status: dict[str, Any] = {}
        self._progress: Progress | None = None
        self._steps: TaskID | None = None
        self._seeds: TaskID | None = None

    def start(self, budget: int, done: int) -> None:
        if not self.live:
            self._plain(f"adaem-gen: {done}/{budget} steps done")
            return
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[status]}"),
            console=self.console,
        )
        self._steps = self._progress.add_task("steps", total=budget, completed=done, status="")
        self._progress.start()

    def seeds(self, done: int, total: int) -> None:
        if self._progress is None:
            if done == total or done == 0:
                self._plain(f"seed scores: {done}/{total}")
            return
        if self._seeds is None:
            self._seeds = self._progress.add_task("seed S", total=total, completed=done, status="")
        self._progress.update(self._seeds, completed=done)

    def step(self, step: int, topic: str, nodes: list[Any]) -> None:
        scores = ", ".join(f"{n.score:.2f}" for n in nodes if n.score is not None) or "none"
        if self._progress is None:  # a log line per step; with the latest rates when known
            rates = " | ".join(_throughput_parts(self._status))
            line = f"step {step}: arm {topic[:60]!r} -> {len(nodes)} question(s), S = {scores}"
            self._plain(f"{line} | {rates}" if rates else line)

    def update(self, **status: Any) -> None:
        self._status = status
        if self._progress is not None and self._steps is not None:
            self._progress.update(self._steps, completed=status.get("steps", 0), status=format_status(status))

    def message(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.log(text)
        else:
            self._plain(text)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if self._status:
            self._plain(format_status(self._status))

    def _plain(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)
