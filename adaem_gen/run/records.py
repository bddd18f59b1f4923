"""What a run's journal says about the run: its header, and the records a resume replays.

The header (first line) names the run (id, version, date), its full configuration and
a digest of its seed questions; a resume must match them (:func:`check_header`), only
the budget may grow. :func:`replay` sorts the rest: finished units go back to the
:class:`~adaem_gen.run.units.UnitRunner` (by journal offset), finished steps to the
scheduler, ``done`` records to publishing (a finished run resumed publishes again,
idempotently).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adaem_gen.config import ConfigError, RunConfig, config_differences, recorded_config
from adaem_gen.run.journal import JournalError
from adaem_gen.run.units import UnitRunner
from adaem_tasks.questions import QuestionSet, load_question_set, user_set_store

__all__ = [
    "JOURNAL_FILE",
    "JOURNAL_FORMAT",
    "Replayed",
    "check_header",
    "header_record",
    "load_seeds",
    "published_by_other_run",
    "replay",
    "seed_digest",
]

JOURNAL_FILE = "journal.jsonl"
JOURNAL_FORMAT = 2
"""2: Listing 7 reads the candidate's parent as the general question and Listing 5's fact as the
background (format 1 showed the arm's seed and Listing 6's argument), so the journaled refinement
units of a format-1 run were asked another prompt and cannot be replayed into a format-2 run."""


def load_seeds(spec: str) -> QuestionSet:
    """Seeds by path (JSONL file or set directory) or by set version."""
    path = Path(spec).expanduser()
    if path.exists():
        return load_question_set(questions=path)
    return load_question_set(version=spec)


def seed_digest(seeds: QuestionSet) -> str:
    digest = hashlib.sha256()
    for q in seeds.questions:
        digest.update(f"{q.id}\t{q.question}\t{q.category}\t{q.topic}\n".encode())
    return digest.hexdigest()[:16]


def header_record(
    *, run_id: str, version: str, created: str, config: RunConfig, seeds: QuestionSet
) -> dict[str, Any]:
    return {
        "type": "header",
        "format": JOURNAL_FORMAT,
        "run_id": run_id,
        "version": version,
        "created": created,
        "config": config.model_dump(mode="json"),
        "seeds": {
            "spec": config.seeds,
            "version": seeds.version,
            "content_hash": seeds.manifest.content_hash or None,
            "count": len(seeds.questions),
            "digest": seed_digest(seeds),
        },
    }


def check_header(header: dict[str, Any], config: RunConfig, seeds: QuestionSet, journal: Path) -> None:
    """Refuse to resume with other algorithmic settings or other seeds than the journaled run."""
    if header.get("type") != "header" or not isinstance(header.get("format"), int):
        raise JournalError(f"{journal}: not an adaem-gen journal (format {JOURNAL_FORMAT})")
    if header["format"] != JOURNAL_FORMAT:
        raise JournalError(
            f"{journal}: written by another adaem-gen (journal format {header['format']}, this one "
            f"reads {JOURNAL_FORMAT}: its prompts differ); start a new run in another --out directory"
        )
    recorded = RunConfig.model_validate(recorded_config(header["config"]))
    diffs = config_differences(recorded, config)
    if diffs:
        raise ConfigError("--resume with settings that differ from the journaled run: " + "; ".join(diffs))
    if header["seeds"]["digest"] != seed_digest(seeds):
        raise ConfigError(f"the seed questions ({config.seeds}) changed since the run started")


def published_by_other_run(version: str, run_id: str) -> bool:
    """Whether the store already holds ``version`` from another run (checked before spending)."""
    manifest = user_set_store() / version / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        models = json.loads(manifest.read_text(encoding="utf-8")).get("models") or {}
    except (OSError, ValueError):
        return True
    return models.get("run_id") != run_id


@dataclass
class Replayed:
    """The journal after its header, sorted for the parts that take it back."""

    steps: dict[int, dict[str, Any]] = field(default_factory=dict)
    done: list[dict[str, Any]] = field(default_factory=list)


def replay(records: list[dict[str, Any]], offsets: list[int], units: UnitRunner, journal: Path) -> Replayed:
    """Finished units to ``units``; finished steps (each once) and ``done`` records returned."""
    replayed = Replayed()
    for record, offset in zip(records, offsets, strict=True):
        kind = record.get("type")
        if kind == "unit":
            units.restore(record, offset)
        elif kind == "step":
            step = int(record["step"])
            if step in replayed.steps:
                raise JournalError(f"{journal}: step {step} is recorded twice")
            replayed.steps[step] = record
        elif kind == "done":
            replayed.done.append(record)
        elif kind != "note":
            raise JournalError(f"{journal}: unknown record type {kind!r}")
    return replayed
