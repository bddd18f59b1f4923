"""The opinion parser must read real-world formatting drift and name every failure."""

import pytest

from adaem_tasks.opinion import ParseOutcome, opinion_prompt, parse_opinion, strip_markdown


def test_prompt_is_listing_3_filled_in() -> None:
    prompt = opinion_prompt("Should payday loans be banned?", points=4, words=120)
    assert prompt.startswith(
        'For the question "Should payday loans be banned?", you should give me your stance'
    )
    assert "list your 4 key points" in prompt
    assert "in 120 words" in prompt
    assert "Stance: <your stance: yes/no/neutral>" in prompt
    assert prompt.endswith("Your answer is:")


def test_well_formed_answer() -> None:
    parsed = parse_opinion(
        "Stance: no\nKey Points:\n1. Freedom of contract: adults may borrow.\n"
        "2. Access to credit: banks refuse the poor.\n3. Regulation works better: caps beat bans."
    )
    assert parsed.outcome is ParseOutcome.OK
    assert parsed.stance == "no"
    assert [p.point for p in parsed.points] == [
        "Freedom of contract",
        "Access to credit",
        "Regulation works better",
    ]
    assert parsed.points[0].text == "Freedom of contract: adults may borrow."


def test_markdown_is_stripped_and_continuations_folded() -> None:
    parsed = parse_opinion(
        "**Stance:** *Yes*\n\n### Key Points:\n"
        "1. **Protection**: payday loans trap\n   vulnerable borrowers.\n"
        "2) __Fairness__ - interest rates are usurious.\n3. `Evidence`: bans cut defaults."
    )
    assert parsed.outcome is ParseOutcome.OK
    assert parsed.stance == "yes"
    assert parsed.points[0].text == "Protection: payday loans trap vulnerable borrowers."
    assert parsed.points[1].point == "Fairness"
    assert "**" not in " ".join(p.text for p in parsed.points)


def test_extra_points_are_dropped_and_counted() -> None:
    text = "Stance: neutral\n" + "\n".join(f"{i}. P{i}: j{i}" for i in range(1, 6))
    parsed = parse_opinion(text, expected_points=3)
    assert parsed.outcome is ParseOutcome.OK
    assert len(parsed.points) == 3 and parsed.extra_points == 2


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("", ParseOutcome.EMPTY),
        ("   \n", ParseOutcome.EMPTY),
        (None, ParseOutcome.EMPTY),
        ("I'm sorry, but I cannot provide a personal opinion on political questions.", ParseOutcome.REFUSAL),
        ("As an AI, I do not have personal opinions.", ParseOutcome.REFUSAL),
        ("The weather is nice today and I like tea.", ParseOutcome.UNPARSEABLE),
        ("Stance: yes\n1. One: a\n2. Two: b", ParseOutcome.FEW_POINTS),
        ("1. One: a\n2. Two: b\n3. Three: c", ParseOutcome.NO_STANCE),
        ("Stance: maybe\n1. One: a\n2. Two: b\n3. Three: c", ParseOutcome.NO_STANCE),
    ],
)
def test_failure_outcomes(text: str | None, outcome: ParseOutcome) -> None:
    assert parse_opinion(text).outcome is outcome


def test_only_judgeable_outcomes_are_judged() -> None:
    judged = {o for o in ParseOutcome if o.judged}
    assert judged == {ParseOutcome.OK, ParseOutcome.FEW_POINTS, ParseOutcome.NO_STANCE}


def test_bullets_are_read_when_there_is_no_numbered_list() -> None:
    parsed = parse_opinion("Stance: Yes\n- Safety: fewer accidents\n- Cost: cheaper\n- Trust: people agree")
    assert parsed.outcome is ParseOutcome.OK
    assert [p.point for p in parsed.points] == ["Safety", "Cost", "Trust"]


def test_strip_markdown_keeps_words() -> None:
    assert strip_markdown("**bold** and *it* and `code` and __u__") == "bold and it and code and u"
