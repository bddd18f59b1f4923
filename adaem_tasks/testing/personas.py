"""Scripted examinees with planted value profiles.

Every test of the project needs an examinee whose values are *known*, so that a
pipeline run can be checked against the truth instead of against itself. A persona
answers the opinion prompt (paper Listing 3) deterministically: which values an
answer expresses is decided by a hash of (persona, question, value), never by
Python's salted ``hash()`` or a random generator, so runs, processes and machines
agree.

Spec grammar (usable inside an Inspect model name and an OpenAI ``model`` field,
so there are no commas)::

    spec     := special | style* ["saturating-"] profile
    special  := "refuser" | "garbage" | "empty"
    style    := "markdown-" | "fewpoints-"
    profile  := value [":" p] ("+" value [":" p])*

e.g. ``power``, ``power+security``, ``power:0.7+hedonism:0.4``,
``saturating-tradition``, ``markdown-power``, ``fewpoints-care``. The value system
(Schwartz or MFT) is detected from the keys. A listed value is expressed with
probability ``p`` (default :data:`DEFAULT_P`), an unlisted one with
:data:`BASELINE_P`.

Expressed values are spread over the key points; a point carrying value *v*
contains *v*'s marker phrase (its ``definition`` from the value-system YAML, unique
per value), a point carrying none contains no marker. The keyword judge
(:mod:`adaem_tasks.testing.judges`) labels by looking for markers, so persona +
keyword judge recover the planted vector exactly.

A priming system message (paper App. C.11, ``prime_system.txt``) shifts the profile
the way the paper found real models shift (§4.2: target up, same higher-order group
moderately up, opposite group down), so the priming study has something to recover:
the primed value is expressed with probability at least :data:`PRIMED_P`, a value of
its own group (``ValueSystem.same_group``) is raised by :data:`PRIMED_SAME_LIFT` of its
distance to 1, and a value of the opposite group (``ValueSystem.opposite_group``) is
scaled by :data:`PRIMED_OPPOSITE_KEEP`. This is test-double behaviour, not a claim about
any real model; the groups come from the value-system YAML. Every draw is the same
hash compared with a shifted probability, so priming only turns answers on (raised
values) or off (lowered values), never reshuffles them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from adaem_tasks.opinion import MAX_POINTS
from adaem_tasks.value_systems import ValueSystem, available_value_systems, load_value_system

__all__ = [
    "BASELINE_P",
    "COMMON_P",
    "DEFAULT_P",
    "OpinionRequest",
    "Persona",
    "PersonaSpecError",
    "common_profile",
    "marker",
    "parse_opinion_request",
    "parse_persona",
    "parse_prime",
    "primed_profile",
    "specificity",
    "unit_hash",
]

DEFAULT_P = 0.9
"""Probability that a listed value without an explicit ``:p`` is expressed."""
BASELINE_P = 0.05
"""Probability that an unlisted value is expressed."""
PRIMED_P = 0.9
"""Probability that the value named by a priming system message (App. C.11) is expressed."""
PRIMED_SAME_LIFT = 0.3
"""Priming raises a value of the primed value's own group by this share of its distance to 1."""
PRIMED_OPPOSITE_KEEP = 0.25
"""Priming multiplies the probability of a value of the opposite group by this factor."""
COMMON_P = 0.02
"""Probability of a value outside the common profile being expressed on a generic question."""

_COMMON: dict[str, dict[str, float]] = {
    "schwartz": {"universalism": 0.9, "benevolence": 0.9, "security": 0.5},
    "mft": {"care": 0.9, "fairness": 0.9, "authority": 0.5},
}

SPECIAL_PERSONAS = ("refuser", "garbage", "empty")
Style = Literal["plain", "markdown", "fewpoints"]
Kind = Literal["profile", "refuser", "garbage", "empty"]


class PersonaSpecError(ValueError):
    """A persona spec that does not follow the grammar; the message says why."""


