"""A listing sheet over the rules' report.detail_rows goes to a detail workbook the report links to."""

from __future__ import annotations

import dataclasses
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl import analyse, write_outputs
from funnel_xl.cli import cli
from funnel_xl.errors import RulesError
from funnel_xl.rules import ReportSettings, load_rules
from tests.conftest import REPO, lead, rules_before_required_fields_path, write_workbook

D = date
# Five valid leads of two reps, and one row without an owner (excluded, listed on 数据问题):
#   线索明细 = 5 valid + 1 excluded = 6 rows; 数据问题 = 1 row (missing_owner);
#   张伟's page: his open leads LF2024001, LF2024002, LF2024003 = 3 rows; 李娜's: LF2024004 = 1 row;
#   预警: LF2024001 is 31 days in 需求挖掘 (limit 15, entered 04-30, as-of 05-31) → stalled, and
#   last followed up 31 days ago (> 14) → stale: 2 rows; LF2024004 entered 05-20 → 11 days, no alert.
ROWS = [
    lead("LF2024001", "需求挖掘", D(2024, 3, 1), entered=D(2024, 4, 30), last=D(2024, 4, 30)),
    lead("LF2024002", "方案提案", D(2024, 3, 2), entered=D(2024, 5, 25), last=D(2024, 5, 28)),
    lead("LF2024003", "潜在接触", D(2024, 5, 20), last=D(2024, 5, 29)),
    lead("LF2024004", "需求挖掘", D(2024, 4, 1), owner="李娜", entered=D(2024, 5, 20), last=D(2024, 5, 30)),
    lead("LF2024005", "已成交", D(2024, 1, 5), owner="李娜", entered=D(2024, 5, 2), last=D(2024, 5, 2)),
    lead("LF2024006", "需求挖掘", D(2024, 4, 2), owner=None, last=D(2024, 5, 30)),
]
AS_OF = D(2024, 5, 31)


def with_limit(rules, rows: int):
    return dataclasses.replace(rules, report=ReportSettings(detail_rows=rows))


def values(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


@pytest.fixture
def team(tmp_path):
    return write_workbook(tmp_path / "team.xlsx", ROWS)


def test_default_limit_keeps_every_sheet_in_the_report(tmp_path, team, rules):
    assert rules.report.detail_rows == 20000
    written = write_outputs(analyse([team], rules, as_of=AS_OF), tmp_path / "out")
    assert written.detail is None
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["funnel_report_2024-05.xlsx"]


def test_sheets_over_the_limit_move_to_the_detail_workbook(tmp_path, team, rules):
    # Limit 2: 线索明细 (6 rows) and 张伟's page (3) are over it; 预警 (2), 数据问题 (1) and
    # 李娜's page (1) are not.
    whole = write_outputs(analyse([team], rules, as_of=AS_OF), tmp_path / "whole")
    split = write_outputs(analyse([team], with_limit(rules, 2), as_of=AS_OF), tmp_path / "split")
    assert split.detail == tmp_path / "split" / "funnel_report_2024-05_detail.xlsx"

    report = openpyxl.load_workbook(split.report)
    full = openpyxl.load_workbook(whole.report)
    detail = openpyxl.load_workbook(split.detail)
    # The report keeps every sheet in its place; the detail workbook holds the moved ones, in order.
    assert report.sheetnames == full.sheetnames
    assert detail.sheetnames == ["张伟", "线索明细"]
    assert detail.properties.creator == "funnel-xl"
    # Moved, not changed: the same cells as in the report written without a limit.
    for name in detail.sheetnames:
        assert values(detail[name]) == values(full[name]), name
    for name in ("李娜", "预警", "数据问题"):
        assert values(report[name]) == values(full[name]), name

    stub = report["线索明细"]
    assert "本表共 6 行" in stub["A3"].value and "2 行" in stub["A3"].value
    link = stub["A4"].hyperlink
    assert (link.target, link.location) == ("funnel_report_2024-05_detail.xlsx", "线索明细!A1")
    assert stub.max_row == 5  # a title, the note, the link and a hint: no lead rows
    assert report["张伟"]["A4"].hyperlink.location == "张伟!A1"


def test_a_detail_workbook_no_longer_needed_is_removed(tmp_path, team, rules):
    out = tmp_path / "out"
    first = write_outputs(analyse([team], with_limit(rules, 2), as_of=AS_OF), out)
    assert first.detail.exists()
    again = write_outputs(analyse([team], rules, as_of=AS_OF), out)
    assert again.detail is None
    assert not first.detail.exists()
    # A file of that name that the tool did not write is left alone.
    first.detail.write_bytes(b"not ours")
    write_outputs(analyse([team], rules, as_of=AS_OF), out)
    assert first.detail.read_bytes() == b"not ours"


def test_cli_names_the_detail_workbook(tmp_path, team):
    rules_file = tmp_path / "rules.toml"
    text = rules_before_required_fields_path().read_text(encoding="utf-8")  # 数据问题: 1 row, not 9
    assert "detail_rows = 20000" in text
    rules_file.write_text(text.replace("detail_rows = 20000", "detail_rows = 5"), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["rebuild", str(team), "--as-of", "2024-05-31", "--out", str(tmp_path / "out"),
              "--rules", str(rules_file)],
    )
    assert result.exit_code == 1, result.output  # the row without an owner is an error
    detail = tmp_path / "out" / "funnel_report_2024-05_detail.xlsx"
    assert f"明细: {detail}（超过 5 行的工作表另存于此" in result.stdout
    assert openpyxl.load_workbook(detail).sheetnames == ["线索明细"]  # 6 rows > 5; nothing else is


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[report]\ndetail_rows = 0\n", "「report.detail_rows」应为不小于 1 的整数"),
        ("[report]\ndetail_rows = \"many\"\n", "「report.detail_rows」应为整数"),
        ("[report]\nrows = 10\n", "「report.rows」是未知的键"),
    ],
)
def test_rules_check_the_report_table(tmp_path, table, message):
    text = (REPO / "rules" / "funnel.toml").read_text(encoding="utf-8")
    start = text.index("[report]")
    end = text.index("\n\n", start)
    path = tmp_path / "rules.toml"
    path.write_text(text[:start] + table + text[end + 2:], encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
