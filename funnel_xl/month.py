"""The month under review beside the month before: what 总览's 本月 block, a rep's workbook and the
mails show first. Pure: no I/O, no catalogue.

Definitions (the same as :func:`funnel_xl.flow.period_figures`, so 总览 agrees with 本月流转):

- new leads: first contact within the month;
- won / lost: won or lost now, and entered that stage within the month; won amount: their amounts;
- stage moves: the transitions dated within the month (follow-up log and between rebuilds).

Both months are counted from this run's leads and transitions, so the change compares like with
like; the month before is the whole calendar month, the month under review ends on the as-of date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from .frames import (
    AMOUNT,
    DATE,
    FIRST_CONTACT,
    LEAD_ID,
    OWNER,
    STAGE_ENTERED,
    STATUS,
    Status,
    dates,
    numbers,
)
from .period import month_label
from .targets import Attainment, Target, attainment, team_target

# The month block's figures, in the order the report shows them.
MONTH_FIGURES = ("new_leads", "won", "won_amount", "lost", "moves")


@dataclass(frozen=True)
class MonthCounts:
    """One month's results."""

    new_leads: int = 0
    won: int = 0
    won_amount: float = 0.0
    lost: int = 0
    moves: int = 0

    def value(self, key: str) -> float:
        return getattr(self, key)


@dataclass(frozen=True)
class MonthBlock:
    """The month under review and the month before."""

    month: str  # "2024-05"
    previous_month: str  # "2024-04"
    current: MonthCounts
    previous: MonthCounts

    def change(self, key: str) -> float:
        """This month's figure minus last month's."""
        return self.current.value(key) - self.previous.value(key)


@dataclass(frozen=True)
class MonthReview:
    """The month block of the team and of each rep, this month's targets and their attainment."""

    team: MonthBlock
    by_owner: dict[str, MonthBlock] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)  # this month's, by rep
    attainment: dict[str, Attainment] = field(default_factory=dict)  # reps with a target
    team_attainment: Attainment | None = None  # the team against the sum of the reps' targets

    def only(self, owner: str) -> MonthReview:
        """One rep's share: their block as the "team" one, their target and attainment alone."""
        block = self.by_owner.get(owner, empty_block(self.team.month, self.team.previous_month))
        mine = {owner: self.attainment[owner]} if owner in self.attainment else {}
        return MonthReview(
            team=block, by_owner={owner: block},
            targets={k: v for k, v in self.targets.items() if k == owner},
            attainment=mine, team_attainment=mine.get(owner),
        )

    @property
    def has_targets(self) -> bool:
        return self.team_attainment is not None


def previous_month(start: date) -> tuple[date, date]:
    """The calendar month before the one starting on ``start``: (first day, last day)."""
    end = start - timedelta(days=1)
    return end.replace(day=1), end


def empty_block(month: str, previous: str) -> MonthBlock:
    return MonthBlock(month, previous, MonthCounts(), MonthCounts())


def month_review(
    leads: pd.DataFrame, transitions: pd.DataFrame, start: date, end: date,
    targets: Iterable[Target] = (),
) -> MonthReview:
    """The team's and each rep's month block for [start, end] and the calendar month before, and
    attainment against the targets set for this month (a rep's own month's target replaces their
    every-month one)."""
    before = previous_month(start)
    month, previous = month_label(start), month_label(before[0])
    owners = leads[OWNER] if OWNER in leads else pd.Series("", index=leads.index, dtype=object)
    team = pd.Series("", index=leads.index, dtype=object)
    now_team, now_reps = (_counts(leads, transitions, key, start, end) for key in (team, owners))
    then_team, then_reps = (_counts(leads, transitions, key, *before) for key in (team, owners))
    # The team counts every move, also those of rows excluded for errors (as 本月流转 does).
    now_team[""] = replace(now_team.get("", MonthCounts()), moves=_moves(transitions, start, end))
    then_team[""] = replace(then_team.get("", MonthCounts()), moves=_moves(transitions, *before))
    by_owner = {
        name: MonthBlock(month, previous, now_reps.get(name, MonthCounts()), then_reps.get(name, MonthCounts()))
        for name in sorted({*now_reps, *then_reps})
    }
    block = MonthBlock(month, previous, now_team.get("", MonthCounts()), then_team.get("", MonthCounts()))
    chosen = month_targets(targets, month)
    reached = {
        name: attainment(target, by_owner.get(name, empty_block(month, previous)).current)
        for name, target in chosen.items()
    }
    whole = team_target(chosen.values())
    return MonthReview(
        team=block, by_owner=by_owner, targets=chosen, attainment=reached,
        team_attainment=None if whole is None else attainment(whole, block.current),
    )


def month_targets(targets: Iterable[Target], month: str) -> dict[str, Target]:
    """Each rep's target for ``month``: the one set for that month, else their every-month one."""
    every: dict[str, Target] = {}
    this: dict[str, Target] = {}
    for target in targets:
        if target.month is None:
            every[target.owner] = target
        elif target.month == month:
            this[target.owner] = target
    return {**every, **this}


def _moves(transitions: pd.DataFrame, start: date, end: date) -> int:
    when = transitions[DATE]
    return int(((when >= pd.Timestamp(start)) & (when <= pd.Timestamp(end))).sum())


def _counts(
    leads: pd.DataFrame, transitions: pd.DataFrame, key: pd.Series, start: date, end: date
) -> dict[str, MonthCounts]:
    """Each group's (``key`` names the group of each lead) counts of [start, end], in one pass."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    first_contact, entered = dates(leads, FIRST_CONTACT), dates(leads, STAGE_ENTERED)
    in_month = (entered >= lo) & (entered <= hi)
    won = (leads[STATUS] == Status.WON) & in_month
    frame = pd.DataFrame(
        {
            "new_leads": (first_contact >= lo) & (first_contact <= hi),
            "won": won,
            "won_amount": numbers(leads, AMOUNT).where(won, 0.0).fillna(0.0),
            "lost": (leads[STATUS] == Status.LOST) & in_month,
        }
    )
    sums = frame.groupby(key.fillna("").to_numpy(), sort=False).sum()
    moved = transitions[(transitions[DATE] >= lo) & (transitions[DATE] <= hi)]
    group_of = pd.Series(key.fillna("").to_numpy(), index=leads[LEAD_ID].to_numpy()) if len(leads) else None
    if group_of is not None:
        group_of = group_of[~group_of.index.duplicated()]
        moves = moved[LEAD_ID].map(group_of).value_counts()
    else:
        moves = pd.Series(dtype=int)
    return {
        name: MonthCounts(
            new_leads=int(sums.at[name, "new_leads"]) if name in sums.index else 0,
            won=int(sums.at[name, "won"]) if name in sums.index else 0,
            won_amount=float(sums.at[name, "won_amount"]) if name in sums.index else 0.0,
            lost=int(sums.at[name, "lost"]) if name in sums.index else 0,
            moves=int(moves.get(name, 0)),
        )
        for name in {*sums.index, *moves.index}
    }
