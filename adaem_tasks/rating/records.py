"""What the ranking reads: one value vector per (model, question), plus reported problems.

Both log readers (Inspect and lm-eval) reduce their format to :class:`ValueRecord`, so
alignment and rating never look at a log format. Anything odd a reader meets (a corrupt
file, a log of another task, unjudgeable answers...) becomes a :class:`Problem` that the
CLI prints and writes out, instead of an exception or a silent skip.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from adaem_tasks.conditions import Conditions

__all__ = [
    "INVALID_OUTCOMES",
    "judge_failure_problem",
    "LogRead",
    "PANEL_FILE",
    "RECORD_FORMAT",
    "Problem",
    "ProblemKind",
    "ReadPath",
    "ValueRecord",
    "read_panel",
    "write_panel",
]

#: Parse outcomes whose all-zero value vector is *not* an observation (see scorers/metrics.py).
INVALID_OUTCOMES = frozenset({"refusal", "empty", "unparseable"})

#: Version of what a log read yields (records, problems and how they are built). Raise it when
#: a change gives other records from the same log without renaming or adding a field: cached
#: reads (:mod:`adaem_tasks.rating.log_cache`) carry it and are dropped when it differs. Added or
#: renamed fields need no bump; the cache compares field names too.
RECORD_FORMAT = 1

#: Name of a reference-panel file inside a question-set directory.
PANEL_FILE = "panel.jsonl"

ProblemKind = Literal[
    "unreadable",  # corrupt or truncated file, not JSON, not an eval log
    "foreign_task",  # a log of some other task
    "unknown_file",  # a path that is neither an Inspect log nor lm-eval output
    "incomplete_run",  # an Inspect log whose status is not 'success' (its samples are still used)
    "sample_error",  # samples that errored or carry no value_judge score
    "not_judgeable",  # answers that were refused, empty or unparseable: excluded
    "judge_failures",  # question x value results left unknown by an unreadable judge: skipped
    "bad_record",  # a sample whose fields are missing or malformed
    "duplicate",  # the same (model, question) answered more than once
    "other_version",  # records of a question-set version that was not selected
    "no_observations",  # fewer than 2 comparable models: nothing to rank
    "not_comparable",  # a model (or one of its values) that shared too little with the others: no win rate
    "unverified_content",  # records without a set content hash (older logs): trusted by question id only
    "coverage",  # a model that answered only part of the questions
    "no_contrast",  # questions where every or no model expressed a value: skipped
    "mixed_judges",  # models judged differently: grader, judge mode, threshold, log-probabilities, attempts
    "mixed_settings",  # models asked differently: key points, word budget
    "unverified_settings",  # records whose logs do not record some measurement setting (older logs)
    "primed_run",  # a run with -T prime=...: measures priming, not the model's values; left out or apart
]


@dataclass(frozen=True, slots=True)
class ValueRecord:
    """One model's value vector for one question (paper §3.3: v = v^1 OR ... OR v^L).

    ``labels`` maps every value key to 1, 0 or ``None`` (unknown: the judge's labels
    could not be read); ``valid`` says whether the answer could be judged at all. The
    ranking uses a (question, value) result only when both say it is known.
    """

    model: str
    question_id: str
    set_version: str
    value_system: str
    category: str | None
    labels: dict[str, int | None]
    valid: bool
    outcome: str | None = None  # the scorer's parse_outcome, when known
    source: str = ""  # the file the record came from
    run: str = ""  # run identity (eval id / lm-eval timestamp): separates repeated runs
    created: str = ""  # sortable time of the run: the newest answer wins among duplicates
    judge: str | None = None  # the grader model, when the log names it
    panel: bool = False  # came from a reference panel rather than a log
    content_hash: str | None = None  # the question set's content hash, when the log records it
    conditions: Conditions = field(default_factory=Conditions)  # prime, prompt and judge settings of the run

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any], source: str = "") -> ValueRecord:
        labels = data.get("labels")
        if not isinstance(labels, dict):
            raise ValueError("'labels' must be an object mapping value keys to 0/1/null")
        conditions = data.get("conditions")
        return cls(
            model=str(data["model"]),
            question_id=str(data["question_id"]),
            set_version=str(data["set_version"]),
            value_system=str(data["value_system"]),
            category=data.get("category"),
            labels={str(k): None if v is None else int(v) for k, v in labels.items()},
            valid=bool(data.get("valid", True)),
            outcome=data.get("outcome"),
            source=source or str(data.get("source", "")),
            run=str(data.get("run", "")),
            created=str(data.get("created", "")),
            judge=data.get("judge"),
            panel=bool(data.get("panel", False)),
            content_hash=data.get("content_hash") or None,
            conditions=Conditions.from_mapping(conditions if isinstance(conditions, dict) else None),
        )


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a person should know about the inputs; never fatal by itself."""

    kind: ProblemKind
    source: str
    message: str
    model: str | None = None
    count: int = 1
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        who = f" [{self.model}]" if self.model else ""
        return f"{self.kind}{who}: {self.source}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


