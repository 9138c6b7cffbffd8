"""Unknown is not zero (issue 21, item 1): figures that rest on leads whose dates nobody knows say
so, with how many and what to fill in, on 总览, 阶段流转, the summary and the JSON.

A team that fills only the fourteen familiar columns (no 阶段进入日期, no follow-up log):
- L001 需求挖掘, no typed dwell: stage entered unknown → dwell unknown.
- L002 方案提案, typed dwell 50 with 最近跟进 05-20 → entered 03-31 (estimate), dwell 61 > 20: stalled.
- L003 已成交, no date it was won → no cycle, month unknown.
- L004 潜在接触, first contact 05-01 → entered 05-01, dwell 30, limit 30: not stalled.
"""

from __future__ import annotations

import json

import openpyxl
from click.testing import CliRunner

from funnel_xl.cli import cli
from tests.conftest import FAMILIAR, lead, write_workbook


def _familiar_team(tmp_path, *, with_estimate=True):
    rows = [
        lead("L001", "需求挖掘", "2024-03-01", last="2024-04-01"),
        lead("L003", "已成交", "2024-01-10", last="2024-05-10", amount=20),
        lead("L004", "潜在接触", "2024-05-01"),
    ]
    if with_estimate:
        rows.append(lead("L002", "方案提案", "2024-02-01", last="2024-05-20", dwell=50))
    return write_workbook(tmp_path / "team.xlsx", rows, FAMILIAR)


def _rebuild(tmp_path, team):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["rebuild", str(team), "--as-of", "2024-05-31", "--out", str(out), "--json", str(out / "a.json")]
    )
    assert result.exit_code == 0, result.output
    return result, out


def _values(ws) -> dict:
    return {row[0]: row[1:3] for row in ws.iter_rows(max_col=3, values_only=True) if row[0]}


def test_unknown_dates_are_counted_in_the_json(tmp_path):
    _result, out = _rebuild(tmp_path, _familiar_team(tmp_path))
    figures = json.loads((out / "a.json").read_text(encoding="utf-8"))
    # L001 has no date; L003 has no date it was won. (L002's dwell is an estimate: on 总览 only,
    # since the detail sheet writes the estimate as a date and the JSON must read back the same.)
    assert figures["unknown"] == {"dwell": 1, "won_undated": 1}
    assert figures["alerts"]["stalled"] == 1  # L002 (61 > 20) only
    assert figures["by_owner"]["张伟"]["unknown"]["dwell"] == 1


def test_no_stalled_lead_known_and_some_unknown_reads_unknown_not_zero(tmp_path):
    result, out = _rebuild(tmp_path, _familiar_team(tmp_path, with_estimate=False))
    assert "停留超时 未知（1 条线索无阶段进入日期）" in result.stdout
    assert "停留超时 0" not in result.stdout
    assert "另有 1 条已成交线索没有成交日期" in result.stdout
    book = openpyxl.load_workbook(next(out.glob("*.xlsx")))
    overview = _values(book["总览"])
    value, note = overview["停留超时"]
    assert value == "未知"
    assert "1 条在跟线索没有阶段进入日期" in note and "请填写「阶段进入日期」" in note
    assert overview["成交周期中位数(天)"][0] == "未知"
    assert "1 条已成交线索没有进入已成交的日期" in overview["成交周期中位数(天)"][1]
    flow = _values(book["阶段流转"])
    assert flow["本月成交"][0] == "未知"
    assert "请填写「阶段进入日期」" in flow["本月成交"][1]


def test_a_known_count_stays_a_number_and_says_what_is_unknown_and_estimated(tmp_path):
    result, out = _rebuild(tmp_path, _familiar_team(tmp_path))
    assert "停留超时 1 条" in result.stdout
    assert "其中 1 条在跟线索没有阶段进入日期" in result.stdout
    overview = _values(openpyxl.load_workbook(next(out.glob("*.xlsx")))["总览"])
    value, note = overview["停留超时"]
    assert value == 1
    assert "1 条的停留天数是估算" in note


def test_a_team_with_every_date_says_nothing_of_unknowns(tmp_path):
    rows = [
        lead("L001", "需求挖掘", "2024-03-01", entered="2024-05-20"),
        lead("L003", "已成交", "2024-01-10", entered="2024-05-10"),
    ]
    result, out = _rebuild(tmp_path, write_workbook(tmp_path / "team.xlsx", rows))
    assert "未知" not in result.stdout
    overview = _values(openpyxl.load_workbook(next(out.glob("*.xlsx")))["总览"])
    assert overview["停留超时"] == (0, "在跟且停留天数超过该阶段上限")
    # L003: 2024-01-10 → 2024-05-10 = 121 days.
    assert overview["成交周期中位数(天)"][0] == 121
