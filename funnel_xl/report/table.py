"""Writing cells with xlsxwriter: the shared formats, a table's columns, rows and widths.

The workbook is written in ``constant_memory`` mode, so every sheet is written in increasing row
order; small sheets collect their cells first (:class:`Cells`) and write them sorted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from ..cells import write_value
from ..progress import ROWS_PER_EVENT
from ..text import as_text, display_width, is_blank

FORMATS = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"bold": True, "font_size": 11},
    "note": {"italic": True, "font_color": "#595959"},
    "header": {
        "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter",
    },
    "label": {"bold": True},
    "text": {},
    "int": {"num_format": "#,##0"},
    "row": {"num_format": "0"},  # a row number, as Excel's own row headers show it: 1236
    "number": {"num_format": "General"},
    "days": {"num_format": "0"},
    "days1": {"num_format": "0.0"},
    "pct": {"num_format": "0.0%"},
    "amount": {"num_format": "#,##0.0"},
    "date": {"num_format": "yyyy-mm-dd"},
    "best": {"num_format": "0.0%", "bold": True, "bg_color": "#C6EFCE", "font_color": "#006100"},
    "total_label": {"bold": True, "top": 1},
    "total_int": {"bold": True, "top": 1, "num_format": "#,##0"},
    "total_amount": {"bold": True, "top": 1, "num_format": "#,##0.0"},
    "total_blank": {"top": 1},
    "total_pct": {"bold": True, "top": 1, "num_format": "0.0%"},
    "total_days1": {"bold": True, "top": 1, "num_format": "0.0"},
    "total_score": {"bold": True, "top": 1, "num_format": "0.0"},
    "error": {"bold": True, "font_color": "#C00000"},
    "warning": {"font_color": "#9C5700"},
    "padding": {"font_color": "#A6A6A6"},
    "red": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "pct_low": {"num_format": "0.0%", "bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "pct_small": {"num_format": "0.0%", "italic": True, "font_color": "#A6A6A6"},
    "small": {"italic": True, "font_color": "#A6A6A6"},
    "score": {"num_format": "0.0"},
    "group": {"bold": True, "bottom": 1, "font_color": "#1F4E79"},
    "item": {"indent": 1},
    "wrap": {"text_wrap": True, "valign": "top"},
    "wrap_note": {"text_wrap": True, "valign": "top", "italic": True, "font_color": "#595959"},
    "change_int": {"num_format": '"▲ "#,##0;[Red]"▼ "#,##0;"–"'},
    "change_amount": {"num_format": '"▲ "#,##0.0;[Red]"▼ "#,##0.0;"–"'},
}
GOOD_HIGH = {"min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"}
GOOD_LOW = {"min_color": "#63BE7B", "mid_color": "#FFEB84", "max_color": "#F8696B"}
DWELL_BAR = {"type": "data_bar", "bar_color": "#F4B183"}
MAX_WIDTH = 50
PAPER_A4 = 9
_LINE_HEIGHT = 15
_WIDTH_SAMPLE = 300


class Formats:
    """Each format is created once and shared by every cell that uses it. A name "base@number
    format" is the base format showing numbers with that number format."""

    def __init__(self, workbook):
        self._workbook = workbook
        self._cache: dict[str, Any] = {}

    def __call__(self, name: str | None):
        if name is None:
            return None
        if name not in self._cache:
            base, _, number_format = name.partition("@")
            props = FORMATS[base] | ({"num_format": number_format} if number_format else {})
            self._cache[name] = self._workbook.add_format(props)
        return self._cache[name]


@dataclass
class Column:
    """One column of a table: its header, its cells (None = blank) and how they are shown."""

    header: str
    values: Sequence
    kind: str = "text"  # text, int, row, number, days, days1, pct, amount, date; any = any type
    width: float | None = None
    formats: Sequence[str | None] | None = None  # per-row format names, overriding the kind's
    number_format: str = "number"  # kind "any": the format of its numbers (dates get "date")


_NUMERIC_KINDS = ("int", "row", "number", "days", "days1", "pct", "amount", "date")


def column_width(column: Column) -> float:
    if column.width is not None:
        return column.width
    header = max((display_width(part) for part in column.header.split("\n")), default=0)
    if column.kind == "date":
        body = 10
    elif column.kind in _NUMERIC_KINDS:
        body = 9
    else:
        sample = {as_text(v) for v in column.values[:_WIDTH_SAMPLE] if v is not None}
        body = max((len(v) if v.isascii() else display_width(v) for v in sample), default=0)
    return float(min(max(header, body, 6) + 2, MAX_WIDTH))


