"""The alert kinds, in the order every listing shows them, and what an alert's "days" are.
Pure: no I/O, no catalogue."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .frames import NEXT_FOLLOW_UP, SNOOZED, STATUS, Status
from .metrics import AlertKind

# Listings show the kinds in this order.
ALERT_ORDER = tuple(AlertKind)
# A reminder's kind beside the alert kinds: a follow-up due on the as-of date itself.
FOLLOW_UP_DUE = "due"


def alert_days(alerts: pd.DataFrame, as_of: date) -> pd.Series:
    """What each alert is about, in days: the dwell of a stalled lead, the days since follow-up
    of a stale one, else the days from the alert's date to ``as_of``. NaN where unknown."""
    nan = np.full(len(alerts), np.nan)

    def numbers(column: str) -> np.ndarray:
        if column not in alerts:
            return nan
        return pd.to_numeric(alerts[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    past = nan
    if "date" in alerts and len(alerts):
        past = (pd.Timestamp(as_of) - pd.to_datetime(alerts["date"])).dt.days.to_numpy(
            dtype=float, na_value=np.nan
        )
    kind = alerts["kind"].to_numpy() if "kind" in alerts else np.full(len(alerts), "")
    days = np.where(
        kind == AlertKind.STALLED, numbers("dwell_days"),
        np.where(kind == AlertKind.STALE, numbers("days_since_follow_up"), past),
    )
    return pd.Series(days, index=alerts.index, dtype=float)


def kind_rank(kinds: pd.Series) -> pd.Series:
    """Each alert kind's place in :data:`ALERT_ORDER`; an unknown kind last."""
    return kinds.map({k: i for i, k in enumerate(ALERT_ORDER)}).fillna(len(ALERT_ORDER))


def follow_ups_due_today(leads: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The open leads whose 下次跟进时间 is ``as_of`` itself: due, not yet overdue (the alerts
    list a follow-up only once its day has passed). Columns as the alerts frame's, kind ``due``."""
    if NEXT_FOLLOW_UP not in leads or leads.empty:
        return pd.DataFrame(columns=["kind", "date"])
    today = pd.to_datetime(leads[NEXT_FOLLOW_UP], errors="coerce") == pd.Timestamp(as_of)
    hit = leads[today & (leads[STATUS] == Status.ACTIVE) & ~leads[SNOOZED]]
    frame = hit.drop(columns=[c for c in ("kind", "date") if c in hit]).copy()
    frame.insert(0, "kind", FOLLOW_UP_DUE)
    frame["date"] = hit[NEXT_FOLLOW_UP]
    return frame.reset_index(drop=True)
