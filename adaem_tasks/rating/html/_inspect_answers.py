"""Answers from Inspect logs, for the questions the report shows.

The scorer keeps the stance, the key points and ``point_labels`` in the ``value_judge``
score's metadata (``scorers/value_judge.py``); the question is the sample's input and the
full answer its output. Like the record reader, the first judgeable epoch is the one shown.

An ``.eval`` log is a zip archive with one ``samples/<id>_epoch_<n>.json`` member per
sample. The wanted members are read straight from it and parsed with pydantic-core's JSON
parser: about 0.5 ms a sample on a 12,310-sample log, against about 2.3 ms through
Inspect's :func:`~inspect_ai.log.read_eval_log_samples_by_id`, which streams each sample
through a Python tokenizer to drop its transcript (``benchmarks/bench_report.py``; the same
reading of Inspect's layout as :mod:`adaem_tasks.rating._summary_json`). Anything unexpected
-- a ``.json`` log, no such member, another compression, JSON of another shape -- is read
through Inspect's API instead, and ``tests/rating/test_report_html.py`` holds the two to
the same answers.
"""

from __future__ import annotations

import contextlib
import sys
import zipfile
from typing import Any

from pydantic_core import from_json

from adaem_tasks.rating.html._answer import Answer, Key, judgeable
from adaem_tasks.rating.inspect_logs import SCORER_NAME
from adaem_tasks.rating.records import ValueRecord

if sys.version_info < (3, 14):
    with contextlib.suppress(ImportError):  # Inspect's own dependency: teaches zipfile zstd
        import zipfile_zstd  # noqa: F401

__all__ = ["inspect_answers", "read_epoch"]

#: Sample fields the report never shows; Inspect's reader leaves them out.
_EXCLUDED_FIELDS = {"messages", "events", "store", "attachments", "model_usage"}
#: Inspect keeps every epoch; the record reader uses the first judgeable one. Looked for up to here.
_MAX_EPOCHS = 10
_ATTACHMENT = "attachment://"


def _labels(raw: Any) -> dict[str, int | None]:
    if not isinstance(raw, dict):
        return {}
    return {str(k): None if v is None else int(v) for k, v in raw.items()}


def _answer(key: Key, question: Any, metadata: Any, score_metadata: Any, text: Any) -> Answer | None:
    """An answer from a sample's parts; None when they are not shaped as this project writes them."""
    if not all(isinstance(m, dict | None) for m in (metadata, score_metadata)):
        return None
    if not isinstance(question, str | None) or not isinstance(text, str | None):
        return None
    meta: dict[str, Any] = {**(metadata or {}), **(score_metadata or {})}
    return Answer(
        *key,
        question=question,
        category=meta.get("category"),
        topic=meta.get("topic"),
        stance=meta.get("stance"),
        points=tuple(str(p) for p in meta.get("points") or ()),
        point_labels=tuple(_labels(p) for p in meta.get("point_labels") or ()),
        outcome=meta.get("parse_outcome"),
        text=text,
    )


def _message_text(messages: Any) -> str | None:
    """The user's turns of an input given as chat messages (plain JSON or Inspect's messages)."""
    if not isinstance(messages, list):
        return None
    texts = []
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else getattr(message, "role", None)
        if role != "user":
            continue
        content = message.get("content") if isinstance(message, dict) else message.text
        if isinstance(content, str):
            texts.append(content)
    return "\n\n".join(texts)


def _from_json(key: Key, data: Any) -> Answer | None:
    """An answer from a sample member's JSON, its attachments resolved; None if it looks otherwise."""
    if not isinstance(data, dict) or not isinstance(data.get("output"), dict | None):
        return None
    attachments = data.get("attachments") or {}

    def resolved(text: Any) -> Any:
        if isinstance(text, str) and text.startswith(_ATTACHMENT) and isinstance(attachments, dict):
            return attachments.get(text.removeprefix(_ATTACHMENT), text)
        return text

    question = data.get("input")
    question = resolved(question) if isinstance(question, str) else _message_text(question)
    scores = data.get("scores")
    score = scores.get(SCORER_NAME) if isinstance(scores, dict) else None
    output = data.get("output") or {}
    return _answer(
        key,
        question,
        data.get("metadata"),
        score.get("metadata") if isinstance(score, dict) else None,
        resolved(output.get("completion")),
    )


def _from_sample(key: Key, sample: Any) -> Answer:
    score = (sample.scores or {}).get(SCORER_NAME)
    question = sample.input if isinstance(sample.input, str) else _message_text(sample.input)
    text = sample.output.completion if sample.output is not None else None
    answer = _answer(key, question, sample.metadata, score.metadata if score else None, text)
    return answer or Answer(*key, missing="the sample is not shaped like an AdAEM sample")


def _archive_answers(source: str, keys: list[Key], epoch: int) -> dict[Key, Answer]:
    """The answers found as members of the ``.eval`` archive; those not found are left out."""
    if not source.endswith(".eval"):
        return {}
    found: dict[Key, Answer] = {}
    try:
        with zipfile.ZipFile(source) as archive:
            for key in keys:
                try:
                    data = from_json(archive.read(f"samples/{key[1]}_epoch_{epoch}.json"))
                except (KeyError, ValueError):
                    continue
                answer = _from_json(key, data)
                if answer is not None:
                    found[key] = answer
    except (OSError, zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError):
        return {}
    return found


def _api_answers(source: str, keys: list[Key], epoch: int) -> dict[Key, Answer]:
    """Through Inspect's reader: all at once, else one by one to say which one failed and why."""
    from inspect_ai.log import read_eval_log_sample, read_eval_log_samples_by_id

    try:
        samples = read_eval_log_samples_by_id(
            source, [(key[1], epoch) for key in keys], exclude_fields=_EXCLUDED_FIELDS
        )
        return {key: _from_sample(key, s) for key, s in zip(keys, samples, strict=True)}
    except Exception:  # an id the log lacks, a moved or corrupt file: see below which
        pass
    answers = {}
    for key in keys:
        try:
            sample = read_eval_log_sample(source, id=key[1], epoch=epoch, exclude_fields=_EXCLUDED_FIELDS)
            answers[key] = _from_sample(key, sample)
        except Exception as exc:  # any failure means this answer cannot be shown; the report says why
            answers[key] = Answer(*key, missing=f"cannot read it from {source} ({type(exc).__name__}: {exc})")
    return answers


def read_epoch(source: str, keys: list[Key], epoch: int, fast: bool = True) -> dict[Key, Answer]:
    """Every key's answer in one epoch: from the archive where it can, else through Inspect's API."""
    found = _archive_answers(source, keys, epoch) if fast else {}
    rest = [key for key in keys if key not in found]
    return {**found, **(_api_answers(source, rest, epoch) if rest else {})}


def inspect_answers(source: str, items: list[tuple[Key, ValueRecord]]) -> dict[Key, Answer]:
    """The first judgeable epoch's answer of each ``(key, record)`` of one log (epoch 1 when none is)."""
    answers = read_epoch(source, [key for key, _ in items], 1)
    waiting = [k for k, r in items if r.valid and answers[k].missing is None and not judgeable(answers[k])]
    epoch = 1
    while waiting and epoch < _MAX_EPOCHS:
        epoch += 1
        later = read_epoch(source, waiting, epoch)
        for key in waiting:
            if later[key].missing is None and judgeable(later[key]):
                answers[key] = later[key]
        waiting = [k for k in waiting if later[k].missing is None and not judgeable(later[k])]
    return answers
