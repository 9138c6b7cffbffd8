"""The parts of funnel_xl.quality called directly on small hand-made frames (fast: no workbook, no
validation), so that a changed figure fails here in well under a second. Every expected figure is
worked out by hand in the comments."""

from __future__ import annotations

import dataclasses
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
    excluded = pd.DataFrame() if excluded is None else excluded
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


# ---------------------------------------------------------------------------
# Drift
# ---------------------------------------------------------------------------

# As of 05-31, default tolerance: 2 days, 5 points. 需求挖掘→方案提案 is passed by P1, P2, R1 and W1
# of the 5 that left 需求挖掘 (D1 and D2 are still there; R2 was lost there): team 4/5 = 80%;
# 甲 (D1, D2, P1, P2, W1) 3/3 = 100%; 乙 (R1, R2) 1/2 = 50%. 成交待签约→已成交: 1/1 = 100%.
DRIFT_TEAM = [
    lead("F1", "乙", "展会推广", "潜在接触", "2024-05-20", "2024-05-30", pass_rate_text_typed="   "),
    # In the first stage no pass rate leads into the lead's stage: any text is drift.
    lead("F2", "乙", "展会推广", "潜在接触", "2024-05-20", "2024-05-30",
         pass_rate_text_typed="80%(需求挖掘→方案提案)"),
    lead("F3", "乙", "展会推广", "潜在接触", "2024-05-20", "2024-05-30", pass_rate_text_typed="60%"),
    # Followed up on 06-05, after the as-of date: the dwell then (35) is past today's (30), so the
    # range shrinks to 30 alone; 33 is 3 off.
    lead("D1", "甲", "展会推广", "需求挖掘", "2024-04-01", "2024-06-05", entered="2024-05-01",
         dwell_days_typed=33.0),
    # Dwell 29 on 05-30, 30 today: typed 40 is 10 off; 94% is 14 off the team, 6 off 甲's own.
    lead("P2", "甲", "展会推广", "方案提案", "2024-04-01", "2024-05-30", entered="2024-05-01",
         dwell_days_typed=40.0, pass_rate_text_typed="94%"),
    # 95% is 15 off the team, but exactly 5 off 甲's own 100%: within the tolerance.
    lead("P1", "甲", "展会推广", "方案提案", "2024-04-01", "2024-05-30", entered="2024-05-10",
         pass_rate_text_typed="95%(需求挖掘→方案提案)"),
    # 44% is 36 off the team and 6 off 乙's own 50%.
    lead("R1", "乙", "展会推广", "方案提案", "2024-04-01", "2024-05-30", entered="2024-05-10",
         pass_rate_text_typed="44%"),
    lead("R2", "乙", "展会推广", "无效线索", "2024-04-01", "2024-05-01", lost_at="需求挖掘",
         pass_rate_text_typed="10%"),  # lost: not checked
    lead("W1", "甲", "展会推广", "已成交", "2024-04-01", "2024-05-20", entered="2024-05-20",
         pass_rate_text_typed="10%(成交待签约→已成交)"),  # won: checked, 90 off
    # No last follow-up: the range starts at 0 (dwell 10 today); typed 0 is right.
    lead("D2", "甲", "展会推广", "需求挖掘", "2024-04-01", None, entered="2024-05-21", dwell_days_typed=0.0),
    # Dwell 19 on 05-20, 30 today: typed 10 is 9 below the range.
    lead("D3", "甲", "展会推广", "需求挖掘", "2024-04-01", "2024-05-20", entered="2024-05-01",
         dwell_days_typed=10.0),
    # No date: entered 05-20 − round(5.6) = 05-14, an estimate from the typed value itself, never
    # drift (5.6 is 0.4 below the estimate's own 6).
    lead("D4", "甲", "展会推广", "需求挖掘", "2024-04-01", "2024-05-20", dwell_days_typed=5.6),
    # No percentage to read (in 需求挖掘: the rates above stay; 潜在接触→需求挖掘 is 10 of 10).
    lead("U1", "甲", "展会推广", "需求挖掘", "2024-04-01", "2024-05-30", entered="2024-05-20",
         pass_rate_text_typed="大约八成"),
]


