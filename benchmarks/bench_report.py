"""Benchmark: what ``report.html`` adds to ``adaem-rank``, in time and size, and at paper scale.

Logs: real Inspect logs of scripted examinees (``adaem-persona`` with four planted
profiles, keyword judge, batched mode) on a generated set of distinct questions, written by
``inspect eval`` itself -- by default 4 models x 5,000 questions (about an hour on two busy
cores; kept in ``--work`` and reused). ``--logs DIR`` ranks logs you already have instead.

Measured on those logs, in this run:

* **adaem-rank's own time**: the ``adaem-rank`` command with ``--no-report``, and the same
  command writing the report (default ``--report-cases``), each ``--repeats`` times,
  alternating; medians. The report's share is ``(with - without) / without``. Twice: a
  first run (``--no-cache``: every log read) and a cached run (the logs' records taken from
  adaem-rank's cache of earlier reads, in a temporary ``$ADAEM_CACHE_DIR``), the fastest
  adaem-rank gets.
* in one process, the parts: reading the logs, rating, and the report split into choosing
  cases, reading their answers back from the logs, and rendering; and the report's size.

Paper scale (16 models x 12,310 questions) is then *projected* from those parts, and the
projection is written out: the logs are read in time linear in samples (models x
questions); the rating, vectorised over models, is scaled by questions only (a lower bound
for adaem-rank); the report reads, per log, the zip directory (linear in questions) plus at
most ``N x values`` samples (``N`` = ``--report-cases``), and renders at most ``N x values``
questions x models. Its size is bounded the same way, with each answer at most
:data:`~adaem_tasks.rating.html.MAX_ANSWER_CHARS` characters.

Run: ``python benchmarks/bench_report.py [--work DIR] [--models 4] [--questions 5000]
[--repeats 3] [--logs DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from adaem_tasks.rating import RankConfig, load_records, rank_records
from adaem_tasks.rating.html import (
    DEFAULT_REPORT_CASES,
    MAX_ANSWER_CHARS,
    MAX_POINT_CHARS,
    read_answers,
    render_report,
    select_cases,
)
from adaem_tasks.rating.html._view import board_view
from adaem_tasks.rating.log_cache import CACHE_ENV
from adaem_tasks.rating.log_reading import ReadOptions

PROFILES = (
    "power:0.8+achievement:0.5",
    "tradition:0.8+conformity:0.5",
    "hedonism:0.8+stimulation:0.5",
    "universalism:0.8+benevolence:0.5",
    "security:0.8+power:0.4",
    "self_direction:0.8+stimulation:0.4",
    "benevolence:0.8+tradition:0.4",
    "achievement:0.8+hedonism:0.4",
)
# 16 x 20 x 40 = 12,800 distinct questions: enough for the paper's 12,310
_SUBJECTS = [
    "cities",
    "schools",
    "hospitals",
    "farmers",
    "banks",
    "parents",
    "artists",
    "police",
    "universities",
    "museums",
    "unions",
    "churches",
    "newspapers",
    "landlords",
    "employers",
    "charities",
]
_ACTIONS = [
    "ban",
    "subsidise",
    "tax",
    "regulate",
    "publish",
    "automate",
    "share",
    "limit",
    "reward",
    "license",
    "audit",
    "insure",
    "protect",
    "privatise",
    "measure",
    "advertise",
    "fund",
    "price",
    "label",
    "restrict",
]
_THINGS = (
    "private cars", "sugary drinks", "night work", "facial recognition", "gene editing", "open data",
    "rent increases", "remote work", "short-term lets", "lab-grown meat", "tipping", "online voting",
    "nuclear power", "school uniforms", "zoos", "plastic bags", "cash payments", "drone deliveries",
    "fireworks", "homework", "daylight saving", "billboards", "energy drinks", "tourist visas", "sick pay",
    "video games", "hunting", "organ donation", "tuition fees", "street art", "cryptocurrency", "overtime",
    "animal testing", "gambling", "surveillance cameras", "fast fashion", "private tutoring", "e-scooters",
    "speed cameras", "news paywalls",
)  # fmt: skip
_CATEGORIES = ("Economics and Business", "Health", "Education and Media", "Law, Justice, and Human Rights")
PAPER_MODELS, PAPER_QUESTIONS = 16, 12_310


def _questions(path: Path, n: int) -> None:
    combos = [(s, a, t) for s in _SUBJECTS for a in _ACTIONS for t in _THINGS]
    if n > len(combos):
        raise SystemExit(f"at most {len(combos)} distinct questions can be generated")
    with path.open("w", encoding="utf-8") as out:
        for i, (subject, action, thing) in enumerate(combos[:n]):
            question = f"Should {subject} {action} {thing}?"
            row = {"id": f"b{i:05d}", "question": question, "category": _CATEGORIES[i % 4], "topic": thing}
            out.write(json.dumps(row) + "\n")


def make_logs(work: Path, models: int, questions: int) -> Path:
    """Inspect logs of ``models`` personas on ``questions`` generated questions (reused when present)."""
    logs = work / f"logs-{models}x{questions}"
    if logs.is_dir() and len(list(logs.glob("*.eval"))) == models:
        print(f"reusing {logs}")
        return logs
    work.mkdir(parents=True, exist_ok=True)
    questions_file = work / f"questions-{questions}.jsonl"
    _questions(questions_file, questions)
    command = [
        sys.executable, "-m", "inspect_ai", "eval", "adaem_tasks/schwartz",
        "--model", ",".join(f"adaem-persona/{p}" for p in PROFILES[:models]),
        "--model-role", "grader=adaem-judge/keyword",
        "-T", f"questions={questions_file}", "-T", "judge_mode=batched", "-T", "cache=false",
        "--log-dir", str(logs), "--display", "none", "--max-connections", "64",
    ]  # fmt: skip
    print(f"writing logs: {models} models x {questions} questions with `inspect eval` ...", flush=True)
    start = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, "INSPECT_CACHE_DIR": str(work / "cache")})
    print(f"  {time.perf_counter() - start:.0f} s")
    return logs


def _timed_rank(logs: Path, out: Path, report: bool, cache: Path | None) -> float:
    command = ["adaem-rank", str(logs), "--out", str(out), "--quiet", "--no-png"]
    command += [] if report else ["--no-report"]
    command += [] if cache else ["--no-cache"]
    env = {**os.environ, **({CACHE_ENV: str(cache)} if cache else {})}
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"adaem-rank exited {done.returncode}: {done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "adaem-bench-report")
    parser.add_argument("--models", type=int, default=4)
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--logs", type=Path, help="rank these logs instead of writing new ones")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPU cores visible")
    logs = args.logs or make_logs(args.work, args.models, args.questions)

    # 1. the command, with and without the report, alternating; first runs, then cached runs
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        _timed_rank(logs, Path(tmp) / "warm", report=False, cache=cache)  # fills the cache
        for label, use in (("first run, --no-cache", None), ("cached run", cache)):
            without, with_report = [], []
            for k in range(args.repeats):
                without.append(_timed_rank(logs, Path(tmp) / f"a{k}", report=False, cache=use))
                with_report.append(_timed_rank(logs, Path(tmp) / f"b{k}", report=True, cache=use))
            size = (Path(tmp) / "b0" / "report.html").stat().st_size
            t_without, t_with = statistics.median(without), statistics.median(with_report)
            print(f"{label}: adaem-rank --no-report {', '.join(f'{t:.1f}' for t in without)} s ", end="")
            print(
                f"(median {t_without:.1f}); with report.html (--report-cases {DEFAULT_REPORT_CASES}) ", end=""
            )
            print(f"{', '.join(f'{t:.1f}' for t in with_report)} s (median {t_with:.1f})")
            print(f"  the report adds {(t_with - t_without) / t_without:+.1%} to adaem-rank's wall time")
    print(f"report.html is {size / 1e6:.2f} MB")

    # 2. the parts, in one process
    start = time.perf_counter()
    records, _ = load_records([logs], ReadOptions(cache=False))
    t_read = time.perf_counter() - start
    start = time.perf_counter()
    result = rank_records(records, RankConfig())
    t_rate = time.perf_counter() - start
    (board,) = result.leaderboards
    assert board.alignment is not None
    n_models, n_questions, n_values = len(board.models), board.n_total_questions, len(board.values)
    start = time.perf_counter()
    cases = select_cases(board, DEFAULT_REPORT_CASES)
    t_cases = time.perf_counter() - start
    shown = sorted({c.question_id for value_cases in cases.values() for c in value_cases})
    unshown = next(q for q in board.alignment.question_ids if q not in shown)
    start = time.perf_counter()
    read_answers(board.alignment, [(m, unshown) for m in board.models])
    t_open = time.perf_counter() - start  # per log: the zip directory and one sample
    start = time.perf_counter()
    answers = read_answers(board.alignment, [(m, q) for m in board.models for q in shown])
    t_answers = time.perf_counter() - start
    start = time.perf_counter()
    board_view(board, 0, DEFAULT_REPORT_CASES)
    t_views = time.perf_counter() - start  # cases, answers (again, from the page cache), view data
    start = time.perf_counter()
    html = render_report(result.leaderboards, RankConfig(), cases_per_value=DEFAULT_REPORT_CASES)
    t_report = time.perf_counter() - start
    t_render = max(t_report - t_views, 0.0)  # the same views again, then the template
    answer_chars = [len(a.text or "") for a in answers.values()]
    print(f"\nparts ({n_models} models x {n_questions} questions x {n_values} values, one process):")
    print(f"  read logs {t_read:.1f} s, rate {t_rate:.1f} s")
    print(f"  report {t_report:.2f} s: choose cases {t_cases:.2f} s, ", end="")
    print(f"read {len(shown)} questions x {n_models} answers {t_answers:.2f} s ", end="")
    print(f"(one question per log: {t_open:.2f} s), render ~{t_render:.2f} s")
    mean_chars = statistics.mean(answer_chars)
    print(f"  {len(html.encode()) / 1e6:.2f} MB; the answers shown average {mean_chars:.0f} characters")

    # 3. projection to paper scale
    scale_mq = (PAPER_MODELS * PAPER_QUESTIONS) / (n_models * n_questions)
    scale_q = PAPER_QUESTIONS / n_questions
    paper_cases = DEFAULT_REPORT_CASES * n_values  # an upper bound on the distinct questions shown
    per_sample = t_answers / max(len(shown) * n_models, 1)  # includes each log's directory: an upper bound
    paper_answers = PAPER_MODELS * (t_open / n_models * scale_q + paper_cases * per_sample)
    paper_render = t_render * (paper_cases * PAPER_MODELS) / max(len(shown) * n_models, 1)
    paper_report = t_cases * scale_mq + paper_answers + paper_render
    paper_rank = t_read * scale_mq + t_rate * scale_q
    bytes_per_answer = len(html.encode()) / max(len(shown) * n_models, 1)
    paper_size = bytes_per_answer * paper_cases * PAPER_MODELS
    points = max(len(a.points) for a in answers.values())
    # every shown answer at its cap, and its key points (each at its cap) in every value's case list
    worst = paper_cases * PAPER_MODELS * (MAX_ANSWER_CHARS + points * MAX_POINT_CHARS + 500)
    print(f"\nprojected to {PAPER_MODELS} models x {PAPER_QUESTIONS:,} questions (see the docstring):")
    met = "met" if paper_report <= 0.2 * paper_rank else "MISSED"
    print(
        f"  adaem-rank without the report >= {paper_rank:.0f} s; the report <= {paper_report:.1f} s: ", end=""
    )
    print(f"adds <= {paper_report / paper_rank:.1%} (target <= 20 %: {met})")
    print(f"  (the report's {paper_report:.1f} s do not depend on how fast adaem-rank reads its logs)")
    print(f"  report.html ~{paper_size / 1e6:.1f} MB with answers of this length; ", end="")
    print(f"at most {worst / 1e6:.1f} MB with every answer at {MAX_ANSWER_CHARS:,} characters ", end="")
    print(f"and each of its {points} key points at {MAX_POINT_CHARS:,} ", end="")
    print(f"(target <= 25 MB: {'met' if worst <= 25e6 else 'MISSED'})")


if __name__ == "__main__":
    main()
