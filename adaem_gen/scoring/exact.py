"""The paper's *exact* reward estimator (App. I), for open models: ``adaem-gen run --estimator exact``.

C.3's estimator (:mod:`adaem_gen.scoring.estimate`) approximates Eq. (1)-(2) with value *sets* and
BERTScore so that black-box models can take part. App. I.2 also computes each term of
Eq. (2) from probabilities, with open models, and finds both versions induce similar
value measurements (Pearson 0.856, Cronbach's α 0.898). This module is that version.

For a question ``x`` and the models ``i`` that answered readably (answer ``y_i``):

* ``P_i(v)`` -- the judge's P(Yes) that ``y_i`` reflects value ``v`` (probability labels,
  :func:`adaem_tasks.judge.yes_probability`; one single-mode call per value on the
  answer's key points), and ``v^i = [P_i(v) >= threshold]``, the model's value orientation.
* **value conformity** ``log p_i(v^i|y_i) = Σ_v log P_i(v^i_v)`` -- the joint value
  probability, with ``P_i(1) = P_i(v)`` and ``P_i(0) = 1 - P_i(v)``.
* **value difference** ``log p_M(v^i|y) = log mean_{j≠i} p_j(v^i|y_j)`` -- how well the
  *other* models' answers conform to model i's orientation (App. I: "compute their value
  conformity to v^i and compute the average"); ``p_M`` is their mixture, so the average is
  over probabilities (log-mean-exp), not log-probabilities.
* **semantic coherence** ``log p_i(y_i) = Σ_l log p_i(y_l | y_<l, x)`` -- from the answer's
  own token log-probabilities (the generation request asks for ``logprobs``).
* **semantic difference** ``log p_M(y_i) = log mean_{j≠i} p_j(y_i | x)`` -- ``y_i`` scored
  under every other model, which needs a provider that returns *prompt* log-probabilities.
* **disentanglement** ``Σ_v |P(v|x) - P_i(v)|`` -- ``P(v|x)`` is the judge's P(Yes) on the
  question text itself.

``S = Σ_i [conformity - value difference + coherence - semantic difference] - ½ mean_i
disentanglement``: Eq. (2) per model, summed (the MC sample stands for the expectation
weight ``p(y|v)``, N = 1), with C.3's ``- ½ R_Dis`` like the approximate estimator. In
:class:`~adaem_gen.scoring.reward.RewardBreakdown` terms: ``vc`` = Σ conformity, ``vd`` = -Σ value
difference, ``od`` = Σ (coherence - semantic difference), ``dis`` = mean disentanglement,
and ``s = vc + vd + od - ½ dis`` as before; every per-model term is in
:attr:`ExactEstimate.exact`. With one answering model the two difference terms are 0.
Probabilities are clipped to ``[1e-6, 1 - 1e-6]`` before the log. The scale differs from
C.3's (log-likelihood ratios, not set sizes): tune ``--tau`` / ``--min-score`` for it.

**Which providers can do this (Inspect 0.3.x).** Prompt log-probabilities --
``GenerateConfig(prompt_logprobs=N)`` -- are vLLM's extension (SGLang implements it too):
Inspect sends and parses them for ``vllm/``, ``vllm-completions/``, ``sglang/`` and the
OpenAI-compatible ``openai-api/<service>/`` and ``openai-api-completions/<service>/``
providers when the server behind them is vLLM or SGLang. Chat providers score the answer as
a trailing assistant message with vLLM's ``continue_final_message``; completions providers
score the raw prompt + answer, exactly what they generated from. No other provider can
score a given text: OpenAI's API no longer returns prompt log-probabilities (``echo``) for
current models, Anthropic and Google return no log-probabilities at all, and Inspect's
``hf/`` and ``llama-cpp-python/`` providers return them for generated tokens only. The judge
needs token log-probabilities of its own answer (``openai/``, ``grok/``, ``together/``,
``hf/``, ``llama-cpp-python/`` and the vLLM-style providers above). Other providers are
refused before any call (:func:`check_exact_support`); an OpenAI-compatible server that turns
out to return no log-probabilities is refused at its first answer (:class:`ExactUnsupported`).
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageUser, GenerateConfig, Logprob
from pydantic import BaseModel, Field
from scipy.special import logsumexp

from adaem_gen.config import ConfigError
from adaem_gen.models import MeteredModel, ModelUnavailable, current_ledger
from adaem_gen.scoring.estimate import CacheFor, Estimate, ModelOpinion
from adaem_gen.scoring.reward import RewardBreakdown
from adaem_tasks.judge import JudgeConfig, PointJudgement, judge_point
from adaem_tasks.opinion import ParsedOpinion, ParseOutcome, opinion_prompt, parse_opinion
from adaem_tasks.value_systems import ValueSystem

if TYPE_CHECKING:
    from adaem_gen.config import RunConfig

__all__ = [
    "JUDGE_PROVIDERS",
    "SCORING_PROVIDERS",
    "ExactEstimate",
    "ExactEstimator",
    "ExactModelTerms",
    "ExactTerms",
    "ExactUnsupported",
    "answer_logprob",
    "check_exact_support",
    "exact_reward",
]

#: Inspect providers that return prompt log-probabilities (score a given text), chat and completions.
SCORING_PROVIDERS = ("vllm", "sglang", "openai-api", "vllm-completions", "openai-api-completions")
#: Of those, the ones that send a raw prompt (no chat template): the answer is scored after the prompt text.
_COMPLETIONS_PROVIDERS = ("vllm-completions", "openai-api-completions")
#: Inspect providers that return token log-probabilities of a generated answer (the judge's P(Yes)).
JUDGE_PROVIDERS = ("openai", "grok", "together", "hf", "llama-cpp-python", *SCORING_PROVIDERS)
EPSILON = 1e-6


class ExactUnsupported(ConfigError):
    """A model or judge cannot give the probabilities App. I's estimator needs (the message says why)."""


