"""The analysis workbook, written from a small hand-made analysis and read back with openpyxl.

Every expected figure is worked out by hand in the comments below, not by calling the code.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from funnel_xl.analysis import Analysis, InputFile, build_analysis
from funnel_xl.flow import ChannelFlag
from funnel_xl.metrics import recalculate
from funnel_xl.problems import Problem
from funnel_xl.report import (
    FIXED_SHEETS,
    OVERVIEW_CELLS,
    default_report_name,
    rep_sheet_names,
    write_report,
)
from funnel_xl.rules import load_rules
from funnel_xl.wording import flag_suggestions

REPO_ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2024, 5, 31)
T = pd.Timestamp
NAT = pd.NaT
EVIL = '=HYPERLINK("http://evil")'
MASKED = "*销售代表"

# Stages (default rules): 0 潜在接触 (30 d, p 0.05), 1 需求挖掘 (15 d, 0.15), 2 方案提案 (21 d, 0.35),
# 3 商务谈判 (30 d, 0.6), 4 成交待签约 (14 d, 0.9), 5 已成交. As-of date 2024-05-31.
# The optional columns 跟进内容摘要, 客户需求/痛点, 所属行业, 联系方式 … are missing from the frame.


def lead(lead_id, owner, source, stage, first, last, close=None, amount=None, *,
         entered=None, nxt=None, customer=None, **extra):
    """One typed lead as the validator hands it over; dates as ISO text here, NaT when None."""
    return dict(
        lead_id=lead_id, customer=customer or f"{lead_id}公司/*经理", source=source, stage=stage,
        first_contact=T(first), last_follow_up=T(last), expected_close=T(close) if close else NAT,
        amount=amount, owner=owner, stage_entered_column=T(entered) if entered else NAT,
        next_follow_up=T(nxt) if nxt else NAT, **extra,
    )


LEADS = [
    # 张伟, active in 商务谈判 since 04-20 → dwell 41 > 30: stalled. Last follow-up 11 days ago.
    lead("LF2024001", "张伟", "展会推广", "商务谈判", "2024-03-15", "2024-05-20", "2024-06-30", 50.0,
         entered="2024-04-20", nxt="2024-06-05"),
    # 张伟, active in 需求挖掘 since 05-21 → dwell 10. The customer cell looks like a formula.
    lead("LF2024002", "张伟", "官网表单", "需求挖掘", "2024-05-01", "2024-05-25", "2024-07-31", 20.0,
         entered="2024-05-21", customer=EVIL),
    # 张伟, won: entered 已成交 04-15, first contact 01-10 → cycle 21 + 29 + 31 + 15 = 96 days.
    lead("LF2024003", "张伟", "展会推广", "已成交", "2024-01-10", "2024-04-18", "2024-04-30", 30.0,
         entered="2024-04-15"),
    # 张伟, lost in 需求挖掘.
    lead("LF2024004", "张伟", "官网表单", "无效线索", "2024-02-01", "2024-03-01", amount=10.0,
         lost_at="需求挖掘"),
    # 销售代表, active in 潜在接触: entered = first contact 05-11 → dwell 20 (not over 30);
    # no follow-up for 20 days > 14: stale; expected close 05-20 is past.
    lead("LF2024005", MASKED, "展会推广", "潜在接触", "2024-05-11", "2024-05-11", "2024-05-20", 5.0),
    # 销售代表, active in 方案提案 since 05-01 → dwell 30 > 21: stalled; next follow-up 05-30: overdue.
    lead("LF2024006", MASKED, "官网表单", "方案提案", "2024-03-01", "2024-05-28", "2024-07-15", 40.0,
         entered="2024-05-01", nxt="2024-05-30"),
    # 销售代表, won: entered 已成交 04-01, first contact 02-01 → cycle 29 + 31 = 60 days.
    lead("LF2024007", MASKED, "展会推广", "已成交", "2024-02-01", "2024-04-01", "2024-04-01", 25.0,
         entered="2024-04-01"),
    # 销售代表, lost in 方案提案.
    lead("LF2024008", MASKED, "官网表单", "无效线索", "2024-01-15", "2024-02-15", amount=15.0,
         lost_at="方案提案"),
]
EXCLUDED = [
    dict(lead_id="LF2024009", customer="坏数据公司", source="展会推广", stage=None,
         first_contact=NAT, amount=12.0, owner="张伟", dwell_days_typed=7.0,
         _file="tracking.xlsx", _sheet="线索跟踪", _row=10),
]
WARNING = Problem(
    code="amount_in_yuan", severity="warning", message="金额看起来以元填写，已按万元换算。",
    sheet="线索跟踪", row=3, column="K", header="预计成交金额(万元)", value="500000元", file="tracking.xlsx",
)
ERROR = Problem(
    code="stage_unknown", severity="error", message="「已签约」不是规则中的阶段，请从下拉列表选择。",
    sheet="线索跟踪", row=10, column="D", header="所属阶段", value="已签约", file="tracking.xlsx",
)

FIXED_ORDER = [
    "总览", "漏斗分析", "阶段流转", "趋势", "负责人对比", "渠道分析", "预测", "预警", "优化建议", "数据质量",
    "数据问题", "线索明细", "运行信息",
]
DETAIL_HEADERS = [
    "线索编号", "客户名称/联系人", "线索来源", "所属阶段", "首次接触时间", "最近跟进时间", "跟进方式",
    "跟进内容摘要", "客户需求/痛点", "预计成交日期", "预计成交金额(万元)", "负责人",
    "当前阶段停留时长(天)", "转化率/阶段通过率(可选)",
    "阶段进入日期", "流失阶段", "流失原因", "下次跟进时间", "所属行业", "联系方式", "暂缓至", "暂缓原因",
    "阶段进入日期来源", "流失阶段来源", "状态", "停留超时", "来源文件", "来源行",
]


def make_analysis(**changes) -> Analysis:
    rules = load_rules()
    frame = pd.DataFrame(LEADS)
    frame["_file"] = "tracking.xlsx"
    frame["_sheet"] = "线索跟踪"
    frame["_row"] = range(2, 2 + len(frame))
    result = recalculate(
        frame, rules, AS_OF, excluded=1, excluded_by_owner={"张伟": 1}, excluded_by_source={"展会推广": 1}
    )
    analysis = build_analysis(
        as_of=AS_OF,
        period="2024-05",
        rules=rules,
        result=result,
        problems=[WARNING, ERROR],
        inputs=[InputFile("/data/tracking.xlsx", "tracking.xlsx", "0" * 64, "线索跟踪", 1, 9)],
        excluded=pd.DataFrame(EXCLUDED),
    )
    return dataclasses.replace(analysis, **changes)


@pytest.fixture(scope="module")
def report_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    return write_report(make_analysis(), folder / "funnel_report_2024-05.xlsx")


@pytest.fixture(scope="module")
def book(report_path):
    return openpyxl.load_workbook(report_path)


def figures(ws) -> dict:
    """Label (column A) → value (column B) of the 总览 figures (the month's and the standing)."""
    rows = ws.iter_rows(min_row=5, max_col=2, values_only=True)
    return {label: value for label, value in rows if isinstance(label, str)}


def table(ws, header_row: int) -> list[dict]:
    """The rows under ``header_row`` as dicts, up to the first empty row."""
    rows = ws.iter_rows(min_row=header_row, values_only=True)
    header = next(rows)
    out = []
    for values in rows:
        if all(v is None for v in values):
            break
        out.append(dict(zip(header, values, strict=True)))
    return out


def test_names_and_path(tmp_path):
    analysis = make_analysis()
    assert default_report_name(analysis) == "funnel_report_2024-05.xlsx"
    target = tmp_path / "out" / "r.xlsx"
    assert write_report(analysis, str(target)) == target
    assert target.exists() and not list(target.parent.glob(".*.tmp"))


def test_sheets_in_order(book):
    assert book.sheetnames == [
        "总览", "漏斗分析", "阶段流转", "趋势", "负责人对比", "渠道分析", "预测",
        "管道变化", "阶段速度", "流失分析", "线索批次", "金额分段", "跟进活动", "＊销售代表", "张伟",
        "预警", "优化建议", "数据质量", "数据问题", "线索明细", "运行信息",
    ]


def test_overview_key_figures(book):
    ws = book["总览"]
    assert ws["A1"].value == "销售漏斗分析 · 截至 2024-05-31"
    got = figures(ws)
    # 8 valid + 1 excluded; active 001 002 005 006, won 003 007, lost 004 008.
    assert got["有效线索"] == 8
    assert (got["在跟"], got["已成交"], got["已流失"]) == (4, 2, 2)
    assert got["排除(数据错误)"] == 1
    assert got["赢单率"] == pytest.approx(2 / 4)
    assert got["赢单率(金额)"] == pytest.approx(55 / (55 + 25))  # won 30 + 25; lost 10 + 15
    assert got["成交周期中位数(天)"] == pytest.approx(78)  # cycles 96 and 60
    # 50 + 20 + 5 + 40; weighted 50×0.6 + 20×0.15 + 5×0.05 + 40×0.35
    assert got["在跟金额(万元)"] == pytest.approx(115)
    assert got["加权金额(万元)"] == pytest.approx(30 + 3 + 0.25 + 14)
    assert (got["停留超时"], got["跟进逾期"], got["久未跟进"], got["预计成交日已过"]) == (2, 1, 1, 1)
    assert (got["数据问题(错误)"], got["数据问题(警告)"]) == (1, 1)
    # Grouped under headings, at the documented addresses.
    headings = [c.value for c in ws["A"] if c.value in ("管道", "赢单", "跟进", "线索与数据")]
    assert headings == ["管道", "赢单", "跟进", "线索与数据"]
    assert ws[OVERVIEW_CELLS["active"]].value == 4
    assert ws[OVERVIEW_CELLS["win_rate"]].value == pytest.approx(0.5)
    assert ws[OVERVIEW_CELLS["win_rate"]].number_format == "0.0%"
    assert ws[OVERVIEW_CELLS["pipeline"]].number_format == "#,##0.0"


def test_overview_month_block(book):
    """May against April, by hand. New (first contact in the month): May 002 (05-01), 005 (05-11);
    April none. Won (entered 已成交 in the month): April 003 (04-15, 30) and 007 (04-01, 25); May
    none. The lost leads have no date: in no month. No log: no stage moves."""
    ws = book["总览"]
    assert ws["A4"].value == "本月 2024-05（2024-05-01 至 2024-05-31）· 对比上月 2024-04"
    header = [ws.cell(5, c).value for c in range(1, 7)]
    # No target set: no target or attainment column.
    assert header == ["指标", "本月", "上月", "变化", None, None]
    rows = {r[0]: r[1:4] for r in ws.iter_rows(min_row=6, max_row=10, max_col=4, values_only=True)}
    assert rows == {
        "新增线索(条)": (2, 0, 2),
        "成交(条)": (0, 2, -2),
        "成交金额(万元)": (0, 55, -55),
        "流失(条)": (0, 0, 0),
        "阶段变动(次)": (0, 0, 0),
    }
    assert ws["D6"].number_format.startswith('"▲ "') and "▼" in ws["D6"].number_format
    assert "上月 = 2024-04 整月" in ws["A11"].value


def test_overview_attention(book):
    """需要关注: stalled 001 (50, 商务谈判) and 006 (40): 90 in all, the largest 001; no transition
    has the sample for "weakest"; overdue 006 (销售代表); close date past 005."""
    ws = book["总览"]
    texts = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert texts == [
        "1. 停留超时 2 条，金额合计 90.0 万元；金额最大的是 LF2024001 LF2024001公司/*经理（张伟，商务谈判，50.0 万元）：请推进或更新阶段。",
        "2. 跟进逾期 1 条（*销售代表 最多，1 条）：按「预警」安排跟进。",
        "3. 预计成交日已过的在跟线索 1 条：更新预计成交日或阶段。",
    ]


def test_overview_funnel_chart(book, report_path):
    ws = book["总览"]
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert (chart.type, chart.grouping) == ("bar", "stacked")
    assert len(chart.series) == 2
    assert chart.series[0].spPr.noFill  # the invisible padding series
    assert chart.x_axis.scaling.orientation == "maxMin"  # first stage on top
    # Its data sits in hidden columns U:W, out of sight and out of the print area (A:R).
    data = list(ws.iter_rows(min_row=5, max_row=10, min_col=21, max_col=23, values_only=True))
    assert [r[0] for r in data] == ["潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交"]
    assert [r[1] for r in data] == [8, 7, 5, 3, 2, 2]
    assert [r[2] for r in data] == [0, 0.5, 1.5, 2.5, 3, 3]
    assert ws.column_dimensions["U"].hidden
    assert ":$R$" in ws.print_area
    # Each bar labelled with its count and pass rate: 7/7, 5/6, 3/4, 2/2, 2/2.
    with zipfile.ZipFile(report_path) as package:
        xml = package.read("xl/charts/chart1.xml").decode()
    labels = re.findall(r"<c:dLbl>.*?<a:t>(.*?)</a:t>", xml)
    assert labels == ["8 · 通过 100%", "7 · 通过 83%", "5 · 通过 75%", "3 · 通过 100%", "2 · 通过 100%", "2"]


def test_funnel_sheet(book):
    ws = book["漏斗分析"]
    rows = table(ws, 3)
    assert [r["阶段"] for r in rows[:6]] == ["潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交"]
    assert [r["累计到达"] for r in rows[:6]] == [8, 7, 5, 3, 2, 2]
    # The won stage: nobody leaves it, no dwell, no open amount (blank, not 42 "left").
    assert [r["已离开"] for r in rows[:6]] == [7, 6, 4, 2, 2, None]
    assert [r["当前线索数"] for r in rows[:6]] == [1, 1, 1, 1, 0, 2]
    passes = [r["通过率\n(至下一阶段)"] for r in rows[:6]]
    assert passes[:5] == pytest.approx([7 / 7, 5 / 6, 3 / 4, 2 / 2, 2 / 2])
    assert [r["流失率"] for r in rows[:5]] == pytest.approx([0, 1 / 6, 1 / 4, 0, 0])
    # The rules' limit is labelled as such; beside it the longest current stay of an open lead:
    # 005 20 days in 潜在接触, 002 10 in 需求挖掘, 006 30 in 方案提案, 001 41 in 商务谈判, nobody
    # in 成交待签约.
    assert [r["停留上限(天)"] for r in rows[:6]] == [30, 15, 21, 30, 14, None]
    assert [r["最长停留(天)"] for r in rows[:6]] == [20, 10, 30, 41, None, None]
    # One weighted pipeline: the open leads' amounts 005 5, 002 20, 006 40, 001 50, weighted
    # 5 × 0.05 + 20 × 0.15 + 40 × 0.35 + 50 × 0.6 = 0.25 + 3 + 14 + 30 = 47.25 — the won
    # leads 003 and 007 (55) are not in it; the 合计 row equals 总览's figures.
    assert [r["在跟金额(万元)"] for r in rows[:6]] == pytest.approx([5, 20, 40, 50, 0, None])
    weighted = [r["加权在跟金额(万元)"] for r in rows[:6]]
    assert weighted == pytest.approx([0.25, 3, 14, 30, 0, None])
    total = rows[6]
    assert total["阶段"] == "合计"
    assert (total["在跟金额(万元)"], total["加权在跟金额(万元)"]) == pytest.approx((115, 47.25))
    # Undefined rates (the won stage) are blank, not 0.
    assert ws["E9"].value is None and ws["F9"].value is None
    assert ws["E4"].number_format == "0.0%"
    assert ws.freeze_panes == "B4"
    # Every lost lead has its lost-at stage: no "另有 0 条…" note.
    notes = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert not any(n.startswith("另有") for n in notes)


def test_comparison_rates_carry_counts_and_small_samples_are_grey(book):
    ws = book["负责人对比"]
    # The compact table (header row 4), then the pass rates under their own header.
    assert ws["A3"].value == "本月与累计" and ws["A4"].value == "负责人"
    # Neither rep won in May; to date 张伟 won 30 (003), 销售代表 25 (007): 张伟 first.
    assert [ws["A5"].value, ws["A6"].value, ws["A7"].value] == ["张伟", MASKED, "全队"]
    head = next(r for r in range(8, ws.max_row + 1) if ws.cell(r, 2).value == "潜在接触→需求挖掘")
    assert [ws.cell(head, c).value for c in range(1, 4)] == ["负责人", "潜在接触→需求挖掘", "需求挖掘→方案提案"]
    # 销售代表 reached [4, 3, 3, 1, 1, 1], exited [3, 3, 2, 1, 1, 1]; 张伟 reached [4, 4, 2, 2, 1, 1],
    # exited [4, 3, 2, 1, 1, 1].
    zhang, masked = head + 1, head + 2
    assert ws.cell(masked, 2).value == pytest.approx(1.0) and ws.cell(zhang, 2).value == pytest.approx(1.0)
    assert ws.cell(masked, 3).value == pytest.approx(1.0) and ws.cell(zhang, 3).value == pytest.approx(2 / 3)
    assert ws.cell(masked, 3).number_format == '0%"（3/3）"'
    assert ws.cell(zhang, 3).number_format == '0%"（2/3）"'

    def best(cell):
        return bool(cell.font.b) and cell.fill.fgColor.rgb.endswith("C6EFCE")

    def grey(cell):
        return bool(cell.font.i) and cell.font.color.rgb.endswith("A6A6A6")

    # Every rate here is from fewer than min_sample = 10 leads: none is the best, all are grey —
    # 3 of 3 = 100% included.
    for row in (zhang, masked):
        for col in (2, 3, 4):
            assert not best(ws.cell(row, col)) and grey(ws.cell(row, col)), (row, col)
    assert ws.freeze_panes == "B5"
    # The team row under the reps, with its own counts: 需求挖掘→方案提案 5 of 6.
    assert ws.cell(head + 3, 1).value == "全队" and ws.cell(head + 3, 3).number_format == '0%"（5/6）"'


def test_sources_sheet_has_a_chart(book):
    ws = book["渠道分析"]
    # Neither channel won in May; to date 展会推广 won 003 and 007 (55), 官网表单 nothing: 展会推广
    # first. 官网表单: 002 and 006 active, 004 and 008 lost → win rate 0/2; 展会推广: 2/2.
    assert [ws["A5"].value, ws["A6"].value] == ["展会推广", "官网表单"]
    assert ws["F4"].value == "赢单率\n（成交/已结束）"
    assert ws["F5"].value == pytest.approx(1.0) and ws["F6"].value == pytest.approx(0.0)
    assert ws["F6"].number_format == '0%"（0/2）"'
    assert len(ws._charts) == 1


def test_rep_sheet_holds_only_that_reps_open_leads(book):
    ws = book["＊销售代表"]
    assert ws["A1"].value == f"{MASKED} · 个人漏斗 · 截至 2024-05-31"
    rows = table(ws, 7)
    # Open leads of 销售代表 by dwell, longest first: 006 (30 days), 005 (20 days).
    assert [r["线索编号"] for r in rows] == ["LF2024006", "LF2024005"]
    assert [r["停留(天)"] for r in rows] == [30, 20]
    assert [r["上限(天)"] for r in rows] == [21, 30]
    assert rows[0]["预警"] == "停留超时、跟进逾期"
    assert rows[1]["预警"] == "久未跟进、预计成交日已过"
    everything = {v for row in ws.iter_rows(values_only=True) for v in row}
    assert not {"LF2024001", "LF2024002", "张伟"} & everything
    assert ws.freeze_panes == "B8"


def test_alerts_sheet_sorted(book):
    rows = table(book["预警"], 1)
    # One row per lead, its alerts in one cell (006 and 005 have two each); by the first alert's
    # kind, then owner ("*销售代表" sorts before "张伟"), then dwell, longest first.
    assert [(r["预警"], r["线索编号"]) for r in rows] == [
        ("停留超时、跟进逾期", "LF2024006"),
        ("停留超时", "LF2024001"),
        ("久未跟进、预计成交日已过", "LF2024005"),
    ]
    assert rows[1]["停留(天)"] == 41 and rows[1]["上限(天)"] == 30
    # The missed next follow-up of 006 and the passed expected close of 005, each in its column.
    assert rows[0]["下次跟进时间"] == datetime(2024, 5, 30) and rows[0]["预计成交日期"] is None
    assert rows[2]["预计成交日期"] == datetime(2024, 5, 20) and rows[2]["下次跟进时间"] is None
    assert book["预警"].freeze_panes == "A2"


def test_suggestions(book):
    ws = book["优化建议"]
    # stalled share 2 of 4 active = 50% > 20%: the only rule that fires.
    assert ws["B4"].value.startswith("50% 的在跟线索停留超时")
    assert ws["D4"].value == pytest.approx(0.5)
    assert ws["D4"].number_format == "0.0%"
    assert ws["A5"].value is None


def test_problems_errors_first(book):
    rows = table(book["数据问题"], 1)
    assert [r["严重程度"] for r in rows] == ["错误", "警告"]
    assert rows[0] == {
        "严重程度": "错误", "文件": "tracking.xlsx", "工作表": "线索跟踪", "行": 10, "列": "D",
        "表头": "所属阶段", "值": "已签约", "问题说明": ERROR.message, "代码": "stage_unknown",
    }
    assert rows[1]["代码"] == "amount_in_yuan"


def test_detail_sheet(book):
    ws = book["线索明细"]
    assert [c.value for c in ws[1]] == DETAIL_HEADERS
    rows = table(ws, 1)
    assert [r["线索编号"] for r in rows] == [f"LF202400{i}" for i in range(1, 10)]
    first = rows[0]
    assert first["当前阶段停留时长(天)"] == 41  # recalculated, not typed
    # 商务谈判 takes the team's pass rate into it: 方案提案→商务谈判 = 3/4.
    assert first["转化率/阶段通过率(可选)"] == "75%(方案提案→商务谈判 3/4)"  # fewer than 10: with its k/n
    assert first["阶段进入日期"] == datetime(2024, 4, 20)
    assert (first["阶段进入日期来源"], first["状态"], first["停留超时"]) == ("表格", "在跟", "是")
    assert (first["来源文件"], first["来源行"]) == ("tracking.xlsx", 2)
    assert first["所属行业"] is None  # a column missing from the frame is blank
    assert rows[4]["阶段进入日期来源"] == "首次接触"
    assert [r["状态"] for r in rows[2:4]] == ["成交", "流失"]
    last = rows[-1]
    assert last["状态"] == "已排除(数据错误)"
    assert (last["当前阶段停留时长(天)"], last["来源行"]) == (7, 10)  # what the rep typed
    assert ws["E2"].number_format == "yyyy-mm-dd"
    assert ws["K2"].number_format == "#,##0.0"
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == "A1:AB10"


def test_formula_looking_text_stays_text(book):
    cell = book["线索明细"]["B3"]
    assert cell.data_type == "s"
    assert cell.value == EVIL
    rep = book["张伟"]
    cells = [c for row in rep.iter_rows() for c in row if c.value == EVIL]
    assert cells and all(c.data_type == "s" for c in cells)


def test_same_analysis_gives_the_same_bytes(tmp_path, report_path):
    again = write_report(make_analysis(), tmp_path / "again.xlsx")
    assert again.read_bytes() == report_path.read_bytes()


def test_nothing_to_report(tmp_path):
    analysis = make_analysis(problems=[], excluded=pd.DataFrame())
    analysis = dataclasses.replace(analysis, result=dataclasses.replace(analysis.result, suggestions=[]))
    book = openpyxl.load_workbook(write_report(analysis, tmp_path / "r.xlsx"))
    assert book["数据问题"]["A2"].value == "未发现数据问题。"
    assert book["优化建议"]["A4"].value == "本期数字没有触发任何优化建议规则。"
    assert book["线索明细"].max_row == 9


def test_a_channel_low_month_after_month_is_flagged(tmp_path):
    analysis = make_analysis()
    flag = ChannelFlag("官网表单", "win_rate", 0.1, ("2024-03", "2024-04", "2024-05"), (0.05, 0.0, 0.0))
    analysis.flow.channel_flags = [flag]
    analysis.result.suggestions.extend(flag_suggestions([flag], analysis.rules))
    book = openpyxl.load_workbook(write_report(analysis, tmp_path / "r.xlsx"))
    ws = book["渠道分析"]
    # The last column of the compact table: after the channel and 9 figures, the 11th, K.
    assert ws["K4"].value == "连续偏低\n(连续 3 个月)"
    assert (ws["A6"].value, ws["K6"].value) == ("官网表单", "赢单率 < 10%（2024-03、2024-04、2024-05）")
    assert (ws["A5"].value, ws["K5"].value) == ("展会推广", None)
    assert ws["K6"].fill.fgColor.rgb.endswith("FFC7CE")
    rows = table(book["优化建议"], 3)
    assert rows[-1]["建议"] == (
        "渠道「官网表单」赢单率已连续 3 个月低于 10%（2024-03 至 2024-05：5%、0%、0%）："
        "评估其获客成本，减少投入或调整使用方式。"
    )
    assert (rows[-1]["指标"], rows[-1]["阶段/渠道"]) == ("渠道赢单率连续偏低", "官网表单")


def test_flow_and_trend_sheets_without_history(book):
    # make_analysis has no log and no store: no moves, one month of trend.
    flow = [r for r in book["阶段流转"].iter_rows(values_only=True) if r[0]]
    assert any(r[0].startswith("本期没有阶段变动记录：工作簿没有跟进记录") for r in flow if isinstance(r[0], str))
    trend = book["趋势"]
    assert [c.value for c in trend[4]] == ["指标", "2024-05"]
    assert [c.value for c in trend[5]] == ["数据来源", "本次"]
    assert len(trend._charts) == 4  # rates of each period, pipeline, leads, cycle


# ---------------------------------------------------------------------------
# Sheet names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owners", "expected"),
    [
        (["*销售代表", "销售代表"], ["＊销售代表", "销售代表"]),
        (["a/b:c?[d]\\e"], ["a／b：c？［d］＼e"]),
        (["'引号'", "  空格  "], ["引号", "空格"]),
        (["", "'"], ["未填写负责人", "未填写负责人 (2)"]),
        (["总览", "线索明细", "history"], ["总览 (2)", "线索明细 (2)", "history (2)"]),
        (["Bob", "BOB", "bob"], ["Bob", "BOB (2)", "bob (3)"]),
        (["A*", "A＊"], ["A＊", "A＊ (2)"]),
        (["x" * 40], ["x" * 31]),
        (["y" * 40, "y" * 35], ["y" * 31, "y" * 27 + " (2)"]),
        (["z" * 30 + "'abc"], ["z" * 30]),  # cut after the apostrophe, which is then stripped
    ],
)
def test_rep_sheet_names(owners, expected):
    assert list(rep_sheet_names(owners).values()) == expected


