"""The answer is known: scripted personas with graded planted profiles through the real Inspect task,
and targets made of those planted profiles. Each target must put its own persona first, with an
interval that excludes every persona whose planted profile has another order."""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval

from adaem_tasks.rating.cli import EXIT_NOT_COMPARABLE
from adaem_tasks.rating.cli import main as adaem_rank
from adaem_tasks.testing.personas import parse_persona
from adaem_tasks.value_systems import load_value_system

pytestmark = pytest.mark.slow

PERSONAS = (
    "power:0.9+achievement:0.6+security:0.3",
    "security:0.9+conformity:0.6+tradition:0.3",
    "hedonism:0.9+stimulation:0.6+self_direction:0.3",
    "tradition:0.9+benevolence:0.6+conformity:0.3",
    "universalism:0.9+self_direction:0.6+benevolence:0.3",
    "achievement:0.9+hedonism:0.6+power:0.3",  # power and achievement again, in the other order
)
"""Graded profiles (as ``benchmarks/rank_recovery.py``), pairwise different in their planted order."""


@pytest.fixture(scope="module")
def aligned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("personas")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INSPECT_CACHE_DIR", str(root / "cache"))
        logs = inspect_eval(
            "adaem_tasks/schwartz",
            model=[f"adaem-persona/{p}" for p in PERSONAS] + ["adaem-persona/refuser"],
            model_roles={"grader": "adaem-judge/keyword"},
            task_args={"judge_mode": "batched"},
            limit=100,
            log_dir=str(root / "logs"),
            display="none",
        )
    assert [log.status for log in logs] == ["success"] * (len(PERSONAS) + 1)
    keys = load_value_system("schwartz").keys
    targets = root / "planted.csv"
    with targets.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", *keys])
        for spec in PERSONAS:
            profile = parse_persona(spec).profile()
            writer.writerow([spec, *(profile[k] for k in keys)])
    out = root / "out"
    code = adaem_rank(
        [str(root / "logs"), "--out", str(out), "--targets", str(targets), "--quiet", "--no-png"]
    )
    assert code == EXIT_NOT_COMPARABLE  # the refuser: named, left out
    return json.loads((out / "alignment.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("planted", PERSONAS)
def test_a_planted_profile_puts_its_persona_first_and_separates_it_from_the_others(
    aligned: dict[str, Any], planted: str
) -> None:
    ranking = next(r for r in aligned["rankings"] if r["target"] == planted)
    first, *others = ranking["models"]
    assert first["model"] == f"adaem-persona/{planted}" and first["best"]
    assert len(others) == len(PERSONAS) - 1
    for other in others:  # every other persona's planted order differs: its interval lies below
        assert other["distinguishable_from_best"] is True, (planted, other)
        assert other["score"]["high"] < first["score"]["low"]
    assert [m["model"] for m in ranking["left_out"]] == ["adaem-persona/refuser"]
    assert ranking["left_out"][0]["reason"] == "no_judged_results"


def test_every_persona_is_closest_to_itself_among_the_models(aligned: dict[str, Any]) -> None:
    similarity = aligned["model_similarity"]
    models = similarity["models"]
    values = similarity["spearman"]["value"]
    for i, model in enumerate(models):
        row = values[i]
        if model == "adaem-persona/refuser":
            assert all(v is None for v in row)
            continue
        assert row[i] == pytest.approx(1.0)
        others = [v for j, v in enumerate(row) if j != i and v is not None]
        assert max(others) < 0.9  # distinct planted orders are not mistaken for the same profile
