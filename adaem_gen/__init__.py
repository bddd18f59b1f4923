"""The AdAEM question generator (paper §3.2, Alg. 2) and the ``adaem-gen`` command line.

Modules, one job each:

* :mod:`~adaem_gen.pipeline` -- the bandit loop, resumable from its journal;
* :mod:`~adaem_gen.bandit` -- UCB arm selection; :mod:`~adaem_gen.reward` -- S of App. C.3;
* :mod:`~adaem_gen.explore` / :mod:`~adaem_gen.refine` / :mod:`~adaem_gen.estimate` /
  :mod:`~adaem_gen.guard` -- the LLM steps (Listings 5-8, Listing 3+4, safety guard);
* :mod:`~adaem_gen.journal` -- append-only fsync'd JSONL; :mod:`~adaem_gen.publish` --
  the versioned set; :mod:`~adaem_gen.progress` -- the display; :mod:`~adaem_gen.config`;
* :mod:`~adaem_gen.embedding`, :mod:`~adaem_gen.dedup`, :mod:`~adaem_gen.opinion_diversity`,
  :mod:`~adaem_gen.stats`, :mod:`~adaem_gen.seeds` -- similarity, dedup, BERTScore R_OD,
  set statistics and seed conversion.
"""
