"""The parts of funnel_xl.quality called directly on small hand-made frames (fast: no workbook, no
validation), so that a changed figure fails here in well under a second. Every expected figure is
worked out by hand in the comments."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from funnel_xl.metrics import recalculate
from funnel_xl.quality import DRIFT_COLUMNS, FIX_COLUMNS, HygienePart, HygieneScore, Quality, assess
from funnel_xl.rules import load_rules
from funnel_xl.wording import DriftWords
from tests.test_report import lead

AS_OF = date(2024, 5, 31)


def assessed(rows, rules=None, excluded=None):
    """Recalculate hand-made typed leads and assess their drift and hygiene."""
    rules = rules or load_rules()
    frame = pd.DataFrame(rows)
    frame["_file"], frame["_sheet"], frame["_row"] = "t.xlsx", "线索跟踪", range(2, 2 + len(frame))
    result = recalculate(frame, rules, AS_OF)
    return assess(result.leads, excluded, rules, result.team, result.by_owner, words=DriftWords(rules))


# ---------------------------------------------------------------------------
# A rep's or a channel's slice
# ---------------------------------------------------------------------------

def score(errors_failing: int) -> HygieneScore:
    """One part only: 20 points × (1 − failing/4)."""
    return HygieneScore((HygienePart("errors", errors_failing, 4, 20.0),))


def sliced_quality() -> Quality:
    drift = pd.DataFrame(
        [
            ["甲", "L1", "c1", "需求挖掘", "dwell", "10 天", "19–30 天", -9.0, "t.xlsx", 2],
            [None, "L2", "c2", "需求挖掘", "dwell", "40 天", "19–30 天", 10.0, "t.xlsx", 3],
            ["乙", "L3", "c3", "方案提案", "dwell", "1 天", "5 天", -4.0, "t.xlsx", 4],
        ],
        columns=DRIFT_COLUMNS,
    )
    drift["source"] = ["展会推广", None, "官网表单"]
    fixes = pd.DataFrame(
        [["甲", "L1", "c1", "需求挖掘", "stale", "t.xlsx", 2], [None, "L2", "c2", "需求挖掘", "stale", "t.xlsx", 3]],
        columns=FIX_COLUMNS,
    )
    blanks = pd.DataFrame({"owner": ["", "甲"], "industry": [1, 2]})
    return Quality(
        drift=drift, hygiene={"甲": score(1), "乙": score(2), "": score(3)}, team_hygiene=score(0),
        fixes=fixes, blanks=blanks,
    )


def test_a_reps_slice_holds_their_rows_and_their_score():
    mine = sliced_quality().only("owner", "甲")
    assert list(mine.drift["lead_id"]) == ["L1"] and list(mine.drift.index) == [0]
    assert list(mine.fixes["lead_id"]) == ["L1"]
    assert mine.blanks.values.tolist() == [["甲", 2]]
    assert list(mine.hygiene) == ["甲"]
    # The rep's own score stands for "the team" in their workbook: 20 × (1 − 1/4) = 15.
    assert mine.team_hygiene.score == pytest.approx(15)


def test_the_blank_owner_is_the_group_of_rows_without_one():
    blank = sliced_quality().only("owner", "")
    assert list(blank.drift["lead_id"]) == ["L2"]
    assert list(blank.fixes["lead_id"]) == ["L2"]
    assert blank.blanks_of("") == {"industry": 1}
    assert blank.team_hygiene.score == pytest.approx(5)  # 20 × (1 − 3/4)


def test_a_rep_without_a_score_keeps_the_teams():
    nobody = sliced_quality().only("owner", "丙")
    assert nobody.drift.empty and nobody.hygiene == {}
    assert nobody.team_hygiene.score == pytest.approx(20)


def test_a_channels_slice_has_no_rep_scores_and_the_teams_score():
    channel = sliced_quality().only("source", "展会推广")
    assert list(channel.drift["lead_id"]) == ["L1"]
    # Neither the fixes nor the blanks know the channel: nothing of them is the channel's.
    assert channel.fixes.empty and list(channel.fixes.columns) == FIX_COLUMNS
    assert channel.blanks.empty
    assert channel.hygiene == {}
    assert channel.team_hygiene.score == pytest.approx(20)
    # A channel named like a rep is still a channel: no rep's score comes with it.
    quality = sliced_quality()
    quality.drift.loc[2, "source"] = "乙"
    named = quality.only("source", "乙")
    assert named.hygiene == {} and named.team_hygiene.score == pytest.approx(20)
    assert list(named.drift["lead_id"]) == ["L3"]


def test_blanks_of_a_rep_leaves_out_the_fields_they_filled():
    quality = sliced_quality()
    quality.blanks = pd.DataFrame({"owner": ["甲", "乙"], "industry": [2, 0], "needs": [0, 1]})
    assert quality.blanks_of("甲") == {"industry": 2}
    assert quality.blanks_of("乙") == {"needs": 1}
    assert quality.blanks_of("丙") == {}
