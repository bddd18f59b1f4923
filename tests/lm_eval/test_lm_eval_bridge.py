"""The lm-eval bridge without lm-eval's runner: settings, docs, the judge filter, metrics."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from adaem_lmeval_doubles import JUDGE_STATS, REFUSAL, TEST_JUDGE, persona_answer

from adaem_tasks.opinion import opinion_prompt
from adaem_tasks.task_configs import lm_eval_bridge as bridge
from adaem_tasks.value_systems import load_value_system


def _docs(value_system: str, n: int) -> list[dict[str, str]]:
    return [
        {
            "id": f"q{i}",
            "question": f"Q{i}?",
            "category": "c",
            "topic": "t",
            "set_version": "v",
            "value_system": value_system,
        }
        for i in range(n)
    ]


def test_missing_judge_model_is_a_clear_error() -> None:
    with pytest.raises(bridge.JudgeNotConfiguredError, match="ADAEM_JUDGE_MODEL is not set.*openai/gpt-4o"):
        bridge.judge_settings({})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ADAEM_JUDGE_MODE": "pairwise"}, "ADAEM_JUDGE_MODE must be 'single' or 'batched'"),
        ({"ADAEM_JUDGE_MAX_CONNECTIONS": "0"}, "ADAEM_JUDGE_MAX_CONNECTIONS must be an integer >= 1"),
        ({"ADAEM_JUDGE_MAX_CONNECTIONS": "many"}, "ADAEM_JUDGE_MAX_CONNECTIONS must be an integer >= 1"),
    ],
)
def test_bad_judge_settings(env: dict[str, str], message: str) -> None:
    with pytest.raises(bridge.JudgeNotConfiguredError, match=message):
        bridge.judge_settings({"ADAEM_JUDGE_MODEL": TEST_JUDGE, **env})


def test_judge_settings_defaults() -> None:
    settings = bridge.judge_settings({"ADAEM_JUDGE_MODEL": " openai/gpt-4o "})
    assert (settings.model, settings.mode, settings.max_connections) == ("openai/gpt-4o", "single", 16)


def test_unbuildable_judge_fails_at_load_time(
    adaem_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADAEM_JUDGE_MODEL", "no-such-provider/model")
    with pytest.raises(
        bridge.JudgeNotConfiguredError, match="cannot build the judge model 'no-such-provider/model'"
    ):
        bridge.load_questions("schwartz")


def test_loader_builds_docs_from_the_question_set(adaem_env: dict[str, str]) -> None:
    dataset = bridge.load_questions("mft", version=1.0, config_source="x.yaml")  # lm-eval metadata is ignored
    docs = list(dataset["test"])
    assert len(docs) == 12
    assert set(docs[0]) == set(bridge.DOC_FIELDS)
    assert docs[0]["id"] == "q00" and docs[0]["value_system"] == "mft"
    assert docs[0]["set_version"].startswith("file:questions@")
    assert bridge.doc_to_text(docs[0]) == opinion_prompt(docs[0]["question"])


def test_loader_metadata_overrides_env(adaem_env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"id": "x1", "question": "Q?", "category": "c", "topic": "t"}) + "\n")
    dataset = bridge.load_questions("schwartz", questions=str(other))
    assert [d["id"] for d in dataset["test"]] == ["x1"]


def test_unknown_question_set_version_names_known_ones(
    adaem_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADAEM_QUESTIONS")
    monkeypatch.setenv("ADAEM_QUESTION_SET_VERSION", "no-such-version")
    with pytest.raises(ValueError, match="'no-such-version' not found"):
        bridge.load_questions("schwartz")


@pytest.mark.parametrize("mode", ["single", "batched"])
def test_filter_judges_every_point_and_ors_labels(
    adaem_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv("ADAEM_JUDGE_MODE", mode)
    second = persona_answer(["power", "security"]).replace("faster", "sooner")
    resps = [[persona_answer(["power"])], [second], [REFUSAL], [""], ["lol"]]
    verdicts = [json.loads(v) for v in bridge.judge_filter(resps, _docs("schwartz", 5))]

    assert [v["parse_outcome"] for v in verdicts] == ["ok", "ok", "refusal", "empty", "unparseable"]
    first = verdicts[0]
    assert first["stance"] == "yes"
    assert first["points"][0] == "Order first: it protects what matters [power]."  # markdown stripped
    assert [p["power"] for p in first["point_labels"]] == [1, 1, 0]
    assert first["vector"]["power"] == 1 and sum(first["vector"].values()) == 1
    assert verdicts[1]["vector"]["security"] == 1
    assert all(v["vector"] is None for v in verdicts[2:])
    # every verdict records the run's measurement settings, so adaem-rank never merges runs measured apart
    expected = {"prime": None, "points": 3, "words": 250, "judge_mode": mode, "judge_threshold": 0.5}
    expected |= {"judge_logprobs": True, "judge_max_attempts": 3}
    assert all(v["conditions"] == expected and v["judge"] == TEST_JUDGE for v in verdicts)
    # 2 judged answers x 3 points, single mode: one call per value, batched: one per point
    assert JUDGE_STATS.calls == (60 if mode == "single" else 6)


def test_judge_answers_come_from_inspects_cache_the_second_time(adaem_env: dict[str, str]) -> None:
    resps, docs = [[persona_answer(["power"])]], _docs("schwartz", 1)
    first = bridge.judge_filter(resps, docs)
    assert JUDGE_STATS.calls == 30
    assert bridge.judge_filter(resps, docs) == first
    assert JUDGE_STATS.calls == 30


def test_judge_calls_run_concurrently_up_to_the_connection_limit(
    adaem_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADAEM_JUDGE_MAX_CONNECTIONS", "4")
    # Inspect keeps one connection pool per model per process, sized when first used:
    # a model name no other test uses gets a fresh pool of 4
    monkeypatch.setenv("ADAEM_JUDGE_MODEL", f"{TEST_JUDGE}-pool-of-4")
    JUDGE_STATS.latency_s = 0.02
    resps = [[persona_answer(["power"]).replace(". ", f". town {i} ")] for i in range(6)]
    bridge.judge_filter(resps, _docs("schwartz", 6))
    assert JUDGE_STATS.calls == 6 * 3 * 10
    assert JUDGE_STATS.max_in_flight == 4  # all answers at once, bounded by Inspect's max_connections


def test_metrics_are_nan_when_not_judgeable(adaem_env: dict[str, str]) -> None:
    resps = [[persona_answer(["care"])], [REFUSAL]]
    docs = _docs("mft", 2)
    verdicts = bridge.judge_filter(resps, docs)
    judged = bridge.process_results(docs[0], [verdicts[0]])
    refused = bridge.process_results(docs[1], [verdicts[1]])
    assert judged == {
        "care": 1.0,
        "fairness": 0.0,
        "loyalty": 0.0,
        "authority": 0.0,
        "sanctity": 0.0,
        "parse_failure": 0.0,
        "judge_failure": 0.0,
    }
    assert refused["parse_failure"] == 1.0
    assert math.isnan(refused["judge_failure"])  # not judged: no judge to fail
    assert all(math.isnan(refused[k]) for k in load_value_system("mft").keys)


def test_process_results_rejects_unfiltered_text() -> None:
    with pytest.raises(ValueError, match="JSON verdict of the 'value_judge' filter"):
        bridge.process_results(_docs("mft", 1)[0], ["Stance: yes"])


def test_judge_errors_are_kept_per_answer_and_fatal_only_when_all_fail(
    adaem_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = bridge.judge_opinion
    seen = {"n": 0}

    async def flaky(model: Any, system: Any, texts: Any, config: Any = None) -> Any:
        seen["n"] += 1
        if seen["n"] == 1:
            raise ConnectionError("judge down")
        return await original(model, system, texts, config)

    monkeypatch.setattr(bridge, "judge_opinion", flaky)
    verdicts = [
        json.loads(v) for v in bridge.judge_filter([[persona_answer(["power"])]] * 2, _docs("schwartz", 2))
    ]
    errors = [v["judge_error"] for v in verdicts]
    assert errors.count("ConnectionError: judge down") == 1 and errors.count(None) == 1
    assert (
        bridge.process_results(_docs("schwartz", 1)[0], [json.dumps(verdicts[errors.index(None)])])["power"]
        == 1.0
    )

    async def down(model: Any, system: Any, texts: Any, config: Any = None) -> Any:
        raise ConnectionError("judge down")

    monkeypatch.setattr(bridge, "judge_opinion", down)
    with pytest.raises(
        RuntimeError, match="every judge call .* failed; first error: ConnectionError: judge down"
    ):
        bridge.judge_filter([[persona_answer(["power"])]], _docs("schwartz", 1))


async def test_filter_works_inside_a_running_event_loop(adaem_env: dict[str, str]) -> None:
    verdicts = bridge.judge_filter([[persona_answer(["power"])]], _docs("schwartz", 1))
    assert json.loads(verdicts[0])["vector"]["power"] == 1


def test_nanmean_ignores_unjudged_answers() -> None:
    assert bridge.nanmean([1.0, math.nan, 0.0, 1.0]) == pytest.approx(2 / 3)
    assert math.isnan(bridge.nanmean([math.nan, math.nan]))
    assert math.isnan(bridge.nanmean([]))


@pytest.mark.parametrize("mode", ["single", "batched"])
def test_unreadable_judge_is_unknown_not_zero(
    adaem_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """A judge that never answers readably leaves every value NaN and judge_failure 1, not rates of 0."""
    monkeypatch.setenv("ADAEM_JUDGE_MODEL", "adaem-judge/garbage")
    monkeypatch.setenv("ADAEM_JUDGE_MODE", mode)
    docs = _docs("schwartz", 2)
    verdicts = bridge.judge_filter([[persona_answer(["power"])], [persona_answer(["security"])]], docs)
    for doc, verdict in zip(docs, verdicts, strict=True):
        assert json.loads(verdict)["vector"] == dict.fromkeys(load_value_system("schwartz").keys)
        metrics = bridge.process_results(doc, [verdict])
        assert metrics["judge_failure"] == 1.0 and metrics["parse_failure"] == 0.0
        assert all(math.isnan(metrics[k]) for k in load_value_system("schwartz").keys)
    assert math.isnan(bridge.nanmean([math.nan, math.nan]))
