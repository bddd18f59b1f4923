"""``adaem-gen seeds --expand N --model M``: Listing 1 seed expansion (issue 19, paper App. B).

The scripted ``adaem-persona/...`` model answers Listing 1 with one of
``TOPICS x FRAMINGS`` chosen by hash from the three cases it is shown, and Listing 2 by
inverting the description; the inputs hold some of its possible answers, so the expansion's
dedup against the inputs has something to catch.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from adaem_gen import cli
from adaem_gen.sets.dedup import QuestionIndex, normalize_text
from adaem_gen.sets.expand import (
    EXPAND_JOURNAL,
    MAX_FAILED_CALLS,
    ExpansionStopped,
    expand_descriptions,
    expand_prompt,
    parse_description,
)
from adaem_gen.sets.seeds import SeedRecord
from adaem_tasks.questions import load_question_set
from adaem_tasks.testing.generator_handlers import FRAMINGS, TOPICS

from .conftest import write_tsv
from .fakes import FakeEmbedder, FakeModel

pytestmark = pytest.mark.usefixtures("offline_cli")

MODEL = "adaem-persona/universalism"
# Listing 1 as the paper prints it (App. B), cases filled in.
LISTING_1 = """Your task is to explore more descriptions on general controversial topics .

Now here are some annotations cases for your reference:

Case 1

[Description]: A

Case 2

[Description]: B

Case 3

[Description]: C

Now, please strictly follow the previous format and provide your answer for the following case:

[Description]:"""


def _inputs(tmp_path: Path) -> tuple[Path, list[str]]:
    """Human-style descriptions plus every framing of the scripted model's first six topics."""
    planted = [f.format(topic=t) for t in TOPICS[:6] for f in FRAMINGS]
    planted = [p[:1].upper() + p[1:] for p in planted]
    own = ["We should ban human cloning", "Zoos do more harm than good", "Voting should be compulsory"]
    descriptions = own + planted
    return write_tsv(tmp_path / "args.tsv", descriptions), descriptions


def _seeds(*args: str) -> int:
    return cli.main(["seeds", *args])


def _summary(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return dict(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))


def _calls(out: Path) -> list[dict[str, Any]]:
    lines = (out / EXPAND_JOURNAL).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if json.loads(line)["type"] == "call"]


def test_the_prompt_is_listing_1_verbatim() -> None:
    assert expand_prompt(["A", "B", "C"]) == LISTING_1


@pytest.mark.parametrize(
    ("reply", "description"),
    [
        ("[Description]: Cities should ban cars", "Cities should ban cars"),
        ('**[Description]:**\n\n"Cities should ban cars."', "Cities should ban cars."),
        ("Cities should ban cars\nCase 5", "Cities should ban cars"),
        ("[Description]: I'm sorry, but I cannot help with that.", None),
        ("[Description]: ok", None),
        ("", None),
        ("\u200b\u2060\n", None),  # blank to a reader, though not to str.strip
        ("[Description]: \u200b \u200b \u200b", None),  # three "words" a reader cannot see
    ],
)
def test_the_description_is_read_from_the_answer(reply: str, description: str | None) -> None:
    assert parse_description(reply) == description


def test_expand_adds_n_new_deduplicated_transformed_seeds_with_provenance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tsv, inputs = _inputs(tmp_path)
    assert (
        _seeds(str(tsv), "--out", "s", "--version", "grown", "--publish", "--expand", "8", "--model", MODEL)
        == 0
    )
    summary = _summary(capsys)
    expansion = summary["expansion"]
    assert expansion["generated"] == 8 and expansion["in_set"] == 8
    assert expansion["duplicates"] > 0  # the planted inputs were hit and refused
    assert expansion["calls"] == 8 + expansion["duplicates"] + expansion["unreadable"]
    qset = load_question_set("grown")
    generated = [q.model_dump() for q in qset.questions if q.model_dump().get("generated_by")]
    assert len(generated) == 8 and len(qset.questions) == len(inputs) + 8
    input_sources = {q.model_dump()["source"] for q in qset.questions} - {g["source"] for g in generated}
    topics = [g["topic"] for g in generated]
    assert len({normalize_text(t) for t in topics}) == 8  # distinct from each other
    assert not {normalize_text(t) for t in topics} & {
        normalize_text(d) for d in inputs
    }  # and from the inputs
    index = QuestionIndex(FakeEmbedder())
    index.add(inputs)
    assert index.filter_new(topics) == [True] * 8  # the generator's own dedup agrees
    for g in generated:
        assert g["id"].startswith("gen-") and g["question"].endswith("?") and g["transform"] == "model"
        assert g["generated_by"] == MODEL and g["prompt_version"].startswith("listing1-")
        assert len(g["source_cases"]) == 3 and set(g["source_cases"]) <= input_sources
        assert g["source"] == f"generated:{MODEL}:{g['expansion_call']}"
    assert qset.manifest.models == {"transform": MODEL, "expand": MODEL}
    assert qset.manifest.hyperparameters["expand"] == 8


