"""`rules init`, `rules check` and the template speak English when the rules say lang = "en"."""

from __future__ import annotations

import dataclasses

import openpyxl
from click.testing import CliRunner

from funnel_xl import load_rules
from funnel_xl.cli import cli
from funnel_xl.template import write_tracking_workbook
from tests.test_foreign import csv_bytes

ROWS = [["Deal", "Stage", "Owner", "Created", "Source", "Amount"],
        ["D-1", "Discovery", "Ann", "2024-03-01", "Web", "100"],
        ["D-2", "Won", "Bob", "2024-03-02", "Fair", "200"]]


def test_the_template_in_english(tmp_path):
    rules = dataclasses.replace(load_rules(), lang="en")
    path = tmp_path / "template.xlsx"
    write_tracking_workbook(path, rules)
    book = openpyxl.load_workbook(path)
    # The leads sheet keeps the rules' name; the tool's own sheets are named in English.
    assert book.sheetnames == ["线索跟踪", "跟进记录", "Stages", "Targets", "How to fill in", "Lists"]
    guide = [cell for row in book["How to fill in"].iter_rows(values_only=True) for cell in row if cell]
    assert guide[0] == "How to fill in the lead tracking sheet"
    assert "8. Each stage's entry and exit criteria and maximum dwell days are on 'Stages'; a lead " \
           "staying longer is flagged as stalled." in guide
    assert [c.value for c in book["Stages"][1]] == [
        "No.", "Stage", "Entry criterion", "Exit criterion", "Max dwell days", "Win probability"]
    amount = next(v for v in book["线索跟踪"].data_validations.dataValidation if v.type == "decimal")
    assert amount.prompt == "In 万元, a number only, e.g. 50."
    assert book.properties.title == "Sales funnel lead tracking"
    chinese = tmp_path / "zh.xlsx"
    write_tracking_workbook(chinese, load_rules())
    assert openpyxl.load_workbook(chinese).sheetnames == ["线索跟踪", "跟进记录", "阶段定义", "目标", "填写说明", "列表"]


def test_rules_init_and_check_speak_the_drafted_language(tmp_path):
    export = tmp_path / "deals.csv"
    export.write_bytes(csv_bytes(ROWS))
    rules = tmp_path / "rules.toml"
    init = CliRunner().invoke(cli, ["rules", "init", "--from", str(export), "-o", str(rules)])
    assert init.exit_code == 0, init.output
    assert f"Drafted rules written to {rules}" in init.stderr
    check = CliRunner().invoke(cli, ["rules", "check", str(rules), str(export), "--as-of", "2024-06-30"])
    assert check.exit_code == 0, check.output
    assert f"The rules file {rules} has no mistakes." in check.stdout
    assert "Stages: Discovery → Won (the last one is won); lost labels: Lost" in check.stdout
    # No deal is lost, so no lost-at is missing; nothing closed is lost: the win rate is 1 / 1.
    assert "lost deals says" not in check.stdout
    broken = tmp_path / "broken.toml"
    broken.write_text(rules.read_text(encoding="utf-8").replace("version = 1", "version = 2"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "check", str(broken)])
    assert result.exit_code == 2
    assert f"The rules file {broken} has mistakes to correct (1):" in result.stderr
    chinese = tmp_path / "zh.csv"
    chinese.write_bytes(csv_bytes([["商机名称", "销售阶段", "负责人", "创建时间", "客户来源"],
                                   ["S-1", "初步接触", "张伟", "2024-03-01", "展会"],
                                   ["S-2", "赢单", "李娜", "2024-03-02", "官网"]]))
    zh_rules = tmp_path / "zh.toml"
    init = CliRunner().invoke(cli, ["rules", "init", "--from", str(chinese), "-o", str(zh_rules)])
    assert init.exit_code == 0, init.output
    assert f"规则草稿已写入: {zh_rules}" in init.stderr
    assert 'lang = "zh"' in zh_rules.read_text(encoding="utf-8")


def test_the_chinese_sheet_names_kept_by_name_are_the_catalogues():
    from funnel_xl import template
    from funnel_xl.messages import catalogue

    t = catalogue("zh")
    assert tuple(
        t(f"template.{key}") for key in ("sheet.leads", "sheet.log", "sheet.stages", "sheet.guide",
                                          "sheet.lists", "computed_comment")) == (template.DEFAULT_LEADS_SHEET, template.DEFAULT_LOG_SHEET, template.STAGES_SHEET,
            template.GUIDE_SHEET, template.LISTS_SHEET, template.COMPUTED_COMMENT)


def test_rules_init_lang_sets_the_drafts_language_and_speaks_it(tmp_path):
    # A Chinese export drafted for an English-speaking manager: lang = "en" in the draft and the
    # command's lines in English; the amount's unit still guessed from the Chinese sheet (万元 as
    # the base rules say, not "$").
    chinese = tmp_path / "zh.csv"
    chinese.write_bytes(csv_bytes([["商机名称", "销售阶段", "负责人", "创建时间", "客户来源"],
                                   ["S-1", "初步接触", "张伟", "2024-03-01", "展会"],
                                   ["S-2", "赢单", "李娜", "2024-03-02", "官网"]]))
    rules = tmp_path / "en.toml"
    init = CliRunner().invoke(cli, ["rules", "init", "--from", str(chinese), "-o", str(rules), "--lang", "en"])
    assert init.exit_code == 0, init.output
    assert f"Drafted rules written to {rules}" in init.stderr
    text = rules.read_text(encoding="utf-8")
    assert 'lang = "en"' in text and 'amount_unit = "万元"' in text
    # A file that is not there, before anything is drafted, is refused in the language asked for.
    missing = CliRunner().invoke(cli, ["rules", "init", "--from", str(tmp_path / "none.xlsx"), "--lang", "en"])
    assert missing.exit_code == 2
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in missing.stderr.replace(str(tmp_path), "")), missing.stderr
    # And an English export drafted for a Chinese team.
    export = tmp_path / "deals.csv"
    export.write_bytes(csv_bytes(ROWS))
    zh = tmp_path / "zh.toml"
    init = CliRunner().invoke(cli, ["rules", "init", "--from", str(export), "-o", str(zh), "--lang", "zh"])
    assert init.exit_code == 0, init.output
    assert f"规则草稿已写入: {zh}" in init.stderr
    assert 'lang = "zh"' in zh.read_text(encoding="utf-8")
