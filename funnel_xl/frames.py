"""The lead frames, declared once: their column names and a pandera model of each.

Four frames travel through a run (read → validate → recalculate):

- **typed leads** (:class:`TypedLeads`): one row per lead of the leads sheet, values typed; the
  rep-typed copies of what the tool recalculates are renamed (``stage_entered_column``,
  ``dwell_days_typed``, ``pass_rate_text_typed``). A column the sheet lacks is absent.
- **log entries** (:class:`LogEntries`): one row per entry of the follow-up log, typed.
- **transitions** (:class:`Transitions`): one row per stage move, from the log or between rebuilds.
- **derived leads** (:class:`DerivedLeads`): the valid typed leads with what the recalculation adds
  (status, stage entered and its source, dwell days, the alert flags, the cycle …).

The models check names and types, not the rules' vocabularies (stage names come from the rules).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

# Bookkeeping columns: where each row came from.
ROW, FILE, SHEET = "_row", "_file", "_sheet"
ERROR = "_error"  # validated frames: the row is excluded
USED = "_used"  # log entries: the entry counts

# Typed leads: the rules' fields.
LEAD_ID, CUSTOMER, SOURCE, STAGE, OWNER = "lead_id", "customer", "source", "stage", "owner"
FIRST_CONTACT, LAST_FOLLOW_UP = "first_contact", "last_follow_up"
FOLLOW_UP_METHOD, FOLLOW_UP_SUMMARY, NEEDS = "follow_up_method", "follow_up_summary", "needs"
EXPECTED_CLOSE, NEXT_FOLLOW_UP, SNOOZE_UNTIL = "expected_close", "next_follow_up", "snooze_until"
AMOUNT, LOST_AT, LOST_REASON = "amount", "lost_at", "lost_reason"
CONTACT_INFO, SNOOZE_REASON = "contact_info", "snooze_reason"
STAGE_ENTERED_COLUMN = "stage_entered_column"  # 阶段进入日期 as the rep typed it
DWELL_DAYS_TYPED = "dwell_days_typed"  # 停留天数 as the rep typed it
PASS_RATE_TEXT_TYPED = "pass_rate_text_typed"  # 阶段通过率 as the rep typed it

# Derived leads: what the recalculation adds.
STATUS, STAGE_IDX, LOST_AT_IDX = "status", "stage_idx", "lost_at_idx"
STAGE_ENTERED, STAGE_ENTERED_SOURCE = "stage_entered", "stage_entered_source"
LOST_AT_SOURCE = "lost_at_source"
DWELL_DAYS, DWELL_AT_FOLLOW_UP = "dwell_days", "dwell_at_follow_up"
DAYS_SINCE_FOLLOW_UP = "days_since_follow_up"
SNOOZED, OVER_LIMIT = "snoozed", "over_limit"
STALLED, OVERDUE, STALE, CLOSE_PAST = "stalled", "overdue", "stale", "close_past"
CYCLE_DAYS, LOST_CYCLE_DAYS = "cycle_days", "lost_cycle_days"
PASS_RATE_TEXT_CALC = "pass_rate_text_calc"

# Log entries.
TIME, METHOD, NEXT_CONTACT, STAGE_CHANGE = "time", "method", "next_contact", "stage_change"
FEEDBACK, BY = "feedback", "by"  # 客户反馈/异议, 跟进人

# Transitions (``lead_id``, ``_file`` and ``_row`` as above).
FROM_STAGE, TO_STAGE, DATE = "from_stage", "to_stage", "date"
MOVE_SOURCE = "source"  # where the transition's date came from (flow.MoveSource)
TRANSITION_COLUMNS = (LEAD_ID, FROM_STAGE, TO_STAGE, DATE, MOVE_SOURCE, FILE, ROW)



class Status(StrEnum):
    """A lead's status (``status``): in the funnel, won (the last stage) or lost (a lost label)."""

    ACTIVE = "active"
    WON = "won"
    LOST = "lost"


class EnteredFrom(StrEnum):
    """Where a lead's stage-entered date came from (``stage_entered_source``)."""

    LOG = "log"  # the follow-up log's latest move into the stage
    COLUMN = "column"  # 阶段进入日期 as typed
    STORE = "store"  # carried over from the previous rebuild
    BETWEEN_RUNS = "between_runs"  # estimated between the previous rebuild and this one
    FIRST_CONTACT = "first_contact"  # a lead in the first stage: its first contact
    ESTIMATED = "estimated"  # last follow-up − the typed dwell
    UNKNOWN = "unknown"


class LostAtFrom(StrEnum):
    """Where a lost lead's lost-at stage came from (``lost_at_source``)."""

    LOG = "log"
    COLUMN = "column"
    STORE = "store"


class MoveSource(StrEnum):
    """Where a transition's date came from (the transitions' ``source``)."""

    LOG = "log"  # the entry's 跟进时间
    COLUMN = "column"  # the new 阶段进入日期, updated between two rebuilds
    ESTIMATED = "estimated"  # 最近跟进时间 between the rebuilds, else this rebuild's as-of date


