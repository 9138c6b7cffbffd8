"""趋势: the last twelve months side by side (months as columns) and line charts of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..flow import MonthFigures
from ..forecast import add_months
from .context import BASIS_KEYS, Context, labels
from .table import cached

_HEAD = 3  # the months' header row


@dataclass(frozen=True)
class _Names:
    """The rows' labels the charts pick their series by."""

    pass_rate: list[str]
    period_rate: list[str]
    pipeline: str
    weighted: str
    new: str
    won: str
    lost: str
    cycle: str
    period_cycle: str


def write_trend(ctx: Context) -> None:
    t = ctx.t
    months = ctx.flow.trend
    sheet, cells = ctx.start(
        ctx.sheets["trend"], t("trend.title", count=len(months), as_of=ctx.as_of_text), t("trend.note")
    )
    names = _names(ctx)
    rows = _rows(ctx, names)
    cells.put(_HEAD, 0, t("col.metric"), "header")
    cells.put(_HEAD + 1, 0, t("trend.basis"), "label")
    cells.put(_HEAD + 2, 0, t("trend.as_of"), "label")
    basis = labels(t, BASIS_KEYS)
    month_labels = [trend_month_label(ctx, i) for i in range(len(months))]
    for c, month in enumerate(months, start=1):
        cells.put(_HEAD, c, month_labels[c - 1], "header")
        cells.put(_HEAD + 1, c, basis.get(month.basis) if month else t("trend.no_data"))
        cells.put(_HEAD + 2, c, month.as_of if month else None, "date")
    first = _HEAD + 3
    where: dict[str, int] = {}
    shown: dict[str, list] = {}  # each row's values, for the charts' cached data
    for r, (label, value, kind) in enumerate(rows, start=first):
        where[label] = r
        shown[label] = [value(month) if month is not None else None for month in months]
        cells.put(r, 0, label, "label")
        for c, figure in enumerate(shown[label], start=1):
            cells.put(r, c, figure, kind)
    cells.flush()
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, max(len(months), 1), 11)
    sheet.set_row(_HEAD, 20)
    sheet.freeze_panes(_HEAD + 1, 1)
    _charts(ctx, sheet, names, where, shown, month_labels, first + len(rows) + 2)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


def _names(ctx: Context) -> _Names:
    t = ctx.t
    transitions = [x.label for x in ctx.figures.transitions]
    return _Names(
        pass_rate=[t("trend.pass_rate", label=label) for label in transitions],
        period_rate=[t("trend.period_pass_rate", label=label) for label in transitions],
        pipeline=t("col.pipeline", unit=ctx.unit),
        weighted=t("col.weighted_pipeline", unit=ctx.unit),
        new=t("flow.new"), won=t("flow.won"), lost=t("flow.lost"),
        cycle=t("trend.cycle_mean"), period_cycle=t("trend.period_cycle"),
    )


def _rows(ctx: Context, n: _Names) -> list[tuple[str, Callable[[MonthFigures], Any], str]]:
    """Each row's label, how to read it off a month, and its kind."""
    t = ctx.t
    transitions = [x.label for x in ctx.figures.transitions]
    return [
        (t("trend.leads"), lambda m: m.leads, "int"),
        (t("trend.active"), lambda m: m.active, "int"),
        (n.new, lambda m: m.new_leads, "int"),
        (n.won, lambda m: m.won, "int"),
        (n.lost, lambda m: m.lost, "int"),
        (t("col.win_rate"), lambda m: m.win_rate, "pct"),
        *((name, lambda m, k=label: m.pass_rates.get(k), "pct") for name, label in zip(n.pass_rate, transitions, strict=True)),
        (n.cycle, lambda m: m.cycle_mean, "days1"),
        (n.period_cycle, lambda m: m.period_cycle_mean, "days1"),
        (n.pipeline, lambda m: m.pipeline, "amount"),
        (n.weighted, lambda m: m.weighted_pipeline, "amount"),
        *((name, lambda m, k=label: m.period_pass_rates.get(k), "pct") for name, label in zip(n.period_rate, transitions, strict=True)),
    ]


def _charts(
    ctx: Context, sheet, n: _Names, where: dict[str, int], shown: dict[str, list],
    month_labels: list[str], chart_row: int,
) -> None:
    """Five line charts, two abreast, below the table."""
    t, name, last_col = ctx.t, ctx.sheets["trend"], len(month_labels)
    charts = (
        (t("trend.chart.rates"), [t("col.win_rate"), *n.pass_rate], "0%"),
        (t("trend.chart.period_rates"), n.period_rate, "0%"),
        (t("trend.chart.pipeline", unit=ctx.unit), [n.pipeline, n.weighted], "#,##0"),
        (t("trend.chart.leads"), [n.new, n.won, n.lost], "0"),
        (t("trend.chart.cycle"), [n.cycle, n.period_cycle], "0"),
    )
    for i, (title, series, number_format) in enumerate(charts):
        chart = ctx.workbook.add_chart({"type": "line"})
        for label in series:
            r = where[label]
            chart.add_series(
                {
                    "name": [name, r, 0],
                    "categories": [name, _HEAD, 1, _HEAD, last_col],
                    "values": [name, r, 1, r, last_col],
                    **cached(month_labels, shown[label], label),
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


def trend_month_label(ctx: Context, i: int) -> str:
    month = ctx.flow.trend[i]
    if month is not None:
        return month.month
    # A month without data sits between months that have it: count back from the last one.
    return add_months(ctx.flow.trend[-1].month, -(len(ctx.flow.trend) - 1 - i))