def unit_hash(*parts: str) -> float:
    """A uniform number in [0, 1) from strings, stable across processes (sha256, not ``hash()``)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def specificity(question: str) -> float:
    """How specific a question is, as the saturating personas see it: 0 generic, 1 specific.

    ``s(q) = clamp((n_words(q) - 10) / 10, 0, 1)``: questions of 10 words or fewer
    (the generic seed questions) are fully generic, 20 words or more fully specific.
    It models the paper's premise that generic questions *saturate* (every model
    answers them with the same common values) while longer, more concrete questions
    reveal the models' own values. A ``saturating-`` persona expresses its planted
    profile with weight ``s`` and the shared :func:`common_profile` with weight
    ``1 - s``; the generator's tests rely on this to see its questions make models
    diverge.
    """
    return min(1.0, max(0.0, (len(question.split()) - 10) / 10))


def common_profile(system: ValueSystem) -> dict[str, float]:
    """The profile every saturating persona shares on generic questions."""
    common = _COMMON.get(system.name, {})
    return {k: common.get(k, COMMON_P) for k in system.keys}


def primed_profile(system: ValueSystem, profile: dict[str, float], prime: str | None) -> dict[str, float]:
    """``profile`` as a priming system message for ``prime`` shifts it (see the module docstring)."""
    if prime is None:
        return dict(profile)
    same = set(system.same_group(prime))
    opposite = set(system.opposite_group(prime))
    shifted: dict[str, float] = {}
    for key, p in profile.items():
        if key == prime:
            p = max(p, PRIMED_P)
        elif key in same:
            p = p + (1.0 - p) * PRIMED_SAME_LIFT
        elif key in opposite:
            p = p * PRIMED_OPPOSITE_KEEP
        shifted[key] = p
    return shifted


def marker(system: ValueSystem, key: str) -> str:
    """The phrase that marks ``key`` in a persona answer: the value's definition."""
    return system.value(key).definition


def _detect_system(keys: list[str]) -> ValueSystem:
    candidates = [load_value_system(n) for n in available_value_systems()]
    for system in candidates:
        if all(k in system.keys for k in keys):
            return system
    known = "; ".join(f"{s.name}: {', '.join(s.keys)}" for s in candidates)
    raise PersonaSpecError(f"values {keys} do not all belong to one value system (known: {known})")


@dataclass(frozen=True)
class OpinionRequest:
    """What a persona reads from a Listing 3 prompt."""

    question: str
    points: int


_OPINION_MARK = "you should give me your stance"
_QUESTION_OPEN = 'For the question "'
_QUESTION_CLOSE = '", ' + _OPINION_MARK
_FIRST_QUOTED_RE = re.compile(r'"(.*?)"', re.S)
_POINTS_RE = re.compile(r"list your (\d+) key points", re.I)


def _asked_question(prompt: str) -> str:
    """The text between ``For the question "`` and the *last* ``", you should give me your stance``.

    Plain ``find``/``rfind`` rather than a greedy regex: a regex search retries from every
    opening phrase and scans to the end from each, which is quadratic in a prompt that repeats it.
    """
    start = prompt.find(_QUESTION_OPEN)
    end = prompt.rfind(_QUESTION_CLOSE)
    if start >= 0 and end >= start + len(_QUESTION_OPEN):
        return prompt[start + len(_QUESTION_OPEN) : end]
    match = _FIRST_QUOTED_RE.search(prompt)
    return match.group(1) if match else ""


def _asked_points(prompt: str) -> int:
    """How many key points the prompt asks for, within 1 to :data:`MAX_POINTS` (3 if it does not say).

    A persona writes at most as many points as a task can ask for; a prompt asking for a
    billion (or a number too long for ``int()``) gets that many, not a hang or a traceback.
    """
    found = _POINTS_RE.search(prompt)
    if found is None:
        return 3
    digits = found.group(1).lstrip("0") or "0"
    return MAX_POINTS if len(digits) > len(str(MAX_POINTS)) else min(MAX_POINTS, max(1, int(digits)))


def parse_opinion_request(prompt: str) -> OpinionRequest | None:
    """Read the question and the number of points from an opinion prompt; ``None`` if it is not one."""
    if _OPINION_MARK not in prompt:
        return None
    return OpinionRequest(question=_asked_question(prompt).strip(), points=_asked_points(prompt))


_PRIME_RE = re.compile(r"designed to reflect (.+?) in your response", re.I | re.S)


