"""How many bootstrap replicates a leaderboard needs, and what they cost in memory.

Evidence for two numbers of ``adaem_tasks.rating``:

1. **memory** -- ``rating_memory`` estimates the peak a board's rating holds, so that
   ``adaem-rank --replicates N`` is refused with a message instead of dying in numpy's
   ``_ArrayMemoryError`` (issue 21: ``--replicates 100000000`` asked for 29.8 GiB). Here
   tracemalloc measures the actual peak of ``rank_alignment`` (numpy reports its buffers to
   tracemalloc) for several board shapes; the ratio measured / estimated must stay below 1
   (an upper estimate: refusing a run that would have fitted is better than dying in one).
2. **the cap** -- ``MAX_REPLICATES``: how much the ends of a 95 % interval still move with the
   bootstrap's own randomness. Each replicate count is run with several seeds on the same
   answers; printed is the mean over (model, value) cells of the sd of ``ci_low`` and
   ``ci_high`` across the seeds, in win-rate points.

Run: ``.venv/bin/python benchmarks/replicates.py [--models 8] [--questions 200] [--seeds 5]``
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
from bench_rank import synthetic_records

from adaem_tasks.rating import RankConfig, align, rank_alignment
from adaem_tasks.rating.leaderboard import rating_memory


def _peak(alignment: object, replicates: int) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    rank_alignment(alignment, RankConfig(replicates=replicates))  # type: ignore[arg-type]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=8)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()

    print("1. peak memory of one board's rating: tracemalloc vs rating_memory()")
    print(
        f"{'models':>6} {'questions':>9} {'values':>6} {'replicates':>10} "
        f"{'measured':>10} {'estimate':>10} ratio"
    )
    for models, questions, values, replicates in [
        (4, 40, 10, 2000),
        (8, 200, 10, 1000),
        (16, 500, 10, 500),
        (32, 200, 5, 500),
        (64, 100, 5, 200),
    ]:
        [alignment], _ = align(synthetic_records(models, questions, values))
        measured = _peak(alignment, replicates)
        estimate = rating_memory(questions, values, models, replicates)
        print(
            f"{models:>6} {questions:>9} {values:>6} {replicates:>10} {measured / 2**20:>8.1f}Mi "
            f"{estimate / 2**20:>8.1f}Mi {measured / estimate:.2f}"
        )

    print(f"\n2. Monte Carlo spread of the 95% interval ends over {args.seeds} seeds, win-rate points")
    [alignment], _ = align(synthetic_records(args.models, args.questions, 10))
    print(f"   {args.models} models x {args.questions} questions x 10 values")
    for replicates in (100, 1000, 10000):
        started = time.perf_counter()
        lows, highs = [], []
        for seed in range(args.seeds):
            board = rank_alignment(alignment, RankConfig(replicates=replicates, seed=seed))
            lows.append(board.ci_low)
            highs.append(board.ci_high)
        low_sd = 100 * float(np.nanmean(np.std(lows, axis=0)))
        high_sd = 100 * float(np.nanmean(np.std(highs, axis=0)))
        width = 100 * float(np.nanmean(np.mean(highs, axis=0) - np.mean(lows, axis=0)))
        seconds = (time.perf_counter() - started) / args.seeds
        print(
            f"   {replicates:>6} replicates: sd of ci_low {low_sd:.2f}, of ci_high {high_sd:.2f} "
            f"(mean interval width {width:.1f}); {seconds:.1f} s per board"
        )


if __name__ == "__main__":
    main()
