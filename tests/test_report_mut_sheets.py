"""Each figure-bearing sheet written alone, for the small team of tests/test_report.py, and read
back cell by cell with openpyxl: values, number formats, totals, notes, widths, panes.

Fast on purpose (one sheet each, no whole report): these are the tests a mutation run of
funnel_xl/report/*.py tries first. Every expected figure is worked out by hand in the comments
(the team's leads are described in tests/test_report.py), never by calling the code.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from openpyxl.utils import column_index_from_string, get_column_letter

from funnel_xl.analysis import InputFile, team_view
from funnel_xl.flow import ChannelFlag, MonthFigures
from funnel_xl.forecast import SLIP_COLUMNS, Forecast, ForecastCheck, ForecastMonth
from funnel_xl.groups import select_group
from funnel_xl.messages import catalogue
from funnel_xl.metrics import Rate
from funnel_xl.period import PeriodKind
from funnel_xl.report import overview
from funnel_xl.report.alerts import write_alerts
from funnel_xl.report.comparison import flag_texts, leaders_block, write_comparison
from funnel_xl.report.context import Context
from funnel_xl.report.forecast import write_forecast
from funnel_xl.report.funnel import write_funnel
from funnel_xl.report.group import group_overview
from funnel_xl.report.overview import OVERVIEW_CELLS, write_overview
from funnel_xl.report.table import print_setup
from funnel_xl.report.trend import write_trend
from funnel_xl.standings import Leader, Standing
from funnel_xl.targets import Attainment
from funnel_xl.text import display_width
from tests.test_report import make_analysis

WORKBOOK_OPTIONS = {
    "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
    "strings_to_numbers": False, "nan_inf_to_errors": True,
}


def write_sheet(tmp_path, analysis, write, view=None):
    """The sheet ``write(ctx)`` makes, written as the report writes it and read back."""
    return openpyxl.load_workbook(write_file(tmp_path, analysis, write, view)).worksheets[0]


def write_file(tmp_path, analysis, write, view=None):
    """The file holding the one sheet ``write(ctx)`` makes, written as the report writes it."""
    path = tmp_path / "sheet.xlsx"
    workbook = xlsxwriter.Workbook(path, {**WORKBOOK_OPTIONS, "tmpdir": str(tmp_path)})
    write(Context(workbook, analysis, view or team_view(analysis)))
    for sheet in workbook.worksheets():
        print_setup(sheet)
    workbook.close()
    return path


def with_min_sample(analysis, min_sample: int):
    rules = analysis.rules
    thresholds = dataclasses.replace(rules.thresholds, min_sample=min_sample)
    return dataclasses.replace(analysis, rules=dataclasses.replace(rules, thresholds=thresholds))


def values(ws, first_row: int, last_row: int, last_col: int) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=last_col, values_only=True)]


def assert_rows(got: list[list], expected: list[list]) -> None:
    assert len(got) == len(expected)
    for row, want in zip(got, expected, strict=True):
        assert row == pytest.approx(want)


def widths(ws) -> dict[str, float]:
    """Each column's width as set (openpyxl reads it back with Excel's padding of 0.71)."""
    out = {}
    for dim in ws.column_dimensions.values():
        if dim.width:
            for c in range(dim.min, dim.max + 1):
                out[get_column_letter(c)] = round(dim.width - 0.7109375, 2)
    return out


def conditional(ws) -> dict[str, list[tuple]]:
    """Each conditionally formatted range → its rules' type and colours."""
    out = {}
    for rng in ws.conditional_formatting:
        rules = []
        for rule in rng.rules:
            if rule.colorScale is not None:
                rules.append((rule.type, [c.rgb for c in rule.colorScale.color]))
            elif rule.dataBar is not None:
                rules.append((rule.type, [rule.dataBar.color.rgb]))
            else:
                rules.append((rule.type,))
        out[str(rng.sqref)] = rules
    return out


# ---------------------------------------------------------------- 漏斗分析

# The team's stages (see tests/test_report.py's LEADS): reached 8 7 5 3 2 2; left 7 6 4 2 2;
# current 1 1 1 1 0 2 (the won 003, 007 are 已成交's current); lost here 0 1 (004) 1 (008) 0 0;
# one open lead per open stage, so its average and longest dwell are that lead's: 005 20,
# 002 10, 006 30, 001 41; over the limit 006 (30 > 21) and 001 (41 > 30); open amounts 5 20
# 40 50 0, weighted by 0.05 0.15 0.35 0.6 0.9: 0.25 3 14 30 0.
FUNNEL_ROWS = [
    ["潜在接触", 1, 8, 7, 1, 0, 0, 20, 20, 30, 0, 5, 0.25],
    ["需求挖掘", 1, 7, 6, 5 / 6, 1 / 6, 1, 10, 10, 15, 0, 20, 3],
    ["方案提案", 1, 5, 4, 3 / 4, 1 / 4, 1, 30, 30, 21, 1, 40, 14],
    ["商务谈判", 1, 3, 2, 1, 0, 0, 41, 41, 30, 1, 50, 30],
    ["成交待签约", 0, 2, 2, 1, 0, 0, None, None, 14, 0, 0, 0],
    # The won stage: no exits, rates, dwell, limit or open amounts (blank, not 0).
    ["已成交", 2, 2, None, None, None, 0, None, None, None, 0, None, None],
]
FUNNEL_HEADER = [
    "阶段", "当前线索数", "累计到达", "已离开", "通过率\n(至下一阶段)", "流失率", "本阶段流失",
    "平均停留(天)", "最长停留(天)", "停留上限(天)", "停留超时", "在跟金额(万元)", "加权在跟金额(万元)", "备注",
]
FUNNEL_FORMATS = [
    "General", "#,##0", "#,##0", "#,##0", "0.0%", "0.0%", "#,##0", "0.0", "0", "#,##0", "#,##0",
    "#,##0.0", "#,##0.0", "General",
]


@pytest.fixture(scope="module")
def funnel_sheet(tmp_path_factory):
    return write_sheet(tmp_path_factory.mktemp("funnel"), make_analysis(), write_funnel)


def test_funnel_title_header_and_figures(funnel_sheet):
    ws = funnel_sheet
    assert ws.title == "漏斗分析"
    assert ws["A1"].value == "漏斗分析 · 截至 2024-05-31" and ws["A1"].font.b
    assert ws["A2"].value.startswith("通过率 = 下一阶段累计到达 ÷ 本阶段已离开") and ws["A2"].font.i
    assert values(ws, 3, 3, 14)[0] == FUNNEL_HEADER
    rows = values(ws, 4, 9, 13)
    for got, expected in zip(rows, FUNNEL_ROWS, strict=True):
        assert got == pytest.approx(expected)
    for c, number_format in enumerate(FUNNEL_FORMATS, 1):
        assert ws.cell(4, c).number_format == number_format


def test_funnel_small_sample_remarks(funnel_sheet, tmp_path):
    # Default min_sample 10: every open stage left by fewer than 10 is a small sample; the won
    # stage has no remark.
    remarks = [funnel_sheet.cell(r, 14).value for r in range(4, 10)]
    assert remarks == [f"样本少(已离开 {n} < 10)" for n in (7, 6, 4, 2, 2)] + [None]
    # min_sample 4: left 4 is no longer small (4 < 4 is false); left 2 still is.
    ws = write_sheet(tmp_path, with_min_sample(make_analysis(), 4), write_funnel)
    remarks = [ws.cell(r, 14).value for r in range(4, 10)]
    assert remarks == [None, None, None, "样本少(已离开 2 < 4)", "样本少(已离开 2 < 4)", None]


def test_funnel_remarks_when_one_or_none_left(tmp_path):
    # 商务谈判 left by one lead (a small sample: 0 < 1 < 10), 成交待签约 by none (no rate, so no
    # remark): set by hand on the team's stages.
    analysis = make_analysis()
    view = team_view(analysis)
    stages = list(view.figures.stages)
    stages[3] = dataclasses.replace(stages[3], exited=1)
    stages[4] = dataclasses.replace(stages[4], exited=0)
    figures = dataclasses.replace(view.figures, stages=tuple(stages))
    ws = write_sheet(tmp_path, analysis, write_funnel, dataclasses.replace(view, figures=figures))
    assert [ws.cell(r, 4).value for r in (7, 8)] == [1, 0]
    assert [ws.cell(r, 14).value for r in (7, 8)] == ["样本少(已离开 1 < 10)", None]


def test_funnel_totals_row(funnel_sheet):
    ws = funnel_sheet
    # 合计: current 1+1+1+1+0+2 = 6, lost here 2, over the limit 2, open amounts 115, weighted
    # 47.25; the other columns are ruled blanks.
    total = values(ws, 10, 10, 14)[0]
    assert total == pytest.approx(["合计", 6, None, None, None, None, 2, None, None, None, 2, 115, 47.25, None])
    for c in range(1, 15):
        cell = ws.cell(10, c)
        assert cell.border.top.style == "thin"
        assert cell.font.b == (cell.value is not None)
    assert [ws.cell(10, c).number_format for c in (2, 7, 11, 12, 13)] == [
        "#,##0", "#,##0", "#,##0", "#,##0.0", "#,##0.0",
    ]


def test_funnel_note_on_lost_leads_without_a_stage(tmp_path):
    # Three lost leads without a lost-at stage (set by hand on the team's totals): a note of
    # them two rows under 合计 (row 12), the totals note under it.
    analysis = make_analysis()
    view = team_view(analysis)
    figures = dataclasses.replace(view.figures, totals=dataclasses.replace(view.figures.totals, lost_unknown_stage=3))
    ws = write_sheet(tmp_path, analysis, write_funnel, dataclasses.replace(view, figures=figures))
    assert ws["A11"].value is None and ws["B12"].value is None
    assert ws["A12"].value == (
        "另有 3 条已流失线索未填写流失阶段：计入线索总数、已流失和赢单率，但不计入各阶段的到达、离开和流失数。"
    )
    assert ws["A12"].font.i and ws["A12"].font.color.rgb == "FF595959"
    assert ws["A13"].value.startswith("合计的「当前线索数」") and ws["A13"].font.i
    assert ws.max_row == 13


