"""Question-set statistics: the columns of the paper's Tables 1/7 and the novelty of Table 8.

* ``n_questions`` (#q).
* ``avg_len`` (Avg.L) -- mean number of whitespace-separated words per question.
* ``self_bleu`` (SB, x100) -- mean over questions of the sentence BLEU-4 of each
  question against *all other* questions of the set as references. BLEU as in
  ``nltk.translate.bleu_score.sentence_bleu`` (uniform 4-gram weights, closest
  reference length for the brevity penalty, smoothing ``method1`` with epsilon
  0.1 -- the common Texygen-style Self-BLEU), on lower-cased word/punctuation tokens.
  nltk needs O(n) work per question, O(n^2) per set (hours for 12k questions), so we
  compute the same number exactly from per-n-gram "largest and second-largest count
  in any question": the clipped count of an n-gram against "all others" is its count
  against the largest holder unless the question itself is that holder. That is
  O(total n-grams), so **no sampling** is needed; ``tests/gen_similarity`` checks it
  against nltk on small sets.
* ``dist_2`` (Dist-2) -- distinct word bigrams / all word bigrams over the whole set.
* ``sim`` (Sim) -- mean cosine similarity over all pairs of distinct questions (MiniLM
  embeddings), exact in O(n*d) via the sum of unit vectors.

``novelty(texts, other)`` gives the paper's average cross-set similarity (Table 8)
and, more telling for contamination, each question's *maximum* similarity to the
other set, averaged, plus the share of questions whose maximum exceeds the dedup
threshold.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from adaem_gen.extras import require_gen
from adaem_gen.sets.dedup import DEFAULT_EPSILON, mean_pairwise_similarity
from adaem_gen.sets.embedding import Embedder, default_embedder

require_gen()  # torch & co. come with the 'gen' extra: one clear message, not a traceback

__all__ = [
    "STAT_COLUMNS",
    "distinct_n",
    "format_stats_table",
    "novelty",
    "self_bleu",
    "set_stats",
    "tokenize",
]

_TOKEN = re.compile(r"\w+|[^\w\s]")
_EPSILON = 0.1  # nltk SmoothingFunction().method1 default
_BLOCK = 1024

STAT_COLUMNS: list[tuple[str, str, str]] = [
    # (key, header, format)
    ("n_questions", "#q", "{:,}"),
    ("avg_len", "Avg.L", "{:.2f}"),
    ("self_bleu", "SB", "{:.2f}"),
    ("dist_2", "Dist-2", "{:.2f}"),
    ("sim", "Sim", "{:.2f}"),
    ("avg_similarity", "AvgSim(other)", "{:.2f}"),
    ("mean_max_similarity", "MaxSim(other)", "{:.2f}"),
    ("share_above_epsilon", ">eps(other)", "{:.1%}"),
]


def tokenize(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens (the unit of Self-BLEU and Dist-2)."""
    return _TOKEN.findall(text.lower())


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def self_bleu(texts: Sequence[str], max_n: int = 4) -> float:
    """Self-BLEU x100 of ``texts`` (see module doc); NaN for fewer than two texts."""
    docs = [tokenize(t) for t in texts]
    n_docs = len(docs)
    if n_docs < 2:
        return float("nan")
    counts = [[_ngrams(d, n) for d in docs] for n in range(1, max_n + 1)]
    # per n-gram: (largest count, index of a holder of it, second largest count among the others)
    best: list[dict[tuple[str, ...], list[int]]] = []
    for per_doc in counts:
        table: dict[tuple[str, ...], list[int]] = {}
        for idx, counter in enumerate(per_doc):
            for gram, c in counter.items():
                entry = table.get(gram)
                if entry is None:
                    table[gram] = [c, idx, 0]
                elif c > entry[0]:
                    entry[2] = entry[0]
                    entry[0] = c
                    entry[1] = idx
                elif c > entry[2]:
                    entry[2] = c
        best.append(table)
    lengths = Counter(len(d) for d in docs)
    weight = 1.0 / max_n
    total = 0.0
    for idx, doc in enumerate(docs):
        hyp_len = len(doc)
        numerators: list[int] = []
        denominators: list[int] = []
        for order in range(max_n):
            matched = 0
            for gram, c in counts[order][idx].items():
                big, holder, second = best[order][gram]
                matched += min(c, second if holder == idx else big)
            numerators.append(matched)
            denominators.append(max(1, sum(counts[order][idx].values())))
        if numerators[0] == 0:
            continue  # nltk returns 0 when no unigram matches
        ref_len = _closest_other_length(lengths, hyp_len)
        if hyp_len > ref_len:
            bp = 1.0
        elif hyp_len == 0:
            bp = 0.0
        else:
            bp = math.exp(1 - ref_len / hyp_len)
        log_sum = math.fsum(
            weight * math.log((num if num else _EPSILON) / den)
            for num, den in zip(numerators, denominators, strict=True)
        )
        total += bp * math.exp(log_sum)
    return 100.0 * total / n_docs


