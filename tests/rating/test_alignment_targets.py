"""Target files: what they accept, and one ``file:line: reason`` for everything they must refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from adaem_tasks.rating.alignment import TargetFileError, read_targets
from adaem_tasks.rating.cli import EXIT_REFUSED, main
from adaem_tasks.value_systems import load_value_system

from .synth import by_model, planted_records, write_inspect_log

SCHWARTZ = load_value_system("schwartz")
FULL = ", ".join(f"{v.name}: {k + 1}" for k, v in enumerate(SCHWARTZ.values))  # 1..10, every value
FULL_CSV_HEADER = "name,kind," + ",".join(v.name for v in SCHWARTZ.values)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_profiles_and_weights_are_read_in_value_system_order(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "t.yaml",
        "targets:\n"
        f"  - name: Person A\n    source: PVQ-21, centred\n    values: {{{FULL}}}\n"
        "  - name: Charter\n    kind: weights\n    values: {BEN: 2, self_direction: 1, Universalism: 0}\n",
    )
    targets = read_targets(path)
    assert targets.value_system == "schwartz" and targets.values == tuple(SCHWARTZ.keys)
    person, charter = targets.targets
    assert person.scores == tuple(float(k + 1) for k in range(10)) and person.source == "PVQ-21, centred"
    assert (person.kind, person.line, charter.kind, charter.line) == ("profile", 2, "weights", 5)
    weights = dict(zip(SCHWARTZ.keys, charter.scores, strict=True))
    assert weights["benevolence"] == 2 and weights["self_direction"] == 1 and sum(weights.values()) == 3
    assert charter.listed == ("self_direction", "benevolence", "universalism")
    assert targets.matrix().shape == (2, 10)


def test_csv_and_yaml_say_the_same(tmp_path: Path) -> None:
    csv_path = _write(
        tmp_path,
        "t.csv",
        "\ufeff" + FULL_CSV_HEADER + "\nPerson A,," + ",".join(str(k + 1) for k in range(10)) + "\n"
        "Charter,weights,1,,,,,,,,2,\n\n",
    )
    yaml_path = _write(
        tmp_path,
        "t.yml",
        f"targets:\n  - {{name: Person A, values: {{{FULL}}}}}\n"
        "  - {name: Charter, kind: weights, values: {self_direction: 1, benevolence: 2}}\n",
    )
    from_csv, from_yaml = read_targets(csv_path), read_targets(yaml_path)
    assert [(t.name, t.kind, t.scores) for t in from_csv.targets] == [
        (t.name, t.kind, t.scores) for t in from_yaml.targets
    ]
    assert [t.line for t in from_csv.targets] == [2, 3]


def test_mft_targets_detect_their_value_system(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "m.yaml",
        "targets:\n  - name: Binding\n"
        "    values: {Care/Harm: 1, fairness: 1.5, Loyalty: 4, AUT: 5, sanctity: 4.5}\n",
    )
    targets = read_targets(path)
    assert targets.value_system == "mft" and targets.targets[0].scores == (1.0, 1.5, 4.0, 5.0, 4.5)


BAD_YAML = [
    (
        "unknown value",
        f"targets:\n  - name: A\n    values: {{{FULL}, Honesty: 3}}\n",
        3,
        "unknown value 'Honesty'",
    ),
    (
        "missing value",
        "targets:\n  - name: A\n    values: {power: 1, security: 2}\n",
        2,
        "gives no number for Self-direction",
    ),
    (
        "non-numeric",
        f"targets:\n  - name: A\n    values: {{{FULL.replace(': 5', ': high')}}}\n",
        3,
        "not a finite number: 'high'",
    ),
    (
        "boolean",
        f"targets:\n  - name: A\n    values: {{{FULL.replace(': 5', ': yes')}}}\n",
        3,
        "not a finite number: True",
    ),
    (
        "nan",
        f"targets:\n  - name: A\n    values: {{{FULL.replace(': 5', ': .nan')}}}\n",
        3,
        "not a finite number",
    ),
    (
        "all equal",
        "targets:\n  - name: Flat\n    values: {" + ", ".join(f"{k}: 3" for k in SCHWARTZ.keys) + "}\n",
        2,
        "carries no ranking information",
    ),
    (
        "duplicate name",
        f"targets:\n  - name: A\n    values: {{{FULL}}}\n  - name: a\n    values: {{{FULL}}}\n",
        4,
        "target name 'a' is used twice (lines 2 and 4)",
    ),
    (
        "other system's value",
        f"targets:\n  - name: A\n    values: {{{FULL}}}\n"
        "  - name: B\n    kind: weights\n    values:\n      care: 1\n",
        7,
        "'care' (target 'B') is a mft value, but this file's values are schwartz",
    ),
    (
        "unknown value system",
        f"value_system: hofstede\ntargets:\n  - name: A\n    values: {{{FULL}}}\n",
        1,
        "unknown value system 'hofstede'",
    ),
    (
        "value twice",
        "targets:\n  - name: A\n    values:\n      self_direction: 3\n      Self-Direction: 4\n",
        5,
        "Self-direction is given twice in target 'A'",
    ),
    (
        "key twice",
        "targets:\n  - name: A\n    values:\n      power: 3\n      power: 4\n",
        5,
        "'power' is given twice",
    ),
    (
        "negative weight",
        "targets:\n  - name: W\n    kind: weights\n    values: {power: -1, security: 2}\n",
        4,
        "weights must be >= 0",
    ),
    (
        "zero weights",
        "targets:\n  - name: W\n    kind: weights\n    values: {power: 0}\n",
        2,
        "no positive weight",
    ),
    (
        "bad kind",
        f"targets:\n  - name: A\n    kind: weight\n    values: {{{FULL}}}\n",
        3,
        "kind must be 'profile' or 'weights'",
    ),
    ("unknown key", f"targets:\n  - name: A\n    valuse: {{{FULL}}}\n", 3, "unknown key 'valuse'"),
    ("no name", f"targets:\n  - values: {{{FULL}}}\n", 2, "a target without a name"),
    (
        "invisible name",
        f'targets:\n  - name: "\\u200b\\u2060"\n    values: {{{FULL}}}\n',
        2,
        "name must be text",
    ),
    ("syntax", "targets:\n  - name: A\n    values: {power: 1\n", 4, "not valid YAML"),
    ("not a list", "targets: {name: A}\n", 1, "targets must be a non-empty list"),
    (
        "list value",
        f"targets:\n  - name: A\n    values: {{{FULL.replace(': 5', ': [5]')}}}\n",
        3,
        "must be a number",
    ),
]


BAD_CSV = [
    (
        "unknown column",
        FULL_CSV_HEADER + ",Honesty\nA,," + ",".join("12345678901") + "\n",
        1,
        "unknown value 'Honesty'",
    ),
    ("ragged row", FULL_CSV_HEADER + "\nA,,1,2,3\n", 2, "the row has 5 fields, the header 12"),
    ("empty profile cell", FULL_CSV_HEADER + "\nA,,1,2,3,4,5,6,7,8,9,\n", 2, "no number for Universalism"),
    ("no name column", "target,power\nA,1\n", 1, "no 'name' column"),
    ("semicolons", "name;power;security\nA;1;2\n", 1, "use commas"),
    ("comma decimal", FULL_CSV_HEADER + '\nA,,"1,5",2,3,4,5,6,7,8,9,10\n', 2, "not a finite number: '1,5'"),
    ("one value, two columns", "name,power,Power\nA,1,2\n", 1, "Power is given twice in target 'A'"),
    ("invisible name", FULL_CSV_HEADER + "\n\u200b,,1,2,3,4,5,6,7,8,9,10\n", 2, "a target without a name"),
]


BAD = [("targets.yaml", *case) for case in BAD_YAML] + [("targets.csv", *case) for case in BAD_CSV]


@pytest.mark.parametrize(
    ("name", "case", "text", "line", "reason"), BAD, ids=[f"{n[-4:]}: {c[0]}" for n, *c in BAD]
)
def test_a_bad_target_file_is_one_message_with_file_and_line(
    tmp_path: Path, name: str, case: str, text: str, line: int, reason: str
) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(TargetFileError) as caught:
        read_targets(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert reason in message and "\n" not in message


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("t.yaml", "", "the file is empty"),
        ("t.csv", "", "the file is empty"),
        ("t.csv", FULL_CSV_HEADER + "\n", "no targets"),
        ("t.json", "{}", "a target file is .yaml, .yml or .csv"),
        ("missing.yaml", None, "cannot read"),
    ],
)
def test_files_that_hold_no_targets_are_refused_by_name(
    tmp_path: Path, name: str, text: str | None, reason: str
) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(TargetFileError, match=reason):
        read_targets(path)


@pytest.fixture(scope="module")
def schwartz_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("logs")
    for k, records in enumerate(by_model(planted_records(n_models=3, n_questions=60, seed=5)).values()):
        write_inspect_log(root / f"m{k}.eval", records)
    return root


@pytest.mark.parametrize("case", ["unknown value", "all equal", "duplicate name", "other system's value"])
def test_the_cli_refuses_a_bad_target_file_before_ranking_and_writes_nothing(
    schwartz_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    text, line = next((t, n) for c, t, n, _ in BAD_YAML if c == case)
    path = _write(tmp_path, "targets.yaml", text)
    out = tmp_path / "out"
    assert main([str(schwartz_logs), "--out", str(out), "--targets", str(path)]) == EXIT_REFUSED
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"adaem-rank: {path}:{line}: ") and "\n" not in err and "Traceback" not in err
    assert not out.exists()


def test_targets_of_a_value_system_the_logs_did_not_rank_write_nothing(
    schwartz_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path,
        "mft.yaml",
        "targets:\n  - name: M\n    values: {care: 1, fairness: 2, loyalty: 3, authority: 4, sanctity: 5}\n",
    )
    out = tmp_path / "out"
    assert (
        main([str(schwartz_logs), "--out", str(out), "--targets", str(path), "--replicates", "5"])
        == EXIT_REFUSED
    )
    err = capsys.readouterr().err.strip()
    assert (
        err
        == f"adaem-rank: {path}:2: these targets are mft values, but only schwartz was ranked from the logs"
    )
    assert not out.exists()  # not even the leaderboard: the run was refused as a whole
