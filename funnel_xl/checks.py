"""The registry of checks: every data problem the tool reports, by its stable code.

Each check has a severity, the field it points at and a message in the catalogue
(``problem.<code>`` of :mod:`funnel_xl.messages`, filled with the check's parameters). Problems are
made only through :func:`problem`, so a code, its severity and its message cannot drift apart.
A check on ``DATE_FIELDS`` is applied to each date column; the field then travels with the problem's
place, never inside the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .messages import ZH, catalogue
from .problems import Problem, Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING

# The field of a check applied to every date column of the leads sheet.
DATE_FIELDS = "*date"
# The field of a check made for each column the rules mark required_for_quality.
QUALITY_FIELDS = "*required_for_quality"


@dataclass(frozen=True)
class Check:
    code: str
    severity: Severity
    field: str = ""  # the leads' (or the log's) field the problem points at; "" the file or the run

    @property
    def message(self) -> str:
        return f"problem.{self.code}"


_TABLE = (
    # The file and the rows the reader left out.
    Check("unreadable_file", ERROR),
    Check("row_outside_table", WARNING),
    Check("total_row", WARNING),
    Check("stray_cell_ignored", WARNING),
    Check("formula_without_value", WARNING),
    Check("error_value", WARNING),
    # The leads sheet.
    Check("missing_lead_id", ERROR, "lead_id"),
    Check("duplicate_lead_id", ERROR, "lead_id"),
    Check("identical_lead_in_file", WARNING, "lead_id"),
    Check("bad_lead_id_pattern", WARNING, "lead_id"),
    Check("missing_stage", ERROR, "stage"),
    Check("unknown_stage", ERROR, "stage"),
    Check("missing_owner", ERROR, "owner"),
    Check("missing_first_contact", ERROR, "first_contact"),
    Check("bad_first_contact", ERROR, "first_contact"),
    Check("first_contact_blank", WARNING, "first_contact"),
    Check("bad_date", WARNING, DATE_FIELDS),
    Check("future_date", WARNING, DATE_FIELDS),
    Check("follow_up_before_first_contact", WARNING, "last_follow_up"),
    Check("stage_entered_before_first_contact", WARNING, "stage_entered"),
    Check("unknown_source", WARNING, "source"),
    Check("missing_source", WARNING, "source"),
    Check("unknown_method", WARNING, "follow_up_method"),
    Check("bad_amount", WARNING, "amount"),
    Check("negative_amount", WARNING, "amount"),
    Check("amount_in_yuan", WARNING, "amount"),
    Check("bad_dwell_days", WARNING, "dwell_days"),
    Check("snooze_without_reason", WARNING, "snooze_until"),
    Check("snooze_too_long", WARNING, "snooze_until"),
    Check("snooze_on_closed_lead", WARNING, "snooze_until"),
    Check("snooze_reason_without_date", WARNING, "snooze_reason"),
    # One per rep and field, counted: the rows are many, the fix is one habit.
    Check("required_fields_blank", WARNING, QUALITY_FIELDS),
    Check("lost_at_unknown", WARNING, "lost_at"),
    Check("bad_lost_at", WARNING, "lost_at"),
    Check("lost_at_on_open_lead", WARNING, "lost_at"),
    Check("lost_at_column_missing", WARNING, "stage"),
    # The same lead in several files.
    Check("identical_lead_across_files", WARNING, "lead_id"),
    Check("duplicate_lead_id_across_files", ERROR, "lead_id"),
    # The follow-up log (its own fields), and the leads sheet against it.
    Check("log_missing_lead_id", ERROR, "lead_id"),
    Check("log_unknown_lead", ERROR, "lead_id"),
    Check("log_missing_time", ERROR, "time"),
    Check("log_bad_time", ERROR, "time"),
    Check("log_unknown_stage", ERROR, "stage_change"),
    Check("log_future_time", WARNING, "time"),
    Check("log_before_first_contact", WARNING, "time"),
    # One wrong 首次接触时间 explains every date of its lead before it: one problem at the cause.
    Check("first_contact_after_other_dates", WARNING, "first_contact"),
    Check("log_unknown_method", WARNING, "method"),
    Check("log_bad_date", WARNING, "next_contact"),
    Check("stage_disagrees_with_log", WARNING, "stage"),
    Check("last_follow_up_disagrees_with_log", WARNING, "last_follow_up"),
    # The history store and the holiday calendar.
    Check("stage_entered_not_updated", WARNING, "stage_entered"),
    Check("holiday_calendar_missing", WARNING),
    # A past as-of date: the workbook has moved on since.
    Check("leads_after_as_of", WARNING),
    Check("state_as_today", WARNING),
    # The monthly targets (目标 sheet).
    Check("bad_target_row", WARNING),
    Check("target_unknown_owner", WARNING),
    Check("target_unknown_channel", WARNING),
)
CHECKS: Mapping[str, Check] = MappingProxyType({check.code: check for check in _TABLE})


def problem(
    code: str, lang: str = ZH, params: Mapping[str, object] | None = None, *, variant: str = "",
    sheet: str = "", row: int | None = None, column: str = "", header: str = "", value: str = "",
    file: str = "",
) -> Problem:
    """The problem ``code`` found at this place, its message filled with ``params`` (and the value).

    ``variant`` picks one of several texts of a check (``problem.<code>.<variant>``). A message
    that ends in a hint loses the trailing space when there is none to give."""
    check = CHECKS[code]
    key = f"{check.message}.{variant}" if variant else check.message
    t = catalogue(lang)
    message = t(key, value=value, **params) if params else t(key)
    return Problem(
        code=code, severity=check.severity,
        message=message.rstrip() if params and "hint" in params else message,
        sheet=sheet, row=row, column=column, header=header, value=value, file=file,
    )
