"""Fixtures for the lm-eval side (doubles live in adaem_lmeval_doubles.py).

NOTE: this directory must not get an ``__init__.py``: pytest would then import it as a
package named ``lm_eval`` and shadow the real lm-evaluation-harness.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from adaem_lmeval_doubles import JUDGE_STATS, TEST_JUDGE, write_questions


@pytest.fixture
def questions_file(tmp_path: Path) -> Path:
    return write_questions(tmp_path / "questions.jsonl", 12)


@pytest.fixture
def adaem_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, questions_file: Path
) -> Iterator[dict[str, str]]:
    """Offline environment: scripted judge, private Inspect cache, the question file above."""
    env = {
        "ADAEM_JUDGE_MODEL": TEST_JUDGE,
        "ADAEM_QUESTIONS": str(questions_file),
        "INSPECT_CACHE_DIR": str(tmp_path / "inspect-cache"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("ADAEM_JUDGE_MODE", "ADAEM_JUDGE_MAX_CONNECTIONS", "ADAEM_QUESTION_SET_VERSION"):
        monkeypatch.delenv(key, raising=False)
    JUDGE_STATS.reset()
    yield env
