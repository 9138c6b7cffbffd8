"""Looking ahead: the weighted forecast by expected-close month and what was actually won. Pure:
derived leads and the rules in, dataclasses out; no file I/O.

Definitions (the contract, also in the README):

- **Weighted forecast** of a month = Σ amount × the stage's ``win_probability`` over the open leads
  whose 预计成交日期 falls in that month; shown for the as-of month and the next three.
- **Won in a month** = Σ amount of the won leads that entered 已成交 in that month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .metrics import ACTIVE, WON
from .rules import Rules

FORECAST_MONTHS = 3


@dataclass(frozen=True)
class ForecastMonth:
    month: str  # "2024-06"
    leads: int  # open leads expected to close in the month
    amount: float
    weighted: float


@dataclass(frozen=True)
class Forecast:
    current: ForecastMonth  # the as-of month: open leads still expected to close in it
    ahead: tuple[ForecastMonth, ...]  # the next FORECAST_MONTHS months
    overdue: ForecastMonth  # expected to close before the as-of month, still open
    undated: ForecastMonth  # open, no expected close date
    won_count: int  # won in the as-of month (up to the as-of date)
    won_amount: float


def month_label(day: date | pd.Timestamp) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(label: str, n: int) -> str:
    year, month = (int(x) for x in label.split("-"))
    index = year * 12 + month - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def weighted_amounts(frame: pd.DataFrame, rules: Rules) -> tuple[pd.Series, pd.Series]:
    """(amount, amount × stage probability) per lead; leads without an amount count 0."""
    probabilities = np.array([s.win_probability for s in rules.stages] + [0.0])
    index_of = {name: i for i, name in enumerate(rules.stage_names)}
    stage_idx = frame["stage"].map(index_of).fillna(len(rules.stages)).astype(int).to_numpy()
    amount = (
        pd.to_numeric(frame["amount"], errors="coerce").fillna(0.0).astype(float)
        if "amount" in frame else pd.Series(0.0, index=frame.index)
    )
    return amount, amount * probabilities[stage_idx]


def by_close_month(frame: pd.DataFrame, rules: Rules) -> dict[str, ForecastMonth]:
    """Open leads of ``frame`` (stage, amount, expected_close) summed by expected-close month."""
    close = pd.to_datetime(frame["expected_close"], errors="coerce") if "expected_close" in frame else None
    if close is None or frame.empty:
        return {}
    amount, weighted = weighted_amounts(frame, rules)
    labels = close.dt.strftime("%Y-%m")
    out = {}
    for label in sorted(labels.dropna().unique()):
        mine = labels == label
        out[label] = ForecastMonth(
            label, int(mine.sum()), float(amount[mine].sum()), float(weighted[mine].sum())
        )
    return out


def forecast(leads: pd.DataFrame, rules: Rules, as_of: date) -> Forecast:
    """The forecast of a month's derived leads (see :func:`funnel_xl.metrics.derive_lead_fields`)."""
    this = month_label(as_of)
    open_leads = leads[leads["status"] == ACTIVE] if "status" in leads else leads.iloc[:0]
    months = by_close_month(open_leads, rules)
    close = (
        pd.to_datetime(open_leads["expected_close"], errors="coerce") if "expected_close" in open_leads
        else pd.Series(pd.NaT, index=open_leads.index)
    )
    amount, weighted = weighted_amounts(open_leads, rules)
    start = pd.Timestamp(as_of.replace(day=1))
    before = (close < start).fillna(False).astype(bool)
    undated = close.isna()

    won = leads[leads["status"] == WON] if "status" in leads else leads.iloc[:0]
    entered = pd.to_datetime(won["stage_entered"], errors="coerce") if "stage_entered" in won else None
    in_month = (
        ((entered >= start) & (entered <= pd.Timestamp(as_of))).fillna(False).astype(bool)
        if entered is not None else pd.Series(False, index=won.index)
    )
    won_amount = pd.to_numeric(won["amount"], errors="coerce").fillna(0.0) if "amount" in won else None

    def empty(label: str) -> ForecastMonth:
        return ForecastMonth(label, 0, 0.0, 0.0)

    return Forecast(
        current=months.get(this, empty(this)),
        ahead=tuple(
            months.get(add_months(this, n), empty(add_months(this, n)))
            for n in range(1, FORECAST_MONTHS + 1)
        ),
        overdue=ForecastMonth(
            "", int(before.sum()), float(amount[before].sum()), float(weighted[before].sum())
        ),
        undated=ForecastMonth(
            "", int(undated.sum()), float(amount[undated].sum()), float(weighted[undated].sum())
        ),
        won_count=int(in_month.sum()),
        won_amount=float(won_amount[in_month].sum()) if won_amount is not None else 0.0,
    )
