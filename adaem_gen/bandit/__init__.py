"""The bandit search of Alg. 2: which seed topic to pull, one pull, and the arms' question pools.

* :mod:`~adaem_gen.bandit.ucb` -- UCB arm selection and reward update (Alg. 2 lines 2-8, 27-28);
* :mod:`~adaem_gen.bandit.search` -- the arms' pools ``X_i`` / ``S_i``, ``C_i`` / ``Q_i`` and the dedup
  index (line 13), updated in step order;
* :mod:`~adaem_gen.bandit.pull` -- one pull (lines 9-26): explore, guard, dedup, optimize, record;
* :mod:`~adaem_gen.bandit.steps` -- the pull's LLM steps as journaled units (lines 11, 16-22);
* :mod:`~adaem_gen.bandit.scheduler` -- up to K pulls in flight with the sequential algorithm's result
  (``--parallel``; ours, the paper runs one pull at a time);
* :mod:`~adaem_gen.bandit.nodes` -- a question in an arm's pool and per-pull counts.
"""
