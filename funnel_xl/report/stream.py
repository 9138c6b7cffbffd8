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
ODD = object()  # a cell only xlsxwriter itself writes


def text_body(text: str) -> str | object:
    """The end of a text cell's XML after its reference and style, or ODD."""
    if len(text) > _MAX_PLAIN or _ESCAPED.search(text):
        return ODD
    return f' t="inlineStr"><is><t>{text}</t></is></c>'


def number_body(number: object) -> str | object:
    """The end of a number cell's XML after its reference and style, or ODD (NaN, infinite, or
    a type other than int and float)."""
    kind = type(number)
    if kind is int or (kind is float and number - number == 0):
        return f"><v>{number:.16G}</v></c>"
    return ODD


def simple_bodies(values: Sequence, text: bool) -> list:
    """A text or number column's cells (None = blank), each as :func:`text_body` or
    :func:`number_body`; a value of the wrong type is ODD."""
    if not text:
        return [
            None if v is None
            else f"><v>{v:.16G}</v></c>" if type(v) is float and v - v == 0 else number_body(v)
            for v in values
        ]
    texts = [v for v in values if v is not None]
    if all(type(v) is str for v in texts) and not _ESCAPED_JOINED.search(_JOIN.join(texts)) and (
        max(map(len, texts), default=0) <= _MAX_PLAIN
    ):
        return [None if v is None else f' t="inlineStr"><is><t>{v}</t></is></c>' for v in values]
    return [None if v is None else (text_body(v) if type(v) is str else ODD) for v in values]


def mixed_bodies(values: Sequence, formats: Sequence, date_format) -> tuple[list, list]:
    """A column of any values, each with its own format, as :func:`funnel_xl.cells.write_value`
    writes them: the cells' bodies and formats."""
    bodies, cell_formats = [], []
    for value, fmt in zip(values, formats, strict=True):
        cell = cell_value(value, fmt, date_format)
        if cell is None:
            bodies.append(None)
            cell_formats.append(None)
            continue
        data, fmt = cell
        bodies.append(text_body(data) if isinstance(data, str) else number_body(data))
        cell_formats.append(fmt)
    return bodies, cell_formats


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
    """Writes the rows of a table whose columns' cells are given as bodies (None = blank, ODD =
    xlsxwriter's) with a format per column, or per cell (a list)."""

    def __init__(self, sheet, first_row: int, columns: Sequence[tuple[list, object, list | None]]):
        self.sheet = sheet
        self.row_tail = _row_tail(sheet)
        self.odd_rows = {
            i for bodies, _, _ in columns if ODD in bodies for i, body in enumerate(bodies) if body is ODD
        }
        count = len(columns[0][0])
        if first_row > sheet.previous_row:
            sheet._write_single_row(first_row)  # the open row out, as the table's first cell would
        styles = _styles(columns, count - 1)
        self.cells = [
            _cells(xl_col_to_name(c), first_row, bodies, fmt, fmts, styles)
            for c, (bodies, fmt, fmts) in enumerate(columns)
        ]
        used = [c for c, (bodies, _, _) in enumerate(columns) if any(b is not None for b in bodies)]
        self.cols = (used[0], used[-1]) if used else None
        self.rows = zip(*self.cells, strict=True)

    def write(self, row: int, i: int) -> bool:
        """Write the table's row ``i`` (they come in order) at the sheet's ``row``; False when
        xlsxwriter must."""
        cells = next(self.rows)
        sheet = self.sheet
        if (
            i in self.odd_rows or row >= sheet.xls_rowmax or row < sheet.previous_row
            or row in sheet.row_info or row in sheet.comments
        ):
            return False
        text = "".join(cells)
        if text:
            if row > sheet.previous_row:
                sheet._write_single_row(row)
            first_col, last_col = self.cols
            sheet._check_dimensions(row, first_col)
            sheet._check_dimensions(row, last_col)
            sheet.fh.write(f'<row r="{row + 1}"{self.row_tail}{text}</row>')
        return True


def _styles(columns: Sequence[tuple[list, object, list | None]], rows: int) -> dict:
    """Each format's style attribute. xlsxwriter numbers a format when it first writes a cell in
    it, so the formats are numbered in the order of the cells of the table's first ``rows`` rows
    (those written while the table is written)."""
    styles: dict = {None: ""}
    waiting = {fmt for _, fmt, fmts in columns for fmt in (fmts or (fmt,))} - {None}
    for i in range(rows):
        if not waiting:
            break
        for bodies, fmt, fmts in columns:
            cell_format = fmt if fmts is None else fmts[i]
            if cell_format in waiting and bodies[i] is not None:
                waiting.discard(cell_format)
                styles[cell_format] = f' s="{cell_format._get_xf_index()}"'
    return styles


def _cells(letter: str, first_row: int, bodies: list, fmt, fmts: list | None, styles: dict) -> list[str]:
    """A column's cells as XML, "" for a blank or ODD one. A format not in ``styles`` is only in
    the last row, which xlsxwriter writes."""
    numbers = range(first_row + 1, first_row + 1 + len(bodies))
    if fmts is None:
        style = styles.get(fmt, "")
        return [
            "" if b is None or b is ODD else f'<c r="{letter}{n}"{style}{b}'
            for n, b in zip(numbers, bodies, strict=True)
        ]
    return [
        "" if b is None or b is ODD else f'<c r="{letter}{n}"{styles.get(f, "")}{b}'
        for n, b, f in zip(numbers, bodies, fmts, strict=True)
    ]


def _row_tail(sheet) -> str:
    """What xlsxwriter writes in a plain row's start tag after its number, e.g. ">"."""
    kept, sheet.fh = sheet.fh, StringIO()
    try:
        sheet._write_row(0, None)
        tag = sheet.fh.getvalue()
    finally:
        sheet.fh = kept
    return tag.removeprefix('<row r="1"')
