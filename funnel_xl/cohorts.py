"""Lead cohorts (线索批次): the leads first contacted in each month, and what became of them. Pure.

Definitions (the contract, also in docs/definitions.md):

- A lead's **cohort** is the month of its 首次接触时间 ("2024-03"); a lead without one is counted
  apart (``undated``).
- Per cohort, at the as-of date: its leads, how many are won, lost and still open (and their
  shares of the cohort), the 预计成交金额 of the won, and the median days from first contact to
  won of its won leads (the deal cycle, as on 总览).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .frames import AMOUNT, CYCLE_DAYS, FIRST_CONTACT, STATUS, Status, dates, numbers


@dataclass(frozen=True)
class Cohort:
    month: str
    leads: int
    won: int
    lost: int
    open: int
    won_amount: float
    median_days_to_win: float | None

    def share(self, count: int) -> float | None:
        return count / self.leads if self.leads else None


@dataclass(frozen=True)
class Cohorts:
    months: tuple[Cohort, ...]  # oldest first
    undated: int  # leads without a first contact


def cohorts(leads: pd.DataFrame) -> Cohorts:
    """The cohorts of the derived ``leads``."""
    first = dates(leads, FIRST_CONTACT)
    month = first.dt.strftime("%Y-%m")
    frame = pd.DataFrame({
        "month": month,
        "status": leads[STATUS].astype(str),
        "amount": numbers(leads, AMOUNT).fillna(0.0),
        "cycle": pd.to_numeric(leads[CYCLE_DAYS], errors="coerce").astype(float),
    })[first.notna()]
    out = []
    for label, group in frame.groupby("month", sort=True):
        won = group["status"] == Status.WON
        cycle = group["cycle"][won].dropna()
        out.append(Cohort(
            month=str(label), leads=len(group), won=int(won.sum()),
            lost=int((group["status"] == Status.LOST).sum()),
            open=int((group["status"] == Status.ACTIVE).sum()),
            won_amount=float(group["amount"][won].sum()),
            median_days_to_win=float(cycle.median()) if len(cycle) else None,
        ))
    return Cohorts(tuple(out), int(first.isna().sum()))