def _closest_other_length(lengths: Counter[int], own: int) -> int:
    """nltk's closest_ref_length over all *other* documents (ties -> the shorter)."""
    best_len, best_key = own, (math.inf, math.inf)
    for length, count in lengths.items():
        if length == own and count < 2:
            continue
        key = (abs(length - own), length)
        if key < best_key:
            best_len, best_key = length, key
    return int(best_len)


def distinct_n(texts: Sequence[str], n: int = 2) -> float:
    """Distinct n-grams / all n-grams over the whole set (NaN when there are none)."""
    grams: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        grams.update(_ngrams(tokenize(text), n))
    total = sum(grams.values())
    return len(grams) / total if total else float("nan")


def _encode(texts: Sequence[str], embedder: Embedder | None, vectors: np.ndarray | None) -> np.ndarray:
    if vectors is not None:
        return np.asarray(vectors, dtype=np.float32)
    return (embedder or default_embedder()).encode(list(texts))


def set_stats(
    texts: Sequence[str], *, embedder: Embedder | None = None, vectors: np.ndarray | None = None
) -> dict[str, Any]:
    """#q, Avg.L, Self-BLEU, Dist-2 and Sim of a question set (keys as in ``STAT_COLUMNS``)."""
    texts = list(texts)
    return {
        "n_questions": len(texts),
        "avg_len": float(np.mean([len(t.split()) for t in texts])) if texts else float("nan"),
        "self_bleu": self_bleu(texts),
        "dist_2": distinct_n(texts, 2),
        "sim": mean_pairwise_similarity(_encode(texts, embedder, vectors))
        if len(texts) > 1
        else float("nan"),
    }


def novelty(
    texts: Sequence[str],
    other_texts: Sequence[str],
    *,
    embedder: Embedder | None = None,
    epsilon: float = DEFAULT_EPSILON,
) -> dict[str, Any]:
    """How new ``texts`` are with respect to ``other_texts``.

    ``avg_similarity``: mean cosine over all cross pairs (paper Table 8);
    ``mean_max_similarity``: mean over ``texts`` of the similarity to the closest
    question of the other set; ``share_above_epsilon``: share of ``texts`` whose
    closest other question is more similar than ``epsilon``.
    """
    if not texts or not other_texts:
        raise ValueError("novelty needs two non-empty question sets")
    a = _encode(texts, embedder, None)
    b = _encode(other_texts, embedder, None)
    avg = float(a.mean(axis=0, dtype=np.float64) @ b.mean(axis=0, dtype=np.float64))
    best = np.concatenate([(a[s : s + _BLOCK] @ b.T).max(axis=1) for s in range(0, len(a), _BLOCK)])
    return {
        "avg_similarity": avg,
        "mean_max_similarity": float(best.mean()),
        "share_above_epsilon": float((best > epsilon).mean()),
    }


def format_stats_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """Plain-text table, one row per set (``name`` plus any ``STAT_COLUMNS`` keys present)."""
    columns = [c for c in STAT_COLUMNS if any(c[0] in row for row in rows)]
    header = ["Set", *(h for _, h, _ in columns)]
    body = []
    for row in rows:
        cells = [str(row.get("name", ""))]
        for key, _, fmt in columns:
            value = row.get(key)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                cells.append("-")
            else:
                cells.append(fmt.format(value))
        body.append(cells)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in body)])
