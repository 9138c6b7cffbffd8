"""Monthly targets and how far a period has reached them. Pure: no I/O, no catalogue.

A target is set per rep or per channel, either for every month (the rules' ``[targets]`` and
``[channel_targets]``) or for one month (a row of the tracking workbook's 目标 sheet, which replaces
the every-month one for that month). Each has a won amount (万元) and/or a number of new leads.
A week or a span of days is held against the months' targets prorated by working days
(:func:`prorated_targets`).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .month import MonthCounts


@dataclass(frozen=True)
class Target:
    """One rep's target (``channel`` None) or one channel's (``channel`` its name, ``owner`` blank):
    for every month (``month`` None) or for one month ("2024-05"). Prorated to a week or a span,
    the new leads are a fraction."""

    owner: str
    won_amount: float | None = None
    new_leads: float | None = None
    month: str | None = None
    channel: str | None = None

    @property
    def name(self) -> str:
        """Whose target: the channel's name, else the rep's."""
        return self.owner if self.channel is None else self.channel


@dataclass(frozen=True)
class Attainment:
    """A month's results against a target: the figure, the target and figure ÷ target (None where
    no target is set, or the target is 0)."""

    won_amount: float
    won_target: float | None
    new_leads: int
    new_leads_target: float | None

    @property
    def won_ratio(self) -> float | None:
        return self.won_amount / self.won_target if self.won_target else None

    @property
    def new_leads_ratio(self) -> float | None:
        return self.new_leads / self.new_leads_target if self.new_leads_target else None


def attainment(target: Target, month: MonthCounts) -> Attainment:
    return Attainment(
        won_amount=month.won_amount, won_target=target.won_amount,
        new_leads=month.new_leads, new_leads_target=target.new_leads,
    )


def unmatched(targets: Iterable[Target], owners: Iterable[str], channels: Iterable[str]) -> list[Target]:
    """The targets set for a rep or a channel no lead names (a name mistyped, or someone who has
    left): each counts as attained 0, and a rep's is still in the team's target."""
    owners, channels = set(owners), set(channels)
    return [t for t in targets if t.name not in (owners if t.channel is None else channels)]


def team_target(targets: Iterable[Target]) -> Target | None:
    """The team's target: the sum of the reps' (each part only where some rep has one); None
    without any target."""
    targets = list(targets)
    won = [t.won_amount for t in targets if t.won_amount is not None]
    new = [t.new_leads for t in targets if t.new_leads is not None]
    if not won and not new:
        return None
    return Target(owner="", won_amount=sum(won) if won else None, new_leads=sum(new) if new else None)


def rules_targets(won: Iterable[tuple[str, float]], new_leads: Iterable[tuple[str, int]]) -> list[Target]:
    """The rules' every-month targets, won amount and new leads joined by rep."""
    won, new_leads = dict(won), dict(new_leads)
    return [
        Target(owner=name, won_amount=won.get(name), new_leads=new_leads.get(name))
        for name in sorted({*won, *new_leads})
    ]


def channel_rules_targets(given: Iterable[tuple[str, float | None, int | None]]) -> list[Target]:
    """The rules' every-month channel targets: (channel, won 万元, new leads) each."""
    return [Target(owner="", won_amount=won, new_leads=new, channel=name) for name, won, new in given]


def month_targets(targets: Iterable[Target], month: str) -> dict[str, Target]:
    """Each rep's (or channel's) target for ``month``: the one set for that month, else their
    every-month one."""
    every: dict[str, Target] = {}
    this: dict[str, Target] = {}
    for target in targets:
        if target.month is None:
            every[target.name] = target
        elif target.month == month:
            this[target.name] = target
    return {**every, **this}


def prorated_targets(
    targets: Iterable[Target], start: date, end: date, working_days: Callable[[date, date], int]
) -> dict[str, Target]:
    """Each one's target for [start, end]: of every month the span overlaps, that month's target ×
    the span's working days in the month ÷ the month's working days (``working_days(first, last)``
    counts a range's, both days included); a part no month sets stays None."""
    targets = list(targets)
    won: dict[str, float] = {}
    new: dict[str, float] = {}
    day = start.replace(day=1)
    while day <= end:
        last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        whole = working_days(day, last)
        share = working_days(max(day, start), min(last, end)) / whole if whole else 0.0
        for name, target in month_targets(targets, f"{day.year:04d}-{day.month:02d}").items():
            if target.won_amount is not None:
                won[name] = won.get(name, 0.0) + target.won_amount * share
            if target.new_leads is not None:
                new[name] = new.get(name, 0.0) + target.new_leads * share
        day = last + timedelta(days=1)
    channel = {t.name: t.channel for t in targets}
    return {
        name: Target(
            owner="" if channel[name] is not None else name, won_amount=won.get(name),
            new_leads=new.get(name), channel=channel[name],
        )
        for name in sorted({*won, *new})
    }

