"""线索批次: the leads first contacted in each month, and what became of them by the as-of date."""

from __future__ import annotations

from .context import Context
from .review import Head, block, print_wide, start, widths


def write_cohorts(ctx: Context) -> None:
    t, u = ctx.t, ctx.unit
    c = ctx.review.cohorts
    undated = t("cohorts.undated", count=c.undated) if c.undated else ""
    sheet, head = start(
        ctx, "cohorts", t("cohorts.title", as_of=ctx.as_of_text),
        t("cohorts.note", undated=undated).strip(),
    )
    heads = [
        Head(t("cohorts.month")), Head(t("cohorts.leads"), "int"),
        Head(t("cohorts.won"), "int"), Head(t("cohorts.won_share"), "pct"),
        Head(t("cohorts.lost"), "int"), Head(t("cohorts.lost_share"), "pct"),
        Head(t("cohorts.open"), "int"), Head(t("cohorts.open_share"), "pct"),
        Head(t("cohorts.won_amount", unit=u), "amount"), Head(t("cohorts.days_to_win"), "days1"),
    ]
    rows = [
        (m.month, m.leads, m.won, m.share(m.won), m.lost, m.share(m.lost), m.open, m.share(m.open),
         m.won_amount, m.median_days_to_win)
        for m in c.months
    ]
    _end, columns = block(ctx, sheet, head, "", heads, rows)
    widths(sheet, columns)
    print_wide(sheet, head)
