"""Follow-up activity (跟进活动): the follow-up log counted per rep, month and method. Pure.

Definitions (the contract, also in docs/definitions.md):

- A **follow-up** is a usable entry of the follow-up log (no error, dated on or before the as-of
  date). Its rep is the 负责人 of its lead, else the entry's 跟进人; its method the entry's 跟进方式
  (blank: not given); its month that of its 跟进时间. The last :data:`MONTHS` months up to the as-of
  month are shown.
- **Follow-ups per won deal** (per rep and team) = every follow-up of the won leads ÷ the won leads.
- **Days since the last contact** of an open lead: as-of − 最近跟进时间 (the figure the 跟进停滞
  alert uses); per rep the open leads, the median and the longest, and how many are 跟进停滞.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .frames import (
    BY,
    DAYS_SINCE_FOLLOW_UP,
    LEAD_ID,
    METHOD,
    OWNER,
    STALE,
    STATUS,
    TIME,
    Status,
    values,
)
from .lost import BLANK, trimmed
from .period import month_label
from .rules import Rules

MONTHS = 6


@dataclass(frozen=True)
class RepActivity:
    """One rep's (or the team's, name "") follow-ups and open leads' last contact."""

    name: str
    follow_ups: int  # in the months shown
    won: int
    won_follow_ups: int  # every follow-up of the won leads
    open: int
    median_days_since_contact: float | None
    longest_days_since_contact: float | None
    stale: int

    @property
    def per_won_deal(self) -> float | None:
        return self.won_follow_ups / self.won if self.won else None


@dataclass(frozen=True)
class Activity:
    months: tuple[str, ...]  # the months shown, oldest first
    methods: tuple[str | None, ...]  # the rules' methods first, then others, None (blank) last
    counts: tuple[tuple[str, str, str | None, int], ...]  # (rep, month, method, follow-ups)
    reps: tuple[RepActivity, ...]  # by name
    team: RepActivity


def _last_months(as_of, count: int) -> tuple[str, ...]:
    end = pd.Period(as_of, freq="M")
    return tuple(month_label((end - k).start_time.date()) for k in range(count - 1, -1, -1))


def activity(leads: pd.DataFrame, entries: pd.DataFrame | None, rules: Rules, as_of) -> Activity:
    """The follow-ups of the usable log ``entries`` against the derived ``leads``."""
    months = _last_months(as_of, MONTHS)
    log = _follow_ups(leads, entries)
    shown = log[log["month"].isin(months)]
    counted = shown.fillna({"method": BLANK}).groupby(["rep", "month", "method"]).size()
    counts = tuple(
        (rep, month, None if method == BLANK else method, int(n))
        for (rep, month, method), n in counted.items()
    )
    found = {m for _, _, m, _ in counts}
    methods = (
        *(m for m in rules.follow_up_methods if m in found),
        *sorted(m for m in found if m is not None and m not in rules.follow_up_methods),
        *((None,) if None in found else ()),
    )
    on_won = log[log[LEAD_ID].isin(leads[LEAD_ID][leads[STATUS] == Status.WON].unique())]
    per_rep = shown["rep"].value_counts(), on_won["rep"].value_counts()
    owners = values(leads, OWNER).fillna("").astype(str)
    reps = tuple(
        _rep(str(name), mine, int(per_rep[0].get(name, 0)), int(per_rep[1].get(name, 0)))
        for name, mine in leads.groupby(owners, sort=True)
    )
    return Activity(months, methods, counts, reps, _rep("", leads, len(shown), len(on_won)))


def _follow_ups(leads: pd.DataFrame, entries: pd.DataFrame | None) -> pd.DataFrame:
    """Each usable entry's rep, month ("2024-05") and method (None: blank), and its lead."""
    if entries is None or not len(entries):
        return pd.DataFrame({"rep": [], "month": [], "method": [], LEAD_ID: []}, dtype=object)
    owner_of = leads.drop_duplicates(LEAD_ID).set_index(LEAD_ID)[OWNER] if OWNER in leads else None
    rep = entries[LEAD_ID].map(owner_of) if owner_of is not None else pd.Series(None, index=entries.index)
    if BY in entries:
        rep = rep.where(rep.notna(), entries[BY])
    time = pd.to_datetime(entries[TIME])
    key = (time.dt.year * 100 + time.dt.month).fillna(0).astype(int)
    codes, uniques = pd.factorize(key)
    labels = np.array([f"{k // 100:04d}-{k % 100:02d}" if k else None for k in uniques], dtype=object)
    method = entries[METHOD] if METHOD in entries else pd.Series(None, index=entries.index)
    return pd.DataFrame({
        "rep": trimmed(rep).fillna(""),
        "month": labels[codes],
        "method": trimmed(method),
        LEAD_ID: entries[LEAD_ID],
    })


def _rep(name: str, leads: pd.DataFrame, follow_ups: int, won_follow_ups: int) -> RepActivity:
    active = leads[leads[STATUS] == Status.ACTIVE]
    since = pd.to_numeric(active[DAYS_SINCE_FOLLOW_UP], errors="coerce").astype(float).dropna()
    return RepActivity(
        name=name,
        follow_ups=follow_ups,
        won=int((leads[STATUS] == Status.WON).sum()),
        won_follow_ups=won_follow_ups,
        open=len(active),
        median_days_since_contact=float(since.median()) if len(since) else None,
        longest_days_since_contact=float(since.max()) if len(since) else None,
        stale=int(active[STALE].astype(bool).sum()),
    )
