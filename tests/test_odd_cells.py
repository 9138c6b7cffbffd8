"""Odd cells and heavy sheets (issue 16, classes 6 and 17): bounded, and never silent."""

from __future__ import annotations

import io
import zipfile

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
