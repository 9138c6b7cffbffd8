"""线索明细: every lead with the recalculated columns, then the rows excluded for errors as typed."""

from __future__ import annotations

import pandas as pd

from ..text import is_blank
from .context import ENTERED_SOURCE_KEYS, LOST_AT_SOURCE_KEYS, Context
from .table import DWELL_BAR, Column, set_widths
from .values import date_values, mapped_values, number_values, text_values

# The recalculated value goes under the familiar header; excluded rows keep what was typed.
_DETAIL_VALID_FIELDS = {
    "dwell_days": "dwell_days",
    "pass_rate_text": "pass_rate_text_calc",
    "stage_entered": "stage_entered",
}
_DETAIL_TYPED_FIELDS = {
    "dwell_days": "dwell_days_typed",
    "pass_rate_text": "pass_rate_text_typed",
    "stage_entered": "stage_entered_column",
}


def write_detail(ctx: Context) -> None:
    t = ctx.t
    sheet = ctx.add_sheet(ctx.sheets["detail"])
    leads = ctx.leads
    excluded = ctx.excluded if ctx.excluded is not None else pd.DataFrame()
    columns: list[Column] = []
    typed: list[tuple[str, str]] = []  # per column: (excluded frame column, kind)
    for col in ctx.rules.columns:
        source = _DETAIL_VALID_FIELDS.get(col.field, col.field)
        kind = _detail_kind(col.field, col.kind)
        if kind == "date":
            values = date_values(leads, source)
        elif kind == "text":
            values = text_values(leads, source)
        else:
            values = number_values(leads, source)
        columns.append(Column(col.header, values, kind))
        typed.append((_DETAIL_TYPED_FIELDS.get(col.field, col.field), kind))
    stalled = leads["stalled"].tolist() if "stalled" in leads else [None] * len(leads)
    columns += [
        Column(t("col.entered_source"), ctx.mapped(leads, "stage_entered_source", ENTERED_SOURCE_KEYS)),
        Column(t("col.lost_at_source"), ctx.mapped(leads, "lost_at_source", LOST_AT_SOURCE_KEYS)),
        Column(t("col.status"), mapped_values(leads, "status", ctx.status_labels), width=18),
        Column(t("col.stalled"), [None if v is None else ctx.yes_no(v) for v in stalled]),
        Column(t("col.source_file"), text_values(leads, "_file")),
        Column(t("col.source_row"), number_values(leads, "_row"), "row"),
    ]
    n_fields = len(ctx.rules.columns)
    end = ctx.table(sheet, 0, columns)
    if len(excluded):
        end = ctx.rows(sheet, end, excluded_columns(ctx, excluded, typed))
    last_col = len(columns) - 1
    sheet.autofilter(0, 0, max(end - 1, 0), last_col)
    sheet.freeze_panes(1, 2)
    sheet.set_row(0, 32)
    set_widths(sheet, columns)
    if len(leads):
        fields = [c.field for c in ctx.rules.columns]
        if "dwell_days" in fields:
            dwell_col = fields.index("dwell_days")
            sheet.conditional_format(1, dwell_col, len(leads), dwell_col, DWELL_BAR)
        stalled_col = n_fields + 3
        sheet.conditional_format(
            1, stalled_col, len(leads), stalled_col,
            {"type": "cell", "criteria": "==", "value": f'"{t("yes")}"', "format": ctx.formats("red")},
        )


def excluded_columns(
    ctx: Context, excluded: pd.DataFrame, typed: list[tuple[str, str]]
) -> list[Column]:
    """The excluded rows as the rep typed them, under the same columns as the valid leads."""
    rows = len(excluded)
    columns = []
    for name, kind in typed:
        if kind == "text":
            columns.append(Column("", text_values(excluded, name)))
        elif kind == "date":
            columns.append(Column("", date_values(excluded, name), "date"))
        else:
            # A number column of a row with errors may hold the text that could not be read.
            values = excluded[name].tolist() if name in excluded else [None] * rows
            values = [None if is_blank(v) else v for v in values]
            columns.append(Column("", values, "any", number_format=kind))
    return columns + [
        Column("", [None] * rows),
        Column("", [None] * rows),
        Column("", [ctx.t("status.excluded")] * rows),
        Column("", [None] * rows),
        Column("", text_values(excluded, "_file")),
        Column("", number_values(excluded, "_row"), "row"),
    ]


def _detail_kind(field: str, kind: str) -> str:
    if kind == "date":
        return "date"
    if kind == "number":
        return {"amount": "amount", "dwell_days": "days"}.get(field, "number")
    return "text"
