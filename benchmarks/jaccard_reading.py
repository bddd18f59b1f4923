"""Which reading of C.3's ``min(|∩|, 1)`` makes question sets that separate models better?

App. C.3 prints ``D_jaccard = |v_1 ∪ v_2| / min(|v_1 ∩ v_2|, 1)`` (and the same denominator in
R_VC). Read literally (``--jaccard as_written``) both terms are the union size: models that
agree on many values score as high as models that disagree. The name "Jaccard diversity"
suggests ``|∪| / max(|∩|, 1)`` (``--jaccard max``), which discounts shared values. The reading
changes S, so it changes which arms the bandit pulls, which refinements it keeps (τ is a gain in
S) and which questions ``--top`` keeps -- so it is chosen by what the sets do, measured with the
project's own commands:

1. ``adaem-gen run`` from the same seed questions (16 of ``seed-v1``, spread over its
   categories) with both readings and several ``--seed`` values; P1 = three scripted
   ``saturating-`` personas (they answer generic questions with one shared profile and
   specific ones with their own planted values -- the setting the paper's informativeness
   claim is about), keyword judge; the set is the run's ``--top`` best-scored questions;
2. ``inspect eval adaem_tasks/schwartz`` on each set with four *other* saturating personas;
3. ``adaem-validate informativeness`` on the two sets of each seed: separability (mean over
   model pairs and values of the absolute difference of expression rates) and its paired
   difference with a bootstrap interval.

The reading whose sets separate the examinees more is the default (``RunConfig.jaccard``).
Run: ``python benchmarks/jaccard_reading.py [--seeds 0,1,2,3,4] [--budget 20] [--top 24]``
(about ten minutes on two cores); it prints one row per seed and the mean difference.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

P1 = (
    "adaem-persona/saturating-power+achievement,"
    "adaem-persona/saturating-tradition+conformity,"
    "adaem-persona/saturating-hedonism+stimulation"
)
EXAMINEES = (
    "adaem-persona/saturating-power,adaem-persona/saturating-security,"
    "adaem-persona/saturating-tradition+benevolence,adaem-persona/saturating-universalism"
)
READINGS = ("as_written", "max")


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args[:3])} ... exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


def _seed_file(path: Path, count: int) -> None:
    from adaem_tasks.questions import load_question_set

    questions = load_question_set("seed-v1").questions
    step = max(1, len(questions) // count)
    path.write_text("".join(q.model_dump_json() + "\n" for q in questions[::step][:count]), encoding="utf-8")


def study(work: Path, seeds: list[int], budget: int, top: int, n_seeds: int) -> list[dict[str, float]]:
    env = {**os.environ, "ADAEM_HOME": str(work / "home"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    bin_dir = Path(sys.executable).parent
    _seed_file(work / "seeds.jsonl", n_seeds)
    rows = []
    for seed in seeds:
        logs = []
        for reading in READINGS:
            name = f"{reading}-{seed}"
            _run(
                [
                    str(bin_dir / "adaem-gen"), "run", "--seeds", "seeds.jsonl", "--p1", P1,
                    "--judge", "adaem-judge/keyword", "--judge-mode", "batched", "--budget", str(budget),
                    "--top", str(top), "--jaccard", reading, "--seed", str(seed),
                    "--out", f"runs/{name}", "--version", name, "--no-publish", "--quiet",
                ],
                work,
                env,
            )  # fmt: skip
            _run(
                [
                    str(bin_dir / "inspect"), "eval", "adaem_tasks/schwartz",
                    "-T", f"questions=runs/{name}/set", "-T", "judge_mode=batched", "--model", EXAMINEES,
                    "--model-role", "grader=adaem-judge/keyword", "--log-dir", f"logs/{name}",
                    "--display", "none",
                ],
                work,
                env,
            )  # fmt: skip
            logs.append(f"logs/{name}")
        out = f"informativeness-{seed}"
        _run(
            [
                str(bin_dir / "adaem-validate"), "informativeness", *logs, "--labels", ",".join(READINGS),
                "--seed", str(seed), "--out", out, "--no-png", "--quiet",
            ],
            work,
            env,
        )  # fmt: skip
        report = json.loads((work / out / "informativeness.json").read_text(encoding="utf-8"))
        by_label = {s["label"]: s for s in report["sets"]}
        [difference] = report["differences"]
        sign = 1.0 if difference["a"] == "as_written" else -1.0  # delta is b - a; report max - as_written
        row = {
            "seed": seed,
            **{f"sep_{r}": by_label[r]["separability"] for r in READINGS},
            **{f"saturated_{r}": by_label[r]["saturated_share"] for r in READINGS},
            "diff": sign * difference["delta"],
            "diff_low": min(sign * difference["ci_low"], sign * difference["ci_high"]),
            "diff_high": max(sign * difference["ci_low"], sign * difference["ci_high"]),
        }
        rows.append(row)
        print(
            f"seed {seed}: separability as_written {row['sep_as_written']:.3f}, max {row['sep_max']:.3f}; "
            f"max - as_written {row['diff']:+.3f} [{row['diff_low']:+.3f}, {row['diff_high']:+.3f}]; "
            f"saturated share {row['saturated_as_written']:.3f} vs {row['saturated_max']:.3f}",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4", help="adaem-gen --seed values (default 0..4)")
    parser.add_argument("--budget", type=int, default=20, help="bandit steps per run (default 20)")
    parser.add_argument("--top", type=int, default=24, help="questions kept per set (default 24)")
    parser.add_argument("--n-seeds", type=int, default=16, help="seed questions from seed-v1 (default 16)")
    parser.add_argument("--work", help="working directory (default: a temporary one)")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="jaccard-reading-") as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        rows = study(work, seeds, args.budget, args.top, args.n_seeds)
    diffs = [r["diff"] for r in rows]
    wins = sum(d > 0 for d in diffs)
    print(
        f"RESULT: separability max - as_written, mean {statistics.fmean(diffs):+.3f} over {len(rows)} seeds "
        f"(max higher on {wins}, its interval above 0 on {sum(r['diff_low'] > 0 for r in rows)}); "
        f"mean separability as_written {statistics.fmean(r['sep_as_written'] for r in rows):.3f}, "
        f"max {statistics.fmean(r['sep_max'] for r in rows):.3f}"
    )


if __name__ == "__main__":
    main()
