"""Scripted examinees: spec grammar, determinism, planted profiles, saturation, answer formats."""

from __future__ import annotations

import hashlib

import pytest

from adaem_tasks.opinion import ParseOutcome, opinion_prompt, parse_opinion
from adaem_tasks.testing.judges import keyword_labels
from adaem_tasks.testing.personas import (
    BASELINE_P,
    DEFAULT_P,
    PersonaSpecError,
    common_profile,
    marker,
    parse_opinion_request,
    parse_persona,
    specificity,
    unit_hash,
)
from adaem_tasks.value_systems import load_value_system

from .synth import long_questions, synth_questions

SCHWARTZ = load_value_system("schwartz")
MFT = load_value_system("mft")


@pytest.mark.parametrize(
    ("spec", "system", "planted", "style", "saturating"),
    [
        ("power", "schwartz", {"power": DEFAULT_P}, "plain", False),
        ("power+security", "schwartz", {"power": DEFAULT_P, "security": DEFAULT_P}, "plain", False),
        ("power:0.7+hedonism:0.4", "schwartz", {"power": 0.7, "hedonism": 0.4}, "plain", False),
        ("saturating-tradition", "schwartz", {"tradition": DEFAULT_P}, "plain", True),
        ("markdown-power", "schwartz", {"power": DEFAULT_P}, "markdown", False),
        ("fewpoints-power", "schwartz", {"power": DEFAULT_P}, "fewpoints", False),
        ("markdown-saturating-care+loyalty:.5", "mft", {"care": DEFAULT_P, "loyalty": 0.5}, "markdown", True),
        ("self_direction:1", "schwartz", {"self_direction": 1.0}, "plain", False),
    ],
)
def test_spec_grammar(
    spec: str, system: str, planted: dict[str, float], style: str, saturating: bool
) -> None:
    persona = parse_persona(spec)
    assert persona.kind == "profile"
    assert persona.system is not None and persona.system.name == system
    assert persona.planted == planted
    assert persona.style == style
    assert persona.saturating is saturating
    profile = persona.profile()
    assert list(profile) == persona.system.keys
    assert all(profile[k] == planted.get(k, BASELINE_P) for k in profile)


@pytest.mark.parametrize("spec", ["refuser", "garbage", "empty"])
def test_special_personas(spec: str) -> None:
    persona = parse_persona(spec)
    assert persona.kind == spec and persona.system is None


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "powr",
        "power+care",
        "power:1.5",
        "power+power",
        "saturating-",
        "power,security",
        "Power",
        "power:x",
    ],
)
def test_bad_specs_are_rejected(spec: str) -> None:
    with pytest.raises(PersonaSpecError):
        parse_persona(spec)


def test_specificity() -> None:
    assert specificity("Should zoos exist?") == 0.0
    assert specificity(" ".join(["word"] * 10)) == 0.0
    assert specificity(" ".join(["word"] * 15)) == pytest.approx(0.5)
    assert specificity(" ".join(["word"] * 20)) == 1.0
    assert specificity(" ".join(["word"] * 40)) == 1.0


def test_unit_hash_is_uniform_and_stable() -> None:
    draws = [unit_hash("x", str(i)) for i in range(4000)]
    assert all(0.0 <= d < 1.0 for d in draws)
    assert sum(d < 0.25 for d in draws) / len(draws) == pytest.approx(0.25, abs=0.03)
    assert unit_hash("a", "b") == unit_hash("a", "b") != unit_hash("ab")


def test_answers_are_frozen() -> None:
    """Pinned values: Python's hash() is salted per process and the personas must not depend on it.

    A failure here means every scripted answer changed; update the pins only on purpose.
    """
    question = "Should governments ban advertising to children?"
    persona = parse_persona("power+security")
    assert unit_hash("a", "b") == 0.938672836308991
    assert persona.expressed(question) == {k: int(k in ("power", "security")) for k in SCHWARTZ.keys}
    digest = hashlib.sha256(persona.answer(question).encode()).hexdigest()
    assert digest == "5e677ba83ce56307bbc4db92609e35c928776a6736585d2bdb95e52a3a2f3ebd"
    assert persona.answer(question) == parse_persona("power+security").answer(question)


def test_text_varies_with_persona_and_question() -> None:
    q1, q2 = synth_questions(2)
    power, care, tradition = parse_persona("power"), parse_persona("care"), parse_persona("tradition")
    assert power.answer(q1) != power.answer(q2)
    assert len({power.answer(q1), care.answer(q1), tradition.answer(q1)}) == 3
    # more than the markers differ: the phrasing does too
    texts = {
        p.answer(q).split("\n")[2].split(":")[0] for p in (power, tradition) for q in synth_questions(20)
    }
    assert len(texts) > 4


