"""The review figures (管道变化, 阶段速度, 流失分析, 线索批次, 金额分段, 跟进活动) of a hand-made team with a
follow-up log. Every expected figure is worked out by hand in the comments, not by calling the code.

As-of 2024-05-31; the month is May 1–31. Default rules: 潜在接触 (30 d), 需求挖掘 (15 d),
方案提案 (21 d), 商务谈判 (30 d), 成交待签约 (14 d), 已成交. 2024 is a leap year (Feb has 29 days).
"""

from datetime import date

import openpyxl
import pandas as pd
import pytest

from funnel_xl import analyse, write_outputs
from funnel_xl.bands import bands
from funnel_xl.errors import RulesError
from funnel_xl.report.review import wrap
from funnel_xl.rules import load_rules
from funnel_xl.text import display_width
from funnel_xl.waterfall import waterfall
from tests.conftest import edited_rules, entry, lead, write_workbook

D = date
AS_OF = D(2024, 5, 31)
LOST = "无效线索"
S1, S2, S3, S4, S5, WON = "潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交"
ZW, LN = "张伟", "李娜"

LEADS = [
    # A (张伟): S1 03-01 → S2 03-11 → S3 04-20 → S4 05-06 → back to S3 05-20; open, 100.
    lead("LF2024001", S3, D(2024, 3, 1), ZW, last=D(2024, 5, 20), amount=100),
    # B (张伟): S1 03-15 → S2 04-02 → lost 05-08 (预算不足); 30.
    lead("LF2024002", LOST, D(2024, 3, 15), ZW, "官网表单", last=D(2024, 5, 8), amount=30,
         lost_reason="预算不足"),
    # C (李娜): S1 01-10 → S2 02-01 → S3 03-01 → S4 04-01 → won 05-10; 80.
    lead("LF2024003", WON, D(2024, 1, 10), LN, last=D(2024, 5, 10), amount=80),
    # D (李娜): new in May, S1, no log; 20.
    lead("LF2024004", S1, D(2024, 5, 12), LN, "官网表单", amount=20),
    # E (李娜): S1 04-25 → S2 05-02 (the 05-03 entry names S2 again: no move); no amount.
    lead("LF2024005", S2, D(2024, 4, 25), LN, last=D(2024, 5, 3)),
    # F (张伟): lost at 商务谈判 on 02-20 (before the month), no log; 60.
    lead("LF2024006", LOST, D(2024, 1, 5), ZW, last=D(2024, 2, 20), amount=60, lost_at=S4,
         entered=D(2024, 2, 20), lost_reason="选择了竞品"),
    # G (李娜): new in May, lost at 潜在接触 on 05-20, no reason given; 10.
    lead("LF2024007", LOST, D(2024, 5, 3), LN, "官网表单", last=D(2024, 5, 20), amount=10,
         lost_at=S1, entered=D(2024, 5, 20)),
    # H (张伟): S1 02-20 → S2 03-01 → S3 04-10 → S4 05-05 → S5 05-25; open, 50.
    lead("LF2024008", S5, D(2024, 2, 20), ZW, "官网表单", last=D(2024, 5, 25), amount=50),
]
ENTRIES = [
    entry("LF2024001", D(2024, 3, 1)),
    entry("LF2024001", D(2024, 3, 11), S2, method="面谈"),
    entry("LF2024001", D(2024, 4, 20), S3, method="邮件"),
    entry("LF2024001", D(2024, 5, 6), S4, feedback="在对比竞品"),
    entry("LF2024001", D(2024, 5, 20), S3),
    entry("LF2024002", D(2024, 4, 2), S2),
    entry("LF2024002", D(2024, 5, 8), LOST, feedback="预算不足"),
    entry("LF2024003", D(2024, 2, 1), S2, by=LN),
    entry("LF2024003", D(2024, 3, 1), S3, by=LN),
    entry("LF2024003", D(2024, 4, 1), S4, by=LN),
    entry("LF2024003", D(2024, 5, 10), WON, by=LN),
    entry("LF2024005", D(2024, 5, 2), S2, by=LN),
    entry("LF2024005", D(2024, 5, 3), S2, by=LN, feedback=" 在对比竞品 "),
    entry("LF2024008", D(2024, 3, 1), S2),
    entry("LF2024008", D(2024, 4, 10), S3),
    entry("LF2024008", D(2024, 5, 5), S4),
    entry("LF2024008", D(2024, 5, 25), S5),
]


