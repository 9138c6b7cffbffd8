"""趋势: the last twelve periods (months, or weeks for a weekly run) side by side, as columns, and
line charts of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..flow import MonthFigures
from ..period import PeriodKind, period_of, previous_periods
from ..wording import period_words
from .context import BASIS_KEYS, Context, labels
from .table import cached

_HEAD = 3  # the months' header row
# A row: the key the charts pick it by, its label, how to read it off a month, its kind.
_Row = tuple[str, str, Callable[[MonthFigures], Any], str]


def write_trend(ctx: Context) -> None:
    t = ctx.t
    months = ctx.flow.trend
    weekly = period_of(ctx.period, ctx.as_of).kind == PeriodKind.WEEK
    title = t("trend.title.weeks" if weekly else "trend.title", count=len(months), as_of=ctx.as_of_text)
    sheet, cells = ctx.start(ctx.sheets["trend"], title, t("trend.note"))
    rows = _rows(ctx)
    cells.put(_HEAD, 0, t("col.metric"), "header")
    cells.put(_HEAD + 1, 0, t("trend.basis"), "label")
    cells.put(_HEAD + 2, 0, t("trend.as_of"), "label")
    basis = labels(t, BASIS_KEYS)
    month_labels = trend_labels(ctx)
    for c, month in enumerate(months, start=1):
        cells.put(_HEAD, c, month_labels[c - 1], "header")
        cells.put(_HEAD + 1, c, basis.get(month.basis) if month else t("trend.no_data"))
        cells.put(_HEAD + 2, c, month.as_of if month else None, "date")
    first = _HEAD + 3
    where: dict[str, tuple[int, str]] = {}
    shown: dict[str, list] = {}  # each row's values, for the charts' cached data
    for r, (key, label, value, kind) in enumerate(rows, start=first):
        where[key] = (r, label)
        shown[key] = [value(month) if month is not None else None for month in months]
        cells.put(r, 0, label, "label")
        for c, figure in enumerate(shown[key], start=1):
            cells.put(r, c, figure, kind)
    cells.flush()
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, max(len(months), 1), 11)
    sheet.freeze_panes(_HEAD + 1, 1)
    _charts(ctx, sheet, where, shown, month_labels, first + len(rows) + 2)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


def _rows(ctx: Context) -> list[_Row]:
    t, unit = ctx.t, ctx.unit
    this = period_words(t, period_of(ctx.period, ctx.as_of).kind)["this_in"]
    transitions = [x.label for x in ctx.figures.transitions]
    return [
        ("leads", t("trend.leads"), lambda m: m.leads, "int"),
        ("active", t("trend.active"), lambda m: m.active, "int"),
        ("new", t("flow.new", this_in=this), lambda m: m.new_leads, "int"),
        ("won", t("flow.won", this_in=this), lambda m: m.won, "int"),
        ("lost", t("flow.lost", this_in=this), lambda m: m.lost, "int"),
        ("period_win_rate", t("trend.period_win_rate"), lambda m: m.period_win_rate, "pct"),
        ("cycle", t("trend.cycle_mean"), lambda m: m.cycle_mean, "days1"),
        ("period_cycle", t("trend.period_cycle"), lambda m: m.period_cycle_mean, "days1"),
        ("pipeline", t("col.pipeline", unit=unit), lambda m: m.pipeline, "amount"),
        ("weighted", t("col.weighted_pipeline", unit=unit), lambda m: m.weighted_pipeline, "amount"),
        *(
            (
                f"period_pass:{label}", t("trend.period_pass_rate", label=label),
                lambda m, k=label: m.period_pass_rates.get(k), "pct",
            )
            for label in transitions
        ),
    ]


def _charts(
    ctx: Context, sheet, where: dict[str, tuple[int, str]], shown: dict[str, list],
    month_labels: list[str], chart_row: int,
) -> None:
    """Four line charts, two abreast, below the table."""
    t, name, last_col = ctx.t, ctx.sheets["trend"], len(month_labels)
    transitions = [x.label for x in ctx.figures.transitions]
    charts = (
        (t("trend.chart.rates"), ["period_win_rate", *(f"period_pass:{x}" for x in transitions)], "0%"),
        (t("trend.chart.pipeline", unit=ctx.unit), ["pipeline", "weighted"], "#,##0"),
        (t("trend.chart.leads"), ["new", "won", "lost"], "0"),
        (t("trend.chart.cycle"), ["cycle", "period_cycle"], "0"),
    )
    for i, (title, series, number_format) in enumerate(charts):
        chart = ctx.workbook.add_chart({"type": "line"})
        for key in series:
            r, label = where[key]
            chart.add_series(
                {
                    "name": [name, r, 0],
                    "categories": [name, _HEAD, 1, _HEAD, last_col],
                    "values": [name, r, 1, r, last_col],
                    **cached(month_labels, shown[key], label),
                    "marker": {"type": "circle", "size": 5},
                }
            )
        chart.set_title({"name": title})
        axis = {"num_format": number_format, "major_gridlines": {"visible": True}}
        if number_format == "0%":
            axis.update({"min": 0, "max": 1})
        chart.set_y_axis(axis)
        chart.set_legend({"position": "bottom"})
        chart.show_blanks_as("gap")
        chart.set_size({"width": 560, "height": 300})
        sheet.insert_chart(chart_row + (i // 2) * 16, (i % 2) * 7, chart)


def trend_labels(ctx: Context) -> list[str]:
    """Each trend column's period (a month, week or span), a period without data included."""
    periods = previous_periods(period_of(ctx.period, ctx.as_of), len(ctx.flow.trend))
    return [p.key for p in periods]
