"""The win-rate chains of a leaderboard, stored compactly and exactly in ``leaderboard.json``.

A leaderboard's intervals come from bootstrap replicates (:mod:`adaem_tasks.rating.bootstrap`).
Anything computed from win rates later -- alignment with a target profile -- needs those same
replicates to get an interval, without re-reading the logs. As JSON numbers they would be
~16,000 decimal strings per board and could not hold NaN (a cell that was not compared), so
they are stored as base64 of little-endian float64: about 170 kB for 16 models x 10 values x
101 chains, bit-exact, and readable in any language (``numpy.frombuffer(base64.b64decode(data),
"<f8").reshape(shape)``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["CHAIN_AXES", "decode_chains", "encode_chains"]

CHAIN_AXES = ["chain", "model", "value"]
"""Axis order of the stored array; chain 0 is the point estimate, chains 1.. the bootstrap replicates."""
_DTYPE = "<f8"


def encode_chains(chains: NDArray[np.float64]) -> dict[str, Any]:
    """``chains`` (chains x models x values) as a JSON-ready block."""
    data = np.ascontiguousarray(chains, dtype=_DTYPE)
    return {
        "axes": CHAIN_AXES,
        "shape": list(data.shape),
        "dtype": _DTYPE,
        "encoding": "base64",
        "data": base64.b64encode(data.tobytes()).decode("ascii"),
    }


def decode_chains(block: object, where: str) -> NDArray[np.float64]:
    """The array :func:`encode_chains` stored; ``ValueError`` naming ``where`` when the block is malformed."""
    if not isinstance(block, dict):
        raise ValueError(f"{where}: expected an object with axes, shape, dtype, encoding and data")
    shape = block.get("shape")
    if (
        block.get("axes") != CHAIN_AXES
        or block.get("dtype") != _DTYPE
        or block.get("encoding") != "base64"
        or not isinstance(shape, list)
        or len(shape) != 3
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
        or not isinstance(block.get("data"), str)
    ):
        raise ValueError(
            f"{where}: expected axes {CHAIN_AXES}, dtype {_DTYPE!r}, encoding 'base64', a shape of 3 "
            "non-negative integers and base64 data"
        )
    try:
        raw = base64.b64decode(block["data"], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{where}: data is not valid base64") from None
    expected = int(np.prod(shape)) * 8
    if len(raw) != expected:
        raise ValueError(f"{where}: data holds {len(raw)} bytes, shape {shape} needs {expected}")
    return np.frombuffer(raw, dtype=_DTYPE).reshape(shape).astype(np.float64)
