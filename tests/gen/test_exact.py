"""App. I's exact estimator: the formulas by hand, planted values recovered through real providers, refusals.

The loopback server plays open models: personas whose token log-probabilities favour
the words of their own planted values (:mod:`adaem_tasks.testing.logprobs`), scored
answers through vLLM-style ``prompt_logprobs``, and a keyword judge whose P(Yes) is 0.9 /
0.1. On a generic question the saturating personas give one shared answer (no value or
semantic difference); on a specific one each speaks its own values -- S must rise.
"""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import pytest
from inspect_ai.model import GenerateConfig, Logprob, get_model

from adaem_gen import cli
from adaem_gen.config import RunConfig, config_differences
from adaem_gen.models import Ledger, MeteredModel, ledger_scope
from adaem_gen.run.pipeline import Generator
from adaem_gen.scoring.estimators import require_estimator_support
from adaem_gen.scoring.exact import (
    ExactEstimate,
    ExactEstimator,
    ExactUnsupported,
    _Answer,
    answer_logprob,
    exact_reward,
)
from adaem_tasks.questions import load_question_set
from adaem_tasks.testing.openai_server import ServerHandle, start_server
from adaem_tasks.testing.personas import parse_persona, specificity
from adaem_tasks.value_systems import load_value_system

from .conftest import write_seeds
from .fakes import FakeDiversity, FakeEmbedder

SCHWARTZ = load_value_system("schwartz")
PERSONAS = [
    "saturating-power+achievement",
    "saturating-tradition+conformity",
    "saturating-hedonism+stimulation",
]
GENERIC = "Should voting be mandatory?"
SPECIFIC = (
    "Should municipal governments in rural Norway require every new housing cooperative to reserve "
    "units for seasonal migrant workers by 2030?"
)
JUDGE = "openai-api/loop/judge-keyword"


def test_reward_by_hand() -> None:
    """Two models, two values; every term written out."""
    p_a, p_b = {"v1": 0.9, "v2": 0.2}, {"v1": 0.3, "v2": 0.6}
    question = {"v1": 0.5, "v2": 0.5}
    answers = {"a": (p_a, -10.0, {"b": -12.0}), "b": (p_b, -8.0, {"a": -11.0})}
    reward, terms = exact_reward(question, answers, ["v1", "v2"], threshold=0.5)
    assert terms["a"].orientation == {"v1": 1, "v2": 0} and terms["b"].orientation == {"v1": 0, "v2": 1}
    log = math.log
    assert terms["a"].conformity == pytest.approx(log(0.9) + log(0.8))
    assert terms["a"].value_difference == pytest.approx(log(0.3) + log(0.4))  # b's answer under a's v^a
    assert terms["b"].conformity == pytest.approx(log(0.7) + log(0.6))
    assert terms["b"].value_difference == pytest.approx(log(0.1) + log(0.2))
    assert terms["a"].semantic_difference == -12.0 and terms["b"].semantic_difference == -11.0
    assert terms["a"].disentanglement == pytest.approx(0.7) and terms["b"].disentanglement == pytest.approx(
        0.3
    )
    expected = (
        (log(0.9) + log(0.8) - log(0.3) - log(0.4) - 10.0 + 12.0)
        + (log(0.7) + log(0.6) - log(0.1) - log(0.2) - 8.0 + 11.0)
        - 0.5 * 0.5
    )
    assert reward.s == pytest.approx(expected)
    assert reward.s == pytest.approx(reward.vc + reward.vd + reward.od - 0.5 * reward.dis)


def test_differences_average_probabilities_not_logs() -> None:
    """p_M is the mixture of the other models: the mean is taken over probabilities (log-mean-exp)."""
    p = {"a": {"v": 0.9}, "b": {"v": 0.8}, "c": {"v": 0.1}}
    answers = {m: (p[m], -5.0, {o: (-6.0 if o == "b" else -9.0) for o in p if o != m}) for m in p}
    _, terms = exact_reward({"v": 0.5}, answers, ["v"])
    assert terms["a"].value_difference == pytest.approx(math.log((0.8 + 0.1) / 2))
    assert terms["a"].semantic_difference == pytest.approx(math.log((math.exp(-6.0) + math.exp(-9.0)) / 2))


