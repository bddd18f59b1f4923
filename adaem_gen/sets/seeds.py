"""``adaem-gen seeds``: turn downloaded Touché23-ValueEval / ValueBench files into seed questions.

The paper (App. B) builds its general-topic questions -- the bandit's arms -- from
two public datasets that users download themselves (we ship neither):

* **Touché23-ValueEval** ``arguments-*.tsv`` (columns ``Argument ID, Conclusion,
  Stance, Premise``): each *conclusion* ("We should ban human cloning") is a
  controversial description; many arguments share one conclusion.
* **ValueBench** item tables (``questionnaire,item,value,agreement`` as in its
  ``value_items.csv``; ``inventory`` is accepted for ``questionnaire``): each
  psychometric item is a description and its ``value`` the category the paper
  samples by. When the file also has a ``question`` column (ValueBench's
  ``value_orientation.csv``) that rephrasing is used as is.

With ``--expand N --model M`` the model first writes N new descriptions from the
paper's Listing 1 (:mod:`adaem_gen.sets.expand`), which then go through every step below
like the input ones.

Descriptions become yes/no questions with the paper's Listing 2 prompt
(``prompts/transform.txt``) through any Inspect model, concurrently. Without a
model a rule-based transformation is used (subject-auxiliary inversion, do-support
for a small list of common verbs, first -> second person for questionnaire items,
and "Do you agree that ...?" when no rule applies) -- good enough to try the
generator offline, not a substitute for the model. Questions are then deduplicated
with :class:`~adaem_gen.sets.dedup.QuestionIndex` and written as a ``kind="seed"`` set.

Categories: a ``category`` column when present; ValueBench's ``value``; otherwise a
keyword heuristic over the description using top-level sections in the spirit of
Wikipedia's "List of controversial issues" (the paper's Fig. 10), and
``"Uncategorized"`` when no keyword matches.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import logging
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict, Unpack

from adaem_gen.extras import require_gen
from adaem_gen.sets.dedup import DEFAULT_EPSILON, DEFAULT_TOP_K, QuestionIndex, normalize_text
from adaem_gen.sets.embedding import Embedder
from adaem_tasks.blank_text import is_blank, strip_blank
from adaem_tasks.errors import InputError
from adaem_tasks.prompts import render
from adaem_tasks.questions import Question, QuestionSetManifest, write_question_set

require_gen()  # torch & co. come with the 'gen' extra: one clear message, not a traceback

__all__ = [
    "SeedFormat",
    "SeedFormatError",
    "PROMPTS",
    "SeedRecord",
    "categorize",
    "convert_seeds",
    "detect_format",
    "parse_transformed",
    "questions_from_records",
    "read_descriptions",
    "read_seed_file",
    "rule_transform",
    "transform_prompt",
    "write_seed_set",
]

log = logging.getLogger(__name__)

SeedFormat = Literal["auto", "touche", "valuebench"]
UNCATEGORIZED = "Uncategorized"
PROMPTS = "adaem_gen.prompts"


class SeedFormatError(InputError):
    """An input file that is not in a supported seed format; the message names the file (and line)."""


@dataclass
class SeedRecord:
    """One description to turn into a question."""

    description: str
    source: str
    category: str | None = None
    question: str | None = None  # a rephrasing shipped with the data (ValueBench orientation file)
    extra: dict[str, Any] = field(default_factory=dict)


# -- reading ---------------------------------------------------------------------------------------
_ALIASES = {
    "argument id": "argument_id",
    "conclusion": "conclusion",
    "stance": "stance",
    "premise": "premise",
    "questionnaire": "inventory",
    "inventory": "inventory",
    "item": "item",
    "description": "item",
    "value": "value",
    "agreement": "agreement",
    "question": "question",
    "category": "category",
}


def _read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if path.suffix.lower() in (".xlsx", ".xls"):
        raise SeedFormatError(
            f"{path}: spreadsheet files are not read directly; export the sheet as CSV first"
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # name the place; a guessed encoding would change the text
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SeedFormatError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at column {column}); "
            "save the file as UTF-8"
        ) from None
    if is_blank(text):
        raise SeedFormatError(f"{path}: the file is empty")
    first = text.splitlines()[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or first.count("\t") > first.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    rows = []
    for raw in reader:
        row = {}
        for key, value in raw.items():
            if key is None:
                continue
            name = _ALIASES.get(key.strip().lower())
            if name:
                # invisible-only cells (zero-width spaces...) are as empty as blank ones
                row[name] = strip_blank(value or "")
        rows.append(row)
    return header, rows


def detect_format(path: Path, header: Sequence[str]) -> Literal["touche", "valuebench"]:
    names = {_ALIASES.get(h.strip().lower()) for h in header}
    if {"argument_id", "conclusion"} <= names:
        return "touche"
    if "item" in names:
        return "valuebench"
    raise SeedFormatError(
        f"{path}:1: unknown seed format (columns: {', '.join(header) or 'none'}); "
        "expected Touché23-ValueEval 'Argument ID, Conclusion, Stance, Premise' "
        "or ValueBench 'questionnaire, item, value'"
    )


def read_seed_file(path: str | Path, fmt: SeedFormat = "auto") -> list[SeedRecord]:
    """Records of one file, in file order (duplicates included)."""
    path = Path(path)
    if not path.is_file():
        raise SeedFormatError(f"{path}: no such file")
    header, rows = _read_table(path)
    kind = detect_format(path, header) if fmt == "auto" else fmt
    records: list[SeedRecord] = []
    if kind == "touche":
        if "conclusion" not in {_ALIASES.get(h.strip().lower()) for h in header}:
            raise SeedFormatError(f"{path}: a Touché arguments file needs a 'Conclusion' column")
        for n, row in enumerate(rows, start=2):
            if row.get("conclusion"):
                records.append(
                    SeedRecord(
                        description=row["conclusion"],
                        source=f"touche23:{row.get('argument_id') or f'{path.name}:{n}'}",
                        category=row.get("category") or None,
                    )
                )
    else:
        if "item" not in {_ALIASES.get(h.strip().lower()) for h in header}:
            raise SeedFormatError(f"{path}: a ValueBench file needs an 'item' column")
        for n, row in enumerate(rows, start=2):
            if row.get("item"):
                value = row.get("value") or ""
                records.append(
                    SeedRecord(
                        description=row["item"],
                        source=f"valuebench:{row.get('inventory') or path.stem}:{n}",
                        category=row.get("category") or value or None,
                        question=row.get("question") or None,
                        extra={k: row[k] for k in ("inventory", "value", "agreement") if row.get(k)},
                    )
                )
    return records


# -- categories ------------------------------------------------------------------------------------
# Keywords ending in '*' match word prefixes; others whole words or phrases.
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "Economics and business": (
        "tax*", "loan*", "wage*", "econom*", "market*", "trade", "business*", "compan*", "bank*", "debt*",
        "price*", "capitalis*", "subsid*", "income*", "poverty", "welfare", "job*", "employ*", "labo*",
        "financ*", "money", "crypto*", "tourism", "tariff*", "minimum wage", "unemploy*",
    ),
    "Politics and government": (
        "government*", "vote*", "voting", "election*", "democra*", "politic*", "parliament*", "immigra*",
        "migra*", "war*", "military", "nation*", "sovereign*", "monarch*", "refugee*", "citizen*",
    ),
    "Law and justice": (
        "law*", "legal*", "court*", "crime*", "criminal*", "prison*", "police", "death penalty",
        "capital punishment", "gun*", "justice", "sentenc*", "punish*", "surveillance",
    ),
    "Religion and tradition": (
        "religio*", "church*", "god", "faith*", "islam*", "christian*", "muslim*", "jew*", "pray*",
        "atheis*", "tradition*", "ritual*", "festival*",
    ),
    "Health and medicine": (
        "health*", "medic*", "drug*", "vaccin*", "abortion*", "euthanasia", "disease*", "hospital*",
        "doctor*", "alcohol*", "smok*", "tobacco", "obes*", "cannabis", "marijuana", "organ*",
    ),
    "Science and technology": (
        "technolog*", "internet", "ai", "artificial intelligence", "robot*", "social media", "scien*",
        "research*", "genetic*", "clon*", "space", "nuclear", "data", "privacy", "online", "algorithm*",
    ),
    "Environment and animals": (
        "environment*", "climate", "pollut*", "energy", "animal*", "zoo*", "fossil", "plastic*",
        "wildlife", "meat", "vegan*", "vegetarian*", "forest*", "recycl*",
    ),
    "Education": ("school*", "educat*", "universit*", "student*", "teacher*", "homework", "college*"),
    "Gender and sexuality": (
        "gender*", "sex*", "lgbt*", "gay", "feminis*", "women", "transgender", "prostitut*", "pornograph*",
    ),
    "Family and society": (
        "family", "families", "child*", "parent*", "foster*", "adopt*", "elderly", "marriage*", "divorce*",
    ),
    "Culture, media and sports": (
        "media", "art", "arts", "music*", "film*", "sport*", "olympic*", "television", "censor*",
        "culture*", "cultural", "language*", "game*",
    ),
}  # fmt: skip


def categorize(text: str) -> str:
    """Keyword-heuristic category of a description (most keyword hits; ties -> table order)."""
    normalized = f" {normalize_text(text)} "
    words = normalized.split()
    best, best_hits = UNCATEGORIZED, 0
    for category, keywords in CATEGORY_KEYWORDS.items():
        hits = 0
        for kw in keywords:
            if kw.endswith("*"):
                hits += sum(w.startswith(kw[:-1]) for w in words)
            elif " " in kw:
                hits += normalized.count(f" {kw} ")
            else:
                hits += words.count(kw)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


# -- rule-based transformation ---------------------------------------------------------------------
_AUX = {
    "should",
    "must",
    "can",
    "could",
    "would",
    "will",
    "may",
    "might",
    "shall",
    "is",
    "are",
    "was",
    "were",
}
_DO = {"does", "do", "did"}
_SUBORDINATORS = {"when", "if", "although", "though", "even", "because", "while", "since", "as", "whenever"}
_PRONOUNS = {"we", "they", "you", "people"}
_VERBS_3SG = {
    "brings": "bring", "causes": "cause", "helps": "help", "harms": "harm", "hurts": "hurt", "leads": "lead",
    "makes": "make", "needs": "need", "deserves": "deserve", "benefits": "benefit", "improves": "improve",
    "increases": "increase", "reduces": "reduce", "outweighs": "outweigh", "violates": "violate",
    "promotes": "promote", "protects": "protect", "creates": "create", "has": "have", "works": "work",
    "undermines": "undermine", "threatens": "threaten", "encourages": "encourage", "provides": "provide",
    "contributes": "contribute", "affects": "affect", "prevents": "prevent", "saves": "save",
    "costs": "cost", "kills": "kill", "requires": "require", "allows": "allow", "gives": "give",
    "offers": "offer", "supports": "support", "destroys": "destroy", "damages": "damage",
    "discriminates": "discriminate", "exploits": "exploit", "serves": "serve", "keeps": "keep",
    "remains": "remain", "seems": "seem", "goes": "go", "takes": "take", "depends": "depend",
    "produces": "produce", "belongs": "belong", "matters": "matter", "fails": "fail",
}  # fmt: skip
_VERBS_BASE = set(_VERBS_3SG.values()) | {
    "like", "love", "prefer", "want", "enjoy", "believe", "think", "value", "feel", "try", "seek", "plan",
    "dislike", "hate", "find", "consider", "care", "strive",
}  # fmt: skip
_CONTRACTIONS = {
    "it's": "it is", "that's": "that is", "there's": "there is", "i'm": "i am", "don't": "do not",
    "doesn't": "does not", "can't": "cannot", "won't": "will not", "isn't": "is not", "aren't": "are not",
    "i've": "i have", "i'd": "i would", "shouldn't": "should not", "we're": "we are", "they're": "they are",
}  # fmt: skip
_FIRST_TO_SECOND = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "am": "are"}


def _first_sentence(text: str) -> str:
    text = " ".join(text.replace("\u2019", "'").split())
    parts = re.split(r"(?<=[.!?])\s+", text)
    return parts[0].rstrip(" .!;:") if parts else text


def _lower_first(word: str) -> str:
    if word == "I" or word.isupper() and len(word) > 1:
        return word
    return word[:1].lower() + word[1:]


def rule_transform(description: str) -> str:
    """Best-effort yes/no question from a declarative description, without a model."""
    sentence = _first_sentence(description)
    if sentence.endswith("?"):
        return sentence
    words = []
    for word in sentence.split():
        expanded = _CONTRACTIONS.get(word.lower())
        words.extend(expanded.split() if expanded else [word])
    if any(w.lower() in ("i", "me", "my", "myself") for w in words):
        words = [_FIRST_TO_SECOND.get(w.lower(), w) for w in words]
    if not words:
        return description.strip()
    head = words[0].lower()
    fallback = f"Do you agree that {_lower_first(words[0])} {' '.join(words[1:])}".rstrip() + "?"
    if head in _SUBORDINATORS:
        return fallback
    window = []
    for word in words[:12]:  # the main clause's verb comes early; stop at the first comma
        window.append(word.lower())
        if "," in word:
            break

    def subject(i: int) -> list[str]:
        return [_lower_first(words[0]), *words[1:i]]

    for i, low in enumerate(window):  # 1. subject-auxiliary inversion
        if i >= 1 and low in _AUX | _DO:
            rest = words[i + 1 :]
            if low in _DO and (not rest or rest[0].lower() != "not"):  # "does" as the main verb
                rest = ["do", *rest]
            return " ".join([low.capitalize(), *subject(i), *rest]) + "?"
    for i, low in enumerate(window):  # 2. do-support for known verbs
        if i == 0 or window[i - 1] == "to":
            continue
        if low in _VERBS_3SG and head not in _PRONOUNS:
            return " ".join(["Does", *subject(i), _VERBS_3SG[low], *words[i + 1 :]]) + "?"
        if low in _VERBS_BASE and (head in _PRONOUNS or i >= 2 or head.endswith("s")):
            return " ".join(["Do", *subject(i), *words[i:]]) + "?"
    return fallback


# -- model-based transformation --------------------------------------------------------------------
_LABELLED = re.compile(r"\[\s*(?:question|statement)\s*\]\s*:?\s*(.*)", re.IGNORECASE)


def transform_prompt(description: str) -> str:
    """Listing 2 of the paper, filled with ``description``."""
    return render("transform", package=PROMPTS, description=" ".join(description.split()))


def parse_transformed(text: str | None) -> str | None:
    """The question in a Listing-2 answer: after ``[Question]:`` (or a bare question line)."""
    if not text:
        return None
    lines = [line.strip() for line in text.strip().splitlines()]
    for n, line in enumerate(lines):
        match = _LABELLED.search(line)
        if match:
            candidate = match.group(1).strip() or next((rest for rest in lines[n + 1 :] if rest), "")
            candidate = candidate.strip().strip("*\"'` ").strip()
            return candidate or None
    first = next((line for line in lines if line), "")
    first = first.strip("*\"'` ").strip()
    return first if first.endswith("?") and len(first.split()) >= 3 else None


async def _transform_all(
    descriptions: Sequence[str], model: Any, max_concurrency: int
) -> list[tuple[str, str]]:
    """(question, how) per description; how is "model", or "rule" when the model failed."""
    from inspect_ai.model import GenerateConfig, Model, get_model

    handle: Model = model if isinstance(model, Model) else get_model(model)
    config = GenerateConfig(temperature=0.0, max_tokens=128)
    semaphore = asyncio.Semaphore(max(1, max_concurrency))

    async def one(description: str) -> tuple[str, str]:
        async with semaphore:
            try:
                output = await handle.generate(transform_prompt(description), config=config)
                question = parse_transformed(output.completion)
            except Exception as exc:  # noqa: BLE001 - one bad call must not lose the others
                log.warning("transformation call failed for %r: %s", description[:60], exc)
                question = None
        if question:
            return question, "model"
        return rule_transform(description), "rule"

    return list(await asyncio.gather(*(one(d) for d in descriptions)))


# -- the conversion --------------------------------------------------------------------------------
def _stable_id(prefix: str, text: str, taken: set[str]) -> str:
    digest = hashlib.sha1(normalize_text(text).encode("utf-8")).hexdigest()
    qid = f"{prefix}-{digest[:10]}"
    n = 2
    while qid in taken:
        qid = f"{prefix}-{digest[:10]}-{n}"
        n += 1
    taken.add(qid)
    return qid


def _sample_per_category(records: list[SeedRecord], per_category: int, seed: int) -> list[SeedRecord]:
    rng = random.Random(seed)
    by_category: dict[str, list[int]] = {}
    for i, record in enumerate(records):
        by_category.setdefault(record.category or UNCATEGORIZED, []).append(i)
    chosen: set[int] = set()
    for indices in by_category.values():
        chosen.update(indices if len(indices) <= per_category else rng.sample(indices, per_category))
    return [r for i, r in enumerate(records) if i in chosen]


def read_descriptions(inputs: Iterable[str | Path], fmt: SeedFormat = "auto") -> list[SeedRecord]:
    """Every input file's records in order, each description once (normalised text)."""
    records: list[SeedRecord] = []
    seen: set[str] = set()
    for path in inputs:
        for record in read_seed_file(path, fmt):
            key = normalize_text(record.description)
            if key and key not in seen:
                seen.add(key)
                records.append(record)
    return records


