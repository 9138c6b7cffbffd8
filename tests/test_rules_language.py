"""`rules check` tells every mistake of a rules file in the rules' language: English under
lang = "en" (or --lang en), Chinese otherwise. One broken rules file per kind of mistake."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from funnel_xl.cli import cli

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# The same small funnel in each language: its stage names, lost label and headers are data values.
WORDS = {
    "en": {"s1": "Discovery", "s2": "Proposal", "won": "Won", "lost": "Lost", "id": "Deal", "stage": "Stage",
           "first": "Created", "owner": "Owner", "source": "Source", "amount": "Amount", "lost_at": "Lost At"},
    "zh": {"s1": "需求挖掘", "s2": "方案提案", "won": "已成交", "lost": "无效线索", "id": "线索编号", "stage": "所属阶段",
           "first": "首次接触时间", "owner": "负责人", "source": "线索来源", "amount": "金额", "lost_at": "流失阶段"},
}
BASE = """version = 1
lang = "{lang}"
lost_labels = ["{lost}"]
amount_unit = "$"
{top}
[[stages]]
name = "{s1}"
max_dwell_days = 30
win_probability = 0.2

[[stages]]
name = "{s2}"
max_dwell_days = 20
win_probability = 0.5

[[stages]]
name = "{won}"
max_dwell_days = 0
win_probability = 1.0

[columns.lead_id]
header = "{id}"
kind = "text"
required = true

[columns.stage]
header = "{stage}"
kind = "stage"
required = true

[columns.first_contact]
header = "{first}"
kind = "date"
required = true

[columns.owner]
header = "{owner}"
kind = "text"
required = true

[columns.source]
header = "{source}"
kind = "text"

[columns.amount]
header = "{amount}"
kind = "number"

