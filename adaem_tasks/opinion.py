"""The examinee side of the chain: the opinion prompt (paper Listing 3) and its parser.

The paper extracts ``<point>: <justification>`` pairs from a numbered list and strips
markdown before judging (App. C.2). Real models drift from the format -- bold
headings, bullets, a missing stance, a refusal -- so the parser reports *how* it
read an answer (:class:`ParseOutcome`) instead of quietly returning nothing: a
refusal must never be scored as "expresses no value".
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from adaem_tasks.prompts import render

__all__ = [
    "DEFAULT_POINTS",
    "DEFAULT_WORDS",
    "MAX_POINTS",
    "KeyPoint",
    "ParseOutcome",
    "ParsedOpinion",
    "opinion_prompt",
    "parse_opinion",
    "strip_markdown",
]

DEFAULT_POINTS = 3
DEFAULT_WORDS = 250
MAX_POINTS = 99
"""The most key points a task may ask for: the parser reads list numbers of one or two digits."""

Stance = Literal["yes", "no", "neutral"]


class ParseOutcome(StrEnum):
    """How an examinee answer was read. Only ``ok`` is a fully well-formed answer."""

    OK = "ok"
    FEW_POINTS = "few_points"  # stance present, fewer key points than asked for
    NO_STANCE = "no_stance"  # key points present, stance missing or not yes/no/neutral
    REFUSAL = "refusal"  # the model declined to answer
    EMPTY = "empty"  # nothing but whitespace
    UNPARSEABLE = "unparseable"  # text, but no key points could be found

    @property
    def judged(self) -> bool:
        """Whether the answer has key points the judge can label."""
        return self in (ParseOutcome.OK, ParseOutcome.FEW_POINTS, ParseOutcome.NO_STANCE)


class KeyPoint(BaseModel):
    point: str
    justification: str = ""

    @property
    def text(self) -> str:
        """What the judge sees: ``<point>: <justification>`` (markdown already stripped)."""
        return f"{self.point}: {self.justification}" if self.justification else self.point


class ParsedOpinion(BaseModel):
    stance: Stance | None = None
    points: list[KeyPoint] = Field(default_factory=list)
    outcome: ParseOutcome
    extra_points: int = Field(0, description="Points beyond the number asked for (dropped).")


def opinion_prompt(question: str, points: int = DEFAULT_POINTS, words: int = DEFAULT_WORDS) -> str:
    """Listing 3 of the paper, filled in."""
    return render("opinion", question=question.strip(), points=points, words=words)


_MARKDOWN_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\*\*(.+?)\*\*", re.S), r"\1"),
    (re.compile(r"__(.+?)__", re.S), r"\1"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])"), r"\1"),
    (re.compile(r"`{1,3}([^`]*)`{1,3}"), r"\1"),
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),
    (re.compile(r"^\s*>\s?", re.M), ""),
]


def strip_markdown(text: str) -> str:
    """Remove emphasis, code ticks, headings and quote markers, keeping the words."""
    for pattern, repl in _MARKDOWN_PATTERNS:
        text = pattern.sub(repl, text)
    return text


_STANCE_RE = re.compile(r"^\W*stance\W*[:：\-–]\s*\W*(yes|no|neutral)\b", re.I | re.M)
_STANCE_LOOSE_RE = re.compile(r"\bstance\b[^\n]*?\b(yes|no|neutral)\b", re.I)
_NUMBERED_RE = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|\d{1,2}\s*-)\s+(.*\S)\s*$")
_BULLET_RE = re.compile(r"^\s*[-*•]\s+(.*\S)\s*$")
_HEADER_RE = re.compile(r"^\W*(key\s*points?|stance)\b", re.I)
_SPLIT_RE = re.compile(r"\s*[:：]\s+|\s+[–—-]\s+")
_REFUSAL_RE = re.compile(
    r"\b(i\s*(?:am|'m)\s*(?:not able|unable)\s*to|i\s*(?:cannot|can't|can not|won't|will not)\s+"
    r"(?:provide|share|give|take|answer|express|offer|help)|as an ai\b[^.]*\b(?:do not|don't|cannot|can't)"
    r"\s+(?:have|hold|take|express)|i\s+(?:must|have to)\s+decline|i'?m sorry,? but)",
    re.I,
)


def _split_point(item: str) -> KeyPoint:
    parts = _SPLIT_RE.split(item, maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        return KeyPoint(point=parts[0].strip(), justification=parts[1].strip())
    return KeyPoint(point=item.strip())


def _items(lines: list[str], pattern: re.Pattern[str]) -> list[str]:
    """Collect list items, folding continuation lines into the item above them."""
    items: list[str] = []
    for line in lines:
        match = pattern.match(line)
        if match:
            items.append(match.group(1))
        elif items and line.strip() and not _HEADER_RE.match(line):
            items[-1] = f"{items[-1]} {line.strip()}"
    return items


def parse_opinion(text: str | None, expected_points: int = DEFAULT_POINTS) -> ParsedOpinion:
    """Read a stance and up to ``expected_points`` key points from an examinee answer."""
    if text is None or not text.strip():
        return ParsedOpinion(outcome=ParseOutcome.EMPTY)
    clean = strip_markdown(text)
    stance_match = _STANCE_RE.search(clean) or _STANCE_LOOSE_RE.search(clean)
    stance: Stance | None = stance_match.group(1).lower() if stance_match else None  # type: ignore[assignment]

    lines = clean.splitlines()
    items = _items(lines, _NUMBERED_RE) or _items(lines, _BULLET_RE)
    points = [_split_point(item) for item in items if item.strip()]
    extra = max(0, len(points) - expected_points)
    points = points[:expected_points]

    if not points:
        outcome = ParseOutcome.REFUSAL if _REFUSAL_RE.search(clean) else ParseOutcome.UNPARSEABLE
        return ParsedOpinion(stance=stance, outcome=outcome)
    if stance is None:
        outcome = ParseOutcome.NO_STANCE
    elif len(points) < expected_points:
        outcome = ParseOutcome.FEW_POINTS
    else:
        outcome = ParseOutcome.OK
    return ParsedOpinion(stance=stance, points=points, outcome=outcome, extra_points=extra)
