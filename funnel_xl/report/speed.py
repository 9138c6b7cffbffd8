"""阶段速度: the days leads actually spent in the stages they left, per stage and per rep."""

from __future__ import annotations

from ..speed import StageSpeed
from .context import Context
from .review import Head, block, owner_label, print_wide, start, widths


def write_speed(ctx: Context) -> None:
    t = ctx.t
    speed = ctx.review.speed
    sheet, head = start(ctx, "speed", t("speed.title", as_of=ctx.as_of_text), t("speed.note"))
    figures = [
        Head(t("speed.stays"), "int"), Head(t("speed.median"), "days1"),
        Head(t("speed.percentile"), "days1"), Head(t("speed.limit"), "int"),
        Head(t("speed.over"), "int"), Head(t("speed.over_share"), "pct"),
    ]
    none = t("speed.none") if not any(s.stays for s in speed.team) else ""
    row, team = block(
        ctx, sheet, head, "", [Head(t("col.stage")), *figures],
        [(s.stage, *_figures(s)) for s in speed.team], none=none,
    )
    rows = [
        (owner_label(ctx, name), s.stage, *_figures(s))
        for name, stages in speed.by_owner.items() for s in stages if s.stays
    ]
    _end, reps = block(
        ctx, sheet, row, t("speed.by_owner"),
        [Head(t("col.owner")), Head(t("col.stage")), *figures], rows,
    )
    widths(sheet, team, reps)
    print_wide(sheet, head)


def _figures(s: StageSpeed) -> tuple:
    return (
        s.stays, s.median, s.p80, s.limit, s.over_limit, s.over_limit / s.stays if s.stays else None,
    )
