"""The month a run is about: its as-of date and period label, from an as-of date, a month or today."""

from __future__ import annotations

import calendar
from datetime import date

from .errors import InputError, Remedy


def month_label(day: date) -> str:
    """The month a day falls in, as the report names it: 2024-05."""
    return f"{day.year:04d}-{day.month:02d}"


def resolve_as_of(as_of: date | None = None, month: str | None = None, today: date | None = None) -> tuple[date, str]:
    """The as-of date and the period label: ``as_of``, else the last day of ``month``, else today."""
    if as_of is not None and month is not None:
        raise InputError("截止日与月份只能指定一个。", remedy=Remedy.ONE_PERIOD)
    if month is not None:
        try:
            year, mon = (int(part) for part in month.split("-"))
            last = calendar.monthrange(year, mon)[1]
            return date(year, mon, last), f"{year:04d}-{mon:02d}"
        except (ValueError, calendar.IllegalMonthError):
            raise InputError(f"月份「{month}」格式不对，应写成 YYYY-MM，例如 2024-05。") from None
    as_of = as_of or today or date.today()
    return as_of, as_of.isoformat()
