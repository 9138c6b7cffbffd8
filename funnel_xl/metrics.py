"""The funnel's figures. Pure: a typed leads frame and the rules in, dataclasses out; no file I/O.

Definitions (the contract, also in the README). Stages S1…Sn come from the rules; Sn is won.
A lead is active (S1…Sn-1), won (Sn) or lost (a lost label).

- stage entered, first source that has it: the follow-up log (the latest entry that moved the lead
  into its current stage); the 阶段进入日期 column (unless the stage changed since the previous
  rebuild and the column still holds the date that rebuild used); the history store (the date the
  previous rebuild used when the stage is unchanged, else an estimate between the two rebuilds);
  for a lead in S1, its first contact; when the rep typed a dwell value, last follow-up − that value
  (an estimate); else unknown. The log and store dates are resolved by :mod:`funnel_xl.flow`.
- dwell days = as-of − stage entered, whole calendar days, active leads only.
- reached(k) = active or won leads with stage index ≥ k + lost leads with lost-at index ≥ k.
- exited(k) = reached(k) − active leads now in Sk.
- pass rate k→k+1 = reached(k+1) / exited(k); loss rate k = lost with lost-at Sk / exited(k);
  both undefined (None) when exited(k) = 0.
- win rate = won / (won + lost); overall conversion = won / valid leads.
- deal cycle of a won lead = the date it entered Sn − first contact; of a lost lead, the date it
  was marked lost (its stage-entered date, when known) − first contact.
- win rate by amount = Σ amount of the won / Σ amount of the won and the lost.
- pipeline = Σ amount of the active leads; weighted pipeline = Σ amount × the win probability of
  the lead's stage, active leads only (one definition: a stage's amount and weighted amount are
  its share of these, the won stage has none).
- unknown is not zero: open leads without a stage-entered date (dwell_unknown) may or may not be
  stalled, won leads without one (won_undated) have no cycle and no month; both are counted.
- stalled = active with dwell days > the stage's max_dwell_days, unless snoozed (暂缓至 after the
  as-of date); stale likewise. With ``thresholds.dwell_in_working_days`` dwell days count working
  days of the Chinese calendar (see :mod:`funnel_xl.workdays`).
- every rate of k of n carries its 95% Wilson interval; rates of fewer than ``min_sample`` leads
  are a small sample, and the weakest transition is the lowest pass rate of all transitions, named
  only when at least min_sample leads left its stage, its rate is below 100% and it stays the
  lowest wherever the lost leads without a lost-at stage were lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd

from .frames import (
    AMOUNT,
    CLOSE_PAST,
    CUSTOMER,
    CYCLE_DAYS,
    DAYS_SINCE_FOLLOW_UP,
    DWELL_AT_FOLLOW_UP,
    DWELL_DAYS,
    DWELL_DAYS_TYPED,
    EXPECTED_CLOSE,
    FIRST_CONTACT,
    LAST_FOLLOW_UP,
    LEAD_ID,
    LOST_AT,
    LOST_AT_IDX,
    LOST_AT_SOURCE,
    LOST_CYCLE_DAYS,
    NEXT_FOLLOW_UP,
    OVER_LIMIT,
    OVERDUE,
    OWNER,
    SNOOZE_UNTIL,
    SNOOZED,
    STAGE,
    STAGE_ENTERED,
    STAGE_ENTERED_COLUMN,
    STAGE_ENTERED_SOURCE,
    STAGE_IDX,
    STALE,
    STALLED,
    STATUS,
    EnteredFrom,
    Status,
    dates,
    numbers,
    values,
)
from .rules import Rules
from .text import percent_text
from .workdays import WorkingDays


class AlertKind(StrEnum):
    """Why a lead is on the alert list (the alerts frame's ``kind``; each is a derived flag)."""

    STALLED = STALLED  # over its stage's max_dwell_days
    OVERDUE = OVERDUE  # 下次跟进时间 passed
    STALE = STALE  # no follow-up for stale_follow_up_days
    CLOSE_PAST = CLOSE_PAST  # 预计成交日期 passed


# Stage-entered dates that come from a dated record, not an estimate.
DATED_SOURCES = (EnteredFrom.COLUMN, EnteredFrom.LOG)
# The 97.5% quantile of the standard normal: a two-sided 95% interval.
WILSON_Z = 1.959964


@dataclass(frozen=True)
class Rate:
    """k of n, with the 95% Wilson score interval; ``value`` and the bounds are None when n = 0."""

    k: int
    n: int

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.k, self.n)

    @property
    def low(self) -> float | None:
        bounds = self.interval
        return None if bounds is None else bounds[0]

    @property
    def high(self) -> float | None:
        bounds = self.interval
        return None if bounds is None else bounds[1]

    def small(self, min_sample: int) -> bool:
        """A rate from fewer than ``min_sample`` leads (but at least one)."""
        return 0 < self.n < min_sample


