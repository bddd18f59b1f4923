"""Suite-wide fixtures: isolation from the user's set store, the loopback server, the headless browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from adaem_tasks.testing.browser import browser_missing, find_chromium
from adaem_tasks.testing.openai_server import ServerHandle, start_server


@pytest.fixture(autouse=True, scope="session")
def _isolated_adaem_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point ``$ADAEM_HOME`` (and ``$ADAEM_CACHE_DIR``) at temporary directories for the whole run.

    Tests that need their own store still set it themselves; this default only makes
    sure nothing reaches ``~/.local/share/adaem`` (published versions are never
    overwritten, so a stray publish would break the next run).
    """
    home = tmp_path_factory.mktemp("adaem-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADAEM_HOME", str(home))
        patch.setenv("ADAEM_CACHE_DIR", str(tmp_path_factory.mktemp("adaem-cache")))  # log reads
        patch.delenv("ADAEM_QUESTION_SETS", raising=False)
        yield home


@pytest.fixture(scope="module")
def loopback_server() -> Iterator[ServerHandle]:
    """The project's loopback OpenAI-compatible server (scripted personas and judges), one per module."""
    with start_server() as handle:
        yield handle


@pytest.fixture
def loop(loopback_server: ServerHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ServerHandle:
    """The loopback server as Inspect's ``openai-api/loop/<model>`` provider, with a private cache."""
    monkeypatch.setenv("LOOP_BASE_URL", loopback_server.url)
    monkeypatch.setenv("LOOP_API_KEY", "test-key")
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    return loopback_server


@pytest.fixture
def chromium() -> str:
    """The headless Chromium the HTML tests drive; skips (reason printed with ``-rs``) where there is none.

    Under CI (``$CI`` set, as ``.ci/run`` does) a missing browser fails instead: ``.ci/run`` installs
    Debian's ``chromium``, so a skip there would hide that the report was never opened.
    """
    missing = browser_missing()
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {missing}: the report's browser tests must run in CI")
        pytest.skip(missing)
    found = find_chromium()
    assert found is not None
    return found
