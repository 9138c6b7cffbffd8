"""Figures that a symmetric test team cannot tell apart: median vs mean, and the alert order.

Every other test team's won cycles have mean = median, so a median computed as the mean (or a
trend month's mean taken from the median) passed unseen; the alerts there never tie on days.
"""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl.cli import cli
from tests.conftest import lead, write_workbook

D = date

# Three won leads of 张伟 via 展会推广, all won in May 2024; cycle = 已成交 entered − first contact:
#   LF001 05-01 → 05-11 = 10 days, LF002 04-20 → 05-10 = 20 days, LF003 02-20 → 05-20 = 90 days
#   (02-20 → 03-20 is 29 days in 2024, → 04-20 31, → 05-20 30: 90).
# Sorted 10, 20, 90: median 20; mean (10 + 20 + 90) / 3 = 40.
WON = [
    lead("LF001", "已成交", D(2024, 5, 1), "张伟", last=D(2024, 5, 11), entered=D(2024, 5, 11), amount=10),
    lead("LF002", "已成交", D(2024, 4, 20), "张伟", last=D(2024, 5, 10), entered=D(2024, 5, 10), amount=20),
    lead("LF003", "已成交", D(2024, 2, 20), "张伟", last=D(2024, 5, 20), entered=D(2024, 5, 20), amount=30),
]
# A second rep and channel with one won lead of 30 days (04-15 → 05-15), so the team differs from
# 张伟: team cycles 10, 20, 30, 90 → median (20 + 30) / 2 = 25, mean 150 / 4 = 37.5.
OTHER = [
    lead("LF004", "已成交", D(2024, 4, 15), "李娜", "官网表单", last=D(2024, 5, 15), entered=D(2024, 5, 15),
         amount=5),
]


@pytest.fixture
def figures(tmp_path):
    team = write_workbook(tmp_path / "team.xlsx", WON + OTHER)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "rebuild", str(team), "--month", "2024-05", "--out", str(out), "--json", str(out / "f.json"),
        "--no-history", "-q",
    ])
    assert result.exit_code == 0, result.output
    return json.loads((out / "f.json").read_text(encoding="utf-8"))


def test_team_cycle_median_is_not_the_mean(figures):
    assert figures["cycle"]["median"] == pytest.approx(25)
    assert figures["cycle"]["mean"] == pytest.approx(37.5)
    assert figures["cycle"]["count"] == 4


def test_rep_and_channel_cycles(figures):
    for group in (figures["by_owner"]["张伟"], figures["by_source"]["展会推广"]):
        assert group["cycle"]["median"] == pytest.approx(20)
        assert group["cycle"]["mean"] == pytest.approx(40)
    assert figures["by_owner"]["李娜"]["cycle"]["median"] == pytest.approx(30)


def test_month_and_trend_cycles(figures):
    # All four were won in May, so the month's cycles are the team's.
    assert figures["period"]["cycle"]["median"] == pytest.approx(25)
    assert figures["period"]["cycle"]["mean"] == pytest.approx(37.5)
    may = [m for m in figures["trend"] if m["month"] == "2024-05"]
    assert len(may) == 1
    assert may[0]["cycle_mean"] == pytest.approx(37.5)
    assert may[0]["period_cycle_mean"] == pytest.approx(37.5)


# Stalled leads in 需求挖掘 (limit 15 days), as of 2024-05-31, entered on the dates below:
#   张伟: LF101 05-01 → 30 days, LF102 05-11 → 20, LF103 05-01 → 30 (ties LF101)
#   李娜: LF201 04-21 → 40, LF202 05-06 → 25
# The report's 预警 sheet: by type, then owner, then days longest first, then lead ID;
# the rep workbook's JSON: by type, then days longest first, then lead ID.
STALLED = [
    lead("LF102", "需求挖掘", D(2024, 4, 1), "张伟", last=D(2024, 5, 30), entered=D(2024, 5, 11)),
    lead("LF103", "需求挖掘", D(2024, 4, 1), "张伟", last=D(2024, 5, 30), entered=D(2024, 5, 1)),
    lead("LF202", "需求挖掘", D(2024, 4, 1), "李娜", last=D(2024, 5, 30), entered=D(2024, 5, 6)),
    lead("LF101", "需求挖掘", D(2024, 4, 1), "张伟", last=D(2024, 5, 30), entered=D(2024, 5, 1)),
    lead("LF201", "需求挖掘", D(2024, 4, 1), "李娜", last=D(2024, 5, 30), entered=D(2024, 4, 21)),
]


def test_alert_order_with_ties(tmp_path):
    team = write_workbook(tmp_path / "team.xlsx", STALLED)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "rebuild", str(team), "--as-of", "2024-05-31", "--out", str(out), "--split-by", "owner",
        "--no-history", "-q",
    ])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out / "funnel_report_2024-05.xlsx", read_only=True)
    try:
        rows = list(book["预警"].iter_rows(values_only=True))
    finally:
        book.close()  # a read-only workbook holds its file open until closed
    header = rows[0]
    kind, lead_id, owner, days = (header.index(h) for h in ("类型", "线索编号", "负责人", "停留(天)"))
    stalled = [(r[owner], r[lead_id], r[days]) for r in rows[1:] if r[kind] == "停留超时"]
    # "张伟" (U+5F20) sorts before "李娜" (U+674E).
    assert stalled == [
        ("张伟", "LF101", 30), ("张伟", "LF103", 30), ("张伟", "LF102", 20),
        ("李娜", "LF201", 40), ("李娜", "LF202", 25),
    ]
    rep = json.loads((out / "2024-05" / "reps" / "张伟.json").read_text(encoding="utf-8"))
    assert [(a["lead_id"], a["days"]) for a in rep["alerts"] if a["kind"] == "stalled"] == [
        ("LF101", 30), ("LF103", 30), ("LF102", 20),
    ]