def drift_rows(quality: Quality) -> list[tuple]:
    return [
        (r["owner"], r["lead_id"], r["kind"], r["typed"], r["expected"],
         None if pd.isna(r["difference"]) else r["difference"], r["_row"])
        for r in quality.drift.to_dict("records")
    ]


def test_drift_by_owner_then_lead_then_kind():
    quality = assessed(DRIFT_TEAM)
    assert list(quality.drift.columns) == DRIFT_COLUMNS
    first = quality.drift.iloc[0]
    assert (first["customer"], first["stage"], first["_file"]) == ("F2公司/*经理", "潜在接触", "t.xlsx")
    assert quality.drift.iloc[4]["customer"] == "D3公司/*经理"  # a dwell row
    assert drift_rows(quality) == [
        ("乙", "F2", "rate_transition", "80%(需求挖掘→方案提案)", "—", None, 3),
        ("乙", "F3", "rate_transition", "60%", "（不填：处于第一阶段）", None, 4),
        ("乙", "R1", "rate_value", "44%", "全队 80%，本人 50%(需求挖掘→方案提案)", pytest.approx(-6), 8),
        ("甲", "D1", "dwell", "33 天", "30 天", pytest.approx(3), 5),
        ("甲", "D3", "dwell", "10 天", "19–30 天", pytest.approx(-9), 12),
        ("甲", "P2", "dwell", "40 天", "29–30 天", pytest.approx(10), 6),
        ("甲", "P2", "rate_value", "94%", "全队 80%，本人 100%(需求挖掘→方案提案)", pytest.approx(-6), 6),
        ("甲", "U1", "rate_unreadable", "大约八成", "全队 100%，本人 100%(潜在接触→需求挖掘)", None, 14),
        ("甲", "W1", "rate_value", "10%(成交待签约→已成交)", "全队 100%，本人 100%(成交待签约→已成交)",
         pytest.approx(-90), 10),
    ]


def test_no_tolerance_still_accepts_a_value_inside_the_range():
    rules = load_rules()
    rules = dataclasses.replace(
        rules, thresholds=dataclasses.replace(rules.thresholds, drift_dwell_days=0, drift_pass_rate_points=0)
    )
    got = [(owner, lead_id, kind) for owner, lead_id, kind, *_ in drift_rows(assessed(DRIFT_TEAM, rules))]
    # D2's 0 lies in its range 0–10; D4 is an estimate; P1's 95% is now 5 off: drift.
    assert got == [
        ("乙", "F2", "rate_transition"), ("乙", "F3", "rate_transition"), ("乙", "R1", "rate_value"),
        ("甲", "D1", "dwell"), ("甲", "D3", "dwell"), ("甲", "P1", "rate_value"),
        ("甲", "P2", "dwell"),
        ("甲", "P2", "rate_value"), ("甲", "U1", "rate_unreadable"), ("甲", "W1", "rate_value"),
    ]


def test_no_typed_columns_no_drift():
    rows = [{k: v for k, v in r.items() if k not in ("dwell_days_typed", "pass_rate_text_typed")}
            for r in DRIFT_TEAM]
    drift = assessed(rows).drift
    assert drift.empty and list(drift.columns) == DRIFT_COLUMNS


# ---------------------------------------------------------------------------
# Hygiene
# ---------------------------------------------------------------------------

