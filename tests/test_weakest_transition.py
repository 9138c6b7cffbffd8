"""No transition is called the weakest on a figure that means nothing: a 100% pass rate is no weak
link, and while lost leads say at no stage where they were lost every pass rate reads high.

The team (default rules, as of 2024-05-31; every lead first contacted 2024-05-20):
10 in 潜在接触, 12 in 需求挖掘, 4 in 方案提案, 6 已成交, 8 无效线索.

Losses placed at no stage (no 流失阶段):
    reached(潜在接触) = 10 + 12 + 4 + 6 = 32, exited = 32 − 10 = 22, reached(需求挖掘) = 12 + 4 + 6 = 22
    → 潜在接触→需求挖掘 22/22 = 100%; 需求挖掘→方案提案: exited 22 − 12 = 10, reached 4 + 6 = 10 → 100%;
    the later transitions have 6 exits each (fewer than min_sample 10). Every rate is 100%: the 8
    losses are exits of no stage. Named before: 潜在接触→需求挖掘 (100%, 22/22) as the weakest.

The same 8 losses placed at 需求挖掘:
    reached(潜在接触) = 32 + 8 = 40, exited = 30, reached(需求挖掘) = 22 + 8 = 30 → 30/30 = 100%;
    需求挖掘→方案提案: exited 30 − 12 = 18, reached 10 → 10/18 = 56%: the weakest, 18 ≥ 10 exits.
"""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl import analyse, load_rules, write_outputs
from funnel_xl.cli import cli
from tests.conftest import FAMILIAR, lead, write_workbook

AS_OF = date(2024, 5, 31)
HEADERS = [*FAMILIAR, "阶段进入日期", "流失阶段"]


def team(tmp_path, lost_at: str | None = None):
    rows = []
    for stage, count, entered in (("潜在接触", 10, None), ("需求挖掘", 12, 21), ("方案提案", 4, 22),
                                  ("已成交", 6, 25), ("无效线索", 8, 26)):
        for _ in range(count):
            extra = {"entered": date(2024, 5, entered)} if entered else {}
            if stage == "无效线索" and lost_at:
                extra["lost_at"] = lost_at
            rows.append(lead(f"LF2024{len(rows) + 1:03d}", stage, date(2024, 5, 20), **extra))
    return write_workbook(tmp_path / "team.xlsx", rows, HEADERS)


def lines(book, sheet: str) -> list[str]:
    return [" | ".join(str(c) for c in row if c not in (None, ""))
            for row in book[sheet].iter_rows(values_only=True) if any(c not in (None, "") for c in row)]


def test_losses_at_no_stage_name_no_weakest_transition(tmp_path):
    analysis = analyse([team(tmp_path)], load_rules(), as_of=AS_OF)
    rates = [(t.label, t.passed, t.exited) for t in analysis.team.transitions[:2]]
    assert rates == [("潜在接触→需求挖掘", 22, 22), ("需求挖掘→方案提案", 10, 10)]
    assert analysis.team.totals.lost_unknown_stage == 8
    assert analysis.team.worst_transition is None
    out = write_outputs(analysis, tmp_path / "out", json_path=tmp_path / "out.json")
    book = openpyxl.load_workbook(out.report)
    overview = lines(book, "总览")
    attention = overview[overview.index("需要关注") + 1]
    assert attention == ("1. 8 条流失未标明流失阶段，通过率偏高，看不出哪一步最薄弱：请为流失的线索填写流失阶段。")
    assert not [line for line in overview if "最薄弱环节" in line]
    assert lines(book, "优化建议")[-1] == "本期数字没有触发任何优化建议规则。"
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["worst_transition"] is None


def test_placed_losses_name_the_weakest_transition(tmp_path):
    analysis = analyse([team(tmp_path, lost_at="需求挖掘")], load_rules(), as_of=AS_OF)
    worst = analysis.team.worst_transition
    assert (worst.label, worst.passed, worst.exited) == ("需求挖掘→方案提案", 10, 18)
    book = openpyxl.load_workbook(write_outputs(analysis, tmp_path / "out").report)
    overview = lines(book, "总览")
    assert overview[overview.index("需要关注") + 1] == (
        "1. 最薄弱环节 需求挖掘→方案提案：通过率 56%（10/18），复盘这一步的做法。")


def test_a_transition_every_lead_passed_is_not_the_weakest(tmp_path):
    # No lead lost at all: 潜在接触→需求挖掘 22/22 and 需求挖掘→方案提案 10/10, both 100%.
    rows = [lead(f"LF2024{i:03d}", stage, date(2024, 5, 20), entered=date(2024, 5, 21))
            for i, stage in enumerate(["潜在接触"] * 10 + ["需求挖掘"] * 12 + ["方案提案"] * 4 + ["已成交"] * 6, 1)]
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", rows, HEADERS)], load_rules(), as_of=AS_OF)
    assert [t.rate for t in analysis.team.transitions[:2]] == [1.0, 1.0]
    assert analysis.team.worst_transition is None
    assert all(a.kind != "weakest" for a in analysis.attention)


@pytest.mark.parametrize("lang, said", [
    ("zh", "最薄弱环节: 无法判断（8 条流失未标明流失阶段，通过率偏高）"),
    ("en", "Weakest transition: cannot be told (8 lost deals do not say at which stage, so the pass rates read high)"),
])
def test_the_rebuild_summary_says_why(tmp_path, lang, said):
    result = CliRunner().invoke(cli, ["rebuild", str(team(tmp_path)), "--as-of", "2024-05-31", "--no-history",
                                      "--out", str(tmp_path / "out"), "--lang", lang, "-q"])
    assert result.exit_code == 0, result.output
    assert said in result.stdout.splitlines()


def test_a_loss_placed_at_no_stage_that_cannot_change_the_weakest(tmp_path):
    # The 8 losses at 需求挖掘 and a ninth at no stage (u = 1): 需求挖掘→方案提案 10/18 stays the
    # lowest wherever it was lost. Lost after it, it lifts it to 11/19 = 58%, while a transition
    # after it falls at most to 6/7 = 86%; lost in 潜在接触 it makes 潜在接触→需求挖掘 30/31 = 97%.
    path = team(tmp_path, lost_at="需求挖掘")
    book = openpyxl.load_workbook(path)
    book.active.append([{"线索编号": "LF2024041", "所属阶段": "无效线索"}.get(h) or cell
                        for h, cell in zip(HEADERS, [c.value for c in book.active[2]], strict=True)])
    book.save(path)
    analysis = analyse([path], load_rules(), as_of=AS_OF)
    assert analysis.team.totals.lost_unknown_stage == 1
    worst = analysis.team.worst_transition
    assert (worst.label, worst.passed, worst.exited) == ("需求挖掘→方案提案", 10, 18)
    assert not analysis.team.worst_hidden_by_unplaced_losses
