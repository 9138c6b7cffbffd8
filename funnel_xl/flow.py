"""Stage history: each lead's transitions, the month's flow and the twelve-month trend. Pure: frames
and the rules in, frames and dataclasses out; no file I/O (the history store is read by the caller).

Definitions (the contract, also in the README):

- A lead starts in S1 (潜在接触) at its first contact. Each entry of the follow-up log whose
  阶段调整为 names a stage or a lost label different from the lead's stage at that moment is a
  **transition** from that stage to the named one, dated by the entry's 跟进时间 (entries of one
  lead in date order, ties in sheet order). Naming the stage the lead is already in changes nothing.
- A stage change seen between the previous rebuild's snapshot and this one, on a lead the log does
  not move in between, is also a transition: dated by the new 阶段进入日期 when the rep updated it
  (source ``column``), else by 最近跟进时间 when it lies between the two rebuilds, else by this
  rebuild's as-of date (source ``estimated``).
- A lead moved backwards (e.g. 商务谈判 → 方案提案) is an ordinary transition: its stage-entered date
  becomes the date it came back, and in the month's flow it left 商务谈判 without going forward.
  The snapshot funnel (reached, exited, pass rates of 漏斗分析) still counts it where it is now.
- Lost-at of a lost lead, first source that has it: the stage it was in just before the log entry
  that marked it lost; the 流失阶段 column; the store (its stage at the previous rebuild, or the
  lost-at that rebuild used).
- The month's flow (period [first day of the as-of month, as-of]): new leads (first contact in the
  period); won and lost in the period (the date a won or lost lead entered its stage); the moves
  out of each stage and where they went; the **period pass rate** of k→k+1 = of the leads that left
  Sk in the period, the share that went forward (a lead counts once per stage, by its last exit; a
  forward jump over stages leaves each skipped stage forward too); the cycle of the deals won.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .compare import Versus, versus_team
from .messages import catalogue
from .metrics import (
    ENTERED_BETWEEN_RUNS,
    ENTERED_STORE,
    LOST,
    WON,
    FiredSuggestion,
    FunnelMetrics,
    FunnelResult,
    Rate,
    aggregate,
    by_group,
    classify,
)
from .rules import Rules

# Where a transition's date came from.
SOURCE_LOG, SOURCE_COLUMN, SOURCE_ESTIMATED = "log", "column", "estimated"
# Where a lost lead's lost-at stage came from.
LOST_AT_LOG, LOST_AT_COLUMN, LOST_AT_STORE = "log", "column", "store"
# Where a month of the trend came from.
BASIS_CURRENT, BASIS_STORE, BASIS_LOG = "current", "store", "log"
TREND_MONTHS = 12
TRANSITION_COLUMNS = ["lead_id", "from_stage", "to_stage", "date", "source", "_file", "_row"]


@dataclass(frozen=True)
class PreviousSnapshot:
    """What the latest earlier rebuild saw, as read from the history store."""

    month: str
    as_of: date
    # lead_id, stage, stage_entered (datetime64) and its stage_entered_source, lost_at, and the
    # 阶段进入日期 the sheet showed (stage_entered_column)
    leads: pd.DataFrame


@dataclass(frozen=True)
class StageExit:
    """The month's exits from one stage: leads that left it, and where they went."""

    stage: str
    left: int
    forward: int
    back: int
    lost: int

    @property
    def pass_rate(self) -> float | None:
        return self.forward / self.left if self.left else None


@dataclass(frozen=True)
class PeriodFigures:
    start: date
    end: date
    new_leads: int
    won: int
    lost: int
    won_amount: float
    cycle_mean: float | None
    cycle_median: float | None
    exits: tuple[StageExit, ...]  # S1 … Sn-1
    moves: tuple[tuple[str, str, int], ...]  # (from, to, count), in stage order
    transitions_by_source: dict[str, int]

    def pass_rates(self, rules: Rules) -> dict[str, float | None]:
        """Period pass rate by transition label, e.g. {"潜在接触→需求挖掘": 0.5, …}."""
        names = rules.stage_names
        return {f"{e.stage}→{names[k + 1]}": e.pass_rate for k, e in enumerate(self.exits)}


@dataclass(frozen=True)
class SourceMonth:
    """A channel's figures in one month, enough to tell whether its conversion stays low."""

    win_rate: float | None
    closed: int
    first_pass_rate: float | None
    first_exited: int


