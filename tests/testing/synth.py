"""Synthetic question texts for the persona tests (no dependence on shipped question sets)."""

from __future__ import annotations

from itertools import product

_SUBJECTS = (
    "governments",
    "schools",
    "parents",
    "employers",
    "cities",
    "doctors",
    "banks",
    "social media platforms",
    "universities",
    "farmers",
    "police forces",
    "artists",
    "religious groups",
    "tech companies",
    "young adults",
    "retirees",
    "journalists",
    "athletes",
    "landlords",
    "scientists",
)
_PREDICATES = (
    "be required to publish their finances",
    "ban advertising to children",
    "pay higher taxes",
    "limit working hours",
    "prioritise tradition over innovation",
    "be held to stricter rules",
    "share data with the state",
    "get public subsidies",
    "decide without public consultation",
    "be allowed to strike",
)


def synth_questions(n: int = 200) -> list[str]:
    """Short (generic, <= 10 words) yes/no questions, distinct and deterministic."""
    questions = [f"Should {s} {p}?" for s, p in product(_SUBJECTS, _PREDICATES)]
    return questions[:n]


def long_questions(n: int = 200) -> list[str]:
    """Questions of 20+ words: fully specific for the saturating personas."""
    tail = (
        "given the budget cuts announced last spring and the mixed evidence from three neighbouring regions"
    )
    tail += " so far"
    return [q.rstrip("?") + f" {tail}?" for q in synth_questions(n)]
