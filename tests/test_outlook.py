"""From the history store: forecast accuracy over two months of history, slipped close dates and
the stage matrix. Three monthly rebuilds of one team's workbook, recorded in a real SQLite store;
every expected figure is worked out by hand below."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from funnel_xl import analyse, write_outputs
from funnel_xl.forecast import GONE_LEADS, NEW_LEADS
from tests.conftest import lead, write_workbook

D = date

# Win probabilities: 潜在接触 0.05, 需求挖掘 0.15, 方案提案 0.35, 商务谈判 0.6, 成交待签约 0.9.
MARCH = [
    # March's forecast for April: A 100 × 0.6 + B 40 × 0.35 = 60 + 14 = 74 (2 leads).
    lead("LF2024001", "商务谈判", D(2024, 1, 10), "甲", amount=100, close=D(2024, 4, 20),
         entered=D(2024, 3, 5), last=D(2024, 3, 28)),
    lead("LF2024002", "方案提案", D(2024, 2, 1), "乙", amount=40, close=D(2024, 4, 25),
         entered=D(2024, 3, 10), last=D(2024, 3, 28)),
    lead("LF2024003", "成交待签约", D(2024, 1, 15), "甲", amount=50, close=D(2024, 5, 10),
         entered=D(2024, 3, 20), last=D(2024, 3, 28)),
]
APRIL = [
    # A won on 04-18: April's actual is 100.
    lead("LF2024001", "已成交", D(2024, 1, 10), "甲", amount=100, close=D(2024, 4, 20),
         entered=D(2024, 4, 18), last=D(2024, 4, 18)),
    # B's close date moved from 04-25 to 05-20: one slip. April's forecast for May: B 40 × 0.35 +
    # C 50 × 0.9 = 14 + 45 = 59 (2 leads).
    lead("LF2024002", "方案提案", D(2024, 2, 1), "乙", amount=40, close=D(2024, 5, 20),
         entered=D(2024, 3, 10), last=D(2024, 4, 26)),
    lead("LF2024003", "成交待签约", D(2024, 1, 15), "甲", amount=50, close=D(2024, 5, 10),
         entered=D(2024, 3, 20), last=D(2024, 4, 26)),
    lead("LF2024004", "潜在接触", D(2024, 4, 10), "乙", last=D(2024, 4, 26)),
]
MAY = [
    lead("LF2024001", "已成交", D(2024, 1, 10), "甲", amount=100, close=D(2024, 4, 20),
         entered=D(2024, 4, 18), last=D(2024, 4, 18)),
    # B slips again, 05-20 → 06-30: two slips, so it is on 预警.
    lead("LF2024002", "方案提案", D(2024, 2, 1), "乙", amount=40, close=D(2024, 6, 30),
         entered=D(2024, 3, 10), last=D(2024, 5, 28)),
    # C won on 05-12: May's actual is 50.
    lead("LF2024003", "已成交", D(2024, 1, 15), "甲", amount=50, close=D(2024, 5, 10),
         entered=D(2024, 5, 12), last=D(2024, 5, 12)),
    lead("LF2024004", "需求挖掘", D(2024, 4, 10), "乙", entered=D(2024, 5, 5), last=D(2024, 5, 28)),
    lead("LF2024005", "潜在接触", D(2024, 5, 20), "甲", last=D(2024, 5, 28)),
]


@pytest.fixture
def may(tmp_path, rules):
    store = tmp_path / "history.sqlite"
    for month, rows in (("2024-03", MARCH), ("2024-04", APRIL)):
        book = write_workbook(tmp_path / f"{month}.xlsx", rows)
        write_outputs(analyse([book], rules, month=month, history=store), tmp_path / "out")
    book = write_workbook(tmp_path / "2024-05.xlsx", MAY)
    analysis = analyse([book], rules, month="2024-05", history=store)
    return analysis, write_outputs(analysis, tmp_path / "out", split_by=["owner"])


def test_forecast_accuracy_over_two_months_of_history(may):
    analysis, _ = may
    checks = analysis.forecast.checks
    assert [(c.month, c.made_in, c.leads) for c in checks] == [("2024-04", "2024-03", 2), ("2024-05", "2024-04", 2)]
    april, may_check = checks
    assert (april.forecast, april.actual) == (pytest.approx(74), pytest.approx(100))
    assert april.accuracy == pytest.approx(100 / 74)  # 135.1%: the forecast was beaten
    assert (may_check.forecast, may_check.actual) == (pytest.approx(59), pytest.approx(50))
    assert may_check.accuracy == pytest.approx(50 / 59)  # 84.7%
    accuracy = analysis.as_json()["forecast"]["accuracy"]
    assert [(a["month"], a["accuracy"]) for a in accuracy] == [
        ("2024-04", pytest.approx(100 / 74)), ("2024-05", pytest.approx(50 / 59)),
    ]


def test_close_date_slips(may):
    analysis, out = may
    slips = analysis.forecast.slips
    assert slips[["lead_id", "slips", "path"]].to_dict("records") == [
        {"lead_id": "LF2024002", "slips": 2, "path": "2024-04-25 → 2024-05-20 → 2024-06-30"},
    ]
    rows = list(openpyxl.load_workbook(out.report)["预警"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "预计成交日期多次推迟（2 次及以上）")
    assert rows[start + 2][:8] == (
        "LF2024002", "LF2024002公司/*经理", "乙", "方案提案", datetime(2024, 4, 25),
        datetime(2024, 6, 30), 2, "2024-04-25 → 2024-05-20 → 2024-06-30",
    )
    # In 乙's own workbook too; not in 甲's.
    groups = {g.name: g.workbook for g in out.split.groups}
    def listed(path):
        return [v for r in openpyxl.load_workbook(path)["预警"].iter_rows(values_only=True) for v in r]
    assert "LF2024002" in listed(groups["乙"]) and "LF2024002" not in listed(groups["甲"])


def test_stage_matrix_from_the_previous_snapshot(may):
    analysis, out = may
    matrix = analysis.forecast.matrix
    assert matrix.since == "2024-04"
    assert {k: v for k, v in matrix.counts.items()} == {
        ("已成交", "已成交"): 1,  # A
        ("方案提案", "方案提案"): 1,  # B
        ("成交待签约", "已成交"): 1,  # C won in May
        ("潜在接触", "需求挖掘"): 1,  # D moved on
        (NEW_LEADS, "潜在接触"): 1,  # E is new in May
    }
    assert matrix.rows[-1] == NEW_LEADS and matrix.columns[-1] == GONE_LEADS
    rows = list(openpyxl.load_workbook(out.report)["阶段流转"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "2024-04 \\ 本期")
    columns = rows[head]
    table = {r[0]: dict(zip(columns, r, strict=False)) for r in rows[head + 1:head + 1 + len(matrix.rows)]}
    assert table["成交待签约"]["已成交"] == 1 and table["潜在接触"]["需求挖掘"] == 1
    assert table[NEW_LEADS]["潜在接触"] == 1 and table[NEW_LEADS]["合计"] == 1


def test_forecast_sheet_shows_the_checks(may):
    _, out = may
    rows = list(openpyxl.load_workbook(out.report)["预测"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[:6] == ("月份", "预测时间", "预测线索数", "上月预测(万元)", "实际成交(万元)", "准确度"))
    assert rows[head + 1][:6] == ("2024-04", "2024-03 重建", 2, 74, 100, pytest.approx(100 / 74))
    assert rows[head + 2][:6] == ("2024-05", "2024-04 重建", 2, 59, 50, pytest.approx(50 / 59))


def test_without_history_nothing_is_made_up(tmp_path, rules):
    book = write_workbook(tmp_path / "2024-05.xlsx", MAY)
    analysis = analyse([book], rules, month="2024-05")
    assert analysis.forecast.checks == () and analysis.forecast.matrix is None
    assert analysis.forecast.slipped(1).empty
