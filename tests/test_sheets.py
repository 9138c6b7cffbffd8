"""Reading ahead (funnel_xl.sheets): sheets parsed in background threads give the rows a plain
read gives, and a file that cannot be used fails with the same message, where it is taken."""

import threading
from datetime import date

import pytest

from funnel_xl import InputError
from funnel_xl.container import read_workbook_file
from funnel_xl.reader import read_workbook
from funnel_xl.sheets import OpenedWorkbook, ReadAhead, named_sheets, open_workbook
from funnel_xl.validation import check_files
from tests.conftest import entry, lead, write_workbook

D = date
LEADS = [lead("LF2024001", "需求挖掘", D(2024, 3, 15)), lead("LF2024002", "潜在接触", D(2024, 4, 1))]
LOG = [entry("LF2024001", D(2024, 3, 15)), entry("LF2024001", D(2024, 4, 1), "需求挖掘")]


def _workbook(tmp_path, name="t.xlsx"):
    return write_workbook(tmp_path / name, LEADS, log=LOG)


def test_the_leads_sheet_and_the_log_are_parsed_side_by_side(tmp_path, rules):
    path = _workbook(tmp_path)
    opened = open_workbook(path, rules)
    assert named_sheets(opened.worksheets(), rules) == ["线索跟踪", "跟进记录"]
    ahead = {name: opened.rows(name) for name in ("线索跟踪", "跟进记录")}
    # The same sheets read one after another, with no thread: the same rows, from the same cell.
    plain = OpenedWorkbook(read_workbook_file(path, rules.limits))
    assert ahead == {name: plain.rows(name) for name in ("线索跟踪", "跟进记录")}
    rows, origin = ahead["跟进记录"]
    assert origin == (0, 0)
    assert rows[0][:2] == ["线索编号", "跟进时间"]
    assert [r[0] for r in rows[1:]] == ["LF2024001", "LF2024001"]
    for thread in threading.enumerate():  # each parsing thread ends with its sheet
        if thread.name in ("funnel-xl: 线索跟踪", "funnel-xl: 跟进记录"):
            thread.join(timeout=30)
            assert not thread.is_alive()


def test_a_workbook_read_ahead_reads_as_one_read_then(tmp_path, rules):
    paths = [_workbook(tmp_path, "a.xlsx"), _workbook(tmp_path, "b.xlsx")]
    with ReadAhead(paths, rules) as ahead:
        # Taken out of order: the second waits for the first to be opened, then comes.
        second = read_workbook(paths[1], rules, opened=ahead.take(paths[1]))
        first = read_workbook(paths[0], rules, opened=ahead.take(paths[0]))
        assert ahead.take(paths[0]) is None  # taken once; a second read opens the file itself
    for book, path in ((first, paths[0]), (second, paths[1])):
        plain = read_workbook(path, rules)
        assert book.leads.frame.equals(plain.leads.frame)
        assert book.log.frame.equals(plain.log.frame)
        assert list(book.leads.frame["lead_id"]) == ["LF2024001", "LF2024002"]
        assert list(book.log.frame["_row"]) == [2, 3]


def test_a_file_that_cannot_be_used_fails_where_it_is_taken_with_the_same_message(tmp_path, rules):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(_workbook(tmp_path).read_bytes()[:2000])  # cut short, as by a failed download
    good = _workbook(tmp_path, "good.xlsx")
    with pytest.raises(InputError) as plain:
        read_workbook(broken, rules)
    with ReadAhead([broken, good], rules) as ahead:
        with pytest.raises(InputError) as taken:
            ahead.take(broken)
        assert read_workbook(good, rules, opened=ahead.take(good)).leads.frame.shape[0] == 2
    assert str(taken.value) == str(plain.value)
    assert "broken.xlsx" in str(plain.value)


def test_check_files_with_read_ahead_reports_as_without(tmp_path, rules):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    paths = [broken, _workbook(tmp_path, "good.xlsx")]
    as_of = D(2024, 5, 31)
    with ReadAhead(paths, rules) as ahead:
        read = check_files(paths, rules, as_of, ahead=ahead)
    plain = check_files(paths, rules, as_of)
    assert [p.as_dict() for p in read.problems] == [p.as_dict() for p in plain.problems]
    assert [p.code for p in read.problems if p.file == "broken.xlsx"] == ["unreadable_file"]
    assert [i.rows for i in read.inputs] == [2]


def test_leaving_without_taking_lets_the_thread_go(tmp_path, rules):
    paths = [_workbook(tmp_path, f"{n}.xlsx") for n in "abc"]
    with ReadAhead(paths, rules):
        pass  # nothing taken: the thread may have opened a.xlsx, and opens no more
    for thread in threading.enumerate():
        if thread.name == "funnel-xl: read ahead":
            thread.join(timeout=30)
            assert not thread.is_alive()


def test_a_csv_file_is_not_read_ahead(tmp_path, rules):
    csv = tmp_path / "leads.csv"
    csv.write_text("线索编号,所属阶段\nLF2024001,潜在接触\n", encoding="utf-8")
    with ReadAhead([csv], rules) as ahead:
        assert ahead.take(csv) is None
