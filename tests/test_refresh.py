"""refresh: the recalculated columns land in the reps' own workbook, and nothing else changes.

The workbook is built here with openpyxl and carries what reps put in their sheets: a merged title,
other columns and sheets, fonts, fills, borders, number formats, column widths, row heights, data
validation, conditional formatting, comments, a hyperlink, freeze panes, an autofilter, defined
names (workbook and sheet scope), a hidden sheet, a formula on another sheet and a custom property.

Default rules; stage limits 潜在接触 30, 需求挖掘 15, 方案提案 21, 商务谈判 30, 成交待签约 14 days.
As-of 2024-05-31. The leads (header on row 2):

row 3  LF2024001 潜在接触  first contact 04-20 → entered 04-20, dwell 41 > 30: stalled
row 4  LF2024002 需求挖掘  no 阶段进入日期; rep typed dwell 10 on last follow-up 05-25
                           → estimated entered 05-15, dwell 16 > 15: stalled
row 5  LF2024003 方案提案  entered 05-20 → dwell 11; the rep typed "旧的" in the pass-rate column
row 6  LF2024004 已成交    entered 03-10 → won: no dwell
row 7  LF2024005 无效线索  lost at 需求挖掘; rep typed dwell 5 → blank (lost)
row 8  LF2024006 商务谈判  no entry date, no dwell → unknown: no dwell
row 9  LF2024007 方案提案  no owner → an error: the row is left as it is (typed dwell 99 stays)

Pass rates of this workbook (rows 3–8): in stage (active or won) by index [1, 1, 1, 1, 0, 1], lost at
index 1: one → at or past [1, 2, 1, 1, 0, 1], reached = suffix sums [6, 5, 3, 2, 1, 1]; active now
[1, 1, 1, 1, 0, 0] → exited [5, 4, 2, 1, 1, 1]. Pass rate k→k+1 = reached(k+1) ÷ exited(k):
潜在接触→需求挖掘 5/5 = 100%, 需求挖掘→方案提案 3/4 = 75%, 方案提案→商务谈判 2/2 = 100%,
商务谈判→成交待签约 1/1, 成交待签约→已成交 1/1 = 100%.
"""

import hashlib
import os
import re
import stat
import warnings
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from funnel_xl import refresh as r
from funnel_xl.cli import cli
from funnel_xl.errors import InputError, OutputError
from funnel_xl.refresh import HIGHLIGHT_RGB, refresh_workbook
from tests.conftest import FAMILIAR, OPTIONAL

D = date
AS_OF = D(2024, 5, 31)
HEADERS = [*FAMILIAR, *OPTIONAL, "备注"]  # A … N familiar, O … T optional, U the rep's own column
COL = {h: openpyxl.utils.get_column_letter(i) for i, h in enumerate(HEADERS, start=1)}
YELLOW = "FFFFFF00"
NOW = datetime(2024, 6, 1, 9, 0, 0)


def _row(lead_id, stage, first, owner="张伟", **cells):
    row = {"线索编号": lead_id, "客户名称/联系人": f"{lead_id}公司/*经理", "线索来源": "展会推广",
           "所属阶段": stage, "首次接触时间": first, "最近跟进时间": cells.pop("last", first),
           "跟进方式": "电话", "负责人": owner}
    row.update(cells)
    return row


LEADS = [
    _row("LF2024001", "潜在接触", D(2024, 4, 20), last=D(2024, 5, 1)),
    _row("LF2024002", "需求挖掘", D(2024, 4, 1), last=D(2024, 5, 25), **{"当前阶段停留时长(天)": 10}),
    _row("LF2024003", "方案提案", D(2024, 3, 1), last=D(2024, 5, 28),
         **{"阶段进入日期": D(2024, 5, 20), "转化率/阶段通过率(可选)": "旧的", "备注": "下周演示"}),
    _row("LF2024004", "已成交", D(2024, 1, 10), last=D(2024, 3, 10), **{"阶段进入日期": D(2024, 3, 10)}),
    _row("LF2024005", "无效线索", D(2024, 3, 1), last=D(2024, 4, 1),
         **{"流失阶段": "需求挖掘", "当前阶段停留时长(天)": 5}),
    _row("LF2024006", "商务谈判", D(2024, 2, 1), last=D(2024, 5, 28)),
    _row("LF2024007", "方案提案", D(2024, 3, 1), None, last=D(2024, 5, 28), **{"当前阶段停留时长(天)": 99}),
]


