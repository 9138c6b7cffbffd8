"""Comparisons the writers show but never work out themselves: a group's rate against the team's,
the direction of a stage move, and pipeline coverage. Pure: no I/O, no catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .metrics import FunnelMetrics, Rate
from .rules import Rules

# Rates closer than this are equal: float noise must not make a group "clearly" better or worse.
_EPSILON = 1e-12


class Versus(StrEnum):
    """Where a group's rate stands against the team's."""

    ABOVE = "above"  # at least min_sample leads and the whole 95% interval above the team's rate
    BELOW = "below"  # at least min_sample leads and the whole 95% interval below it
    UNCLEAR = "unclear"  # a small sample, no team rate, or an interval that holds the team's rate


def versus_team(rate: Rate, team: float | None, min_sample: int) -> Versus:
    """Whether ``rate`` is clearly above or below the team's rate ``team``.

    Clear only with at least ``min_sample`` leads and the whole 95% Wilson interval on one side:
    so 1 of 1 = 100% is never clearly above a team at 50% (its lower bound is 21%).
    """
    if team is None or rate.n == 0 or rate.n < min_sample:
        return Versus.UNCLEAR
    if rate.low > team + _EPSILON:
        return Versus.ABOVE
    if rate.high < team - _EPSILON:
        return Versus.BELOW
    return Versus.UNCLEAR


class MoveDirection(StrEnum):
    """Where a stage move went: up the funnel, back down, out (lost), or back in from lost."""

    FORWARD = "forward"
    BACK = "back"
    LOST = "lost"
    REVIVED = "revived"


def move_directions(
    moves: Iterable[tuple[str, str]], rules: Rules
) -> list[MoveDirection]:
    """Each (from stage, to stage) move's direction — the one rule, also behind the flow's exits:
    a move to a lost label is lost, a move from one revived, else forward when the new stage comes
    later in the funnel, else back (an earlier or the same stage, or one the rules do not know)."""
    index_of = {name: i for i, name in enumerate(rules.stage_names)}
    lost = set(rules.lost_labels)
    return [
        MoveDirection.LOST if b in lost else MoveDirection.REVIVED if a in lost
        else MoveDirection.FORWARD if index_of.get(b, -1) > index_of.get(a, -1)
        else MoveDirection.BACK
        for a, b in moves
    ]


@dataclass(frozen=True)
class StageSums:
    """The funnel table's 合计 row: the stage figures that add up."""

    current: int
    lost_here: int
    stalled: int
    amount: float
    weighted_amount: float


def stage_sums(m: FunnelMetrics) -> StageSums:
    stages = m.stages
    return StageSums(
        current=sum(s.current for s in stages),
        lost_here=sum(s.lost_here for s in stages),
        stalled=sum(s.stalled for s in stages),
        amount=sum(s.amount for s in stages),
        weighted_amount=sum(s.weighted_amount for s in stages),
    )


def coverage(m: FunnelMetrics | None, target: float | None) -> float | None:
    """Pipeline coverage: the open weighted pipeline ÷ the monthly target (None without either)."""
    if m is None or not target:
        return None
    return m.weighted_pipeline / target
