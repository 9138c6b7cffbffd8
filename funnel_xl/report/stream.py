"""A long table's rows written as XML straight into xlsxwriter's row file: the report's fast path.

In constant_memory mode xlsxwriter keeps one row and writes it out as XML when the next row is
started; per cell that costs a method call, a tuple and a dozen string operations, most of the
time of writing the report. Here a table's plain cells (finite numbers, text that needs no
escaping) are rendered a column at a time, and a row is written to the sheet's row file in one
call, as the very XML xlsxwriter writes for it. A row holding anything else, a row xlsxwriter has
something to add to (a height, a comment), and the table's last row (it stays xlsxwriter's open
row, for whatever is written next) go through xlsxwriter itself. The styles are numbered in the
order xlsxwriter numbers them, so the file is byte for byte the same
(tests/test_report_stream.py compares the two).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from io import StringIO

from xlsxwriter.utility import xl_col_to_name

from ..cells import cell_value

# Text xlsxwriter writes as it is: no control character or XML markup, nothing that looks like
# its "_xHHHH_" escape, no space at either end (xml:space), far below the 32,767 UTF-16 units it
# truncates at. A column's texts are checked at once, joined by a private-use character.
_ESCAPED = re.compile(r"[\x00-\x1f&<>\ufffe\uffff]|_x|^\s|\s$")
_JOIN = "\ue000"
_ESCAPED_JOINED = re.compile(r"[\x00-\x1f&<>\ufffe\uffff]|_x|(?:^|\ue000)\s|\s(?:\ue000|$)")
_MAX_PLAIN = 16_000
_ROWS_PER_WRITE = 1_000
ODD = object()  # a cell only xlsxwriter itself writes


def any_values(values: Sequence, formats: Sequence, date_format) -> tuple[list, list]:
    """A column of any values, each with its own format, as :func:`funnel_xl.cells.write_value`
    writes them: text or number (None = blank), and format."""
    data, cell_formats = [], []
    for value, fmt in zip(values, formats, strict=True):
        cell = cell_value(value, fmt, date_format)
        data.append(None if cell is None else cell[0])
        cell_formats.append(None if cell is None else cell[1])
    return data, cell_formats


def column_cells(
    col: int, first_row: int, values: Sequence, kind: str, fmt, fmts: list | None, styles: dict
) -> list:
    """A column's cells as XML from ``first_row`` on (None: blank, ODD: xlsxwriter's). ``kind``:
    "text" (str values), "number" or "any" (text or number, from :func:`any_values`)."""
    letter = xl_col_to_name(col)
    numbers = range(first_row + 1, first_row + 1 + len(values))
    if kind == "any" or fmts is not None:
        return [
            None if v is None else _cell(f'<c r="{letter}{n}"{styles.get(f, "")}', v)
            for n, v, f in zip(numbers, values, fmts or [fmt] * len(values), strict=True)
        ]
    # A style not in ``styles`` is only in the last row, which xlsxwriter writes.
    start = f'"{styles.get(fmt, "")}'
    if kind == "number":
        return [
            None if v is None
            else f'<c r="{letter}{n}{start}><v>{v:.16G}</v></c>' if type(v) is float and v - v == 0
            else ODD if type(v) is str else _cell(f'<c r="{letter}{n}{start}', v)
            for n, v in zip(numbers, values, strict=True)
        ]
    if _plain_texts(values):
        return [
            None if v is None else f'<c r="{letter}{n}{start} t="inlineStr"><is><t>{v}</t></is></c>'
            for n, v in zip(numbers, values, strict=True)
        ]
    return [
        None if v is None else _cell(f'<c r="{letter}{n}{start}', v) if type(v) is str else ODD
        for n, v in zip(numbers, values, strict=True)
    ]


def _plain_texts(values: Sequence) -> bool:
    """Whether every value is a text xlsxwriter writes as it is (None aside)."""
    texts = [v for v in values if v is not None]
    return (
        set(map(type, texts)) <= {str} and max(map(len, texts), default=0) <= _MAX_PLAIN
        and not _ESCAPED_JOINED.search(_JOIN.join(texts))
    )


def _cell(start: str, value: object) -> str | object:
    """One cell's XML after its start (``<c r="A2" s="3"``), or ODD."""
    kind = type(value)
    if kind is str:
        if len(value) > _MAX_PLAIN or _ESCAPED.search(value):
            return ODD
        return f'{start} t="inlineStr"><is><t>{value}</t></is></c>'
    if kind is int or (kind is float and value - value == 0):
        return f"{start}><v>{value:.16G}</v></c>"
    return ODD


