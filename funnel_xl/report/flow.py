"""阶段流转: the month's key flow figures, exits per stage, where moves went, every move."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from ..analysis import period_transitions
from ..compare import MoveDirection, move_directions
from ..forecast import GONE_LEADS, NEW_LEADS
from ..frames import MoveSource
from ..period import period_of
from ..wording import count_or_unknown, period_words, unknown_notes
from .context import TRANSITION_SOURCE_KEYS, Context
from .table import GOOD_HIGH, Cells, Column, column_width, set_widths
from .values import date_values, text_values

_DIRECTION_KEYS = {
    MoveDirection.FORWARD: "direction.forward",
    MoveDirection.BACK: "direction.back",
    MoveDirection.LOST: "direction.lost",
    MoveDirection.REVIVED: "direction.revived",
}


def write_flow(ctx: Context) -> None:
    t = ctx.t
    period = ctx.flow.period
    sheet, cells = ctx.start(
        ctx.sheets["flow"],
        t("flow.title", start=period.start.isoformat(), end=period.end.isoformat()),
        t("flow.note"),
    )
    row = _figures(ctx, cells, 3)
    exits_first, exits_last = _exits(ctx, sheet, cells, row + 2)
    row = _moves_matrix(ctx, cells, exits_last + 2)
    row = stage_matrix(ctx, cells, row + 2)
    row += 2
    cells.put(row, 0, t("flow.moves_list"), "subtitle")
    cells.flush()
    columns = _moves_list(ctx, sheet, row + 1)
    if exits_last >= exits_first:
        sheet.conditional_format(
            exits_first, 5, exits_last, 5, {"type": "3_color_scale", **GOOD_HIGH}
        )
    set_widths(sheet, columns)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, max(column_width(columns[1]), 12))
    sheet.set_column(2, 2, max(column_width(columns[2]), 14))
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


def _figures(ctx: Context, cells: Cells, top: int) -> int:
    """The period's key figures under a header at ``top``; returns the last row."""
    t, period, unit = ctx.t, ctx.flow.period, ctx.unit
    this = period_words(t, period_of(ctx.period, ctx.as_of).kind)["this_in"]
    by_source = period.transitions_by_source
    figures = (
        (t("flow.new", this_in=this), period.new_leads, "int", t("flow.new.note")),
        (t("flow.won", this_in=this), count_or_unknown(period.won, ctx.figures.won_undated, t("fig.unknown")), "int",
         t("flow.won.note") + unknown_notes(t, ctx.figures).get("won", "")),
        (t("flow.won_amount", unit=unit, this_in=this), period.won_amount, "amount", ""),
        (t("flow.lost", this_in=this), period.lost, "int", t("flow.lost.note")),
        (t("flow.cycle_mean", this_in=this), period.cycle_mean, "days1", t("flow.cycle_mean.note")),
        (t("flow.cycle_median", this_in=this), period.cycle_median, "days1", ""),
        (t("flow.moves"), sum(by_source.values()), "int", ""),
        (t("flow.moves.log"), by_source.get(MoveSource.LOG, 0), "int", ""),
        (t("flow.moves.column"), by_source.get(MoveSource.COLUMN, 0), "int", t("flow.moves.column.note")),
        (t("flow.moves.estimated"), by_source.get(MoveSource.ESTIMATED, 0), "int", t("flow.moves.estimated.note")),
    )
    for c, key in enumerate(("col.metric", "col.value", "col.note")):
        cells.put(top, c, t(key), "header")
    for i, (label, value, kind, note) in enumerate(figures, start=top + 1):
        cells.put(i, 0, label, "label")
        cells.put(i, 1, value, kind)
        cells.put(i, 2, note or None, "note")
    return top + len(figures)


def _exits(ctx: Context, sheet, cells: Cells, row: int) -> tuple[int, int]:
    """Exits per stage this period beside the cumulative pass rate; returns the first and last
    rows of the table's body."""
    t = ctx.t
    cells.put(row, 0, t("flow.exits"), "subtitle")
    row += 1
    exit_headers = tuple(t(k) for k in (
        "col.stage", "flow.exits.left", "flow.exits.forward", "flow.exits.back", "flow.exits.lost",
        "flow.exits.period_rate", "flow.exits.cumulative_rate",
    ))
    for c, text in enumerate(exit_headers):
        cells.put(row, c, text, "header")
    sheet.set_row(row, 32)
    cumulative = {s.stage: s.pass_rate for s in ctx.figures.stages}
    first = row + 1
    for e in ctx.flow.period.exits:
        row += 1
        values = (
            (e.stage, None), (e.left, "int"), (e.forward, "int"), (e.back, "int"),
            (e.lost, "int"), (e.pass_rate, "pct"), (cumulative.get(e.stage), "pct"),
        )
        for c, (value, kind) in enumerate(values):
            cells.put(row, c, value, kind)
    return first, row


