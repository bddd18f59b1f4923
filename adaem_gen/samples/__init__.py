"""Tiny sample inputs for ``adaem-gen seeds``, shipped so the command can be tried offline.

``arguments-sample.tsv`` is in the Touché23-ValueEval ``arguments-*.tsv`` format and
``value_items-sample.csv`` in ValueBench's ``value_items.csv`` format. Both were written for
this package (ten arguments, eight questionnaire-style items); they are **not** excerpts
of either dataset, which users download themselves (paper App. B).
``python -m adaem_gen.samples`` prints the directory.
"""

from pathlib import Path

__all__ = ["SAMPLES_DIR"]

SAMPLES_DIR = Path(__file__).resolve().parent