@pytest.fixture
def team(tmp_path):
    return write_workbook(tmp_path / "team.xlsx", LEADS, log=ENTRIES)


@pytest.fixture
def analysis(team):
    return analyse([team], load_rules(), as_of=AS_OF)


# -- 管道变化 ---------------------------------------------------------------------------------

def _row(w, stage):
    return next(r for r in w.stages if r.stage == stage)


def test_the_waterfall_balances_per_stage_without_a_history(analysis):
    w = analysis.review.waterfall
    # No history: start amounts are today's, so no amount changes.
    assert not w.opening_from_store
    # 潜在接触: E was there at the start (no move before May, first contact 04-25) with no amount;
    # D (20) and G (10) are new; G is lost from it; E moves on to 需求挖掘 with 0. End: D 20.
    s1 = _row(w, S1)
    assert (s1.start, s1.new, s1.won, s1.lost, s1.changes, s1.end) == (0, 30, 0, 10, 0, 20)
    # 需求挖掘: B (30) at the start, lost from it; E comes in with 0. End 0.
    s2 = _row(w, S2)
    assert (s2.start, s2.lost, s2.end) == (30, 30, 0)
    # 方案提案: A (100) and H (50) at the start (their last moves before May, 04-20 and 04-10);
    # A ends there after going to 商务谈判 and back; H moves on to 成交待签约.
    s3 = _row(w, S3)
    assert (s3.start, s3.moved_out, s3.end) == (150, 50, 100)
    # 商务谈判: C (80) at the start (04-01), won from it on 05-10.
    s4 = _row(w, S4)
    assert (s4.start, s4.won, s4.end) == (80, 80, 0)
    # 成交待签约: H moves in with 50.
    s5 = _row(w, S5)
    assert (s5.start, s5.moved_in, s5.end) == (0, 50, 50)
    for r in (*w.stages, w.total):
        assert r.start + r.new - r.won - r.lost + r.changes + r.moved_in - r.moved_out == pytest.approx(r.end)
        assert r.check == 0
    # Total: 0 + 30 + 150 + 80 = 260 at the start (F was lost before May: not open); + 30 new
    # − 80 won − 40 lost = 170 … and the end is the open leads now: A 100 + D 20 + E 0 + H 50 = 170.
    total = w.total
    assert (total.start, total.new, total.won, total.lost, total.end) == (260, 30, 80, 40, 170)
    assert total.moved_in == total.moved_out == 50
    assert total.end == analysis.team.pipeline == 170


def test_amount_changes_come_from_last_months_snapshot(analysis, ):
    # The previous rebuild recorded A at 90 and H at 40: A +10 (at 方案提案, where it ends), H +10
    # (booked at 成交待签约, where it ends; it moves out of 方案提案 with its start amount, 40).
    opening = pd.DataFrame({"lead_id": ["LF2024001", "LF2024008"], "amount": [90.0, 40.0]})
    w = waterfall(
        analysis.result.leads, analysis.flow.transitions, analysis.rules, AS_OF.replace(day=1), AS_OF,
        opening,
    )
    assert w.opening_from_store
    s3, s5 = _row(w, S3), _row(w, S5)
    # 方案提案: 90 + 40 = 130 at the start, + 10 (A) − 40 (H out) = 100.
    assert (s3.start, s3.changes, s3.moved_out, s3.end) == (130, 10, 40, 100)
    # 成交待签约: 0 + 40 in + 10 = 50.
    assert (s5.start, s5.moved_in, s5.changes, s5.end) == (0, 40, 10, 50)
    assert all(r.check == 0 for r in (*w.stages, w.total))
    assert w.total.changes == 20


# -- 阶段速度 ---------------------------------------------------------------------------------

