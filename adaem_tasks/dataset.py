"""Turn a versioned question set into an Inspect dataset."""

from __future__ import annotations

from pathlib import Path

from inspect_ai.dataset import MemoryDataset, Sample

from adaem_tasks.questions import QuestionSet, load_question_set

__all__ = ["SUMMARY_EXACT_KEY", "question_dataset", "summary_exact", "summary_exact_metadata"]

#: Task-metadata key: ``True`` when every string in the samples' metadata reads back unchanged
#: from Inspect's sample summaries. Summaries keep metadata strings only after collapsing their
#: whitespace and cutting them at 1,024 characters, and nothing in a summary tells whether that
#: happened, so a reader may take a record from a summary only when the writer vouches for it.
SUMMARY_EXACT_KEY = "summary_exact_metadata"
#: Below Inspect's 1,024-character cut, with room to spare.
_SUMMARY_TEXT_LIMIT = 1000


def summary_exact(text: str) -> bool:
    """Whether ``text`` survives Inspect's summary thinning as is (single spaces, no cut)."""
    return len(text) <= _SUMMARY_TEXT_LIMIT and " ".join(text.split()) == text


def summary_exact_metadata(dataset: MemoryDataset) -> bool:
    """Whether every string in the samples' metadata is :func:`summary_exact`."""
    return all(
        summary_exact(value)
        for sample in dataset
        for value in (sample.metadata or {}).values()
        if isinstance(value, str)
    )


def question_dataset(
    value_system: str,
    version: str | None = None,
    questions: str | Path | None = None,
    categories: list[str] | None = None,
) -> tuple[MemoryDataset, QuestionSet]:
    """Samples keyed by question id, carrying set version and category for metrics and ranking."""
    qset = load_question_set(version=version, questions=questions)
    items = qset.questions
    if categories:
        known = {q.category for q in items}
        unknown = sorted(set(categories) - known)
        if unknown:
            raise ValueError(f"unknown categories {unknown}; the set {qset.version!r} has: {sorted(known)}")
        items = [q for q in items if q.category in categories]
    samples = [
        Sample(
            id=q.id,
            input=q.question,
            metadata={
                "question_id": q.id,
                "category": q.category,
                "topic": q.topic,
                "set_version": qset.version,
                "value_system": value_system,
            },
        )
        for q in items
    ]
    return MemoryDataset(samples, name=f"adaem-{qset.version}"), qset
