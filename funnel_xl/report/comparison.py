"""负责人对比 / 渠道分析 (and one sheet per further dimension): first a compact table of each group's
month and standing, sorted by won 万元 this month; then each stage's pass rate per group, the
leader of each transition marked; on 负责人对比 the leading rep of each transition named."""

from __future__ import annotations

from collections.abc import Sequence

from ..cells import write_value
from ..flow import ChannelFlag
from ..messages import Catalogue
from ..metrics import FunnelMetrics, Rate
from ..period import PeriodKind
from ..standings import Leader, Standing
from ..text import percent_text
from ..wording import period_words
from .context import Context
from .table import Cells, Column, cached, column_width, set_widths

_HEAD = 3  # the compact table's header row (its subtitle above it)
_LOW_MONTHS_WIDTH = 40
_SMALL_COLOR = "#E7E6E6"  # a small sample's bar, as its grey cell in the tables


def write_comparison(
    ctx: Context, name: str, key_header: str, key: str, groups: dict[str, FunnelMetrics], *,
    chart: bool, flags: dict[str, str] | None = None,
) -> None:
    """``key``: the standings' key ("owner", "source" or the dimension's field)."""
    t = ctx.t
    words = period_words(t, _kind(ctx))
    sheet, cells = ctx.start(
        name,
        t("compare.title", name=name, as_of=ctx.as_of_text),
        t("compare.note", min_sample=ctx.min_sample, small=t("small_sample"), **words),
    )
    cells.put(_HEAD - 1, 0, t("compare.standings", **words), "subtitle")
    cells.flush()
    rows = ctx.standings.get(key, ())
    owners = name == ctx.sheets["owners"]
    columns = standing_columns(ctx, key_header, rows, hygiene=owners)
    # A low channel is counted in months: a week's or a span's report flags none, so shows no column.
    if flags is not None and _kind(ctx) == PeriodKind.MONTH:
        columns.append(
            Column(
                t("col.low_months", months=ctx.rules.thresholds.low_channel_months),
                [flags.get(s.name) for s in rows], width=_LOW_MONTHS_WIDTH,
                formats=["red" if s.name in flags else None for s in rows],
            )
        )
    end = ctx.table(sheet, _HEAD, columns)
    _team_row(ctx, sheet, end, _team_values(ctx, len(columns), hygiene=owners))
    order = [s.name for s in rows]
    rates_head = end + 3
    sheet.write_string(rates_head - 1, 0, t("compare.pass_rates"), ctx.formats("subtitle"))
    rate_cols = pass_rate_columns(ctx, key_header, order, groups, leaders=owners)
    rates_end = ctx.table(sheet, rates_head, rate_cols)
    team = ctx.team
    _team_row(ctx, sheet, rates_end, [
        (t("col.team"), "total_label"),
        *((tr.rate, rate_format("total_pct", tr.counts)) for tr in team.transitions),
    ])
    last = rates_end + 1
    if owners:
        last = leaders_block(ctx, sheet, last + 1)
    widths = [max(a, b) for a, b in _paired_widths(columns, rate_cols)]
    set_widths(sheet, [Column("", [], width=w) for w in widths])
    sheet.freeze_panes(_HEAD + 1, 1)
    if chart and rows:
        source_chart(ctx, sheet, rows, (_HEAD, end), (rates_head, rates_end), last)


def _kind(ctx: Context) -> PeriodKind:
    review = ctx.view.month_review
    return review.kind if review is not None else PeriodKind.MONTH


def _paired_widths(a: Sequence[Column], b: Sequence[Column]):
    for c in range(max(len(a), len(b))):
        yield (
            column_width(a[c]) if c < len(a) else 8.0,
            column_width(b[c]) if c < len(b) else 8.0,
        )


def rate_format(base: str, rate: Rate) -> str:
    """A rate's cell format name: the rate as a whole percent followed by its k/n, e.g. 78%（18/23）."""
    return f'{base}@0%"（{rate.k}/{rate.n}）"' if rate.n else base


def amount_format(base: str, count: int) -> str:
    """An amount followed by its count of leads, e.g. 553.0（11）."""
    return f'{base}@#,##0.0"（{count}）"'


