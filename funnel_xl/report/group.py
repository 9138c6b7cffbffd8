"""One rep's (or one channel's) workbook: the team report's sheets, cut to the group's rows.

总览 and 漏斗分析 put the group's figures beside the team's (counts, rates, dwell — no team
amount); 在跟线索 is the group's rep page; 预警, 数据质量, 数据问题, 线索明细 and 运行信息 are the
team report's own sheets, written from the group's rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..compare import Versus, versus_team
from ..metrics import Rate
from ..problems import Severity, count_by_severity
from .alerts import write_alerts
from .context import Context
from .detail import write_detail
from .overview import Page, attention_block, finish_overview, month_block, standing_block
from .problems import write_problems
from .quality import write_quality
from .reps import open_leads as active_leads
from .reps import write_rep
from .run import write_run_info
from .table import Column, set_widths


def write_group(ctx: Context) -> None:
    group_overview(ctx)
    group_funnel(ctx)
    open_leads(ctx)
    write_alerts(ctx)
    write_quality(ctx, single=ctx.view.name if ctx.view.kind == "owner" else None)
    write_problems(ctx)
    write_detail(ctx)
    write_run_info(ctx)


def _own(ctx: Context) -> str:
    """The group's column header: 本人 for a rep, 本渠道 for a channel."""
    return ctx.t("col.own_owner") if ctx.view.kind == "owner" else ctx.t("col.own_source")


def group_overview(ctx: Context) -> None:
    """The group's 总览, laid out as the team's: its month, its actions, its standing figures
    beside the team's (no team amount)."""
    t = ctx.t
    sheet = ctx.add_sheet(ctx.sheets["overview"])
    sheet.hide_gridlines(2)
    page = Page(sheet, ctx.formats)
    whose = t(f"group.whose.{ctx.view.kind}")
    ctx.title(page, ctx.heading(), t("group.subtitle", period=ctx.period, whose=whose))
    month_block(ctx, page)
    attention_block(ctx, page)
    mine, team = _figures(ctx, ctx.figures), _figures(ctx, ctx.team)
    notes = {"win_rate": ctx.counts(ctx.figures.win), "excluded": t("fig.excluded.group_note"),
             "errors": t("fig.errors.group_note")}
    row = standing_block(
        ctx, page, lambda key: (mine[key], None if key in _MINE_ONLY else team[key]), notes, own=_own(ctx)
    )
    finish_overview(ctx, sheet, page, row + 1)


# Figures the group's 总览 shows without the team's: amounts (in a team of two the team's amount
# less mine is the colleague's) and the data problems, which are the group's own.
_MINE_ONLY = {"pipeline", "weighted_pipeline", "win_rate_amount", "errors", "warnings", "hygiene"}


def _figures(ctx: Context, m) -> dict[str, object]:
    """The standing figures of ``m`` (the group's or the team's); the problems and the hygiene
    score are the group's."""
    problems = count_by_severity(ctx.problems)
    hygiene = ctx.quality.hygiene.get(ctx.view.name) if ctx.view.kind == "owner" else None
    return {
        "valid": m.totals.valid, "active": m.totals.active, "won": m.totals.won, "lost": m.totals.lost,
        "excluded": m.totals.excluded, "win_rate": m.win_rate, "cycle_median": m.cycle_median,
        "pipeline": m.pipeline, "weighted_pipeline": m.weighted_pipeline, "stalled": m.stalled,
        "overdue": m.overdue, "stale": m.stale, "close_past": m.close_past,
        "errors": problems[Severity.ERROR], "warnings": problems[Severity.WARNING],
        "win_rate_amount": m.win_rate_amount,
        "hygiene": hygiene.score if hygiene is not None else None,
    }


def rep_vs_team_columns(
    ctx: Context, label: str, counts_label: str, rates: Sequence[Rate], team_label: str,
    team_rates: list[float | None], *, lower_is_worse: bool,
) -> list[Column]:
    """The rep's rate (red where clearly worse than the team's), its k of n, and the team's rate."""
    t, min_sample = ctx.t, ctx.min_sample
    return [
        Column(
            label, [r.value for r in rates], "pct",
            formats=[
                _rate_format(r, team_rate, min_sample, lower_is_worse=lower_is_worse)
                for r, team_rate in zip(rates, team_rates, strict=True)
            ],
        ),
        Column(
            t("counts.header", label=counts_label),
            [ctx.counts(r) for r in rates], width=20,
            formats=["small" if r.small(min_sample) else None for r in rates],
        ),
        Column(team_label, team_rates, "pct"),
    ]


def group_funnel(ctx: Context) -> None:
    t = ctx.t
    min_sample = ctx.min_sample
    sheet, cells = ctx.start(
        ctx.sheets["funnel"],
        t("group.funnel.title", heading=ctx.heading()),
        t("group.funnel.note", own=_own(ctx), min_sample=min_sample),
    )
    cells.flush()
    mine, team = ctx.figures.stages, ctx.team.stages
    own = _own(ctx)
    last = len(mine) - 1
    passes = [ctx.figures.pass_counts(k) if k < last else Rate(0, 0) for k in range(len(mine))]
    losses = [ctx.figures.loss_counts(k) if k < last else Rate(0, 0) for k in range(len(mine))]
    columns = [
        Column(t("col.stage"), [s.stage for s in mine]),
        Column(t("col.current"), [s.current for s in mine], "int"),
        Column(t("col.reached"), [s.reached for s in mine], "int"),
        Column(t("col.exited"), [s.exited for s in mine], "int"),
        *rep_vs_team_columns(
            ctx, t("col.own_pass_rate", own=own), t("col.own_pass_rate_short", own=own), passes,
            t("col.team_pass_rate"), [s.pass_rate for s in team], lower_is_worse=True,
        ),
        *rep_vs_team_columns(
            ctx, t("col.own_loss_rate", own=own), t("col.own_loss_rate", own=own), losses,
            t("col.team_loss_rate"), [s.loss_rate for s in team], lower_is_worse=False,
        ),
        Column(t("col.lost_here"), [s.lost_here for s in mine], "int"),
        Column(t("col.avg_dwell"), [s.avg_dwell_days for s in mine], "days1"),
        Column(t("col.team_avg_dwell"), [s.avg_dwell_days for s in team], "days1"),
        Column(t("col.stalled"), [s.stalled for s in mine], "int"),
        Column(t("col.amount", unit=ctx.unit), [s.amount for s in mine], "amount"),
        Column(t("col.weighted_amount", unit=ctx.unit), [s.weighted_amount for s in mine], "amount"),
    ]
    head = 2
    ctx.table(sheet, head, columns)
    set_widths(sheet, columns)
    sheet.set_column(0, 0, 14)
    sheet.freeze_panes(head + 1, 1)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


def open_leads(ctx: Context) -> None:
    write_rep(
        ctx, ctx.view.name, ctx.figures, active_leads(ctx.leads),
        sheet_name=ctx.t("sheet.open_leads"),
        title=ctx.t("group.open_leads.title", heading=ctx.heading()),
        owner_column=ctx.view.kind != "owner",
    )


def _rate_format(rate: Rate, team: float | None, min_sample: int, *, lower_is_worse: bool) -> str:
    """'pct_low' (red) when the group's rate is clearly worse than the team's, 'pct_small'
    (grey) for a small sample, else 'pct'."""
    if rate.n == 0:
        return "pct"
    if rate.small(min_sample):
        return "pct_small"
    worse = Versus.BELOW if lower_is_worse else Versus.ABOVE
    return "pct_low" if versus_team(rate, team, min_sample) is worse else "pct"
