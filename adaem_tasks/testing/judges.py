"""Scripted value judges that answer the Listing 4 prompts without a language model.

* ``keyword`` -- labels a text *Yes* for a value iff the text contains the value's
  marker phrase (its definition; see :mod:`adaem_tasks.testing.personas`),
  case-insensitively. With the personas it recovers planted value vectors exactly.
* ``garbage`` -- always answers something neither Yes/No nor JSON, to exercise the
  judge's retry and failure accounting.
* ``flaky`` -- answers garbage the first time it sees a prompt and correctly after
  that, so a judge that retries recovers and one that does not counts failures.

The judge reads only the text block of the prompt (between the ``<text-B>`` and
``</text-B>`` boundary lines, ``B`` being the same token in both): the definitions
block above it contains every marker, so searching the whole prompt would say Yes to all.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Literal

from adaem_tasks.value_systems import ValueSystem, available_value_systems, load_value_system

__all__ = [
    "GARBAGE_ANSWER",
    "JUDGE_KINDS",
    "JudgeRequest",
    "ScriptedJudge",
    "keyword_labels",
    "parse_judge_request",
]

JudgeKind = Literal["keyword", "garbage", "flaky"]
JUDGE_KINDS: tuple[JudgeKind, ...] = ("keyword", "garbage", "flaky")

GARBAGE_ANSWER = "Hmm... the annotation depends on how one reads it ~~ [unreadable]"
"""Neither Yes/No nor a JSON object: :func:`adaem_tasks.judge.parse_yes_no` and
:func:`~adaem_tasks.judge.parse_batched_labels` read nothing from it."""


@dataclass(frozen=True)
class JudgeRequest:
    """What a judge prompt asks: one value (``single``) or all of them (``batched``)."""

    mode: Literal["single", "batched"]
    system: ValueSystem
    text: str
    value_key: str | None = None


_TEXT_RE = re.compile(
    r"### \[Text\]:\n<text-(?P<boundary>[0-9a-f]+)>\n(?P<text>.*?)\n</text-(?P=boundary)>\n"
    r"### \[(?P<section>Value|Labels)\]:[ \t]?(?P<rest>[^\n]*)",
    re.S,
)


def _systems() -> list[ValueSystem]:
    return [load_value_system(name) for name in available_value_systems()]


def _system_of(prompt: str, value_name: str | None) -> ValueSystem | None:
    systems = _systems()
    for system in systems:
        if system.definitions_block() in prompt:
            return system
    for system in systems:  # prompts rendered with other wording: fall back to names and keys
        if value_name is not None and system.match(value_name) is not None:
            return system
        if value_name is None and all(f'"{k}"' in prompt for k in system.keys):
            return system
    return None


def parse_judge_request(prompt: str) -> JudgeRequest | None:
    """Read a single (``### [Value]:``) or batched (``### [Labels]:``) judge prompt; ``None`` otherwise."""
    match = _TEXT_RE.search(prompt)
    if match is None:
        return None
    text, section, rest = match["text"].strip(), match["section"], match["rest"].strip()
    if section == "Value":
        system = _system_of(prompt, rest)
        value = system.match(rest) if system is not None else None
        if system is None or value is None:
            return None
        return JudgeRequest(mode="single", system=system, text=text, value_key=value.key)
    system = _system_of(prompt, None)
    if system is None:
        return None
    return JudgeRequest(mode="batched", system=system, text=text)


def keyword_labels(system: ValueSystem, text: str) -> dict[str, bool]:
    """Which values' marker phrases ``text`` contains (case-insensitive), for every key."""
    lowered = text.lower()
    return {v.key: v.definition.lower() in lowered for v in system.values}


def _correct_answer(request: JudgeRequest) -> str:
    labels = keyword_labels(request.system, request.text)
    if request.mode == "single":
        assert request.value_key is not None
        return "Yes" if labels[request.value_key] else "No"
    return json.dumps(labels)


class ScriptedJudge:
    """One judge of a given kind. ``flaky`` judges remember the prompts they have seen (thread-safe)."""

    def __init__(self, kind: str) -> None:
        if kind not in JUDGE_KINDS:
            raise ValueError(f"unknown scripted judge {kind!r}; choose one of: {', '.join(JUDGE_KINDS)}")
        self.kind: JudgeKind = kind
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def respond(self, prompt: str) -> str | None:
        """Answer a judge prompt; ``None`` when ``prompt`` is not one."""
        request = parse_judge_request(prompt)
        if request is None:
            return None
        if self.kind == "garbage":
            return GARBAGE_ANSWER
        if self.kind == "flaky":
            with self._lock:
                first_time = prompt not in self._seen
                self._seen.add(prompt)
            if first_time:
                return GARBAGE_ANSWER
        return _correct_answer(request)

    def reset(self) -> None:
        """Forget the prompts a flaky judge has seen."""
        with self._lock:
            self._seen.clear()
