"""The README is the five-minute introduction: short, and every link into docs/ lands on a page.

``mkdocs build --strict`` (in .ci/run) checks the links *between* docs pages; the README is not part of
the site, so its relative links are checked here.
"""

from __future__ import annotations

import re

from dry_runs import README, REPO

_LINK = re.compile(r"\]\((?!https?://|#)([^)#\s]+)(?:#[^)]*)?\)")


def test_readme_links_point_at_files_that_exist() -> None:
    targets = _LINK.findall(README.read_text(encoding="utf-8"))
    assert targets, "the README links into docs/"
    missing = sorted({t for t in targets if not (REPO / t).exists()})
    assert not missing, f"README.md links to missing files: {missing}"


def test_readme_stays_a_five_minute_read() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 160, f"README.md has {len(lines)} lines; the reference belongs in docs/"
    first_screen = "\n".join(lines[:60])
    assert "inspect eval adaem_tasks/schwartz" in first_screen
    assert "python -m pytest" in "\n".join(lines[:80])
