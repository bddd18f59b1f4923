"""Theory-grounded map coordinates: models and targets on the value system's higher-order axes.

Schwartz's circle has two bipolar dimensions, openness to change vs conservation and
self-transcendence vs self-enhancement; moral foundations split into individualizing vs binding.
Both come from the value system's YAML (``groups`` with their ``opposite``), so the map means the
same on every run and for every value system, unlike a t-SNE or PCA of the current models.

A profile (win rates, survey scores, weights) is first standardised on its own values -- centred
on its own mean, divided by its own standard deviation -- so models and targets on any scale
land on one map; a coordinate is then the mean standardised score of the axis's positive group
minus that of its negative group. Each pair of opposed groups is one axis, its positive pole the
group listed first in the YAML: two axes for Schwartz, one for MFT.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.rating.alignment.statistics import scaled_down
from adaem_tasks.value_systems import ValueSystem

__all__ = ["MapAxis", "map_axes", "map_coordinates"]


@dataclass(frozen=True)
class MapAxis:
    """One bipolar axis: ``positive`` minus ``negative`` (group names as the YAML gives them)."""

    key: str
    positive: str
    negative: str
    positive_values: tuple[str, ...]
    negative_values: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.positive} - {self.negative}"


def map_axes(system: ValueSystem) -> list[MapAxis]:
    """One axis per pair of opposed groups, in the order the YAML lists their positive poles."""
    axes: list[MapAxis] = []
    used: set[str] = set()
    by_key = {g.key: g for g in system.groups}
    for group in system.groups:
        if group.opposite is None or group.key in used:
            continue
        other = by_key[group.opposite]
        used.update({group.key, other.key})
        axes.append(
            MapAxis(
                key=f"{group.key}_vs_{other.key}",
                positive=group.name,
                negative=other.name,
                positive_values=tuple(group.values),
                negative_values=tuple(other.values),
            )
        )
    return axes


def _loadings(axes: list[MapAxis], values: list[str]) -> NDArray[np.float64]:
    """``(values, axes)``: +1/n over the positive group, -1/n over the negative one."""
    weights = np.zeros((len(values), len(axes)))
    for a, axis in enumerate(axes):
        for members, sign in ((axis.positive_values, 1.0), (axis.negative_values, -1.0)):
            for key in members:
                weights[values.index(key), a] += sign / len(members)
    return weights


def map_coordinates(
    profiles: NDArray[np.float64], values: list[str], axes: list[MapAxis]
) -> NDArray[np.float64]:
    """``(..., axes)`` coordinates of profiles ``(..., values)``; NaN for a profile without spread."""
    profiles = scaled_down(profiles)  # a standardised profile does not depend on its scale
    centred = profiles - profiles.mean(axis=-1, keepdims=True)
    spread = profiles.std(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(spread > 0, centred / np.where(spread > 0, spread, 1.0), np.nan)
    return np.asarray(z @ _loadings(axes, values), dtype=np.float64)
