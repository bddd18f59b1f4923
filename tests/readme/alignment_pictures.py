"""The pictures of the documented ``alignment`` dry run (docs/alignment.md), copied into ``docs/img``.

The heatmap and the value map in the docs are the files ``adaem-rank --targets`` wrote in that
dry run, run verbatim in a temporary directory, so the pictures are of numbers the dry-run test
checks. Regenerate them with::

    python tests/readme/alignment_pictures.py docs/img
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from dry_runs import all_dry_runs, run_dry_run

#: The dry run's file -> the name it has in the docs.
PICTURES = {"alignment.png": "alignment-heatmap.png", "alignment_map.png": "alignment-map.png"}


def main(out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="adaem-alignment-pictures-") as root:
        ran = run_dry_run(all_dry_runs()["alignment"], Path(root))
        if ran.returncode != 0:
            print(ran.failure(), file=sys.stderr)
            return 1
        written = []
        for made, name in PICTURES.items():
            shutil.copyfile(ran.workdir / "leaderboard" / made, out / name)
            written.append(out / name)
    print("wrote " + ", ".join(map(str, written)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/img"))
