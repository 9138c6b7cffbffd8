"""The analysis workbook, written from a small hand-made analysis and read back with openpyxl.

Every expected figure is worked out by hand in the comments below, not by calling the code.
"""

from __future__ import annotations

import ast
import dataclasses
import io
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
    """Label (column A) → value (column B) of the 总览 key figures."""
    rows = ws.iter_rows(min_row=5, max_row=24, max_col=2, values_only=True)
    return {label: value for label, value in rows}


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
    assert got["线索总数"] == 9
    assert got["有效线索"] == 8
    assert (got["在跟"], got["已成交"], got["已流失"]) == (4, 2, 2)
    assert got["排除(数据错误)"] == 1
    assert got["赢单率"] == pytest.approx(2 / 4)
    assert got["整体转化率"] == pytest.approx(2 / 8)
    assert got["平均成交周期(天)"] == pytest.approx((96 + 60) / 2)
    assert got["成交周期中位数(天)"] == pytest.approx(78)
    # 50 + 20 + 5 + 40; weighted 50×0.6 + 20×0.15 + 5×0.05 + 40×0.35
    assert got["在跟金额(万元)"] == pytest.approx(115)
    assert got["加权金额(万元)"] == pytest.approx(30 + 3 + 0.25 + 14)
    # reached [8, 7, 5, 3, 2, 2], exited [7, 6, 4, 2, 2, 2]: pass rates 7/7, 5/6, 3/4, 2/2, 2/2 —
    # none from min_sample = 10 leads or more, so no transition is called the weakest.
    assert got["最薄弱环节"] is None and got["最薄弱环节通过率"] is None
    assert (got["停留超时"], got["跟进逾期"], got["久未跟进"], got["预计成交日已过"]) == (2, 1, 1, 1)
    assert (got["数据问题(错误)"], got["数据问题(警告)"]) == (1, 1)
    # The documented addresses.
    assert (OVERVIEW_CELLS["total"], OVERVIEW_CELLS["win_rate"]) == ("B5", "B11")
    assert ws["B5"].value == 9
    assert ws["B11"].value == pytest.approx(0.5)
    assert ws["B11"].number_format == "0.0%"
    assert ws["B12"].number_format == "0.0%"
    assert ws["B15"].number_format == "#,##0.0"
    assert ws.freeze_panes == "A5"


def test_overview_funnel_chart(book):
    ws = book["总览"]
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert (chart.type, chart.grouping) == ("bar", "stacked")
    assert len(chart.series) == 2
    assert chart.series[0].spPr.noFill  # the invisible padding series
    assert chart.x_axis.scaling.orientation == "maxMin"  # first stage on top
    data = list(ws.iter_rows(min_row=5, max_row=10, min_col=14, max_col=16, values_only=True))
    assert [r[0] for r in data] == ["潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交"]
    assert [r[1] for r in data] == [8, 7, 5, 3, 2, 2]
    assert [r[2] for r in data] == [0, 0.5, 1.5, 2.5, 3, 3]


def test_funnel_sheet(book):
    ws = book["漏斗分析"]
    rows = table(ws, 3)
    assert [r["阶段"] for r in rows[:6]] == ["潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交"]
    assert [r["累计到达"] for r in rows[:6]] == [8, 7, 5, 3, 2, 2]
    assert [r["已离开"] for r in rows[:6]] == [7, 6, 4, 2, 2, 2]
    assert [r["当前线索数"] for r in rows[:6]] == [1, 1, 1, 1, 0, 2]
    passes = [r["通过率\n(至下一阶段)"] for r in rows[:6]]
    assert passes[:5] == pytest.approx([7 / 7, 5 / 6, 3 / 4, 2 / 2, 2 / 2])
    assert [r["流失率"] for r in rows[:5]] == pytest.approx([0, 1 / 6, 1 / 4, 0, 0])
    assert [r["最长停留(天)"] for r in rows[:6]] == [30, 15, 21, 30, 14, None]
    # Undefined rates (the won stage) are blank, not 0.
    assert ws["E9"].value is None and ws["F9"].value is None
    assert ws["E4"].number_format == "0.0%"
    assert ws.freeze_panes == "B4"
    notes = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any(n.startswith("另有 0 条已流失线索未填写流失阶段") for n in notes)


