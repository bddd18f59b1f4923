"""A tiny offline Inspect task that stands in for another benchmark of an eval suite.

Run next to AdAEM in one ``inspect eval-set`` (README, "Beside other benchmarks"):
its log lands in the same log directory, scored by its own scorer.
"""

from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.scorer import includes
from inspect_ai.solver import generate

PROBLEMS = [(2, 3), (7, 5), (12, 30), (41, 1), (9, 9), (100, 250)]


@task
def arithmetic() -> Task:
    """Add two numbers; scored by whether the answer contains the sum."""
    return Task(
        dataset=[
            Sample(
                id=f"add-{a}-{b}", input=f"What is {a} + {b}? Answer with the number only.", target=str(a + b)
            )
            for a, b in PROBLEMS
        ],
        solver=generate(),
        scorer=includes(),
    )
