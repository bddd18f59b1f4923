"""Logs of the scripted personas without running a model: their planted answers, written as real logs.

A persona's value vector on a question is :meth:`Persona.expressed` -- what the real
Inspect chain (persona + keyword judge) recovers exactly (tests/inspect_task) -- so the
studies can be tested on hundreds of questions in milliseconds, in both log formats
the readers accept (Inspect ``.eval`` and lm-eval ``--log_samples``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rating.synth import write_inspect_log, write_lmeval_run
from testing.synth import long_questions, synth_questions

from adaem_tasks.rating import ValueRecord
from adaem_tasks.testing.personas import parse_persona

__all__ = ["long_questions", "persona_records", "synth_questions", "write_persona_logs"]


def persona_records(
    spec: str,
    questions: Sequence[str],
    set_version: str = "test-v1",
    prime: str | None = None,
    model: str | None = None,
) -> list[ValueRecord]:
    """The records ``adaem-persona/<spec>`` would produce on ``questions`` (ids q0000, q0001...)."""
    persona = parse_persona(spec)
    assert persona.system is not None
    return [
        ValueRecord(
            model=model or f"adaem-persona/{spec}",
            question_id=f"q{i:04d}",
            set_version=set_version,
            value_system=persona.system.name,
            category="Economics",
            labels=dict(persona.expressed(question, prime)),
            valid=True,
            outcome="ok",
            run=f"run-{spec}-{prime}",
        )
        for i, question in enumerate(questions)
    ]


def write_persona_logs(
    directory: Path,
    specs: Sequence[str],
    questions: Sequence[str],
    set_version: str = "test-v1",
    lmeval: bool = False,
) -> Path:
    """One log per persona under ``directory``: Inspect logs, or lm-eval output with ``lmeval``."""
    for k, spec in enumerate(specs):
        records = persona_records(spec, questions, set_version)
        if lmeval:
            write_lmeval_run(directory, records, stamp=f"2026-01-01T00-00-{k:02d}.000001")
        else:
            directory.mkdir(parents=True, exist_ok=True)
            write_inspect_log(directory / f"persona-{k}.eval", records)
    return directory
