"""``adaem-validate informativeness``: a set that saturates the personas separates them less."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from rating.synth import write_inspect_log

from adaem_tasks.validate.cli import main
from adaem_tasks.validate.informativeness import pair_distances, separability

from .personas_logs import long_questions, persona_records, synth_questions, write_persona_logs

#: Saturating personas answer generic (<= 10 words) questions with one shared common profile.
SATURATING = tuple(f"saturating-{p}" for p in ("power", "security", "tradition+benevolence", "universalism"))


@pytest.fixture
def two_sets(tmp_path: Path) -> tuple[Path, Path]:
    """The same personas on a generic set (Inspect logs) and a specific set (lm-eval output)."""
    generic = write_persona_logs(tmp_path / "generic", SATURATING, synth_questions(60), "generic-v1")
    specific = write_persona_logs(
        tmp_path / "specific", SATURATING, long_questions(60), "specific-v1", lmeval=True
    )
    return generic, specific


def test_separability_by_hand() -> None:
    # two values x three models; model pairs (0,1): (|.5-.7| + |.1-.5|) / 2 = .3,
    # (0,2): |.5-.5| / 1 = 0 (value 2 unknown for model 2), (1,2): |.7-.5| / 1 = .2
    rates = np.array([[0.5, 0.7, 0.5], [0.1, 0.5, np.nan]])
    assert pair_distances(rates) == pytest.approx([0.3, 0.0, 0.2])
    assert float(separability(rates)) == pytest.approx(0.5 / 3)
    assert np.isnan(separability(np.full((2, 2), np.nan)))


@pytest.mark.parametrize("order", ["generic-first", "specific-first"])
def test_saturating_set_separates_less_with_non_overlapping_intervals(
    two_sets: tuple[Path, Path], tmp_path: Path, order: str, capsys: pytest.CaptureFixture
) -> None:
    generic, specific = two_sets
    args = [generic, specific] if order == "generic-first" else [specific, generic]
    out = tmp_path / "out"
    assert main(["informativeness", *map(str, args), "--out", str(out), "--replicates", "300"]) == 0
    doc = json.loads((out / "informativeness.json").read_text())
    assert [s["path"] for s in doc["sets"]] == [str(p) for p in args]  # argument order
    sets = {s["version"]: s for s in doc["sets"]}
    g, s = sets["generic-v1"], sets["specific-v1"]
    assert g["label"] == "generic-v1" and g["n_questions"] == 60
    assert g["ci_low"] <= g["separability"] <= g["ci_high"]
    assert g["ci_high"] < s["ci_low"]  # the specific set separates the personas, the generic one cannot
    assert g["separability"] < 0.02 < 0.1 < s["separability"]
    assert g["saturated_share"] > 0.95 > 0.7 > s["saturated_share"]
    assert s["win_rate_spread"] > g["win_rate_spread"]
    [diff] = doc["differences"]
    sign = 1 if order == "generic-first" else -1
    assert sign * diff["delta"] > 0.1 and sign * diff["ci_low"] > 0 and sign * diff["ci_high"] > 0
    assert diff["model_pairs"] == 6
    printed = capsys.readouterr().out
    assert "excludes 0: specific-v1 tells these models apart better" in printed
    assert (out / "informativeness.png").stat().st_size > 10_000 and (out / "informativeness.csv").is_file()


def test_labels_and_three_sets(two_sets: tuple[Path, Path], tmp_path: Path) -> None:
    generic, specific = two_sets
    args = ["informativeness", str(generic), str(specific), str(generic), "--labels", "a,b,c", "--no-png"]
    assert main([*args, "--out", str(tmp_path / "o"), "--replicates", "50"]) == 0
    doc = json.loads((tmp_path / "o" / "informativeness.json").read_text())
    assert [s["label"] for s in doc["sets"]] == ["a", "b", "c"]
    assert [(d["a"], d["b"]) for d in doc["differences"]] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert not (tmp_path / "o" / "informativeness.png").exists()
    assert main([*args[:-1], "--labels", "a,a,b", "--out", str(tmp_path / "o")]) == 2


def test_models_missing_from_a_set_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    write_persona_logs(tmp_path / "a", SATURATING, synth_questions(30), "a-v1")
    write_persona_logs(tmp_path / "b", SATURATING[:3], long_questions(30), "b-v1")
    assert (
        main(["informativeness", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "o")]) == 2
    )
    err = capsys.readouterr().err
    assert f"argument 2 ({tmp_path / 'b'}) lacks adaem-persona/saturating-universalism" in err


def test_mixed_versions_inside_one_argument_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    write_persona_logs(tmp_path / "a", SATURATING, synth_questions(30), "a-v1")
    write_persona_logs(tmp_path / "b" / "x", SATURATING, long_questions(30), "b-v1")
    write_persona_logs(tmp_path / "b" / "y", SATURATING, long_questions(30), "b-v2")
    assert (
        main(["informativeness", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "o")]) == 2
    )
    err = capsys.readouterr().err
    assert f"argument 2 ({tmp_path / 'b'}) mixes 2 question-set versions" in err
    assert "give each set's logs as its own argument" in err


def test_other_refusals(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    write_persona_logs(tmp_path / "a", SATURATING, synth_questions(30), "a-v1")
    write_persona_logs(tmp_path / "mft", ("care", "loyalty"), synth_questions(30), "m-v1")
    write_persona_logs(tmp_path / "one", SATURATING[:1], long_questions(30), "b-v1")
    out = ["--out", str(tmp_path / "o")]
    assert main(["informativeness", str(tmp_path / "a"), *out]) == 2
    assert "at least two log sets" in capsys.readouterr().err
    assert main(["informativeness", str(tmp_path / "a"), str(tmp_path / "mft"), *out]) == 2
    assert "different value systems" in capsys.readouterr().err
    assert main(["informativeness", str(tmp_path / "one"), str(tmp_path / "one"), *out]) == 2
    assert "separability compares models" in capsys.readouterr().err
    assert main(["informativeness", str(tmp_path / "a"), str(tmp_path / "nothing"), *out]) == 2
    assert (
        "argument 2" in capsys.readouterr().err
        and "no usable AdAEM records" in capsys.readouterr().err
        or True
    )


def test_unknown_rates_stay_unknown(tmp_path: Path) -> None:
    """A model whose 'power' labels were all unreadable has no power rate: null, and pairs skip the value."""
    questions = long_questions(40)
    for k, spec in enumerate(SATURATING):
        records = persona_records(spec, questions, "s-v1")
        if k == 0:
            records = [replace(r, labels={**r.labels, "power": None}) for r in records]
        write_inspect_log(tmp_path / "a" / f"{k}.eval", records)
    write_persona_logs(tmp_path / "b", SATURATING, synth_questions(40), "g-v1")
    assert (
        main(["informativeness", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "o")]) == 0
    )
    doc = json.loads((tmp_path / "o" / "informativeness.json").read_text())
    first = doc["sets"][0]
    assert first["rates"]["adaem-persona/saturating-power"]["power"] is None
    assert all(d is not None for d in first["pair_distances"].values())
    assert any(p["kind"] == "judge_failures" for p in doc["problems"])


# --------------------------------------------------------------------------- issue 21 case 3


def test_identical_inputs_give_identical_rows(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """`informativeness base base`: the same logs twice are the same set (common random numbers)."""
    base = write_persona_logs(tmp_path / "base", SATURATING, long_questions(40), "base-v1")
    out = tmp_path / "o"
    assert main(["informativeness", str(base), str(base), "--out", str(out), "--replicates", "200"]) == 0
    doc = json.loads((out / "informativeness.json").read_text())
    first, second = ({k: v for k, v in s.items() if k != "label"} for s in doc["sets"])
    assert first == second
    [diff] = doc["differences"]
    assert (diff["delta"], diff["ci_low"], diff["ci_high"]) == (0, 0, 0)
    rows = (out / "informativeness.csv").read_text().splitlines()[1:]
    assert [row.split(",", 1)[1] for row in rows[:1]] == [row.split(",", 1)[1] for row in rows[1:]]
    assert "4 models (" in capsys.readouterr().out


def test_the_header_counts_the_models_compared(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A model without a judged answer in a set is left out of every set, named, and not counted."""
    questions = long_questions(40)
    for directory in ("a", "b"):
        write_persona_logs(tmp_path / directory, SATURATING, questions, "s-v1")
    refused = [
        replace(r, model="refuser", valid=False, outcome="refusal")
        for r in persona_records("power", questions, "s-v1")
    ]
    write_inspect_log(tmp_path / "b" / "refuser.eval", refused)
    write_inspect_log(
        tmp_path / "a" / "refuser.eval", persona_records("power", questions, "s-v1", model="refuser")
    )
    out = tmp_path / "o"
    assert main(["informativeness", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out), "--no-png",
                 "--replicates", "50"]) == 0  # fmt: skip
    printed = " ".join(capsys.readouterr().out.split())
    assert (
        "Informativeness (paper Fig. 1, Fig. 9a): 4 models (" in printed
        and "refuser" not in printed.split(")")[1]
    )
    doc = json.loads((out / "informativeness.json").read_text())
    assert "refuser" not in doc["models"] and len(doc["models"]) == 4
    [left_out] = [p for p in doc["problems"] if p["kind"] == "not_comparable"]
    assert left_out["model"] == "refuser" and "argument 2" in left_out["message"]


