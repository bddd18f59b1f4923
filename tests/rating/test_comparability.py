"""Only what was compared is ranked: shared questions, comparison groups, per-value verdicts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from adaem_tasks.rating.comparability import DEFAULT_MIN_SHARED
from adaem_tasks.rating.leaderboard import Leaderboard, RankConfig, rank_records
from adaem_tasks.rating.records import ValueRecord, read_panel, write_panel

from .synth import planted_records

FAST = RankConfig(replicates=10, seed=0)


def _qnum(record: ValueRecord) -> int:
    return int(record.question_id[1:])


def _only(records: list[ValueRecord], model: str, keep: set[int]) -> list[ValueRecord]:
    """``model`` answered only the questions in ``keep``; the others everything."""
    return [r for r in records if r.model != model or _qnum(r) in keep]


def _assert_same_numbers(board: Leaderboard, reference: Leaderboard, models: list[str]) -> None:
    rows = [board.models.index(m) for m in models]
    ref_rows = [reference.models.index(m) for m in models]
    for name in ("win_rate", "mu", "sigma", "ci_low", "ci_high"):
        ours, theirs = getattr(board, name)[rows], getattr(reference, name)[ref_rows]
        assert np.allclose(ours, theirs, rtol=0, atol=1e-12, equal_nan=True), name
    assert np.array_equal(board.n_questions[rows], reference.n_questions[ref_rows])


def test_a_model_run_on_another_category_gets_no_win_rate() -> None:
    """Issue 9 case 1: a model sharing no question used to keep its prior and 'lead' values."""
    records = planted_records(n_models=4, n_questions=120, seed=1)
    economics = {q for q in range(120) if q % 3 == 0}  # synth.CATEGORIES[0]
    records = [r for r in records if (r.model == "model-3") == (_qnum(r) in economics)]
    result = rank_records(records, FAST)
    [board] = result.leaderboards
    comparability = board.comparability
    i = board.models.index("model-3")
    verdict = comparability.model_verdicts["model-3"]
    assert verdict.reason == "too_few_shared"
    assert "none of its 40 judged questions was judged for another model" in verdict.message
    assert comparability.shared[i] == 0 and comparability.answered[i] == 40
    assert np.isnan(board.win_rate[i]).all() and np.isnan(board.mu[i]).all()
    assert np.isnan(board.ci_low[i]).all() and (board.n_questions[i] == 0).all()
    others = [m for m in board.models if m != "model-3"]
    assert np.isfinite(board.win_rate[[board.models.index(m) for m in others]]).all()
    assert all(board.leader(v) != "model-3" for v in board.values)
    # the rest is ranked exactly as if model-3 had never been given
    [alone] = rank_records([r for r in records if r.model != "model-3"], FAST).leaderboards
    _assert_same_numbers(board, alone, others)
    [problem] = [p for p in result.problems if p.kind == "not_comparable"]
    assert problem.model == "model-3" and problem.details["reason"] == "too_few_shared"
    assert len(result.not_comparable) == len(board.values)
    rows = [r for r in board.rows() if r.model == "model-3"]
    assert {(r.status, r.reason) for r in rows} == {("not_comparable", "too_few_shared")}
    assert all(r.reason_text == verdict.message for r in rows)


@pytest.mark.parametrize(
    ("shared", "comparable"), [(DEFAULT_MIN_SHARED, True), (DEFAULT_MIN_SHARED - 1, False)]
)
def test_minimum_overlap_is_a_sharp_threshold(shared: int, comparable: bool) -> None:
    records = planted_records(n_models=3, n_questions=100, seed=2)
    # model-2 shares `shared` questions with the others and answered 30 nobody else did
    others_only = set(range(shared, 70))
    records = [r for r in records if not (r.model == "model-2" and _qnum(r) in others_only)]
    records = [r for r in records if not (r.model != "model-2" and _qnum(r) >= 70)]
    [board] = rank_records(records, FAST).leaderboards
    j = board.models.index("model-2")
    assert board.comparability.shared[j] == shared
    assert board.comparability.best_pair[j] == shared
    assert ("model-2" not in board.comparability.model_verdicts) is comparable
    assert bool(np.isfinite(board.win_rate[j]).all()) is comparable
    # the rated-on count is the model's own, not the value's
    assert (board.n_questions[j] <= shared).all()
    assert board.rated_questions[j] <= shared


def test_disconnected_groups_rank_only_the_main_group() -> None:
    """A, B share questions; C, D, E share others; nothing across: one scale would be meaningless."""
    records = planted_records(n_models=5, n_questions=100, seed=3)
    group_ab = {"model-0", "model-1"}
    records = [r for r in records if (r.model in group_ab) == (_qnum(r) < 40)]
    result = rank_records(records, FAST)
    [board] = result.leaderboards
    comparability = board.comparability
    assert comparability.groups == [["model-2", "model-3", "model-4"], ["model-0", "model-1"]]
    for model in group_ab:
        verdict = comparability.model_verdicts[model]
        assert verdict.reason == "separate_group"
        assert "model-0, model-1" in verdict.message and "model-2, model-3, model-4" in verdict.message
    assert np.isnan(board.win_rate[:2]).all() and np.isfinite(board.win_rate[2:]).all()
    summary = [p for p in result.problems if p.kind == "not_comparable" and p.model is None]
    assert len(summary) == 1 and "disconnected comparison groups" in summary[0].message
    [alone] = rank_records([r for r in records if r.model not in group_ab], FAST).leaderboards
    _assert_same_numbers(board, alone, ["model-2", "model-3", "model-4"])


def test_equal_groups_take_the_one_sharing_more() -> None:
    records = planted_records(n_models=4, n_questions=100, seed=4)
    records = [r for r in records if (r.model in {"model-2", "model-3"}) == (_qnum(r) < 45)]
    [board] = rank_records(records, FAST).leaderboards
    # 55 questions shared inside {0, 1} against 45 inside {2, 3}
    assert board.comparability.groups[0] == ["model-0", "model-1"]
    assert set(board.comparability.model_verdicts) == {"model-2", "model-3"}


def test_a_value_whose_labels_are_mostly_unknown_is_not_comparable_alone() -> None:
    records = planted_records(n_models=3, n_questions=100, seed=5)
    blind = set(range(90))  # the judge could not read model-0's self_direction label on 90 answers
    records = [
        replace(r, labels={**r.labels, "self_direction": None})
        if r.model == "model-0" and _qnum(r) in blind
        else r
        for r in records
    ]
    result = rank_records(records, FAST)
    [board] = result.leaderboards
    comparability = board.comparability
    v = board.values.index("self_direction")
    assert "model-0" not in comparability.model_verdicts
    cell = comparability.verdict("model-0", "self_direction")
    assert cell is not None and cell.reason == "too_few_shared"
    assert "only 10 questions with a known self_direction label" in cell.message
    assert "unknown on 90 of 100 judged answers" in cell.message
    assert np.isnan(board.win_rate[0, v]) and np.isfinite(np.delete(board.win_rate[0], v)).all()
    assert comparability.shared_by_value[v, 0] == 10 and comparability.shared[0] == 100
    # the other models' self_direction numbers are those of a ranking without model-0's label at all
    unknown_everywhere = [
        replace(r, labels={**r.labels, "self_direction": None}) if r.model == "model-0" else r
        for r in records
    ]
    [reference] = rank_records(unknown_everywhere, FAST).leaderboards
    assert np.allclose(board.win_rate[1:, v], reference.win_rate[1:, v], atol=1e-12)
    [problem] = [p for p in result.problems if p.kind == "not_comparable"]
    assert problem.model == "model-0" and problem.details == {"reasons": {"self_direction": "too_few_shared"}}


def test_a_model_whose_judge_never_answered_is_not_comparable() -> None:
    """Issue 9 case 4: every label unknown -> no win rate, not the last place and not its prior."""
    records = planted_records(n_models=4, n_questions=60, seed=6)
    records = [replace(r, labels=dict.fromkeys(r.labels)) if r.model == "model-3" else r for r in records]
    [board] = rank_records(records, FAST).leaderboards
    verdict = board.comparability.model_verdicts["model-3"]
    assert verdict.reason == "no_judged_results"
    assert "labels of all its 60 judgeable answers are unknown" in verdict.message
    assert np.isnan(board.win_rate[3]).all()


def test_category_boards_follow_the_same_rules() -> None:
    records = planted_records(n_models=3, n_questions=150, seed=7)
    # model-2 answered every Economics and Education question but only 10 of the 50 Health ones
    health = [q for q in range(150) if q % 3 == 2]
    records = [r for r in records if not (r.model == "model-2" and _qnum(r) in health[10:])]
    result = rank_records(records, FAST, by_category=True)
    [board] = result.leaderboards
    assert not board.comparability.model_verdicts  # 110 shared questions overall
    boards = {b.category: b for b in result.by_category}
    assert not boards["Economics"].comparability.model_verdicts
    verdict = boards["Health"].comparability.model_verdicts["model-2"]
    assert verdict.reason == "too_few_shared" and "at most 10 with any one" in verdict.message
    assert np.isnan(boards["Health"].win_rate[2]).all()
    assert {where for where, _, _ in result.not_comparable} == {"schwartz / Health"}
    assert any(p.kind == "not_comparable" and p.source == "schwartz / Health" for p in result.problems)


def test_a_newcomer_placed_against_a_panel_must_share_its_questions(tmp_path: Path) -> None:
    panel_records = planted_records(n_models=3, n_questions=90, seed=8, prefix="panel")
    write_panel(panel_records, tmp_path / "panel.jsonl")
    panel, _ = read_panel(tmp_path / "panel.jsonl")
    newcomer = [
        replace(r, model="newcomer", question_id=f"x{r.question_id}")  # other questions entirely
        for r in planted_records(n_models=1, n_questions=40, seed=9)
    ]
    [board] = rank_records(panel + newcomer, FAST).leaderboards
    assert board.comparability.model_verdicts["newcomer"].reason == "too_few_shared"
    assert board.panel_models == ["panel-0", "panel-1", "panel-2"]
    assert np.isfinite(board.win_rate[[board.models.index(m) for m in board.panel_models]]).all()


def test_fewer_than_two_comparable_models_is_reported() -> None:
    records = planted_records(n_models=2, n_questions=60, seed=10)
    records = [r for r in records if (r.model == "model-1") == (_qnum(r) < 30)]
    result = rank_records(records, FAST)
    [board] = result.leaderboards
    assert board.comparability.comparable_models == []
    assert any(
        p.kind == "no_observations" and "only 0 comparable model" in p.message for p in result.problems
    )
    assert all(board.leader(v) is None for v in board.values)


def test_min_shared_must_be_positive() -> None:
    with pytest.raises(ValueError, match="--min-shared must be >= 1"):
        RankConfig(min_shared=0)


# --------------------------------------------------------------------------- issue 21 case 4: clear leaders


def _uncontested(records: list[ValueRecord], value: str) -> list[ValueRecord]:
    """Nobody expresses ``value`` on any question: no match can be played on it."""
    return [replace(r, labels={**r.labels, value: 0}) for r in records]


def test_a_value_no_question_contrasted_has_no_leader() -> None:
    """Issue 21 case 4: '50.0 [50.0, 50.0] (rated on 0 of its 20 shared questions)' was starred."""
    from adaem_tasks.rating.report import format_table

    records = _uncontested(planted_records(n_models=3, n_questions=40, seed=21), "self_direction")
    [board] = rank_records(records, FAST).leaderboards
    j = board.values.index("self_direction")
    assert (board.n_questions[:, j] == 0).all() and np.allclose(board.win_rate[:, j], 0.5)
    lead = board.leads[j]
    assert lead.leader is None and not lead.clear and "no match was played" in lead.why
    assert board.leader("self_direction") is None and board.clear_leader("self_direction") is None
    table = format_table(board)
    rows = [line.split() for line in table.splitlines() if line.startswith("model-")]
    assert all(not row[1 + j].endswith("*") for row in rows)  # first column is the model
    assert "SEL no leader: no match was played" in " ".join(table.split())


def test_a_star_means_the_lead_survives_the_bootstrap() -> None:
    """A clear lead has a difference interval above 0; a twin's tie and a thin lead are 'no clear leader'."""
    records = planted_records(n_models=3, n_questions=120, seed=22)
    twin = [replace(r, model="model-0-twin") for r in records if r.model == "model-0"]
    [board] = rank_records(records + twin, RankConfig(replicates=50, seed=0)).leaderboards
    own = board.leads[board.values.index("stimulation")]  # model-1 owns it alone
    assert own.clear and board.models[own.leader or 0] == "model-1" and own.margin_low > 0
    shared = board.leads[board.values.index("self_direction")]  # model-0 and its twin, identical answers
    assert not shared.clear and shared.margin == 0 and "not ahead" in shared.why
    assert board.clear_leader("self_direction") is None
    for lead in board.leads:
        assert lead.clear == (lead.leader is not None and lead.margin_low > 0)


def test_the_starred_leader_does_not_change_with_the_seed() -> None:
    """Issue 21 case 4: on a weakly contrasted value the top model moved with --seed; a star must not."""
    records = planted_records(n_models=4, n_questions=40, seed=23, p_own=0.9, p_other=0.2)
    tops: dict[str, set[str | None]] = {}
    stars: dict[str, set[str | None]] = {}
    for seed in range(10):
        [board] = rank_records(records, RankConfig(replicates=50, seed=seed)).leaderboards
        for value in board.values:
            tops.setdefault(value, set()).add(board.leader(value))
            stars.setdefault(value, set()).add(board.clear_leader(value))
    assert any(len(t) > 1 for t in tops.values())  # the point estimate's top does move with the seed...
    assert all(len(s - {None}) <= 1 for s in stars.values())  # ...a starred leader never changes
    for k, value in enumerate(["self_direction", "stimulation", "hedonism", "achievement"]):
        assert stars[value] == {f"model-{k}"}  # the planted owners are clear on every seed
