"""The informativeness score S of paper App. C.3, as pure functions of value sets.

C.3 approximates Eq. (1) for black-box models by four terms computed from the
examinees' opinions (key points) and the judge's value labels:

* **Value conformity** ``R_VC`` -- for one model whose ``L`` key points carry value
  sets ``v^1..v^L``: ``|v^1 ∪ ... ∪ v^L| / min(1, |v^1 ∩ ... ∩ v^L|)``.
* **Value diversity** ``R_VD`` -- over the models' value sets ``V = {v_1..v_K}``:
  ``Σ_i Σ_{j≠i} D_jaccard(v_i, v_j)`` with ``D_jaccard(a, b) = |a ∪ b| / min(|a ∩ b|, 1)``.
* **Opinion diversity** ``R_OD`` -- BERTScore-based, computed elsewhere
  (:mod:`adaem_gen.scoring.opinion_diversity`) and passed in as a number.
* **Disentanglement** ``R_Dis = |v_Opinion − v_Question|``.

and ``S = R_VC + R_VD + R_OD − ½·R_Dis``.

Interpretation choices (also in the README, "How S is computed"):

**The ``min(·, 1)`` denominators.** As printed, both ratios divide by
``min(|∩|, 1)``, which is 1 whenever the sets share at least one value and 0 when
they share none, so the printed formula is ``|∪|`` or a division by zero. The name
"Jaccard diversity" suggests the authors meant ``|∪| / max(|∩|, 1)`` (inverse Jaccard
similarity with a zero guard). The two readings agree whenever ``|∩| ≤ 1``; they only
differ when the sets share two or more values. We implement both:

* ``"as_written"``: the printed ``min(|∩|, 1)``, with the zero case defined as a
  denominator of 1 -- i.e. the guard ``max(min(|∩|, 1), 1)`` -- so the ratio is
  ``|∪|``. An empty union gives 0 (``0/0 := 0``).
* ``"max"`` (:data:`DEFAULT_JACCARD`): ``|∪| / max(|∩|, 1)``, the likely intent, and the
  reading whose sets separate models better (``benchmarks/jaccard_reading.py``:
  ``adaem-validate informativeness`` on sets generated with each reading from the same
  seeds; docs/generator.md has the numbers).

**Aggregation over models.** C.3 defines ``R_VC`` for one model but not how models
are combined; Eq. (2)/(3) sum over the K models, so ``R_VC`` is the **sum** over
models (like ``R_VD``, which C.3 writes as a double sum). ``R_Dis`` follows Eq. (1)'s
``β/K Σ_i`` with ``β = 1``: the **mean** over models of the L1 distance between the
model's binary value vector and the question's own (the ``½`` of Eq. (1)'s
``β/2 Σ_v |·|`` is the ``½`` in ``S``).

**Sign of R_Dis.** Eq. (1) *adds* the disentanglement term while C.3 *subtracts*
``½·R_Dis``; we follow C.3, the formula the issue asks for.

**Missing models.** A model whose answer could not be read (refusal, empty,
unparseable after retries) contributes no value set: it is left out of every sum
and of the ``R_Dis`` mean, and pairs need two answering models.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel

__all__ = [
    "DEFAULT_JACCARD",
    "JaccardMode",
    "RewardBreakdown",
    "disentanglement",
    "informativeness",
    "jaccard_diversity",
    "set_ratio",
    "value_conformity",
    "value_conformity_total",
    "value_diversity",
]

JaccardMode = Literal["as_written", "max"]
DEFAULT_JACCARD: JaccardMode = "max"
"""The reading ``adaem-gen run`` uses unless ``--jaccard`` says otherwise (chosen by measurement)."""

ValueSet = Collection[str]


def set_ratio(union_size: int, intersection_size: int, mode: JaccardMode = DEFAULT_JACCARD) -> float:
    """``|∪| / min(|∩|, 1)`` (``as_written``) or ``|∪| / max(|∩|, 1)`` (``max``), zero-guarded.

    ``as_written``: a zero denominator (no shared value) is replaced by 1 and ``0/0``
    is 0, so the result is always ``|∪|``.
    """
    if union_size < 0 or intersection_size < 0 or intersection_size > union_size:
        raise ValueError(f"invalid set sizes: |∪|={union_size}, |∩|={intersection_size}")
    if union_size == 0:
        return 0.0
    if mode == "as_written":
        denominator = min(intersection_size, 1)
        return float(union_size) / (denominator if denominator > 0 else 1)
    if mode == "max":
        return float(union_size) / max(intersection_size, 1)
    raise ValueError(f"unknown jaccard mode {mode!r}; use 'as_written' or 'max'")


def jaccard_diversity(a: ValueSet, b: ValueSet, mode: JaccardMode = DEFAULT_JACCARD) -> float:
    """C.3's ``D_jaccard(v_1, v_2)`` for two value sets."""
    sa, sb = set(a), set(b)
    return set_ratio(len(sa | sb), len(sa & sb), mode)


def value_conformity(point_values: Sequence[ValueSet], mode: JaccardMode = DEFAULT_JACCARD) -> float:
    """``R_VC`` of one model: union over its key points' value sets, divided as above.

    No key points -> 0 (nothing conforms to any value).
    """
    sets = [set(v) for v in point_values]
    if not sets:
        return 0.0
    union = set().union(*sets)
    intersection = set.intersection(*sets)
    return set_ratio(len(union), len(intersection), mode)


def value_conformity_total(
    per_model_points: Mapping[str, Sequence[ValueSet]], mode: JaccardMode = DEFAULT_JACCARD
) -> float:
    """``R_VC`` summed over the answering models (Eq. (2)/(3) sum over i = 1..K)."""
    return float(sum(value_conformity(points, mode) for points in per_model_points.values()))


def value_diversity(model_values: Sequence[ValueSet], mode: JaccardMode = DEFAULT_JACCARD) -> float:
    """``R_VD = Σ_i Σ_{j≠i} D_jaccard(v_i, v_j)`` over ordered pairs of models."""
    sets = [set(v) for v in model_values]
    return float(sum(jaccard_diversity(a, b, mode) for a, b in itertools.permutations(sets, 2)))


def disentanglement(model_values: Sequence[ValueSet], question_values: ValueSet) -> float:
    """``R_Dis``: mean over models of ``|v_model − v_question|_1`` (symmetric difference size)."""
    if not model_values:
        return 0.0
    question = set(question_values)
    return float(sum(len(set(v) ^ question) for v in model_values)) / len(model_values)


class RewardBreakdown(BaseModel):
    """The four C.3 terms and ``S``; kept together so journals and reports show all of them."""

    vc: float
    vd: float
    od: float
    dis: float
    s: float


def informativeness(
    per_model_points: Mapping[str, Sequence[ValueSet]],
    question_values: ValueSet,
    opinion_diversity: float,
    mode: JaccardMode = DEFAULT_JACCARD,
) -> RewardBreakdown:
    """``S = R_VC + R_VD + R_OD − ½·R_Dis`` for the models that answered.

    ``per_model_points`` maps each answering model to the value sets of its key
    points; a model's opinion-level value set is their union (the paper's OR).
    """
    model_values = [
        set().union(*map(set, points)) if points else set() for points in per_model_points.values()
    ]
    vc = value_conformity_total(per_model_points, mode)
    vd = value_diversity(model_values, mode)
    dis = disentanglement(model_values, question_values)
    od = float(opinion_diversity)
    return RewardBreakdown(vc=vc, vd=vd, od=od, dis=dis, s=vc + vd + od - 0.5 * dis)
