"""How fast leads move (阶段速度): the days leads actually spent in each stage they left. Pure.

Definitions (the contract, also in docs/definitions.md):

- A lead enters 潜在接触 at its first contact and each later stage on the date of a known transition
  into it (the follow-up log's 阶段调整为, or a change seen between two rebuilds of the history
  store).
- A **stay** is a stage the lead left: from the date it entered the stage to the date of its next
  transition, in calendar days, counted only when that next transition starts from the same stage
  (so a stay is never stitched from two different sources that disagree). Stays in the won stage or
  a lost label are not stays (the lead never leaves them); a stay with a negative length (dates out
  of order) is left out. The stage a lead is still in is its current dwell, not a stay.
- Per stage (and per rep and stage): the number of stays, their median and 80th percentile (linear
  interpolation between the two nearest stays, as Excel's PERCENTILE.INC), next to the stage's
  最长停留天数 and the share of stays longer than it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .frames import DATE, FIRST_CONTACT, FROM_STAGE, LEAD_ID, OWNER, TO_STAGE, dates, values
from .rules import Rules

P80 = 0.8


@dataclass(frozen=True)
class StageSpeed:
    """The stays in one stage (of the team, or of one rep)."""

    stage: str
    limit: int  # the stage's 最长停留天数
    stays: int
    median: float | None
    p80: float | None
    over_limit: int  # stays longer than the limit


@dataclass(frozen=True)
class Speed:
    team: tuple[StageSpeed, ...]  # the stages a lead can leave, in order
    by_owner: dict[str, tuple[StageSpeed, ...]]
    stays: pd.DataFrame  # lead_id, owner, stage, entered, left, days


def stays(leads: pd.DataFrame, transitions: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Every stay of the valid leads: lead_id, owner, stage, entered, left, days."""
    first = pd.DataFrame({
        LEAD_ID: leads[LEAD_ID], FROM_STAGE: None, TO_STAGE: rules.stage_names[0],
        DATE: dates(leads, FIRST_CONTACT), "order": 0,
    }).dropna(subset=[DATE])
    moves = transitions[transitions[LEAD_ID].isin(leads[LEAD_ID])]
    moves = pd.DataFrame({
        LEAD_ID: moves[LEAD_ID], FROM_STAGE: moves[FROM_STAGE], TO_STAGE: moves[TO_STAGE],
        DATE: moves[DATE], "order": 1,
    })
    events = pd.concat([first, moves], ignore_index=True)
    events = events.sort_values([LEAD_ID, DATE, "order"], kind="stable").reset_index(drop=True)
    same_lead = events[LEAD_ID].shift(-1) == events[LEAD_ID]
    left = events[DATE].shift(-1)
    leaves = same_lead & (events[FROM_STAGE].shift(-1) == events[TO_STAGE])
    leavable = events[TO_STAGE].isin(rules.stage_names[:-1])
    out = events[leaves & leavable].assign(left=left[leaves & leavable])
    days = (out["left"] - out[DATE]).dt.days
    out = out.assign(days=days)[days >= 0]
    owner = leads.drop_duplicates(LEAD_ID).set_index(LEAD_ID)[OWNER] if OWNER in leads else None
    return pd.DataFrame({
        LEAD_ID: out[LEAD_ID].to_numpy(dtype=object),
        OWNER: out[LEAD_ID].map(owner).to_numpy(dtype=object) if owner is not None else None,
        "stage": out[TO_STAGE].to_numpy(dtype=object),
        "entered": out[DATE].to_numpy(),
        "left": out["left"].to_numpy(),
        "days": out["days"].to_numpy(dtype=float),
    })


def stage_speeds(days_by_stage: dict, rules: Rules) -> tuple[StageSpeed, ...]:
    """The stays (an array of days per stage name) summed up per leavable stage."""
    out = []
    for stage in rules.stages[:-1]:
        days = np.asarray(days_by_stage.get(stage.name, ()), dtype=float)
        has = len(days) > 0
        out.append(StageSpeed(
            stage=stage.name, limit=stage.max_dwell_days, stays=len(days),
            median=float(np.median(days)) if has else None,
            p80=float(np.quantile(days, P80)) if has else None,
            over_limit=int((days > stage.max_dwell_days).sum()),
        ))
    return tuple(out)


def speed(leads: pd.DataFrame, transitions: pd.DataFrame, rules: Rules) -> Speed:
    """The team's and each rep's stage speed."""
    found = stays(leads, transitions, rules)
    team = {stage: group.to_numpy() for stage, group in found.groupby("stage")["days"]}
    per_owner: dict[str, dict] = {}
    for (owner, stage), group in found.groupby([OWNER, "stage"])["days"]:
        per_owner.setdefault(str(owner), {})[stage] = group.to_numpy()
    owners = sorted({str(o) for o in values(leads, OWNER).dropna()})
    return Speed(
        team=stage_speeds(team, rules),
        by_owner={o: stage_speeds(per_owner.get(o, {}), rules) for o in owners},
        stays=found,
    )
