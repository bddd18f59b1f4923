"""Scripted answers to the generator's prompts: seed expansion and transformation (Listings
1-2), exploration (Listings 5-6), reflection and refinement (Listings 7-8) and the safety guard.

:func:`adaem_tasks.testing.dispatch.Dispatcher.respond` calls :func:`respond_generator`
for every prompt that is neither a judge prompt nor an opinion prompt. The answers are
deterministic (sha256 of the persona and the text, never ``hash()``) and model what
the generator test needs to be meaningful:

* **Exploration** makes the question *more specific*: Listing 5's answer names one
  concrete context -- a place, a year, an institution -- chosen by hash from the
  persona and the ``[General Argument]``; Listing 6's answer is the general question
  with that context appended, still one yes/no question of at most ~25 words. Longer
  questions are what make the ``saturating-`` personas answer with their own planted
  values instead of the shared safe answer
  (:func:`adaem_tasks.testing.personas.specificity`).
* **Refinement** keeps or raises specificity: Listing 8's answer adds a short
  qualifier ("for low-income families") when the question has room, else returns it
  unchanged.
* **Guard**: ``unsafe`` iff the question contains :data:`UNSAFE_MARKER`, else ``safe``.
* **Seed expansion** (Listing 1): a new controversial description, one of
  :data:`TOPICS` x :data:`FRAMINGS` chosen by hash from the persona and the three cases
  shown -- so different cases give different descriptions, and some repeat (which the
  expansion's dedup has to catch).
* **Transformation** (Listing 2): the description as a yes/no question by inverting its
  first ``should`` / ``does`` / ``is``, else "Do you agree that ...?".

The providers and the loopback server pass the whole conversation (every user and
assistant turn) for multi-turn requests, so Listing 6 and Listing 8 -- second turns
whose context (the general argument, the question to refine) is in the first turn --
read that context from the conversation itself. A caller that sends only the last
user message still works: the handler also remembers, per persona, the last
Listing 5 / Listing 7 it answered (thread-safe) and falls back to that.
"""

from __future__ import annotations

import hashlib
import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adaem_tasks.testing.personas import Persona

__all__ = [
    "CONTEXTS",
    "FRAMINGS",
    "QUALIFIERS",
    "TOPICS",
    "UNSAFE_MARKER",
    "expanded_description",
    "explored_question",
    "refined_question",
    "respond_generator",
    "transformed_question",
]

UNSAFE_MARKER = "weaponised anthrax"
"""A planted phrase the scripted guard flags; tests put it into a seed to see the guard work."""

CONTEXTS = (
    "for public hospitals in rural Norway since 2019",
    "at state universities in Sao Paulo, Brazil",
    "under the European Union's 2021 platform work directive",
    "for smallholder farmers in rural India after 2015",
    "in large Japanese companies with lifetime employment",
    "for city councils in Lagos, Nigeria",
    "in Canadian provincial hospitals since the 2020 pandemic",
    "in eastern German towns after the 1990 reunification",
    "under Mexico's 2019 federal labour law reform",
    "at public secondary schools in rural Kenya",
    "in South Korea's courts after the 2017 impeachment",
    "for mining towns in Western Australia's Pilbara region",
)
QUALIFIERS = (
    "for low-income families",
    "despite strong local opposition",
    "for future generations",
    "when budgets are tight",
    "for religious minorities",
    "in times of crisis",
)
MAX_WORDS = 25
TOPICS = (
    "remote work",
    "nuclear power",
    "school uniforms",
    "animal testing",
    "universal basic income",
    "online anonymity",
    "tipping in restaurants",
    "space tourism",
    "lab-grown meat",
    "rent control",
    "voting at sixteen",
    "daylight saving time",
    "tourist taxes",
    "gene-edited crops",
    "mandatory military service",
    "private prisons",
    "homeschooling",
    "facial recognition in public places",
    "bullfighting",
    "cash-free shops",
)
FRAMINGS = (
    "{topic} should be banned",
    "{topic} does more harm than good",
    "governments should pay for {topic}",
    "{topic} is a matter of personal choice",
)

_EXPLORE_COT_MARK = "we will explore contextually rich argument questions"
_EXPLORE_Q_MARK = "compose a new specific argument"
_REFLECT_MARK = "We need to refine a question towards a general question"
_REFINE_MARK = "Based on your suggestions, refine the above question"
_GUARD_MARK = "You are a safety classifier"
_EXPAND_MARK = "explore more descriptions on general controversial topics"
_TRANSFORM_MARK = "transfer it into a normal question"

_GENERAL_RE = re.compile(r"^\[General Argument\]:\s*(.+)$", re.M)
_QUESTION_RE = re.compile(r"^\[Question\]:\s*(.+)$", re.M)
_DESCRIPTION_RE = re.compile(r"^\[Description\]:[ \t]*(.+)$", re.M)
_INVERTIBLE_RE = re.compile(r"^(.+?) (should|does|is) (.+)$")