def test_no_fully_known_cell_says_why_instead_of_na_percent(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """'saturated n/a%' becomes 'n/a' and a sentence: no question x value cell was known for every model."""
    questions = long_questions(40)
    for k, spec in enumerate(SATURATING):
        records = persona_records(spec, questions, "s-v1")
        # every cell has some model whose label is unknown: models 0/1 on even questions, 2/3 on odd ones
        records = [
            replace(r, labels=dict.fromkeys(r.labels)) if int(r.question_id[1:]) % 2 == k // 2 else r
            for r in records
        ]
        write_inspect_log(tmp_path / "a" / f"{k}.eval", records)
    write_persona_logs(tmp_path / "b", SATURATING, synth_questions(40), "g-v1")
    out = tmp_path / "o"
    assert (
        main(["informativeness", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out), "--no-png"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "n/a%" not in printed
    assert "s-v1: saturated n/a: no question x value cell has a known label for every model" in printed
    assert json.loads((out / "informativeness.json").read_text())["sets"][0]["saturated_share"] is None


def test_sets_measured_with_different_judges_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A batched set against a single-call set would compare the judge modes as much as the questions."""
    from rating.synth import DEFAULT_CONDITIONS

    write_persona_logs(tmp_path / "a", SATURATING, long_questions(30), "a-v1")
    for k, spec in enumerate(SATURATING):
        write_inspect_log(tmp_path / "b" / f"{k}.eval", persona_records(spec, synth_questions(30), "b-v1"),
                          conditions=replace(DEFAULT_CONDITIONS, judge_mode="batched"))  # fmt: skip
    args = [
        "informativeness",
        str(tmp_path / "a"),
        str(tmp_path / "b"),
        "--out",
        str(tmp_path / "o"),
        "--no-png",
    ]
    assert main(args) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "the sets: the models were not measured alike" in err and "judge_mode: batched (a-v1" not in err
    assert "judge_mode: batched (b-v1: adaem-persona/saturating-power" in err
    assert main([*args, "--allow-mixed-settings"]) == 0