def standing_columns(
    ctx: Context, key_header: str, rows: Sequence[Standing], *, hygiene: bool
) -> list[Column]:
    """The compact table: at most 12 columns (see :mod:`funnel_xl.standings`)."""
    t, unit, min_sample = ctx.t, ctx.unit, ctx.min_sample
    kind = _kind(ctx)
    words = period_words(t, kind)
    columns = [
        Column(key_header, [s.name for s in rows]),
        Column(t("col.leads"), [s.leads for s in rows], "int"),
        Column(t("standing.new", **words), [s.new_this_month for s in rows], "int"),
        Column(
            t("standing.won_month", unit=unit, **words), [s.won_amount_this_month for s in rows], "amount",
            formats=[amount_format("amount", s.won_this_month) for s in rows],
        ),
        Column(
            t("standing.won", unit=unit), [s.won_amount for s in rows], "amount",
            formats=[amount_format("amount", s.win.k) for s in rows],
        ),
        Column(
            t("standing.win_rate"), [s.win.value for s in rows], "pct",
            formats=[rate_format("pct_small" if s.win.small(min_sample) else "pct", s.win) for s in rows],
        ),
        Column(t("standing.average_deal", unit=unit), [s.average_deal for s in rows], "amount"),
        Column(t("col.median_cycle"), [s.cycle_median for s in rows], "days1"),
        Column(t("col.pipeline", unit=unit), [s.pipeline for s in rows], "amount"),
        Column(t("col.weighted_pipeline", unit=unit), [s.weighted_pipeline for s in rows], "amount"),
    ]
    if any(s.attainment is not None for s in rows):
        heading = "standing.attainment" if kind == PeriodKind.MONTH else "standing.attainment.prorated"
        columns.append(Column(t(heading, **words), [s.attainment for s in rows], "pct"))
    if hygiene:
        scores = ctx.quality.hygiene
        columns.append(
            Column(
                t("quality.score"),
                [scores[s.name].score if s.name in scores else None for s in rows], "score",
            )
        )
    return columns


def _team_values(ctx: Context, width: int, *, hygiene: bool) -> list[tuple[object, str]]:
    s = ctx.team_standing
    rows = ctx.standings.get("owner", ()) if hygiene else ()
    values: list[tuple[object, str]] = [
        (ctx.t("col.team"), "total_label"),
        (s.leads, "total_int"),
        (s.new_this_month, "total_int"),
        (s.won_amount_this_month, amount_format("total_amount", s.won_this_month)),
        (s.won_amount, amount_format("total_amount", s.win.k)),
        (s.win.value, rate_format("total_pct", s.win)),
        (s.average_deal, "total_amount"),
        (s.cycle_median, "total_days1"),
        (s.pipeline, "total_amount"),
        (s.weighted_pipeline, "total_amount"),
    ]
    if any(r.attainment is not None for r in rows):
        values.append((s.attainment, "total_pct"))
    if hygiene:
        values.append((ctx.quality.team_hygiene.score, "total_score"))
    return values + [(None, "total_blank")] * (width - len(values))


def _team_row(ctx: Context, sheet, row: int, values: Sequence[tuple[object, str]]) -> None:
    for c, (value, fmt) in enumerate(values):
        if value is None:
            sheet.write_blank(row, c, None, ctx.formats(fmt))
        else:
            write_value(sheet, row, c, value, ctx.formats(fmt))


def pass_rate_columns(
    ctx: Context, key_header: str, order: Sequence[str], groups: dict[str, FunnelMetrics], *,
    leaders: bool,
) -> list[Column]:
    """Each transition's pass rate per group with its k/n; small samples grey; on 负责人对比 the
    transition's leading rep green."""
    min_sample = ctx.min_sample
    leading = {(lead.transition, lead.name) for lead in ctx.leaders if lead is not None} if leaders else set()
    columns = [Column(key_header, list(order))]
    for k, transition in enumerate(ctx.team.transitions):
        rates = [groups[name].pass_counts(k) for name in order]
        columns.append(
            Column(
                transition.label, [r.value for r in rates], "pct", width=16,
                formats=[
                    rate_format(
                        "best" if (transition.label, name) in leading
                        else "pct_small" if r.small(min_sample) else "pct", r,
                    )
                    for name, r in zip(order, rates, strict=True)
                ],
            )
        )
    return columns