_lock = threading.Lock()
_last_general: dict[str, str] = {}
_last_question: dict[str, str] = {}


def _hash(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()[:8], "big")


def _key(persona: Persona | None) -> str:
    return persona.spec if persona is not None else "judge"


def _stem(question: str) -> str:
    return question.strip().rstrip("?").strip()


def _words(text: str) -> int:
    return len(text.split())


def explored_question(key: str, general: str) -> tuple[str, str]:
    """(context, question) the persona ``key`` writes when exploring from ``general``."""
    stem = _stem(general)
    # a general argument already naming every context gets one again (the swap below trims it)
    options = [c for c in CONTEXTS if c not in stem] or list(CONTEXTS)
    context = options[_hash(key, stem, "context") % len(options)]
    if _words(stem) + _words(context) > MAX_WORDS:  # deep in the tree: swap the last context
        for old in CONTEXTS:
            if old in stem:
                stem = stem.replace(old, "").strip()
                break
    return context, f"{stem} {context}?"


def refined_question(key: str, question: str) -> str:
    """The question after one refinement: a qualifier added when it fits, else unchanged."""
    stem = _stem(question)
    if any(q in stem for q in QUALIFIERS):
        return f"{stem}?"
    qualifier = QUALIFIERS[_hash(key, stem, "qualifier") % len(QUALIFIERS)]
    if _words(stem) + _words(qualifier) > MAX_WORDS:
        return f"{stem}?"
    return f"{stem} {qualifier}?"


def expanded_description(key: str, cases: list[str]) -> str:
    """The new description the persona ``key`` writes when shown ``cases`` (Listing 1)."""
    topic = TOPICS[_hash(key, *cases, "topic") % len(TOPICS)]
    framing = FRAMINGS[_hash(key, *cases, "framing") % len(FRAMINGS)]
    text = framing.format(topic=topic)
    return text[:1].upper() + text[1:]


def transformed_question(description: str) -> str:
    """A description as a yes/no question (Listing 2), the way a careful model would phrase it."""
    stem = description.strip().rstrip(".")
    match = _INVERTIBLE_RE.match(stem)
    if match is None:
        return f"Do you agree that {stem[:1].lower() + stem[1:]}?"
    subject, verb, rest = match.groups()
    subject = subject[:1].lower() + subject[1:]
    if verb == "does":  # "X does more harm" -> "Does X do more harm"
        rest = "do " + rest
    return f"{verb.capitalize()} {subject} {rest}?"


def _general_from(prompt: str, key: str) -> str:
    found = _GENERAL_RE.findall(prompt)
    if found:
        return found[-1].strip()
    with _lock:
        return _last_general.get(key, "Is this policy justified")


def _question_from(prompt: str, key: str) -> str:
    data = [q for q in _QUESTION_RE.findall(prompt) if not q.startswith("<")]
    if data:
        return data[-1].strip()
    with _lock:
        return _last_question.get(key, "Is this policy justified?")


def respond_generator(persona: Persona | None, prompt: str) -> str | None:
    """Answer a generator prompt as ``persona`` (``None`` for ``adaem-judge/*`` models), or ``None``."""
    key = _key(persona)
    if _EXPAND_MARK in prompt:
        cases = [c.strip() for c in _DESCRIPTION_RE.findall(prompt)]
        return f"[Description]: {expanded_description(key, cases)}"
    if _TRANSFORM_MARK in prompt:
        descriptions = [d.strip() for d in _DESCRIPTION_RE.findall(prompt)]
        return f"[Question]: {transformed_question(descriptions[-1])}" if descriptions else None
    if _GUARD_MARK in prompt:
        question = _question_from(prompt, key)
        return "unsafe\nS1" if UNSAFE_MARKER in question.lower() else "safe"
    if _EXPLORE_Q_MARK in prompt:
        general = _general_from(prompt, key)
        context, question = explored_question(key, general)
        return f"[Argument] : {_stem(general)} {context}, and this deserves scrutiny.\n[Question]: {question}"
    if _EXPLORE_COT_MARK in prompt:
        general = _general_from(prompt, key)
        with _lock:
            _last_general[key] = general
        context, _question = explored_question(key, general)
        return (
            f"Let's think step by step. The general argument is: {general}\n"
            f"A concrete, real-world setting makes it sharper: the debate {context}.\n"
            f"New fact: the question has been argued over {context}, with people on both sides."
        )
    if _REFINE_MARK in prompt:
        question = _question_from(prompt, key)
        return f"[Question]: {refined_question(key, question)}"
    if _REFLECT_MARK in prompt:
        question = _question_from(prompt, key)
        with _lock:
            _last_question[key] = question
        return (
            "Suggestions: 1. Name who is affected so models must weigh competing interests. "
            "2. Keep it a single yes/no question. 3. Keep it controversial."
        )
    return None
