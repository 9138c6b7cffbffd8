"""The period block of a week's and a span's report, worked out by hand: the period before, the
words (本周/上周, 本期/上期), the figures, targets prorated by working days; the month figures
counted once for the team, the reps and the channels; targets per channel."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pandas as pd
import pytest

from funnel_xl import load_rules
from funnel_xl.flow import period_figures
from funnel_xl.mail import _manager_body, load_month
from funnel_xl.month import MonthCounts, month_review, period_counts, team_counts
from funnel_xl.period import PeriodKind
from funnel_xl.pipeline import analyse, write_outputs
from funnel_xl.rules import default_rules_path
from funnel_xl.target_sheet import read_target_rows
from funnel_xl.targets import Target, prorated_targets
from funnel_xl.workdays import working_days_in
from tests.conftest import lead, write_workbook

D = date
T = pd.Timestamp

# Derived leads across May and June 2024: status, first contact, stage entered, amount, owner,
# channel.
LEADS = pd.DataFrame(
    [
        # Week 2024-W21 is Mon 05-20 to Sun 05-26; W20 is 05-13 to 05-19.
        dict(lead_id="A1", owner="张伟", source="官网", status="won", first_contact=T("2024-05-14"),
             stage_entered=T("2024-05-21"), amount=40.0, cycle_days=7),
        dict(lead_id="A2", owner="张伟", source="展会", status="active", first_contact=T("2024-05-20"),
             stage_entered=T("2024-05-20"), amount=15.0, cycle_days=None),
        dict(lead_id="B1", owner="李娜", source="官网", status="won", first_contact=T("2024-05-02"),
             stage_entered=T("2024-05-17"), amount=25.0, cycle_days=15),
        dict(lead_id="B2", owner="李娜", source="展会", status="lost", first_contact=T("2024-05-13"),
             stage_entered=T("2024-05-26"), amount=8.0, cycle_days=None),
        dict(lead_id="B3", owner="李娜", source=None, status="lost", first_contact=T("2024-05-19"),
             stage_entered=T("2024-05-19"), amount=3.0, cycle_days=None),
    ]
)
MOVES = pd.DataFrame(
    {
        "lead_id": ["A1", "A1", "B1", "B2", "X9"],
        "date": [T("2024-05-15"), T("2024-05-21"), T("2024-05-17"), T("2024-05-26"), T("2024-05-22")],
    }
)
GROUPS = {"owner": "owner", "source": "source"}


def week(targets=()):
    return month_review(
        LEADS, MOVES, D(2024, 5, 20), D(2024, 5, 26), targets, kind=PeriodKind.WEEK, groups=GROUPS,
        working_days=working_days_in,
    )


def test_a_weeks_block_is_the_week_beside_the_week_before():
    review = week()
    assert (review.team.month, review.team.previous_month) == ("2024-W21", "2024-W20")
    # W21: new A2; won A1 (40); lost B2; moves A1 05-21, B2 05-26, X9 05-22 (an excluded row).
    assert review.team.current == MonthCounts(new_leads=1, won=1, won_amount=40.0, lost=1, moves=3)
    # W20: new A1 05-14, B2 05-13, B3 05-19; won B1 (25); lost B3; moves A1 05-15, B1 05-17.
    assert review.team.previous == MonthCounts(new_leads=3, won=1, won_amount=25.0, lost=1, moves=2)
    assert review.by_owner["李娜"].current == MonthCounts(new_leads=0, won=0, won_amount=0.0, lost=1, moves=1)
    assert review.by_owner["李娜"].previous == MonthCounts(new_leads=2, won=1, won_amount=25.0, lost=1, moves=1)
    # By channel: 官网 won A1 this week, B1 the week before; the blank channel is "".
    assert review.by_source["官网"].current == MonthCounts(won=1, won_amount=40.0, moves=1)
    assert review.by_source[""].previous == MonthCounts(new_leads=1, lost=1)


def test_a_span_is_compared_with_the_span_of_the_same_length_before():
    # 05-20 to 05-24 (5 days, not a week): the span before is 05-15 to 05-19.
    review = month_review(LEADS, MOVES, D(2024, 5, 20), D(2024, 5, 24), kind=PeriodKind.SPAN)
    assert (review.team.month, review.team.previous_month) == ("2024-05-20_2024-05-24", "2024-05-15_2024-05-19")
    # Now: new A2; won A1; moves A1 05-21, X9 05-22. Before: new B3; won B1; lost B3; moves A1, B1.
    assert review.team.current == MonthCounts(new_leads=1, won=1, won_amount=40.0, lost=0, moves=2)
    assert review.team.previous == MonthCounts(new_leads=1, won=1, won_amount=25.0, lost=1, moves=2)


def test_the_team_the_reps_and_the_flow_count_with_one_function():
    """The team's block, flow's period figures and the groups' counts agree: every group's figure
    sums to the team's (moves: the excluded row's X9 is the team's only)."""
    start, end = D(2024, 5, 1), D(2024, 5, 31)
    team = team_counts(LEADS, MOVES, start, end)
    # May: new all 5; won A1 B1 (65); lost B2 B3; moves all 5.
    assert team == MonthCounts(new_leads=5, won=2, won_amount=65.0, lost=2, moves=5)
    flow = period_figures(LEADS.assign(stage=None), MOVES.assign(from_stage="", to_stage="", source="log"),
                          load_rules(), start, end)
    assert (flow.new_leads, flow.won, flow.won_amount, flow.lost) == (5, 2, 65.0, 2)
    reps = period_counts(LEADS, MOVES, start, end, LEADS["owner"])
    assert sum(c.won_amount for c in reps.values()) == 65.0
    assert sum(c.moves for c in reps.values()) == 4


