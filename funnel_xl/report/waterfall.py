"""管道变化: the period's open pipeline from start to end per stage, with the check that it balances."""

from __future__ import annotations

from ..period import period_of
from ..waterfall import Waterfall, WaterfallRow
from ..wording import period_words
from .context import Context
from .review import Head, block, print_wide, start, widths


def write_waterfall(ctx: Context) -> None:
    t, u = ctx.t, ctx.unit
    w: Waterfall = ctx.review.waterfall
    words = period_words(t, period_of(ctx.period, ctx.as_of).kind)
    opening = t("waterfall.opening.store" if w.opening_from_store else "waterfall.opening.sheet", **words)
    sheet, head = start(
        ctx, "waterfall", t("waterfall.title", start=w.start.isoformat(), end=w.end.isoformat()),
        t("waterfall.note", unit=u, **words), opening,
    )
    heads = [
        Head(t("col.stage")),
        *(Head(f"{t(key)}\n({u})", "amount", 11) for key in (
            "waterfall.start", "waterfall.new", "waterfall.won", "waterfall.lost", "waterfall.changes",
            "waterfall.moved_in", "waterfall.moved_out", "waterfall.end",
        )),
        Head(t("waterfall.check"), "amount", 9),
    ]
    sheet.set_row(head, 32)
    _end, columns = block(
        ctx, sheet, head, "", heads, [_row(r, r.stage) for r in w.stages],
        _row(w.total, t("review.total")),
    )
    widths(sheet, columns)
    print_wide(sheet, head)


def _row(r: WaterfallRow, label: str) -> tuple:
    return (
        label, r.start, r.new, -r.won, -r.lost, r.changes, r.moved_in, -r.moved_out, r.end, r.check,
    )