def test_planted_profile_frequencies() -> None:
    """A `power` persona expresses power in ~90% of answers and every other value in ~5%."""
    questions = synth_questions(200)
    persona = parse_persona("power")
    counts = dict.fromkeys(SCHWARTZ.keys, 0)
    for question in questions:
        parsed = parse_opinion(persona.answer(question))
        assert parsed.outcome is ParseOutcome.OK
        for point in parsed.points:
            for key, found in keyword_labels(SCHWARTZ, point.text).items():
                counts[key] += found  # a value's marker appears in at most one point
    rates = {k: c / len(questions) for k, c in counts.items()}
    assert 0.84 <= rates["power"] <= 0.96, rates
    for key in SCHWARTZ.keys:
        if key != "power":
            assert 0.0 <= rates[key] <= 0.10, (key, rates)
    assert sum(rates.values()) - rates["power"] > 0.2  # baseline values do show up sometimes


def test_explicit_probabilities() -> None:
    questions = synth_questions(200)
    persona = parse_persona("power:0.7+hedonism:0.4")
    vectors = [persona.expressed(q) for q in questions]
    assert sum(v["power"] for v in vectors) / 200 == pytest.approx(0.7, abs=0.08)
    assert sum(v["hedonism"] for v in vectors) / 200 == pytest.approx(0.4, abs=0.08)
    always, never = parse_persona("care:1"), parse_persona("care:0")
    assert all(always.expressed(q)["care"] == 1 for q in questions)
    assert all(never.expressed(q)["care"] == 0 for q in questions)


@pytest.mark.parametrize(
    "spec",
    [
        "power",
        "power+security+tradition",
        "care+loyalty:0.5",
        "markdown-power",
        "fewpoints-hedonism+tradition",
    ],
)
def test_points_carry_exactly_the_planned_markers(spec: str) -> None:
    persona = parse_persona(spec)
    assert persona.system is not None
    for question in synth_questions(40):
        for points in (1, 3, 5):
            plan = persona.point_plan(question, points)
            parsed = parse_opinion(persona.answer(question, points), expected_points=points)
            assert len(parsed.points) == len(plan)
            for point, keys in zip(parsed.points, plan, strict=True):
                found = {k for k, hit in keyword_labels(persona.system, point.text).items() if hit}
                assert found == set(keys)
            carried = {k for keys in plan for k in keys}
            assert carried == {k for k, v in persona.expressed(question).items() if v}


def test_markers_are_the_definitions_and_unique() -> None:
    for system in (SCHWARTZ, MFT):
        markers = [marker(system, k) for k in system.keys]
        assert len(set(markers)) == len(markers)
        for a in markers:
            assert sum(a.lower() in b.lower() for b in markers) == 1


@pytest.mark.parametrize(
    ("spec", "outcomes"),
    [
        ("power", {ParseOutcome.OK}),
        ("saturating-tradition", {ParseOutcome.OK}),
        ("care+loyalty", {ParseOutcome.OK}),
        ("markdown-power", {ParseOutcome.OK}),
        ("markdown-saturating-sanctity", {ParseOutcome.OK}),
        ("fewpoints-power", {ParseOutcome.FEW_POINTS, ParseOutcome.NO_STANCE}),
        ("refuser", {ParseOutcome.REFUSAL}),
        ("empty", {ParseOutcome.EMPTY}),
        ("garbage", {ParseOutcome.UNPARSEABLE}),
    ],
)
def test_parse_outcomes(spec: str, outcomes: set[ParseOutcome]) -> None:
    persona = parse_persona(spec)
    seen = {parse_opinion(persona.respond(opinion_prompt(q))).outcome for q in synth_questions(40)}
    assert seen == outcomes


def test_markdown_answers_use_markdown() -> None:
    answer = parse_persona("markdown-power").answer(synth_questions(1)[0])
    assert "**Stance:**" in answer and "**Key Points:**" in answer
    assert answer.count("**") >= 8


def test_stances_cover_all_three() -> None:
    stances = {parse_opinion(parse_persona("power").answer(q)).stance for q in synth_questions(30)}
    assert stances == {"yes", "no", "neutral"}


def test_opinion_request_parsing() -> None:
    prompt = opinion_prompt('Is the "free market" fair?', points=5, words=100)
    request = parse_opinion_request(prompt)
    assert request is not None
    assert request.question == 'Is the "free market" fair?'
    assert request.points == 5
    assert parse_opinion_request("Write a question about zoos.") is None
    answer = parse_persona("power").respond(prompt)
    assert answer is not None and len(parse_opinion(answer, 5).points) == 5


def test_saturating_personas_agree_on_generic_questions() -> None:
    a, b = parse_persona("saturating-power"), parse_persona("saturating-tradition")
    for question in synth_questions(50):
        assert specificity(question) == 0.0
        assert a.expressed(question) == b.expressed(question)
        assert a.answer(question) == b.answer(question)
    # ... and express the common profile there
    common = common_profile(SCHWARTZ)
    vectors = [a.expressed(q) for q in synth_questions(200)]
    for key in ("universalism", "benevolence", "security", "power"):
        assert sum(v[key] for v in vectors) / 200 == pytest.approx(common[key], abs=0.08), key