def test_funnel_notes_layout_and_colours(funnel_sheet):
    ws = funnel_sheet
    # Every lost lead has its lost-at stage: no "另有…" line; the totals note two rows under 合计.
    assert ws["A11"].value is None
    assert ws["A12"].value.startswith("合计的「当前线索数」= 在跟 + 已成交") and ws["A12"].font.i
    assert ws.max_row == 12
    assert ws.freeze_panes == "B4"
    # Rates and the longest stay are coloured over the open stages only (rows 4-8).
    assert conditional(ws) == {
        "E4:E8": [("colorScale", ["FFF8696B", "FFFFEB84", "FF63BE7B"])],
        "F4:F8": [("colorScale", ["FF63BE7B", "FFFFEB84", "FFF8696B"])],
        "I4:I8": [("dataBar", ["FFF4B183"])],
    }
    # Widths: each column's widest header line or value (a Chinese character 2) + 2, numbers at
    # least 9: 阶段 set to 14 after; 当前线索数 10 → 12; 累计到达 → 11; 已离开 → 11;
    # "(至下一阶段)" 12 → 14; 流失率 → 11; 本阶段流失 → 12; the three "(天)" headers 12 → 14;
    # 停留超时 → 11; "在跟金额(万元)" 14 → 16; "加权在跟金额(万元)" 18 → 20; the remark
    # "样本少(已离开 7 < 10)" 21 → 23.
    assert widths(ws) == {
        "A": 14, "B": 12, "C": 11, "D": 11, "E": 14, "F": 11, "G": 12, "H": 14, "I": 14, "J": 14,
        "K": 11, "L": 16, "M": 20, "N": 23,
    }


def test_funnel_of_two_stages_colours_its_one_open_stage(tmp_path):
    # A team whose rules have one open stage before the won one (the default rules' last two):
    # the rates and the longest stay are still coloured, over that one row (4).
    analysis = make_analysis()
    rules = dataclasses.replace(analysis.rules, stages=analysis.rules.stages[-2:])
    view = team_view(analysis)
    figures = dataclasses.replace(view.figures, stages=view.figures.stages[-2:])
    ws = write_sheet(
        tmp_path, dataclasses.replace(analysis, rules=rules), write_funnel, dataclasses.replace(view, figures=figures),
    )
    assert [ws.cell(r, 1).value for r in (4, 5, 6)] == ["成交待签约", "已成交", "合计"]
    assert set(conditional(ws)) == {"E4", "F4", "I4"}


# ---------------------------------------------------------------- charts, read from the file

NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
}


def _val(node, path: str):
    found = node.find(path, NS)
    return None if found is None else found.get("val")


def _points(node, path: str) -> list:
    cache = node.find(path, NS)
    if cache is None:
        return []
    count = int(_val(cache, "c:ptCount"))
    out = [None] * count
    for pt in cache.findall("c:pt", NS):
        out[int(pt.get("idx"))] = pt.find("c:v", NS).text
    return out