def _moves_matrix(ctx: Context, cells: Cells, row: int) -> int:
    """From which stage to which the period's moves went; returns the last row."""
    t = ctx.t
    cells.put(row, 0, t("flow.matrix"), "subtitle")
    names = [*ctx.rules.stage_names, *ctx.rules.lost_labels]
    counts = {(a, b): n for a, b, n in ctx.flow.period.moves}
    return _matrix(
        cells, row + 1, t("flow.matrix.corner"), t("total"), names, names, names,
        lambda a, b: counts.get((a, b)) if a != b else None,
        lambda a: sum(n for (frm, _), n in counts.items() if frm == a),
    )


def stage_matrix(ctx: Context, cells: Cells, row: int) -> int:
    """Where the leads of the previous snapshot (rows: their stage then) are now (columns).
    Returns the last row written."""
    t = ctx.t
    matrix = ctx.forecast.matrix if ctx.forecast is not None else None
    if matrix is None:
        cells.put(row, 0, t("matrix.title", since="—"), "subtitle")
        cells.put(row + 1, 0, t("matrix.none"), "note")
        return row + 1
    cells.put(row, 0, t("matrix.title", since=matrix.since), "subtitle")
    cells.put(row + 1, 0, t("matrix.note", since=matrix.since), "note")
    names = {NEW_LEADS: t("matrix.new"), GONE_LEADS: t("matrix.gone")}
    return _matrix(
        cells, row + 2, t("matrix.corner", since=matrix.since), t("total"), matrix.rows,
        matrix.columns, [names.get(name, name) for name in matrix.columns],
        lambda a, b: matrix.count(a, b) or None,
        lambda a: sum(matrix.count(a, to) for to in matrix.columns),
        label=lambda name: names.get(name, name),
    )


def _matrix(
    cells: Cells, row: int, corner: str, total: str, rows: Sequence[str], columns: Sequence[str],
    headers: Sequence[str], count: Callable[[str, str], int | None], row_total: Callable[[str], int],
    label: Callable[[str], str] = str,
) -> int:
    """A from × to table of counts with a total column; returns the last row."""
    cells.put(row, 0, corner, "header")
    for c, header in enumerate(headers, start=1):
        cells.put(row, c, header, "header")
    cells.put(row, len(columns) + 1, total, "header")
    for name in rows:
        row += 1
        cells.put(row, 0, label(name), "label")
        for c, to in enumerate(columns, start=1):
            cells.put(row, c, count(name, to), "int")
        cells.put(row, len(columns) + 1, row_total(name), "total_int")
    return row


def _moves_list(ctx: Context, sheet, head: int) -> list[Column]:
    """Every move of the period, by date; returns the table's columns."""
    t, flow = ctx.t, ctx.flow
    moves = period_moves(ctx)
    columns = [
        Column(ctx.header("lead_id"), text_values(moves, "lead_id")),
        Column(ctx.header("customer"), text_values(moves, "customer")),
        Column(ctx.header("owner"), text_values(moves, "owner")),
        Column(t("flow.from"), text_values(moves, "from_stage")),
        Column(t("flow.to"), text_values(moves, "to_stage")),
        Column(t("col.date"), date_values(moves, "date"), "date"),
        Column(t("flow.direction"), text_values(moves, "direction"), width=10),
        Column(t("flow.evidence"), ctx.mapped(moves, "source", TRANSITION_SOURCE_KEYS), width=26),
    ]
    end = ctx.table(sheet, head, columns)
    if end == head + 1:
        note = t("flow.no_moves") if flow.log_entries or flow.previous_month else t("flow.no_moves_no_log")
        sheet.write_string(end, 0, note, ctx.formats("note"))
    else:
        sheet.autofilter(head, 0, end - 1, len(columns) - 1)
    return columns


def period_moves(ctx: Context) -> pd.DataFrame:
    """The period's transitions by date, with the lead's customer and owner, and direction."""
    moves = period_transitions(ctx.flow.period, ctx.flow.transitions).reset_index(drop=True)
    leads = ctx.leads
    if "lead_id" in leads and len(moves):
        known = leads.drop_duplicates("lead_id").set_index("lead_id")
        for column in ("customer", "owner"):
            if column in known:
                moves[column] = moves["lead_id"].map(known[column])
    directions = move_directions(zip(moves["from_stage"], moves["to_stage"], strict=True), ctx.rules)
    moves["direction"] = [ctx.t(_DIRECTION_KEYS[d]) for d in directions]
    return moves
