"""Each rep's (or channel's) standing: the line of the compact 负责人对比 / 渠道分析 table, and the
group that leads each stage transition. Pure: no I/O, no catalogue.

- new / won this month, won 万元 this month: the period's counts of the group's own leads, from
  :func:`funnel_xl.month.period_counts` (the one place the team's, the reps' and the channels'
  period figures are counted: new = first contact in the period, won = won with its stage entered
  in it).
- won to date = the k of the win rate k/n; average won deal = won amount ÷ won leads.
- the table is sorted by won 万元 this month, then won 万元 to date, largest first, then by name.
- the leader of a transition: of the groups with at least ``min_sample`` leads that left the stage,
  the highest pass rate above the team's (ties: more leads, then the first by name); one lucky
  lead never leads, and nobody leads when nobody beats the team.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .metrics import FunnelMetrics, Rate
from .month import MonthCounts


@dataclass(frozen=True)
class Standing:
    """One group's line of the compact comparison table."""

    name: str
    leads: int
    new_this_month: int
    won_this_month: int
    won_amount_this_month: float
    win: Rate  # won of closed; its k is the won to date
    won_amount: float
    average_deal: float | None
    cycle_median: float | None
    pipeline: float
    weighted_pipeline: float
    attainment: float | None = None  # won 万元 this month ÷ the month's won target, when one is set


@dataclass(frozen=True)
class Leader:
    """The group leading one transition: its pass rate of k/n against the team's."""

    transition: str  # "需求挖掘→方案提案"
    name: str
    rate: Rate
    team_rate: float


def standings(
    groups: Mapping[str, FunnelMetrics], months: Mapping[str, MonthCounts],
    attainment: Mapping[str, float | None] | None = None,
) -> list[Standing]:
    """The groups' lines, sorted by won 万元 this month (see the module's definitions);
    ``attainment``: each group's won attainment this month (:mod:`funnel_xl.targets`), when set."""
    attainment = attainment or {}
    rows = [
        _standing(name, m, months.get(name), attainment.get(name)) for name, m in groups.items()
    ]
    return sorted(rows, key=lambda s: (-s.won_amount_this_month, -s.won_amount, s.name))


def team_standing(team: FunnelMetrics, month: MonthCounts, attainment: float | None = None) -> Standing:
    """The team's line under the groups'."""
    return _standing("", team, month, attainment)


def _standing(
    name: str, m: FunnelMetrics, month: MonthCounts | None, attainment: float | None = None
) -> Standing:
    won = m.totals.won
    return Standing(
        name=name,
        leads=m.totals.valid,
        new_this_month=month.new_leads if month else 0,
        won_this_month=month.won if month else 0,
        won_amount_this_month=month.won_amount if month else 0.0,
        win=m.win,
        won_amount=m.won_amount,
        average_deal=m.won_amount / won if won else None,
        cycle_median=m.cycle_median,
        pipeline=m.pipeline,
        weighted_pipeline=m.weighted_pipeline,
        attainment=attainment,
    )


def leaders(
    team: FunnelMetrics, groups: Mapping[str, FunnelMetrics], min_sample: int
) -> tuple[Leader | None, ...]:
    """Per transition of the team's funnel, the group leading it, or None."""
    result = []
    for k, transition in enumerate(team.transitions):
        rates = {name: m.pass_counts(k) for name, m in groups.items()}
        name = leading(rates, transition.rate, min_sample)
        result.append(
            None if name is None else Leader(transition.label, name, rates[name], transition.rate)
        )
    return tuple(result)


def leading(rates: Mapping[str, Rate], team_rate: float | None, min_sample: int) -> str | None:
    """Of these groups' rates of one transition, the leader's name (see the module's definitions)."""
    if team_rate is None:
        return None
    candidates = [
        (name, r) for name, r in sorted(rates.items()) if r.n >= min_sample and r.value > team_rate
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (-c[1].value, -c[1].n))[0]
