"""预测: the open pipeline by expected close month, last months' forecasts checked, slipped close dates."""

from __future__ import annotations

import pandas as pd

from ..forecast import Forecast
from .context import Context
from .table import Cells, Column
from .values import date_values, number_values, text_values


def write_forecast(ctx: Context) -> None:
    t = ctx.t
    sheet, cells = ctx.start(
        ctx.sheets["forecast"], t("forecast.title", as_of=ctx.as_of_text), t("forecast.note")
    )
    head = 3
    row = _months(ctx, cells, head)
    cells.put(row, 0, t("forecast.current_note"), "note")
    row = _checks(ctx, cells, row + 2)
    row += 2
    n = ctx.rules.thresholds.close_slips
    cells.put(row, 0, t("forecast.slips"), "subtitle")
    cells.put(row + 1, 0, t("forecast.slips_note", n=n), "note")
    cells.flush()
    end = slips_table(ctx, sheet, row + 2, ctx.forecast.slipped(1))
    if end == row + 3:
        sheet.write_string(end, 0, t("forecast.slips_none"), ctx.formats("note"))
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 5, 16)
    sheet.set_column(6, 7, 40)


def _headers(cells: Cells, row: int, headers: tuple[str, ...]) -> None:
    for c, text in enumerate(headers):
        cells.put(row, c, text, "header")


def _months(ctx: Context, cells: Cells, head: int) -> int:
    """This month, the months ahead, overdue and undated; returns the row after the note's gap."""
    t, u = ctx.t, ctx.unit
    f: Forecast = ctx.forecast
    _headers(cells, head, (
        t("forecast.month"), t("forecast.leads"), t("forecast.amount", unit=u),
        t("forecast.weighted", unit=u), t("forecast.won", unit=u), t("forecast.won_count"),
    ))
    rows = [
        (t("forecast.current", month=f.current.month, as_of=ctx.as_of_text), f.current, f.won_amount, f.won_count),
        *((m.month, m, None, None) for m in f.ahead),
        (t("forecast.overdue"), f.overdue, None, None),
        (t("forecast.undated"), f.undated, None, None),
    ]
    for i, (label, m, won, won_count) in enumerate(rows, start=head + 1):
        cells.put(i, 0, label, "label")
        cells.put(i, 1, m.leads, "int")
        cells.put(i, 2, m.amount, "amount")
        cells.put(i, 3, m.weighted, "amount")
        cells.put(i, 4, won, "amount")
        cells.put(i, 5, won_count, "int")
    return head + len(rows) + 1


def _checks(ctx: Context, cells: Cells, row: int) -> int:
    """Earlier months' forecasts against what was won; returns the last row."""
    t, u = ctx.t, ctx.unit
    cells.put(row, 0, t("forecast.checks"), "subtitle")
    cells.put(row + 1, 0, t("forecast.checks_note"), "note")
    row += 2
    _headers(cells, row, (
        t("forecast.month"), t("forecast.made_in"), t("forecast.checked_leads"),
        t("forecast.previous", unit=u), t("forecast.won", unit=u), t("forecast.accuracy"),
    ))
    for check in ctx.forecast.checks:
        row += 1
        cells.put(row, 0, check.month, "label")
        cells.put(row, 1, t("forecast.rebuild", month=check.made_in))
        cells.put(row, 2, check.leads, "int")
        cells.put(row, 3, check.forecast, "amount")
        cells.put(row, 4, check.actual, "amount")
        cells.put(row, 5, check.accuracy, "pct")
    if not ctx.forecast.checks:
        row += 1
        cells.put(row, 0, t("forecast.checks_none"), "note")
    return row


def slips_table(ctx: Context, sheet, head: int, slips: pd.DataFrame) -> int:
    """The slipped leads under a header at ``head``; returns the row after the last."""
    t = ctx.t
    columns = [
        *ctx.lead_columns(slips, ("lead_id", "customer", "owner", "stage")),
        Column(t("slips.first"), date_values(slips, "first_close"), "date"),
        Column(t("slips.now"), date_values(slips, "close"), "date"),
        Column(t("slips.count"), number_values(slips, "slips"), "int"),
        Column(t("slips.path"), text_values(slips, "path")),
    ]
    return ctx.table(sheet, head, columns)
