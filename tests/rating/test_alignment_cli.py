"""adaem-rank --targets from logs and from a stored leaderboard: every number against scipy/numpy."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.stats import pearsonr, spearmanr

from adaem_tasks.rating.alignment import ALIGNMENT_COLUMNS, SIMILARITY_COLUMNS
from adaem_tasks.rating.chain_encoding import decode_chains
from adaem_tasks.rating.cli import EXIT_NOT_COMPARABLE, EXIT_REFUSED, main
from adaem_tasks.value_systems import load_value_system

from .synth import by_model, planted_records, write_inspect_log

TOLERANCE = 1e-9
SCHWARTZ = load_value_system("schwartz")
PROFILE = [4.2, 3.1, 2.5, 5.0, 5.6, 4.2, 3.9, 1.8, 4.4, 4.8]  # PVQ-like means, one tie
WEIGHTS = {"self_direction": 3.0, "stimulation": 1.0, "hedonism": 0.5}
TARGETS_YAML = (
    "value_system: schwartz\ntargets:\n"
    "  - name: Person\n    values: {"
    + ", ".join(f"{v.name}: {x}" for v, x in zip(SCHWARTZ.values, PROFILE, strict=True))
    + "}\n"
    "  - name: Openness\n    kind: weights\n    values: {"
    + ", ".join(f"{k}: {w}" for k, w in WEIGHTS.items())
    + "}\n"
    "  - name: Plain mean\n    kind: weights\n    values: {"
    + ", ".join(f"{k}: 1" for k in SCHWARTZ.keys)
    + "}\n"
)


def _vector(name: str) -> NDArray[np.float64]:
    if name == "Person":
        return np.array(PROFILE)
    if name == "Openness":
        return np.array([WEIGHTS.get(k, 0.0) for k in SCHWARTZ.keys])
    return np.ones(len(SCHWARTZ.keys))


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float:
    return math.nan if text == "" else float(text)


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Four planted models and one whose every answer was unjudgeable, ranked with --targets."""
    root = tmp_path_factory.mktemp("alignment")
    logs = root / "logs"
    records = planted_records(n_models=4, n_questions=150, seed=3, p_own=0.8, p_other=0.3)
    for k, group in enumerate(by_model(records).values()):
        write_inspect_log(logs / f"m{k}.eval", group)
    broken = planted_records(n_models=1, n_questions=150, seed=4, prefix="broken", invalid_rate=1.0)
    write_inspect_log(logs / "broken.eval", broken)
    targets = root / "targets.yaml"
    targets.write_text(TARGETS_YAML, encoding="utf-8")
    out = root / "board"
    code = main([str(logs), "--out", str(out), "--targets", str(targets), "--replicates", "40", "--quiet"])
    assert code == EXIT_NOT_COMPARABLE  # the broken model, named in the leaderboard and the alignment
    return {"logs": logs, "targets": targets, "out": out, "root": root}


def _chains(board_json: Path) -> tuple[list[str], NDArray[np.float64]]:
    document: dict[str, Any] = json.loads(board_json.read_text(encoding="utf-8"))
    [board] = document["leaderboards"]
    return board["models"], decode_chains(board["win_rate_chains"], "test")


def _check_against_scipy(rows: list[dict[str, str]], models: list[str], chains: NDArray[np.float64]) -> int:
    """Every ok row against scipy/numpy on the same vectors; returns the number of numbers checked."""
    checked = 0
    for row in rows:
        if row["status"] != "ok":
            continue
        i, target = models.index(row["model"]), _vector(row["target"])
        point = chains[0, i]
        expected: dict[str, tuple[float, NDArray[np.float64]]] = {}
        if np.ptp(target) > 0:
            reps = chains[1:, i]
            expected["spearman"] = (
                spearmanr(point, target).statistic,
                np.array([spearmanr(r, target).statistic for r in reps]),
            )
            expected["pearson"] = (
                pearsonr(point, target).statistic,
                np.array([pearsonr(r, target).statistic for r in reps]),
            )
        if row["target"] != "Person":
            expected["weighted"] = (
                np.average(point, weights=target),
                np.average(chains[1:, i], axis=1, weights=target),
            )
        for name, (value, replicates) in expected.items():
            assert abs(float(row[name]) - value) < TOLERANCE, (row, name)
            if len(replicates):
                low, high = np.percentile(replicates, [2.5, 97.5])
                assert (
                    abs(float(row[f"{name}_low"]) - low) < TOLERANCE
                    and abs(float(row[f"{name}_high"]) - high) < TOLERANCE
                )
            checked += 1
        if "spearman" in expected:
            assert abs(float(row["match"]) - (expected["spearman"][0] + 1) / 2) < TOLERANCE
    return checked


