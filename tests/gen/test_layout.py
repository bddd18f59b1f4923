"""The generator's layout: no import loop, a short top level, sub-packages that name their part of the paper.

Issue 20: ``adaem_gen/`` was 37 flat modules with an import circle (``config`` <-> ``exact``).
The loop check reads every ``import`` statement of every module with :mod:`ast` -- those inside
functions too (a lazy import that closes a circle is still a circle, it only moves the failure
to run time) -- and resolves relative imports with :func:`importlib.util.resolve_name`.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

import adaem_gen

PACKAGE_DIR = Path(adaem_gen.__file__).parent
PAPER_REFERENCE = re.compile(r"\b(Alg\. ?\d|§\d|App\. [A-K]|Listings? \d)")


def module_names(package_dir: Path) -> dict[str, Path]:
    """Every module of the package under ``package_dir``, by dotted name."""
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``name`` imports, anywhere in its source."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            package = name if is_package else name.rpartition(".")[0]
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            base = base.rstrip(".")
            candidates = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(c for c in candidates if c in known and c != name)
    return found


def import_loops(package_dir: Path) -> list[list[str]]:
    """Each import circle among the package's modules (strongly connected components, Tarjan)."""
    modules = module_names(package_dir)
    graph = {name: imported_modules(name, path, set(modules)) for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return loops


def test_adaem_gen_has_no_import_loop() -> None:
    assert import_loops(PACKAGE_DIR) == []


def test_the_loop_check_finds_a_loop_through_a_lazy_relative_import(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "config.py").write_text("def check():\n    from pkg.sub import exact\n")
    (package / "sub" / "exact.py").write_text("from ..config import check\n")
    (package / "free.py").write_text("import pkg.config\n")
    assert import_loops(package) == [["pkg.config", "pkg.sub.exact"]]


def test_top_level_is_short() -> None:
    entries = sorted(p.name for p in PACKAGE_DIR.iterdir() if p.name != "__pycache__")
    assert len(entries) <= 12, entries


SUB_PACKAGES = sorted(p.name for p in PACKAGE_DIR.iterdir() if (p / "__init__.py").is_file())


@pytest.mark.parametrize("package", SUB_PACKAGES)
def test_each_sub_package_says_which_part_of_the_paper_it_implements(package: str) -> None:
    tree = ast.parse((PACKAGE_DIR / package / "__init__.py").read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree) or ""
    assert PAPER_REFERENCE.search(docstring), f"adaem_gen.{package}: no paper reference in {docstring!r}"
