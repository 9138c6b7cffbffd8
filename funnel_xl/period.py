"""The period a run is about: its kind (a month, an ISO week or any span of days), first and last
day, label and store key, from an as-of date, a month, a week, a span or today.

One period, one name: the label names the files (``funnel_report_<label>.xlsx``, ``<out>/<label>/``)
however the period was given — ``2024-05`` for a month (also ``--as-of`` a month's last day),
``2024-W22`` for an ISO week, ``2024-05-03_2024-05-17`` for a span, else the as-of date itself
(a day within a month: the month so far). The key is what the history store keeps a run under:
the month, the week or the span; so weekly runs never replace the monthly snapshot.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .errors import InputError, Remedy, Say

# The dates a run can count with (pandas' datetime64[ns] ends on 2262-04-11; Excel starts in 1900).
USABLE_FIRST, USABLE_LAST = date(1900, 1, 1), date(2262, 4, 11)
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)
_SPAN = re.compile(r"(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})")


class PeriodKind(StrEnum):
    """How long a period is: what its flow covers and what its trend steps by."""

    MONTH = "month"
    WEEK = "week"
    SPAN = "span"  # any run of days (--from … --to …)


@dataclass(frozen=True)
class Period:
    """A run's period: [start, end], ``end`` the as-of date."""

    kind: PeriodKind
    start: date
    end: date
    label: str  # in file names and on the report
    key: str  # the history store's key: the month, the week or the span

    @property
    def as_of(self) -> date:
        return self.end


def month_label(day: date) -> str:
    """The month a day falls in, as the report names it: 2024-05."""
    return f"{day.year:04d}-{day.month:02d}"


def week_label(day: date) -> str:
    """The ISO week a day falls in: 2024-W22 (2024-W01 starts on Monday 2024-01-01)."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def span_label(start: date, end: date) -> str:
    return f"{start.isoformat()}_{end.isoformat()}"


def month_period(as_of: date) -> Period:
    """The month of ``as_of`` up to it; named by the month at its last day, else by the date."""
    last = calendar.monthrange(as_of.year, as_of.month)[1]
    label = month_label(as_of) if as_of.day == last else as_of.isoformat()
    return Period(PeriodKind.MONTH, as_of.replace(day=1), as_of, label, month_label(as_of))


def week_period(week: str) -> Period:
    """An ISO week given as 2024-W22 (or 2024W22): Monday to Sunday."""
    found = _WEEK.fullmatch(week.strip())
    try:
        if found is None:
            raise ValueError(week)
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        raise InputError(Say("period.bad_week", week=week)) from None
    sunday = monday + timedelta(days=6)
    _check_usable(sunday)
    return Period(PeriodKind.WEEK, monday, sunday, week_label(monday), week_label(monday))


def span_period(start: date, end: date) -> Period:
    """Any run of days, first to last day included; a whole calendar month is that month."""
    if start > end:
        raise InputError(Say("period.start_after_end", start=start.isoformat(), end=end.isoformat()))
    _check_usable(end)
    _check_usable(start)
    if start.day == 1 and start.replace(day=calendar.monthrange(start.year, start.month)[1]) == end:
        return month_period(end)
    if start.isoweekday() == 1 and end == start + timedelta(days=6):
        return week_period(week_label(start))
    label = span_label(start, end)
    return Period(PeriodKind.SPAN, start, end, label, label)


def resolve_period(
    as_of: date | None = None, month: str | None = None, today: date | None = None, *,
    week: str | None = None, start: date | None = None,
) -> Period:
    """The period of a run: ``week`` (an ISO week), ``start`` to ``as_of`` (a span), ``month``
    (its last day), ``as_of`` (its month up to it), else today's month up to today. Only one of
    as-of, month and week; a start needs an as-of date to end on."""
    given = [name for name, value in (("as_of", as_of), ("month", month), ("week", week)) if value is not None]
    if start is not None:
        if as_of is None or month is not None or week is not None:
            raise InputError(Say("period.start_alone"), remedy=Remedy.ONE_PERIOD)
        return span_period(start, as_of)
    if len(given) > 1:
        raise InputError(Say("period.one_only"), remedy=Remedy.ONE_PERIOD)
    if week is not None:
        return week_period(week)
    if month is not None:
        try:
            year, mon = (int(part) for part in month.split("-"))
            last = calendar.monthrange(year, mon)[1]
            return month_period(date(year, mon, last))
        except (ValueError, calendar.IllegalMonthError):
            raise InputError(Say("period.bad_month", month=month)) from None
    as_of = as_of or today or date.today()
    _check_usable(as_of)
    return month_period(as_of)


def resolve_as_of(as_of: date | None = None, month: str | None = None, today: date | None = None) -> tuple[date, str]:
    """The as-of date and the period label: ``as_of``, else the last day of ``month``, else today.

    The label names the month (``2024-05``) when the date is a month's last day, however it was
    given, so that one period's outputs have one name; otherwise it is the date itself."""
    period = resolve_period(as_of, month, today)
    return period.end, period.label


def period_of(label: str, as_of: date) -> Period:
    """The period a label names (as :attr:`Period.label` writes it), ending on ``as_of``."""
    if _WEEK.fullmatch(label):
        return week_period(label)
    found = _SPAN.fullmatch(label)
    if found:
        return span_period(date.fromisoformat(found[1]), date.fromisoformat(found[2]))
    return month_period(as_of)


def previous_periods(period: Period, count: int) -> list[Period]:
    """The ``count`` periods of the same kind up to ``period`` (included), oldest first: months
    (the current one ending on its as-of date), ISO weeks, or spans of the same length."""
    out = [period]
    while len(out) < count:
        first = out[-1].start
        if period.kind == PeriodKind.MONTH:
            out.append(month_period(first - timedelta(days=1)))
        elif period.kind == PeriodKind.WEEK:
            out.append(week_period(week_label(first - timedelta(days=7))))
        else:
            length = period.end - period.start
            end = first - timedelta(days=1)
            label = span_label(end - length, end)
            out.append(Period(PeriodKind.SPAN, end - length, end, label, label))
        if out[-1].start < USABLE_FIRST:
            out.pop()
            break
    return out[::-1]


def _check_usable(day: date) -> None:
    if not USABLE_FIRST <= day <= USABLE_LAST:
        raise InputError(Say(
            "period.out_of_range", day=day.isoformat(), first=USABLE_FIRST.isoformat(), last=USABLE_LAST.isoformat(),
        ))
