"""Open an HTML file in the system's headless Chromium and record what a reader would meet.

The report tests and the documentation's screenshot both go through :func:`open_page`, so
the picture in the docs is made the way the tests look at the report. The browser is
Debian's ``chromium`` (``apt-get install chromium``), driven by Playwright's Python client
with ``executable_path``: Playwright's own browser download is never used. Every console
error, uncaught page error, dialog (``alert``) and network request is recorded, so a test
can fail on any of them.

Playwright is a development dependency (the ``dev`` extra); this module imports it only
when a page is opened.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Dialog, Page

__all__ = ["CHROMIUM_FLAGS", "ENV_CHROMIUM", "PageLog", "browser_missing", "find_chromium", "open_page"]

ENV_CHROMIUM = "ADAEM_CHROMIUM"
"""Path of the Chromium binary to use, when it is not ``chromium`` on ``PATH``."""

CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""Flags that run headless Chromium in containers and keep it from calling home."""

_SHORT_PATH = 40
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The Chromium binary: ``$ADAEM_CHROMIUM``, else the first of the usual names on ``PATH``."""
    explicit = os.environ.get(ENV_CHROMIUM)
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_missing() -> str | None:
    """Why no page can be opened here (no Chromium, or no Playwright client), or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if find_chromium() is None:
        return f"no Chromium found (apt-get install chromium, or set {ENV_CHROMIUM})"
    return None


@dataclass
class PageLog:
    """What happened while the page was open."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    @property
    def problems(self) -> list[str]:
        return [
            *(f"console error: {m}" for m in self.console_errors),
            *(f"page error: {m}" for m in self.page_errors),
            *(f"dialog: {m}" for m in self.dialogs),
        ]


def _short_temp_root() -> str:
    """A temporary directory with a short path: Chromium's singleton socket lives under ``$TMPDIR``.

    A Unix socket path has at most 107 bytes; under a long ``$TMPDIR`` (CI runs the tests under
    one on purpose) Chromium aborts with "Socket path too long".
    """
    for candidate in (tempfile.gettempdir(), "/tmp", "/dev/shm"):
        if len(candidate) <= _SHORT_PATH and os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            return candidate
    return tempfile.gettempdir()


@contextmanager
def open_page(path: Path, width: int = 1280, height: int = 900) -> Iterator[tuple[Page, PageLog]]:
    """``path`` loaded in a fresh headless Chromium profile; yields the page and its log.

    Dialogs are recorded and dismissed (a page that opens one must not hang the test).
    """
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError(browser_missing() or "no Chromium")
    log = PageLog()
    short = _short_temp_root()
    with (
        tempfile.TemporaryDirectory(prefix="adaem-chromium-", dir=short) as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=list(CHROMIUM_FLAGS),
            viewport={"width": width, "height": height},
            env={**os.environ, "TMPDIR": short},
        )
        try:
            page = context.new_page()
            page.on("console", log.on_console)
            page.on("pageerror", lambda error: log.page_errors.append(str(error)))
            page.on("dialog", log.on_dialog)
            page.on("request", lambda request: log.requests.append(request.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            yield page, log
        finally:
            context.close()
