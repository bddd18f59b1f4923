"""``adaem-gen run`` configuration: one pydantic model, loadable from YAML, overridable by flags.

Defaults are the paper's (App. C.4, Table 6): ε=0.85 with top-k=3 similarity dedup,
τ=0.5, tree depth 3, N_shot=5, N_2=3, temperature 1.0 / top_p 0.95, three key points.

Precedence: built-in defaults < YAML file (``--config``) < command-line flags. On
``--resume`` the journal's recorded configuration replaces the defaults, and any
*algorithmic* setting that would differ from it is refused (a resumed run must
continue the same search); only the budget may grow, and operational knobs
(connections, retries, output, display) may change. ``parallel`` (K) counts as
algorithmic: pull ``b`` is planned from the results of pulls ``1..b-K``, so another K
would plan the interrupted pulls differently.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from adaem_gen.models import ModelPrice
from adaem_gen.questions.guard import GuardMode
from adaem_gen.scoring.reward import DEFAULT_JACCARD, JaccardMode
from adaem_tasks.judge import JudgeMode
from adaem_tasks.questions import DEFAULT_VERSION

__all__ = [
    "ALGORITHMIC_FIELDS",
    "ConfigError",
    "RunConfig",
    "config_differences",
    "load_yaml_config",
    "recorded_config",
]


class ConfigError(ValueError):
    """A configuration that cannot run (message says which setting and why)."""


def _split_models(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class RunConfig(BaseModel):
    """Everything that determines a generator run."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=(), allow_inf_nan=False)

    # inputs and models
    seeds: str = Field(
        DEFAULT_VERSION, description="Seed questions: a set version, a set directory or a JSONL file."
    )
    value_system: str = "schwartz"
    p1: list[str] = Field(default_factory=list, description="Cheap models: explore, refine, estimate S.")
    p2: list[str] = Field(default_factory=list, description="Stronger models for the final S (default: P1).")
    judge: str | None = Field(None, description="The value judge (Listing 4).")
    guard: str | None = Field(None, description="Optional safety guard model; unsafe questions are dropped.")
    guard_mode: GuardMode = "prompt"
    model_args: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per-model get_model() args."
    )

    # Algorithm 2 and Table 6
    budget: int = Field(
        100,
        ge=1,
        description="B: bandit steps. Paper: 1,500 (App. K, 'our maximum computational resources'); "
        "100 by default so that no command spends a paper-scale budget unasked -- a resume may grow it.",
    )
    parallel: int = Field(
        8,
        ge=1,
        description="K: bandit pulls in flight; pull b sees the results of pulls 1..b-K (1 = sequential).",
    )
    n2: int = Field(3, ge=1, description="N_2: parent questions sampled (explorations) per step.")
    epsilon: float = Field(0.85, ge=-1.0, le=1.0, description="ε: dedup similarity threshold.")
    top_k: int = Field(3, ge=1, description="Mean of the top-k similarities compared with ε.")
    tau: float = Field(0.5, description="τ: keep refining while S gains more than this.")
    max_depth: int = Field(3, ge=1, description="Max depth of the exploration tree (seed = depth 0).")
    max_refine: int = Field(3, ge=0, description="Cap on refinement rounds per question.")
    n_shot: int = Field(5, ge=0, description="N_shot: best-scored arm questions shown when exploring.")
    temperature: float = 1.0
    top_p: float | None = Field(
        0.95, description="None: do not send top_p (some APIs refuse it with temperature)."
    )
    points: int = Field(3, ge=1, description="Key points per opinion (Listing 3).")
    words: int = Field(250, ge=1)
    judge_mode: JudgeMode = "single"
    jaccard: JaccardMode = Field(
        DEFAULT_JACCARD,
        description="Reading of C.3's min(|∩|,1) denominator: 'max' (|∪|/max(|∩|,1), default, chosen by "
        "measurement: docs/generator.md) or 'as_written' (|∪|).",
    )
    estimator: Literal["approx", "exact"] = Field(
        "approx",
        description="S from C.3's approximation (any provider) or App. I's probabilities (scoring/exact.py).",
    )
    max_attempts: int = Field(3, ge=1, description="Tries per generation before it is counted as failed.")
    seed: int = Field(0, description="Seed for sampling parent questions.")

    # output
    out: str | None = Field(None, description="Run directory (journal, set, logs).")
    version: str | None = Field(None, description="Name of the new set version (default adaem-<date>-<run>).")
    previous: list[str] = Field(
        default_factory=list, description="Earlier versions whose questions are removed."
    )
    top: int | None = Field(None, ge=1, description="Keep only the N best-scored questions.")
    min_score: float | None = Field(None, description="Keep only questions with final S >= this.")
    publish: bool = Field(True, description="Also publish the set to the user set store.")
    description: str = ""

    # operations
    max_connections: int | None = Field(None, ge=1)
    max_retries: int | None = Field(None, ge=0)
    timeout: int | None = Field(None, ge=1)
    concurrency: int = Field(16, ge=1, description="Questions estimated concurrently when scoring seeds.")
    cache: bool = Field(True, description="Use Inspect's response cache (scoped to this run).")
    prices: dict[str, ModelPrice] = Field(
        default_factory=dict, description="US$ per 1M tokens, by model spec."
    )
    max_failed_steps: int = Field(
        3, ge=1, description="Abort after this many consecutive steps with no usable call."
    )

    _split = field_validator("p1", "p2", "previous", mode="before")(_split_models)

    @model_validator(mode="after")
    def _check(self) -> RunConfig:
        if self.top_p is not None and not 0.0 < self.top_p <= 1.0:
            raise ValueError("top_p must be in (0, 1]")
        for name in ("p1", "p2"):
            specs = getattr(self, name)
            if len(set(specs)) != len(specs):
                raise ValueError(f"{name} lists a model twice: {specs}")
        return self

    @property
    def p2_models(self) -> list[str]:
        return self.p2 or self.p1

    def require_runnable(self) -> None:
        """Refuse a configuration that lacks a required setting.

        Whether the chosen estimator can run with these models is the estimator's
        business: :func:`adaem_gen.scoring.estimators.require_estimator_support`.
        """
        missing = [
            name for name, ok in (("--p1", self.p1), ("--judge", self.judge), ("--out", self.out)) if not ok
        ]
        if missing:
            raise ConfigError(f"missing required setting(s): {', '.join(missing)}")

    def algorithmic(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ALGORITHMIC_FIELDS}

    def hyperparameters(self) -> dict[str, Any]:
        """What goes into the set manifest."""
        data = self.algorithmic()
        data.update(budget=self.budget, top=self.top, min_score=self.min_score, previous=self.previous)
        for key in ("p1", "p2", "judge", "guard", "seeds", "seed", "value_system"):
            data.pop(key, None)
        return data


