"""The lm-evaluation-harness side of AdAEM: what the YAML configs in ``task_configs/`` call.

lm-eval runs the examinee; everything after that is the same chain as the Inspect task,
imported rather than copied: :func:`~adaem_tasks.opinion.opinion_prompt` builds the prompt,
:func:`~adaem_tasks.opinion.parse_opinion` reads the answer and
:func:`~adaem_tasks.judge.judge_opinion` labels every key point through Inspect's model
layer (providers, retries, response cache and ``max_connections`` all come from Inspect).

Why a ``custom`` filter does the judging: lm-eval calls ``process_results`` once per
document, serially, so judging there would make one judge round trip at a time. A filter
sees every response of a task at once, so all judge calls are issued together with
:func:`asyncio.gather` and bounded only by Inspect's connection limit. The filter turns each
response into a JSON verdict (:class:`AnswerVerdict`); that string is what lands in
``filtered_resps`` of the ``--log_samples`` output, and ``process_results`` only reads it.

Configuration is by environment, so one setting serves both harnesses:

* ``ADAEM_JUDGE_MODEL`` (required): an Inspect model spec, e.g. ``openai/gpt-4o`` or
  ``openai-api/<service>/<model>``.
* ``ADAEM_JUDGE_MODE``: ``single`` (default, paper-faithful) or ``batched``.
* ``ADAEM_JUDGE_MAX_CONNECTIONS``: concurrent judge calls (default 16).
* ``ADAEM_JUDGE_THRESHOLD``: P(Yes) at or above which a probability label is Yes (default
  0.5; used where the judge returns token log-probabilities, single mode).
* ``ADAEM_JUDGE_LOGPROBS``: ``0`` to stop asking the judge for log-probabilities (default ``1``).
* ``ADAEM_QUESTION_SET_VERSION`` / ``ADAEM_QUESTIONS``: which question set to load (a
  published version, or a JSONL file / set directory); ``--metadata`` keys
  ``question_set_version`` / ``questions`` override them.

Every value is checked where it is read (one ``lm-eval (AdAEM): error:`` line, exit 1): the
numbers with the checkers every entry point shares (:mod:`adaem_tasks.cli_types`), and an
Inspect task option passed as ``--metadata`` (``points``, ``judge_mode``, ...) is refused rather
than ignored -- lm-eval hands every metadata key (``--model_args`` too) to the loader, so
unknown keys in general cannot be refused, but one that reads as a setting of the measurement can.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from inspect_ai.model import GenerateConfig, Model, get_model
from pydantic import BaseModel, Field

from adaem_tasks.blank_text import is_blank
from adaem_tasks.cli_types import flag, number
from adaem_tasks.conditions import Conditions
from adaem_tasks.errors import InputError, install_excepthook
from adaem_tasks.judge import JudgeConfig, JudgeMode, Label, judge_opinion
from adaem_tasks.opinion import DEFAULT_POINTS, DEFAULT_WORDS, ParseOutcome, opinion_prompt, parse_opinion
from adaem_tasks.questions import DEFAULT_VERSION, QuestionSet, content_hash, load_question_set
from adaem_tasks.value_systems import ValueSystem, load_value_system

__all__ = [
    "DOC_FIELDS",
    "ENV_JUDGE_MAX_CONNECTIONS",
    "ENV_JUDGE_MODE",
    "ENV_JUDGE_LOGPROBS",
    "ENV_JUDGE_MODEL",
    "ENV_JUDGE_THRESHOLD",
    "ENV_QUESTIONS",
    "ENV_QUESTION_SET_VERSION",
    "AnswerVerdict",
    "JudgeNotConfiguredError",
    "JudgeSettings",
    "check_judge",
    "doc_to_text",
    "judge_answers",
    "judge_filter",
    "judge_settings",
    "load_questions",
    "nanmean",
    "process_results",
    "question_docs",
    "run_conditions",
    "verdict_metrics",
]

logger = logging.getLogger(__name__)

ENV_JUDGE_MODEL = "ADAEM_JUDGE_MODEL"
ENV_JUDGE_MODE = "ADAEM_JUDGE_MODE"
ENV_JUDGE_MAX_CONNECTIONS = "ADAEM_JUDGE_MAX_CONNECTIONS"
ENV_JUDGE_THRESHOLD = "ADAEM_JUDGE_THRESHOLD"
ENV_JUDGE_LOGPROBS = "ADAEM_JUDGE_LOGPROBS"
ENV_QUESTION_SET_VERSION = "ADAEM_QUESTION_SET_VERSION"
ENV_QUESTIONS = "ADAEM_QUESTIONS"
DEFAULT_MAX_CONNECTIONS = 16

DOC_FIELDS = ("id", "question", "category", "topic", "set_version", "value_system", "set_content_hash")
"""Keys of every lm-eval doc; ``adaem-rank`` aligns lm-eval and Inspect logs on them.

