"""What the review sheets (管道变化, 阶段速度, 流失分析, 线索批次, 金额分段, 跟进活动) share: a table
laid out from rows, with a bold total row, and the print setup of a wide sheet."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..text import display_width
from .context import Context
from .table import Cells, Column, column_width, set_widths

_TOTAL_FORMATS = {"text": "total_label", "int": "total_int", "amount": "total_amount"}


@dataclass(frozen=True)
class Head:
    """One column of a row-laid table: its header, how its cells are shown, its width."""

    text: str
    kind: str = "text"
    width: float | None = None

def columns_of(heads: Sequence[Head], rows: Sequence[Sequence], total: Sequence | None = None) -> list[Column]:
    """The table's columns from its rows (and a total row, shown bold, last)."""
    body = [*rows, *([total] if total is not None else [])]
    columns = []
    for c, head in enumerate(heads):
        formats = None
        if total is not None:
            formats = [head.kind if head.kind != "text" else None] * len(rows)
            formats.append(_TOTAL_FORMATS.get(head.kind, head.kind if head.kind != "text" else "total_label"))
        columns.append(Column(head.text, [r[c] for r in body], head.kind, head.width, formats))
    return columns

def block(
    ctx: Context, sheet, row: int, title: str, heads: Sequence[Head], rows: Sequence[Sequence],
    total: Sequence | None = None, none: str = "",
) -> tuple[int, list[Column]]:
    """A subtitled table at ``row``; returns the row after it (and a blank row) and its columns."""
    columns = columns_of(heads, rows, total)
    if title:
        sheet.write_string(row, 0, title, ctx.formats("subtitle"))
        row += 1
    end = ctx.table(sheet, row, columns)
    if not rows and none:
        sheet.write_string(end, 0, none, ctx.formats("note"))
        end += 1
    return end + 1, columns

def widths(sheet, *tables: list[Column]) -> None:
    """Each column as wide as the widest of the stacked tables needs."""
    widest: dict[int, Column] = {}
    for columns in tables:
        for c, column in enumerate(columns):
            current = widest.get(c)
            if current is None or column_width(column) > column_width(current):
                widest[c] = column
    set_widths(sheet, [widest[c] for c in sorted(widest)])


def print_wide(sheet, header_row: int) -> None:
    """Landscape A4, one page wide, the (first) table's header row repeated on every page."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.freeze_panes(header_row + 1, 0)

def owner_label(ctx: Context, name: str | None) -> str:
    """A rep's name as the report shows it: blank is 未填写负责人."""
    return name if name else ctx.t("sheet.no_owner")


NOTE_WIDTH = 110  # display columns: a note line no wider than a landscape page's table


def start(ctx: Context, key: str, title: str, *notes: str) -> tuple[object, int]:
    """A new review sheet: its title, its notes cut into lines that fit the page (a note wider
    than the table would shrink the printed page), a blank row; returns the sheet and the row
    for what follows."""
    sheet = ctx.add_sheet(ctx.sheets[key])
    cells = Cells(sheet, ctx.formats)
    cells.put(0, 0, title, "title")
    row = 1
    for note in notes:
        for line in wrap(note):
            cells.put(row, 0, line, "note")
            row += 1
    cells.flush()
    return sheet, row + 1


def wrap(text: str, width: int = NOTE_WIDTH) -> list[str]:
    """``text`` in lines of at most ``width`` display columns, cut after a sentence or a clause
    where it can be (。；：，or ". "), else anywhere."""
    parts = [p for p in re.split(r"(?<=[。；：，;:,])|(?<=\. )", text) if p]
    lines, line = [], ""
    for part in parts:
        while display_width(part) > width:
            cut = len(part)
            while display_width(part[:cut]) > width:
                cut -= 1
            space = part.rfind(" ", 0, cut)
            cut = space + 1 if space > 0 else cut
            parts_head, part = part[:cut], part[cut:]
            if line:
                lines.append(line)
                line = ""
            lines.append(parts_head)
        if line and display_width(line + part) > width:
            lines.append(line)
            line = ""
        line += part
    if line:
        lines.append(line)
    return [x.strip() for x in lines]
