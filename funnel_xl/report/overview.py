"""总览, one landscape page read top-down: (1) 本月 — the month's results beside last month's, with
the change and, where targets are set, the target and attainment; (2) the funnel chart, each bar
labelled with its count and pass rate; (3) 需要关注 — at most five actions with their figures;
(4) the standing figures, grouped. A rep's workbook lays its own 总览 out the same way
(see :mod:`funnel_xl.report.group`)."""

from __future__ import annotations

from pathlib import Path

from ..analysis import skipped_without_stage
from ..month import MONTH_FIGURES, MonthReview, previous_period
from ..period import PeriodKind
from ..problems import Severity, count_by_severity
from ..text import display_width, percent_text
from ..wording import action_text, count_or_unknown, number_text, period_words, unknown_notes
from .context import Context
from .table import Cells, cached

MONTH_TITLE_ROW = 3
MONTH_HEAD_ROW = 4
MONTH_FIRST_ROW = 5  # the first of the month's figures (0-based)
ATTENTION_ROW = MONTH_FIRST_ROW + len(MONTH_FIGURES) + 3
STANDING_ROW = ATTENTION_ROW + 7  # 需要关注's title, up to five actions and a blank row
FIRST_ROW = STANDING_ROW + 2  # the first standing figure's group heading
LEFT_LAST_COL = 5  # the month table and the actions take columns A to F
CHART_COL = 7  # the chart from column H
PRINT_LAST_COL = 17  # printed: columns A to R
CHART_DATA_COL = 20  # the chart's data in hidden columns from U
MONTH_KINDS = {"new_leads": "int", "won": "int", "won_amount": "amount", "lost": "int", "moves": "int"}
CHANGE_KINDS = {"int": "change_int", "amount": "change_amount"}

# The standing figures, by group: (group, ((key, kind), …)).
STANDING = (
    ("pipeline", (("active", "int"), ("pipeline", "amount"), ("weighted_pipeline", "amount"))),
    ("win", (("win_rate", "pct"), ("win_rate_amount", "pct"), ("cycle_median", "days1"),
             ("won", "int"), ("lost", "int"))),
    ("follow", (("stalled", "int"), ("overdue", "int"), ("stale", "int"), ("close_past", "int"))),
    ("data", (("valid", "int"), ("excluded", "int"), ("errors", "int"), ("warnings", "int"),
              ("hygiene", "days1"))),
)


def _standing_cells() -> dict[str, str]:
    cells, row = {}, FIRST_ROW
    for _group, items in STANDING:
        for key, _kind in items:
            row += 1
            cells[key] = f"B{row + 1}"
        row += 1
    return cells


OVERVIEW_CELLS = _standing_cells()


class Page(Cells):
    """A page's cells and its merged cells (a wrapped text across several columns), written
    together in row order."""

    def __init__(self, sheet, formats):
        super().__init__(sheet, formats)
        self.merged: list[tuple[int, int, int, str, str]] = []

    def merge(self, row: int, first: int, last: int, text: str, fmt: str, height: float) -> None:
        self.merged.append((row, first, last, text, fmt))
        self.sheet.set_row(row, height)

    def flush(self) -> None:
        merged = {row: (first, last, text, fmt) for row, first, last, text, fmt in self.merged}
        rows = sorted({row for row, *_ in self.cells} | set(merged))
        by_row: dict[int, list] = {}
        for cell in self.cells:
            by_row.setdefault(cell[0], []).append(cell)
        for row in rows:
            if row in merged:
                first, last, text, fmt = merged[row]
                self.sheet.merge_range(row, first, row, last, text, self.formats(fmt))
            self.cells = sorted(by_row.get(row, []), key=lambda c: c[1])
            super().flush()
        self.merged = []