def test_comparison_rates_carry_counts_and_small_samples_are_grey(book):
    ws = book["负责人对比"]
    assert [ws.cell(3, c).value for c in range(1, 10)] == [
        "负责人", "线索数", "在跟", "成交", "流失",
        "潜在接触→需求挖掘", "潜在接触→需求挖掘\nk/n · 95%区间",
        "需求挖掘→方案提案", "需求挖掘→方案提案\nk/n · 95%区间",
    ]
    assert [ws["A4"].value, ws["A5"].value] == [MASKED, "张伟"]
    # 销售代表 reached [4, 3, 3, 1, 1, 1], exited [3, 3, 2, 1, 1, 1]; 张伟 reached [4, 4, 2, 2, 1, 1],
    # exited [4, 3, 2, 1, 1, 1].
    assert ws["H4"].value == pytest.approx(1.0) and ws["H5"].value == pytest.approx(2 / 3)
    assert ws["J4"].value == pytest.approx(0.5) and ws["J5"].value == pytest.approx(1.0)
    # 3 of 3, Wilson: z² = 3.841459, z²/n = 1.280486, denominator 2.280486; centre
    # (1 + 0.640243) / 2.280486 = 0.719250; half 1.959964 / 2.280486 × √(3.841459 / 36)
    # = 0.859448 × 0.326660 = 0.280749 → 43.85%–100%.
    assert ws["I4"].value == "3/3 · 44%–100% 样本少"
    # 2 of 3: p = 2/3, centre (0.666667 + 0.640243) / 2.280486 = 0.573084; half 0.859448 ×
    # √(0.074074 + 0.106707) = 0.859448 × 0.425184 = 0.365423 → 20.77%–93.85%.
    assert ws["I5"].value == "2/3 · 21%–94% 样本少"

    def best(cell):
        return bool(ws[cell].font.b) and ws[cell].fill.fgColor.rgb.endswith("C6EFCE")

    def grey(cell):
        return bool(ws[cell].font.i) and ws[cell].font.color.rgb.endswith("A6A6A6")

    # Every rate here is from fewer than min_sample = 10 leads: none is the best, all are grey —
    # 3 of 3 = 100% included.
    for cell in ("F4", "F5", "H4", "H5", "J4", "J5"):
        assert not best(cell) and grey(cell), cell
    assert ws["H5"].number_format == "0.0%"
    assert ws.freeze_panes == "B4"
    # The team row under the reps, with its own counts: 需求挖掘→方案提案 5 of 6.
    assert ws["A7"].value == "全队" and ws["I7"].value.startswith("5/6 · ")


def test_sources_sheet_has_a_chart(book):
    ws = book["渠道分析"]
    assert [ws["A4"].value, ws["A5"].value] == ["官网表单", "展会推广"]
    # 官网表单: 002 and 006 active, 004 and 008 lost → win rate 0/2; 展会推广: 003 and 007 won → 2/2.
    # After five transitions and five stage loss rates, each with its k/n column: column Z.
    assert ws["Z3"].value == "赢单率"
    assert ws["Z4"].value == pytest.approx(0.0) and ws["Z5"].value == pytest.approx(1.0)
    # 0 of 2: centre (0 + 0.960365) / 2.920730 = 0.328810 = half width → 0%–66%.
    assert ws["AA4"].value == "0/2 · 0%–66% 样本少"
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
    # By type, then owner ("*销售代表" sorts before "张伟"), then days, longest first.
    assert [(r["类型"], r["线索编号"]) for r in rows] == [
        ("停留超时", "LF2024006"),
        ("停留超时", "LF2024001"),
        ("跟进逾期", "LF2024006"),
        ("久未跟进", "LF2024005"),
        ("预计成交日已过", "LF2024005"),
    ]
    assert rows[1]["停留(天)"] == 41 and rows[1]["上限(天)"] == 30
    assert rows[2]["日期"] == datetime(2024, 5, 30)
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
    assert first["转化率/阶段通过率(可选)"] == "75%(方案提案→商务谈判)"
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
    # The last column: after 5 counts, 5 transitions and 5 loss rates each with its k/n, the win
    # rate and its k/n, and 8 more figures: the 36th, AJ.
    assert ws["AJ3"].value == "连续偏低\n(连续 3 个月)"
    assert (ws["A4"].value, ws["AJ4"].value) == ("官网表单", "赢单率 < 10%（2024-03、2024-04、2024-05）")
    assert (ws["A5"].value, ws["AJ5"].value) == ("展会推广", None)
    assert ws["AJ4"].fill.fgColor.rgb.endswith("FFC7CE")
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
    assert len(trend._charts) == 5


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
    sources = next(s for s in charts if s[0][1] == ["官网表单", "展会推广"])
    # Win rate: 官网表单 0 of 2, 展会推广 2 of 2.
    assert sources[0][0] == "赢单率" and sources[0][2] == {0: 0.0, 1: 1.0}
    # The trend (no history, no log: this month alone): win rate 2 won of 4 closed; the pipeline
    # of the open leads 001, 002, 005, 006 = 50 + 20 + 5 + 40 = 115, weighted 50 × 0.6 + 20 × 0.15
    # + 5 × 0.05 + 40 × 0.35 = 47.25.
    rates = next(s for s in charts if s[0][0] == "赢单率" and s[0][1] == ["2024-05"])
    assert rates[0][2] == {0: 0.5}
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