# As of 05-31, default points: errors 20, missing_amount_close 20 (from 方案提案 on), close_past 15,
# stale 15, undated_moves 15, required_fields 15 (of the quality fields only 下次跟进时间 is in
# these frames). Rows 2–9 of t.xlsx; excluded: 乙's row 10 and an owner-less row 21 of t.xlsx, and
# 甲's row 30 of a.xlsx.
HYGIENE_TEAM = [
    lead("H1", "甲", "展会推广", "需求挖掘", "2024-04-01", "2024-05-30", entered="2024-05-20", nxt="2024-06-05"),
    # 方案提案 with an amount but no close date: missing; last follow-up 05-10, 21 days: stale.
    lead("H2", "甲", "展会推广", "方案提案", "2024-04-01", "2024-05-10", None, 10.0, entered="2024-05-20",
         nxt="2024-06-05"),
    # 方案提案 with a close date but no amount: missing.
    lead("H3", "甲", "展会推广", "方案提案", "2024-04-01", "2024-05-30", "2024-06-30", entered="2024-05-20",
         nxt="2024-06-05"),
    # Everything but 下次跟进时间: a required field blank.
    lead("H4", "甲", "展会推广", "商务谈判", "2024-04-01", "2024-05-30", "2024-06-30", 10.0,
         entered="2024-05-20"),
    # First stage, dated by its first contact: not a move.
    lead("H5", "甲", "展会推广", "潜在接触", "2024-05-20", "2024-05-30", nxt="2024-06-05"),
    lead("H6", "甲", "展会推广", "已成交", "2024-04-01", "2024-05-30"),  # won, undated
    lead("H7", "甲", "展会推广", "无效线索", "2024-04-01", "2024-05-30", lost_at="需求挖掘"),
    # 乙: entered estimated from a typed dwell: undated.
    lead("H8", "乙", "展会推广", "需求挖掘", "2024-04-01", "2024-05-30", nxt="2024-06-05", dwell_days_typed=5.0),
]
EXCLUDED = pd.DataFrame(
    {"owner": ["乙", None, "甲"], "lead_id": ["X1", "X2", "X3"], "customer": ["c", "d", "e"],
     "stage": ["需求挖掘", None, "需求挖掘"], "_file": ["t.xlsx", "t.xlsx", "a.xlsx"], "_row": [10, 21, 30]}
)


def parts(score: HygieneScore) -> dict[str, tuple[int, int]]:
    return {p.part: (p.failing, p.applicable) for p in score.parts}


def test_hygiene_parts_and_scores_per_rep_and_team():
    quality = assessed(HYGIENE_TEAM, excluded=EXCLUDED)
    assert list(quality.hygiene) == ["乙", "甲"]  # no score for the rows without an owner
    jia, yi = quality.hygiene["甲"], quality.hygiene["乙"]
    assert parts(jia) == {
        "errors": (1, 8), "missing_amount_close": (2, 3), "close_past": (0, 5), "stale": (1, 5),
        "undated_moves": (1, 5), "required_fields": (1, 5),
    }
    # 20 × 7/8 + 20 × 1/3 + 15 + 15 × 4/5 + 15 × 4/5 + 15 × 4/5
    assert jia.score == pytest.approx(17.5 + 20 / 3 + 15 + 12 + 12 + 12)
    assert parts(yi) == {
        "errors": (1, 2), "missing_amount_close": (0, 0), "close_past": (0, 1), "stale": (0, 1),
        "undated_moves": (1, 1), "required_fields": (0, 1),
    }
    assert yi.score == pytest.approx(10 + 20 + 15 + 15 + 0 + 15)
    assert parts(quality.team_hygiene) == {
        "errors": (3, 11), "missing_amount_close": (2, 3), "close_past": (0, 6), "stale": (1, 6),
        "undated_moves": (2, 6), "required_fields": (1, 6),
    }
    assert quality.team_hygiene.score == pytest.approx(20 * 8 / 11 + 20 / 3 + 15 + 12.5 + 10 + 12.5)


