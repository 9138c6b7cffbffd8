"""Monthly targets and how far the month has reached them. Pure: no I/O, no catalogue.

A target is set per rep, either for every month (the rules' ``[targets]``) or for one month (a row
of the tracking workbook's 目标 sheet, which replaces the every-month one for that month). Each
has a won amount (万元) and, optionally, a number of new leads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .month import MonthCounts


@dataclass(frozen=True)
class Target:
    """One rep's target: for every month (``month`` None) or for one month ("2024-05")."""

    owner: str
    won_amount: float | None = None
    new_leads: int | None = None
    month: str | None = None


@dataclass(frozen=True)
class Attainment:
    """A month's results against a target: the figure, the target and figure ÷ target (None where
    no target is set, or the target is 0)."""

    won_amount: float
    won_target: float | None
    new_leads: int
    new_leads_target: int | None

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