def rich_workbook(path, leads=LEADS, headers=HEADERS):
    wb = openpyxl.Workbook()
    wb.properties.title = "张伟的线索"
    wb.custom_doc_props.append(StringProperty(name="部门", value="华东区"))
    ws = wb.active
    ws.title = "线索跟踪"
    ws["A1"] = "2024 年销售线索跟踪（张伟）"
    ws["A1"].font = Font(bold=True, size=14, color="FF1F4E79")
    ws.merge_cells("A1:F1")
    thin = Side(style="thin", color="FF808080")
    for c, header in enumerate(headers, start=1):
        cell = ws.cell(row=2, column=c, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFDDEBF7")
        cell.border = Border(bottom=thin)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r_, lead in enumerate(leads, start=3):
        for c, header in enumerate(headers, start=1):
            value = lead.get(header)
            if value is not None:
                cell = ws.cell(row=r_, column=c, value=value)
                if isinstance(value, date):
                    cell.number_format = "yyyy/m/d"
    ws.row_dimensions[2].height = 30
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["H"].width = 40
    ws.freeze_panes = "B3"
    ws.auto_filter.ref = f"A2:{COL['备注']}{2 + len(leads)}"
    ws.sheet_properties.tabColor = "FF00B050"
    # The rep's own colours: on a stalled lead's ID cell, and on another lead's source.
    ws["A3"].fill = PatternFill("solid", fgColor=YELLOW)
    ws["C5"].fill = PatternFill("solid", fgColor="FFE2EFDA")
    ws["B3"].comment = Comment("老客户介绍，优先跟进", "张伟")
    ws["B5"].hyperlink = "https://example.com/客户/LF2024003"
    stages = DataValidation(type="list", formula1="=阶段列表", allow_blank=True)
    stages.add("D3:D200")
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526")
    dates.add("E3:F200")
    ws.add_data_validation(stages)
    ws.add_data_validation(dates)
    ws.conditional_formatting.add(
        "K3:K200", CellIsRule(operator="greaterThan", formula=["50"], fill=PatternFill("solid", bgColor="FFC6EFCE"))
    )
    ws.conditional_formatting.add(
        "R3:R200", FormulaRule(formula=["AND(R3<>\"\",R3<TODAY())"], font=Font(color="FF9C0006"))
    )
    ws.defined_names["本表线索"] = DefinedName("本表线索", attr_text="线索跟踪!$A$3:$A$200")
    lists = wb.create_sheet("列表")
    for i, name in enumerate(["潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交", "无效线索"], 1):
        lists.cell(row=i, column=1, value=name)
    lists.sheet_state = "hidden"
    wb.defined_names["阶段列表"] = DefinedName("阶段列表", attr_text="列表!$A$1:$A$7")
    notes = wb.create_sheet("备忘")
    notes["A1"] = "本月重点"
    notes["A2"] = "=COUNTA(线索跟踪!A3:A200)"
    notes.column_dimensions["A"].width = 24
    wb.save(path)
    return path


# ---------------------------------------------------------------------------
# What a workbook looks like to openpyxl, for before/after comparison
# ---------------------------------------------------------------------------

def _style(cell):
    return (
        cell.number_format, repr(cell.font), repr(cell.fill), repr(cell.border),
        repr(cell.alignment), repr(cell.protection),
    )


def cells(path, sheet="线索跟踪"):
    ws = openpyxl.load_workbook(path, rich_text=True)[sheet]
    return {
        c.coordinate: (
            c.value, _style(c), (c.comment.text, c.comment.author) if c.comment else None,
            c.hyperlink.target if c.hyperlink else None,
        )
        for row in ws.iter_rows() for c in row
    }


def layout(path):
    """Everything but the cells: sheets, dimensions, validation, formatting, names, properties."""
    wb = openpyxl.load_workbook(path)
    out = {
        "sheets": [(ws.title, ws.sheet_state, ws.sheet_properties.tabColor and ws.sheet_properties.tabColor.rgb)
                   for ws in wb.worksheets],
        "names": {n: d.attr_text for n, d in wb.defined_names.items()},
        "properties": (wb.properties.title, wb.properties.creator),
        "custom": {
            p.name: p.value for p in wb.custom_doc_props.props
            if p.name != r.REFRESHED_PROPERTY and not p.name.startswith(r.ESTIMATES_PROPERTY)
        },
    }
    for ws in wb.worksheets:
        out[ws.title] = {
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "widths": {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items() if d.width},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "validation": sorted(
                (dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref), dv.allow_blank)
                for dv in ws.data_validations.dataValidation
            ),
            "conditional": sorted(
                (str(cf.sqref), rule.type, rule.operator, tuple(rule.formula or ()),
                 repr(rule.dxf.fill) if rule.dxf else None, repr(rule.dxf.font) if rule.dxf else None)
                for cf in ws.conditional_formatting for rule in cf.rules
            ),
            "local_names": {n: d.attr_text for n, d in ws.defined_names.items()},
            "dimensions": ws.dimensions,
        }
    return out


