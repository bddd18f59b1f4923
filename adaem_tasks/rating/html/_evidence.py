"""The answers behind the report's cases, read from the logs only for the cases shown.

The ranking reads labels from every sample; the report needs more (the question text, the
stance, the key points with each point's labels, the full answer) for a few hundred
(model, question) pairs. Reading that for every sample would cost as much as the ranking
itself at paper scale, so it is read here, afterwards, per log file and only for the
chosen question ids:

* Inspect logs: :func:`inspect_ai.log.read_eval_log_samples_by_id` fetches just those
  samples (one zip directory parse per file). The scorer keeps the stance, the key
  points and ``point_labels`` in the ``value_judge`` score's metadata
  (``scorers/value_judge.py``). Like the record reader, the first judgeable epoch is the
  one shown.
* lm-eval ``--log_samples`` files: the question is in ``doc``, the answer in ``resps``
  and the judge's verdict (stance, points, per-point labels) is the JSON in
  ``filtered_resps`` (:class:`~adaem_tasks.task_configs.lm_eval_bridge.AnswerVerdict`).
  Only lines whose question id is wanted are parsed.

Nothing here raises on a bad or moved file: the answer comes back with ``missing`` saying
why, and the report shows the labels the ranking used without the text.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adaem_tasks.rating.align import Alignment
from adaem_tasks.rating.inspect_logs import SCORER_NAME
from adaem_tasks.rating.lmeval_logs import is_lmeval_samples_file
from adaem_tasks.rating.records import INVALID_OUTCOMES, ValueRecord

__all__ = ["Answer", "read_answers"]

#: Sample fields the report never shows; leaving them out keeps each read small.
_EXCLUDED_FIELDS = {"messages", "events", "store", "attachments", "model_usage"}
#: Inspect keeps every epoch; the record reader uses the first judgeable one. Looked for up to here.
_MAX_EPOCHS = 10


@dataclass(frozen=True)
class Answer:
    """What one model answered to one question, as its log keeps it."""

    model: str
    question_id: str
    question: str | None = None
    category: str | None = None
    topic: str | None = None
    stance: str | None = None
    points: tuple[str, ...] = ()
    point_labels: tuple[dict[str, int | None], ...] = ()
    outcome: str | None = None
    text: str | None = None
    missing: str | None = None
    """Why the log's answer is not shown (panel record, unreadable or moved file), else None."""


Key = tuple[str, str]


def read_answers(alignment: Alignment, wanted: Iterable[Key]) -> dict[Key, Answer]:
    """The answer of every wanted ``(model, question_id)``, read file by file."""
    answers: dict[Key, Answer] = {}
    by_file: dict[str, list[tuple[Key, ValueRecord]]] = defaultdict(list)
    for key in dict.fromkeys(wanted):
        record = alignment.records.get(key)
        if record is None:
            answers[key] = Answer(*key, missing="this model has no answer to this question in the logs")
        elif record.panel:
            answers[key] = Answer(
                *key, missing="from a reference panel, which keeps the judge's labels but not the answers"
            )
        else:
            by_file[record.source].append((key, record))
    for source, items in by_file.items():
        reader = _lmeval_answers if is_lmeval_samples_file(Path(source)) else _inspect_answers
        answers.update(reader(source, items))
    return answers


# --------------------------------------------------------------------------- Inspect


def _labels(raw: Any) -> dict[str, int | None]:
    if not isinstance(raw, dict):
        return {}
    return {str(k): None if v is None else int(v) for k, v in raw.items()}


def _inspect_answer(key: Key, sample: Any) -> Answer:
    score = (sample.scores or {}).get(SCORER_NAME)
    meta: dict[str, Any] = {**(sample.metadata or {}), **((score.metadata or {}) if score else {})}
    question = sample.input if isinstance(sample.input, str) else _message_text(sample.input)
    return Answer(
        *key,
        question=question,
        category=meta.get("category"),
        topic=meta.get("topic"),
        stance=meta.get("stance"),
        points=tuple(str(p) for p in meta.get("points") or ()),
        point_labels=tuple(_labels(p) for p in meta.get("point_labels") or ()),
        outcome=meta.get("parse_outcome"),
        text=sample.output.completion if sample.output is not None else None,
    )


def _message_text(messages: Any) -> str:
    """The text of an Inspect input given as chat messages (the user's turns)."""
    return "\n\n".join(m.text for m in messages if getattr(m, "role", "") == "user")