_ID_PREFIXES = (("touche23:", "touche"), ("generated:", "gen"))


class ConversionOptions(TypedDict, total=False):
    """How descriptions become seed questions (see :func:`convert_seeds`); all optional."""

    max_concurrency: int
    dedup: bool
    epsilon: float
    top_k: int
    embedder: Embedder | None
    per_category: int | None
    seed: int
    use_source_questions: bool


async def questions_from_records(
    records: list[SeedRecord], model: Any | None = None, **options: Unpack[ConversionOptions]
) -> list[Question]:
    """Categorise, optionally sample, transform (Listing 2) and deduplicate descriptions into questions.

    See :func:`convert_seeds`; ``records`` may hold generated descriptions
    (:mod:`adaem_gen.sets.expand`), which go through the same steps as the input ones.
    """
    for record in records:
        if not record.category:
            record.category = categorize(record.description)
    per_category = options.get("per_category")
    if per_category is not None:
        records = _sample_per_category(records, per_category, options.get("seed", 0))
    if not records:
        return []

    results: list[tuple[str, str] | None] = [None] * len(records)
    pending = []
    for i, record in enumerate(records):
        if options.get("use_source_questions", True) and record.question:
            results[i] = (record.question, "source")
        elif model is None:
            results[i] = (rule_transform(record.description), "rule")
        else:
            pending.append(i)
    if pending:
        concurrency = options.get("max_concurrency", 8)
        transformed = await _transform_all([records[i].description for i in pending], model, concurrency)
        for i, result in zip(pending, transformed, strict=True):
            results[i] = result
    final = [r for r in results if r is not None]
    assert len(final) == len(records)
    texts = [text for text, _ in final]

    keep = [True] * len(records)
    if options.get("dedup", True):
        index = QuestionIndex(
            options.get("embedder"),
            options.get("epsilon", DEFAULT_EPSILON),
            options.get("top_k", DEFAULT_TOP_K),
        )
        keep = index.filter_new(texts, add=True)

    taken: set[str] = set()
    questions = []
    for record, (text, how), kept in zip(records, final, keep, strict=True):
        if not kept:
            continue
        prefix = next((p for start, p in _ID_PREFIXES if record.source.startswith(start)), "vb")
        questions.append(
            Question(
                id=_stable_id(prefix, record.description, taken),
                question=text,
                category=record.category or UNCATEGORIZED,
                topic=" ".join(record.description.split()),
                source=record.source,
                transform=how,
                **record.extra,
            )
        )
    return questions


