"""A team rebuilt from one workbook per rep: folders, skipped files, leads across files, bad files."""

import json
import shutil
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl import analyse, validate_files, write_outputs
from funnel_xl.cli import cli
from funnel_xl.errors import InputError
from funnel_xl.inputs import BACKUP_NAME, REPORT_NAME, backup_path, collect_workbooks, skip_reason
from funnel_xl.report import default_report_name
from tests.conftest import (
    FAMILIAR,
    OPTIONAL,
    lead,
    rules_before_required_fields_path,
    write_workbook,
)

D = date
AS_OF = D(2024, 5, 31)

# Rep 甲 keeps the familiar layout; rep 乙 has the columns in another order and one of their own.
ROWS_A = [
    lead("LF2024001", "需求挖掘", D(2024, 4, 1), "甲", entered=D(2024, 5, 21)),
    lead("LF2024002", "已成交", D(2024, 1, 10), "甲", entered=D(2024, 3, 10), amount=80),
]
ROWS_B = [
    lead("LF2024003", "无效线索", D(2024, 3, 1), "乙", "官网表单", lost_at="需求挖掘"),
    lead("LF2024004", "方案提案", D(2024, 3, 1), "乙", "官网表单", entered=D(2024, 5, 1), amount=100),
]
HEADERS_B = ["备注", *OPTIONAL, *reversed(FAMILIAR)]


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    write_workbook(folder / "甲.xlsx", ROWS_A)
    write_workbook(folder / "乙.xlsx", ROWS_B, headers=HEADERS_B)
    return folder


def test_folder_reads_every_workbook_and_skips_what_is_not_a_reps(inbox, rules, tmp_path):
    (inbox / "~$甲.xlsx").write_bytes(b"\x00" * 165)  # Excel's owner file while 甲.xlsx is open
    (inbox / "._乙.xlsx").write_bytes(b"\x00\x05\x16\x07")  # macOS shadow file
    (inbox / "说明.txt").write_text("每月 25 日前放入本文件夹", encoding="utf-8")
    shutil.copy(inbox / "甲.xlsx", inbox / "甲.funnel-xl-backup-20240601-090000.xlsx")
    report = write_outputs(analyse([inbox / "甲.xlsx"], rules, as_of=AS_OF), out_dir=inbox).report
    shutil.copy(report, inbox / "五月漏斗.xlsx")  # a report renamed by the manager
    (inbox / "旧").mkdir()
    write_workbook(inbox / "旧" / "丙.xlsx", [lead("LF2024009", "需求挖掘", D(2024, 3, 1), "丙")])

    found = collect_workbooks([inbox])
    assert [p.name for p in found.files] == ["乙.xlsx", "甲.xlsx"]  # sorted; the sub-folder is not read
    reasons = {s.path.name: s.reason for s in found.skipped}
    assert reasons == {
        "~$甲.xlsx": "Excel/WPS 打开文件时留下的锁文件",
        "._乙.xlsx": "隐藏文件（临时文件或系统文件）",
        "说明.txt": "不是工作簿",
        "甲.funnel-xl-backup-20240601-090000.xlsx": "funnel-xl refresh 留下的备份",
        "funnel_report_2024-05.xlsx": "funnel-xl 生成的分析报告",
        "五月漏斗.xlsx": "funnel-xl 生成的分析报告",
    }


def test_output_and_backup_names_are_the_ones_skipped(tmp_path, rules):
    analysis = analyse([write_workbook(tmp_path / "a.xlsx", ROWS_A)], rules, month="2024-05")
    assert REPORT_NAME.match(default_report_name(analysis))
    target = tmp_path / "张伟.xlsx"
    from datetime import datetime

    first = backup_path(target, datetime(2024, 6, 1, 9, 0, 0))
    assert first.name == "张伟.funnel-xl-backup-20240601-090000.xlsx"
    first.write_bytes(b"x")
    second = backup_path(target, datetime(2024, 6, 1, 9, 0, 0))
    assert second.name == "张伟.funnel-xl-backup-20240601-090000-2.xlsx"
    assert BACKUP_NAME.search(first.name) and BACKUP_NAME.search(second.name)
    assert skip_reason(tmp_path / "张伟.xlsx") is None
    assert skip_reason(tmp_path / "张伟 backup.xlsx") is None  # a rep's own name is not mistaken