[columns.lost_at]
header = "{lost_at}"
kind = "lost_at"
{tables}
"""

# kind of mistake: (top-level lines, further tables, the Chinese message's own words)
MISTAKES = {
    "unknown key": ("stagse = 1", "", "「stagse」是未知的键（是否应为「stages」？）"),
    "missing key": ("", "[columns.x]\nheader = \"X\"", "「columns.x.kind」缺失，必须填写。"),
    "wrong type": ("sources = \"{s1}\"", "", "「sources」应为文本列表，实际是"),
    "not a table": ("thresholds = 3", "", "「thresholds」应为一个表 (table)。"),
    "empty text": ("lead_id_pattern = \"  \"", "", "「lead_id_pattern」不能为空。"),
    "number out of range": ("", "[thresholds]\nlow_channel_win_rate = 1.5", "应为 0.0 到 1.0 之间的数字，实际是 1.5。"),
    "number below": ("", "[bands]\namounts = [-1]", "应为 不小于 0.0 之间的数字，实际是 -1。"),
    "integer below": ("", "[thresholds]\nmin_sample = 0", "「thresholds.min_sample」应为不小于 1 的整数，实际是 0。"),
    "version": ("", "", "「version」应为 1（本版本支持的规则格式），实际是 2。"),
    "hygiene stage": ("", "[hygiene]\namount_close_from = \"{won}\"", "「hygiene.amount_close_from」应为"),
    "unknown stage in a limit": (
        "", "[[suggestions]]\nmetric = \"pass_rate\"\nstage = \"Nowhere\"\nbelow = 0.5\ntext = \"x\"",
        "「suggestions[0].stage」应为", ),
    "suggestion without stage": ("", "[[suggestions]]\nmetric = \"loss_rate\"\nbelow = 0.5\ntext = \"x\"",
                                 "缺失：指标 loss_rate 需要指定阶段。"),
    "suggestion stage for nothing": (
        "", "[[suggestions]]\nmetric = \"win_rate\"\nstage = \"{s1}\"\nbelow = 0.5\ntext = \"x\"",
        "对指标 win_rate 没有意义，请删除。"),
    "suggestion bound": ("", "[[suggestions]]\nmetric = \"win_rate\"\ntext = \"x\"", "必须且只能填写 below 或 above 之一。"),
    "suggestion metric": ("", "[[suggestions]]\nmetric = \"speed\"\nbelow = 0.5\ntext = \"x\"",
                          "「suggestions[0].metric」应为 pass_rate"),
    "duplicate stage": ("", "[[stages]]\nname = \"{s1}\"\nmax_dwell_days = 1\nwin_probability = 1.0",
                        "中阶段名「{s1}」重复。"),
    "one stage": ("", "", "至少需要两个阶段（最后一个为成交）。"),
    "duplicate list item": ("sources = [\"Web\", \"Web\"]", "", "「sources」中「Web」重复出现。"),
    "empty list": ("", "", "「lost_labels」至少需要一项。"),
    "lost label is a stage": ("", "", "中「{s1}」与阶段同名。"),
    "bad pattern": ("lead_id_pattern = \"([\"", "", "「lead_id_pattern」不是有效的正则表达式"),
    "bad date format": ("", "[input]\ndate_formats = [\"%Y-%m\"]", "「%Y-%m」不是完整的日期格式"),
    "bad encoding": ("", "[input]\nencoding = \"base64\"", "「base64」不是文本文件的字符编码"),
    "unknown encoding": ("", "[input]\nencoding = \"klingon\"", "「klingon」不是已知的编码"),
    "bad delimiter": ("", "[input]\ndelimiter = \";;\"", "「input.delimiter」应为一个字符"),
    "bad target": ("", "[targets]\nAnn = \"lots\"", "「targets.Ann」应为数字，实际是 'lots'。"),
    "bad targets table": ("targets = [1]", "", "「targets」应为表 ([targets]，负责人 = 月度成交目标万元"),
    "bad channel targets table": ("channel_targets = [1]", "", "「channel_targets」应为表 ([channel_targets]，渠道 = 月度成交目标万元"),
    "bad channel target": ("", "[channel_targets]\nWeb = \"lots\"", "「channel_targets.Web」应为数字，实际是 'lots'。"),
    "bad target part": ("", "[targets]\nAnn = {{ won = 10, lost = 2 }}", "「targets.Ann.lost」是未知的键"),
    "bands order": ("", "[bands]\namounts = [50, 10]", "应为从小到大、大于 0 的金额，实际是 [50, 10]。"),
    "bands empty": ("", "[bands]\namounts = []", "应为非空的数字列表，例如 [10, 50, 100]。"),
    "hygiene points": ("", "[hygiene.points]\nerrors = 50", "各项分值之和应为 100，实际是 130。"),
    "sheet name chars": ("", "[sheets]\nleads = [\"a/b\"]", "「a/b」含有 Excel 工作表名不允许的字符 /。"),
    "sheet name long": ("", "[sheets]\nleads = [\"" + "x" * 32 + "\"]", "超过 Excel 工作表名 31 个字符的上限。"),
    "sheet name history": ("", "[sheets]\nleads = [\"History\"]", "「History」不能用作 Excel 工作表名"),
    "log sheet is leads": ("", "[sheets]\nleads = [\"Deals\"]\nlog = [\"Deals\"]", "也出现在 sheets.leads 中"),
    "dimension owner": ("", "[dimensions]\nextra = [\"owner\"]", "「owner」不能用作对比维度（负责人已有自己的对比表）。"),
    "dimension computed": ("", "[dimensions]\nextra = [\"stage\"]", "「stage」不能用作对比维度（它标识线索"),
    "dimension unknown": ("", "[dimensions]\nextra = [\"region\"]", "「region」不是 [columns] 中定义的字段"),
    "dimension kind": ("", "[dimensions]\nextra = [\"amount\"]", "「amount」的 kind 是 number，对比维度应为 text 列。"),
    "dimension twice": ("", "[dimensions]\nextra = [\"source\"]", "「source」重复：每个维度只需列出一次"),
    "no channel": ("", "", "缺失：这一列是计算漏斗所必需的（渠道对比）"),
    "stage value unknown": ("", "[stage_values]\nOpened = \"Nowhere\"", "「stage_values.Opened」应为阶段名或流失标签"),
    "stage value blank": ("", "[stage_values]\n\" \" = \"{s1}\"", "表格里的值不能为空。"),
    "stage value is a stage": ("", "[stage_values]\n\"{s1}\" = \"{s2}\"", "同名，却对应「{s2}」，会有歧义。"),
    "stage value twice": ("", "[stage_values]\nopened = \"{s1}\"\nOPENED = \"{s2}\"", "与前面的值写法相同"),
    "status without column": ("", "[status_values]\nwon = \"{won}\"", "「status_values」需要 [columns.status]（状态列）。"),
    "status value": ("", "[columns.status]\nheader = \"Status\"\nkind = \"text\"\n[status_values]\nwon = \"{s1}\"",
                     "「status_values.won」应为成交阶段或流失标签"),
    "column kind": ("", "[columns.region]\nheader = \"Region\"\nkind = \"place\"", "「columns.region.kind」应为 text, date"),
    "may be blank": ("", "[columns.region]\nheader = \"Region\"\nkind = \"text\"\nmay_be_blank = true",
                     "只用于 first_contact（首次接触可以不填）。"),
    "ambiguous header": ("", "[columns.region]\nheader = \"{owner}\"\nkind = \"text\"", "匹配会有歧义。"),
    "fallback field": ("", "[columns.region]\nheader = \"Region\"\nkind = \"text\"\nfallback = [\"nope\"]",
                       "「nope」应为 [columns] 中另一个字段"),
    "fallback kind": ("", "[columns.region]\nheader = \"Region\"\nkind = \"text\"\nfallback = [\"amount\"]",
                      "「amount」的 kind 是 number，应与本列相同（text）。"),
    "values on a text column": ("", "[columns.region]\nheader = \"Region\"\nkind = \"text\"\nvalues = \"name\"",
                                "只用于 kind = \"lost_at\" 的列"),
    "lost-at values word": ("", "", "应为 \"name\"（阶段名）、\"sequence\"（阶段序号"),
    "lost-at values stage": ("", "", "应为已成交之前的阶段（{s1}、{s2}）之一，实际是「{won}」。"),
    "lost-at values empty": ("", "", "「columns.lost_at.values」至少需要一项。"),
    "log column kind": ("", "[log_columns.lead_id]\nheader = \"{id}\"\nkind = \"text\"\n[log_columns.time]\n"
                        "header = \"When\"\nkind = \"text\"\n[log_columns.stage_change]\nheader = \"To\"\nkind = \"stage\"",
                        "「log_columns.time.kind」应为「date」，实际是「text」。"),
    "log core column": ("", "[log_columns.lead_id]\nheader = \"{id}\"\nkind = \"text\"",
                        "缺失：这一列是计算阶段历史所必需的。"),
}
# Mistakes made by changing the base rather than adding to it.
CHANGES = {
    "version": ("version = 1", "version = 2"),
    "one stage": ("[[stages]]\nname = \"{s2}\"", "[[stage_notes]]\nname = \"{s2}\""),
    "empty list": ("lost_labels = [\"{lost}\"]", "lost_labels = []"),
    "lost label is a stage": ("lost_labels = [\"{lost}\"]", "lost_labels = [\"{lost}\", \"{s1}\"]"),
    "no channel": ("[columns.source]", "[columns.channel]"),
    "lost-at values word": ("kind = \"lost_at\"", "kind = \"lost_at\"\nvalues = \"label\""),
    "lost-at values stage": ("kind = \"lost_at\"", "kind = \"lost_at\"\nvalues = {{ 1 = \"{won}\" }}"),
    "lost-at values empty": ("kind = \"lost_at\"", "kind = \"lost_at\"\nvalues = {{}}"),
}


def broken_rules(tmp_path, kind: str, lang: str):
    top, tables, _ = MISTAKES[kind]
    text = BASE.replace("{top}", top).replace("{tables}", "\n" + tables)
    if kind in CHANGES:
        old, new = CHANGES[kind]
        assert old in text, kind
        text = text.replace(old, new, 1)
    if kind == "one stage":  # the second and the won stage become notes of no key at all
        text = text.replace("[[stages]]\nname = \"{won}\"", "[[stage_notes]]\nname = \"{won}\"")
    words = {**WORDS[lang], "lang": lang}
    path = tmp_path / f"{lang}.toml"
    path.write_text(text.format(**words), encoding="utf-8")
    return path


def check(path, *options):
    return CliRunner().invoke(cli, ["rules", "check", str(path), *options])


def test_the_base_rules_are_valid(tmp_path):
    for lang in ("en", "zh"):
        path = tmp_path / f"{lang}.toml"
        text = BASE.replace("{top}", "").replace("{tables}", "")
        path.write_text(text.format(**WORDS[lang], lang=lang), encoding="utf-8")
        assert check(path).exit_code == 0, check(path).output


@pytest.mark.parametrize("kind", sorted(MISTAKES))
def test_each_mistake_in_the_rules_language(tmp_path, kind):
    english = broken_rules(tmp_path, kind, "en")
    result = check(english)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"The rules file {english} has mistakes to correct (")
    # The English funnel's values are English too: no Chinese character anywhere.
    assert not CJK.search(result.stderr), result.stderr
    assert "  1. '" in result.stderr or "  1. The rules file" in result.stderr, result.stderr

    chinese = broken_rules(tmp_path, kind, "zh")
    result = check(chinese)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"规则文件 {chinese} 有 ")
    assert MISTAKES[kind][2].format(**WORDS["zh"]) in result.stderr, result.stderr

    # --lang en speaks English to the Chinese team's file; only its values stay Chinese.
    result = check(chinese, "--lang", "en")
    assert result.exit_code == 2
    values = "|".join(re.escape(v) for v in WORDS["zh"].values())
    assert not CJK.search(re.sub(values, "", result.stderr)), result.stderr


@pytest.mark.parametrize("lang, said", [
    ("en", "The rules file {path} is not valid TOML: "),
    ("zh", "规则文件 {path} 不是有效的 TOML: "),
])
def test_a_file_that_is_no_toml_in_its_declared_language(tmp_path, lang, said):
    path = tmp_path / "broken.toml"
    path.write_text(f'lang = "{lang}"\nversion = 1\n[[stages]\n', encoding="utf-8")
    result = check(path)
    assert result.exit_code == 2
    assert said.format(path=path) in result.stderr


def test_a_missing_file_in_the_language_asked_for(tmp_path):
    path = tmp_path / "nowhere.toml"
    assert f"The rules file {path} does not exist." in check(path, "--lang", "en").stderr
    assert f"规则文件不存在: {path}" in check(path).stderr


def test_every_mistake_of_a_file_at_once_in_english(tmp_path):
    path = broken_rules(tmp_path, "version", "en")
    path.write_text(path.read_text(encoding="utf-8").replace("max_dwell_days = 30", 'max_dwell_days = "x"')
                    + "\n[thresholds]\nmin_sampel = 3\n", encoding="utf-8")
    result = check(path)
    assert result.stderr.splitlines() == [
        f"The rules file {path} has mistakes to correct (3):",
        "  1. 'version' should be 1 (the rules format this version reads), not 2.",
        "  2. 'stages[0].max_dwell_days' should be a whole number, not 'x'.",
        "  3. 'thresholds.min_sampel' is an unknown key (did you mean 'min_sample'?); the keys allowed: "
        "close_slips, drift_dwell_days, drift_pass_rate_points, dwell_in_working_days, "
        "low_channel_first_pass_rate, low_channel_months, low_channel_win_rate, max_snooze_days, "
        "min_sample, stale_follow_up_days, workbook_age_days.",
    ]


def _texts_of(path) -> list[str]:
    """Every text a person reads in a workbook: cells, comments, dropdown prompts and errors."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    texts = [*book.sheetnames, book.properties.title or "", book.properties.description or ""]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            texts += [c.value for c in row if isinstance(c.value, str)]
            texts += [c.comment.text for c in row if c.comment]
        for rule in sheet.data_validations.dataValidation:
            texts += [v for v in (rule.prompt, rule.promptTitle, rule.error, rule.errorTitle) if v]
    return texts


