"""The month block (this month beside last month), targets and attainment, worked out by hand."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pandas as pd
import pytest

from funnel_xl import RulesError, load_rules
from funnel_xl.mail import _manager_body, load_month
from funnel_xl.month import MonthCounts, month_review, month_targets
from funnel_xl.pipeline import analyse, write_outputs
from funnel_xl.rules import default_rules_path
from funnel_xl.target_sheet import read_target_rows
from funnel_xl.targets import Target, team_target
from tests.conftest import lead, write_workbook

D = date
T = pd.Timestamp

# A team of two across April and May 2024 (May reviewed up to the 31st). Derived leads as the
# recalculation hands them over: status, first contact, stage entered, amount, owner.
LEADS = pd.DataFrame(
    [
        # 张伟: new in April, won in May (40).
        dict(lead_id="A1", owner="张伟", status="won", first_contact=T("2024-04-03"), stage_entered=T("2024-05-06"), amount=40.0),
        # 张伟: new in May, open.
        dict(lead_id="A2", owner="张伟", status="active", first_contact=T("2024-05-10"), stage_entered=T("2024-05-20"), amount=15.0),
        # 张伟: new in March, won in April (25).
        dict(lead_id="A3", owner="张伟", status="won", first_contact=T("2024-03-01"), stage_entered=T("2024-04-30"), amount=25.0),
        # 李娜: new in April, lost in May.
        dict(lead_id="B1", owner="李娜", status="lost", first_contact=T("2024-04-20"), stage_entered=T("2024-05-02"), amount=60.0),
        # 李娜: new in May, won in May without an amount (counts 0).
        dict(lead_id="B2", owner="李娜", status="won", first_contact=T("2024-05-01"), stage_entered=T("2024-05-31"), amount=None),
        # 李娜: new in April, lost in April.
        dict(lead_id="B3", owner="李娜", status="lost", first_contact=T("2024-04-02"), stage_entered=T("2024-04-28"), amount=9.0),
    ]
)
# Stage moves: A1 twice in May and once in April; B1 once in May; a row excluded for errors (X9)
# once in May — the team counts it, no rep does.
MOVES = pd.DataFrame(
    {
        "lead_id": ["A1", "A1", "A1", "B1", "X9"],
        "date": [T("2024-04-15"), T("2024-05-02"), T("2024-05-06"), T("2024-05-02"), T("2024-05-09")],
    }
)


def review(targets=()):
    return month_review(LEADS, MOVES, D(2024, 5, 1), D(2024, 5, 31), targets)


def test_the_teams_month_beside_last_month():
    block = review().team
    assert (block.month, block.previous_month) == ("2024-05", "2024-04")
    # May: new A2 B2; won A1 (40) B2 (no amount); lost B1; moves A1 A1 B1 X9.
    assert block.current == MonthCounts(new_leads=2, won=2, won_amount=40.0, lost=1, moves=4)
    # April: new A1 B1 B3; won A3 (25); lost B3; moves A1.
    assert block.previous == MonthCounts(new_leads=3, won=1, won_amount=25.0, lost=1, moves=1)
    assert [block.change(k) for k in ("new_leads", "won", "won_amount", "lost", "moves")] == [-1, 1, 15.0, 0, 3]


def test_each_reps_month():
    reps = review().by_owner
    assert reps["张伟"].current == MonthCounts(new_leads=1, won=1, won_amount=40.0, lost=0, moves=2)
    assert reps["张伟"].previous == MonthCounts(new_leads=1, won=1, won_amount=25.0, lost=0, moves=1)
    assert reps["李娜"].current == MonthCounts(new_leads=1, won=1, won_amount=0.0, lost=1, moves=1)
    assert reps["李娜"].previous == MonthCounts(new_leads=2, won=0, won_amount=0.0, lost=1, moves=0)
    # One rep's share: their block stands in for the team's.
    assert review().only("李娜").team == reps["李娜"]


def test_attainment_per_rep_and_team():
    targets = [
        Target("张伟", won_amount=50.0, new_leads=2),  # every month
        Target("李娜", won_amount=30.0),  # every month …
        Target("李娜", won_amount=20.0, new_leads=4, month="2024-05"),  # … but May's is this one
        Target("张伟", won_amount=999.0, month="2024-04"),  # another month: not May's
    ]
    got = review(targets)
    assert got.targets == {"张伟": targets[0], "李娜": targets[2]}
    zhang, li = got.attainment["张伟"], got.attainment["李娜"]
    assert (zhang.won_ratio, zhang.new_leads_ratio) == (pytest.approx(40 / 50), pytest.approx(1 / 2))
    assert (li.won_ratio, li.new_leads_ratio) == (0.0, pytest.approx(1 / 4))
    # The team: won 40 of 50 + 20, new 2 of 2 + 4.
    team = got.team_attainment
    assert (team.won_target, team.new_leads_target) == (70.0, 6)
    assert (team.won_ratio, team.new_leads_ratio) == (pytest.approx(40 / 70), pytest.approx(2 / 6))
    assert got.only("张伟").team_attainment == zhang


def test_no_target_no_attainment():
    got = review()
    assert got.team_attainment is None and got.attainment == {} and not got.has_targets
    assert team_target([]) is None
    assert month_targets([Target("张伟", 10.0, month="2024-04")], "2024-05") == {}


def rules_with_targets(tmp_path, text: str):
    rules = default_rules_path().read_text(encoding="utf-8").replace("[targets]\n", "[targets]\n" + text, 1)
    path = tmp_path / "rules.toml"
    path.write_text(rules, encoding="utf-8")
    return load_rules(path)


def test_rules_targets_old_and_new_form(tmp_path):
    rules = rules_with_targets(tmp_path, '"张伟" = 120\n"李娜" = { won = 80, new_leads = 15 }\n"王磊" = { new_leads = 5 }\n')
    assert rules.targets == (("张伟", 120.0), ("李娜", 80.0))
    assert rules.new_lead_targets == (("李娜", 15), ("王磊", 5))


@pytest.mark.parametrize(
    ("text", "key"),
    [('"张伟" = { won = -1 }\n', "targets.张伟.won"), ('"张伟" = { wins = 1 }\n', "targets.张伟")],
)
def test_a_wrong_target_names_its_key_once(tmp_path, text, key):
    with pytest.raises(RulesError) as exc:
        rules_with_targets(tmp_path, text)
    assert str(exc.value).count(f"「{key}") == 1


def test_the_targets_sheet_rows():
    rows = [
        ["月份", "负责人", "成交目标(万元)", "新增线索目标"],
        ["2024-05", "张伟", 120, 20],
        [pd.Timestamp("2024-06-01").to_pydatetime(), "李　娜", "80", None],  # a date cell; full-width space
        ["2024年7月", "王磊", None, 3],
        ["五月", "赵敏", 10, None],  # no month: a warning on Excel row 6 (header on row 2)
        [None, None, None, None],
        ["2024-05", "陈静", -5, None],  # below 0: a warning on row 8
    ]
    targets, problems = read_target_rows(rows, (1, 0), sheet="目标", file="t.xlsx", lang="zh")
    assert targets == [
        Target("张伟", 120.0, 20, "2024-05"), Target("李 娜", 80.0, None, "2024-06"),
        Target("王磊", None, 3, "2024-07"),
    ]
    assert [(p.code, p.row, p.severity) for p in problems] == [
        ("bad_target_row", 6, "warning"), ("bad_target_row", 8, "warning"),
    ]


# As of 2024-05-31: 张伟 new 05-02 and won 05-20 (30); 李四 new 05-03; won in April 04-10 (10).
ROWS = [
    lead("LF2024001", "已成交", D(2024, 3, 1), owner="张伟", entered=D(2024, 5, 20), amount=30.0),
    lead("LF2024002", "需求挖掘", D(2024, 5, 2), owner="张伟", entered=D(2024, 5, 9), amount=5.0),
    lead("LF2024003", "潜在接触", D(2024, 5, 3), owner="李四", amount=8.0),
    lead("LF2024004", "已成交", D(2024, 2, 1), owner="李四", entered=D(2024, 4, 10), amount=10.0),
]


@pytest.fixture(scope="module")
def with_sheet(tmp_path_factory):
    """A tracking workbook with a 目标 sheet: 张伟 40 万元 and 2 new leads in May, 李四 20 万元."""
    folder = tmp_path_factory.mktemp("targets")
    path = write_workbook(folder / "t.xlsx", ROWS)
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("目标")
    for row in (["月份", "负责人", "成交目标(万元)", "新增线索目标"], ["2024-05", "张伟", 40, 2],
                ["2024-05", "李四", 20, None], ["2024-04", "李四", 99, None]):
        sheet.append(row)
    book.save(path)
    analysis = analyse([path], load_rules(), as_of=D(2024, 5, 31))
    return analysis, write_outputs(analysis, folder / "out", split_by=["owner"])


def test_the_sheets_targets_reach_the_month(with_sheet):
    analysis, _ = with_sheet
    got = analysis.month_review
    # 张伟: won 30 of 40, new 1 of 2; 李四: won 0 of 20. Team: 30 of 60, new 2 of 2.
    assert got.attainment["张伟"].won_ratio == pytest.approx(30 / 40)
    assert got.attainment["张伟"].new_leads_ratio == pytest.approx(1 / 2)
    assert got.attainment["李四"].won_ratio == 0.0
    assert got.team_attainment.won_ratio == pytest.approx(30 / 60)
    assert got.team_attainment.new_leads_ratio == pytest.approx(2 / 2)


def month_rows(ws) -> dict:
    return {r[0]: r[1:] for r in ws.iter_rows(min_row=6, max_row=10, max_col=6, values_only=True)}


def test_overview_shows_target_and_attainment(with_sheet):
    _, written = with_sheet
    ws = openpyxl.load_workbook(written.report)["总览"]
    assert [ws.cell(5, c).value for c in range(1, 7)] == ["指标", "本月", "上月", "变化", "目标", "达成率"]
    rows = month_rows(ws)
    # April: won 004 (10). Team target: new 2 (张伟 only), won 40 + 20.
    assert rows["新增线索(条)"] == (2, 0, 2, 2, pytest.approx(1.0))
    assert rows["成交金额(万元)"] == (30, 10, 20, 60, pytest.approx(0.5))
    assert rows["成交(条)"] == (1, 1, 0, None, None)
    assert "全队目标 = 各负责人目标之和" in ws["A11"].value


def test_a_reps_workbook_shows_their_own_month_and_attainment(with_sheet):
    _, written = with_sheet
    zhang = next(g for g in written.split.groups if g.name == "张伟")
    ws = openpyxl.load_workbook(zhang.workbook)["总览"]
    rows = month_rows(ws)
    assert rows["新增线索(条)"] == (1, 0, 1, 2, pytest.approx(0.5))
    assert rows["成交金额(万元)"] == (30, 0, 30, 40, pytest.approx(0.75))
    li = next(g for g in written.split.groups if g.name == "李四")
    rows = month_rows(openpyxl.load_workbook(li.workbook)["总览"])
    # 李四 has no target of new leads: that row has none; the won row has 20 and 0%.
    assert rows["新增线索(条)"] == (1, 0, 1, None, None)
    assert rows["成交金额(万元)"] == (0, 10, -10, 20, 0)


def test_follow_up_log_errors_reach_the_reps_workbook_and_mail(tmp_path):
    """The log's row 3 has a time that is no date, on 张伟's lead LF2024002: an error on the log
    sheet, which 张伟's workbook, JSON and mail now carry, and 李四's do not."""
    log = [
        {"线索编号": "LF2024001", "跟进时间": D(2024, 5, 20), "跟进方式": "电话", "跟进人": "张伟"},
        {"线索编号": "LF2024002", "跟进时间": "下周三", "跟进方式": "电话", "跟进人": "张伟"},
        {"线索编号": "LF2024003", "跟进时间": D(2024, 5, 6), "跟进方式": "电话", "跟进人": "李四"},
    ]
    path = write_workbook(tmp_path / "t.xlsx", ROWS, log=log)
    analysis = analyse([path], load_rules(), as_of=D(2024, 5, 31))
    (bad,) = [p for p in analysis.problems if p.sheet == "跟进记录" and p.severity == "error"]
    assert (bad.row, bad.lead_id) == (3, "LF2024002")
    written = write_outputs(analysis, tmp_path / "out", split_by=["owner"])
    zhang, li = (next(g for g in written.split.groups if g.name == name) for name in ("张伟", "李四"))
    rows = list(openpyxl.load_workbook(zhang.workbook)["数据问题"].iter_rows(min_row=2, values_only=True))
    assert any("跟进记录" in row and 3 in row for row in rows)
    assert json.loads(zhang.json.read_text(encoding="utf-8"))["problems"]["error"] == 1
    assert json.loads(li.json.read_text(encoding="utf-8"))["problems"]["error"] == 0
    # 运行信息 counts each workbook's own log entries: 张伟 001's one (row 3 is unusable), 李四
    # 003's one; the team both.
    def used(book_path) -> str:
        ws = openpyxl.load_workbook(book_path)["运行信息"]
        return next(r[1] for r in ws.iter_rows(values_only=True) if r[0] == "使用的跟进记录")

    assert (used(zhang.workbook), used(li.workbook), used(written.report)) == ("1 条", "1 条", "2 条")


def test_the_managers_mail_carries_the_month_and_each_reps_attainment(with_sheet):
    analysis, written = with_sheet
    month = load_month(written.report.parent, analysis.period)
    _name, text, _html = _manager_body(month)
    # The team: won 30 of 60 (50.0%), new 2 of 2 (100.0%); April won 004 (10).
    assert "成交金额(万元)：本月 30.0 · 上月 10.0 · 变化 ▲ 20.0 · 目标 60.0 · 达成率 50.0%" in text
    assert "新增线索：本月 2 · 上月 0 · 变化 ▲ 2 · 目标 2 · 达成率 100.0%" in text
    assert "成交(条)：本月 1 · 上月 1 · 变化 — · 目标 — · 达成率 —" in text
    # Each rep with a target: 张伟 30 of 40, 1 of 2 new; 李四 0 of 20, no target of new leads.
    assert "张伟：成交金额(万元) 30.0 · 成交目标 40.0 · 达成率 75.0% · 新增线索 1 · 新增目标 2 · 达成率 50.0%" in text
    assert "李四：成交金额(万元) 0.0 · 成交目标 20.0 · 达成率 0.0% · 新增线索 1 · 新增目标 — · 达成率 —" in text


def test_stage_moves_come_from_the_follow_up_log(tmp_path):
    """LF2024001 (first contact 03-01) moved to 需求挖掘 on 04-10 and to 商务谈判 on 04-25 by the
    log, and to 已成交 on 05-20: two moves in April, one in May (no history store)."""
    log = [
        {"线索编号": "LF2024001", "跟进时间": D(2024, 4, 10), "跟进方式": "电话", "阶段调整为": "需求挖掘", "跟进人": "张伟"},
        {"线索编号": "LF2024001", "跟进时间": D(2024, 4, 25), "跟进方式": "电话", "阶段调整为": "商务谈判", "跟进人": "张伟"},
        {"线索编号": "LF2024001", "跟进时间": D(2024, 5, 20), "跟进方式": "电话", "阶段调整为": "已成交", "跟进人": "张伟"},
    ]
    path = write_workbook(tmp_path / "t.xlsx", ROWS, log=log)
    block = analyse([path], load_rules(), as_of=D(2024, 5, 31)).month_review
    assert (block.team.current.moves, block.team.previous.moves) == (1, 2)
    assert (block.by_owner["张伟"].current.moves, block.by_owner["张伟"].previous.moves) == (1, 2)
    assert "李四" not in block.by_owner or block.by_owner["李四"].current.moves == 0
