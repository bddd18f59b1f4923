"""A question's informativeness S (Eq. 1): App. C.3's approximation and App. I's exact estimator.

* :mod:`~adaem_gen.scoring.reward` -- S = R_VC + R_VD + R_OD - R_Dis / 2 from value sets (App. C.3);
* :mod:`~adaem_gen.scoring.estimate` -- S of a text under a model set (Alg. 2 lines 16, 18, 22):
  Listing 3 opinions, Listing 4 judge labels;
* :mod:`~adaem_gen.scoring.opinion_diversity` -- R_OD with BERTScore (App. C.3);
* :mod:`~adaem_gen.scoring.exact` -- App. I's estimator from log-probabilities (``--estimator exact``);
* :mod:`~adaem_gen.scoring.estimators` -- the one place the run's estimator is chosen;
* :mod:`~adaem_gen.scoring.judgements` -- the run's judge (Listing 4), once per distinct text.
"""
