"""Two-team TrueSkill, vectorised across values x replicates (paper §3.3, App. C.8).

For one question and one value the paper puts the models that expressed the value in
one team and the rest in another, and does a TrueSkill group update in which the
expressing team *wins*. With two teams the TrueSkill factor graph has a single
team-difference variable, so message passing converges in one sweep and the update
has a closed form (Herbrich et al., 2006). With every model's variance first widened
by the dynamics factor, ``s_i^2 = sigma_i^2 + tau^2``::

    c^2   = sum_{i in match} (s_i^2 + beta^2)
    t     = (sum_{winners} mu_i - sum_{losers} mu_i) / c
    eps   = draw_margin(n) / c,   draw_margin(n) = Phi^-1((p_draw + 1) / 2) * sqrt(n) * beta
    v     = phi(t - eps) / Phi(t - eps),   w = v * (v + t - eps)
    mu_i    <- mu_i +/- s_i^2 / c * v          (+ for winners, - for losers)
    sigma_i <- sqrt(s_i^2 * (1 - s_i^2 / c^2 * w))

This is exactly what ``trueskill.rate([winners, losers], ranks=[0, 1])`` computes
(unit weights, no draw between the teams, members of a team tied with each other);
the tests check equality with a plain loop over that function to 1e-6.

Partial play (the paper's "partial update", App. C.8): ``trueskill.rate(..., weights=)``
makes a team's performance the *weighted* sum of its members' performances. With a
weight ``a_i`` per player (signed: + winners, - losers) the closed form becomes::

    c^2   = sum_i a_i^2 (s_i^2 + beta^2)
    t     = sum_i a_i mu_i / c
    mu_i    <- mu_i + a_i s_i^2 / c * v
    sigma_i <- sqrt(s_i^2 (1 - a_i^2 s_i^2 / c^2 * w))

(the draw margin still counts players, as trueskill's does). ``team_weights="sum"`` is
|a_i| = 1, the package default: a team's strength is the SUM of its members', so in a
15-vs-1 match the big team starts 14 prior means ahead and the prior mean itself moves
the result. ``team_weights="mean"`` is |a_i| = 1 / (size of i's team): a team is the
AVERAGE of its members, sum_i a_i = 0, and adding a constant to every mean changes
nothing -- the ratings become invariant to the prior mean.

Sequential updates depend on question order, so many orders (a seeded shuffle plus
bootstrap replicates) are run side by side as independent *chains*. Each chain x
value is an independent rating problem over the same models: state arrays are
``(chains, values, models)`` and every step updates all of them with a handful of
numpy operations. Everything that does not depend on the ratings (team membership,
number of players, draw margin) is computed once per question and gathered per step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import log_ndtr, ndtr, ndtri

__all__ = [
    "TEAM_WEIGHTS",
    "ChainResult",
    "TeamWeights",
    "TrueSkillParams",
    "rate_chains",
    "team_weight_table",
    "v_win",
    "w_win",
]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)

TeamWeights = Literal["sum", "mean"]
"""Partial-play weights: 1 per player (team = sum), or 1 / team size (team = average)."""
TEAM_WEIGHTS: tuple[str, ...] = get_args(TeamWeights)


@dataclass(frozen=True)
class TrueSkillParams:
    """The TrueSkill environment; defaults are the ``trueskill`` package's (and trueskill.org's)."""

    mu: float = 25.0
    sigma: float = 25.0 / 3.0
    beta: float = 25.0 / 6.0
    tau: float = 25.0 / 300.0
    draw_probability: float = 0.10

    def __post_init__(self) -> None:
        if self.sigma <= 0 or self.beta <= 0 or self.tau < 0:
            raise ValueError("TrueSkill needs sigma > 0, beta > 0 and tau >= 0")
        if not 0.0 <= self.draw_probability < 1.0:
            raise ValueError(f"draw_probability must be in [0, 1), got {self.draw_probability}")

    def draw_margin(self, n_players: ArrayLike) -> NDArray[np.float64]:
        """The draw margin for a match of ``n_players`` in total (``trueskill.calc_draw_margin``)."""
        n = np.asarray(n_players, dtype=np.float64)
        return float(ndtri((self.draw_probability + 1.0) / 2.0)) * np.sqrt(n) * self.beta

    def trueskill_env(self, backend: str | None = "scipy") -> Any:
        """The equivalent ``trueskill.TrueSkill`` environment (for cross-checks).

        ``backend="scipy"`` uses exact normal functions, as this module does; the package's
        default pure-Python backend approximates erfc (relative error ~1e-7).
        """
        import trueskill

        return trueskill.TrueSkill(
            mu=self.mu,
            sigma=self.sigma,
            beta=self.beta,
            tau=self.tau,
            draw_probability=self.draw_probability,
            backend=backend,
        )


def v_win(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """phi(x) / Phi(x) for the match's normalised performance difference ``x = t - eps``.

    The direct ratio is exact and fast while Phi(x) is representable; below x = -30 (a
    winner team rated far below the losers) it is recomputed in log space, where the
    plain ratio would approach 0/0.
    """
    if x.size and x.min() < -30.0:
        return np.exp(-0.5 * x * x - _LOG_SQRT_2PI - log_ndtr(x))
    v = np.exp(-0.5 * x * x - _LOG_SQRT_2PI)
    v /= ndtr(x)
    return v


def w_win(x: NDArray[np.float64], v: NDArray[np.float64]) -> NDArray[np.float64]:
    """v * (v + x); mathematically in (0, 1), clipped there against rounding at extreme x."""
    return np.clip(v * (v + x), 0.0, np.nextafter(1.0, 0.0))


@dataclass
class ChainResult:
    """Final ratings of every chain; ``games`` counts the rated matches each model took part in."""

    mu: NDArray[np.float64]  # (chains, values, models)
    sigma: NDArray[np.float64]  # (chains, values, models)
    games: NDArray[np.int64]  # (chains, values, models)
    no_contrast: NDArray[np.int64]  # (chains, values): >= 2 answers but all or none expressed
    too_few: NDArray[np.int64]  # (chains, values): fewer than 2 valid answers


def team_weight_table(
    win: NDArray[np.bool_], lose: NDArray[np.bool_], team_weights: TeamWeights
) -> NDArray[np.float64]:
    """Signed partial-play weight of every (question, value, model): + winners, - losers, 0 idle."""
    if team_weights == "sum":
        return win.astype(np.float64) - lose.astype(np.float64)
    if team_weights == "mean":
        n_win = np.count_nonzero(win, axis=-1, keepdims=True)
        n_lose = np.count_nonzero(lose, axis=-1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(win, 1.0 / n_win, 0.0) - np.where(lose, 1.0 / n_lose, 0.0)
    raise ValueError(f"unknown team weights {team_weights!r} (use {' or '.join(TEAM_WEIGHTS)})")


def rate_chains(
    labels: ArrayLike,
    valid: ArrayLike,
    orders: ArrayLike,
    params: TrueSkillParams | None = None,
    team_weights: TeamWeights = "sum",
) -> ChainResult:
    """Run sequential two-team TrueSkill updates for every chain and value at once.

    Args:
        labels: ``(questions, values, models)``; True where the model expressed the value.
        valid: ``(questions, models)`` or ``(questions, values, models)``; False where the
            model gave no judgeable answer (or, per value, where its label is unknown). Such a
            model is in neither team for that match (and gets no dynamics noise).
        orders: ``(chains, steps)`` question indices; chain ``c`` rates questions
            ``orders[c, 0], orders[c, 1], ...`` in that order (repeats allowed, as in a
            bootstrap resample).
        params: the TrueSkill environment.
        team_weights: partial-play weights, as ``trueskill.rate(..., weights=)`` takes them:
            ``"sum"`` (1 each, the package default) or ``"mean"`` (1 / team size).
    """
    p = params or TrueSkillParams()
    labels = np.asarray(labels, dtype=bool)
    valid = np.asarray(valid, dtype=bool)
    orders = np.asarray(orders, dtype=np.intp)
    if labels.ndim != 3 or valid.shape not in ((labels.shape[0], labels.shape[2]), labels.shape):
        raise ValueError(
            f"labels must be (Q, V, M) and valid (Q, M) or (Q, V, M); got {labels.shape} and {valid.shape}"
        )
    if orders.ndim != 2:
        raise ValueError(f"orders must be (chains, steps); got shape {orders.shape}")
    if team_weights not in TEAM_WEIGHTS:
        raise ValueError(f"unknown team weights {team_weights!r} (use {' or '.join(TEAM_WEIGHTS)})")
    n_chains, n_steps = orders.shape
    _, n_values, n_models = labels.shape
    shape = (n_chains, n_values, n_models)

    # Team membership depends only on the question, not on the chain or the ratings:
    # compute it once per question; each step then gathers the rows its chains need.
    act = valid[:, None, :] if valid.ndim == 2 else valid  # (Q, 1 or V, M)
    win = labels & act
    lose = act & ~labels
    n_win = np.count_nonzero(win, axis=-1)
    n_lose = np.count_nonzero(lose, axis=-1)
    n_act = n_win + n_lose  # (Q, V)
    game = (n_win > 0) & (n_lose > 0)
    part_q = act & game[..., None]  # the model plays this match
    # +1 winner, -1 loser, 0 not playing; int8 keeps the per-step gather 8x smaller than floats.
    sign_q = ((win.astype(np.int8) - lose.astype(np.int8)) * game[..., None]).astype(np.int8)
    # Unit weights need only the signs; partial-play weights gather their own float table.
    coef_q = None if team_weights == "sum" else team_weight_table(win, lose, team_weights) * game[..., None]
    n_game = np.where(game, n_act, 0)
    weight2_q = n_game if coef_q is None else np.einsum("qvm,qvm->qv", coef_q, coef_q)  # sum_i a_i^2
    beta2_q = np.where(game, weight2_q * p.beta**2, 1.0)  # 1.0 keeps idle chains finite; they change nothing
    margin_q = p.draw_margin(np.arange(n_models + 1))[n_game]
    tau2 = p.tau**2

    mu = np.full(shape, p.mu, dtype=np.float64)
    var = np.full(shape, p.sigma**2, dtype=np.float64)
    sg8 = np.empty(shape, dtype=np.int8)
    a, pf, s2, k, tmp = (np.empty(shape) for _ in range(5))  # reused work buffers
    a2 = pf if coef_q is None else np.empty(shape)  # a_i^2; with unit weights 1 for players, as pf
    steps_major = np.ascontiguousarray(orders.T)
    for q in steps_major:
        if coef_q is None:
            np.take(sign_q, q, axis=0, out=sg8)  # a_i = +-1 for players, 0 otherwise
            a[...] = sg8
            np.multiply(a, a, out=pf)  # 1 for players
        else:
            np.take(coef_q, q, axis=0, out=a)
            np.multiply(a, a, out=a2)
            np.greater(a2, 0.0, out=pf)  # 1 for players
        np.multiply(pf, tau2, out=s2)
        s2 += var  # s_i^2 = sigma_i^2 + tau^2 for players
        diff = np.einsum("cvm,cvm->cv", mu, a)
        c2 = np.einsum("cvm,cvm->cv", s2, a2)
        c2 += beta2_q[q]
        c = np.sqrt(c2)
        x = (diff - margin_q[q]) / c
        v = v_win(x)
        w = w_win(x, v)
        np.multiply(s2, a, out=k)  # a_i s_i^2 for players, 0 otherwise
        mu += np.multiply(k, (v / c)[..., None], out=tmp)
        np.multiply(k, k, out=tmp)
        tmp *= (w / c2)[..., None]
        np.subtract(s2, tmp, out=var)

    # How often each chain used each question, to count matches without a per-step sum.
    uses = np.zeros((n_chains, labels.shape[0]), dtype=np.float64)
    for chain in range(n_chains):
        uses[chain] = np.bincount(orders[chain], minlength=labels.shape[0])
    games = (
        np.rint(uses @ part_q.reshape(labels.shape[0], n_values * n_models).astype(np.float64))
        .astype(np.int64)
        .reshape(shape)
    )
    no_contrast = np.rint(uses @ ((~game) & (n_act >= 2))).astype(np.int64)
    too_few = np.rint(uses @ (n_act < 2)).astype(np.int64)
    return ChainResult(mu=mu, sigma=np.sqrt(var), games=games, no_contrast=no_contrast, too_few=too_few)
