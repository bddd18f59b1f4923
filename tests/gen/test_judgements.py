"""The run's judge labels each distinct text once: repeats and concurrent twins are free, and counted."""

from __future__ import annotations

import asyncio

from adaem_gen.models import Ledger, ledger_scope
from adaem_gen.scoring.judgements import TextJudge
from adaem_tasks.judge import JudgeConfig
from adaem_tasks.value_systems import load_value_system

from .fakes import keyword_judge, metered

SYSTEM = load_value_system("schwartz")


def test_each_text_is_judged_once_and_repeats_are_counted() -> None:
    judge = metered("fake/judge", keyword_judge)
    texts = TextJudge(judge.as_model(), SYSTEM, JudgeConfig(cache=False))
    first, second = Ledger(), Ledger()

    async def main() -> None:
        with ledger_scope(first):  # two concurrent estimates judging the same key points
            a, b = await asyncio.gather(
                texts.opinion(["This is about power.", "Tradition matters."]),
                texts.opinion(["This is about power."]),
            )
        assert a.vector["power"] == 1 and a.vector["tradition"] == 1 and a.vector["hedonism"] == 0
        assert b.points[0].labels == a.points[0].labels
        with ledger_scope(second):
            c = await texts.opinion(["Tradition matters."])
        assert c.points[0].labels == a.points[1].labels

    asyncio.run(main())
    values = len(SYSTEM.keys)
    assert judge.model.calls == 2 * values  # type: ignore[attr-defined]  # two distinct texts, one call per value
    assert first.usage["fake/judge"].calls == 2 * values
    assert second.usage == {} and second.reused == values  # the repeat cost nothing, and says so


def test_forgetting_is_bounded() -> None:
    judge = metered("fake/judge", keyword_judge)
    texts = TextJudge(judge.as_model(), SYSTEM, JudgeConfig(cache=False, mode="batched"), memo_size=2)
    asyncio.run(texts.opinion(["one power", "two power", "three power"]))
    asyncio.run(texts.opinion(["one power"]))  # forgotten (least recently used): judged again
    assert judge.model.calls == 4  # type: ignore[attr-defined]
