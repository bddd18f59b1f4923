"""R_OD (App. C.3) with BERTScore on the bundled MiniLM, layer 6."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from adaem_gen.scoring.opinion_diversity import DEFAULT_LAYER, OpinionDiversity
from adaem_gen.sets.embedding import model_path

ECONOMIC = ["Payday loans trap poor families in debt.", "Banning payday loans protects vulnerable consumers."]
ECONOMIC_PARAPHRASE = [
    "Payday lending traps low-income families in debt.",
    "A ban on payday loans protects consumers.",
]
FREEDOM = [
    "Adults should be free to choose their own financial products.",
    "Bans push borrowers to illegal lenders.",
]


def test_scorer_is_local_minilm_layer_6(diversity: OpinionDiversity) -> None:
    scorer = diversity.scorer
    assert scorer.model_type == str(model_path()) and scorer.num_layers == DEFAULT_LAYER == 6
    assert not scorer.rescale_with_baseline and not scorer.idf


def test_similar_opinions_are_less_diverse(diversity: OpinionDiversity) -> None:
    same = diversity.pairwise(ECONOMIC, ECONOMIC_PARAPHRASE)
    different = diversity.pairwise(ECONOMIC, FREEDOM)
    assert 0.0 < same < different < 1.0
    assert different - same > 0.1


def test_mean_and_literal_sum(diversity: OpinionDiversity) -> None:
    f1 = diversity.f1([(a, b) for a in ECONOMIC for b in FREEDOM])
    assert diversity.pairwise(ECONOMIC, FREEDOM) == pytest.approx(1 - f1.mean(), abs=1e-6)
    literal = OpinionDiversity(diversity.scorer, reduction="sum")
    assert literal.pairwise(ECONOMIC, FREEDOM) == pytest.approx(1 - f1.sum(), abs=1e-6)
    assert literal.pairwise(ECONOMIC, FREEDOM) < 0  # why the normalised form is the default
    with pytest.raises(ValueError):
        OpinionDiversity(reduction="max")  # type: ignore[arg-type]


def test_score_averages_unordered_model_pairs(diversity: OpinionDiversity) -> None:
    by_model = {"a": ECONOMIC, "b": ECONOMIC_PARAPHRASE, "c": FREEDOM, "silent": [], "blank": ["  "]}
    expected = np.mean(
        [
            diversity.pairwise(ECONOMIC, ECONOMIC_PARAPHRASE),
            diversity.pairwise(ECONOMIC, FREEDOM),
            diversity.pairwise(ECONOMIC_PARAPHRASE, FREEDOM),
        ]
    )
    assert diversity.score(by_model) == pytest.approx(expected, abs=1e-4)
    assert diversity.score({"a": ECONOMIC, "b": []}) == 0.0
    assert diversity.score({}) == 0.0


class CountingScorer:
    """BERTScorer double: F1 = 1 if texts are equal else 0.25; counts calls and pairs."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def score(self, cands: Sequence[str], refs: Sequence[str], batch_size: int = 64) -> tuple[object, ...]:
        self.calls.append(len(cands))
        f = np.array([1.0 if c == r else 0.25 for c, r in zip(cands, refs, strict=True)])
        return f, f, f


def test_score_many_uses_one_call_for_unique_pairs() -> None:
    scorer = CountingScorer()
    diversity = OpinionDiversity(scorer)
    questions = [{"a": ["x", "y"], "b": ["x", "z"], "c": ["w"]}, {"a": ["x"], "b": ["x"]}, {"a": ["q"]}]
    scores = diversity.score_many(questions)
    assert len(scorer.calls) == 1
    # unique unordered pairs: (x,x) (x,z) (x,y) (y,z) (w,x) (w,y) (w,z)
    assert scorer.calls[0] == 7
    ab = 1 - np.mean([1.0, 0.25, 0.25, 0.25])
    assert scores[0] == pytest.approx(np.mean([ab, 0.75, 0.75]))
    assert scores[1] == pytest.approx(0.0) and scores[2] == 0.0
    assert diversity.score_many([]) == []
