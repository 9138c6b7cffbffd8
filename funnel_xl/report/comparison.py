"""负责人对比 / 渠道分析 (and one sheet per further dimension): each group's counts and rates
beside the team's, the best rates marked; below 负责人对比 each rep's data quality and coverage."""

from __future__ import annotations

from collections.abc import Sequence

from ..cells import write_value
from ..compare import best_rates, coverage
from ..flow import ChannelFlag
from ..messages import Catalogue
from ..metrics import FunnelMetrics, Rate
from ..rules import HYGIENE_PARTS
from ..text import display_width, percent_text
from .context import Context
from .quality import hygiene_columns
from .table import GOOD_HIGH, Column, cached, set_widths, write_header


def write_comparison(
    ctx: Context, name: str, key_header: str, groups: dict[str, FunnelMetrics], *, chart: bool,
    flags: dict[str, str] | None = None,
) -> None:
    t = ctx.t
    sheet, cells = ctx.start(
        name,
        t("compare.title", name=name, as_of=ctx.as_of_text),
        t("compare.note", min_sample=ctx.min_sample, small=t("small_sample")),
    )
    cells.flush()
    metrics = list(groups.values())
    columns = [Column(key_header, list(groups)), *_count_columns(ctx, metrics)]
    team_row: list = [t("col.team"), *_count_row(ctx.team)]
    rate_columns, rate_row, first_rate, win_col = _rates(ctx, metrics, len(columns))
    columns += rate_columns + _figure_columns(ctx, metrics)
    team_row += rate_row + _figure_row(ctx.team)
    if flags is not None:
        columns.append(
            Column(
                t("col.low_months", months=ctx.rules.thresholds.low_channel_months),
                [flags.get(key) for key in groups], width=40,
                formats=["red" if key in flags else None for key in groups],
            )
        )
    head = 2
    end = ctx.table(sheet, head, columns)
    for c, value in enumerate(team_row):
        kind = columns[c].kind
        fmt = "total_label" if c == 0 else {
            "int": "total_int", "amount": "total_amount"
        }.get(kind, None if kind == "text" else kind)
        write_value(sheet, end + 1, c, value, ctx.formats(fmt))
    set_widths(sheet, columns)
    sheet.freeze_panes(head + 1, 1)
    if metrics:
        sheet.autofilter(head, 0, end - 1, len(columns) - 1)
    last = end + 1
    if name == ctx.sheets["owners"]:
        last = owner_quality_table(ctx, sheet, end + 3, groups)
    if chart and metrics:
        source_chart(ctx, sheet, columns, head, end, win_col, first_rate, last)


def _count_columns(ctx: Context, metrics: list[FunnelMetrics]) -> list[Column]:
    t = ctx.t
    return [
        Column(t("col.leads"), [m.totals.valid for m in metrics], "int"),
        Column(t("col.active"), [m.totals.active for m in metrics], "int"),
        Column(t("col.won"), [m.totals.won for m in metrics], "int"),
        Column(t("col.lost"), [m.totals.lost for m in metrics], "int"),
    ]


def _count_row(team: FunnelMetrics) -> list:
    return [team.totals.valid, team.totals.active, team.totals.won, team.totals.lost]


def _rates(
    ctx: Context, metrics: list[FunnelMetrics], first_col: int
) -> tuple[list[Column], list, int | None, int]:
    """Each transition's pass rate, each stage's loss rate and the win rate, with their k/n;
    the team's row; the column of the first pass rate and of the win rate."""
    t, team = ctx.t, ctx.team
    columns: list[Column] = []
    row: list = []
    for k, transition in enumerate(team.transitions):
        rates = [m.pass_counts(k) for m in metrics]
        columns += rate_columns(ctx, transition.label, rates, best_against=transition.rate)
        row += [transition.rate, ctx.counts(team.pass_counts(k))]
    for k, stage in enumerate(team.stages[:-1]):
        rates = [m.loss_counts(k) for m in metrics]
        columns += rate_columns(ctx, t("col.stage_loss_rate", stage=stage.stage), rates)
        row += [stage.loss_rate, ctx.counts(team.loss_counts(k))]
    win_col = first_col + len(columns)
    columns += rate_columns(ctx, t("col.win_rate"), [m.win for m in metrics])
    row += [team.win_rate, ctx.counts(team.win)]
    return columns, row, first_col if team.transitions else None, win_col


def _figure_columns(ctx: Context, metrics: list[FunnelMetrics]) -> list[Column]:
    t, unit = ctx.t, ctx.unit
    return [
        Column(t("col.win_rate_amount"), [m.win_rate_amount for m in metrics], "pct"),
        Column(t("col.avg_cycle"), [m.cycle_mean for m in metrics], "days1"),
        Column(t("col.median_cycle"), [m.cycle_median for m in metrics], "days1"),
        Column(t("col.avg_lost_cycle"), [m.lost_cycle_mean for m in metrics], "days1"),
        Column(t("col.pipeline", unit=unit), [m.pipeline for m in metrics], "amount"),
        Column(t("col.weighted_pipeline", unit=unit), [m.weighted_pipeline for m in metrics], "amount"),
        Column(t("col.stalled"), [m.stalled for m in metrics], "int"),
        Column(t("col.snoozed"), [m.snoozed for m in metrics], "int"),
    ]


def _figure_row(team: FunnelMetrics) -> list:
    return [
        team.win_rate_amount, team.cycle_mean, team.cycle_median, team.lost_cycle_mean,
        team.pipeline, team.weighted_pipeline, team.stalled, team.snoozed,
    ]