def _provider(spec: str) -> str:
    return spec.split("/", 1)[0]


def check_exact_support(config: RunConfig) -> None:
    """Refuse ``--estimator exact`` for providers that cannot return the log-probabilities it needs."""
    problems: list[str] = []
    for spec in dict.fromkeys([*config.p1, *config.p2_models]):
        if _provider(spec) not in SCORING_PROVIDERS:
            problems.append(
                f"{spec!r} cannot score a given text (prompt log-probabilities), which the value and "
                f"semantic difference terms need for every P1/P2 model; Inspect exposes them for "
                f"{', '.join(p + '/' for p in SCORING_PROVIDERS)} (vLLM or SGLang servers)"
            )
    if config.judge and _provider(config.judge) not in JUDGE_PROVIDERS:
        problems.append(
            f"the judge {config.judge!r} returns no token log-probabilities, so no P(Yes); Inspect "
            f"returns them for {', '.join(p + '/' for p in JUDGE_PROVIDERS)}"
        )
    if config.judge_mode != "single":
        problems.append("P(Yes) comes from single-mode judge calls: drop --judge-mode batched")
    if problems:
        raise ExactUnsupported(
            "--estimator exact (paper App. I) is not possible with these models: "
            + "; ".join(problems)
            + ". Use --estimator approx (App. C.3), which works with any provider."
        )


def _clip(p: float) -> float:
    return min(max(p, EPSILON), 1.0 - EPSILON)


def _label_logprob(p_yes: Mapping[str, float], orientation: Mapping[str, int], keys: Sequence[str]) -> float:
    """``log p(v|y) = Σ_v log P(v_v)``: the joint probability of a 0/1 value vector under P(Yes) labels."""
    return sum(math.log(_clip(p_yes[k]) if orientation[k] else _clip(1.0 - p_yes[k])) for k in keys)


def _log_mean_exp(values: Sequence[float]) -> float:
    return float(logsumexp(values) - math.log(len(values)))


class ExactModelTerms(BaseModel):
    """App. I's terms for one answering model (natural logs)."""

    p_yes: dict[str, float] = Field(description="P(Yes) per value for the model's answer.")
    orientation: dict[str, int] = Field(description="v^i: P(Yes) >= threshold.")
    conformity: float
    value_difference: float
    coherence: float
    semantic_difference: float
    disentanglement: float
    scored_by: dict[str, float] = Field(default_factory=dict, description="log p_j(y_i|x) per other model j.")