def wilson_interval(k: int, n: int, z: float = WILSON_Z) -> tuple[float, float] | None:
    """The Wilson score interval of k successes in n trials (None for n = 0).

    centre = (p + z²/2n) / (1 + z²/n); half width = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²).
    Unlike p ± z·√(p(1−p)/n) it stays inside [0, 1] and is honest for 0 of n and n of n.
    """
    if n <= 0:
        return None
    p = k / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


@dataclass(frozen=True)
class Totals:
    total: int
    valid: int
    active: int
    won: int
    lost: int
    excluded: int
    lost_unknown_stage: int = 0


@dataclass(frozen=True)
class StageRow:
    stage: str
    current: int
    reached: int
    exited: int
    pass_rate: float | None
    loss_rate: float | None
    lost_here: int
    avg_dwell_days: float | None
    stalled: int
    amount: float  # of the open leads in the stage (none in the won stage): the pipeline's share
    weighted_amount: float  # amount × the stage's win probability: the weighted pipeline's share
    longest_dwell_days: float | None = None  # the longest current stay of an open lead in the stage


@dataclass(frozen=True)
class Transition:
    from_stage: str
    to_stage: str
    rate: float | None
    passed: int
    exited: int

    @property
    def label(self) -> str:
        return f"{self.from_stage}→{self.to_stage}"

    @property
    def counts(self) -> Rate:
        return Rate(self.passed, self.exited)


@dataclass(frozen=True)
class FunnelMetrics:
    totals: Totals
    stages: tuple[StageRow, ...]
    win_rate: float | None
    overall_conversion: float | None
    cycle_mean: float | None
    cycle_median: float | None
    cycle_count: int
    pipeline: float
    weighted_pipeline: float
    won_amount: float
    stalled: int
    overdue: int
    stale: int
    close_past: int
    lost_amount: float = 0.0
    lost_cycle_mean: float | None = None
    lost_cycle_median: float | None = None
    lost_cycle_count: int = 0
    snoozed: int = 0
    min_sample: int = 1  # the rules' thresholds.min_sample the figures were made with
    # Figures that rest on dates nobody knows: unknown is not zero.
    dwell_unknown: int = 0  # open leads without a stage-entered date: no dwell, stalled or not unknown
    dwell_estimated: int = 0  # open leads whose dwell is an estimate (last follow-up − typed dwell)
    won_undated: int = 0  # won leads without the date they were won: no cycle, month unknown

    @property
    def transitions(self) -> tuple[Transition, ...]:
        return tuple(
            Transition(a.stage, b.stage, a.pass_rate, b.reached, a.exited)
            for a, b in zip(self.stages, self.stages[1:], strict=False)
        )

    @property
    def worst_transition(self) -> Transition | None:
        """The lowest pass rate of all transitions, when it has at least ``min_sample`` leads that
        left the stage, is below 100% and stays the lowest wherever the lost leads without a
        lost-at stage were lost; else None (no transition can be called weak).

        A rate of 0 of 2 is no evidence of a weak link, and neither is it evidence of a strong
        one: when a transition with fewer leads shows a lower rate, the large one cannot be called
        the weakest (it may be the best). A transition every lead passed is no weak link either."""
        lowest = self._lowest_transition()
        if lowest is None or lowest.exited < self.min_sample or lowest.rate >= 1:
            return None
        return lowest if self._stays_lowest(lowest) else None

    @property
    def worst_hidden_by_unplaced_losses(self) -> bool:
        """Whether the lost leads without a lost-at stage are why no transition is named the
        weakest: one has enough leads to judge, but where those leads were lost is unknown."""
        lowest = self._lowest_transition()
        return (
            bool(self.totals.lost_unknown_stage) and self.worst_transition is None
            and lowest is not None and lowest.exited >= self.min_sample
        )

    def _lowest_transition(self) -> Transition | None:
        defined = [t for t in self.transitions if t.rate is not None]
        return min(defined, key=lambda t: (t.rate, -t.exited)) if defined else None

    def _stays_lowest(self, lowest: Transition) -> bool:
        """Whether ``lowest`` stays the lowest wherever the u lost leads without a lost-at stage
        were lost. Counted at stage j, a loss adds an exit to every transition up to j and a pass
        to those before j: a transition after ``lowest`` falls most below it with all u lost there
        (k / (n + u) against (k' + u) / (n' + u)); one before it with x lost there and the rest
        after ``lowest`` (which lifts both)."""
        u = self.totals.lost_unknown_stage
        at = self.transitions.index(lowest)
        for i, t in enumerate(self.transitions):
            if t.rate is None:  # nobody left the stage; nor any stage after it
                continue
            if i > at and t.passed / (t.exited + u) < (lowest.passed + u) / (lowest.exited + u):
                return False
            if i < at and any(
                (t.passed + u - x) / (t.exited + u) < (lowest.passed + u - x) / (lowest.exited + u - x)
                for x in range(u + 1)
            ):
                return False
        return True

    @property
    def win(self) -> Rate:
        return Rate(self.totals.won, self.totals.won + self.totals.lost)

    @property
    def win_rate_amount(self) -> float | None:
        """Σ amount won ÷ Σ amount won and lost (leads without an amount count 0)."""
        return _ratio(self.won_amount, self.won_amount + self.lost_amount)

    def pass_counts(self, k: int) -> Rate:
        """Pass rate of Sk→Sk+1 as k of n: reached(k+1) of exited(k)."""
        return Rate(self.stages[k + 1].reached, self.stages[k].exited)

    def loss_counts(self, k: int) -> Rate:
        """Loss rate of Sk as k of n: lost at Sk of exited(k)."""
        return Rate(self.stages[k].lost_here, self.stages[k].exited)


