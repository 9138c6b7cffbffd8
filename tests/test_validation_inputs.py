"""What validation says of the files themselves: an unusable file's problem in the rules'
language, each usable file's follow-up log sheet and rows, and the error when no file is usable."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date

import pytest

from funnel_xl import InputError
from funnel_xl.validation import validate_files
from tests.conftest import entry, lead, write_workbook

D = date
AS_OF = D(2024, 5, 31)
PLAIN_ZH = "不是 Excel 工作簿，文件内容是纯文本（可能是改了扩展名的 CSV）。请用 Excel/WPS 打开后另存为 .xlsx 再试。"
PLAIN_EN = ("not an Excel workbook: the file is plain text (a CSV with another extension?). Open it in "
            "Excel/WPS, save it as .xlsx and try that.")


@pytest.fixture
def files(tmp_path):
    good = write_workbook(tmp_path / "a.xlsx", [lead("LF2024001", "需求挖掘", D(2024, 3, 15))],
                          log=[entry("LF2024001", D(2024, 3, 15)), entry("LF2024001", D(2024, 4, 2))])
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    return good, bad


def test_an_unusable_file_is_told_in_the_rules_language(files, rules):
    report = validate_files(list(files), rules, AS_OF)
    (problem,) = [p for p in report.problems if p.file == "bad.xlsx"]
    assert (problem.code, problem.file) == ("unreadable_file", "bad.xlsx")
    assert problem.message == PLAIN_ZH + " 该文件未计入本次统计，其余文件照常计算。"
    english = validate_files(list(files), dataclasses.replace(rules, lang="en"), AS_OF)
    assert [p.message for p in english.problems if p.file == "bad.xlsx"] == [
        PLAIN_EN + " The file is left out of this run; the other files are counted as usual."
    ]
    # The usable file with its log: sheet 跟进记录, two entries.
    (used,) = report.inputs
    assert (used.name, used.sheet, used.rows, used.log_sheet, used.log_rows) == ("a.xlsx", "线索跟踪", 1, "跟进记录", 2)
    good = files[0]
    assert (used.path, used.sha256) == (str(good), hashlib.sha256(good.read_bytes()).hexdigest())
    assert (used.header_row, used.skipped_without_stage, used.targets) == (1, 0, ())


def test_no_usable_file_is_one_error_with_a_line_per_file(files, rules, tmp_path):
    _, bad = files
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"not a workbook either")
    with pytest.raises(InputError) as raised:
        validate_files([bad, other], rules, AS_OF)
    assert str(raised.value) == f"bad.xlsx: {PLAIN_ZH}\nother.xlsx: {PLAIN_ZH}"


@pytest.mark.parametrize("name", ["team.csv", "TEAM.CSV"])
def test_a_text_table_is_read_as_leads_without_a_log(tmp_path, rules, name):
    from tests.conftest import FAMILIAR

    path = tmp_path / name
    path.write_text(
        ",".join(FAMILIAR) + "\n" + "LF2024001,甲公司/王经理,展会推广,需求挖掘,2024-03-15,2024-05-10,电话,,,,,张伟,,\n",
        encoding="utf-8",
    )
    report = validate_files([path], rules, AS_OF)
    assert list(report.valid["lead_id"]) == ["LF2024001"]
    assert not report.has_log
    (used,) = report.inputs
    assert (used.name, used.rows, used.log_sheet, used.log_rows) == (name, 1, None, 0)


def test_a_past_as_of_date_keeps_only_the_log_times_after_today(tmp_path, rules):
    book = write_workbook(
        tmp_path / "c.xlsx",
        [lead("LF2024001", "需求挖掘", D(2024, 3, 15), last=D(2024, 6, 3))],
        log=[entry("LF2024001", D(2024, 3, 15)),
             entry("LF2024001", D(2024, 6, 3)),  # after the as-of date, but today: no mistake
             entry("LF2024001", D(2024, 6, 20))],  # after today: a mistake (log row 4)
    )
    misspelt = write_workbook(tmp_path / "d.xlsx", [lead("LF2024002", "需求挖据", D(2024, 3, 15))])
    report = validate_files([book, misspelt], rules, AS_OF, today=D(2024, 6, 3))
    # Other problems stay.
    assert ("unknown_stage", "d.xlsx", 2) in [(p.code, p.file, p.row) for p in report.problems]
    future = [(p.sheet, p.row, p.value) for p in report.problems if p.code == "log_future_time"]
    assert [(sheet, row) for sheet, row, _ in future] == [("跟进记录", 4)]
    assert future[0][2].startswith("2024-06-20")


def test_a_sheet_without_rows_beside_one_with_leads(tmp_path, rules):
    a = write_workbook(tmp_path / "a.xlsx", [lead("LF2024001", "需求挖掘", D(2024, 3, 15))])
    empty = write_workbook(tmp_path / "empty.xlsx", [])
    report = validate_files([a, empty], rules, AS_OF)
    assert list(report.valid["lead_id"]) == ["LF2024001"]
    assert [(i.name, i.rows) for i in report.inputs] == [("a.xlsx", 1), ("empty.xlsx", 0)]


def test_two_logs_give_each_leads_moves(tmp_path, rules):
    a = write_workbook(tmp_path / "a.xlsx", [lead("LF2024001", "方案提案", D(2024, 3, 1), last=D(2024, 4, 2))],
                       log=[entry("LF2024001", D(2024, 3, 1)), entry("LF2024001", D(2024, 3, 20), "需求挖掘"),
                            entry("LF2024001", D(2024, 4, 2), "方案提案")])
    b = write_workbook(tmp_path / "b.xlsx", [lead("LF2024002", "需求挖掘", D(2024, 3, 5), last=D(2024, 5, 6))],
                       log=[entry("LF2024002", D(2024, 3, 5)), entry("LF2024002", D(2024, 5, 6), "需求挖掘")])
    report = validate_files([a, b], rules, AS_OF)
    moves = [(m.lead_id, m.from_stage, m.to_stage, m.date.date().isoformat(), m._6, m._7)
             for m in report.transitions.itertuples()]
    # Each log's rows 2… : a's two moves on its rows 3 and 4, b's one on its row 3.
    assert moves == [
        ("LF2024001", "潜在接触", "需求挖掘", "2024-03-20", "a.xlsx", 3),
        ("LF2024001", "需求挖掘", "方案提案", "2024-04-02", "a.xlsx", 4),
        ("LF2024002", "潜在接触", "需求挖掘", "2024-05-06", "b.xlsx", 3),
    ]
    stages = report.evidence.stage_entered_log.dt.strftime("%Y-%m-%d").tolist()
    assert dict(zip(report.valid["lead_id"], stages, strict=True)) == {
        "LF2024001": "2024-04-02", "LF2024002": "2024-05-06",
    }


def test_the_input_record_keeps_rows_skipped_and_the_targets(tmp_path, rules):
    import openpyxl

    path = write_workbook(tmp_path / "t.xlsx", [
        lead("LF2024001", "需求挖掘", D(2024, 3, 15)),
        lead("LF2024002", None, D(2024, 3, 15)),  # no stage: skipped under these rules
    ])
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("目标")
    sheet.append(["月份", "负责人", "成交目标(万元)", "新增线索目标"])
    sheet.append(["2024-05", "张伟", 120, 20])
    book.save(path)
    skipping = dataclasses.replace(rules, skip_rows_without_stage=True)
    (used,) = validate_files([path], skipping, AS_OF).inputs
    assert used.skipped_without_stage == 1
    assert [(t.month, t.owner, t.won_amount, t.new_leads) for t in used.targets] == [("2024-05", "张伟", 120, 20)]
