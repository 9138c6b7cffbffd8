"""Looking ahead: the weighted forecast by expected-close month and what was won; targets and
coverage. Every expected figure is worked out by hand below."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from funnel_xl import analyse, write_outputs
from tests.conftest import edited_rules, lead, write_workbook

D = date
AS_OF = D(2024, 5, 31)

# Win probabilities (default rules): 潜在接触 0.05, 需求挖掘 0.15, 方案提案 0.35, 商务谈判 0.6,
# 成交待签约 0.9, 已成交 1.
ROWS = [
    lead("LF2024001", "商务谈判", D(2024, 3, 1), "甲", amount=100, close=D(2024, 6, 15)),  # June 60
    lead("LF2024002", "方案提案", D(2024, 3, 1), "乙", amount=40, close=D(2024, 6, 30)),  # June 14
    lead("LF2024003", "成交待签约", D(2024, 3, 1), "甲", amount=50, close=D(2024, 8, 1)),  # August 45
    lead("LF2024004", "需求挖掘", D(2024, 3, 1), "甲", amount=20, close=D(2024, 9, 10)),  # 4th month: out
    lead("LF2024005", "商务谈判", D(2024, 3, 1), "乙", amount=10, close=D(2024, 5, 20)),  # passed: 6
    lead("LF2024010", "商务谈判", D(2024, 3, 1), "乙", amount=5, close=D(2024, 5, 31)),  # May: 3
    lead("LF2024006", "需求挖掘", D(2024, 3, 1), "甲", amount=30, close=D(2024, 4, 10)),  # overdue: 4.5
    lead("LF2024007", "潜在接触", D(2024, 5, 10), "乙"),  # no close date, no amount
    lead("LF2024008", "已成交", D(2024, 2, 1), "甲", amount=80, entered=D(2024, 5, 12)),  # won in May
    lead("LF2024009", "已成交", D(2024, 2, 1), "乙", amount=70, entered=D(2024, 4, 30)),  # won in April
]


@pytest.fixture
def analysis(tmp_path, rules):
    return analyse([write_workbook(tmp_path / "t.xlsx", ROWS)], rules, as_of=AS_OF)


def test_weighted_forecast_by_close_month(analysis):
    f = analysis.forecast
    # This month: 010, expected to close on the as-of date itself (not passed yet).
    assert (f.current.month, f.current.leads) == ("2024-05", 1)
    assert (f.current.amount, f.current.weighted) == (pytest.approx(5), pytest.approx(3))
    assert [(m.month, m.leads, m.amount, m.weighted) for m in f.ahead] == [
        ("2024-06", 2, pytest.approx(140), pytest.approx(60 + 14)),
        ("2024-07", 0, 0, 0),
        ("2024-08", 1, pytest.approx(50), pytest.approx(45)),
    ]
    # Passed: 006 (April) and 005 (05-20, before the as-of date) — the close-past alert's leads.
    assert (f.overdue.leads, f.overdue.amount, f.overdue.weighted) == (2, 40, pytest.approx(4.5 + 6))
    assert analysis.team.close_past == f.overdue.leads
    assert (f.undated.leads, f.undated.amount) == (1, 0)
    assert (f.won_count, f.won_amount) == (1, pytest.approx(80))


def test_forecast_sheet(tmp_path, analysis):
    report = write_outputs(analysis, tmp_path / "out").report
    ws = openpyxl.load_workbook(report)["预测"]
    rows = list(ws.iter_rows(min_row=4, max_row=10, max_col=6, values_only=True))
    assert rows[0] == ("月份", "在跟线索数", "预计金额(万元)", "加权预测(万元)", "实际成交(万元)", "实际成交(条)")
    assert rows[1][0].startswith("2024-05（本月")
    assert rows[1][1:] == (1, 5, pytest.approx(3), 80, 1)
    # The close-passed row counts what 总览's 预计成交日已过 counts: 005 and 006.
    passed = next(r for r in ws.iter_rows(values_only=True) if r[0] == "预计成交日期已过（仍在跟）")
    assert passed[1] == 2
    overview = {r[0]: r[1] for r in report_rows(report, "总览")}
    assert overview["预计成交日已过"] == 2
    assert rows[2] == ("2024-06", 2, 140, pytest.approx(74), None, None)
    assert rows[4] == ("2024-08", 1, 50, pytest.approx(45), None, None)


def report_rows(report, sheet):
    return list(openpyxl.load_workbook(report)[sheet].iter_rows(values_only=True))


def test_targets_give_pipeline_coverage(tmp_path):
    rules = edited_rules(tmp_path, ("[targets]\n", '[targets]\n"甲" = 200\n"乙" = 0\n'))
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", ROWS)], rules, as_of=AS_OF)
    # 甲's open weighted pipeline: 001 100 × 0.6 + 003 50 × 0.9 + 004 20 × 0.15 + 006 30 × 0.15
    # = 60 + 45 + 3 + 4.5 = 112.5; ÷ 200 = 56.25%. A target of 0 gives no coverage.
    targets = analysis.as_json()["targets"]
    assert targets["甲"] == {"target": 200.0, "coverage": pytest.approx(112.5 / 200)}
    assert targets["乙"] == {"target": 0.0, "coverage": None}
    report = write_outputs(analysis, tmp_path / "out").report
    table = list(openpyxl.load_workbook(report)["负责人对比"].iter_rows(values_only=True))
    # The sheet shows the month's attainment instead: 甲 won LF2024008 (80 万元) in May, ÷ 200 = 40%;
    # 乙 won nothing in May (LF2024009 was won in April) and a target of 0 gives no attainment.
    attained = "本月达成率\n(成交÷成交目标)"
    head = next(i for i, r in enumerate(table) if r[0] == "负责人" and attained in r)
    got = {r[0]: dict(zip(table[head], r, strict=False)) for r in table[head + 1:head + 3]}
    assert got["甲"]["加权在跟金额(万元)"] == pytest.approx(112.5)
    assert got["甲"][attained] == pytest.approx(0.4)
    assert got["乙"][attained] is None
