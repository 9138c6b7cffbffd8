"""One month's analysis as a value: what the writers (workbook, JSON, terminal) all read from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .metrics import FunnelMetrics, FunnelResult
from .problems import Problem, count_by_severity
from .rules import Rules


@dataclass(frozen=True)
class InputFile:
    """An input workbook as read: enough to tell later exactly what was analysed."""

    path: str
    name: str
    sha256: str
    sheet: str
    header_row: int
    rows: int


@dataclass
class Analysis:
    as_of: date
    period: str  # "2024-05" for --month, else the as-of date as text; used in file names
    rules: Rules
    result: FunnelResult
    problems: list[Problem]
    inputs: list[InputFile]
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)  # typed rows with errors

    @property
    def team(self) -> FunnelMetrics:
        return self.result.team

    def as_json(self) -> dict:
        """The figures as plain JSON types (the ``--json`` file)."""
        return {
            "as_of": self.as_of.isoformat(),
            **metrics_json(self.team),
            "by_owner": {name: metrics_json(m) for name, m in self.result.by_owner.items()},
            "by_source": {name: metrics_json(m) for name, m in self.result.by_source.items()},
            "problems": count_by_severity(self.problems),
            "suggestions": [s.text for s in self.result.suggestions],
            "inputs": [
                {"file": i.name, "sha256": i.sha256, "sheet": i.sheet, "rows": i.rows} for i in self.inputs
            ],
            "rules": {"file": self.rules.source_path, "sha256": self.rules.sha256},
        }


def metrics_json(m: FunnelMetrics) -> dict:
    worst = m.worst_transition
    return {
        "totals": {
            "total": m.totals.total,
            "valid": m.totals.valid,
            "active": m.totals.active,
            "won": m.totals.won,
            "lost": m.totals.lost,
            "excluded": m.totals.excluded,
            "lost_unknown_stage": m.totals.lost_unknown_stage,
        },
        "win_rate": m.win_rate,
        "overall_conversion": m.overall_conversion,
        "cycle": {"mean": m.cycle_mean, "median": m.cycle_median, "count": m.cycle_count},
        "pipeline": m.pipeline,
        "weighted_pipeline": m.weighted_pipeline,
        "won_amount": m.won_amount,
        "worst_transition": None if worst is None else {"transition": worst.label, "pass_rate": worst.rate},
        "alerts": {"stalled": m.stalled, "overdue": m.overdue, "stale": m.stale, "close_past": m.close_past},
        "stages": [
            {
                "stage": s.stage,
                "current": s.current,
                "reached": s.reached,
                "exited": s.exited,
                "pass_rate": s.pass_rate,
                "loss_rate": s.loss_rate,
                "lost_here": s.lost_here,
                "avg_dwell_days": s.avg_dwell_days,
                "stalled": s.stalled,
                "amount": s.amount,
                "weighted_amount": s.weighted_amount,
            }
            for s in m.stages
        ],
    }
