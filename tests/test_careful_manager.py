"""What a careful manager notices (issue 21): unknowns shown as unknowns, and small wrongs.

Each test builds a small team in tmp_path; the expected figures are worked out by hand beside them.
"""

from __future__ import annotations

import json
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl import mail
from funnel_xl.cli import cli
from funnel_xl.text import number_text, percent_text
from tests.conftest import (
    lead,
    rules_before_required_fields,
    rules_before_required_fields_path,
    write_workbook,
)

AS_OF = "2024-05-31"


def _rebuild(team, out, *extra):
    return CliRunner().invoke(cli, ["rebuild", str(team), "--as-of", AS_OF, "--out", str(out), *extra])


def _report(out):
    return openpyxl.load_workbook(next(out.rglob("*.xlsx")))


# -- 6. every text rounds as Excel displays: half away from zero ------------------------------------

@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (74.25, 1, "74.3"),  # Python's format gives "74.2" (half to even on the binary value)
        (42.75, 1, "42.8"),
        (0.5, 0, "1"),  # half to even would give "0"
        (2.5, 0, "3"),
        (-2.5, 0, "-3"),  # away from zero, as Excel
        (1234.45, 1, "1234.5"),
        (-0.04, 1, "0.0"),  # no "-0.0"
    ],
)
def test_numbers_round_as_excel_shows_them(value, digits, expected):
    assert number_text(value, digits) == expected


def test_percent_texts_round_as_excel_shows_them():
    # 0.7425 shown by Excel with 0.0% is 74.3%; 0.125 with 0% is 13%.
    assert percent_text(0.7425, 1) == "74.3%"
    assert percent_text(0.4275, 1) == "42.8%"
    assert percent_text(0.125) == "13%"
    assert number_text(12345.25, 1, thousands=True) == "12,345.3"


def test_mail_and_summary_texts_round_as_excel():
    from funnel_xl.text import rate_text

    # The rate text of mail and the CLI summary.
    assert rate_text(0.7425) == "74.3%"
    assert rate_text(0.4275) == "42.8%"
    assert mail._days(12.25) == "12.3 天"
    assert mail._amount(1234.25, "万元") == "1,234.3 万元"


# -- 11. number formats: row numbers without separators, a chart title that keeps its date ---------

def test_row_numbers_print_without_thousands_separators(tmp_path):
    # 1,100 leads; the last one (Excel row 1101: header on row 1) has an unknown stage.
    rows = [lead(f"LF{n:05d}", "需求挖掘", "2024-05-01") for n in range(1, 1100)]
    rows.append(lead("LF09999", "不存在的阶段", "2024-05-01"))
    team = write_workbook(tmp_path / "team.xlsx", rows)
    result = _rebuild(team, tmp_path / "out")
    assert result.exit_code == 1, result.output
    book = _report(tmp_path / "out")
    ws = book["数据问题"]
    header = [c.value for c in ws[1]]
    row_col = header.index("行") + 1
    cells = [ws.cell(r, row_col) for r in range(2, ws.max_row + 1) if ws.cell(r, row_col).value == 1101]
    assert cells, "the problem on row 1101 is listed"
    assert all(c.number_format in ("0", "General") for c in cells)
    ws = book["运行信息"]
    # The inputs table: file, sheet, header row (a row number: "0"), rows read (a count: "#,##0").
    file_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "team.xlsx")
    assert ws.cell(file_row, 3).value == 1
    assert ws.cell(file_row, 3).number_format in ("0", "General")


def test_english_chart_title_keeps_its_date_on_one_line(tmp_path):
    team = write_workbook(tmp_path / "team.xlsx", [lead("LF00001", "需求挖掘", "2024-05-01")])
    result = _rebuild(team, tmp_path / "out", "--lang", "en")
    assert result.exit_code == 0, result.output
    report = next((tmp_path / "out").rglob("*.xlsx"))
    with zipfile.ZipFile(report) as archive:
        charts = [archive.read(n).decode("utf-8") for n in archive.namelist() if "charts/chart" in n]
    titles = [c for c in charts if "2024-05-31" in c]
    assert titles
    # The date starts a line of its own ("as of 2024-05-31"), short enough never to be wrapped.
    for chart in titles:
        title = chart.split("<c:title>")[1].split("</c:title>")[0]  # not the bars' labels
        text = "".join(part.split("<")[0] for part in title.split("<a:t>")[1:])
        line = next(line for line in text.splitlines() if "2024-05-31" in line)
        assert line == "as of 2024-05-31"


def _json(result):
    return json.loads(result.stdout)


# -- 5. the best transition is never called the weakest ---------------------------------------------

def _one_large_transition_and_a_worse_small_one():
    # 11 leads: 1 lost at 潜在接触, 6 active in 需求挖掘, 3 lost at 需求挖掘, 1 active in 方案提案.
    # reached: 潜在接触 11, 需求挖掘 6 + 1 + 3 = 10, 方案提案 1; exited: 11, 10 − 6 = 4, 1 − 1 = 0.
    # 潜在接触→需求挖掘 10/11 = 90.9% (11 ≥ min_sample 10); 需求挖掘→方案提案 1/4 = 25% (4 < 10).
    rows = [lead("LF00001", "无效线索", "2024-05-01", lost_at="潜在接触")]
    rows += [lead(f"LF0001{n}", "需求挖掘", "2024-05-01") for n in range(6)]
    rows += [lead(f"LF0002{n}", "无效线索", "2024-05-01", lost_at="需求挖掘") for n in range(3)]
    rows.append(lead("LF00030", "方案提案", "2024-05-01"))
    return rows


