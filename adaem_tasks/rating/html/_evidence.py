"""The answers behind the report's cases, read from the logs only for the cases shown.

The ranking reads labels from every sample (from the logs' summaries, or its cache); the
report needs more -- the question text, the stance, the key points with each point's
labels, the full answer -- for a few hundred (model, question) pairs. So it is read here,
afterwards, per log file and only for the chosen question ids: from Inspect logs by
:mod:`._inspect_answers`, from lm-eval samples files by :mod:`._lmeval_answers`.

Nothing here raises on a bad or moved file: the answer comes back with ``missing`` saying
why, and the report shows the labels the ranking used without the text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from adaem_tasks.rating.align import Alignment
from adaem_tasks.rating.html._answer import Answer, Key
from adaem_tasks.rating.html._inspect_answers import inspect_answers
from adaem_tasks.rating.html._lmeval_answers import lmeval_answers
from adaem_tasks.rating.lmeval_logs import is_lmeval_samples_file
from adaem_tasks.rating.records import ValueRecord

__all__ = ["Answer", "read_answers"]


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
        reader = lmeval_answers if is_lmeval_samples_file(Path(source)) else inspect_answers
        answers.update(reader(source, items))
    return answers