@given(st.lists(st.text(max_size=40), max_size=8, unique=True))
def test_rep_sheet_names_are_always_accepted(owners):
    names = rep_sheet_names(owners)
    assert list(names) == owners
    workbook = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    for name in [*FIXED_SHEETS, *names.values()]:
        workbook.add_worksheet(name)  # raises on a bad or duplicate (case-insensitive) name
    for name in names.values():
        assert len(name.encode("utf-16-le")) // 2 <= 31
        assert name.casefold() not in {n.casefold() for n in FIXED_ORDER} | {"history"}


def _chart_caches(path) -> list[list[tuple[str | None, list, dict]]]:
    """Each chart's series as (cached name, cached categories, cached values by point index)."""
    import zipfile
    from xml.etree import ElementTree

    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    charts = []
    with zipfile.ZipFile(path) as archive:
        for part in sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart")):
            root = ElementTree.fromstring(archive.read(part))
            series = []
            for ser in root.iter(f"{c}ser"):
                name = ser.find(f"{c}tx/{c}strRef/{c}strCache/{c}pt/{c}v")
                cats = [v.text for v in ser.iter(f"{c}cat") for v in v.iter(f"{c}v")]
                values = {
                    int(pt.get("idx")): float(pt.find(f"{c}v").text)
                    for val in ser.iter(f"{c}val") for pt in val.iter(f"{c}pt")
                }
                series.append((name.text if name is not None else None, cats, values))
            charts.append(series)
    return charts