def test_the_best_transition_is_never_called_the_weakest(tmp_path):
    from datetime import date

    from funnel_xl import analyse

    team = write_workbook(tmp_path / "team.xlsx", _one_large_transition_and_a_worse_small_one())
    figures = analyse([team], rules_before_required_fields(), as_of=date(2024, 5, 31)).team
    assert [(t.passed, t.exited) for t in figures.transitions[:2]] == [(10, 11), (1, 4)]
    assert figures.worst_transition is None
    result = _rebuild(team, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "潜在接触→需求挖掘 通过率" not in result.output
    assert "没有环节的线索足以判断" in result.output


# -- 4. an excluded row gets its errors only --------------------------------------------------------

def test_an_excluded_row_gets_its_errors_only(tmp_path):
    # LF2024002 has no owner (an error: excluded) and is a lost lead without 流失阶段, with a follow-up
    # before its first contact: two follow-on warnings that must not be listed. LF2024003 has the
    # same warnings and no error: both stay.
    rows = [
        lead("LF2024001", "需求挖掘", "2024-05-01"),
        lead("LF2024002", "无效线索", "2024-05-10", owner=None, last="2024-05-01"),
        lead("LF2024003", "无效线索", "2024-05-10", last="2024-05-01"),
    ]
    team = write_workbook(tmp_path / "team.xlsx", rows)
    result = CliRunner().invoke(cli, ["validate", str(team), "--as-of", AS_OF, "--format", "json"])
    problems = _json(result)["problems"]
    on_row = {row: sorted(p["code"] for p in problems if p["row"] == row) for row in (3, 4)}
    assert on_row[3] == ["missing_owner"]
    assert on_row[4] == ["follow_up_before_first_contact", "lost_at_unknown"]


# -- 3. dates as people type them -------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["２０２４－０６－０５", "20240605", "2024年6月5号", "２０２４年６月５日"])
def test_dates_people_type_are_read(typed):
    import pandas as pd

    from funnel_xl.validate import parse_dates

    parsed = parse_dates(pd.Series([typed], dtype=object))
    assert parsed.iloc[0] == pd.Timestamp("2024-06-05")


# -- 2. identical rows in one file are one lead; differing rows name each other ---------------------

def test_identical_rows_in_one_file_are_one_lead(tmp_path):
    # Rows 2 and 3 identical (LF2024001): one lead, a warning on row 3 naming row 2.
    # Rows 4 and 5 share LF2024002 with other stages: both errors, each naming the other row.
    rows = [
        lead("LF2024001", "需求挖掘", "2024-05-01"),
        lead("LF2024001", "需求挖掘", "2024-05-01"),
        lead("LF2024002", "需求挖掘", "2024-05-01"),
        lead("LF2024002", "方案提案", "2024-05-01"),
    ]
    team = write_workbook(tmp_path / "team.xlsx", rows)
    before_required = ["--rules", str(rules_before_required_fields_path())]  # the leads leave them blank
    result = CliRunner().invoke(cli, ["validate", str(team), "--as-of", AS_OF, "--format", "json", *before_required])
    report = _json(result)
    found = {(p["code"], p["row"], p["severity"]) for p in report["problems"]}
    assert found == {
        ("identical_lead_in_file", 3, "warning"),
        ("duplicate_lead_id", 4, "error"),
        ("duplicate_lead_id", 5, "error"),
    }
    message = {p["row"]: p["message"] for p in report["problems"]}
    assert "第 2 行" in message[3]
    assert "第 5 行" in message[4] and "第 4 行" in message[5]
    from datetime import date

    from funnel_xl import analyse

    figures = analyse([team], rules_before_required_fields(), as_of=date(2024, 5, 31)).team
    assert (figures.totals.valid, figures.totals.excluded) == (1, 2)  # LF2024001 once; LF2024002 out


# -- 9 / issue 16 class 7. the duplicate-ID message: the team report names both places, a rep's
# own workbook names none of another rep -------------------------------------------------------------

def _texts(path):
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))


def test_a_duplicate_id_names_the_other_file_only_in_the_team_report(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    write_workbook(folder / "张伟.xlsx", [
        lead("LF2024001", "需求挖掘", "2024-05-01", owner="张伟"),
        lead("LF2024002", "需求挖掘", "2024-05-01", owner="张伟"),
    ])
    write_workbook(folder / "李娜.xlsx", [
        lead("LF2024003", "需求挖掘", "2024-05-01", owner="李娜"),
        lead("LF2024001", "方案提案", "2024-05-02", owner="李娜"),  # row 3: same ID, other content
    ])
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["rebuild", str(folder), "--as-of", AS_OF, "--out", str(out), "--split-by", "owner"]
    )
    assert result.exit_code == 1, result.output
    team_report = _texts(next(p for p in out.rglob("funnel_report_*.xlsx")))
    assert "李娜.xlsx「线索跟踪」第 3 行" in team_report
    assert "张伟.xlsx「线索跟踪」第 2 行" in team_report
    zhang = _texts(next(p for p in out.rglob("张伟.xlsx") if "reps" in p.parts))
    li = _texts(next(p for p in out.rglob("李娜.xlsx") if "reps" in p.parts))
    assert "李娜" not in zhang and "张伟" not in li
    # Each still learns that its row is not counted and why.
    assert "LF2024001" in zhang and "LF2024001" in li
    assert "还有一行" in zhang and "还有一行" in li