async def convert_seeds(
    inputs: Iterable[str | Path],
    fmt: SeedFormat = "auto",
    model: Any | None = None,
    **options: Unpack[ConversionOptions],
) -> list[Question]:
    """Seed questions from Touché23-ValueEval / ValueBench files.

    ``model`` is an Inspect model spec (``"openai/gpt-4o"``) or :class:`Model`; ``None``
    uses :func:`rule_transform`. Steps: read all files, drop repeated descriptions,
    categorise, optionally sample ``per_category`` descriptions per category (seeded),
    transform, deduplicate the questions (top-k rule + lexical filter), assign stable
    ids (``touche-<hash>`` / ``vb-<hash>`` / ``gen-<hash>`` of the description).
    """
    return await questions_from_records(read_descriptions(inputs, fmt), model, **options)


def write_seed_set(
    questions: Sequence[Question],
    directory: str | Path,
    version: str,
    *,
    description: str = "",
    model: str | None = None,
    inputs: Sequence[str | Path] = (),
    hyperparameters: dict[str, Any] | None = None,
    expanded_by: str | None = None,
) -> Path:
    """Write converted seeds as a ``kind="seed"`` set directory (questions.jsonl + manifest.json).

    Making it findable by version is :func:`adaem_tasks.questions.publish_question_set`'s job
    (``adaem-gen seeds --publish``), which refuses a name that is taken or reserved.
    """
    manifest = QuestionSetManifest(
        version=version,
        kind="seed",
        description=description or "Seed questions converted by adaem-gen seeds",
        models={"transform": model or "rule-based", **({"expand": expanded_by} if expanded_by else {})},
        hyperparameters={
            **(hyperparameters or {}),
            "inputs": [Path(p).name for p in inputs],
        },
    )
    return write_question_set(directory, manifest, list(questions))