def test_charts_carry_a_copy_of_their_data_for_previewers(report_path):
    # The sheets are streamed, so the charts' cached copies are filled from the figures themselves.
    charts = _chart_caches(report_path)
    stages = ["潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交"]
    funnel = next(s for s in charts if s[0][1] == stages)
    # Reached [8, 7, 5, 3, 2, 2]; padding centres each bar: (8 − reached) / 2.
    assert funnel[0][2] == {0: 0, 1: 0.5, 2: 1.5, 3: 2.5, 4: 3, 5: 3}
    assert funnel[1][2] == {0: 8, 1: 7, 2: 5, 3: 3, 4: 2, 5: 2}
    sources = next(s for s in charts if s[0][1] == ["展会推广", "官网表单"])
    # Win rate: 展会推广 2 of 2, 官网表单 0 of 2.
    assert sources[0][0] == "赢单率\n（成交/已结束）" and sources[0][2] == {0: 1.0, 1: 0.0}
    # The trend (no history, no log: this month alone): the win rate of May's own leads — none was
    # won or lost in May (003 on 04-15, 007 on 04-01; 004 and 008 undated): blank; the pipeline
    # of the open leads 001, 002, 005, 006 = 50 + 20 + 5 + 40 = 115, weighted 50 × 0.6 + 20 × 0.15
    # + 5 × 0.05 + 40 × 0.35 = 47.25.
    rates = next(s for s in charts if s[0][0] == "本期赢单率" and s[0][1] == ["2024-05"])
    assert rates[0][2] == {}
    pipeline = next(s for s in charts if s[0][0] == "在跟金额(万元)")
    assert [p[2] for p in pipeline] == [{0: 115.0}, {0: 47.25}]


