"""The generator's model handles: :mod:`adaem_tasks.metering`, where they live.

They are shared with ``adaem-validate`` (which needs no generator extra), so they sit in
the core package; the generator's modules import them from here.
"""

from adaem_tasks.metering import (
    REQUESTS,
    Ledger,
    Meter,
    MeteredModel,
    ModelPrice,
    ModelUnavailable,
    ModelUsage,
    RequestGauge,
    current_ledger,
    ledger_scope,
    resolve_model,
)

__all__ = [
    "REQUESTS",
    "Ledger",
    "Meter",
    "MeteredModel",
    "ModelPrice",
    "ModelUnavailable",
    "ModelUsage",
    "RequestGauge",
    "current_ledger",
    "ledger_scope",
    "resolve_model",
]
