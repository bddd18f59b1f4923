"""Question deduplication: the paper's top-k similarity rule plus a lexical pre-filter.

Semantic rule (Algorithm 2 line 13, App. C.4): a candidate question is a duplicate
when the **mean of its top-k cosine similarities** to the questions already in the
set exceeds ``epsilon`` (paper: k=3, epsilon=0.85). While fewer than k questions are
available the mean runs over all of them. Note what the rule implies: one very close
neighbour is not enough when the other neighbours are unrelated (1.0, 0.3, 0.3 -> 0.53).
That is why exact and near-exact copies are caught first by a lexical filter:

Lexical pre-filter: texts are normalised (lower case, punctuation dropped), exact
normalised matches are duplicates, and near-exact ones -- Jaccard similarity of
word-bigram sets >= ``lexical_threshold`` (default 0.8), candidates found with
datasketch MinHash LSH and then verified exactly -- are duplicates too. This is
where MinHash already served in the paper (App. B, seed preparation) and it saves
embedding the copies. Within one batch a near-copy of an *earlier* candidate is
dropped even when that earlier candidate is dropped too: both would be judged by
the same neighbours.

Batches are deduplicated greedily in input order (a candidate is compared with the
set plus the earlier *kept* candidates). The greedy pass is exact but cheap: a
similarity below ``1 - k(1 - epsilon)`` (0.55 for the paper's values) can never be
part of a top-k whose mean exceeds epsilon, so only the (rare) pairs above it are
looked at individually; the rest is blocked matrix products.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from adaem_gen.extras import require_gen
from adaem_gen.sets.embedding import Embedder, default_embedder

require_gen()  # torch & co. come with the 'gen' extra: one clear message, not a traceback

__all__ = [
    "DEFAULT_EPSILON",
    "DEFAULT_TOP_K",
    "DedupCounters",
    "QuestionIndex",
    "dedup_questions",
    "mean_pairwise_similarity",
    "normalize_text",
    "overlap_with",
    "word_bigrams",
]

DEFAULT_EPSILON = 0.85
DEFAULT_TOP_K = 3
_BLOCK = 1024
_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Case-, accent-form- and punctuation-insensitive form used by the lexical filter."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()


def word_bigrams(normalized: str) -> frozenset[str]:
    """Word-bigram shingles (single words for one-word texts)."""
    words = normalized.split()
    if len(words) < 2:
        return frozenset(words)
    return frozenset(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def mean_pairwise_similarity(vectors: np.ndarray) -> float:
    """Mean cosine over all unordered pairs of unit vectors, in O(n*d).

    sum_{i != j} <e_i, e_j> = ||sum_i e_i||^2 - sum_i ||e_i||^2.
    """
    n = len(vectors)
    if n < 2:
        return float("nan")
    total = vectors.sum(axis=0, dtype=np.float64)
    self_sim = float(np.einsum("ij,ij->", vectors, vectors, dtype=np.float64))
    return float((total @ total - self_sim) / (n * (n - 1)))


@dataclass
class DedupCounters:
    """What the index has decided so far (for logs and manifests)."""

    checked: int = 0
    kept: int = 0
    lexical: int = 0
    semantic: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "checked": self.checked,
            "kept": self.kept,
            "lexical": self.lexical,
            "semantic": self.semantic,
        }


@dataclass
class _Lexical:
    """Exact + MinHash-LSH near-exact lookup over normalised texts."""

    threshold: float
    num_perm: int
    exact: dict[str, int] = field(default_factory=dict)
    shingles: list[frozenset[str]] = field(default_factory=list)
    lsh: Any = None

    def __post_init__(self) -> None:
        from datasketch import MinHashLSH

        # LSH only proposes candidates, each verified exactly below; tuning it below the
        # verification threshold keeps pairs right at the threshold from being missed.
        self.lsh = MinHashLSH(threshold=max(0.1, self.threshold - 0.2), num_perm=self.num_perm)

    def minhashes(self, shingle_sets: Sequence[frozenset[str]]) -> list[Any]:
        from datasketch import MinHash

        return MinHash.bulk(
            ([s.encode("utf-8") for s in sorted(sh)] for sh in shingle_sets), num_perm=self.num_perm, seed=1
        )

    def add(self, normalized: str, shingles: frozenset[str], minhash: Any) -> None:
        key = len(self.shingles)
        self.shingles.append(shingles)
        self.exact.setdefault(normalized, key)
        self.lsh.insert(key, minhash, check_duplication=False)

    def match(self, normalized: str, shingles: frozenset[str], minhash: Any) -> bool:
        if normalized in self.exact:
            return True
        return any(
            _jaccard(shingles, self.shingles[key]) >= self.threshold for key in self.lsh.query(minhash)
        )


class QuestionIndex:
    """A growing set of questions that answers "is this new question a duplicate?".

    ``add`` inserts unconditionally; ``filter_new`` decides (and with ``add=True`` also
    inserts the kept ones, which is what a generator loop wants once a candidate is
    final). Embeddings come from ``embedder`` (default: the bundled MiniLM).
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        epsilon: float = DEFAULT_EPSILON,
        top_k: int = DEFAULT_TOP_K,
        *,
        lexical: bool = True,
        lexical_threshold: float = 0.8,
        num_perm: int = 64,
        max_similarity: float | None = None,
    ) -> None:
        if top_k < 1:
            raise ValueError("top_k must be >= 1")
        if not -1.0 <= epsilon <= 1.0:
            raise ValueError("epsilon is a cosine similarity, in [-1, 1]")
        self.embedder = embedder if embedder is not None else default_embedder()
        self.epsilon = float(epsilon)
        self.top_k = int(top_k)
        self.max_similarity = max_similarity
        self.lexical_enabled = lexical
        self._lexical = _Lexical(lexical_threshold, num_perm) if lexical else None
        self._texts: list[str] = []
        self._ids: list[str] = []
        self._vecs: np.ndarray | None = None
        self._n = 0
        self.counters = DedupCounters()
        self.last_reasons: list[str] = []

    # -- contents --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._n

    @property
    def texts(self) -> list[str]:
        return list(self._texts)

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    @property
    def embeddings(self) -> np.ndarray:
        """``(len(self), dim)`` unit vectors of the indexed questions (a view; do not modify)."""
        if self._vecs is None:
            return np.zeros((0, 0), dtype=np.float32)
        return self._vecs[: self._n]

    @property
    def floor(self) -> float:
        """Similarities below this cannot make a candidate a duplicate (see module doc)."""
        floor = 1.0 - self.top_k * (1.0 - self.epsilon)
        if self.max_similarity is not None:
            floor = min(floor, self.max_similarity)
        return floor

    def add(
        self, texts: Sequence[str], ids: Sequence[str] | None = None, *, vectors: np.ndarray | None = None
    ) -> None:
        """Insert ``texts`` (no duplicate check). ``vectors`` skips re-embedding known texts."""
        texts = [str(t) for t in texts]
        if ids is not None and len(ids) != len(texts):
            raise ValueError("ids and texts differ in length")
        if not texts:
            return
        if vectors is None:
            vectors = self.embedder.encode(texts)
        self._append_vectors(np.asarray(vectors, dtype=np.float32))
        self._texts.extend(texts)
        if ids is None:
            ids = [str(len(self._ids) + i) for i in range(len(texts))]
        self._ids.extend(str(i) for i in ids)
        if self._lexical is not None:
            normalized = [normalize_text(t) for t in texts]
            shingles = [word_bigrams(n) for n in normalized]
            for norm, sh, mh in zip(normalized, shingles, self._lexical.minhashes(shingles), strict=True):
                self._lexical.add(norm, sh, mh)

    def _append_vectors(self, vectors: np.ndarray) -> None:
        needed = self._n + len(vectors)
        if self._vecs is None or needed > len(self._vecs):
            capacity = max(needed, 2 * (len(self._vecs) if self._vecs is not None else 0), 256)
            grown = np.empty((capacity, vectors.shape[1]), dtype=np.float32)
            if self._vecs is not None:
                grown[: self._n] = self._vecs[: self._n]
            self._vecs = grown
        self._vecs[self._n : needed] = vectors
        self._n = needed

    # -- decisions -------------------------------------------------------------------------------
    def is_duplicate(self, text: str) -> bool:
        """Would ``text`` be rejected against the current set? (The set is not changed.)"""
        return not self.filter_new([text])[0]

    def filter_new(
        self, texts: Sequence[str], ids: Sequence[str] | None = None, *, add: bool = False
    ) -> list[bool]:
        """``True`` for each text to keep: not a duplicate of the set nor of an earlier kept text.

        With ``add=True`` the kept texts are inserted (with ``ids`` when given).
        ``self.last_reasons`` tells per text: ``"kept"``, ``"lexical"`` or ``"semantic"``.
        """
        keep, reasons, vectors = self._decide(texts, within_batch=True)
        self.last_reasons = reasons
        self.counters.checked += len(reasons)
        self.counters.kept += sum(keep)
        self.counters.lexical += reasons.count("lexical")
        self.counters.semantic += reasons.count("semantic")
        if add:
            kept_idx = [i for i, k in enumerate(keep) if k]
            if kept_idx:
                self.add(
                    [texts[i] for i in kept_idx],
                    [ids[i] for i in kept_idx] if ids is not None else None,
                    vectors=vectors[kept_idx],
                )
        return keep

    def overlaps(self, texts: Sequence[str]) -> list[bool]:
        """``True`` where a text duplicates the *current set* (texts are not compared with each other)."""
        keep, _reasons, _vectors = self._decide(texts, within_batch=False)
        return [not k for k in keep]

    def _decide(
        self, texts: Sequence[str], *, within_batch: bool
    ) -> tuple[list[bool], list[str], np.ndarray]:
        """Return (keep mask, reasons, vectors) where vectors[i] is set for lexically new texts."""
        texts = [str(t) for t in texts]
        m = len(texts)
        reasons = ["kept"] * m
        if m == 0:
            return [], reasons, np.zeros((0, 0), dtype=np.float32)
        survivors = list(range(m))
        if self._lexical is not None:
            survivors = self._lexical_pass(texts, reasons, within_batch=within_batch)
        vectors = np.zeros((m, 0), dtype=np.float32)
        if survivors:
            sub = self.embedder.encode([texts[i] for i in survivors])
            vectors = np.zeros((m, sub.shape[1]), dtype=np.float32)
            vectors[survivors] = sub
            semantic_keep = self._semantic_pass(sub, within_batch=within_batch)
            for i, k in zip(survivors, semantic_keep, strict=True):
                if not k:
                    reasons[i] = "semantic"
        return [r == "kept" for r in reasons], reasons, vectors

    def _lexical_pass(self, texts: list[str], reasons: list[str], *, within_batch: bool) -> list[int]:
        assert self._lexical is not None
        normalized = [normalize_text(t) for t in texts]
        shingles = [word_bigrams(n) for n in normalized]
        minhashes = self._lexical.minhashes(shingles)
        batch = _Lexical(self._lexical.threshold, self._lexical.num_perm) if within_batch else None
        survivors: list[int] = []
        for i, (norm, sh, mh) in enumerate(zip(normalized, shingles, minhashes, strict=True)):
            if self._lexical.match(norm, sh, mh) or (batch is not None and batch.match(norm, sh, mh)):
                reasons[i] = "lexical"
            else:
                survivors.append(i)
            if batch is not None:
                batch.add(norm, sh, mh)
        return survivors

    def _index_top_k(self, x: np.ndarray) -> np.ndarray:
        """Per row of ``x``: its top-min(k, n) similarities to the index, descending-agnostic."""
        n0 = self._n
        kk = min(self.top_k, n0)
        if kk == 0:
            return np.zeros((len(x), 0), dtype=np.float32)
        base = self.embeddings
        out = np.empty((len(x), kk), dtype=np.float32)
        for start in range(0, len(x), _BLOCK):
            sims = x[start : start + _BLOCK] @ base.T
            out[start : start + _BLOCK] = -np.partition(-sims, kk - 1, axis=1)[:, :kk] if kk < n0 else sims
        return out

    def _is_dup(self, values: np.ndarray, available: int) -> bool:
        r = min(self.top_k, available)
        if r == 0 or len(values) < r:
            return False
        if self.max_similarity is not None and float(values.max()) > self.max_similarity:
            return True
        top = values if len(values) == r else -np.partition(-values, r - 1)[:r]
        return float(top.mean()) > self.epsilon

    def _semantic_pass(self, x: np.ndarray, *, within_batch: bool) -> list[bool]:
        m = len(x)
        top0 = self._index_top_k(x)
        n0 = self._n
        if not within_batch:
            return [not self._is_dup(top0[i], n0) for i in range(m)]
        floor = self.floor
        kept = np.zeros(m, dtype=bool)
        n_kept = 0
        for start in range(0, m, _BLOCK):
            end = min(start + _BLOCK, m)
            sims = x[start:end] @ x[:end].T  # rows: this block; columns: everything before its end
            candidates = sims >= floor
            for r in range(end - start):
                i = start + r
                cols = np.flatnonzero(candidates[r, :i])
                cols = cols[kept[cols]]
                values = np.concatenate((top0[i], sims[r, cols])) if len(cols) else top0[i]
                if not self._is_dup(values, n0 + n_kept):
                    kept[i] = True
                    n_kept += 1
        return kept.tolist()

    # -- inspection ------------------------------------------------------------------------------
    def nearest(self, text: str, k: int | None = None) -> list[tuple[str, str, float]]:
        """The ``k`` (default top_k) most similar indexed questions: (id, text, cosine)."""
        if self._n == 0:
            return []
        k = min(k or self.top_k, self._n)
        sims = self.embeddings @ self.embedder.encode([text])[0]
        order = np.argsort(-sims, kind="stable")[:k]
        return [(self._ids[j], self._texts[j], float(sims[j])) for j in order]

    def similarity_stats(self) -> dict[str, Any]:
        """Similarity profile of the indexed set plus the decision counters.

        ``mean_pairwise`` is the paper's "Sim" column; ``nn_*`` describe each
        question's nearest other question; ``topk_*`` the dedup statistic itself
        (mean of the top-k similarities to the other questions), and
        ``above_epsilon`` how many indexed questions the rule would now reject.
        """
        stats: dict[str, Any] = {"n": self._n, "epsilon": self.epsilon, "top_k": self.top_k}
        stats.update(self.counters.as_dict())
        if self._n < 2:
            return stats
        vecs = self.embeddings
        kk = min(self.top_k, self._n - 1)
        nn = np.empty(self._n, dtype=np.float32)
        topk = np.empty(self._n, dtype=np.float32)
        for start in range(0, self._n, _BLOCK):
            sims = vecs[start : start + _BLOCK] @ vecs.T
            rows = np.arange(len(sims))
            sims[rows, start + rows] = -np.inf
            part = -np.partition(-sims, kk - 1, axis=1)[:, :kk]
            nn[start : start + len(sims)] = part.max(axis=1)
            topk[start : start + len(sims)] = part.mean(axis=1)
        stats.update(
            mean_pairwise=mean_pairwise_similarity(vecs),
            nn_mean=float(nn.mean()),
            nn_p95=float(np.percentile(nn, 95)),
            nn_max=float(nn.max()),
            topk_mean=float(topk.mean()),
            topk_max=float(topk.max()),
            above_epsilon=int((topk > self.epsilon).sum()),
        )
        return stats


