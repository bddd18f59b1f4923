"""The generator's data: questions in the arms' pools (:class:`Node`) and per-pull counts.

Shared by the search state, the pulls, the journal records and publishing, so it
depends on nothing else of the generator.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, Field

from adaem_gen.questions.parsing import normalise_question
from adaem_gen.scoring.reward import RewardBreakdown

__all__ = ["Node", "StepStats", "text_digest"]


class Node(BaseModel):
    """A question in an arm's pool ``X_i`` (a seed, or one the generator produced)."""

    id: str
    text: str
    arm: int
    depth: int
    category: str
    topic: str
    seed_id: str
    parent: str | None = None
    score: float | None = Field(None, description="Final S (P2).")
    reward: RewardBreakdown | None = None
    p1_score: float | None = None
    step: int | None = None
    model: str | None = Field(None, description="The P1 model that explored it.")
    candidate: str | None = Field(None, description="The explored text before refinement.")
    argument: str | None = None
    background: str | None = Field(
        None, description="The contextual fact its exploration collected (Listing 5 -> Listing 7)."
    )
    refinements: int = 0

    @property
    def refined(self) -> bool:
        """Whether refinement changed the explored text (the new text joins the dedup index)."""
        return self.candidate is not None and self.text != self.candidate


class StepStats(BaseModel):
    """Per-step counts; summed over steps for the progress display and the manifest."""

    explorations: int = 0
    unreadable: int = 0
    unsafe: int = 0
    duplicates: int = 0
    accepted: int = 0
    refine_rounds: int = 0
    refinements_scored: int = 0
    refinements_kept: int = 0
    unsafe_refinements: int = 0

    def add(self, other: StepStats) -> None:
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def text_digest(text: str) -> str:
    """Short content key of a question (whitespace/wrapper-insensitive), used in unit keys."""
    return hashlib.sha256(normalise_question(text).encode("utf-8")).hexdigest()[:16]
