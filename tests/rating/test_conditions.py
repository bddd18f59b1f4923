"""Measurement conditions: every log records them; no reader merges runs measured differently (issue 21)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from adaem_tasks.conditions import Conditions
from adaem_tasks.rating.align import MixedSettingsError, align
from adaem_tasks.rating.inspect_logs import read_inspect_log
from adaem_tasks.rating.leaderboard import RankConfig, rank_records
from adaem_tasks.rating.lmeval_logs import read_lmeval_samples
from adaem_tasks.rating.measurement import compare_settings, separate_conditions

from .synth import DEFAULT_CONDITIONS, by_model, planted_records, write_inspect_log, write_lmeval_run

BATCHED = replace(DEFAULT_CONDITIONS, judge_mode="batched")


def _with(records: list, **changes: object) -> list:
    return [replace(r, **changes) for r in records]


def test_the_task_records_every_measurement_setting() -> None:
    from adaem_tasks.tasks import schwartz

    task = schwartz(
        version="seed-v1",
        judge_mode="batched",
        points=4,
        words=120,
        prime="power",
        judge_max_attempts=2,
        judge_threshold=0.7,
        judge_logprobs=False,
    )
    assert task.metadata is not None
    recorded = Conditions.from_mapping(task.metadata)
    assert recorded == Conditions("power", 4, 120, "batched", 0.7, False, 2)
    assert set(Conditions.names()) <= set(task.metadata)


def test_inspect_reader_takes_the_metadata_then_task_args(tmp_path: Path) -> None:
    records = planted_records(n_models=1, n_questions=5)
    new = write_inspect_log(tmp_path / "new.eval", records, conditions=BATCHED, task_args={"prime": "power"})
    [record, *_], _ = read_inspect_log(new)
    assert record.conditions == replace(BATCHED, prime="power")
    # a log written before the settings were recorded: task_args (defaults included) stand in
    old = write_inspect_log(
        tmp_path / "old.eval", records, conditions=None, task_args={"judge_mode": "single", "points": "5"}
    )
    [record, *_], _ = read_inspect_log(old)
    assert record.conditions == Conditions(
        points=5, judge_mode="single"
    )  # the rest is unknown, not a default


def test_lmeval_reader_takes_judge_and_settings_from_the_verdict(tmp_path: Path) -> None:
    records = planted_records(n_models=1, n_questions=5)
    got, _ = read_lmeval_samples(write_lmeval_run(tmp_path / "new", records, judge="g", conditions=BATCHED))
    assert {(r.judge, r.conditions) for r in got} == {("g", BATCHED)}
    got, _ = read_lmeval_samples(write_lmeval_run(tmp_path / "old", records, conditions=None))
    assert {(r.judge, r.conditions) for r in got} == {(None, Conditions())}


def test_threshold_and_logprobs_count_only_where_they_act() -> None:
    assert "judge_threshold" not in BATCHED.measurement()
    assert "judge_logprobs" not in BATCHED.measurement()
    no_logprobs = replace(DEFAULT_CONDITIONS, judge_logprobs=False)
    assert "judge_threshold" not in no_logprobs.measurement()
    assert DEFAULT_CONDITIONS.measurement()["judge_threshold"] == 0.5
    records = planted_records(n_models=2, n_questions=30)
    records = [
        replace(r, conditions=replace(BATCHED, judge_threshold=0.9 if r.model == "model-0" else 0.1))
        for r in records
    ]
    assert compare_settings(records, "schwartz").mixed == []  # batched: the threshold changed nothing


def test_a_primed_run_never_replaces_the_models_answers() -> None:
    """Issue 21 case 1: the primed run sits beside the real one; the numbers are those without it."""
    records = planted_records(n_models=3, n_questions=90, seed=4)
    primed = _with(
        [r for r in records if r.model == "model-0"],
        run="run-primed",
        created="2026-02-01T00:00:00+00:00",  # newer: it used to win the duplicate rule
        conditions=replace(DEFAULT_CONDITIONS, prime="power"),
        labels={k: int(k == "power") for k in records[0].labels},
        source="primed.eval",
    )
    config = RankConfig(replicates=5)
    alone = rank_records(records, config)
    mixed = rank_records(records + primed, config)
    [board], [reference] = mixed.leaderboards, alone.leaderboards
    assert board.models == reference.models
    np.testing.assert_array_equal(board.win_rate, reference.win_rate)
    [left_out] = [p for p in mixed.problems if p.kind == "primed_run"]
    assert left_out.source == "primed.eval" and left_out.model == "model-0" and left_out.count == 90
    assert "prime=power" in left_out.message and not left_out.details["model_left_out"]
    # ranked apart only when asked, under a name that says what it is
    [apart] = rank_records(records + primed, config, primed="separate").leaderboards
    assert apart.models == ["model-0", "model-0 [prime=power]", "model-1", "model-2"]
    assert apart.leader("power") == "model-0 [prime=power]"


def test_one_model_under_two_judge_modes_is_two_entries() -> None:
    records = planted_records(n_models=2, n_questions=40)
    rerun = _with([r for r in records if r.model == "model-0"], run="run-2", conditions=BATCHED)
    renamed, problems = separate_conditions(records + rerun)
    assert problems == []
    assert sorted({r.model for r in renamed}) == [
        "model-0 [judge_mode=batched]",
        "model-0 [judge_mode=single]",
        "model-1",
    ]
    with pytest.raises(MixedSettingsError, match="judge_mode: batched"):
        align(records + rerun)


def test_models_judged_differently_are_refused_unless_accepted() -> None:
    """Issue 21 case 2: judge mode, threshold, attempts or grader differ across models."""
    records = planted_records(n_models=3, n_questions=40)
    batched = [replace(r, conditions=BATCHED) if r.model != "model-2" else r for r in records]
    with pytest.raises(MixedSettingsError) as refused:
        align(batched)
    message = str(refused.value)
    assert "judge_mode: batched (model-0, model-1" in message and "single (model-2" in message
    assert "--allow-mixed-settings" in message
    alignments, problems = align(batched, allow_mixed_settings=True)
    [mixed] = [p for p in problems if p.kind == "mixed_judges"]
    assert mixed.details["differences"]["judge_mode"]["single"]["models"] == ["model-2"]
    assert alignments[0].settings["model-2"]["judge_mode"] == "single"
    other_grader = [replace(r, judge="mockllm/other") if r.model == "model-1" else r for r in records]
    with pytest.raises(MixedSettingsError, match="grader: mockllm/judge"):
        align(other_grader)
    five_points = [replace(r, conditions=replace(DEFAULT_CONDITIONS, points=5)) if r.model == "model-1" else r
                   for r in records]  # fmt: skip
    with pytest.raises(MixedSettingsError, match="points: 3 .*; 5 \\(model-1"):
        align(five_points)


def test_an_older_log_of_the_same_model_is_not_split_off() -> None:
    """Unknown separates nothing: a re-run of an old log is a duplicate, the newest answer is used."""
    records = planted_records(n_models=2, n_questions=30)
    old = _with(
        [r for r in records if r.model == "model-0"], conditions=Conditions(), run="old", created="2025"
    )
    renamed, _ = separate_conditions(records + old)
    assert sorted({r.model for r in renamed}) == ["model-0", "model-1"]
    _, problems = align(records + old)
    assert {p.kind for p in problems} >= {"duplicate", "unverified_settings"}


def test_unrecorded_settings_are_reported_not_assumed() -> None:
    records = planted_records(n_models=2, n_questions=30)
    old = _with(
        planted_records(n_models=1, n_questions=30, prefix="old"), conditions=Conditions(), judge=None
    )
    _, problems = align(records + old)
    [unverified] = [p for p in problems if p.kind == "unverified_settings"]
    assert unverified.model == "old-0" and unverified.count == 30
    assert unverified.details["unknown"][:3] == ["grader", "points", "words"]


def test_settings_travel_with_a_panel(tmp_path: Path) -> None:
    from adaem_tasks.rating.records import read_panel, write_panel

    records = _with(planted_records(n_models=1, n_questions=3), conditions=BATCHED)
    panel, _ = read_panel(write_panel(records, tmp_path / "panel.jsonl"))
    assert {r.conditions for r in panel} == {BATCHED}


def test_logs_on_disk_rank_by_condition(tmp_path: Path) -> None:
    """The same through the readers: a primed log of a model that has no other run is left out entirely."""
    records = planted_records(n_models=3, n_questions=40, seed=2)
    groups = by_model(records)
    write_inspect_log(tmp_path / "m0.eval", groups["model-0"])
    write_inspect_log(tmp_path / "m1.eval", groups["model-1"])
    write_inspect_log(tmp_path / "m2-primed.eval", groups["model-2"], task_args={"prime": "hedonism"})
    from adaem_tasks.rating.sources import load_records

    loaded, _ = load_records([tmp_path])
    result = rank_records(loaded, RankConfig(replicates=0))
    assert result.leaderboards[0].models == ["model-0", "model-1"]
    [left_out] = [p for p in result.problems if p.kind == "primed_run"]
    assert left_out.source.endswith("m2-primed.eval") and left_out.details["model_left_out"]