def fill_of(path, coordinate):
    fill = openpyxl.load_workbook(path)["线索跟踪"][coordinate].fill
    return fill.fgColor.rgb if fill.fill_type == "solid" else None


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backups(folder):
    """The backups beside a workbook: not the hidden temporary file a backup is written to first,
    which a refresh killed while writing it (SIGKILL) leaves behind, hidden and named .tmp."""
    return sorted(
        p.name for p in folder.iterdir()
        if ".funnel-xl-backup-" in p.name and not (p.name.startswith(".") and p.name.endswith(".tmp"))
    )


@pytest.fixture
def book(tmp_path):
    return rich_workbook(tmp_path / "张伟.xlsx")


# ---------------------------------------------------------------------------
# The computed columns, in place; nothing else changes
# ---------------------------------------------------------------------------

def xml_cells(path, part="xl/worksheets/sheet1.xml"):
    """The cells the sheet's XML holds (openpyxl reading a range would invent empty ones)."""
    with zipfile.ZipFile(path) as archive:
        return set(re.findall(r'<c r="([A-Z]+[0-9]+)"', archive.read(part).decode("utf-8")))


def test_refresh_writes_the_computed_columns_and_keeps_everything_else(book, rules):
    before_cells, before_layout = cells(book), layout(book)
    before_notes = cells(book, "备忘")
    before_xml = xml_cells(book)
    result = refresh_workbook(book, rules, as_of=AS_OF, now=NOW)
    assert result.written
    after = cells(book)

    m, n, o = COL["当前阶段停留时长(天)"], COL["转化率/阶段通过率(可选)"], COL["阶段进入日期"]
    assert (m, n, o) == ("M", "N", "O")
    values = {k: v[0] for k, v in after.items()}
    # dwell: 41, 16, 11; won, lost and unknown blank; the error row keeps what was typed
    assert [values.get(f"M{i}") for i in range(3, 10)] == [41, 16, 11, None, None, None, 99]
    assert [values.get(f"N{i}") for i in range(3, 10)] == [
        # Small samples carry their k/n (min_sample 10). Reached: 潜在接触 6, 需求挖掘 5 (005 lost
        # there), 方案提案 3, 商务谈判 2, 成交待签约 1, 已成交 1; exited = reached − still in the stage:
        # 潜在接触 6 − 1 = 5, 需求挖掘 5 − 1 = 4, 方案提案 3 − 1 = 2, 成交待签约 1 − 0 = 1.
        None, "100%(潜在接触→需求挖掘 5/5)", "75%(需求挖掘→方案提案 3/4)", "100%(成交待签约→已成交 1/1)",
        None, "100%(方案提案→商务谈判 2/2)", None,
    ]
    # the estimate (05-25 − 10 days) fills the blank 阶段进入日期 of row 4, with a comment
    assert values["O4"] == datetime(2024, 5, 15)
    text, author = after["O4"][2]
    assert author == "funnel-xl"
    assert text.startswith("funnel-xl 估算（2024-05-31 刷新）：「需求挖掘」阶段")
    assert "2024-05-25 − 当前阶段停留时长 10 天 估算为 2024-05-15" in text
    assert after["O4"][1][0] == "yyyy-mm-dd"
    # stalled rows 3 and 4 highlighted; row 3's ID keeps the rep's yellow
    assert fill_of(book, "M3") == fill_of(book, "M4") == fill_of(book, "A4") == HIGHLIGHT_RGB
    assert fill_of(book, "A3") == YELLOW
    assert result.rep_fills_kept == ["A3"]
    assert result.stalled == ["LF2024001", "LF2024002"]
    assert result.entered_unknown == [("LF2024006", 8)]

    # exactly these cells changed …
    changed = {k for k in set(before_cells) | set(after) if before_cells.get(k) != after.get(k)}
    assert changed == {"M3", "M4", "M5", "M7", "N4", "N5", "N6", "N8", "O4", "A4"}
    assert {(c.kind, c.cell) for c in result.changes} == {
        (r.DWELL, "M3"), (r.DWELL, "M4"), (r.DWELL, "M5"), (r.DWELL, "M7"),
        (r.PASS_RATE, "N4"), (r.PASS_RATE, "N5"), (r.PASS_RATE, "N6"), (r.PASS_RATE, "N8"),
        (r.ESTIMATE, "O4"), (r.HIGHLIGHTED, "A4"), (r.HIGHLIGHTED, "M3"), (r.HIGHLIGHTED, "M4"),
    }
    # … and of those, only the values, the fills of the highlighted cells, and O4's date format
    # and comment: fonts, borders, alignment, protection and the other comments are as they were.
    def without_fill(style):
        return style[:2] + style[3:]

    for k in changed - {"O4"}:
        assert without_fill(before_cells[k][1]) == without_fill(after[k][1]), k
        assert before_cells[k][2:] == after[k][2:], k
    assert {k for k in changed if before_cells[k][1][2] != after[k][1][2]} == {"A4", "M3", "M4"}
    assert before_cells["O4"][1][0] == "General" and before_cells["O4"][2] is None
    # everything else: the other sheets' cells, and everything that is not a cell
    assert cells(book, "备忘") == before_notes
    assert layout(book) == before_layout
    # in the file itself: the cells new to it are the ones written, M7 (lost lead, dwell 5 → blank)
    # is gone, and no empty cell was added anywhere
    after_xml = xml_cells(book)
    assert after_xml - before_xml == {"M3", "M5", "N4", "N6", "N8", "O4"}
    assert before_xml - after_xml == {"M7"}