ALGORITHMIC_FIELDS = (
    "seeds",
    "value_system",
    "p1",
    "p2",
    "judge",
    "guard",
    "guard_mode",
    "n2",
    "epsilon",
    "top_k",
    "tau",
    "max_depth",
    "max_refine",
    "n_shot",
    "temperature",
    "top_p",
    "points",
    "words",
    "judge_mode",
    "jaccard",
    "estimator",
    "max_attempts",
    "seed",
    "parallel",
)

RECORDED_DEFAULTS: dict[str, Any] = {"parallel": 1}
"""Settings a journal written before the setting existed ran with (journals before
``--parallel`` ran one pull at a time)."""


def recorded_config(data: dict[str, Any]) -> dict[str, Any]:
    """A journal header's configuration, with the settings older journals lack filled in as they ran."""
    return {**RECORDED_DEFAULTS, **data}


def config_differences(recorded: RunConfig, wanted: RunConfig) -> list[str]:
    """Algorithmic settings that differ (``name: recorded -> wanted``); a smaller budget too."""
    diffs = [
        f"{name}: {getattr(recorded, name)!r} -> {getattr(wanted, name)!r}"
        for name in ALGORITHMIC_FIELDS
        if getattr(recorded, name) != getattr(wanted, name)
    ]
    return diffs


def load_yaml_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping of :class:`RunConfig` fields (keys may use dashes)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    data = {str(k).replace("-", "_"): v for k, v in data.items()}
    unknown = sorted(set(data) - set(RunConfig.model_fields))
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(unknown)}")
    return data