# Typed-lead columns a sheet may lack (the rules mark them optional, or a custom rules file does):
# read as blank when absent. Any other name must be in the frame.
OPTIONAL_LEAD_COLUMNS = frozenset({
    CUSTOMER, SOURCE, OWNER, FIRST_CONTACT, LAST_FOLLOW_UP, FOLLOW_UP_METHOD, FOLLOW_UP_SUMMARY,
    NEEDS, EXPECTED_CLOSE, NEXT_FOLLOW_UP, SNOOZE_UNTIL, AMOUNT, LOST_AT, LOST_REASON, CONTACT_INFO,
    SNOOZE_REASON, STAGE_ENTERED_COLUMN, DWELL_DAYS_TYPED, PASS_RATE_TEXT_TYPED,
})


def dates(frame: pd.DataFrame, column: str) -> pd.Series:
    """A date column; all blank when the frame lacks an optional lead column (KeyError for any
    other missing name: a misspelt name must not read as "no dates")."""
    if column not in frame:
        _require_optional(frame, column)
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column], errors="coerce")


def numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """A number column as floats (unreadable → NaN); all NaN when the frame lacks an optional lead
    column (KeyError for any other missing name)."""
    if column not in frame:
        _require_optional(frame, column)
        return pd.Series(float("nan"), index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def values(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column; all blank when the frame lacks an optional lead column (KeyError for any
    other missing name)."""
    if column not in frame:
        _require_optional(frame, column)
        return pd.Series(None, index=frame.index, dtype=object)
    return frame[column]


def _require_optional(frame: pd.DataFrame, column: str) -> None:
    if column not in OPTIONAL_LEAD_COLUMNS:
        raise KeyError(
            f"the frame has no column {column!r} and it is not an optional lead column "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )


class TypedLeads(pa.DataFrameModel):
    """Valid typed leads, as validation hands them to the recalculation."""

    lead_id: Series[Any] = pa.Field(nullable=False)
    stage: Series[Any] = pa.Field(nullable=False)
    owner: Series[Any] | None = pa.Field(nullable=True)
    source: Series[Any] | None = pa.Field(nullable=True)
    first_contact: Series[pa.DateTime] | None = pa.Field(nullable=True)
    last_follow_up: Series[pa.DateTime] | None = pa.Field(nullable=True)
    expected_close: Series[pa.DateTime] | None = pa.Field(nullable=True)
    next_follow_up: Series[pa.DateTime] | None = pa.Field(nullable=True)
    snooze_until: Series[pa.DateTime] | None = pa.Field(nullable=True)
    stage_entered_column: Series[pa.DateTime] | None = pa.Field(nullable=True)
    amount: Series[float] | None = pa.Field(nullable=True, ge=0)
    dwell_days_typed: Series[float] | None = pa.Field(nullable=True, ge=0)
    lost_at: Series[Any] | None = pa.Field(nullable=True)
    row: Series[int] = pa.Field(alias=ROW, ge=1)

    class Config:
        strict = False


class DerivedLeads(TypedLeads):
    """Typed leads with what :func:`funnel_xl.metrics.derive_lead_fields` adds."""

    status: Series[str] = pa.Field(isin=list(Status))
    stage_idx: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0)
    lost_at_idx: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0)
    stage_entered: Series[pa.DateTime] = pa.Field(nullable=True)
    stage_entered_source: Series[Any] = pa.Field(isin=list(EnteredFrom))
    lost_at_source: Series[Any] | None = pa.Field(nullable=True, isin=list(LostAtFrom))
    dwell_days: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0)
    dwell_at_follow_up: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0)
    days_since_follow_up: Series[pd.Float64Dtype] = pa.Field(nullable=True)
    snoozed: Series[bool]
    over_limit: Series[bool]
    stalled: Series[bool]
    overdue: Series[bool]
    stale: Series[bool]
    close_past: Series[bool]
    cycle_days: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0)
    lost_cycle_days: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0)
    pass_rate_text_calc: Series[Any] = pa.Field(nullable=True)


class LogEntries(pa.DataFrameModel):
    """Typed follow-up log entries (all rows; ``_used`` marks those that count)."""

    lead_id: Series[Any] = pa.Field(nullable=True)
    time: Series[pa.DateTime] = pa.Field(nullable=True)
    next_contact: Series[pa.DateTime] | None = pa.Field(nullable=True)
    stage_change: Series[Any] | None = pa.Field(nullable=True)
    row: Series[int] = pa.Field(alias=ROW, ge=1)
    error: Series[bool] = pa.Field(alias=ERROR)
    used: Series[bool] = pa.Field(alias=USED)

    class Config:
        strict = False


class Transitions(pa.DataFrameModel):
    """Stage moves, one per row, in :data:`TRANSITION_COLUMNS` order."""

    lead_id: Series[Any]
    from_stage: Series[Any]
    to_stage: Series[Any]
    date: Series[pa.DateTime]
    source: Series[Any] = pa.Field(isin=list(MoveSource))
    file: Series[Any] = pa.Field(alias=FILE, nullable=True)
    row: Series[Any] = pa.Field(alias=ROW, nullable=True)

    class Config:
        strict = True
        ordered = True
