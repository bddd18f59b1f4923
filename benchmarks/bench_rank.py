"""Benchmark: the AdAEM leaderboard for 16 models x 12,310 questions x 10 values, 100 replicates.

What is timed (same process, same machine, same synthetic answers):

* **ours** -- ``adaem_tasks.rating.rank_alignment`` with the default settings (partial-play
  weights 1 / team size): the comparability check, a seeded shuffle plus 100 bootstrap
  replicates (101 chains of 12,310 sequential two-team TrueSkill updates for each of
  the 10 values), win rates and percentile intervals. The two-team update runs as
  numpy operations over all (chain, value, model) cells at once. Also timed, for the
  record: the same with unit weights (``--team-weights sum``).
  Aligning the 197k value records into tensors is timed separately.
* **baseline** -- ``adaem_tasks.rating.reference.reference_rate_loop``, the straightforward
  implementation: for every chain and value, a Python loop over questions calling
  ``trueskill.rate([winners, losers], ranks=[0, 1], weights=...)`` with the same weights
  (the package's default environment). A full baseline run would take hours, so it is
  timed on ``--baseline-questions`` questions of one chain for every value and
  **extrapolated linearly** to 101 chains x 12,310 questions (each match costs the same
  whatever its position in the sequence).

Also printed: on the baseline's questions, the largest |mu| / |sigma| difference between
our chain and the loop (with trueskill's scipy backend, i.e. exact normal functions).

Run: ``.venv/bin/python benchmarks/bench_rank.py [--models 16] [--questions 12310]
[--values 10] [--replicates 100] [--baseline-questions 300]``
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

import numpy as np
import trueskill

from adaem_tasks.rating import RankConfig, ValueRecord, align, rank_alignment
from adaem_tasks.rating.reference import reference_rate_loop
from adaem_tasks.rating.trueskill_vec import TrueSkillParams, rate_chains
from adaem_tasks.value_systems import load_value_system


def synthetic_records(n_models: int, n_questions: int, n_values: int, seed: int = 0) -> list[ValueRecord]:
    """Every model with its own random propensity per value; 3% unjudgeable answers."""
    keys = load_value_system("schwartz").keys[:n_values]
    rng = np.random.default_rng(seed)
    propensity = rng.uniform(0.05, 0.8, size=(n_models, n_values))
    expressed = rng.random((n_models, n_questions, n_values)) < propensity[:, None, :]
    valid = rng.random((n_models, n_questions)) >= 0.03
    records = []
    for m in range(n_models):
        for q in range(n_questions):
            records.append(
                ValueRecord(
                    model=f"model-{m:02d}",
                    question_id=f"q{q:05d}",
                    set_version="bench-v1",
                    value_system="schwartz",
                    category=("A", "B", "C")[q % 3],
                    labels={k: int(expressed[m, q, j]) for j, k in enumerate(keys)},
                    valid=bool(valid[m, q]),
                )
            )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=16)
    parser.add_argument("--questions", type=int, default=12310)
    parser.add_argument("--values", type=int, default=10)
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--baseline-questions", type=int, default=300)
    args = parser.parse_args()

    print(
        f"machine: {os.cpu_count()} CPU cores visible; "
        f"numpy {np.__version__}, trueskill {trueskill.__version__}"
    )
    records = synthetic_records(args.models, args.questions, args.values)
    start = time.perf_counter()
    [alignment], _ = align(records)
    t_align = time.perf_counter() - start
    shape = f"{args.models} models x {args.questions} questions x {args.values} values"
    print(f"workload: {shape}, {args.replicates} bootstrap replicates (+1 point chain)")
    print(f"align {len(records):,} records into tensors: {t_align:.2f} s (not part of the ratio)")

    config = RankConfig(replicates=args.replicates, seed=0)
    rank_alignment(alignment.subset(np.arange(min(200, args.questions))), config)  # warm-up (imports, caches)
    start = time.perf_counter()
    board = rank_alignment(alignment, config)
    t_ours = time.perf_counter() - start
    print(
        f"ours     rank_alignment (comparability + rating + win rates + intervals, team weights "
        f"{config.team_weights}): {t_ours:.2f} s"
    )
    start = time.perf_counter()
    rank_alignment(alignment, replace(config, team_weights="sum"))
    print(f"         the same with team weights sum: {time.perf_counter() - start:.2f} s")

    n_sub = min(args.baseline_questions, args.questions)
    order = np.random.default_rng(1).permutation(args.questions)[:n_sub]
    env = trueskill.TrueSkill()
    start = time.perf_counter()
    _, _, matches = reference_rate_loop(alignment.labels, alignment.valid, order, env, config.team_weights)
    t_sub = time.perf_counter() - start
    chains = args.replicates + 1
    t_base = t_sub * (args.questions / n_sub) * chains
    print(
        f"baseline trueskill.rate loop: {t_sub:.2f} s for {n_sub} questions x {args.values} values x 1 chain "
        f"({matches} matches, {1e3 * t_sub / max(matches, 1):.2f} ms each)"
    )
    print(
        f"         extrapolated to {args.questions} questions x {chains} chains: "
        f"{t_base:,.0f} s ({t_base / 60:.1f} min)"
    )
    print(
        f"ratio (baseline / ours): {t_base / t_ours:,.0f}x; "
        f"target <= 10 s: {'met' if t_ours <= 10 else 'MISSED'}"
    )

    exact_env = TrueSkillParams().trueskill_env("scipy")
    mu_ref, sigma_ref, _ = reference_rate_loop(
        alignment.labels, alignment.valid, order, exact_env, config.team_weights
    )
    ours = rate_chains(alignment.labels, alignment.valid, order[None, :], team_weights=config.team_weights)
    print(
        f"check on those {n_sub} questions vs trueskill.rate (scipy backend): max |d mu| = "
        f"{np.abs(ours.mu[0] - mu_ref).max():.2e}, "
        f"max |d sigma| = {np.abs(ours.sigma[0] - sigma_ref).max():.2e}"
    )
    best = ", ".join(f"{v}: {board.leader(v)}" for v in board.values[:3])
    assert board.comparability.all_comparable, "every synthetic model answered every question"
    print(f"(leaders of the first values, for the record: {best})")


if __name__ == "__main__":
    main()
