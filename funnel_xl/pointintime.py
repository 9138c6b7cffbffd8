"""Each lead as it stood on the as-of date, when the workbook has moved on since (a past month
rebuilt from today's sheet): the leads first contacted later left out, the stage, stage-entered
date, lost state and follow-ups on that date from the follow-up log, else from the history store's
snapshot of the period, else today's row, counted. And the other way round: a workbook whose
newest date lies well before the day it is analysed on (:func:`old_workbook`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from .flow import log_transitions
from .frames import (
    DATE,
    FILE,
    FIRST_CONTACT,
    FROM_STAGE,
    LAST_FOLLOW_UP,
    LEAD_ID,
    LOST_AT,
    NEXT_CONTACT,
    NEXT_FOLLOW_UP,
    ROW,
    SHEET,
    STAGE,
    STAGE_ENTERED,
    STAGE_ENTERED_COLUMN,
    TIME,
    TO_STAGE,
    dates,
    values,
)
from .rules import Rules


@dataclass(frozen=True)
class PointInTime:
    """The valid leads as they stood on the as-of date, and what that took.

    ``late``: the workbook holds something dated after the as-of date (a lead first contacted, or a
    follow-up logged after it), so its rows may show a later state. ``left_out``: leads first
    contacted after the as-of date. ``as_today``: leads whose state on that date neither the log
    nor the history store's snapshot of the period tells, counted as today's row shows them.
    """

    leads: pd.DataFrame
    late: bool = False
    left_out: int = 0
    as_today: int = 0
    left_out_rows: frozenset[tuple[str, str, int]] = frozenset()  # (file, sheet, row) of those left out


def leads_on(
    leads: pd.DataFrame, entries: pd.DataFrame, later: pd.DataFrame, rules: Rules, as_of: date,
    snapshot: pd.DataFrame | None = None,
) -> PointInTime:
    """Each valid lead's state on ``as_of`` (see :class:`PointInTime`).

    ``entries`` are the usable follow-up log entries (on or before the as-of date), ``later`` those
    after it; ``snapshot`` the history store's snapshot of the as-of date's period (None: none).
    A lead whose row shows nothing after the as-of date and whom no later entry names is kept as it
    is. Otherwise its stage, stage-entered date and lost-at come from the log (the latest move on or
    before the date; no move yet: the first stage since first contact), else from the snapshot,
    else a stage entered by the date stays, else today's row counts (``as_today``); its last
    follow-up and next contact from the log entries on or before the date.
    """
    as_of_ts = pd.Timestamp(as_of)
    after = dates(leads, FIRST_CONTACT) > as_of_ts
    if not (after.any() or len(later)):
        return PointInTime(leads)
    places = frozenset(
        zip(leads.loc[after, FILE], leads.loc[after, SHEET], leads.loc[after, ROW].astype(int), strict=True)
    ) if {FILE, SHEET, ROW} <= set(leads) else frozenset()
    out = leads[~after].reset_index(drop=True).copy()
    changed = out[LEAD_ID].isin(later[LEAD_ID]) if len(later) else pd.Series(False, index=out.index)
    for column in (LAST_FOLLOW_UP, STAGE_ENTERED_COLUMN):
        changed |= dates(out, column) > as_of_ts
    known = _known_state(out, pd.concat([entries, later], ignore_index=True), rules, as_of_ts, snapshot)
    unknown = changed & known[STAGE].isna()
    entered = dates(out, STAGE_ENTERED_COLUMN)
    guessed = unknown & ~(entered <= as_of_ts)
    take = changed & known[STAGE].notna()
    out[STAGE_ENTERED_COLUMN] = entered.where(~guessed | (entered <= as_of_ts))
    out.loc[take, STAGE] = known.loc[take, STAGE]
    out.loc[take, STAGE_ENTERED_COLUMN] = known.loc[take, STAGE_ENTERED]
    out[LOST_AT] = values(out, LOST_AT).where(~take, known[LOST_AT])
    _reopen_late_outcomes(out, guessed & (entered > as_of_ts), rules)
    # Follow-ups by the date as the log tells them; else the row's, when it is not later.
    row_last = dates(out, LAST_FOLLOW_UP)
    untouched = row_last <= as_of_ts
    last = known[LAST_FOLLOW_UP].where(known[LAST_FOLLOW_UP].notna(), row_last.where(untouched))
    out[LAST_FOLLOW_UP] = row_last.where(~changed, last)
    if NEXT_FOLLOW_UP in out:
        row_next = dates(out, NEXT_FOLLOW_UP)
        planned = known[NEXT_FOLLOW_UP].where(known[LAST_FOLLOW_UP].notna(), row_next.where(untouched))
        out[NEXT_FOLLOW_UP] = row_next.where(~changed, planned)
    return PointInTime(
        out, late=True, left_out=int(after.sum()), as_today=int(guessed.sum()), left_out_rows=places,
    )


def _reopen_late_outcomes(leads: pd.DataFrame, late: pd.Series, rules: Rules) -> None:
    """A lead won or lost after the as-of date, whose stage before it nothing tells, was still
    open on the date: lost, in its 流失阶段 when that names a stage; won, in the stage before."""
    lost_at = values(leads, LOST_AT)
    lost = late & leads[STAGE].isin(rules.lost_labels)
    won = late & (leads[STAGE] == rules.stage_names[-1])
    leads.loc[lost, STAGE] = lost_at[lost].where(lost_at[lost].isin(rules.stage_names[:-1]))
    leads.loc[lost, LOST_AT] = None
    leads.loc[won, STAGE] = rules.stage_names[-2]
    leads.loc[lost & leads[STAGE].isna(), STAGE] = rules.stage_names[0]


def _known_state(
    leads: pd.DataFrame, entries: pd.DataFrame, rules: Rules, as_of: pd.Timestamp,
    snapshot: pd.DataFrame | None,
) -> pd.DataFrame:
    """Per lead (``leads``' index): the stage, stage-entered date and lost-at on ``as_of`` as the log
    or else the snapshot tells them (blank stage: neither does), its last logged follow-up and the
    next contact that entry planned."""
    ids = leads[LEAD_ID]
    out = pd.DataFrame(index=leads.index)
    out[STAGE] = pd.Series(None, index=leads.index, dtype=object)
    out[STAGE_ENTERED] = pd.Series(pd.NaT, index=leads.index, dtype="datetime64[ns]")
    out[LOST_AT] = pd.Series(None, index=leads.index, dtype=object)
    if snapshot is not None and len(snapshot):
        seen = snapshot.drop_duplicates(LEAD_ID).set_index(LEAD_ID)
        out[STAGE] = _lookup(ids, seen[STAGE]).astype(object)
        out[STAGE_ENTERED] = pd.to_datetime(_lookup(ids, seen[STAGE_ENTERED]), errors="coerce")
        out[LOST_AT] = _lookup(ids, seen[LOST_AT]).astype(object)
    entries = entries[entries[TIME].notna()] if len(entries) else entries
    if len(entries):
        moves = log_transitions(entries, rules)
        logged = ids.isin(moves[LEAD_ID])
        by_then = moves[moves[DATE] <= as_of].drop_duplicates(LEAD_ID, keep="last").set_index(LEAD_ID)
        moved = logged & ids.isin(by_then.index)
        first = logged & ~moved
        out.loc[moved, STAGE] = _lookup(ids[moved], by_then[TO_STAGE])
        out.loc[moved, STAGE_ENTERED] = pd.to_datetime(_lookup(ids[moved], by_then[DATE]))
        came_from = _lookup(ids[moved], by_then[FROM_STAGE])
        out.loc[moved, LOST_AT] = came_from.where(out.loc[moved, STAGE].isin(rules.lost_labels))
        out.loc[first, STAGE] = rules.stage_names[0]
        out.loc[first, STAGE_ENTERED] = dates(leads, FIRST_CONTACT)[first]
        out.loc[first, LOST_AT] = None
        seen = entries[entries[TIME] <= as_of].sort_values(TIME, kind="stable")
        last = seen.drop_duplicates(LEAD_ID, keep="last").set_index(LEAD_ID)
        out[LAST_FOLLOW_UP] = pd.to_datetime(_lookup(ids, last[TIME]))
        planned = last[NEXT_CONTACT] if NEXT_CONTACT in last else pd.Series(dtype="datetime64[ns]")
        out[NEXT_FOLLOW_UP] = pd.to_datetime(_lookup(ids, planned))
    else:
        out[LAST_FOLLOW_UP] = pd.Series(pd.NaT, index=leads.index, dtype="datetime64[ns]")
        out[NEXT_FOLLOW_UP] = pd.Series(pd.NaT, index=leads.index, dtype="datetime64[ns]")
    return out


def _lookup(ids: pd.Series, table: pd.Series) -> pd.Series:
    """``table``'s value for each lead of ``ids`` (missing where it has none), on ``ids``' index.
    Not ``ids.map(table)``: pandas casts an empty ``table`` to float first, which a date column
    refuses (a log whose only entries are after the as-of date)."""
    return pd.Series(table.reindex(ids.to_numpy()).to_numpy(), index=ids.index, name=table.name)


def old_workbook(
    leads: pd.DataFrame, rules: Rules, today: date, entries: pd.DataFrame | None = None,
) -> date | None:
    """The newest date the workbooks hold (first contact, last follow-up, stage-entered date of the
    leads; the times of the follow-up log ``entries``, when given), when it lies more than the rules'
    ``thresholds.workbook_age_days`` before ``today``: figures as of today would then read every
    open lead as stalled and overdue. None when it is recent, or there is no date at all. Dates after
    today (typing slips) do not count."""
    today_ts = pd.Timestamp(today)
    found = [dates(leads, column) for column in (FIRST_CONTACT, LAST_FOLLOW_UP, STAGE_ENTERED_COLUMN)
             if column in leads]
    if entries is not None and TIME in entries:
        found.append(pd.to_datetime(entries[TIME], errors="coerce"))
    days = pd.concat(found, ignore_index=True) if found else pd.Series(dtype="datetime64[ns]")
    newest = days[days <= today_ts].max()
    if pd.isna(newest) or (today_ts - newest).days <= rules.thresholds.workbook_age_days:
        return None
    return newest.date()