def test_the_template_of_an_english_team_has_no_chinese(tmp_path):
    from funnel_xl import load_rules
    from funnel_xl.reader import read_leads
    from funnel_xl.targets import Target
    from funnel_xl.template import write_tracking_workbook
    from tests.test_foreign import csv_bytes

    export = tmp_path / "deals.csv"
    export.write_bytes(csv_bytes([["Deal", "Stage", "Owner", "Created", "Source", "Amount", "Lost At"],
                                  ["D-1", "Discovery", "Ann", "2024-03-01", "Web", "100", ""],
                                  ["D-2", "Won", "Bob", "2024-03-02", "Fair", "200", ""]]))
    rules_path = tmp_path / "rules.toml"
    init = CliRunner().invoke(cli, ["rules", "init", "--from", str(export), "-o", str(rules_path)])
    assert init.exit_code == 0 and not CJK.search(init.stderr + rules_path.read_text(encoding="utf-8"))
    rules = load_rules(rules_path)
    template = tmp_path / "template.xlsx"
    write_tracking_workbook(template, rules, target_rows=[Target("Ann", 120.0, 8, "2024-05")])
    texts = _texts_of(template)
    assert [t for t in texts if CJK.search(t)] == []
    start = texts.index("Month")
    assert texts[start:start + 6] == ["Month", "Owner", "Won target ($)", "New leads target", "2024-05", "Ann"]
    assert "Write the year and month as 2024-05." in texts
    # The English targets sheet reads back as the Chinese one does.
    assert read_leads(template, rules).targets == [Target("Ann", 120.0, 8, "2024-05")]


