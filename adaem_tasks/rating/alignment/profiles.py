"""Models' value profiles as alignment reads them: win rates per value, with their bootstrap chains.

The alignment statistics do not care whether the win rates come fresh from logs
(:func:`profiles_from_leaderboard`) or from a stored ``leaderboard.csv``/``.json``
(:mod:`adaem_tasks.rating.alignment.leaderboard_files`): both become one
:class:`ModelProfiles`. A model that lacks a win rate on any value -- it was not comparable
under the leaderboard's rules -- is *left out* with its reason, never scored: a correlation
over the values it happens to have would compare it on a different footing from the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.rating.leaderboard import Leaderboard

__all__ = ["LeftOut", "ModelProfiles", "left_out_for_missing_values", "profiles_from_leaderboard"]


@dataclass(frozen=True)
class LeftOut:
    """Why a model gets no alignment numbers: the leaderboard's reason code and its words."""

    reason: str
    reason_text: str


@dataclass
class ModelProfiles:
    """Win-rate profiles of the models of one value system.

    ``chains`` is ``(1 + replicates, models, values)``: chain 0 the point estimate, the others
    the bootstrap replicates (none when only point values are known, e.g. from a CSV). NaN marks
    a cell without a win rate; every model with one is in ``left_out``.
    """

    value_system: str
    set_version: str | None
    models: list[str]
    values: list[str]
    chains: NDArray[np.float64]
    ci_level: float = 0.95
    left_out: dict[str, LeftOut] = field(default_factory=dict)
    source: str = "logs"

    @property
    def point(self) -> NDArray[np.float64]:
        """``(models, values)`` point win rates."""
        return self.chains[0]

    @property
    def n_replicates(self) -> int:
        return int(self.chains.shape[0]) - 1

    @property
    def scored_models(self) -> list[str]:
        return [m for m in self.models if m not in self.left_out]


def left_out_for_missing_values(
    models: list[str], values: list[str], point: NDArray[np.float64], known: dict[str, LeftOut]
) -> dict[str, LeftOut]:
    """``known`` plus a reason for every other model whose point profile has a gap."""
    left_out = dict(known)
    for i, model in enumerate(models):
        gaps = [values[j] for j in np.flatnonzero(~np.isfinite(point[i]))]
        if gaps and model not in left_out:
            left_out[model] = LeftOut("no_win_rate", f"no win rate for {', '.join(gaps)}")
    return left_out


def _board_left_out(board: Leaderboard) -> dict[str, LeftOut]:
    comparability = board.comparability
    left_out: dict[str, LeftOut] = {}
    for model in board.models:
        verdict = comparability.model_verdicts.get(model)
        if verdict is not None:
            left_out[model] = LeftOut(verdict.reason, verdict.message)
            continue
        cells = comparability.value_verdicts(model)
        if cells:
            listed = "; ".join(f"{value}: {verdict.message}" for value, verdict in cells)
            left_out[model] = LeftOut(
                cells[0][1].reason,
                f"not comparable on {len(cells)} of {len(board.values)} values, and a profile needs "
                f"every value ({listed})",
            )
    return left_out


def profiles_from_leaderboard(board: Leaderboard, source: str = "logs") -> ModelProfiles:
    """The profiles of a freshly ranked board, with its bootstrap chains."""
    chains = board.win_rate_chains if board.win_rate_chains is not None else board.win_rate[None]
    return ModelProfiles(
        value_system=board.value_system,
        set_version=board.set_version,
        models=list(board.models),
        values=list(board.values),
        chains=np.asarray(chains, dtype=np.float64),
        ci_level=board.config.ci_level,
        left_out=left_out_for_missing_values(
            list(board.models), list(board.values), chains[0], _board_left_out(board)
        ),
        source=source,
    )
