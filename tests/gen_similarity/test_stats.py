"""Table 1/7 columns: Self-BLEU matches nltk exactly, Dist-2, Avg.L, Sim and novelty are what they claim."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from adaem_gen.sets.embedding import Embedder
from adaem_gen.sets.stats import distinct_n, format_stats_table, novelty, self_bleu, set_stats, tokenize

QUESTIONS = [
    "Should payday loans be banned?",
    "Should payday loans be banned in Japan?",
    "Is it acceptable for zoos to keep wild animals in cages?",
    "Should voting be compulsory in national elections?",
    "Do parents have the right to homeschool their children?",
    "Yes?",
    "",
    "Should payday loans be banned?",
]


def _nltk_self_bleu(texts: list[str]) -> float:
    bleu = pytest.importorskip("nltk.translate.bleu_score")
    docs = [tokenize(t) for t in texts]
    smooth = bleu.SmoothingFunction().method1
    scores = [
        bleu.sentence_bleu(docs[:i] + docs[i + 1 :], docs[i], smoothing_function=smooth)
        for i in range(len(docs))
    ]
    return 100 * sum(scores) / len(scores)


def test_self_bleu_matches_nltk_sentence_bleu() -> None:
    assert self_bleu(QUESTIONS) == pytest.approx(_nltk_self_bleu(QUESTIONS), abs=1e-9)
    rng = random.Random(4)
    words = [
        "should",
        "the",
        "state",
        "ban",
        "allow",
        "tax",
        "public",
        "private",
        "schools",
        "loans",
        "voting",
    ]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(60)]
    assert self_bleu(texts) == pytest.approx(_nltk_self_bleu(texts), abs=1e-9)


def test_self_bleu_extremes() -> None:
    assert self_bleu(["the same question?"] * 3) == pytest.approx(100.0)
    assert self_bleu(["alpha beta gamma delta", "one two three four"]) == 0.0
    assert math.isnan(self_bleu(["only one"]))


def test_distinct_2_and_avg_len() -> None:
    assert distinct_n(["a b a b", "a b"]) == pytest.approx(2 / 4)  # bigrams: ab ba ab | ab
    stats = set_stats(["one two three", "four five"], vectors=np.eye(2, dtype=np.float32))
    assert stats == {"n_questions": 2, "avg_len": 2.5, "self_bleu": 0.0, "dist_2": 1.0, "sim": 0.0}


def test_sim_and_novelty_equal_brute_force(embedder: Embedder) -> None:
    texts = QUESTIONS[:5]
    vecs = embedder.encode(texts)
    pairs = [float(vecs[i] @ vecs[j]) for i, j in itertools.combinations(range(len(texts)), 2)]
    assert set_stats(texts, embedder=embedder)["sim"] == pytest.approx(np.mean(pairs), abs=1e-5)
    other = ["Should payday lending be prohibited?", "Is chess a sport?"]
    ovecs = embedder.encode(other)
    cross = vecs @ ovecs.T
    result = novelty(texts, other, embedder=embedder)
    assert result["avg_similarity"] == pytest.approx(cross.mean(), abs=1e-5)
    assert result["mean_max_similarity"] == pytest.approx(cross.max(axis=1).mean(), abs=1e-5)
    assert result["share_above_epsilon"] == pytest.approx((cross.max(axis=1) > 0.85).mean())
    with pytest.raises(ValueError):
        novelty([], other, embedder=embedder)


def test_format_table() -> None:
    table = format_stats_table(
        [
            {
                "name": "seed-v1",
                "n_questions": 1535,
                "avg_len": 9.5,
                "self_bleu": 31.2,
                "dist_2": 0.84,
                "sim": 0.4,
            },
            {
                "name": "adaem-v1",
                "n_questions": 12310,
                "avg_len": 15.11,
                "self_bleu": float("nan"),
                "sim": 0.44,
            },
        ]
    )
    lines = table.splitlines()
    assert lines[0].split() == ["Set", "#q", "Avg.L", "SB", "Dist-2", "Sim"]
    assert lines[2].split() == ["seed-v1", "1,535", "9.50", "31.20", "0.84", "0.40"]
    assert lines[3].split() == ["adaem-v1", "12,310", "15.11", "-", "-", "0.44"]