def test_targets_are_prorated_by_working_days():
    """May 2024 has 21 working days (23 weekdays, less the holidays 05-01 to 05-03, plus Saturday
    05-11 worked); W21 holds 5 of them. June 2024 has 19 (20 weekdays less 06-10, 端午)."""
    assert (working_days_in(D(2024, 5, 1), D(2024, 5, 31)), working_days_in(D(2024, 6, 1), D(2024, 6, 30))) == (21, 19)
    targets = [Target("张伟", 84.0, 21), Target("张伟", 38.0, 19, month="2024-06")]
    got = prorated_targets(targets, D(2024, 5, 20), D(2024, 5, 26), working_days_in)
    assert got["张伟"].won_amount == pytest.approx(84 * 5 / 21)  # 20.0
    assert got["张伟"].new_leads == pytest.approx(21 * 5 / 21)  # 5.0
    # 05-27 to 06-04: May's 5 working days (Mon to Fri) and June's 2 (Mon 03, Tue 04).
    got = prorated_targets(targets, D(2024, 5, 27), D(2024, 6, 4), working_days_in)
    assert got["张伟"].won_amount == pytest.approx(84 * 5 / 21 + 38 * 2 / 19)  # 20 + 4 = 24
    assert got["张伟"].new_leads == pytest.approx(5 + 2)


def test_a_weeks_attainment_is_against_the_prorated_target():
    review = week([Target("张伟", 84.0, 21), Target("李娜", 42.0), Target("", 63.0, channel="官网")])
    zhang = review.attainment["张伟"]
    # 张伟 won A1 (40) of 84 × 5/21 = 20: 200%; new A2, 1 of 5: 20%.
    assert (zhang.won_target, zhang.won_ratio) == (pytest.approx(20.0), pytest.approx(2.0))
    assert zhang.new_leads_ratio == pytest.approx(1 / 5)
    # The team: 40 of 20 + 10; 官网: 40 of 63 × 5/21 = 15.
    assert review.team_attainment.won_ratio == pytest.approx(40 / 30)
    assert review.channel_attainment["官网"].won_ratio == pytest.approx(40 / 15)
    assert review.prorated and review.targets["李娜"].won_amount == pytest.approx(10.0)


