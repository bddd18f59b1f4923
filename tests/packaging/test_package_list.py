"""pyproject.toml lists its packages by hand (the package-dir mapping of solvers/, scorers/ and
task_configs/ rules out automatic discovery), so a new sub-package is easy to forget: an editable
install still finds it, a wheel silently leaves it out, and the plain install breaks only for users.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _configured() -> tuple[set[str], dict[str, str]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    return set(config["packages"]), dict(config.get("package-dir", {}))


def _on_disk(package_dir: dict[str, str]) -> set[str]:
    """Every directory with an ``__init__.py`` under the installed roots, as its installed package name."""
    roots = {"adaem_tasks": REPO / "adaem_tasks", "adaem_gen": REPO / "adaem_gen"}
    roots.update({name: REPO / path for name, path in package_dir.items()})
    found: set[str] = set()
    for name, root in roots.items():
        for init in root.rglob("__init__.py"):
            relative = init.parent.relative_to(root)
            if "__pycache__" in relative.parts:
                continue
            found.add(".".join((name, *relative.parts)))
    return found


def test_every_package_on_disk_is_listed_in_pyproject() -> None:
    listed, package_dir = _configured()
    missing = sorted(_on_disk(package_dir) - listed)
    assert not missing, f"pyproject.toml [tool.setuptools] packages lacks {missing}: wheels leave them out"


def test_every_listed_package_exists() -> None:
    listed, package_dir = _configured()
    gone = sorted(listed - _on_disk(package_dir))
    assert not gone, f"pyproject.toml lists packages that do not exist: {gone}"
