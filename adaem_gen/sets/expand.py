"""``adaem-gen seeds --expand N --model M``: new seed descriptions with the paper's Listing 1.

App. B grows the pool of general controversial topics before turning them into questions:
"We employ multiple LLMs like GPT-4o and Qwen2.5-72B-Instruct to further expand them
[9,324 Touché arguments] into 14k arguments by using prompt 1". Listing 1 shows the model
three sampled descriptions as cases and asks for one more. Here:

* each call ``i`` samples its three cases from the input descriptions with
  ``random.Random(f"{seed}/expand/{i}")`` -- a call's cases depend on the seed and its
  index only, so a resumed expansion asks the same prompts;
* the answer's ``[Description]`` is read (:func:`parse_description`); a reply with none
  (refusal, empty, run-on) is counted as unreadable;
* a description is kept when :class:`~adaem_gen.sets.dedup.QuestionIndex` -- the
  generator's own dedup, lexical MinHash filter plus the top-k similarity rule -- finds it
  new against every input description and every description kept before it;
* calls go on until ``N`` are kept; each call is one line of ``<out>/expand.jsonl``
  (an append-only :class:`~adaem_gen.run.journal.Journal`, synced per line), so a killed
  expansion resumes (``--resume``) from its journal without paying for a call twice --
  the dedup decisions are recomputed from the journaled answers in call order, which gives
  the same decisions;
* a call that raises (after Inspect's own retries) is not journaled; after
  :data:`MAX_FAILED_CALLS` in a row the expansion stops with :class:`ExpansionStopped`, as
  it does when :data:`CALLS_PER_DESCRIPTION` x ``N`` calls in one invocation keep fewer
  than ``N`` (a model that only repeats itself); both are resumable.

Kept descriptions become :class:`~adaem_gen.sets.seeds.SeedRecord` s with their provenance
(model, prompt version, the three source cases, the call) and are then categorised,
transformed with Listing 2 and deduplicated as questions like the input ones.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai.model import GenerateConfig, Model

from adaem_gen.questions.parsing import is_refusal
from adaem_gen.run.journal import Journal, JournalError
from adaem_gen.sets.dedup import QuestionIndex
from adaem_gen.sets.seeds import PROMPTS, SeedRecord
from adaem_tasks.blank_text import is_blank, strip_blank
from adaem_tasks.errors import InputError
from adaem_tasks.opinion import strip_markdown
from adaem_tasks.prompts import load_template, render

__all__ = [
    "CALLS_PER_DESCRIPTION",
    "EXPAND_JOURNAL",
    "MAX_FAILED_CALLS",
    "Expansion",
    "ExpansionStopped",
    "expand_descriptions",
    "expand_prompt",
    "parse_description",
    "prompt_version",
]

log = logging.getLogger(__name__)

EXPAND_JOURNAL = "expand.jsonl"
CASES = 3
"""Listing 1 shows three cases."""
CALLS_PER_DESCRIPTION = 5
"""Calls one invocation may make per wanted description before it stops short."""
MAX_FAILED_CALLS = 3
"""Calls in a row that raise before the expansion stops (the model is down, not unlucky)."""
MAX_DESCRIPTION_WORDS = 60
GENERATION = GenerateConfig(temperature=1.0, top_p=0.95, max_tokens=128)
"""App. C.4's sampling (temperature 1.0, top_p 0.95): a new description needs variety."""


class ExpansionStopped(RuntimeError):
    """The expansion kept fewer than N descriptions; its journal holds every call (``--resume``)."""


def prompt_version() -> str:
    """``listing1-<sha of the template>``: recorded with every generated seed and in the journal."""
    text = load_template("expand", PROMPTS).template
    return "listing1-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def expand_prompt(cases: Sequence[str]) -> str:
    """Listing 1 with three case descriptions."""
    if len(cases) != CASES:
        raise ValueError(f"Listing 1 shows {CASES} cases, got {len(cases)}")
    flat = [" ".join(c.split()) for c in cases]
    return render("expand", package=PROMPTS, case1=flat[0], case2=flat[1], case3=flat[2])


_LABEL_RE = re.compile(r"\[\s*description\s*\]\s*[:：]?\s*(.*)", re.I)
_WRAPPERS = "\"'“”‘’<>`*- "


def parse_description(text: str | None) -> str | None:
    """The description in a Listing 1 answer: after its ``[Description]:`` label, else its first line.

    ``None`` for an empty answer, a refusal, or a text that is not one description (under
    three or over :data:`MAX_DESCRIPTION_WORDS` words).
    """
    if not text or is_blank(text):
        return None
    lines = [line.strip() for line in strip_markdown(text).splitlines()]
    found = ""
    for n, line in enumerate(lines):
        match = _LABEL_RE.search(line)
        if match:
            found = match.group(1).strip() or next((rest for rest in lines[n + 1 :] if rest), "")
            break
    if not found:
        found = next((line for line in lines if line), "")
    found = " ".join(strip_blank(found).strip(_WRAPPERS).split())
    words = sum(not is_blank(word) for word in found.split())  # a run of zero-width spaces is no word
    if words < 3 or words > MAX_DESCRIPTION_WORDS or is_refusal(found):
        return None
    return found


