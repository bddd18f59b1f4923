"""Metered model handles: Inspect models plus call/token/cost accounting.

Used by the generator (``adaem_gen.models`` re-exports this module) and by the studies
that spend model calls, such as ``adaem-validate judge``. Every LLM call of the
generator (explore, refine, opinions, judge, guard) goes through
Inspect's :class:`~inspect_ai.model.Model`, so OpenAI, Anthropic, vLLM and llama.cpp
servers share one code path, and providers, retries, the response cache and the
per-model connection limit are Inspect's.

:class:`MeteredModel` wraps a model to count calls and tokens into the
:class:`Ledger` of the unit of work currently running (a :mod:`contextvars` scope,
inherited by the tasks ``asyncio.gather`` starts). The journal records each finished
unit's ledger and the run's :class:`Meter` is the sum of those ledgers -- so the
progress display and a resumed run show the same totals (calls of a unit cut short
by a crash are not counted: their work is redone).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import Any, cast

from inspect_ai.model import GenerateConfig, Model, ModelOutput, get_model
from pydantic import BaseModel, Field

__all__ = [
    "REQUESTS",
    "Ledger",
    "Meter",
    "MeteredModel",
    "ModelPrice",
    "ModelUnavailable",
    "ModelUsage",
    "RequestGauge",
    "current_ledger",
    "ledger_scope",
    "resolve_model",
]


class ModelUnavailable(RuntimeError):
    """Every try of a call raised (after Inspect's own retries): the model is down or misnamed.

    Unreadable answers are *counted*; this is different -- nothing came back at all.
    The generator abandons the current step (its finished units stay journaled),
    waits, retries it, and stops resumably after a few consecutive failures.
    """


class ModelPrice(BaseModel):
    """US dollars per million tokens."""

    input: float = Field(0.0, ge=0)
    output: float = Field(0.0, ge=0)


class ModelUsage(BaseModel):
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    def add(self, other: ModelUsage) -> None:
        self.calls += other.calls
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens


class Ledger(BaseModel):
    """What one unit of work spent, what it saved and what went wrong in it."""

    usage: dict[str, ModelUsage] = Field(default_factory=dict)
    failures: dict[str, int] = Field(default_factory=dict)
    reused: int = Field(0, description="Judge calls answered from the run's judgement memo instead.")

    def record_call(self, model: str, input_tokens: int, output_tokens: int) -> None:
        usage = self.usage.setdefault(model, ModelUsage())
        usage.calls += 1
        usage.input_tokens += input_tokens
        usage.output_tokens += output_tokens

    def fail(self, kind: str, n: int = 1) -> None:
        if n:
            self.failures[kind] = self.failures.get(kind, 0) + n

    def merge(self, other: Ledger) -> None:
        for model, usage in other.usage.items():
            self.usage.setdefault(model, ModelUsage()).add(usage)
        for kind, n in other.failures.items():
            self.fail(kind, n)
        self.reused += other.reused


_current: contextvars.ContextVar[Ledger | None] = contextvars.ContextVar("adaem_gen_ledger", default=None)


def current_ledger() -> Ledger | None:
    return _current.get()


@contextlib.contextmanager
def ledger_scope(ledger: Ledger) -> Iterator[Ledger]:
    """Attribute the calls made inside (and in tasks started inside) to ``ledger``."""
    token = _current.set(ledger)
    try:
        yield ledger
    finally:
        _current.reset(token)


class Meter:
    """Run totals for the progress display: calls, tokens, failures, estimated cost."""

    def __init__(self, prices: Mapping[str, ModelPrice] | None = None) -> None:
        self.prices = dict(prices or {})
        self.total = Ledger()

    def merge(self, ledger: Ledger) -> None:
        self.total.merge(ledger)

    @property
    def calls(self) -> int:
        return sum(u.calls for u in self.total.usage.values())

    @property
    def tokens(self) -> int:
        return sum(u.input_tokens + u.output_tokens for u in self.total.usage.values())

    @property
    def failures(self) -> int:
        return sum(self.total.failures.values())

    def cost(self) -> float | None:
        """Estimated US$ from the price table; ``None`` when no used model has a price."""
        priced = False
        total = 0.0
        for model, usage in self.total.usage.items():
            price = self.prices.get(model)
            if price is None:
                continue
            priced = True
            total += (usage.input_tokens * price.input + usage.output_tokens * price.output) / 1e6
        return total if priced else None


class RequestGauge:
    """Live request counters for the progress display: in flight now, the most at once, finished.

    Unlike the :class:`Meter` (journaled, so a resumed run shows the same totals) these
    count what this process is doing right now; a request is "in flight" from the
    ``generate`` call until its answer (waiting for one of Inspect's connection slots
    included), and Inspect cache hits count as requests too.
    """

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.finished = 0


REQUESTS = RequestGauge()
"""The process-wide gauge every :class:`MeteredModel` reports to unless given its own."""


class MeteredModel:
    """A :class:`Model` stand-in that counts every ``generate`` call and its tokens.

    Duck-typed (it forwards ``generate`` and attribute access), so it can be handed
    to code written against ``Model`` such as :func:`adaem_tasks.judge.judge_opinion`.
    """

    def __init__(self, model: Model, spec: str, gauge: RequestGauge | None = None) -> None:
        self.model = model
        self.spec = spec
        self.gauge = gauge if gauge is not None else REQUESTS

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

    def __str__(self) -> str:
        return self.spec

    def as_model(self) -> Model:
        """This wrapper, typed as a Model for APIs that take one."""
        return cast(Model, self)

    async def generate(self, input: Any, *args: Any, **kwargs: Any) -> ModelOutput:
        gauge = self.gauge
        gauge.in_flight += 1
        gauge.peak = max(gauge.peak, gauge.in_flight)
        try:
            output = await self.model.generate(input, *args, **kwargs)
        finally:
            gauge.in_flight -= 1
            gauge.finished += 1
        usage = output.usage
        input_tokens = int(usage.input_tokens) if usage else 0
        output_tokens = int(usage.output_tokens) if usage else 0
        ledger = _current.get()
        if ledger is not None:
            ledger.record_call(self.spec, input_tokens, output_tokens)
        return output


def resolve_model(
    spec: str,
    *,
    max_connections: int | None = None,
    max_retries: int | None = None,
    timeout: int | None = None,
    model_args: Mapping[str, Any] | None = None,
) -> MeteredModel:
    """An Inspect model for ``spec`` (e.g. ``openai/gpt-4o-mini``, ``vllm/...``), metered."""
    config = GenerateConfig(max_connections=max_connections, max_retries=max_retries, timeout=timeout)
    model = get_model(spec, config=config, **dict(model_args or {}))
    return MeteredModel(model, spec)