@dataclass(frozen=True)
class FiredSuggestion:
    metric: str
    text: str
    value: float
    stage: str | None = None
    source: str | None = None


@dataclass
class FunnelResult:
    """Everything one recalculation produced. ``leads`` holds the valid leads with derived columns."""

    as_of: date
    leads: pd.DataFrame
    team: FunnelMetrics
    by_owner: dict[str, FunnelMetrics]
    by_source: dict[str, FunnelMetrics]  # by the channel dimension (rules' [dimensions] channel)
    alerts: pd.DataFrame
    suggestions: list[FiredSuggestion] = field(default_factory=list)
    # Years whose official holidays the calendar does not know (counted with weekends only), when
    # dwell is counted in working days.
    calendar_years_missing: tuple[int, ...] = ()
    # The rules' further dimensions ([dimensions] extra): field → value → figures.
    by_dimension: dict[str, dict[str, FunnelMetrics]] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    """What the follow-up log and the history store say of each valid lead, beside its sheet
    (built by :func:`funnel_xl.flow.resolve`). Every series is aligned with the leads' index."""

    stage_entered_log: pd.Series  # the latest log move into the current stage (NaT: none)
    stage_entered_store: pd.Series  # the previous rebuild's date, or an estimate between rebuilds
    stage_entered_store_source: pd.Series  # EnteredFrom.STORE or .BETWEEN_RUNS, where dated
    column_stale: pd.Series  # 阶段进入日期 still holds a date the previous rebuild used
    previous_stage: pd.Series  # the stage at the previous rebuild (None: not seen then)
    lost_at: pd.Series  # the resolved lost-at stage of a lost lead; the typed value of the others
    lost_at_source: pd.Series  # LostAtFrom, None where no source has it