# -- rules check's warnings about figures that will be empty or meaningless -------------------------

def _leads(**columns):
    import pandas as pd

    return pd.DataFrame(columns)


def _warnings(leads) -> list[str]:
    from funnel_xl import load_rules
    from funnel_xl.draft_fit import empty_figures

    return [key.removeprefix("fit.warn.") for key, _ in empty_figures(leads, load_rules())]


D1, D2, D3 = (__import__("datetime").date(2024, 5, d) for d in (1, 2, 3))
OPEN, WON, LOST = "潜在接触", "已成交", "无效线索"


@pytest.mark.parametrize("leads, expected", [
    # Nothing usable at all.
    (_leads(stage=[]), ["no_leads"]),
    # Everything there: an open, a won and a lost deal, amounts, stage dates, a lost-at stage.
    (_leads(stage=[OPEN, WON, LOST], amount=[10.0, 20.0, 5.0], stage_entered_column=[D2, D3, D3],
            first_contact=[D1, D1, D1], lost_at=[None, None, OPEN]), []),
    # No amount anywhere: no pipeline, no won amount.
    (_leads(stage=[OPEN, WON, LOST], amount=[None, None, None], stage_entered_column=[D2, D3, D3],
            first_contact=[D1, D1, D1], lost_at=[None, None, OPEN]), ["no_amount"]),
    # Amounts on closed deals only: the pipeline is 0.
    (_leads(stage=[OPEN, WON, LOST], amount=[None, 20.0, 5.0], stage_entered_column=[D2, D3, D3],
            first_contact=[D1, D1, D1], lost_at=[None, None, OPEN]), ["no_open_amount"]),
    # No stage-entered date at all: no dwell, no cycle.
    (_leads(stage=[OPEN, WON, LOST], amount=[10.0, 20.0, 5.0], stage_entered_column=[None, None, None],
            first_contact=[D1, D1, D1], lost_at=[None, None, OPEN]), ["no_stage_dates"]),
    # Dates on open deals only: the won deal has none, so no cycle.
    (_leads(stage=[OPEN, WON, LOST], amount=[10.0, 20.0, 5.0], stage_entered_column=[D2, None, D3],
            first_contact=[D1, D1, D1], lost_at=[None, None, OPEN]), ["no_cycle"]),
    # No first contact at all.
    (_leads(stage=[OPEN, WON, LOST], amount=[10.0, 20.0, 5.0], stage_entered_column=[D2, D3, D3],
            first_contact=[None, None, None], lost_at=[None, None, OPEN]), ["no_first_contact"]),
    # No lost-at on the lost deal: every loss unplaced.
    (_leads(stage=[OPEN, WON, LOST], amount=[10.0, 20.0, 5.0], stage_entered_column=[D2, D3, D3],
            first_contact=[D1, D1, D1], lost_at=[None, None, None]), ["no_lost_at"]),
    # Nothing won or lost: no win rate.
    (_leads(stage=[OPEN, OPEN], amount=[10.0, 20.0], stage_entered_column=[D2, D3],
            first_contact=[D1, D1], lost_at=[None, None]), ["nothing_closed"]),
    # Deals in 方案提案 but none in 潜在接触 or 需求挖掘, lost at neither: an order no deal follows.
    (_leads(stage=["方案提案", WON], amount=[10.0, 20.0], stage_entered_column=[D2, D3],
            first_contact=[D1, D1], lost_at=[None, None]), ["empty_stages"]),
])
def test_each_empty_or_meaningless_figure_is_warned_about(leads, expected):
    assert _warnings(leads) == expected


