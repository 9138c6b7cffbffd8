"""The CLI is thin: exit codes, messages, and JSON equal to what the library returns."""

import hashlib
import json
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl import analyse
from funnel_xl.cli import cli
from funnel_xl.rules import load_rules
from tests.conftest import lead, write_workbook
from tests.test_metrics import ROWS

D = date


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def team(tmp_path):
    return write_workbook(tmp_path / "team.xlsx", ROWS)


def test_validate_exit_codes(runner, tmp_path, team):
    clean = write_workbook(tmp_path / "clean.xlsx", [lead("LF2024001", "需求挖掘", D(2024, 3, 1))])
    assert runner.invoke(cli, ["validate", str(clean), "--as-of", "2024-05-31"]).exit_code == 0
    result = runner.invoke(cli, ["validate", str(team), "--as-of", "2024-05-31"])
    assert result.exit_code == 1
    assert "第 13 行 L 列(负责人)" in result.stdout  # LF2024012 has no owner
    missing = runner.invoke(cli, ["validate", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 2
    assert "找不到文件" in missing.stderr
    assert "Traceback" not in missing.output


def test_validate_json(runner, team):
    result = runner.invoke(cli, ["validate", str(team), "--as-of", "2024-05-31", "--format", "json"])
    payload = json.loads(result.stdout)
    # No owner; a lost lead without 流失阶段; and the built-in rules' required fields: 甲's open
    # leads are rows 2, 4, 6 and 乙's 3, 5, 7, none with 客户需求/痛点 (I), 所属行业 (S) or 联系方式 (T),
    # and only 005 (row 6) and 006 (row 7) with 下次跟进时间 (R): one warning per rep and field, at
    # the rep's first such row (2 for 甲, 3 for 乙).
    assert payload["counts"] == {"error": 1, "warning": 9}
    assert {(p["code"], p["row"], p["column"]) for p in payload["problems"]} == {
        ("missing_owner", 13, "L"), ("lost_at_unknown", 12, "P"),
        *(("required_fields_blank", row, column) for row in (2, 3) for column in "IRST"),
    }


def test_rebuild_writes_report_json_and_summary(runner, tmp_path, team, monkeypatch):
    monkeypatch.chdir(tmp_path)  # outside any team folder: the built-in rules
    out = tmp_path / "out"
    json_path = tmp_path / "figures.json"
    before = hashlib.sha256(team.read_bytes()).hexdigest()
    result = runner.invoke(
        cli, ["rebuild", str(team), "--month", "2024-05", "--out", str(out), "--json", str(json_path)]
    )
    assert result.exit_code == 1, result.output  # written, but one row was excluded for an error
    report = out / "funnel_report_2024-05.xlsx"
    assert report.exists()
    assert "线索 12 条（有效 11，因数据错误排除 1）" in result.stdout
    assert "赢单率 40.0%（成交 2 / 已结束 5）" in result.stdout
    # Every transition has fewer than min_sample = 10 leads that left its stage (8 at most).
    assert "最薄弱环节: 没有环节的线索足以判断（通过率最低的环节已离开线索少于 10 条）" in result.stdout
    assert "停留超时 3 条" in result.stdout
    assert "数据问题: 错误 1 个，警告 9 个" in result.stdout  # see test_validate_json
    # In May: LF2024001 is new (05-01); won in May: LF2024008 (05-01); no log, no earlier snapshot.
    assert "本月（2024-05-01 至 2024-05-31）：新增 1 条，成交 1 条，流失 0 条，阶段变动 0 次" in result.stdout
    assert f"历史记录: {out / 'history.sqlite'}（已记录 2024-05，此前没有更早月份的快照）" in result.stdout
    assert str(report) in result.stdout
    assert hashlib.sha256(team.read_bytes()).hexdigest() == before  # the input is never modified
    payload = json.loads(json_path.read_text(encoding="utf-8"))
    expected = analyse([team], load_rules(), month="2024-05", history=out / "history.sqlite").as_json()
    assert payload == json.loads(json.dumps(expected, ensure_ascii=False))
    assert payload["as_of"] == "2024-05-31"
    assert payload["win_rate"] == pytest.approx(0.4)
    assert payload["totals"] == {"total": 12, "valid": 11, "active": 6, "won": 2, "lost": 3, "excluded": 1,
                                 "lost_unknown_stage": 1}
    assert [s["reached"] for s in payload["stages"]] == [10, 8, 5, 4, 2, 2]
    assert payload["by_owner"]["甲"]["win_rate"] == pytest.approx(1 / 3)
    assert payload["by_source"]["官网表单"]["totals"]["valid"] == 4
    assert payload["problems"] == {"error": 1, "warning": 9}
    assert openpyxl.load_workbook(report).sheetnames[0] == "总览"


def test_rebuild_exit_zero_when_clean(runner, tmp_path):
    clean = write_workbook(tmp_path / "clean.xlsx", [lead("LF2024001", "需求挖掘", D(2024, 3, 1))])
    result = runner.invoke(cli, ["rebuild", str(clean), "--as-of", "2024-05-31", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "funnel_report_2024-05.xlsx").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2024-13"], "月份「2024-13」格式不对"),
        (["--as-of", "31/05/2024"], "不是 YYYY-MM-DD 格式"),
        (["--month", "2024-05", "--as-of", "2024-05-31"], "只能指定一个"),
        (["--rules", "nope.toml"], "规则文件不存在"),
    ],
)
def test_bad_options_are_clear(runner, team, args, message):
    result = runner.invoke(cli, ["rebuild", str(team), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_unwritable_output_keeps_previous_report(runner, tmp_path, team):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(cli, ["rebuild", str(team), "--month", "2024-05", "--out", str(blocker / "sub")])
    assert result.exit_code == 2
    assert "无法" in result.output


def test_template_and_demo_commands(runner, tmp_path):
    template = tmp_path / "t.xlsx"
    assert runner.invoke(cli, ["template", "-o", str(template)]).exit_code == 0
    assert openpyxl.load_workbook(template).sheetnames[0] == "线索跟踪"
    demo = tmp_path / "d.xlsx"
    assert runner.invoke(cli, ["demo", "-o", str(demo), "--leads", "40"]).exit_code == 0
    assert openpyxl.load_workbook(demo)["线索跟踪"].max_row >= 41


def test_python_dash_m(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "funnel_xl", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "funnel-xl" in result.stdout
