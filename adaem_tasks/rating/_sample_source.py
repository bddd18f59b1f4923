"""Where an Inspect log's answers are read from: its sample summaries when they are as good as its samples.

Reading the samples (``read_eval_log`` with ``exclude_fields``) streams every sample's JSON
through a Python tokenizer to drop the transcript and validates what is left as an
``EvalSample``: 1.5-2.5 ms a sample, nearly all of ``adaem-rank``'s time on big logs. The
summaries Inspect stores in an ``.eval`` log carry each sample's id, epoch, error, metadata
and scores -- all a record needs. They are read from the log's ``summaries.json``
(:mod:`._summary_json`, about 0.05 ms a sample), else through Inspect's
``read_eval_log_sample_summaries`` (about 0.3 ms: it validates and thins them again), and
stand in for the samples only when:

* the log is an ``.eval`` file. A ``.json`` log stores no summaries; Inspect would build
  them from a full read, which saves nothing.
* the run has ended (status not ``started``). A running eval journals each sample and its
  summary as separate entries, so a read in between can see one without the other; when
  the run ends (``success``, ``cancelled`` or ``error``) it writes all summaries in one.
* the task vouches for its metadata (``summary_exact_metadata`` in the task metadata, see
  :mod:`adaem_tasks.dataset`). Summaries collapse the whitespace of metadata strings and
  cut them at 1,024 characters, and nothing in a summary shows whether that happened, so a
  category ``"Health "`` would read back as ``"Health"``. Logs written before the task
  recorded this are read in full.
* a finished run's summaries number what its header lists (samples x epochs).

Otherwise the samples are read, and :attr:`SampleSource.why` says why. A caller that needs a
value summaries may drop (a metadata value whose JSON exceeds 1k, such as long key points;
keys older Inspect versions left out) passes ``complete``: summaries failing it are replaced
by their samples, read by id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adaem_tasks.dataset import SUMMARY_EXACT_KEY
from adaem_tasks.rating._summary_json import read_summaries_json
from adaem_tasks.rating.records import Problem, ReadPath

if TYPE_CHECKING:
    from inspect_ai.log import EvalLog

__all__ = ["SampleSource", "adaem_samples", "read_adaem_samples", "summaries_unusable"]

#: Sample fields no reader of ours needs; skipping them makes big .eval logs faster to read in full.
_EXCLUDED_FIELDS = {"messages", "events", "store", "attachments", "model_usage", "output"}


@dataclass(frozen=True)
class SampleSource:
    """A log's samples (``EvalSample``) or their summaries (``EvalSampleSummary``), in Inspect's order.

    Both carry ``id``, ``epoch``, ``error`` (None when the sample did not fail), ``metadata``
    and ``scores``, which is all the record builder reads.
    """

    samples: list[Any]
    how: ReadPath
    why: str


def read_adaem_samples(path: str | Path) -> EvalLog | Problem:
    """The log with its samples, without the fields no reader of ours needs."""
    from inspect_ai.log import read_eval_log

    try:
        return read_eval_log(path, exclude_fields=_EXCLUDED_FIELDS)
    except Exception as exc:  # as in open_adaem_log: any failure means the samples cannot be used
        return Problem("unreadable", str(path), f"samples cannot be read ({type(exc).__name__}: {exc})")


def summaries_unusable(path: Path, header: EvalLog) -> str | None:
    """Why this log's summaries cannot stand in for its samples, judged from its header; None if they can."""
    if path.suffix != ".eval":
        return "a .json log stores no sample summaries"
    if header.status == "started":
        return "the eval has not finished (still running, or stopped without closing its log)"
    if (header.eval.metadata or {}).get(SUMMARY_EXACT_KEY) is not True:
        return (
            f"the task metadata does not vouch ({SUMMARY_EXACT_KEY}) that sample metadata survives "
            "summary thinning: a log from an older adaem-tasks, or metadata with extra whitespace "
            "or over 1,000 characters"
        )
    return None


def adaem_samples(
    path: Path,
    header: EvalLog,
    complete: Callable[[Any], bool] | None = None,
) -> SampleSource | Problem:
    """The log's summaries where they hold everything needed (see the module), else its samples."""
    why = summaries_unusable(path, header)
    if why is None:
        got = _from_summaries(path, header, complete)
        if isinstance(got, SampleSource):
            return got
        why = got
    log = read_adaem_samples(path)
    if isinstance(log, Problem):
        return log
    return SampleSource(log.samples or [], "samples", why)


def _sample_order(sample: Any) -> tuple[int, str]:
    """Epoch, then id, as a full read orders samples (integer ids compare by value, zero-padded)."""
    sample_id = sample.id if isinstance(sample.id, str) else str(sample.id).zfill(20)
    return sample.epoch, sample_id


def _expected_summaries(header: EvalLog) -> int | None:
    """How many samples a finished run logged, from its header; None when the header cannot say."""
    ids = header.eval.dataset.sample_ids
    if header.status != "success" or ids is None:
        return None  # an interrupted run logged only some of them
    return len(ids) * (header.eval.config.epochs or 1)


def _read_summaries(path: Path) -> tuple[list[Any], ReadPath, str] | str:
    """The summaries from ``summaries.json`` itself, else through Inspect's reader; or why neither works."""
    stored = read_summaries_json(path)
    if not isinstance(stored, str):
        return list(stored), "summaries", "read from its summaries.json"
    from inspect_ai.log import read_eval_log_sample_summaries

    try:
        return list(read_eval_log_sample_summaries(path)), "summaries-api", f"read by Inspect: {stored}"
    except Exception as exc:  # whatever fails here, the full read decides whether the log is usable
        return f"its summaries cannot be read ({type(exc).__name__}: {exc})"


def _from_summaries(
    path: Path, header: EvalLog, complete: Callable[[Any], bool] | None
) -> SampleSource | str:
    """The summaries, ordered as a full read orders samples; or why the samples must be read instead."""
    got = _read_summaries(path)
    if isinstance(got, str):
        return got
    summaries, how, why = got
    expected = _expected_summaries(header)
    if expected is not None and len(summaries) != expected:
        return f"it holds {len(summaries)} sample summaries where its header lists {expected} samples"
    summaries.sort(key=_sample_order)
    missing = [i for i, summary in enumerate(summaries) if complete is not None and not complete(summary)]
    if not missing:
        return SampleSource(summaries, how, why)
    if 2 * len(missing) > len(summaries):
        return f"{len(missing)} of {len(summaries)} summaries dropped a value that is needed"
    from inspect_ai.log import read_eval_log_samples_by_id

    keys = [(summaries[i].id, summaries[i].epoch) for i in missing]
    try:
        samples = read_eval_log_samples_by_id(path, keys, exclude_fields=_EXCLUDED_FIELDS)
    except Exception as exc:  # as above: let the full read decide
        return f"samples whose summaries dropped a value cannot be read by id ({type(exc).__name__}: {exc})"
    for i, sample in zip(missing, samples, strict=True):
        summaries[i] = sample
    return SampleSource(
        summaries, how, f"{why}; {len(missing)} samples read in full: their summaries dropped a value"
    )
