"""The compact 负责人对比 / 渠道分析 tables and the leading rep per transition, on a hand-made team.

Every expected figure is worked out by hand in the comments, not by calling the code.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import openpyxl
import pandas as pd
import pytest

from funnel_xl.analysis import InputFile, build_analysis
from funnel_xl.metrics import recalculate
from funnel_xl.report import write_report
from funnel_xl.rules import load_rules
from funnel_xl.standings import leaders
from tests.test_report import lead

AS_OF = date(2024, 5, 31)  # the month: 2024-05-01 … 2024-05-31
# Stages: 0 潜在接触 (p 0.05), 1 需求挖掘 (0.15), 2 方案提案 (0.35), 3 商务谈判 (0.6), 4 成交待签约 (0.9),
# 5 已成交.
TEAM = [
    # 甲: won in May (entered 已成交 05-10, first contact 04-01: cycle 30 + 9 = 39 days), 10 万元.
    lead("A1", "甲", "展会推广", "已成交", "2024-04-01", "2024-05-10", amount=10.0, entered="2024-05-10"),
    # 甲: won in March (01-01 → 03-01: cycle 31 + 29 = 60 days), 40 万元.
    lead("A2", "甲", "展会推广", "已成交", "2024-01-01", "2024-03-01", amount=40.0, entered="2024-03-01"),
    # 甲: new in May, open in 需求挖掘, 20 万元 (weighted 20 × 0.15 = 3).
    lead("A3", "甲", "官网表单", "需求挖掘", "2024-05-05", "2024-05-25", amount=20.0, entered="2024-05-20"),
    # 乙: new in May and won in May (05-02 → 05-20: cycle 18 days), 30 万元.
    lead("B1", "乙", "官网表单", "已成交", "2024-05-02", "2024-05-20", amount=30.0, entered="2024-05-20"),
    # 乙: lost at 潜在接触.
    lead("B2", "乙", "官网表单", "无效线索", "2024-02-01", "2024-02-10", amount=5.0, lost_at="潜在接触"),
    # 乙: open in 商务谈判, 100 万元 (weighted 100 × 0.6 = 60).
    lead("B3", "乙", "展会推广", "商务谈判", "2024-03-01", "2024-05-28", amount=100.0, entered="2024-05-01"),
]


def analysis_of(min_sample: int = 10):
    rules = load_rules()
    rules = dataclasses.replace(
        rules, thresholds=dataclasses.replace(rules.thresholds, min_sample=min_sample)
    )
    frame = pd.DataFrame(TEAM)
    frame["_file"], frame["_sheet"], frame["_row"] = "t.xlsx", "线索跟踪", range(2, 2 + len(frame))
    result = recalculate(frame, rules, AS_OF)
    return build_analysis(
        as_of=AS_OF, period="2024-05", rules=rules, result=result, problems=[],
        inputs=[InputFile("/t.xlsx", "t.xlsx", "0" * 64, "线索跟踪", 1, len(TEAM))],
    )


def test_standings_sorted_by_won_amount_this_month():
    rows = analysis_of().standings["owner"]
    # 乙 won 30 万元 in May, 甲 10 万元: 乙 first, although 甲 won more to date (50 against 30).
    assert [s.name for s in rows] == ["乙", "甲"]
    b, a = rows
    assert (a.leads, a.new_this_month, a.won_this_month, a.won_amount_this_month) == (3, 1, 1, 10.0)
    assert (b.leads, b.new_this_month, b.won_this_month, b.won_amount_this_month) == (3, 1, 1, 30.0)
    # To date: 甲 won A1 and A2 of 2 closed, 50 万元, average 25, median cycle (39 + 60) / 2.
    assert (a.win.k, a.win.n, a.won_amount, a.average_deal, a.cycle_median) == (2, 2, 50.0, 25.0, 49.5)
    # 乙 won B1, lost B2: 1 of 2, 30 万元, cycle 18.
    assert (b.win.k, b.win.n, b.won_amount, b.average_deal, b.cycle_median) == (1, 2, 30.0, 30.0, 18.0)
    assert (a.pipeline, a.weighted_pipeline) == pytest.approx((20.0, 3.0))
    assert (b.pipeline, b.weighted_pipeline) == pytest.approx((100.0, 60.0))


def test_team_standing():
    s = analysis_of().team_standing
    # 6 leads, 2 new in May (A3, B1), 2 won in May for 40 万元; 3 won of 4 closed, 80 万元,
    # average 80 / 3; median cycle of 18, 39, 60 = 39; pipeline 120, weighted 63.
    assert (s.leads, s.new_this_month, s.won_this_month, s.won_amount_this_month) == (6, 2, 2, 40.0)
    assert (s.win.k, s.win.n, s.won_amount, s.cycle_median) == (3, 4, 80.0, 39.0)
    assert s.average_deal == pytest.approx(80 / 3)
    assert (s.pipeline, s.weighted_pipeline) == pytest.approx((120.0, 63.0))


def test_the_compact_table_on_the_sheet(tmp_path):
    book = openpyxl.load_workbook(write_report(analysis_of(), tmp_path / "r.xlsx"))
    ws = book["负责人对比"]
    header = [c.value for c in ws[4]]
    assert len([h for h in header if h]) <= 12
    assert header[:6] == [
        "负责人", "线索数", "本月新增", "本月成交(万元)\n（件数）", "累计成交(万元)\n（件数）",
        "赢单率\n（成交/已结束）",
    ]
    assert [ws.cell(r, 1).value for r in (5, 6, 7)] == ["乙", "甲", "全队"]
    # 乙: 30.0 won this month (1 deal), 30.0 to date (1), 1 of 2 = 50%.
    assert [ws.cell(5, c).value for c in range(2, 7)] == [3, 1, 30.0, 30.0, 0.5]
    assert ws.cell(5, 4).number_format == '#,##0.0"（1）"'
    assert ws.cell(5, 6).number_format == '0%"（1/2）"'
    # 甲 to date: 50.0 from 2 deals; 2 of 2.
    assert ws.cell(6, 5).value == 50.0 and ws.cell(6, 5).number_format == '#,##0.0"（2）"'
    assert ws.cell(6, 6).number_format == '0%"（2/2）"'
    # Both rates from fewer than 10 closed leads: grey.
    assert ws.cell(6, 6).font.color.rgb.endswith("A6A6A6")
    # The team row: 40.0 (2) this month, 80.0 (3) to date, 3 of 4.
    assert ws.cell(7, 4).value == 40.0 and ws.cell(7, 4).number_format == '#,##0.0"（2）"'
    assert ws.cell(7, 6).value == 0.75 and ws.cell(7, 6).number_format == '0%"（3/4）"'
    rows = {ws.cell(r, 1).value: [c.value for c in ws[r]] for r in (5, 6, 7)}
    named = dict(zip(header, rows["甲"], strict=True))
    assert named["平均成交额(万元)"] == 25.0 and named["周期中位数(天)"] == 49.5
    assert named["在跟金额(万元)"] == 20.0 and named["加权在跟金额(万元)"] == pytest.approx(3.0)


def test_leading_rep_per_transition_needs_a_sample():
    # 潜在接触→需求挖掘: 甲 reached 需求挖掘 with all 3 (A1, A2 won, A3 there): 3 of 3; 乙: B1 and B3
    # of 3 (B2 lost there): 2 of 3; the team 5 of 6 = 83%.
    # 需求挖掘→方案提案: the team 4 of 4 (A3 still in 需求挖掘): nobody is above 100%.
    analysis = analysis_of(min_sample=3)
    first = analysis.leaders[0]
    assert (first.transition, first.name, first.rate.k, first.rate.n) == ("潜在接触→需求挖掘", "甲", 3, 3)
    assert first.team_rate == pytest.approx(5 / 6)
    assert analysis.leaders[1] is None
    # With a minimum sample of 4, 3 of 3 is too few to lead.
    assert analysis_of(min_sample=4).leaders[0] is None
    team, groups = analysis.team, analysis.result.by_owner
    assert leaders(team, groups, 4)[0] is None and leaders(team, groups, 3)[0] == first


def test_the_leading_rep_is_named_on_the_sheet(tmp_path):
    analysis = analysis_of(min_sample=3)
    book = openpyxl.load_workbook(write_report(analysis, tmp_path / "r.xlsx"))
    texts = [v for row in book["负责人对比"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "潜在接触→需求挖掘：甲 100%（3/3），团队 83%" in texts
    assert "需求挖掘→方案提案：没有负责人在不少于 3 条线索上高于团队" in texts
    suggestions = [v for row in book["优化建议"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "潜在接触→需求挖掘：甲 100%（3/3），团队 83%" in suggestions



def _grey_points(path) -> list[list[int]]:
    """Per series of the 渠道分析 chart, the points drawn in the small-sample grey."""
    import zipfile
    from xml.etree import ElementTree

    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    with zipfile.ZipFile(path) as archive:
        parts = [archive.read(n) for n in sorted(archive.namelist()) if n.startswith("xl/charts/chart")]
    for part in parts:
        root = ElementTree.fromstring(part)
        series = list(root.iter(f"{c}ser"))
        names = [s.find(f"{c}tx/{c}strRef/{c}strCache/{c}pt/{c}v") for s in series]
        if any(n is not None and n.text.startswith("赢单率\n") for n in names):
            return [
                [int(p.find(f"{c}idx").get("val")) for p in s.iter(f"{c}dPt")
                 if any(f.get("val") == "E7E6E6" for f in p.iter(f"{a}srgbClr"))]
                for s in series
            ]
    raise AssertionError("no channel chart")


def test_small_samples_are_grey_in_the_chart_as_in_the_table(tmp_path):
    # Channels, by won this month: 官网表单 30 (B1), 展会推广 10 (A1). Closed: 官网表单 B1, B2; 展会推广
    # A1, A2 — 2 each. Left 潜在接触: 官网表单 A3, B1, B2; 展会推广 A1, A2, B3 — 3 each. With
    # min_sample 3 both win rates (n = 2) are small and grey, the first transitions (n = 3) not;
    # with 2, nothing is grey.
    path = write_report(analysis_of(min_sample=3), tmp_path / "r.xlsx")
    win, first = _grey_points(path)
    assert win == [0, 1] and first == []
    ws = openpyxl.load_workbook(path)["渠道分析"]
    assert [ws.cell(r, 1).value for r in (5, 6)] == ["官网表单", "展会推广"]
    assert all(ws.cell(r, 6).font.color.rgb.endswith("A6A6A6") for r in (5, 6))
    path = write_report(analysis_of(min_sample=2), tmp_path / "r2.xlsx")
    assert _grey_points(path) == [[], []]


def test_no_empty_column_without_targets(tmp_path):
    ws = openpyxl.load_workbook(write_report(analysis_of(), tmp_path / "r.xlsx"))["负责人对比"]
    header = [c.value for c in ws[4] if c.value]
    assert "本月达成率\n(成交÷成交目标)" not in header
    for col in range(1, len(header) + 1):
        assert any(ws.cell(r, col).value is not None for r in (5, 6)), header[col - 1]


def test_attainment_column_when_targets_are_set(tmp_path):
    rules = load_rules()
    frame = pd.DataFrame(TEAM)
    frame["_file"], frame["_sheet"], frame["_row"] = "t.xlsx", "线索跟踪", range(2, 2 + len(frame))
    rules = dataclasses.replace(rules, targets=(("甲", 40.0), ("乙", 60.0)))
    analysis = build_analysis(
        as_of=AS_OF, period="2024-05", rules=rules, result=recalculate(frame, rules, AS_OF), problems=[],
        inputs=[InputFile("/t.xlsx", "t.xlsx", "0" * 64, "线索跟踪", 1, len(TEAM))],
    )
    ws = openpyxl.load_workbook(write_report(analysis, tmp_path / "r.xlsx"))["负责人对比"]
    header = [c.value for c in ws[4]]
    col = header.index("本月达成率\n(成交÷成交目标)") + 1
    assert len([h for h in header if h]) <= 12
    rows = {ws.cell(r, 1).value: ws.cell(r, col).value for r in range(5, 8)}
    # 乙 30 / 60 = 0.5; 甲 10 / 40 = 0.25; the team (40 万元 won in May) / (40 + 60) = 0.4.
    assert rows["乙"] == pytest.approx(0.5) and rows["甲"] == pytest.approx(0.25)
    assert rows["全队"] == pytest.approx(0.4)


def test_the_median_cycle_is_not_described_as_a_mean(tmp_path):
    ws = openpyxl.load_workbook(write_report(analysis_of(), tmp_path / "r.xlsx"))["总览"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    row = next(r for r in rows if "成交周期中位数(天)" in [str(v).strip() for v in r if v])
    # 3 won leads (A1, A2, B1), cycles 39, 60, 18: median 39.
    assert 39 in row
    assert any(isinstance(v, str) and "3 条已成交线索的中位数" in v for v in row)
    assert not any(isinstance(v, str) and "平均" in v for v in row)
