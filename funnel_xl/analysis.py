"""One month's analysis as a value: what the writers (workbook, JSON, terminal) all read from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from .flow import MonthFigures, PeriodFigures, StageFlow, build_flow
from .forecast import Forecast, forecast
from .metrics import FunnelMetrics, FunnelResult, Rate
from .problems import Problem, count_by_severity
from .quality import Quality, assess
from .rules import Rules
from .runinfo import definitions, versions
from .wording import DriftWords


@dataclass(frozen=True)
class InputFile:
    """An input workbook as read: enough to tell later exactly what was analysed."""

    path: str
    name: str
    sha256: str
    sheet: str
    header_row: int
    rows: int
    log_sheet: str | None = None  # the follow-up log (跟进记录), when the workbook has one
    log_rows: int = 0
    skipped_without_stage: int = 0  # rows left out by sheets.skip_rows_without_stage


@dataclass
class Analysis:
    as_of: date
    period: str  # "2024-05" for --month, else the as-of date as text; used in file names
    rules: Rules
    result: FunnelResult
    problems: list[Problem]
    inputs: list[InputFile]
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)  # typed rows with errors
    # The stage history: transitions, the month's flow, the trend. Built from the result alone
    # (no log, no history) when not given.
    flow: StageFlow | None = None
    history: Path | None = None  # the history store this month is recorded in, if any
    # Drift and hygiene, and the forecast: made from the result when not given.
    quality: Quality | None = None
    forecast: Forecast | None = None

    def __post_init__(self) -> None:
        if self.flow is None:
            self.flow = build_flow(self.result, self.rules)
        if self.quality is None:
            self.quality = assess(
                self.result.leads, self.excluded, self.rules, self.result.team, self.result.by_owner,
                words=DriftWords(self.rules),
            )
        if self.forecast is None:
            self.forecast = forecast(self.result.leads, self.rules, self.as_of)

    @property
    def team(self) -> FunnelMetrics:
        return self.result.team

    @property
    def rows_read(self) -> int:
        return sum(i.rows for i in self.inputs)

    def as_json(self) -> dict:
        """The figures as plain JSON types (the ``--json`` file)."""
        return {
            "as_of": self.as_of.isoformat(),
            **metrics_json(self.team),
            "by_owner": {name: metrics_json(m) for name, m in self.result.by_owner.items()},
            "by_source": {name: metrics_json(m) for name, m in self.result.by_source.items()},
            "channel": self.rules.channel_field,
            "by_dimension": {
                dimension: {name: metrics_json(m) for name, m in groups.items()}
                for dimension, groups in self.result.by_dimension.items()
            },
            "problems": count_by_severity(self.problems),
            "suggestions": [s.text for s in self.result.suggestions],
            "inputs": [
                {
                    "file": i.name, "sha256": i.sha256, "sheet": i.sheet, "rows": i.rows,
                    "skipped_without_stage": i.skipped_without_stage,
                }
                for i in self.inputs
            ],
            "rules": {"file": self.rules.source_path, "sha256": self.rules.sha256},
            "period": period_json(self.flow.period, self.flow.transitions, self.rules),
            "trend": [m.as_json() if m is not None else None for m in self.flow.trend],
            "low_channels": [
                {
                    "source": f.source,
                    "metric": f.metric,
                    "limit": f.limit,
                    "months": list(f.months),
                    "values": list(f.values),
                }
                for f in self.flow.channel_flags
            ],
            "history": {
                # The file name, like the inputs': the figures do not depend on the folder.
                "store": self.history.name if self.history is not None else None,
                "previous_month": self.flow.previous_month,
                "log_entries": self.flow.log_entries,
            },
            "hygiene": {
                "team": hygiene_json(self.quality.team_hygiene),
                "by_owner": {name: hygiene_json(h) for name, h in self.quality.hygiene.items()},
            },
            "drift": [
                {
                    key: (None if value is None or (not isinstance(value, str) and pd.isna(value))
                          else value if key != "_row" else int(value))
                    for key, value in row.items()
                }
                for row in self.quality.drift.to_dict("records")
            ],
            "forecast": forecast_json(self.forecast),
            "run": {
                "as_of": self.as_of.isoformat(),
                "period": self.period,
                "rows_read": len(self.result.leads) + len(self.excluded),
                "rows_excluded": len(self.excluded),
                "versions": dict(versions()),
                "definitions": [{"name": n, "definition": d} for n, d in definitions(self.rules)],
            },
            "targets": {
                name: {"target": target, "coverage": coverage(self.result.by_owner.get(name), target)}
                for name, target in self.rules.targets
            },
        }

    @property
    def month(self) -> MonthFigures:
        """This month as the trend shows it (the last point of the trend)."""
        return self.flow.trend[-1]


def period_json(period: PeriodFigures, transitions: pd.DataFrame, rules: Rules) -> dict:
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    moved = transitions[(transitions["date"] >= start) & (transitions["date"] <= end)]
    moved = moved.sort_values(["date", "lead_id"], kind="stable")
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "new_leads": period.new_leads,
        "won": period.won,
        "lost": period.lost,
        "won_amount": period.won_amount,
        "cycle": {"mean": period.cycle_mean, "median": period.cycle_median},
        "exits": [
            {
                "stage": e.stage,
                "left": e.left,
                "forward": e.forward,
                "back": e.back,
                "lost": e.lost,
                "pass_rate": e.pass_rate,
            }
            for e in period.exits
        ],
        "pass_rates": period.pass_rates(rules),
        "moves": [{"from": a, "to": b, "count": n} for a, b, n in period.moves],
        "transitions_by_source": dict(period.transitions_by_source),
        "transitions": [
            {"lead_id": lead, "from": a, "to": b, "date": d.date().isoformat(), "source": src}
            for lead, a, b, d, src in zip(
                moved["lead_id"], moved["from_stage"], moved["to_stage"], moved["date"],
                moved["source"], strict=True,
            )
        ],
    }


def coverage(m: FunnelMetrics | None, target: float) -> float | None:
    """Pipeline coverage: the open weighted pipeline ÷ the monthly target."""
    if m is None or not target:
        return None
    return m.weighted_pipeline / target


def rate_json(rate: Rate) -> dict:
    return {"k": rate.k, "n": rate.n, "rate": rate.value, "low": rate.low, "high": rate.high}


def hygiene_json(h) -> dict:
    return {
        "score": h.score,
        "parts": {
            p.part: {"failing": p.failing, "applicable": p.applicable, "points": p.points, "earned": p.earned}
            for p in h.parts
        },
    }


def forecast_json(f: Forecast) -> dict:
    def month(m) -> dict:
        return {"month": m.month or None, "leads": m.leads, "amount": m.amount, "weighted": m.weighted}

    return {
        "current": month(f.current),
        "ahead": [month(m) for m in f.ahead],
        "overdue": month(f.overdue),
        "undated": month(f.undated),
        "won": {"count": f.won_count, "amount": f.won_amount},
        "accuracy": [
            {
                "month": c.month, "made_in": c.made_in, "leads": c.leads, "forecast": c.forecast,
                "actual": c.actual, "accuracy": c.accuracy,
            }
            for c in f.checks
        ],
        "slips": [
            {
                "lead_id": r["lead_id"], "owner": r["owner"], "slips": int(r["slips"]),
                "first_close": r["first_close"].date().isoformat(),
                "close": r["close"].date().isoformat(), "path": r["path"],
            }
            for r in (f.slips.to_dict("records") if f.slips is not None else [])
        ],
        "stage_matrix": None if f.matrix is None else {
            "since": f.matrix.since,
            "counts": [
                {"from": a, "to": b, "leads": n}
                for (a, b), n in sorted(
                    f.matrix.counts.items(),
                    key=lambda item: (f.matrix.rows.index(item[0][0]), f.matrix.columns.index(item[0][1])),
                )
            ],
        },
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
        "win": rate_json(m.win),
        "win_rate_amount": m.win_rate_amount,
        "lost_amount": m.lost_amount,
        "overall_conversion": m.overall_conversion,
        "cycle": {"mean": m.cycle_mean, "median": m.cycle_median, "count": m.cycle_count},
        "lost_cycle": {"mean": m.lost_cycle_mean, "median": m.lost_cycle_median, "count": m.lost_cycle_count},
        "min_sample": m.min_sample,
        "snoozed": m.snoozed,
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
                "pass": None if k == len(m.stages) - 1 else rate_json(m.pass_counts(k)),
                "loss": None if k == len(m.stages) - 1 else rate_json(m.loss_counts(k)),
                "lost_here": s.lost_here,
                "avg_dwell_days": s.avg_dwell_days,
                "stalled": s.stalled,
                "amount": s.amount,
                "weighted_amount": s.weighted_amount,
            }
            for k, s in enumerate(m.stages)
        ],
    }
