"""Answers from lm-eval ``--log_samples`` files, for the questions the report shows.

The question is in ``doc``, the answer in ``resps`` and the judge's verdict (stance, key
points, per-point labels) is the JSON in ``filtered_resps``
(:class:`~adaem_tasks.task_configs.lm_eval_bridge.AnswerVerdict`). Only the lines of the
wanted question ids are parsed; like the record reader, the first judgeable line of a
repeated id is the one shown.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from adaem_tasks.rating.html._answer import Answer, Key, judgeable
from adaem_tasks.rating.records import ValueRecord

__all__ = ["lmeval_answers"]

#: The first ``"id": "..."`` of a samples line is the doc's (``doc`` is written before the
#: other fields and its first key is ``id``); lines whose id is not wanted are not parsed.
_FIRST_ID = re.compile(r'"id":\s*("(?:[^"\\]|\\.)*")')


def _first_id(text: str) -> str | None:
    match = _FIRST_ID.search(text)
    try:
        return None if match is None else str(json.loads(match.group(1)))
    except ValueError:
        return None


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
            if fast and _first_id(text) not in wanted:
                continue
            try:
                line = json.loads(text)
                question_id = str(line["doc"]["id"])
            except (ValueError, KeyError, TypeError):
                continue
            if question_id in wanted:
                found[question_id].append(line)
    return found


def lmeval_answers(source: str, items: list[tuple[Key, ValueRecord]]) -> dict[Key, Answer]:
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
        judged = [a for a in lines if a.missing is None and judgeable(a)]
        chosen = judged[0] if judged else (lines[0] if lines else None)
        answers[key] = chosen or Answer(*key, missing=f"question {key[1]!r} is no longer in {source}")
    return answers
