"""总览: the key figures with their definitions, a pointer to 运行信息, and the funnel chart."""

from __future__ import annotations

from pathlib import Path

from ..analysis import skipped_without_stage
from ..problems import Severity, count_by_severity
from ..wording import count_or_unknown, unknown_notes
from .context import Context
from .table import Cells, cached, label_width

# Where each key figure's value sits on 总览 (label in column A, value in B, definition in C).
FIRST_ROW = 4  # 0-based row of the first figure; row 3 is the table header
# (key, kind, whether the catalogue has a note "fig.<key>.note")
FIGURES = (
    ("total", "int", True),
    ("valid", "int", True),
    ("active", "int", True),
    ("won", "int", False),
    ("lost", "int", True),
    ("excluded", "int", True),
    ("win_rate", "pct", True),
    ("overall_conversion", "pct", True),
    ("cycle_mean", "days1", False),
    ("cycle_median", "days1", False),
    ("pipeline", "amount", True),
    ("weighted_pipeline", "amount", True),
    ("worst_transition", "text", True),
    ("worst_rate", "pct", True),
    ("stalled", "int", True),
    ("overdue", "int", True),
    ("stale", "int", True),
    ("close_past", "int", True),
    ("errors", "int", True),
    ("warnings", "int", True),
    ("win_rate_amount", "pct", True),
    ("lost_cycle_mean", "days1", True),
    ("lost_cycle_median", "days1", False),
    ("snoozed", "int", True),
    ("hygiene", "days1", True),
    ("drift", "int", True),
)
OVERVIEW_CELLS = {key: f"B{FIRST_ROW + i + 1}" for i, (key, *_rest) in enumerate(FIGURES)}
# The funnel chart's data: a small table to the right of the chart on 总览.
CHART_DATA_COL = 13  # column N


def write_overview(ctx: Context) -> None:
    t = ctx.t
    sheet = ctx.add_sheet(ctx.sheets["overview"])
    sheet.hide_gridlines(2)
    cells = Cells(sheet, ctx.formats)
    inputs = ", ".join(t("overview.input", name=i.name, sheet=i.sheet) for i in ctx.inputs) or "—"
    ctx.title(
        cells,
        t("overview.title", as_of=ctx.as_of_text),
        t("overview.subtitle", period=ctx.period, inputs=inputs),
    )
    values, notes = _figures(ctx), _notes(ctx)
    for c, key in enumerate(("col.metric", "col.value", "col.note")):
        cells.put(FIRST_ROW - 1, c, t(key), "header")
    for i, (key, kind, has_note) in enumerate(FIGURES):
        row = FIRST_ROW + i
        cells.put(row, 0, t(f"fig.{key}", unit=ctx.unit), "label")
        cells.put(row, 1, values[key], None if kind == "text" else kind)
        note = notes[key] if key in notes else (t(f"fig.{key}.note") if has_note else None)
        cells.put(row, 2, note or None, "note")
    labels = [t(f"fig.{key}", unit=ctx.unit) for key, *_ in FIGURES]
    finish_overview(ctx, sheet, cells, len(FIGURES), label_width(labels), ((1, 1, 22), (2, 2, 44)))


def _figures(ctx: Context) -> dict[str, object]:
    team = ctx.figures
    problems = count_by_severity(ctx.problems)
    worst = team.worst_transition
    return {
        "total": team.totals.total,
        "valid": team.totals.valid,
        "active": team.totals.active,
        "won": team.totals.won,
        "lost": team.totals.lost,
        "excluded": team.totals.excluded,
        "win_rate": team.win_rate,
        "overall_conversion": team.overall_conversion,
        "cycle_mean": count_or_unknown(team.cycle_mean, team.won_undated, ctx.t("fig.unknown")),
        "cycle_median": count_or_unknown(team.cycle_median, team.won_undated, ctx.t("fig.unknown")),
        "pipeline": team.pipeline,
        "weighted_pipeline": team.weighted_pipeline,
        "worst_transition": None if worst is None else worst.label,
        "worst_rate": None if worst is None else worst.rate,
        "stalled": count_or_unknown(team.stalled, team.dwell_unknown, ctx.t("fig.unknown")),
        "overdue": team.overdue,
        "stale": team.stale,
        "close_past": team.close_past,
        "errors": problems[Severity.ERROR],
        "warnings": problems[Severity.WARNING],
        "win_rate_amount": team.win_rate_amount,
        "lost_cycle_mean": team.lost_cycle_mean,
        "lost_cycle_median": team.lost_cycle_median,
        "snoozed": team.snoozed,
        "hygiene": ctx.quality.team_hygiene.score,
        "drift": len(ctx.quality.drift),
    }


