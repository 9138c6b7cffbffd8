"""Fields the rules mark required for quality (process step 2): blanks on open leads counted by rep
and field, one warning each, a hygiene part, and 缺填（按负责人） on 数据问题. Figures worked out by hand."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from funnel_xl import analyse, write_outputs
from funnel_xl.groups import select_group
from funnel_xl.report import write_group_report
from funnel_xl.rules import load_rules
from funnel_xl.validation import validate_files
from tests.conftest import edited_rules, lead, rules_before_required_fields, write_workbook

D = date
AS_OF = D(2024, 5, 31)
NEEDS, NEXT, INDUSTRY, CONTACT = "客户需求/痛点", "下次跟进时间", "所属行业", "联系方式"
# The four of process step 2, all filled in.
FILLED = {NEEDS: "需降低采购成本", NEXT: D(2024, 6, 5), INDUSTRY: "制造业", CONTACT: "138****1234"}


def open_lead(lead_id, owner, *blank, **typed):
    """An open lead in 潜在接触 followed up two days ago: nothing but ``blank`` fields to fault."""
    row = {**lead(lead_id, "潜在接触", D(2024, 5, 20), owner, last=D(2024, 5, 29)), **FILLED, **typed}
    return {**row, **dict.fromkeys(blank)}


def team_rows():
    return [
        open_lead("LF2024001", "张伟", NEEDS, NEXT, INDUSTRY, CONTACT),  # row 2: all four blank
        open_lead("LF2024002", "张伟", NEXT),  # row 3
        open_lead("LF2024003", "李娜", INDUSTRY),  # row 4
        {**lead("LF2024004", "已成交", D(2024, 1, 10), "张伟", entered=D(2024, 4, 15), amount=30)},  # row 5: won
        {**lead("LF2024005", "无效线索", D(2024, 3, 1), "李娜", lost_at="潜在接触")},  # row 6: lost
        open_lead("LF2024006", "张伟", **{NEXT: "下周三"}),  # row 7: no date can be read: not filled
        open_lead("LF2024007", "张伟"),  # row 8: all filled
        open_lead("LF2024008", "李娜"),  # row 9: all filled
    ]


def blank_warnings(report):
    return [(p.row, p.header, p.message) for p in report.problems if p.code == "required_fields_blank"]


def test_the_default_rules_mark_the_four_fields_of_step_2():
    rules = load_rules()
    assert rules.quality_fields == ("needs", "next_follow_up", "industry", "contact_info")
    assert [rules.header(f) for f in rules.quality_fields] == [NEEDS, NEXT, INDUSTRY, CONTACT]
    assert rules.hygiene.points_of("required_fields") == 15


def test_one_warning_per_rep_and_field_with_the_count_and_rows(tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", team_rows())
    report = validate_files([path], load_rules(), AS_OF)
    # 张伟's open leads: rows 2, 3, 7, 8. 客户需求/痛点 blank on 2; 下次跟进时间 on 2, 3 and 7 (a
    # text no date can be read from); 所属行业 and 联系方式 on 2. 李娜's open: 4, 9; 所属行业 blank on 4.
    # The won row 5 and the lost row 6 are not checked. Sorted by row, then column (I, R, S, T).
    assert blank_warnings(report) == [
        (2, NEEDS, "张伟：1 条在跟线索未填「客户需求/痛点」（第 2 行），请补上（规则标为必填）。"),
        (2, NEXT, "张伟：3 条在跟线索未填「下次跟进时间」（第 2、3、7 行），请补上（规则标为必填）。"),
        (2, INDUSTRY, "张伟：1 条在跟线索未填「所属行业」（第 2 行），请补上（规则标为必填）。"),
        (2, CONTACT, "张伟：1 条在跟线索未填「联系方式」（第 2 行），请补上（规则标为必填）。"),
        (4, INDUSTRY, "李娜：1 条在跟线索未填「所属行业」（第 4 行），请补上（规则标为必填）。"),
    ]
    warning = next(p for p in report.problems if p.code == "required_fields_blank")
    assert (warning.severity, warning.sheet, warning.column) == ("warning", "线索跟踪", "I")
    # The unreadable date has its own warning as well.
    assert [(p.code, p.row) for p in report.problems if p.code == "bad_date"] == [("bad_date", 7)]


def test_a_warning_names_the_first_five_rows(tmp_path):
    rows = [open_lead(f"LF202400{i}", "张伟", INDUSTRY) for i in range(1, 8)]  # rows 2–8
    report = validate_files([write_workbook(tmp_path / "t.xlsx", rows)], load_rules(), AS_OF)
    assert [m for _, _, m in blank_warnings(report)] == [
        "张伟：7 条在跟线索未填「所属行业」（第 2、3、4、5、6… 行），请补上（规则标为必填）。"
    ]


def test_counts_by_rep_and_field_and_the_hygiene_part(tmp_path):
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", team_rows())], load_rules(), as_of=AS_OF)
    blanks = analysis.quality.blanks
    assert list(blanks.columns) == ["owner", "needs", "next_follow_up", "industry", "contact_info"]
    assert blanks.values.tolist() == [["张伟", 1, 3, 1, 1], ["李娜", 0, 0, 1, 0]]
    zhang, li = analysis.quality.hygiene["张伟"], analysis.quality.hygiene["李娜"]
    # 张伟: open 2, 3, 7, 8; one blank or more on 2, 3 and 7. 李娜: open 4, 9; blank on 4.
    assert (zhang.part("required_fields").failing, zhang.part("required_fields").applicable) == (3, 4)
    assert (li.part("required_fields").failing, li.part("required_fields").applicable) == (1, 2)
    # Every other part is in order: no errors (20); all open leads in 潜在接触, so no amount or
    # stage date is needed (20, and 15 for 阶段变动无日期: the won 004 has its date); no close date
    # (15); followed up two days ago (15). The new part: 15 × (1 − 3/4) = 3.75, 15 × (1 − 1/2) = 7.5.
    assert zhang.score == pytest.approx(20 + 20 + 15 + 15 + 15 + 3.75)
    assert li.score == pytest.approx(85 + 7.5)
    # The team: 6 open leads, 4 with a blank: 85 + 15 × 2/6 = 90.
    assert analysis.quality.team_hygiene.score == pytest.approx(90)
    # Counted, not listed lead by lead among the rows to fix.
    assert "required_fields" not in set(analysis.quality.fixes["part"])


def test_rules_may_mark_any_field_and_a_column_the_sheet_lacks_is_not_checked(tmp_path):
    rules = edited_rules(
        tmp_path,
        ('header = "跟进内容摘要"\naliases = ["跟进内容", "Follow-up Summary", "Notes"]\nkind = "text"\n'
         'required = false\n',
         'header = "跟进内容摘要"\naliases = ["跟进内容", "Follow-up Summary", "Notes"]\nkind = "text"\n'
         'required = false\nrequired_for_quality = true\n'),
        before_required_fields=True,
    )
    assert rules.quality_fields == ("follow_up_summary",)
    rows = [open_lead("LF2024001", "张伟"), open_lead("LF2024002", "张伟", 跟进内容摘要="已沟通")]
    report = validate_files([write_workbook(tmp_path / "t.xlsx", rows)], rules, AS_OF)
    assert [(r, h) for r, h, _ in blank_warnings(report)] == [(2, "跟进内容摘要")]
    # A sheet without the column: the team does not keep it, nothing to warn about.
    headers = ["线索编号", "客户名称/联系人", "线索来源", "所属阶段", "首次接触时间", "最近跟进时间",
               "预计成交日期", "预计成交金额(万元)", "负责人"]
    report = validate_files([write_workbook(tmp_path / "u.xlsx", rows, headers)], rules, AS_OF)
    assert blank_warnings(report) == []


def test_an_old_rules_file_is_unchanged(tmp_path):
    """Rules written before the key: no field marked, the five parts at 20 points, no new part."""
    rules = rules_before_required_fields()
    assert rules.quality_fields == ()
    assert rules.hygiene.points_of("required_fields") == 0
    path = write_workbook(tmp_path / "t.xlsx", team_rows())
    analysis = analyse([path], rules, as_of=AS_OF)
    assert [p.code for p in analysis.problems] == ["bad_date"]  # row 7's 下周三 only
    assert analysis.quality.blanks.empty
    zhang = analysis.quality.hygiene["张伟"]
    assert [p.part for p in zhang.parts] == [
        "errors", "missing_amount_close", "close_past", "stale", "undated_moves",
    ]
    assert zhang.score == pytest.approx(100)
    book = openpyxl.load_workbook(write_outputs(analysis, tmp_path / "out").report, read_only=True)
    cells = [c for row in book["数据问题"].iter_rows(values_only=True) for c in row if c]
    assert "缺填（按负责人）" not in cells
    quality = [c for row in book["数据质量"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not any("必填字段" in c for c in quality)


def sheet_rows(path, name="数据问题"):
    book = openpyxl.load_workbook(path, read_only=True)
    return [tuple(c for c in row) for row in book[name].iter_rows(values_only=True)]


def blank_table(rows):
    """The 缺填（按负责人） block: its header and rows, below the problem list."""
    at = next(i for i, r in enumerate(rows) if r[0] == "缺填（按负责人）")
    table = rows[at + 2:]
    width = sum(1 for c in table[0] if c is not None)
    return [tuple(r[:width]) for r in table], at


def test_problems_sheet_shows_the_counts_by_rep_below_the_list(tmp_path):
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", team_rows())], load_rules(), as_of=AS_OF)
    rows = sheet_rows(write_outputs(analysis, tmp_path / "out").report)
    table, at = blank_table(rows)
    assert table == [
        ("负责人", NEEDS, NEXT, INDUSTRY, CONTACT),
        ("张伟", 1, 3, 1, 1),
        ("李娜", 0, 0, 1, 0),
    ]
    # The list above it: 6 problems (5 blank warnings, 1 bad date), then a blank row.
    assert rows[0][0] == "严重程度" and at == 1 + 6 + 1
    assert rows[at - 1] == (None,) * len(rows[at - 1])


def test_a_reps_workbook_shows_only_their_own_blanks(tmp_path):
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", team_rows())], load_rules(), as_of=AS_OF)
    view = select_group(analysis, "owner", "李娜").view
    rows = sheet_rows(write_group_report(analysis, view, tmp_path / "李娜.xlsx"))
    table, at = blank_table(rows)
    assert table == [("负责人", NEEDS, NEXT, INDUSTRY, CONTACT), ("李娜", 0, 0, 1, 0)]
    listed = [r for r in rows[1:at] if r[0]]
    assert [(r[3], r[7]) for r in listed] == [
        (4, "李娜：1 条在跟线索未填「所属行业」（第 4 行），请补上（规则标为必填）。"),
    ]
    assert not any("张伟" in str(c) for r in rows for c in r)
    assert view.quality.hygiene["李娜"].part("required_fields").failing == 1


def test_a_reps_mail_names_their_blanks(tmp_path):
    import email
    from email.policy import default

    from click.testing import CliRunner

    from funnel_xl.cli import cli

    out = tmp_path / "out"
    tracking = write_workbook(tmp_path / "t.xlsx", team_rows())
    write_outputs(analyse([tracking], load_rules(), month="2024-05"), out, split_by=["owner"])
    recipients = tmp_path / "recipients.toml"
    recipients.write_text(
        'version = 1\n[sender]\nname = "销售管理部"\naddress = "ops@example.com"\n'
        '[manager]\nto = ["boss@example.com"]\n'
        '[reps]\n"张伟" = "zw@example.com"\n"李娜" = "ln@example.com"\n', encoding="utf-8",
    )
    box = tmp_path / "box"
    result = CliRunner().invoke(cli, [
        "mail", "--month", "2024-05", "--out", str(out), "--to-rules", str(recipients), "--outbox", str(box),
    ])
    assert result.exit_code == 0, result.output

    def text(name, address):
        msg = email.message_from_bytes((box / f"2024-05_{name}_{address}.eml").read_bytes(), policy=default)
        return msg.get_body(("plain",)).get_content()

    line = "缺填（在跟线索，规则标为必填）："
    assert f"{line}「客户需求/痛点」1 条、「下次跟进时间」3 条、「所属行业」1 条、「联系方式」1 条。" in text(
        "张伟", "zw@example.com"
    )
    li = text("李娜", "ln@example.com")
    assert f"{line}「所属行业」1 条。请补上，行号见附件「数据问题」工作表。" in li
    assert "下次跟进时间" not in li


def test_the_team_json_holds_each_reps_blanks(tmp_path):
    # As the 缺填 table: 张伟 rows 2 (all four), 3 and 7 (下次跟进时间); 李娜 row 4 (所属行业). A field
    # a rep left filled everywhere is not listed.
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", team_rows())], load_rules(), as_of=AS_OF)
    assert analysis.as_json()["blanks"] == {
        "张伟": {NEEDS: 1, NEXT: 3, INDUSTRY: 1, CONTACT: 1},
        "李娜": {INDUSTRY: 1},
    }