def test_from_logs_every_statistic_and_interval_equals_scipy_on_the_chains(ranked: dict[str, Path]) -> None:
    out = ranked["out"]
    with (out / "alignment.csv").open() as handle:
        assert next(csv.reader(handle)) == ALIGNMENT_COLUMNS
    rows = _csv(out / "alignment.csv")
    models, chains = _chains(out / "leaderboard.json")
    assert chains.shape == (41, 5, 10)
    assert _check_against_scipy(rows, models, chains) == 4 * (
        2 + 3 + 1
    )  # Person: rho, r; Openness: rho, r, w; mean: w
    # the point chain is the leaderboard itself
    board = {(r["model"], r["value"]): r for r in _csv(out / "leaderboard.csv")}
    for i, model in enumerate(models):
        if model == "broken-0":
            continue
        for j, value in enumerate(SCHWARTZ.keys):
            assert abs(chains[0, i, j] - float(board[(model, value)]["win_rate"])) < 5e-7


def test_profile_rows_have_no_weighted_score_and_equal_weights_no_correlation(
    ranked: dict[str, Path],
) -> None:
    rows = _csv(ranked["out"] / "alignment.csv")
    scored = [r for r in rows if r["status"] == "ok"]
    assert {r["target"] for r in scored} == {"Person", "Openness", "Plain mean"}
    for row in scored:
        if row["target"] == "Person":
            assert row["weighted"] == row["weighted_low"] == row["weighted_high"] == ""
        if (
            row["target"] == "Plain mean"
        ):  # equal weights order nothing: rho and r do not exist, the mean does
            assert row["spearman"] == row["match"] == row["pearson"] == "" and row["weighted"] != ""


def test_the_model_that_was_not_compared_is_left_out_with_its_reason(ranked: dict[str, Path]) -> None:
    rows = _csv(ranked["out"] / "alignment.csv")
    broken = [r for r in rows if r["model"] == "broken-0"]
    assert len(broken) == 3
    for row in broken:
        assert (row["status"], row["reason"]) == ("not_comparable", "no_judged_results")
        assert all(row[c] == "" for c in ALIGNMENT_COLUMNS[2:12])
    document = json.loads((ranked["out"] / "alignment.json").read_text(encoding="utf-8"))
    for ranking in document["rankings"]:
        assert "broken-0" not in [m["model"] for m in ranking["models"]]
        assert ranking["left_out"][0]["model"] == "broken-0" and ranking["left_out"][0]["reason_text"]


def test_models_are_ordered_per_target_and_ties_with_the_best_are_marked(ranked: dict[str, Path]) -> None:
    document = json.loads((ranked["out"] / "alignment.json").read_text(encoding="utf-8"))
    rows = {(r["model"], r["target"]): r for r in document["rows"]}
    for ranking in document["rankings"]:
        key = "match" if ranking["kind"] == "profile" else "weighted"
        scores = [rows[(m["model"], ranking["target"])][key]["value"] for m in ranking["models"]]
        assert scores == sorted(scores, reverse=True)
        best = ranking["models"][0]
        assert best["best"] and best["rank"] == 1 and best["distinguishable_from_best"] is None
        for entry in ranking["models"][1:]:
            overlaps = (
                entry["score"]["high"] >= best["score"]["low"]
                and entry["score"]["low"] <= best["score"]["high"]
            )
            assert entry["distinguishable_from_best"] is (not overlaps)
    # model-1 owns stimulation, model-0 self-direction: the openness weighting (3 x SD + ST + 0.5 x HE)
    openness = next(r for r in document["rankings"] if r["target"] == "Openness")
    assert openness["models"][0]["model"] == "model-0"
    assert openness["models"][-1]["distinguishable_from_best"] is True


