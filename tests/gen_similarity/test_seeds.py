"""`adaem-gen seeds`: Touché23-ValueEval / ValueBench files -> deduplicated, categorised seed questions."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai.model import ModelOutput, ModelUsage, get_model

from adaem_gen.sets.embedding import Embedder
from adaem_gen.sets.seeds import (
    SeedFormatError,
    categorize,
    convert_seeds,
    parse_transformed,
    read_seed_file,
    rule_transform,
    transform_prompt,
    write_seed_set,
)
from adaem_tasks.questions import load_question_set

from .conftest import FIXTURES

TOUCHE = FIXTURES / "arguments-sample.tsv"
VB_ITEMS = FIXTURES / "valuebench-items.csv"
VB_ORIENTATION = FIXTURES / "valuebench-orientation.csv"


def _output(text: str) -> ModelOutput:
    out = ModelOutput.from_content(model="mockllm/model", content=text)
    out.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return out


def test_reads_both_formats() -> None:
    touche = read_seed_file(TOUCHE)
    assert len(touche) == 10 and touche[0].source == "touche23:A01001"
    assert touche[0].description == "Payday loans should be banned" and touche[0].category is None
    items = read_seed_file(VB_ITEMS)
    assert len(items) == 7 and items[0].category == "Power" and items[0].extra["inventory"] == "PVQ40"
    assert read_seed_file(VB_ORIENTATION)[0].question == "Should family heritage be important to me?"


def test_rejects_unknown_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(SeedFormatError, match="unknown seed format"):
        read_seed_file(bad)
    xlsx = tmp_path / "values.xlsx"
    xlsx.write_bytes(b"PK")
    with pytest.raises(SeedFormatError, match="export the sheet as CSV"):
        read_seed_file(xlsx)
    with pytest.raises(SeedFormatError, match="no such file"):
        read_seed_file(tmp_path / "missing.tsv")


def test_invisible_only_cells_are_blank_and_an_invisible_only_file_is_empty(tmp_path: Path) -> None:
    lines = TOUCHE.read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1].split("\t")
    column = [h.strip().lower() for h in header.split("\t")].index("conclusion")
    first[column] = "\u200b\u200c\u200d\u2060\ufeff"  # shows nothing, yet str.strip() keeps it all
    seeds = tmp_path / "arguments.tsv"
    seeds.write_text("\n".join([header, "\t".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    read = read_seed_file(seeds)
    assert len(read) == len(lines) - 2  # the invisible row is skipped like a blank one
    assert all(seed.description.strip("\u200b\u200c\u200d\u2060\ufeff") for seed in read)
    empty = tmp_path / "empty.tsv"
    empty.write_text("\u200b\n\ufeff\n", encoding="utf-8")
    with pytest.raises(SeedFormatError, match="the file is empty"):
        read_seed_file(empty)


@pytest.mark.parametrize(
    ("description", "question"),
    [
        ("Payday loans should be banned", "Should payday loans be banned?"),  # Listing 2, case 1
        ("Foster care brings more harm than good", "Does foster care bring more harm than good?"),  # case 2
        ("We need a better migration policy", "Do we need a better migration policy?"),  # App. B example
        ("Social media does more harm than good", "Does social media do more harm than good?"),
        ("Zoos exploit animals", "Do zoos exploit animals?"),
        ("I like to take risks. I am always looking for adventures.", "Do you like to take risks?"),
        ("Religious belief is important to me.", "Is religious belief important to you?"),
        ("When in doubt, ask", "Do you agree that when in doubt, ask?"),
        ("Is this already a question?", "Is this already a question?"),
    ],
)
def test_rule_transform(description: str, question: str) -> None:
    assert rule_transform(description) == question


def test_prompt_and_parser() -> None:
    prompt = transform_prompt("Zoos   exploit animals")
    assert prompt.startswith("Your task is to transefer an description to a question.")
    assert prompt.endswith("[Description]: Zoos exploit animals\n\n[Question]:")
    assert parse_transformed("[Question]: Do zoos exploit animals?") == "Do zoos exploit animals?"
    assert parse_transformed("Sure!\n[Question]:\n**Do zoos exploit animals?**") == "Do zoos exploit animals?"
    assert parse_transformed("[Statement]: Do zoos exploit animals?") == "Do zoos exploit animals?"
    assert parse_transformed("Do zoos exploit animals?") == "Do zoos exploit animals?"
    assert parse_transformed("I cannot help with that.") is None
    assert parse_transformed("") is None


def test_categorize() -> None:
    assert categorize("Payday loans should be banned") == "Economics and business"
    assert categorize("We should ban human cloning") == "Science and technology"
    assert categorize("Social media does more harm than good") == "Science and technology"
    assert categorize("Foster care brings more harm than good") == "Family and society"
    assert categorize("Compulsory voting should be introduced") == "Politics and government"
    assert categorize("Pineapple belongs on pizza") == "Uncategorized"


async def test_convert_touche_rule_based(embedder: Embedder, tmp_path: Path) -> None:
    questions = await convert_seeds([TOUCHE], embedder=embedder)
    by_topic = {q.topic: q for q in questions}
    # repeated conclusions (same claim, other stance / casing / final period) are dropped
    assert set(by_topic) == {
        "Payday loans should be banned",
        "Foster care brings more harm than good",
        "We should ban human cloning",
        "Zoos exploit animals",
        "Social media does more harm than good",
        "Compulsory voting should be introduced",
    }
    payday = by_topic["Payday loans should be banned"]
    assert payday.question == "Should payday loans be banned?" and payday.category == "Economics and business"
    assert payday.id.startswith("touche-") and payday.model_extra == {
        "source": "touche23:A01001",
        "transform": "rule",
    }
    assert len({q.id for q in questions}) == len(questions)
    again = await convert_seeds([TOUCHE], embedder=embedder)
    assert [q.id for q in again] == [q.id for q in questions]  # ids are stable

    directory = write_seed_set(questions, tmp_path / "seed-test", "seed-test", inputs=[TOUCHE])
    loaded = load_question_set(questions=directory)
    assert loaded.manifest.kind == "seed" and loaded.manifest.count == 6
    assert loaded.manifest.models == {"transform": "rule-based"}
    assert [q.question for q in loaded.questions] == [q.question for q in questions]


async def test_convert_valuebench(embedder: Embedder) -> None:
    questions = await convert_seeds([VB_ITEMS, VB_ORIENTATION], embedder=embedder)
    assert len(questions) == 8  # 7 items, one repeated, + 2 orientation items
    rich = next(q for q in questions if q.topic.startswith("It is important to me to be rich"))
    assert rich.question == "Is it important to you to be rich?" and rich.category == "Power"
    assert rich.model_extra is not None and rich.model_extra["value"] == "Power"
    heritage = next(q for q in questions if q.topic == "Family heritage is important to me.")
    assert heritage.question == "Should family heritage be important to me?"
    assert heritage.model_extra is not None and heritage.model_extra["transform"] == "source"
    assert all(q.id.startswith("vb-") for q in questions)
    sampled = await convert_seeds([VB_ITEMS], embedder=embedder, per_category=1, seed=3)
    assert sorted(q.category for q in sampled) == [
        "Benevolence",
        "Planning",
        "Power",
        "Stimulation",
        "Tradition",
    ]


async def test_convert_with_an_inspect_model(embedder: Embedder) -> None:
    replies = [
        "[Question]: Should payday loans be prohibited by law?",
        "[Question]: Does foster care do children more harm than good?",
        "[Question]: Should human cloning be banned?",
        "I'd rather not answer that.",  # unparseable -> rule-based fallback
        "[Question]: Should payday loans be prohibited by law?",  # same as the first -> deduplicated
        "[Question]: Should voting be compulsory?",
    ]
    model = get_model("mockllm/model", custom_outputs=[_output(r) for r in replies])
    questions = await convert_seeds([TOUCHE], model=model, embedder=embedder, max_concurrency=3)
    how = [q.model_extra["transform"] for q in questions if q.model_extra]
    texts = {q.question for q in questions}
    assert len(questions) == 5 and how.count("rule") == 1 and how.count("model") == 4
    assert {
        "Should payday loans be prohibited by law?",
        "Does foster care do children more harm than good?",
        "Should human cloning be banned?",
        "Should voting be compulsory?",
    } <= texts
