"""Shared fixture for the test-double tests: a private Inspect response cache."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_inspect_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Judge calls use Inspect's response cache; keep it per test so runs never see stale answers."""
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
