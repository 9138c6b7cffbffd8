"""需要关注: the few actions 总览 puts first, each with the figure behind it. Pure: no I/O, no
catalogue (the report words each action from its kind and figures).

In order, each only when there is something to do:

1. the stalled leads (over their stage's limit) with the largest amounts: their count, their
   amount, and the largest one's lead, customer, owner, stage and amount;
2. the weakest transition (lowest pass rate with at least ``min_sample`` leads having left the
   stage, below 100%), with its k of n; when lost leads without a lost-at stage keep any from
   being named (see :attr:`FunnelMetrics.worst_hidden_by_unplaced_losses`), their count instead;
3. a channel whose win rate or first pass rate stayed below the rules' threshold (the first flag);
4. overdue follow-ups (next follow-up date passed): their count and the rep with most of them;
5. open leads whose expected close date has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from .flow import ChannelFlag
from .frames import (
    AMOUNT,
    CLOSE_PAST,
    CUSTOMER,
    LEAD_ID,
    OVERDUE,
    OWNER,
    STAGE,
    STALLED,
    numbers,
    values,
)
from .metrics import FunnelMetrics

MAX_ACTIONS = 5


class ActionKind(StrEnum):
    STALLED = "stalled"
    WEAKEST = "weakest"
    UNPLACED_LOSSES = "unplaced_losses"
    LOW_CHANNEL = "low_channel"
    OVERDUE = "overdue"
    CLOSE_PAST = "close_past"


@dataclass(frozen=True)
class Action:
    """One thing to look at, with its figures (what they are depends on ``kind``)."""

    kind: ActionKind
    figures: dict[str, object]


def attention(
    leads: pd.DataFrame, team: FunnelMetrics, flags: list[ChannelFlag] | tuple[ChannelFlag, ...] = (),
) -> tuple[Action, ...]:
    """At most :data:`MAX_ACTIONS` actions for the month, most pressing first."""
    actions = [
        _stalled(leads),
        _weakest(team),
        _low_channel(flags),
        _overdue(leads),
        _flagged(leads, CLOSE_PAST, ActionKind.CLOSE_PAST),
    ]
    return tuple(a for a in actions if a is not None)[:MAX_ACTIONS]


def _flag(leads: pd.DataFrame, column: str) -> pd.Series:
    if column not in leads:
        return pd.Series(False, index=leads.index)
    return leads[column].fillna(False).astype(bool)


def _stalled(leads: pd.DataFrame) -> Action | None:
    stalled = leads[_flag(leads, STALLED)]
    if stalled.empty:
        return None
    amount = numbers(stalled, AMOUNT).fillna(0.0)
    top = stalled.loc[amount.idxmax()]
    return Action(
        ActionKind.STALLED,
        {
            "count": len(stalled),
            "amount": float(amount.sum()),
            "lead_id": top[LEAD_ID],
            "customer": values(stalled, CUSTOMER).loc[top.name],
            "owner": values(stalled, OWNER).loc[top.name],
            "stage": top[STAGE],
            "top_amount": float(amount.max()),
        },
    )


def _weakest(team: FunnelMetrics) -> Action | None:
    if team.worst_hidden_by_unplaced_losses:
        return Action(ActionKind.UNPLACED_LOSSES, {"count": team.totals.lost_unknown_stage})
    worst = team.worst_transition
    if worst is None:
        return None
    return Action(
        ActionKind.WEAKEST,
        {"transition": worst.label, "rate": worst.rate, "k": worst.passed, "n": worst.exited},
    )


def _low_channel(flags) -> Action | None:
    if not flags:
        return None
    flag = flags[0]
    return Action(
        ActionKind.LOW_CHANNEL,
        {
            "source": flag.source, "metric": flag.metric, "value": flag.values[-1],
            "limit": flag.limit, "months": len(flag.months),
        },
    )


def _overdue(leads: pd.DataFrame) -> Action | None:
    overdue = leads[_flag(leads, OVERDUE)]
    if overdue.empty:
        return None
    counts = values(overdue, OWNER).fillna("").value_counts()
    owner, most = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return Action(ActionKind.OVERDUE, {"count": len(overdue), "owner": owner, "owner_count": int(most)})


def _flagged(leads: pd.DataFrame, column: str, kind: ActionKind) -> Action | None:
    count = int(_flag(leads, column).sum())
    return Action(kind, {"count": count}) if count else None
