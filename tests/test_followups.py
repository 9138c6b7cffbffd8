"""The follow-up log sheet (跟进记录): found, read and checked like the leads sheet; each rule on an
entry made for it, places written out by hand."""

from datetime import date

import openpyxl
import pytest

from funnel_xl import InputError, analyse
from funnel_xl.reader import read_workbook
from funnel_xl.rules import load_rules
from funnel_xl.validation import check_files
from tests.conftest import (
    LOG,
    entry,
    lead,
    rules_before_required_fields,
    rules_before_required_fields_path,
    write_workbook,
)

D = date
AS_OF = D(2024, 5, 31)
LEADS = [
    lead("LF2024001", "需求挖掘", D(2024, 3, 15), last=D(2024, 4, 1)),
    lead("LF2024002", "潜在接触", D(2024, 4, 1)),
    # an excluded lead (no owner): its entries are not a problem of the log, just not used
    lead("LF2024003", "需求挖掘", D(2024, 3, 1), owner=None),
]
# Columns of the log: A 线索编号, B 跟进时间, C 跟进方式, D 沟通内容, E 客户反馈/异议, F 下一步行动,
# G 下次沟通时间, H 阶段调整为, I 跟进人. The first entry is on row 2.
GOOD = [entry("LF2024001", D(2024, 3, 15)), entry("LF2024001", D(2024, 4, 1), "需求挖掘")]


def checked(tmp_path, log, leads=LEADS, **kw):
    path = write_workbook(tmp_path / "t.xlsx", leads, log=log, **kw)
    # Run on the as-of date itself: a later date is then a date in the future, a typing mistake.
    return check_files([path], rules_before_required_fields(), AS_OF, today=AS_OF)


def log_problems(result):
    return {(p.code, p.severity, p.row, p.column) for p in result.problems if p.sheet == "跟进记录"}


def test_a_clean_log_has_no_problem(tmp_path):
    result = checked(tmp_path, GOOD)
    assert result.problems == [p for p in result.problems if p.code == "missing_owner"]
    assert len(result.entries) == 2


@pytest.mark.parametrize(
    "row, expected",
    [
        (entry(None, D(2024, 4, 2)), ("log_missing_lead_id", "error", 4, "A")),
        (entry("LF2024099", D(2024, 4, 2)), ("log_unknown_lead", "error", 4, "A")),
        (entry("LF2024001", None), ("log_missing_time", "error", 4, "B")),
        (entry("LF2024001", "上周五"), ("log_bad_time", "error", 4, "B")),
        (entry("LF2024001", D(2024, 4, 2), "需求挖据"), ("log_unknown_stage", "error", 4, "H")),
        (entry("LF2024001", D(2024, 6, 3)), ("log_future_time", "warning", 4, "B")),
        (entry("LF2024001", D(2024, 3, 1)), ("log_before_first_contact", "warning", 4, "B")),
        (entry("LF2024001", D(2024, 4, 2), method="飞鸽"), ("log_unknown_method", "warning", 4, "C")),
        (entry("LF2024001", D(2024, 4, 2), next="下周"), ("log_bad_date", "warning", 4, "G")),
    ],
)
def test_each_log_rule(tmp_path, row, expected):
    result = checked(tmp_path, [*GOOD, row])
    assert log_problems(result) == {expected}
    used = len(result.entries)
    # errors and entries after the as-of date are not used; other warnings are
    assert used == (2 if expected[1] == "error" or expected[0] == "log_future_time" else 3)


def test_total_lines_in_the_log_are_skipped_with_a_warning(tmp_path):
    # Row 4: 合计 where the lead ID goes; row 5: "总计：" in 沟通内容 (D), the lead ID column blank.
    totals = [{"线索编号": "合计", "沟通内容": 2}, {"沟通内容": "总计：", "跟进人": "2 条"}]
    result = checked(tmp_path, [*GOOD, *totals])
    assert log_problems(result) == {("total_row", "warning", 4, "A"), ("total_row", "warning", 5, "D")}
    assert len(result.entries) == 2


def test_messages_name_the_place_and_suggest(tmp_path):
    result = checked(tmp_path, [*GOOD, entry("LF2024001", "2024/4/2", "方案提按", method="飞鸽")])
    stage = next(p for p in result.problems if p.code == "log_unknown_stage")
    assert (stage.file, stage.sheet, stage.row, stage.column, stage.header) == ("t.xlsx", "跟进记录", 4, "H", "阶段调整为")
    assert "是否应为「方案提案」" in stage.message
    assert "[错误] t.xlsx 「跟进记录」 第 4 行 H 列(阶段调整为)" in stage.as_text()


def test_entries_of_an_excluded_lead_are_simply_not_used(tmp_path):
    result = checked(tmp_path, [*GOOD, entry("LF2024003", D(2024, 2, 1), "需求挖掘")])
    assert log_problems(result) == set()
    assert "LF2024003" not in set(result.entries["lead_id"])


def test_cross_checks_are_warnings_on_the_leads_sheet(tmp_path):
    log = [*GOOD, entry("LF2024001", D(2024, 4, 20), "方案提案"), entry("LF2024002", D(2024, 4, 5))]
    result = checked(tmp_path, log)
    found = {(p.code, p.severity, p.sheet, p.row, p.column, p.value) for p in result.problems}
    # LF2024001 (row 2): the sheet says 需求挖掘 and last follow-up 04-01; the log moved it on 04-20.
    # LF2024002 (row 3): last follow-up 04-01 on the sheet, latest entry 04-05.
    assert found - {("missing_owner", "error", "线索跟踪", 4, "L", "")} == {
        ("stage_disagrees_with_log", "warning", "线索跟踪", 2, "D", "需求挖掘"),
        ("last_follow_up_disagrees_with_log", "warning", "线索跟踪", 2, "F", "2024-04-01"),
        ("last_follow_up_disagrees_with_log", "warning", "线索跟踪", 3, "F", "2024-04-01"),
    }