@dataclass(frozen=True)
class MonthFigures:
    """One month of the trend: the snapshot figures at its end and the flow during it."""

    month: str  # "2024-05"
    as_of: date
    basis: str  # current, store (what that month's rebuild computed) or log (rebuilt from the log)
    leads: int
    active: int
    win_rate: float | None
    pass_rates: dict[str, float | None]
    cycle_mean: float | None
    pipeline: float
    weighted_pipeline: float
    new_leads: int
    won: int
    lost: int
    period_pass_rates: dict[str, float | None]
    period_cycle_mean: float | None
    sources: dict[str, SourceMonth] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "month": self.month,
            "as_of": self.as_of.isoformat(),
            "basis": self.basis,
            "leads": self.leads,
            "active": self.active,
            "win_rate": self.win_rate,
            "pass_rates": dict(self.pass_rates),
            "cycle_mean": self.cycle_mean,
            "pipeline": self.pipeline,
            "weighted_pipeline": self.weighted_pipeline,
            "new_leads": self.new_leads,
            "won": self.won,
            "lost": self.lost,
            "period_pass_rates": dict(self.period_pass_rates),
            "period_cycle_mean": self.period_cycle_mean,
            "sources": {
                name: {
                    "win_rate": s.win_rate,
                    "closed": s.closed,
                    "first_pass_rate": s.first_pass_rate,
                    "first_exited": s.first_exited,
                }
                for name, s in self.sources.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict, basis: str = BASIS_STORE) -> MonthFigures:
        return cls(
            month=data["month"],
            as_of=date.fromisoformat(data["as_of"]),
            basis=basis,
            leads=int(data["leads"]),
            active=int(data["active"]),
            win_rate=data["win_rate"],
            pass_rates=dict(data["pass_rates"]),
            cycle_mean=data["cycle_mean"],
            pipeline=float(data["pipeline"]),
            weighted_pipeline=float(data["weighted_pipeline"]),
            new_leads=int(data["new_leads"]),
            won=int(data["won"]),
            lost=int(data["lost"]),
            period_pass_rates=dict(data["period_pass_rates"]),
            period_cycle_mean=data["period_cycle_mean"],
            sources={
                name: SourceMonth(
                    s["win_rate"], int(s["closed"]), s["first_pass_rate"], int(s["first_exited"])
                )
                for name, s in data.get("sources", {}).items()
            },
        )


@dataclass(frozen=True)
class ChannelFlag:
    """A channel whose win rate or first-transition pass rate stayed below the rules' threshold."""

    source: str
    metric: str  # win_rate | first_pass_rate
    limit: float
    months: tuple[str, ...]
    values: tuple[float, ...]


@dataclass
class StageFlow:
    """Everything the stage history adds to a month's analysis."""

    transitions: pd.DataFrame  # TRANSITION_COLUMNS, every transition known to this run
    period: PeriodFigures
    # Oldest first, the current month last; months before the first with data left out.
    trend: list[MonthFigures | None]
    channel_flags: list[ChannelFlag]
    previous_month: str | None = None  # the snapshot this run compared with
    log_entries: int = 0  # usable follow-up log entries


def build_flow(
    result: FunnelResult, rules: Rules, *, transitions: pd.DataFrame | None = None,
    log_moves: pd.DataFrame | None = None, previous: PreviousSnapshot | None = None,
    stored: dict[str, MonthFigures] | None = None, has_log: bool = False, log_entries: int = 0,
) -> StageFlow:
    """The month's flow, the trend and the channel flags of a recalculated month."""
    as_of = result.as_of
    transitions = empty_transitions() if transitions is None else transitions
    log_moves = empty_transitions() if log_moves is None else log_moves
    period = period_figures(result.leads, transitions, rules, month_start(as_of), as_of)
    current = month_figures(
        month_label(as_of), as_of, BASIS_CURRENT, result.team, result.by_source, period, rules
    )
    stored = {k: v for k, v in (stored or {}).items() if k != current.month}
    months = trend(
        current, stored, result.leads, transitions, log_moves, rules, as_of, has_log=has_log
    )
    first = next(i for i, m in enumerate(months) if m is not None)
    return StageFlow(
        transitions=transitions,
        period=period,
        trend=months[first:],
        channel_flags=channel_flags(months, rules),
        previous_month=previous.month if previous is not None else None,
        log_entries=log_entries,
    )


