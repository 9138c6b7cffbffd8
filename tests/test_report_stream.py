"""The report's streamed rows (funnel_xl/report/stream.py) are the bytes xlsxwriter writes itself.

Each test writes the same cells twice: once through ``write_rows`` (plain cells streamed as XML,
the rest through xlsxwriter), once cell by cell with xlsxwriter's own ``write_string`` /
``write_number`` (and ``write_value`` for columns of any type, the report's per-cell path).
Every part of the two files must be identical: the sheets' XML, and styles.xml, whose style
numbers follow the order in which xlsxwriter first writes a cell in each format.
"""

from __future__ import annotations

import math
import zipfile
from datetime import date, datetime

import numpy as np
import pandas as pd
import xlsxwriter

from funnel_xl.cells import write_value
from funnel_xl.report import stream, table
from funnel_xl.report.table import Column, Formats, write_rows

CREATED = datetime(2024, 5, 31)
OPTIONS = {"constant_memory": True, "nan_inf_to_errors": True, "strings_to_formulas": False}
FORMAT_NAMES = ("header", "int", "amount", "date", "pct", "best", "red", "number", "days", "row")

TEXTS = [
    "plain", "张伟", "A & B", "<b>", "x > y", " leading", "trailing ", "\u3000全角空格", "tab\tinside",
    "line\nbreak", "_x0041_", "<r><t>rich</t></r>", "ctrl\x01char", "not\ufffea char", '"quoted"',
    "", "emoji 😀", "a" * 20_000, "b" * 40_000, None, "ok again",
]
NUMBERS = [
    0.1, 1e20, -3.5, 1 / 3, 123456789.123456789, 7, 0.0, -0.0, 1e-300, 45444.0, math.nan, math.inf,
    -math.inf, None, 2.5, 12, 3.0, 99.99, 1e16, 42.0, None,
]
ANY = [
    "text", True, False, 5, 2.5, np.int64(7), np.float64(0.25), date(2024, 5, 31),
    datetime(2024, 5, 31, 12), pd.Timestamp("2024-05-01"), np.datetime64("2024-02-29"), None,
    math.nan, date(1899, 1, 1), "", "  padded  ", 1e300, np.bool_(True), None, "&", 0,
]


def _columns() -> list[Column]:
    n = len(TEXTS)
    per_row = ["best" if i % 3 == 0 else "red" if i % 3 == 1 else None for i in range(n)]
    dates = [45000.0 + i if i % 4 else "2024-13-45" for i in range(n)]
    return [
        Column("text", TEXTS),
        Column("amount", NUMBERS, "amount"),
        Column("date", dates, "date"),
        Column("flagged", [0.1 * i for i in range(n)], "pct", formats=per_row),
        Column("any", ANY, "any", number_format="int"),
        Column("ids", [f"L{i:05d}" for i in range(n)]),
    ]


def _by_xlsxwriter(sheet, formats: Formats, first_row: int, columns: list[Column]) -> int:
    """The reference: every cell its own xlsxwriter call, in row order."""
    for i in range(len(columns[0].values)):
        for c, column in enumerate(columns):
            value = column.values[i]
            if value is None:
                continue
            kind_format = formats(None if column.kind in ("text", "any") else column.kind)
            if column.formats is not None:
                write_value(sheet, first_row + i, c, value, formats(column.formats[i]), formats("date"))
            elif column.kind == "any":
                write_value(sheet, first_row + i, c, value, formats(column.number_format), formats("date"))
            elif column.kind == "date" and isinstance(value, str):
                write_value(sheet, first_row + i, c, value, kind_format, formats("date"))
            elif column.kind == "text":
                sheet.write_string(first_row + i, c, value)
            else:
                sheet.write_number(first_row + i, c, value, kind_format)
    return first_row + len(columns[0].values)


def _workbook(path, write, build) -> None:
    workbook = xlsxwriter.Workbook(str(path), OPTIONS)
    workbook.set_properties({"created": CREATED})
    formats = Formats(workbook)
    for name in FORMAT_NAMES:
        formats(name)
    build(workbook, formats, write)
    workbook.close()


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _same_both_ways(tmp_path, build) -> dict[str, bytes]:
    streamed, reference = tmp_path / "streamed.xlsx", tmp_path / "reference.xlsx"
    _workbook(streamed, write_rows, build)
    _workbook(reference, _by_xlsxwriter, build)
    parts = _parts(streamed)
    assert parts.keys() == _parts(reference).keys()
    for name, data in _parts(reference).items():
        assert parts[name] == data, name
    return parts


def _count_streamed(monkeypatch) -> list[int]:
    streamed = []
    original = stream.RowStream.write

    def write(self, row, i):
        done = original(self, row, i)
        if done:
            streamed.append(row)
        return done

    monkeypatch.setattr(stream.RowStream, "write", write)
    return streamed


