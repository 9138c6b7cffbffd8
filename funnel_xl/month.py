"""The period under review beside the one before: what 总览's 本月 block, the compact
负责人对比 / 渠道分析 tables, a rep's workbook and the mails show first. Pure: no I/O, no catalogue.

Definitions — :func:`period_counts` is the one place they are counted, for the team (all leads),
each rep, each channel and each further dimension, and :func:`funnel_xl.flow.period_figures`
takes the team's from it, so 总览 agrees with 本月流转:

- new leads: first contact within the period;
- won / lost: won or lost now, and entered that stage within the period; won amount: their amounts;
- stage moves: the transitions dated within the period (follow-up log and between rebuilds); the
  team's counts every transition, also those of rows excluded for errors.

The period is a month, an ISO week or a span of days; the one before is the whole calendar month,
the week before, or the span of the same length just before. Both are counted from this run's
leads and transitions, so the change compares like with like.

Targets are set per month. A month's report compares with the month's target as set; a week or a
span with the targets prorated by working days: each month it overlaps contributes its target ×
(working days of the period in that month ÷ working days of that month).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
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
from .period import PeriodKind, month_label, span_label, week_label
from .targets import Attainment, Target, attainment, month_targets, prorated_targets, team_target

# The month block's figures, in the order the report shows them.
MONTH_FIGURES = ("new_leads", "won", "won_amount", "lost", "moves")


@dataclass(frozen=True)
class MonthCounts:
    """One period's results."""

    new_leads: int = 0
    won: int = 0
    won_amount: float = 0.0
    lost: int = 0
    moves: int = 0

    def value(self, key: str) -> float:
        return getattr(self, key)


@dataclass(frozen=True)
class MonthBlock:
    """The period under review and the one before (named by their labels)."""

    month: str  # "2024-05", "2024-W22" or "2024-05-03_2024-05-17"
    previous_month: str  # "2024-04", "2024-W21", …
    current: MonthCounts
    previous: MonthCounts

    def change(self, key: str) -> float:
        """This period's figure minus the previous one's."""
        return self.current.value(key) - self.previous.value(key)


@dataclass(frozen=True)
class MonthReview:
    """The period block of the team and of each group (by owner, channel or dimension), the
    period's targets (by rep and by channel) and their attainment."""

    team: MonthBlock
    by_group: dict[str, dict[str, MonthBlock]] = field(default_factory=dict)  # "owner", "source", …
    targets: dict[str, Target] = field(default_factory=dict)  # this period's, by rep
    attainment: dict[str, Attainment] = field(default_factory=dict)  # reps with a target
    team_attainment: Attainment | None = None  # the team against the sum of the reps' targets
    kind: PeriodKind = PeriodKind.MONTH
    channel_targets: dict[str, Target] = field(default_factory=dict)  # this period's, by channel
    channel_attainment: dict[str, Attainment] = field(default_factory=dict)

    @property
    def by_owner(self) -> dict[str, MonthBlock]:
        return self.by_group.get("owner", {})

    @property
    def by_source(self) -> dict[str, MonthBlock]:
        return self.by_group.get("source", {})

    @property
    def prorated(self) -> bool:
        """Whether the targets are a month's prorated to a week or a span."""
        return self.kind != PeriodKind.MONTH

    def only(self, owner: str) -> MonthReview:
        """One rep's share: their block as the "team" one, their target and attainment alone."""
        block = self.by_owner.get(owner, empty_block(self.team.month, self.team.previous_month))
        mine = {owner: self.attainment[owner]} if owner in self.attainment else {}
        return MonthReview(
            team=block, by_group={"owner": {owner: block}},
            targets={k: v for k, v in self.targets.items() if k == owner},
            attainment=mine, team_attainment=mine.get(owner), kind=self.kind,
        )

    @property
    def has_targets(self) -> bool:
        return self.team_attainment is not None


def previous_month(start: date) -> tuple[date, date]:
    """The calendar month before the one starting on ``start``: (first day, last day)."""
    end = start - timedelta(days=1)
    return end.replace(day=1), end


def previous_period(kind: PeriodKind, start: date, end: date) -> tuple[date, date]:
    """The period before [start, end]: the calendar month, the ISO week, or the span of the same
    length ending the day before."""
    if kind == PeriodKind.MONTH:
        return previous_month(start)
    if kind == PeriodKind.WEEK:
        return start - timedelta(days=7), start - timedelta(days=1)
    return start - (end - start) - timedelta(days=1), start - timedelta(days=1)


def period_name(kind: PeriodKind, start: date, end: date) -> str:
    """A period's label: 2024-05, 2024-W22 or 2024-05-03_2024-05-17."""
    if kind == PeriodKind.MONTH:
        return month_label(start)
    if kind == PeriodKind.WEEK:
        return week_label(start)
    return span_label(start, end)


def empty_block(month: str, previous: str) -> MonthBlock:
    return MonthBlock(month, previous, MonthCounts(), MonthCounts())


