"""漏斗分析: the team's stages with counts, pass and loss rates, dwell and amounts."""

from __future__ import annotations

from ..cells import write_value
from ..compare import stage_sums
from .context import Context
from .table import DWELL_BAR, GOOD_HIGH, GOOD_LOW, Cells, Column, set_widths


def write_funnel(ctx: Context) -> None:
    t = ctx.t
    sheet, cells = ctx.start(ctx.sheets["funnel"], t("funnel.title", as_of=ctx.as_of_text), t("funnel.note"))
    cells.flush()
    stages = ctx.figures.stages
    columns = _columns(ctx)
    head = 2
    end = ctx.table(sheet, head, columns)
    _totals(ctx, sheet, end, len(columns))
    notes = Cells(sheet, ctx.formats)
    row = end + 2
    lost_unknown = ctx.figures.totals.lost_unknown_stage
    if lost_unknown:
        notes.put(row, 0, t("funnel.lost_unknown", count=lost_unknown), "note")
        row += 1
    notes.put(row, 0, t("funnel.totals_note"), "note")
    notes.flush()
    set_widths(sheet, columns)
    sheet.set_column(0, 0, 14)
    sheet.freeze_panes(head + 1, 1)
    first, final = head + 1, head + len(stages) - 1  # rates stop before the won stage
    if final >= first:
        sheet.conditional_format(first, 4, final, 4, {"type": "3_color_scale", **GOOD_HIGH})
        sheet.conditional_format(first, 5, final, 5, {"type": "3_color_scale", **GOOD_LOW})
        sheet.conditional_format(first, 8, final, 8, DWELL_BAR)


def _columns(ctx: Context) -> list[Column]:
    """The stages' figures; the won stage has no exits, rates, dwell or open amounts (blank)."""
    t = ctx.t
    stages = ctx.figures.stages
    last = len(stages) - 1
    min_sample = ctx.min_sample

    def open_only(values: list) -> list:
        return [None if k == last else v for k, v in enumerate(values)]

    return [
        Column(t("col.stage"), [s.stage for s in stages]),
        Column(t("col.current"), [s.current for s in stages], "int"),
        Column(t("col.reached"), [s.reached for s in stages], "int"),
        Column(t("col.exited"), open_only([s.exited for s in stages]), "int"),
        Column(t("col.pass_rate"), [s.pass_rate for s in stages], "pct"),
        Column(t("col.loss_rate"), [s.loss_rate for s in stages], "pct"),
        Column(t("col.lost_here"), [s.lost_here for s in stages], "int"),
        Column(t("col.avg_dwell"), open_only([s.avg_dwell_days for s in stages]), "days1"),
        Column(t("col.longest_dwell"), open_only([s.longest_dwell_days for s in stages]), "days"),
        Column(
            t("col.dwell_limit"),
            open_only([s.max_dwell_days for s in ctx.rules.stages]), "int",
        ),
        Column(t("col.stalled"), [s.stalled for s in stages], "int"),
        Column(t("col.pipeline", unit=ctx.unit), open_only([s.amount for s in stages]), "amount"),
        Column(
            t("col.weighted_pipeline", unit=ctx.unit),
            open_only([s.weighted_amount for s in stages]), "amount",
        ),
        Column(
            t("col.remark"),
            [
                t("funnel.small_sample", exited=s.exited, min_sample=min_sample)
                if k < last and 0 < s.exited < min_sample else None
                for k, s in enumerate(stages)
            ],
        ),
    ]


def _totals(ctx: Context, sheet, end: int, width: int) -> None:
    """The 合计 row under the table: the counts and amounts that add up; the rest a ruled blank."""
    sums = stage_sums(ctx.figures)
    totals = {
        0: (ctx.t("total"), "total_label"),
        1: (sums.current, "total_int"),
        6: (sums.lost_here, "total_int"),
        10: (sums.stalled, "total_int"),
        11: (sums.amount, "total_amount"),
        12: (sums.weighted_amount, "total_amount"),
    }
    for c in range(width):
        value, fmt = totals.get(c, (None, "total_blank"))
        if value is None:
            sheet.write_blank(end, c, None, ctx.formats(fmt))
        else:
            write_value(sheet, end, c, value, ctx.formats(fmt))
