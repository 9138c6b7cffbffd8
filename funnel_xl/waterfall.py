"""How the open pipeline changed this month (管道变化), per stage and in total, in 万元. Pure.

Definitions (the contract, also in docs/definitions.md). The month is the report's period, [its
first day, as-of] (a week's Monday, a month's 1st); "the previous month" is the period before it.
Each lead is booked once, along its path, so that every stage balances by
construction:

    open at the start + new − won − lost ± amount changes + moved in − moved out = open at the end

- **Stage at the start**: the stage the lead's latest known entry before the first day moved it to
  (the follow-up log, the history store, or its arrival in its current stage on its stage-entered
  date, as the trend rebuilds a month); none known, 潜在接触 when it was first contacted before the
  month, else (no first contact) the stage it is in now. A lead first contacted in the month, or
  otherwise first seen in it, is **new**: it comes in at 潜在接触 with its amount now.
- **Amounts**: at the start, the amount the previous month's rebuild recorded in the history store
  when there is one, else the amount in the sheet now; at the end, the amount now (blank = 0).
  The difference of a lead open (or new) in the month is an **amount change**, booked at the stage
  it ends the month in (or leaves the funnel from).
- **Won / lost**: a lead open at the start (or new) that is won or lost now leaves with its amount
  now from the stage it was closed from (the stage before 已成交 in the log, its lost-at stage),
  else from its stage at the start.
- **Moves**: a lead that ends (or is closed) in another open stage than it started in moves its
  start amount out of the one and into the other. A lead closed at the start and open now
  (revived) moves in from outside the funnel: the only case where the moves do not sum to zero.
- Open at the end per stage is the open leads' amount now: its total is 总览's 管道金额.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .flow import evidence
from .frames import (
    AMOUNT,
    DATE,
    FIRST_CONTACT,
    FROM_STAGE,
    LEAD_ID,
    LOST_AT,
    STAGE,
    STAGE_ENTERED,
    STATUS,
    TO_STAGE,
    Status,
    dates,
    numbers,
    values,
)
from .rules import Rules

PARTS = ("start", "new", "won", "lost", "changes", "moved_in", "moved_out", "end")


@dataclass(frozen=True)
class WaterfallRow:
    stage: str  # "" for the total
    start: float
    new: float
    won: float
    lost: float
    changes: float
    moved_in: float
    moved_out: float
    end: float

    @property
    def check(self) -> float:
        """start + new − won − lost + changes + moved in − moved out − end: 0 when it balances."""
        total = (self.start + self.new - self.won - self.lost + self.changes + self.moved_in
                 - self.moved_out - self.end)
        return 0.0 if abs(total) < 1e-6 else total


@dataclass(frozen=True)
class Waterfall:
    start: date
    end: date
    stages: tuple[WaterfallRow, ...]  # the open stages, in order
    opening_from_store: bool  # start amounts as the previous period's rebuild recorded them

    @property
    def total(self) -> WaterfallRow:
        sums = {p: float(sum(getattr(r, p) for r in self.stages)) for p in PARTS}
        return WaterfallRow("", **sums)


def waterfall(
    leads: pd.DataFrame, transitions: pd.DataFrame, rules: Rules, start: date, end: date,
    opening: pd.DataFrame | None = None,
) -> Waterfall:
    """The month's pipeline change of the derived ``leads``; ``opening`` is the previous month's
    snapshot from the history store (lead_id, amount), if any."""
    open_stages = rules.stage_names[:-1]
    index = {name: k for k, name in enumerate(open_stages)}
    lo = pd.Timestamp(start)
    ids = leads[LEAD_ID]
    known = evidence(leads, transitions)
    before = known[known[DATE] < lo].drop_duplicates(LEAD_ID, keep="last").set_index(LEAD_ID)
    first, entered = dates(leads, FIRST_CONTACT), dates(leads, STAGE_ENTERED)
    s0 = ids.map(before[TO_STAGE]).astype(object)
    unknown = s0.isna()
    s0[unknown & (first < lo)] = open_stages[0]
    quiet = unknown & first.isna() & ~(entered >= lo)
    s0[quiet] = leads[STAGE][quiet]
    new = s0.isna()
    now = numbers(leads, AMOUNT).fillna(0.0)
    was = now.copy()
    from_store = opening is not None and len(opening) > 0
    if from_store:
        recorded = opening.drop_duplicates(LEAD_ID).set_index(LEAD_ID)[AMOUNT]
        then = pd.to_numeric(ids.map(recorded), errors="coerce")
        was = then.where(then.notna(), now).astype(float)
    status = leads[STATUS]
    open_start = s0.isin(open_stages)
    came = open_start | new
    via = s0.where(open_start, open_stages[0])
    a = was.where(open_start, now)
    closed_from = _closed_from(leads, transitions, rules).where(lambda s: s.isin(open_stages))
    to = leads[STAGE].where(status == Status.ACTIVE, closed_from.where(closed_from.notna(), via))
    book = np.zeros((len(open_stages), len(PARTS)))
    col = {p: i for i, p in enumerate(PARTS)}

    def add(part: str, stages: pd.Series, amounts: pd.Series, mask: pd.Series) -> None:
        k = stages[mask].map(index).to_numpy(dtype=int)
        np.add.at(book[:, col[part]], k, amounts[mask].to_numpy(dtype=float))

    active = status == Status.ACTIVE
    add("start", s0, was, open_start)
    add("new", via, now, new)
    flows = came & (active | status.isin([Status.WON, Status.LOST]))
    add("changes", to, now - a, flows)
    moved = flows & (to != via)
    add("moved_out", via, a, moved)
    add("moved_in", to, a, moved)
    add("won", to, now, came & (status == Status.WON))
    add("lost", to, now, came & (status == Status.LOST))
    add("moved_in", leads[STAGE], now, active & ~came)  # revived
    add("end", leads[STAGE], now, active)
    rows = tuple(
        WaterfallRow(name, *(float(v) for v in book[k])) for k, name in enumerate(open_stages)
    )
    return Waterfall(start, end, rows, from_store)


def _closed_from(leads: pd.DataFrame, transitions: pd.DataFrame, rules: Rules) -> pd.Series:
    """The stage a closed lead was closed from: the lost-at stage of a lost lead, the stage before
    the latest move into the won stage of a won one."""
    into_won = transitions[transitions[TO_STAGE] == rules.won_stage]
    last = into_won.drop_duplicates(LEAD_ID, keep="last").set_index(LEAD_ID)[FROM_STAGE]
    won_from = leads[LEAD_ID].map(last)
    lost_at = values(leads, LOST_AT)
    return lost_at.where(leads[STATUS] == Status.LOST, won_from).astype(object)
