"""Odd cells and heavy sheets (issue 16, classes 6 and 17): bounded, and never silent."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pandas as pd

from funnel_xl import container
from funnel_xl.container import read_workbook_file
from funnel_xl.rules import load_rules
from tests.test_robust_read import SHEET, far_cell, rewritten, team


def test_style_only_cells_far_out_are_cut_without_a_python_object_each(tmp_path, monkeypatch):
    # 200 rows × 300 formatted, empty cells in columns beyond max_columns (500): AAA… .
    cells = b"".join(b'<c r="A%s%d" s="1"/>' % (letters, row)
                     for row in range(10, 210) for letters in (b"AA", b"AB", b"AC"))
    path = rewritten(team(tmp_path / "base.xlsx"), tmp_path / "styled.xlsx",
                     far_cell(b'<row r="9">' + cells + b"</row>"))

    def per_cell(*args):
        raise AssertionError("the XML parser was asked to walk the cells one by one")

    monkeypatch.setattr(container, "_parse_cells", per_cell)
    checked = read_workbook_file(path, load_rules().limits)
    with zipfile.ZipFile(io.BytesIO(checked.content)) as parsed:
        assert b's="1"/>' not in parsed.read(SHEET)
    scan = checked.sheets["线索跟踪"]
    assert (scan.rows, scan.columns, scan.strays) == (6, 22, ())  # header + 5 leads, 22 columns


def _odd(tmp_path, cell: bytes, replacement: bytes):
    """The five-lead team with one cell of the third lead (row 4) written as ``replacement``."""
    import re

    return rewritten(
        team(tmp_path / "base.xlsx"), tmp_path / "odd.xlsx",
        lambda xml: re.sub(rb'<c r="' + cell + rb'"[^>]*>.*?</c>', replacement, xml, count=1),
    )


def test_an_error_value_is_a_warning_on_its_cell(tmp_path):
    from funnel_xl.validation import validate_files

    path = _odd(tmp_path, b"K4", b'<c r="K4" t="e"><f>J4/0</f><v>#DIV/0!</v></c>')
    report = validate_files([path], load_rules(), date(2024, 5, 31))
    [warned] = [p for p in report.problems if p.code == "error_value"]
    assert (warned.row, warned.column, warned.header, warned.value) == (4, "K", "预计成交金额(万元)", "#DIV/0!")
    assert "#DIV/0!" in warned.message
    # The lead is still counted, without an amount: 4 × 10 万元 in the pipeline.
    assert len(report.valid) == 5
    assert report.valid["amount"].sum() == 40


def test_a_date_cell_holding_nan_is_no_date_not_1899(tmp_path):
    from funnel_xl.validation import validate_files

    path = _odd(tmp_path, b"F4", b'<c r="F4"><v>NaN</v></c>')  # 最近跟进时间
    report = validate_files([path], load_rules(), date(2024, 5, 31))
    assert report.valid["last_follow_up"].min() == pd.Timestamp("2024-05-01")
    assert report.valid["last_follow_up"].isna().sum() == 1
