"""The forecast's parts called directly on small derived frames, each figure worked out by hand:
month and day boundaries, the won in a month, the checks against earlier snapshots, slips and the
stage matrix. Fast enough to run against every mutant of forecast.py."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from funnel_xl.forecast import (
    GONE_LEADS,
    NEW_LEADS,
    SLIP_COLUMNS,
    ForecastCheck,
    ForecastMonth,
    add_months,
    by_close_month,
    close_slips,
    forecast,
    forecast_checks,
    forecast_won,
    stage_matrix,
)
from funnel_xl.frames import AMOUNT, EXPECTED_CLOSE, LEAD_ID, STAGE, STAGE_ENTERED, STATUS, Status
from funnel_xl.rules import load_rules

T = pd.Timestamp
RULES = load_rules()
# Win probabilities (default rules): 潜在接触 0.05, 需求挖掘 0.15, 方案提案 0.35, 商务谈判 0.6,
# 成交待签约 0.9, 已成交 1.
LOST = RULES.lost_labels[0]


def frame(rows: list[tuple]) -> pd.DataFrame:
    """(lead_id, status, stage, amount, expected close, stage entered) rows as a derived frame."""
    columns = [LEAD_ID, STATUS, STAGE, AMOUNT, EXPECTED_CLOSE, STAGE_ENTERED]
    out = pd.DataFrame.from_records(rows, columns=columns)
    out["customer"] = out[LEAD_ID] + "公司"
    out["owner"] = "甲"
    return out


A, W, L = Status.ACTIVE, Status.WON, Status.LOST
# As of 2024-11-15: the next three months run over the year's end.
LEADS = frame([
    ("a", A, "商务谈判", 100, T(2024, 11, 15), None),  # closes on the as-of date: November, 60
    ("b", A, "方案提案", 40, T(2024, 11, 14), None),  # the day before: overdue, 14
    ("c", A, "成交待签约", 50, T(2024, 12, 1), None),  # December, 45
    ("g", A, "某个未知阶段", 30, T(2024, 12, 20), None),  # December, probability 0
    ("f", A, "商务谈判", None, T(2025, 1, 10), None),  # January, no amount: 0
    ("d", A, "需求挖掘", 20, T(2025, 2, 28), None),  # February (third month ahead), 3
    ("e", A, "潜在接触", 10, T(2025, 3, 1), None),  # fourth month ahead: not shown
    ("h", A, "需求挖掘", 60, None, None),  # undated, 9
    ("x", L, LOST, 1000, T(2024, 11, 20), None),  # lost: in no figure
    ("w1", W, "已成交", 80, None, T(2024, 11, 1)),  # won on the month's first day
    ("w2", W, "已成交", 70, None, T(2024, 10, 31)),  # won in October
    ("w3", W, "已成交", 5, None, T(2024, 11, 15)),  # won on the as-of date
    ("w4", W, "已成交", 7, None, T(2024, 11, 16)),  # after the as-of date
    ("w5", W, "已成交", None, None, T(2024, 11, 10)),  # won, no amount
])


def test_forecast_by_month_overdue_undated_and_won():
    f = forecast(LEADS, RULES, date(2024, 11, 15))
    assert f.current == ForecastMonth("2024-11", 1, 100.0, pytest.approx(60.0))
    assert f.ahead == (
        ForecastMonth("2024-12", 2, 80.0, pytest.approx(45.0)),  # c 50 × 0.9 + g 30 × 0
        ForecastMonth("2025-01", 1, 0.0, 0.0),
        ForecastMonth("2025-02", 1, 20.0, pytest.approx(3.0)),  # 20 × 0.15
    )
    assert f.overdue == ForecastMonth("", 1, 40.0, pytest.approx(14.0))  # 40 × 0.35
    assert f.undated == ForecastMonth("", 1, 60.0, pytest.approx(9.0))  # 60 × 0.15
    assert (f.won_count, f.won_amount) == (3, 85.0)  # w1 80 + w3 5 + w5 nothing
    assert (f.checks, f.slips, f.matrix) == ((), None, None)


def test_a_month_without_leads_is_zero_and_no_earlier_snapshot_no_history():
    f = forecast(LEADS[LEADS[LEAD_ID] == "h"], RULES, date(2024, 11, 15), {"2024-11": LEADS, "2024-12": LEADS})
    assert f.current == ForecastMonth("2024-11", 0, 0.0, 0.0)
    assert [m.month for m in f.ahead] == ["2024-12", "2025-01", "2025-02"]
    assert (f.won_count, f.won_amount) == (0, 0.0)
    assert (f.checks, f.slips, f.matrix) == ((), None, None)
    assert by_close_month(LEADS.iloc[0:0], RULES) == {}


def test_add_months():
    assert add_months("2024-12", 1) == "2025-01"
    assert add_months("2024-01", -1) == "2023-12"
    assert add_months("2024-11", 3) == "2025-02"
    assert add_months("0999-05", 0) == "0999-05"


def test_won_in_a_month_up_to_a_day():
    leads = frame([
        ("1", W, "已成交", 10, None, T(2024, 10, 5)),
        ("2", W, "已成交", 20, None, T(2024, 10, 20)),
        ("3", W, "已成交", 40, None, T(2024, 9, 30)),
        ("4", A, "商务谈判", 80, None, T(2024, 10, 3)),  # entered a stage in October, not won
        ("5", W, "已成交", None, None, T(2024, 10, 15)),
        ("6", W, "已成交", 160, None, None),
    ])
    assert forecast_won(leads, RULES, "2024-10") == 30.0  # 10 + 20
    assert forecast_won(leads, RULES, "2024-10", date(2024, 10, 20)) == 30.0  # the day itself counts
    assert forecast_won(leads, RULES, "2024-10", date(2024, 10, 19)) == 10.0
    assert forecast_won(leads, RULES, "2024-09") == 40.0
    assert forecast_won(leads.iloc[0:0], RULES, "2024-10") == 0.0


SNAPSHOTS = {
    # May's forecast for June: nothing closes in June (0 leads, 0); nothing was won in June either.
    "2024-05": frame([("1", None, "商务谈判", 100, T(2024, 9, 5), None)]),
    # June's forecast for July: 100 × 0.6 + 40 × 0.35 = 74 (2 leads); the won and the lost lead
    # are not open, 20 closes in August.
    "2024-06": frame([
        ("1", None, "商务谈判", 100, T(2024, 7, 5), None),
        ("2", None, "方案提案", 40, T(2024, 7, 31), None),
        ("3", None, "已成交", 500, T(2024, 7, 10), None),
        ("4", None, LOST, 300, T(2024, 7, 10), None),
        ("5", None, "需求挖掘", 20, T(2024, 8, 1), None),
    ]),
    # Won in July: 100 (33 was won in June). July's forecast for August: 50 × 0.6 = 30.
    "2024-07": frame([
        ("1", None, "已成交", 100, T(2024, 7, 5), T(2024, 7, 20)),
        ("6", None, "已成交", 33, None, T(2024, 6, 30)),
        ("5", None, "商务谈判", 50, T(2024, 8, 15), T(2024, 7, 2)),
    ]),
    # No August snapshot. September's forecast for October: 10 × 0.9 = 9.
    "2024-09": frame([("7", None, "成交待签约", 10, T(2024, 10, 31), None)]),
    "2024-10": frame([("7", None, "已成交", 10, T(2024, 10, 31), T(2024, 10, 3))]),
}


def test_forecast_checks_against_what_was_won():
    checks = forecast_checks(SNAPSHOTS, "2024-10", 12.5, RULES)
    assert [(c.month, c.made_in, c.leads, c.forecast, c.actual) for c in checks] == [
        ("2024-06", "2024-05", 0, 0.0, 0.0),
        ("2024-07", "2024-06", 2, pytest.approx(74.0), 100.0),
        ("2024-08", "2024-07", 1, pytest.approx(30.0), None),  # August's own snapshot is missing
        ("2024-10", "2024-09", 1, pytest.approx(9.0), 12.5),  # this month: the won now
    ]
    assert checks[0].accuracy is None  # nothing was forecast
    assert checks[1].accuracy == pytest.approx(100 / 74)
    assert checks[2].accuracy is None
    assert ForecastCheck("2024-10", "2024-09", 0, 0.0, 5.0).accuracy is None


def test_history_uses_only_earlier_months():
    now = frame([
        ("7", W, "已成交", 10, T(2024, 10, 31), T(2024, 10, 3)),
        ("8", W, "已成交", 4, None, T(2024, 10, 29)),  # after the as-of date
    ])
    f = forecast(now, RULES, date(2024, 10, 28), SNAPSHOTS)
    # October's check from September's snapshot: won up to the as-of date, 10.
    assert [(c.month, c.actual) for c in f.checks] == [
        ("2024-06", 0.0), ("2024-07", 100.0), ("2024-08", None), ("2024-10", 10.0),
    ]
    assert f.matrix.since == "2024-09"  # the latest earlier snapshot, not October's own
    assert f.matrix.counts == {("成交待签约", "已成交"): 1, (NEW_LEADS, "已成交"): 1}


def test_close_slips_count_moves_later_and_sort_by_most():
    snapshots = {
        "2024-07": pd.DataFrame({LEAD_ID: ["L1"], STAGE: ["商务谈判"]}),  # no expected close column
        "2024-08": frame([
            ("L1", None, "商务谈判", 1, T(2024, 9, 10), None),
            ("L2", None, "商务谈判", 1, T(2024, 10, 1), None),
            ("L3", None, "商务谈判", 1, T(2024, 12, 1), None),
            ("L4", None, "商务谈判", 1, T(2024, 9, 1), None),
            ("L5", None, "商务谈判", 1, None, None),
        ]),
        "2024-09": frame([
            ("L1", None, "商务谈判", 1, T(2024, 10, 15), None),
            ("L2", None, "商务谈判", 1, T(2024, 9, 20), None),  # earlier: not a slip
            ("L3", None, "商务谈判", 1, T(2024, 12, 1), None),
            ("L4", None, "商务谈判", 1, T(2024, 10, 1), None),
            ("L5", None, "商务谈判", 1, T(2024, 11, 1), None),
        ]),
    }
    now = frame([
        ("L3", A, "方案提案", 1, T(2024, 12, 1), None),
        ("L2", A, "商务谈判", 1, T(2024, 9, 25), None),
        ("L1", A, "成交待签约", 1, T(2024, 11, 30), None),
        ("L4", W, "已成交", 1, T(2024, 11, 1), None),  # won now: not listed
        ("L0", A, "潜在接触", 1, T(2025, 1, 1), None),  # new: its one date
        ("L5", A, "商务谈判", 1, T(2024, 11, 1), None),
    ])
    slips = close_slips(snapshots, now)
    assert list(slips.columns) == SLIP_COLUMNS
    assert slips.to_dict("records") == [
        {"lead_id": "L1", "customer": "L1公司", "owner": "甲", "stage": "成交待签约",
         "first_close": T(2024, 9, 10), "close": T(2024, 11, 30), "slips": 2,
         "path": "2024-09-10 → 2024-10-15 → 2024-11-30"},
        {"lead_id": "L2", "customer": "L2公司", "owner": "甲", "stage": "商务谈判",
         "first_close": T(2024, 10, 1), "close": T(2024, 9, 25), "slips": 1,
         "path": "2024-10-01 → 2024-09-20 → 2024-09-25"},
        {"lead_id": "L0", "customer": "L0公司", "owner": "甲", "stage": "潜在接触",
         "first_close": T(2025, 1, 1), "close": T(2025, 1, 1), "slips": 0, "path": "2025-01-01"},
        {"lead_id": "L3", "customer": "L3公司", "owner": "甲", "stage": "方案提案",
         "first_close": T(2024, 12, 1), "close": T(2024, 12, 1), "slips": 0, "path": "2024-12-01"},
        {"lead_id": "L5", "customer": "L5公司", "owner": "甲", "stage": "商务谈判",
         "first_close": T(2024, 11, 1), "close": T(2024, 11, 1), "slips": 0, "path": "2024-11-01"},
    ]
    f = forecast(now, RULES, date(2024, 10, 20), snapshots)
    assert list(f.slipped(2)["lead_id"]) == ["L1"]
    assert list(f.slipped(1)["lead_id"]) == ["L1", "L2"]
    assert list(f.slipped(2).columns) == SLIP_COLUMNS and list(f.slipped(2).index) == [0]
    no_history = forecast(now, RULES, date(2024, 10, 20))
    assert no_history.slipped(1).empty and list(no_history.slipped(1).columns) == SLIP_COLUMNS


def test_no_open_lead_or_no_close_column_no_slips():
    won = frame([("L4", W, "已成交", 1, T(2024, 11, 1), None)])
    assert close_slips({}, won).empty and list(close_slips({}, won).columns) == SLIP_COLUMNS
    undated = frame([("L1", A, "商务谈判", 1, None, None)])
    assert close_slips({}, undated).empty and list(close_slips({}, undated).columns) == SLIP_COLUMNS
    bare = undated.drop(columns=[EXPECTED_CLOSE])
    assert list(close_slips({}, bare).columns) == SLIP_COLUMNS


def test_stage_matrix_rows_columns_and_counts():
    then = pd.DataFrame({
        LEAD_ID: ["A", "B", "B", "C", "D", "G", "H"],
        STAGE: ["潜在接触", "方案提案", "商务谈判", "商务谈判", "旧阶段", "乙阶段", "潜在接触"],
    })
    now = pd.DataFrame({
        LEAD_ID: ["A", "B", "E", "F", "D", "G", "E", "H", "J"],
        STAGE: ["需求挖掘", "方案提案", "潜在接触", "奇怪阶段", LOST, "乙阶段", "商务谈判", "需求挖掘", "潜在接触"],
    })
    m = stage_matrix("2024-09", then, now, RULES)
    assert m.since == "2024-09"
    # A and H moved the same way; B's first row counts; C is gone; E (first row), F and J are new.
    assert m.counts == {
        ("潜在接触", "需求挖掘"): 2, ("方案提案", "方案提案"): 1, ("商务谈判", GONE_LEADS): 1,
        ("旧阶段", LOST): 1, ("乙阶段", "乙阶段"): 1, (NEW_LEADS, "潜在接触"): 2, (NEW_LEADS, "奇怪阶段"): 1,
    }
    names = (*RULES.stage_names, *RULES.lost_labels)
    # Stages the rules do not know come after theirs, by code point: 乙 U+4E59 < 旧 U+65E7;
    # 乙 U+4E59 < 奇 U+5947.
    assert m.rows == (*names, "乙阶段", "旧阶段", NEW_LEADS)
    assert m.columns == (*names, "乙阶段", "奇怪阶段", GONE_LEADS)
    assert (m.count("潜在接触", "需求挖掘"), m.count("潜在接触", "潜在接触")) == (2, 0)
    everyone_gone = {("潜在接触", GONE_LEADS): 2, ("方案提案", GONE_LEADS): 1, ("商务谈判", GONE_LEADS): 1,
                     ("旧阶段", GONE_LEADS): 1, ("乙阶段", GONE_LEADS): 1}
    assert stage_matrix("2024-09", then, now.iloc[0:0], RULES).counts == everyone_gone
    assert stage_matrix("2024-09", then, pd.DataFrame(), RULES).counts == everyone_gone  # no valid lead