def _package_imports(path: Path) -> set[str]:
    """The funnel_xl modules a module imports, as dotted names below funnel_xl."""
    package = path.parent.relative_to(REPO_ROOT).as_posix().replace("/", ".")
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            names.add(f"{base}.{node.module}" if node.module else base)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("funnel_xl"):
            names.add(node.module)
    return names


def test_only_the_pipeline_and_the_split_writer_import_the_report():
    modules = sorted((REPO_ROOT / "funnel_xl").rglob("*.py"))
    importers = {
        p.relative_to(REPO_ROOT).as_posix()
        for p in modules
        if "report" not in p.relative_to(REPO_ROOT / "funnel_xl").parts[:-1]
        and any(n == "funnel_xl.report" or n.startswith("funnel_xl.report.") for n in _package_imports(p))
    }
    assert importers == {"funnel_xl/pipeline.py", "funnel_xl/groups.py"}
    # The report reads a group's view; it never reaches back into the split writer.
    for p in (REPO_ROOT / "funnel_xl" / "report").glob("*.py"):
        assert "funnel_xl.groups" not in _package_imports(p), p.name


def test_the_comparisons_are_pure():
    for name in ("compare", "alerts", "text"):
        imports = _package_imports(REPO_ROOT / "funnel_xl" / f"{name}.py")
        assert not imports & {"funnel_xl.messages", "funnel_xl.reader", "funnel_xl.store"}, name
