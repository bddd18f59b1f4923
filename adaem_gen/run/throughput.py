"""Throughput of a running generator: calls/s, requests in flight, time and cost still to go.

Rates are measured in this process (a resumed run starts a fresh clock): calls per
second over the last ``window_s`` seconds, and the remaining time and cost as the
remaining steps times this session's seconds and dollars per finished step. Nothing
is extrapolated before the first step has finished (shown as unknown, not as 0).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from adaem_gen.models import RequestGauge

__all__ = ["Throughput", "format_duration"]


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Throughput:
    """See the module doc; ``clock`` is injectable for tests."""

    def __init__(
        self, gauge: RequestGauge, *, window_s: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.gauge = gauge
        self.window_s = window_s
        self.clock = clock
        self.started = clock()
        self._calls0 = gauge.finished
        gauge.peak = gauge.in_flight  # the peak of this run, not of an earlier one in the process
        self._samples: deque[tuple[float, int]] = deque([(self.started, gauge.finished)])
        self._steps_start: tuple[float, int, float | None] | None = None

    def steps_started(self, steps_done: int, cost: float | None) -> None:
        """The step loop begins (after the seeds' scores): the baseline for time and cost per step."""
        self._steps_start = (self.clock(), steps_done, cost)

    @property
    def calls(self) -> int:
        return self.gauge.finished - self._calls0

    def calls_per_s(self) -> float | None:
        now, finished = self.clock(), self.gauge.finished
        self._samples.append((now, finished))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window_s:
            self._samples.popleft()
        then, before = self._samples[0]
        return (finished - before) / (now - then) if now > then else None

    def snapshot(self, steps_done: int, budget: int, cost: float | None) -> dict[str, Any]:
        """Display fields: ``calls_per_s``, ``in_flight``, ``peak_in_flight``, ``eta_s``, ``cost_to_go``."""
        eta: float | None = None
        cost_to_go: float | None = None
        if self._steps_start is not None:
            since, steps0, cost0 = self._steps_start
            done = steps_done - steps0
            remaining = max(0, budget - steps_done)
            if remaining == 0:
                eta, cost_to_go = 0.0, 0.0 if cost is not None else None
            elif done > 0:
                eta = (self.clock() - since) / done * remaining
                if cost is not None:
                    cost_to_go = (cost - (cost0 or 0.0)) / done * remaining
        return {
            "calls_per_s": self.calls_per_s(),
            "in_flight": self.gauge.in_flight,
            "peak_in_flight": self.gauge.peak,
            "eta_s": eta,
            "cost_to_go": cost_to_go,
        }

    def summary(self) -> dict[str, Any]:
        """For the end of a run: this session's calls, wall time, mean calls/s and peak in flight."""
        wall = self.clock() - self.started
        return {
            "calls": self.calls,
            "wall_s": round(wall, 2),
            "calls_per_s": round(self.calls / wall, 2) if wall > 0 else None,
            "peak_in_flight": self.gauge.peak,
        }