def write_overview(ctx: Context) -> None:
    t = ctx.t
    sheet = ctx.add_sheet(ctx.sheets["overview"])
    sheet.hide_gridlines(2)
    page = Page(sheet, ctx.formats)
    inputs = ", ".join(t("overview.input", name=i.name, sheet=i.sheet) for i in ctx.inputs) or "—"
    ctx.title(
        page,
        t("overview.title", as_of=ctx.as_of_text),
        t("overview.subtitle", period=ctx.period, inputs=inputs),
    )
    month_block(ctx, page)
    attention_block(ctx, page)
    values, notes = _figures(ctx), _notes(ctx)
    row = standing_block(ctx, page, lambda key: (values[key], None), notes)
    finish_overview(ctx, sheet, page, row + 1)


def month_block(ctx: Context, page: Page) -> None:
    """本月 (本周, 本期): each figure this period and the one before, the change (▲/▼) and, with
    targets, target and attainment."""
    t, review = ctx.t, ctx.view.month_review
    if review is None:
        return
    block = review.team
    period = ctx.flow.period
    words = period_words(t, review.kind)
    page.put(MONTH_TITLE_ROW, 0, t(
        "month.title", month=block.month, start=period.start.isoformat(), end=period.end.isoformat(),
        previous=block.previous_month, **words,
    ), "subtitle")
    headers = [t("col.metric"), words["this"], words["last"], t("month.col.change")]
    targets = _targets(review)
    if targets:
        headers += [t("month.col.target.prorated" if review.prorated else "month.col.target"), t("month.col.attainment")]
    for c, text in enumerate(headers):
        page.put(MONTH_HEAD_ROW, c, text, "header")
    for i, key in enumerate(MONTH_FIGURES):
        row, kind = MONTH_FIRST_ROW + i, MONTH_KINDS[key]
        page.put(row, 0, t(f"month.{key}", unit=ctx.unit), "label")
        page.put(row, 1, block.current.value(key), kind)
        page.put(row, 2, block.previous.value(key), kind)
        page.put(row, 3, block.change(key), CHANGE_KINDS[kind])
        if key in targets:
            target, ratio = targets[key]
            # A prorated target of new leads is a fraction of the month's: shown with its decimal.
            page.put(row, 4, target, "amount" if review.prorated else kind)
            page.put(row, 5, ratio, "pct")
    note_row = MONTH_FIRST_ROW + len(MONTH_FIGURES)
    note = month_note(ctx, review)
    if targets:
        note += t("month.target_note.prorated" if review.prorated else "month.target_note")
        note += t("month.team_target_note") if ctx.is_team_record else ""
    page.merge(note_row, 0, LEFT_LAST_COL, note, "wrap_note", wrapped_height(note))
    channels = channel_attainment_text(ctx, review)
    if channels:
        page.merge(note_row + 1, 0, LEFT_LAST_COL, channels, "wrap_note", wrapped_height(channels))


def month_note(ctx: Context, review: MonthReview) -> str:
    """What the block's figures count, and which period they are compared with."""
    if review.kind == PeriodKind.MONTH:
        return ctx.t("month.note", previous=review.team.previous_month)
    period = ctx.flow.period
    first, last = previous_period(review.kind, period.start, period.end)
    return ctx.t(
        f"month.note.{review.kind}", previous=review.team.previous_month,
        previous_start=first.isoformat(), previous_end=last.isoformat(),
    )


def channel_attainment_text(ctx: Context, review: MonthReview) -> str:
    """The channels with a target, each with its won amount (and new leads) against it, in one
    line; empty without channel targets (a rep's workbook shows none)."""
    t = ctx.t
    parts = []
    for name, reached in review.channel_attainment.items():
        figures = []
        if reached.won_target is not None:
            figures.append(t(
                "month.channel.won", ratio=_percent(reached.won_ratio), won=f"{reached.won_amount:,.1f}",
                target=f"{reached.won_target:,.1f}", unit=ctx.unit,
            ))
        if reached.new_leads_target is not None:
            figures.append(t(
                "month.channel.new", ratio=_percent(reached.new_leads_ratio), new=reached.new_leads,
                target=number_text(round(reached.new_leads_target, 1)),
            ))
        parts.append(t("month.channel.part", name=name, figures=t.join(figures)))
    if not parts:
        return ""
    return t(
        "month.channel.line", this=period_words(t, review.kind)["this"], parts=t("month.channel.sep").join(parts),
        basis=t("month.channel.prorated") if review.prorated else "",
    )


