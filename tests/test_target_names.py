"""A target set for a rep or a channel that no lead names (a name mistyped, someone who has left)
is a warning on 数据问题 with the closest name, not a silent 0% attainment."""

from datetime import date

from funnel_xl import analyse
from funnel_xl.rules import load_rules
from tests.conftest import lead, rules_text_with, write_workbook

D = date
AS_OF = D(2024, 5, 31)

LEADS = [
    lead("LF2024001", "需求挖掘", D(2024, 5, 2), "张伟", "展会推广"),
    lead("LF2024002", "方案提案", D(2024, 5, 6), "李娜", "官网表单"),
    # 王磊's only row has an error (a stage the rules do not know): he is still on the team.
    lead("LF2024003", "方案提按", D(2024, 5, 8), "王磊", "展会推广"),
]
TARGETS = '\n[targets]\n"张玮" = 100\n"李娜" = 50\n"王磊" = 20\n"赵敏" = { new_leads = 5 }\n'
CHANNEL_TARGETS = '\n[channel_targets]\n"官网表彰" = { won = 60 }\n"展会推广" = { won = 30 }\n'


def _rules(tmp_path, lang_line=None):
    text = rules_text_with(("\n[targets]\n", TARGETS), *([lang_line] if lang_line else [])) + CHANNEL_TARGETS
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def _target_problems(analysis):
    return [(p.code, p.message) for p in analysis.problems if p.code.startswith("target_unknown")]


def test_targets_naming_no_lead_are_warned_with_the_closest_name(tmp_path):
    book = write_workbook(tmp_path / "team.xlsx", LEADS)
    analysis = analyse([book], _rules(tmp_path), as_of=AS_OF)
    # 张玮 and 赵敏 own no lead (张伟 is the closest to 张玮; nobody's name is close to 赵敏, so the
    # reps are listed); 官网表彰 is no channel (官网表单 is). 李娜, 王磊 and 展会推广 are fine.
    assert _target_problems(analysis) == [
        ("target_unknown_owner",
         "「张玮」有本期目标，但没有一条线索的负责人是「张玮」：其达成按 0 计，团队目标仍含这一份。"
         "请核对目标里的名字（规则文件的 [targets] 或「目标」表）。是否应为「张伟」？"),
        ("target_unknown_owner",
         "「赵敏」有本期目标，但没有一条线索的负责人是「赵敏」：其达成按 0 计，团队目标仍含这一份。"
         "请核对目标里的名字（规则文件的 [targets] 或「目标」表）。可选值: 张伟、李娜、王磊。"),
        ("target_unknown_channel",
         "渠道「官网表彰」有本期目标，但没有一条线索来自「官网表彰」：其达成按 0 计。"
         "请核对目标里的渠道名（规则文件的 [channel_targets] 或「目标」表）。是否应为「官网表单」？"),
    ]
    assert {p.severity for p in analysis.problems if p.code.startswith("target_unknown")} == {"warning"}


def test_no_warning_when_every_target_names_someone(tmp_path):
    book = write_workbook(tmp_path / "team.xlsx", LEADS)
    assert _target_problems(analyse([book], load_rules(), as_of=AS_OF)) == []


def test_the_warning_in_english(tmp_path):
    book = write_workbook(tmp_path / "team.xlsx", LEADS)
    analysis = analyse([book], _rules(tmp_path, ('lang = "zh"', 'lang = "en"')), as_of=AS_OF)
    code, message = _target_problems(analysis)[0]
    assert message == (
        "'张玮' has a target this period, but no lead's owner is '张玮': its attainment counts as 0 and "
        "the team's target still includes it. Check the name in the targets (the rules' [targets] or "
        "the Targets sheet). Did you mean '张伟'?"
    )


def test_a_large_team_is_not_listed_in_the_warning(tmp_path):
    # 13 reps (more than the 12 a warning lists) and a target for 赵敏, close to none of them.
    leads = [lead(f"LF20241{i:02d}", "需求挖掘", D(2024, 5, 2), f"销售{i:02d}") for i in range(13)]
    book = write_workbook(tmp_path / "team.xlsx", leads)
    path = tmp_path / "rules.toml"
    path.write_text(rules_text_with(("\n[targets]\n", '\n[targets]\n"赵敏" = 10\n')), encoding="utf-8")
    assert _target_problems(analyse([book], load_rules(path), as_of=AS_OF)) == [
        ("target_unknown_owner",
         "「赵敏」有本期目标，但没有一条线索的负责人是「赵敏」：其达成按 0 计，团队目标仍含这一份。"
         "请核对目标里的名字（规则文件的 [targets] 或「目标」表）。"),
    ]