def test_channel_rows_of_the_targets_sheet():
    rows = [
        ["月份", "负责人", "渠道", "成交目标(万元)", "新增线索目标"],
        ["2024-05", "张伟", None, 120, 20],
        ["2024-05", None, "官　网", 200, 40],  # a channel's; full-width space folded
        ["2024-05", "李娜", "展会", 10, None],  # both a rep and a channel: a warning on row 4
        ["2024-05", None, None, 10, None],  # neither: a warning on row 5
    ]
    targets, problems = read_target_rows(rows, (0, 0), sheet="目标", file="t.xlsx", lang="zh")
    assert targets == [
        Target("张伟", 120.0, 20, "2024-05"), Target("", 200.0, 40, "2024-05", channel="官 网"),
    ]
    assert [(p.code, p.row) for p in problems] == [("bad_target_row", 4), ("bad_target_row", 5)]


# As of Sunday 2024-05-26 (week W21): 张伟 (官网) won 05-21 (30) and new 05-20; 李四 (展会)
# new 05-14, won 05-16 (10) in W20; 王磊 (官网) lost 05-22.
ROWS = [
    lead("LF2024001", "已成交", D(2024, 3, 1), owner="张伟", source="官网表单", entered=D(2024, 5, 21), amount=30.0),
    lead("LF2024002", "需求挖掘", D(2024, 5, 20), owner="张伟", source="官网表单", entered=D(2024, 5, 20), amount=5.0),
    lead("LF2024003", "已成交", D(2024, 5, 14), owner="李四", source="展会推广", entered=D(2024, 5, 16), amount=10.0),
    lead("LF2024004", "无效线索", D(2024, 4, 2), owner="王磊", source="官网表单", entered=D(2024, 5, 22),
         lost_at="需求挖掘", amount=8.0),
]


def rules_with(tmp_path, text: str):
    rules = default_rules_path().read_text(encoding="utf-8") + "\n" + text
    path = tmp_path / "rules.toml"
    path.write_text(rules, encoding="utf-8")
    return load_rules(path)


@pytest.fixture(scope="module")
def weekly(tmp_path_factory):
    """Week 2024-W21 with targets: 张伟 84 万元 and 21 new leads a month (rules), 官网表单 63
    万元 a month ([channel_targets]), 展会推广 21 new leads in May (目标 sheet's 渠道 column)."""
    folder = tmp_path_factory.mktemp("weekly")
    path = write_workbook(folder / "t.xlsx", ROWS)
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("目标")
    for row in (["月份", "负责人", "渠道", "成交目标(万元)", "新增线索目标"], ["2024-05", None, "展会推广", None, 21]):
        sheet.append(row)
    book.save(path)
    text = default_rules_path().read_text(encoding="utf-8").replace(
        "[targets]\n", '[targets]\n"张伟" = { won = 84, new_leads = 21 }\n', 1
    ) + '\n[channel_targets]\n"官网表单" = 63\n'
    (folder / "rules.toml").write_text(text, encoding="utf-8")
    analysis = analyse([path], load_rules(folder / "rules.toml"), week="2024-W21")
    return analysis, write_outputs(analysis, folder / "out", split_by=["owner"], json_path=folder / "f.json")


def test_the_weekly_overview_says_this_week_and_last_week(weekly):
    _, written = weekly
    ws = openpyxl.load_workbook(written.report)["总览"]
    assert ws["A4"].value == "本周 2024-W21（2024-05-20 至 2024-05-26）· 对比上周 2024-W20"
    assert [ws.cell(5, c).value for c in range(1, 7)] == ["指标", "本周", "上周", "变化", "折算目标", "达成率"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=6, max_row=10, max_col=6, values_only=True)}
    # This week: new 002; won 001 (30); lost 004. Last week: new 003; won 003 (10).
    # Team target: 张伟's 84 × 5/21 = 20 万元, 21 × 5/21 = 5 new leads.
    assert rows["新增线索(条)"] == (1, 1, 0, pytest.approx(5.0), pytest.approx(1 / 5))
    assert rows["成交金额(万元)"] == (30, 10, 20, pytest.approx(20.0), pytest.approx(1.5))
    assert rows["流失(条)"][:3] == (1, 0, 1)
    assert "上周 = 2024-W20（2024-05-13 至 2024-05-19）" in ws["A11"].value
    assert "按工作日折算" in ws["A11"].value and "本月" not in ws["A11"].value
    # The channels with a target, under the block: 官网表单 30 of 63 × 5/21 = 15 (200%);
    # 展会推广 new 0 of 21 × 5/21 = 5.
    assert ws["A12"].value == (
        "渠道目标达成（本周，目标按工作日折算）：官网表单 成交 200%（30.0 / 15.0 万元）；展会推广 新增 0%（0 / 5 条）"
    )


