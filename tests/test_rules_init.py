"""`funnel-xl rules init` drafts a rules file from a sheet; `funnel-xl rules check` explains it."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from click.testing import CliRunner

from funnel_xl import analyse, load_rules
from funnel_xl.cli import cli
from funnel_xl.draft import draft_rules
from tests.conftest import lead, write_workbook
from tests.test_foreign import csv_bytes

D = date

# A CRM export: no ID column (the organisation names are all different), the deal stage filled
# only for opportunities, a column numbering the stages, dates as M/D/YYYY, dollars.
CRM_HEADERS = ["Organization", "Country", "Owner", "Lead acquisition date", "Product", "Status",
               "Stage", "Stage sequence", "Deal Value, $", "Latitude"]
CRM_ROWS = [
    ["Acme", "Italy", "Ann", "1/15/2024", "SAAS", "Opportunity", "Nurturing", "3", "1000", "41.9"],
    ["Bolt", "Spain", "Bob", "2/20/2024", "Services", "Opportunity", "Won", "5", "2000", "40.4"],
    ["Core", "Italy", "Ann", "3/3/2024", "SAAS", "New", "", "", "300", "41.9"],
    ["Dyne", "Spain", "Bob", "1/5/2024", "SAAS", "Opportunity", "Opened", "1", "400", "40.4"],
    ["Echo", "Italy", "Ann", "2/29/2024", "Services", "Opportunity", "Lost", "6", "500", "41.9"],
    ["Flux", "France", "Bob", "3/13/2024", "Custom", "Opportunity", "Initial contact", "2", "600", "48.8"],
    ["Gale", "France", "Ann", "1/22/2024", "SAAS", "Qualified", "", "", "700", "48.8"],
    ["Helm", "Italy", "Bob", "2/2/2024", "Custom", "Opportunity", "Proposal sent", "4", "800", "41.9"],
]


@pytest.fixture
def crm(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([CRM_HEADERS, *CRM_ROWS]))
    return path


def test_draft_of_a_crm_export(tmp_path, crm):
    text = draft_rules(crm)
    data = tomllib.loads(text)
    # Ordered by Stage sequence (1…5), not by first appearance (Nurturing, Won, Opened, …).
    assert [s["name"] for s in data["stages"]] == [
        "Opened", "Initial contact", "Nurturing", "Proposal sent", "Won",
    ]
    assert data["lost_labels"] == ["Lost"]
    assert data["amount_unit"] == "$"
    assert data["input"]["date_formats"] == ["%m/%d/%Y"]  # 1/15, 2/20, 2/29: a second part > 12
    assert data["sheets"]["skip_rows_without_stage"] is True  # Core and Gale have no Stage
    assert data["dimensions"]["channel"] == "product"
    columns = data["columns"]
    assert columns["lead_id"]["header"] == "Organization"  # every value different, no ID column
    assert (columns["stage"]["header"], columns["owner"]["header"]) == ("Stage", "Owner")
    assert columns["first_contact"]["header"] == "Lead acquisition date"
    assert columns["amount"]["header"] == "Deal Value, $"
    assert columns["product"] == {"header": "Product", "kind": "text", "required": False}
    assert "# extra = [\"country\", \"status\"]" in text
    assert "#   J 'Latitude'" in text
    assert "number 3 in column 'Stage sequence'" in text
    # The draft loads, and reads the export: 6 deals, won Bolt, lost Echo → win rate 1 / 2.
    path = tmp_path / "draft.toml"
    path.write_text(text, encoding="utf-8")
    rules = load_rules(path)
    analysis = analyse([crm], rules, as_of=D(2024, 6, 30))
    team = analysis.team
    assert (team.totals.valid, team.totals.won, team.totals.lost) == (6, 1, 1)
    assert team.win_rate == pytest.approx(1 / 2)
    assert analysis.inputs[0].skipped_without_stage == 2


def test_draft_reads_day_first_dates(tmp_path):
    rows = [["Deal", "Stage", "Owner", "Created", "Source"],
            ["D-1", "Open", "Ann", "25.03.2024", "Web"], ["D-2", "Won", "Bob", "02.04.2024", "Fair"]]
    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes(rows))
    data = tomllib.loads(draft_rules(path))
    assert data["input"]["date_formats"] == ["%d.%m.%Y"]  # 25 cannot be a month
    assert [s["name"] for s in data["stages"]] == ["Open", "Won"]
    assert data["dimensions"]["channel"] == "source"
    assert data["sources"] == ["Web", "Fair"]


def test_draft_of_the_teams_own_sheet_keeps_the_rules(tmp_path, rules):
    rows = [
        lead("LF2024001", "需求挖掘", D(2024, 3, 1)),
        lead("LF2024002", "已成交", D(2024, 3, 2), entered=D(2024, 5, 1)),
        lead("LF2024003", "潜在接触", D(2024, 3, 3)),
        lead("LF2024004", "商务谈判", D(2024, 3, 4)),
        lead("LF2024005", "需求挖据", D(2024, 3, 5)),  # a typo, one row in five
    ]
    path = write_workbook(tmp_path / "team.xlsx", rows)
    text = draft_rules(path, rules)
    data = tomllib.loads(text)
    assert [s["name"] for s in data["stages"]] == list(rules.stage_names)
    assert data["stages"][1]["max_dwell_days"] == 15  # the rules' own limits kept
    assert data["lost_labels"] == ["无效线索"]
    assert data["sheets"]["leads"] == ["线索跟踪"]
    assert data["lead_id_pattern"] == rules.lead_id_pattern
    assert '# "需求挖据" = "需求挖掘"' in text
    assert data["columns"]["amount"]["header"] == "预计成交金额(万元)"
    assert data["amount_unit"] == "万元"
    draft = tmp_path / "draft.toml"
    draft.write_text(text, encoding="utf-8")
    assert load_rules(draft).stage_names == rules.stage_names


def test_draft_marks_a_required_column_it_cannot_find(tmp_path):
    rows = [["Stage", "Owner", "Created"], ["Open", "Ann", "2024-03-01"], ["Won", "Bob", "2024-03-02"]]
    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes(rows))
    text = draft_rules(path)
    assert "# NOT FOUND in the sheet: set header to its column. CHECK\n[columns.lead_id]" in text
    draft = tmp_path / "draft.toml"
    draft.write_text(text, encoding="utf-8")
    load_rules(draft)  # it loads; `rules check … d.csv` then names the missing column


# ---------------------------------------------------------------------------
# The commands
# ---------------------------------------------------------------------------


def test_rules_init_writes_refuses_to_overwrite_and_prints(tmp_path, crm):
    runner = CliRunner()
    out = tmp_path / "my_rules.toml"
    result = runner.invoke(cli, ["rules", "init", "--from", str(crm), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "funnel-xl rules check" in result.stderr
    assert tomllib.loads(out.read_text(encoding="utf-8"))["lost_labels"] == ["Lost"]
    again = runner.invoke(cli, ["rules", "init", "--from", str(crm), "-o", str(out)])
    # The sheet is in English, so the draft says lang = "en" and the command speaks English.
    assert again.exit_code == 2 and "exists and was not overwritten" in again.stderr
    assert runner.invoke(cli, ["rules", "init", "--from", str(crm), "-o", str(out), "--force"]).exit_code == 0
    printed = runner.invoke(cli, ["rules", "init", "--from", str(crm)])
    assert printed.exit_code == 0
    assert printed.stdout == out.read_text(encoding="utf-8")
    onto_input = runner.invoke(cli, ["rules", "init", "--from", str(crm), "-o", str(crm), "--force"])
    # The refusal speaks the draft's language too (English here).
    assert onto_input.exit_code == 2 and "would overwrite it" in onto_input.stderr
    missing = runner.invoke(cli, ["rules", "init", "--from", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_rules_check_lists_every_mistake(tmp_path, crm):
    runner = CliRunner()
    text = draft_rules(crm)
    bad = text.replace('lang = "en"', 'lang = "de"').replace(
        'channel = "product"', 'channel = "produkt"'
    ).replace("max_dwell_days = 30", "max_dwell_days = -1", 1)
    path = tmp_path / "bad.toml"
    path.write_text(bad, encoding="utf-8")
    result = runner.invoke(cli, ["rules", "check", str(path)])
    assert result.exit_code == 2
    assert "有 3 处需要改正" in result.stderr
    for key in ("lang", "dimensions.channel", "stages[0].max_dwell_days"):
        assert f"「{key}」" in result.stderr
    assert "「dimensions.channel」「produkt」不是 [columns] 中定义的字段" in result.stderr
    syntax = tmp_path / "syntax.toml"
    syntax.write_text("stages = [", encoding="utf-8")
    broken = runner.invoke(cli, ["rules", "check", str(syntax)])
    assert broken.exit_code == 2 and "不是有效的 TOML" in broken.stderr


def test_rules_check_against_a_sheet(tmp_path, crm):
    runner = CliRunner()
    path = tmp_path / "rules.toml"
    path.write_text(draft_rules(crm), encoding="utf-8")
    result = runner.invoke(cli, ["rules", "check", str(path), str(crm), "--as-of", "2024-06-30"])
    assert result.exit_code == 0, result.output
    assert "Opened → Initial contact → Nurturing → Proposal sent → Won" in result.stdout
    assert "6 leads (2 more rows have no stage and are left out, as the rules say)" in result.stdout
    assert "lead_id            ← column A 'Organization'" in result.stdout
    # A sheet where a stage is written differently, and one without the Owner column.
    other = tmp_path / "other.csv"
    rows = [CRM_HEADERS, [*CRM_ROWS[0][:6], "Nurture", *CRM_ROWS[0][7:]], CRM_ROWS[1]]
    other.write_bytes(csv_bytes(rows))
    no_owner = tmp_path / "no_owner.csv"
    no_owner.write_bytes(csv_bytes([[h for h in CRM_HEADERS if h != "Owner"]]))
    result = runner.invoke(cli, ["rules", "check", str(path), str(other), str(no_owner), "--as-of", "2024-06-30"])
    assert result.exit_code == 2
    assert "Stage values the rules do not know: 'Nurture' (1 rows)" in result.stdout
    assert "lacks the column 'Owner'" in result.stderr