def test_one_model_has_no_difference_terms() -> None:
    reward, terms = exact_reward({"v": 0.2}, {"a": ({"v": 0.7}, -4.0, {})}, ["v"])
    assert terms["a"].value_difference == 0.0 and terms["a"].semantic_difference == 0.0
    assert reward.s == pytest.approx(math.log(0.7) - 4.0 - 0.5 * 0.5)


def _tokens(*pairs: tuple[str, float]) -> list[Logprob]:
    return [Logprob(token=t, logprob=lp) for t, lp in pairs]


def test_answer_tokens_are_found_after_the_template() -> None:
    tokens = _tokens(("<user>", -9.0), ("Your", -1.0), (" answer:", -1.0), ("\nStance", -0.5), (":", -0.1))
    tokens += _tokens((" yes", -0.2), ("\n", -0.3), ("<|end|>", -5.0))
    assert answer_logprob(tokens, "Stance: yes") == pytest.approx(-0.8)
    straddling = _tokens(("is:Stance", -0.7), (":", -0.1), (" yes", -0.2))
    assert answer_logprob(straddling, "Stance: yes") == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="not among the scored prompt tokens"):
        answer_logprob(tokens, "Stance: no")


def _metered(spec: str) -> MeteredModel:
    return MeteredModel(
        get_model(spec, config=GenerateConfig(max_retries=2, timeout=20), memoize=False), spec
    )


def _estimate(question: str, specs: list[str]) -> tuple[ExactEstimate, Ledger]:
    estimator = ExactEstimator(SCHWARTZ, _metered(JUDGE))
    ledger = Ledger()

    async def go() -> ExactEstimate:
        with ledger_scope(ledger):
            return await estimator.estimate(question, [_metered(s) for s in specs])

    return asyncio.run(go()), ledger


def test_specific_questions_beat_saturated_ones(loop: ServerHandle) -> None:
    assert specificity(GENERIC) == 0.0 and specificity(SPECIFIC) == 1.0
    specs = [f"openai-api/loop/{p}" for p in PERSONAS]
    generic, _ = _estimate(GENERIC, specs)
    specific, ledger = _estimate(SPECIFIC, specs)
    assert specific.s > generic.s
    # generic: one shared answer -> every model has the same orientation, no value difference
    orientations = [t.orientation for t in generic.exact.per_model.values()]
    assert all(o == orientations[0] for o in orientations)
    assert generic.reward.vd == pytest.approx(-generic.reward.vc)
    # specific: each persona's planted values are recovered, and others' answers conform less to them
    for spec, persona in zip(specs, PERSONAS, strict=True):
        terms = specific.exact.per_model[spec]
        assert terms.orientation == parse_persona(persona).expressed(SPECIFIC)
        assert terms.value_difference < terms.conformity
        assert terms.coherence > terms.semantic_difference  # own answer likelier under its own model
    assert specific.reward.vd > generic.reward.vd and specific.reward.od > generic.reward.od
    calls = {model: usage.calls for model, usage in ledger.usage.items()}
    assert calls[JUDGE] == len(SCHWARTZ.keys) * (1 + len(specs))  # question + one text per answer
    assert all(calls[s] == len(specs) for s in specs)  # its answer + scoring the other two answers


def test_scoring_own_answer_equals_its_generation(loop: ServerHandle) -> None:
    """Chat (continue_final_message) and completions scoring both land on the answer's own tokens."""
    estimator = ExactEstimator(SCHWARTZ, _metered(JUDGE))
    spec = "openai-api/loop/power+achievement"

    async def go() -> tuple[float, float, float]:
        answer = await estimator._answer(_metered(spec), SPECIFIC, "t")
        assert isinstance(answer, _Answer)
        chat = await estimator._score(_metered(spec), SPECIFIC, answer.raw, "chat")
        completions_model = _metered("openai-api-completions/loop/power+achievement")
        completions = await estimator._score(completions_model, SPECIFIC, answer.raw, "completions")
        return answer.logprob, chat, completions

    own, chat, completions = asyncio.run(go())
    assert chat == pytest.approx(own) and completions == pytest.approx(own)


