"""The AdAEM question generator (paper §3.2, Alg. 2) and the ``adaem-gen`` command line.

The layout follows Algorithm 2:

* :mod:`adaem_gen.bandit` -- the bandit search: UCB arm selection, the arms' pools, one pull and
  its journaled steps, K pulls in flight (Alg. 2 lines 2-28);
* :mod:`adaem_gen.questions` -- how a model writes a question: exploration (Listings 5-6,
  line 11), reflection and refinement (Listings 7-8, line 17), the safety guard;
* :mod:`adaem_gen.scoring` -- the informativeness S of a question: App. C.3's approximation,
  App. I's exact estimator, the run's judge (lines 16, 18, 22);
* :mod:`adaem_gen.run` -- one run end to end: lifecycle, journal and resume, cost plan, display;
* :mod:`adaem_gen.sets` -- seed topics in (App. B, Listings 1-2), similarity dedup (line 13), set statistics,
  the published set out (App. C.7).

Beside them: :mod:`~adaem_gen.cli` (``adaem-gen``), :mod:`~adaem_gen.config` (the run's
settings, App. C.4 defaults), :mod:`~adaem_gen.models` (model handles and metering),
:mod:`~adaem_gen.extras` (the ``gen`` extra check), ``prompts/`` (Listings 1, 2, 5-8 as
templates) and ``samples/`` (tiny seed inputs).
"""