def parse_prime(system_prompt: str | None, system: ValueSystem) -> str | None:
    """The value key a priming system message (``prime_system.txt``) asks for, if any."""
    if not system_prompt:
        return None
    match = _PRIME_RE.search(system_prompt)
    if not match:
        return None
    named = match.group(1).strip()
    reflect = system.priming_wording.reflect  # "value" (App. C.11) or "the foundation" (App. J)
    if named.lower().startswith(reflect.lower() + " "):
        named = named[len(reflect) + 1 :]
    value = system.match(named)
    return value.key if value else None


# -- answer text ---------------------------------------------------------------------------------------------

_STOPWORD_TEXT = """
a an the and or of to in on for by with at from as is are be been being was were should would could can will
do does did it its this that these those their there they we our you your more most than into about whether
which who whom what when where why how not all any every
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_TITLES = (
    "The heart of the matter",
    "What is really at stake",
    "A question of principle",
    "Practical consequences",
    "Who bears the cost",
    "The long view",
    "Lessons from experience",
    "Where the balance lies",
    "The wider picture",
    "A necessary caution",
    "What people actually need",
    "The strongest argument",
)
_VALUE_SENTENCES = (
    "any answer about {topic} should be judged by how well it serves {marker}.",
    "the case on {topic} turns on {marker}.",
    "what matters most with {topic} is {marker}.",
    "I weigh {topic} mainly in terms of {marker}.",
    "a sound position on {topic} has to protect {marker}.",
)
_EXTRA_VALUE_SENTENCES = (
    "It also bears on {marker}.",
    "Beyond that, it concerns {marker}.",
    "I also keep in mind {marker}.",
)
_FILLER_SENTENCES = (
    "on {topic} the evidence is mixed and the details matter more than slogans.",
    "{topic} has costs and benefits that are hard to measure precisely.",
    "reasonable people disagree about {topic} and the data are still coming in.",
    "the effects of {topic} depend heavily on how a policy is implemented.",
    "history offers examples on both sides of {topic}.",
    "the debate on {topic} is often framed too narrowly.",
)
_REFUSALS = (
    "I'm sorry, but I can't share personal opinions on contested questions like this one.",
    "As an AI, I don't have personal views, so I must decline to take a stance on this question.",
    "I cannot provide a stance on this topic. It is a matter for each person to decide.",
)
_SYLLABLES = (
    "zor",
    "quil",
    "vex",
    "mab",
    "tru",
    "plin",
    "osk",
    "raf",
    "gle",
    "dun",
    "wib",
    "yat",
    "ferm",
    "lob",
)
_STANCES = ("yes", "no", "neutral")


def _topic(question: str) -> str:
    words = [re.sub(r"[^a-z0-9]", "", w.lower()) for w in question.split()]
    content = [w for w in words if w and w not in _STOPWORDS]
    return " ".join(content[:3]) or "this question"


def _pick(options: tuple[str, ...], *parts: str) -> str:
    return options[int(unit_hash(*parts) * len(options))]


def _point_title(seed: str, question: str, i: int, used: set[str]) -> str:
    """Title of key point ``i``: a hashed pick, moved on to the next unused title if taken.

    Past the twelfth point every title is taken, so the titles repeat with a round number
    ("The long view (2)"): the search over the titles is bounded, and every point keeps a
    distinct title (the parser and the judges see distinct points).
    """
    start = _TITLES.index(_pick(_TITLES, seed, question, str(i), "title"))
    suffix = "" if i <= len(_TITLES) else f" ({(i - 1) // len(_TITLES) + 1})"
    for step in range(len(_TITLES)):
        title = _TITLES[(start + step) % len(_TITLES)] + suffix
        if title not in used:
            return title
    raise AssertionError(f"no free title for point {i}")  # unreachable: each round has 12 titles


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Persona:
    """A scripted examinee. Build one with :func:`parse_persona`."""

    spec: str
    kind: Kind
    style: Style = "plain"
    saturating: bool = False
    system: ValueSystem | None = None
    planted: dict[str, float] = field(default_factory=dict)

    # -- value profile -----------------------------------------------------------------------------------

    def profile(self) -> dict[str, float]:
        """Planted probability of expressing each value (every key of the value system)."""
        if self.system is None:
            return {}
        return {k: self.planted.get(k, BASELINE_P) for k in self.system.keys}

    def p_effective(self, question: str, prime: str | None = None) -> dict[str, float]:
        """Probability of expressing each value on ``question`` (under a priming message for ``prime``).

        Non-saturating personas use their planted profile; saturating ones mix it
        with the common profile: ``s(q) * p_planted + (1 - s(q)) * p_common``.
        Priming shifts both profiles (:func:`primed_profile`).
        """
        if self.system is None:
            return {}
        planted = primed_profile(self.system, self.profile(), prime)
        if not self.saturating:
            return planted
        s = specificity(question)
        common = primed_profile(self.system, common_profile(self.system), prime)
        return {k: s * planted[k] + (1 - s) * common[k] for k in planted}

    def expressed(self, question: str, prime: str | None = None) -> dict[str, int]:
        """The value vector this persona's answer to ``question`` carries (0/1 per key).

        A value is expressed iff ``u < p`` with ``u = unit_hash(spec, question, key)``.
        For saturating personas the mixture is drawn per (question, value) with a
        hash that is the same for every persona: with probability ``s(q)`` the
        persona's own draw against its planted ``p``, otherwise a draw *shared by all
        personas* against the common profile. The marginal probability is exactly
        :meth:`p_effective`, and on fully generic questions all saturating personas
        give the same vector (they saturate), which is the premise AdAEM exploits.
        ``prime`` (a value key) shifts both profiles as :func:`primed_profile` says:
        the primed value is expressed with probability :data:`PRIMED_P` or more, its
        group moderately more often, the opposite group less often.
        """
        if self.system is None:
            return {}
        planted = primed_profile(self.system, self.profile(), prime)
        common = primed_profile(self.system, common_profile(self.system), prime)
        s = specificity(question) if self.saturating else 1.0
        vector: dict[str, int] = {}
        for key in self.system.keys:
            if s >= 1.0 or unit_hash("mix", question, key) < s:
                vector[key] = int(unit_hash(self.spec, question, key) < planted[key])
            else:
                vector[key] = int(unit_hash("common", question, key) < common[key])
        return vector

    def _text_seed(self, question: str) -> str:
        """Whose phrasing the answer uses: saturating personas share it on generic questions."""
        if self.saturating and unit_hash("mix-text", question) >= specificity(question):
            return "common"
        return self.spec

    def stance(self, question: str) -> str:
        return _pick(_STANCES, self._text_seed(question), question, "stance")

    # -- answers -----------------------------------------------------------------------------------------

    def point_plan(self, question: str, points: int, prime: str | None = None) -> list[list[str]]:
        """Which value keys each key point carries (points with ``[]`` carry none)."""
        n = self._points_written(points)
        keys = [k for k, v in self.expressed(question, prime).items() if v]
        seed = self._text_seed(question)
        keys.sort(key=lambda k: unit_hash(seed, question, k, "order"))
        plan: list[list[str]] = [[] for _ in range(n)]
        for i, key in enumerate(keys):
            plan[i % n].append(key)
        return plan

    def _points_written(self, points: int) -> int:
        asked = min(max(1, points), MAX_POINTS)  # whatever a caller passes, a finite answer
        return min(asked, 2) if self.style == "fewpoints" else asked

    def answer(self, question: str, points: int = 3, prime: str | None = None) -> str:
        """The full answer to the opinion prompt for ``question``."""
        if self.kind == "empty":
            return ""
        if self.kind == "refuser":
            return _pick(_REFUSALS, self.spec, question, "refusal")
        if self.kind == "garbage":
            return self._garbage(question)
        seed = self._text_seed(question)
        topic = _topic(question)
        assert self.system is not None
        lines: list[str] = []
        write_stance = not (self.style == "fewpoints" and unit_hash(self.spec, question, "drop-stance") < 0.5)
        markdown = self.style == "markdown"
        if markdown:
            lines += ["### My answer", ""]
        if write_stance:
            stance = self.stance(question).capitalize()
            lines.append(f"**Stance:** {stance}" if markdown else f"Stance: {stance}")
        lines.append("**Key Points:**" if markdown else "Key Points:")
        used_titles: set[str] = set()
        for i, keys in enumerate(self.point_plan(question, points, prime), start=1):
            title = _point_title(seed, question, i, used_titles)
            used_titles.add(title)
            body = self._justification(seed, question, topic, i, keys)
            if markdown:
                bold_colon = unit_hash(seed, question, str(i), "md") < 0.5
                lines.append(f"{i}. **{title}:** {body}" if bold_colon else f"{i}. **{title}**: {body}")
            else:
                lines.append(f"{i}. {title}: {body}")
        if markdown:
            lines += ["", f"In short, my view on {topic} follows from the points above."]
        return "\n".join(lines)

    def _justification(self, seed: str, question: str, topic: str, i: int, keys: list[str]) -> str:
        assert self.system is not None
        if not keys:
            return _sentence(_pick(_FILLER_SENTENCES, seed, question, str(i), "filler").format(topic=topic))
        first = _pick(_VALUE_SENTENCES, seed, question, str(i), "value")
        parts = [_sentence(first.format(topic=topic, marker=marker(self.system, keys[0])))]
        for j, key in enumerate(keys[1:], start=1):
            extra = _pick(_EXTRA_VALUE_SENTENCES, seed, question, str(i), str(j), "extra")
            parts.append(extra.format(marker=marker(self.system, key)))
        return " ".join(parts)

    def _garbage(self, question: str) -> str:
        words = []
        for i in range(24):
            n = 2 + int(unit_hash(self.spec, question, str(i), "len") * 2)
            words.append("".join(_pick(_SYLLABLES, self.spec, question, str(i), str(j)) for j in range(n)))
        return " ".join(words[:12]) + "\n" + " ".join(words[12:]) + " ~~"

    def respond(self, prompt: str, system_prompt: str | None = None) -> str | None:
        """Answer an opinion prompt; ``None`` when ``prompt`` is not one (the caller decides)."""
        request = parse_opinion_request(prompt)
        if request is None:
            return None
        prime = parse_prime(system_prompt, self.system) if self.system is not None else None
        return self.answer(request.question, request.points, prime)


# ``[0-9]+(?:\.[0-9]+)?|\.[0-9]+`` rather than ``[0-9]*\.?[0-9]+``: the same numbers, but one way
# to match each, so a long run of digits that fails at its end is not retried in every split
_VALUE_RE = re.compile(r"([a-z][a-z0-9_]*)(?::([0-9]+(?:\.[0-9]+)?|\.[0-9]+))?")
_STYLE_PREFIXES: dict[str, Style] = {"markdown-": "markdown", "fewpoints-": "fewpoints"}


@lru_cache(maxsize=1024)
def parse_persona(spec: str) -> Persona:
    """Parse a persona spec (see the module docstring); raises :class:`PersonaSpecError`."""
    text = spec.strip()
    if text in SPECIAL_PERSONAS:
        return Persona(spec=text, kind=text)  # type: ignore[arg-type]
    style: Style = "plain"
    rest = text
    for prefix, name in _STYLE_PREFIXES.items():
        if rest.startswith(prefix):
            style, rest = name, rest[len(prefix) :]
            break
    saturating = rest.startswith("saturating-")
    if saturating:
        rest = rest[len("saturating-") :]
    if not rest:
        raise PersonaSpecError(f"persona spec {spec!r} names no value")
    planted: dict[str, float] = {}
    for item in rest.split("+"):
        match = _VALUE_RE.fullmatch(item)
        if not match:
            raise PersonaSpecError(
                f"bad item {item!r} in persona spec {spec!r}: expected <value>[:<p>], "
                f"e.g. power or power:0.7 (special personas: {', '.join(SPECIAL_PERSONAS)})"
            )
        key, p = match.group(1), match.group(2)
        probability = float(p) if p is not None else DEFAULT_P
        if not 0.0 <= probability <= 1.0:
            raise PersonaSpecError(
                f"probability for {key!r} in {spec!r} must be in [0, 1], got {probability}"
            )
        if key in planted:
            raise PersonaSpecError(f"value {key!r} is listed twice in persona spec {spec!r}")
        planted[key] = probability
    system = _detect_system(list(planted))
    return Persona(
        spec=text, kind="profile", style=style, saturating=saturating, system=system, planted=planted
    )
