"""One language per run: help and usage errors in Chinese by default, in English when asked."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from funnel_xl.cli import cli
from funnel_xl.helptext import COMMANDS_ZH, OPTIONS_EN

CJK = re.compile(r"[\u4e00-\u9fff]")


def command_paths(group: click.Group = cli, prefix: tuple[str, ...] = ()):
    yield prefix, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))
        else:
            yield (*prefix, name), command


PATHS = list(command_paths())


@pytest.mark.parametrize(("path", "command"), PATHS, ids=[" ".join(p) or "funnel-xl" for p, _ in PATHS])
def test_every_command_and_option_has_both_languages(path, command):
    assert " ".join(path) in COMMANDS_ZH
    assert command.help and "Example:" in command.help or not path  # the English help is the docstring
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in ("help", "version"):
            assert param.help and CJK.search(param.help), (path, param.name)  # Chinese in the decorator
            assert f"{' '.join(path)}.{param.name}" in OPTIONS_EN or param.name in OPTIONS_EN, (path, param.name)


@pytest.mark.parametrize(("path", "command"), PATHS, ids=[" ".join(p) or "funnel-xl" for p, _ in PATHS])
def test_chinese_help_by_default(path, command):
    result = CliRunner().invoke(cli, [*path, "--help"], env={"FUNNEL_XL_LANG": None}, prog_name="funnel-xl")
    assert result.exit_code == 0
    assert result.output.startswith("用法: funnel-xl")
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "Example:", "[default:", "Exit code"):
        assert english not in result.output, (path, english)
    assert COMMANDS_ZH[" ".join(path)].splitlines()[0] in result.output


@pytest.mark.parametrize(("path", "command"), PATHS, ids=[" ".join(p) or "funnel-xl" for p, _ in PATHS])
def test_english_help_when_asked(path, command):
    result = CliRunner().invoke(cli, [*path, "--help"], env={"FUNNEL_XL_LANG": "en"}, prog_name="funnel-xl")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: funnel-xl")
    options = result.output.split("Options:", 1)[1].split("Commands:", 1)[0]
    assert not CJK.search(options), options
    assert "用法" not in result.output and "选项" not in result.output


def test_lang_before_help_chooses_the_language():
    result = CliRunner().invoke(cli, ["rebuild", "--lang", "en", "--help"], env={"FUNNEL_XL_LANG": None}, prog_name="funnel-xl")
    assert "Recalculate the funnel" in result.output and "Also write the figures as JSON." in result.output


def test_the_team_folder_rules_choose_the_language(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["init", "team", "--lang", "en"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "team")
    result = CliRunner().invoke(cli, ["validate", "--help"], env={"FUNNEL_XL_LANG": None}, prog_name="funnel-xl")
    assert result.output.startswith("Usage: funnel-xl validate")


def test_a_changed_team_rules_file_changes_the_language(tmp_path, monkeypatch):
    # The team's lang is remembered per content of the rules file, not per path: a manager who
    # switches lang sees the other language on the very next command.
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["init", "team", "--lang", "en"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "team")
    rules = tmp_path / "team" / "rules" / "funnel.toml"
    for lang, usage in (("en", "Usage: funnel-xl"), ("zh", "用法: funnel-xl"), ("en", "Usage: funnel-xl")):
        text = re.sub(r'(?m)^lang = "\w+"', f'lang = "{lang}"', rules.read_text(encoding="utf-8"))
        rules.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["validate", "--help"], env={"FUNNEL_XL_LANG": None}, prog_name="funnel-xl")
        assert result.output.startswith(usage), (lang, result.output[:40])


@pytest.mark.parametrize(
    ("args", "chinese"),
    [
        (["rebuild"], "错误: 缺少参数 WORKBOOKS...。"),
        (["rebuild", "x.xlsx", "--bogus"], "错误: 没有这个选项: --bogus"),
        (["rebuild", "x.xlsx", "--as-of", "2024-13-01"], "错误: '--as-of' 的值不对: 「2024-13-01」不是 YYYY-MM-DD 格式的日期"),
        (["rebuild", "x.xlsx", "--out"], "错误: 选项 --out 后面要写一个值。"),
        (["frob"], "错误: 没有这个命令: frob。"),
    ],
)
def test_usage_errors_in_chinese(args, chinese):
    result = CliRunner().invoke(cli, args, env={"FUNNEL_XL_LANG": None}, prog_name="funnel-xl")
    assert result.exit_code == 2
    assert chinese in result.output
    assert "Error:" not in result.output and "Usage:" not in result.output and "Try '" not in result.output