def _percent(ratio: float | None) -> str:
    return "—" if ratio is None else percent_text(ratio)


# Columns A:F are 24 + 5 × 11 characters wide; a wrapped line of the small fonts is about 13 points.
MERGED_WIDTH = 24 + 5 * 11
LINE_POINTS = 13


def wrapped_height(text: str) -> float:
    """The row height that shows all of ``text`` wrapped across columns A:F (LibreOffice and Excel
    do not grow a merged row by themselves)."""
    # A line holds about three quarters of the columns' width in display units: Chinese glyphs in
    # the note's font render wider than two columns' units (measured in LibreOffice's PDF).
    lines = max(1, -(-display_width(text) // (MERGED_WIDTH * 3 // 4)))
    return lines * LINE_POINTS + 4


def _targets(review: MonthReview) -> dict[str, tuple[float | None, float | None]]:
    """The month figures that have a target: (target, attainment)."""
    whole = review.team_attainment
    if whole is None:
        return {}
    out: dict[str, tuple[float | None, float | None]] = {}
    if whole.won_target is not None:
        out["won_amount"] = (whole.won_target, whole.won_ratio)
    if whole.new_leads_target is not None:
        out["new_leads"] = (whole.new_leads_target, whole.new_leads_ratio)
    return out


def attention_block(ctx: Context, page: Page) -> None:
    """需要关注: at most five actions, each one wrapped line with its figures."""
    t = ctx.t
    page.put(ATTENTION_ROW, 0, t("attention.title"), "subtitle")
    actions = ctx.view.attention
    if not actions:
        kind = ctx.view.month_review.kind if ctx.view.month_review is not None else PeriodKind.MONTH
        page.put(ATTENTION_ROW + 1, 0, t("attention.none", **period_words(t, kind)), "note")
    for i, action in enumerate(actions):
        text = f"{i + 1}. {action_text(t, action, ctx.unit)}"
        page.merge(ATTENTION_ROW + 1 + i, 0, LEFT_LAST_COL, text, "wrap", wrapped_height(text))


def standing_block(ctx: Context, page: Page, value_of, notes: dict[str, str | None], own: str = "") -> int:
    """The standing figures under their group headings; ``value_of(key)`` gives (figure, team's
    figure or None). Returns the last row written."""
    t = ctx.t
    page.put(STANDING_ROW, 0, t("standing.title", as_of=ctx.as_of_text), "subtitle")
    headers = (t("col.metric"), own or t("col.value"), *((t("col.team"),) if own else ()), t("col.note"))
    for c, text in enumerate(headers):
        page.put(STANDING_ROW + 1, c, text, "header")
    row = FIRST_ROW
    for group, items in STANDING:
        page.put(row, 0, t(f"standing.{group}"), "group")
        for key, kind in items:
            row += 1
            mine, team = value_of(key)
            # A group's hygiene score is its own, not the team's (the figure's label says 全队).
            label = t("quality.score") if own and key == "hygiene" else t(f"fig.{key}", unit=ctx.unit)
            page.put(row, 0, label, "item")
            page.put(row, 1, mine, kind)
            if own:
                page.put(row, 2, team, kind)
            page.put(row, len(headers) - 1, notes.get(key), "note")
        row += 1
    return row


def _figures(ctx: Context) -> dict[str, object]:
    team = ctx.figures
    problems = count_by_severity(ctx.problems)
    return {
        "valid": team.totals.valid,
        "active": team.totals.active,
        "won": team.totals.won,
        "lost": team.totals.lost,
        "excluded": team.totals.excluded,
        "win_rate": team.win_rate,
        "cycle_median": count_or_unknown(team.cycle_median, team.won_undated, ctx.t("fig.unknown")),
        "pipeline": team.pipeline,
        "weighted_pipeline": team.weighted_pipeline,
        "stalled": count_or_unknown(team.stalled, team.dwell_unknown, ctx.t("fig.unknown")),
        "overdue": team.overdue,
        "stale": team.stale,
        "close_past": team.close_past,
        "errors": problems[Severity.ERROR],
        "warnings": problems[Severity.WARNING],
        "win_rate_amount": team.win_rate_amount,
        "hygiene": ctx.quality.team_hygiene.score,
    }


def _notes(ctx: Context) -> dict[str, str | None]:
    t, team = ctx.t, ctx.figures
    unknown = unknown_notes(t, team)
    notes = {
        key: t(f"fig.{key}.note")
        for _group, items in STANDING for key, _kind in items if t.has(f"fig.{key}.note")
    }
    notes["win_rate"] = ctx.counts(team.win)
    notes["cycle_median"] = t("fig.cycle_median.note", count=team.cycle_count) + unknown.get("won", "")
    if "stalled" in unknown:
        notes["stalled"] = unknown["stalled"]
    return notes


def finish_overview(ctx: Context, sheet, page: Page, row: int) -> None:
    """Below the figures the inputs line, beside them the funnel chart; then the page set-up:
    printed (and rendered to PDF) as one landscape page, the chart's data in hidden columns."""
    overview_inputs(ctx, page, row + 1)
    funnel_chart(ctx, sheet, page)
    last_row = max(row for row, *_ in page.cells)
    page.flush()
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, LEFT_LAST_COL, 11)
    sheet.set_column(CHART_DATA_COL, CHART_DATA_COL + 2, None, None, {"hidden": True})
    sheet.print_area(0, 0, last_row, PRINT_LAST_COL)
    sheet.fit_to_pages(1, 1)  # landscape A4, as every sheet: table.print_setup


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
            "inputs.line", files=len(ctx.inputs), entries=ctx.log_entries,
            history=history, rules=rules_name, sha=ctx.rules.sha256[:12], sheet=ctx.sheets["run"],
        ),
        "note",
    )
    skipped = skipped_without_stage(ctx.inputs)
    if skipped:
        cells.put(row + 1, 0, t("inputs.skipped", count=skipped), "note")


