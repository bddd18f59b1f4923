"""``adaem-validate``: the paper's measurement studies as commands, over the same logs ``adaem-rank`` reads.

Each study is one module with a ``register(subparsers)`` function that adds its
sub-command (see :mod:`adaem_tasks.validate.cli`). Studies reuse the log readers and
the alignment of :mod:`adaem_tasks.rating`, so Inspect logs and lm-eval ``--log_samples``
output are read identically, and unknown labels stay unknown.
"""
