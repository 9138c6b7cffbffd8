"""跟进活动: follow-ups per rep, per won deal, days since the last contact, and by month and method."""

from __future__ import annotations

from ..activity import MONTHS, RepActivity
from .context import Context
from .review import Head, block, owner_label, print_wide, start, widths


def write_activity(ctx: Context) -> None:
    t = ctx.t
    a = ctx.review.activity
    sheet, head = start(
        ctx, "activity", t("activity.title", as_of=ctx.as_of_text), t("activity.note", months=MONTHS)
    )
    heads = [
        Head(t("col.owner")), Head(t("activity.follow_ups"), "int"), Head(t("activity.won"), "int"),
        Head(t("activity.per_won"), "days1"), Head(t("activity.open"), "int"),
        Head(t("activity.median_since"), "days1"), Head(t("activity.longest_since"), "int"),
        Head(t("activity.stale"), "int"),
    ]
    row, reps = block(
        ctx, sheet, head, "", heads, [_rep(owner_label(ctx, r.name), r) for r in a.reps],
        _rep(t("review.total"), a.team),
    )
    counts = {(rep, month, method): n for rep, month, method, n in a.counts}
    names = sorted({rep for rep, _, _, _ in a.counts})
    rows = []
    for name in names:
        for month in a.months:
            cells_ = [counts.get((name, month, m), 0) for m in a.methods]
            if sum(cells_):
                rows.append((owner_label(ctx, name), month, *cells_, sum(cells_)))
    method_heads = [Head(t("activity.no_method") if m is None else m, "int") for m in a.methods]
    _end, by_method = block(
        ctx, sheet, row, t("activity.by_method"),
        [Head(t("col.owner")), Head(t("activity.month")), *method_heads, Head(t("review.total"), "int")],
        rows, none=t("activity.none"),
    )
    widths(sheet, reps, by_method)
    print_wide(sheet, head)


def _rep(label: str, r: RepActivity) -> tuple:
    return (
        label, r.follow_ups, r.won, r.per_won_deal, r.open, r.median_days_since_contact,
        r.longest_days_since_contact, r.stale,
    )