def classify(leads: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Add status, stage_idx (active/won) and lost_at_idx (lost) to a typed leads frame."""
    out = leads.copy()
    index_of = {name: i for i, name in enumerate(rules.stage_names)}
    n = len(rules.stages)
    stage_idx = out[STAGE].map(index_of)
    is_lost = out[STAGE].isin(rules.lost_labels)
    out[STATUS] = np.where(is_lost, Status.LOST, np.where(stage_idx == n - 1, Status.WON, Status.ACTIVE))
    out[STAGE_IDX] = stage_idx.astype("Float64")
    lost_at_idx = values(out, LOST_AT).map(index_of).where(is_lost)
    # A lead cannot be lost in the won stage; validation warns, here it is simply unknown.
    out[LOST_AT_IDX] = lost_at_idx.where(lost_at_idx < n - 1).astype("Float64")
    return out


def working_days_for(leads: pd.DataFrame, rules: Rules, as_of: date) -> WorkingDays | None:
    """The working-day table a recalculation needs, when the rules count dwell in working days."""
    if not rules.thresholds.dwell_in_working_days:
        return None
    typed = numbers(leads, DWELL_DAYS_TYPED)
    back = float(typed.max()) if typed.notna().any() else 0.0
    return WorkingDays.covering(
        [
            dates(leads, STAGE_ENTERED_COLUMN), dates(leads, FIRST_CONTACT),
            dates(leads, LAST_FOLLOW_UP), pd.Timestamp(as_of),
        ],
        back_days=back,
    )


def dwell_between(
    start: pd.Series, end: pd.Series | pd.Timestamp, working: WorkingDays | None
) -> pd.Series:
    """Days in (start, end]: calendar days, or working days with a working-day table."""
    if working is not None:
        return working.between(start, end)
    return (end - start).dt.days.astype("Float64")


def derive_lead_fields(
    leads: pd.DataFrame, rules: Rules, as_of: date, working: WorkingDays | None = None,
    evidence: Evidence | None = None,
) -> pd.DataFrame:
    """Per-lead recalculation: stage entered (and its source), dwell days and alert flags.

    ``working`` is the working-day table when the rules count dwell in working days (see
    :func:`working_days_for`); a rep's typed dwell is then read as working days too. ``evidence``
    is what the follow-up log and the history store say (None: the sheet alone).
    """
    if evidence is not None:
        leads = leads.copy()
        leads[LOST_AT] = evidence.lost_at
        leads[LOST_AT_SOURCE] = evidence.lost_at_source
    out = classify(leads, rules)
    out[STAGE_ENTERED], out[STAGE_ENTERED_SOURCE] = _stage_entered(out, evidence, working)
    _add_dwell_and_alerts(out, rules, pd.Timestamp(as_of), working)
    won = out[STATUS] == Status.WON
    cycle = (out[STAGE_ENTERED] - dates(out, FIRST_CONTACT)).dt.days.astype("Float64")
    out[CYCLE_DAYS] = cycle.where(won & (cycle >= 0))
    # A lost lead's stage-entered date is the day it was marked lost, when known.
    out[LOST_CYCLE_DAYS] = cycle.where((out[STATUS] == Status.LOST) & (cycle >= 0))
    return out


def _stage_entered(
    out: pd.DataFrame, evidence: Evidence | None, working: WorkingDays | None
) -> tuple[pd.Series, pd.Series]:
    """Each lead's stage-entered date and where it came from, first source that has it."""
    column = dates(out, STAGE_ENTERED_COLUMN)
    none = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    logged, stored, stored_source = none, none, pd.Series(EnteredFrom.STORE, index=out.index)
    if evidence is not None:
        column = column.where(~evidence.column_stale.fillna(False).astype(bool))
        logged = pd.to_datetime(evidence.stage_entered_log)
        stored = pd.to_datetime(evidence.stage_entered_store)
        stored_source = evidence.stage_entered_store_source
    first_contact = dates(out, FIRST_CONTACT)
    last_follow_up = dates(out, LAST_FOLLOW_UP)
    typed_dwell = numbers(out, DWELL_DAYS_TYPED)
    if working is not None:
        estimate = working.back(last_follow_up, typed_dwell)
    else:
        estimate = last_follow_up - pd.to_timedelta(typed_dwell.round(), unit="D")
    in_first = (out[STAGE_IDX] == 0).fillna(False).astype(bool)

    entered = logged.copy()
    source = pd.Series(EnteredFrom.UNKNOWN, index=out.index, dtype=object)
    source[logged.notna()] = EnteredFrom.LOG
    for found, label, usable in (
        (column, EnteredFrom.COLUMN, True),
        (stored, stored_source, True),
        (first_contact, EnteredFrom.FIRST_CONTACT, in_first),
        (estimate, EnteredFrom.ESTIMATED, True),
    ):
        use = entered.isna() & usable & found.notna()
        entered[use] = found[use]
        source[use] = label[use] if isinstance(label, pd.Series) else label
    return entered, source


def _add_dwell_and_alerts(
    out: pd.DataFrame, rules: Rules, as_of: pd.Timestamp, working: WorkingDays | None
) -> None:
    """Dwell days, the snooze and the alert flags of derived leads (stage entered known)."""
    active = out[STATUS] == Status.ACTIVE
    entered, last_follow_up = out[STAGE_ENTERED], dates(out, LAST_FOLLOW_UP)
    dwell = dwell_between(entered, as_of, working)
    # A stage entered after the as-of date has no dwell yet (validation warns about the date).
    dwell_ok = _flag(active & (dwell >= 0))
    out[DWELL_DAYS] = dwell.where(dwell_ok)
    # The dwell on the day of the last follow-up, when the rep last touched the row (for drift).
    at_follow_up = dwell_between(entered, last_follow_up, working)
    out[DWELL_AT_FOLLOW_UP] = at_follow_up.where(dwell_ok & (at_follow_up >= 0))

    # A snoozed lead (暂缓至 after the as-of date) is parked for a known reason: not stalled, not stale.
    out[SNOOZED] = _flag(active & (dates(out, SNOOZE_UNTIL) > as_of))
    awake = ~out[SNOOZED]
    over = _flag(active & (out[DWELL_DAYS] > _stage_limits(rules, out[STAGE_IDX])))
    out[OVER_LIMIT] = over
    out[STALLED] = over & awake
    out[OVERDUE] = _flag(active & (dates(out, NEXT_FOLLOW_UP) < as_of))
    since_follow_up = (as_of - last_follow_up).dt.days
    out[DAYS_SINCE_FOLLOW_UP] = since_follow_up.astype("Float64")
    out[STALE] = _flag(active & (since_follow_up > rules.thresholds.stale_follow_up_days)) & awake
    out[CLOSE_PAST] = _flag(active & (dates(out, EXPECTED_CLOSE) < as_of))


def _flag(condition: pd.Series) -> pd.Series:
    """A yes/no column: unknown (NA) is no."""
    return condition.fillna(False).astype(bool)


def aggregate(leads: pd.DataFrame, rules: Rules, *, excluded: int = 0) -> FunnelMetrics:
    """The funnel figures of a set of derived leads (see :func:`derive_lead_fields`)."""
    codes = np.zeros(len(leads), dtype=np.intp)
    return _aggregate_groups(leads, rules, codes, [excluded])[0]


def _aggregate_groups(
    leads: pd.DataFrame, rules: Rules, codes: np.ndarray, excluded: list[int]
) -> list[FunnelMetrics]:
    """The figures of every group at once: ``codes`` numbers each lead's group 0…len(excluded)-1.

    One pass of counting by (group, stage) instead of one pass over all leads per group, so the
    cost grows with the number of leads, not leads × groups.
    """
    counts = _GroupCounts.of(leads, rules, codes, len(excluded))
    return [counts.metrics(g, excluded[g], rules) for g in range(len(excluded))]


@dataclass(frozen=True)
class _GroupCounts:
    """Per (group, stage) and per group counts and sums of derived leads."""

    stages: dict[str, np.ndarray]  # name → (groups × stages)
    totals: dict[str, np.ndarray]  # name → (groups,)
    cycles: dict[str, pd.Series]  # "won"/"lost" × mean/median/count → by group code

    @classmethod
    def of(cls, leads: pd.DataFrame, rules: Rules, codes: np.ndarray, groups: int) -> _GroupCounts:
        n = len(rules.stages)
        status = leads[STATUS].to_numpy(dtype=object)
        active, won, lost = status == Status.ACTIVE, status == Status.WON, status == Status.LOST
        # A month rebuilt from the log has no sources (and no dwell): nothing there is unknown.
        source = leads.get(STAGE_ENTERED_SOURCE, pd.Series(None, index=leads.index)).to_numpy(dtype=object)
        stage = leads[STAGE_IDX].to_numpy(dtype=float, na_value=np.nan)
        lost_at = leads[LOST_AT_IDX].to_numpy(dtype=float, na_value=np.nan)
        in_funnel = (active | won) & ~np.isnan(stage)
        stage_k = np.where(np.isnan(stage), 0, stage).astype(np.intp)
        lost_k = np.where(np.isnan(lost_at), 0, lost_at).astype(np.intp)
        amount = numbers(leads, AMOUNT).fillna(0.0).to_numpy()
        dwell = leads[DWELL_DAYS].to_numpy(dtype=float, na_value=np.nan)
        probability = np.array([s.win_probability for s in rules.stages])[stage_k] * ~np.isnan(stage)

        def by_stage(mask: np.ndarray, k: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
            return _tally(codes[mask] * n + k[mask], weights, mask, groups * n).reshape(groups, n)

        def by_group(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
            return _tally(codes[mask], weights, mask, groups)

        has_dwell = in_funnel & active & ~np.isnan(dwell)
        stages = {
            "in_stage": by_stage(in_funnel, stage_k),
            "active_in": by_stage(in_funnel & active, stage_k),
            "lost_here": by_stage(lost & ~np.isnan(lost_at), lost_k),
            "amount": by_stage(in_funnel & active, stage_k, amount),
            "dwell_sum": by_stage(has_dwell, stage_k, np.nan_to_num(dwell)),
            "dwell_count": by_stage(has_dwell, stage_k),
            "stalled": by_stage(in_funnel & leads[STALLED].to_numpy(dtype=bool), stage_k),
            "dwell_max": _maximum(
                codes[has_dwell] * n + stage_k[has_dwell], dwell[has_dwell], groups * n
            ).reshape(groups, n),
        }
        through = stages["in_stage"] + stages["lost_here"]
        stages["reached"] = np.cumsum(through[:, ::-1], axis=1)[:, ::-1]
        stages["exited"] = stages["reached"] - stages["active_in"]
        totals = {
            "valid": by_group(np.ones(len(leads), dtype=bool)),
            "active": by_group(active),
            "won": by_group(won),
            "lost": by_group(lost),
            "lost_unknown": by_group(lost & np.isnan(lost_at)),
            "pipeline": by_group(active, amount),
            "weighted": by_group(active, amount * probability),
            "won_amount": by_group(won, amount),
            "lost_amount": by_group(lost, amount),
            "snoozed": by_group(leads[SNOOZED].to_numpy(dtype=bool)),
            "dwell_unknown": by_group(active & (source == EnteredFrom.UNKNOWN)),
            "dwell_estimated": by_group(active & (source == EnteredFrom.ESTIMATED)),
            "won_undated": by_group(won & (source == EnteredFrom.UNKNOWN)),
        }
        for flag in (STALLED, OVERDUE, STALE, CLOSE_PAST):
            totals[flag] = by_group(leads[flag].to_numpy(dtype=bool))
        return cls(stages, totals, _cycles(leads, codes))

    def metrics(self, g: int, excluded: int, rules: Rules) -> FunnelMetrics:
        totals, cycles = self.totals, self.cycles
        n_won, n_lost, n_valid = int(totals["won"][g]), int(totals["lost"][g]), int(totals["valid"][g])

        def cycle(kind: str, figure: str) -> float | None:
            by_code = cycles[f"{kind}_{figure}"]
            return float(by_code[g]) if g in by_code.index else None

        return FunnelMetrics(
            totals=Totals(
                total=n_valid + excluded, valid=n_valid, active=int(totals["active"][g]),
                won=n_won, lost=n_lost, excluded=excluded,
                lost_unknown_stage=int(totals["lost_unknown"][g]),
            ),
            stages=self.stage_rows(g, rules),
            win_rate=_ratio(n_won, n_won + n_lost),
            overall_conversion=_ratio(n_won, n_valid),
            cycle_mean=cycle("won", "mean"),
            cycle_median=cycle("won", "median"),
            cycle_count=int(cycle("won", "count") or 0),
            pipeline=float(totals["pipeline"][g]),
            weighted_pipeline=float(totals["weighted"][g]),
            won_amount=float(totals["won_amount"][g]),
            stalled=int(totals[STALLED][g]),
            overdue=int(totals[OVERDUE][g]),
            stale=int(totals[STALE][g]),
            close_past=int(totals[CLOSE_PAST][g]),
            lost_amount=float(totals["lost_amount"][g]),
            lost_cycle_mean=cycle("lost", "mean"),
            lost_cycle_median=cycle("lost", "median"),
            lost_cycle_count=int(cycle("lost", "count") or 0),
            snoozed=int(totals["snoozed"][g]),
            min_sample=rules.thresholds.min_sample,
            dwell_unknown=int(totals["dwell_unknown"][g]),
            dwell_estimated=int(totals["dwell_estimated"][g]),
            won_undated=int(totals["won_undated"][g]),
        )

    def stage_rows(self, g: int, rules: Rules) -> tuple[StageRow, ...]:
        s = {name: counts[g] for name, counts in self.stages.items()}
        rows = []
        for k, spec in enumerate(rules.stages):
            last = k == len(rules.stages) - 1
            exited = s["exited"][k]
            rows.append(
                StageRow(
                    stage=spec.name,
                    current=int(s["in_stage"][k]),
                    reached=int(s["reached"][k]),
                    exited=int(exited),
                    pass_rate=None if last else _ratio(s["reached"][k + 1], exited),
                    loss_rate=None if last else _ratio(s["lost_here"][k], exited),
                    lost_here=int(s["lost_here"][k]),
                    avg_dwell_days=_ratio(s["dwell_sum"][k], s["dwell_count"][k]),
                    stalled=int(s["stalled"][k]),
                    amount=float(s["amount"][k]),
                    weighted_amount=float(s["amount"][k]) * spec.win_probability,
                    longest_dwell_days=None if np.isnan(s["dwell_max"][k]) else float(s["dwell_max"][k]),
                )
            )
        return tuple(rows)


def _cycles(leads: pd.DataFrame, codes: np.ndarray) -> dict[str, pd.Series]:
    """Mean, median and count of the won and of the lost leads' cycles, by group code."""
    out = {}
    for kind, column in (("won", CYCLE_DAYS), ("lost", LOST_CYCLE_DAYS)):
        cycle = pd.Series(leads[column].to_numpy(dtype=float, na_value=np.nan))
        known = cycle.notna().to_numpy()
        by_code = cycle[known].groupby(codes[known])
        out[f"{kind}_mean"], out[f"{kind}_median"] = by_code.mean(), by_code.median()
        out[f"{kind}_count"] = by_code.size()
    return out


def pass_rate_text(leads: pd.DataFrame, team: FunnelMetrics) -> pd.Series:
    """The last familiar column: the team's pass rate into the lead's current stage, e.g. 80%(方案提案→商务谈判);
    from fewer leads than the rules' min_sample the text carries its sample: 100%(方案提案→商务谈判 1/1)."""
    labels = {}
    for k, t in enumerate(team.transitions, start=1):
        if t.rate is not None:
            sample = f" {t.passed}/{t.exited}" if t.exited < team.min_sample else ""
            labels[k] = f"{percent_text(t.rate)}({t.label}{sample})"
    eligible = leads[STATUS].isin([Status.ACTIVE, Status.WON])
    text = leads[STAGE_IDX].map(labels)
    return text.where(eligible, None).astype(object).where(lambda s: s.notna(), None)


def alerts(leads: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """One row per alert: stalled, overdue next follow-up, stale, expected close already past."""
    base = list(dict.fromkeys([LEAD_ID, CUSTOMER, OWNER, rules.channel_field, STAGE]))
    frames = []
    dated = {AlertKind.OVERDUE: NEXT_FOLLOW_UP, AlertKind.CLOSE_PAST: EXPECTED_CLOSE}
    for kind in AlertKind:
        hit = leads[leads[kind]]
        if hit.empty:
            continue
        frame = hit[[c for c in base if c in hit]].copy()
        frame.insert(0, "kind", kind)
        frame[DWELL_DAYS] = hit[DWELL_DAYS]
        frame["limit_days"] = _stage_limits(rules, hit[STAGE_IDX])
        frame[DAYS_SINCE_FOLLOW_UP] = hit[DAYS_SINCE_FOLLOW_UP]
        frame["date"] = hit[dated[kind]] if kind in dated else pd.NaT
        frames.append(frame)
    columns = ["kind", *base, DWELL_DAYS, "limit_days", DAYS_SINCE_FOLLOW_UP, "date"]
    if not frames:
        return pd.DataFrame(columns=columns)
    # A column the sheet lacks (an optional 客户名称/联系人) is there, blank.
    return pd.concat(frames, ignore_index=True).reindex(columns=columns)


def fire_suggestions(
    rules: Rules, team: FunnelMetrics, by_source: dict[str, FunnelMetrics]
) -> list[FiredSuggestion]:
    """The rules' suggestions whose condition holds, with the figure that fired them."""
    fired = []
    min_sample = rules.thresholds.min_sample
    rows = {row.stage: row for row in team.stages}
    for s in rules.suggestions:
        candidates: list[tuple[float | None, str | None]] = []
        # A stage rate from fewer than min_sample leads that left the stage is no evidence.
        if s.metric == "pass_rate" and rows[s.stage].exited >= min_sample:
            candidates = [(rows[s.stage].pass_rate, None)]
        elif s.metric == "loss_rate" and rows[s.stage].exited >= min_sample:
            candidates = [(rows[s.stage].loss_rate, None)]
        elif s.metric == "win_rate" and team.totals.won + team.totals.lost >= min_sample:
            candidates = [(team.win_rate, None)]
        elif s.metric == "stalled_share":
            candidates = [(_ratio(team.stalled, team.totals.active), None)]
        elif s.metric == "source_win_rate":
            candidates = [
                (m.win_rate, name) for name, m in by_source.items()
                if m.totals.won + m.totals.lost >= min_sample
            ]
        elif s.metric == "source_first_pass_rate":
            candidates = [
                (m.stages[0].pass_rate, name) for name, m in by_source.items()
                if m.stages[0].exited >= min_sample
            ]
        for value, source in candidates:
            if value is None:
                continue
            if (s.below is not None and value < s.below) or (s.above is not None and value > s.above):
                text = s.text.format(value=percent_text(value), source=source or "")
                fired.append(FiredSuggestion(s.metric, text, value, s.stage, source))
    return fired


def recalculate(
    leads: pd.DataFrame, rules: Rules, as_of: date, *, evidence: Evidence | None = None,
    excluded: int = 0,
    excluded_by_owner: dict[str, int] | None = None,
    excluded_by_source: dict[str, int] | None = None,
    excluded_by_dimension: dict[str, dict[str, int]] | None = None,
) -> FunnelResult:
    """Recalculate everything for the valid leads of one as-of date.

    ``by_source`` groups by the channel dimension (``rules.channel_field``, 线索来源 by default);
    ``by_dimension`` by each of the rules' further dimensions. A lead without a value is in the
    group "" (shown as 未填写). ``evidence``: see :func:`derive_lead_fields`."""
    working = working_days_for(leads, rules, as_of)
    derived = derive_lead_fields(leads, rules, as_of, working, evidence)
    team = aggregate(derived, rules, excluded=excluded)
    derived["pass_rate_text_calc"] = pass_rate_text(derived, team)
    by_owner = by_group(derived, rules, "owner", excluded_by_owner or {})
    by_source = by_group(derived, rules, rules.channel_field, excluded_by_source or {})
    by_dimension = {
        name: by_group(derived, rules, name, (excluded_by_dimension or {}).get(name, {}))
        for name in rules.dimensions.extra
    }
    return FunnelResult(
        as_of=as_of,
        leads=derived,
        team=team,
        by_owner=by_owner,
        by_source=by_source,
        alerts=alerts(derived, rules),
        suggestions=fire_suggestions(rules, team, by_source),
        calendar_years_missing=working.unsupported_years if working is not None else (),
        by_dimension=by_dimension,
    )


def _tally(cells: np.ndarray, weights: np.ndarray | None, mask: np.ndarray, size: int) -> np.ndarray:
    """Count (or, with weights, sum) per cell 0…size-1; sums are compensated, as pandas sums are."""
    if weights is None:
        return np.bincount(cells, minlength=size)
    sums = pd.Series(weights[mask]).groupby(cells).sum()
    out = np.zeros(size)
    out[sums.index.to_numpy()] = sums.to_numpy()
    return out


def _maximum(cells: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """The largest value per cell 0…size-1; NaN where a cell has none."""
    out = np.full(size, np.nan)
    if len(cells):
        np.fmax.at(out, cells, values)
    return out


def by_group(
    leads: pd.DataFrame, rules: Rules, column: str, excluded: dict[str, int] | None = None
) -> dict[str, FunnelMetrics]:
    """The figures per value of ``column`` (owner, channel or a dimension) of derived leads, by name."""
    excluded = excluded or {}
    if column not in leads:  # the sheet lacks the (optional) column: every lead in one blank group
        keys = pd.Series("", index=leads.index, dtype=object)
    else:
        keys = leads[column].fillna("").astype(str)
    names = sorted(keys.unique())  # a set of the column itself would read it item by item
    codes = pd.Categorical(keys, categories=names).codes.astype(np.intp)
    metrics = _aggregate_groups(leads, rules, codes, [excluded.get(name, 0) for name in names])
    return dict(zip(names, metrics, strict=True))


def _ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


def _stage_limits(rules: Rules, stage_idx: pd.Series) -> pd.Series:
    """Each lead's stage's max_dwell_days; NaN where the stage is unknown."""
    limits = np.array([float(s.max_dwell_days) for s in rules.stages] + [np.nan])
    index = stage_idx.to_numpy(dtype=float, na_value=np.nan)
    position = np.where(np.isnan(index), len(rules.stages), index).astype(np.intp)
    return pd.Series(limits[position], index=stage_idx.index)