``set_content_hash`` is computed from the questions actually loaded (not copied from a
manifest), so ``adaem-rank`` can refuse logs of one version name whose questions differ."""

T = TypeVar("T")


# --------------------------------------------------------------------------- settings


class JudgeNotConfiguredError(RuntimeError):
    """The judge cannot be built from the environment (raised before examinee calls)."""


class JudgeSettings(BaseModel):
    model: str
    mode: JudgeMode = "single"
    max_connections: int = Field(DEFAULT_MAX_CONNECTIONS, ge=1)
    threshold: float = Field(0.5, ge=0.0, le=1.0)
    logprobs: bool = True


def judge_settings(env: Mapping[str, str] | None = None) -> JudgeSettings:
    """Read the judge settings from ``env`` (default ``os.environ``), with errors that say what to set."""
    env = os.environ if env is None else env
    spec = env.get(ENV_JUDGE_MODEL, "").strip()
    if not spec:
        raise JudgeNotConfiguredError(
            f"{ENV_JUDGE_MODEL} is not set. The AdAEM lm-eval tasks label answers with an LLM judge "
            f"called through Inspect; set {ENV_JUDGE_MODEL} to an Inspect model spec, e.g. "
            f"'openai/gpt-4o' or 'openai-api/<service>/<model>' (with <SERVICE>_BASE_URL and "
            f"<SERVICE>_API_KEY), the same judge as `inspect eval ... --model-role grader=<spec>`."
        )
    mode = env.get(ENV_JUDGE_MODE, "single").strip().lower() or "single"
    if mode not in ("single", "batched"):
        raise JudgeNotConfiguredError(f"{ENV_JUDGE_MODE} must be 'single' or 'batched', got {mode!r}")
    raw_connections = env.get(ENV_JUDGE_MAX_CONNECTIONS, "").strip() or str(DEFAULT_MAX_CONNECTIONS)
    raw_threshold = env.get(ENV_JUDGE_THRESHOLD, "").strip() or "0.5"
    raw_logprobs = env.get(ENV_JUDGE_LOGPROBS, "").strip() or "1"
    try:  # the checkers every entry point shares: finite, in range, whole where an int is meant
        connections = number(ENV_JUDGE_MAX_CONNECTIONS, raw_connections, "int", low=1)
        threshold = number(ENV_JUDGE_THRESHOLD, raw_threshold, low=0.0, high=1.0)
        logprobs = flag(ENV_JUDGE_LOGPROBS, raw_logprobs)
    except InputError as exc:
        raise JudgeNotConfiguredError(str(exc)) from None
    return JudgeSettings.model_validate(
        {
            "model": spec,
            "mode": mode,
            "max_connections": connections,
            "threshold": threshold,
            "logprobs": logprobs,
        }
    )


def _judge_model(settings: JudgeSettings) -> Model:
    # memoize=False: each filter call owns (and closes) its client, so no HTTP client
    # outlives the event loop it was bound to when both tasks of the group run.
    return get_model(
        settings.model, config=GenerateConfig(max_connections=settings.max_connections), memoize=False
    )


def check_judge(env: Mapping[str, str] | None = None) -> JudgeSettings:
    """Fail early: read the settings and build the judge model (missing API keys surface here).

    Called when lm-eval loads the task, i.e. before a single examinee request is sent.
    """
    settings = judge_settings(env)
    try:
        _judge_model(settings)
    except Exception as exc:  # provider errors vary (PrerequisiteError, ValueError, ...)
        raise JudgeNotConfiguredError(
            f"cannot build the judge model {settings.model!r} from {ENV_JUDGE_MODEL}: {exc}"
        ) from exc
    return settings


# --------------------------------------------------------------------------- dataset


def question_docs(value_system: str, qset: QuestionSet) -> list[dict[str, str]]:
    """One lm-eval doc per question, carrying exactly :data:`DOC_FIELDS`."""
    digest = content_hash(qset.questions)
    return [
        {
            "id": q.id,
            "question": q.question,
            "category": q.category,
            "topic": q.topic,
            "set_version": qset.version,
            "value_system": value_system,
            "set_content_hash": digest,
        }
        for q in qset.questions
    ]


_INSPECT_ONLY_OPTIONS = (
    "points",
    "words",
    "prime",
    "categories",
    "judge_mode",
    "judge_max_attempts",
    "judge_threshold",
    "judge_logprobs",
)
"""Inspect ``-T`` options the lm-eval tasks do not take: passed as ``--metadata`` they would be
ignored (lm-eval hands every key to the loader), and the run would not be what was asked for."""


def _check_metadata(question_set_version: object, questions: object, extra: Mapping[str, object]) -> None:
    """One :class:`InputError` line for a ``--metadata`` value the tasks cannot use as given."""
    for name, value in (("question_set_version", question_set_version), ("questions", questions)):
        if value is not None and (not isinstance(value, str) or is_blank(value)):
            raise InputError(f"--metadata {name} must be a non-blank string, got {value!r}")
    ignored = [name for name in _INSPECT_ONLY_OPTIONS if name in extra]
    if ignored:
        raise InputError(
            f"--metadata {', '.join(ignored)}: the lm-eval tasks do not take "
            f"{'these options' if len(ignored) > 1 else 'this option'} of the Inspect task; they ask for "
            f"{DEFAULT_POINTS} key points in {DEFAULT_WORDS} words, and the judge is set by "
            f"{ENV_JUDGE_MODE}, {ENV_JUDGE_THRESHOLD} and {ENV_JUDGE_LOGPROBS}"
        )


def load_questions(
    value_system: str,
    question_set_version: str | None = None,
    questions: str | None = None,
    check_judge_config: bool = True,
    **_lm_eval_metadata: Any,
) -> Any:
    """``custom_dataset`` of the task YAMLs: the versioned question set as a ``DatasetDict``.

    lm-eval calls this with the task's ``dataset_kwargs`` plus its ``metadata`` (which
    also holds ``--metadata`` and ``--model_args`` entries, hence ``**_lm_eval_metadata``).
    Loading through :func:`~adaem_tasks.questions.load_question_set` rather than
    ``data_files`` means versions resolve like in the Inspect task and nothing depends on
    the working directory.
    """
    import datasets  # lm-eval's dependency; only needed on this path

    # lm-eval prints a traceback for any error; ours are one line (file:line: reason) instead
    install_excepthook("lm-eval (AdAEM)", (InputError, JudgeNotConfiguredError))
    _check_metadata(question_set_version, questions, _lm_eval_metadata)
    load_value_system(value_system)  # unknown system -> clear error now
    if flag("check_judge_config", check_judge_config):
        check_judge()
    version = question_set_version or os.environ.get(ENV_QUESTION_SET_VERSION) or DEFAULT_VERSION
    path = questions or os.environ.get(ENV_QUESTIONS) or None
    qset = load_question_set(version=version, questions=path)
    docs = question_docs(value_system, qset)
    logger.info("AdAEM %s: %d questions from set %r", value_system, len(docs), qset.version)
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(docs)})


def doc_to_text(doc: Mapping[str, Any]) -> str:
    """Paper Listing 3, the same prompt the Inspect solver sends."""
    return opinion_prompt(str(doc["question"]))


# --------------------------------------------------------------------------- judging


class AnswerVerdict(BaseModel):
    """What the filter makes of one examinee answer (stored as JSON in ``filtered_resps``).

    ``vector`` is ``None`` when the answer could not be judged (refusal, empty,
    unparseable, or the judge itself errored): such answers are no value observation.
    Inside a vector, ``None`` marks one value whose judge label is unknown (see
    :func:`adaem_tasks.judge.or_labels`); it becomes NaN in the metrics, never 0.
    """

    parse_outcome: ParseOutcome
    stance: str | None = None
    points: list[str] = Field(default_factory=list)
    point_labels: list[dict[str, Label]] = Field(default_factory=list)
    point_probabilities: list[dict[str, float]] = Field(
        default_factory=list,
        description="P(Yes) per point and value, where the judge returned log-probabilities.",
    )
    vector: dict[str, Label] | None = None
    judge_failures: int = 0
    judge_error: str | None = None
    judge: str | None = None  # the judge's model spec, so ranked logs can say who labelled them
    conditions: dict[str, Any] | None = Field(
        default=None,
        description="The measurement settings (adaem_tasks.conditions.Conditions): the same keys the Inspect "
        "task writes into its eval metadata, so adaem-rank never merges runs measured differently.",
    )


async def _judge_one(
    model: Model, system: ValueSystem, text: str | None, config: JudgeConfig, points: int, judge: str | None
) -> AnswerVerdict:
    parsed = parse_opinion(text, expected_points=points)
    verdict = AnswerVerdict(
        parse_outcome=parsed.outcome,
        stance=parsed.stance,
        points=[p.text for p in parsed.points],
        judge=judge,
    )
    if not parsed.outcome.judged:
        return verdict
    try:
        judgement = await judge_opinion(model, system, verdict.points, config)
    except Exception as exc:  # one broken call must not discard the rest of a paid-for run
        verdict.judge_error = f"{type(exc).__name__}: {exc}"
        return verdict
    verdict.point_labels = [p.labels for p in judgement.points]
    if any(p.probabilities for p in judgement.points):
        verdict.point_probabilities = [p.probabilities for p in judgement.points]
    verdict.vector = dict(judgement.vector)
    verdict.judge_failures = judgement.judge_failures
    return verdict


async def judge_answers(
    model: Model,
    answers: Sequence[tuple[ValueSystem, str | None]],
    config: JudgeConfig | None = None,
    points: int = DEFAULT_POINTS,
    progress: Callable[[], None] | None = None,
    judge: str | None = None,
) -> list[AnswerVerdict]:
    """Parse and judge every answer concurrently; results keep the input order."""
    cfg = config or JudgeConfig.model_validate({})

    async def one(system: ValueSystem, text: str | None) -> AnswerVerdict:
        verdict = await _judge_one(model, system, text, cfg, points, judge)
        if progress is not None:
            progress()
        return verdict

    return list(await asyncio.gather(*(one(system, text) for system, text in answers)))


def _run_sync(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine from lm-eval's synchronous code, even if a loop is already running."""

    async def main() -> T:
        return await make()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def _first_response(resp: Any) -> str | None:
    # inst.resps is a list with one entry per repeat; the tasks use repeats: 1.
    if isinstance(resp, list | tuple):
        return _first_response(resp[0]) if resp else None
    return None if resp is None else str(resp)


