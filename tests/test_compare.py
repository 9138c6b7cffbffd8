"""The comparisons the writers show: a rate against the team's, best rates, move directions,
coverage and an alert's days — each worked out by hand below."""

from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest

from funnel_xl.alerts import ALERT_ORDER, AlertKind, alert_days, kind_rank
from funnel_xl.compare import (
    MoveDirection,
    StageSums,
    Versus,
    coverage,
    move_directions,
    stage_sums,
    versus_team,
)
from funnel_xl.metrics import Rate
from funnel_xl.standings import leading


@pytest.mark.parametrize(
    ("rate", "team", "expected"),
    [
        # 9 of 10: Wilson 95% interval 59.6%–98.2%, wholly above a team at 50%.
        (Rate(9, 10), 0.5, Versus.ABOVE),
        # 1 of 10: 1.8%–40.4%, wholly below 50%.
        (Rate(1, 10), 0.5, Versus.BELOW),
        # 5 of 10: 23.7%–76.3% holds 50%.
        (Rate(5, 10), 0.5, Versus.UNCLEAR),
        # 1 of 1 = 100%, but its interval starts at 20.7%: never clearly above 50%.
        (Rate(1, 1), 0.5, Versus.UNCLEAR),
        (Rate(0, 0), 0.5, Versus.UNCLEAR),
        (Rate(9, 10), None, Versus.UNCLEAR),
    ],
)
def test_a_rate_against_the_team(rate, team, expected):
    assert versus_team(rate, team, min_sample=5) is expected


def test_fewer_leads_than_the_minimum_sample_are_never_clear():
    # 4 of 4 = 100% (interval 51.0%–100%) is above 50%, but 4 < min_sample 5.
    assert versus_team(Rate(4, 4), 0.5, min_sample=5) is Versus.UNCLEAR
    assert versus_team(Rate(4, 4), 0.5, min_sample=4) is Versus.ABOVE


def test_the_leader_is_the_highest_rate_above_the_team_with_enough_leads():
    # Team 50%: 9/10 and 18/20 are both 90%: the tie goes to the larger sample; 1/1 is 100% but
    # 1 < min_sample 5; 5/10 is not above the team.
    rates = {"甲": Rate(9, 10), "乙": Rate(18, 20), "丙": Rate(1, 1), "丁": Rate(5, 10)}
    assert leading(rates, 0.5, min_sample=5) == "乙"
    assert leading(rates, None, min_sample=5) is None
    assert leading({"丁": Rate(5, 10)}, 0.5, min_sample=5) is None
    # With min_sample 1 the 1 of 1 leads: 100% is the highest rate above the team.
    assert leading(rates, 0.5, min_sample=1) == "丙"
    # Equal rates and samples: the first by name.
    assert leading({"乙": Rate(9, 10), "甲": Rate(9, 10)}, 0.5, min_sample=5) == "乙"


def test_move_directions(rules):
    first, second, third = rules.stage_names[:3]
    lost = rules.lost_labels[0]
    moves = [(first, second), (third, first), (second, lost), (lost, second), (first, third)]
    assert move_directions(moves, rules) == [
        MoveDirection.FORWARD, MoveDirection.BACK, MoveDirection.LOST, MoveDirection.REVIVED,
        MoveDirection.FORWARD,
    ]
    assert [str(d) for d in MoveDirection] == ["forward", "back", "lost", "revived"]


def test_coverage_is_weighted_pipeline_over_target():
    class Figures:
        weighted_pipeline = 120.0

    assert coverage(Figures(), 80) == pytest.approx(1.5)  # 120 ÷ 80
    assert coverage(Figures(), 0) is None
    assert coverage(Figures(), None) is None
    assert coverage(None, 80) is None


def test_an_alerts_days_are_what_it_is_about():
    alerts = pd.DataFrame(
        {
            "kind": ["stalled", "stale", "overdue", "close_past", "overdue"],
            "dwell_days": [40, 3, 5, 6, 7],
            "days_since_follow_up": [1, 22, 2, 3, 4],
            "date": pd.to_datetime(["2024-05-01", "2024-05-02", "2024-05-21", "2024-04-30", None]),
        },
        index=[3, 3, 7, 8, 9],  # an index with repeats, as concatenated alert frames have
    )
    days = alert_days(alerts, date(2024, 5, 31))
    # stalled: dwell 40; stale: 22 days since follow-up; overdue: 31 May − 21 May = 10 days;
    # close_past: 31 May − 30 April = 31 days; overdue without a date: unknown.
    assert days.tolist()[:4] == [40.0, 22.0, 10.0, 31.0]
    assert pd.isna(days.iloc[4])
    assert list(days.index) == [3, 3, 7, 8, 9]


def test_alert_kinds_keep_their_codes_and_order():
    assert [str(k) for k in ALERT_ORDER] == ["stalled", "overdue", "stale", "close_past"]
    assert AlertKind("stale") is AlertKind.STALE
    assert kind_rank(pd.Series(["stale", "stalled", "other"])).tolist() == [2.0, 0.0, 4.0]


def test_stage_sums_add_up_what_adds_up():
    stage = SimpleNamespace
    figures = SimpleNamespace(stages=[
        stage(current=3, lost_here=1, stalled=2, amount=10.5, weighted_amount=0.5),
        stage(current=4, lost_here=0, stalled=1, amount=20.0, weighted_amount=18.0),
    ])
    # 3 + 4 open, 1 + 0 lost, 2 + 1 stalled, 10.5 + 20 and 0.5 + 18 in amounts.
    assert stage_sums(figures) == StageSums(7, 1, 3, 30.5, 18.5)
