"""A generator run: Alg. 2 end to end for one configuration, resumable, planned and watched.

* :mod:`~adaem_gen.run.pipeline` -- the run's lifecycle: Alg. 2's input (seeds scored as ``X_i`` /
  ``S_i``), the budget-B loop, publishing;
* :mod:`~adaem_gen.run.plan` -- calls, tokens and cost of a budget before spending it (App. K's B);
* :mod:`~adaem_gen.run.journal`, :mod:`~adaem_gen.run.units`, :mod:`~adaem_gen.run.records` -- the
  append-only journal, its units of work and what a resume replays (ours: the paper has no resume);
* :mod:`~adaem_gen.run.progress`, :mod:`~adaem_gen.run.throughput` -- the display and live rates.
"""