class ExactTerms(BaseModel):
    question_p_yes: dict[str, float]
    values: list[str] = Field(
        description="The value keys every probability was known for (the sums run over them)."
    )
    threshold: float
    per_model: dict[str, ExactModelTerms]


class ExactEstimate(Estimate):
    """An :class:`~adaem_gen.scoring.estimate.Estimate` whose reward comes from App. I, every term kept."""

    exact: ExactTerms


def exact_reward(
    question_p_yes: Mapping[str, float],
    answers: Mapping[str, tuple[Mapping[str, float], float, Mapping[str, float]]],
    keys: Sequence[str],
    threshold: float = 0.5,
) -> tuple[RewardBreakdown, dict[str, ExactModelTerms]]:
    """The reward of App. I from probabilities alone.

    ``answers`` maps each answering model to (P(Yes) per value of its answer, log p_i(y_i)
    from its own generation, {other model j: log p_j(y_i | x)}).
    """
    orientations = {m: {k: int(p[k] >= threshold) for k in keys} for m, (p, _, _) in answers.items()}
    terms: dict[str, ExactModelTerms] = {}
    for model, (p_yes, coherence, scored_by) in answers.items():
        others = [m for m in answers if m != model]
        conformity = _label_logprob(p_yes, orientations[model], keys)
        value_difference = (
            _log_mean_exp([_label_logprob(answers[j][0], orientations[model], keys) for j in others])
            if others
            else 0.0
        )
        semantic_difference = _log_mean_exp([scored_by[j] for j in others]) if others else 0.0
        terms[model] = ExactModelTerms(
            p_yes={k: p_yes[k] for k in keys},
            orientation=orientations[model],
            conformity=conformity,
            value_difference=value_difference,
            coherence=coherence,
            semantic_difference=semantic_difference,
            disentanglement=sum(abs(question_p_yes[k] - p_yes[k]) for k in keys),
            scored_by={j: scored_by[j] for j in others},
        )
    vc = sum(t.conformity for t in terms.values())
    vd = -sum(t.value_difference for t in terms.values())
    od = sum(t.coherence - t.semantic_difference for t in terms.values())
    dis = sum(t.disentanglement for t in terms.values()) / len(terms) if terms else 0.0
    return RewardBreakdown(vc=vc, vd=vd, od=od, dis=dis, s=vc + vd + od - 0.5 * dis), terms


def _squash(text: str, ascii_only: bool = False) -> str:
    text = re.sub(r"\s+", "", text)
    return text.encode("ascii", "ignore").decode() if ascii_only else text


def answer_logprob(tokens: Sequence[Logprob], answer: str) -> float:
    """Sum of the log-probabilities of the scored prompt tokens that spell ``answer`` (its last occurrence).

    Tokens are matched on their text with whitespace removed (tokenizers disagree on where
    spaces go); a token that straddles the start of the answer counts. If byte-level tokens
    do not decode cleanly, non-ASCII characters are ignored on both sides. ``ValueError``
    when the answer cannot be found among the tokens.
    """
    for ascii_only in (False, True):
        target = _squash(answer, ascii_only)
        pieces = [_squash(t.token, ascii_only) for t in tokens]
        joined = "".join(pieces)
        start = joined.rfind(target) if target else -1
        if start < 0:
            continue
        end, position, total = start + len(target), 0, 0.0
        for token, piece in zip(tokens, pieces, strict=True):
            if position + len(piece) > start and position < end:
                total += token.logprob
            position += len(piece)
        return total
    raise ValueError("the answer's tokens are not among the scored prompt tokens")