def test_refreshing_twice_with_the_same_date_changes_nothing(book, rules):
    """'Nothing' means: the second run plans no change at all, so the workbook is not rewritten
    (its bytes are identical, so every cell value, style, comment and part is too) and no second
    backup is made."""
    first = refresh_workbook(book, rules, as_of=AS_OF, now=NOW)
    assert first.written and first.backup is not None
    after_first = digest(book)
    second = refresh_workbook(book, rules, as_of=AS_OF, now=datetime(2024, 6, 1, 9, 5, 0))
    assert second.changes == [] and not second.written and second.backup is None
    assert digest(book) == after_first
    assert backups(book.parent) == [first.backup.name]


def test_a_later_date_moves_dwell_on_and_keeps_estimates(book, rules):
    refresh_workbook(book, rules, as_of=AS_OF, now=NOW)
    later = refresh_workbook(book, rules, as_of=D(2024, 6, 10), now=datetime(2024, 6, 10, 9, 0, 0))
    values = {k: v[0] for k, v in cells(book).items()}
    # 10 days later: 41 + 10, 16 + 10 (now from the written 阶段进入日期 05-15), 11 + 10
    assert [values["M3"], values["M4"], values["M5"]] == [51, 26, 21]
    assert values["O4"] == datetime(2024, 5, 15)  # not re-estimated, not rewritten
    assert {c.kind for c in later.changes} == {r.DWELL}


def test_backup_is_the_original_and_can_be_skipped(book, rules, tmp_path):
    original = book.read_bytes()
    result = refresh_workbook(book, rules, as_of=AS_OF, now=NOW)
    assert result.backup == book.with_name("张伟.funnel-xl-backup-20240601-090000.xlsx")
    assert result.backup.read_bytes() == original
    assert not list(tmp_path.glob(".*tmp"))  # no temporary file left behind

    other = rich_workbook(tmp_path / "李娜.xlsx")
    result = refresh_workbook(other, rules, as_of=AS_OF, backup=False)
    assert result.written and result.backup is None
    assert backups(tmp_path) == ["张伟.funnel-xl-backup-20240601-090000.xlsx"]


# ---------------------------------------------------------------------------
# The highlight and the estimate follow the lead
# ---------------------------------------------------------------------------

def _edit(path, **cells_):
    wb = openpyxl.load_workbook(path, rich_text=True)
    ws = wb["线索跟踪"]
    for coordinate, value in cells_.items():
        ws[coordinate] = value
    wb.save(path)


def test_highlight_comes_off_when_the_lead_moves_on(book, rules):
    refresh_workbook(book, rules, as_of=AS_OF, now=NOW)
    # The rep moves both stalled leads on and types the dates they entered their new stage
    # (row 4's date replaces the tool's estimate).
    _edit(book, D3="需求挖掘", O3=datetime(2024, 5, 30), D4="方案提案", O4=datetime(2024, 5, 28))
    result = refresh_workbook(book, rules, as_of=AS_OF, now=datetime(2024, 6, 1, 10, 0, 0))
    assert result.stalled == []
    assert fill_of(book, "M3") is None and fill_of(book, "M4") is None and fill_of(book, "A4") is None
    assert fill_of(book, "A3") == YELLOW  # the rep's colour stays
    values = {k: v for k, v in cells(book).items()}
    assert values["M3"][0] == 1 and values["M4"][0] == 3  # 05-30 → 05-31, 05-28 → 05-31
    assert values["O4"][0] == datetime(2024, 5, 28) and values["O4"][2] is None  # the rep's date now
    assert {(c.kind, c.cell) for c in result.changes if c.kind in (r.UNHIGHLIGHTED, r.COMMENT_REMOVED)} == {
        (r.UNHIGHLIGHTED, "A4"), (r.UNHIGHLIGHTED, "M3"), (r.UNHIGHLIGHTED, "M4"), (r.COMMENT_REMOVED, "O4"),
    }


