"""Rows read have one definition (issue 21, item 8): the lead rows of every input sheet as read,
an identical copy included. validate, rebuild's JSON and 运行信息 say the same number.

Two files: a.xlsx holds L001 and L002, b.xlsx an identical copy of L002 and L003 — 4 rows read,
3 leads (the copy counts once, with a warning).
"""

from __future__ import annotations

import json

import openpyxl
from click.testing import CliRunner

from funnel_xl.cli import cli
from tests.conftest import lead, write_workbook


def _team(tmp_path):
    copy = lead("L002", "需求挖掘", "2024-04-01", entered="2024-05-01")
    write_workbook(tmp_path / "a.xlsx", [lead("L001", "需求挖掘", "2024-04-01", entered="2024-05-01"), copy])
    write_workbook(tmp_path / "b.xlsx", [copy, lead("L003", "需求挖掘", "2024-04-01", entered="2024-05-01")])
    return [str(tmp_path / "a.xlsx"), str(tmp_path / "b.xlsx")]


def test_validate_rebuild_and_the_run_record_count_the_same_rows(tmp_path):
    files = _team(tmp_path)
    runner = CliRunner()
    validated = runner.invoke(cli, ["validate", *files, "--as-of", "2024-05-31", "--format", "json"])
    assert json.loads(validated.stdout)["rows"] == 4
    out = tmp_path / "out"
    rebuilt = runner.invoke(
        cli, ["rebuild", *files, "--as-of", "2024-05-31", "--out", str(out), "--json", str(out / "a.json")]
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    figures = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert figures["run"]["rows_read"] == 4
    assert figures["run"]["rows_not_counted"] == 1  # the copy of L002
    assert figures["totals"]["total"] == 3
    run = openpyxl.load_workbook(next(out.glob("*.xlsx")))["运行信息"]
    facts = {r[0]: r[1] for r in run.iter_rows(max_col=2, values_only=True) if r[0]}
    assert facts["读取行数"] == 4
    per_file = {r[0]: r[3] for r in run.iter_rows(max_col=4, values_only=True) if r[0] in ("a.xlsx", "b.xlsx")}
    assert per_file == {"a.xlsx": 2, "b.xlsx": 2}