class ExactEstimator:
    """App. I's estimator with the :class:`~adaem_gen.scoring.estimate.Estimator` interface (``estimate``)."""

    def __init__(
        self,
        system: ValueSystem,
        judge: MeteredModel,
        *,
        judge_config: JudgeConfig | None = None,
        points: int = 3,
        words: int = 250,
        temperature: float | None = 1.0,
        top_p: float | None = 0.95,
        max_attempts: int = 3,
        cache_for: CacheFor | None = None,
    ) -> None:
        self.system = system
        self.judge = judge
        self.judge_config = (judge_config or JudgeConfig()).model_copy(
            update={"mode": "single", "logprobs": True}
        )
        self.points = points
        self.words = words
        self.config = GenerateConfig(temperature=temperature, top_p=top_p, logprobs=True)
        self.max_attempts = max_attempts
        self.cache_for: CacheFor = cache_for or (lambda _scope: False)

    @classmethod
    def from_config(
        cls, config: RunConfig, system: ValueSystem, judge: MeteredModel, cache_for: CacheFor | None = None
    ) -> ExactEstimator:
        check_exact_support(config)
        return cls(
            system,
            judge,
            judge_config=JudgeConfig(max_attempts=config.max_attempts, cache=config.cache),
            points=config.points,
            words=config.words,
            temperature=config.temperature,
            top_p=config.top_p,
            max_attempts=config.max_attempts,
            cache_for=cache_for,
        )

    async def _probabilities(self, text: str) -> dict[str, float | None]:
        """P(Yes) per value of ``text``; ``None`` where the judge stayed unreadable."""
        judgement: PointJudgement | None = None
        errors: list[str] = []
        for _attempt in range(self.max_attempts):
            try:
                judgement = await judge_point(self.judge.as_model(), self.system, text, self.judge_config)
                break
            except Exception as exc:  # noqa: BLE001 - judge provider errors after Inspect's retries
                errors.append(f"{type(exc).__name__}: {exc}")
        if judgement is None:
            raise ModelUnavailable(f"judge {self.judge} failed {self.max_attempts} times: {errors[-1]}")
        read = [k for k, label in judgement.labels.items() if label is not None]
        if read and not judgement.probabilities:
            raise ExactUnsupported(
                f"the judge {self.judge} answered without token log-probabilities, so App. I's P(Yes) is "
                "unavailable; serve it where log-probabilities come back (OpenAI, vLLM, SGLang, llama.cpp) "
                "or use --estimator approx"
            )
        ledger = current_ledger()
        if ledger is not None and judgement.failed:
            ledger.fail("judge_unreadable", len(judgement.failed))
        return {k: judgement.probabilities.get(k) for k in self.system.keys}

    async def _answer(self, model: MeteredModel, question: str, scope: str) -> _Answer | ParseOutcome:
        """The model's answer with its own log-likelihood; the last parse outcome when never readable."""
        prompt = opinion_prompt(question, points=self.points, words=self.words)
        ledger = current_ledger()
        errors: list[str] = []
        outcome = ParseOutcome.EMPTY
        for attempt in range(1, self.max_attempts + 1):
            cache = self.cache_for(f"{scope}/exact-opinion/{model.spec}/{attempt}")
            try:
                output = await model.generate(prompt, config=self.config, cache=cache)
            except Exception as exc:  # noqa: BLE001 - provider errors after Inspect's retries: retry
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            parsed = parse_opinion(output.completion, expected_points=self.points)
            outcome = parsed.outcome
            if outcome.judged:
                if not output.choices or output.choices[0].logprobs is None:
                    raise ExactUnsupported(
                        f"{model.spec} answered without token log-probabilities (semantic coherence needs "
                        "them); its server does not return logprobs: use --estimator approx"
                    )
                own = sum(t.logprob for t in output.choices[0].logprobs.content)
                return _Answer(raw=output.completion, opinion=parsed, logprob=own)
            if ledger is not None:
                ledger.fail(f"opinion_{outcome.value}_retry")
        if len(errors) == self.max_attempts:
            raise ModelUnavailable(
                f"{model.spec} failed {self.max_attempts} times giving an opinion: {errors[-1]}"
            )
        if ledger is not None:
            ledger.fail(f"opinion_{outcome.value}")
        return outcome

    async def _score(self, scorer: MeteredModel, question: str, answer: str, scope: str) -> float:
        """``log p_scorer(answer | opinion prompt)`` from the prompt log-probabilities of one request."""
        prompt = opinion_prompt(question, points=self.points, words=self.words)
        messages: list[ChatMessage]
        if _provider(scorer.spec) in _COMPLETIONS_PROVIDERS:
            messages, extra = [ChatMessageUser(content=prompt + answer)], None
        else:
            messages = [ChatMessageUser(content=prompt), ChatMessageAssistant(content=answer)]
            extra = {"continue_final_message": True, "add_generation_prompt": False}
        config = GenerateConfig(prompt_logprobs=1, max_tokens=1, temperature=0.0, extra_body=extra)
        try:
            output = await scorer.generate(
                messages, config=config, cache=self.cache_for(f"{scope}/exact-score")
            )
        except Exception as exc:  # noqa: BLE001 - provider errors after Inspect's retries
            raise ModelUnavailable(
                f"{scorer.spec} failed scoring an answer: {type(exc).__name__}: {exc}"
            ) from exc
        scored = output.choices[0].prompt_logprobs if output.choices else None
        if scored is None or not scored.content:
            raise ExactUnsupported(
                f"{scorer.spec} returned no prompt log-probabilities, so it cannot score another model's "
                "answer (semantic difference); vLLM and SGLang servers can: use --estimator approx otherwise"
            )
        try:
            return answer_logprob(scored.content, answer)
        except ValueError as exc:
            raise ExactUnsupported(f"{scorer.spec}: {exc}") from None

    async def estimate(self, question: str, models: Sequence[MeteredModel], scope: str = "") -> ExactEstimate:
        """Ask every model (with log-probabilities), judge answers and question for P(Yes), cross-score."""
        question_p, replies = await asyncio.gather(
            self._probabilities(question), asyncio.gather(*(self._answer(m, question, scope) for m in models))
        )
        by_spec = {m.spec: m for m in models}
        answers = {m.spec: r for m, r in zip(models, replies, strict=True) if isinstance(r, _Answer)}
        pairs = [(i, j) for i in answers for j in answers if j != i]
        answer_p, scores = await asyncio.gather(
            asyncio.gather(*(self._probabilities(a.judged_text) for a in answers.values())),
            asyncio.gather(
                *(self._score(by_spec[j], question, answers[i].raw, f"{scope}/{i}/{j}") for i, j in pairs)
            ),
        )
        p_by_model = dict(zip(answers, answer_p, strict=True))
        keys = [
            k
            for k in self.system.keys
            if question_p[k] is not None and all(p[k] is not None for p in answer_p)
        ]
        ledger = current_ledger()
        if ledger is not None and len(keys) < len(self.system.keys):
            ledger.fail("exact_unknown_values", len(self.system.keys) - len(keys))
        cross: dict[str, dict[str, float]] = {i: {} for i in answers}
        for (i, j), score in zip(pairs, scores, strict=True):
            cross[i][j] = score
        known_q = _known(question_p, keys)
        inputs = {m: (_known(p_by_model[m], keys), answers[m].logprob, cross[m]) for m in answers}
        threshold = self.judge_config.threshold
        reward, terms = exact_reward(known_q, inputs, keys, threshold)
        opinions = [_opinion(m.spec, replies[n], terms.get(m.spec)) for n, m in enumerate(models)]
        return ExactEstimate(
            question=question,
            models=[m.spec for m in models],
            opinions=opinions,
            question_values=sorted(k for k in keys if known_q[k] >= threshold),
            reward=reward,
            exact=ExactTerms(question_p_yes=known_q, values=keys, threshold=threshold, per_model=terms),
        )


@dataclass(frozen=True)
class _Answer:
    raw: str  # the completion as generated: what every model scores
    opinion: ParsedOpinion
    logprob: float  # log p_i(y_i | x), from the generation's own token log-probabilities

    @property
    def judged_text(self) -> str:
        """What the judge labels: the answer's key points, one per line (as the chain reads them)."""
        return "\n".join(p.text for p in self.opinion.points)


def _known(p_yes: Mapping[str, float | None], keys: Sequence[str]) -> dict[str, float]:
    return {k: float(p) for k in keys if (p := p_yes[k]) is not None}


def _opinion(spec: str, reply: _Answer | ParseOutcome, terms: ExactModelTerms | None) -> ModelOpinion:
    """The reflection prompt's view of one model: key points and the values of its orientation v^i."""
    if not isinstance(reply, _Answer) or terms is None:
        outcome = reply if isinstance(reply, ParseOutcome) else ParseOutcome.UNPARSEABLE
        return ModelOpinion(model=spec, outcome=outcome.value)
    return ModelOpinion(
        model=spec,
        outcome=reply.opinion.outcome.value,
        stance=reply.opinion.stance,
        points=[p.text for p in reply.opinion.points],
        values=sorted(k for k, v in terms.orientation.items() if v),
    )
