"""The validation report of a run, as validate_files makes it: files of the same name told apart,
an unusable file among usable ones, the log's problems carrying their lead, the JSON form, and a
past as-of date. Every expected place and count is worked out by hand below."""

from __future__ import annotations

from datetime import date

import pytest

from funnel_xl import InputError
from funnel_xl.validation import validate_files
from tests.conftest import entry, lead, write_workbook

D = date
AS_OF = D(2024, 5, 31)


def places(report):
    return [(p.code, str(p.severity), p.file, p.sheet, p.row, p.column, p.lead_id) for p in report.problems]


def test_two_files_of_one_name_an_unusable_file_and_the_logs_leads(tmp_path, rules):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    a = write_workbook(
        tmp_path / "a" / "t.xlsx",
        [lead("LF2024001", "需求挖掘", D(2024, 3, 15), amount=50),
         lead("LF2024002", "需求挖据", D(2024, 3, 15))],  # a misspelt stage: row 3 left out
        log=[entry("LF2024001", D(2024, 5, 10), method="飞鸽"),  # an unknown method, on LF2024001
             entry("LF2024009", D(2024, 5, 11)),  # a lead no workbook has
             entry(None, D(2024, 5, 12))],  # no lead at all
    )
    b = write_workbook(tmp_path / "b" / "t.xlsx", [lead("LF2024003", "潜在接触", D(2024, 5, 5))])
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    report = validate_files([a, b, bad], rules, AS_OF)
    # Two files named t.xlsx: each is named by its path. Sorted by file, then sheet (线 U+7EBF
    # before 跟 U+8DDF), then row.
    a_, b_ = str(a), str(b)
    assert sorted([a_, b_, "bad.xlsx"]) == [a_, b_, "bad.xlsx"]
    assert places(report) == [
        # LF2024001's 最近跟进时间 is its first contact, 03-15; the log has it on 05-10.
        ("last_follow_up_disagrees_with_log", "warning", a_, "线索跟踪", 2, "F", ""),
        ("unknown_stage", "error", a_, "线索跟踪", 3, "D", ""),
        ("log_unknown_method", "warning", a_, "跟进记录", 2, "C", "LF2024001"),
        ("log_unknown_lead", "error", a_, "跟进记录", 3, "A", "LF2024009"),
        ("log_missing_lead_id", "error", a_, "跟进记录", 4, "A", ""),
        ("unreadable_file", "error", "bad.xlsx", "", None, "", ""),
    ]
    out = report.to_dict()
    assert out["as_of"] == "2024-05-31"
    assert out["files"] == [a_, b_]  # the usable ones
    assert out["rows"] == report.rows == 3  # 2 + 1 leads read
    assert out["counts"] == {"error": 4, "warning": 2}
    assert [p["code"] for p in out["problems"]] == [p[0] for p in places(report)]
    assert out["problems"][2]["lead_id"] == "LF2024001"
    assert (report.has_log, report.late) == (True, False)
    assert sorted(report.valid["lead_id"]) == ["LF2024001", "LF2024003"]
    assert list(report.excluded["lead_id"]) == ["LF2024002"]
    assert list(report.entries["lead_id"]) == ["LF2024001"]  # the one usable log entry


def test_nothing_usable_is_an_input_error(tmp_path, rules):
    with pytest.raises(InputError, match="没有指定要读取的工作簿"):
        validate_files([], rules, AS_OF)
    one, two = tmp_path / "bad1.xlsx", tmp_path / "bad2.xlsx"
    one.write_bytes(b"not a workbook")
    two.write_bytes(b"not a workbook either")
    with pytest.raises(InputError) as single:
        validate_files([one], rules, AS_OF)
    assert "bad1.xlsx" in str(single.value) and "\n" not in str(single.value)
    with pytest.raises(InputError) as both:
        validate_files([one, two], rules, AS_OF)
    lines = str(both.value).split("\n")
    assert len(lines) == 2 and "bad1.xlsx" in lines[0] and "bad2.xlsx" in lines[1]


def test_a_past_as_of_date_leaves_out_what_came_after(tmp_path, rules):
    book = write_workbook(tmp_path / "c.xlsx", [
        lead("LF2024001", "需求挖掘", D(2024, 3, 15), last=D(2024, 6, 2)),  # after the date, before today
        lead("LF2024005", "需求挖掘", D(2024, 3, 15), last=D(2024, 6, 20)),  # after today: a mistake
        lead("LF2024003", "潜在接触", D(2024, 6, 5)),  # first contacted after the date: left out
        lead("LF2024006", "需求挖掘", D(2024, 3, 15), last=D(2024, 6, 3)),  # today itself
    ])
    report = validate_files([book], rules, AS_OF, today=D(2024, 6, 3))
    assert places(report) == [
        ("leads_after_as_of", "warning", "", "", None, "", ""),
        ("state_as_today", "warning", "", "", None, "", ""),
        ("future_date", "warning", "c.xlsx", "线索跟踪", 3, "F", ""),
    ]
    after, as_today, future = report.problems
    assert "1 条" in after.message and "2024-05-31" in after.message  # LF2024003
    # Without a log or a history store, the three leads counted are as the sheet has them today.
    assert "3 条" in as_today.message
    assert future.value == "2024-06-20"
    assert report.late
    assert sorted(report.valid["lead_id"]) == ["LF2024001", "LF2024005", "LF2024006"]
