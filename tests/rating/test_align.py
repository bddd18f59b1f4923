"""Alignment: version checks, coverage, duplicates, and records that cannot count."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from adaem_tasks.rating.align import VersionMismatchError, align
from adaem_tasks.rating.records import ValueRecord

from .synth import planted_records


def test_mixed_versions_are_refused_with_a_clear_message() -> None:
    records = planted_records(n_models=2, n_questions=5) + planted_records(
        n_models=1, n_questions=5, set_version="test-v2", prefix="other"
    )
    with pytest.raises(VersionMismatchError) as info:
        align(records)
    message = str(info.value)
    assert "'test-v1'" in message and "'test-v2'" in message
    assert "model-0, model-1" in message and "other-0" in message
    assert "--set-version" in message and "same question set" in message


def test_selecting_a_version_reports_the_rest() -> None:
    records = planted_records(n_models=2, n_questions=5) + planted_records(
        n_models=1, n_questions=5, set_version="test-v2", prefix="other"
    )
    [alignment], problems = align(records, set_version="test-v1")
    assert alignment.models == ["model-0", "model-1"]
    [other] = [p for p in problems if p.kind == "other_version"]
    assert "5 records of version 'test-v2'" in other.message
    with pytest.raises(ValueError, match="no records of question-set version 'nope'"):
        align(records, set_version="nope")


def test_tensor_layout_and_partial_coverage() -> None:
    records = planted_records(n_models=3, n_questions=10, seed=1)
    # model-2 answered only the first 4 questions, and refused one of them
    records = [r for r in records if r.model != "model-2" or r.question_id < "q0004"]
    records = [
        replace(r, valid=False, outcome="refusal") if (r.model, r.question_id) == ("model-2", "q0001") else r
        for r in records
    ]
    [alignment], problems = align(records)
    assert alignment.labels.shape == (10, 10, 3) and alignment.valid.shape == (10, 3)
    assert alignment.valid[:, 2].tolist() == [True, False, True, True] + [False] * 6
    assert alignment.valid[:, :2].all()
    record = next(r for r in records if (r.model, r.question_id) == ("model-0", "q0007"))
    assert alignment.labels[7, :, 0].tolist() == [bool(record.labels[k]) for k in alignment.values]
    cov = {c.model: c for c in alignment.coverage}
    assert (cov["model-2"].valid, cov["model-2"].not_judgeable, cov["model-2"].missing) == (3, 1, 6)
    [coverage] = [p for p in problems if p.kind == "coverage"]
    assert coverage.model == "model-2" and "answered 4 of the 10 questions" in coverage.message
    assert "3 judgeably" in coverage.message


def test_a_model_without_judgeable_answers_stays_to_be_named_not_comparable() -> None:
    from adaem_tasks.rating.leaderboard import RankConfig, rank_alignment

    records = planted_records(n_models=3, n_questions=30)
    records = [replace(r, valid=False) if r.model == "model-1" else r for r in records]
    [alignment], _ = align(records)
    assert alignment.models == ["model-0", "model-1", "model-2"]
    assert not alignment.valid[:, 1].any() and not alignment.known[:, :, 1].any()
    board = rank_alignment(alignment, RankConfig(replicates=0))
    verdict = board.comparability.model_verdicts["model-1"]
    assert verdict.reason == "no_judged_results" and "no judgeable answer" in verdict.message
    assert np.isnan(board.win_rate[1]).all() and np.isfinite(board.win_rate[[0, 2]]).all()


def test_duplicate_runs_newest_judgeable_wins_or_split() -> None:
    old = planted_records(n_models=2, n_questions=6, seed=1, run="a", created="2026-01-01")
    new = planted_records(n_models=1, n_questions=6, seed=2, run="b", created="2026-02-01")
    new = [replace(r, valid=False) if r.question_id == "q0000" else r for r in new]
    [alignment], problems = align(old + new)
    assert alignment.models == ["model-0", "model-1"]
    newest = {r.question_id: r for r in new}
    oldest = {r.question_id: r for r in old if r.model == "model-0"}
    values = alignment.values
    assert alignment.labels[3, :, 0].tolist() == [bool(newest["q0003"].labels[k]) for k in values]
    # the newer run refused q0000, so the older judgeable answer is kept
    assert alignment.labels[0, :, 0].tolist() == [bool(oldest["q0000"].labels[k]) for k in values]
    [dup] = [p for p in problems if p.kind == "duplicate"]
    assert dup.model == "model-0" and dup.count == 6

    [split], _ = align(old + new, split_runs=True)
    assert split.models == ["model-0#1", "model-0#2", "model-1"]


def test_value_systems_are_aligned_separately() -> None:
    records = planted_records(n_models=2, n_questions=4) + planted_records(
        n_models=2, n_questions=4, value_system="mft"
    )
    alignments, _ = align(records)
    assert [a.value_system for a in alignments] == ["mft", "schwartz"]
    assert [len(a.values) for a in alignments] == [5, 10]


def test_subset_by_category() -> None:
    [alignment], _ = align(planted_records(n_models=2, n_questions=9))
    mask = np.array([c == "Health" for c in alignment.categories])
    sub = alignment.subset(mask)
    assert len(sub.question_ids) == 3 and set(sub.categories) == {"Health"}
    assert sub.labels.shape[0] == 3


def _with_unknown(
    records: list[ValueRecord], model: str, value: str, questions: set[str]
) -> list[ValueRecord]:
    return [
        replace(r, labels={**r.labels, value: None}) if r.model == model and r.question_id in questions else r
        for r in records
    ]


def test_unknown_labels_are_skipped_per_value_not_counted_as_losses() -> None:
    """An unreadable judge label takes the model out of that one match, never into the losing team."""
    from adaem_tasks.rating.leaderboard import RankConfig, rank_alignment

    records = planted_records(n_models=3, n_questions=60, seed=3)
    blind = {f"q{q:04d}" for q in range(30)}
    unknown = _with_unknown(records, "model-0", "self_direction", blind)
    [alignment], problems = align(unknown)
    v = alignment.values.index("self_direction")
    assert not alignment.known[:30, v, 0].any() and alignment.known[30:, v, 0].all()
    assert alignment.known[:, :v, 0].all() and alignment.known[:, v + 1 :, 0].all()
    assert alignment.valid.all()  # the answers themselves were judged

    config = RankConfig(replicates=0)
    board = rank_alignment(alignment, config)
    as_zero = [
        replace(r, labels={**r.labels, "self_direction": 0})
        if r.model == "model-0" and r.question_id in blind
        else r
        for r in records
    ]
    [zero_alignment], _ = align(as_zero)
    zero_board = rank_alignment(zero_alignment, config)
    played = board.n_questions[0, v]
    assert played <= 30 < zero_board.n_questions[0, v]  # it sat out the unknown questions
    # counted as 0 the owner would lose matches it never played, and its win rate would drop
    assert board.win_rate[0, v] > zero_board.win_rate[0, v]
    assert board.leader("self_direction") == "model-0"


def test_unknown_labels_survive_both_log_formats(tmp_path: Path) -> None:
    from adaem_tasks.rating.inspect_logs import read_inspect_log
    from adaem_tasks.rating.lmeval_logs import read_lmeval_samples

    from .synth import write_inspect_log, write_lmeval_run

    records = _with_unknown(
        planted_records(n_models=1, n_questions=6), "model-0", "power", {"q0001", "q0004"}
    )
    for got, problems in (
        read_inspect_log(write_inspect_log(tmp_path / "log.eval", records)),
        read_lmeval_samples(write_lmeval_run(tmp_path / "lm", records)),
    ):
        labels = {r.question_id: r.labels["power"] for r in got}
        assert labels["q0001"] is None and labels["q0004"] is None
        assert all(labels[q] in (0, 1) for q in labels if q not in ("q0001", "q0004"))
        assert all(r.valid for r in got)
        [failures] = [p for p in problems if p.kind == "judge_failures"]
        assert failures.count == 2 and "not counted as 'not expressed'" in failures.message