def streamable(sheet, first_row: int, count: int, width: int) -> bool:
    """Whether the sheet takes a table's ``count`` rows streamed: constant_memory, within the
    sheet's rows, no cell already open in its first row, and no format on its ``width`` columns
    (xlsxwriter adds it to a cell without one)."""
    if not getattr(sheet, "constant_memory", False) or sheet.fh is None:
        return False
    if first_row < sheet.previous_row or first_row + count > sheet.xls_rowmax or sheet.table.get(first_row):
        return False
    return not any(
        info.column_format is not None for col, info in sheet.col_info.items() if col < width
    )


class RowStream:
    """Writes the rows of a table whose columns are given as (values, kind, format, per-cell
    formats or None), see :func:`column_cells`."""

    def __init__(self, sheet, first_row: int, columns: Sequence[tuple[Sequence, str, object, list | None]]):
        self.sheet = sheet
        self.row_tail = _row_tail(sheet)
        count = len(columns[0][0])
        self.last = count - 1
        if first_row > sheet.previous_row:
            sheet._write_single_row(first_row)  # the open row out, as the table's first cell would
        styles = _styles(columns, count - 1)
        cells = [
            column_cells(c, first_row, values, kind, fmt, fmts, styles)
            for c, (values, kind, fmt, fmts) in enumerate(columns)
        ]
        self.odd_rows = {i for column in cells if ODD in column for i, cell in enumerate(column) if cell is ODD}
        used = [c for c, (values, _, _, _) in enumerate(columns) if any(v is not None for v in values)]
        self.cols = (used[0], used[-1]) if used else (0, 0)
        self.rows = zip(*cells, strict=True)
        self.pending: list[str] = []  # rows not yet in the sheet's file
        self.written = -1  # the sheet row of the last row streamed

    def write(self, row: int, i: int) -> bool:
        """Write the table's row ``i`` (they come in order) at the sheet's ``row``; False when
        xlsxwriter must. The last row is always xlsxwriter's: it stays its open row, for whatever
        is written next."""
        cells = next(self.rows)
        sheet = self.sheet
        if (
            i == self.last or i in self.odd_rows or row >= sheet.xls_rowmax or row < sheet.previous_row
            or row in sheet.row_info or row in sheet.comments
        ):
            self.flush()
            return False
        text = "".join(filter(None, cells))
        if not text:
            return True
        if row > sheet.previous_row:
            if sheet.previous_row == self.written:
                sheet.previous_row = row  # the open row is one streamed: nothing of it to write
            else:
                self.flush()
                sheet._write_single_row(row)  # the open row out first, as xlsxwriter does
        if self.written < 0:
            sheet._check_dimensions(row, self.cols[0])
            sheet._check_dimensions(row, self.cols[1])
        self.pending.append(f'<row r="{row + 1}"{self.row_tail}{text}</row>')
        self.written = row
        if len(self.pending) >= _ROWS_PER_WRITE:
            self.flush()
        return True

    def flush(self) -> None:
        """The rows streamed so far into the sheet's file, and its dimensions to their last."""
        if self.pending:
            self.sheet._check_dimensions(self.written, self.cols[1])
            self.sheet.fh.write("".join(self.pending))
            self.pending = []


def _styles(columns: Sequence[tuple[Sequence, str, object, list | None]], rows: int) -> dict:
    """Each format's style attribute. xlsxwriter numbers a format when it first writes a cell in
    it, so the formats are numbered in the order of the cells of the table's first ``rows`` rows
    (those written while the table is written)."""
    styles: dict = {None: ""}
    waiting = {fmt for _, _, fmt, fmts in columns for fmt in (fmts or (fmt,))} - {None}
    for i in range(rows):
        if not waiting:
            break
        for values, _, fmt, fmts in columns:
            cell_format = fmt if fmts is None else fmts[i]
            if cell_format in waiting and values[i] is not None:
                waiting.discard(cell_format)
                styles[cell_format] = f' s="{cell_format._get_xf_index()}"'
    return styles


def _row_tail(sheet) -> str:
    """What xlsxwriter writes in a plain row's start tag after its number, e.g. ">"."""
    kept, sheet.fh = sheet.fh, StringIO()
    try:
        sheet._write_row(0, None)
        tag = sheet.fh.getvalue()
    finally:
        sheet.fh = kept
    return tag.removeprefix('<row r="1"')
