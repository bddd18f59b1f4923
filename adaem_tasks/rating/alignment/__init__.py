"""Which model fits these values? Models' win-rate profiles against targets (paper App. A (a)).

A *target* is a named value profile (a country's or a person's survey scores) or a weighting
(``targets``). Each model's win rates (from fresh logs or a stored leaderboard: ``profiles``,
``leaderboard_files``) are compared with each target by Spearman rho, its match (rho + 1) / 2,
Pearson r of the centred profiles and, for weightings, the weighted score (``statistics``),
each with an interval from the leaderboard's own bootstrap chains; models are ordered per
target with the ones not distinguishable from the best marked, and every two models are
compared too (``compute`` -> ``result``). ``value_map`` places models and targets on the value
system's higher-order axes. ``output`` and ``plots`` render the result; ``command`` is the CLI glue.
"""

from adaem_tasks.rating.alignment.compute import align_with_targets
from adaem_tasks.rating.alignment.leaderboard_files import LeaderboardFileError, read_leaderboard
from adaem_tasks.rating.alignment.output import (
    ALIGNMENT_COLUMNS,
    SIMILARITY_COLUMNS,
    alignment_json,
    format_alignment,
    write_alignment,
)
from adaem_tasks.rating.alignment.profiles import LeftOut, ModelProfiles, profiles_from_leaderboard
from adaem_tasks.rating.alignment.result import (
    AlignmentCell,
    Estimate,
    EstimateMatrix,
    Heatmap,
    MapPoint,
    ModelSimilarity,
    RankedModel,
    TargetAlignment,
    TargetRanking,
    ValueMap,
)
from adaem_tasks.rating.alignment.targets import Target, TargetFileError, TargetSet, read_targets
from adaem_tasks.rating.alignment.value_map import MapAxis, map_axes, map_coordinates

__all__ = [
    "ALIGNMENT_COLUMNS",
    "SIMILARITY_COLUMNS",
    "AlignmentCell",
    "Estimate",
    "EstimateMatrix",
    "Heatmap",
    "LeaderboardFileError",
    "LeftOut",
    "MapAxis",
    "MapPoint",
    "ModelProfiles",
    "ModelSimilarity",
    "RankedModel",
    "Target",
    "TargetAlignment",
    "TargetFileError",
    "TargetRanking",
    "TargetSet",
    "ValueMap",
    "align_with_targets",
    "alignment_json",
    "format_alignment",
    "map_axes",
    "map_coordinates",
    "profiles_from_leaderboard",
    "read_leaderboard",
    "read_targets",
    "write_alignment",
]