def charts(path) -> list[dict]:
    """Each chart of the file's first sheet, in the order they were inserted: its title, type,
    series (cell references and cached data), value axis, legend, blanks and top-left cell."""
    with zipfile.ZipFile(path) as z:
        names = sorted(
            (n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)),
            key=lambda n: int(re.search(r"\d+", n.rsplit("/", 1)[1])[0]),
        )
        drawing = z.read("xl/drawings/drawing1.xml") if names else b""
        parts = [ElementTree.fromstring(z.read(n)) for n in names]
    anchors = []
    if drawing:
        for anchor in ElementTree.fromstring(drawing).findall("xdr:twoCellAnchor", NS):
            start, end = anchor.find("xdr:from", NS), anchor.find("xdr:to", NS)
            # (col, row) of the top-left and bottom-right cells, then the bottom-right offsets in pixels.
            cells = tuple(int(x.find(f"xdr:{k}", NS).text) for x in (start, end) for k in ("col", "row"))
            offsets = tuple(int(end.find(f"xdr:{k}", NS).text) // 9525 for k in ("colOff", "rowOff"))
            anchors.append(cells + offsets)
    out = []
    for root, anchor in zip(parts, anchors, strict=True):
        chart = root.find("c:chart", NS)
        plot = chart.find("c:plotArea", NS)
        kind = next(child.tag.split("}")[1] for child in plot if child.tag.endswith("Chart"))
        series = []
        for ser in plot.iter(f"{{{NS['c']}}}ser"):
            series.append({
                "name": ser.findtext("c:tx/c:strRef/c:f", None, NS),
                "name_data": _points(ser, "c:tx/c:strRef/c:strCache"),
                "categories": ser.findtext("c:cat/*/c:f", None, NS),
                "categories_data": _points(ser, "c:cat/*/c:strCache") or _points(ser, "c:cat/*/c:numCache"),
                "values": ser.findtext("c:val/c:numRef/c:f", None, NS),
                "values_data": _points(ser, "c:val/c:numRef/c:numCache"),
                "marker": (_val(ser, "c:marker/c:symbol"), _val(ser, "c:marker/c:size")),
                "fill": _val(ser, "c:spPr/a:solidFill/a:srgbClr"),
                "points": {
                    int(_val(pt, "c:idx")): _val(pt, "c:spPr/a:solidFill/a:srgbClr")
                    for pt in ser.findall("c:dPt", NS)
                },
                "labels": None if ser.find("c:dLbls", NS) is None else (
                    _val(ser, "c:dLbls/c:showVal"),
                    getattr(ser.find("c:dLbls/c:numFmt", NS), "attrib", {}).get("formatCode"),
                ),
            })
        axis = plot.find("c:valAx", NS)
        out.append({
            "title": "".join(t.text or "" for t in chart.findall("c:title//a:t", NS)),
            "type": kind,
            "series": series,
            "axis": None if axis is None else {
                "format": axis.find("c:numFmt", NS).get("formatCode") if axis.find("c:numFmt", NS) is not None else None,
                "min": _val(axis, "c:scaling/c:min"),
                "max": _val(axis, "c:scaling/c:max"),
                "gridlines": axis.find("c:majorGridlines", NS) is not None,
            },
            "legend": _val(chart, "c:legend/c:legendPos"),
            "blanks": _val(chart, "c:dispBlanksAs"),
            "anchor": anchor,
        })
    return out


# ---------------------------------------------------------------- 趋势

T1, T2, T3, T4, T5 = (
    "潜在接触→需求挖掘", "需求挖掘→方案提案", "方案提案→商务谈判", "商务谈判→成交待签约", "成交待签约→已成交",
)


def month(label, as_of, basis, **figures):
    """A trend month made by hand; every figure differs from every other, so a row showing the
    wrong one is seen."""
    base = dict(
        month=label, as_of=as_of, basis=basis, win_rate=None, pass_rates={}, sources={}, period_sources={},
    )
    return MonthFigures(**base, **figures)


MARCH = month(
    "2024-03", date(2024, 3, 31), "store", leads=6, active=3, new_leads=2, won=1, lost=3,
    cycle_mean=45.5, period_cycle_mean=31.0, pipeline=80.0, weighted_pipeline=20.5,
    period_pass_rates={T1: 0.5, T2: 0.25, T3: None, T4: 0.125, T5: 0.75},
)
MAY = month(
    "2024-05", date(2024, 5, 31), "current", leads=9, active=5, new_leads=4, won=2, lost=0,
    cycle_mean=78.0, period_cycle_mean=60.5, pipeline=115.0, weighted_pipeline=47.25,
    period_pass_rates={T1: 0.875, T2: 1.0, T3: 0.625, T4: None, T5: 0.375},
)


def with_trend(analysis, months):
    return dataclasses.replace(analysis, flow=dataclasses.replace(analysis.flow, trend=months))


@pytest.fixture(scope="module")
def trend_file(tmp_path_factory):
    # Three months: March from the history store, April without data, May this run.
    analysis = with_trend(make_analysis(), [MARCH, None, MAY])
    return write_file(tmp_path_factory.mktemp("trend"), analysis, write_trend)


BLANK = {(19, 2), (20, 4)}  # March's and May's undefined pass rates


def test_trend_table(trend_file):
    ws = openpyxl.load_workbook(trend_file).worksheets[0]
    assert ws.title == "趋势"
    assert ws["A1"].value == "近 3 个月趋势 · 截至 2024-05-31" and ws["A1"].font.b
    assert ws["A2"].value.startswith("每月数字为该月重建时的结果") and ws["A2"].font.i
    assert ws["A3"].value is None
    # A month without data: "无数据" and blanks; a month's win rate = won ÷ (won + lost):
    # March 1 ÷ 4, May 2 ÷ 2.
    expected = [
        ["指标", "2024-03", "2024-04", "2024-05"],
        ["数据来源", "历史记录", "无数据", "本次"],
        ["截止日", datetime(2024, 3, 31), None, datetime(2024, 5, 31)],
        ["线索数", 6, None, 9],
        ["在跟", 3, None, 5],
        ["本月新增线索", 2, None, 4],
        ["本月成交", 1, None, 2],
        ["本月流失", 3, None, 0],
        ["本期赢单率", 0.25, None, 1],
        ["平均成交周期(天)", 45.5, None, 78],
        ["本月成交周期(天)", 31, None, 60.5],
        ["在跟金额(万元)", 80, None, 115],
        ["加权在跟金额(万元)", 20.5, None, 47.25],
        [f"期间通过率 {T1}", 0.5, None, 0.875],
        [f"期间通过率 {T2}", 0.25, None, 1],
        [f"期间通过率 {T3}", None, None, 0.625],
        [f"期间通过率 {T4}", 0.125, None, None],
        [f"期间通过率 {T5}", 0.75, None, 0.375],
    ]
    assert values(ws, 4, 21, 4) == expected
    assert ws.max_column == 4
    formats = ["yyyy-mm-dd"] + ["#,##0"] * 5 + ["0.0%", "0.0", "0.0", "#,##0.0", "#,##0.0"] + ["0.0%"] * 5
    for c in (2, 4):
        shown = [(r, ws.cell(r, c).number_format) for r in range(6, 22) if ws.cell(r, c).value is not None]
        assert shown == [(r, f) for r, f in zip(range(6, 22), formats, strict=True) if (r, c) not in BLANK]
    assert all(ws.cell(4, c).font.b and ws.cell(4, c).border.top.style == "thin" for c in range(1, 5))
    assert all(ws.cell(r, 1).font.b for r in range(5, 22))
    assert not ws["B5"].font.b and not ws["C5"].font.b
    assert widths(ws) == {"A": 30, "B": 11, "C": 11, "D": 11}
    assert ws.freeze_panes == "B5"
    assert ws.page_setup.orientation == "landscape"
    # One page wide (1, the file's default, is left out), as many long as needed.
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (None, 0)


def test_trend_of_one_week(tmp_path):
    # A weekly run (2024-W22, Monday 05-27 to Sunday 06-02) with one week of trend: the weeks'
    # title and words, one figures column B only.
    week = dataclasses.replace(MAY, month="2024-W22")
    analysis = dataclasses.replace(with_trend(make_analysis(), [week]), period="2024-W22")
    ws = write_sheet(tmp_path, analysis, write_trend)
    assert ws["A1"].value == "近 1 周趋势 · 截至 2024-05-31"
    assert [ws.cell(4, c).value for c in (1, 2)] == ["指标", "2024-W22"]
    assert [ws.cell(r, 1).value for r in (9, 10, 11)] == ["本周新增线索", "本周成交", "本周流失"]
    assert [ws.cell(r, 2).value for r in (9, 10, 11)] == [4, 2, 0]
    assert ws.max_column == 2
    assert widths(ws) == {"A": 30, "B": 11}


def test_trend_charts(trend_file):
    found = charts(trend_file)
    assert [c["title"] for c in found] == [
        "本期赢单率与各环节期间通过率（各期自己的线索）", "在跟金额与加权金额(万元)", "线索：本月新增、成交、流失", "成交周期(天)",
    ]
    # The table's last row is 21: the charts start two rows under it (row 24, 0-based 23), two
    # abreast, 16 rows apart, the second 7 columns right; each 560 × 300 pixels (anchors: from
    # col, row, to col, row, and how far into that cell): from column A (width 30: 215 px) over
    # B-D (width 11: 82 px each, 461 px) and E (64 px, 525) 35 px into F; from H over eight
    # columns of 64 px (512) 48 px into P; 15 rows of 20 px down. Blanks are gaps, xlsxwriter's
    # default (so not written).
    assert [c["anchor"] for c in found] == [
        (0, 23, 5, 38, 35, 0), (7, 23, 15, 38, 48, 0), (0, 39, 5, 54, 35, 0), (7, 39, 15, 54, 48, 0),
    ]
    assert all(c["type"] == "lineChart" and c["legend"] == "b" and c["blanks"] is None for c in found)
    rates, pipeline, leads, cycle = found
    assert rates["axis"] == {"format": "0%", "min": "0", "max": "1", "gridlines": True}
    for chart, number_format in ((pipeline, "#,##0"), (leads, "0"), (cycle, "0")):
        assert chart["axis"] == {"format": number_format, "min": None, "max": None, "gridlines": True}
    months = ["2024-03", "2024-04", "2024-05"]

    def series(row, name, data):
        return {
            "name": f"趋势!$A${row}", "name_data": [name],
            "categories": "趋势!$B$4:$D$4", "categories_data": months,
            "values": f"趋势!$B${row}:$D${row}", "values_data": data, "marker": ("circle", "5"),
            "fill": None, "points": {}, "labels": None,
        }

    assert rates["series"] == [
        series(12, "本期赢单率", ["0.25", None, "1.0"]),
        series(17, f"期间通过率 {T1}", ["0.5", None, "0.875"]),
        series(18, f"期间通过率 {T2}", ["0.25", None, "1.0"]),
        series(19, f"期间通过率 {T3}", [None, None, "0.625"]),
        series(20, f"期间通过率 {T4}", ["0.125", None, None]),
        series(21, f"期间通过率 {T5}", ["0.75", None, "0.375"]),
    ]
    assert pipeline["series"] == [
        series(15, "在跟金额(万元)", ["80.0", None, "115.0"]),
        series(16, "加权在跟金额(万元)", ["20.5", None, "47.25"]),
    ]
    assert leads["series"] == [
        series(9, "本月新增线索", ["2.0", None, "4.0"]),
        series(10, "本月成交", ["1.0", None, "2.0"]),
        series(11, "本月流失", ["3.0", None, "0.0"]),
    ]
    assert cycle["series"] == [
        series(13, "平均成交周期(天)", ["45.5", None, "78.0"]),
        series(14, "本月成交周期(天)", ["31.0", None, "60.5"]),
    ]


# ---------------------------------------------------------------- 预测

FORECAST = Forecast(
    current=ForecastMonth("2024-05", 2, 30.0, 12.5),
    ahead=(ForecastMonth("2024-06", 3, 70.0, 28.0), ForecastMonth("2024-07", 1, 9.0, 1.35)),
    overdue=ForecastMonth("", 4, 22.0, 3.3),
    undated=ForecastMonth("", 5, 11.0, 0.55),
    won_count=6,
    won_amount=41.5,
    # March's forecast of 40 against 30 won: 75%; April forecast nothing: no accuracy.
    checks=(
        ForecastCheck("2024-03", "2024-02", 3, 40.0, 30.0),
        ForecastCheck("2024-04", "2024-03", 0, 0.0, 10.0),
    ),
    slips=pd.DataFrame([
        ["LF2024001", "甲公司", "张伟", "商务谈判", pd.Timestamp("2024-03-31"), pd.Timestamp("2024-06-30"), 2,
         "2024-03-31 → 2024-04-30 → 2024-06-30"],
        ["LF2024006", "乙公司", "*销售代表", "方案提案", pd.Timestamp("2024-05-15"), pd.Timestamp("2024-07-15"), 1,
         "2024-05-15 → 2024-07-15"],
    ], columns=SLIP_COLUMNS),
)


@pytest.fixture(scope="module")
def forecast_sheet(tmp_path_factory):
    analysis = dataclasses.replace(make_analysis(), forecast=FORECAST)
    return write_sheet(tmp_path_factory.mktemp("forecast"), analysis, write_forecast)


def test_forecast_months(forecast_sheet):
    ws = forecast_sheet
    assert ws.title == "预测"
    assert ws["A1"].value == "预测 · 截至 2024-05-31" and ws["A1"].font.b
    assert ws["A2"].value.startswith("加权预测 = 预计成交日期在该月的在跟线索") and ws["A2"].font.i
    assert ws["A3"].value is None
    # Won in the month only on this month's row; the months ahead, overdue and undated blank there.
    assert values(ws, 4, 9, 6) == [
        ["月份", "在跟线索数", "预计金额(万元)", "加权预测(万元)", "实际成交(万元)", "实际成交(条)"],
        ["2024-05（本月，截至 2024-05-31）", 2, 30, 12.5, 41.5, 6],
        ["2024-06", 3, 70, 28, None, None],
        ["2024-07", 1, 9, 1.35, None, None],
        ["预计成交日期已过（仍在跟）", 4, 22, 3.3, None, None],
        ["未填预计成交日期", 5, 11, 0.55, None, None],
    ]
    assert [ws.cell(5, c).number_format for c in range(2, 7)] == ["#,##0", "#,##0.0", "#,##0.0", "#,##0.0", "#,##0"]
    assert all(ws.cell(4, c).font.b and ws.cell(4, c).border.top.style == "thin" for c in range(1, 7))
    assert all(ws.cell(r, 1).font.b for r in range(5, 10))
    assert ws["A10"].value.startswith("本月一行的在跟线索是预计在截止日至月底之间成交的线索") and ws["A10"].font.i
    assert ws["A11"].value is None


def test_forecast_checks(forecast_sheet):
    ws = forecast_sheet
    assert ws["A12"].value == "预测准确度：上月的预测 vs 本月实际成交" and ws["A12"].font.b
    assert ws["A13"].value.startswith("上月预测 = 上月重建时预计在该月成交") and ws["A13"].font.i
    assert values(ws, 14, 16, 6) == [
        ["月份", "预测时间", "预测线索数", "上月预测(万元)", "实际成交(万元)", "准确度"],
        ["2024-03", "2024-02 重建", 3, 40, 30, 0.75],
        ["2024-04", "2024-03 重建", 0, 0, 10, None],
    ]
    assert ws["A15"].font.b and not ws["B15"].font.b
    assert [ws.cell(15, c).number_format for c in range(3, 7)] == ["#,##0", "#,##0.0", "#,##0.0", "0.0%"]
    assert all(ws.cell(14, c).font.b and ws.cell(14, c).border.top.style == "thin" for c in range(1, 7))
    assert ws["A17"].value is None


def test_forecast_slips(forecast_sheet):
    ws = forecast_sheet
    # Two rows under the checks: the slips' title and note (rules' close_slips 2), then the table.
    assert ws["A18"].value == "预计成交日期推迟" and ws["A18"].font.b
    assert "推迟 2 次及以上的列入「预警」" in ws["A19"].value and ws["A19"].font.i
    assert values(ws, 20, 22, 8) == [
        ["线索编号", "客户", "负责人", "阶段", "最初预计成交", "现在预计成交", "推迟次数", "历次预计成交日期"],
        ["LF2024001", "甲公司", "张伟", "商务谈判", datetime(2024, 3, 31), datetime(2024, 6, 30), 2,
         "2024-03-31 → 2024-04-30 → 2024-06-30"],
        ["LF2024006", "乙公司", "*销售代表", "方案提案", datetime(2024, 5, 15), datetime(2024, 7, 15), 1,
         "2024-05-15 → 2024-07-15"],
    ]
    assert [ws.cell(21, c).number_format for c in (5, 6, 7)] == ["yyyy-mm-dd", "yyyy-mm-dd", "#,##0"]
    assert all(ws.cell(20, c).font.b and ws.cell(20, c).border.top.style == "thin" for c in range(1, 9))
    assert ws.max_row == 22  # no "none slipped" note under a table with rows
    assert widths(ws) == {"A": 34, "B": 16, "C": 16, "D": 16, "E": 16, "F": 16, "G": 40, "H": 40}


def test_forecast_without_checks_or_slips(tmp_path):
    analysis = dataclasses.replace(
        make_analysis(), forecast=dataclasses.replace(FORECAST, ahead=(), checks=(), slips=None),
    )
    ws = write_sheet(tmp_path, analysis, write_forecast)
    # Rows 5 this month, 6 overdue, 7 undated; the note at 8; the checks from row 10.
    assert [ws.cell(r, 1).value for r in range(5, 8)] == [
        "2024-05（本月，截至 2024-05-31）", "预计成交日期已过（仍在跟）", "未填预计成交日期",
    ]
    assert ws["A8"].value.startswith("本月一行的在跟线索") and ws["A9"].value is None
    assert ws["A10"].value == "预测准确度：上月的预测 vs 本月实际成交"
    assert ws["A13"].value.startswith("历史记录中没有上月的快照") and ws["A13"].font.i
    assert ws["A15"].value == "预计成交日期推迟"
    assert ws["A17"].value == "线索编号"
    assert ws["A18"].value.startswith("没有预计成交日期被推迟的在跟线索") and ws["A18"].font.i
    assert ws.max_row == 18


# ---------------------------------------------------------------- 预警

ALERT_COLUMNS = [
    "kind", "lead_id", "customer", "owner", "source", "stage", "dwell_days", "limit_days",
    "days_since_follow_up", "date",
]
NO_DATE = pd.NaT
# Ties on purpose: 张伟 (U+5F20) sorts before 李娜 (U+674E); LF03 and LF04 both 41 days (then by
# lead ID); LF05's dwell is unknown (last within its kind and owner).
ALERT_ROWS = [
    ["stalled", "LF01", "甲", "李娜", "官网表单", "商务谈判", 41.0, 30.0, 11.0, NO_DATE],
    ["stalled", "LF02", "乙", "张伟", "展会推广", "方案提案", 25.0, 21.0, 3.0, NO_DATE],
    ["stalled", "LF04", "丁", "张伟", "官网表单", "商务谈判", 41.0, 30.0, 2.0, NO_DATE],
    ["overdue", "LF04", "丁", "张伟", "官网表单", "商务谈判", 41.0, 30.0, 2.0, pd.Timestamp("2024-05-30")],
    ["stalled", "LF03", "丙", "张伟", "展会推广", "商务谈判", 41.0, 30.0, 5.0, NO_DATE],
    ["stale", "LF05", "戊", "张伟", "展会推广", "潜在接触", None, 30.0, 20.0, NO_DATE],
    ["close_past", "LF05", "戊", "张伟", "展会推广", "潜在接触", None, 30.0, 20.0, pd.Timestamp("2024-05-20")],
    ["stale", "LF06", "己", "张伟", "官网表单", "潜在接触", 20.0, 30.0, 16.0, NO_DATE],
    ["close_past", "LF07", "庚", "张伟", "展会推广", "需求挖掘", 5.0, 15.0, 1.0, pd.Timestamp("2024-05-01")],
]
# Snoozed: S1 (李娜), S2 and S0 (张伟, S0 listed after S2 but sorted before it); S3 is not.
SNOOZED = pd.DataFrame({
    "lead_id": ["S1", "S2", "S3", "S0"],
    "customer": ["辛", "壬", "癸", "子"],
    "owner": ["李娜", "张伟", "张伟", "张伟"],
    "stage": ["方案提案", "潜在接触", "需求挖掘", "商务谈判"],
    "stage_idx": [2, 0, 1, 3],
    "dwell_days": [25.0, 12.0, 3.0, 8.0],
    "over_limit": [True, False, False, False],
    "snoozed": [True, True, False, True],
    "snooze_until": [pd.Timestamp("2024-06-15"), pd.Timestamp("2024-06-10"), NO_DATE, pd.Timestamp("2024-07-01")],
    "snooze_reason": ["客户出差", "等预算", None, "年底再谈"],
})


def alerts_view(analysis, alerts, leads):
    return dataclasses.replace(team_view(analysis), alerts=alerts, leads=leads)


@pytest.fixture(scope="module")
def alerts_sheet(tmp_path_factory):
    analysis = dataclasses.replace(make_analysis(), forecast=FORECAST)
    alerts = pd.DataFrame(ALERT_ROWS, columns=ALERT_COLUMNS)
    view = alerts_view(analysis, alerts, SNOOZED)
    return write_sheet(tmp_path_factory.mktemp("alerts"), analysis, write_alerts, view)


def test_alerts_sorted_by_kind_owner_and_dwell(alerts_sheet):
    ws = alerts_sheet
    assert ws.title == "预警"
    assert values(ws, 1, 8, 11) == [
        ["预警", "线索编号", "客户", "负责人", "来源", "阶段", "停留(天)", "上限(天)", "距上次跟进(天)",
         "下次跟进时间", "预计成交日期"],
        # 停留超时 first: 张伟's by dwell, longest first, the tie by lead ID; then 李娜's.
        ["停留超时", "LF03", "丙", "张伟", "展会推广", "商务谈判", 41, 30, 5, None, None],
        ["停留超时、跟进逾期", "LF04", "丁", "张伟", "官网表单", "商务谈判", 41, 30, 2, datetime(2024, 5, 30), None],
        ["停留超时", "LF02", "乙", "张伟", "展会推广", "方案提案", 25, 21, 3, None, None],
        ["停留超时", "LF01", "甲", "李娜", "官网表单", "商务谈判", 41, 30, 11, None, None],
        # 久未跟进: the unknown dwell last.
        ["久未跟进", "LF06", "己", "张伟", "官网表单", "潜在接触", 20, 30, 16, None, None],
        ["久未跟进、预计成交日已过", "LF05", "戊", "张伟", "展会推广", "潜在接触", None, 30, 20, None,
         datetime(2024, 5, 20)],
        ["预计成交日已过", "LF07", "庚", "张伟", "展会推广", "需求挖掘", 5, 15, 1, None, datetime(2024, 5, 1)],
    ]
    assert [ws.cell(3, c).number_format for c in range(7, 11)] == ["0", "0", "0", "yyyy-mm-dd"]
    assert ws.cell(7, 11).number_format == "yyyy-mm-dd"
    assert ws.auto_filter.ref == "A1:K8"
    assert conditional(ws) == {"G2:G8": [("dataBar", ["FFF4B183"])]}
    assert ws.freeze_panes == "A2"
    assert widths(ws)["A"] == 28


def test_alerts_by_another_channel(tmp_path):
    # A team whose channel is 所属行业 (rules [dimensions] channel = "industry"): that column,
    # headed as the rules head it, where 来源 was.
    analysis = make_analysis()
    rules = dataclasses.replace(
        analysis.rules, dimensions=dataclasses.replace(analysis.rules.dimensions, channel="industry"),
    )
    analysis = dataclasses.replace(analysis, rules=rules, forecast=None)
    alerts = pd.DataFrame(ALERT_ROWS[:2], columns=ALERT_COLUMNS).assign(industry=["制造", "零售"])
    ws = write_sheet(tmp_path, analysis, write_alerts, alerts_view(analysis, alerts, SNOOZED))
    assert [ws.cell(r, 5).value for r in (1, 2, 3)] == ["所属行业", "零售", "制造"]


def test_alerts_snoozed_and_slipped(alerts_sheet):
    ws = alerts_sheet
    # Two rows under the alerts (last row 8): the snoozed leads by owner, then lead.
    assert ws["A9"].value is None and ws["A10"].value is None
    assert ws["A11"].value == "暂缓中的线索（不计停留超时和久未跟进）" and ws["A11"].font.b
    assert values(ws, 12, 15, 9) == [
        ["线索编号", "客户", "负责人", "阶段", "停留(天)", "上限(天)", "已超上限", "暂缓至", "暂缓原因"],
        ["S0", "子", "张伟", "商务谈判", 8, 30, "否", datetime(2024, 7, 1), "年底再谈"],
        ["S2", "壬", "张伟", "潜在接触", 12, 30, "否", datetime(2024, 6, 10), "等预算"],
        ["S1", "辛", "李娜", "方案提案", 25, 21, "是", datetime(2024, 6, 15), "客户出差"],
    ]
    assert [ws.cell(13, c).number_format for c in (5, 6, 8)] == ["0", "0", "yyyy-mm-dd"]
    # One blank row, then the leads whose close date slipped at least close_slips (2) times:
    # LF2024001 only (LF2024006 slipped once).
    assert ws["A16"].value is None
    assert ws["A17"].value == "预计成交日期多次推迟（2 次及以上）" and ws["A17"].font.b
    assert values(ws, 18, 19, 8) == [
        ["线索编号", "客户", "负责人", "阶段", "最初预计成交", "现在预计成交", "推迟次数", "历次预计成交日期"],
        ["LF2024001", "甲公司", "张伟", "商务谈判", datetime(2024, 3, 31), datetime(2024, 6, 30), 2,
         "2024-03-31 → 2024-04-30 → 2024-06-30"],
    ]
    assert ws.max_row == 19


def test_alerts_none(tmp_path):
    analysis = dataclasses.replace(make_analysis(), forecast=None)
    view = alerts_view(analysis, None, SNOOZED[~SNOOZED["snoozed"]])
    ws = write_sheet(tmp_path, analysis, write_alerts, view)
    assert ws["A1"].value == "预警"
    assert ws["A2"].value == "本期没有预警。" and ws["A2"].font.i
    assert ws.auto_filter.ref is None and conditional(ws) == {}
    # The snoozed block two rows under the note (row 2): title at 5, header 6, none at 7.
    assert [ws.cell(r, 1).value for r in range(3, 8)] == [
        None, None, "暂缓中的线索（不计停留超时和久未跟进）", "线索编号", "本期没有暂缓中的线索。",
    ]
    assert ws["A9"].value == "预计成交日期多次推迟（2 次及以上）"
    assert ws["A10"].value == "线索编号"
    assert ws["A11"].value == "没有预计成交日期多次推迟的线索。" and ws["A11"].font.i
    assert ws.max_row == 11


# ---------------------------------------------------------------- 负责人对比 / 渠道分析

# Hand-made standings (the writer lays them out in the order given): 张伟's win rate from 12
# closed (not a small sample), *销售代表's from 2 (small: grey); only 张伟 has a target.
OWNER_ROWS = (
    Standing("张伟", 4, 1, 2, 35.5, Rate(3, 12), 60.0, 20.0, 45.5, 70.0, 33.0, attainment=0.71),
    Standing("*销售代表", 4, 3, 0, 0.0, Rate(1, 2), 25.0, 25.0, 60.0, 45.0, 14.25),
)
TEAM_ROW = Standing("", 8, 4, 2, 35.5, Rate(4, 14), 85.0, 21.25, 52.0, 115.0, 47.25, attainment=0.5)
# *销售代表 leads 需求挖掘→方案提案 (3 of 3 against the team's 5 of 6).
LEADERS = (None, Leader(T2, "*销售代表", Rate(3, 3), 5 / 6), None, None, None)


def comparison_analysis(min_sample=10, **changes):
    analysis = make_analysis()
    standings = {**analysis.standings, "owner": OWNER_ROWS}
    analysis = dataclasses.replace(
        analysis, **{"standings": standings, "team_standing": TEAM_ROW, "leaders": LEADERS, **changes},
    )
    return with_min_sample(analysis, min_sample) if min_sample != 10 else analysis


def write_owners(ctx):
    write_comparison(ctx, ctx.sheets["owners"], ctx.t("col.owner"), "owner", ctx.view.by_owner, chart=False)


@pytest.fixture(scope="module")
def owners_sheet(tmp_path_factory):
    return write_sheet(tmp_path_factory.mktemp("owners"), comparison_analysis(min_sample=3), write_owners)


def test_owners_compact_table(owners_sheet):
    ws = owners_sheet
    assert ws.title == "负责人对比"
    assert ws["A1"].value == "负责人对比 · 截至 2024-05-31" and ws["A1"].font.b
    assert ws["A2"].value == (
        "先看本月：按本月成交金额从高到低排列。比率后括号内为 k/n（分子/分母）；分母少于 3 条的比率灰色显示（样本少），"
        "图中亦然。空白 = 无法计算。"
    )
    assert ws["A3"].value == "本月与累计" and ws["A3"].font.b
    # The hygiene scores are the sheet's input from quality.py (张伟 88.5, *销售代表 77.5, team
    # 82.78, tested with quality's tests): the writer only lays them out.
    assert_rows(values(ws, 4, 7, 13), [
        ["负责人", "线索数", "本月新增", "本月成交(万元)\n（件数）", "累计成交(万元)\n（件数）",
         "赢单率\n（成交/已结束）", "平均成交额(万元)", "周期中位数(天)", "在跟金额(万元)", "加权在跟金额(万元)",
         "本月达成率\n(成交÷成交目标)", "数据质量分", None],
        ["张伟", 4, 1, 35.5, 60, 0.25, 20, 45.5, 70, 33, 0.71, 88.5, None],
        ["*销售代表", 4, 3, 0, 25, 0.5, 25, 60, 45, 14.25, None, 77.5, None],
        ["全队", 8, 4, 35.5, 85, 4 / 14, 21.25, 52, 115, 47.25, 0.5, 82.7777777, None],
    ])
    # Amounts carry their count of deals, rates their k/n; *销售代表's 1 of 2 is a small sample.
    assert [ws.cell(5, c).number_format for c in range(2, 13)] == [
        "#,##0", "#,##0", '#,##0.0"（2）"', '#,##0.0"（3）"', '0%"（3/12）"', "#,##0.0", "0.0", "#,##0.0",
        "#,##0.0", "0.0%", "0.0",
    ]
    assert ws["F6"].number_format == '0%"（1/2）"' and ws["F6"].font.i and ws["F6"].font.color.rgb == "FFA6A6A6"
    assert not ws["F5"].font.i
    assert [ws.cell(6, c).number_format for c in (4, 5)] == ['#,##0.0"（0）"', '#,##0.0"（1）"']
    assert [ws.cell(7, c).number_format for c in range(2, 13)] == [
        "#,##0", "#,##0", '#,##0.0"（2）"', '#,##0.0"（4）"', '0%"（4/14）"', "#,##0.0", "0.0", "#,##0.0",
        "#,##0.0", "0.0%", "0.0",
    ]
    assert all(ws.cell(7, c).font.b and ws.cell(7, c).border.top.style == "thin" for c in range(1, 13))
    assert ws.cell(7, 13).border.top.style is None  # the rule stops with the table
    assert ws.freeze_panes == "B5"


def test_owners_pass_rates_and_leaders(owners_sheet):
    ws = owners_sheet
    # Pass rates by hand (tests/test_report.py's leads): 张伟 4/4 2/3 2/2 1/1 1/1, *销售代表 3/3
    # 3/3 1/2 1/1 1/1, team 7/7 5/6 3/4 2/2 2/2. min_sample 3: n < 3 is small (grey).
    assert ws["A8"].value is None
    assert ws["A9"].value == "各环节通过率（累计，k/n）" and ws["A9"].font.b
    assert_rows(values(ws, 10, 13, 6), [
        ["负责人", T1, T2, T3, T4, T5],
        ["张伟", 1, 2 / 3, 1, 1, 1],
        ["*销售代表", 1, 1, 0.5, 1, 1],
        ["全队", 1, 5 / 6, 0.75, 1, 1],
    ])
    assert [ws.cell(11, c).number_format for c in range(2, 7)] == [
        '0%"（4/4）"', '0%"（2/3）"', '0%"（2/2）"', '0%"（1/1）"', '0%"（1/1）"',
    ]
    grey = [[ws.cell(r, c).font.i for c in range(2, 7)] for r in (11, 12)]
    assert grey == [[False, False, True, True, True], [False, False, True, True, True]]
    # The leader's cell green and bold (not grey).
    best = ws["C12"]
    assert best.number_format == '0%"（3/3）"' and best.font.b and best.fill.fgColor.rgb == "FFC6EFCE"
    assert ws["B12"].fill.fgColor.rgb != "FFC6EFCE"
    assert [ws.cell(13, c).number_format for c in range(2, 7)] == [
        '0%"（7/7）"', '0%"（5/6）"', '0%"（3/4）"', '0%"（2/2）"', '0%"（2/2）"',
    ]
    assert all(ws.cell(13, c).font.b and ws.cell(13, c).border.top.style == "thin" for c in range(1, 7))
    # The leaders in words, one row under the team's row.
    assert ws["A14"].value is None
    assert ws["A15"].value == "各环节领先者（提炼优秀经验）" and ws["A15"].font.b
    assert ws["A16"].value.startswith("离开该阶段的线索不少于 3 条") and ws["A16"].font.i
    assert [ws.cell(r, 1).value for r in range(17, 22)] == [
        f"{T1}：没有负责人在不少于 3 条线索上高于团队",
        f"{T2}：*销售代表 100%（3/3），团队 83%",
        f"{T3}：没有负责人在不少于 3 条线索上高于团队",
        f"{T4}：没有负责人在不少于 3 条线索上高于团队",
        f"{T5}：没有负责人在不少于 3 条线索上高于团队",
    ]
    assert ws.max_row == 21


def test_owners_widths(owners_sheet):
    # Each column as wide as the wider of its two tables' columns, each its widest header line
    # or value (a Chinese character 2, ÷ 1) + 2: A "*销售代表" 9 → 11; B-E the rates' 16; F
    # "（成交/已结束）" 15 → 17 (its rate column 16); G "平均成交额(万元)" 16 → 18; H
    # "周期中位数(天)" 14 → 16; I "在跟金额(万元)" 14 → 16; J "加权在跟金额(万元)" 18 → 20; K
    # "(成交÷成交目标)" 15 → 17; L "数据质量分" 10 → 12.
    assert widths(owners_sheet) == {
        "A": 11, "B": 16, "C": 16, "D": 16, "E": 16, "F": 17, "G": 18, "H": 16, "I": 16, "J": 20,
        "K": 17, "L": 12,
    }


def test_owners_of_a_week(tmp_path):
    # A weekly run: the week's words, the prorated target's heading; the rest as for a month.
    analysis = make_analysis()
    review = dataclasses.replace(analysis.month_review, kind=PeriodKind.WEEK)
    ws = write_sheet(tmp_path, comparison_analysis(month_review=review), write_owners)
    assert ws["A2"].value.startswith("先看本周：按本周成交金额从高到低排列")
    assert ws["A3"].value == "本周与累计"
    assert [ws.cell(4, c).value for c in (3, 4, 11)] == [
        "本周新增", "本周成交(万元)\n（件数）", "本周达成率\n(成交÷折算目标)",
    ]


def test_owners_without_a_period_review(tmp_path):
    # No period review (none to show): the month's words.
    analysis = comparison_analysis()
    ws = write_sheet(tmp_path, analysis, write_owners, dataclasses.replace(team_view(analysis), month_review=None))
    assert ws["A3"].value == "本月与累计"
    assert ws["C4"].value == "本月新增"


def test_owners_without_targets(tmp_path):
    # Nobody has a target: no attainment column; the team's hygiene score (82.78) right after
    # its weighted pipeline, in K.
    rows = tuple(dataclasses.replace(s, attainment=None) for s in OWNER_ROWS)
    analysis = comparison_analysis()
    analysis = dataclasses.replace(
        analysis, standings={**analysis.standings, "owner": rows},
        team_standing=dataclasses.replace(TEAM_ROW, attainment=None),
    )
    ws = write_sheet(tmp_path, analysis, write_owners)
    assert [ws.cell(4, c).value for c in (10, 11, 12)] == ["加权在跟金额(万元)", "数据质量分", None]
    assert [ws.cell(7, c).value for c in (10, 11, 12)] == [47.25, pytest.approx(82.7777777), None]


def test_leaders_named_only(tmp_path):
    # As 优化建议 shows them: only the transitions somebody leads.
    def write(ctx):
        sheet = ctx.add_sheet("x")
        assert leaders_block(ctx, sheet, 0, named_only=True) == 3

    ws = write_sheet(tmp_path, comparison_analysis(min_sample=3), write)
    assert [ws.cell(r, 1).value for r in (1, 3, 4)] == [
        "各环节领先者（提炼优秀经验）", f"{T2}：*销售代表 100%（3/3），团队 83%", None,
    ]
    # Nobody leads: no block at all.
    analysis = comparison_analysis(leaders=(None,) * 5)

    def write_none(ctx):
        sheet = ctx.add_sheet("x")
        assert leaders_block(ctx, sheet, 5, named_only=True) == 5

    ws = write_sheet(tmp_path, analysis, write_none)
    assert ws.max_row == 1 and ws["A1"].value is None


def test_a_channel_named_like_the_leading_rep_is_not_marked(tmp_path):
    # The leaders are reps: a channel that happens to bear the leading rep's name (*销售代表,
    # leading 需求挖掘→方案提案) is not green on 渠道分析.
    analysis = comparison_analysis(min_sample=3)
    rows = (dataclasses.replace(SOURCE_ROWS[0], name="*销售代表"), SOURCE_ROWS[1])
    analysis = dataclasses.replace(analysis, standings={**analysis.standings, "source": rows})
    view = team_view(analysis)
    groups = {"*销售代表": view.by_source["官网表单"], "展会推广": view.by_source["展会推广"]}

    def write(ctx):
        write_comparison(ctx, ctx.sheets["sources"], "线索来源", "source", groups, chart=False)

    ws = write_sheet(tmp_path, analysis, write)
    assert ws["A11"].value == "*销售代表" and ws["C11"].value == pytest.approx(2 / 3)
    assert ws["C11"].fill.fgColor.rgb != "FFC6EFCE" and not ws["C11"].font.b


SOURCE_ROWS = (
    # 官网表单 from 10 closed: not small at min_sample 4; 展会推广 from 2: small.
    Standing("官网表单", 4, 1, 1, 12.0, Rate(1, 10), 12.0, 12.0, 30.0, 60.0, 17.0),
    Standing("展会推广", 4, 2, 0, 0.0, Rate(2, 2), 55.0, 27.5, 78.0, 55.0, 30.25),
)
LOW = "赢单率 < 10%（2024-03、2024-04、2024-05）"


def write_sources(ctx):
    write_comparison(
        ctx, ctx.sheets["sources"], ctx.header(ctx.channel), "source", ctx.view.by_source, chart=True,
        flags={"官网表单": LOW},
    )


@pytest.fixture(scope="module")
def sources_file(tmp_path_factory):
    analysis = comparison_analysis(min_sample=4)
    analysis = dataclasses.replace(analysis, standings={**analysis.standings, "source": SOURCE_ROWS})
    return write_file(tmp_path_factory.mktemp("sources"), analysis, write_sources)


def test_sources_tables(sources_file):
    ws = openpyxl.load_workbook(sources_file).worksheets[0]
    assert ws.title == "渠道分析"
    assert ws["A1"].value == "渠道分析 · 截至 2024-05-31"
    # No hygiene score, no target; the low channels' column (rules: 3 months) red where flagged.
    assert_rows(values(ws, 4, 7, 12), [
        ["线索来源", "线索数", "本月新增", "本月成交(万元)\n（件数）", "累计成交(万元)\n（件数）",
         "赢单率\n（成交/已结束）", "平均成交额(万元)", "周期中位数(天)", "在跟金额(万元)", "加权在跟金额(万元)",
         "连续偏低\n(连续 3 个月)", None],
        ["官网表单", 4, 1, 12, 12, 0.1, 12, 30, 60, 17, LOW, None],
        ["展会推广", 4, 2, 0, 55, 1, 27.5, 78, 55, 30.25, None, None],
        ["全队", 8, 4, 35.5, 85, 4 / 14, 21.25, 52, 115, 47.25, None, None],
    ])
    assert ws["K5"].fill.fgColor.rgb == "FFFFC7CE" and ws["K5"].font.color.rgb == "FF9C0006"
    assert ws["K6"].fill.fgColor.rgb != "FFFFC7CE"  # 展会推广 is not flagged
    assert ws["K7"].border.top.style == "thin" and not ws["K7"].font.b
    assert ws["L7"].border.top.style is None  # the rule stops with the table
    # By hand: 官网表单 (002, 004, 006, 008) 4/4, 2/3, 0/1, none, none; 展会推广 (001, 003, 005,
    # 007) 3/3, 3/3, 3/3, 2/2, 2/2. Small under 4: 官网表单 2/3, 0/1; 展会推广 all.
    assert_rows(values(ws, 10, 13, 6), [
        ["线索来源", T1, T2, T3, T4, T5],
        ["官网表单", 1, 2 / 3, 0, None, None],
        ["展会推广", 1, 1, 1, 1, 1],
        ["全队", 1, 5 / 6, 0.75, 1, 1],
    ])
    assert [ws.cell(11, c).font.i for c in range(2, 5)] == [False, True, True]
    assert all(ws.cell(12, c).font.i for c in range(2, 7))
    assert not any(ws.cell(r, c).font.b for r in (11, 12) for c in range(2, 7))  # no leaders here
    assert ws["A14"].value is None
    assert ws["A15"].value == "浅灰色柱 = 样本少（与表中灰色一致）" and ws["A15"].font.i
    assert ws.max_row == 15
    assert widths(ws)["K"] == 40


def test_sources_chart(sources_file):
    (chart,) = charts(sources_file)
    assert chart["title"] == "各渠道赢单率与首环节通过率" and chart["type"] == "barChart"
    assert chart["axis"] == {"format": "0%", "min": "0", "max": "1", "gridlines": True}
    assert chart["legend"] == "b"
    # Under the note (row 15): from row 16 (0-based 15); 640 × 340 px: A (width 10: 75 px) and
    # B-E (16: 117 px each, 543) then 97 px into F; 17 rows of 20 px down.
    assert chart["anchor"] == (0, 15, 5, 32, 97, 0)
    win, first = chart["series"]
    channels = ["官网表单", "展会推广"]
    assert win == {
        "name": "渠道分析!$F$4", "name_data": ["赢单率\n（成交/已结束）"],
        "categories": "渠道分析!$A$5:$A$6", "categories_data": channels,
        "values": "渠道分析!$F$5:$F$6", "values_data": ["0.1", "1.0"], "marker": (None, None),
        "fill": "4472C4", "points": {1: "E7E6E6"}, "labels": ("1", "0%"),
    }
    assert first == {
        "name": "渠道分析!$B$10", "name_data": [T1],
        "categories": "渠道分析!$A$5:$A$6", "categories_data": channels,
        "values": "渠道分析!$B$11:$B$12", "values_data": ["1.0", "1.0"], "marker": (None, None),
        "fill": "A5A5A5", "points": {1: "E7E6E6"}, "labels": None,
    }


def eleven_transitions(figures):
    """The figures with twelve stages: the first stage's figures eleven times (阶段1 … 阶段11),
    then the won stage."""
    first, won = figures.stages[0], figures.stages[-1]
    stages = [dataclasses.replace(first, stage=f"阶段{i}") for i in range(1, 12)] + [won]
    return dataclasses.replace(figures, stages=tuple(stages))


def test_sources_with_more_transitions_than_table_columns(tmp_path):
    # Twelve stages: the pass rates' table (the channel and 11 transitions, 12 columns) is wider
    # than the compact one (10 columns without flags, targets or scores): columns K and L take
    # the rates' width, 16.
    analysis = comparison_analysis(min_sample=4)
    analysis = dataclasses.replace(analysis, standings={**analysis.standings, "source": SOURCE_ROWS})
    view = team_view(analysis)
    view = dataclasses.replace(
        view, team=eleven_transitions(view.team),
        by_source={name: eleven_transitions(m) for name, m in view.by_source.items()},
    )

    def write(ctx):
        write_comparison(ctx, ctx.sheets["sources"], "线索来源", "source", ctx.view.by_source, chart=False)

    ws = write_sheet(tmp_path, analysis, write, view)
    assert [ws.cell(10, c).value for c in (1, 2, 12)] == ["线索来源", "阶段1→阶段2", "阶段11→已成交"]
    assert [widths(ws)[c] for c in "JKL"] == [20, 16, 16]


def test_flag_texts():
    flags = [
        ChannelFlag("官网表单", "win_rate", 0.1, ("2024-03", "2024-04", "2024-05"), (0.0, 0.05, 0.0)),
        ChannelFlag("官网表单", "first_pass_rate", 0.125, ("2024-04", "2024-05"), (0.1, 0.1)),
        ChannelFlag("展会推广", "win_rate", 0.1, ("2024-05",), (0.0,)),
    ]
    assert flag_texts(flags, catalogue("zh")) == {
        "官网表单": "赢单率 < 10%（2024-03、2024-04、2024-05）；首环节通过率 < 13%（2024-04、2024-05）",
        "展会推广": "赢单率 < 10%（2024-05）",
    }


# ---------------------------------------------------------------- 总览


def merged_rows(ws) -> dict[int, str]:
    """Each merged range of one row, by its row: "A11:F11" → 11."""
    return {r.min_row: r.coord for r in ws.merged_cells.ranges}


def note_height(text: str) -> float:
    """A merged note's row height: 13 points a line, a line about 59 display units (¾ of the
    columns A:F's 24 + 5 × 11), plus 4; stored in whole pixels (¾ point each)."""
    points = -(-display_width(text) // 59) * 13 + 4
    return int(points * 4 / 3 + 0.5) * 0.75


def hidden(ws, letter: str) -> bool:
    col = column_index_from_string(letter)
    return any(d.hidden and d.min <= col <= d.max for d in ws.column_dimensions.values())


@pytest.fixture(scope="module")
def overview_file(tmp_path_factory):
    return write_file(tmp_path_factory.mktemp("overview"), make_analysis(), write_overview)


def test_overview_month_block_alone(overview_file):
    ws = openpyxl.load_workbook(overview_file).worksheets[0]
    assert ws.title == "总览"
    assert ws["A1"].value == "销售漏斗分析 · 截至 2024-05-31" and ws["A1"].font.b
    assert ws["A2"].value == "统计期间 2024-05 · 数据来源 tracking.xlsx「线索跟踪」" and ws["A2"].font.i
    assert ws.sheet_view.showGridLines is False
    assert ws["A3"].value is None
    assert ws["A4"].value == "本月 2024-05（2024-05-01 至 2024-05-31）· 对比上月 2024-04" and ws["A4"].font.b
    # May against April (see tests/test_report.py): new 2 / 0, won 0 / 2 (55 万元), no losses
    # or moves in either.
    assert values(ws, 5, 10, 6) == [
        ["指标", "本月", "上月", "变化", None, None],
        ["新增线索(条)", 2, 0, 2, None, None],
        ["成交(条)", 0, 2, -2, None, None],
        ["成交金额(万元)", 0, 55, -55, None, None],
        ["流失(条)", 0, 0, 0, None, None],
        ["阶段变动(次)", 0, 0, 0, None, None],
    ]
    change_int, change_amount = '"▲ "#,##0;[Red]"▼ "#,##0;"–"', '"▲ "#,##0.0;[Red]"▼ "#,##0.0;"–"'
    assert [ws.cell(6, c).number_format for c in (2, 3, 4)] == ["#,##0", "#,##0", change_int]
    assert [ws.cell(8, c).number_format for c in (2, 3, 4)] == ["#,##0.0", "#,##0.0", change_amount]
    assert all(ws.cell(5, c).font.b and ws.cell(5, c).border.top.style == "thin" for c in range(1, 5))
    assert all(ws.cell(r, 1).font.b for r in range(6, 11))
    note = ws["A11"].value
    assert note.startswith("新增 = 首次接触在当月") and "上月 = 2024-04 整月" in note
    assert "目标" not in note  # no targets set
    assert merged_rows(ws)[11] == "A11:F11"
    assert ws["A11"].alignment.wrap_text and ws["A11"].font.i
    assert ws.row_dimensions[11].height == note_height(note)
    assert ws["A12"].value is None and 12 not in merged_rows(ws)


def test_overview_attention_alone(overview_file):
    ws = openpyxl.load_workbook(overview_file).worksheets[0]
    # 需要关注 three rows under the note (row 14), then one merged, wrapped row per action.
    assert ws["A13"].value is None
    assert ws["A14"].value == "需要关注" and ws["A14"].font.b
    lines = [ws.cell(r, 1).value for r in (15, 16, 17)]
    assert lines == [
        "1. 停留超时 2 条，金额合计 90.0 万元；金额最大的是 LF2024001 LF2024001公司/*经理（张伟，商务谈判，50.0 万元）：请推进或更新阶段。",
        "2. 跟进逾期 1 条（*销售代表 最多，1 条）：按「预警」安排跟进。",
        "3. 预计成交日已过的在跟线索 1 条：更新预计成交日或阶段。",
    ]
    for r, line in zip((15, 16, 17), lines, strict=True):
        assert merged_rows(ws)[r] == f"A{r}:F{r}"
        assert ws.row_dimensions[r].height == note_height(line)
        assert ws.cell(r, 1).alignment.wrap_text and not ws.cell(r, 1).font.i
    assert ws["A18"].value is None


STANDING_ROWS = [
    # Row 21 on (see tests/test_report.py for each figure by hand).
    ["累计指标（截至 2024-05-31）", None, None],
    ["指标", "数值", "说明"],
    ["管道", None, None],
    ["在跟", 4, "处于成交前各阶段的线索"],
    ["在跟金额(万元)", 115, "在跟线索预计成交金额之和"],
    ["加权金额(万元)", 47.25, "Σ 金额 × 所在阶段赢单概率"],
    ["赢单", None, None],
    ["赢单率", 0.5, "2/4 · 15%–85% 样本少"],
    ["赢单率(金额)", 55 / 80, "已成交金额 ÷ (已成交 + 已流失金额)"],
    ["成交周期中位数(天)", 78, "首次接触 → 进入已成交，2 条已成交线索的中位数"],
    ["已成交", 2, None],
    ["已流失", 2, "标记为无效线索"],
    ["跟进", None, None],
    ["停留超时", 2, "在跟且停留天数超过该阶段上限"],
    ["跟进逾期", 1, "下次跟进时间已过"],
    ["久未跟进", 1, "距最近跟进超过规定天数"],
    ["预计成交日已过", 1, "在跟但预计成交日期已过"],
    ["线索与数据", None, None],
    ["有效线索", 8, "参与计算的线索"],
    ["排除(数据错误)", 1, "见「数据问题」与「线索明细」末尾"],
    ["数据问题(错误)", 1, "有错误的行不参与计算"],
    ["数据问题(警告)", 1, "仅提示，行仍参与计算"],
    # The team's hygiene score is this sheet's input from quality.py (82.78 for this team; the
    # score itself is tested with quality's tests): the writer only lays it out.
    ["数据质量分(全队)", 82.7777777, "0–100，见「数据质量」"],
]
STANDING_FORMATS = {
    24: "#,##0", 25: "#,##0.0", 26: "#,##0.0", 28: "0.0%", 29: "0.0%", 30: "0.0", 31: "#,##0",
    32: "#,##0", 34: "#,##0", 35: "#,##0", 36: "#,##0", 37: "#,##0", 39: "#,##0", 40: "#,##0",
    41: "#,##0", 42: "#,##0", 43: "0.0",
}


def test_overview_standing_figures_alone(overview_file):
    ws = openpyxl.load_workbook(overview_file).worksheets[0]
    assert [ws.cell(r, 1).value for r in (18, 19, 20)] == [None, None, None]
    assert_rows(values(ws, 21, 43, 3), STANDING_ROWS)
    assert {r: ws.cell(r, 2).number_format for r in STANDING_FORMATS} == STANDING_FORMATS
    assert ws["A21"].font.b
    assert all(ws.cell(22, c).font.b and ws.cell(22, c).border.top.style == "thin" for c in (1, 2, 3))
    for r in (23, 27, 33, 38):  # group headings: bold, ruled below, dark blue
        cell = ws.cell(r, 1)
        assert cell.font.b and cell.border.bottom.style == "thin" and cell.font.color.rgb == "FF1F4E79"
    assert all(ws.cell(r, 1).alignment.indent == 1 for r in (24, 28, 34, 43))
    assert ws["C24"].font.i
    # Under the figures, one blank row, then one line on the inputs (row 46 = 43 + 1 + 2).
    assert ws["A44"].value is None and ws["A45"].value is None
    sha = make_analysis().rules.sha256[:12]
    assert ws["A46"].value == (
        f"输入文件 1 个 · 跟进记录 0 条 · 未使用历史记录库 · 规则文件 funnel.toml (SHA-256 {sha}…)："
        "文件校验值、口径与版本见「运行信息」。"
    )
    assert ws["A46"].font.i and ws.max_row == 46


def test_overview_cells_of_the_standing_figures():
    # The documented addresses (tests/test_report.py reads figures by them): each group's
    # heading row, then its figures, a blank row between groups; as laid out above.
    expected = {
        "active": "B24", "pipeline": "B25", "weighted_pipeline": "B26",
        "win_rate": "B28", "win_rate_amount": "B29", "cycle_median": "B30", "won": "B31", "lost": "B32",
        "stalled": "B34", "overdue": "B35", "stale": "B36", "close_past": "B37",
        "valid": "B39", "excluded": "B40", "errors": "B41", "warnings": "B42", "hygiene": "B43",
    }
    assert expected == OVERVIEW_CELLS
    assert overview._standing_cells() == expected  # computed again, as the module computes it on import


def test_overview_page_and_chart_data(overview_file):
    ws = openpyxl.load_workbook(overview_file).worksheets[0]
    # The chart's data in U:W from row 4: stage, reached 8 7 5 3 2 2, padding (8 − reached) ÷ 2.
    assert values(ws, 4, 10, 23)[0][20:] == ["阶段", "累计到达", "(占位)"]
    assert [r[20:] for r in values(ws, 5, 10, 23)] == [
        ["潜在接触", 8, 0], ["需求挖掘", 7, 0.5], ["方案提案", 5, 1.5], ["商务谈判", 3, 2.5],
        ["成交待签约", 2, 3], ["已成交", 2, 3],
    ]
    assert [hidden(ws, c) for c in "TUVWX"] == [False, True, True, True, False]
    assert widths(ws) == {"A": 24, "B": 11, "C": 11, "D": 11, "E": 11, "F": 11}
    assert ws.print_area == "'总览'!$A$1:$R$46"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (None, None)  # 1 × 1, the default
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_overview_funnel_chart_alone(overview_file):
    (chart,) = charts(overview_file)
    assert chart["title"] == "销售漏斗(累计到达) · 截至 2024-05-31"
    assert chart["type"] == "barChart" and chart["legend"] is None
    # From H4, 10 px in, 600 × 400 px: the 54 px left of H and eight columns of 64 px (566) then
    # 34 px into Q; down from row 4: rows of 20 px but the merged notes' (row 11 43 pt = 57 px;
    # rows 15-17 57, 40 and 23 px): 400 px end 3 px into row 19.
    assert chart["anchor"] == (7, 3, 16, 18, 34, 3)
    stages = ["潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交"]
    padding, reached = chart["series"]
    assert padding["name"] is None and padding["values"] == "总览!$W$5:$W$10"
    assert padding["categories"] == "总览!$U$5:$U$10" and padding["categories_data"] == stages
    assert padding["values_data"] == ["0.0", "0.5", "1.5", "2.5", "3.0", "3.0"]
    assert reached["values"] == "总览!$V$5:$V$10" and reached["fill"] == "4472C4"
    assert reached["values_data"] == ["8.0", "7.0", "5.0", "3.0", "2.0", "2.0"]
    with zipfile.ZipFile(overview_file) as z:
        xml = z.read("xl/charts/chart1.xml").decode()
    # Bar labels: reached and pass rate (7/7, 5/6, 3/4, 2/2, 2/2), the won stage its count only.
    assert re.findall(r"<c:dLbl>.*?<a:t>(.*?)</a:t>", xml) == [
        "8 · 通过 100%", "7 · 通过 83%", "5 · 通过 75%", "3 · 通过 100%", "2 · 通过 100%", "2",
    ]
    assert '<c:grouping val="stacked"/>' in xml and '<c:gapWidth val="15"/>' in xml
    assert '<c:orientation val="maxMin"/>' in xml  # the first stage on top
    assert '<c:max val="8"/>' in xml and '<c:min val="0"/>' in xml
    assert "plotVisOnly" not in xml  # hidden data shown (plotted from the hidden columns)
    assert '<c:delete val="1"/>' in xml and "majorGridlines" not in xml  # no value axis
    assert "<c:tx><c:v>(占位)</c:v></c:tx>" in xml and "<c:tx><c:v>累计到达</c:v></c:tx>" in xml
    assert '<c:dLblPos val="ctr"/>' in xml and '<a:srgbClr val="FFFFFF"/>' in xml
    assert reached["categories"] == "总览!$U$5:$U$10" and reached["categories_data"] == stages
    first, second = re.findall(r"<c:ser>.*?</c:ser>", xml)
    # The padding series is invisible: no fill, no border.
    assert "<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>" in first
    # The reached bars' labels: the value's place shown, centred, in bold white.
    labels = re.search(r"<c:dLbls>.*?</c:dLbls>", re.sub(r"<c:dLbl>.*?</c:dLbl>", "", second))[0]
    assert '<c:showVal val="1"/>' in labels and '<a:defRPr b="1"' in labels and 'val="FFFFFF"' in labels
    assert '<a:defRPr sz="1200"' in re.search(r"<c:title>.*?</c:title>", xml)[0]  # title 12 pt
    category_axis = re.search(r"<c:catAx>.*?</c:catAx>", xml)[0]
    assert '<c:majorTickMark val="none"/>' in category_axis
    assert "<c:spPr><a:ln><a:noFill/></a:ln></c:spPr>" in category_axis  # no axis line


@pytest.mark.parametrize(("reached", "axis_max"), [(1, '<c:max val="1"/>'), (0, None)])
def test_overview_funnel_chart_scale(tmp_path, reached, axis_max):
    # The value axis ends at the widest bar; with no lead at all it is left to Excel.
    analysis = make_analysis()
    view = team_view(analysis)
    stages = tuple(dataclasses.replace(st, reached=reached) for st in view.figures.stages)
    view = dataclasses.replace(view, figures=dataclasses.replace(view.figures, stages=stages))
    path = write_file(tmp_path, analysis, write_overview, view)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/charts/chart1.xml").decode()
    value_axis = re.search(r"<c:valAx>.*?</c:valAx>", xml)[0]
    assert re.findall(r"<c:max val=\"\d+\"/>", value_axis) == ([axis_max] if axis_max else [])


def overview_with(tmp_path, analysis, view=None):
    return openpyxl.load_workbook(write_file(tmp_path, analysis, write_overview, view)).worksheets[0]


def test_overview_month_targets_and_channels(tmp_path):
    # Targets (by hand): new leads 2 of 4 (50%), won 0 of 40 万元 (0%); channels: 展会推广 won
    # 10 of 40 (25%) and new 1 of 2.5 (40%); 官网表单 new 1 of 2.96 (34%; the target shown to
    # one decimal, 3.0, as a whole 3), no won target; 转介绍 won 5 against a target of 0: no
    # ratio (—).
    analysis = make_analysis()
    review = dataclasses.replace(
        analysis.month_review,
        team_attainment=Attainment(won_amount=0.0, won_target=40.0, new_leads=2, new_leads_target=4.0),
        channel_attainment={
            "展会推广": Attainment(10.0, 40.0, 1, 2.5), "官网表单": Attainment(0.0, None, 1, 2.96),
            "转介绍": Attainment(5.0, 0.0, 0, None),
        },
    )
    ws = overview_with(tmp_path, dataclasses.replace(analysis, month_review=review))
    assert values(ws, 5, 10, 6) == [
        ["指标", "本月", "上月", "变化", "目标", "达成率"],
        ["新增线索(条)", 2, 0, 2, 4, 0.5],
        ["成交(条)", 0, 2, -2, None, None],
        ["成交金额(万元)", 0, 55, -55, 40, 0],
        ["流失(条)", 0, 0, 0, None, None],
        ["阶段变动(次)", 0, 0, 0, None, None],
    ]
    assert [ws.cell(6, c).number_format for c in (5, 6)] == ["#,##0", "0.0%"]
    assert [ws.cell(8, c).number_format for c in (5, 6)] == ["#,##0.0", "0.0%"]
    assert all(ws.cell(5, c).font.b for c in (5, 6))
    assert ws["A11"].value.endswith("目标来自规则 [targets] 与工作簿的「目标」表。全队目标 = 各负责人目标之和。")
    channels = (
        "渠道目标达成（本月）：展会推广 成交 25%（10.0 / 40.0 万元）、新增 40%（1 / 2.5 条）；官网表单 新增 34%（1 / 3 条）；"
        "转介绍 成交 —（5.0 / 0.0 万元）"
    )
    assert ws["A12"].value == channels and merged_rows(ws)[12] == "A12:F12"
    assert ws["A12"].font.i and ws.row_dimensions[12].height == note_height(channels)
    assert ws.row_dimensions[11].height == note_height(ws["A11"].value)


def test_overview_week_with_prorated_targets(tmp_path):
    # A weekly run, 2024-W22 (05-27 to 06-02) against W21 (05-20 to 05-26): a prorated target of
    # new leads keeps its decimal (1.5).
    analysis = make_analysis()
    team = dataclasses.replace(analysis.month_review.team, month="2024-W22", previous_month="2024-W21")
    review = dataclasses.replace(
        analysis.month_review, team=team, kind=PeriodKind.WEEK,
        team_attainment=Attainment(won_amount=0.0, won_target=None, new_leads=2, new_leads_target=1.5),
        channel_attainment={"展会推广": Attainment(0.0, 12.0, 1, None)},
    )
    flow = dataclasses.replace(
        analysis.flow, period=dataclasses.replace(analysis.flow.period, start=date(2024, 5, 27), end=date(2024, 6, 2)),
    )
    view = dataclasses.replace(team_view(analysis), month_review=review, attention=())
    analysis = dataclasses.replace(analysis, month_review=review, flow=flow, period="2024-W22")
    ws = overview_with(tmp_path, analysis, view)
    assert ws["A4"].value == "本周 2024-W22（2024-05-27 至 2024-06-02）· 对比上周 2024-W21"
    assert [ws.cell(5, c).value for c in range(1, 7)] == ["指标", "本周", "上周", "变化", "折算目标", "达成率"]
    assert [ws.cell(6, c).value for c in (5, 6)] == [1.5, pytest.approx(2 / 1.5)]
    assert ws["E6"].number_format == "#,##0.0"
    assert ws["E8"].value is None
    note = ws["A11"].value
    assert note.startswith("新增 = 首次接触在本周") and "上周 = 2024-W21（2024-05-20 至 2024-05-26）" in note
    assert note.endswith("来自规则 [targets] 与工作簿的「目标」表。全队目标 = 各负责人目标之和。")
    assert "按工作日折算" in note
    assert ws["A12"].value == "渠道目标达成（本周，目标按工作日折算）：展会推广 成交 0%（0.0 / 12.0 万元）"
    # Nothing to act on: one line in the week's words.
    assert ws["A14"].value == "需要关注"
    assert ws["A15"].value == "本周没有需要特别关注的事项。" and ws["A15"].font.i
    assert 15 not in merged_rows(ws)


def test_overview_channel_line_just_over_four_lines(tmp_path):
    # A merged note takes ⌈display width ÷ 59⌉ lines (¾ of 79 units, rounded down): a line 237
    # units wide is 5 lines (237 ÷ 59 = 4.02), 69 points (5 × 13 + 4), 92 px.
    analysis = make_analysis()
    base = "渠道目标达成（本月）： 成交 25%（10.0 / 40.0 万元）"
    name = "X" * (237 - display_width(base))
    review = dataclasses.replace(analysis.month_review, channel_attainment={name: Attainment(10.0, 40.0, 1, None)})
    ws = overview_with(tmp_path, dataclasses.replace(analysis, month_review=review))
    assert display_width(ws["A12"].value) == 237
    assert ws.row_dimensions[12].height == 69


def test_rep_overview_beside_the_team(tmp_path):
    # 张伟's own 总览 (a rep's workbook): his figures beside the team's; the amounts, problems and
    # score his alone. By hand: open 001 002 of the team's 001 002 005 006 → 2 of 4; win rate
    # 003 won, 004 lost → 50%, the team's 2 of 4 → 50%; cycle 96 (003), the team's median 78.
    # With a target of his own, no note on the team's target (the sum of the reps').
    analysis = make_analysis()
    view = select_group(analysis, "owner", "张伟").view
    review = dataclasses.replace(
        view.month_review,
        team_attainment=Attainment(won_amount=0.0, won_target=20.0, new_leads=1, new_leads_target=2.0),
    )
    view = dataclasses.replace(view, month_review=review)
    ws = write_sheet(tmp_path, analysis, group_overview, view)
    assert ws["A11"].value.endswith("目标来自规则 [targets] 与工作簿的「目标」表。")
    assert values(ws, 22, 24, 4) == [["指标", "本人", "全队", "说明"], ["管道", None, None, None],
                                    ["在跟", 2, 4, None]]  # a rep's page notes only a few figures
    assert ws["C24"].number_format == "#,##0" and ws["C25"].value is None
    assert [ws.cell(28, c).value for c in (1, 2, 3)] == ["赢单率", 0.5, 0.5]
    assert [ws.cell(30, c).value for c in (1, 2, 3)] == ["成交周期中位数(天)", 96, 78]
    assert ws["C28"].number_format == "0.0%" and ws["C30"].number_format == "0.0"
    assert [ws.cell(43, c).value for c in (1, 2, 3)] == ["数据质量分", 88.5, None]
    assert ws["A42"].value == "数据问题(警告)"


def test_overview_unknowns_history_and_inputs(tmp_path):
    # No won lead with a date (2 without): the cycle unknown; nothing stalled but 3 open leads
    # without a stage-entered date: stalled unknown. A history store with April's snapshot, 12
    # follow-up log entries, two input files, 3 rows without a stage.
    analysis = make_analysis()
    view = team_view(analysis)
    figures = dataclasses.replace(
        view.figures, cycle_median=None, cycle_count=0, won_undated=2, stalled=0, dwell_unknown=3,
    )
    inputs = [
        InputFile("/data/a.xlsx", "a.xlsx", "0" * 64, "线索跟踪", 1, 5, skipped_without_stage=1),
        InputFile("/data/b.xlsx", "b.xlsx", "1" * 64, "Sheet1", 1, 4, skipped_without_stage=2),
    ]
    flow = dataclasses.replace(analysis.flow, previous_month="2024-04", log_entries=12)
    analysis = dataclasses.replace(analysis, inputs=inputs, flow=flow, history=Path("/stores/team_history.sqlite"))
    view = dataclasses.replace(view, figures=figures, inputs=inputs)
    ws = overview_with(tmp_path, analysis, view)
    assert ws["A2"].value == "统计期间 2024-05 · 数据来源 a.xlsx「线索跟踪」, b.xlsx「Sheet1」"
    assert [ws.cell(30, c).value for c in (1, 2)] == ["成交周期中位数(天)", "未知"]
    assert ws["C30"].value == (
        "首次接触 → 进入已成交，0 条已成交线索的中位数；2 条已成交线索没有进入已成交的日期，成交周期与成交月份未知、未计入："
        "请填写「阶段进入日期」"
    )
    assert [ws.cell(34, c).value for c in (1, 2)] == ["停留超时", "未知"]
    assert ws["C34"].value.startswith("在跟且停留天数超过该阶段上限；3 条在跟线索没有阶段进入日期")
    sha = analysis.rules.sha256[:12]
    assert ws["A46"].value == (
        f"输入文件 2 个 · 跟进记录 12 条 · 历史记录库 team_history.sqlite（上次快照 2024-04） · 规则文件 funnel.toml "
        f"(SHA-256 {sha}…)：文件校验值、口径与版本见「运行信息」。"
    )
    assert ws["A47"].value == "另有 3 行没有阶段，按规则 sheets.skip_rows_without_stage 未计入（不是错误）。"
    assert ws["A47"].font.i
    assert ws.print_area == "'总览'!$A$1:$R$47"
    # Without an earlier snapshot in the store:
    flow = dataclasses.replace(flow, previous_month=None)
    ws = overview_with(tmp_path, dataclasses.replace(analysis, flow=flow), view)
    assert "历史记录库 team_history.sqlite（此前没有更早月份的快照）" in ws["A46"].value


def test_overview_without_a_month_review(tmp_path):
    # No period block (no review): the month rows stay empty; the rest where it always is.
    analysis = make_analysis()
    view = dataclasses.replace(team_view(analysis), month_review=None, attention=(), inputs=[])
    ws = overview_with(tmp_path, analysis, view)
    assert ws["A2"].value == "统计期间 2024-05 · 数据来源 —"  # no input file named
    assert [ws.cell(r, 1).value for r in range(3, 14)] == [None] * 11
    assert ws["A15"].value == "本月没有需要特别关注的事项。"
    assert ws["A21"].value == "累计指标（截至 2024-05-31）"