def dedup_questions(
    texts: Sequence[str],
    *,
    embedder: Embedder | None = None,
    epsilon: float = DEFAULT_EPSILON,
    top_k: int = DEFAULT_TOP_K,
    lexical: bool = True,
    existing: Sequence[str] = (),
) -> list[int]:
    """Indices of ``texts`` kept by greedy in-order dedup (against ``existing`` too)."""
    index = QuestionIndex(embedder, epsilon, top_k, lexical=lexical)
    if existing:
        index.add(existing)
    keep = index.filter_new(texts)
    return [i for i, k in enumerate(keep) if k]


def overlap_with(
    previous_texts: Sequence[str],
    texts: Sequence[str],
    epsilon: float = DEFAULT_EPSILON,
    *,
    top_k: int = 1,
    embedder: Embedder | None = None,
    lexical: bool = True,
) -> list[bool]:
    """``True`` for each of ``texts`` that overlaps the previous set version (paper App. C.7).

    Used when a set is regenerated: questions repeating the previous version are
    removed so the new version is not contaminated by it. The default ``top_k=1``
    (max similarity > epsilon) differs from the in-set dedup rule on purpose: a
    paraphrase of a *single* earlier question already repeats it, whereas the top-3
    mean would let it through when its other neighbours are unrelated. Pass
    ``top_k=3`` to apply the Algorithm 2 rule verbatim.
    """
    index = QuestionIndex(embedder, epsilon, top_k, lexical=lexical)
    index.add(previous_texts)
    return index.overlaps(texts)
