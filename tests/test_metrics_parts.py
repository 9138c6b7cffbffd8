"""The funnel figures of funnel_xl.metrics called directly on one small hand-made team (fast: no
workbook, no validation), with values exactly at each limit (dwell = max_dwell_days, days since the
last follow-up = stale_follow_up_days, a date on the as-of day), skewed cycles (median ≠ mean) and a
lead for every kind of unknown. Every expected figure is worked out by hand in the comments."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest

from funnel_xl.metrics import Evidence, FunnelMetrics, Rate, StageRow, Totals, recalculate
from funnel_xl.rules import Suggestion, load_rules
from tests.test_report import lead

AS_OF = date(2024, 5, 31)
# Default stages: 0 潜在接触 (30 days, 5%), 1 需求挖掘 (15, 15%), 2 方案提案 (21, 35%),
# 3 商务谈判 (30, 60%), 4 成交待签约 (14, 90%), 5 已成交. Stale after 14 days without follow-up.
SHOW, WEB = "展会推广", "官网表单"
TEAM = [
    # A1: 需求挖掘 since 05-16 → dwell 15 = the limit: not stalled; last follow-up 05-17 → 14 days
    # = the limit: not stale; close and next follow-up on the as-of day: neither past.
    lead("A1", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-17", "2024-05-31", 10.0,
         entered="2024-05-16", nxt="2024-05-31"),
    # A2: since 05-15 → 16 > 15: stalled; 15 days since 05-16: stale; close 05-29 and next 05-30 past.
    lead("A2", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-16", "2024-05-29", 20.0,
         entered="2024-05-15", nxt="2024-05-30"),
    # A3: 方案提案 since 05-01 → 30 > 21, but snoozed until 06-10: over the limit, not stalled.
    lead("A3", "甲", WEB, "方案提案", "2024-03-01", "2024-05-30", None, 100.0,
         entered="2024-05-01", snooze_until=pd.Timestamp("2024-06-10")),
    # A4: 商务谈判, no date and no typed dwell: dwell unknown; no amount.
    lead("A4", "乙", WEB, "商务谈判", "2024-03-01", "2024-05-30"),
    # A5: 潜在接触: entered on its first contact 05-21 → dwell 10.
    lead("A5", "乙", WEB, "潜在接触", "2024-05-21", "2024-05-21", None, 5.0),
    # A6: 方案提案, typed dwell 7 at the last follow-up 05-25 → entered 05-18 (estimated), dwell 13.
    lead("A6", "乙", SHOW, "方案提案", "2024-03-01", "2024-05-25", None, 40.0, dwell_days_typed=7.0),
    # Won: cycles 10 (05-01 → 05-11), 20 (04-20 → 05-10), 90 (02-20 → 05-20); W4 undated.
    lead("W1", "甲", SHOW, "已成交", "2024-05-01", "2024-05-11", None, 30.0, entered="2024-05-11"),
    lead("W2", "甲", SHOW, "已成交", "2024-04-20", "2024-05-10", None, 50.0, entered="2024-05-10"),
    lead("W3", "乙", WEB, "已成交", "2024-02-20", "2024-05-20", None, 60.0, entered="2024-05-20"),
    lead("W4", "乙", WEB, "已成交", "2024-01-01", "2024-03-01", None, 7.0),
    # Lost: cycles 10 (03-01 → 03-11), 60 (02-01 → 04-01, a leap February), 4 (03-01 → 03-05).
    lead("L1", "甲", SHOW, "无效线索", "2024-03-01", "2024-03-11", None, 8.0, entered="2024-03-11",
         lost_at="需求挖掘"),
    lead("L2", "乙", WEB, "无效线索", "2024-02-01", "2024-04-01", None, 12.0, entered="2024-04-01",
         lost_at="方案提案"),
    lead("L3", "乙", None, "无效线索", "2024-03-01", "2024-03-05", entered="2024-03-05"),  # no lost-at
]


def rules_with(**thresholds):
    rules = load_rules()
    return dataclasses.replace(rules, thresholds=dataclasses.replace(rules.thresholds, **thresholds))


def result(rows=TEAM, rules=None, **kwargs):
    frame = pd.DataFrame(rows)
    frame["_file"], frame["_sheet"], frame["_row"] = "t.xlsx", "线索跟踪", range(2, 2 + len(frame))
    return recalculate(frame, rules or load_rules(), AS_OF, **kwargs)


@pytest.fixture(scope="module")
def team():
    return result(excluded=3, excluded_by_owner={"甲": 2, "乙": 1}, excluded_by_source={WEB: 1})


def by_id(leads: pd.DataFrame, column: str) -> dict:
    return {k: (None if pd.isna(v) else v) for k, v in zip(leads["lead_id"], leads[column], strict=True)}


def test_per_lead_dwell_sources_and_flags(team):
    leads = team.leads
    assert by_id(leads, "dwell_days") == {
        "A1": 15, "A2": 16, "A3": 30, "A4": None, "A5": 10, "A6": 13,
        "W1": None, "W2": None, "W3": None, "W4": None, "L1": None, "L2": None, "L3": None,
    }
    assert by_id(leads, "stage_entered_source") == {
        "A1": "column", "A2": "column", "A3": "column", "A4": "unknown", "A5": "first_contact",
        "A6": "estimated", "W1": "column", "W2": "column", "W3": "column", "W4": "unknown",
        "L1": "column", "L2": "column", "L3": "column",
    }
    assert by_id(leads, "stage_entered")["A6"] == pd.Timestamp("2024-05-18")
    flagged = {flag: sorted(leads.loc[leads[flag], "lead_id"]) for flag in
               ("stalled", "over_limit", "snoozed", "overdue", "stale", "close_past")}
    assert flagged == {
        "stalled": ["A2"], "over_limit": ["A2", "A3"], "snoozed": ["A3"], "overdue": ["A2"],
        "stale": ["A2"], "close_past": ["A2"],
    }
    # Days since the last follow-up, every lead (the won and lost too).
    assert by_id(leads, "days_since_follow_up")["A1"] == 14
    assert by_id(leads, "days_since_follow_up")["W4"] == 91  # 03-01 → 05-31: 30 + 30 + 31
    # Dwell on the day of the last follow-up: A1 05-16 → 05-17 = 1; A6 05-18 → 05-25 = 7.
    assert by_id(leads, "dwell_at_follow_up")["A1"] == 1 and by_id(leads, "dwell_at_follow_up")["A6"] == 7
    assert by_id(leads, "cycle_days") == {
        **dict.fromkeys(["A1", "A2", "A3", "A4", "A5", "A6", "W4", "L1", "L2", "L3"]),
        "W1": 10, "W2": 20, "W3": 90,
    }
    assert {k: v for k, v in by_id(leads, "lost_cycle_days").items() if v is not None} == {
        "L1": 10, "L2": 60, "L3": 4,
    }
    assert by_id(leads, "status")["L3"] == "lost" and by_id(leads, "lost_at_idx")["L3"] is None
    assert by_id(leads, "stage_idx")["W1"] == 5 and by_id(leads, "lost_at_idx")["L2"] == 2


def test_team_totals_rates_and_money(team):
    m = team.team
    t = m.totals
    assert (t.total, t.valid, t.active, t.won, t.lost, t.excluded, t.lost_unknown_stage) == (16, 13, 6, 4, 3, 3, 1)
    assert m.win_rate == pytest.approx(4 / 7)
    assert m.overall_conversion == pytest.approx(4 / 13)
    # Pipeline: 10 + 20 + 100 + 5 + 40 = 175; weighted 10×.15 + 20×.15 + 100×.35 + 5×.05 + 40×.35.
    assert m.pipeline == pytest.approx(175)
    assert m.weighted_pipeline == pytest.approx(53.75)
    assert (m.won_amount, m.lost_amount) == (pytest.approx(147), pytest.approx(20))
    assert m.win_rate_amount == pytest.approx(147 / 167)
    assert (m.stalled, m.overdue, m.stale, m.close_past, m.snoozed) == (1, 1, 1, 1, 1)
    assert (m.dwell_unknown, m.dwell_estimated, m.won_undated) == (1, 1, 1)
    assert m.min_sample == 10


def test_skewed_cycles_of_the_won_and_the_lost(team):
    m = team.team
    # Won 10, 20, 90: median 20, mean 40. Lost 4, 10, 60: median 10, mean 74 / 3.
    assert (m.cycle_count, m.cycle_median, m.cycle_mean) == (3, pytest.approx(20), pytest.approx(40))
    assert (m.lost_cycle_count, m.lost_cycle_median) == (3, pytest.approx(10))
    assert m.lost_cycle_mean == pytest.approx(74 / 3)


def test_stage_rows(team):
    # In stage (active or won): [1, 2, 2, 1, 0, 4]; lost there: [0, 1, 1, 0, 0, 0].
    # reached = from the end, Σ (in stage + lost there): [12, 11, 8, 5, 4, 4];
    # exited = reached − active there [1, 2, 2, 1, 0, 0]: [11, 9, 6, 4, 4, 4].
    rows = team.team.stages
    got = [(r.stage, r.current, r.reached, r.exited, r.lost_here, r.stalled) for r in rows]
    assert got == [
        ("潜在接触", 1, 12, 11, 0, 0), ("需求挖掘", 2, 11, 9, 1, 1), ("方案提案", 2, 8, 6, 1, 0),
        ("商务谈判", 1, 5, 4, 0, 0), ("成交待签约", 0, 4, 4, 0, 0), ("已成交", 4, 4, 4, 0, 0),
    ]
    pass_rates = [r.pass_rate for r in rows]
    assert pass_rates == [pytest.approx(1), pytest.approx(8 / 9), pytest.approx(5 / 6), pytest.approx(1),
                          pytest.approx(1), None]
    loss_rates = [r.loss_rate for r in rows]
    assert loss_rates == [0, pytest.approx(1 / 9), pytest.approx(1 / 6), 0, 0, None]
    # Dwell: 潜在接触 A5 10; 需求挖掘 A1 15, A2 16; 方案提案 A3 30, A6 13; 商务谈判 A4 unknown.
    assert [r.avg_dwell_days for r in rows] == [10, 15.5, 21.5, None, None, None]
    assert [r.longest_dwell_days for r in rows] == [10, 16, 30, None, None, None]
    assert [r.amount for r in rows] == [5, 30, 140, 0, 0, 0]
    assert [r.weighted_amount for r in rows] == [
        pytest.approx(0.25), pytest.approx(4.5), pytest.approx(49), 0, 0, 0,
    ]
    transitions = team.team.transitions
    assert [(t.label, t.passed, t.exited) for t in transitions] == [
        ("潜在接触→需求挖掘", 11, 11), ("需求挖掘→方案提案", 8, 9), ("方案提案→商务谈判", 5, 6),
        ("商务谈判→成交待签约", 4, 4), ("成交待签约→已成交", 4, 4),
    ]
    assert (team.team.pass_counts(1).k, team.team.pass_counts(1).n) == (8, 9)
    assert (team.team.loss_counts(2).k, team.team.loss_counts(2).n) == (1, 6)


def test_by_owner_and_by_source(team):
    jia, yi = team.by_owner["甲"], team.by_owner["乙"]
    assert list(team.by_owner) == ["乙", "甲"]
    # 甲: A1, A2, A3, W1, W2, L1 (+2 excluded). 乙: A4, A5, A6, W3, W4, L2, L3 (+1).
    assert (jia.totals.total, jia.totals.valid, jia.totals.won, jia.totals.lost) == (8, 6, 2, 1)
    assert (yi.totals.total, yi.totals.valid, yi.totals.won, yi.totals.lost) == (8, 7, 2, 2)
    assert (jia.pipeline, yi.pipeline) == (pytest.approx(130), pytest.approx(45))
    assert (jia.cycle_median, jia.cycle_mean, jia.cycle_count) == (15, 15, 2)
    assert (yi.cycle_median, yi.cycle_count, yi.won_undated) == (90, 1, 1)
    assert (yi.lost_cycle_median, yi.lost_cycle_mean) == (pytest.approx(32), pytest.approx(32))
    assert (jia.stalled, yi.stalled, jia.snoozed, yi.dwell_unknown, yi.dwell_estimated) == (1, 0, 1, 1, 1)
    assert yi.totals.lost_unknown_stage == 1 and jia.totals.lost_unknown_stage == 0
    # Channels: L3 has none (the group ""). 展会推广: A1, A2, A6, W1, W2, L1; 官网表单: A3, A4, A5,
    # W3, W4, L2 (+1 excluded).
    assert list(team.by_source) == ["", WEB, SHOW]
    blank, show, web = (team.by_source[k] for k in ("", SHOW, WEB))
    assert (blank.totals.valid, blank.totals.lost, blank.totals.total) == (1, 1, 1)
    assert (show.totals.valid, show.totals.total, show.win_rate) == (6, 6, pytest.approx(2 / 3))
    assert (web.totals.valid, web.totals.total, web.win_rate) == (6, 7, pytest.approx(2 / 3))
    assert web.stages[2].current == 1 and show.stages[2].current == 1
    assert show.weighted_pipeline == pytest.approx(10 * 0.15 + 20 * 0.15 + 40 * 0.35)


def test_alerts_one_row_per_flag(team):
    alerts = team.alerts
    assert list(alerts.columns) == [
        "kind", "lead_id", "customer", "owner", "source", "stage", "dwell_days", "limit_days",
        "days_since_follow_up", "date",
    ]
    got = [
        (r["kind"], r["lead_id"], r["dwell_days"], r["limit_days"], r["days_since_follow_up"],
         None if pd.isna(r["date"]) else r["date"])
        for r in alerts.to_dict("records")
    ]
    assert got == [
        ("stalled", "A2", 16, 15, 15, None),
        ("overdue", "A2", 16, 15, 15, pd.Timestamp("2024-05-30")),
        ("stale", "A2", 16, 15, 15, None),
        ("close_past", "A2", 16, 15, 15, pd.Timestamp("2024-05-29")),
    ]


def test_pass_rate_text_of_each_lead(team):
    text = by_id(team.leads, "pass_rate_text_calc")
    # min_sample 10: 11 left 潜在接触 (bare); 9 left 需求挖掘, 6 left 方案提案 (with the sample).
    assert text["A1"] == "100%(潜在接触→需求挖掘)"
    assert text["A3"] == "89%(需求挖掘→方案提案 8/9)"
    assert text["A4"] == "83%(方案提案→商务谈判 5/6)"
    assert text["A5"] is None  # the first stage has no transition into it
    assert text["W1"] == "100%(成交待签约→已成交 4/4)"
    assert text["L1"] is None  # lost


def test_suggestions_fire_on_figures_beyond_their_limit():
    # min_sample 1: every rate counts. Loss at 方案提案 1/6 and 商务谈判 0/4 are not above 30%;
    # stalled share 1/6 is not above 20%; channel "" won 0 of 1 lost: 0% < 10% fires.
    fired = result(rules=rules_with(min_sample=1)).suggestions
    assert [(f.metric, f.value, f.source) for f in fired] == [("source_win_rate", 0.0, "")]
    assert fired[0].text.startswith("渠道「」赢单率仅 0%")


def test_suggestions_need_the_sample_and_the_limit():
    # Team of three in 需求挖掘 since 05-01 (all stalled: 30 > 15) and one lost at 方案提案 after
    # passing: exited(潜在接触) = 4, passed 4 → 100%; stalled share 3/3 = 100% > 20% fires;
    # loss at 方案提案 1 of 1 = 100% > 30% fires with min_sample 1, not with 2 (1 < 2).
    rows = [lead(f"B{i}", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-30", entered="2024-05-01")
            for i in range(3)]
    rows.append(lead("B9", "甲", SHOW, "无效线索", "2024-04-01", "2024-05-01", lost_at="方案提案"))
    fired = result(rows, rules_with(min_sample=1)).suggestions
    assert [(f.metric, f.stage, f.value) for f in fired] == [
        ("loss_rate", "方案提案", 1.0), ("stalled_share", None, 1.0), ("source_win_rate", None, 0.0),
    ]
    fired = result(rows, rules_with(min_sample=2)).suggestions
    assert [(f.metric, f.value) for f in fired] == [("stalled_share", 1.0)]


# ---------------------------------------------------------------------------
# The weakest transition, on hand-made stage counts
# ---------------------------------------------------------------------------

def funnel(passes: list[tuple[int, int]], *, unplaced: int = 0, min_sample: int = 1) -> FunnelMetrics:
    """Figures whose transition k is passed by passes[k][0] of passes[k][1] leads that left stage k
    (stage k + 1 reached by passes[k][0]); ``unplaced`` lost leads have no lost-at stage."""
    names = [f"S{k}" for k in range(len(passes) + 1)]
    reached = [passes[0][1], *(p for p, _ in passes)]
    exited = [n for _, n in passes] + [reached[-1]]
    stages = tuple(
        StageRow(name, 0, reached[k], exited[k], passes[k][0] / passes[k][1] if k < len(passes) and passes[k][1] else None,
                 None, 0, None, 0, 0.0, 0.0)
        for k, name in enumerate(names)
    )
    totals = Totals(total=0, valid=0, active=0, won=0, lost=unplaced, excluded=0, lost_unknown_stage=unplaced)
    return FunnelMetrics(
        totals=totals, stages=stages, win_rate=None, overall_conversion=None, cycle_mean=None,
        cycle_median=None, cycle_count=0, pipeline=0.0, weighted_pipeline=0.0, won_amount=0.0, stalled=0,
        overdue=0, stale=0, close_past=0, min_sample=min_sample,
    )


def worst_label(figures: FunnelMetrics) -> str | None:
    worst = figures.worst_transition
    return None if worst is None else worst.label


def test_the_weakest_needs_min_sample_leads_that_left():
    # S1→S2 5 of 10 is the lowest; 10 left S1.
    assert worst_label(funnel([(9, 10), (5, 10)], min_sample=10)) == "S1→S2"
    assert worst_label(funnel([(9, 10), (5, 10)], min_sample=11)) is None
    assert not funnel([(9, 10), (5, 10)], min_sample=11).worst_hidden_by_unplaced_losses


def test_a_tie_goes_to_the_larger_sample_and_every_lead_passing_is_no_weak_link():
    assert worst_label(funnel([(2, 4), (1, 2), (2, 2)])) == "S0→S1"
    assert worst_label(funnel([(1, 2), (2, 4), (2, 2)])) == "S1→S2"
    assert worst_label(funnel([(4, 4), (2, 2)])) is None
    assert worst_label(funnel([(3, 4), (0, 0)])) == "S0→S1"  # nobody left S1: no rate there
    assert worst_label(funnel([(0, 0), (0, 0)])) is None  # nobody left any stage: no rate at all


def test_a_later_transition_with_the_unplaced_losses():
    # Lowest S0→S1 5/10, S1→S2 6/10. u = 1: S1→S2 at worst 6/11, S0→S1 at best 6/11: not lower.
    assert worst_label(funnel([(5, 10), (6, 10)], unplaced=1)) == "S0→S1"
    # u = 2: 6/12 = 0.5 < 7/12: it may be the lowest; nothing is named, because of the unplaced.
    figures = funnel([(5, 10), (6, 10)], unplaced=2, min_sample=10)
    assert worst_label(figures) is None and figures.worst_hidden_by_unplaced_losses


def test_an_earlier_transition_with_the_unplaced_losses():
    # Lowest S1→S2 5/10 after S0→S1 11/20. u = 2, x lost at S0…S1, 2 − x after S1:
    # x = 0: 13/22 against 7/12; x = 1: 12/22 = 6/11; x = 2: 11/22 = 5/10: never lower.
    assert worst_label(funnel([(11, 20), (5, 10)], unplaced=2)) == "S1→S2"
    # u = 3, x = 3: 11/23 < 5/10.
    assert worst_label(funnel([(11, 20), (5, 10)], unplaced=3)) is None
    # Lowest 10/20 after 11/21. u = 1: x = 0: 12/22 against 11/21; x = 1: 11/22 = 10/20: stays.
    assert worst_label(funnel([(11, 21), (10, 20)], unplaced=1)) == "S1→S2"
    # u = 2: x = 0: 13/23 = 0.565 against 12/22 = 0.545, no; x = 1: 12/23 = 0.5217 < 11/21 = 0.5238.
    assert worst_label(funnel([(11, 21), (10, 20)], unplaced=2)) is None


def test_wilson_interval_of_7_of_9_and_small_samples():
    # z² = 3.841459, z²/n = 0.426829, denominator 1.426829; centre (7/9 + z²/18) / 1.426829 =
    # 0.694682; half = z / 1.426829 × √(7/9 × 2/9 / 9 + z²/324) = 1.373650 × 0.176241 = 0.242093.
    rate = Rate(7, 9)
    assert (rate.low, rate.high) == (pytest.approx(0.452589, abs=5e-6), pytest.approx(0.936775, abs=5e-6))
    assert Rate(1, 1).small(2) and Rate(9, 9).small(10)
    assert not Rate(10, 10).small(10) and not Rate(0, 0).small(10)


def test_rates_and_money_of_nothing_are_unknown():
    figures = funnel([(1, 2)])
    assert figures.win.value is None and figures.win_rate_amount is None
    assert figures.transitions[0].counts == Rate(1, 2)
    rate = Rate(1, 1)
    assert (rate.low, rate.high) == (pytest.approx(0.206550, abs=5e-6), 1.0)
    assert Rate(0, 5).low == pytest.approx(0.0, abs=1e-12) and Rate(0, 5).high == pytest.approx(0.434482, abs=5e-6)
    assert Rate(0, 0).high is None and Rate(0, 0).interval is None


# ---------------------------------------------------------------------------
# Dates exactly on a limit, and dwell in working days
# ---------------------------------------------------------------------------

def test_dates_on_the_day_count_and_dates_after_it_do_not():
    rows = [
        # Entered on the as-of day: dwell 0 (known); entered after it: no dwell yet.
        lead("E1", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-31", entered="2024-05-31"),
        lead("E2", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-30", entered="2024-06-05"),
        # Followed up on the day it entered: dwell then 0; before it entered: none.
        lead("E3", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-20", entered="2024-05-20"),
        lead("E4", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-19", entered="2024-05-20"),
        # Snoozed until the as-of day: awake again, so stalled (31 > 15).
        lead("E5", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-30", entered="2024-04-30",
             snooze_until=pd.Timestamp("2024-05-31")),
        # Won on its first contact: cycle 0; a won date before the first contact: no cycle.
        lead("E6", "甲", SHOW, "已成交", "2024-05-10", "2024-05-10", entered="2024-05-10"),
        lead("E7", "甲", SHOW, "已成交", "2024-05-10", "2024-05-10", entered="2024-05-09"),
        # Lost "at" the won stage: where it was lost is unknown.
        lead("E8", "甲", SHOW, "无效线索", "2024-04-01", "2024-05-01", lost_at="已成交"),
        # Lost at the last open stage: known.
        lead("E9", "甲", SHOW, "无效线索", "2024-04-01", "2024-05-01", lost_at="成交待签约"),
        # Marked lost on the day of its first contact: a lost cycle of 0 days.
        lead("E10", "甲", SHOW, "无效线索", "2024-05-02", "2024-05-02", entered="2024-05-02",
             lost_at="潜在接触"),
    ]
    got = result(rows)
    leads = got.leads
    assert by_id(leads, "dwell_days") == {
        "E1": 0, "E2": None, "E3": 11, "E4": 11, "E5": 31, "E6": None, "E7": None, "E8": None, "E9": None,
        "E10": None,
    }
    assert by_id(leads, "dwell_at_follow_up") == {
        "E1": 0, "E2": None, "E3": 0, "E4": None, "E5": 30, "E6": None, "E7": None, "E8": None, "E9": None,
        "E10": None,
    }
    assert sorted(leads.loc[leads["stalled"], "lead_id"]) == ["E5"] and not leads["snoozed"].any()
    assert by_id(leads, "cycle_days")["E6"] == 0 and by_id(leads, "cycle_days")["E7"] is None
    assert by_id(leads, "lost_cycle_days")["E10"] == 0 and got.team.lost_cycle_count == 1
    assert by_id(leads, "lost_at_idx")["E8"] is None and by_id(leads, "lost_at_idx")["E9"] == 4
    assert got.team.stages[4].lost_here == 1
    m = got.team
    assert (m.cycle_count, m.cycle_median, m.won_undated, m.totals.lost_unknown_stage) == (1, 0, 0, 1)
    assert m.stages[1].avg_dwell_days == pytest.approx((0 + 11 + 11 + 31) / 4)


def test_no_alerts_is_an_empty_list_with_its_columns():
    rows = [lead("Q1", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-30", entered="2024-05-30")]
    alerts = result(rows).alerts
    assert alerts.empty
    assert list(alerts.columns) == [
        "kind", "lead_id", "customer", "owner", "source", "stage", "dwell_days", "limit_days",
        "days_since_follow_up", "date",
    ]


def test_dwell_in_working_days_reaches_back_as_far_as_the_typed_dwell():
    # As of Wed 2024-07-31 (no holiday in July). Typed 20 working days on Tue 07-30: counting back
    # 30, 29, 26–22, 19–15, 12–8, 5–3 is 20 days, so it entered on Tue 07-02 (07-01 would give 21).
    # Dwell today: (07-02, 07-31] = 21 working days > 15: stalled. The table must reach back to
    # 07-02, weeks before any date of the sheet (the earliest is the first contact, 07-25).
    rules = rules_with(dwell_in_working_days=True)
    rows = [lead("K1", "甲", SHOW, "需求挖掘", "2024-07-25", "2024-07-30", dwell_days_typed=20.0)]
    frame = pd.DataFrame(rows)
    frame["_file"], frame["_sheet"], frame["_row"] = "t.xlsx", "线索跟踪", [2]
    got = recalculate(frame, rules, date(2024, 7, 31))
    lead_k1 = got.leads.iloc[0]
    assert lead_k1["stage_entered"] == pd.Timestamp("2024-07-02")
    assert lead_k1["stage_entered_source"] == "estimated"
    assert lead_k1["dwell_days"] == 21 and lead_k1["stalled"]
    assert got.calendar_years_missing == ()


def test_dwell_in_working_days_without_any_typed_dwell():
    # Entered Fri 07-26; as of Wed 07-31: (07-26, 07-31] holds Mon 29, Tue 30, Wed 31 = 3 working days.
    rows = [lead("K2", "甲", SHOW, "需求挖掘", "2024-07-01", "2024-07-30", entered="2024-07-26")]
    frame = pd.DataFrame(rows)
    frame["_file"], frame["_sheet"], frame["_row"] = "t.xlsx", "线索跟踪", [2]
    got = recalculate(frame, rules_with(dwell_in_working_days=True), date(2024, 7, 31))
    assert got.leads.iloc[0]["dwell_days"] == 3
    assert got.leads.iloc[0]["dwell_at_follow_up"] == 2  # Mon 29, Tue 30


def test_further_dimensions_and_their_excluded_rows():
    rules = load_rules()
    rules = dataclasses.replace(rules, dimensions=dataclasses.replace(rules.dimensions, extra=("industry",)))
    rows = [
        {**lead("I1", "甲", SHOW, "已成交", "2024-05-01", "2024-05-11", entered="2024-05-11"), "industry": "制造业"},
        {**lead("I2", "甲", SHOW, "无效线索", "2024-05-01", "2024-05-11", lost_at="需求挖掘"), "industry": "制造业"},
        {**lead("I3", "乙", SHOW, "已成交", "2024-05-01", "2024-05-21", entered="2024-05-21"), "industry": None},
    ]
    got = result(rows, rules, excluded_by_dimension={"industry": {"制造业": 4}})
    industry = got.by_dimension["industry"]
    assert list(industry) == ["", "制造业"]
    assert (industry["制造业"].totals.total, industry["制造业"].win_rate) == (6, 0.5)
    assert (industry[""].totals.total, industry[""].cycle_median) == (1, 20)


def test_suggestions_of_every_metric_and_a_value_exactly_at_the_limit():
    # TEAM with min_sample 1: win rate 4/7; 潜在接触→需求挖掘 11/11 = 1; loss at 需求挖掘 1/9;
    # channels' first pass: "" (L3 alone, lost without a lost-at stage, reached no stage): no
    # rate; 官网表单 (A3, A4, A5, W3, W4, L2): 6 reached 潜在接触, 5 left it (A5 is still there),
    # all 5 passed: 1; 展会推广: 6 of 6 → 1.
    rules = rules_with(min_sample=1)
    rules = dataclasses.replace(rules, suggestions=(
        Suggestion("win_rate", "赢单率 {value}", below=0.6),
        Suggestion("win_rate", "赢单率 {value}", above=4 / 7),  # exactly at the limit: no
        Suggestion("loss_rate", "需求挖掘流失 {value}", stage="需求挖掘", above=0.1),
        Suggestion("loss_rate", "需求挖掘流失 {value}", stage="需求挖掘", below=1 / 9),  # exactly: no
        Suggestion("pass_rate", "首段 {value}", stage="潜在接触", below=1.01),
        Suggestion("source_first_pass_rate", "{source} 首段 {value}", below=1.01),
        Suggestion("source_first_pass_rate", "{source} 首段 {value}", above=1.0),  # exactly: no
    ))
    fired = result(rules=rules).suggestions
    assert [(f.metric, f.text, f.stage, f.source) for f in fired] == [
        ("win_rate", "赢单率 57%", None, None),
        ("loss_rate", "需求挖掘流失 11%", "需求挖掘", None),
        ("pass_rate", "首段 100%", "潜在接触", None),
        ("source_first_pass_rate", "官网表单 首段 100%", None, WEB),
        ("source_first_pass_rate", "展会推广 首段 100%", None, SHOW),
    ]
    assert fired[0].value == pytest.approx(4 / 7)
    # With min_sample 8: win rate from 7 < 8 and the channels' first pass from 5 and 6 are no
    # evidence; 9 left 需求挖掘 and 11 left 潜在接触: those stay.
    fired = result(rules=dataclasses.replace(rules, thresholds=rules_with(min_sample=8).thresholds)).suggestions
    assert [f.metric for f in fired] == ["loss_rate", "pass_rate"]


def test_what_the_log_and_the_store_say_comes_first():
    rows = [
        lead("V1", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-30", entered="2024-05-10"),
        lead("V2", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-30", entered="2024-05-10"),
        lead("V3", "甲", SHOW, "需求挖掘", "2024-04-01", "2024-05-30"),
        lead("V4", "甲", SHOW, "无效线索", "2024-04-01", "2024-05-01"),
    ]
    nat = pd.NaT
    evidence = Evidence(
        # V1: the log moved it into 需求挖掘 on 05-20 (before its column's 05-10).
        stage_entered_log=pd.Series([pd.Timestamp("2024-05-20"), nat, nat, nat]),
        # V2: its column still holds the date the last rebuild used; the store has 05-15.
        # V3: no column; moved between the rebuilds, estimated 05-25.
        stage_entered_store=pd.Series([nat, pd.Timestamp("2024-05-15"), pd.Timestamp("2024-05-25"), nat]),
        stage_entered_store_source=pd.Series(["store", "store", "between_runs", "store"]),
        column_stale=pd.Series([False, True, False, False]),
        previous_stage=pd.Series(["需求挖掘", "需求挖掘", "潜在接触", "方案提案"]),
        # V4: the log says it was lost at 方案提案 (its column is blank).
        lost_at=pd.Series([None, None, None, "方案提案"]),
        lost_at_source=pd.Series([None, None, None, "log"]),
    )
    leads = result(rows, evidence=evidence).leads
    assert by_id(leads, "stage_entered_source") == {
        "V1": "log", "V2": "store", "V3": "between_runs", "V4": "unknown",
    }
    # Dwell to 05-31: 11, 16 and 6 days.
    assert by_id(leads, "dwell_days") == {"V1": 11, "V2": 16, "V3": 6, "V4": None}
    assert by_id(leads, "lost_at_idx")["V4"] == 2 and by_id(leads, "lost_at_source")["V4"] == "log"