def test_the_weekly_comparison_tables_say_this_week(weekly):
    _, written = weekly
    book = openpyxl.load_workbook(written.report)
    owners, channels = book["负责人对比"], book["渠道分析"]
    assert owners["A3"].value == "本周与累计"
    head = [c.value for c in owners[4]]
    assert "本周新增" in head and "本周成交(万元)\n（件数）" in head and "本周达成率\n(成交÷折算目标)" in head
    assert not any("本月" in str(v) for v in head if v)
    # 渠道分析: 官网表单 won 30 of 15 this week; 展会推广 has no won target; no 连续偏低 column
    # (channels are flagged by months).
    head = [c.value for c in channels[4]]
    assert head[-1] == "本周达成率\n(成交÷折算目标)"
    lines = {row[0]: row for row in channels.iter_rows(min_row=5, max_row=6, values_only=True)}
    assert lines["官网表单"][2:4] == (1, 30)  # new 002, won 30 this week
    assert lines["官网表单"][-1] == pytest.approx(2.0)
    assert lines["展会推广"][-1] is None


def test_the_weekly_json_and_mail_name_the_weeks(weekly):
    analysis, written = weekly
    month = json.loads(written.json.read_text(encoding="utf-8"))["month"]
    assert (month["kind"], month["period"], month["previous_period"]) == ("week", "2024-W21", "2024-W20")
    assert "month" not in month and month["targets_prorated"] is True
    assert month["target"]["won_amount"] == pytest.approx(20.0)
    assert month["by_channel_target"]["官网表单"]["attainment"]["won_amount"] == pytest.approx(2.0)
    _name, text, _html = _manager_body(load_month(written.report.parent, analysis.period))
    assert "团队本周 2024-W21（对比上周 2024-W20）" in text and "销售漏斗周报" in text
    assert "成交金额(万元)：本周 30.0 · 上周 10.0 · 变化 ▲ 20.0 · 折算目标 20.0 · 达成率 150.0%" in text
    assert "新增线索：本周 1 · 上周 1 · 变化 — · 折算目标 5.0 · 达成率 20.0%" in text
    assert "官网表单：成交金额(万元) 30.0 · 折算成交目标 15.0 · 达成率 200.0%" in text
    assert "本月" not in text and "上月" not in text


def test_a_span_report_says_this_period(tmp_path):
    """05-20 to 05-24 (not a whole week): compared with 05-15 to 05-19; 本期/上期."""
    path = write_workbook(tmp_path / "t.xlsx", ROWS)
    analysis = analyse([path], load_rules(), as_of=D(2024, 5, 24), start=D(2024, 5, 20))
    written = write_outputs(analysis, tmp_path / "out")
    ws = openpyxl.load_workbook(written.report)["总览"]
    assert ws["A4"].value == "本期 2024-05-20_2024-05-24（2024-05-20 至 2024-05-24）· 对比上期 2024-05-15_2024-05-19"
    assert [ws.cell(5, c).value for c in range(1, 5)] == ["指标", "本期", "上期", "变化"]
    rows = {r[0]: r[1:4] for r in ws.iter_rows(min_row=6, max_row=10, max_col=4, values_only=True)}
    # Now: new 002; won 001 (30); lost 004. Before: won 003 (10) on 05-16; new 003 was 05-14.
    assert rows["新增线索(条)"] == (1, 0, 1)
    assert rows["成交金额(万元)"] == (30, 10, 20)
    assert "上期 = 本期之前同样长的 2024-05-15 至 2024-05-19" in ws["A11"].value
    assert openpyxl.load_workbook(written.report)["负责人对比"]["A3"].value == "本期与累计"