class Cells:
    """A small sheet's cells, collected in any order, written sorted by row (constant memory)."""

    def __init__(self, sheet, formats: Formats):
        self.sheet = sheet
        self.formats = formats
        self.cells: list[tuple[int, int, object, str | None]] = []

    def put(self, row: int, col: int, value: object, fmt: str | None = None) -> None:
        self.cells.append((row, col, value, fmt))

    def flush(self) -> None:
        for row, col, value, fmt in sorted(self.cells, key=lambda c: (c[0], c[1])):
            write_value(self.sheet, row, col, value, self.formats(fmt))
        self.cells = []




def cached(categories: Sequence, values: Sequence, name: str | None = None) -> dict[str, list]:
    """A chart series' data as the chart keeps a copy of it (add_series' *_data options).

    Written row by row (constant memory), the cells are gone when the workbook is closed, so
    xlsxwriter cannot fill the copy itself: without it Excel and LibreOffice redraw the chart from
    the cells, but a mail or file previewer that shows only the copy shows an empty chart."""
    data = {
        "categories_data": [None if is_blank(v) else str(v) for v in categories],
        "values_data": [None if is_blank(v) else float(v) for v in values],
    }
    if name is not None:
        data["name_data"] = [name]
    return data


def write_header(sheet, formats: Formats, row: int, columns: Sequence[Column]) -> None:
    """A table's header row, tall enough for its wrapped headers; the sheet's first table header
    is repeated on every printed page."""
    # Rows are streamed (constant memory): the height must be set before the row is written.
    sheet.set_row(row, header_height(columns))
    for c, column in enumerate(columns):
        sheet.write_string(row, c, column.header, formats("header"))
    if not sheet.repeat_row_range:
        sheet.repeat_rows(row)


def header_height(columns: Sequence[Column]) -> float:
    """The height in points of a header row whose texts wrap within their columns' widths."""
    lines = max((_header_lines(column) for column in columns), default=1)
    return float(_LINE_HEIGHT * lines + 4)


def _header_lines(column: Column) -> int:
    room = max(column_width(column) - 1, 1)
    return sum(max(1, math.ceil(display_width(part) / room)) for part in column.header.split("\n"))


def print_setup(sheet) -> None:
    """Every sheet prints as a manager reads it: A4 landscape, one page wide (as many long as it
    needs, unless the sheet asked for fewer), the sheet's name and the page number on each page."""
    if not sheet.fit_page:
        sheet.fit_to_pages(1, 0)
    sheet.set_landscape()
    sheet.set_paper(PAPER_A4)
    sheet.set_header("&L&A")
    sheet.set_footer("&C&P / &N")


def write_rows(
    sheet, formats: Formats, first_row: int, columns: Sequence[Column],
    on_rows: Callable[[int, int], None] | None = None,
) -> int:
    """Write the columns' cells row by row; returns the row after the last one written.

    The hot loop of the workbook: one list look-up and one xlsxwriter call per non-blank cell.
    ``on_rows(done, total)`` is called before each :data:`ROWS_PER_EVENT` rows of a long table.
    """
    writers = [
        (c, *column_writer(sheet, formats, first_row, column))
        for c, column in enumerate(columns)
    ]
    count = len(columns[0].values) if columns else 0
    rows = zip(*(column.values for column in columns), strict=True)
    step = ROWS_PER_EVENT if on_rows is not None and count > ROWS_PER_EVENT else max(count, 1)
    for done in range(0, count, step):
        if step < count:
            on_rows(done, count)
        for row, values in enumerate(islice(rows, step), start=first_row + done):
            for (col, write, fmt), value in zip(writers, values, strict=True):
                if value is not None:
                    write(row, col, value, fmt)
    return first_row + count


def column_writer(
    sheet, formats: Formats, first_row: int, column: Column
) -> tuple[Callable, Any]:
    """The xlsxwriter call and format for a column's cells."""
    if column.kind == "any":
        fmt = formats(column.number_format)
    else:
        fmt = formats(None if column.kind == "text" else column.kind)
    date_fmt = formats("date")
    # Only dates may hold text (a date Excel cannot show); kind "any" holds whatever was typed.
    mixed = column.kind == "any" or (
        column.kind == "date" and any(isinstance(v, str) for v in column.values)
    )
    if column.formats is not None:
        per_row = [formats(name) for name in column.formats]

        def write(row, col, value, fmt):
            write_value(sheet, row, col, value, per_row[row - first_row], date_fmt)
    elif mixed:

        def write(row, col, value, fmt):
            write_value(sheet, row, col, value, fmt, date_fmt)
    elif column.kind == "text":
        write = sheet.write_string
    else:
        write = sheet.write_number
    return write, fmt


def label_width(labels: Sequence[str]) -> float:
    """The key figures' label column: 20 wide (the Chinese labels fit), wider for longer labels."""
    return float(min(max(20, max((display_width(x) for x in labels), default=0) + 2), 34))


def set_widths(sheet, columns: Sequence[Column]) -> None:
    for c, column in enumerate(columns):
        sheet.set_column(c, c, column_width(column))