def test_team_is_one_funnel_with_each_row_traced_to_its_file(inbox, rules, tmp_path):
    analysis = analyse([inbox], rules, as_of=AS_OF)
    assert analysis.problems == []
    assert [(i.name, i.rows) for i in analysis.inputs] == [("乙.xlsx", 2), ("甲.xlsx", 2)]
    t = analysis.team.totals
    assert (t.valid, t.active, t.won, t.lost) == (4, 2, 1, 1)
    assert analysis.team.win_rate == pytest.approx(1 / 2)  # won 1 ÷ (won 1 + lost 1)
    # in stage (active/won): 需求挖掘 1, 方案提案 1, 已成交 1; lost at 需求挖掘 1
    # → at or past each stage [0, 2, 1, 0, 0, 1]; reached = suffix sums [4, 4, 2, 1, 1, 1]
    assert [s.reached for s in analysis.team.stages] == [4, 4, 2, 1, 1, 1]
    # 乙's reversed layout was read by header: 方案提案 entered 05-01 → 30 days on 05-31
    leads = analysis.result.leads.set_index("lead_id")
    assert leads.loc["LF2024004", "dwell_days"] == 30
    assert leads.loc["LF2024001", "dwell_days"] == 10  # 05-21 → 05-31
    assert analysis.result.by_owner["乙"].pipeline == 100

    report = write_outputs(analysis, out_dir=tmp_path / "out").report
    detail = openpyxl.load_workbook(report)["线索明细"]
    header = [c.value for c in detail[1]]
    source_col, row_col = header.index("来源文件"), header.index("来源行")
    traced = {r[0]: (r[source_col], r[row_col]) for r in detail.iter_rows(min_row=2, values_only=True)}
    assert traced == {
        "LF2024001": ("甲.xlsx", 2), "LF2024002": ("甲.xlsx", 3),
        "LF2024003": ("乙.xlsx", 2), "LF2024004": ("乙.xlsx", 3),
    }


def test_problems_name_their_file(inbox, rules):
    write_workbook(inbox / "丙.xlsx", [lead("LF2024010", "需求挖掘", D(2024, 3, 1), None)])
    analysis = analyse([inbox], rules, as_of=AS_OF)
    assert [(p.code, p.file, p.row, p.column) for p in analysis.problems] == [
        ("missing_owner", "丙.xlsx", 2, "L")
    ]
    assert analysis.problems[0].as_text().startswith("[错误] 丙.xlsx 「线索跟踪」 第 2 行 L 列(负责人)")


def test_same_lead_in_two_files_with_different_rows_is_an_error_naming_both(inbox, rules):
    write_workbook(inbox / "丙.xlsx", [
        lead("LF2024099", "需求挖掘", D(2024, 3, 1), "丙"),
        lead("LF2024004", "商务谈判", D(2024, 3, 1), "丙", "官网表单", amount=100),  # 乙 has it in 方案提案
    ])
    analysis = analyse([inbox], rules, as_of=AS_OF)
    dup = [p for p in analysis.problems if p.code == "duplicate_lead_id_across_files"]
    assert [(p.severity, p.file, p.row, p.column, p.value) for p in dup] == [
        ("error", "丙.xlsx", 3, "A", "LF2024004"),
        ("error", "乙.xlsx", 3, "W", "LF2024004"),  # 乙: 备注 + 8 optional + 14 reversed → 23rd column
    ]
    assert "乙.xlsx「线索跟踪」第 3 行" in dup[0].message
    assert "丙.xlsx「线索跟踪」第 3 行" in dup[1].message
    # both rows excluded: 4 + 2 rows read, 2 excluded, 4 valid
    t = analysis.team.totals
    assert (t.total, t.valid, t.excluded) == (6, 4, 2)
    assert "LF2024004" not in set(analysis.result.leads["lead_id"])
    assert sorted(analysis.excluded["_file"]) == ["丙.xlsx", "乙.xlsx"]


def test_identical_rows_in_two_files_count_once_with_a_warning(inbox, rules):
    # 甲's LF2024001 copied into 丙's workbook as it is, with a different dwell typed in the
    # tool's own column (the two computed columns are not compared).
    copy = dict(ROWS_A[0])
    copy["当前阶段停留时长(天)"] = 7
    write_workbook(inbox / "丙.xlsx", [lead("LF2024020", "潜在接触", D(2024, 5, 2), "丙"), copy])
    analysis = analyse([inbox], rules, as_of=AS_OF)
    assert [(p.code, p.severity, p.file, p.row) for p in analysis.problems] == [
        ("identical_lead_across_files", "warning", "甲.xlsx", 2)
    ]
    # files in name order: 丙 (U+4E19) < 乙 (U+4E59) < 甲 (U+7532); the first copy (丙's) is kept
    assert "丙.xlsx「线索跟踪」第 3 行" in analysis.problems[0].message
    t = analysis.team.totals
    assert (t.total, t.valid, t.excluded) == (5, 5, 0)  # 2 + 2 + 2 rows, the copy counted once
    kept = analysis.result.leads.set_index("lead_id").loc["LF2024001"]
    assert kept["_file"] == "丙.xlsx"