@dataclass
class Expansion:
    """What an expansion produced: the kept descriptions (as records) and its counts."""

    records: list[SeedRecord]
    calls: int = 0
    duplicates: int = 0
    unreadable: int = 0
    failed: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "generated": len(self.records),
            "calls": self.calls,
            "duplicates": self.duplicates,
            "unreadable": self.unreadable,
        }


def _cases(pool: Sequence[SeedRecord], seed: int, call: int) -> list[SeedRecord]:
    rng = random.Random(f"{seed}/expand/{call}")
    return [pool[i] for i in rng.sample(range(len(pool)), CASES)]


def _inputs_digest(pool: Sequence[SeedRecord]) -> str:
    digest = hashlib.sha256()
    for record in pool:
        digest.update(f"{record.source}\t{record.description}\n".encode())
    return digest.hexdigest()[:16]


def _header(pool: Sequence[SeedRecord], spec: str, seed: int) -> dict[str, Any]:
    return {
        "type": "header",
        "model": spec,
        "seed": seed,
        "prompt": prompt_version(),
        "inputs": _inputs_digest(pool),
    }


def _open_journal(path: Path, header: dict[str, Any], resume: bool) -> list[dict[str, Any]]:
    """The journaled calls (``[]`` for a new expansion); the header checked on ``--resume``."""
    journal = Journal(path)
    if not resume:
        if journal.exists():
            raise InputError(
                f"{path}: an expansion is already journaled here; add --resume to continue it, "
                "or choose another --out"
            )
        return []
    if not journal.exists():
        raise InputError(f"--resume: there is no expansion to resume ({path} does not exist)")
    records = journal.read(repair=True)
    recorded = records[0] if records else {}
    if recorded.get("type") != "header":
        raise JournalError(f"{path}: no header record; not an adaem-gen expansion journal")
    diffs = [
        f"{key}: {recorded.get(key)!r} -> {header[key]!r}"
        for key in ("model", "seed", "prompt", "inputs")
        if recorded.get(key) != header[key]
    ]
    if diffs:
        raise InputError(
            f"{path}: --resume with another expansion than the journaled one: {'; '.join(diffs)}"
        )
    return [r for r in records[1:] if r.get("type") == "call"]


async def expand_descriptions(
    pool: Sequence[SeedRecord],
    n: int,
    model: Model,
    spec: str,
    index: QuestionIndex,
    journal_path: Path,
    *,
    seed: int = 0,
    resume: bool = False,
) -> Expansion:
    """``n`` new descriptions written by ``model`` from Listing 1, kept only when ``index`` finds them new.

    ``pool`` are the input descriptions the cases are sampled from; ``index`` must already
    hold them (the dedup baseline). Raises :class:`ExpansionStopped` when the model stops
    answering or keeps repeating itself before ``n`` are kept.
    """
    if n < 1:
        raise InputError(f"--expand must be a positive number of descriptions, got {n}")
    if len(pool) < CASES:
        raise InputError(
            f"--expand needs at least {CASES} input descriptions to sample Listing 1's {CASES} cases from, "
            f"got {len(pool)}"
        )
    header = _header(pool, spec, seed)
    journaled = _open_journal(journal_path, header, resume)
    version = header["prompt"]
    result = Expansion(records=[])

    def take(call: int, description: str | None, cases: list[SeedRecord]) -> None:
        result.calls += 1
        if description is None:
            result.unreadable += 1
            return
        if len(result.records) >= n or not index.filter_new([description], add=True)[0]:
            result.duplicates += len(result.records) < n
            return
        result.records.append(
            SeedRecord(
                description=description,
                source=f"generated:{spec}:{call}",
                extra={
                    "generated_by": spec,
                    "prompt_version": version,
                    "source_cases": [c.source for c in cases],
                    "expansion_call": call,
                },
            )
        )

    for record in journaled:  # replay: the same decisions in the same order, no model call
        call = int(record["call"])
        take(call, record.get("description"), _cases(pool, seed, call))
    journal = Journal(journal_path)
    if not journaled:
        journal.append(header, durable=True)
    call = len(journaled)
    made = failed_in_a_row = 0
    try:
        while len(result.records) < n:
            if made >= CALLS_PER_DESCRIPTION * n:
                raise ExpansionStopped(
                    f"kept {len(result.records)} of {n} new descriptions after {made} calls of {spec} "
                    f"({result.duplicates} duplicates, {result.unreadable} unreadable so far); "
                    f"add --resume to try further (every call is journaled in {journal_path})"
                )
            cases = _cases(pool, seed, call)
            try:
                output = await model.generate(
                    expand_prompt([c.description for c in cases]), config=GENERATION
                )
            except Exception as exc:  # noqa: BLE001 - provider failure after Inspect's own retries
                failed_in_a_row += 1
                result.failed += 1
                log.warning("expansion call %d failed: %s", call, exc)
                if failed_in_a_row >= MAX_FAILED_CALLS:
                    raise ExpansionStopped(
                        f"{spec} failed {failed_in_a_row} calls in a row ({exc}); kept {len(result.records)} "
                        f"of {n} new descriptions; add --resume to continue (journal: {journal_path})"
                    ) from exc
                continue
            failed_in_a_row = 0
            made += 1
            description = parse_description(output.completion)
            journal.append(
                {"type": "call", "call": call, "description": description, "reply": output.completion},
                durable=True,
            )
            take(call, description, cases)
            call += 1
    finally:
        journal.close()
    return result
