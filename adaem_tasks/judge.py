"""The LLM value judge (paper Listing 4), shared by the Inspect scorer, the lm-eval
filter and the generator's reward.

Two modes:

* ``single`` (paper-faithful default): one Yes/No call per key point x value.
* ``batched``: one call per key point that returns every label at once as a JSON
  object (requested as structured output where the provider supports it).

All calls go through Inspect's :class:`~inspect_ai.model.Model`, so providers,
retries on rate limits, response caching and connection limits come from Inspect.
Calls are issued with :func:`asyncio.gather`; Inspect's per-model connection
limit (``max_connections``) is what bounds the real concurrency.

**Probability labels.** In single mode the judge asks for token log-probabilities
(``logprobs`` / ``top_logprobs``, which OpenAI, vLLM, SGLang, llama.cpp servers and
Hugging Face return). Where the answer carries them, the label is ``P(Yes) >= threshold``
with ``P(Yes) = p(Yes) / (p(Yes) + p(No))`` read at the first answer token, summing the
token variants (``"Yes"``, ``" yes"``, ``"YES"`` ...; :func:`yes_probability`), and
``P(Yes)`` is kept in :attr:`PointJudgement.probabilities`. A provider that returns no
log-probabilities changes nothing: the label is read from the text as before.

A judge answer that is neither Yes nor No is asked again (without the cache, since a
cached garbage answer would come back identical); after ``max_attempts`` the label is
**unknown** (``None``), never "not expressed": an unreadable judge says nothing about the
examinee. Labels are three-valued everywhere downstream (1 expressed, 0 not expressed,
``None`` unknown) and :func:`or_labels` keeps the distinction (see there).

The text being judged (an examinee's key point, or a generated question) is *data*: it
sits between boundary lines derived from its own hash (:func:`text_boundary`), which the
text cannot contain, so it cannot close its block and pass instructions or labels to the
judge. The paper's Listing 4 uses a markdown fence instead, which any text holding
three backticks could close.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
from collections.abc import Sequence
from typing import Literal

from inspect_ai.model import GenerateConfig, Model, ModelOutput, ResponseSchema
from inspect_ai.util import JSONSchema
from pydantic import BaseModel, Field

from adaem_tasks.prompts import render
from adaem_tasks.value_systems import ValueSystem

__all__ = [
    "JudgeConfig",
    "JudgeMode",
    "OpinionJudgement",
    "Label",
    "PointJudgement",
    "batched_judge_prompt",
    "judge_opinion",
    "judge_point",
    "judge_value",
    "or_labels",
    "parse_batched_labels",
    "parse_yes_no",
    "single_judge_prompt",
    "text_boundary",
    "yes_probability",
]

JudgeMode = Literal["single", "batched"]

Label = int | None
"""One judge label: 1 the value is expressed, 0 it is not, ``None`` unknown (unreadable judge)."""


class JudgeConfig(BaseModel):
    """How the judge is asked. Defaults follow the paper (single Yes/No, deterministic)."""

    mode: JudgeMode = "single"
    max_attempts: int = Field(3, ge=1, description="Tries per prompt when the answer is unreadable.")
    temperature: float | None = 0.0
    cache: bool = True
    logprobs: bool = Field(
        True,
        description="Single mode: ask for token log-probabilities and, where the provider returns them, "
        "label by P(Yes) >= threshold (nothing changes for providers that return none).",
    )
    threshold: float = Field(0.5, ge=0.0, le=1.0, description="P(Yes) at or above which the label is Yes.")
    top_logprobs: int = Field(10, ge=1, le=20, description="Alternatives asked for per answer token.")


class PointJudgement(BaseModel):
    """Labels for one key point; ``None`` where the judge never answered readably."""

    labels: dict[str, Label]
    probabilities: dict[str, float] = Field(
        default_factory=dict,
        description="P(Yes) per value, only where the provider returned log-probabilities (single mode).",
    )

    @property
    def failed(self) -> list[str]:
        """The values whose label stayed unreadable after every attempt."""
        return [k for k, v in self.labels.items() if v is None]


class OpinionJudgement(BaseModel):
    """Per-point labels and their OR over points (paper §3.3)."""

    points: list[PointJudgement]
    vector: dict[str, Label]
    judge_failures: int = Field(description="Point x value labels that stayed unreadable.")

    @property
    def unknown(self) -> list[str]:
        """Values whose question-level label is unknown (no Yes, and some label unreadable)."""
        return [k for k, v in self.vector.items() if v is None]


def text_boundary(text: str) -> str:
    """A boundary token the text cannot contain: a digest of the text itself.

    Deterministic (so Inspect's response cache still hits for the same text) and, being
    a hash of the text, not something the text can spell out to close its own block.
    The loop only guards against the astronomically unlikely case that it does.
    """
    salt = 0
    while True:
        token = hashlib.sha256(f"{salt}:{text}".encode()).hexdigest()[:16]
        if token not in text:
            return token
        salt += 1


def single_judge_prompt(system: ValueSystem, text: str, value_key: str) -> str:
    return render(
        "judge_single",
        framework_label=system.framework_label,
        definitions=system.definitions_block(),
        boundary=text_boundary(text),
        text=text,
        value=system.value(value_key).name,
    )


def batched_judge_prompt(system: ValueSystem, text: str) -> str:
    return render(
        "judge_batched",
        framework_label=system.framework_label,
        definitions=system.definitions_block(),
        keys=", ".join(f'"{k}"' for k in system.keys),
        boundary=text_boundary(text),
        text=text,
    )


_YES_NO_RE = re.compile(r"\b(yes|no)\b", re.I)


def parse_yes_no(text: str) -> bool | None:
    """Read a Yes/No label; ``None`` when the answer holds neither or both."""
    cleaned = text.replace("*", "").strip()
    label = re.sub(r"^.*\[label\]\s*:?", "", cleaned, flags=re.I | re.S).strip() or cleaned
    first = _YES_NO_RE.match(label)
    if first:
        return first.group(1).lower() == "yes"
    found = {m.lower() for m in _YES_NO_RE.findall(label)}
    if len(found) == 1:
        return found.pop() == "yes"
    return None


_JSON_OBJECT_RE = re.compile(r"\{.*\}", re.S)
_TRUE_STRINGS = {"true", "yes", "1"}
_FALSE_STRINGS = {"false", "no", "0"}


def _as_bool(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        lowered = raw.strip().lower()
        if lowered in _TRUE_STRINGS:
            return True
        if lowered in _FALSE_STRINGS:
            return False
    return None


def parse_batched_labels(text: str, system: ValueSystem) -> dict[str, bool | None]:
    """Read the batched judge's JSON. Keys may be value keys or display names.

    Returns an entry for every value; ``None`` marks a value the answer did not
    label readably (missing key, non-boolean), so callers can retry or count it.
    """
    labels: dict[str, bool | None] = dict.fromkeys(system.keys)
    match = _JSON_OBJECT_RE.search(text)
    if not match:
        return labels
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return labels
    if not isinstance(data, dict):
        return labels
    for raw_key, raw_value in data.items():
        value = system.match(str(raw_key))
        if value is not None:
            labels[value.key] = _as_bool(raw_value)
    return labels


def _batched_schema(system: ValueSystem) -> ResponseSchema:
    return ResponseSchema(
        name="value_labels",
        description="Whether the text reflects each value.",
        json_schema=JSONSchema(
            type="object",
            properties={k: JSONSchema(type="boolean") for k in system.keys},
            required=list(system.keys),
            additionalProperties=False,
        ),
        strict=True,
    )


def _generate_config(config: JudgeConfig, extra: GenerateConfig | None = None) -> GenerateConfig:
    base = (
        GenerateConfig(temperature=config.temperature) if config.temperature is not None else GenerateConfig()
    )
    return base.merge(extra) if extra is not None else base


async def _ask(model: Model, prompt: str, config: GenerateConfig, use_cache: bool) -> ModelOutput:
    return await model.generate(prompt, config=config, cache=use_cache)


def _answer_word(token: str) -> str | None:
    """``"yes"`` / ``"no"`` for a Yes/No token variant (``" Yes"``, ``"YES"``, ``"no."``), else ``None``."""
    word = token.strip().strip("*_`'\".,:;!()[]").lower()
    return word if word in ("yes", "no") else None


def yes_probability(output: ModelOutput) -> float | None:
    """``P(Yes) = p(Yes) / (p(Yes) + p(No))`` at the first answer token; ``None`` without log-probabilities.

    The first answer token is the first generated token that is a Yes/No variant (a
    leading ``**`` or whitespace token is skipped). Its own log-probability and its
    ``top_logprobs`` alternatives are pooled by variant, each distinct token counted
    once, so ``" Yes"`` and ``"yes"`` both count for Yes. A provider that returns the chosen
    token's log-probability without alternatives leaves the other answer's mass unknown: it is
    taken to be the rest, ``1 - p(chosen)``. ``None`` when the output has no log-probabilities
    or no Yes/No token at all (the caller reads the text instead).
    """
    if not output.choices or output.choices[0].logprobs is None:
        return None
    for position in output.choices[0].logprobs.content:
        if _answer_word(position.token) is None:
            continue
        candidates = {position.token: position.logprob}
        for alternative in position.top_logprobs or []:
            candidates.setdefault(alternative.token, alternative.logprob)
        mass = {"yes": 0.0, "no": 0.0}
        for token, logprob in candidates.items():
            word = _answer_word(token)
            if word is not None:
                mass[word] += math.exp(logprob)
        if not position.top_logprobs:
            chosen = _answer_word(position.token)
            other = "no" if chosen == "yes" else "yes"
            mass[other] = max(0.0, 1.0 - mass[chosen or "yes"])
        total = mass["yes"] + mass["no"]
        return mass["yes"] / total if total > 0 else None
    return None


async def judge_value(
    model: Model, system: ValueSystem, text: str, key: str, config: JudgeConfig | None = None
) -> tuple[Label, float | None]:
    """One single-mode Listing 4 call: the label of ``text`` for value ``key`` and, where the
    provider returned log-probabilities, P(Yes). ``(None, None)`` when every attempt was unreadable."""
    cfg = config or JudgeConfig()
    prompt = single_judge_prompt(system, text, key)
    extra = GenerateConfig(logprobs=True, top_logprobs=cfg.top_logprobs) if cfg.logprobs else None
    gen = _generate_config(cfg, extra)
    for attempt in range(cfg.max_attempts):
        output = await _ask(model, prompt, gen, use_cache=cfg.cache and attempt == 0)
        p_yes = yes_probability(output) if cfg.logprobs else None
        if p_yes is not None:
            return int(p_yes >= cfg.threshold), p_yes
        label = parse_yes_no(output.completion)
        if label is not None:
            return int(label), None
    return None, None


async def judge_point(
    model: Model, system: ValueSystem, text: str, config: JudgeConfig | None = None
) -> PointJudgement:
    """Label one key point against every value of ``system``."""
    cfg = config or JudgeConfig()
    probabilities: dict[str, float] = {}
    if cfg.mode == "single":
        answers = await asyncio.gather(*(judge_value(model, system, text, k, cfg) for k in system.keys))
        raw = {k: label for k, (label, _) in zip(system.keys, answers, strict=True)}
        probabilities = {k: p for k, (_, p) in zip(system.keys, answers, strict=True) if p is not None}
    else:
        prompt = batched_judge_prompt(system, text)
        gen = _generate_config(cfg, GenerateConfig(response_schema=_batched_schema(system)))
        raw = dict.fromkeys(system.keys)
        for attempt in range(cfg.max_attempts):
            output = await _ask(model, prompt, gen, use_cache=cfg.cache and attempt == 0)
            parsed = parse_batched_labels(output.completion, system)
            raw = {k: raw[k] if raw[k] is not None else parsed[k] for k in system.keys}
            if all(v is not None for v in raw.values()):
                break
    return PointJudgement(
        labels={k: None if v is None else int(v) for k, v in raw.items()}, probabilities=probabilities
    )


def or_labels(system: ValueSystem, per_point: Sequence[dict[str, Label]]) -> dict[str, Label]:
    """The paper's v = v1 OR v2 OR ... OR vL over key points, in three-valued logic.

    Per value: 1 if some point was judged Yes (one Yes settles the OR whatever the
    unreadable labels would have said); ``None`` if no point was Yes and some label is
    unknown (or missing); 0 only if every point was read as No. Every key is present.
    """
    vector: dict[str, Label] = {}
    for k in system.keys:
        labels = [p.get(k) for p in per_point]
        if any(label == 1 for label in labels):
            vector[k] = 1
        elif any(label is None for label in labels):
            vector[k] = None
        else:
            vector[k] = 0
    return vector


async def judge_opinion(
    model: Model, system: ValueSystem, point_texts: Sequence[str], config: JudgeConfig | None = None
) -> OpinionJudgement:
    """Judge every key point of one answer concurrently and OR the labels."""
    points = await asyncio.gather(*(judge_point(model, system, t, config) for t in point_texts))
    return OpinionJudgement(
        points=list(points),
        vector=or_labels(system, [p.labels for p in points]),
        judge_failures=sum(len(p.failed) for p in points),
    )
