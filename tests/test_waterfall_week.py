"""管道变化 of a weekly report is the week's: from the Monday to the as-of Sunday, starting from the
previous week's snapshot in the history store. (It was the calendar month's, from the 1st, with last
month's snapshot, under a title and notes that said 本月.) The team is test_review's; every figure
is worked out by hand below.

Week 2024-W21 = Monday 2024-05-20 to Sunday 2024-05-26 (the as-of date). Each lead's stage at the
start is its latest known move before 05-20:
- A (100): 04-20 → 方案提案, 05-06 → 商务谈判; back to 方案提案 on 05-20, in the week: S4 → S3.
- B (30) lost 05-08, C (80) won 05-10, F (60) lost in February: closed before the week, not in it.
- D (20): first contact 05-12, 潜在接触, open: S1 at the start and at the end.
- E (no amount): 05-02 → 需求挖掘, still there: S2 → S2 with 0.
- G (10): first contact 05-03 (潜在接触), lost at 潜在接触 on 05-20: lost from S1.
- H (50): 05-05 → 商务谈判, 05-25 → 成交待签约: S4 → S5.
"""

import openpyxl
import pytest

from funnel_xl import analyse, write_outputs
from funnel_xl.pipeline import record_history
from funnel_xl.rules import load_rules
from tests.conftest import write_workbook
from tests.test_review import ENTRIES, LEADS, S1, S2, S3, S4, S5

WEEK = "2024-W21"


def _row(w, stage):
    return next(r for r in w.stages if r.stage == stage)


@pytest.fixture
def team(tmp_path):
    return write_workbook(tmp_path / "team.xlsx", LEADS, log=ENTRIES)


def test_a_weeks_waterfall_runs_from_monday(team):
    w = analyse([team], load_rules(), week=WEEK).review.waterfall
    assert (w.start.isoformat(), w.end.isoformat()) == ("2024-05-20", "2024-05-26")
    assert not w.opening_from_store
    # 潜在接触: D 20 + G 10 at the start, G lost (10), D ends there: 20.
    s1 = _row(w, S1)
    assert (s1.start, s1.new, s1.lost, s1.moved_in, s1.moved_out, s1.end) == (30, 0, 10, 0, 0, 20)
    assert (_row(w, S2).start, _row(w, S2).end) == (0, 0)
    # 方案提案: A moves in from 商务谈判 with 100; 商务谈判: A and H (150) move out; 成交待签约: H in.
    s3, s4, s5 = _row(w, S3), _row(w, S4), _row(w, S5)
    assert (s3.start, s3.moved_in, s3.end) == (0, 100, 100)
    assert (s4.start, s4.moved_out, s4.end) == (150, 150, 0)
    assert (s5.start, s5.moved_in, s5.end) == (0, 50, 50)
    # Total: 180 at the start − 10 lost + 150 in − 150 out = 170 = A 100 + D 20 + E 0 + H 50.
    total = w.total
    assert (total.start, total.new, total.won, total.lost, total.changes, total.end) == (180, 0, 0, 10, 0, 170)
    assert all(r.check == 0 for r in (*w.stages, w.total))


def test_a_weeks_waterfall_starts_from_last_weeks_snapshot(tmp_path, team):
    # W20 (05-13 to 05-19) rebuilt with A at 100; then A's amount becomes 120 in the sheet.
    history = tmp_path / "history.sqlite"
    record_history(analyse([team], load_rules(), week="2024-W20", history=history))
    book = openpyxl.load_workbook(team)
    sheet = book["线索跟踪"]
    headers = [c.value for c in sheet[1]]
    amount = headers.index("预计成交金额(万元)") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "LF2024001")
    sheet.cell(row, amount).value = 120
    book.save(team)
    analysis = analyse([team], load_rules(), week=WEEK, history=history)
    w = analysis.review.waterfall
    assert w.opening_from_store
    # A: 100 at the start (W20's snapshot), out of 商务谈判 with 100, into 方案提案 with 100, and
    # +20 booked at 方案提案, where it ends: 120.
    s3, s4 = _row(w, S3), _row(w, S4)
    assert (s3.moved_in, s3.changes, s3.end) == (100, 20, 120)
    assert (s4.start, s4.moved_out) == (150, 150)
    assert w.total.changes == 20 and w.total.end == 190
    written = write_outputs(analysis, tmp_path / "out")
    notes = [c.value for c in openpyxl.load_workbook(written.report)["管道变化"]["A"][:4]]
    assert notes[0] == "管道变化 · 2024-05-20 至 2024-05-26"
    assert notes[1].startswith("在跟管道金额（万元）本周如何变化：")
    assert notes[3] == "期初金额取自上周重建时历史记录中的金额。"


def test_a_weeks_waterfall_without_last_week_says_so(tmp_path, team):
    written = write_outputs(analyse([team], load_rules(), week=WEEK), tmp_path / "out")
    notes = [c.value for c in openpyxl.load_workbook(written.report)["管道变化"]["A"][:4]]
    assert notes[3] == "没有上周的历史记录：期初金额按表中现在的金额计，金额调整为 0。"
