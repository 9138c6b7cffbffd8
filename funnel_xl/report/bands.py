"""金额分段: win rate, cycle and counts per deal-size band (the rules' [bands])."""

from __future__ import annotations

from ..bands import Band
from ..wording import number_text
from .context import Context
from .review import Head, block, print_wide, start, widths


def write_bands(ctx: Context) -> None:
    t, u = ctx.t, ctx.unit
    sheet, head = start(ctx, "bands", t("bands.title", as_of=ctx.as_of_text), t("bands.note"))
    heads = [
        Head(t("bands.band", unit=u)), Head(t("cohorts.leads"), "int"), Head(t("bands.open"), "int"),
        Head(t("cohorts.won"), "int"), Head(t("cohorts.lost"), "int"),
        Head(t("bands.win_rate"), "pct"), Head(t("bands.win_counts"), width=24),
        Head(t("bands.cycle"), "days1"), Head(t("cohorts.won_amount", unit=u), "amount"),
        Head(t("bands.pipeline", unit=u), "amount"),
    ]
    rows = [
        (band_label(ctx, b), b.leads, b.open, b.won, b.lost, b.win.value, ctx.counts(b.win),
         b.median_cycle, b.won_amount, b.pipeline)
        for b in ctx.review.bands
    ]
    _end, columns = block(ctx, sheet, head, "", heads, rows)
    widths(sheet, columns)
    print_wide(sheet, head)


def band_label(ctx: Context, band: Band) -> str:
    """"10 – 50", "100 及以上", "10 以下", or 未填金额."""
    t = ctx.t
    if band.low is None:
        return t("bands.missing")
    if band.high is None:
        return t("bands.above", low=number_text(band.low))
    if band.low == 0:
        return t("bands.below", high=number_text(band.high))
    return t("bands.between", low=number_text(band.low), high=number_text(band.high))
