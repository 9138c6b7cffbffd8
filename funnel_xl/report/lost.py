"""流失分析: the lost leads by reason × stage lost at, by rep and by channel, and the log's objections."""

from __future__ import annotations

from ..lost import Crosstab
from .context import Context
from .review import Head, block, print_wide, start, widths


def write_lost(ctx: Context) -> None:
    t = ctx.t
    lost = ctx.review.lost
    worst = [s.text for s in ctx.view.suggestions if s.metric == "lost_reasons"]
    sheet, head = start(
        ctx, "lost", t("lost.title", as_of=ctx.as_of_text),
        t("lost.summary", count=lost.lost, amount=f"{lost.amount:,.1f}", unit=ctx.unit), *worst,
    )
    unknown = t("lost.unknown")
    row, by_stage = _crosstab(ctx, sheet, head, t("lost.by_stage"), lost.by_stage, unknown)
    row, by_owner = _crosstab(
        ctx, sheet, row, t("lost.by_owner"), lost.by_owner, t("sheet.no_owner")
    )
    row, by_channel = _crosstab(
        ctx, sheet, row, t("lost.by_channel", channel=ctx.header(ctx.channel)), lost.by_channel, unknown
    )
    _end, said = block(
        ctx, sheet, row, t("lost.objections"),
        [Head(t("lost.feedback"), width=30), Head(t("lost.entries"), "int"), Head(t("lost.leads"), "int")],
        lost.objections, none=t("lost.objections_none"),
    )
    widths(sheet, by_stage, by_owner, by_channel, said)
    print_wide(sheet, head + 1)


def _crosstab(ctx: Context, sheet, row: int, title: str, table: Crosstab, blank: str):
    t = ctx.t
    heads = [
        Head(t("lost.reason"), width=18),
        *(Head(blank if c is None else c, "int") for c in table.columns),
        Head(t("review.total"), "int"),
    ]
    rows = [
        (t("lost.no_reason") if reason is None else reason, *(n or None for n in counts), sum(counts))
        for reason, counts in zip(table.rows, table.counts, strict=True)
    ]
    total = (t("review.total"), *table.column_totals, sum(table.row_totals)) if rows else None
    return block(ctx, sheet, row, title, heads, rows, total, none=t("lost.none"))
