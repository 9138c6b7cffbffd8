"""Progress: the library tells a callback what it is doing; the CLI shows it only on a terminal."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

import funnel_xl
from funnel_xl import cli as cli_module
from funnel_xl.cli import ProgressLine, cli
from funnel_xl.progress import COMPUTE, READ, SAVE, VALIDATE, WRITE, Progress
from funnel_xl.report import table as report_table
from tests.conftest import lead, write_workbook

D = date
ROWS = [
    lead("LF2024001", "需求挖掘", D(2024, 3, 1), owner="张伟"),
    lead("LF2024002", "方案提案", D(2024, 3, 2), owner="李娜"),
    lead("LF2024003", "已成交", D(2024, 2, 1), owner="张伟", entered=D(2024, 5, 1)),
]


@pytest.fixture
def team(tmp_path):
    return write_workbook(tmp_path / "team.xlsx", ROWS)


def test_analyse_and_write_tell_each_step(tmp_path, team, rules):
    events: list[Progress] = []
    analysis = funnel_xl.analyse([team], rules, as_of=D(2024, 5, 31), progress=events.append)
    funnel_xl.write_outputs(analysis, tmp_path / "out", progress=events.append)
    assert events[:3] == [Progress(READ, "team.xlsx"), Progress(VALIDATE, "team.xlsx"), Progress(COMPUTE)]
    written = [e.name for e in events if e.step == WRITE]
    # Every sheet, in the workbook's order: the rep sheets (张伟, 李娜, sorted) sit before 预警.
    assert written == [
        "总览", "漏斗分析", "阶段流转", "趋势", "负责人对比", "渠道分析", "预测",
        "管道变化", "阶段速度", "流失分析", "线索批次", "金额分段", "跟进活动", "张伟", "李娜", "预警",
        "优化建议", "数据质量", "数据问题", "线索明细", "运行信息",
    ]
    assert events[-1] == Progress(SAVE, "funnel_report_2024-05.xlsx")
    sheets = openpyxl.load_workbook(tmp_path / "out" / "funnel_report_2024-05.xlsx").sheetnames
    assert sheets == written


def test_validate_files_tells_each_file(tmp_path, team, rules):
    other = write_workbook(tmp_path / "other.xlsx", [lead("LF2024009", "需求挖掘", D(2024, 4, 1))])
    events: list[Progress] = []
    funnel_xl.validate_files([team, other], rules, D(2024, 5, 31), progress=events.append)
    assert [(e.step, e.name) for e in events] == [
        (READ, "team.xlsx"), (VALIDATE, "team.xlsx"), (READ, "other.xlsx"), (VALIDATE, "other.xlsx"),
    ]


def test_long_table_reports_its_rows_and_loses_none(tmp_path, monkeypatch):
    # With events every 3 rows, 7 rows are told as 0/7, 3/7, 6/7 — and all 7 are written.
    monkeypatch.setattr(report_table, "ROWS_PER_EVENT", 3)
    told = []
    path = tmp_path / "rows.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("t")
    columns = [
        report_table.Column("n", [float(i) for i in range(7)], "int"),
        report_table.Column("t", [f"row {i}" for i in range(7)]),
    ]
    end = report_table.write_rows(
        sheet, report_table.Formats(workbook), 1, columns, lambda done, total: told.append((done, total))
    )
    workbook.close()
    assert told == [(0, 7), (3, 7), (6, 7)]
    assert end == 8
    values = [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    assert values == [[i, f"row {i}"] for i in range(7)]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_waits_then_rewrites_one_line():
    stream = _Terminal()
    line = ProgressLine(stream, delay=3600)  # the timer will not fire; reveal() stands in for it
    line(Progress(READ, "team.xlsx"))
    assert stream.getvalue() == ""  # nothing during the first second
    line.reveal()
    line(Progress(WRITE, "线索明细", 20000, 100000))
    line.close()
    line(Progress(SAVE, "late.xlsx"))  # after close: nothing more
    assert stream.getvalue() == (
        "\r\x1b[K读取 team.xlsx …"
        "\r\x1b[K写入工作表 线索明细（20,000/100,000 行） …"
        "\r\x1b[K"
    )


def test_progress_line_of_a_quick_run_prints_nothing():
    stream = _Terminal()
    line = ProgressLine(stream, delay=3600)
    line(Progress(READ, "team.xlsx"))
    line(Progress(COMPUTE))
    line.close()
    line.reveal()  # a timer firing after the run ended changes nothing
    assert stream.getvalue() == ""


class _ShownAtOnce(ProgressLine):
    def __init__(self, stream, delay, lang="zh"):
        super().__init__(stream, delay=3600, lang=lang)
        self.reveal()


@pytest.mark.parametrize("command", ["rebuild", "validate", "refresh"])
def test_cli_shows_progress_on_a_terminal_unless_quiet(tmp_path, monkeypatch, command):
    monkeypatch.setattr(cli_module, "_stderr_is_terminal", lambda: True)
    monkeypatch.setattr(cli_module, "ProgressLine", _ShownAtOnce)
    runner = CliRunner()

    def run(name: str, *extra: str):
        # Each run on its own copy: refresh writes into the workbook it is given.
        workbook = write_workbook(tmp_path / f"{name}.xlsx", ROWS)
        args = [command, str(workbook), "--as-of", "2024-05-31", *extra]
        if command == "rebuild":
            args += ["--out", str(tmp_path / name)]
        elif command == "refresh":
            args += ["--no-backup"]
        return runner.invoke(cli, args)

    shown = run("team")
    assert shown.exit_code == 0, shown.output
    assert "校验 team.xlsx" in shown.stderr
    if command == "rebuild":
        assert "写入工作表 线索明细" in shown.stderr
    if command == "refresh":
        assert "保存 team.xlsx" in shown.stderr
    quiet = run("quiet", "--quiet")
    assert quiet.exit_code == 0
    assert quiet.stderr == ""
    # --quiet silences the progress, not the results.
    assert quiet.stdout.replace("quiet", "team") == shown.stdout


def test_cli_is_silent_when_stderr_is_not_a_terminal(tmp_path, team):
    result = CliRunner().invoke(cli, ["rebuild", str(team), "--as-of", "2024-05-31", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stderr == ""