def rate_columns(
    ctx: Context, label: str, rates: Sequence[Rate], *, best_against: float | None = None,
) -> list[Column]:
    """A rate as two columns: the rate (greyed when a small sample, green bold when the best) and
    its k/n with the 95% interval."""
    min_sample = ctx.min_sample
    winners = (
        best_rates(rates, best_against, min_sample) if best_against is not None
        else [False] * len(rates)
    )
    small = [r.small(min_sample) for r in rates]
    return [
        Column(
            label, [r.value for r in rates], "pct",
            width=max(12, display_width(label) / 2 + 2),
            formats=["best" if w else "pct_small" if sm else "pct" for w, sm in zip(winners, small, strict=True)],
        ),
        Column(
            ctx.t("counts.header", label=label), [ctx.counts(r) for r in rates],
            width=20, formats=["small" if sm else None for sm in small],
        ),
    ]


def owner_quality_table(ctx: Context, sheet, row: int, groups: dict[str, FunnelMetrics]) -> int:
    """Below 负责人对比: each rep's data hygiene score with its parts, drift, target and coverage.
    Returns the row after the table."""
    quality = ctx.quality
    targets = dict(ctx.rules.targets)
    names = list(groups) + [n for n in quality.hygiene if n not in groups]
    t = ctx.t
    sheet.write_string(row, 0, t("quality.owners.title"), ctx.formats("subtitle"))
    sheet.write_string(
        row + 1, 0, t("quality.owners.note", sheet=ctx.sheets["quality"]), ctx.formats("note"),
    )
    columns = hygiene_columns(ctx, names, quality)
    columns += [
        Column(t("quality.drift_count"), [quality.drift_count(n) for n in names], "int"),
        Column(t("quality.target", unit=ctx.unit), [targets.get(n) for n in names], "amount"),
        Column(
            t("quality.weighted", unit=ctx.unit),
            [groups[n].weighted_pipeline if n in groups else None for n in names], "amount",
        ),
        Column(
            t("quality.coverage"), [coverage(groups.get(n), targets.get(n)) for n in names], "pct",
        ),
    ]
    head = row + 2
    write_header(sheet, ctx.formats, head, columns)
    end = ctx.rows(sheet, head + 1, columns)
    _team_hygiene_row(ctx, sheet, end)
    if end > head + 1:
        sheet.conditional_format(
            head + 1, 1, end - 1, 1, {"type": "3_color_scale", **GOOD_HIGH, "min_type": "num",
                                      "min_value": 0, "max_type": "num", "max_value": 100,
                                      "mid_type": "num", "mid_value": 70}
        )
    return end + 1


def _team_hygiene_row(ctx: Context, sheet, row: int) -> None:
    quality = ctx.quality
    team = quality.team_hygiene
    write_value(sheet, row, 0, ctx.t("col.team"), ctx.formats("total_label"))
    write_value(sheet, row, 1, team.score, ctx.formats("score"))
    for i, part in enumerate(HYGIENE_PARTS):
        p = team.part(part)
        write_value(sheet, row, 2 + 2 * i, p.earned, ctx.formats("score"))
        write_value(sheet, row, 3 + 2 * i, f"{p.failing}/{p.applicable}", None)
    write_value(sheet, row, 2 + 2 * len(HYGIENE_PARTS), len(quality.drift), ctx.formats("total_int"))


def source_chart(
    ctx: Context, sheet, columns: Sequence[Column], head: int, end: int, win_col: int,
    first_rate_col: int | None, below: int,
) -> None:
    """Win rate (and first-transition pass rate) per source, from the table above the chart
    (``columns``, written from row ``head``)."""
    chart = ctx.workbook.add_chart({"type": "column"})
    name = ctx.sheets["sources"]
    categories = [name, head + 1, 0, end - 1, 0]
    sources = columns[0].values
    chart.add_series(
        {
            "name": [name, head, win_col],
            "categories": categories,
            "values": [name, head + 1, win_col, end - 1, win_col],
            **cached(sources, columns[win_col].values, columns[win_col].header),
            "data_labels": {"value": True, "num_format": "0%"},
            "fill": {"color": "#4472C4"},
        }
    )
    if first_rate_col is not None:
        chart.add_series(
            {
                "name": [name, head, first_rate_col],
                "categories": categories,
                "values": [name, head + 1, first_rate_col, end - 1, first_rate_col],
                **cached(sources, columns[first_rate_col].values, columns[first_rate_col].header),
                "fill": {"color": "#A5A5A5"},
            }
        )
    chart.set_title({"name": ctx.t("chart.sources")})
    chart.set_y_axis(
        {"num_format": "0%", "min": 0, "max": 1, "major_gridlines": {"visible": True}}
    )
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 340})
    sheet.insert_chart(below + 2, 0, chart)


def flag_texts(flags: list[ChannelFlag], t: Catalogue) -> dict[str, str]:
    """Each flagged channel's text for 渠道分析, e.g. "赢单率 < 10%（2024-03、2024-04、2024-05）"."""
    texts: dict[str, list[str]] = {}
    for f in flags:
        texts.setdefault(f.source, []).append(
            t("flag.text", metric=t(f"channel_metric.{f.metric}"), limit=percent_text(f.limit), months=t.join(f.months))
        )
    return {source: t("flag.sep").join(parts) for source, parts in texts.items()}
