"""Benchmark: deduplicate ~12,000 generated questions, from text to the kept set.

What is timed (same process, same machine, same questions):

* **ours (cold)** -- ``adaem_gen.sets.dedup.dedup_questions`` with an empty embedding
  cache: lexical MinHash pre-filter, MiniLM embedding of every survivor
  (``Embedder`` defaults: batch 128, max_seq_length 64, bf16 autocast where the CPU
  has native bf16), greedy top-k rule with blocked similarity products.
  The one-off import + model load is reported separately (it is paid once per process).
* **ours (warm)** -- the same call again: every embedding comes from the cache, which
  is the situation of a generator that embedded each question when it was produced.
* **naive** -- what a straightforward implementation does: sentence-transformers
  ``encode`` with its defaults (fp32, batch 32, max_seq_length 256), then a Python
  loop that compares each candidate with every kept question (matrix-vector product
  + sort for the top-k). The naive encoding is timed on ``--naive-sample`` questions
  and extrapolated linearly (encoding cost is linear in the number of texts); the
  naive loop runs on all questions.

Checks printed alongside: the blocked greedy pass gives exactly the naive loop's
decisions on the same vectors, and how many decisions change between fp32 and bf16
embeddings (on the naive sample, which is embedded in fp32 anyway).

Run: ``.venv/bin/python benchmarks/bench_dedup.py [--n 12000] [--naive-sample 2000]``
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Sequence

import numpy as np

PLACES = [
    "Japan", "Brazil", "Nigeria", "India", "Germany", "France", "the United States", "Canada", "Mexico",
    "South Korea", "Indonesia", "Kenya", "Egypt", "Turkey", "Poland", "Sweden", "Australia", "Argentina",
    "Vietnam", "the Philippines", "Saudi Arabia", "Iran", "Pakistan", "Bangladesh", "Ethiopia", "Chile",
    "Norway", "Italy", "Spain", "Greece", "rural China", "Singapore", "New Zealand", "South Africa",
    "Colombia", "Peru", "Morocco", "Thailand", "Ukraine", "Ireland",
]  # fmt: skip
ACTORS = [
    "the national government", "local councils", "public schools", "large employers", "hospitals",
    "social media platforms", "religious leaders", "parents", "universities", "police forces",
    "city planners", "courts", "banks", "farmers' cooperatives", "tech companies",
]  # fmt: skip
ACTIONS = [
    "ban {thing}", "subsidize {thing}", "heavily tax {thing}", "legalize {thing}", "restrict {thing}",
    "promote {thing}", "phase out {thing}", "publicly fund {thing}", "strictly regulate {thing}",
    "require citizens to accept {thing}",
]  # fmt: skip
THINGS = [
    "payday loans", "single-use plastics", "private schooling", "gene editing of human embryos",
    "facial recognition in public spaces", "cryptocurrency mining", "nuclear power plants",
    "genetically modified crops", "homeschooling", "online gambling", "fast food advertising to children",
    "euthanasia", "surrogacy for profit", "military conscription", "short-term holiday rentals",
    "ride-hailing apps", "traditional bullfighting", "fireworks during festivals", "meat from factory farms",
    "four-day work weeks", "remote voting", "universal basic income", "tuition-free university",
    "smartphones in classrooms", "self-driving taxis", "coal mining", "sugar-sweetened drinks",
    "religious symbols in schools", "predictive policing software", "AI-generated political ads",
]  # fmt: skip
GOALS = [
    "economic growth", "environmental protection", "individual privacy", "national security",
    "religious tradition", "personal freedom", "social harmony", "public health", "family stability",
    "cultural heritage", "equal opportunity", "scientific progress",
]  # fmt: skip
CONTEXTS = [
    "rising youth unemployment", "an aging population", "repeated severe floods",
    "a recent corruption scandal",
    "record levels of household debt", "a growing migrant population", "falling birth rates",
    "a housing shortage", "widespread distrust of institutions", "a booming tourism industry",
]  # fmt: skip
TEMPLATES = [
    "Should {actor} in {place} {action}?",
    "Is it acceptable for {actor} in {place} to {action} to protect {goal}?",
    "Given {context}, should {place} {action}?",
    "Should {place} {action} even if doing so harms {goal}?",
    "Would it be right for {actor} in {place} to {action} in the name of {goal}?",
    "Amid {context}, is it fair for {actor} in {place} to {action}?",
]
SYNONYMS = {"ban": "prohibit", "Should": "Ought", "acceptable": "okay", "fair": "just", "right": "correct"}


def make_questions(n: int, near_dup_fraction: float = 0.1, seed: int = 0) -> list[str]:
    """``n`` distinct template questions, ``near_dup_fraction`` of them near-copies of others."""
    rng = random.Random(seed)
    n_dups = int(n * near_dup_fraction)
    base: list[str] = []
    seen: set[str] = set()
    while len(base) < n - n_dups:
        action = rng.choice(ACTIONS).format(thing=rng.choice(THINGS))
        text = rng.choice(TEMPLATES).format(
            actor=rng.choice(ACTORS), place=rng.choice(PLACES), action=action,
            goal=rng.choice(GOALS), context=rng.choice(CONTEXTS),
        )  # fmt: skip
        if text not in seen:
            seen.add(text)
            base.append(text)
    out = list(base)
    for _ in range(n_dups):
        original = rng.choice(base)
        kind = rng.randrange(3)
        if kind == 0:  # casing / punctuation
            variant = original.lower().replace("?", " ?")
        elif kind == 1:  # one synonym
            words = original.split()
            swaps = [i for i, w in enumerate(words) if w in SYNONYMS]
            if swaps:
                i = rng.choice(swaps)
                words[i] = SYNONYMS[words[i]]
            variant = " ".join(words)
        else:  # one filler word
            words = original.split()
            words.insert(rng.randrange(1, len(words)), rng.choice(["really", "actually", "now"]))
            variant = " ".join(words)
        out.insert(rng.randrange(len(out) + 1), variant)
    return out


class _Precomputed:
    """Embedder stand-in returning known vectors (to compare algorithms on identical inputs)."""

    def __init__(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        self._rows = {t: v for t, v in zip(texts, vectors, strict=True)}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._rows[t] for t in texts])


def naive_greedy(vectors: np.ndarray, epsilon: float, top_k: int) -> list[int]:
    """Reference implementation: compare each candidate with every kept one."""
    kept_vecs = np.empty_like(vectors)
    kept: list[int] = []
    for i, v in enumerate(vectors):
        n = len(kept)
        if n:
            sims = np.sort(kept_vecs[:n] @ v)[::-1][:top_k]
            if sims.mean() > epsilon:
                continue
        kept_vecs[n] = v
        kept.append(i)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=12_000)
    parser.add_argument("--naive-sample", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    load0 = os.getloadavg()[0]
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    texts = make_questions(args.n, seed=args.seed)
    words = np.mean([len(t.split()) for t in texts])
    print(f"questions: {len(texts)} (mean {words:.1f} words, ~10% near-duplicates), CPUs: {os.cpu_count()}")

    t0 = time.perf_counter()
    import torch

    from adaem_gen.sets.dedup import DEFAULT_EPSILON, DEFAULT_TOP_K, QuestionIndex, dedup_questions
    from adaem_gen.sets.embedding import Embedder

    embedder = Embedder()
    model = embedder.model
    t_load = time.perf_counter() - t0
    print(
        f"import + model load (once per process): {t_load:.1f} s; torch threads {torch.get_num_threads()}, "
        f"precision {embedder.precision}, max_seq_length {model.max_seq_length}, batch {embedder.batch_size}"
    )

    encode_time = 0.0
    encode_count = 0
    original = embedder._encode_uncached

    def timed(batch: list[str]) -> np.ndarray:
        nonlocal encode_time, encode_count
        start = time.perf_counter()
        out = original(batch)
        encode_time += time.perf_counter() - start
        encode_count += len(batch)
        return out

    embedder._encode_uncached = timed  # type: ignore[method-assign,assignment]

    t0 = time.perf_counter()
    kept = dedup_questions(texts, embedder=embedder)
    t_ours = time.perf_counter() - t0
    print(
        f"ours, cold cache : {t_ours:6.2f} s  (embedding {encode_count} texts: {encode_time:.2f} s = "
        f"{encode_count / encode_time:.0f}/s; lexical + similarity: {t_ours - encode_time:.2f} s) "
        f"-> kept {len(kept)}"
    )
    t0 = time.perf_counter()
    kept_warm = dedup_questions(texts, embedder=embedder)
    t_warm = time.perf_counter() - t0
    assert kept_warm == kept
    print(f"ours, warm cache : {t_warm:6.2f} s")

    # -- naive baseline ---------------------------------------------------------------------
    sample = texts[: args.naive_sample]
    model.max_seq_length = 256
    t0 = time.perf_counter()
    with torch.inference_mode():
        naive_vecs = model.encode(sample, batch_size=32, convert_to_numpy=True, normalize_embeddings=True)
    t_naive_sample = time.perf_counter() - t0
    model.max_seq_length = embedder.max_seq_length
    t_naive_encode = t_naive_sample * len(texts) / len(sample)

    ours_vecs = embedder.encode(texts)  # from the cache
    t0 = time.perf_counter()
    naive_kept = naive_greedy(ours_vecs, DEFAULT_EPSILON, DEFAULT_TOP_K)
    t_naive_loop = time.perf_counter() - t0
    t_naive = t_naive_encode + t_naive_loop
    print(
        f"naive            : {t_naive:6.2f} s  (fp32/batch 32/seq 256 encoding {t_naive_sample:.2f} s for "
        f"{len(sample)} texts -> {t_naive_encode:.1f} s extrapolated; "
        f"Python greedy loop {t_naive_loop:.2f} s)"
    )

    index = QuestionIndex(_Precomputed(texts, ours_vecs), lexical=False)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    blocked = [i for i, k in enumerate(index.filter_new(texts)) if k]
    t_blocked = time.perf_counter() - t0
    print(
        f"check: blocked greedy pass on the same vectors {t_blocked:.2f} s vs loop {t_naive_loop:.2f} s "
        f"({t_naive_loop / t_blocked:.1f}x), identical decisions: {blocked == naive_kept}"
    )
    sample_idx = QuestionIndex(_Precomputed(sample, ours_vecs[: len(sample)]), lexical=False)  # type: ignore[arg-type]
    fp32_idx = QuestionIndex(_Precomputed(sample, naive_vecs), lexical=False)  # type: ignore[arg-type]
    agree = np.mean(np.array(sample_idx.filter_new(sample)) == np.array(fp32_idx.filter_new(sample)))
    cos = float(np.min(np.sum(naive_vecs * ours_vecs[: len(sample)], axis=1)))
    print(
        f"check: {embedder.precision} vs fp32 embeddings on {len(sample)} texts: min cosine {cos:.5f}, "
        f"same dedup decision for {100 * agree:.2f}%"
    )
    print(
        f"check: kept {len(kept)} with the lexical pre-filter vs {len(naive_kept)} by the top-k rule alone "
        f"(near-copies of a single question pass the top-{DEFAULT_TOP_K} mean rule)"
    )
    cpu_s = time.process_time() - cpu0
    print(
        f"machine load: 1-min load average {load0:.2f} at start, {os.getloadavg()[0]:.2f} at end; "
        "this process "
        f"used {cpu_s:.0f} CPU-s in {time.perf_counter() - wall0:.0f} s wall (timings are only comparable "
        "within one run)"
    )
    print(
        f"RESULT: {len(texts)} questions text->kept set: ours {t_ours:.2f} s cold / {t_warm:.2f} s warm, "
        f"naive {t_naive:.1f} s -> {t_naive / t_ours:.1f}x faster cold, {t_naive / t_warm:.0f}x warm"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
