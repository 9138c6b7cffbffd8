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
from .overview import FIRST_ROW, finish_overview
from .problems import write_problems
from .quality import write_quality
from .reps import open_leads as active_leads
from .reps import write_rep
from .run import write_run_info
from .table import Cells, Column, label_width, set_widths


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
    t = ctx.t
    sheet = ctx.add_sheet(ctx.sheets["overview"])
    sheet.hide_gridlines(2)
    cells = Cells(sheet, ctx.formats)
    whose = t(f"group.whose.{ctx.view.kind}")
    ctx.title(cells, ctx.heading(), t("group.subtitle", period=ctx.period, whose=whose))
    rows = _overview_rows(ctx)
    own = _own(ctx)
    top = FIRST_ROW - 1
    for c, text in enumerate((t("col.metric"), own, t("col.team"), t("col.note"))):
        cells.put(top, c, text, "header")
    for i, (label, mine, whole, kind, note) in enumerate(rows):
        row = FIRST_ROW + i
        cells.put(row, 0, label, "label")
        cells.put(row, 1, mine, kind)
        cells.put(row, 2, whole, kind)
        cells.put(row, 3, note or None, "note")
    finish_overview(
        ctx, sheet, cells, len(rows), label_width([label for label, *_ in rows]),
        ((1, 2, 20), (3, 3, 34)),
    )


def _overview_rows(ctx: Context) -> tuple[tuple[str, object, object, str | None, str], ...]:
    """(label, the group's figure, the team's, kind, note) — no team amount."""
    t, mine, team = ctx.t, ctx.figures, ctx.team
    problems = count_by_severity(ctx.problems)
    worst_mine, worst_team = mine.worst_transition, team.worst_transition
    u = ctx.unit
    return (
        (t("fig.total"), mine.totals.total, team.totals.total, "int", t("fig.total.note")),
        (t("fig.valid"), mine.totals.valid, team.totals.valid, "int", t("fig.valid.note")),
        (t("fig.active"), mine.totals.active, team.totals.active, "int", t("fig.active.note")),
        (t("fig.won"), mine.totals.won, team.totals.won, "int", ""),
        (t("fig.lost"), mine.totals.lost, team.totals.lost, "int", t("fig.lost.note")),
        (t("fig.excluded"), mine.totals.excluded, team.totals.excluded, "int", t("fig.excluded.group_note")),
        (t("fig.win_rate"), mine.win_rate, team.win_rate, "pct", t("fig.win_rate.note")),
        (t("fig.overall_conversion"), mine.overall_conversion, team.overall_conversion, "pct",
         t("fig.overall_conversion.note")),
        (t("fig.cycle_mean"), mine.cycle_mean, team.cycle_mean, "days1", t("fig.cycle_mean.group_note")),
        (t("fig.cycle_median"), mine.cycle_median, team.cycle_median, "days1", ""),
        (t("fig.pipeline", unit=u), mine.pipeline, None, "amount", t("fig.pipeline.note")),
        (t("fig.weighted_pipeline", unit=u), mine.weighted_pipeline, None, "amount",
         t("fig.weighted_pipeline.note")),
        (
            t("fig.worst_transition"),
            None if worst_mine is None else worst_mine.label,
            None if worst_team is None else worst_team.label,
            None, t("fig.worst_transition.group_note"),
        ),
        (
            t("fig.worst_rate"),
            None if worst_mine is None else worst_mine.rate,
            None if worst_team is None else worst_team.rate,
            "pct", t("fig.worst_rate.note"),
        ),
        (t("fig.stalled"), mine.stalled, team.stalled, "int", t("fig.stalled.note")),
        (t("fig.overdue"), mine.overdue, team.overdue, "int", t("fig.overdue.note")),
        (t("fig.stale"), mine.stale, team.stale, "int", t("fig.stale.note")),
        (t("fig.close_past"), mine.close_past, team.close_past, "int", t("fig.close_past.note")),
        (t("fig.errors"), problems[Severity.ERROR], None, "int", t("fig.errors.group_note")),
        (t("fig.warnings"), problems[Severity.WARNING], None, "int", t("fig.warnings.note")),
    )


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
    sheet.set_row(head, 32)
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
