"""One entry point that turns (model name, prompt) into a scripted answer.

The Inspect providers and the loopback OpenAI server both call :func:`respond`, so a
persona or judge behaves the same whichever way a test reaches it.

Model names (what the provider or the HTTP ``model`` field carries):

* judges: ``adaem-judge/<kind>`` or ``judge-<kind>`` with kind ``keyword``,
  ``garbage``, ``flaky`` or ``obedient``;
* personas: ``adaem-persona/<spec>``, ``persona-<spec>`` or a bare ``<spec>``
  (grammar in :mod:`adaem_tasks.testing.personas`).

Routing, on the prompt (the last user message):

1. a judge prompt (Listing 4, single or batched) is answered by a judge -- the
   named one, or the ``keyword`` judge when the model is a persona;
2. an opinion prompt (Listing 3) sent to a persona is answered by the persona;
3. anything else goes to
   :func:`adaem_tasks.testing.generator_handlers.respond_generator` (persona is
   ``None`` for judge models); if that returns ``None``, a deterministic fallback
   sentence is returned.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from adaem_tasks.testing import generator_handlers
from adaem_tasks.testing.judges import JUDGE_KINDS, ScriptedJudge
from adaem_tasks.testing.personas import Persona, PersonaSpecError, parse_persona

__all__ = ["Dispatcher", "Target", "fallback_answer", "join_conversation", "resolve", "respond"]

_JUDGE_PREFIXES = ("adaem-judge/", "judge-")
_PERSONA_PREFIXES = ("adaem-persona/", "persona-")


@dataclass(frozen=True)
class Target:
    """What a model name refers to: exactly one of ``judge`` (a kind) or ``persona``."""

    name: str
    judge: str | None = None
    persona: Persona | None = None


def resolve(model_name: str) -> Target:
    """Map a model name to a judge kind or a persona; raises ``ValueError`` for unknown names."""
    name = model_name.strip()
    for prefix in _JUDGE_PREFIXES:
        if name.startswith(prefix):
            kind = name[len(prefix) :]
            if kind not in JUDGE_KINDS:
                raise ValueError(
                    f"unknown scripted judge {kind!r} in {model_name!r}; kinds: {', '.join(JUDGE_KINDS)}"
                )
            return Target(name=name, judge=kind)
    spec = name
    for prefix in _PERSONA_PREFIXES:
        if name.startswith(prefix):
            spec = name[len(prefix) :]
            break
    try:
        return Target(name=name, persona=parse_persona(spec))
    except PersonaSpecError as exc:
        raise ValueError(f"{model_name!r} is neither a scripted judge nor a persona: {exc}") from None


def fallback_answer(model_name: str, prompt: str) -> str:
    """The deterministic reply to a prompt no script covers."""
    digest = hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:8]
    return f"This is the scripted test model {model_name}; it has no script for this request ({digest})."


class Dispatcher:
    """Routes prompts to personas and judges; owns the state of its ``flaky`` judges.

    Each Inspect provider instance and each loopback server has its own dispatcher,
    so a fresh model (or server) starts with a flaky judge that has seen nothing.
    """

    def __init__(self) -> None:
        self._judges: dict[str, ScriptedJudge] = {}
        self._lock = threading.Lock()

    def judge(self, kind: str) -> ScriptedJudge:
        with self._lock:
            if kind not in self._judges:
                self._judges[kind] = ScriptedJudge(kind)
            return self._judges[kind]

    def respond(
        self, model_name: str, prompt: str, system: str | None = None, conversation: str | None = None
    ) -> str:
        """Answer ``prompt`` (the last user message) as ``model_name``.

        ``system`` is the system message, if any: a persona honours the value-priming
        message of paper App. C.11 by expressing the primed value. ``conversation`` is
        every user/assistant turn joined: the generator's second turns (Listings 6 and
        8) take their context from the first turn, so generator scripts read it.
        """
        target = resolve(model_name)
        judged = self.judge(target.judge or "keyword").respond(prompt)
        if judged is not None:
            return judged
        if target.persona is not None:
            answer = target.persona.respond(prompt, system)
            if answer is not None:
                return answer
        generated = generator_handlers.respond_generator(target.persona, conversation or prompt)
        return generated if generated is not None else fallback_answer(target.name, prompt)

    def reset(self) -> None:
        """Forget what the flaky judges have seen."""
        with self._lock:
            for judge in self._judges.values():
                judge.reset()


_DEFAULT = Dispatcher()


def respond(model_name: str, prompt: str, system: str | None = None, conversation: str | None = None) -> str:
    """Answer ``prompt`` as ``model_name`` with the process-wide default :class:`Dispatcher`."""
    return _DEFAULT.respond(model_name, prompt, system, conversation)


def join_conversation(turns: list[str]) -> str | None:
    """The user/assistant turns as one text (``None`` for a single turn: nothing to add)."""
    return "\n\n".join(turns) if len(turns) > 1 else None
