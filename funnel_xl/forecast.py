"""Looking ahead: the weighted forecast by expected-close month and what was actually won. Pure:
derived leads and the rules in, dataclasses out; no file I/O.

Definitions (the contract, also in the README):

- **Weighted forecast** of a month = Σ amount × the stage's ``win_probability`` over the open leads
  whose 预计成交日期 falls in that month; shown for the as-of month and the next three.
- **Won in a month** = Σ amount of the won leads that entered 已成交 in that month.
- **Forecast accuracy** of a month, from the history store = won in the month ÷ the weighted
  forecast the previous month's rebuild made for it (its snapshot: open leads expected to close in
  the month, amount × probability); 100% = the forecast came true, above = beaten.
- **Slip**: an open lead's 预计成交日期 moved later from one rebuild to the next (the monthly
  snapshots in the store, then this run); ``thresholds.close_slips`` slips or more put it on 预警.
- **Stage matrix**: where the leads of the previous snapshot, by their stage then, are now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import numpy as np
import pandas as pd

from .frames import (
    AMOUNT,
    EXPECTED_CLOSE,
    LEAD_ID,
    STAGE,
    STAGE_ENTERED,
    STATUS,
    Status,
    dates,
    numbers,
)
from .month import team_counts
from .period import month_label
from .rules import Rules

FORECAST_MONTHS = 3


@dataclass(frozen=True)
class ForecastMonth:
    month: str  # "2024-06"
    leads: int  # open leads expected to close in the month
    amount: float
    weighted: float


@dataclass(frozen=True)
class ForecastCheck:
    """A month's forecast, as the previous month's rebuild made it, against what was won."""

    month: str
    made_in: str  # the month whose snapshot made the forecast
    leads: int
    forecast: float
    actual: float | None  # won in the month; None when the month's own snapshot is missing

    @property
    def accuracy(self) -> float | None:
        if self.actual is None or not self.forecast:
            return None
        return self.actual / self.forecast


SLIP_COLUMNS = ["lead_id", "customer", "owner", "stage", "first_close", "close", "slips", "path"]


@dataclass(frozen=True)
class StageMatrix:
    """Leads of the previous snapshot by their stage then (rows) and now (columns)."""

    since: str  # the month of the previous snapshot
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: dict[tuple[str, str], int]

    def count(self, row: str, column: str) -> int:
        return self.counts.get((row, column), 0)


NEW_LEADS = "（新增）"
GONE_LEADS = "（本期不在表中）"


@dataclass(frozen=True)
class Forecast:
    current: ForecastMonth  # the as-of month: open leads expected to close in it, from the as-of date
    ahead: tuple[ForecastMonth, ...]  # the next FORECAST_MONTHS months
    # Open leads whose expected close is before the as-of date: the same leads as the close-past
    # alert and FunnelMetrics.close_past count.
    overdue: ForecastMonth
    undated: ForecastMonth  # open, no expected close date
    won_count: int  # won in the as-of month (up to the as-of date)
    won_amount: float
    # From the history store: the forecast checks of the months it allows, oldest first; the open
    # leads whose expected close date slipped (SLIP_COLUMNS, most slips first); the stage matrix.
    checks: tuple[ForecastCheck, ...] = ()
    slips: pd.DataFrame | None = None
    matrix: StageMatrix | None = None

    def slipped(self, at_least: int) -> pd.DataFrame:
        if self.slips is None:
            return pd.DataFrame(columns=SLIP_COLUMNS)
        return self.slips[self.slips["slips"] >= at_least].reset_index(drop=True)


def add_months(label: str, n: int) -> str:
    year, month = (int(x) for x in label.split("-"))
    index = year * 12 + month - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def weighted_amounts(frame: pd.DataFrame, rules: Rules) -> tuple[pd.Series, pd.Series]:
    """(amount, amount × stage probability) per lead; leads without an amount count 0."""
    probabilities = np.array([s.win_probability for s in rules.stages] + [0.0])
    index_of = {name: i for i, name in enumerate(rules.stage_names)}
    stage_idx = frame[STAGE].map(index_of).fillna(len(rules.stages)).astype(int).to_numpy()
    amount = numbers(frame, AMOUNT).fillna(0.0)
    return amount, amount * probabilities[stage_idx]


def by_close_month(frame: pd.DataFrame, rules: Rules) -> dict[str, ForecastMonth]:
    """Open leads of ``frame`` (stage, amount, expected_close) summed by expected-close month."""
    if frame.empty:
        return {}
    close = dates(frame, EXPECTED_CLOSE)
    amount, weighted = weighted_amounts(frame, rules)
    labels = close.dt.strftime("%Y-%m")
    out = {}
    for label in sorted(labels.dropna().unique()):
        mine = labels == label
        out[label] = ForecastMonth(
            label, int(mine.sum()), float(amount[mine].sum()), float(weighted[mine].sum())
        )
    return out


def forecast(
    leads: pd.DataFrame, rules: Rules, as_of: date,
    snapshots: dict[str, pd.DataFrame] | None = None,
) -> Forecast:
    """The forecast of a month's derived leads (see :func:`funnel_xl.metrics.derive_lead_fields`).

    ``snapshots`` are the history store's per-lead snapshots by month ("2024-04"); those of months
    before the as-of month give the forecast checks, the slips and the stage matrix.
    """
    this = month_label(as_of)
    open_leads = leads[leads[STATUS] == Status.ACTIVE]
    close = dates(open_leads, EXPECTED_CLOSE)
    amount, weighted = weighted_amounts(open_leads, rules)
    before = (close < pd.Timestamp(as_of)).fillna(False).astype(bool)
    months = by_close_month(open_leads[~before.to_numpy()], rules)
    undated = close.isna()

    month = team_counts(leads, None, as_of.replace(day=1), as_of)

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
        won_count=month.won,
        won_amount=month.won_amount,
        **history_figures(leads, rules, as_of, snapshots),
    )


def history_figures(
    leads: pd.DataFrame, rules: Rules, as_of: date, snapshots: dict[str, pd.DataFrame] | None
) -> dict:
    """The forecast checks, slips and stage matrix that the store's snapshots allow."""
    this = month_label(as_of)
    earlier = {m: f for m, f in sorted((snapshots or {}).items()) if m < this}
    if not earlier:
        return {}
    won_now = forecast_won(leads, rules, this, as_of)
    return {
        "checks": forecast_checks(earlier, this, won_now, rules),
        "slips": close_slips(earlier, leads),
        "matrix": stage_matrix(*list(earlier.items())[-1], leads, rules),
    }


