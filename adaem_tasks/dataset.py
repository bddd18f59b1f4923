"""Turn a versioned question set into an Inspect dataset."""

from __future__ import annotations

from pathlib import Path

from inspect_ai.dataset import MemoryDataset, Sample

from adaem_tasks.questions import QuestionSet, load_question_set

__all__ = ["question_dataset"]


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
