"""Relative value ranking across models (paper §3.3, App. C.8): ``adaem-rank``.

Pipeline: logs -> :class:`ValueRecord` (``sources``, ``inspect_logs``, ``lmeval_logs``)
-> aligned model x question x value tensors (``align``; set versions and content hashes
checked, runs separated by their measurement settings: ``measurement``) -> which models
and values were compared (``comparability``) -> vectorised two-team TrueSkill over a
seeded order plus bootstrap replicates (``trueskill_vec``, ``bootstrap``) -> win rates
(``winrate``) and clear leaders (``leaders``) -> CSV / JSON / table / PNG (``report``)
and ``report.html`` with the answers behind the numbers (``html``).
"""

from adaem_tasks.rating.align import (
    Alignment,
    ContentMismatchError,
    Coverage,
    MixedSettingsError,
    SetMismatchError,
    VersionMismatchError,
    align,
)
from adaem_tasks.rating.comparability import DEFAULT_MIN_SHARED, Comparability, Verdict, assess
from adaem_tasks.rating.leaderboard import (
    Leaderboard,
    LeaderboardRow,
    RankConfig,
    RankResult,
    rank_alignment,
    rank_by_category,
    rank_records,
)
from adaem_tasks.rating.records import Problem, ValueRecord, read_panel, write_panel
from adaem_tasks.rating.sources import load_panel, load_records
from adaem_tasks.rating.trueskill_vec import TeamWeights, TrueSkillParams, rate_chains
from adaem_tasks.rating.winrate import pairwise_win_probability, win_rates

__all__ = [
    "DEFAULT_MIN_SHARED",
    "Alignment",
    "Comparability",
    "ContentMismatchError",
    "Coverage",
    "Leaderboard",
    "LeaderboardRow",
    "MixedSettingsError",
    "Problem",
    "RankConfig",
    "RankResult",
    "SetMismatchError",
    "TeamWeights",
    "TrueSkillParams",
    "ValueRecord",
    "Verdict",
    "VersionMismatchError",
    "align",
    "assess",
    "load_panel",
    "load_records",
    "pairwise_win_probability",
    "rank_alignment",
    "rank_by_category",
    "rank_records",
    "rate_chains",
    "read_panel",
    "win_rates",
    "write_panel",
]
