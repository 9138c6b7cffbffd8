"""The period a run is about: its as-of date and label, from an as-of date, a month or today."""

from __future__ import annotations

import calendar
from datetime import date

from .errors import InputError, Remedy

# The dates a run can count with (pandas' datetime64[ns] ends on 2262-04-11; Excel starts in 1900).
USABLE_FIRST, USABLE_LAST = date(1900, 1, 1), date(2262, 4, 11)


def month_label(day: date) -> str:
    """The month a day falls in, as the report names it: 2024-05."""
    return f"{day.year:04d}-{day.month:02d}"


def resolve_as_of(as_of: date | None = None, month: str | None = None, today: date | None = None) -> tuple[date, str]:
    """The as-of date and the period label: ``as_of``, else the last day of ``month``, else today.

    The label names the month (``2024-05``) when the date is a month's last day, however it was
    given, so that one period's outputs have one name; otherwise it is the date itself."""
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
    if not USABLE_FIRST <= as_of <= USABLE_LAST:
        raise InputError(
            f"截止日 {as_of.isoformat()} 超出可统计的日期范围（{USABLE_FIRST.isoformat()} 至 "
            f"{USABLE_LAST.isoformat()}），请给出一个实际的截止日，例如 2024-05-31。"
        )
    if as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]:
        return as_of, month_label(as_of)  # a month's end names the month
    return as_of, as_of.isoformat()
