"""预警: one row per lead with its alerts in one cell, by kind, owner and dwell; the snoozed leads;
the close dates that keep slipping."""

from __future__ import annotations

import pandas as pd

from ..alerts import alerts_by_lead
from .context import Context
from .forecast import slips_table
from .table import DWELL_BAR, Column, set_widths
from .values import date_values, number_values, sort_text, text_values


def write_alerts(ctx: Context) -> None:
    t = ctx.t
    sheet = ctx.add_sheet(ctx.sheets["alerts"])
    leads = sorted_alerts(ctx)
    columns = alert_columns(ctx, leads)
    end = ctx.table(sheet, 0, columns)
    if end == 1:
        sheet.write_string(1, 0, t("alerts.none"), ctx.formats("note"))
    else:
        sheet.autofilter(0, 0, end - 1, len(columns) - 1)
        sheet.conditional_format(1, _DWELL_COL, end - 1, _DWELL_COL, DWELL_BAR)
    set_widths(sheet, columns)
    sheet.freeze_panes(1, 0)
    end = snoozed_block(ctx, sheet, max(end, 2) + 2)
    n = ctx.rules.thresholds.close_slips
    slips = ctx.forecast.slipped(n) if ctx.forecast is not None else None
    sheet.write_string(end + 1, 0, t("forecast.alerts", n=n), ctx.formats("subtitle"))
    last = slips_table(ctx, sheet, end + 2, slips if slips is not None else pd.DataFrame())
    if last == end + 3:
        sheet.write_string(last, 0, t("forecast.alerts_none"), ctx.formats("note"))


_DWELL_COL = 6


def sorted_alerts(ctx: Context) -> pd.DataFrame:
    """One row per lead with alerts, by its first alert's kind (停留超时, 跟进逾期, 久未跟进,
    预计成交日已过), owner, then dwell, longest first."""
    leads = alerts_by_lead(ctx.alerts if ctx.alerts is not None else pd.DataFrame(columns=["kind", "lead_id", "date"]))
    if leads.empty:
        return leads
    key = pd.DataFrame(
        {
            "rank": leads["rank"].to_numpy(dtype=float),
            "owner": sort_text(leads, "owner"),
            "dwell": pd.to_numeric(leads["dwell_days"], errors="coerce").to_numpy(dtype=float),
            "lead": sort_text(leads, "lead_id"),
        }
    )
    order = key.sort_values(
        ["rank", "owner", "dwell", "lead"], ascending=[True, True, False, True],
        na_position="last", kind="stable",
    ).index.to_numpy()
    return leads.iloc[order]


def alert_columns(ctx: Context, leads: pd.DataFrame) -> list[Column]:
    t = ctx.t
    sep = t("list_sep")
    kinds = leads["kinds"].tolist()
    return [
        Column(
            t("col.alerts"), [sep.join(ctx.alert_labels.get(k, k) for k in ks) for ks in kinds],
            width=28,
        ),
        *ctx.lead_columns(leads, ("lead_id", "customer", "owner")),
        Column(
            t("col.source") if ctx.channel == "source" else ctx.header(ctx.channel),
            text_values(leads, ctx.channel),
        ),
        Column(t("col.stage"), text_values(leads, "stage")),
        Column(t("col.dwell"), number_values(leads, "dwell_days"), "days"),
        Column(t("col.limit"), number_values(leads, "limit_days"), "days"),
        Column(t("col.since_follow_up"), number_values(leads, "days_since_follow_up"), "days"),
        Column(ctx.header("next_follow_up"), date_values(leads, "follow_up_date"), "date"),
        Column(ctx.header("expected_close"), date_values(leads, "close_date"), "date"),
    ]


def snoozed_block(ctx: Context, sheet, row: int) -> int:
    """The snoozed leads, below the alerts: parked for a known reason, with the reason.
    Returns the row after the block."""
    leads = ctx.leads
    snoozed = leads[leads["snoozed"]]
    if len(snoozed):
        order = pd.DataFrame(
            {"owner": sort_text(snoozed, "owner"), "lead": sort_text(snoozed, "lead_id")}
        ).sort_values(["owner", "lead"], kind="stable").index.to_numpy()
        snoozed = snoozed.iloc[order]
    t = ctx.t
    stage_idx = [None if v is None else int(v) for v in number_values(snoozed, "stage_idx")]
    over = snoozed["over_limit"].tolist()
    columns = [
        *ctx.lead_columns(snoozed, ("lead_id", "customer", "owner", "stage")),
        Column(t("col.dwell"), number_values(snoozed, "dwell_days"), "days"),
        Column(t("col.limit"), ctx.stage_limit(stage_idx), "days"),
        Column(t("snoozed.over_limit"), [None if v is None else ctx.yes_no(v) for v in over]),
        Column(t("field.snooze_until"), date_values(snoozed, "snooze_until"), "date"),
        Column(t("field.snooze_reason"), text_values(snoozed, "snooze_reason")),
    ]
    return ctx.titled_table(sheet, row, t("snoozed.title"), columns, t("snoozed.none"))