def test_an_estimate_for_a_stage_the_lead_has_left_is_cleared(book, rules):
    refresh_workbook(book, rules, as_of=AS_OF, now=NOW)
    # Row 4 moves on to 方案提案 but the rep leaves the tool's estimate (and the tool's dwell 16).
    # Reusing them would count 方案提案 from 05-15, or estimate from 16 days: both wrong.
    _edit(book, D4="方案提案", F4=datetime(2024, 6, 3))
    result = refresh_workbook(book, rules, as_of=D(2024, 6, 15), now=datetime(2024, 6, 15, 9, 0, 0))
    values = cells(book)
    assert values["O4"][0] is None and values["O4"][2] is None
    assert values["M4"][0] is None
    assert fill_of(book, "M4") is None and fill_of(book, "A4") is None
    assert ("LF2024002", 4) in result.entered_unknown
    assert (r.ESTIMATE_CLEARED, "O4") in {(c.kind, c.cell) for c in result.changes}


def test_the_tools_own_first_stage_dwell_is_not_reused_after_a_move(book, rules):
    refresh_workbook(book, rules, as_of=AS_OF, now=NOW)  # row 3 in 潜在接触: dwell 41 written
    # Row 3 moves to 需求挖掘 without a date. Its 41 is 05-31 − 04-20, the tool's own value:
    # estimating from it (last follow-up 05-01 − 41 = 03-21) would flag the lead as 86 days stalled.
    _edit(book, D3="需求挖掘")
    result = refresh_workbook(book, rules, as_of=D(2024, 6, 15), now=datetime(2024, 6, 15, 9, 0, 0))
    values = cells(book)
    assert values["M3"][0] is None and values["O3"][0] is None
    assert fill_of(book, "M3") is None and fill_of(book, "A3") == YELLOW
    assert ("LF2024001", 3) in result.entered_unknown


