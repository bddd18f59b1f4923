"""Numbers for the report's pictures: heatmap colours, radar geometry, interval tracks.

The pictures are inline SVG and CSS drawn by the templates; this module only computes
coordinates and colours from win rates, so nothing in a picture comes from untrusted
text except labels, which the templates escape. A NaN win rate (a cell that was not
compared) is never drawn as a number: it has no dot, no whisker and a grey cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "RadarView",
    "heat_colour",
    "radar",
]

# RdBu's ends and middle: the PNG's colour map, so the two pictures read alike.
_LOW = (0x21, 0x66, 0xAC)
_MID = (0xF7, 0xF7, 0xF7)
_HIGH = (0xB2, 0x18, 0x2B)


def heat_colour(rate: float, spread: float) -> tuple[str, bool]:
    """Background colour of a win rate (0..1) on a scale of 50 % +- ``spread``; and whether it is dark."""
    t = max(-1.0, min(1.0, (rate - 0.5) / spread))
    end = _HIGH if t > 0 else _LOW
    rgb = [round(m + abs(t) * (e - m)) for m, e in zip(_MID, end, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb), abs(t) > 0.6


@dataclass(frozen=True)
class Spoke:
    x: float
    y: float
    label: str
    label_x: float
    label_y: float
    anchor: str  # SVG text-anchor


@dataclass(frozen=True)
class Whisker:
    x1: float
    y1: float
    x2: float
    y2: float
    dot_x: float
    dot_y: float
    title: str


@dataclass(frozen=True)
class RadarView:
    """An SVG radar of one model's win rates, 0 % at the centre, 100 % at the rim."""

    size: int
    centre: float
    radius: float
    rings: tuple[tuple[float, str], ...]
    spokes: tuple[Spoke, ...]
    whiskers: tuple[Whisker, ...]
    outline: str | None  # polygon points through the win rates, when every value has one


def _point(centre: float, radius: float, angle: float, fraction: float) -> tuple[float, float]:
    return centre + radius * fraction * math.cos(angle), centre + radius * fraction * math.sin(angle)


def _polygon(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def radar(
    labels: Sequence[str],
    rates: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    titles: Sequence[str],
    size: int = 300,
) -> RadarView:
    """Spokes clockwise from the top; each interval is a whisker along its spoke, the win rate a dot on it.

    The dots are joined into an outline only when every value has a win rate: a value that
    was not compared is a gap, never a point at 0 or 50 %.
    """
    centre = size / 2
    radius = size / 2 - 58  # room for the labels
    angles = [-math.pi / 2 + 2 * math.pi * i / len(labels) for i in range(len(labels))]
    spokes = []
    for label, angle in zip(labels, angles, strict=True):
        x, y = _point(centre, radius, angle, 1.0)
        lx, ly = _point(centre, radius + 10, angle, 1.0)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        ly += 4 + 6 * math.sin(angle)  # below the rim at the bottom, above it at the top
        spokes.append(Spoke(x, y, label, lx, ly, anchor))
    whiskers = []
    for angle, rate, low, high, title in zip(angles, rates, lows, highs, titles, strict=True):
        if math.isnan(rate):
            continue
        low, high = (rate, rate) if math.isnan(low) else (low, high)
        x1, y1 = _point(centre, radius, angle, low)
        x2, y2 = _point(centre, radius, angle, high)
        dx, dy = _point(centre, radius, angle, rate)
        whiskers.append(Whisker(x1, y1, x2, y2, dx, dy, title))
    outline = None
    if all(not math.isnan(r) for r in rates):
        outline = _polygon([_point(centre, radius, a, r) for a, r in zip(angles, rates, strict=True)])
    rings = tuple((radius * f, f"{round(100 * f)}") for f in (0.25, 0.5, 0.75, 1.0))
    return RadarView(size, centre, radius, rings, tuple(spokes), tuple(whiskers), outline)
