"""The AdAEM question generator (paper §3.2, Alg. 2) and the ``adaem-gen`` command line.

Modules, one job each:

* :mod:`~adaem_gen.pipeline` -- a run's lifecycle, resumable from its journal;
* :mod:`~adaem_gen.scheduler` -- up to K bandit pulls in flight, in step order;
  :mod:`~adaem_gen.search` -- arm pools, bandit and dedup index; :mod:`~adaem_gen.pull` -- one pull;
* :mod:`~adaem_gen.bandit` -- UCB arm selection; :mod:`~adaem_gen.reward` -- S of App. C.3;
* :mod:`~adaem_gen.steps` -- the journaled LLM steps built on :mod:`~adaem_gen.explore` /
  :mod:`~adaem_gen.refine` / :mod:`~adaem_gen.estimate` / :mod:`~adaem_gen.guard` (Listings 5-8,
  Listing 3+4, safety guard); :mod:`~adaem_gen.estimators` -- where the estimator is built;
  :mod:`~adaem_gen.judgements` -- the run's judge, once per distinct text;
* :mod:`~adaem_gen.units` -- journaled units of work; :mod:`~adaem_gen.journal` -- append-only
  JSONL with grouped fsync; :mod:`~adaem_gen.publish` -- the versioned set;
  :mod:`~adaem_gen.progress` / :mod:`~adaem_gen.throughput` -- the display and live rates;
  :mod:`~adaem_gen.plan` -- calls, tokens and cost before a run; :mod:`~adaem_gen.config`;
* :mod:`~adaem_gen.embedding`, :mod:`~adaem_gen.dedup`, :mod:`~adaem_gen.opinion_diversity`,
  :mod:`~adaem_gen.stats`, :mod:`~adaem_gen.seeds` -- similarity, dedup, BERTScore R_OD,
  set statistics and seed conversion.
"""