def test_rows_to_fix_by_owner_file_and_row_number():
    fixes = assessed(HYGIENE_TEAM, excluded=EXCLUDED).fixes
    assert list(fixes.columns) == FIX_COLUMNS
    assert fixes.iloc[4][["customer", "stage", "_file"]].tolist() == ["H2公司/*经理", "方案提案", "t.xlsx"]
    assert fixes.iloc[0]["customer"] == "d" and pd.isna(fixes.iloc[0]["stage"])
    # Row 9 before row 10 (numbers, not text); the owner-less row first; a.xlsx before t.xlsx.
    got = [(r["owner"], r["lead_id"], r["part"], r["_row"]) for r in fixes.to_dict("records")]
    assert [(None if pd.isna(owner) else owner, *rest) for owner, *rest in got] == [
        (None, "X2", "errors", 21),
        ("乙", "H8", "undated_moves", 9),
        ("乙", "X1", "errors", 10),
        ("甲", "X3", "errors", 30),
        ("甲", "H2", "missing_amount_close", 3),
        ("甲", "H2", "stale", 3),
        ("甲", "H3", "missing_amount_close", 4),
        ("甲", "H6", "undated_moves", 7),
    ]


def test_blank_required_fields_counted_by_rep():
    quality = assessed(HYGIENE_TEAM)
    assert quality.blanks.values.tolist() == [["甲", 1]]
    assert list(quality.blanks.columns) == ["owner", "next_follow_up"]
    assert quality.blanks_of("甲") == {"next_follow_up": 1} and quality.blanks_of("乙") == {}


def test_nothing_excluded_and_nothing_to_fix():
    rows = [HYGIENE_TEAM[0], HYGIENE_TEAM[4]]
    quality = assessed(rows)
    assert quality.fixes.empty and list(quality.fixes.columns) == FIX_COLUMNS
    assert parts(quality.team_hygiene)["errors"] == (0, 2)
    assert quality.team_hygiene.score == pytest.approx(100)
    assert quality.blanks.empty


def test_a_sheet_without_amount_and_close_columns_fails_every_lead_that_needs_them():
    rows = [{k: v for k, v in r.items() if k not in ("amount", "expected_close")} for r in HYGIENE_TEAM]
    quality = assessed(rows)
    # From 方案提案 on, open: H2, H3, H4: all missing.
    assert parts(quality.hygiene["甲"])["missing_amount_close"] == (3, 3)
    rows = [{k: v for k, v in r.items() if k != "amount"} for r in HYGIENE_TEAM]
    # Without the amount column the close date alone decides: H2 has none.
    assert parts(assessed(rows).hygiene["甲"])["missing_amount_close"] == (1, 3)


def test_a_sheet_without_owners_still_has_its_drift():
    # 需求挖掘→方案提案: X1 passed, X2 was lost in 需求挖掘: 1 of 2 = 50%, team and the one blank group.
    rows = [
        lead("X2", None, "展会推广", "无效线索", "2024-04-01", "2024-05-01", lost_at="需求挖掘"),
        lead("X1", None, "展会推广", "方案提案", "2024-04-01", "2024-05-30", entered="2024-05-10",
             pass_rate_text_typed="10%"),
    ]
    rows = [{k: v for k, v in r.items() if k != "owner"} for r in rows]
    quality = assessed(rows)
    got = drift_rows(quality)
    assert got == [(None, "X1", "rate_value", "10%", "全队 50%，本人 50%(需求挖掘→方案提案)", pytest.approx(-40), 3)]
    # Every lead is the blank owner's: 2 rows, 1 open (X1, no amount from 方案提案 on).
    assert list(quality.hygiene) == [""]
    assert parts(quality.hygiene[""])["errors"] == (0, 2)
    assert parts(quality.hygiene[""])["missing_amount_close"] == (1, 1)


def test_a_sheet_without_any_required_field_has_nothing_to_check():
    rows = [{k: v for k, v in r.items() if k != "next_follow_up"} for r in HYGIENE_TEAM]
    quality = assessed(rows)
    # Open leads there are, but no field to check on them: 0 of 0, full points.
    assert parts(quality.team_hygiene)["required_fields"] == (0, 0)
    assert quality.team_hygiene.part("required_fields").earned == 15
    assert quality.blanks.empty