def bar_labels(ctx: Context) -> list[str]:
    """Each bar's label: the stage's count and, before the last stage, its pass rate."""
    stages = ctx.figures.stages
    return [
        ctx.t("chart.bar_label", count=s.reached, rate=percent_text(s.pass_rate))
        if k < len(stages) - 1 and s.pass_rate is not None else f"{s.reached}"
        for k, s in enumerate(stages)
    ]


def funnel_chart(ctx: Context, sheet, cells: Cells) -> None:
    """The standard funnel: a stacked bar with an invisible padding series centring each bar,
    drawn from hidden columns."""
    top = MONTH_TITLE_ROW
    col = CHART_DATA_COL
    stages = ctx.figures.stages
    widest = max((s.reached for s in stages), default=0)
    t = ctx.t
    overview = ctx.sheets["overview"]
    for c, text in enumerate((t("col.stage"), t("col.reached"), t("chart.padding"))):
        cells.put(top, col + c, text)
    for k, stage in enumerate(stages):
        cells.put(top + 1 + k, col, stage.stage)
        cells.put(top + 1 + k, col + 1, stage.reached)
        cells.put(top + 1 + k, col + 2, (widest - stage.reached) / 2)
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
            "data_labels": {
                "value": True, "position": "center", "font": {"color": "#FFFFFF", "bold": True},
                "custom": [{"value": label} for label in bar_labels(ctx)],
            },
            "gap": 15,
        }
    )
    chart.set_title({"name": t("chart.funnel", as_of=ctx.as_of_text), "name_font": {"size": 12}})
    # In a bar chart the y axis is the category axis: reversed, so the first stage is on top.
    chart.set_y_axis({"reverse": True, "major_tick_mark": "none", "line": {"none": True}})
    value_axis = {"visible": False, "major_gridlines": {"visible": False}, "min": 0}
    if widest > 0:
        value_axis["max"] = widest
    chart.set_x_axis(value_axis)
    chart.set_legend({"none": True})
    chart.show_hidden_data()
    chart.set_size({"width": 600, "height": 400})
    sheet.insert_chart(top, CHART_COL, chart, {"x_offset": 10})
