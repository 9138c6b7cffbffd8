"""Working days of the Chinese calendar, for dwell limits counted in working days.

A working day is a weekday that is not an official public holiday, or a weekend day the State
Council made a working day (调休, e.g. Sunday 2024-09-29 before National Day). The official
calendar comes from the ``chinese-calendar`` package (module ``chinese_calendar``), which knows
the years the State Council has published; for a year it does not cover it raises
``NotImplementedError``. Such a year is counted with weekends only, and :attr:`WorkingDays.
unsupported_years` says which years were, so the caller can warn. Pure: no file I/O.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import numpy as np
import pandas as pd

# Counting goes back at most this far before the earliest date asked about, for estimates that
# step back a number of working days (a week of 7 days holds at least 2 working days around the
# longest holidays, so 4 calendar days per working day is ample).
_DAYS_PER_WORKING_DAY = 4


def is_supported(year: int) -> bool:
    """Whether the calendar package knows the official holidays of ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkingDays:
    """A table of working days from ``start`` to ``end`` (inclusive), counted cumulatively."""

    def __init__(self, start: date, end: date, *, report_from: date | None = None):
        """``report_from``: years before this date's year are counted but not reported as
        unsupported (a margin kept for estimates, not a date anything is counted from)."""
        if end < start:
            end = start
        self.start = start
        self.end = end
        days = pd.date_range(start, end, freq="D")
        working = days.day_of_week < 5
        unsupported = []
        for year in range(start.year, end.year + 1):
            in_year = days.year == year
            if is_supported(year):
                working[in_year] = [chinese_calendar.is_workday(d.date()) for d in days[in_year]]
            elif report_from is None or year >= report_from.year:
                unsupported.append(year)
        self.unsupported_years: tuple[int, ...] = tuple(unsupported)
        # cumulative[i] = working days in [start, start + i]
        self._cumulative = np.cumsum(working.astype(np.int64))
        self._origin = pd.Timestamp(start)

    @classmethod
    def covering(cls, dates: list[pd.Series | pd.Timestamp], back_days: float = 0) -> WorkingDays:
        """A table wide enough for every date given, and ``back_days`` working days before them."""
        stamps = []
        for d in dates:
            if isinstance(d, pd.Series):
                d = pd.to_datetime(d).dropna()
                if len(d):
                    stamps += [d.min(), d.max()]
            elif d is not None and not pd.isna(d):
                stamps.append(pd.Timestamp(d))
        if not stamps:
            today = date(2000, 1, 1)
            return cls(today, today)
        low, high = min(stamps), max(stamps)
        margin = int(np.ceil(max(back_days, 0) * _DAYS_PER_WORKING_DAY)) + 14
        return cls((low - timedelta(days=margin)).date(), high.date(), report_from=low.date())

    def _index(self, days: pd.Series) -> np.ndarray:
        """Positions of the dates in the table (float, NaN where missing or outside)."""
        offset = (pd.to_datetime(days) - self._origin).dt.days.astype("Float64")
        inside = (offset >= 0) & (offset < len(self._cumulative))
        return offset.where(inside).to_numpy(dtype=float, na_value=np.nan)

    def _cum(self, days: pd.Series) -> np.ndarray:
        index = self._index(days)
        out = np.full(len(index), np.nan)
        ok = ~np.isnan(index)
        out[ok] = self._cumulative[index[ok].astype(np.int64)]
        return out

    def between(self, start: pd.Series, end: pd.Series | pd.Timestamp) -> pd.Series:
        """Working days in (start, end]: the days after ``start`` up to and including ``end``, as
        calendar dwell counts the days after the entry date. Negative when end < start."""
        if not isinstance(end, pd.Series):
            end = pd.Series(pd.Timestamp(end), index=start.index)
        counts = self._cum(end) - self._cum(start)
        return pd.Series(counts, index=start.index, dtype="Float64")

    def back(self, end: pd.Series, count: pd.Series) -> pd.Series:
        """The working day from which ``count`` working days lead up to ``end``: the date d with
        exactly ``count`` working days in (d, end], the earliest such (a working day itself)."""
        target = self._cum(end) - pd.to_numeric(count, errors="coerce").round().to_numpy(dtype=float)
        out = pd.Series(pd.NaT, index=end.index, dtype="datetime64[ns]")
        ok = ~np.isnan(target) & (target >= 1)
        if ok.any():
            # The first position whose cumulative count reaches the target is a working day.
            pos = np.searchsorted(self._cumulative, target[ok], side="left")
            out[ok] = self._origin + pd.to_timedelta(pos, unit="D")
        return out


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day of the Chinese calendar (weekends only in a year the
    calendar package does not cover)."""
    return bool(WorkingDays(day, day)._cumulative[0])


def working_days_in(first: date, last: date) -> int:
    """The working days from ``first`` to ``last``, both included (0 when last < first)."""
    if last < first:
        return 0
    return int(WorkingDays(first, last)._cumulative[-1])
