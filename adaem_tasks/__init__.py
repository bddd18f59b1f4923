"""AdAEM value-difference evaluation for inspect-ai and lm-evaluation-harness.

Shared logic (value systems, prompts, answer parsing, the judge, question sets,
rating) lives in this package and is imported by the Inspect tasks, the lm-eval
task configs and the ``adaem-gen`` generator alike. The Inspect tasks ``schwartz`` and
``mft`` are exported here (``inspect eval adaem_tasks/schwartz``).
"""

from adaem_tasks.judge import JudgeConfig, judge_opinion, judge_point, or_labels
from adaem_tasks.opinion import ParsedOpinion, ParseOutcome, opinion_prompt, parse_opinion
from adaem_tasks.questions import (
    DEFAULT_VERSION,
    Question,
    QuestionFileError,
    QuestionSet,
    load_question_set,
)
from adaem_tasks.tasks import mft, schwartz
from adaem_tasks.value_systems import ValueSystem, load_value_system

__all__ = [
    "DEFAULT_VERSION",
    "JudgeConfig",
    "ParseOutcome",
    "ParsedOpinion",
    "Question",
    "QuestionFileError",
    "QuestionSet",
    "ValueSystem",
    "judge_opinion",
    "judge_point",
    "load_question_set",
    "load_value_system",
    "mft",
    "opinion_prompt",
    "or_labels",
    "parse_opinion",
    "schwartz",
]