def forecast_won(leads: pd.DataFrame, rules: Rules, month: str, until: date | None = None) -> float:
    """Σ amount of the leads of ``leads`` (derived, or a snapshot) that entered the won stage in
    ``month`` (up to ``until``)."""
    if leads.empty:
        return 0.0
    entered = dates(leads, STAGE_ENTERED)
    won = (leads[STAGE] == rules.won_stage) & (entered.dt.strftime("%Y-%m") == month)
    if until is not None:
        won &= entered <= pd.Timestamp(until)
    return float(numbers(leads, AMOUNT)[won.fillna(False)].fillna(0.0).sum())


def forecast_checks(
    snapshots: dict[str, pd.DataFrame], this: str, won_now: float, rules: Rules
) -> tuple[ForecastCheck, ...]:
    """For each month whose previous month has a snapshot: the forecast made then, and the won."""
    checks = []
    for made_in, snapshot in snapshots.items():
        month = add_months(made_in, 1)
        if month > this:
            continue
        open_then = snapshot[snapshot[STAGE].isin(rules.stage_names[:-1])]
        predicted = by_close_month(open_then, rules).get(month, ForecastMonth(month, 0, 0.0, 0.0))
        if month == this:
            actual = won_now
        elif month in snapshots:
            actual = forecast_won(snapshots[month], rules, month)
        else:
            actual = None
        checks.append(ForecastCheck(month, made_in, predicted.leads, predicted.weighted, actual))
    return tuple(checks)


def close_slips(snapshots: dict[str, pd.DataFrame], leads: pd.DataFrame) -> pd.DataFrame:
    """Open leads whose 预计成交日期 moved later between rebuilds, with the dates it went through."""
    open_now = leads[leads[STATUS] == Status.ACTIVE]
    if open_now.empty or EXPECTED_CLOSE not in open_now:
        return pd.DataFrame(columns=SLIP_COLUMNS)
    history = [
        snapshot[[LEAD_ID, EXPECTED_CLOSE]].assign(month=month)
        for month, snapshot in snapshots.items()
        if EXPECTED_CLOSE in snapshot
    ]
    now = open_now[[LEAD_ID, EXPECTED_CLOSE]].assign(month="~now")
    closes = pd.concat([*history, now], ignore_index=True)
    closes[EXPECTED_CLOSE] = pd.to_datetime(closes[EXPECTED_CLOSE], errors="coerce")
    closes = closes.dropna(subset=[EXPECTED_CLOSE])
    closes = closes[closes[LEAD_ID].isin(open_now[LEAD_ID])]
    closes = closes.sort_values([LEAD_ID, "month"], kind="stable")
    records = []
    info = open_now.drop_duplicates(LEAD_ID).set_index(LEAD_ID)
    for lead_id, group in closes.groupby(LEAD_ID, sort=True):
        seen = group[EXPECTED_CLOSE].tolist()
        slips = sum(1 for a, b in pairwise(seen) if b > a)
        path = [seen[0]] + [b for a, b in pairwise(seen) if b != a]
        row = info.loc[lead_id]
        records.append(
            {
                "lead_id": lead_id,
                "customer": row.get("customer"),
                "owner": row.get("owner"),
                "stage": row.get("stage"),
                "first_close": seen[0],
                "close": seen[-1],
                "slips": slips,
                "path": " → ".join(d.date().isoformat() for d in path),
            }
        )
    if not records:
        return pd.DataFrame(columns=SLIP_COLUMNS)
    out = pd.DataFrame.from_records(records, columns=SLIP_COLUMNS)
    return out.sort_values(["slips", "lead_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def stage_matrix(
    since: str, snapshot: pd.DataFrame, leads: pd.DataFrame, rules: Rules
) -> StageMatrix:
    """Where the leads of the ``since`` snapshot, by their stage then, are now; new leads apart."""
    names = (*rules.stage_names, *rules.lost_labels)
    then = snapshot.drop_duplicates(LEAD_ID).set_index(LEAD_ID)[STAGE]
    now = leads.drop_duplicates(LEAD_ID).set_index(LEAD_ID)[STAGE] if len(leads) else pd.Series(dtype=object)
    counts: dict[tuple[str, str], int] = {}
    for lead_id, stage in then.items():
        to = now.get(lead_id, GONE_LEADS)
        counts[(stage, to)] = counts.get((stage, to), 0) + 1
    for lead_id, stage in now.items():
        if lead_id not in then.index:
            counts[(NEW_LEADS, stage)] = counts.get((NEW_LEADS, stage), 0) + 1
    other_rows = sorted({r for r, _ in counts} - {*names, NEW_LEADS})
    other_cols = sorted({c for _, c in counts} - {*names, GONE_LEADS})
    return StageMatrix(
        since=since,
        rows=(*names, *other_rows, NEW_LEADS),
        columns=(*names, *other_cols, GONE_LEADS),
        counts=counts,
    )
