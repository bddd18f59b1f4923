"""The top-k dedup rule (Alg. 2 line 13, App. C.4), the lexical pre-filter and the C.7 overlap check."""

from __future__ import annotations

import numpy as np
import pytest

from adaem_gen.sets.dedup import QuestionIndex, dedup_questions, normalize_text, overlap_with, word_bigrams
from adaem_gen.sets.embedding import Embedder

from .conftest import VectorEmbedder

DIM = 12


def _at(similarity: float, axis: int) -> list[float]:
    """A unit vector whose cosine with e0 is ``similarity`` (its remainder on its own axis)."""
    v = [0.0] * DIM
    v[0] = similarity
    v[axis] = float(np.sqrt(1 - similarity**2))
    return v


def _index(table: dict[str, list[float]], **kwargs: object) -> tuple[QuestionIndex, VectorEmbedder]:
    emb = VectorEmbedder(table)
    return QuestionIndex(emb, lexical=False, **kwargs), emb  # type: ignore[arg-type]


def test_mean_of_top_three_decides() -> None:
    table = {"cand": _at(1.0, 1), "a": _at(0.99, 2), "b": _at(0.9, 3), "c": _at(0.3, 4), "d": _at(0.95, 5)}
    index, _ = _index(table)
    index.add(["a", "b", "c"])
    # top-3 mean = (0.99 + 0.9 + 0.3) / 3 = 0.73 -> not a duplicate, although one neighbour is at 0.99
    assert not index.is_duplicate("cand")
    index.add(["d"])  # now (0.99 + 0.95 + 0.9) / 3 = 0.947 > 0.85
    assert index.is_duplicate("cand")
    assert index.last_reasons == ["semantic"]
    # epsilon is a strict threshold on the mean
    strict, _ = _index(table, epsilon=0.99)
    strict.add(["a", "b", "d"])
    assert not strict.is_duplicate("cand")


def test_fewer_than_k_questions_use_all_of_them() -> None:
    index, _ = _index({"cand": _at(1.0, 1), "a": _at(0.9, 2), "b": _at(0.5, 3)})
    assert not index.is_duplicate("cand")  # empty set: nothing to duplicate
    index.add(["a"])
    assert index.is_duplicate("cand")  # mean of the one available = 0.9
    index.add(["b"])
    assert not index.is_duplicate("cand")  # (0.9 + 0.5) / 2 = 0.7


def test_max_similarity_option_catches_single_paraphrases() -> None:
    table = {"cand": _at(1.0, 1), "a": _at(0.97, 2), "b": _at(0.2, 3), "c": _at(0.2, 4)}
    plain, _ = _index(table)
    plain.add(["a", "b", "c"])
    assert not plain.is_duplicate("cand")
    with_max, _ = _index(table, max_similarity=0.95)
    with_max.add(["a", "b", "c"])
    assert with_max.is_duplicate("cand")


def test_batch_is_greedy_in_order_against_kept_items_only() -> None:
    # In one plane: x1 is 31.8 degrees from s1 (cos 0.85), x2 another 31.8 degrees on (cos 0.85 to
    # x1, 0.445 to s1). x1 duplicates the set; x2 is close only to x1, which was not kept -> x2 stays.
    angle = float(np.arccos(0.85))
    table = {
        "s1": [1.0, 0.0, 0.0],
        "x1": [np.cos(angle), np.sin(angle), 0.0],
        "x2": [np.cos(2 * angle), np.sin(2 * angle), 0.0],
    }
    index, emb = _index(table, top_k=1, epsilon=0.8)
    index.add(["s1"])
    assert index.filter_new(["x1", "x2", "x2"]) == [False, True, False]
    assert index.last_reasons == ["semantic", "kept", "semantic"]
    assert len(index) == 1  # filter_new does not add unless asked
    assert index.filter_new(["x2"], add=True, ids=["q-x2"]) == [True]
    assert index.ids[-1] == "q-x2" and len(index) == 2
    assert emb.calls[-1] == ["x2"]


def _naive(vectors: np.ndarray, existing: np.ndarray, epsilon: float, top_k: int) -> list[bool]:
    kept_rows = list(existing)
    out = []
    for v in vectors:
        if kept_rows:
            sims = np.sort(np.stack(kept_rows) @ v)[::-1][:top_k]
            if sims.mean() > epsilon:
                out.append(False)
                continue
        kept_rows.append(v)
        out.append(True)
    return out