def test_stage_speed_counts_the_days_of_stages_left(analysis):
    team = {s.stage: s for s in analysis.review.speed.team}
    # 潜在接触 stays: A 03-01→03-11 10, B 03-15→04-02 18, C 01-10→02-01 22, E 04-25→05-02 7,
    # H 02-20→03-01 10 → [7, 10, 10, 18, 22]: median 10; P80 at (5−1)×0.8 = 3.2: 18 + 0.2×4 = 18.8.
    assert (team[S1].stays, team[S1].median, team[S1].limit, team[S1].over_limit) == (5, 10, 30, 0)
    assert team[S1].p80 == pytest.approx(18.8)
    # 需求挖掘: A 03-11→04-20 40, B 04-02→05-08 36 (left to 无效线索), C 02-01→03-01 29, H 03-01→04-10 40
    # → [29, 36, 40, 40]: median 38; P80 at 2.4: 40; all four over the 15-day limit.
    assert (team[S2].stays, team[S2].median, team[S2].p80, team[S2].over_limit) == (4, 38, 40, 4)
    # 方案提案: A 04-20→05-06 16, C 03-01→04-01 31, H 04-10→05-05 25 → median 25; P80 at 1.6:
    # 25 + 0.6×6 = 28.6; 31 and 25 over 21.
    assert (team[S3].stays, team[S3].median, team[S3].over_limit) == (3, 25, 2)
    assert team[S3].p80 == pytest.approx(28.6)
    # 商务谈判: A 05-06→05-20 14, C 04-01→05-10 39, H 05-05→05-25 20 → median 20; P80 20 + 0.6×19 = 31.4.
    assert (team[S4].stays, team[S4].median, team[S4].over_limit) == (3, 20, 1)
    assert team[S4].p80 == pytest.approx(31.4)
    # 成交待签约: H is still there: no stay.
    assert (team[S5].stays, team[S5].median, team[S5].p80) == (0, None, None)


def test_stage_speed_per_rep(analysis):
    by_owner = {name: {s.stage: s for s in stages} for name, stages in analysis.review.speed.by_owner.items()}
    # 张伟's 潜在接触 stays: A 10, B 18, H 10 → median 10; P80 at 1.6: 10 + 0.6×8 = 14.8.
    assert (by_owner[ZW][S1].stays, by_owner[ZW][S1].median) == (3, 10)
    assert by_owner[ZW][S1].p80 == pytest.approx(14.8)
    # 李娜's: C 22, E 7 → median 14.5.
    assert (by_owner[LN][S1].stays, by_owner[LN][S1].median) == (2, 14.5)


# -- 流失分析 ---------------------------------------------------------------------------------

def test_lost_reasons_by_stage_rep_and_channel(analysis):
    lost = analysis.review.lost
    # B 预算不足 (需求挖掘, from the log), F 选择了竞品 (商务谈判), G no reason (潜在接触); 30 + 60 + 10.
    assert (lost.lost, lost.amount) == (3, 100)
    # One each: sorted by text (选 U+9009 before 预 U+9884), the blank reason last.
    assert lost.by_stage.rows == ("选择了竞品", "预算不足", None)
    assert lost.by_stage.columns == (S1, S2, S3, S4, S5)
    assert lost.by_stage.counts == ((0, 0, 0, 1, 0), (0, 1, 0, 0, 0), (1, 0, 0, 0, 0))
    assert lost.by_stage.column_totals == (1, 1, 0, 1, 0)
    # By rep: 张伟 B and F, 李娜 G.
    assert lost.by_owner.columns == (ZW, LN)
    assert lost.by_owner.counts == ((1, 0), (1, 0), (0, 1))
    # By channel: the rules' sources first (展会推广, 官网表单, …, those with lost leads only in order).
    channels = dict(zip(lost.by_channel.columns, zip(*lost.by_channel.counts, strict=True), strict=False))
    assert channels["展会推广"] == (1, 0, 0)  # F
    assert channels["官网表单"] == (0, 1, 1)  # B, G


def test_objections_are_counted_by_entry_and_lead(analysis):
    # "在对比竞品" on A's 05-06 entry and E's 05-03 entry (trimmed); "预算不足" on B's 05-08.
    assert analysis.review.lost.objections == (("在对比竞品", 2, 2), ("预算不足", 1, 1))


