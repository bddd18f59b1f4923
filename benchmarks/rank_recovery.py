"""Which adaem-rank settings recover planted value profiles, and how much overlap a win rate needs.

The data: scripted personas with *graded* planted profiles (``adaem-persona/power:0.9+
achievement:0.6+security:0.3``: each listed value expressed with that probability, every
other one with 0.05), answering the shipped ``seed-v1`` set through the real Inspect task
(``inspect_ai.eval``) and judged by the keyword judge, which reads the planted values back
exactly. Most values are expressed by one or two of the twelve personas, so most matches
are 1-vs-11 or 2-vs-10: the team-size asymmetry of issue 9, case 6.

Part 1 -- team weights x prior mean. Each setting ranks the same logs (100 bootstrap
replicates) and is scored against the planted profiles:

* **ordered**: of the (value, model pair) cases whose planted probabilities differ, the share
  whose point win rates are in the planted order;
* **separated**: the share in the planted order *with disjoint 95 % intervals* (right and sure);
* **CI width**: the mean width of the 95 % intervals (win-rate units);
* **prior shift**: the largest change of any win rate against the same weights at mu = 25.

The baseline is the trueskill package's defaults (unit weights, mu = 25), measured in the
same run; the other rows print their ratio of separated cases to it.

Part 2 -- overlap. One persona at a time keeps only ``n`` of its answers (random subsets,
several seeds; ``--min-shared 1`` so nothing is refused) and is ranked against the other
eleven on all questions with the default settings. Printed per ``n``: the mean |difference|
between its win rates and its win rates on all questions, and the share of its planted
pairwise orders it still gets right. This is the evidence behind ``--min-shared``'s default.

Run: ``.venv/bin/python benchmarks/rank_recovery.py [--logs DIR] [--limit N] [--replicates 100]``
(``--logs`` keeps the Inspect logs and reuses them when they are already there; the persona
run takes a couple of minutes on two cores).
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.rating import Alignment, RankConfig, TrueSkillParams, align, load_records, rank_alignment
from adaem_tasks.testing.personas import parse_persona

PERSONAS = (
    "power:0.9+achievement:0.6+security:0.3",
    "security:0.9+conformity:0.6+tradition:0.3",
    "hedonism:0.9+stimulation:0.6+self_direction:0.3",
    "tradition:0.9+benevolence:0.6+conformity:0.3",
    "universalism:0.9+self_direction:0.6+benevolence:0.3",
    "benevolence:0.9+universalism:0.6+security:0.3",
    "achievement:0.9+hedonism:0.6+power:0.3",
    "stimulation:0.9+self_direction:0.6+achievement:0.3",
    "conformity:0.9+security:0.6+tradition:0.6",
    "self_direction:0.9+universalism:0.3+stimulation:0.3",
    "power:0.6+tradition:0.6+conformity:0.3",
    "hedonism:0.3+benevolence:0.3+universalism:0.3",
)
PRIORS = (0.0, 25.0, 50.0, 100.0)
OVERLAPS = (2, 5, 10, 15, 20, 30, 40, 80)


def run_personas(log_dir: Path, limit: int | None) -> None:
    """The real task, once per persona; skipped when ``log_dir`` already holds logs."""
    if any(log_dir.glob("*.eval")):
        print(f"reusing the Inspect logs in {log_dir}")
        return
    from inspect_ai import eval as inspect_eval

    start = time.perf_counter()
    logs = inspect_eval(
        "adaem_tasks/schwartz",
        model=[f"adaem-persona/{p}" for p in PERSONAS],
        model_roles={"grader": "adaem-judge/keyword"},
        task_args={"judge_mode": "batched"},
        limit=limit,
        log_dir=str(log_dir),
        display="none",
        max_tasks=4,
    )
    if any(log.status != "success" for log in logs):
        raise SystemExit(f"a persona run failed: {[log.status for log in logs]}")
    print(f"ran {len(PERSONAS)} personas through adaem_tasks/schwartz in {time.perf_counter() - start:.0f} s")


def planted(alignment: Alignment) -> NDArray[np.float64]:
    """(models, values): each persona's planted probability of expressing each value."""
    profiles = [parse_persona(m.removeprefix("adaem-persona/")).profile() for m in alignment.models]
    return np.array([[profile[v] for v in alignment.values] for profile in profiles])


def ordered_pairs(truth: NDArray[np.float64]) -> list[tuple[int, int, int]]:
    """(value, higher model, lower model) for every pair whose planted probabilities differ."""
    return [
        (j, a, b) if truth[a, j] > truth[b, j] else (j, b, a)
        for j in range(truth.shape[1])
        for a, b in itertools.combinations(range(truth.shape[0]), 2)
        if truth[a, j] != truth[b, j]
    ]


