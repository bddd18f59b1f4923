"""Reading generated questions (Listings 6 and 8), Listing 5's fact and guard verdicts out of free text.

Generators drift from the requested ``[Argument]: ... [Question]: ...`` format: bold
labels, quotes, a question on the line after its label, a refusal. The parser says
*why* it could not read an answer (:class:`GenOutcome`) so the caller can retry and
count the failure kind, never crash and never keep garbage as a question.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel

from adaem_tasks.opinion import strip_markdown

__all__ = [
    "MAX_BACKGROUND_CHARS",
    "MAX_QUESTION_WORDS",
    "GenOutcome",
    "GeneratedQuestion",
    "contextual_fact",
    "is_refusal",
    "normalise_question",
    "parse_generated_question",
    "parse_guard_verdict",
]

MAX_QUESTION_WORDS = 60
"""Listing 6 asks for < 20 words; anything past 60 is a run-on answer, not a question."""


class GenOutcome(StrEnum):
    OK = "ok"
    EMPTY = "empty"
    REFUSAL = "refusal"
    UNPARSEABLE = "unparseable"


class GeneratedQuestion(BaseModel):
    outcome: GenOutcome
    question: str | None = None
    argument: str | None = None


_REFUSAL_RE = re.compile(
    r"\b(i\s*(?:am|'m)\s*(?:not able|unable)\s*to|i\s*(?:cannot|can't|can not|won't|will not)\s+"
    r"(?:provide|create|generate|write|compose|help|assist|comply|fulfil|fulfill|do that)|"
    r"i\s+(?:must|have to)\s+decline|i'?m sorry,? but)",
    re.I,
)
_LABEL_RE = {
    "question": re.compile(r"\[\s*question\s*\]\s*[:：]?\s*(.*)", re.I),
    "argument": re.compile(r"\[\s*argument\s*\]\s*[:：]?\s*(.*)", re.I),
}
_BARE_LABEL_RE = re.compile(r"^\s*question\s*[:：]\s*(.+)$", re.I | re.M)
_WRAPPERS = "\"'“”‘’<>[]` "


def is_refusal(text: str) -> bool:
    return bool(_REFUSAL_RE.search(text))


def normalise_question(text: str) -> str:
    """Whitespace-collapsed, wrapper-stripped text; the form questions are compared in."""
    text = re.sub(r"\s+", " ", strip_markdown(text)).strip().strip(_WRAPPERS).strip()
    return text


def _after_label(text: str, kind: str) -> str | None:
    """Text after the last ``[Kind]:`` label (same line, or the next non-empty line)."""
    lines = text.splitlines()
    found: str | None = None
    for index, line in enumerate(lines):
        match = _LABEL_RE[kind].search(line)
        if not match:
            continue
        rest = match.group(1)
        if kind == "argument":  # "[Argument]: ... [Question]: ..." on one line
            rest = re.split(r"\[\s*question\s*\]", rest, flags=re.I)[0]
        rest = rest.strip()
        if not rest:
            rest = next((ln.strip() for ln in lines[index + 1 :] if ln.strip()), "")
        if rest:
            found = rest
    return found


def _first_question_sentence(text: str) -> str | None:
    """Up to and including the first '?' -- drops trailing commentary."""
    match = re.search(r"[^?]*\?", text)
    return match.group(0) if match else None


def parse_generated_question(text: str | None) -> GeneratedQuestion:
    """Read the ``[Question]`` (and ``[Argument]``) of a Listing 6/8 answer."""
    if text is None or not text.strip():
        return GeneratedQuestion(outcome=GenOutcome.EMPTY)
    clean = strip_markdown(text)
    argument = _after_label(clean, "argument")
    candidate = _after_label(clean, "question")
    if candidate is None:
        bare = _BARE_LABEL_RE.findall(clean)
        candidate = bare[-1] if bare else None
    if candidate is None:
        # Listing 8 ends with "[Question]:" so a bare question line is a valid answer.
        asked = [ln for ln in clean.splitlines() if "?" in ln]
        candidate = asked[-1] if asked else None
    question = _first_question_sentence(normalise_question(candidate)) if candidate else None
    if question is not None:
        question = normalise_question(question)
    if not question or len(question.split()) > MAX_QUESTION_WORDS or len(question.split()) < 3:
        outcome = GenOutcome.REFUSAL if is_refusal(clean) else GenOutcome.UNPARSEABLE
        return GeneratedQuestion(outcome=outcome)
    return GeneratedQuestion(
        outcome=GenOutcome.OK,
        question=question,
        argument=normalise_question(argument) if argument else None,
    )


MAX_BACKGROUND_CHARS = 600
"""Listing 5 asks for *one* fact; past this a reply is reasoning, not the fact (cut at a word)."""

_FACT_LABEL_RE = re.compile(r"\b(?:facts?|contextual information|new information)\s*[:：]\s*(.*)$", re.I)


def contextual_fact(reply: str) -> str:
    """The contextual fact a Listing 5 reply collected: Listing 7's ``[Background]``.

    Listing 5 asks the model to "collect one specific new fact" after thinking "step by
    step", so the fact is what a line labelled ``fact:`` / ``new information:`` says (the
    last such line), else the reply's last paragraph -- where step-by-step reasoning puts
    its conclusion. Whitespace is collapsed and the text cut to
    :data:`MAX_BACKGROUND_CHARS` at a word boundary; ``""`` when the reply is empty.
    """
    lines = strip_markdown(reply).splitlines()
    fact = ""
    for index, line in enumerate(lines):
        match = _FACT_LABEL_RE.search(line)
        if match:
            fact = match.group(1).strip() or next((ln.strip() for ln in lines[index + 1 :] if ln.strip()), "")
    if not fact:
        paragraphs = re.split(r"\n\s*\n", "\n".join(lines).strip())
        fact = paragraphs[-1] if paragraphs else ""
    fact = " ".join(fact.split())
    if len(fact) > MAX_BACKGROUND_CHARS:
        fact = fact[:MAX_BACKGROUND_CHARS].rsplit(" ", 1)[0] + " ..."
    return fact


_VERDICT_RE = re.compile(r"\b(unsafe|safe)\b", re.I)


def parse_guard_verdict(text: str | None) -> bool | None:
    """``True`` for unsafe, ``False`` for safe, ``None`` when unreadable.

    Llama-Guard answers ``safe`` or ``unsafe\\nS1``; instruction models may add words.
    The first verdict word wins.
    """
    if not text:
        return None
    match = _VERDICT_RE.search(strip_markdown(text))
    if not match:
        return None
    return match.group(1).lower() == "unsafe"
