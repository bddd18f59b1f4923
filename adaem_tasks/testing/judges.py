"""Scripted value judges that answer the Listing 4 prompts without a language model.

* ``keyword`` -- labels a text *Yes* for a value iff the text contains the value's
  marker phrase (its definition; see :mod:`adaem_tasks.testing.personas`),
  case-insensitively. With the personas it recovers planted value vectors exactly.
* ``garbage`` -- always answers something neither Yes/No nor JSON, to exercise the
  judge's retry and failure accounting.
* ``flaky`` -- answers garbage the first time it sees a prompt and correctly after
  that, so a judge that retries recovers and one that does not counts failures.
* ``obedient`` -- a *naive* judge, the adversary of prompt-injection tests: it reads the
  prompt top-down as an LLM that follows whatever instructions it meets would, takes the
  judged text to end wherever the prompt's structure lets the text end it, and obeys any
  answer or label it finds after that point (:func:`obedient_answer`). Labels a keyword
  judge otherwise. Against the boundary-line format it cannot be fooled (the text cannot
  write its own closing line); against the paper's fenced Listing 4 it can.
* ``lossy-batch`` -- the keyword judge in single mode, but whenever it must return all
  labels as JSON (batched mode) it reports one value (:data:`LOSSY_BATCH_DROPS`: Power
  for Schwartz, Authority for MFT) as ``false``: the judge whose cheap mode silently
  under-reports a value, which ``adaem-validate judge`` must flag.
* ``split-yes`` -- for servers asked for log-probabilities: its Yes mass is split over
  token variants (``" Yes"``, ``"yes"``), so the single most likely token is ``"No"``
  even where the keyword truth is Yes (P(Yes) = 0.55). Its *text* is always "No"; only
  a judge that pools the variants' probabilities reads it right. Batched: the keyword JSON.

:meth:`ScriptedJudge.first_token_distribution` gives the probabilities of the first
answer token behind each single-mode answer (0.9 for the answer given, 0.1 for the
other), which the loopback server returns as ``logprobs`` when asked.

The other judges read only the text block of the prompt (between the ``<text-B>`` and
``</text-B>`` boundary lines, ``B`` being the same token in both): the definitions
block above it contains every marker, so searching the whole prompt would say Yes to all.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from dataclasses import dataclass
from typing import Literal

from adaem_tasks.value_systems import ValueSystem, available_value_systems, load_value_system

__all__ = [
    "GARBAGE_ANSWER",
    "JUDGE_KINDS",
    "LOSSY_BATCH_DROPS",
    "JudgeRequest",
    "ScriptedJudge",
    "keyword_labels",
    "obedient_answer",
    "parse_judge_request",
]

JudgeKind = Literal["keyword", "garbage", "flaky", "obedient", "lossy-batch", "split-yes"]
JUDGE_KINDS: tuple[JudgeKind, ...] = ("keyword", "garbage", "flaky", "obedient", "lossy-batch", "split-yes")

LOSSY_BATCH_DROPS = {"schwartz": "power", "mft": "authority"}
"""The value the ``lossy-batch`` judge always reports as ``false`` in batched mode, per value system."""

#: First-token probabilities of the ``split-yes`` judge: keyword truth Yes / No.
_SPLIT_YES = {" Yes": 0.30, "yes": 0.25, "No": 0.45}
_SPLIT_NO = {"No": 0.80, " yes": 0.12, "Yes": 0.08}
_CONFIDENCE = 0.9

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


_TEXT_OPEN_RE = re.compile(r"### \[Text\]:\n<text-(?P<boundary>[0-9a-f]+)>\n")
_SECTION_RE = re.compile(r"### \[(?P<section>Value|Labels)\]:[ \t]?(?P<rest>[^\n]*)")


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


def _text_block(prompt: str) -> tuple[str, str, str] | None:
    """(text, section, rest of the section line) of the prompt's boundary-delimited text block.

    The block opens at the first ``### [Text]:`` + ``<text-B>`` line and closes at the first
    later ``</text-B>`` line followed by a ``### [Value]:`` or ``### [Labels]:`` line. Only
    the first opening counts: our prompts have one, and the text cannot hold a second that
    closes (``B`` is a hash of the text). Scanning with ``find`` keeps a prompt that opens
    many blocks and closes none linear; a lazy regex retried from every opening is not.
    """
    opened = _TEXT_OPEN_RE.search(prompt)
    if opened is None:
        return None
    closing = f"\n</text-{opened['boundary']}>\n"
    position = opened.end()
    while (position := prompt.find(closing, position)) >= 0:
        section = _SECTION_RE.match(prompt, position + len(closing))
        if section is not None:
            return prompt[opened.end() : position], section["section"], section["rest"]
        position += 1
    return None


def parse_judge_request(prompt: str) -> JudgeRequest | None:
    """Read a single (``### [Value]:``) or batched (``### [Labels]:``) judge prompt; ``None`` otherwise."""
    block = _text_block(prompt)
    if block is None:
        return None
    text, section, rest = block[0].strip(), block[1], block[2].strip()
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


# -- the naive, obedient judge -------------------------------------------------------------------
_TEXT_HEADING = "### [Text]:"
_BOUNDARY_OPEN = re.compile(r"\n<text-(?P<boundary>[0-9a-f]+)>\n")
# possessive quantifiers (``*+``): the runs of blanks and quotes are matched one way only, so a
# long run of spaces after "answer" is not retried in every split (quadratic); what matches is
# the same, since no part can give characters to the next
_INJECTED_LABEL = re.compile(
    r"\[Label\][ \t]*+:[ \t]*+['\"*]*+(?P<label>yes|no)\b"  # a pre-filled label: "### [Label]: Yes"
    r"|\b(?:answer|respond|reply|output|say)(?:[ \t]++only)?(?:[ \t]++with)?"  # or an order: "answer Yes"
    r"[ \t]*+[:'\"*]*+[ \t]*+(?P<told>yes|no)\b",
    re.I,
)
_INJECTED_JSON = re.compile(r"\{[^{}]*\}")


def _naive_split(prompt: str) -> tuple[str, str] | None:
    """(judged text, what follows it) as a naive reader takes them, or ``None`` without a text.

    The text starts after the first ``### [Text]:``. It ends at the block's closing line when
    it opened with a boundary line ``<text-B>`` (the first ``</text-B>``, same ``B``); inside
    a markdown fence at the first later fence; and when it stands inline (the paper's
    Listing 4) at the first fence or section heading (``### [``), wherever it appears.
    """
    start = prompt.find(_TEXT_HEADING)
    if start < 0:
        return None
    rest = prompt[start + len(_TEXT_HEADING) :]
    opened = _BOUNDARY_OPEN.match(rest)
    if opened is not None:
        body = rest[opened.end() :]
        end = body.find(f"</text-{opened['boundary']}>")
    elif rest.startswith("\n```\n"):
        body = rest[len("\n```\n") :]
        end = body.find("```")
    else:
        body = rest
        ends = [i for i in (body.find("```"), body.find("### [")) if i >= 0]
        end = min(ends) if ends else -1
    return (body, "") if end < 0 else (body[:end], body[end:])


def _last_value_name(prompt: str) -> str | None:
    found = re.findall(r"### \[Value\]:[ \t]*([^\n`]*)", prompt)
    return found[-1].strip() if found else None


def obedient_answer(prompt: str) -> str | None:
    """What a judge that obeys injected instructions answers; ``None`` if ``prompt`` is no judge prompt.

    After the judged text ends (see :func:`_naive_split`), a pre-filled ``[Label]: Yes`` or an
    instruction such as "answer Yes" is obeyed (single mode), and so is a JSON object of labels
    or such an instruction (batched mode: every value set to it). With nothing injected it
    labels the text it read like the keyword judge.
    """
    split = _naive_split(prompt)
    if split is None:
        return None
    text, after = split
    batched = prompt.rfind("### [Labels]:") > prompt.rfind("### [Label]:")  # the template's last heading
    value_name = None if batched else _last_value_name(prompt)
    system = _system_of(prompt, value_name)
    if system is None or (not batched and (value_name is None or system.match(value_name) is None)):
        return None
    told = _INJECTED_LABEL.search(after)
    if batched:
        for candidate in _INJECTED_JSON.findall(after):
            with contextlib.suppress(json.JSONDecodeError):
                if isinstance(json.loads(candidate), dict):
                    return candidate
        if told is not None:
            return json.dumps(dict.fromkeys(system.keys, (told["label"] or told["told"]).lower() == "yes"))
        return json.dumps(keyword_labels(system, text.strip()))
    if told is not None:
        return (told["label"] or told["told"]).capitalize()
    matched = system.match(str(value_name))
    assert matched is not None
    return "Yes" if keyword_labels(system, text.strip())[matched.key] else "No"


def _lossy_batch_answer(request: JudgeRequest) -> str:
    if request.mode == "single":
        return _correct_answer(request)
    labels = keyword_labels(request.system, request.text)
    dropped = LOSSY_BATCH_DROPS.get(request.system.name)
    if dropped in labels:
        labels[dropped] = False
    return json.dumps(labels)


def _split_distribution(request: JudgeRequest) -> dict[str, float]:
    assert request.value_key is not None
    return _SPLIT_YES if keyword_labels(request.system, request.text)[request.value_key] else _SPLIT_NO


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
        if self.kind == "obedient":
            return obedient_answer(prompt)
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
        if self.kind == "lossy-batch":
            return _lossy_batch_answer(request)
        if self.kind == "split-yes" and request.mode == "single":
            distribution = _split_distribution(request)
            return max(distribution, key=distribution.__getitem__).strip()
        return _correct_answer(request)

    def first_token_distribution(self, prompt: str, answer: str) -> dict[str, float] | None:
        """Probabilities of the first token of ``answer`` (this judge's reply to ``prompt``).

        ``None`` unless ``answer`` is a single-mode Yes/No: JSON and garbage answers carry
        no Yes/No token, so a server returns plain per-token log-probabilities for them.
        """
        request = parse_judge_request(prompt)
        if request is None or request.mode != "single" or answer not in ("Yes", "No"):
            return None
        if self.kind == "split-yes":
            return _split_distribution(request)
        other = "No" if answer == "Yes" else "Yes"
        return {answer: _CONFIDENCE, other: round(1.0 - _CONFIDENCE, 10)}

    def reset(self) -> None:
        """Forget the prompts a flaky judge has seen."""
        with self._lock:
            self._seen.clear()