def test_the_stage_that_loses_most_feeds_the_suggestions(tmp_path, team):
    # Exited per stage (reached − still there): 潜在接触 8 − 1 (D) = 7, 需求挖掘 6 − 1 (E) = 5,
    # 方案提案 4 − 1 (A) = 3, 商务谈判 3, 成交待签约 2 − 1 (H) = 1. Lost there: G, B, none, F, none.
    # With min_sample 4 only 潜在接触 (1/7) and 需求挖掘 (1/5 = 20%) count: 需求挖掘, B's 预算不足.
    rules = edited_rules(tmp_path, ("min_sample = 10", "min_sample = 4"))
    a = analyse([team], rules, as_of=AS_OF)
    worst = a.review.lost.worst
    assert (worst.stage, worst.loss.k, worst.loss.n, worst.reasons) == (S2, 1, 5, (("预算不足", 1),))
    lines = [s.text for s in a.suggestions if s.metric == "lost_reasons"]
    assert lines == ["「需求挖掘」流失率最高：20%（1/5），主要流失原因：预算不足 1 条。收集客户拒绝原因，针对主要原因调整该阶段的做法与话术。"]
    # With min_sample 1, 商务谈判 (1/3 = 33%) loses most; its reason 选择了竞品.
    rules = edited_rules(tmp_path, ("min_sample = 10", "min_sample = 1"))
    worst = analyse([team], rules, as_of=AS_OF).review.lost.worst
    assert (worst.stage, worst.loss.k, worst.loss.n, worst.reasons) == (S4, 1, 3, (("选择了竞品", 1),))


def test_no_stage_with_enough_leads_no_lost_reason_suggestion(analysis):
    # min_sample 10: no stage had 10 leads leave it.
    assert analysis.review.lost.worst is None
    assert not [s for s in analysis.suggestions if s.metric == "lost_reasons"]


# -- 线索批次 ---------------------------------------------------------------------------------

def test_cohorts_by_month_of_first_contact(analysis):
    c = {m.month: m for m in analysis.review.cohorts.months}
    assert list(c) == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    # January: C (won, 80; 01-10 → 05-10 = 31 + 29 + 31 + 30 = 121 days) and F (lost).
    jan = c["2024-01"]
    assert (jan.leads, jan.won, jan.lost, jan.open, jan.won_amount, jan.median_days_to_win) == (2, 1, 1, 0, 80, 121)
    assert jan.share(jan.won) == 0.5
    # February: H open. March: A open, B lost. April: E open. May: D open, G lost.
    assert [(m.leads, m.won, m.lost, m.open) for m in c.values()][1:] == [
        (1, 0, 0, 1), (2, 0, 1, 1), (1, 0, 0, 1), (2, 0, 1, 1),
    ]
    assert c["2024-05"].median_days_to_win is None
    assert analysis.review.cohorts.undated == 0


# -- 金额分段 ---------------------------------------------------------------------------------

def test_deal_size_bands(analysis):
    b = analysis.review.bands
    # Default bands [10, 50, 100]: [0,10) none; [10,50) B 30 lost, D 20 open, G 10 lost;
    # [50,100) C 80 won, F 60 lost, H 50 open; [100,∞) A 100 open; no amount: E open.
    assert [(x.low, x.high, x.leads, x.open, x.won, x.lost) for x in b] == [
        (0, 10, 0, 0, 0, 0), (10, 50, 3, 1, 0, 2), (50, 100, 3, 1, 1, 1), (100, None, 1, 1, 0, 0),
        (None, None, 1, 1, 0, 0),
    ]
    mid = b[2]
    assert (mid.win.k, mid.win.n, mid.median_cycle, mid.won_amount, mid.pipeline) == (1, 2, 121, 80, 50)
    assert b[1].win.value == 0
    assert b[0].win.value is None


