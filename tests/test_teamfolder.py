"""`funnel-xl init FOLDER`: a team folder, and every command finding its rules and recipients."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl.cli import cli
from funnel_xl.recipients import load_recipients
from funnel_xl.rules import default_rules_path
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "sample_tracking.xlsx"


@pytest.fixture
def team(tmp_path, monkeypatch):
    """A team folder made by init, with the example as the one workbook in its inbox."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init", "华东销售部"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "华东销售部"
    shutil.copy(EXAMPLE, root / "inbox" / "sample_tracking.xlsx")
    return root


def test_init_lays_out_a_team_folder(team):
    assert sorted(p.relative_to(team).as_posix() for p in team.rglob("*")) == [
        "inbox", "inbox/sample_tracking.xlsx", "output", "rules", "rules/funnel.toml",
        "rules/recipients.toml", "使用说明.txt", "跟踪表模板.xlsx",
    ]
    assert (team / "rules" / "funnel.toml").read_bytes() == default_rules_path().read_bytes()
    recipients = load_recipients(team / "rules" / "recipients.toml")
    assert recipients.managers == ("manager@example.com",) and recipients.reps == {}
    book = openpyxl.load_workbook(team / "跟踪表模板.xlsx")
    assert book.sheetnames[0] == "线索跟踪" and book["线索跟踪"]["A1"].value == "线索编号"
    guide = (team / "使用说明.txt").read_bytes()
    # Notepad: a byte-order mark, Windows line ends, and the month's commands as they are typed.
    assert guide.startswith("\ufeff".encode()) and b"\r\n" in guide and b"\n" not in guide.replace(b"\r\n", b"")
    assert "funnel-xl rebuild inbox --month 2024-05 --split-by owner" in guide.decode("utf-8-sig")


def test_init_overwrites_nothing(team):
    rules = team / "rules" / "funnel.toml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# tuned by the team\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in team.rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli, ["init", str(team)])
    assert result.exit_code == 2
    assert "rules/funnel.toml" in result.output and "没有改动任何文件" in result.output
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in team.rglob("*") if p.is_file()} == before


def test_init_in_english_names_its_files_in_english(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init", "east", "--lang", "en"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "east"
    assert (root / "tracking_template.xlsx").is_file() and (root / "README.txt").is_file()
    assert '\nlang = "en"\n' in (root / "rules" / "funnel.toml").read_text(encoding="utf-8")
    assert load_recipients(root / "rules" / "recipients.toml").subject == "Sales funnel"


def _team_speaks_english(team: Path) -> None:
    rules = team / "rules" / "funnel.toml"
    rules.write_text(rules.read_text(encoding="utf-8").replace('\nlang = "zh"\n', '\nlang = "en"\n'), encoding="utf-8")


def test_commands_in_the_team_folder_use_its_rules(team, monkeypatch):
    _team_speaks_english(team)
    monkeypatch.chdir(team)
    result = CliRunner().invoke(cli, ["rebuild", "inbox", "--as-of", "2024-05-31", "--no-history"])
    assert result.exit_code == 1, result.output  # the example's planted errors
    assert "Report: output/funnel_report_2024-05.xlsx" in result.output
    assert openpyxl.load_workbook(team / "output" / "funnel_report_2024-05.xlsx", read_only=True).sheetnames[0] != "总览"


def test_a_team_folder_given_from_elsewhere_uses_its_rules(team, monkeypatch, tmp_path):
    _team_speaks_english(team)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(cli, ["validate", str(team / "inbox"), "--as-of", "2024-05-31"])
    assert result.exit_code == 1
    assert "[error]" in result.output.lower() and "[错误]" not in result.output


def test_mail_finds_the_team_recipients(team, monkeypatch):
    recipients = team / "rules" / "recipients.toml"
    recipients.write_text(
        recipients.read_text(encoding="utf-8").replace("manager@example.com", "boss@east.example"), encoding="utf-8"
    )
    monkeypatch.chdir(team)
    rebuilt = CliRunner().invoke(cli, ["rebuild", "inbox", "--as-of", "2024-05-31", "--no-history", "--split-by", "owner", "-q"])
    assert rebuilt.exit_code == 1, rebuilt.output
    result = CliRunner().invoke(cli, ["mail", "--month", "2024-05", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "boss@east.example" in result.output


def test_rebuild_says_the_report_was_written_despite_errors(team, monkeypatch):
    monkeypatch.chdir(team)
    result = CliRunner().invoke(cli, ["rebuild", "inbox", "--as-of", "2024-05-31", "--no-history"])
    assert result.exit_code == 1
    # The example excludes 5 leads for errors (its planted ones); they are listed on 数据问题.
    assert "报告照常写出；有错误的行（5 条线索）未计入数字" in result.output
    assert "「数据问题」表" in result.output
