"""The comparisons on their limits: a rate whose interval touches the team's rate, one lead against
a minimum sample of one, best rates that differ or tie outside the clear ones, and moves between
stages the rules do not know. Each case was a surviving mutant of funnel_xl/compare.py
(docs/mutation.md); the expected values are worked out by hand below."""

import pytest

from funnel_xl.compare import MoveDirection, Versus, move_directions, versus_team
from funnel_xl.metrics import Rate

# Wilson 95% bounds used below (z = 1.96, z² = 3.8415):
#   1 of 1:   centre (1 + 1.9207) / 4.8415 = 0.6033, half 0.4048 · √0.9604 = 0.3967 → 20.7%–100%
#   0 of 10:  low 0 exactly (p = 0: centre = half)
#   10 of 10: high 1 exactly (capped at 1)
#   9 of 10:  59.6%–98.2%
#   18 of 20: centre (0.9 + 0.0960) / 1.1921 = 0.8356, half 1.6442 · √0.006901 = 0.1366 → 69.9%–97.2%
#   16 of 20: centre (0.8 + 0.0960) / 1.1921 = 0.7517, half 1.6442 · √0.010401 = 0.1677 → 58.4%–91.9%


def test_one_lead_is_enough_when_the_minimum_sample_is_one():
    # 1 of 1: its interval starts at 20.7%, wholly above a team at 10%.
    assert versus_team(Rate(1, 1), 0.1, min_sample=1) is Versus.ABOVE


@pytest.mark.parametrize(
    ("rate", "team"),
    [
        # 0 of 10 against a team at 0%: the interval [0, 27.8%] holds the team's rate on its edge.
        (Rate(0, 10), 0.0),
        # 10 of 10 against a team at 100%: the interval [72.2%, 1] holds it on its other edge.
        (Rate(10, 10), 1.0),
    ],
)
def test_an_interval_that_touches_the_team_rate_is_not_clear(rate, team):
    assert versus_team(rate, team, min_sample=5) is Versus.UNCLEAR


def test_moves_between_stages_the_rules_do_not_know(rules):
    first, second = rules.stage_names[:2]
    moves = [
        (first, "某个未知阶段"),  # to a stage the rules do not know: back
        ("某个未知阶段", first),  # from one into the funnel: forward
        ("未知甲", "未知乙"),  # between two unknown stages: back
        (second, second),  # into the same stage: not forward
    ]
    assert move_directions(moves, rules) == [
        MoveDirection.BACK, MoveDirection.FORWARD, MoveDirection.BACK, MoveDirection.BACK,
    ]