def month_review(
    leads: pd.DataFrame, transitions: pd.DataFrame, start: date, end: date,
    targets: Iterable[Target] = (), *, kind: PeriodKind = PeriodKind.MONTH,
    groups: Mapping[str, str] | None = None, working_days: Callable[[date, date], int] | None = None,
) -> MonthReview:
    """The team's and each group's block for [start, end] and the period before, and attainment
    against the period's targets (see the module's definitions). ``groups``: each grouping's
    column ("owner" → 负责人 by default; "source" → the channel column, …); ``working_days``
    counts the working days of a range, for prorating a month's targets to a week or a span."""
    groups = {"owner": OWNER} if groups is None else groups
    before = previous_period(kind, start, end)
    month, previous = period_name(kind, start, end), period_name(kind, *before)
    now_team, then_team = team_counts(leads, transitions, start, end), team_counts(leads, transitions, *before)
    by_group = {}
    for name, column in groups.items():
        key = leads[column] if column in leads else pd.Series("", index=leads.index, dtype=object)
        now, then = period_counts(leads, transitions, start, end, key), period_counts(leads, transitions, *before, key)
        by_group[name] = {
            group: MonthBlock(month, previous, now.get(group, MonthCounts()), then.get(group, MonthCounts()))
            for group in sorted({*now, *then})
        }
    block = MonthBlock(month, previous, now_team, then_team)
    targets = list(targets)
    reps = _period_targets([t for t in targets if t.channel is None], kind, start, end, working_days)
    channels = _period_targets([t for t in targets if t.channel is not None], kind, start, end, working_days)
    whole = team_target(reps.values())
    return MonthReview(
        team=block, by_group=by_group, targets=reps,
        attainment=_reached(reps, by_group.get("owner", {}), month, previous),
        team_attainment=None if whole is None else attainment(whole, block.current), kind=kind,
        channel_targets=channels,
        channel_attainment=_reached(channels, by_group.get("source", {}), month, previous),
    )


def _period_targets(
    targets: list[Target], kind: PeriodKind, start: date, end: date,
    working_days: Callable[[date, date], int] | None,
) -> dict[str, Target]:
    if kind == PeriodKind.MONTH or working_days is None:
        return month_targets(targets, month_label(start))
    return prorated_targets(targets, start, end, working_days)


def _reached(
    targets: Mapping[str, Target], blocks: Mapping[str, MonthBlock], month: str, previous: str
) -> dict[str, Attainment]:
    return {
        name: attainment(target, blocks.get(name, empty_block(month, previous)).current)
        for name, target in targets.items()
    }


def won_in_period(leads: pd.DataFrame, start: date, end: date) -> pd.Series:
    """The leads won now whose stage was entered within [start, end]."""
    entered = dates(leads, STAGE_ENTERED)
    return (leads[STATUS] == Status.WON) & (entered >= pd.Timestamp(start)) & (entered <= pd.Timestamp(end))


def team_counts(leads: pd.DataFrame, transitions: pd.DataFrame | None, start: date, end: date) -> MonthCounts:
    """The team's counts of [start, end]: :func:`period_counts` over all leads, with every
    transition of the period among the stage moves (none without ``transitions``)."""
    if transitions is None:
        transitions = pd.DataFrame({LEAD_ID: pd.Series(dtype=object), DATE: pd.Series(dtype="datetime64[ns]")})
    return period_counts(leads, transitions, start, end).get("", MonthCounts())


def period_counts(
    leads: pd.DataFrame, transitions: pd.DataFrame, start: date, end: date, key: pd.Series | None = None,
) -> dict[str, MonthCounts]:
    """Each group's counts of [start, end] in one pass (``key`` names each lead's group, blank is
    ""); without ``key`` the whole team's, under "", its moves every transition of the period."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    first_contact, entered = dates(leads, FIRST_CONTACT), dates(leads, STAGE_ENTERED)
    in_period = (entered >= lo) & (entered <= hi)
    won = won_in_period(leads, start, end)
    frame = pd.DataFrame(
        {
            "new_leads": (first_contact >= lo) & (first_contact <= hi),
            "won": won,
            "won_amount": numbers(leads, AMOUNT).where(won, 0.0).fillna(0.0),
            "lost": (leads[STATUS] == Status.LOST) & in_period,
        }
    )
    moved = transitions[(transitions[DATE] >= lo) & (transitions[DATE] <= hi)]
    if key is None:
        sums = frame.sum().to_frame("").T if len(leads) else frame.iloc[:0]
        moves = pd.Series({"": len(moved)}) if len(moved) else pd.Series(dtype=int)
    else:
        groups = key.fillna("").astype(str).to_numpy()
        sums = frame.groupby(groups, sort=False).sum()
        group_of = pd.Series(groups, index=leads[LEAD_ID].to_numpy())
        moves = moved[LEAD_ID].map(group_of[~group_of.index.duplicated()]).value_counts()
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