def test_bands_come_from_the_rules(tmp_path, team):
    rules = edited_rules(tmp_path, ("amounts = [10, 50, 100]", "amounts = [40]"))
    assert rules.bands.amounts == (40.0,)
    a = analyse([team], rules, as_of=AS_OF)
    # Under 40: B 30, D 20, G 10; 40 and more: A 100, C 80, F 60, H 50; E without amount.
    assert [(x.low, x.high, x.leads) for x in a.review.bands] == [(0, 40, 3), (40, None, 4), (None, None, 1)]
    assert [x.leads for x in bands(a.result.leads, ())] == [7, 1]


@pytest.mark.parametrize("value", ["[]", "[50, 10]", "[0, 10]", '["a"]'])
def test_bad_bands_are_refused_with_the_key(tmp_path, value):
    with pytest.raises(RulesError, match="bands.amounts"):
        edited_rules(tmp_path, ("amounts = [10, 50, 100]", f"amounts = {value}"))


def test_a_rules_file_without_bands_keeps_working(tmp_path):
    rules = edited_rules(tmp_path, ("[bands]\namounts = [10, 50, 100]\n", ""))
    assert rules.bands.amounts == (10.0, 50.0, 100.0)


# -- 跟进活动 ---------------------------------------------------------------------------------

def test_follow_up_activity(analysis):
    a = analysis.review.activity
    assert a.months == ("2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05")
    reps = {r.name: r for r in a.reps}
    # 张伟: A 5, B 2, H 4 entries = 11; 李娜: C 4, E 2 = 6.
    assert (reps[ZW].follow_ups, reps[LN].follow_ups, a.team.follow_ups) == (11, 6, 17)
    # Won: C only (李娜), with its 4 entries.
    assert (reps[LN].won, reps[LN].won_follow_ups, reps[LN].per_won_deal) == (1, 4, 4)
    assert reps[ZW].per_won_deal is None
    assert a.team.per_won_deal == 4
    # Open leads' days since 最近跟进时间: A 05-20 → 11, H 05-25 → 6 (张伟: median 8.5, longest 11);
    # D 05-12 → 19, E 05-03 → 28 (李娜: median 23.5, longest 28; both over 14 days: stale).
    assert (reps[ZW].open, reps[ZW].median_days_since_contact, reps[ZW].longest_days_since_contact) == (2, 8.5, 11)
    assert (reps[LN].median_days_since_contact, reps[LN].longest_days_since_contact, reps[LN].stale) == (23.5, 28, 2)
    counts = {(rep, month, method): n for rep, month, method, n in a.counts}
    # 张伟 in March: A 03-01 电话, A 03-11 面谈, H 03-01 电话; in April: A 邮件, B 电话, H 电话.
    assert counts[(ZW, "2024-03", "电话")] == 2
    assert counts[(ZW, "2024-03", "面谈")] == 1
    assert (counts[(ZW, "2024-04", "电话")], counts[(ZW, "2024-04", "邮件")]) == (2, 1)
    assert a.methods == ("电话", "面谈", "邮件")


# -- the sheets and the JSON -------------------------------------------------------------------

def test_the_review_sheets_are_written_and_print_one_page_wide(tmp_path, analysis):
    report = write_outputs(analysis, tmp_path / "out", json_path=tmp_path / "out.json").report
    book = openpyxl.load_workbook(report)
    names = ["管道变化", "阶段速度", "流失分析", "线索批次", "金额分段", "跟进活动"]
    assert book.sheetnames[7:13] == names
    for name in names:
        sheet = book[name]
        assert sheet.page_setup.orientation == "landscape", name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0, name
        assert sheet.print_title_rows, name
    flow = book["管道变化"]
    rows = [[c.value for c in row] for row in flow.iter_rows()]
    total = next(r for r in rows if r[0] == "合计")
    # Start, new, −won, −lost, changes, in, −out, end, check.
    assert total[1:10] == [260, 30, -80, -40, 0, 50, -50, 170, 0]
    import json

    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["review"]
    assert data["pipeline_change"]["total"]["end"] == 170
    assert data["lost"]["objections"][0] == {"text": "在对比竞品", "entries": 2, "leads": 2}


def test_notes_are_cut_to_the_page():
    text = "在跟管道金额本月如何变化：期初 + 新增 − 赢单 − 流失 = 期末。" * 4
    lines = wrap(text, 60)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(display_width(line) <= 60 for line in lines)
