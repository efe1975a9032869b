"""The report's bar charts: one bar per group (agency, act type, officer, month), its
length the coverage rate, red under the weak-link threshold. Pure: it takes the report's
rows (``compliance/report.py``) and places them in pixels; the template only draws."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["BAR_HEIGHT", "CHART_WIDTH", "LABEL_WIDTH", "Chart", "ChartBar", "chart"]

CHART_WIDTH = 640
LABEL_WIDTH = 220
BAR_HEIGHT = 20


@dataclass(frozen=True, slots=True)
class ChartBar:
    label: str
    y: int
    width: float  # 0 when no act with duty full was measured
    text: str  # the rate in percent, or "—"
    weak: bool


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    bars: list[ChartBar]

    @property
    def height(self) -> int:
        return BAR_HEIGHT * max(len(self.bars), 1) + 8


def _label(row: dict[str, Any], key: str) -> str:
    name = row.get("name")
    return f"{row[key]} {name}" if name and name != row[key] else str(row[key])


def chart(title: str, rows: list[dict[str, Any]], key: str, threshold: float) -> Chart:
    room = CHART_WIDTH - LABEL_WIDTH - 60  # the percentage sits after the bar
    bars = []
    for place, row in enumerate(rows):
        rate = row.get("coverage_rate")
        bars.append(
            ChartBar(
                label=_label(row, key),
                y=place * BAR_HEIGHT + 4,
                width=0.0 if rate is None else round(rate * room, 1),
                text="—" if rate is None else f"{rate * 100:.1f}%",
                weak=rate is not None and rate < threshold,
            )
        )
    return Chart(title, bars)