def judge_filter(resps: Iterable[Any], docs: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ``custom`` filter: judge all responses of a task at once, one JSON verdict each."""
    resps, docs = list(resps), list(docs)
    settings = judge_settings()
    config = JudgeConfig.model_validate(
        {"mode": settings.mode, "threshold": settings.threshold, "logprobs": settings.logprobs}
    )
    answers = [
        (load_value_system(str(doc["value_system"])), _first_response(r))
        for r, doc in zip(resps, docs, strict=True)
    ]

    from tqdm.auto import tqdm  # lm-eval's dependency

    async def run() -> list[AnswerVerdict]:
        with tqdm(total=len(answers), desc=f"AdAEM judge ({settings.model})", unit="answer") as bar:
            async with _judge_model(settings) as model:
                return await judge_answers(
                    model, answers, config, progress=lambda: bar.update(1), judge=settings.model
                )

    verdicts = _run_sync(run)
    _report(settings, verdicts)
    conditions = run_conditions(settings, config).to_metadata()
    return [v.model_copy(update={"conditions": conditions}).model_dump_json() for v in verdicts]


def run_conditions(settings: JudgeSettings, config: JudgeConfig) -> Conditions:
    """The measurement settings of an lm-eval run: the default prompt, unprimed, the judge as configured."""
    return Conditions(
        prime=None,
        points=DEFAULT_POINTS,
        words=DEFAULT_WORDS,
        judge_mode=settings.mode,
        judge_threshold=settings.threshold,
        judge_logprobs=settings.logprobs,
        judge_max_attempts=config.max_attempts,
    )


def _report(settings: JudgeSettings, verdicts: Sequence[AnswerVerdict]) -> None:
    """Log what the judge did; a judge that failed on every answer is a broken setup, not data."""
    attempted = [v for v in verdicts if v.parse_outcome.judged]
    errored = [v for v in attempted if v.judge_error is not None]
    if attempted and len(errored) == len(attempted):
        raise RuntimeError(
            f"every judge call to {settings.model!r} failed; first error: {errored[0].judge_error}"
        )
    if errored:
        logger.warning(
            "AdAEM judge: %d of %d answers could not be judged (counted as not judgeable); first error: %s",
            len(errored),
            len(attempted),
            errored[0].judge_error,
        )
    logger.info(
        "AdAEM judge %s (%s): %d answers, %d judged, %d not judgeable, %d unreadable judge labels",
        settings.model,
        settings.mode,
        len(verdicts),
        len(attempted) - len(errored),
        len(verdicts) - len(attempted),
        sum(v.judge_failures for v in verdicts),
    )


# --------------------------------------------------------------------------- metrics


def verdict_metrics(system: ValueSystem, verdict: AnswerVerdict) -> dict[str, float]:
    """One metric per value, plus ``parse_failure`` and ``judge_failure``.

    A value is NaN when it is unknown: the whole answer was not judged, or that value's
    judge label could not be read. ``judge_failure`` is the share of a judged answer's
    values that are unknown (NaN for an answer that was not judged).
    """
    vector = verdict.vector
    metrics: dict[str, float] = {}
    for k in system.keys:
        label = vector.get(k) if vector is not None else None
        metrics[k] = math.nan if label is None else float(label)
    metrics["parse_failure"] = 0.0 if verdict.parse_outcome.judged else 1.0
    # a judge that raised (vector None on a judged answer) leaves every value unknown
    metrics["judge_failure"] = (
        sum(math.isnan(metrics[k]) for k in system.keys) / len(system.keys)
        if verdict.parse_outcome.judged
        else math.nan
    )
    return metrics


def process_results(doc: Mapping[str, Any], results: Sequence[Any]) -> dict[str, float]:
    """Read the filter's JSON verdict; lm-eval calls this once per doc."""
    if not results or not isinstance(results[0], str) or not results[0].lstrip().startswith("{"):
        raise ValueError(
            "AdAEM process_results expects the JSON verdict of the 'value_judge' filter; "
            f"got {results!r:.200}. Keep the task's filter_list (custom filter judge_filter)."
        )
    verdict = AnswerVerdict.model_validate_json(results[0])
    return verdict_metrics(load_value_system(str(doc["value_system"])), verdict)


def nanmean(items: Sequence[float]) -> float:
    """Mean over judged answers only (NaN entries are unjudgeable answers); NaN if none."""
    kept = [float(x) for x in items if x is not None and not math.isnan(float(x))]
    return sum(kept) / len(kept) if kept else math.nan
