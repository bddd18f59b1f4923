"""Question sets in and out of the generator: seed topics (App. B) and published sets (§3.2, App. C.7).

* :mod:`~adaem_gen.sets.seeds` -- ``adaem-gen seeds``: Touché23-ValueEval / ValueBench descriptions
  to general-topic questions with Listing 2 (App. B), the bandit's arms;
* :mod:`~adaem_gen.sets.expand` -- ``adaem-gen seeds --expand``: new descriptions with Listing 1 (App. B),
  deduplicated, journaled, with their provenance;
* :mod:`~adaem_gen.sets.dedup` -- the top-k similarity rule of Alg. 2 line 13 (App. C.4: ε, top-k)
  with a MinHash pre-filter (App. B);
* :mod:`~adaem_gen.sets.embedding` -- the sentence embeddings dedup and statistics compare;
* :mod:`~adaem_gen.sets.stats` -- the columns of Tables 1/7 and the novelty of Table 8;
* :mod:`~adaem_gen.sets.publish` -- a finished run as a versioned question set.
"""