def test_a_server_without_logprobs_is_refused_at_its_first_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    with start_server(logprobs=False) as bare:
        monkeypatch.setenv("LOOP_BASE_URL", bare.url)
        monkeypatch.setenv("LOOP_API_KEY", "test-key")
        with pytest.raises(ExactUnsupported, match="without token log-probabilities"):
            _estimate(SPECIFIC, [f"openai-api/loop/{p}" for p in PERSONAS[:2]])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"p1": ["openai/gpt-4o-mini", "openai-api/loop/power"]},
            "'openai/gpt-4o-mini' cannot score a given text",
        ),
        ({"p2": ["anthropic/claude-3-5-sonnet-latest"]}, "'anthropic/claude-3-5-sonnet-latest' cannot score"),
        ({"judge": "anthropic/claude-3-5-sonnet-latest"}, "returns no token log-probabilities"),
        ({"judge_mode": "batched"}, "drop --judge-mode batched"),
    ],
)
def test_providers_that_cannot_are_refused_before_any_call(settings: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"p1": ["vllm/qwen", "openai-api/loop/power"], "judge": JUDGE, "out": "x"}
    config = RunConfig.model_validate({**base, **settings, "estimator": "exact"})
    config.require_runnable()
    with pytest.raises(ExactUnsupported, match=message) as info:
        require_estimator_support(config)
    assert "Use --estimator approx" in str(info.value)


def test_cli_refusal_is_one_message_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "unused")
    args = [
        "run",
        "--estimator",
        "exact",
        "--p1",
        "openai/gpt-4o-mini,openai/gpt-4o",
        "--judge",
        "openai/gpt-4o",
    ]
    code = cli.main([*args, "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2 and "--estimator exact (paper App. I) is not possible" in err
    assert "prompt log-probabilities" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()  # refused before anything was written


def test_changing_the_estimator_is_refused_on_resume() -> None:
    recorded = RunConfig(p1=["vllm/a"], judge="vllm/j", out="x")
    assert any(
        d.startswith("estimator:")
        for d in config_differences(recorded, recorded.model_copy(update={"estimator": "exact"}))
    )


def test_generator_runs_with_the_exact_estimator(
    loop: ServerHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADAEM_HOME", str(tmp_path / "home"))
    seeds = write_seeds(tmp_path / "seeds.jsonl", [GENERIC, "Is nuclear energy worth the risk?"])
    config = RunConfig(
        seeds=str(seeds),
        p1=[f"openai-api/loop/{p}" for p in PERSONAS],
        judge=JUDGE,
        estimator="exact",
        budget=2,
        n2=1,
        max_refine=1,
        out=str(tmp_path / "run"),
    )
    generator = Generator(config, embedder=FakeEmbedder(), diversity=FakeDiversity(), retry_wait=0.0)
    result = asyncio.run(generator.run())
    assert result.count > 0 and result.mean_s_new is not None and result.mean_s_seeds is not None
    assert result.mean_s_new > result.mean_s_seeds  # specific generated questions beat saturated seeds
    qset = load_question_set(version=result.version)
    assert qset.manifest.hyperparameters["estimator"] == "exact"
    units = [json.loads(line) for line in (tmp_path / "run" / "journal.jsonl").read_text().splitlines()]
    estimates = [u for u in units if u.get("type") == "unit" and u["key"].startswith("estimate/")]
    assert estimates and all("exact" in u["data"] for u in estimates)
    assert all(set(u["data"]["exact"]["per_model"]) <= set(config.p1) for u in estimates)