def test_a_lost_at_the_log_gives_is_no_warning(tmp_path):
    leads = [lead("LF2024001", "无效线索", D(2024, 3, 15), last=D(2024, 4, 9))]
    without_log = checked(tmp_path, None, leads=leads)
    assert {p.code for p in without_log.problems} == {"lost_at_unknown"}
    with_log = checked(tmp_path, [entry("LF2024001", D(2024, 4, 1), "需求挖掘"),
                                  entry("LF2024001", D(2024, 4, 9), "无效线索")], leads=leads)
    assert with_log.problems == []


def test_a_workbook_without_a_log(tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", LEADS)
    book = read_workbook(path, rules_before_required_fields())
    assert book.log is None
    analysis = analyse([path], rules_before_required_fields(), as_of=AS_OF)
    assert analysis.flow.log_entries == 0
    assert analysis.flow.transitions.empty
    assert [m.month for m in analysis.flow.trend] == ["2024-05"]


def test_log_headers_match_aliases_and_the_sheet_by_its_header(tmp_path):
    headers = ["Lead ID", "Date", "Method", "Notes", "Feedback", "Next Step", "Next Contact", "Stage Change", "By"]
    renamed = [{h: row.get(old) for h, old in zip(headers, LOG, strict=True)} for row in GOOD]
    # Neither sheet has a name from the rules: the leads sheet is found by its header, the log
    # (whose header also names 线索编号 and 跟进方式) is not taken for it, and is found by its own.
    path = write_workbook(tmp_path / "t.xlsx", LEADS, sheet="五月", log=renamed, log_headers=headers, log_sheet="记录")
    book = read_workbook(path, rules_before_required_fields())
    assert (book.leads.sheet, book.log.sheet) == ("五月", "记录")
    assert book.log.letters == {
        "lead_id": "A", "time": "B", "method": "C", "content": "D", "feedback": "E", "next_action": "F",
        "next_contact": "G", "stage_change": "H", "by": "I",
    }
    result = check_files([path], rules_before_required_fields(), AS_OF)
    assert list(result.entries["stage_change"]) == [None, "需求挖掘"]


def test_the_log_sheet_is_never_taken_for_the_leads_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "跟进记录"
    wb.active.append(LOG)
    wb.save(tmp_path / "t.xlsx")
    with pytest.raises(InputError, match="找不到线索工作表"):
        read_workbook(tmp_path / "t.xlsx", rules_before_required_fields())


def test_a_log_missing_a_required_column_stops(tmp_path):
    headers = [h for h in LOG if h != "阶段调整为"] + ["阶段调正为"]
    path = write_workbook(tmp_path / "t.xlsx", LEADS, log=GOOD, log_headers=headers)
    with pytest.raises(InputError) as exc:
        read_workbook(path, rules_before_required_fields())
    message = str(exc.value)
    assert "工作表「跟进记录」缺少列「阶段调整为」" in message
    assert "最接近的是「阶段调正为」" in message


def test_an_empty_log_sheet(tmp_path):
    header_only = checked(tmp_path, [])
    assert header_only.entries.empty and header_only.logs[0] is not None
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "t.xlsx", LEADS))
    wb.create_sheet("跟进记录")  # a sheet with nothing in it is no log
    wb.save(tmp_path / "blank.xlsx")
    assert read_workbook(tmp_path / "blank.xlsx", rules_before_required_fields()).log is None


def test_a_log_entry_may_name_a_lead_of_another_workbook(tmp_path):
    first = write_workbook(tmp_path / "a.xlsx", LEADS[:1])
    second = write_workbook(tmp_path / "b.xlsx", LEADS[1:2], log=[entry("LF2024001", D(2024, 4, 1), "需求挖掘")])
    result = check_files([first, second], rules_before_required_fields(), AS_OF)
    assert result.problems == []
    assert list(result.entries["lead_id"]) == ["LF2024001"]


def test_rules_without_a_log_ignore_the_sheet(tmp_path):
    text = rules_before_required_fields_path().read_text(encoding="utf-8")
    start, end = text.index("[log_columns.lead_id]"), text.index("# ---------------------------------------------------------------------------\n# Optimisation")
    rules_path = tmp_path / "old.toml"
    rules_path.write_text(text[:start] + text[end:], encoding="utf-8")
    rules = load_rules(rules_path)
    assert rules.log_columns == ()
    path = write_workbook(tmp_path / "t.xlsx", LEADS, log=[*GOOD, entry("LF2024099", "上周五")])
    result = check_files([path], rules, AS_OF)
    assert result.logs == [None]
    assert {p.code for p in result.problems} == {"missing_owner"}


@pytest.mark.parametrize("log, codes", [([], []), ([entry("LF2024001", D(2024, 3, 2), "需求挖掘")], ["log_unknown_lead"])])
def test_a_log_beside_an_empty_leads_sheet(tmp_path, log, codes):
    path = write_workbook(tmp_path / "t.xlsx", [], log=log)
    analysis = analyse([path], rules_before_required_fields(), as_of=AS_OF)
    assert [p.code for p in analysis.problems] == codes
    assert analysis.team.totals.valid == 0 and analysis.flow.transitions.empty
