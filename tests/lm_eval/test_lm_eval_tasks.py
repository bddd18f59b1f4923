"""The YAML task configs run through lm-eval's own evaluator (in process, offline)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from adaem_lmeval_doubles import REFUSAL, persona_answer, write_questions
from lm_eval import simple_evaluate
from lm_eval.api.instance import Instance
from lm_eval.api.model import LM
from lm_eval.models.dummy import DummyLM
from lm_eval.tasks import TaskManager

from adaem_tasks.task_configs import TASK_CONFIG_DIR
from adaem_tasks.task_configs.lm_eval_bridge import DOC_FIELDS, JudgeNotConfiguredError
from adaem_tasks.value_systems import load_value_system

CONFIG_DIR = TASK_CONFIG_DIR  # the installed copy (the repository's task_configs/ when editable)
FILTER = "value_judge"


class ScriptedExaminee(LM):
    """Answers with a planted profile: [power] in every answer, [security] in every other one.

    Question q10 is refused and q11 left empty, so 10 of 12 answers are judgeable.
    """

    def __init__(self) -> None:
        super().__init__()
        self.gen_kwargs: list[dict[str, Any]] = []

    def generate_until(self, requests: list[Instance], disable_tqdm: bool = False) -> list[str]:
        out = []
        for request in requests:
            self.gen_kwargs.append(request.args[1])
            number = int(request.doc["id"][1:])
            if number == 10:
                out.append(REFUSAL)
            elif number == 11:
                out.append("")
            else:
                out.append(persona_answer(["power", "security"] if number % 2 == 0 else ["power"]))
        return out

    def loglikelihood(self, requests: list[Instance], disable_tqdm: bool = False) -> list[tuple[float, bool]]:
        raise NotImplementedError

    def loglikelihood_rolling(self, requests: list[Instance], disable_tqdm: bool = False) -> list[float]:
        raise NotImplementedError


def _task_manager(metadata: dict[str, Any] | None = None) -> TaskManager:
    # include_defaults=False: indexing lm-eval's own ~10k task YAMLs costs ~10 s and is not under test
    return TaskManager(include_path=str(CONFIG_DIR), include_defaults=False, metadata=metadata)


def _run(model: Any, tasks: list[str], **kwargs: Any) -> dict[str, Any]:
    results = simple_evaluate(
        model=model, tasks=tasks, task_manager=_task_manager(), log_samples=True, bootstrap_iters=0, **kwargs
    )
    assert results is not None
    return results


@pytest.mark.parametrize(("task", "system"), [("adaem_schwartz", "schwartz"), ("adaem_mft", "mft")])
def test_yaml_metrics_match_the_value_system(task: str, system: str) -> None:
    config = yaml.load((CONFIG_DIR / f"{task}.yaml").read_text(), Loader=_IgnoreTags)
    assert [m["metric"] for m in config["metric_list"]] == [
        *load_value_system(system).keys,
        "parse_failure",
        "judge_failure",
    ]
    assert config["dataset_kwargs"] == {"value_system": system}


def test_generation_settings_do_not_truncate_the_answer() -> None:
    common = yaml.load((CONFIG_DIR / "_adaem_common.yaml").read_text(), Loader=_IgnoreTags)
    gen = common["generation_kwargs"]
    assert gen["until"] == [] and gen["max_gen_toks"] >= 1024
    assert gen["do_sample"] is False and gen["temperature"] == 0.0


def test_index_lists_the_tasks_and_the_group() -> None:
    assert {"adaem", "adaem_schwartz", "adaem_mft"} <= set(_task_manager().all_tasks)


def test_metadata_selects_the_question_set(adaem_env: dict[str, str], tmp_path: Path) -> None:
    other = write_questions(tmp_path / "five.jsonl", 5)
    # what `lm-eval run --metadata '{"questions": "..."}'` hands to the TaskManager
    task = _task_manager({"questions": str(other)}).load(["adaem_mft"])["tasks"]["adaem_mft"]
    docs = list(task.eval_docs)
    assert len(docs) == 5 and docs[0]["set_version"].startswith("file:five@")


def test_planted_profile_is_recovered(adaem_env: dict[str, str]) -> None:
    examinee = ScriptedExaminee()
    results = _run(examinee, ["adaem_schwartz"])
    metrics = results["results"]["adaem_schwartz"]
    assert metrics[f"power,{FILTER}"] == 1.0
    # 5 of the 10 judged answers; the refused and the empty answer are left out of the mean
    assert metrics[f"security,{FILTER}"] == 0.5
    assert metrics[f"parse_failure,{FILTER}"] == pytest.approx(2 / 12)
    for key in load_value_system("schwartz").keys:
        if key not in ("power", "security"):
            assert metrics[f"{key},{FILTER}"] == 0.0, key
    assert examinee.gen_kwargs[0] == {
        "until": [],
        "max_gen_toks": 1280,
        "do_sample": False,
        "temperature": 0.0,
    }

    samples = {s["doc"]["id"]: s for s in results["samples"]["adaem_schwartz"]}
    assert len(samples) == 12
    assert samples["q00"]["power"] == 1.0 and samples["q00"]["parse_failure"] == 0.0
    assert math.isnan(samples["q10"]["power"]) and samples["q10"]["parse_failure"] == 1.0
    assert samples["q10"]["filter"] == FILTER
    assert tuple(samples["q00"]["doc"]) == DOC_FIELDS


def test_dummy_model_answers_are_unparseable_and_nan(adaem_env: dict[str, str]) -> None:
    dummy = DummyLM()
    # lm-eval logs the dummy's tokenizer, a hub download; pre-set the cached property to skip it
    dummy.__dict__["tokenizer"] = None
    results = _run(dummy, ["adaem"], limit=3)
    assert results["samples"]["adaem_schwartz"][0]["resps"] == [["lol"]]
    for task, system in (("adaem_schwartz", "schwartz"), ("adaem_mft", "mft")):
        metrics = results["results"][task]
        assert metrics[f"parse_failure,{FILTER}"] == 1.0
        assert all(math.isnan(metrics[f"{k},{FILTER}"]) for k in load_value_system(system).keys)
        assert len(results["samples"][task]) == 3
    assert results["results"]["adaem"][f"parse_failure,{FILTER}"] == 1.0


def test_missing_judge_fails_before_any_examinee_call(
    adaem_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADAEM_JUDGE_MODEL")
    examinee = ScriptedExaminee()
    with pytest.raises(JudgeNotConfiguredError, match="ADAEM_JUDGE_MODEL is not set"):
        _run(examinee, ["adaem_schwartz"])
    assert examinee.gen_kwargs == []


class _IgnoreTags(yaml.SafeLoader):
    """Reads the YAML without resolving lm-eval's ``!function`` tags."""


_IgnoreTags.add_constructor("!function", lambda loader, node: loader.construct_scalar(node))  # type: ignore[arg-type]
