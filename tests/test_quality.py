"""What the reps typed against what is true: drift, the data hygiene score, snooze and dwell in
working days. Every expected figure is worked out by hand below."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from funnel_xl import analyse, write_outputs
from funnel_xl.cli import cli
from tests.conftest import edited_rules, lead, write_workbook

D = date
AS_OF = D(2024, 5, 31)


# ---------------------------------------------------------------------------
# Drift
# ---------------------------------------------------------------------------

def drift_rows():
    rows = [
        # 甲, 需求挖掘 entered 05-01, last follow-up 05-20: the true dwell was 19 on 05-20 and is
        # 30 on 05-31; typed values are right within [19 − 2, 30 + 2].
        lead("LF2024001", "需求挖掘", D(2024, 4, 1), "甲", entered=D(2024, 5, 1), last=D(2024, 5, 20),
             dwell=10),  # 10 − 19 = −9: drift
        lead("LF2024002", "需求挖掘", D(2024, 4, 1), "甲", entered=D(2024, 5, 1), last=D(2024, 5, 20),
             dwell=20),  # within the range
        lead("LF2024003", "需求挖掘", D(2024, 4, 1), "甲", entered=D(2024, 5, 1), last=D(2024, 5, 20),
             dwell=33),  # 33 − 30 = +3 > 2: drift
        lead("LF2024004", "需求挖掘", D(2024, 4, 1), "甲", entered=D(2024, 5, 1), last=D(2024, 5, 20),
             dwell=32),  # +2: within the tolerance
        # no 阶段进入日期: the entry is estimated from the typed value itself, nothing to compare
        lead("LF2024005", "需求挖掘", D(2024, 4, 1), "甲", last=D(2024, 5, 20), dwell=5),
    ]
    # 乙's pass-rate texts. Team: at or past S1 1 (006), S2 5 + 1 lost (010), S3 4 (007–009, 011):
    # reached [11, 10, 4]; exited(需求挖掘) = 10 − 5 active there = 5; 需求挖掘→方案提案 = 4/5 = 80%.
    # 乙: at or past [1, 1, 4] → reached [6, 5, 4], exited(需求挖掘) = 5 → 4/5 = 80% as well.
    rows += [
        lead("LF2024006", "潜在接触", D(2024, 5, 1), "乙", rate="60%(潜在接触→需求挖掘)"),  # first stage
        lead("LF2024007", "方案提案", D(2024, 4, 1), "乙", entered=D(2024, 5, 10), last=D(2024, 5, 28),
             rate="90%(需求挖掘→方案提案)"),  # 90 − 80 = +10 points > 5: drift
        lead("LF2024008", "方案提案", D(2024, 4, 1), "乙", entered=D(2024, 5, 10), last=D(2024, 5, 28),
             rate="50%(潜在接触→需求挖掘)"),  # another transition: drift
        lead("LF2024009", "方案提案", D(2024, 4, 1), "乙", entered=D(2024, 5, 10), last=D(2024, 5, 28),
             rate="大约八成"),  # no percentage: unreadable
        lead("LF2024010", "无效线索", D(2024, 3, 1), "乙", last=D(2024, 4, 1), lost_at="需求挖掘"),
        lead("LF2024011", "方案提案", D(2024, 4, 1), "乙", entered=D(2024, 5, 10), last=D(2024, 5, 28),
             rate="78%（需求挖掘→方案提案）"),  # −2 points, full-width brackets: fine
    ]
    return rows


@pytest.fixture
def drifted(tmp_path, rules):
    return analyse([write_workbook(tmp_path / "t.xlsx", drift_rows())], rules, as_of=AS_OF)


def test_dwell_and_pass_rate_drift(drifted):
    drift = drifted.quality.drift
    got = [
        (r["owner"], r["lead_id"], r["kind"], None if pd.isna(r["difference"]) else r["difference"])
        for r in drift.to_dict("records")
    ]
    assert got == [
        ("乙", "LF2024006", "rate_transition", None),
        ("乙", "LF2024007", "rate_value", pytest.approx(10)),
        ("乙", "LF2024008", "rate_transition", None),
        ("乙", "LF2024009", "rate_unreadable", None),
        ("甲", "LF2024001", "dwell", pytest.approx(-9)),
        ("甲", "LF2024003", "dwell", pytest.approx(3)),
    ]
    first = drift.iloc[4]
    assert (first["typed"], first["expected"], first["_row"]) == ("10 天", "19–30 天", 2)
    assert drift.iloc[1]["expected"] == "全队 80%，本人 80%(需求挖掘→方案提案)"
    assert drift["owner"].value_counts().to_dict() == {"乙": 4, "甲": 2}


def test_drift_on_the_sheets(tmp_path, drifted):
    report = write_outputs(drifted, tmp_path / "out", split_by=["owner"]).report
    book = openpyxl.load_workbook(report)
    rows = [r for r in book["数据质量"].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "填写偏差（手填值与重算值不符）")
    assert rows[start + 1][:8] == ("负责人", "线索编号", "客户", "阶段", "类型", "手填值", "应为(重算)", "偏差")
    listed = [(r[0], r[1], r[4], r[7]) for r in rows[start + 2:start + 8]]
    assert listed[4] == ("甲", "LF2024001", "停留时长不符", -9)
    assert listed[1] == ("乙", "LF2024007", "通过率数值不符", 10)
    # The hygiene table is on 数据质量 only: 负责人对比 shows each rep's score, not the table again.
    owners = [v for row in book["负责人对比"].iter_rows(values_only=True) for v in row if v is not None]
    assert "数据质量分" in owners and "填写偏差(条)" not in owners
    assert not any(isinstance(v, str) and v.startswith("阶段变动无日期") for v in owners)
    # A rep's own workbook lists only their rows.
    mine = openpyxl.load_workbook(tmp_path / "out" / "2024-05" / "reps" / "甲.xlsx")
    texts = [v for row in mine["数据质量"].iter_rows(values_only=True) for v in row if v is not None]
    assert "LF2024001" in texts and "LF2024007" not in texts and "乙" not in texts


# ---------------------------------------------------------------------------
# Data hygiene
# ---------------------------------------------------------------------------

def hygiene_rows():
    return [
        # all in order: amount and close date, close date ahead, followed up 3 days ago, dated
        lead("LF2024001", "方案提案", D(2024, 4, 1), "甲", entered=D(2024, 5, 10), last=D(2024, 5, 28),
             amount=50, close=D(2024, 6, 30)),
        # no amount, close date past, last follow-up 21 days ago (> 14), dated
        lead("LF2024002", "商务谈判", D(2024, 3, 1), "甲", entered=D(2024, 5, 1), last=D(2024, 5, 10),
             close=D(2024, 5, 15)),
        # 需求挖掘 (before 方案提案: no amount needed); entry estimated from a typed dwell: undated
        lead("LF2024003", "需求挖掘", D(2024, 4, 1), "甲", last=D(2024, 5, 28), dwell=5),
        lead("LF2024004", "已成交", D(2024, 1, 10), "甲", entered=D(2024, 4, 15), amount=30),
        lead("LF2024005", "已成交", D(2024, 1, 10), "甲", amount=20),  # won, no date: undated
        lead("LF2024006", "方案提案", None, "甲"),  # an error: no first contact
        lead("LF2024007", "潜在接触", D(2024, 5, 20), "乙", last=D(2024, 5, 30)),
    ]


def test_hygiene_score_and_parts(tmp_path, rules):
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", hygiene_rows())], rules, as_of=AS_OF)
    mine = analysis.quality.hygiene["甲"]
    parts = {p.part: (p.failing, p.applicable) for p in mine.parts}
    assert parts == {
        "errors": (1, 6),  # 5 valid rows + 1 with an error
        "missing_amount_close": (1, 2),  # open from 方案提案 on: 001, 002
        "close_past": (1, 3),  # open: 001, 002, 003
        "stale": (1, 3),
        "undated_moves": (2, 5),  # past the first stage: 001–005; 003 estimated, 005 unknown
    }
    # 20 × 5/6 + 20 × 1/2 + 20 × 2/3 + 20 × 2/3 + 20 × 3/5 = 16.667 + 10 + 13.333 + 13.333 + 12
    assert mine.score == pytest.approx(65.3333, abs=1e-3)
    # 乙: one lead in 潜在接触, in order; nothing else applies: full points.
    assert analysis.quality.hygiene["乙"].score == pytest.approx(100)
    fixes = analysis.quality.fixes
    assert [(r["owner"], r["lead_id"], r["part"]) for r in fixes.to_dict("records")] == [
        ("甲", "LF2024002", "missing_amount_close"),
        ("甲", "LF2024002", "close_past"),
        ("甲", "LF2024002", "stale"),
        ("甲", "LF2024003", "undated_moves"),
        ("甲", "LF2024005", "undated_moves"),
        ("甲", "LF2024006", "errors"),
    ]
    json_parts = analysis.as_json()["hygiene"]["by_owner"]["甲"]["parts"]
    assert json_parts["undated_moves"] == {"failing": 2, "applicable": 5, "points": 20.0, "earned": 12.0}


def test_hygiene_points_come_from_the_rules(tmp_path):
    rules = edited_rules(
        tmp_path, ("errors = 20 ", "errors = 40 "), ("stale = 20 ", "stale = 0 "),
        before_required_fields=True,
    )
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", hygiene_rows())], rules, as_of=AS_OF)
    # 40 × 5/6 + 20 × 1/2 + 20 × 2/3 + 0 + 20 × 3/5 = 33.333 + 10 + 13.333 + 12
    assert analysis.quality.hygiene["甲"].score == pytest.approx(68.6667, abs=1e-3)


def test_hygiene_points_must_add_up_to_100(tmp_path):
    from funnel_xl import RulesError

    with pytest.raises(RulesError, match=r"hygiene.points.*100.*110"):
        edited_rules(tmp_path, ("errors = 20 ", "errors = 30 "))


def test_hygiene_on_the_owner_sheet(tmp_path, rules):
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", hygiene_rows())], rules, as_of=AS_OF)
    report = write_outputs(analysis, tmp_path / "out").report
    book = openpyxl.load_workbook(report)
    table = [r for r in book["数据质量"].iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(table) if r[0] == "负责人" and "数据质量分" in r)
    row = dict(zip(table[head], table[head + 2], strict=False))  # 乙, then 甲
    assert row["负责人"] == "甲"
    assert row["数据质量分"] == pytest.approx(65.3333, abs=1e-3)
    assert row["阶段变动无日期\n得分(满分 20)"] == pytest.approx(12)
    assert row["阶段变动无日期\n不合格/适用"] == "2/5"
    # 负责人对比's compact table carries the score alone.
    owners = [r for r in book["负责人对比"].iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(owners) if r[0] == "负责人" and "数据质量分" in r)
    col = owners[head].index("数据质量分")
    mine = next(r for r in owners[head + 1:] if r[0] == "甲")
    assert mine[col] == pytest.approx(65.3333, abs=1e-3)


# ---------------------------------------------------------------------------
# Snooze
# ---------------------------------------------------------------------------

def snooze_rows():
    stuck = dict(entered=D(2024, 5, 1), last=D(2024, 5, 1))  # dwell 30 > 15, no follow-up for 30 days
    return [
        lead("LF2024001", "需求挖掘", D(2024, 4, 1), **stuck, snooze=D(2024, 6, 15),
             snooze_reason="客户决策人出差至6月中"),
        lead("LF2024002", "需求挖掘", D(2024, 4, 1), **stuck, snooze=D(2024, 5, 31),
             snooze_reason="已过期"),  # until the as-of date: flagged again from that day
        lead("LF2024003", "需求挖掘", D(2024, 4, 1), **stuck, snooze=D(2024, 6, 10)),  # no reason
        lead("LF2024004", "需求挖掘", D(2024, 4, 1), **stuck, snooze=D(2024, 9, 30),
             snooze_reason="预算冻结"),  # 122 days ahead > 60
        lead("LF2024005", "已成交", D(2024, 1, 10), entered=D(2024, 4, 1), snooze=D(2024, 6, 1),
             snooze_reason="无"),
        lead("LF2024006", "潜在接触", D(2024, 5, 20), last=D(2024, 5, 30), snooze_reason="等回复"),
    ]


def test_snoozed_leads_are_not_stalled_and_listed_apart(tmp_path, rules):
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", snooze_rows())], rules, as_of=AS_OF)
    leads = analysis.result.leads.set_index("lead_id")
    assert leads["snoozed"].to_dict() == {
        "LF2024001": True, "LF2024002": False, "LF2024003": True, "LF2024004": True,
        "LF2024005": False, "LF2024006": False,
    }
    # Only 002 is stalled and stale (its snooze ended on the as-of date).
    assert leads.index[leads["stalled"]].tolist() == ["LF2024002"]
    assert leads.index[leads["stale"]].tolist() == ["LF2024002"]
    assert (analysis.team.stalled, analysis.team.stale, analysis.team.snoozed) == (1, 1, 3)
    codes = sorted((p.code, p.row) for p in analysis.problems)
    assert codes == [
        ("snooze_on_closed_lead", 6),
        ("snooze_reason_without_date", 7),
        ("snooze_too_long", 5),
        ("snooze_without_reason", 4),
    ]
    too_long = next(p for p in analysis.problems if p.code == "snooze_too_long")
    assert "60 天" in too_long.message and too_long.header == "暂缓至"

    report = write_outputs(analysis, tmp_path / "out").report
    rows = list(openpyxl.load_workbook(report)["预警"].iter_rows(values_only=True))
    alerts = [(r[0], r[1]) for r in rows[1:] if r[0] in ("停留超时", "停留超时、久未跟进")]
    assert alerts == [("停留超时、久未跟进", "LF2024002")]
    start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("暂缓中的线索"))
    assert rows[start + 1][:9] == (
        "线索编号", "客户", "负责人", "阶段", "停留(天)", "上限(天)", "已超上限", "暂缓至", "暂缓原因",
    )
    listed = [(r[0], r[4], r[6], r[7], r[8]) for r in rows[start + 2:start + 5]]
    assert listed == [
        ("LF2024001", 30, "是", datetime(2024, 6, 15), "客户决策人出差至6月中"),
        ("LF2024003", 30, "是", datetime(2024, 6, 10), None),
        ("LF2024004", 30, "是", datetime(2024, 9, 30), "预算冻结"),
    ]


# ---------------------------------------------------------------------------
# Dwell in working days
# ---------------------------------------------------------------------------

def working(tmp_path):
    return edited_rules(tmp_path, ("dwell_in_working_days = false", "dwell_in_working_days = true"))


def test_working_day_dwell_across_national_day(tmp_path, rules):
    # Entered 需求挖掘 on Friday 2024-09-27; as-of Monday 2024-10-14. Calendar days: 17 > 15:
    # stalled. Working days after 09-27 up to 10-14: Sun 09-29 (adjusted working day), Mon 09-30,
    # [10-01 … 10-07 National Day holiday], Tue 10-08 … Fri 10-11 (4), Sat 10-12 (adjusted
    # working day), [Sun 10-13], Mon 10-14 → 1 + 1 + 4 + 1 + 1 = 8 ≤ 15: not stalled.
    row = lead("LF2024001", "需求挖掘", D(2024, 9, 1), entered=D(2024, 9, 27), last=D(2024, 10, 14))
    path = write_workbook(tmp_path / "t.xlsx", [row])
    as_of = D(2024, 10, 14)
    calendar = analyse([path], rules, as_of=as_of).result.leads.iloc[0]
    assert (calendar["dwell_days"], calendar["stalled"]) == (17, True)
    workdays = analyse([path], working(tmp_path), as_of=as_of)
    lead_row = workdays.result.leads.iloc[0]
    assert (lead_row["dwell_days"], lead_row["stalled"]) == (8, False)
    assert not [p for p in workdays.problems if p.code == "holiday_calendar_missing"]


def test_working_day_estimate_from_a_typed_dwell(tmp_path):
    # Typed 8 working days on Monday 2024-10-14 → the entry is the working day 8 working days
    # back: Friday 2024-09-27 (see the count above).
    row = lead("LF2024001", "需求挖掘", D(2024, 9, 1), last=D(2024, 10, 14), dwell=8)
    path = write_workbook(tmp_path / "t.xlsx", [row])
    leads = analyse([path], working(tmp_path), as_of=D(2024, 10, 14)).result.leads
    assert leads.iloc[0]["stage_entered"] == datetime(2024, 9, 27)
    assert leads.iloc[0]["dwell_days"] == 8


def test_a_year_the_calendar_does_not_cover_is_weekends_only_with_a_warning(tmp_path):
    # 2035 is beyond the calendar's published years. Entered Friday 2035-01-05, as-of Monday
    # 2035-01-15: weekdays after 01-05: Mon 01-08 … Fri 01-12 (5), Mon 01-15 → 6 (no holidays
    # known; 2035-01-01 would be one, but it is before the entry).
    row = lead("LF2035001", "需求挖掘", D(2035, 1, 2), entered=D(2035, 1, 5), last=D(2035, 1, 15))
    path = write_workbook(tmp_path / "t.xlsx", [row])
    analysis = analyse([path], working(tmp_path), as_of=D(2035, 1, 15))
    assert analysis.result.leads.iloc[0]["dwell_days"] == 6
    (problem,) = [p for p in analysis.problems if p.code == "holiday_calendar_missing"]
    assert problem.severity == "warning" and "2035 年" in problem.message
    assert "只跳过周末" in problem.message
    result = CliRunner().invoke(
        cli, ["rebuild", str(path), "--as-of", "2035-01-15", "--out", str(tmp_path / "out"),
              "--rules", str(tmp_path / "edited_rules.toml")],
    )
    assert result.exit_code == 0, result.output  # a warning, never a crash
    runs = openpyxl.load_workbook(tmp_path / "out" / "funnel_report_2035-01-15.xlsx")["运行信息"]
    texts = [v for row in runs.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any("2035 年" in t and "只跳过周末" in t for t in texts)


def test_refresh_writes_working_days(tmp_path):
    from funnel_xl import refresh_workbook

    # The same lead as above: 8 working days from 2024-09-27 to 2024-10-14 (17 calendar days).
    row = lead("LF2024001", "需求挖掘", D(2024, 9, 1), entered=D(2024, 9, 27), last=D(2024, 10, 14))
    path = write_workbook(tmp_path / "mine.xlsx", [row])
    refresh_workbook(path, working(tmp_path), as_of=D(2024, 10, 14), backup=False)
    ws = openpyxl.load_workbook(path)["线索跟踪"]
    headers = [c.value for c in ws[1]]
    assert ws.cell(2, headers.index("当前阶段停留时长(天)") + 1).value == 8
