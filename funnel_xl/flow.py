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
from datetime import date

import numpy as np
import pandas as pd

from .compare import Versus, versus_team
from .frames import (
    AMOUNT,
    CLOSE_PAST,
    CYCLE_DAYS,
    DATE,
    DWELL_DAYS,
    FILE,
    FIRST_CONTACT,
    FROM_STAGE,
    LAST_FOLLOW_UP,
    LEAD_ID,
    LOST_AT,
    LOST_CYCLE_DAYS,
    MOVE_SOURCE,
    OVERDUE,
    ROW,
    SNOOZED,
    STAGE,
    STAGE_CHANGE,
    STAGE_ENTERED,
    STAGE_ENTERED_COLUMN,
    STAGE_ENTERED_SOURCE,
    STALE,
    STALLED,
    STATUS,
    TIME,
    TO_STAGE,
    EnteredFrom,
    LostAtFrom,
    MoveSource,
    Status,
    dates,
    numbers,
    values,
)
from .frames import TRANSITION_COLUMNS as _TRANSITION_COLUMNS
from .metrics import Evidence, FunnelMetrics, FunnelResult, Rate, aggregate, by_group, classify
from .month import team_counts, won_in_period
from .period import Period, PeriodKind, month_period, previous_periods
from .rules import Rules

# Where a month of the trend came from.
BASIS_CURRENT, BASIS_STORE, BASIS_LOG = "current", "store", "log"
TREND_MONTHS = 12


TRANSITION_COLUMNS = list(_TRANSITION_COLUMNS)


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
    sources: dict[str, SourceMonth] = field(default_factory=dict)  # cumulative, at the month's end
    # Each channel's own leads of the month: closed in it (win rate), left S1 in it (pass rate).
    # Empty for a month a store kept before it recorded them.
    period_sources: dict[str, SourceMonth] = field(default_factory=dict)

    @property
    def period_win_rate(self) -> float | None:
        """Of the leads won or lost in the month, the share won."""
        closed = self.won + self.lost
        return self.won / closed if closed else None

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
            "period_win_rate": self.period_win_rate,
            "sources": _sources_json(self.sources),
            "period_sources": _sources_json(self.period_sources),
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
            sources=_sources_from_json(data.get("sources", {})),
            period_sources=_sources_from_json(data.get("period_sources", {})),
        )


def _sources_json(sources: dict[str, SourceMonth]) -> dict:
    return {
        name: {
            "win_rate": s.win_rate,
            "closed": s.closed,
            "first_pass_rate": s.first_pass_rate,
            "first_exited": s.first_exited,
        }
        for name, s in sources.items()
    }


def _sources_from_json(data: dict) -> dict[str, SourceMonth]:
    return {
        name: SourceMonth(s["win_rate"], int(s["closed"]), s["first_pass_rate"], int(s["first_exited"]))
        for name, s in data.items()
    }


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
    span: Period | None = None,
) -> StageFlow:
    """The period's flow, the trend and the channel flags of a recalculated period (``span``,
    default the as-of date's month up to it; ``stored`` the figures kept of periods of its kind)."""
    as_of = result.as_of
    span = span or month_period(as_of)
    transitions = empty_transitions() if transitions is None else transitions
    log_moves = empty_transitions() if log_moves is None else log_moves
    period = period_figures(result.leads, transitions, rules, span.start, as_of)
    own = period_sources(result.leads, transitions, rules, span.start, as_of, rules.channel_field)
    current = month_figures(
        span.key, as_of, BASIS_CURRENT, result.team, result.by_source, period, rules, own
    )
    stored = {k: v for k, v in (stored or {}).items() if k != current.month}
    months = trend(
        current, stored, result.leads, transitions, log_moves, rules, as_of, has_log=has_log, span=span,
    )
    first = next(i for i, m in enumerate(months) if m is not None)
    return StageFlow(
        transitions=transitions,
        period=period,
        trend=months[first:],
        # The rules count a low channel in months: weekly and other runs flag none.
        channel_flags=channel_flags(months, rules) if span.kind == PeriodKind.MONTH else [],
        previous_month=previous.month if previous is not None else None,
        log_entries=log_entries,
    )


