"""The rules keys a drafted export needs: fallback, may_be_blank and status_values are checked on
load like every other key, and a rules file without them reads as before."""

from __future__ import annotations

import pytest

from funnel_xl import load_rules
from funnel_xl.draft import draft_rules
from funnel_xl.errors import RulesError
from tests.conftest import REPO
from tests.test_foreign import csv_bytes

DEFAULT = (REPO / "rules" / "funnel.toml").read_text(encoding="utf-8")


def rules_with(tmp_path, text: str):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def test_the_default_rules_have_none_of_them():
    rules = load_rules()
    assert rules.status_values == ()
    assert all(c.fallback == () and not c.may_be_blank for c in rules.columns)


def test_fallback_names_another_field_of_the_same_kind(tmp_path):
    entered = '[columns.stage_entered]\nheader = "阶段进入日期"'
    assert entered in DEFAULT
    ok = rules_with(tmp_path, DEFAULT.replace(entered, entered + '\nfallback = ["first_contact"]'))
    assert ok.column("stage_entered").fallback == ("first_contact",)
    with pytest.raises(RulesError) as unknown:
        rules_with(tmp_path, DEFAULT.replace(entered, entered + '\nfallback = ["close_date"]'))
    assert "columns.stage_entered.fallback[0]" in str(unknown.value) and "close_date" in str(unknown.value)
    with pytest.raises(RulesError) as kind:
        rules_with(tmp_path, DEFAULT.replace(entered, entered + '\nfallback = ["owner"]'))
    assert "kind 是 text" in str(kind.value)


def test_may_be_blank_is_for_first_contact_only(tmp_path):
    first = '[columns.first_contact]\nheader = "首次接触时间"'
    owner = '[columns.owner]\nheader = "负责人"'
    assert first in DEFAULT and owner in DEFAULT
    ok = rules_with(tmp_path, DEFAULT.replace(first, first + "\nmay_be_blank = true"))
    assert ok.column("first_contact").may_be_blank
    with pytest.raises(RulesError) as wrong:
        rules_with(tmp_path, DEFAULT.replace(owner, owner + "\nmay_be_blank = true"))
    assert "columns.owner.may_be_blank" in str(wrong.value)


def test_status_values_need_a_status_column_and_name_won_or_lost(tmp_path):
    with pytest.raises(RulesError) as no_column:
        rules_with(tmp_path, DEFAULT + '\n[status_values]\nwon = "已成交"\n')
    assert "[columns.status]" in str(no_column.value)
    status = '\n[columns.status]\nheader = "状态"\nkind = "text"\n'
    ok = rules_with(tmp_path, DEFAULT + status + '\n[status_values]\nWon = "已成交"\nlost = "无效线索"\n')
    assert ok.status_values == (("lost", "无效线索"), ("won", "已成交"))
    with pytest.raises(RulesError) as open_stage:
        rules_with(tmp_path, DEFAULT + status + '\n[status_values]\nwon = "商务谈判"\n')
    assert "status_values.won" in str(open_stage.value)


def test_a_repeated_id_is_pointed_out(tmp_path):
    rows = [["Opportunity Name", "Stage", "Opportunity Owner", "Created Date", "Lead Source"],
            ["Acme renewal", "Prospecting", "Ann", "2024-03-01", "Web"],
            ["Acme renewal", "Closed Won", "Bob", "2024-03-02", "Fair"],
            ["Bolt upsell", "Closed Lost", "Bob", "2024-03-03", "Web"]]
    path = tmp_path / "sf.csv"
    path.write_bytes(csv_bytes(rows))
    text = draft_rules(path)
    assert "# 1 values of 'Opportunity Name' stand on more than one row (e.g. 'Acme renewal'):" in text
