"""Run a module as ``python -m`` would, with the optional extras made uninstallable.

``python run_without.py REPORT MODULE [ARGS...]``: every top-level module in ``BLOCKED`` is
set to ``None`` in ``sys.modules`` first, which is how Python marks a module as not
importable (``import torch`` raises ``ImportError``; ``importlib.util.find_spec`` finds
nothing). So a dev environment, where the extras are installed, behaves like the plain
``pip install adaem-tasks`` for this process. ``MODULE`` then runs as ``__main__``; at exit
the modules of the blocked packages that did get imported anyway (none, if the install
profile holds) are written to ``REPORT`` as JSON.
"""

from __future__ import annotations

import json
import runpy
import sys

from adaem_gen.extras import GEN_MODULES  # the package's own list of the 'gen' extra (imports no extra)

BLOCKED = (*GEN_MODULES, "lm_eval", "datasets")  # the 'gen' and the 'lm-eval' extras


def main() -> int:
    report, module, *args = sys.argv[1:]
    for name in BLOCKED:
        sys.modules[name] = None  # type: ignore[assignment]
    sys.argv = [module, *args]
    code: int | str | None = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
    leaked = sorted(k for k, v in sys.modules.items() if k.split(".")[0] in BLOCKED and v is not None)
    with open(report, "w", encoding="utf-8") as handle:
        json.dump({"imported": leaked}, handle)
    if isinstance(code, str):
        print(code, file=sys.stderr)
        return 1
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