def _notes(ctx: Context) -> dict[str, str | None]:
    t, team = ctx.t, ctx.figures
    unknown = unknown_notes(t, team)
    return {
        **({"stalled": unknown["stalled"]} if "stalled" in unknown else {}),
        "cycle_mean": t("fig.cycle_mean.note", count=team.cycle_count) + unknown.get("won", ""),
        "lost_cycle_mean": t("fig.lost_cycle_mean.counted", count=team.lost_cycle_count),
        "win_rate": ctx.counts(team.win),
        "worst_transition": (
            t("fig.worst_transition.note", min_sample=ctx.min_sample)
            + ("" if team.worst_transition is not None else t("fig.worst_transition.none"))
        ),
    }


def finish_overview(
    ctx: Context, sheet, cells: Cells, figures: int, first_width: float,
    widths: tuple[tuple[int, int, float], ...],
) -> None:
    """Below the figures the inputs line, beside them the funnel chart; then the page set-up:
    printed (and rendered to PDF) as one landscape page, figures and chart without the chart's
    data table."""
    overview_inputs(ctx, cells, FIRST_ROW + figures + 1)
    funnel_chart(ctx, sheet, cells)
    last_row = max(row for row, *_ in cells.cells)
    cells.flush()
    sheet.set_column(0, 0, first_width)
    for first, last, width in widths:
        sheet.set_column(first, last, width)
    sheet.set_column(CHART_DATA_COL, CHART_DATA_COL + 2, 12)
    sheet.freeze_panes(FIRST_ROW, 0)
    sheet.print_area(0, 0, last_row, CHART_DATA_COL - 1)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 1)


def overview_inputs(ctx: Context, cells: Cells, row: int) -> None:
    """One line pointing at 运行信息, where the inputs, rules, history and versions are recorded."""
    t = ctx.t
    rules_name = Path(ctx.rules.source_path).name
    flow = ctx.flow
    if ctx.history is not None:
        previous = (
            t("inputs.previous", month=flow.previous_month) if flow.previous_month
            else t("inputs.no_previous")
        )
        # The file name only, like the rules file's: the report does not depend on the folder.
        history = t("inputs.history", store=Path(ctx.history).name, previous=previous)
    else:
        history = t("inputs.no_history")
    cells.put(
        row, 0,
        t(
            "inputs.line", files=len(ctx.inputs), entries=flow.log_entries,
            history=history, rules=rules_name, sha=ctx.rules.sha256[:12], sheet=ctx.sheets["run"],
        ),
        "note",
    )
    skipped = skipped_without_stage(ctx.inputs)
    if skipped:
        cells.put(row + 1, 0, t("inputs.skipped", count=skipped), "note")


def funnel_chart(ctx: Context, sheet, cells: Cells) -> None:
    """The standard funnel: a stacked bar with an invisible padding series centring each bar."""
    top = FIRST_ROW - 1
    col = CHART_DATA_COL
    stages = ctx.figures.stages
    widest = max((s.reached for s in stages), default=0)
    t = ctx.t
    overview = ctx.sheets["overview"]
    cells.put(top - 1, col, t("chart.funnel_data"), "subtitle")
    for c, text in enumerate((t("col.stage"), t("col.reached"), t("chart.padding"))):
        cells.put(top, col + c, text, "header")
    for k, stage in enumerate(stages):
        cells.put(top + 1 + k, col, stage.stage)
        cells.put(top + 1 + k, col + 1, stage.reached, "int")
        cells.put(top + 1 + k, col + 2, (widest - stage.reached) / 2, "padding")
    first, last = top + 1, top + len(stages)
    chart = ctx.workbook.add_chart({"type": "bar", "subtype": "stacked"})
    categories = [overview, first, col, last, col]
    names = [stage.stage for stage in stages]
    chart.add_series(
        {
            "name": t("chart.padding"),
            "categories": categories,
            "values": [overview, first, col + 2, last, col + 2],
            **cached(names, [(widest - stage.reached) / 2 for stage in stages]),
            "fill": {"none": True},
            "border": {"none": True},
            "gap": 15,
        }
    )
    chart.add_series(
        {
            "name": t("col.reached"),
            "categories": categories,
            "values": [overview, first, col + 1, last, col + 1],
            **cached(names, [stage.reached for stage in stages]),
            "fill": {"color": "#4472C4"},
            "data_labels": {"value": True, "position": "center", "font": {"color": "#FFFFFF"}},
            "gap": 15,
        }
    )
    chart.set_title({"name": t("chart.funnel", as_of=ctx.as_of_text)})
    # In a bar chart the y axis is the category axis: reversed, so the first stage is on top.
    chart.set_y_axis({"reverse": True, "major_tick_mark": "none", "line": {"none": True}})
    value_axis = {"visible": False, "major_gridlines": {"visible": False}, "min": 0}
    if widest > 0:
        value_axis["max"] = widest
    chart.set_x_axis(value_axis)
    chart.set_legend({"none": True})
    chart.set_size({"width": 560, "height": 380})
    sheet.insert_chart(top, 4, chart, {"x_offset": 10})
