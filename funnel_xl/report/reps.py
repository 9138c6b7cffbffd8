"""One sheet per rep: their key figures, then every open lead with its alerts, longest dwell first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..frames import Status
from ..metrics import FunnelMetrics
from .context import Context
from .table import Cells, Column, column_width, write_header
from .values import date_values, number_values, text_values


def open_leads_by_owner(leads: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each owner's open leads (the rows of their page)."""
    active = open_leads(leads)
    if "owner" not in active:
        return {}
    return dict(iter(active.groupby(active["owner"].fillna("").astype(str), sort=False)))


def open_leads(leads: pd.DataFrame) -> pd.DataFrame:
    return leads[leads["status"] == Status.ACTIVE] if "status" in leads else leads.iloc[:0]


def write_rep(
    ctx: Context, owner: str, m: FunnelMetrics, active: pd.DataFrame, *,
    sheet_name: str | None = None, title: str | None = None, owner_column: bool = False,
) -> None:
    """A rep's own page: key figures, then every open lead with its alerts, longest dwell first.

    All alerts concern open leads, so they are a column of the leads table (one row per lead)
    rather than a second table repeating the 预警 sheet. A channel's page (``owner_column``)
    adds each lead's owner as the last column.
    """
    t = ctx.t
    sheet = ctx.add_sheet(sheet_name or ctx.rep_names[owner])
    cells = Cells(sheet, ctx.formats)
    ctx.title(cells, title or t("rep.title", owner=owner, as_of=ctx.as_of_text))
    for c, (label, value, kind) in enumerate(_figures(ctx, m)):
        cells.put(2, c, label, "header")
        cells.put(3, c, value, kind)
    cells.put(5, 0, t("rep.open_leads"), "subtitle")
    cells.flush()
    active = _longest_dwell_first(active)
    columns = _columns(ctx, active)
    if owner_column:
        columns.append(Column(ctx.header("owner"), text_values(active, "owner")))
    head = 6
    write_header(sheet, ctx.formats, head, columns)
    end = ctx.rows(sheet, head + 1, columns)
    if len(active):
        # Stalled rows in red: dwell above the stage's limit.
        sheet.conditional_format(
            head + 1, 0, end - 1, len(columns) - 1,
            {
                "type": "formula",
                "criteria": f"=AND(ISNUMBER($F{head + 2}),$F{head + 2}>$G{head + 2})",
                "format": ctx.formats("red"),
            },
        )
        sheet.autofilter(head, 0, end - 1, len(columns) - 1)
    else:
        sheet.write_string(end, 0, t("rep.no_open_leads"), ctx.formats("note"))
    for c, column in enumerate(columns):
        sheet.set_column(c, c, max(column_width(column), 12))
    sheet.freeze_panes(head + 1, 1)


def _figures(ctx: Context, m: FunnelMetrics) -> tuple[tuple[str, object, str | None], ...]:
    t = ctx.t
    return (
        (t("col.leads"), m.totals.valid, "int"),
        (t("col.active"), m.totals.active, "int"),
        (t("col.won"), m.totals.won, "int"),
        (t("col.lost"), m.totals.lost, "int"),
        (t("col.win_rate"), m.win_rate, "pct_small" if m.win.small(ctx.min_sample) else "pct"),
        (t("counts.header", label=t("col.win_rate")), ctx.counts(m.win), None),
        (t("col.pipeline", unit=ctx.unit), m.pipeline, "amount"),
        (t("col.weighted_pipeline", unit=ctx.unit), m.weighted_pipeline, "amount"),
        (t("col.stalled"), m.stalled, "int"),
        (t("col.overdue"), m.overdue, "int"),
        (t("col.stale"), m.stale, "int"),
        (t("col.close_past"), m.close_past, "int"),
        (t("col.snoozed"), m.snoozed, "int"),
    )


def _longest_dwell_first(active: pd.DataFrame) -> pd.DataFrame:
    """The open leads by dwell, longest first, then by lead ID."""
    if len(active):
        order = pd.DataFrame(
            {
                "dwell": pd.to_numeric(active["dwell_days"], errors="coerce")
                .to_numpy(dtype=float, na_value=np.nan),
                "lead": active["lead_id"].astype(str).to_numpy() if "lead_id" in active else "",
            }
        ).sort_values(
            ["dwell", "lead"], ascending=[False, True], na_position="last", kind="stable"
        )
        active = active.iloc[order.index.to_numpy()]
    return active


def _columns(ctx: Context, active: pd.DataFrame) -> list[Column]:
    t = ctx.t
    stage_idx = [None if v is None else int(v) for v in number_values(active, "stage_idx")]
    return [
        Column(ctx.header("lead_id"), text_values(active, "lead_id")),
        Column(ctx.header("customer"), text_values(active, "customer")),
        Column(ctx.header(ctx.channel), text_values(active, ctx.channel)),
        Column(ctx.header("stage"), text_values(active, "stage")),
        Column(t("col.stage_entered"), date_values(active, "stage_entered"), "date"),
        Column(t("col.dwell"), number_values(active, "dwell_days"), "days"),
        Column(t("col.limit"), ctx.stage_limit(stage_idx), "days"),
        Column(t("col.since_follow_up"), number_values(active, "days_since_follow_up"), "days"),
        Column(ctx.header("next_follow_up"), date_values(active, "next_follow_up"), "date"),
        Column(ctx.header("expected_close"), date_values(active, "expected_close"), "date"),
        Column(ctx.header("amount"), number_values(active, "amount"), "amount"),
        Column(t("col.alerts"), _alert_labels(active, ctx.alert_labels, t("list_sep")), width=30),
    ]


def _alert_labels(leads: pd.DataFrame, names: dict[str, str], sep: str) -> list[str | None]:
    """Each lead's alerts as one text, e.g. "停留超时、跟进逾期"; None when it has none."""
    flags = [
        (leads[kind].fillna(False).astype(bool).tolist() if kind in leads else [False] * len(leads),
         label)
        for kind, label in names.items()
    ]
    texts = []
    for hits in zip(*(f for f, _ in flags), strict=True):
        labels = [label for hit, (_, label) in zip(hits, flags, strict=True) if hit]
        texts.append(sep.join(labels) if labels else None)
    return texts if flags and len(leads) else [None] * len(leads)