def test_same_file_given_twice_is_read_once(inbox, rules):
    analysis = analyse([inbox, inbox / "甲.xlsx"], rules, as_of=AS_OF)
    assert analysis.problems == []
    assert analysis.team.totals.valid == 4


def test_same_file_name_in_two_folders_is_told_apart_by_path(tmp_path, rules):
    (tmp_path / "一组").mkdir()
    (tmp_path / "二组").mkdir()
    one = write_workbook(tmp_path / "一组" / "张伟.xlsx", ROWS_A)
    two = write_workbook(tmp_path / "二组" / "张伟.xlsx", [lead("LF2024001", "商务谈判", D(2024, 4, 1), "张伟")])
    report = validate_files([one, two], rules, AS_OF)
    assert [i.name for i in report.inputs] == [str(one), str(two)]
    dup = report.problems
    assert {p.file for p in dup} == {str(one), str(two)}


def _broken_inbox(inbox):
    (inbox / "坏文件.xlsx").write_bytes(b"PK\x03\x04 truncated by the mail gateway")
    no_leads = openpyxl.Workbook()
    no_leads.active.append(["客户", "备注"])
    no_leads.save(inbox / "通讯录.xlsx")


def test_unreadable_file_is_reported_and_the_team_still_rebuilt(runner, inbox, tmp_path, rules):
    _broken_inbox(inbox)
    analysis = analyse([inbox], rules, as_of=AS_OF)
    skipped = [(p.code, p.severity, p.file) for p in analysis.problems]
    assert skipped == [("unreadable_file", "error", "坏文件.xlsx"), ("unreadable_file", "error", "通讯录.xlsx")]
    assert "文件已损坏" in analysis.problems[0].message
    assert "找不到线索工作表" in analysis.problems[1].message
    assert analysis.team.totals.valid == 4

    out = tmp_path / "out"
    before_required = ["--rules", str(rules_before_required_fields_path())]  # as the `rules` fixture
    result = runner.invoke(cli, ["rebuild", str(inbox), "--as-of", "2024-05-31", "--out", str(out), *before_required])
    assert result.exit_code == 1, result.output
    assert "读取工作簿 2 个，无法读取 2 个（见「数据问题」）: 坏文件.xlsx、通讯录.xlsx" in result.stdout
    assert "线索 4 条（有效 4" in result.stdout
    problems = openpyxl.load_workbook(out / "funnel_report_2024-05.xlsx")["数据问题"]
    header = [c.value for c in problems[1]]
    rows = [dict(zip(header, r, strict=True)) for r in problems.iter_rows(min_row=2, values_only=True)]
    assert [(r["文件"], r["代码"]) for r in rows] == [
        ("坏文件.xlsx", "unreadable_file"), ("通讯录.xlsx", "unreadable_file")
    ]
    assert all("该文件未计入本次统计" in r["问题说明"] for r in rows)


def test_validate_a_folder(runner, inbox):
    _broken_inbox(inbox)
    (inbox / "~$甲.xlsx").write_bytes(b"\x00")
    before_required = ["--rules", str(rules_before_required_fields_path())]  # the leads leave them blank
    result = runner.invoke(cli, ["validate", str(inbox), "--as-of", "2024-05-31", "--format", "json", *before_required])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["files"] == ["乙.xlsx", "甲.xlsx"]
    assert payload["rows"] == 4
    assert [(p["file"], p["code"]) for p in payload["problems"]] == [
        ("坏文件.xlsx", "unreadable_file"), ("通讯录.xlsx", "unreadable_file")
    ]
    assert "跳过" in result.stderr and "~$甲.xlsx" in result.stderr


def test_nothing_usable_is_exit_2(runner, tmp_path, inbox):
    for name in ("甲.xlsx", "乙.xlsx"):
        (inbox / name).unlink()
    _broken_inbox(inbox)
    result = runner.invoke(cli, ["rebuild", str(inbox), "--as-of", "2024-05-31", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "坏文件.xlsx" in result.stderr and "通讯录.xlsx" in result.stderr
    assert not list(tmp_path.glob("funnel_report_*"))

    empty = tmp_path / "空"
    empty.mkdir()
    result = runner.invoke(cli, ["rebuild", str(empty)])
    assert result.exit_code == 2
    assert "没有可读取的工作簿" in result.stderr
    result = runner.invoke(cli, ["rebuild", str(inbox / "甲.xlsx"), str(tmp_path / "不存在")])
    assert result.exit_code == 2
    assert "找不到文件或文件夹" in result.stderr


def test_collect_refuses_a_missing_path(tmp_path):
    with pytest.raises(InputError, match="找不到文件或文件夹"):
        collect_workbooks([tmp_path / "nope"])