def test_the_warnings_in_both_languages(tmp_path):
    from tests.test_foreign import csv_bytes

    # Two open deals, no amount, no stage dates, one lost deal without a lost-at stage.
    export = tmp_path / "deals.csv"
    export.write_bytes(csv_bytes([["Deal", "Stage", "Owner", "Created", "Source"],
                                  ["D-1", "Discovery", "Ann", "2024-03-01", "Web"],
                                  ["D-2", "Proposal", "Bob", "2024-03-02", "Fair"],
                                  ["D-3", "Lost", "Bob", "2024-03-02", "Fair"]]))
    rules = broken_rules(tmp_path, "version", "en")
    rules.write_text(rules.read_text(encoding="utf-8").replace("version = 2", "version = 1"), encoding="utf-8")
    english = check(rules, str(export), "--as-of", "2024-05-31")
    assert english.exit_code == 0, english.output
    assert not CJK.search(english.stdout)
    for said in ("No amount: the pipeline, the weighted pipeline and the won amount will be 0.",
                 "No stage-entered dates:",
                 "None of the 1 lost deals says at which stage it was lost"):
        assert said in english.stdout
    chinese = check(rules, str(export), "--as-of", "2024-05-31", "--lang", "zh")
    for said in ("没有金额：管道金额、加权管道和成交金额都会是 0。", "没有阶段进入日期：",
                 "1 条流失线索都没有流失阶段"):
        assert said in chinese.stdout


@pytest.mark.parametrize("name", ["salesforce", "hubspot", "zoho", "odoo", "snake_case", "camelCase", "chinese"])
def test_rules_init_and_check_of_each_export_speak_its_language(tmp_path, name):
    from tests.test_draft_exports import AS_OF, SHAPES, write

    shape = next(s for s in SHAPES if s.name == name)
    export = tmp_path / f"export{shape.suffix}"
    write(shape, export)
    rules = tmp_path / "rules.toml"
    init = CliRunner().invoke(cli, ["rules", "init", "--from", str(export), "-o", str(rules)])
    assert init.exit_code == 0, init.output
    checked = check(rules, str(export), "--as-of", AS_OF)
    assert checked.exit_code == 0, checked.output
    said = init.stderr + rules.read_text(encoding="utf-8") + checked.stdout + checked.stderr
    if name == "chinese":
        assert f"规则草稿已写入: {rules}" in init.stderr and f"规则文件 {rules} 没有错误。" in checked.stdout
    else:
        assert not CJK.search(said), said
        assert f"The rules file {rules} has no mistakes." in checked.stdout
