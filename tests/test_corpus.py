"""Every case of the corpus (tests/corpus.py) through the real commands: messy sheets are read with
the expected warnings, broken files stop with exit code 2 and one clear line, inputs never change."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date, datetime

import numpy as np
import pytest
from click.testing import CliRunner

from funnel_xl import analyse
from funnel_xl.cli import cli
from funnel_xl.reader import read_leads
from funnel_xl.validation import validate_files
from tests import corpus
from tests.conftest import rules_before_required_fields, rules_before_required_fields_path
from tests.corpus import BROKEN, MESSY, SOFFICE, Case

AS_OF = date(2024, 5, 31)


def params(cases: list[Case]):
    return [
        pytest.param(
            case, id=case.name,
            marks=[pytest.mark.skipif(case.needs_soffice and not SOFFICE, reason="LibreOffice not installed")],
        )
        for case in cases
    ]


def digest(path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return None


def rules_args(case: Case, folder) -> list[str]:
    return ["--rules", str(case.rules(folder))] if case.rules else []


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize("case", params(MESSY))
def test_messy_sheet_is_read(case, tmp_path, runner):
    path = case.build(tmp_path)
    before = digest(path)
    # The rules before the required fields: the cases' leads leave them blank.
    before_required = ["--rules", str(rules_before_required_fields_path())]
    result = runner.invoke(cli, ["validate", str(path), "--as-of", "2024-05-31", "--format", "json", *before_required])
    assert result.exit_code == case.exit_code, result.output
    payload = json.loads(result.stdout)
    assert {p["code"] for p in payload["problems"]} == set(case.codes)
    assert payload["rows"] == case.leads
    out = tmp_path / "out"
    rebuilt = runner.invoke(cli, ["rebuild", str(path), "--as-of", "2024-05-31", "--out", str(out), *before_required])
    assert rebuilt.exit_code == case.exit_code, rebuilt.output
    assert (out / "funnel_report_2024-05.xlsx").is_file()
    assert digest(path) == before  # the input is byte-identical after both commands


@pytest.mark.parametrize("case", params(BROKEN))
@pytest.mark.parametrize("command", ["validate", "rebuild"])
def test_broken_file_stops_with_one_clear_line(case, command, tmp_path, runner):
    path = case.build(tmp_path)
    before = digest(path)
    out = tmp_path / "out"
    extra = ["--out", str(out)] if command == "rebuild" else []
    result = runner.invoke(cli, [command, str(path), "--as-of", "2024-05-31", *extra, *rules_args(case, tmp_path)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误: "), result.stderr
    assert case.message in lines[0]
    assert "意外故障" not in result.output and "Traceback" not in result.output
    assert result.stdout == ""
    assert not out.exists()  # nothing half-written
    assert digest(path) == before


def valid(path, rules=None):
    rules = rules or rules_before_required_fields()
    return validate_files([path], rules, AS_OF)


def test_title_rows_and_merged_title_put_the_header_on_row_3(tmp_path):
    rules = rules_before_required_fields()
    for build in (corpus.title_rows_and_notes, corpus.merged_title):
        sheet = read_leads(build(tmp_path), rules)
        assert sheet.header_row == 3
        assert list(sheet.frame["_row"]) == [4, 5, 6]


def test_blank_column_in_the_middle_shifts_the_letters(tmp_path):
    sheet = read_leads(corpus.blank_rows_and_columns(tmp_path), rules_before_required_fields())
    # A 线索编号 … D 所属阶段, E blank, F 首次接触时间; each lead is followed by two blank rows.
    assert sheet.letters["stage"] == "D" and sheet.letters["first_contact"] == "F"
    assert list(sheet.frame["_row"]) == [2, 5, 8]


def test_total_lines_are_skipped_with_a_warning(tmp_path):
    result = valid(corpus.total_line(tmp_path))
    assert [(p.code, p.severity, p.row, p.column, p.value) for p in result.problems] == [
        ("total_row", "warning", 5, "A", "合计"), ("total_row", "warning", 6, "B", "总计："),
    ]
    assert list(result.valid["lead_id"]) == ["LF2024001", "LF2024002", "LF2024003"]
    # The 150 of the total line is not added to the leads' 50 + 20 + 80.
    assert result.valid["amount"].sum() == 150


def test_spaces_full_width_and_line_breaks_fold_to_the_same_values(tmp_path):
    path = corpus.spaces_full_width_breaks(tmp_path)
    leads = valid(path).valid
    assert list(leads["lead_id"]) == ["LF2024001", "LF2024002", "LF2024003"]
    assert list(leads["owner"]) == ["张伟", "李娜", "张伟"]
    assert list(leads["source"]) == ["展会推广", "官网表单", "老客户转介绍"]
    assert list(leads["stage"]) == ["需求挖掘", "潜在接触", "已成交"]
    assert leads.loc[0, "follow_up_method"] == "电话"
    assert leads.loc[0, "customer"] == "A公司/\n*经理"
    analysis = analyse([path], rules_before_required_fields(), as_of=AS_OF)
    assert set(analysis.result.by_owner) == {"张伟", "李娜"}  # " 张伟 " and "张伟" are one rep
    assert analysis.result.by_owner["张伟"].totals.valid == 2


def test_every_date_form_reads_as_the_same_day(tmp_path):
    leads = valid(corpus.date_forms(tmp_path)).valid
    assert len(leads) == 8
    assert set(leads["first_contact"]) == {datetime(2024, 3, 15)}


def test_1904_workbook_dates_and_serials(tmp_path):
    leads = valid(corpus.workbook_1904(tmp_path)).valid
    # Date cells are converted by the reader; the typed serial 43904 counts from 1904-01-01.
    assert list(leads["first_contact"]) == [datetime(2024, 3, 15), datetime(2024, 3, 15), datetime(2024, 1, 10)]


def test_every_amount_form_reads_as_50_wan(tmp_path):
    result = valid(corpus.amount_forms(tmp_path))
    assert list(result.valid["amount"]) == [50.0] * 6
    assert [(p.code, p.row) for p in result.problems] == [("amount_in_yuan", 6)]  # 500,000元


def test_hidden_rows_and_tables_are_read(tmp_path):
    for build in (corpus.autofilter_hidden_rows, corpus.filter_and_table):
        leads = valid(build(tmp_path)).valid
        assert list(leads["lead_id"]) == ["LF2024001", "LF2024002", "LF2024003"]


def test_formula_without_cached_value_reads_as_blank_with_a_warning(tmp_path):
    result = valid(corpus.formulas_without_cache(tmp_path))
    (problem,) = result.problems
    assert (problem.code, problem.row, problem.column, problem.header) == (
        "formula_without_value", 2, "K", "预计成交金额(万元)",
    )
    assert np.isnan(result.valid.loc[0, "amount"])


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice not installed")
def test_formulas_cached_by_libreoffice_read_as_their_values(tmp_path):
    leads = valid(corpus.formulas_cached_by_libreoffice(tmp_path)).valid
    assert leads.loc[0, "amount"] == 50  # =20+30
    assert leads.loc[1, "customer"] == "B公司/*总监"


def figures(path) -> dict:
    payload = analyse([path], rules_before_required_fields(), as_of=AS_OF).as_json()
    payload.pop("inputs")
    return payload


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(corpus.saved_by_wps, id="wps"),
        pytest.param(corpus.saved_by_libreoffice, id="libreoffice", marks=pytest.mark.skipif(not SOFFICE, reason="")),
        pytest.param(corpus.legacy_xls, id="xls", marks=pytest.mark.skipif(not SOFFICE, reason="")),
        pytest.param(corpus.legacy_xls_named_xlsx, id="xls-as-xlsx", marks=pytest.mark.skipif(not SOFFICE, reason="")),
    ],
)
def test_other_writers_give_the_same_figures(build, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert figures(build(tmp_path / "a")) == figures(corpus._plain(tmp_path / "b"))


def test_stray_cell_far_away_is_ignored_with_a_warning(tmp_path):
    result = valid(corpus.stray_cell_far_away(tmp_path))
    (problem,) = result.problems
    assert (problem.code, problem.row, problem.column, problem.value) == (
        "stray_cell_ignored", 1048576, "XFD", "x",
    )
    assert len(result.valid) == 3


def test_note_beside_the_table_is_skipped_with_a_warning(tmp_path):
    result = valid(corpus.note_outside_the_table(tmp_path))
    (problem,) = result.problems
    assert (problem.code, problem.row, problem.column, problem.value) == (
        "row_outside_table", 7, "Z", "备注：五月数据",
    )


@pytest.mark.parametrize("build", [corpus.stray_cell_far_away, corpus.bomb_ratio, corpus.named_pipe])
def test_hostile_files_in_a_real_process(build, tmp_path):
    """In a process of its own, under a hang guard: without the checks the stray cell aborts the
    process (calamine asks for 512 GB) and a named pipe blocks the read forever."""
    path = build(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "funnel_xl", "validate", str(path), "--as-of", "2024-05-31"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode in (0, 2), result.stderr
    assert "Traceback" not in result.stderr and "意外故障" not in result.stderr
    assert (result.stdout if result.returncode == 0 else result.stderr).strip()