def test_the_same_seed_samples_the_same_cases_and_another_seed_other_ones(tmp_path: Path) -> None:
    tsv, _ = _inputs(tmp_path)
    for out, seed in (("a", "0"), ("b", "0"), ("c", "1")):
        assert _seeds(str(tsv), "--out", out, "--expand", "4", "--model", MODEL, "--seed", seed) == 0
    a, b, c = (_calls(tmp_path / out) for out in ("a", "b", "c"))
    assert [x["description"] for x in a] == [x["description"] for x in b]
    assert [x["description"] for x in a] != [x["description"] for x in c]


def test_an_expansion_resumes_from_its_journal_and_pays_for_no_call_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tsv, _ = _inputs(tmp_path)
    assert _seeds(str(tsv), "--out", "full", "--expand", "6", "--model", MODEL) == 0
    full = _summary(capsys)
    journal = (tmp_path / "full" / EXPAND_JOURNAL).read_text(encoding="utf-8")
    lines = journal.splitlines(keepends=True)
    # killed mid-write of its fourth call: three calls journaled, the fourth torn
    cut = tmp_path / "cut"
    cut.mkdir()
    (cut / EXPAND_JOURNAL).write_text("".join(lines[:4]) + lines[4][:20], encoding="utf-8")
    assert _seeds(str(tsv), "--out", "cut", "--expand", "6", "--model", MODEL) == 2  # not without --resume
    assert "add --resume" in capsys.readouterr().err
    assert _seeds(str(tsv), "--out", "cut", "--expand", "6", "--model", MODEL, "--resume") == 0
    resumed = _summary(capsys)
    assert resumed["expansion"] == full["expansion"]
    assert (cut / EXPAND_JOURNAL).read_text(encoding="utf-8") == journal  # same calls, each once
    assert (cut / "questions.jsonl").read_text() == (tmp_path / "full" / "questions.jsonl").read_text()
    # resuming a finished expansion makes no call; a larger N continues where it stopped
    assert _seeds(str(tsv), "--out", "cut", "--expand", "6", "--model", MODEL, "--resume") == 0
    assert (cut / EXPAND_JOURNAL).read_text(encoding="utf-8") == journal
    capsys.readouterr()
    assert _seeds(str(tsv), "--out", "cut", "--expand", "9", "--model", MODEL, "--resume") == 0
    calls = _calls(cut)
    assert [c["call"] for c in calls] == list(range(len(calls)))
    assert calls[: len(lines) - 1] == _calls(tmp_path / "full")
    assert _summary(capsys)["expansion"]["generated"] == 9


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = err.strip().splitlines()
    return " ".join(line.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expand", "3"], "--expand needs --model"),
        (["--expand", "3", "--model", "nosuch/model"], "cannot use model 'nosuch/model'"),
        (["--resume", "--model", MODEL], "--resume continues an --expand expansion"),
        (["--expand", "3", "--model", MODEL, "--resume"], "there is no expansion to resume"),
    ],
)
def test_bad_expansion_settings_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    tsv, _ = _inputs(tmp_path)
    assert _seeds(str(tsv), "--out", "s", *args) == 2
    line = _one_error_line(capsys)
    assert line.startswith("adaem-gen: error: ") and message in line
    assert not (tmp_path / "s").exists()  # refused before anything is written


@pytest.mark.parametrize("n", ["0", "-2", "two", "1.5"])
def test_n_must_be_a_positive_integer(tmp_path: Path, capsys: pytest.CaptureFixture[str], n: str) -> None:
    tsv, _ = _inputs(tmp_path)
    with pytest.raises(SystemExit) as info:
        _seeds(str(tsv), "--out", "s", "--expand", n, "--model", MODEL)
    assert info.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "argument --expand: must be an integer >= 1" in err and "Traceback" not in err


@pytest.mark.parametrize("rows", [[], ["Zoos do more harm than good", "Voting should be compulsory"]])
def test_too_few_input_descriptions_to_sample_three_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[str]
) -> None:
    tsv = write_tsv(tmp_path / "few.tsv", rows)
    assert _seeds(str(tsv), "--out", "s", "--expand", "3", "--model", MODEL) == 2
    line = _one_error_line(capsys)
    assert f"needs at least 3 input descriptions to sample Listing 1's 3 cases from, got {len(rows)}" in line
    assert not (tmp_path / "s").exists()


def test_a_model_that_keeps_failing_stops_resumably(tmp_path: Path) -> None:
    answers = iter(["[Description]: Cities should ban cars"])

    def respond(spec: str, turns: list[str]) -> str:
        try:
            return next(answers)
        except StopIteration:
            raise ConnectionError("server down") from None

    pool = [SeedRecord(description=d, source=f"s:{i}") for i, d in enumerate(["A b c", "D e f", "G h i"])]
    index = QuestionIndex(FakeEmbedder())
    index.add([r.description for r in pool])
    journal = tmp_path / EXPAND_JOURNAL
    model: Any = FakeModel("fake/flaky", respond)
    with pytest.raises(ExpansionStopped, match=f"failed {MAX_FAILED_CALLS} calls in a row.*--resume"):
        asyncio.run(expand_descriptions(pool, 3, model, "fake/flaky", index, journal))
    assert [c["description"] for c in _calls(tmp_path)] == ["Cities should ban cars"]