def test_odd_and_plain_cells_are_written_as_xlsxwriter_writes_them(tmp_path, monkeypatch):
    streamed = _count_streamed(monkeypatch)

    def build(workbook, formats, write):
        sheet = workbook.add_worksheet("t")
        sheet.write_string(0, 0, "title", formats("header"))
        sheet.set_row(1, 30)  # a header row with a height
        columns = _columns()
        for c, column in enumerate(columns):
            sheet.write_string(1, c, column.header, formats("header"))
        sheet.set_row(5, 40)  # a data row with a height, set before the rows are written
        end = write(sheet, formats, 2, columns)
        sheet.write_string(end - 1, 7, "beside the last row")  # the last row is still open
        sheet.set_row(end - 1, 25)
        sheet.write_number(end + 1, 0, 1.5, formats("days"))

    parts = _same_both_ways(tmp_path, build)
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="A3" t="inlineStr"><is><t>plain</t></is></c>' in sheet
    assert "A &amp; B" in sheet and "_x005F_x0041_" in sheet and "#NUM!" in sheet
    # Plain rows went the fast way: rows 3, 4, 5, 7, ... (not 6, with its height, nor odd rows).
    assert 2 in streamed and 5 not in streamed and len(streamed) >= 3


def test_style_numbers_follow_first_use_across_sheets(tmp_path, monkeypatch):
    # A format first used in a table's last row is numbered when that row is written out — after
    # a format first used on the next sheet; a blank row writes nothing.
    streamed = _count_streamed(monkeypatch)

    def build(workbook, formats, write):
        first = workbook.add_worksheet("a")
        columns = [
            Column("n", [1.0, 2.0, None, 4.0, 5.0], "int"),
            Column("late", [None, None, None, None, 0.5], "pct"),
            Column("any", [None, "x", None, 3, None], "any", number_format="days1"),
        ]
        write(first, formats, 0, columns)
        second = workbook.add_worksheet("b")
        write(second, formats, 3, [Column("d", [45000.0, 45001.0, 45002.0], "date")])
        second.write_number(10, 0, 1.0, formats("score"))

    parts = _same_both_ways(tmp_path, build)
    assert b"<row" in parts["xl/worksheets/sheet2.xml"]
    assert streamed == [0, 1, 2, 3, 3, 4]  # row 2 is blank: nothing written


def test_a_table_starting_blank_or_on_an_open_row_is_left_to_xlsxwriter(tmp_path):
    def build(workbook, formats, write):
        sheet = workbook.add_worksheet("t")
        write(sheet, formats, 0, [Column("a", [None, "b", "c"]), Column("n", [None, 1.0, 2.0], "int")])
        sheet.write_string(4, 3, "open")
        write(sheet, formats, 4, [Column("a", ["x", "y", "z"]), Column("n", [1.0, None, 3.0], "int")])

    _same_both_ways(tmp_path, build)
    workbook = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"), OPTIONS)
    sheet = workbook.add_worksheet("t")
    sheet.write_string(4, 3, "open")
    assert not stream.streamable(sheet, 4, 3, 2)
    assert stream.streamable(sheet, 5, 3, 2)
    sheet.set_column(1, 1, 10, workbook.add_format({"bold": True}))
    assert not stream.streamable(sheet, 5, 3, 2)  # a column format xlsxwriter gives blank-format cells
    workbook.close()


def test_a_workbook_not_in_constant_memory_is_written_cell_by_cell(tmp_path):
    workbook = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    sheet = workbook.add_worksheet("t")
    assert not stream.streamable(sheet, 0, 3, 1)
    end = table.write_rows(sheet, Formats(workbook), 0, [Column("a", ["x", "y & z", "w"])])
    workbook.close()
    assert end == 3


def test_a_long_table_with_odd_rows_here_and_there(tmp_path, monkeypatch):
    # Streamed rows are written out in batches; an odd row (text with "&") between them is
    # xlsxwriter's and must land in its place.
    streamed = _count_streamed(monkeypatch)
    n = 2_500

    def build(workbook, formats, write):
        sheet = workbook.add_worksheet("t")
        columns = [
            Column("id", [f"L{i:05d}" if i % 700 else f"L{i} & co" for i in range(n)]),
            Column("amount", [float(i) if i % 3 else None for i in range(n)], "amount"),
        ]
        end = write(sheet, formats, 1, columns)
        sheet.write_string(end, 0, "after")

    _same_both_ways(tmp_path, build)
    assert len(streamed) == n - 5  # all but the odd rows 0, 700, 1400, 2100 and the last