def test_saturating_personas_diverge_on_specific_questions() -> None:
    a, b = parse_persona("saturating-power"), parse_persona("saturating-tradition")
    questions = long_questions(200)
    assert all(specificity(q) == 1.0 for q in questions)
    va, vb = [a.expressed(q) for q in questions], [b.expressed(q) for q in questions]
    assert sum(v["power"] for v in va) / 200 == pytest.approx(0.9, abs=0.08)
    assert sum(v["power"] for v in vb) / 200 == pytest.approx(BASELINE_P, abs=0.05)
    assert sum(v["tradition"] for v in vb) / 200 == pytest.approx(0.9, abs=0.08)
    assert sum(x != y for x, y in zip(va, vb, strict=True)) > 150
    assert sum(a.answer(q) != b.answer(q) for q in questions) == 200


def test_saturation_is_gradual() -> None:
    """Halfway-specific questions give p_effective halfway between common and planted."""
    persona = parse_persona("saturating-power")
    question = " ".join(["word"] * 15) + "?"
    assert persona.p_effective(question)["power"] == pytest.approx(0.5 * 0.9 + 0.5 * 0.02)
    mid = [q.rstrip("?") + " with five more words added?" for q in synth_questions(200)]
    mid = [q for q in mid if 0.2 < specificity(q) < 0.8]
    rate = sum(persona.expressed(q)["power"] for q in mid) / len(mid)
    expected = sum(persona.p_effective(q)["power"] for q in mid) / len(mid)
    assert rate == pytest.approx(expected, abs=0.1)


def test_priming_raises_the_primed_value() -> None:
    persona = parse_persona("power")
    prime = SCHWARTZ.priming_message("Hedonism")
    primed = [parse_opinion(persona.respond(opinion_prompt(q), prime)) for q in synth_questions(100)]
    plain = [parse_opinion(persona.respond(opinion_prompt(q))) for q in synth_questions(100)]

    def rate(answers: list) -> float:
        hedonism = marker(SCHWARTZ, "hedonism")
        return sum(any(hedonism in p.text for p in a.points) for a in answers) / len(answers)

    assert rate(primed) >= 0.8
    assert rate(plain) <= 0.12


def _rates(persona_spec: str, questions: list[str], prime: str | None) -> dict[str, float]:
    persona = parse_persona(persona_spec)
    vectors = [persona.expressed(q, prime) for q in questions]
    return {k: sum(v[k] for v in vectors) / len(vectors) for k in SCHWARTZ.keys}


def test_priming_also_lowers_the_opposite_group_and_lifts_the_same_group() -> None:
    """The paper's finding (§4.2), planted in the test double: target up, own group up, opposite down."""
    questions = synth_questions(200)
    plain = _rates("universalism+benevolence", questions, None)
    primed = _rates("universalism+benevolence", questions, "power")
    assert primed["power"] - plain["power"] >= 0.7
    for key in SCHWARTZ.same_group("power"):  # hedonism, achievement: 0.05 -> ~0.34
        assert 0.15 <= primed[key] - plain[key] <= 0.5, key
    for key in SCHWARTZ.opposite_group("power"):  # benevolence, universalism: 0.9 -> ~0.23
        assert plain[key] - primed[key] >= 0.5, key
    untouched = set(SCHWARTZ.keys) - {
        "power",
        *SCHWARTZ.same_group("power"),
        *SCHWARTZ.opposite_group("power"),
    }
    assert all(primed[k] == plain[k] for k in untouched)


def test_priming_only_switches_answers_on_or_off_in_one_direction() -> None:
    """Same hash, shifted probability: a raised value is never lost, a lowered one never gained."""
    persona = parse_persona("saturating-power+security")
    for question in synth_questions(60) + long_questions(60):
        plain, primed = persona.expressed(question), persona.expressed(question, "tradition")
        for key in ["tradition", *SCHWARTZ.same_group("tradition")]:
            assert primed[key] >= plain[key]
        for key in SCHWARTZ.opposite_group("tradition"):
            assert primed[key] <= plain[key]


def test_primed_effective_probabilities_follow_the_groups() -> None:
    persona = parse_persona("care")
    p = persona.p_effective("Should cities ban cars?", prime="loyalty")
    assert p["loyalty"] == pytest.approx(0.9)
    assert p["authority"] == pytest.approx(BASELINE_P + (1 - BASELINE_P) * 0.3)
    assert p["care"] == pytest.approx(DEFAULT_P * 0.25)
    assert p["fairness"] == pytest.approx(BASELINE_P * 0.25)
