"""Opinion Diversity reward R_OD (paper App. C.3), measured with BERTScore.

The paper: ``R_OD(M_a, M_b) = 1 - sum_{o_a in M_a} sum_{o_b in M_b} BERTScore(o_a, o_b)``,
"for any two responses from different models, we calculate the above score and then
compute the average". Taken literally the double sum makes R_OD strongly negative
for the paper's 3 opinions per model (1 - 9 * ~0.5), so the *scale* of R_OD would
swamp the other reward terms in a way that depends on the number of points. Our
default reads the sum as normalised by ``|M_a| * |M_b|``:

    R_OD(M_a, M_b) = 1 - mean_{o_a, o_b} F1_BERTScore(o_a, o_b)       (reduction="mean")

and the question's R_OD is the average over all unordered pairs of models that gave
at least one opinion. ``reduction="sum"`` gives the literal formula. BERTScore is
symmetric in F1, so unordered pairs lose nothing.

BERTScore model: the bundled all-MiniLM-L6-v2 (offline, same weights everywhere),
token embeddings from **layer 6 of 6** (its last layer). That is the layer the
sentence-transformers contrastive training shaped (it mean-pools layer 6), and on
paraphrase vs unrelated opinion pairs it separates best: F1 0.74/0.12 for layer 6
against 0.78/0.34 for layer 4 on the same pair -- without baseline rescaling,
unrelated texts then score near 0 instead of ~0.35, so ``1 - F1`` is readable as
is. No idf weighting, no baseline rescaling (BERTScore ships no baseline for this
model), ``lang`` unset.

Cost: BERTScore embeds every key point with the transformer, the generator's largest
CPU cost after the model calls (12 key points per question with 4 P2 models). On CPUs
with native bf16 instructions the scorer's weights are bf16 (``precision="auto"``):
measured here 64 -> 26 ms of CPU per 12-sentence question on one thread (bf16 autocast:
36 ms), F1 within 1.5e-3 of fp32. Torch runs on one thread by default (``threads=1``):
these batches are too small to split, a second torch thread only competes with the
generator's event loop for the other core (measured 75 vs 500 ms of CPU per batch on a
loaded 2-core machine), and on one thread a pair's F1 does not depend on which other
pairs share its batch (with two threads bf16 results moved by up to 5e-4 with the batch),
so R_OD does not depend on how concurrent estimates happened to be batched.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np

from adaem_gen.extras import require_gen
from adaem_gen.sets.embedding import Precision, configure_torch_threads, model_path, resolve_precision

require_gen()  # torch & co. come with the 'gen' extra: one clear message, not a traceback

__all__ = ["DEFAULT_LAYER", "OpinionDiversity", "default_bert_scorer", "opinion_diversity"]

DEFAULT_LAYER = 6
Reduction = Literal["mean", "sum"]


@lru_cache(maxsize=4)
def default_bert_scorer(
    model: str | None = None,
    num_layers: int = DEFAULT_LAYER,
    batch_size: int = 64,
    device: str = "cpu",
    threads: int | None = None,
    precision: Precision = "fp32",
) -> Any:
    """A cached ``bert_score.BERTScorer`` on a local model (default: the bundled MiniLM).

    ``precision="bf16"`` (or ``auto`` on a CPU with native bf16) casts the model's weights
    to bf16; BERTScorer has no dtype option, and its model is a plain torch module.
    """
    configure_torch_threads(threads)
    from bert_score import BERTScorer

    model_type = str(Path(model).expanduser().resolve()) if model else str(model_path())
    if not Path(model_type).is_dir():
        raise FileNotFoundError(f"BERTScore model directory {model_type} does not exist (local models only)")
    scorer = BERTScorer(
        model_type=model_type,
        num_layers=num_layers,
        batch_size=batch_size,
        idf=False,
        lang=None,
        rescale_with_baseline=False,
        device=device,
        use_fast_tokenizer=True,
        nthreads=1,
    )
    if resolve_precision(precision, device) == "bf16":
        import torch

        scorer._model.to(torch.bfloat16)
    return scorer


class OpinionDiversity:
    """Compute R_OD for one question (``score``) or many at once (``score_many``).

    ``scorer`` is anything with BERTScorer's ``score(cands, refs) -> (P, R, F)``;
    default: :func:`default_bert_scorer`. Identical (a, b) text pairs are scored once.
    """

    def __init__(
        self,
        scorer: Any | None = None,
        *,
        reduction: Reduction = "mean",
        precision: Precision = "auto",
        threads: int | None = 1,
    ) -> None:
        if reduction not in ("mean", "sum"):
            raise ValueError("reduction must be 'mean' or 'sum'")
        self._scorer = scorer
        self.reduction: Reduction = reduction
        self.precision = resolve_precision(precision, "cpu")
        self.threads = threads
        self._lock = threading.Lock()

    @property
    def scorer(self) -> Any:
        if self._scorer is None:
            self._scorer = default_bert_scorer(threads=self.threads, precision=self.precision)
        return self._scorer

    # -- BERTScore in one batch ------------------------------------------------------------------
    def f1(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """BERTScore F1 for each (candidate, reference) pair, one batched call for unique pairs."""
        if not pairs:
            return np.zeros(0, dtype=np.float64)
        canonical = [(a, b) if a <= b else (b, a) for a, b in pairs]  # F1 is symmetric
        unique = list(dict.fromkeys(canonical))
        with self._lock:  # the torch model is shared; BERTScorer is not re-entrant
            _p, _r, f = self.scorer.score([a for a, _ in unique], [b for _, b in unique], batch_size=64)
        values = dict(zip(unique, (float(x) for x in f), strict=True))
        return np.array([values[p] for p in canonical], dtype=np.float64)

    # -- R_OD ------------------------------------------------------------------------------------
    def _reduce(self, f1: np.ndarray) -> float:
        total = float(f1.sum())
        return 1.0 - (total / len(f1) if self.reduction == "mean" else total)

    def pairwise(self, opinions_a: Sequence[str], opinions_b: Sequence[str]) -> float:
        """R_OD between two models' opinion lists (0.0 when either list is empty)."""
        pairs = [(a, b) for a in opinions_a for b in opinions_b]
        if not pairs:
            return 0.0
        return self._reduce(self.f1(pairs))

    def score(self, opinions_by_model: Mapping[str, Sequence[str]]) -> float:
        """Average R_OD over unordered model pairs; 0.0 when fewer than two models answered."""
        return self.score_many([opinions_by_model])[0]

    def score_many(self, questions: Sequence[Mapping[str, Sequence[str]]]) -> list[float]:
        """R_OD for many questions with a single BERTScore call (what a generator round needs)."""
        plan: list[
            list[tuple[int, int]]
        ] = []  # per question: (start, stop) slices into `pairs`, per model pair
        pairs: list[tuple[str, str]] = []
        for opinions_by_model in questions:
            answered = [[o for o in ops if o and o.strip()] for ops in opinions_by_model.values()]
            answered = [ops for ops in answered if ops]
            slices = []
            for ops_a, ops_b in itertools.combinations(answered, 2):
                start = len(pairs)
                pairs.extend((a, b) for a in ops_a for b in ops_b)
                slices.append((start, len(pairs)))
            plan.append(slices)
        f1 = self.f1(pairs)
        return [
            float(np.mean([self._reduce(f1[start:stop]) for start, stop in slices])) if slices else 0.0
            for slices in plan
        ]


def opinion_diversity(
    opinions_by_model: Mapping[str, Sequence[str]], *, reduction: Reduction = "mean"
) -> float:
    """Convenience: R_OD of one question with the default scorer."""
    return OpinionDiversity(reduction=reduction).score(opinions_by_model)