@dataclass
class Score:
    ordered: float
    separated: float
    width: float
    rates: NDArray[np.float64]


def score(alignment: Alignment, truth: NDArray[np.float64], config: RankConfig) -> Score:
    board = rank_alignment(alignment, config)
    pairs = ordered_pairs(truth)
    rate, low, high = board.win_rate, board.ci_low, board.ci_high
    ordered = np.mean([rate[hi, j] > rate[lo, j] for j, hi, lo in pairs])
    separated = np.mean([low[hi, j] > high[lo, j] for j, hi, lo in pairs])
    return Score(float(ordered), float(separated), float(np.nanmean(high - low)), rate)


def compare_settings(alignment: Alignment, truth: NDArray[np.float64], replicates: int) -> None:
    print(
        f"\nPart 1: team weights x prior mean ({len(alignment.models)} personas, "
        f"{len(alignment.question_ids)} questions, {len(ordered_pairs(truth))} planted pairwise orders, "
        f"{replicates} bootstrap replicates)"
    )
    columns = f"{'ordered':>10}{'separated':>11}{'CI width':>10}{'prior shift':>13}"
    print(f"  {'weights':<8}{'mu':>6}{columns}{'separated vs baseline':>23}")
    baseline = None
    for weights in ("sum", "mean"):
        scores = {
            mu: score(
                alignment,
                truth,
                RankConfig(replicates=replicates, team_weights=weights, params=TrueSkillParams(mu=mu)),
            )
            for mu in PRIORS
        }
        baseline = baseline or scores[25.0]
        for mu, s in scores.items():
            shift = float(np.nanmax(np.abs(s.rates - scores[25.0].rates)))
            ratio = s.separated / baseline.separated if baseline.separated else float("nan")
            tag = "  (baseline: trueskill defaults)" if weights == "sum" and mu == 25.0 else ""
            print(
                f"  {weights:<8}{mu:>6.0f}{s.ordered:>10.3f}{s.separated:>11.3f}{s.width:>10.3f}"
                f"{shift:>13.3f}{ratio:>22.2f}x{tag}"
            )


def restricted(alignment: Alignment, model: int, keep: NDArray[np.bool_]) -> Alignment:
    """The same alignment with ``model``'s answers outside ``keep`` removed."""
    valid = alignment.valid.copy()
    known = alignment.known.copy()
    valid[~keep, model] = False
    known[~keep, :, model] = False
    return replace(alignment, valid=valid, known=known)


def overlap_study(alignment: Alignment, truth: NDArray[np.float64], seeds: int) -> None:
    config = RankConfig(replicates=0, min_shared=1)
    full = rank_alignment(alignment, config).win_rate
    pairs = ordered_pairs(truth)
    n_questions = len(alignment.question_ids)
    print(
        f"\nPart 2: one persona keeps n of its {n_questions} answers ({seeds} random subsets x "
        f"{len(alignment.models)} personas per n; default settings, --min-shared 1)"
    )
    print(f"  {'n shared':>8}{'mean |error|':>14}{'p90 |error|':>13}{'ordered':>10}")
    rng = np.random.default_rng(0)
    for n in OVERLAPS:
        errors: list[float] = []
        right: list[bool] = []
        for _ in range(seeds):
            for m in range(len(alignment.models)):
                keep = np.zeros(n_questions, dtype=bool)
                keep[rng.choice(n_questions, size=min(n, n_questions), replace=False)] = True
                board = rank_alignment(restricted(alignment, m, keep), config)
                rates = board.win_rate[m]
                errors.extend(np.abs(rates - full[m])[np.isfinite(rates)].tolist())
                right.extend(
                    bool(board.win_rate[hi, j] > board.win_rate[lo, j])
                    for j, hi, lo in pairs
                    if m in (hi, lo) and np.isfinite(board.win_rate[m, j])
                )
        error = np.array(errors) if errors else np.array([np.nan])
        share = float(np.mean(right)) if right else float("nan")
        print(f"  {n:>8}{np.mean(error):>14.3f}{np.quantile(error, 0.9):>13.3f}{share:>10.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=Path, help="keep (and reuse) the persona logs here")
    parser.add_argument("--limit", type=int, help="questions per persona (default: all of seed-v1)")
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=5, help="random subsets per persona and n in part 2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        log_dir = args.logs or Path(scratch) / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        run_personas(log_dir, args.limit)
        records, problems = load_records([log_dir])
    if problems:
        raise SystemExit("the persona logs should read cleanly: " + "; ".join(map(str, problems)))
    [alignment], _ = align(records)
    truth = planted(alignment)
    compare_settings(alignment, truth, args.replicates)
    overlap_study(alignment, truth, args.seeds)


if __name__ == "__main__":
    main()