def test_model_similarity_equals_scipy_between_every_two_profiles(ranked: dict[str, Path]) -> None:
    out = ranked["out"]
    models, chains = _chains(out / "leaderboard.json")
    rows = _csv(out / "model_similarity.csv")
    with (out / "model_similarity.csv").open() as handle:
        assert next(csv.reader(handle)) == SIMILARITY_COLUMNS
    assert len(rows) == len(models) ** 2
    for row in rows:
        i, j = models.index(row["model"]), models.index(row["other"])
        if "broken-0" in (row["model"], row["other"]):
            assert row["spearman"] == row["pearson"] == ""
            continue
        assert abs(float(row["spearman"]) - spearmanr(chains[0, i], chains[0, j]).statistic) < TOLERANCE
        assert abs(float(row["pearson"]) - pearsonr(chains[0, i], chains[0, j]).statistic) < TOLERANCE
        replicates = [spearmanr(chains[c, i], chains[c, j]).statistic for c in range(1, chains.shape[0])]
        if i != j:
            assert abs(float(row["spearman_low"]) - np.percentile(replicates, 2.5)) < TOLERANCE


def test_the_value_map_places_each_profile_by_its_standardised_group_means(ranked: dict[str, Path]) -> None:
    document = json.loads((ranked["out"] / "alignment.json").read_text(encoding="utf-8"))
    axes = document["value_map"]["axes"]
    assert [(a["positive"], a["negative"]) for a in axes] == [
        ("Openness to change", "Conservation"),
        ("Self-transcendence", "Self-enhancement"),
    ]
    models, chains = _chains(ranked["out"] / "leaderboard.json")
    points = {p["label"]: p for p in document["value_map"]["points"]}
    assert (
        "broken-0" not in points and points["Person"]["kind"] == "target" and points["Person"]["low"] is None
    )

    def coordinates(profile: NDArray[np.float64]) -> list[float]:
        z = (profile - profile.mean()) / profile.std()
        by_key = dict(zip(SCHWARTZ.keys, z, strict=True))
        return [
            float(
                np.mean([by_key[k] for k in a["positive_values"]])
                - np.mean([by_key[k] for k in a["negative_values"]])
            )
            for a in axes
        ]

    for i, model in enumerate(models):
        if model == "broken-0":
            continue
        assert np.allclose(points[model]["coordinates"], coordinates(chains[0, i]), atol=TOLERANCE)
        low = np.percentile([coordinates(chains[c, i]) for c in range(1, chains.shape[0])], 2.5, axis=0)
        assert np.allclose(points[model]["low"], low, atol=TOLERANCE)
    assert np.allclose(points["Person"]["coordinates"], coordinates(np.array(PROFILE)), atol=TOLERANCE)
    assert (ranked["out"] / "alignment_map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (ranked["out"] / "alignment.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_from_leaderboard_json_the_alignment_is_the_one_from_logs(
    ranked: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "again"
    args = ["--leaderboard", str(ranked["out"] / "leaderboard.json"), "--targets", str(ranked["targets"])]
    assert main([*args, "--out", str(out), "--no-png"]) == EXIT_NOT_COMPARABLE
    assert "left out of the alignment: broken-0 (no_judged_results)" in capsys.readouterr().err
    assert (out / "alignment.csv").read_text() == (ranked["out"] / "alignment.csv").read_text()
    assert (out / "model_similarity.csv").read_text() == (ranked["out"] / "model_similarity.csv").read_text()
    again = json.loads((out / "alignment.json").read_text())
    first = json.loads((ranked["out"] / "alignment.json").read_text())
    for key in ("rows", "rankings", "model_similarity", "value_map", "replicates", "ci_level"):
        assert again[key] == first[key]
    assert not (out / "leaderboard.csv").exists() and not (out / "alignment.png").exists()
    assert main([*args, "--out", str(tmp_path / "accepted"), "--no-png", "--drop-incomparable"]) == 0


def test_from_leaderboard_csv_points_equal_scipy_and_have_no_interval(
    ranked: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "from-csv"
    board_csv = ranked["out"] / "leaderboard.csv"
    code = main(
        [
            "--leaderboard",
            str(board_csv),
            "--targets",
            str(ranked["targets"]),
            "--out",
            str(out),
            "--drop-incomparable",
        ]
    )
    assert code == 0
    board = _csv(board_csv)
    models = list(dict.fromkeys(r["model"] for r in board))
    rates = {(r["model"], r["value"]): _number(r["win_rate"]) for r in board}
    point = np.array([[rates[(m, k)] for k in SCHWARTZ.keys] for m in models])
    rows = _csv(out / "alignment.csv")
    assert _check_against_scipy(rows, models, point[None]) == 4 * (2 + 3 + 1)
    ok = [r for r in rows if r["status"] == "ok"]
    assert all(
        r[c] == "" for r in ok for c in ("spearman_low", "spearman_high", "pearson_low", "weighted_high")
    )
    document = json.loads((out / "alignment.json").read_text())
    assert document["replicates"] == 0
    assert all(m["distinguishable_from_best"] is None for r in document["rankings"] for m in r["models"])
    assert (out / "alignment.png").is_file()


def test_mft_goes_through_the_same_code_with_one_axis(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    records = planted_records(n_models=5, n_questions=100, value_system="mft", seed=8)
    for k, group in enumerate(by_model(records).values()):
        write_inspect_log(logs / f"m{k}.eval", group, task="adaem_tasks/mft")
    targets = tmp_path / "mft.csv"
    targets.write_text(
        "name,kind,Care/Harm,Fairness,Loyalty,Authority,Sanctity\nBinding,profile,1,1.5,4,5,4.5\nOrder,weights,,,,1,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        main([str(logs), "--out", str(out), "--targets", str(targets), "--replicates", "20", "--quiet"]) == 0
    )
    models, chains = _chains(out / "leaderboard.json")
    rows = _csv(out / "alignment.csv")
    for row in (r for r in rows if r["target"] == "Binding"):
        i = models.index(row["model"])
        assert (
            abs(float(row["spearman"]) - spearmanr(chains[0, i], [1, 1.5, 4, 5, 4.5]).statistic) < TOLERANCE
        )
        assert abs(float(row["pearson"]) - pearsonr(chains[0, i], [1, 1.5, 4, 5, 4.5]).statistic) < TOLERANCE
    document = json.loads((out / "alignment.json").read_text())
    [axis] = document["value_map"]["axes"]
    assert (axis["positive"], axis["negative"]) == ("Individualizing", "Binding")
    order = next(r for r in document["rankings"] if r["target"] == "Order")
    assert order["models"][0]["model"] == "model-3"  # owns authority, the only weighted value
    assert all(m["distinguishable_from_best"] for m in order["models"][1:])
    assert (out / "alignment_map.png").is_file()


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda text: text[:-30], "not valid JSON"),
        (
            lambda text: text.replace('"generated_by": "adaem-rank"', '"generated_by": "other"'),
            "not an adaem-rank",
        ),
        (
            lambda text: text.replace('"win_rate": 0.', '"win_rate": 0.0', 1),
            "chain 0 does not match the rows",
        ),
        (lambda text: text.replace('"encoding": "base64"', '"encoding": "hex"'), "win_rate_chains"),
    ],
)
def test_a_bad_leaderboard_json_is_one_message_and_writes_nothing(
    ranked: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Any, reason: str
) -> None:
    bad = tmp_path / "leaderboard.json"
    bad.write_text(edit((ranked["out"] / "leaderboard.json").read_text()), encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(["--leaderboard", str(bad), "--targets", str(ranked["targets"]), "--out", str(out)])
        == EXIT_REFUSED
    )
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"adaem-rank: {bad}") and reason in err and "\n" not in err
    assert not out.exists()


def test_a_bad_leaderboard_csv_names_file_and_line(
    ranked: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (ranked["out"] / "leaderboard.csv").read_text().splitlines()
    k = next(k for k, line in enumerate(lines) if line.startswith("model-1,power,"))
    model, value, *rest = lines[k].split(",")
    lines[k] = ",".join([model, value, "high", *rest[1:]])
    bad = tmp_path / "leaderboard.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(["--leaderboard", str(bad), "--targets", str(ranked["targets"]), "--out", str(out)])
        == EXIT_REFUSED
    )
    assert capsys.readouterr().err.strip() == (
        f"adaem-rank: {bad}:{k + 1}: win_rate must be a number in [0, 1] on an ok row, got 'high'"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    "argv",
    [["--leaderboard", "x.json"], ["logs", "--leaderboard", "x.json", "--targets", "t.yaml"], []],
)
def test_leaderboard_mode_and_log_mode_do_not_mix(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2 and "usage:" in capsys.readouterr().err