# ---------------------------------------------------------------------------
# Transitions and the sources of stage-entered dates and lost-at stages
# ---------------------------------------------------------------------------

def log_transitions(entries: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The transitions the follow-up log records (usable entries with a 阶段调整为)."""
    if entries is None or entries.empty or STAGE_CHANGE not in entries:
        return empty_transitions()
    columns = [LEAD_ID, TIME, STAGE_CHANGE, FILE, ROW]
    moves = entries.loc[entries[STAGE_CHANGE].notna(), columns]
    moves = moves.sort_values([LEAD_ID, TIME, FILE, ROW], kind="stable")
    before = moves.groupby(LEAD_ID, sort=False)[STAGE_CHANGE].shift(1)
    before = before.where(before.notna(), rules.stage_names[0]).astype(object)
    out = pd.DataFrame(
        {
            LEAD_ID: moves[LEAD_ID],
            FROM_STAGE: before,
            TO_STAGE: moves[STAGE_CHANGE],
            DATE: moves[TIME],
            MOVE_SOURCE: MoveSource.LOG,
            FILE: moves[FILE],
            ROW: moves[ROW],
        }
    )
    return out[out[TO_STAGE] != out[FROM_STAGE]].reset_index(drop=True)


def empty_transitions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            LEAD_ID: pd.Series(dtype=object),
            FROM_STAGE: pd.Series(dtype=object),
            TO_STAGE: pd.Series(dtype=object),
            DATE: pd.Series(dtype="datetime64[ns]"),
            MOVE_SOURCE: pd.Series(dtype=object),
            FILE: pd.Series(dtype=object),
            ROW: pd.Series(dtype="Int64"),
        }
    )


def resolve(
    leads: pd.DataFrame, moves: pd.DataFrame, previous: PreviousSnapshot | None, rules: Rules,
    as_of: date,
) -> tuple[Evidence, pd.DataFrame]:
    """What the log and the store say of the valid leads (see :class:`funnel_xl.metrics.Evidence`),
    and every transition known to this run: the log's and those seen between two rebuilds."""
    ids, stage = leads[LEAD_ID], leads[STAGE]
    entered_log, log_lost_at = _log_evidence(ids, stage, moves, rules)
    store = _store_evidence(leads, moves, previous, rules, as_of)
    typed = values(leads, LOST_AT)
    is_lost = stage.isin(rules.lost_labels)
    column_lost_at = typed.where(typed.isin(rules.stage_names[:-1]))
    lost_at = pd.Series(None, index=leads.index, dtype=object)
    lost_at_source = pd.Series(None, index=leads.index, dtype=object)
    for found, label in (
        (log_lost_at, LostAtFrom.LOG), (column_lost_at, LostAtFrom.COLUMN),
        (store.lost_at, LostAtFrom.STORE),
    ):
        fill = is_lost & lost_at.isna() & found.notna()
        lost_at[fill] = found[fill]
        lost_at_source[fill] = label
    evidence = Evidence(
        stage_entered_log=entered_log,
        stage_entered_store=store.entered,
        stage_entered_store_source=store.entered_source,
        column_stale=store.column_stale,
        previous_stage=store.previous_stage,
        lost_at=lost_at.where(is_lost, typed),
        lost_at_source=lost_at_source,
    )
    frames = [t for t in (moves, store.transitions) if len(t)]
    if not frames:
        return evidence, empty_transitions()
    all_moves = pd.concat(frames, ignore_index=True)
    all_moves = all_moves.sort_values([LEAD_ID, DATE], kind="stable").reset_index(drop=True)
    return evidence, all_moves[TRANSITION_COLUMNS]


def _log_evidence(
    ids: pd.Series, stage: pd.Series, moves: pd.DataFrame, rules: Rules
) -> tuple[pd.Series, pd.Series]:
    """The latest log move into each lead's current stage, and the stage a lost lead was in just
    before the log marked it lost."""
    if not len(moves):
        return (
            pd.Series(pd.NaT, index=ids.index, dtype="datetime64[ns]"),
            pd.Series(None, index=ids.index, dtype=object),
        )
    into = moves.groupby([LEAD_ID, TO_STAGE], sort=False)[DATE].max()
    key = pd.MultiIndex.from_arrays([ids.to_numpy(dtype=object), stage.to_numpy(dtype=object)])
    entered = pd.Series(pd.to_datetime(into.reindex(key).to_numpy()), index=ids.index)
    marked = moves[
        moves[TO_STAGE].isin(rules.lost_labels) & moves[FROM_STAGE].isin(rules.stage_names[:-1])
    ]
    return entered, ids.map(marked.groupby(LEAD_ID, sort=False)[FROM_STAGE].last())


@dataclass(frozen=True)
class _StoreEvidence:
    entered: pd.Series
    entered_source: pd.Series
    column_stale: pd.Series
    previous_stage: pd.Series
    lost_at: pd.Series
    transitions: pd.DataFrame  # the stage changes seen between the two rebuilds


def _store_evidence(
    leads: pd.DataFrame, moves: pd.DataFrame, previous: PreviousSnapshot | None, rules: Rules,
    as_of: date,
) -> _StoreEvidence:
    """What the previous rebuild's snapshot says: the stage-entered date it used (or, the stage
    changed since and no log entry covers it, an estimate between the two rebuilds), whether
    阶段进入日期 still holds a date that rebuild used, and the stage a lead was in before it was lost."""
    index = leads.index
    none = pd.Series(None, index=index, dtype=object)
    if previous is None or not len(previous.leads):
        return _StoreEvidence(
            pd.Series(pd.NaT, index=index, dtype="datetime64[ns]"), none,
            pd.Series(False, index=index), none, none, empty_transitions(),
        )
    ids, stage = leads[LEAD_ID], leads[STAGE]
    before = previous.leads.drop_duplicates(LEAD_ID).set_index(LEAD_ID)
    was = ids.map(before[STAGE])
    was_entered = pd.to_datetime(ids.map(before[STAGE_ENTERED]))
    was_column = pd.to_datetime(ids.map(before[STAGE_ENTERED_COLUMN]))
    was_source = ids.map(before[STAGE_ENTERED_SOURCE])
    same, changed = was.notna() & (was == stage), was.notna() & (was != stage)
    start, end = pd.Timestamp(previous.as_of), pd.Timestamp(as_of)
    between = moves[(moves[DATE] > start) & (moves[DATE] <= end)] if len(moves) else moves
    covered = ids.isin(between[LEAD_ID]) if len(moves) else pd.Series(False, index=index)
    column = dates(leads, STAGE_ENTERED_COLUMN)
    # 阶段进入日期 not updated when the stage changed: it still holds the date the previous
    # rebuild used for the old stage; or, the stage unchanged since, still the very value that
    # rebuild did not trust.
    stale = column.notna() & (
        (changed & (column == was_entered))
        | (same & (column == was_column) & was_source.isin([EnteredFrom.STORE, EnteredFrom.BETWEEN_RUNS]))
    )
    fresh = changed & column.notna() & ~stale
    follow_up = dates(leads, LAST_FOLLOW_UP)
    estimate = follow_up.where((follow_up > start) & (follow_up <= end), end)
    entered = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    source = none.copy()
    carried, moved = same & was_entered.notna(), changed & ~covered
    entered[carried], source[carried] = was_entered[carried], EnteredFrom.STORE
    entered[moved], source[moved] = estimate[moved], EnteredFrom.BETWEEN_RUNS
    lost_at = was.where(stage.isin(rules.lost_labels) & changed & was.isin(rules.stage_names[:-1]))
    keep = stage.isin(rules.lost_labels) & same & ids.map(before[LOST_AT]).notna()
    lost_at[keep] = ids.map(before[LOST_AT])[keep]
    transitions = empty_transitions()
    if moved.any():
        transitions = pd.DataFrame({
            LEAD_ID: ids[moved],
            FROM_STAGE: was[moved].astype(object),
            TO_STAGE: stage[moved].astype(object),
            DATE: estimate.where(~fresh, column)[moved],
            MOVE_SOURCE: np.where(fresh[moved], MoveSource.COLUMN, MoveSource.ESTIMATED),
            FILE: leads[FILE][moved] if FILE in leads else None,
            ROW: leads[ROW][moved] if ROW in leads else None,
        })
    return _StoreEvidence(entered, source, stale, was.astype(object), lost_at, transitions)


# ---------------------------------------------------------------------------
# The month's flow
# ---------------------------------------------------------------------------

def period_figures(
    leads: pd.DataFrame, transitions: pd.DataFrame, rules: Rules, start: date, end: date
) -> PeriodFigures:
    """The flow of [start, end] from derived leads (see :func:`funnel_xl.metrics.derive_lead_fields`)
    and transitions; new, won and lost counted by :func:`funnel_xl.month.team_counts`."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    counts = team_counts(leads, transitions, start, end)
    won = won_in_period(leads, start, end)
    cycle = pd.to_numeric(leads["cycle_days"], errors="coerce")[won].dropna().astype(float)

    moves = transitions[(transitions["date"] >= lo) & (transitions["date"] <= hi)]
    return PeriodFigures(
        start=start,
        end=end,
        new_leads=counts.new_leads,
        won=counts.won,
        lost=counts.lost,
        won_amount=counts.won_amount,
        cycle_mean=float(cycle.mean()) if len(cycle) else None,
        cycle_median=float(cycle.median()) if len(cycle) else None,
        exits=_exits(moves, rules),
        moves=_move_counts(moves, rules),
        transitions_by_source={
            k: int(v) for k, v in moves["source"].value_counts().sort_index().items()
        },
    )


def period_sources(
    leads: pd.DataFrame, transitions: pd.DataFrame, rules: Rules, start: date, end: date, channel: str,
) -> dict[str, SourceMonth]:
    """Per channel (the leads' ``channel`` column, blank as ""), its own leads of [start, end]: the
    win rate of those won or lost in the period, the 潜在接触→需求挖掘 pass rate of those that left
    潜在接触 in it (as :func:`period_figures` counts them for the team)."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    keys = leads[channel].fillna("").astype(str) if channel in leads else pd.Series("", index=leads.index)
    keys = keys.to_numpy(dtype=object)
    names = sorted(set(keys))
    code = pd.Index(names).get_indexer(keys)
    entered = dates(leads, STAGE_ENTERED)
    won = won_in_period(leads, start, end)
    closed = won | ((leads[STATUS] == Status.LOST) & (entered >= lo) & (entered <= hi))
    won, closed = (mask.fillna(False).to_numpy(dtype=bool) for mask in (won, closed))
    n_won = np.bincount(code[won], minlength=len(names))
    n_closed = np.bincount(code[closed], minlength=len(names))
    moves = transitions[(transitions[DATE] >= lo) & (transitions[DATE] <= hi)]
    lead, k, kind = _last_exits(moves, rules)
    # A move of a lead not among ``leads`` has no channel: it counts for none. A lead ID listed
    # twice has the channel of its last row.
    ids = leads[LEAD_ID].to_numpy(dtype=object)
    last = ~pd.Index(ids).duplicated(keep="last")
    at = pd.Index(ids[last]).get_indexer(lead)
    known = (at >= 0) & (k == 0)
    first = np.zeros((len(names), 3), dtype=int)
    np.add.at(first, (code[last][at[known]], kind[known]), 1)
    out = {}
    for i, name in enumerate(names):
        left = int(first[i].sum())
        out[name] = SourceMonth(
            win_rate=int(n_won[i]) / int(n_closed[i]) if n_closed[i] else None, closed=int(n_closed[i]),
            first_pass_rate=int(first[i, 0]) / left if left else None, first_exited=left,
        )
    return out


def _exits(moves: pd.DataFrame, rules: Rules) -> tuple[StageExit, ...]:
    n = len(rules.stages)
    _, k, kind = _last_exits(moves, rules)
    counts = np.zeros((n - 1, 3), dtype=int)
    np.add.at(counts, (k, kind), 1)
    return tuple(
        StageExit(
            stage=rules.stage_names[k], left=int(counts[k].sum()), forward=int(counts[k, 0]),
            back=int(counts[k, 1]), lost=int(counts[k, 2]),
        )
        for k in range(n - 1)
    )


def _last_exits(moves: pd.DataFrame, rules: Rules) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each lead's last exit of each stage (but the last) among ``moves``, in their order: the
    lead, the stage's index and the exit's kind (0 forward, 1 back, 2 lost, as
    :func:`funnel_xl.compare.move_directions` tells them)."""
    n = len(rules.stages)
    index_of = {name: i for i, name in enumerate(rules.stage_names)}
    frm = moves[FROM_STAGE].map(index_of).to_numpy(dtype=float)
    to = moves[TO_STAGE].map(index_of).fillna(-1).to_numpy(dtype=float)
    leaving = ~np.isnan(frm) & (frm < n - 1)
    to_lost = moves[TO_STAGE].isin(rules.lost_labels).to_numpy(dtype=bool)[leaving]
    frm, to = frm[leaving], to[leaving]
    lead = moves[LEAD_ID].to_numpy(dtype=object)[leaving]
    # Leaving a stage of the rules, a move is never a revival (lost labels are not stages).
    kind = np.where(to_lost, 2, np.where(to > frm, 0, 1))
    # A forward jump from Si to Sj leaves every stage strictly between them forward as well.
    jump = np.where((kind == 0) & (to > frm + 1), to - frm - 1, 0).astype(int)
    skip_pos = np.repeat(np.arange(len(frm)), jump)
    skip_nth = np.arange(len(skip_pos)) - np.repeat(np.cumsum(jump) - jump, jump)
    lead_code, leads = pd.factorize(np.concatenate([lead, lead[skip_pos]]), use_na_sentinel=False)
    k = np.concatenate([frm, frm[skip_pos] + 1 + skip_nth]).astype(int)
    order = np.concatenate([np.arange(len(frm)), skip_pos])
    kind = np.concatenate([kind, np.zeros(len(skip_pos), dtype=int)])
    by = np.lexsort((order, k, lead_code))
    lead_code, k, kind = lead_code[by], k[by], kind[by]
    last = np.ones(len(k), dtype=bool)
    last[:-1] = (lead_code[1:] != lead_code[:-1]) | (k[1:] != k[:-1])
    return np.asarray(leads, dtype=object)[lead_code[last]], k[last], kind[last]


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
    period: PeriodFigures, rules: Rules, own: dict[str, SourceMonth] | None = None,
) -> MonthFigures:
    """One trend month from a month's snapshot figures and flow (``own``: each channel's own leads
    of the month, see :func:`period_sources`)."""
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
        period_sources=dict(own or {}),
    )


def trend(
    current: MonthFigures, stored: dict[str, MonthFigures], leads: pd.DataFrame,
    transitions: pd.DataFrame, log_moves: pd.DataFrame, rules: Rules, as_of: date,
    *, has_log: bool, count: int = TREND_MONTHS, span: Period | None = None,
) -> list[MonthFigures | None]:
    """The last ``count`` periods of ``span``'s kind (default: months), oldest first: this run for
    the current one, the stored figures of each that was rebuilt, and, for one without a snapshot,
    its figures rebuilt from the follow-up log (when the workbook has one, from the period of its
    first entry on); None where there is nothing to go on.

    ``leads`` are this run's derived leads (stage-entered dates and lost-at stages resolved).
    """
    first_logged = log_moves["date"].min() if len(log_moves) else pd.NaT
    known = None
    out: list[MonthFigures | None] = []
    for each in previous_periods(span or month_period(as_of), count):
        label, start, end = each.key, each.start, each.end
        if label == current.month:
            out.append(current)
        elif label in stored:
            out.append(stored[label])
        elif has_log and pd.notna(first_logged) and pd.Timestamp(end) >= first_logged:
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
            "from_stage": values(leads, LOST_AT).where(leads[STATUS] == Status.LOST),
            "to_stage": leads["stage"],
            "date": dates(leads, STAGE_ENTERED),
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
    first_contact = dates(leads, FIRST_CONTACT)
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
            "amount": numbers(alive, AMOUNT),
            # The channel dimension (线索来源 unless the rules' [dimensions] channel names another).
            "source": values(alive, rules.channel_field),
        },
        index=alive.index,
    ).reset_index(drop=True)
    derived = _month_end_fields(frame, rules)
    team = aggregate(derived, rules)
    by_source = by_group(derived, rules, "source")
    period = period_figures(derived, transitions, rules, start, end)
    own = period_sources(derived, transitions, rules, start, end, "source")
    return month_figures(label, end, BASIS_LOG, team, by_source, period, rules, own)


def _month_end_fields(frame: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """What :func:`aggregate` and :func:`period_figures` read, for a rebuilt month: the status and
    stage indexes, the cycle of the won; no dwell and no alerts."""
    out = classify(frame, rules)
    won = out[STATUS] == Status.WON
    cycle = (out[STAGE_ENTERED] - out[FIRST_CONTACT]).dt.days.astype("Float64")
    out[CYCLE_DAYS] = cycle.where(won & (cycle >= 0))
    out[LOST_CYCLE_DAYS] = pd.Series(np.nan, index=out.index, dtype="Float64")
    out[DWELL_DAYS] = pd.Series(np.nan, index=out.index, dtype="Float64")
    for flag in (SNOOZED, STALLED, OVERDUE, STALE, CLOSE_PAST):
        out[flag] = False
    return out


def channel_flags(months: list[MonthFigures | None], rules: Rules) -> list[ChannelFlag]:
    """Channels whose win rate or 潜在接触→需求挖掘 pass rate stayed below the rules' threshold in each
    of the last ``thresholds.low_channel_months`` months (the current one included), each month
    counted on its own leads: the win rate of the channel's leads won or lost in the month, the pass
    rate of those that left S1 in it (:attr:`MonthFigures.period_sources`), against the team's
    rates of the month.

    A month counts as low only when it has figures, the channel has at least ``min_sample`` leads
    closed (win rate) or leaving S1 (pass rate) in it, the rate is below the threshold, and the
    difference from the team is meaningful: the upper bound of the rate's 95% Wilson interval is
    below the team's rate that month. A month without figures, with a small sample or only noise
    breaks the run, so every month a flag names holds data of the channel.
    """
    t = rules.thresholds
    window = months[-t.low_channel_months:]
    if len(window) < t.low_channel_months or any(m is None for m in window):
        return []
    current = window[-1]
    first = f"{rules.stage_names[0]}→{rules.stage_names[1]}"
    flags = []
    for source in sorted(current.period_sources):
        limits = (
            ("win_rate", t.low_channel_win_rate),
            ("first_pass_rate", t.low_channel_first_pass_rate),
        )
        for metric, limit in limits:
            values = []
            for month in window:
                figures = month.period_sources.get(source)
                if figures is None:
                    break
                rate, sample = (
                    (figures.win_rate, figures.closed) if metric == "win_rate"
                    else (figures.first_pass_rate, figures.first_exited)
                )
                team = month.period_win_rate if metric == "win_rate" else month.period_pass_rates.get(first)
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
