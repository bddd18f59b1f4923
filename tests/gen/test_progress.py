"""The progress line shows steps, best S, calls, tokens and an estimated cost."""

from __future__ import annotations

import io

from rich.console import Console

from adaem_gen.models import Ledger, Meter, ModelPrice
from adaem_gen.run.pipeline import Node, StepStats
from adaem_gen.run.progress import RichDisplay, format_status


def _meter() -> Meter:
    meter = Meter({"openai/gpt-4o": ModelPrice(input=2.5, output=10.0)})
    ledger = Ledger()
    ledger.record_call("openai/gpt-4o", 1_000_000, 100_000)
    ledger.record_call("vllm/qwen", 500, 50)
    ledger.fail("opinion_refusal", 2)
    meter.merge(ledger)
    return meter


def test_cost_comes_from_the_price_table() -> None:
    meter = _meter()
    assert meter.calls == 2
    assert meter.tokens == 1_100_550
    assert meter.cost() == 2.5 + 1.0  # the unpriced model adds nothing
    assert Meter().cost() is None


def test_status_line_and_plain_output() -> None:
    status = {"steps": 3, "budget": 10, "best": 7.25, "mean_new": 5.0, "mean_seeds": 3.0}
    line = format_status({**status, "meter": _meter(), "stats": StepStats(accepted=4, duplicates=1)})
    assert "best S 7.25" in line and "(seeds 3.00)" in line and "2 calls" in line
    assert "$3.5000" in line and "2 failures" in line and "4 new / 1 dup" in line
    buffer = io.StringIO()
    display = RichDisplay(Console(file=buffer, force_terminal=False))
    display.start(10, 0)
    node = Node(id="g1", text="Q?", arm=0, depth=1, category="c", topic="t", seed_id="s", score=7.25)
    display.step(1, "Should zoos be closed?", [node])
    display.update(**status, meter=_meter())
    display.stop()
    # plain (non-terminal) mode prints to stderr, not to the console buffer
    assert buffer.getvalue() == ""


def test_throughput_eta_and_cost_at_the_current_rate() -> None:
    from adaem_gen.models import RequestGauge
    from adaem_gen.run.throughput import Throughput, format_duration

    now = [100.0]
    gauge = RequestGauge()
    tp = Throughput(gauge, window_s=30.0, clock=lambda: now[0])
    first = tp.snapshot(steps_done=0, budget=6, cost=None)
    assert first["eta_s"] is None and first["cost_to_go"] is None  # unknown, not 0
    tp.steps_started(steps_done=1, cost=0.5)  # a resumed run: 1 step journaled, $0.50 spent
    gauge.in_flight, gauge.peak, gauge.finished = 7, 9, 40
    now[0] += 10.0
    status = tp.snapshot(steps_done=3, budget=6, cost=1.5)  # 2 steps in 10 s, $1.00 for them
    assert status["eta_s"] == 15.0 and status["cost_to_go"] == 1.5
    assert status["calls_per_s"] == 4.0 and status["in_flight"] == 7 and status["peak_in_flight"] == 9
    assert tp.snapshot(steps_done=6, budget=6, cost=2.0)["eta_s"] == 0.0
    line = format_status({"best": 1.0, **status})
    assert "4.0 calls/s" in line and "7 in flight (max 9)" in line and "ETA 15s" in line
    assert "$1.5000 to go" in line
    assert format_duration(3725) == "1h02m" and format_duration(None) == "-"
    assert tp.summary()["calls"] == 40
