"""How a model writes a question: App. C.3's chain-of-thought exploration and refinement.

* :mod:`~adaem_gen.questions.explore` -- Alg. 2 line 11: Listing 5 (collect a contextual fact) then
  Listing 6 (argument and yes/no question);
* :mod:`~adaem_gen.questions.refine` -- Alg. 2 line 17: Listing 7 (reflection) then Listing 8
  (refinement);
* :mod:`~adaem_gen.questions.two_turn` -- the ask / follow-up / read loop both share;
* :mod:`~adaem_gen.questions.parsing` -- reading Listing 6 / 8 answers and guard verdicts;
* :mod:`~adaem_gen.questions.guard` -- the optional safety guard (the paper's ethics statement).
"""