def flag_suggestions(flags: list[ChannelFlag], rules: Rules) -> list[FiredSuggestion]:
    """One 优化建议 line per flagged channel (process step 5: conversion low month after month)."""
    first = f"{rules.stage_names[0]}→{rules.stage_names[1]}"
    t = catalogue(rules.lang)
    out = []
    for f in flags:
        key = f"suggestion.low_channel.{f.metric}"
        text = t(
            "suggestion.low_channel", source=f.source, what=t(key, transition=first),
            months=len(f.months), limit=_percent(f.limit), first=f.months[0], last=f.months[-1],
            values=t.join(_percent(v) for v in f.values), advice=t(f"{key}.advice"),
        )
        out.append(FiredSuggestion(f"source_low_{f.metric}", text, f.values[-1], None, f.source))
    return out


def _percent(rate: float) -> str:
    return f"{rate * 100:.0f}%"


# ---------------------------------------------------------------------------
# Transitions and the sources of stage-entered dates and lost-at stages
# ---------------------------------------------------------------------------

def log_transitions(entries: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The transitions the follow-up log records (usable entries with a 阶段调整为)."""
    if entries is None or entries.empty or "stage_change" not in entries:
        return empty_transitions()
    columns = ["lead_id", "time", "stage_change", "_file", "_row"]
    moves = entries.loc[entries["stage_change"].notna(), columns]
    moves = moves.sort_values(["lead_id", "time", "_file", "_row"], kind="stable")
    before = moves.groupby("lead_id", sort=False)["stage_change"].shift(1)
    before = before.where(before.notna(), rules.stage_names[0]).astype(object)
    out = pd.DataFrame(
        {
            "lead_id": moves["lead_id"],
            "from_stage": before,
            "to_stage": moves["stage_change"],
            "date": moves["time"],
            "source": SOURCE_LOG,
            "_file": moves["_file"],
            "_row": moves["_row"],
        }
    )
    return out[out["to_stage"] != out["from_stage"]].reset_index(drop=True)


def empty_transitions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": pd.Series(dtype=object),
            "from_stage": pd.Series(dtype=object),
            "to_stage": pd.Series(dtype=object),
            "date": pd.Series(dtype="datetime64[ns]"),
            "source": pd.Series(dtype=object),
            "_file": pd.Series(dtype=object),
            "_row": pd.Series(dtype="Int64"),
        }
    )


def resolve(
    leads: pd.DataFrame, moves: pd.DataFrame, previous: PreviousSnapshot | None, rules: Rules,
    as_of: date,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the log's and the store's evidence to the valid leads; return them and all transitions.

    Columns added (read by :func:`funnel_xl.metrics.derive_lead_fields`): ``stage_entered_log``,
    ``stage_entered_store`` and its ``stage_entered_store_source``, ``stage_entered_column_stale``
    (the stage changed since the previous rebuild but 阶段进入日期 still holds that rebuild's date);
    ``lost_at`` becomes the resolved lost-at stage, ``lost_at_source`` says where it came from, and
    ``lost_at_column`` keeps what the rep typed.
    """
    out = leads.copy()
    ids, stage = out["lead_id"], out["stage"]
    is_lost = stage.isin(rules.lost_labels)
    stages_before_won = set(rules.stage_names[:-1])

    # The log: the latest move into the lead's current stage; the stage before the lost entry.
    if len(moves):
        into = moves.groupby(["lead_id", "to_stage"], sort=False)["date"].max()
        key = pd.MultiIndex.from_arrays([ids.to_numpy(dtype=object), stage.to_numpy(dtype=object)])
        out["stage_entered_log"] = pd.to_datetime(into.reindex(key).to_numpy())
        marked = moves[
            moves["to_stage"].isin(rules.lost_labels) & moves["from_stage"].isin(stages_before_won)
        ]
        log_lost_at = ids.map(marked.groupby("lead_id", sort=False)["from_stage"].last())
    else:
        out["stage_entered_log"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
        log_lost_at = pd.Series(None, index=out.index, dtype=object)

    transitions = [moves]
    store_lost_at = pd.Series(None, index=out.index, dtype=object)
    out["stage_entered_store"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    out["stage_entered_store_source"] = pd.Series(None, index=out.index, dtype=object)
    out["stage_entered_column_stale"] = False
    out["previous_stage"] = pd.Series(None, index=out.index, dtype=object)
    if previous is not None and len(previous.leads):
        before = previous.leads.drop_duplicates("lead_id").set_index("lead_id")
        was = ids.map(before["stage"])
        was_entered = pd.to_datetime(ids.map(before["stage_entered"]))
        was_column = pd.to_datetime(ids.map(_column_or_none(before, "stage_entered_column")))
        was_source = ids.map(_column_or_none(before, "stage_entered_source"))
        was_lost_at = ids.map(before["lost_at"])
        out["previous_stage"] = was.astype(object)
        seen = was.notna()
        same = seen & (was == stage)
        changed = seen & (was != stage)
        start, end = pd.Timestamp(previous.as_of), pd.Timestamp(as_of)
        if len(moves):
            between = moves[(moves["date"] > start) & (moves["date"] <= end)]
            covered = ids.isin(between["lead_id"])
        else:
            covered = pd.Series(False, index=out.index)
        column = _dates(out, "stage_entered_column")
        # 阶段进入日期 not updated when the stage changed: it still holds the date the previous
        # rebuild used for the old stage; or, the stage unchanged since, still the very value that
        # rebuild did not trust.
        stale = column.notna() & (
            (changed & (column == was_entered))
            | (
                same & (column == was_column)
                & was_source.isin([ENTERED_STORE, ENTERED_BETWEEN_RUNS])
            )
        )
        out["stage_entered_column_stale"] = stale
        fresh = changed & column.notna() & ~stale
        follow_up = _dates(out, "last_follow_up")
        estimate = follow_up.where((follow_up > start) & (follow_up <= end), end)

        carried = same & was_entered.notna()
        out.loc[carried, "stage_entered_store"] = was_entered[carried]
        out.loc[carried, "stage_entered_store_source"] = ENTERED_STORE
        moved = changed & ~covered
        out.loc[moved, "stage_entered_store"] = estimate[moved]
        out.loc[moved, "stage_entered_store_source"] = ENTERED_BETWEEN_RUNS

        store_lost_at = was.where(is_lost & changed & was.isin(stages_before_won))
        keep = is_lost & same & was_lost_at.notna()
        store_lost_at[keep] = was_lost_at[keep]

        if moved.any():
            dated = pd.Series(estimate.where(~fresh, column))
            transitions.append(
                pd.DataFrame(
                    {
                        "lead_id": ids[moved],
                        "from_stage": was[moved].astype(object),
                        "to_stage": stage[moved].astype(object),
                        "date": dated[moved],
                        "source": np.where(fresh[moved], SOURCE_COLUMN, SOURCE_ESTIMATED),
                        "_file": out["_file"][moved] if "_file" in out else None,
                        "_row": out["_row"][moved] if "_row" in out else None,
                    }
                )
            )

    typed = out["lost_at"] if "lost_at" in out else pd.Series(None, index=out.index, dtype=object)
    out["lost_at_column"] = typed
    column_lost_at = typed.where(typed.isin(stages_before_won))
    lost_at = pd.Series(None, index=out.index, dtype=object)
    lost_at_source = pd.Series(None, index=out.index, dtype=object)
    for values, label in (
        (log_lost_at, LOST_AT_LOG), (column_lost_at, LOST_AT_COLUMN), (store_lost_at, LOST_AT_STORE)
    ):
        fill = is_lost & lost_at.isna() & values.notna()
        lost_at[fill] = values[fill]
        lost_at_source[fill] = label
    out["lost_at"] = lost_at.where(is_lost, typed)
    out["lost_at_source"] = lost_at_source
    frames = [t for t in transitions if len(t)]
    if not frames:
        return out, empty_transitions()
    all_moves = pd.concat(frames, ignore_index=True)
    all_moves = all_moves.sort_values(["lead_id", "date"], kind="stable").reset_index(drop=True)
    return out, all_moves[TRANSITION_COLUMNS]


# ---------------------------------------------------------------------------
# The month's flow
# ---------------------------------------------------------------------------

def month_start(day: date) -> date:
    return day.replace(day=1)


def period_figures(
    leads: pd.DataFrame, transitions: pd.DataFrame, rules: Rules, start: date, end: date
) -> PeriodFigures:
    """The flow of [start, end] from derived leads (see :func:`funnel_xl.metrics.derive_lead_fields`)
    and transitions."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    first_contact = _dates(leads, "first_contact")
    entered = _dates(leads, "stage_entered")
    in_period = (entered >= lo) & (entered <= hi)
    won = (leads["status"] == WON) & in_period
    lost = (leads["status"] == LOST) & in_period
    cycle = pd.to_numeric(leads["cycle_days"], errors="coerce")[won].dropna().astype(float)
    amount = (
        pd.to_numeric(leads["amount"], errors="coerce") if "amount" in leads
        else pd.Series(0.0, index=leads.index)
    )

    moves = transitions[(transitions["date"] >= lo) & (transitions["date"] <= hi)]
    return PeriodFigures(
        start=start,
        end=end,
        new_leads=int(((first_contact >= lo) & (first_contact <= hi)).sum()),
        won=int(won.sum()),
        lost=int(lost.sum()),
        won_amount=float(amount[won].fillna(0.0).sum()),
        cycle_mean=float(cycle.mean()) if len(cycle) else None,
        cycle_median=float(cycle.median()) if len(cycle) else None,
        exits=_exits(moves, rules),
        moves=_move_counts(moves, rules),
        transitions_by_source={
            k: int(v) for k, v in moves["source"].value_counts().sort_index().items()
        },
    )


def _exits(moves: pd.DataFrame, rules: Rules) -> tuple[StageExit, ...]:
    n = len(rules.stages)
    index_of = {name: i for i, name in enumerate(rules.stage_names)}
    frm = moves["from_stage"].map(index_of).to_numpy(dtype=float)
    to = moves["to_stage"].map(index_of).to_numpy(dtype=float)
    lost = moves["to_stage"].isin(rules.lost_labels).to_numpy()
    leaving = ~np.isnan(frm) & (frm < n - 1)
    frm, to, lost = frm[leaving], to[leaving], lost[leaving]
    lead = moves["lead_id"].to_numpy(dtype=object)[leaving]
    order = np.arange(len(frm))
    kind = np.where(lost, 2, np.where(to > frm, 0, 1))  # 0 forward, 1 back, 2 lost
    # A forward jump from Si to Sj leaves every stage strictly between them forward as well.
    jump = np.where((kind == 0) & (to > frm + 1), to - frm - 1, 0).astype(int)
    skip_pos = np.repeat(np.arange(len(frm)), jump)
    skip_nth = np.arange(len(skip_pos)) - np.repeat(np.cumsum(jump) - jump, jump)
    skip_k = frm[skip_pos] + 1 + skip_nth
    exits = pd.DataFrame(
        {
            "lead": np.concatenate([lead, lead[skip_pos]]),
            "k": np.concatenate([frm, skip_k]).astype(int),
            "order": np.concatenate([order, order[skip_pos]]),
            "kind": np.concatenate([kind, np.zeros(len(skip_pos), dtype=int)]),
        }
    )
    last = exits.sort_values(["lead", "k", "order"], kind="stable")
    last = last.drop_duplicates(["lead", "k"], keep="last")
    counts = np.zeros((n - 1, 3), dtype=int)
    np.add.at(counts, (last["k"].to_numpy(), last["kind"].to_numpy()), 1)
    return tuple(
        StageExit(
            stage=rules.stage_names[k], left=int(counts[k].sum()), forward=int(counts[k, 0]),
            back=int(counts[k, 1]), lost=int(counts[k, 2]),
        )
        for k in range(n - 1)
    )


def _move_counts(moves: pd.DataFrame, rules: Rules) -> tuple[tuple[str, str, int], ...]:
    if moves.empty:
        return ()
    rank = {name: i for i, name in enumerate((*rules.stage_names, *rules.lost_labels))}
    counts = moves.groupby(["from_stage", "to_stage"], sort=False).size()
    items = [(str(a), str(b), int(c)) for (a, b), c in counts.items()]
    other = len(rank)
    return tuple(sorted(items, key=lambda m: (rank.get(m[0], other), rank.get(m[1], other), m)))


# ---------------------------------------------------------------------------
# The trend: twelve months side by side
# ---------------------------------------------------------------------------

def month_figures(
    month: str, as_of: date, basis: str, team: FunnelMetrics, by_source: dict[str, FunnelMetrics],
    period: PeriodFigures, rules: Rules,
) -> MonthFigures:
    """One trend month from a month's snapshot figures and flow."""
    return MonthFigures(
        month=month,
        as_of=as_of,
        basis=basis,
        leads=team.totals.valid,
        active=team.totals.active,
        win_rate=team.win_rate,
        pass_rates={t.label: t.rate for t in team.transitions},
        cycle_mean=team.cycle_mean,
        pipeline=team.pipeline,
        weighted_pipeline=team.weighted_pipeline,
        new_leads=period.new_leads,
        won=period.won,
        lost=period.lost,
        period_pass_rates=period.pass_rates(rules),
        period_cycle_mean=period.cycle_mean,
        sources={
            name: SourceMonth(
                win_rate=m.win_rate,
                closed=m.totals.won + m.totals.lost,
                first_pass_rate=m.stages[0].pass_rate,
                first_exited=m.stages[0].exited,
            )
            for name, m in by_source.items()
        },
    )


def month_label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def trend_months(as_of: date, count: int = TREND_MONTHS) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of the ``count`` months up to as-of's month, oldest first; the
    current month ends on the as-of date."""
    months = []
    end = as_of
    for _ in range(count):
        start = month_start(end)
        months.append((month_label(start), start, end))
        end = start - timedelta(days=1)
    return months[::-1]


def trend(
    current: MonthFigures, stored: dict[str, MonthFigures], leads: pd.DataFrame,
    transitions: pd.DataFrame, log_moves: pd.DataFrame, rules: Rules, as_of: date,
    *, has_log: bool, count: int = TREND_MONTHS,
) -> list[MonthFigures | None]:
    """The last ``count`` months, oldest first: this run for the current month, the stored figures
    of each month that was rebuilt, and, for a month without a snapshot, its figures rebuilt from
    the follow-up log (when the workbook has one, from the month of its first entry on); None
    where there is nothing to go on.

    ``leads`` are this run's derived leads (stage-entered dates and lost-at stages resolved).
    """
    first_logged = log_moves["date"].min() if len(log_moves) else pd.NaT
    since = pd.Timestamp(month_start(first_logged)) if pd.notna(first_logged) else None
    known = None
    out: list[MonthFigures | None] = []
    for label, start, end in trend_months(as_of, count):
        if label == current.month:
            out.append(current)
        elif label in stored:
            out.append(stored[label])
        elif has_log and since is not None and pd.Timestamp(end) >= since:
            known = evidence(leads, transitions) if known is None else known
            out.append(reconstruct_month(leads, transitions, rules, label, start, end, known))
        else:
            out.append(None)
    return out


def evidence(leads: pd.DataFrame, transitions: pd.DataFrame) -> pd.DataFrame:
    """What is known of each lead's stage over time, by date: its transitions, and its arrival in
    its current stage on this run's stage-entered date (the lead was there from then on)."""
    arrivals = pd.DataFrame(
        {
            "lead_id": leads["lead_id"],
            "from_stage": (
                leads["lost_at"].where(leads["status"] == LOST) if "lost_at" in leads
                else pd.Series(None, index=leads.index, dtype=object)
            ),
            "to_stage": leads["stage"],
            "date": _dates(leads, "stage_entered"),
        }
    ).dropna(subset=["date"])
    known = pd.concat(
        [transitions[["lead_id", "from_stage", "to_stage", "date"]], arrivals], ignore_index=True
    )
    return known.sort_values("date", kind="stable").reset_index(drop=True)


def reconstruct_month(
    leads: pd.DataFrame, transitions: pd.DataFrame, rules: Rules, label: str, start: date,
    end: date, known: pd.DataFrame | None = None,
) -> MonthFigures:
    """A past month's figures rebuilt from the transitions and this run's leads.

    A lead counts from its first contact; its stage at the month's end is the one its latest known
    transition on or before that day moved it to (log, or between rebuilds), or the stage it is in
    now when it entered it by then, else S1. Amounts are those of the sheet today; alerts (stalled,
    overdue …) are not rebuilt. ``known`` is :func:`evidence` (computed once for several months).
    """
    end_ts = pd.Timestamp(end)
    known = evidence(leads, transitions) if known is None else known
    first_contact = _dates(leads, "first_contact")
    alive = leads[first_contact <= end_ts]
    # The latest row, not the latest non-blank value per column (from_stage is often blank).
    latest = known[known["date"] <= end_ts].drop_duplicates("lead_id", keep="last")
    latest = latest.set_index("lead_id")

    ids = alive["lead_id"]
    stage = ids.map(latest["to_stage"])
    entered = pd.to_datetime(ids.map(latest["date"]))
    came_from = ids.map(latest["from_stage"])
    unknown = stage.isna()
    stage = stage.where(~unknown, rules.stage_names[0])
    entered = entered.where(~unknown, first_contact[alive.index])
    lost = stage.isin(rules.lost_labels)
    frame = pd.DataFrame(
        {
            "lead_id": ids,
            "stage": stage.astype(object),
            "first_contact": first_contact[alive.index],
            "stage_entered": entered,
            "lost_at": came_from.where(lost & came_from.isin(rules.stage_names[:-1])),
            "amount": pd.to_numeric(alive.get("amount"), errors="coerce"),
            # The channel dimension (线索来源 unless the rules' [dimensions] channel names another).
            "source": alive.get(rules.channel_field),
        },
        index=alive.index,
    ).reset_index(drop=True)
    derived = _month_end_fields(frame, rules)
    team = aggregate(derived, rules)
    by_source = by_group(derived, rules, "source")
    period = period_figures(derived, transitions, rules, start, end)
    return month_figures(label, end, BASIS_LOG, team, by_source, period, rules)


def _month_end_fields(frame: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """What :func:`aggregate` and :func:`period_figures` read, for a rebuilt month: the status and
    stage indexes, the cycle of the won; no dwell and no alerts."""
    out = classify(frame, rules)
    won = out["status"] == WON
    cycle = (out["stage_entered"] - out["first_contact"]).dt.days.astype("Float64")
    out["cycle_days"] = cycle.where(won & (cycle >= 0))
    out["dwell_days"] = pd.Series(np.nan, index=out.index, dtype="Float64")
    for flag in ("stalled", "overdue", "stale", "close_past"):
        out[flag] = False
    return out


def channel_flags(months: list[MonthFigures | None], rules: Rules) -> list[ChannelFlag]:
    """Channels whose win rate or 潜在接触→需求挖掘 pass rate stayed below the rules' threshold in each
    of the last ``thresholds.low_channel_months`` months (the current one included).

    A month counts as low only when it has figures, the channel has at least ``min_sample`` closed
    leads (win rate) or leads that left S1 (pass rate), the rate is below the threshold, and the
    difference from the team is meaningful: the upper bound of the rate's 95% Wilson interval is
    below the team's rate that month. A month without figures, with a small sample or only noise
    breaks the run.
    """
    t = rules.thresholds
    window = months[-t.low_channel_months:]
    if len(window) < t.low_channel_months or any(m is None for m in window):
        return []
    current = window[-1]
    first = f"{rules.stage_names[0]}→{rules.stage_names[1]}"
    flags = []
    for source in sorted(current.sources):
        limits = (
            ("win_rate", t.low_channel_win_rate),
            ("first_pass_rate", t.low_channel_first_pass_rate),
        )
        for metric, limit in limits:
            values = []
            for month in window:
                figures = month.sources.get(source)
                if figures is None:
                    break
                rate, sample = (
                    (figures.win_rate, figures.closed) if metric == "win_rate"
                    else (figures.first_pass_rate, figures.first_exited)
                )
                team = month.win_rate if metric == "win_rate" else month.pass_rates.get(first)
                if rate is None or sample < t.min_sample or rate >= limit or team is None:
                    break
                # closed and first_exited are the n of the stored rate: k = rate × n.
                if versus_team(Rate(round(rate * sample), sample), team, t.min_sample) is not Versus.BELOW:
                    break
                values.append(rate)
            if len(values) == len(window):
                months = tuple(m.month for m in window)
                flags.append(ChannelFlag(source, metric, limit, months, tuple(values)))
    return flags


def _column_or_none(frame: pd.DataFrame, column: str) -> pd.Series:
    """A snapshot column; all blank for a snapshot an older store version kept without it."""
    if column in frame:
        return frame[column]
    return pd.Series(None, index=frame.index, dtype=object)


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column])