def _judgeable(answer: Answer) -> bool:
    return answer.outcome not in INVALID_OUTCOMES


def _read_one(source: str, question_id: str, epoch: int) -> Any:
    from inspect_ai.log import read_eval_log_sample

    return read_eval_log_sample(source, id=question_id, epoch=epoch, exclude_fields=_EXCLUDED_FIELDS)


def _inspect_answers(source: str, items: list[tuple[Key, ValueRecord]]) -> dict[Key, Answer]:
    from inspect_ai.log import read_eval_log_samples_by_id

    answers: dict[Key, Answer] = {}
    samples: list[Any]
    try:
        samples = read_eval_log_samples_by_id(
            source, [(key[1], 1) for key, _ in items], exclude_fields=_EXCLUDED_FIELDS
        )
    except Exception:  # an id the log lacks, a moved or corrupt file: read one by one to say which
        samples = [None] * len(items)
    for (key, record), sample in zip(items, samples, strict=True):
        try:
            answer = _inspect_answer(key, sample if sample is not None else _read_one(source, key[1], 1))
            epoch = 1
            # the record reader keeps the first judgeable epoch: look for it when epoch 1 was not
            while record.valid and not _judgeable(answer) and epoch < _MAX_EPOCHS:
                epoch += 1
                answer = _inspect_answer(key, _read_one(source, key[1], epoch))
        except Exception as exc:  # as above: any failure means this answer cannot be shown
            answer = Answer(*key, missing=f"cannot read it from {source} ({type(exc).__name__}: {exc})")
        answers[key] = answer
    return answers


# --------------------------------------------------------------------------- lm-eval

#: The first ``"id": "..."`` of a samples line is the doc's (``doc`` is written before the
#: other fields and its first key is ``id``); lines whose id is not wanted are not parsed.
_FIRST_ID = re.compile(r'"id":\s*("(?:[^"\\]|\\.)*")')


def _lmeval_answer(key: Key, line: dict[str, Any]) -> Answer:
    from adaem_tasks.task_configs.lm_eval_bridge import AnswerVerdict

    doc = line.get("doc") or {}
    resps = line.get("resps")
    while isinstance(resps, list) and resps:
        resps = resps[0]
    filtered = line.get("filtered_resps") or [None]
    try:
        verdict: AnswerVerdict | None = AnswerVerdict.model_validate_json(str(filtered[0]))
    except ValueError:
        verdict = None
    return Answer(
        *key,
        question=doc.get("question"),
        category=doc.get("category"),
        topic=doc.get("topic"),
        stance=verdict.stance if verdict else None,
        points=tuple(verdict.points) if verdict else (),
        point_labels=tuple(dict(p) for p in verdict.point_labels) if verdict else (),
        outcome=verdict.parse_outcome.value if verdict else None,
        text=resps if isinstance(resps, str) else None,
        missing=None if verdict else "the samples line holds no judge verdict of this project",
    )


def _lmeval_lines(path: Path, wanted: set[str], fast: bool) -> dict[str, list[dict[str, Any]]]:
    """The parsed lines of the wanted question ids, in file order."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for text in handle:
            if fast:
                match = _FIRST_ID.search(text)
                if match is None or json.loads(match.group(1)) not in wanted:
                    continue
            try:
                line = json.loads(text)
                question_id = str(line["doc"]["id"])
            except (ValueError, KeyError, TypeError):
                continue
            if question_id in wanted:
                found[question_id].append(line)
    return found


def _lmeval_answers(source: str, items: list[tuple[Key, ValueRecord]]) -> dict[Key, Answer]:
    wanted = {key[1] for key, _ in items}
    try:
        found = _lmeval_lines(Path(source), wanted, fast=True)
        if set(found) != wanted:  # a line laid out otherwise: parse every line once
            found = _lmeval_lines(Path(source), wanted, fast=False)
    except (OSError, UnicodeDecodeError) as exc:
        return {key: Answer(*key, missing=f"cannot read {source} ({exc})") for key, _ in items}
    answers: dict[Key, Answer] = {}
    for key, _ in items:
        lines = [_lmeval_answer(key, line) for line in found.get(key[1], [])]
        # like the record reader: the first judgeable line of a repeated question id
        judgeable = [a for a in lines if a.missing is None and _judgeable(a)]
        chosen = judgeable[0] if judgeable else (lines[0] if lines else None)
        answers[key] = chosen or Answer(*key, missing=f"question {key[1]!r} is no longer in {source}")
    return answers
