"""The public CRM data set (../shared/datasets/crm-pipelines) through `funnel-xl rules init` with
no edit: the drafted rules give the figures its README states, counted here from the CSV with the
standard library (83 won deals, 867 opportunities, 83 / 867 = 9.6%, $2,295,859 of deal value)."""

from __future__ import annotations

import csv
import json
import shlex
import shutil
import tomllib
from collections import Counter

import pytest
from click.testing import CliRunner

from funnel_xl.cli import cli
from tests.conftest import REPO
from tests.test_crm_example import CSV, DATASET, OPEN
from tests.test_readme_commands import funnel_commands

pytestmark = pytest.mark.skipif(not CSV.exists(), reason=f"the public CRM data set is not at {DATASET}")


def test_the_drafted_rules_unchanged_give_the_publishers_figures(tmp_path):
    with CSV.open(encoding="utf-8", newline="") as f:
        export = list(csv.DictReader(f))
    rules = tmp_path / "rules.toml"
    runner = CliRunner()
    init = runner.invoke(cli, ["rules", "init", "--from", str(CSV), "-o", str(rules)])
    assert init.exit_code == 0, init.output
    text = rules.read_text(encoding="utf-8")
    # No line to check: the Stage sequence column numbers the stages, the header says dollars.
    assert [line for line in text.splitlines() if line.rstrip().endswith("CHECK")] == []
    data = tomllib.loads(text)
    assert [s["name"] for s in data["stages"]] == [*OPEN, "Won"]
    assert (data["lang"], data["amount_unit"], data["lost_labels"]) == ("en", "$", ["Lost"])
    figures_path = tmp_path / "figures.json"
    rebuilt = runner.invoke(cli, ["rebuild", str(CSV), "--rules", str(rules), "--as-of", "2024-09-30",
                                  "--out", str(tmp_path / "out"), "--json", str(figures_path), "--no-history"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Win rate 57.6% (83 won / 144 closed)" in rebuilt.stdout  # in English, as drafted
    figures = json.loads(figures_path.read_text(encoding="utf-8"))
    stages = Counter(row["Stage"] for row in export)
    value = Counter()
    for row in export:
        value[row["Stage"]] += int(row["Deal Value, $"])
    totals = figures["totals"]
    assert (totals["valid"], totals["won"], totals["lost"], totals["excluded"]) == (867, 83, 61, 0)
    assert sum(row["Status"] == "Opportunity" for row in export) == 867
    assert figures["overall_conversion"] == pytest.approx(83 / 867)  # the publisher's 9.6% "win rate"
    assert figures["win_rate"] == pytest.approx(83 / (83 + 61))  # ours: over closed deals
    assert figures["won_amount"] == value["Won"] == 183_955
    assert figures["pipeline"] == sum(value[s] for s in OPEN) == 1_911_789
    # The publisher's "about $2.3M" is every opportunity's value, won and lost included.
    assert figures["pipeline"] + figures["won_amount"] + value["Lost"] == 2_295_859
    won_by_owner = Counter()
    for row in export:
        if row["Stage"] == "Won":
            won_by_owner[row["Owner"]] += int(row["Deal Value, $"])
    assert {o: m["won_amount"] for o, m in figures["by_owner"].items() if m["won_amount"]} == dict(won_by_owner)
    assert {p: m["totals"]["won"] for p, m in figures["by_source"].items()} == dict(
        Counter(row["Product"] for row in export if row["Stage"] == "Won"))
    assert {s["stage"]: s["current"] for s in figures["stages"]} == {s: stages[s] for s in (*OPEN, "Won")}


def _own_sheet_section(readme: str, title: str) -> str:
    text = (REPO / readme).read_text(encoding="utf-8")
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readmes_walk_through_runs_in_five_commands_or_fewer(tmp_path, monkeypatch):
    commands = funnel_commands(_own_sheet_section("README.en.md", "Your own sheet"))
    assert commands == funnel_commands(_own_sheet_section("README.md", "你自己的表格"))
    assert 1 <= len(commands) <= 5
    shutil.copyfile(CSV, tmp_path / CSV.name)
    monkeypatch.chdir(tmp_path)
    outputs = []
    for command in commands:
        result = CliRunner().invoke(cli, shlex.split(command)[1:])
        assert result.exit_code == 0, f"{command}\n{result.output}"
        outputs.append(result.output)
    init, check, rebuild = outputs
    assert "Next: run funnel-xl rules check crm_rules.toml" in init and "CHECK" not in init
    assert "None of the 61 lost deals says at which stage it was lost" in check  # as the README says
    assert "Win rate 57.6% (83 won / 144 closed)" in rebuild
    assert (tmp_path / "output" / "crm" / "funnel_report_2024-09.xlsx").is_file()
