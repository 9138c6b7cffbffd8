"""Honest comparisons: Wilson intervals, small samples, the best rep, the weakest transition, win
rate by amount and the cycle of lost leads. Every expected figure is worked out by hand below."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from funnel_xl import analyse, write_outputs
from funnel_xl.metrics import WILSON_Z, Rate, wilson_interval
from funnel_xl.standings import leading
from tests.conftest import edited_rules, lead, write_workbook

D = date
AS_OF = D(2024, 5, 31)


def test_wilson_worked_example():
    # 7 of 9, z = 1.959964: z² = 3.841459; z²/n = 0.426829; denominator 1.426829.
    # centre = (7/9 + z²/2n) / denominator = (0.777778 + 0.213414) / 1.426829 = 0.694682
    # half = z / denominator × √(p(1 − p)/n + z²/4n²)
    #      = 1.373650 × √(0.777778 × 0.222222 / 9 + 3.841459 / 324)
    #      = 1.373650 × √(0.019204 + 0.011856) = 1.373650 × 0.176241 = 0.242093
    # → [0.452589, 0.936775]
    assert WILSON_Z == 1.959964
    low, high = wilson_interval(7, 9)
    assert low == pytest.approx(0.452589, abs=5e-6)
    assert high == pytest.approx(0.936775, abs=5e-6)


@pytest.mark.parametrize(
    "k, n, low, high",
    [
        # 1 of 1: denominator 1 + 3.841459 = 4.841459; centre (1 + 1.920730) / 4.841459 = 0.603275;
        # half 0.404829 × √(3.841459 / 4) = 0.404829 × 0.979982 = 0.396725 → [0.206550, 1].
        (1, 1, 0.206550, 1.0),
        # 0 of 5: z²/n = 0.768292, denominator 1.768292; centre 0.384146 / 1.768292 = 0.217241;
        # half = 1.108393 × √(3.841459 / 100) = 1.108393 × 0.195996 = 0.217241 → [0, 0.434482].
        (0, 5, 0.0, 0.434482),
        # 20 of 20: z²/n = 0.192073, denominator 1.192073; centre 1.096037 / 1.192073 = 0.919438;
        # half 1.644163 × √(3.841459 / 1600) = 1.644163 × 0.048999 = 0.080563 → [0.838875, 1].
        (20, 20, 0.838875, 1.0),
    ],
)
def test_wilson_edges(k, n, low, high):
    got = wilson_interval(k, n)
    assert got == (pytest.approx(low, abs=5e-6), pytest.approx(high, abs=5e-6))


def test_no_leads_no_interval():
    assert wilson_interval(0, 0) is None
    assert Rate(0, 0).value is None and Rate(0, 0).low is None
    assert Rate(3, 4).small(10) and not Rate(3, 10).small(10) and not Rate(0, 0).small(10)


def test_one_of_one_never_leads():
    team = 21 / 41
    rates = {"甲": Rate(20, 20), "乙": Rate(0, 20), "丙": Rate(1, 1)}
    # 20 of 20 is above the team's 0.5122 with 20 ≥ min_sample: it leads. 1 of 1 is as high
    # (100%) but 1 < 10; with min_sample = 1 the tie goes to the larger sample: never the leader.
    assert leading(rates, team, 10) == "甲"
    assert leading(rates, team, 1) == "甲"
    # Nobody above the team with enough leads: 1 of 1 is too few, 0 of 20 below.
    assert leading({"乙": Rate(0, 20), "丙": Rate(1, 1)}, team, 10) is None
    assert leading({"甲": Rate(20, 20)}, None, 10) is None


def best_rep_rows():
    # 甲: 20 leads in 需求挖掘 → 潜在接触→需求挖掘 20 of 20.
    # 乙: 20 leads lost in 潜在接触 → 0 of 20.
    # 丙: 1 lead in 需求挖掘 → 1 of 1.
    # Team: 21 of 41 = 51.2%.
    rows = [lead(f"LF2024{i:03d}", "需求挖掘", D(2024, 5, 1), "甲", last=D(2024, 5, 30),
                 entered=D(2024, 5, 20)) for i in range(1, 21)]
    rows += [lead(f"LF2024{i:03d}", "无效线索", D(2024, 5, 1), "乙", last=D(2024, 5, 10),
                  lost_at="潜在接触") for i in range(21, 41)]
    rows.append(lead("LF2024041", "需求挖掘", D(2024, 5, 1), "丙", last=D(2024, 5, 30),
                     entered=D(2024, 5, 20)))
    return rows


@pytest.mark.parametrize("min_sample", [10, 1])
def test_best_rep_highlight_on_the_sheet(tmp_path, min_sample):
    rules = edited_rules(tmp_path, ("min_sample = 10", f"min_sample = {min_sample}"))
    path = write_workbook(tmp_path / "team.xlsx", best_rep_rows())
    analysis = analyse([path], rules, as_of=AS_OF)
    report = write_outputs(analysis, tmp_path / "out").report
    ws = openpyxl.load_workbook(report)["负责人对比"]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "潜在接触→需求挖掘")
    rows = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(head + 1, head + 4)}
    assert {name: cell.value for name, cell in rows.items()} == {"甲": 1.0, "乙": 0.0, "丙": 1.0}

    def best(name):
        cell = rows[name]
        return bool(cell.font.b) and cell.fill.fgColor.rgb.endswith("C6EFCE")

    # 甲's 20 of 20 leads (above the team's 51%, at least min_sample). 丙's 1 of 1 is as high but
    # never leads: with min_sample 10 it is too few, with 1 the tie goes to the larger sample.
    assert (best("甲"), best("乙"), best("丙")) == (True, False, False)
    assert rows["甲"].number_format == '0%"（20/20）"'
    assert rows["丙"].number_format == '0%"（1/1）"'
    assert rows["丙"].font.i == (min_sample > 1)  # greyed only as a small sample
    texts = [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "潜在接触→需求挖掘：甲 100%（20/20），团队 51%" in texts


def test_worst_transition_of_a_small_team_is_not_called(tmp_path, rules):
    # Two transitions defined: 潜在接触→需求挖掘 21 of 41 and 需求挖掘→方案提案 0 of 0 (exited 0);
    # the weakest with at least 10 exited is 潜在接触→需求挖掘.
    path = write_workbook(tmp_path / "team.xlsx", best_rep_rows())
    worst = analyse([path], rules, as_of=AS_OF).team.worst_transition
    assert (worst.label, worst.rate, worst.exited) == ("潜在接触→需求挖掘", pytest.approx(21 / 41), 41)


def test_win_rate_by_amount_and_lost_cycle(tmp_path, rules):
    rows = [
        lead("LF2024001", "已成交", D(2024, 1, 10), amount=80, entered=D(2024, 3, 10)),
        lead("LF2024002", "已成交", D(2024, 2, 1), amount=30, entered=D(2024, 5, 1)),
        # lost on 04-01 (阶段进入日期 of a lost lead: the day it was marked lost): 31 days
        lead("LF2024003", "无效线索", D(2024, 3, 1), amount=50, entered=D(2024, 4, 1), lost_at="方案提案"),
        # lost on 04-21: 30 + 21 = 51 days
        lead("LF2024004", "无效线索", D(2024, 3, 1), amount=20, entered=D(2024, 4, 21), lost_at="需求挖掘"),
        # lost, date unknown, no amount: counts by number, not in the cycle
        lead("LF2024005", "无效线索", D(2024, 3, 1), lost_at="需求挖掘"),
    ]
    team = analyse([write_workbook(tmp_path / "t.xlsx", rows)], rules, as_of=AS_OF).team
    assert team.win_rate == pytest.approx(2 / 5)
    # (80 + 30) / (80 + 30 + 50 + 20) = 110 / 180
    assert team.win_rate_amount == pytest.approx(110 / 180)
    assert (team.won_amount, team.lost_amount) == (pytest.approx(110), pytest.approx(70))
    assert (team.lost_cycle_mean, team.lost_cycle_median, team.lost_cycle_count) == (
        pytest.approx(41), pytest.approx(41), 2,
    )
    # won: 01-10 → 03-10 = 21 + 29 + 10 = 60; 02-01 → 05-01 = 29 + 31 + 30 = 90
    assert (team.cycle_mean, team.cycle_median) == (pytest.approx(75), pytest.approx(75))


@pytest.mark.parametrize(
    "lost, passed, fires",
    [
        # 潜在接触→需求挖掘 2 of 14 = 14% < 50% from 14 ≥ 10 leads that left 潜在接触: fires.
        (12, 2, True),
        # 0 of 2 = 0%, but from 2 < 10 leads: no evidence, no suggestion.
        (2, 0, False),
    ],
)
def test_stage_suggestions_need_a_sample(tmp_path, rules, lost, passed, fires):
    rows = [lead(f"LF2024{i:03d}", "无效线索", D(2024, 5, 1), lost_at="潜在接触") for i in range(lost)]
    rows += [lead(f"LF2024{100 + i:03d}", "需求挖掘", D(2024, 5, 1), entered=D(2024, 5, 20))
             for i in range(passed)]
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", rows)], rules, as_of=AS_OF)
    fired = [s.text for s in analysis.result.suggestions if s.metric == "pass_rate"]
    assert bool(fired) == fires
    if fires:
        assert fired == ["潜在接触→需求挖掘通过率仅 14%：优化初步筛选话术，增加需求挖掘类提问。"]
