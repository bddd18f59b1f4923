"""What the report shows of one model's answer to one question."""

from __future__ import annotations

from dataclasses import dataclass

from adaem_tasks.rating.records import INVALID_OUTCOMES

__all__ = ["Answer", "Key", "judgeable"]

Key = tuple[str, str]
"""``(model, question_id)``."""


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


def judgeable(answer: Answer) -> bool:
    """The answer could be judged (not a refusal, nor empty, nor unparseable)."""
    return answer.outcome not in INVALID_OUTCOMES