def test_rep_fill_on_the_dwell_cell_is_never_replaced(tmp_path, rules):
    path = rich_workbook(tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["线索跟踪"]["M4"].fill = PatternFill("solid", fgColor="FFFFC7CE")  # Excel's "Bad" red, not ours
    wb.save(path)
    result = refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    assert fill_of(path, "M4") == "FFFFC7CE"
    assert result.rep_fills_kept == ["A3", "M4"]
    _edit(path, D4="方案提案", O4=datetime(2024, 5, 30))
    refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    assert fill_of(path, "M4") == "FFFFC7CE"


# ---------------------------------------------------------------------------
# Missing columns, column styles, formulas
# ---------------------------------------------------------------------------

def test_missing_computed_columns_are_added_after_the_last_used_column(tmp_path, rules):
    headers = [h for h in FAMILIAR if h not in ("当前阶段停留时长(天)", "转化率/阶段通过率(可选)")] + ["备注"]
    leads = [LEADS[0], LEADS[2]]  # 潜在接触 dwell 41; 方案提案 entered … no 阶段进入日期 column here
    path = rich_workbook(tmp_path / "a.xlsx", leads=leads, headers=headers)
    _edit(path, P7="另记")  # a note beyond the headers: the new columns go after it
    result = refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    ws = openpyxl.load_workbook(path)["线索跟踪"]
    assert [c.cell for c in result.changes if c.kind == r.COLUMN_ADDED] == ["Q2", "R2"]
    assert ws["Q2"].value == "当前阶段停留时长(天)" and ws["R2"].value == "转化率/阶段通过率(可选)"
    assert ws["Q2"].font.bold and ws["Q2"].fill.fgColor.rgb == "FFDDEBF7"  # looks like its neighbours
    assert ws["Q2"].comment.text == "由 funnel-xl 自动计算，请勿手工填写"
    # 潜在接触 04-20 → 41 days; 方案提案 has neither an entry date nor a dwell: unknown.
    # Pass rate 潜在接触→需求挖掘: reached(1) = 1, exited(0) = 2 − 1 = 1 → 100%; 需求挖掘→方案提案:
    # reached(2) = 1, exited(1) = 1 − 0 = 1 → 100%.
    assert [ws["Q3"].value, ws["Q4"].value] == [41, None]
    assert [ws["R3"].value, ws["R4"].value] == [None, "100%(需求挖掘→方案提案 1/1)"]
    assert refresh_workbook(path, rules, as_of=AS_OF, backup=False).changes == []


def test_a_stray_cell_far_out_does_not_push_the_new_columns_past_excels_last(tmp_path, rules):
    """Issue 16, class 3: a stray cell beyond the rules' column limit (reading ignores it with a
    warning) must not decide where the missing computed columns go."""
    headers = [h for h in FAMILIAR if h not in ("当前阶段停留时长(天)", "转化率/阶段通过率(可选)")]
    path = rich_workbook(tmp_path / "a.xlsx", leads=[LEADS[0], LEADS[2]], headers=headers)
    _edit(path, XFC5="stray")  # column 16,381: far beyond the 500-column limit
    result = refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    # The twelve familiar columns A…L (the two computed ones left out): the new ones are M and N.
    assert [c.cell for c in result.changes if c.kind == r.COLUMN_ADDED] == ["M2", "N2"]
    ws = openpyxl.load_workbook(path)["线索跟踪"]
    assert ws["M2"].value == "当前阶段停留时长(天)" and ws["XFC5"].value == "stray"
    again = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2024-05-31"])
    assert again.exit_code in (0, 1), again.output  # still readable afterwards


def test_cells_new_to_the_file_take_the_column_style(tmp_path, rules):
    """As Excel does: the template formats whole columns (the computed ones grey, dates yyyy-mm-dd)."""
    from funnel_xl.template import write_tracking_workbook

    path = tmp_path / "from_template.xlsx"
    write_tracking_workbook(path, rules)
    wb = openpyxl.load_workbook(path)
    ws = wb["线索跟踪"]
    for c, value in enumerate(["LF2024010", "X公司/*经理", "展会推广", "方案提案", datetime(2024, 3, 1),
                               datetime(2024, 5, 20)], start=1):
        ws.cell(row=2, column=c, value=value)
    ws["L2"] = "张伟"
    ws["M2"] = 30  # the rep typed 30 days on 05-20 → estimated 04-20 → 41 days > 21: stalled
    wb.save(path)
    refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    ws = openpyxl.load_workbook(path)["线索跟踪"]
    assert ws["M2"].value == 41 and ws["M2"].fill.fgColor.rgb == HIGHLIGHT_RGB
    assert ws["O2"].value == datetime(2024, 4, 20) and ws["O2"].number_format == "yyyy-mm-dd"
    # N2 was never typed in: the new cell is grey and text-formatted like the rest of its column.
    # (The only lead: reached(方案提案) = 1, exited(需求挖掘) = 1 − 0 → 100%.)
    assert ws["N2"].value == "100%(需求挖掘→方案提案 1/1)"  # one lead: 1 of 1 left 需求挖掘
    assert ws["N2"].fill.fgColor.rgb == "FFF2F2F2" and ws["N2"].number_format == "@"
    _edit(path, D2="商务谈判", O2=datetime(2024, 5, 29))
    refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    ws = openpyxl.load_workbook(path)["线索跟踪"]
    assert ws["M2"].value == 2 and ws["M2"].fill.fgColor.rgb == "FFF2F2F2"  # the template's grey again
    assert ws["A2"].fill.fill_type is None


def test_formulas(tmp_path, rules):
    path = rich_workbook(tmp_path / "a.xlsx")
    _edit(path, M5="=TODAY()-O5")  # the rep computes dwell themselves: kept
    result = refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    ws = openpyxl.load_workbook(path)
    assert ws["线索跟踪"]["M5"].value == "=TODAY()-O5"
    assert ws["备忘"]["A2"].value == "=COUNTA(线索跟踪!A3:A200)"
    assert result.formulas_kept == ["M5"]
    assert ws.calculation.fullCalcOnLoad  # Excel/WPS recalculate what openpyxl could not cache
    assert any("公式" in note for note in result.notes)

    _edit(path, F6="=E6+30")  # a formula in a column the tool reads: its value would be lost
    before = digest(path)
    with pytest.raises(InputError, match=r"F6\(最近跟进时间\) 是公式"):
        refresh_workbook(path, rules, as_of=AS_OF)
    assert digest(path) == before


# ---------------------------------------------------------------------------
# Refusals: the file is untouched
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("lock", ["~$张伟.xlsx", ".~lock.张伟.xlsx#"])
def test_refuses_a_workbook_open_elsewhere(book, rules, lock):
    (book.parent / lock).write_bytes(b"\x00")
    before = digest(book)
    with pytest.raises(InputError, match="正在 Excel、WPS 或 LibreOffice 中打开"):
        refresh_workbook(book, rules, as_of=AS_OF)
    assert digest(book) == before and backups(book.parent) == []


def test_refuses_read_only_file_and_folder(book, rules):
    mode = book.stat().st_mode
    os.chmod(book, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        with pytest.raises(InputError, match="只读文件"):
            refresh_workbook(book, rules, as_of=AS_OF)
    finally:
        os.chmod(book, mode)
    folder_mode = book.parent.stat().st_mode
    os.chmod(book.parent, stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(InputError, match="是只读的"):
            refresh_workbook(book, rules, as_of=AS_OF)
    finally:
        os.chmod(book.parent, folder_mode)
    assert backups(book.parent) == []


@pytest.mark.parametrize("suffix, what", [
    (".xls", "旧版 Excel"), (".ods", "OpenDocument"), (".xlsb", "二进制"),
])
def test_refuses_formats_it_cannot_write_back(book, rules, suffix, what):
    other = book.with_suffix(suffix)
    other.write_bytes(book.read_bytes())
    with pytest.raises(InputError, match=what) as info:
        refresh_workbook(other, rules, as_of=AS_OF)
    assert "funnel-xl rebuild 可以直接读取" in str(info.value)
    assert other.read_bytes() == book.read_bytes()


def _xlsxwriter_book(path, decorate):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("线索跟踪")
    for c, header in enumerate(FAMILIAR):
        ws.write_string(0, c, header)
    for c, value in enumerate(["LF2024001", "A公司", "展会推广", "需求挖掘", "2024-04-01", "2024-05-01",
                               "电话", "", "", "", "", "张伟"]):
        ws.write_string(1, c, value)
    decorate(wb, ws)
    wb.close()
    return path


def _chart(wb, ws):
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=线索跟踪!$K$2:$K$3"})
    ws.insert_chart("P2", chart)


def _data_bar(wb, ws):
    ws.conditional_format("K2:K10", {"type": "data_bar", "data_bar_2010": True})


@pytest.mark.parametrize("decorate, part", [(_chart, "xl/charts/chart1.xml"), (_data_bar, "xl/worksheets/sheet1.xml")])
def test_refreshes_content_openpyxl_would_lose(tmp_path, rules, decorate, part):
    """Refused while refresh went through openpyxl; now the chart (and the data bar's extension
    in the sheet) stay as they were. tests/test_refresh_parts.py checks every kind of content."""
    path = _xlsxwriter_book(tmp_path / "a.xlsx", decorate)
    with zipfile.ZipFile(path) as archive:
        before = archive.read(part)
    result = refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    assert result.written
    with zipfile.ZipFile(path) as archive:
        after = archive.read(part)
    if part.startswith("xl/charts/"):
        assert after == before
    else:
        assert b"x14:dataBar" in before and b"x14:dataBar" in after
    # The one lead, in 需求挖掘: reached(需求挖掘) = 1, exited(潜在接触) = 1 → 100%; no entry date, no dwell.
    with warnings.catch_warnings():  # openpyxl cannot read the data bar's extension: it says so
        warnings.simplefilter("ignore", UserWarning)
        ws = openpyxl.load_workbook(path)["线索跟踪"]
    assert (ws["M2"].value, ws["N2"].value) == (None, "100%(潜在接触→需求挖掘 1/1)")  # one lead


def test_refuses_what_is_not_a_workbook(tmp_path, rules):
    with pytest.raises(InputError, match="找不到文件"):
        refresh_workbook(tmp_path / "nope.xlsx", rules)
    with pytest.raises(InputError, match="文件夹"):
        refresh_workbook(tmp_path, rules)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("线索编号,所属阶段\n", encoding="utf-8")
    with pytest.raises(InputError, match="不是 Excel 工作簿"):
        refresh_workbook(fake, rules)


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------

def test_cli_refresh(book, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["refresh", str(book), "--as-of", "2024-05-31"])
    assert result.exit_code == 1, result.output  # row 9 has no owner: left as it was
    out = result.stdout
    assert "[错误] 张伟.xlsx 「线索跟踪」 第 9 行 L 列(负责人)" in out
    assert f"已刷新: {book}「线索跟踪」，截止 2024-05-31" in out
    assert "停留时长更新 4 格，阶段通过率更新 4 格，写入估算的阶段进入日期 1 条" in out
    assert "停留超时 2 条（标色 3 格，取消标色 0 格）" in out
    assert "保留了您自己设置的底色: A3" in out
    assert "LF2024006(第 8 行)" in out
    assert "备份: " in out and ".funnel-xl-backup-" in out

    again = runner.invoke(cli, ["refresh", str(book), "--as-of", "2024-05-31", "--no-backup"])
    assert again.exit_code == 1
    assert "没有需要更新的内容，文件未改动" in again.stdout

    (tmp_path / "~$张伟.xlsx").write_bytes(b"\x00")
    locked = runner.invoke(cli, ["refresh", str(book)])
    assert locked.exit_code == 2
    assert "错误: 张伟.xlsx 正在 Excel、WPS 或 LibreOffice 中打开" in locked.stderr
    assert "Traceback" not in locked.output


def test_cli_refresh_clean_workbook_exit_zero(tmp_path):
    path = rich_workbook(tmp_path / "a.xlsx", leads=LEADS[:6])
    result = CliRunner().invoke(cli, ["refresh", str(path), "--month", "2024-05", "--no-backup"])
    assert result.exit_code == 0, result.output
    assert "未保留备份（--no-backup）" in result.stdout
    assert backups(tmp_path) == []


def test_a_file_saved_by_someone_else_meanwhile_is_not_overwritten(book):
    # refresh compares the file with the bytes it analysed right before replacing it
    read = book.read_bytes()
    r._check_unchanged(book, read)  # unchanged: fine
    _edit(book, H3="刚刚电话沟通")  # the rep saves while refresh is working
    with pytest.raises(OutputError, match="在刷新过程中被修改"):
        r._check_unchanged(book, read)


def test_cli_refresh_a_folder_file_by_file(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rich_workbook(inbox / "张伟.xlsx", leads=LEADS[:6])
    rich_workbook(inbox / "李娜.xlsx", leads=LEADS[:6])
    (inbox / "~$李娜.xlsx").write_bytes(b"\x00")  # 李娜 has her file open
    (inbox / "王芳.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    runner = CliRunner()
    result = runner.invoke(cli, ["refresh", str(inbox), "--as-of", "2024-05-31"])
    assert result.exit_code == 1, result.output  # two of three not refreshed
    assert "共 3 个工作簿：已刷新 1 个，无需更新 0 个，未刷新 2 个（李娜.xlsx、王芳.xls）" in result.stdout
    assert "李娜.xlsx 正在 Excel、WPS 或 LibreOffice 中打开" in result.stderr
    assert "王芳.xls 是旧版 Excel 工作簿" in result.stderr
    assert [name.split(".funnel-xl-backup-")[0] for name in backups(inbox)] == ["张伟"]

    (inbox / "~$李娜.xlsx").unlink()
    (inbox / "王芳.xls").unlink()
    again = runner.invoke(cli, ["refresh", str(inbox), "--as-of", "2024-05-31"])
    # the backup left by the first run is skipped; 张伟 is already up to date
    assert again.exit_code == 0, again.output
    assert "共 2 个工作簿：已刷新 1 个，无需更新 1 个，未刷新 0 个" in again.stdout

    (inbox / "~$张伟.xlsx").write_bytes(b"\x00")
    (inbox / "~$李娜.xlsx").write_bytes(b"\x00")
    assert runner.invoke(cli, ["refresh", str(inbox)]).exit_code == 2  # nothing could be refreshed


def test_refresh_dates_stages_from_the_follow_up_log(tmp_path, rules):
    """With a 跟进记录 sheet, refresh dates stages as rebuild does: the log first."""
    from tests.conftest import LOG, entry, lead, write_workbook

    # LF2024001: 需求挖掘 with 阶段进入日期 04-01 typed; the log moved it there on 05-20 → 31 − 20 = 11
    # days (the column's date would give 60, over the 15-day limit). LF2024002: no entry date, no
    # dwell; the log moved it to 方案提案 on 05-01 → 30 days > 21: stalled.
    path = write_workbook(
        tmp_path / "rep.xlsx",
        [lead("LF2024001", "需求挖掘", D(2024, 3, 1), last=D(2024, 5, 20), entered=D(2024, 4, 1)),
         lead("LF2024002", "方案提案", D(2024, 3, 1), last=D(2024, 5, 1))],
        log=[entry("LF2024001", D(2024, 5, 20), "需求挖掘"),
             entry("LF2024002", D(2024, 4, 2), "需求挖掘"), entry("LF2024002", D(2024, 5, 1), "方案提案")],
    )
    result = refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    assert result.written
    ws = openpyxl.load_workbook(path)["线索跟踪"]
    dwell = FAMILIAR.index("当前阶段停留时长(天)") + 1
    assert [ws.cell(row, dwell).value for row in (2, 3)] == [11, 30]
    assert ws.cell(2, FAMILIAR.index("线索编号") + 1).fill.fgColor.rgb != "FF" + HIGHLIGHT_RGB[-6:]
    assert ws.cell(3, FAMILIAR.index("线索编号") + 1).fill.fgColor.rgb.endswith(HIGHLIGHT_RGB[-6:])
    assert [c.value for c in openpyxl.load_workbook(path)["跟进记录"][1]] == LOG  # the log untouched