def test_channel_targets_on_a_months_channel_sheet(tmp_path):
    """May: 官网表单 won 30 (001) of 60 a month: 50% on 渠道分析 and under 总览's block; an old
    rules file without [channel_targets] shows neither."""
    path = write_workbook(tmp_path / "t.xlsx", ROWS)
    rules = rules_with(tmp_path, '[channel_targets]\n"官网表单" = { won = 60, new_leads = 4 }\n')
    assert rules.channel_targets == (("官网表单", 60.0, 4),)
    written = write_outputs(analyse([path], rules, as_of=D(2024, 5, 31)), tmp_path / "out")
    book = openpyxl.load_workbook(written.report)
    assert book["总览"]["A12"].value == (
        "渠道目标达成（本月）：官网表单 成交 50%（30.0 / 60.0 万元）、新增 25%（1 / 4 条）"
    )
    channels = book["渠道分析"]
    assert channels.cell(4, 11).value == "本月达成率\n(成交÷成交目标)"
    lines = {row[0]: row for row in channels.iter_rows(min_row=5, max_row=6, values_only=True)}
    assert lines["官网表单"][10] == pytest.approx(0.5)
    plain = write_outputs(analyse([path], load_rules(), as_of=D(2024, 5, 31)), tmp_path / "plain")
    book = openpyxl.load_workbook(plain.report)
    assert book["总览"]["A12"].value is None
    assert "本月达成率\n(成交÷成交目标)" not in [c.value for c in book["渠道分析"][4]]


def test_a_reps_weekly_workbook_and_the_flow_sheet_say_this_week(weekly):
    _, written = weekly
    zhang = next(g for g in written.split.groups if g.name == "张伟")
    ws = openpyxl.load_workbook(zhang.workbook)["总览"]
    assert [ws.cell(5, c).value for c in range(1, 7)] == ["指标", "本周", "上周", "变化", "折算目标", "达成率"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=6, max_row=10, max_col=6, values_only=True)}
    # 张伟 this week: new 002, won 001 (30) of 84 × 5/21 = 20; last week nothing.
    assert rows["成交金额(万元)"] == (30, 0, 30, pytest.approx(20.0), pytest.approx(1.5))
    flow = openpyxl.load_workbook(written.report)["阶段流转"]
    labels = [r[0] for r in flow.iter_rows(values_only=True)]
    assert "本周新增线索" in labels and "本周成交金额(万元)" in labels and "本月新增线索" not in labels


def test_an_english_weeks_words(tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", ROWS)
    text = default_rules_path().read_text(encoding="utf-8").replace('lang = "zh"', 'lang = "en"', 1)
    (tmp_path / "rules.toml").write_text(text, encoding="utf-8")
    rules = load_rules(tmp_path / "rules.toml")
    assert rules.lang == "en"
    written = write_outputs(analyse([path], rules, week="2024-W21"), tmp_path / "out")
    book = openpyxl.load_workbook(written.report)
    overview = next(ws for ws in book if ws.title in ("总览", "Overview"))
    assert overview["A4"].value == "This week 2024-W21 (2024-05-20 to 2024-05-26) · against last week 2024-W20"
    assert [overview.cell(5, c).value for c in range(2, 4)] == ["This week", "Last week"]


def test_every_writer_of_the_months_won_reads_the_one_count(tmp_path):
    """May: won 001 (05-21, 30) and 003 (05-16, 10). 总览's block, the flow, the forecast's won
    this month, the compact tables' team row and the JSON all say 2 and 40."""
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", ROWS)], load_rules(), as_of=D(2024, 5, 31))
    block = analysis.month_review.team.current
    assert (block.won, block.won_amount, block.new_leads, block.lost) == (2, 40.0, 2, 1)
    assert (analysis.flow.period.won, analysis.flow.period.won_amount) == (2, 40.0)
    assert (analysis.forecast.won_count, analysis.forecast.won_amount) == (2, 40.0)
    team = analysis.team_standing
    assert (team.won_this_month, team.won_amount_this_month, team.new_this_month) == (2, 40.0, 2)
    reps = {s.name: (s.won_this_month, s.won_amount_this_month) for s in analysis.standings["owner"]}
    assert reps == {"张伟": (1, 30.0), "李四": (1, 10.0), "王磊": (0, 0.0)}
    channels = {s.name: s.won_amount_this_month for s in analysis.standings["source"]}
    assert channels == {"官网表单": 30.0, "展会推广": 10.0}
    assert analysis.as_json()["month"]["current"]["won_amount"] == 40.0
