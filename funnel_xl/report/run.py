"""运行信息: what the report was made from and with — enough to reproduce its numbers."""

from __future__ import annotations

from pathlib import Path

from ..analysis import rows_by_file, rows_read, skipped_without_stage
from ..runinfo import definitions, versions
from .context import Context
from .table import Cells

_TEXT_KEYS = (
    "as_of", "period", "rows", "valid", "excluded", "rules", "rules_sha", "inputs", "definitions",
    "versions", "calendar", "log", "history", "no_history", "previous", "no_previous", "skipped",
)


def write_run_info(ctx: Context) -> None:
    t = ctx.t
    text = {key: t(f"run.{key}") for key in _TEXT_KEYS}
    sheet, cells = ctx.start(ctx.sheets["run"], t("run.title", as_of=ctx.as_of_text), t("run.note"))
    row = 3
    for label, value, kind in _items(ctx, text):
        cells.put(row, 0, label, "label")
        cells.put(row, 1, value, kind)
        row += 1
    row = _inputs(ctx, cells, row + 1, text["inputs"])
    row += 2
    cells.put(row, 0, text["definitions"], "subtitle")
    for name, meaning in definitions(ctx.rules):
        row += 1
        cells.put(row, 0, name, "label")
        cells.put(row, 1, meaning)
    row += 2
    cells.put(row, 0, text["versions"], "subtitle")
    for name, version in versions():
        row += 1
        cells.put(row, 0, name, "label")
        cells.put(row, 1, version)
    cells.flush()
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 4, 10)
    sheet.set_column(5, 5, 68)


def _items(ctx: Context, text: dict[str, str]) -> list[tuple[str, object, str | None]]:
    """The run's facts: date, period, rows, rules, log, history and holiday calendar."""
    t, flow = ctx.t, ctx.flow
    excluded = len(ctx.excluded) if ctx.excluded is not None else 0
    valid = len(ctx.leads)
    items = [
        (text["as_of"], ctx.as_of, "date"),
        (text["period"], ctx.period, None),
        (text["rows"], rows_read(ctx.inputs) if ctx.is_team_record else valid + excluded, "int"),
        (text["valid"], valid, "int"),
        (text["excluded"], excluded, "int"),
        (text["rules"], Path(ctx.rules.source_path).name, None),
        (text["rules_sha"], ctx.rules.sha256, None),
        (text["log"], t("run.log_entries", count=ctx.log_entries), None),
    ]
    skipped = skipped_without_stage(ctx.inputs)
    if skipped:
        items.append((text["skipped"], skipped, "int"))
    if ctx.history is not None:
        items.append((text["history"], Path(ctx.history).name, None))
        items.append((text["previous"], flow.previous_month or text["no_previous"], None))
    else:
        items.append((text["history"], text["no_history"], None))
    if ctx.rules.thresholds.dwell_in_working_days:
        missing = ctx.view.calendar_years_missing
        calendar = (
            t("run.calendar_missing", years=t.join(map(str, missing))) if missing
            else t("run.calendar_ok")
        )
        items.append((text["calendar"], calendar, None))
    return items


def _inputs(ctx: Context, cells: Cells, row: int, title: str) -> int:
    """Each input file with its sheet, rows and SHA-256 (and its log sheet in the team's record);
    returns the last row."""
    t = ctx.t
    cells.put(row, 0, title, "subtitle")
    row += 1
    headers = (
        t("col.file"), t("col.sheet"), t("run.header_row"), t("run.rows"), t("run.of_which_excluded"),
        "SHA-256",
    )
    for c, header in enumerate(headers):
        cells.put(row, c, header, "header")
    by_file = rows_by_file(ctx.leads, ctx.excluded)
    for item in ctx.inputs:
        rows, excluded = by_file.get(item.name, (0, 0))
        if ctx.is_team_record:  # the file's rows read (a rep's record: the rep's rows of it)
            rows = item.rows
        row += 1
        cells.put(row, 0, item.name)
        cells.put(row, 1, item.sheet)
        cells.put(row, 2, item.header_row, "row")
        cells.put(row, 3, rows, "int")
        cells.put(row, 4, excluded, "int")
        cells.put(row, 5, item.sha256)
        if item.log_sheet and ctx.is_team_record:
            row += 1
            cells.put(row, 0, item.name)
            cells.put(row, 1, item.log_sheet)
            cells.put(row, 3, item.log_rows, "int")
            cells.put(row, 5, item.sha256)
    return row