def leader_lines(ctx: Context, *, named_only: bool = False) -> list[str]:
    """Each transition's leading rep in words, e.g. "需求挖掘→方案提案：张伟 78%（18/23），团队 61%";
    ``named_only``: only the transitions somebody leads."""
    t = ctx.t
    lines = []
    for transition, lead in zip(ctx.team.transitions, ctx.leaders, strict=False):
        if lead is None and named_only:
            continue
        if lead is None:
            lines.append(t("leader.none", transition=transition.label, min_sample=ctx.min_sample))
        else:
            lines.append(leader_text(t, lead))
    return lines


def leader_text(t: Catalogue, lead: Leader) -> str:
    return t(
        "leader.line", transition=lead.transition, name=lead.name, rate=percent_text(lead.rate.value),
        k=lead.rate.k, n=lead.rate.n, team=percent_text(lead.team_rate),
    )


def leaders_block(ctx: Context, sheet, row: int, *, named_only: bool = False) -> int:
    """The leading rep of each transition, in words; returns the row after the block."""
    lines = leader_lines(ctx, named_only=named_only)
    if not lines:
        return row
    cells = Cells(sheet, ctx.formats)
    cells.put(row, 0, ctx.t("leader.title"), "subtitle")
    cells.put(row + 1, 0, ctx.t("leader.note", min_sample=ctx.min_sample), "note")
    for i, line in enumerate(lines, start=row + 2):
        cells.put(i, 0, line)
    cells.flush()
    return row + 2 + len(lines)


def source_chart(
    ctx: Context, sheet, rows: Sequence[Standing], standing: tuple[int, int],
    rates: tuple[int, int], below: int,
) -> None:
    """Win rate and first-transition pass rate per channel, from the two tables above the chart
    (each a (header row, row after the last) pair). Small samples grey, as in the tables."""
    chart = ctx.workbook.add_chart({"type": "column"})
    name = sheet.name
    head, end = standing
    categories = [name, head + 1, 0, end - 1, 0]
    win_col = 5
    small = [s.win.small(ctx.min_sample) for s in rows]
    names = [s.name for s in rows]
    chart.add_series(
        {
            "name": [name, head, win_col],
            "categories": categories,
            "values": [name, head + 1, win_col, end - 1, win_col],
            **cached(names, [s.win.value for s in rows], ctx.t("standing.win_rate")),
            "data_labels": {"value": True, "num_format": "0%"},
            "fill": {"color": "#4472C4"},
            "points": [{"fill": {"color": _SMALL_COLOR}} if sm else None for sm in small],
        }
    )
    if ctx.team.transitions:
        first = [ctx.view.by_source[s.name].pass_counts(0) for s in rows]
        r_head, r_end = rates
        chart.add_series(
            {
                "name": [name, r_head, 1],
                "categories": categories,
                "values": [name, r_head + 1, 1, r_end - 1, 1],
                **cached(names, [r.value for r in first], ctx.team.transitions[0].label),
                "fill": {"color": "#A5A5A5"},
                "points": [
                    {"fill": {"color": _SMALL_COLOR}} if r.small(ctx.min_sample) else None for r in first
                ],
            }
        )
    chart.set_title({"name": ctx.t("chart.sources")})
    chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 340})
    sheet.insert_chart(below + 2, 0, chart)
    sheet.write_string(below + 1, 0, ctx.t("chart.small_note", small=ctx.t("small_sample")), ctx.formats("note"))



def flag_texts(flags: list[ChannelFlag], t: Catalogue) -> dict[str, str]:
    """Each flagged channel's text for 渠道分析, e.g. "赢单率 < 10%（2024-03、2024-04、2024-05）"."""
    texts: dict[str, list[str]] = {}
    for f in flags:
        texts.setdefault(f.source, []).append(
            t("flag.text", metric=t(f"channel_metric.{f.metric}"), limit=percent_text(f.limit), months=t.join(f.months))
        )
    return {source: t("flag.sep").join(parts) for source, parts in texts.items()}