@pytest.mark.parametrize(("top_k", "epsilon"), [(3, 0.85), (1, 0.9), (5, 0.7)])
def test_blocked_pass_equals_naive_loop(top_k: int, epsilon: float) -> None:
    """Exactness of the floor shortcut and of the blocking, across a block boundary (1024)."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(40, 16))
    rows = centres[rng.integers(0, 40, size=1300)] + 0.25 * rng.normal(size=(1300, 16))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    names = [f"q{i}" for i in range(len(rows))]
    emb = VectorEmbedder(dict(zip(names, rows.tolist(), strict=True)))
    index = QuestionIndex(emb, epsilon, top_k, lexical=False)  # type: ignore[arg-type]
    index.add(names[:100])
    got = index.filter_new(names[100:])
    want = _naive(rows[100:].astype(np.float32), rows[:100].astype(np.float32), epsilon, top_k)
    assert got == want
    assert 0 < sum(got) < len(got)  # both outcomes occur, so the comparison means something


def test_lexical_prefilter() -> None:
    assert normalize_text("  Should PAYDAY loans be banned?! ") == "should payday loans be banned"
    assert word_bigrams("a b c") == frozenset({"a b", "b c"})
    texts = [
        "Should payday loans be banned?",
        "should payday loans be banned",  # exact after normalisation
        "Should payday loans be allowed?",  # one meaningful word changed: not lexical
        "Should the government of Japan ban payday loans to protect poor families from debt?",
        "Should the government of Japan really ban payday loans to protect poor families from debt?",
    ]
    emb = VectorEmbedder({t: _at(0.1 * (i + 1), i + 1) for i, t in enumerate(texts)})
    index = QuestionIndex(emb, top_k=1)  # type: ignore[arg-type]
    assert index.filter_new(texts) == [True, False, True, True, False]
    assert index.last_reasons == ["kept", "lexical", "kept", "kept", "lexical"]
    assert sorted(emb.calls[-1]) == sorted([texts[0], texts[2], texts[3]])  # copies are never embedded
    index.add([texts[0]])
    assert index.is_duplicate("SHOULD payday loans be banned")
    assert index.counters.lexical >= 2


def test_real_model_paraphrases(embedder: Embedder) -> None:
    index = QuestionIndex(embedder)
    index.add(
        [
            "Should payday loans be banned?",
            "Should payday lending be prohibited?",
            "Should short-term high-interest payday loans be outlawed?",
            "Should payday loans be made illegal?",
            "Is it acceptable for zoos to keep wild animals in cages?",
        ]
    )
    assert index.is_duplicate("Should payday loans be banned by law?")
    assert not index.is_duplicate("Should voting be compulsory in national elections?")
    stats = index.similarity_stats()
    assert stats["n"] == 5 and 0 < stats["mean_pairwise"] < stats["nn_mean"] <= stats["nn_max"] <= 1.0001
    nearest = index.nearest("Should payday loans be forbidden?", k=2)
    assert [n[1] for n in nearest][0].startswith("Should payday")


def test_dedup_questions_and_overlap(embedder: Embedder) -> None:
    texts = [
        "Should payday loans be banned?",
        "Should payday loans be banned?",
        "Is it acceptable for zoos to keep wild animals in cages?",
    ]
    assert dedup_questions(texts, embedder=embedder) == [0, 2]
    previous = ["Should payday loans be banned?", "Should voting be compulsory?", "Is homeschooling good?"]
    new = ["Should payday lending be prohibited?", "Do zoos help protect endangered species?"]
    assert overlap_with(previous, new, embedder=embedder) == [True, False]
    # the verbatim Algorithm 2 rule (top-3 mean) lets a single paraphrase through
    assert overlap_with(previous, new, top_k=3, embedder=embedder) == [False, False]
    assert overlap_with(previous, ["should payday loans be banned"], top_k=3, embedder=embedder) == [True]


def test_rejects_bad_parameters(embedder: Embedder) -> None:
    with pytest.raises(ValueError, match="top_k"):
        QuestionIndex(embedder, top_k=0)
    with pytest.raises(ValueError, match="epsilon"):
        QuestionIndex(embedder, epsilon=1.5)
    with pytest.raises(ValueError, match="ids"):
        QuestionIndex(embedder).add(["a"], ids=["1", "2"])
