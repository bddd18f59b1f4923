"""``adaem-gen plan``: model calls, tokens and cost of a run configuration, before spending anything.

The estimate follows the algorithm's structure (the code paths of
:mod:`adaem_gen.bandit.steps` and :mod:`adaem_gen.bandit.pull`), with ``V`` the number of values,
``P`` the key points per opinion and ``J`` the judge calls per judged text (``V`` in
``single`` judge mode, 1 in ``batched``):

* an S estimate with models ``M`` of a text not judged before costs
  ``|M|`` opinion calls + ``|M|·P·J`` key-point judge calls + ``J`` calls judging the
  text itself (``R_Dis``); the P2 final score of a candidate reuses that last part
  (the text was judged in its P1 estimate);
* the seeds: one P2 estimate each (without ``--p2`` the final score of a candidate is
  the P1 estimate of its final text: the same journaled unit, no new calls);
* each of the ``B`` steps: ``N_2·|P1|`` explorations of 2 calls (Listings 5-6), a guard
  call per exploration (with ``--guard``); per *admitted* candidate a P1 estimate, per
  refinement attempt 2 calls (Listings 7-8), per refined text a guard call and a P1
  estimate, and the P2 final score.

What the structure cannot know is stated as assumptions: the share of explorations
admitted (``accept_rate``: unreadable, unsafe and duplicate ones cost their 2 calls
and nothing more) and the refinement rounds per candidate (``refine_rounds``, between
1 and ``max_refine``: the loop stops once a refinement gains no more than τ). The
defaults (every exploration admitted, one round) are what a run costs when nothing is
deduplicated and refinements rarely pay off; ``upper`` is every exploration admitted
and ``max_refine`` rounds each. Retries of unreadable answers add to both, and judge
answers reused for identical key points (:mod:`adaem_gen.scoring.judgements`) subtract.

Tokens: prompt tokens are the real templates filled with texts of typical length,
counted at 4 characters per token; completion tokens are typical answer lengths
(an opinion uses its word budget). Cost = tokens x ``--prices``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from adaem_gen.config import ConfigError, RunConfig
from adaem_gen.models import ModelPrice
from adaem_gen.prompts import render
from adaem_gen.questions.explore import explore_prompt
from adaem_tasks.judge import batched_judge_prompt, single_judge_prompt
from adaem_tasks.opinion import opinion_prompt
from adaem_tasks.value_systems import ValueSystem

__all__ = ["CallCounts", "Plan", "PlanAssumptions", "plan_run", "structural_calls"]

CHARS_PER_TOKEN = 4
_QUESTION = " ".join(["word"] * 18) + "?"  # Listing 6 asks for < 20 words
_POINT = " ".join(["word"] * 30) + "."
OUTPUT_TOKENS = {"guard": 3, "judge_single": 1, "judge_batched": 60}
"""Typical completion tokens; explore/refine: ~150 for the first turn (facts, suggestions), ~30-40 after."""


def _tokens(text: str) -> int:
    return max(1, round(len(text) / CHARS_PER_TOKEN))


@dataclass
class CallCounts:
    """Calls per role and kind; the unit the structure is written in."""

    p1: dict[str, float] = field(default_factory=dict)  # explore, refine, opinion (per P1 model)
    p2: dict[str, float] = field(default_factory=dict)  # opinion (per P2 model)
    judge: float = 0.0
    guard: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.p1.values()) + sum(self.p2.values()) + self.judge + self.guard


def structural_calls(
    config: RunConfig,
    *,
    seeds: int,
    values: int,
    accepted: float,
    refine_attempts: float,
    refined_scored: float,
) -> CallCounts:
    """Model calls for run totals: candidates ``accepted``, refinement attempts and refined texts scored.

    ``refined_scored`` counts refinements that produced a new (safe) text, each guarded
    and estimated with P1; every judged text is assumed distinct (see the module doc).
    """
    judge_per_text = values if config.judge_mode == "single" else 1
    n1, n2 = len(config.p1), len(config.p2_models)
    points = config.points
    explorations = config.budget * config.n2 * n1
    p1_estimates = accepted + refined_scored
    # With P2 = P1 (no --p2) a candidate's final score *is* the P1 estimate of its final text
    # (the same journaled unit), so only the seeds cost a P2 estimate.
    p2_estimates = seeds + (accepted if config.p2_models != config.p1 else 0)
    counts = CallCounts()
    counts.p1 = {
        "explore": 2.0 * explorations,
        "refine": 2.0 * refine_attempts,
        "opinion": float(n1 * p1_estimates),
    }
    counts.p2 = {"opinion": float(n2 * p2_estimates)}
    texts_judged = seeds + p1_estimates  # a P2 final reuses its text's labels from the P1 estimate
    counts.judge = judge_per_text * (points * (n1 * p1_estimates + n2 * p2_estimates) + texts_judged)
    if config.guard:
        counts.guard = float(explorations + refined_scored)
    return counts


class PlanAssumptions(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    accept_rate: float = Field(1.0, ge=0.0, le=1.0, description="Share of explorations admitted.")
    refine_rounds: float = Field(1.0, ge=0.0, description="Refinement rounds per admitted candidate.")


class PlanRow(BaseModel):
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    by_role: dict[str, int]


class Plan(BaseModel):
    """The estimate (under ``assumptions``) and the upper case, with the settings they came from."""

    budget: int
    seeds: int
    parallel: int
    assumptions: PlanAssumptions
    estimate: PlanRow
    upper: PlanRow
    per_unit: dict[str, Any]


def _two_turn(first: str, second: str, first_out: int, second_out: int) -> tuple[int, int]:
    """Mean (input, output) tokens of a two-turn call pair: the second resends the first turn and reply."""
    inputs = _tokens(first) + (_tokens(first) + first_out + _tokens(second))
    return inputs // 2, (first_out + second_out) // 2


def _per_call_tokens(config: RunConfig, system: ValueSystem) -> dict[str, tuple[int, int]]:
    """(input, output) tokens per call kind, from the filled templates."""
    specifics = [(_QUESTION, 7.5)] * config.n_shot
    key = system.keys[0]
    judge = (
        single_judge_prompt(system, _POINT, key)
        if config.judge_mode == "single"
        else batched_judge_prompt(system, _POINT)
    )
    block = f"[Model-1 Key-points]: {_POINT} {_POINT} {_POINT}\n[Model-1 Value]: {system.value(key).name}"
    reflect = render(
        "reflect",
        framework=system.title,
        general=_QUESTION,
        question=_QUESTION,
        background=_POINT,
        generation="\n".join([block] * len(config.p1)),
        score="7.50",
    )
    return {
        "explore": _two_turn(explore_prompt(_QUESTION, specifics), render("explore_question"), 150, 40),
        "refine": _two_turn(reflect, render("refine"), 150, 30),
        "opinion": (
            _tokens(opinion_prompt(_QUESTION, config.points, config.words)),
            round(config.words * 4 / 3),
        ),
        "judge": (_tokens(judge), OUTPUT_TOKENS[f"judge_{config.judge_mode}"]),
        "guard": (_tokens(render("guard", question=_QUESTION)), OUTPUT_TOKENS["guard"]),
    }


def _row(counts: CallCounts, config: RunConfig, tokens: dict[str, tuple[int, int]]) -> PlanRow:
    spent: dict[str, list[float]] = {}  # model spec -> [input, output]

    def add(spec: str, calls: float, kind: str) -> None:
        inp, out = tokens[kind]
        acc = spent.setdefault(spec, [0.0, 0.0])
        acc[0] += calls * inp
        acc[1] += calls * out

    for kind, calls in counts.p1.items():
        for spec in config.p1:
            add(spec, calls / len(config.p1), kind)
    for spec in config.p2_models:
        add(spec, counts.p2["opinion"] / len(config.p2_models), "opinion")
    add(str(config.judge), counts.judge, "judge")
    if config.guard:
        add(config.guard, counts.guard, "guard")
    prices: dict[str, ModelPrice] = config.prices
    priced = [s for s in spent if s in prices]
    cost = (
        sum((spent[s][0] * prices[s].input + spent[s][1] * prices[s].output) / 1e6 for s in priced)
        if priced
        else None
    )
    return PlanRow(
        calls=round(counts.total),
        input_tokens=round(sum(v[0] for v in spent.values())),
        output_tokens=round(sum(v[1] for v in spent.values())),
        cost_usd=round(cost, 4) if cost is not None else None,
        by_role={
            "p1": round(sum(counts.p1.values())),
            "p2": round(sum(counts.p2.values())),
            "judge": round(counts.judge),
            "guard": round(counts.guard),
        },
    )


def plan_run(
    config: RunConfig, *, seeds: int, system: ValueSystem, assumptions: PlanAssumptions | None = None
) -> Plan:
    """Calls, tokens and cost of ``config`` over ``seeds`` seed questions (see the module doc)."""
    assume = assumptions or PlanAssumptions()
    if assume.refine_rounds > config.max_refine:  # what is printed must be what is computed
        raise ConfigError(
            f"--refine-rounds {assume.refine_rounds:g} is more than --max-refine {config.max_refine}: a "
            f"candidate is refined at most --max-refine rounds; assume at most {config.max_refine} rounds "
            "or raise --max-refine"
        )
    explorations = config.budget * config.n2 * len(config.p1)
    tokens = _per_call_tokens(config, system)

    def counts(accept: float, rounds: float) -> CallCounts:
        accepted = accept * explorations
        return structural_calls(
            config,
            seeds=seeds,
            values=len(system.keys),
            accepted=accepted,
            refine_attempts=accepted * rounds,
            refined_scored=accepted * rounds,
        )

    judge_per_text = len(system.keys) if config.judge_mode == "single" else 1
    return Plan(
        budget=config.budget,
        seeds=seeds,
        parallel=config.parallel,
        assumptions=assume,
        estimate=_row(counts(assume.accept_rate, assume.refine_rounds), config, tokens),
        upper=_row(counts(1.0, float(config.max_refine)), config, tokens),
        per_unit={
            "judge_calls_per_text": judge_per_text,
            "new_text_estimate_p1": len(config.p1) * (1 + config.points * judge_per_text) + judge_per_text,
            "new_text_estimate_p2": len(config.p2_models) * (1 + config.points * judge_per_text)
            + judge_per_text,
            "explorations": explorations,
            "tokens_per_call": {k: {"input": v[0], "output": v[1]} for k, v in tokens.items()},
        },
    )
