"""Reading generated questions and guard verdicts from drifting model output."""

from __future__ import annotations

import pytest

from adaem_gen.questions.parsing import (
    MAX_BACKGROUND_CHARS,
    GenOutcome,
    contextual_fact,
    parse_generated_question,
    parse_guard_verdict,
)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        (
            "[Argument] : Payday loans trap Texans.\n[Question]: Should Texas ban payday loans?",
            "Should Texas ban payday loans?",
        ),
        ('**[Question]:** "Should Texas ban payday loans?"', "Should Texas ban payday loans?"),
        ("[Question]:\n\nShould Texas ban payday loans?\n", "Should Texas ban payday loans?"),
        ("Should Texas ban payday loans? This matters because...", "Should Texas ban payday loans?"),
        ("Question: Should Texas ban payday loans?", "Should Texas ban payday loans?"),
        (
            "[Argument]: x [Question]: Is a 4-day week fair to nurses in Japan?",
            "Is a 4-day week fair to nurses in Japan?",
        ),
    ],
)
def test_reads_the_question(text: str, question: str) -> None:
    parsed = parse_generated_question(text)
    assert parsed.outcome is GenOutcome.OK
    assert parsed.question == question


def test_reads_the_argument() -> None:
    parsed = parse_generated_question("[Argument]: Loans trap the poor.\n[Question]: Should loans be capped?")
    assert parsed.argument == "Loans trap the poor."


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        (None, GenOutcome.EMPTY),
        ("   ", GenOutcome.EMPTY),
        ("I'm sorry, but I can't help with that.", GenOutcome.REFUSAL),
        ("I cannot create that question.", GenOutcome.REFUSAL),
        ("[Question]: banning loans", GenOutcome.UNPARSEABLE),  # not a question
        ("[Question]: Why?", GenOutcome.UNPARSEABLE),  # too short
        ("[Question]: " + "word " * 80 + "?", GenOutcome.UNPARSEABLE),  # run-on
        ("Here are some thoughts about loans.", GenOutcome.UNPARSEABLE),
    ],
)
def test_failures_say_why(text: str | None, outcome: GenOutcome) -> None:
    parsed = parse_generated_question(text)
    assert parsed.outcome is outcome
    assert parsed.question is None


@pytest.mark.parametrize(
    ("text", "unsafe"),
    [
        ("safe", False),
        ("unsafe\nS1", True),
        ("**Unsafe**", True),
        ("The question is safe.", False),
        ("", None),
        ("?", None),
    ],
)
def test_guard_verdicts(text: str, unsafe: bool | None) -> None:
    assert parse_guard_verdict(text) is unsafe


@pytest.mark.parametrize(
    ("reply", "fact"),
    [
        (
            "Step 1: leisure.\n**New fact:** Norway's 2019 law caps overtime at 200 hours.",
            "Norway's 2019 law caps overtime at 200 hours.",
        ),
        (
            "Let's think.\nContextual information:\n\nJapan has a 'karoshi' law since 2014.",
            "Japan has a 'karoshi' law since 2014.",
        ),
        (
            "Leisure matters.\n\nConsidering regions,\nFrance adopted a right to disconnect in 2017.",
            "Considering regions, France adopted a right to disconnect in 2017.",
        ),
        ("", ""),
    ],
)
def test_listing_5_fact_is_the_labelled_line_else_the_last_paragraph(reply: str, fact: str) -> None:
    assert contextual_fact(reply) == fact


def test_a_run_on_fact_is_cut_at_a_word() -> None:
    fact = contextual_fact("Fact: " + "word " * 400)
    assert len(fact) <= MAX_BACKGROUND_CHARS + 4 and fact.endswith("word ...")