#: summaries: an .eval log's summaries.json parsed directly; summaries-api: the same through Inspect's
#: reader; samples: the full samples; lines: an lm-eval samples file; none: nothing usable.
ReadPath = Literal["summaries", "summaries-api", "samples", "lines", "none"]


@dataclass(frozen=True)
class LogRead:
    """What reading one log file gave, and how: the unit the parallel reader and its cache pass on.

    ``how`` says what was read -- an Inspect log's sample summaries or its samples, an
    lm-eval file's lines, or nothing (the file could not be used) -- and ``why`` the reason
    for that choice, so a slow read can be explained.
    """

    records: list[ValueRecord]
    problems: list[Problem]
    status: str | None = None  # an Inspect log's run status; None for lm-eval output
    how: ReadPath = "none"
    why: str = ""
    samples: int = 0  # samples (or lines) read

    @property
    def final(self) -> bool:
        """Whether this is the file's final content: not an eval still running, not a half-written file.

        Only a final read may be cached: a log whose status is ``started`` gains samples and
        ends with a header, and a file that did not parse may be one still being written.
        """
        return self.status != "started" and not any(p.kind == "unreadable" for p in self.problems)

    @classmethod
    def failed(cls, problem: Problem) -> LogRead:
        return cls([], [problem], how="none", why=problem.message)


def judge_failure_problem(source: str, model: str | None, unknown: int) -> Problem:
    """The problem both log readers report for (question, value) results left unknown by the judge."""
    return Problem(
        "judge_failures",
        source,
        f"{unknown} question x value results are unknown (the judge's labels could not be read): "
        "skipped by the ranking, not counted as 'not expressed'",
        model=model,
        count=unknown,
    )


def write_panel(records: Iterable[ValueRecord], path: str | Path) -> Path:
    """Store records as a reference panel (JSONL): other runs can be ranked against it later.

    The paper (App. C.7) compares all models on the same question set; a panel lets a
    single new model be placed among models evaluated earlier on that set without
    re-running them.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            data = record.to_json()
            data.pop("panel", None)
            data.pop("source", None)
            handle.write(json.dumps(data, ensure_ascii=False) + "\n")
    return path


def read_panel(path: str | Path) -> tuple[list[ValueRecord], list[Problem]]:
    """Read a reference panel written by :func:`write_panel`; bad lines become problems."""
    path = Path(path)
    records: list[ValueRecord] = []
    problems: list[Problem] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem("unreadable", str(path), f"cannot read the panel file: {exc}")]
    bad = 0
    first_error = ""
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            record = ValueRecord.from_json(data, source=f"{path}:{lineno}")
        except (ValueError, KeyError, TypeError) as exc:
            bad += 1
            first_error = first_error or f"line {lineno}: {exc!r}"
            continue
        records.append(replace(record, panel=True, source=str(path)))
    if bad:
        problems.append(
            Problem("bad_record", str(path), f"{bad} panel lines skipped (first: {first_error})", count=bad)
        )
    return records, problems
