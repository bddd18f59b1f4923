"""Small in-process doubles for generator unit tests (fast: no torch, no HTTP).

* :class:`FakeModel` -- an object with Inspect's ``generate`` signature that answers
  the generator's prompts from a Python function (the scripted personas of
  ``adaem_tasks.testing`` drive the end-to-end tests instead).
* :class:`FakeEmbedder` -- hashed bag-of-words unit vectors (near-copies are similar).
* :class:`FakeDiversity` -- ``1 - mean word-Jaccard`` between models' key points.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from inspect_ai.model import ModelOutput, ModelUsage

from adaem_gen.models import MeteredModel
from adaem_tasks.testing.judges import parse_judge_request

Responder = Callable[[str, list[str]], str]


def _texts(input: Any) -> list[str]:
    if isinstance(input, str):
        return [input]
    return [getattr(m, "text", str(m)) for m in input]


class FakeModel:
    """``generate(input, config=..., cache=...)`` -> ModelOutput from ``respond(spec, turns)``."""

    def __init__(self, spec: str, respond: Responder) -> None:
        self.spec = spec
        self.respond = respond
        self.calls = 0

    async def generate(self, input: Any, *args: Any, **kwargs: Any) -> ModelOutput:
        self.calls += 1
        turns = _texts(input)
        text = self.respond(self.spec, turns)
        output = ModelOutput.from_content(self.spec, text)
        output.usage = ModelUsage(
            input_tokens=sum(len(t.split()) for t in turns), output_tokens=len(text.split())
        )
        return output


def metered(spec: str, respond: Responder) -> MeteredModel:
    return MeteredModel(FakeModel(spec, respond), spec)  # type: ignore[arg-type]


class FakeEmbedder:
    dim = 256

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


class FakeDiversity:
    def score(self, opinions_by_model: Mapping[str, Sequence[str]]) -> float:
        bags = [
            set(re.findall(r"[a-z]+", " ".join(ops).lower())) for ops in opinions_by_model.values() if ops
        ]
        pairs = list(itertools.combinations(bags, 2))
        if not pairs:
            return 0.0
        return 1.0 - sum(len(a & b) / max(len(a | b), 1) for a, b in pairs) / len(pairs)


# -- a scripted world: personas with planted values, a keyword judge ---------------------------------

CONTEXTS = [
    "in Norway in 2019",
    "at public universities in Brazil",
    "under the 2021 EU directive",
    "in rural India",
]
_Q_RE = re.compile(r'For the question "(.*?)", you should give me your stance', re.S)
_GENERAL_RE = re.compile(r"\[General Argument\]: (.*)")
_QUESTION_LINE_RE = re.compile(r"^\[Question\]: (.*)$", re.M)


def _h(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def persona_responder(values: Sequence[str], *, refuse_marker: str | None = None) -> Responder:
    """A persona: generic (short) questions get a shared safe answer, specific ones its own values."""

    def respond(spec: str, turns: list[str]) -> str:
        last = turns[-1]
        if "you should give me your stance" in last:
            question = _Q_RE.search(last).group(1)  # type: ignore[union-attr]
            if refuse_marker and refuse_marker in question:
                return "I'm sorry, but I cannot share an opinion on that."
            if not any(c in question for c in CONTEXTS):
                pts = [
                    "Safety: universalism matters for everyone",
                    "Care: universalism again",
                    "Order: universalism",
                ]
            else:
                pts = [f"{v.title()} view: this is about {v} and {values[0]}" for v in values] + [
                    f"Extra: {values[-1]} counts"
                ]
            return "Stance: yes\nKey Points:\n" + "\n".join(f"{i}. {p}" for i, p in enumerate(pts[:3], 1))
        if "explore contextually rich argument questions" in last:
            general = _GENERAL_RE.search(last).group(1).strip()  # type: ignore[union-attr]
            return f"A relevant fact: {CONTEXTS[_h(spec + general) % len(CONTEXTS)]}."
        if "compose a new specific argument" in last:
            general = _GENERAL_RE.search(turns[0]).group(1).strip().rstrip("?")  # type: ignore[union-attr]
            context = CONTEXTS[_h(spec + general) % len(CONTEXTS)]
            return f"[Argument]: {general} {context}.\n[Question]: {general} {context}?"
        if "We need to refine a question" in last:
            return "Suggestion: name who is affected."
        if "Based on your suggestions, refine the above question" in last:
            question = _QUESTION_LINE_RE.findall(turns[0])[-1].rstrip("?")
            if "for workers" in question:
                return f"[Question]: {question}?"
            return f"[Question]: {question} for workers?"
        if "safety classifier" in last:
            return "unsafe" if "UNSAFE" in last else "safe"
        return "ok"

    return respond


def keyword_judge(spec: str, turns: list[str]) -> str:
    """Yes iff the judged text contains the value's key (its lower-cased name); batched: JSON of those."""
    request = parse_judge_request(turns[-1])
    if request is None:
        return "No"
    text = request.text.lower()
    labels = {k: k.replace("_", "-") in text or k in text for k in request.system.keys}
    if request.value_key is None:
        return json.dumps(labels)
    return "Yes" if labels[request.value_key] else "No"
