"""The Inspect logs ``bench_logs.py`` reads: scripted personas answering a generated question file.

Each log is one ``inspect eval adaem_tasks/schwartz`` run of one persona
(``adaem-persona/<values>``) judged by the keyword judge in batched mode -- the real
task, scorer and log writer, so the logs are what a user's runs leave behind. A run of
5,000 questions takes a few minutes of one core, so the logs are kept in ``--logs`` and
reused: a directory remembers what it was made of (``bench-logs.json``) and is rebuilt
when the question count or personas change.

Run alone to (re)build the logs: ``.venv/bin/python benchmarks/bench_logs_data.py --logs DIR
[--questions 5000] [--models 4]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from adaem_tasks.questions import load_question_set

__all__ = ["PERSONAS", "ensure_logs", "write_question_file"]

#: One persona per log; four owning different values, then more for larger runs.
PERSONAS = (
    "power:0.9+achievement:0.6+security:0.3",
    "security:0.9+conformity:0.6+tradition:0.3",
    "tradition:0.9+benevolence:0.6+conformity:0.3",
    "universalism:0.9+self_direction:0.6+benevolence:0.3",
    "hedonism:0.9+stimulation:0.6+self_direction:0.3",
    "benevolence:0.9+universalism:0.6+security:0.3",
    "achievement:0.9+hedonism:0.6+power:0.3",
    "stimulation:0.9+self_direction:0.6+achievement:0.3",
)
_MANIFEST = "bench-logs.json"


def write_question_file(path: Path, n: int) -> Path:
    """``n`` distinct questions (``id``/``question``/``category``/``topic``) built from seed-v1.

    Question ``k`` is seed question ``k mod 213`` with a numbered variant, so texts are
    distinct (a persona's answer depends on the text) and categories and topics are the
    seed set's own.
    """
    seed = load_question_set("seed-v1").questions
    lines = []
    for k in range(n):
        base = seed[k % len(seed)]
        variant = k // len(seed)
        text = base.question if variant == 0 else f"{base.question.rstrip('?')} (case {variant})?"
        lines.append(
            json.dumps(
                {"id": f"bench-{k:05d}", "question": text, "category": base.category, "topic": base.topic}
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _wanted(questions: int, models: int) -> dict[str, object]:
    return {"questions": questions, "personas": list(PERSONAS[:models])}


def ensure_logs(log_dir: Path, questions: int, models: int) -> list[Path]:
    """The logs of ``models`` personas on ``questions`` questions: reused, or written now."""
    if models > len(PERSONAS):
        raise SystemExit(f"at most {len(PERSONAS)} personas")
    log_dir.mkdir(parents=True, exist_ok=True)
    manifest = log_dir / _MANIFEST
    wanted = _wanted(questions, models)
    if manifest.is_file():
        known = json.loads(manifest.read_text(encoding="utf-8"))
        logs = [log_dir / name for name in known.get("logs", [])]
        if {k: known.get(k) for k in wanted} == wanted and logs and all(p.is_file() for p in logs):
            print(f"reusing {len(logs)} Inspect logs in {log_dir} ({questions} questions each)")
            return logs
    question_file = write_question_file(log_dir / "questions.jsonl", questions)
    logs = []
    for k, persona in enumerate(PERSONAS[:models]):
        run_dir = log_dir / f"run-{k}"
        for old in run_dir.glob("*.eval"):
            old.unlink()
        start = time.perf_counter()
        command = [
            sys.executable, "-m", "inspect_ai", "eval", "adaem_tasks/schwartz",
            "--model", f"adaem-persona/{persona}",
            "--model-role", "grader=adaem-judge/keyword",
            "-T", "judge_mode=batched",
            "-T", f"questions={question_file}",
            "--log-dir", str(run_dir),
            "--display", "none",
        ]  # fmt: skip
        subprocess.run(command, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        [log] = sorted(run_dir.glob("*.eval"))
        logs.append(log)
        size, took = log.stat().st_size / 2**20, time.perf_counter() - start
        print(f"wrote {log.name}: {persona}, {questions} questions, {size:.1f} MB in {took:.0f} s")
    manifest.write_text(
        json.dumps({**wanted, "logs": [str(p.relative_to(log_dir)) for p in logs]}, indent=1),
        encoding="utf-8",
    )
    return logs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=Path, required=True, help="directory that keeps the logs")
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--models", type=int, default=4)
    args = parser.parse_args()
    ensure_logs(args.logs, args.questions, args.models)


if __name__ == "__main__":
    main()
