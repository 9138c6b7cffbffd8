"""One wrong 首次接触时间 is one problem at its cause (issue 21, item 3).

L001's first contact was typed 2024-05-25 instead of 2024-02-25: its 最近跟进时间 (05-20), its
阶段进入日期 (04-01) and all eight of its log rows (03-01 … 05-20) fall before it. That was ten
warnings; it is one, on the first contact, saying it explains ten cells.
"""

from __future__ import annotations

from datetime import date

from funnel_xl.rules import load_rules
from funnel_xl.validation import validate_files
from tests.conftest import entry, lead, write_workbook

AS_OF = date(2024, 5, 31)
LOG_DAYS = ["2024-03-01", "2024-03-15", "2024-04-01", "2024-04-10", "2024-04-20", "2024-05-01",
            "2024-05-10", "2024-05-20"]


def _codes(report, code):
    return [p for p in report.problems if p.code == code]


def test_a_late_first_contact_is_one_warning_that_names_its_follow_ons(tmp_path):
    rows = [
        lead("L001", "需求挖掘", "2024-05-25", last="2024-05-20", entered="2024-04-01"),
        lead("L002", "需求挖掘", "2024-03-01", last="2024-05-20", entered="2024-04-01"),
    ]
    log = [entry("L001", day) for day in LOG_DAYS] + [entry("L002", "2024-04-01")]
    team = write_workbook(tmp_path / "team.xlsx", rows, log=log)
    report = validate_files([team], load_rules(), AS_OF)
    for follow_on in ("follow_up_before_first_contact", "stage_entered_before_first_contact",
                      "log_before_first_contact"):
        assert _codes(report, follow_on) == [], follow_on
    [cause] = _codes(report, "first_contact_after_other_dates")
    assert (cause.row, cause.header, cause.value) == (2, "首次接触时间", "2024-05-25")
    # 2 columns + 8 log rows = 10 cells explained.
    assert "10 个其他日期" in cause.message
    assert "最近跟进时间" in cause.message and "阶段进入日期" in cause.message
    assert "跟进记录 8 行" in cause.message


def test_one_date_before_the_first_contact_stays_a_warning_on_that_date(tmp_path):
    # Only 最近跟进时间 is earlier: the follow-up date is as likely wrong, so it keeps its warning.
    rows = [lead("L001", "需求挖掘", "2024-05-25", last="2024-05-20", entered="2024-05-26")]
    report = validate_files([write_workbook(tmp_path / "team.xlsx", rows)], load_rules(), AS_OF)
    assert len(_codes(report, "follow_up_before_first_contact")) == 1
    assert _codes(report, "first_contact_after_other_dates") == []
