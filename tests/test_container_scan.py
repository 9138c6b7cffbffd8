"""The quick used-range check trusts no <dimension>: a cell beyond it is still found."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funnel_xl.container import column_index, column_letters, greater_pattern, read_workbook_file
from funnel_xl.errors import InputError
from funnel_xl.reader import read_leads
from tests.conftest import lead, write_workbook

D = date
DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def declared(path, ref: str):
    """Rewrite the leads sheet's <dimension> to claim ``ref`` (a lie when cells lie beyond it)."""
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{ref}"/>'.encode(), data)
                assert n == 1
            copy.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path


def leads(n: int):
    return [lead(f"LF2024{i:03d}", "需求挖掘", D(2024, 3, 1)) for i in range(1, n + 1)]


def test_honest_dimension_is_taken(tmp_path, rules):
    path = write_workbook(tmp_path / "team.xlsx", leads(3))  # 22 columns (A:V), header + 3 rows
    scan = read_workbook_file(path, rules.limits).sheets["线索跟踪"]
    assert (scan.rows, scan.columns, scan.strays) == (4, 22, ())


def test_stray_cell_beyond_a_lying_dimension_is_still_dropped(tmp_path, rules):
    path = write_workbook(tmp_path / "team.xlsx", leads(3))
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    declared(path, "A1:V4")  # claims the table only
    sheet = read_leads(path, rules)
    assert len(sheet.frame) == 3
    assert [(p.code, p.column, p.row) for p in sheet.problems] == [("stray_cell_ignored", "XFD", 1048576)]


@pytest.mark.parametrize("ref", ["A1:V4", "A1:V21", "A1:Z4"])
def test_rows_beyond_the_limits_are_refused_whatever_the_dimension_says(tmp_path, rules, ref):
    # 20 leads (rows 2…21) against a limit of 5 rows: 15 rows of data beyond it, whether the
    # dimension lies (A1:V4, A1:Z4) or tells the truth (A1:V21, then too large to take on trust).
    path = declared(write_workbook(tmp_path / "long.xlsx", leads(20)), ref)
    strict = dataclasses.replace(rules.limits, max_rows=5)
    with pytest.raises(InputError, match="超出上限"):
        read_workbook_file(path, strict)


def test_a_column_beyond_a_lying_dimension_is_seen(tmp_path, rules):
    # The table ends in column V; a value in AB2 lies beyond the claimed A1:V4 (and beyond a
    # limit of 26 columns), so the sheet gets the full parse, which finds it.
    path = write_workbook(tmp_path / "team.xlsx", leads(3))
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.active["AB2"] = "x"
    wb.save(path)
    declared(path, "A1:V4")
    narrow = dataclasses.replace(rules.limits, max_columns=26)
    scan = read_workbook_file(path, narrow).sheets["线索跟踪"]
    assert [s.ref for s in scan.strays] == ["AB2"]


@given(st.integers(min_value=0, max_value=2_000_000), st.integers(min_value=0, max_value=2_000_000))
def test_greater_numbers(limit, n):
    pattern = re.compile(f"(?:{greater_pattern(str(limit), DIGITS)})")
    assert bool(pattern.fullmatch(str(n))) == (n > limit)


@given(st.integers(min_value=1, max_value=16384), st.integers(min_value=1, max_value=16384 * 26))
def test_greater_columns(limit, n):
    pattern = re.compile(f"(?:{greater_pattern(column_letters(limit), LETTERS)})")
    assert bool(pattern.fullmatch(column_letters(n))) == (n > limit)
    assert column_index(column_letters(n)) == n
