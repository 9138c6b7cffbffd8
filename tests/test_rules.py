"""Rules load from TOML and every mistake names the file and the key."""

import os
from pathlib import Path

import pytest

from funnel_xl import RulesError, load_rules
from funnel_xl.rules import default_rules_path, normalize_header
from tests.conftest import REPO


def test_default_rules(rules):
    assert rules.stage_names == ("潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交")
    assert rules.won_stage == "已成交"
    assert rules.lost_labels == ("无效线索",)
    assert rules.stages[1].max_dwell_days == 15
    assert [c.header for c in rules.columns][:14] == [
        "线索编号", "客户名称/联系人", "线索来源", "所属阶段", "首次接触时间", "最近跟进时间", "跟进方式",
        "跟进内容摘要", "客户需求/痛点", "预计成交日期", "预计成交金额(万元)", "负责人",
        "当前阶段停留时长(天)", "转化率/阶段通过率(可选)",
    ]


def test_default_limits_and_total_labels(rules):
    limits = rules.limits
    # Room for the largest sheet Excel holds: 1,048,576 rows of the familiar columns.
    assert (limits.max_file_mb, limits.max_unpacked_mb, limits.max_compression_ratio) == (300, 2000, 100)
    assert (limits.max_zip_entries, limits.max_rows, limits.max_columns, limits.max_cells) == (
        10_000, 1_048_576, 500, 25_000_000,
    )
    assert rules.total_labels == ("合计", "总计", "小计")


def test_repository_rules_are_the_packaged_default():
    assert (REPO / "rules" / "funnel.toml").read_bytes() == default_rules_path().read_bytes()


@pytest.mark.parametrize(
    "header, alias",
    [("预计成交金额(万元)", "预计成交金额（万元）"), ("当前阶段停留时长(天)", "当前阶段\n停留时长 (天)"),
     ("Lead ID", " lead id "), ("ＬＦ", "LF")],
)
def test_header_folding(header, alias):
    assert normalize_header(header) == normalize_header(alias)


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = default_rules_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "rules.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old, new, key",
    [
        ("version = 1", "version = 2", "version"),
        ("lost_labels = [\"无效线索\"]", "lost_labels = []", "lost_labels"),
        ("max_dwell_days = 15", "max_dwell_days = -1", "stages[1].max_dwell_days"),
        ("win_probability = 0.35", "win_probability = 1.5", "stages[2].win_probability"),
        ("name = \"方案提案\"", "name = \"需求挖掘\"", "stages"),
        ("stale_follow_up_days = 14", "stale_follow_up_days = \"14\"", "thresholds.stale_follow_up_days"),
        ("[thresholds]", "[thresholds]\nstale_days = 3", "thresholds.stale_days"),
        ("kind = \"date\"", "kind = \"datum\"", "columns.first_contact.kind"),
        ("metric = \"loss_rate\"", "metric = \"loss\"", "suggestions[1].metric"),
        ("stage = \"方案提案\"\nabove", "stage = \"已成交\"\nabove", "suggestions[1].stage"),
        ("lead_id_pattern = '^LF\\d{4}\\d{3,}$'", "lead_id_pattern = '^LF(['", "lead_id_pattern"),
        ("aliases = [\"来源\",", "aliases = [\"编号\",", "columns.source.aliases"),
        ("max_rows = 1048576", "max_rows = 0", "limits.max_rows"),
        ("max_file_mb = 300", "max_file_mb = \"300\"", "limits.max_file_mb"),
        ("[limits]", "[limits]\nmax_sheets = 3", "limits.max_sheets"),
        ("leads = [\"线索跟踪\",", "leads = [\"线索/跟踪\",", "sheets.leads[0]"),
        ("leads = [\"线索跟踪\",", "leads = [\"History\",", "sheets.leads[0]"),
        ("leads = [\"线索跟踪\",", "leads = [\"" + "长" * 32 + "\",", "sheets.leads[0]"),
        ("total_labels = [\"合计\",", "total_labels = [\"\",", "sheets.total_labels[0]"),
    ],
)
def test_mistakes_name_file_and_key(tmp_path, old, new, key):
    path = edited(tmp_path, old, new)
    with pytest.raises(RulesError) as exc:
        load_rules(path)
    assert str(path) in str(exc.value)
    assert f"「{key}」" in str(exc.value)


def test_missing_core_column(tmp_path):
    text = default_rules_path().read_text(encoding="utf-8")
    start = text.index("[columns.owner]")
    end = text.index("[columns.dwell_days]")
    path = tmp_path / "rules.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(RulesError, match="「columns.owner」缺失"):
        load_rules(path)


def test_not_toml_and_not_found(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("stages = [", encoding="utf-8")
    with pytest.raises(RulesError, match="不是有效的 TOML"):
        load_rules(bad)
    with pytest.raises(RulesError, match="规则文件不存在"):
        load_rules(tmp_path / "nope.toml")


def test_rules_path_that_is_not_a_file(tmp_path):
    with pytest.raises(RulesError, match="是一个文件夹，不是规则文件"):
        load_rules(tmp_path)
    pipe = tmp_path / "rules.toml"
    os.mkfifo(pipe)
    with pytest.raises(RulesError, match="不是普通文件"):  # and does not wait for a writer
        load_rules(pipe)


def test_default_log_columns_and_thresholds(rules):
    assert rules.log_sheets[0] == "跟进记录"
    assert [c.header for c in rules.log_columns] == [
        "线索编号", "跟进时间", "跟进方式", "沟通内容", "客户反馈/异议", "下一步行动", "下次沟通时间", "阶段调整为", "跟进人",
    ]
    assert [c.field for c in rules.log_columns if c.required] == ["lead_id", "time", "stage_change"]
    t = rules.thresholds
    assert (t.low_channel_win_rate, t.low_channel_first_pass_rate, t.low_channel_months) == (0.1, 0.5, 3)


@pytest.mark.parametrize(
    "old, new, key",
    [
        ("low_channel_months = 3", "low_channel_months = 0", "thresholds.low_channel_months"),
        ("low_channel_win_rate = 0.1", "low_channel_win_rate = 10", "thresholds.low_channel_win_rate"),
        ('log = ["跟进记录"', 'log = ["线索跟踪"', "sheets.log"),
        ('"Contact Date"]\nkind = "date"', '"Contact Date"]\nkind = "number"', "log_columns.time.kind"),
        ('"Moved To"]\nkind = "stage"', '"Moved To"]\nkind = "text"', "log_columns.stage_change.kind"),
        ('header = "跟进人"', 'header = "跟进人"\ncomputed = true', "log_columns.by.computed"),
        ('aliases = ["沟通方式"', 'aliases = ["跟进时间"', "log_columns.method.aliases"),
    ],
)
def test_log_and_channel_mistakes_name_file_and_key(tmp_path, old, new, key):
    path = edited(tmp_path, old, new)
    with pytest.raises(RulesError) as exc:
        load_rules(path)
    assert str(path) in str(exc.value)
    assert f"「{key}」" in str(exc.value)


def test_missing_log_core_column(tmp_path):
    text = default_rules_path().read_text(encoding="utf-8")
    start = text.index("[log_columns.stage_change]")
    end = text.index("[log_columns.by]")
    path = tmp_path / "rules.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(RulesError, match="「log_columns.stage_change」缺失"):
        load_rules(path)
