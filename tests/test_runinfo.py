"""The run record: a 运行信息 sheet in every report, enough to reproduce the numbers."""

from __future__ import annotations

import hashlib
import platform
from datetime import date, datetime
from importlib import metadata

import openpyxl
import pytest

from funnel_xl import analyse, write_outputs
from tests.conftest import lead, rules_before_required_fields_path, write_workbook

D = date

ROWS = [
    lead("LF2024001", "需求挖掘", D(2024, 4, 1), "甲", entered=D(2024, 5, 10)),
    lead("LF2024002", "已成交", D(2024, 2, 1), "乙", entered=D(2024, 5, 1), amount=30),
    lead("LF2024003", "方案提案", None, "乙"),  # an error: no first contact → excluded
]


@pytest.fixture
def written(tmp_path, rules):
    path = write_workbook(tmp_path / "张伟的表.xlsx", ROWS)
    analysis = analyse([path], rules, month="2024-05")
    return path, write_outputs(analysis, tmp_path / "out", split_by=["owner"])


def record(ws) -> dict:
    """Label (column A) → value (column B) of the run record's first block."""
    return {r[0]: r[1] for r in ws.iter_rows(min_row=4, max_row=10, max_col=2, values_only=True)}


def test_team_report_run_record(written):
    path, out = written
    book = openpyxl.load_workbook(out.report)
    assert book.sheetnames[-1] == "运行信息"
    ws = book["运行信息"]
    got = record(ws)
    assert got["截止日"] == datetime(2024, 5, 31)
    assert got["统计期间"] == "2024-05"
    assert (got["读取行数"], got["有效线索"], got["排除(数据错误)"]) == (3, 2, 1)
    assert got["规则文件"] == "funnel.toml"
    # The `rules` fixture's file: the default rules before the required fields.
    assert got["规则文件 SHA-256"] == hashlib.sha256(rules_before_required_fields_path().read_bytes()).hexdigest()
    rows = list(ws.iter_rows(values_only=True))
    head = rows.index(("文件", "工作表", "表头行", "读取行数", "其中排除", "SHA-256"))
    assert rows[head + 1] == (
        "张伟的表.xlsx", "线索跟踪", 1, 3, 1, hashlib.sha256(path.read_bytes()).hexdigest(),
    )
    definitions = {r[0]: r[1] for r in rows if r[0] and r[1] and isinstance(r[1], str)}
    assert "Wilson" in definitions["95% 区间"] and "1.959964" in definitions["95% 区间"]
    assert "少于 10 条" in definitions["样本少"]
    assert "自然日" in definitions["停留天数"]
    assert definitions["Python"] == platform.python_version()
    for name in ("funnel-xl", "pandas", "XlsxWriter", "chinese-calendar"):
        assert definitions[name] == metadata.version(name)
    # 总览 points at the record instead of repeating the file list.
    overview = [v for r in book["总览"].iter_rows(values_only=True) for v in r if isinstance(v, str)]
    assert any("见「运行信息」" in t for t in overview)
    assert not any(hashlib.sha256(path.read_bytes()).hexdigest() in t for t in overview)


def test_rep_workbook_run_record_counts_only_their_rows(written):
    path, out = written
    files = {g.name: g.workbook for g in out.split.groups}
    book = openpyxl.load_workbook(files["乙"])  # 002 valid, 003 excluded
    assert book.sheetnames[-1] == "运行信息"
    got = record(book["运行信息"])
    assert (got["读取行数"], got["有效线索"], got["排除(数据错误)"]) == (2, 1, 1)
    mine = openpyxl.load_workbook(files["甲"])  # only 001
    assert record(mine["运行信息"])["读取行数"] == 1


def test_run_record_in_json(written, rules):
    path, _ = written
    analysis = analyse([path], rules, month="2024-05")
    run = analysis.as_json()["run"]
    assert run["rows_read"] == 3 and run["rows_excluded"] == 1
    assert run["versions"]["pandas"] == metadata.version("pandas")
    assert any(d["name"] == "赢单率(金额)" for d in run["definitions"])
