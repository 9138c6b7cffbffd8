"""The parts of the stage history called directly on hand-made frames: transitions from the log,
what the log and the history store say of each lead, the period's flow, the trend and its rebuilt
months. Each case sits where a slip would show: ties in time, dates exactly on a boundary, a lead
listed twice, skewed cycles (median ≠ mean), stages the rules do not know. Every expected figure
is worked out by hand in the comments.
"""

from datetime import date

import pandas as pd
import pytest

from funnel_xl.flow import (
    MonthFigures,
    PeriodFigures,
    PreviousSnapshot,
    SourceMonth,
    StageExit,
    _exits,
    _move_counts,
    empty_transitions,
    log_transitions,
    period_figures,
    period_sources,
    resolve,
)
from tests.conftest import rules_before_required_fields

D = date
T = pd.Timestamp
NAT = pd.NaT
S = ["潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交"]
LOST = "无效线索"
AS_OF = D(2024, 5, 31)


@pytest.fixture(scope="module")
def rules():
    return rules_before_required_fields()


def moves_frame(rows, source="log"):
    """Transitions as (lead, from, to, date[, source]) rows."""
    rows = [(*r, source) if len(r) == 4 else r for r in rows]
    frame = pd.DataFrame(rows, columns=["lead_id", "from_stage", "to_stage", "date", "source"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["_file"], frame["_row"] = "team.xlsx", range(100, 100 + len(frame))
    return frame


def listed(moves):
    return [
        (r.lead_id, r.from_stage, r.to_stage, r.date.date().isoformat(), r.source)
        for r in moves.itertuples()
    ]


# ---------------------------------------------------------------------------
# Transitions from the follow-up log
# ---------------------------------------------------------------------------


def test_log_transitions_order_entries_by_lead_time_file_and_row(rules):
    entries = pd.DataFrame(
        [
            # lead, 跟进时间, 阶段调整为, file, row — deliberately out of order
            ("b", T("2024-05-03"), S[1], "f1.xlsx", 5),
            ("a", T("2024-05-05"), LOST, "f0.xlsx", 9),
            ("a", T("2024-05-02"), S[2], "f1.xlsx", 3),
            ("a", T("2024-05-02"), S[1], "f1.xlsx", 2),
            ("a", T("2024-05-01"), None, "f1.xlsx", 1),
            ("a", T("2024-05-04"), S[2], "f1.xlsx", 4),
            ("b", T("2024-05-03"), S[2], "f0.xlsx", 7),
        ],
        columns=["lead_id", "time", "stage_change", "_file", "_row"],
    )
    got = log_transitions(entries, rules)
    # a: the 05-01 entry names no stage; on 05-02 row 2 comes before row 3 (S1→S2, then S2→S3);
    # 05-04 names S3 again (no move); 05-05 lost from S3. b: two entries at the same time, the file
    # f0 before f1: S1→S3, then S3→S2 (row 7 of f0 before row 5 of f1).
    assert [(*t, f, r) for t, f, r in zip(listed(got), got["_file"], got["_row"], strict=True)] == [
        ("a", S[0], S[1], "2024-05-02", "log", "f1.xlsx", 2),
        ("a", S[1], S[2], "2024-05-02", "log", "f1.xlsx", 3),
        ("a", S[2], LOST, "2024-05-05", "log", "f0.xlsx", 9),
        ("b", S[0], S[2], "2024-05-03", "log", "f0.xlsx", 7),
        ("b", S[2], S[1], "2024-05-03", "log", "f1.xlsx", 5),
    ]
    assert list(got.index) == [0, 1, 2, 3, 4]
    assert list(got.columns) == ["lead_id", "from_stage", "to_stage", "date", "source", "_file", "_row"]


def test_log_transitions_without_a_stage_column_or_entries_are_none(rules):
    columns = ["lead_id", "from_stage", "to_stage", "date", "source", "_file", "_row"]
    without_change = pd.DataFrame({"lead_id": ["a"], "time": [T("2024-05-02")]})
    for entries in (None, pd.DataFrame(), without_change):
        got = log_transitions(entries, rules)
        assert list(got.columns) == columns and got.empty


def test_empty_transitions_have_the_transition_columns_and_types():
    got = empty_transitions()
    assert list(got.columns) == ["lead_id", "from_stage", "to_stage", "date", "source", "_file", "_row"]
    assert str(got["date"].dtype) == "datetime64[ns]"
    assert str(got["_row"].dtype) == "Int64"
    assert got.empty


# ---------------------------------------------------------------------------
# What the log says: the stage-entered date and the lost-at stage
# ---------------------------------------------------------------------------


def leads_frame(rows):
    """Typed leads as (lead, stage, typed 流失阶段, 阶段进入日期, 最近跟进时间) rows."""
    frame = pd.DataFrame(
        rows, columns=["lead_id", "stage", "lost_at", "stage_entered_column", "last_follow_up"]
    )
    for column in ("stage_entered_column", "last_follow_up"):
        frame[column] = pd.to_datetime(frame[column])
    frame["_file"] = "team.xlsx"
    frame["_row"] = range(2, len(frame) + 2)
    return frame


def test_the_log_gives_the_latest_move_into_the_stage_and_the_stage_before_lost(rules):
    leads = leads_frame(
        [
            ("a", S[1], None, NAT, NAT),
            ("c", LOST, S[3], NAT, NAT),
            ("d", LOST, None, NAT, NAT),
            ("e", LOST, None, NAT, NAT),
            ("f", S[2], None, NAT, NAT),
            ("h", LOST, S[4], NAT, NAT),
        ]
    )
    leads.index = [10, 20, 30, 40, 50, 60]  # valid leads of a sheet with rows left out
    moves = moves_frame(
        [
            # a went into 需求挖掘 twice: on 05-02 and, back from 方案提案, on 05-20.
            ("a", S[0], S[1], "2024-05-02"), ("a", S[1], S[2], "2024-05-10"), ("a", S[2], S[1], "2024-05-20"),
            # c lost from 需求挖掘, revived into 方案提案, lost again from there on 05-01.
            ("c", S[0], S[1], "2024-04-01"), ("c", S[1], LOST, "2024-04-10"), ("c", LOST, S[2], "2024-04-20"),
            ("c", S[2], LOST, "2024-05-01"),
            # d lost from 成交待签约, the last stage before 已成交.
            ("d", S[3], S[4], "2024-05-03"), ("d", S[4], LOST, "2024-05-04"),
            # e "lost" from 已成交: not a stage a lead is lost at.
            ("e", S[5], LOST, "2024-05-05"),
        ]
    )
    evidence, transitions = resolve(leads, moves, None, rules, AS_OF)
    entered = [d.date().isoformat() if pd.notna(d) else None for d in evidence.stage_entered_log]
    # a: the later of its two moves into 需求挖掘; c, d, e: their (last) lost entry; f, h: none.
    assert entered == ["2024-05-20", "2024-05-01", "2024-05-04", "2024-05-05", None, None]
    # c: the log (方案提案, its last lost entry) wins over the typed 商务谈判; d: 成交待签约; e: none;
    # h: no log entry, its typed 成交待签约 (the last stage one can be lost at).
    assert plain(evidence.lost_at) == [None, S[2], S[4], None, None, S[4]]
    assert plain(evidence.lost_at_source) == [None, "log", "log", None, None, "column"]
    # Every series is aligned with the leads' index.
    for series in (evidence.stage_entered_log, evidence.lost_at, evidence.lost_at_source):
        assert list(series.index) == [10, 20, 30, 40, 50, 60]
    assert len(transitions) == len(moves)


# ---------------------------------------------------------------------------
# What the history store says: the previous rebuild's snapshot
# ---------------------------------------------------------------------------

# The previous rebuild on 04-30: (lead, stage, stage entered, its source, lost-at, 阶段进入日期 then).
PREVIOUS = [
    ("p1", S[2], "2024-04-10", "log", None, NAT),
    ("p1", S[1], "2024-03-01", "log", None, NAT),  # listed twice: the first row counts
    ("p2", S[1], NAT, "unknown", None, NAT),
    ("p3", S[1], "2024-04-05", "column", None, "2024-04-05"),
    ("p4", S[2], "2024-04-15", "log", None, NAT),
    ("p5", S[0], "2024-04-01", "first_contact", None, NAT),
    ("p6", S[0], "2024-04-02", "first_contact", None, NAT),
    ("p7", S[3], "2024-04-01", "store", None, "2024-03-15"),
    ("p8", S[3], "2024-04-01", "column", None, "2024-03-15"),
    ("p9", S[2], "2024-04-03", "between_runs", None, "2024-03-20"),
    ("p10", S[4], "2024-04-20", "log", None, NAT),
    ("p11", LOST, "2024-04-08", "log", S[1], NAT),
    ("p12", S[5], "2024-04-25", "log", None, NAT),
    ("p13", LOST, "2024-04-09", "log", S[2], NAT),
]

# This rebuild's leads on 05-31: (lead, stage, typed 流失阶段, 阶段进入日期, 最近跟进时间).
NOW = [
    ("p1", S[2], S[2], NAT, "2024-05-05"),  # an open lead's typed 流失阶段 is kept as typed
    ("p2", S[1], None, NAT, NAT),
    ("p3", S[3], None, "2024-04-05", "2024-05-12"),  # 阶段进入日期 still the old stage's date
    ("p4", S[3], None, "2024-05-20", "2024-04-30"),  # updated; last follow-up not after 04-30
    ("p5", S[1], None, NAT, "2024-05-31"),  # the log moved it on 05-31 (as-of day: covered)
    ("p6", S[1], None, NAT, "2024-05-01"),  # the log moved it on 04-30 (the previous rebuild's day)
    ("p7", S[3], None, "2024-03-15", NAT),
    ("p8", S[3], None, "2024-03-15", NAT),
    ("p9", S[2], None, "2024-03-20", NAT),
    ("p10", LOST, None, NAT, "2024-05-15"),
    ("p11", LOST, S[5], NAT, NAT),  # typed 已成交: no stage a lead is lost at
    ("p12", LOST, None, NAT, NAT),
    ("n1", S[0], None, NAT, NAT),  # new since the previous rebuild
    ("p13", LOST, S[1], NAT, NAT),
]


def previous_snapshot(rows=PREVIOUS):
    frame = pd.DataFrame(
        rows,
        columns=["lead_id", "stage", "stage_entered", "stage_entered_source", "lost_at", "stage_entered_column"],
    )
    for column in ("stage_entered", "stage_entered_column"):
        frame[column] = pd.to_datetime(frame[column])
    return PreviousSnapshot("2024-04", D(2024, 4, 30), frame)


def plain(series):
    """The values, a blank (None or NaN) as None."""
    return [None if pd.isna(v) else v for v in series]


def day_or_none(series):
    return [d.date().isoformat() if pd.notna(d) else None for d in series]


def test_what_the_previous_rebuild_says_of_each_lead(rules):
    leads = leads_frame(NOW)
    moves = moves_frame([("p5", S[0], S[1], "2024-05-31"), ("p6", S[0], S[1], "2024-04-30")])
    evidence, transitions = resolve(leads, moves, previous_snapshot(), rules, AS_OF)
    # Same stage and a date then: carried over (p1, p7, p8, p9, p11, p13); p2 had none. Changed and
    # no log move in (04-30, 05-31]: estimated by 最近跟进时间 when after 04-30 and by 05-31 (p3
    # 05-12, p4 05-31 as its 04-30 is not after the previous rebuild, p6 05-01, p10 05-15, p12 no
    # follow-up: 05-31); p5's log move on 05-31 covers it; n1 is new.
    assert day_or_none(evidence.stage_entered_store) == [
        "2024-04-10", None, "2024-05-12", "2024-05-31", None, "2024-05-01", "2024-04-01",
        "2024-04-01", "2024-04-03", "2024-05-15", "2024-04-08", "2024-05-31", None, "2024-04-09",
    ]
    store, between = "store", "between_runs"
    assert plain(evidence.stage_entered_store_source) == [
        store, None, between, between, None, between, store, store, store, between, store, between,
        None, store,
    ]
    # Stale 阶段进入日期: p3 still shows the date the previous rebuild used for its old stage; p7
    # and p9 the very value that rebuild did not trust (it carried or estimated its own); p8's
    # was trusted then (source column).
    assert list(evidence.column_stale) == [
        False, False, True, False, False, False, True, False, True, False, False, False, False, False,
    ]
    assert plain(evidence.previous_stage) == [
        S[2], S[1], S[1], S[2], S[0], S[0], S[3], S[3], S[2], S[4], LOST, S[5], None, LOST,
    ]
    # Lost-at: p10 was in 成交待签约 then; p11 was lost then at 需求挖掘 (its typed 已成交 is no
    # stage to be lost at); p12 was in 已成交, no stage to be lost at; p13's typed 需求挖掘 comes
    # before the store's 方案提案. p1 is open: its typed value stays, with no source.
    assert plain(evidence.lost_at) == [
        S[2], None, None, None, None, None, None, None, None, S[4], S[1], None, None, S[1],
    ]
    assert plain(evidence.lost_at_source) == [
        None, None, None, None, None, None, None, None, None, "store", "store", None, None, "column",
    ]
    # Every transition: the log's two and one per lead moved between the rebuilds, by lead then
    # date; dated by the updated 阶段进入日期 (p4, source column), else by the estimate.
    assert listed(transitions) == [
        ("p10", S[4], LOST, "2024-05-15", "estimated"),
        ("p12", S[5], LOST, "2024-05-31", "estimated"),
        ("p3", S[1], S[3], "2024-05-12", "estimated"),
        ("p4", S[2], S[3], "2024-05-20", "column"),
        ("p5", S[0], S[1], "2024-05-31", "log"),
        ("p6", S[0], S[1], "2024-04-30", "log"),
        ("p6", S[0], S[1], "2024-05-01", "estimated"),
    ]
    assert list(transitions.columns) == ["lead_id", "from_stage", "to_stage", "date", "source", "_file", "_row"]
    # The store's moves name the lead's place on the sheet (rows 2 … in NOW's order).
    assert list(transitions["_row"])[:4] == [11, 13, 4, 5]
    assert list(transitions["_file"])[:4] == ["team.xlsx"] * 4
    assert list(transitions.index) == list(range(7))


@pytest.mark.parametrize("previous", [None, previous_snapshot([])])
def test_without_a_previous_rebuild_the_store_says_nothing(rules, previous):
    leads = leads_frame(NOW)
    evidence, transitions = resolve(leads, moves_frame([]), previous, rules, AS_OF)
    assert evidence.stage_entered_store.isna().all()
    assert plain(evidence.stage_entered_store_source) == [None] * len(NOW)
    assert not evidence.column_stale.any()
    assert plain(evidence.previous_stage) == [None] * len(NOW)
    # Only the typed lost-at stages that are stages before 已成交: p13's 需求挖掘 (p1 is open).
    assert plain(evidence.lost_at_source) == [None] * 13 + ["column"]
    assert evidence.lost_at[0] == S[2] and evidence.lost_at[13] == S[1]
    assert transitions.empty
    assert list(transitions.columns) == ["lead_id", "from_stage", "to_stage", "date", "source", "_file", "_row"]
    assert evidence.stage_entered_log.isna().all()
    # Every series is aligned with the leads' index (what the recalculation joins them on).
    for series in (
        evidence.stage_entered_log, evidence.stage_entered_store, evidence.stage_entered_store_source,
        evidence.column_stale, evidence.previous_stage, evidence.lost_at, evidence.lost_at_source,
    ):
        assert list(series.index) == list(range(len(NOW)))


def test_without_log_moves_every_stage_change_since_the_store_is_a_move(rules):
    _, transitions = resolve(leads_frame(NOW), moves_frame([]), previous_snapshot(), rules, AS_OF)
    # As in the case above, and p5 and p6 now too (no log move covers them): by 最近跟进时间
    # 05-31 and 05-01, both after the previous rebuild.
    assert listed(transitions) == [
        ("p10", S[4], LOST, "2024-05-15", "estimated"),
        ("p12", S[5], LOST, "2024-05-31", "estimated"),
        ("p3", S[1], S[3], "2024-05-12", "estimated"),
        ("p4", S[2], S[3], "2024-05-20", "column"),
        ("p5", S[0], S[1], "2024-05-31", "estimated"),
        ("p6", S[0], S[1], "2024-05-01", "estimated"),
    ]


# ---------------------------------------------------------------------------
# The period's flow
# ---------------------------------------------------------------------------


def derived(rows):
    """Derived leads as (lead, status, stage entered, first contact, amount, cycle days) rows."""
    frame = pd.DataFrame(
        rows, columns=["lead_id", "status", "stage_entered", "first_contact", "amount", "cycle_days"]
    )
    for column in ("stage_entered", "first_contact"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


MAY_LEADS = [
    # won in May with skewed cycles 10, 20, 90 days: mean 40, median 20
    ("w1", "won", "2024-05-01", "2024-04-21", 10.0, 10),
    ("w2", "won", "2024-05-31", "2024-05-11", 20.0, 20),
    ("w3", "won", "2024-05-15", "2024-02-15", 30.0, 90),
    ("w4", "won", "2024-04-30", "2024-04-25", 40.0, 5),  # won in April
    ("w5", "won", "2024-05-20", NAT, 5.0, None),  # won in May, cycle unknown
    ("l1", "lost", "2024-05-10", "2024-03-01", None, None),
    ("n1", "active", "2024-05-01", "2024-05-01", None, None),
]

MAY_MOVES = [
    ("x", S[0], S[1], "2024-04-30", "log"),  # before May
    ("x", S[1], S[2], "2024-05-01", "log"),
    ("y", S[0], S[1], "2024-05-31", "estimated"),
    ("y", S[1], S[2], "2024-06-01", "column"),  # after May
    ("z", S[0], S[1], "2024-05-10", "column"),
    ("z", S[1], LOST, "2024-05-12", "log"),
]


def test_period_figures_count_the_moves_of_the_period_and_the_cycles_of_its_won(rules):
    got = period_figures(derived(MAY_LEADS), moves_frame(MAY_MOVES), rules, D(2024, 5, 1), AS_OF)
    assert (got.start, got.end) == (D(2024, 5, 1), AS_OF)
    # New: w2 (05-11) and n1 (05-01). Won: w1, w2, w3, w5 = 10 + 20 + 30 + 5. Lost: l1.
    assert (got.new_leads, got.won, got.lost) == (2, 4, 1)
    assert got.won_amount == pytest.approx(65)
    # Cycles of May's won, w5 unknown: 10, 20, 90.
    assert got.cycle_mean == pytest.approx(40)
    assert got.cycle_median == pytest.approx(20)
    # May's moves, 05-01 and 05-31 included: x S2→S3, y S1→S2, z S1→S2, z S2→lost.
    assert got.moves == ((S[0], S[1], 2), (S[1], S[2], 1), (S[1], LOST, 1))
    assert [(e.stage, e.left, e.forward, e.back, e.lost) for e in got.exits] == [
        (S[0], 2, 2, 0, 0), (S[1], 2, 1, 0, 1), (S[2], 0, 0, 0, 0), (S[3], 0, 0, 0, 0), (S[4], 0, 0, 0, 0),
    ]
    assert got.pass_rates(rules) == {
        "潜在接触→需求挖掘": 1.0, "需求挖掘→方案提案": 0.5, "方案提案→商务谈判": None,
        "商务谈判→成交待签约": None, "成交待签约→已成交": None,
    }
    # By source, in the order of the names.
    assert list(got.transitions_by_source.items()) == [("column", 1), ("estimated", 1), ("log", 2)]


def test_a_period_without_won_deals_or_moves(rules):
    got = period_figures(derived(MAY_LEADS), moves_frame(MAY_MOVES), rules, D(2024, 3, 1), D(2024, 3, 31))
    # March: l1's first contact (03-01) only.
    assert (got.new_leads, got.won, got.lost, got.won_amount) == (1, 0, 0, 0)
    assert (got.cycle_mean, got.cycle_median) == (None, None)
    assert got.moves == ()
    assert got.transitions_by_source == {}
    assert all(e.left == 0 and e.pass_rate is None for e in got.exits)


def test_stage_exit_pass_rate():
    assert StageExit(S[1], left=4, forward=1, back=2, lost=1).pass_rate == 0.25
    assert StageExit(S[1], left=0, forward=0, back=0, lost=0).pass_rate is None


def test_pass_rates_are_labelled_by_the_stage_and_the_next():
    exits = tuple(StageExit(name, 2, 1, 1, 0) for name in S[:-1])
    period = PeriodFigures(D(2024, 5, 1), AS_OF, 0, 0, 0, 0.0, None, None, exits, (), {})
    labels = list(period.pass_rates(rules_before_required_fields()))
    assert labels == ["潜在接触→需求挖掘", "需求挖掘→方案提案", "方案提案→商务谈判", "商务谈判→成交待签约", "成交待签约→已成交"]


def test_move_counts_in_stage_order_lost_labels_then_unknown_stages(rules):
    rows = [
        ("旧阶段B", S[0]), ("无效线索", S[1]), (S[1], LOST), ("旧阶段A", S[0]), (S[1], S[2]),
        (S[1], LOST), (S[0], S[1]), (S[1], "旧阶段A"),
    ]
    moves = pd.DataFrame(rows, columns=["from_stage", "to_stage"])
    # Ranked by from-stage then to-stage: the stages in order, then 无效线索, then stages the rules
    # do not know (by name).
    assert _move_counts(moves, rules) == (
        (S[0], S[1], 1), (S[1], S[2], 1), (S[1], LOST, 2), (S[1], "旧阶段A", 1), (LOST, S[1], 1),
        ("旧阶段A", S[0], 1), ("旧阶段B", S[0], 1),
    )


def test_exits_count_each_leads_last_exit_of_each_stage(rules):
    moves = moves_frame(
        [
            # L1: 需求挖掘 left back, then forward; over 方案提案 (S2→S4) and 成交待签约 (S4→S6).
            ("L1", S[0], S[1], "2024-05-01"), ("L1", S[1], S[0], "2024-05-02"), ("L1", S[0], S[1], "2024-05-03"),
            ("L1", S[1], S[3], "2024-05-04"), ("L1", S[3], S[5], "2024-05-05"),
            # L2: 需求挖掘 left forward, later lost from it; 方案提案 left back.
            ("L2", S[0], S[1], "2024-05-01"), ("L2", S[1], S[2], "2024-05-02"), ("L2", S[2], S[1], "2024-05-03"),
            ("L2", S[1], LOST, "2024-05-04"),
            # L3: into a stage the rules do not know (back); revived from lost (no stage left).
            ("L3", S[2], "旧阶段", "2024-05-01"), ("L3", LOST, S[1], "2024-05-02"),
            # L4: 已成交 is no stage to leave.
            ("L4", S[5], LOST, "2024-05-01"),
            # L5: over 方案提案 (forward), back into it, then lost from it: its last exit is lost.
            ("L5", S[1], S[3], "2024-05-01"), ("L5", S[3], S[2], "2024-05-02"), ("L5", S[2], LOST, "2024-05-03"),
            # L6: from 潜在接触 straight to 已成交: every stage left forward.
            ("L6", S[0], S[5], "2024-05-01"),
        ]
    )
    got = [(e.stage, e.left, e.forward, e.back, e.lost) for e in _exits(moves, rules)]
    # S1: L1, L2, L6 forward. S2: L1, L5, L6 forward, L2 lost. S3: L1 (over), L6 forward; L2, L3
    # back; L5 lost. S4: L1, L6 forward, L5 back. S5: L1 (over), L6 forward.
    assert got == [
        (S[0], 3, 3, 0, 0), (S[1], 4, 3, 0, 1), (S[2], 5, 2, 2, 1), (S[3], 3, 2, 1, 0), (S[4], 2, 2, 0, 0),
    ]


def test_period_sources_take_a_leads_last_row_and_skip_unknown_leads(rules):
    leads = pd.DataFrame(
        {
            "lead_id": ["x", "x", "y", "w", "v"],
            "source": ["广告", "展会", None, "展会", "展会"],
            "status": ["active", "active", "lost", "lost", "lost"],
            # y lost on May's first day, v on its last, w in April.
            "stage_entered": [T("2024-05-05"), T("2024-05-05"), T("2024-05-01"), T("2024-04-30"), T("2024-05-31")],
        }
    )
    moves = moves_frame(
        [
            ("x", S[0], S[1], "2024-05-05"),  # x's last row is 展会's
            ("zz", S[0], S[1], "2024-05-06"),  # no such lead: no channel
            ("y", S[0], LOST, "2024-05-01"),
            ("v", S[1], LOST, "2024-05-31"),  # not an exit of 潜在接触
        ]
    )
    got = period_sources(leads, moves, rules, D(2024, 5, 1), AS_OF, "source")
    assert got == {
        "": SourceMonth(win_rate=0.0, closed=1, first_pass_rate=0.0, first_exited=1),
        "展会": SourceMonth(win_rate=0.0, closed=1, first_pass_rate=1.0, first_exited=1),
        "广告": SourceMonth(win_rate=None, closed=0, first_pass_rate=None, first_exited=0),
    }
    # A lead leaving 潜在接触 on the period's last day counts in it.
    last_day = pd.concat([moves, moves_frame([("w", S[0], S[1], "2024-05-31")])], ignore_index=True)
    got = period_sources(leads, last_day, rules, D(2024, 5, 1), AS_OF, "source")
    assert got["展会"] == SourceMonth(win_rate=0.0, closed=1, first_pass_rate=1.0, first_exited=2)
    # Without the channel column every lead is in the blank channel: y and v closed, x and y left S1.
    got = period_sources(leads.drop(columns="source"), moves, rules, D(2024, 5, 1), AS_OF, "source")
    assert got == {"": SourceMonth(win_rate=0.0, closed=2, first_pass_rate=0.5, first_exited=2)}


# ---------------------------------------------------------------------------
# A trend month as the history store keeps it
# ---------------------------------------------------------------------------

RATES = {"潜在接触→需求挖掘": 0.5, "需求挖掘→方案提案": None}
APRIL = MonthFigures(
    month="2024-04", as_of=D(2024, 4, 30), basis="current", leads=7, active=6, win_rate=0.25,
    pass_rates=RATES, cycle_mean=12.5, pipeline=270.0, weighted_pipeline=127.0, new_leads=1, won=1,
    lost=3, period_pass_rates={"潜在接触→需求挖掘": 1.0}, period_cycle_mean=9.0,
    sources={"广告": SourceMonth(0.5, 2, 0.25, 4)}, period_sources={"展会": SourceMonth(None, 0, 1.0, 1)},
)


def test_month_figures_as_json_and_back():
    data = APRIL.as_json()
    assert data == {
        "month": "2024-04", "as_of": "2024-04-30", "basis": "current", "leads": 7, "active": 6,
        "win_rate": 0.25, "pass_rates": RATES, "cycle_mean": 12.5, "pipeline": 270.0,
        "weighted_pipeline": 127.0, "new_leads": 1, "won": 1, "lost": 3,
        "period_pass_rates": {"潜在接触→需求挖掘": 1.0}, "period_cycle_mean": 9.0,
        "period_win_rate": 0.25,  # 1 won of 1 + 3 closed
        "sources": {"广告": {"win_rate": 0.5, "closed": 2, "first_pass_rate": 0.25, "first_exited": 4}},
        "period_sources": {"展会": {"win_rate": None, "closed": 0, "first_pass_rate": 1.0, "first_exited": 1}},
    }
    # Read back from the store it is the store's month, unless told otherwise.
    again = MonthFigures.from_json(data)
    assert again.basis == "store"
    assert again == MonthFigures(**{**APRIL.__dict__, "basis": "store"})
    assert MonthFigures.from_json(data, "log").basis == "log"


def test_a_month_kept_before_the_store_had_channel_figures_reads_without_them():
    data = APRIL.as_json()
    del data["sources"], data["period_sources"]
    again = MonthFigures.from_json(data)
    assert (again.sources, again.period_sources) == ({}, {})


def test_period_win_rate_of_a_month_without_closed_leads_is_none():
    assert MonthFigures(**{**APRIL.__dict__, "won": 0, "lost": 0}).period_win_rate is None


# ---------------------------------------------------------------------------
# Trend months rebuilt from the log, and the trend's sources
# ---------------------------------------------------------------------------


def run_leads():
    """This run's derived leads (stage-entered dates and lost-at stages resolved) and transitions."""
    leads = pd.DataFrame(
        [
            # lead, stage, status, first contact, stage entered, lost-at, amount, channel
            ("a", S[2], "active", "2024-03-01", "2024-05-20", None, 100.0, "广告"),
            ("b", LOST, "lost", "2024-03-05", "2024-04-28", S[2], 50.0, "展会"),
            ("c", S[5], "won", "2024-04-10", "2024-04-30", None, 80.0, "广告"),
            ("d", S[1], "active", "2024-05-05", "2024-05-05", None, 60.0, "广告"),
            ("e", S[1], "active", "2024-04-30", "2024-05-10", None, 10.0, None),
            ("f", S[5], "won", "2024-04-15", "2024-04-15", None, 20.0, "展会"),
            ("g", S[5], "won", "2024-04-20", "2024-04-02", None, 30.0, "展会"),  # entered before first contact
        ],
        columns=["lead_id", "stage", "status", "first_contact", "stage_entered", "lost_at", "amount", "source"],
    )
    for column in ("first_contact", "stage_entered"):
        leads[column] = pd.to_datetime(leads[column])
    transitions = moves_frame(
        [
            ("a", S[0], S[1], "2024-04-05"), ("a", S[1], S[2], "2024-05-20"),
            ("b", S[0], S[1], "2024-03-10"), ("b", S[1], S[2], "2024-04-01"),
            ("c", S[3], S[5], "2024-04-30"),
        ]
    )
    return leads, transitions


def test_a_month_rebuilt_stands_as_on_its_last_day(rules):
    from funnel_xl.flow import reconstruct_month

    leads, transitions = run_leads()
    april = reconstruct_month(leads, transitions, rules, "2024-04", D(2024, 4, 1), D(2024, 4, 30))
    # On 04-30: a in 需求挖掘 (its 05-20 move is later), b lost at 方案提案 (04-28), c won (04-30, the
    # day's move and arrival agree), e in 潜在接触 since its first contact that very day, f and g won;
    # d came in May. 6 leads, a and e open; won 3 of 3 + 1 closed.
    assert (april.month, april.as_of, april.basis) == ("2024-04", D(2024, 4, 30), "log")
    assert (april.leads, april.active) == (6, 2)
    assert april.win_rate == pytest.approx(0.75)
    # In stage: S1 e, S2 a, S3 b (lost there), S6 c f g → reached [6, 5, 4, 3, 3, 3]; exited =
    # reached − open in the stage = [5, 4, 4, 3, 3].
    assert list(april.pass_rates.values()) == pytest.approx([5 / 5, 4 / 4, 3 / 4, 3 / 3, 3 / 3])
    # Cycles of the won: c 20 days, f 0 (won the day it came), g entered before its first contact: none.
    assert april.cycle_mean == pytest.approx(10)
    assert april.period_cycle_mean == pytest.approx(10)
    # Open amounts today: a 100 in 需求挖掘 (15%), e 10 in 潜在接触 (5%).
    assert april.pipeline == pytest.approx(110)
    assert april.weighted_pipeline == pytest.approx(15.5)
    # April: first contacts c, e (04-30), f, g; won c, f, g; lost b. Moves: a S1→S2, b S2→S3,
    # c S4→S6 (over 成交待签约).
    assert (april.new_leads, april.won, april.lost) == (4, 3, 1)
    assert list(april.period_pass_rates.values()) == [1.0, 1.0, None, 1.0, 1.0]
    # To date: 广告 a and c (c won), 展会 b f g (2 won, b lost), blank e.
    assert april.sources == {
        "广告": SourceMonth(win_rate=1.0, closed=1, first_pass_rate=1.0, first_exited=2),
        "展会": SourceMonth(win_rate=2 / 3, closed=3, first_pass_rate=1.0, first_exited=3),
        "": SourceMonth(win_rate=None, closed=0, first_pass_rate=None, first_exited=0),
    }
    # Of April: 广告 closed c, a left S1; 展会 closed b f g.
    assert april.period_sources == {
        "广告": SourceMonth(win_rate=1.0, closed=1, first_pass_rate=1.0, first_exited=1),
        "展会": SourceMonth(win_rate=2 / 3, closed=3, first_pass_rate=None, first_exited=0),
        "": SourceMonth(win_rate=None, closed=0, first_pass_rate=None, first_exited=0),
    }


def test_the_trend_takes_this_run_the_store_then_the_log(rules):
    from funnel_xl.flow import trend

    leads, transitions = run_leads()
    may = MonthFigures(**{**APRIL.__dict__, "month": "2024-05", "as_of": AS_OF})
    march = MonthFigures(**{**APRIL.__dict__, "month": "2024-03", "as_of": D(2024, 3, 31), "basis": "store"})
    stored = {"2024-03": march}
    # The log starts on 03-10: February has nothing to go on, April is rebuilt from the log.
    got = trend(may, stored, leads, transitions, transitions, rules, AS_OF, has_log=True, count=4)
    assert [m.basis if m else None for m in got] == [None, "store", "log", "current"]
    assert got[1] is march and got[3] is may
    assert got[2].month == "2024-04" and got[2].leads == 6
    # A log move on February's last day (of a lead not among the valid): February is rebuilt too.
    first = pd.concat([moves_frame([("zz", S[0], S[1], "2024-02-29")]), transitions], ignore_index=True)
    got = trend(may, stored, leads, first, first, rules, AS_OF, has_log=True, count=4)
    assert [m.basis for m in got] == ["log", "store", "log", "current"]
    # Without a log: only this run and the store.
    got = trend(may, stored, leads, transitions, transitions, rules, AS_OF, has_log=False, count=4)
    assert [m.basis if m else None for m in got] == [None, "store", None, "current"]


def typed_leads(lost_on="2024-05-10", won_on="2024-05-20"):
    """Typed leads of May: 10 of 线上广告 lost and 20 of 展会推广 won, all in May."""
    lost_on, won_on = T(lost_on), T(won_on)
    rows = [
        (f"L{i:02d}", LOST, S[1], "线上广告", lost_on) for i in range(10)
    ] + [
        (f"W{i:02d}", S[5], None, "展会推广", won_on) for i in range(20)
    ]
    frame = pd.DataFrame(rows, columns=["lead_id", "stage", "lost_at", "source", "stage_entered_column"])
    frame["first_contact"] = T("2024-03-01")
    frame["last_follow_up"] = frame["stage_entered_column"]
    frame["amount"] = 10.0
    frame["owner"] = "张伟"
    return frame


def low_month(label, day):
    """A stored month where 线上广告 won 0 of its 10 closed, the team 20 of 30."""
    return MonthFigures(
        month=label, as_of=day, basis="store", leads=30, active=0, win_rate=None, pass_rates={},
        cycle_mean=None, pipeline=0.0, weighted_pipeline=0.0, new_leads=0, won=20, lost=10,
        period_pass_rates={"潜在接触→需求挖掘": 0.9}, period_cycle_mean=None,
        period_sources={"线上广告": SourceMonth(0.0, 10, 0.9, 30)},
    )


def test_build_flow_puts_the_month_the_trend_and_the_flags_together(rules):
    from funnel_xl.flow import ChannelFlag, build_flow
    from funnel_xl.metrics import recalculate

    result = recalculate(typed_leads(), rules, AS_OF)
    stored = {
        "2024-03": low_month("2024-03", D(2024, 3, 31)), "2024-04": low_month("2024-04", D(2024, 4, 30)),
        "2024-05": low_month("2024-05", D(2024, 5, 15)),  # an earlier run of May: this run replaces it
    }
    previous = previous_snapshot([])
    flow = build_flow(result, rules, previous=previous, stored=stored, log_entries=7)
    # The trend starts with the first month holding figures (March).
    assert [(m.month, m.basis) for m in flow.trend] == [
        ("2024-03", "store"), ("2024-04", "store"), ("2024-05", "current"),
    ]
    may = flow.trend[-1]
    assert (may.won, may.lost, may.leads, may.as_of) == (20, 10, 30, AS_OF)
    assert (flow.period.start, flow.period.end) == (D(2024, 5, 1), AS_OF)
    assert (flow.previous_month, flow.log_entries) == ("2024-04", 7)
    assert flow.transitions.empty and flow.period.moves == ()
    # 线上广告 won 0 of 10 closed in each of the three months (10 = min_sample is enough): its
    # Wilson upper bound 0.3842/1.3842 = 27.8% is below the team's 2/3.
    assert flow.channel_flags == [
        ChannelFlag("线上广告", "win_rate", 0.1, ("2024-03", "2024-04", "2024-05"), (0.0, 0.0, 0.0)),
    ]
    # A week's run flags no channel (the rules count months); its flow is the week's.
    from funnel_xl.period import Period, PeriodKind

    week = Period(PeriodKind.WEEK, D(2024, 5, 27), AS_OF, "2024-W22", "2024-W22")
    flow = build_flow(result, rules, stored=stored, span=week)
    assert flow.channel_flags == []
    assert [m.month for m in flow.trend] == ["2024-W22"]
    assert (flow.period.start, flow.period.won, flow.previous_month) == (D(2024, 5, 27), 0, None)
    assert flow.log_entries == 0  # none given
    # Even three low weeks in a row flag nothing.
    result = recalculate(typed_leads("2024-05-28", "2024-05-29"), rules, AS_OF)
    weeks = {"2024-W20": low_month("2024-W20", D(2024, 5, 19)), "2024-W21": low_month("2024-W21", D(2024, 5, 26))}
    flow = build_flow(result, rules, stored=weeks, span=week)
    assert [m.month for m in flow.trend] == ["2024-W20", "2024-W21", "2024-W22"]
    assert flow.trend[-1].period_sources["线上广告"] == SourceMonth(0.0, 10, None, 0)
    assert flow.channel_flags == []


def test_a_month_without_closed_leads_breaks_a_channels_run(rules):
    from funnel_xl.flow import channel_flags

    months = [low_month("2024-03", D(2024, 3, 31)), low_month("2024-04", D(2024, 4, 30)),
              low_month("2024-05", D(2024, 5, 31))]
    assert [f.metric for f in channel_flags(months, rules)] == ["win_rate"]
    # The team closed nothing in April: no team rate to compare with, the run breaks.
    months[1] = MonthFigures(**{**months[1].__dict__, "won": 0, "lost": 0})
    assert channel_flags(months, rules) == []


def test_a_channel_low_on_its_first_pass_rate_and_where_the_run_breaks(rules):
    from funnel_xl.flow import ChannelFlag, channel_flags

    def months(first_rates, closed=(0, 0, 0)):
        """Three months of 线上广告: its first pass rate of 30 leaving S1 each month (the team's 90%)."""
        return [
            MonthFigures(**{**low_month(label, day).__dict__, "period_sources": {
                "线上广告": SourceMonth(None if n == 0 else 0.5, n, rate, 30)}})
            if rate is not None else None
            for (label, day), rate, n in zip(
                (("2024-03", D(2024, 3, 31)), ("2024-04", D(2024, 4, 30)), ("2024-05", D(2024, 5, 31))),
                first_rates, closed, strict=True,
            )
        ]

    # 6 of 30 left S1 forward: 20% < 50%; the 95% Wilson upper bound: centre (0.2 + 0.064027)/
    # 1.128053 = 0.234058, half 1.737508 × √(0.005333 + 0.001067) = 0.139006 → 37.3% < the team's 90%.
    assert channel_flags(months([0.2, 0.2, 0.2]), rules) == [
        ChannelFlag("线上广告", "first_pass_rate", 0.5, ("2024-03", "2024-04", "2024-05"), (0.2, 0.2, 0.2)),
    ]
    # Exactly at the threshold (50%) in April: not below it.
    assert channel_flags(months([0.2, 0.5, 0.2]), rules) == []
    # A month without figures, or only two months: no run of three.
    assert channel_flags(months([0.2, None, 0.2]), rules) == []
    assert channel_flags(months([0.2, 0.2, 0.2])[1:], rules) == []
    # The channel missing from one month's own figures breaks the run too.
    gap = months([0.2, 0.2, 0.2])
    gap[1] = MonthFigures(**{**gap[1].__dict__, "period_sources": {}})
    assert channel_flags(gap, rules) == []
    # A team rate missing that month (no one left S1) breaks it as well.
    gap = months([0.2, 0.2, 0.2])
    gap[2] = MonthFigures(**{**gap[2].__dict__, "period_pass_rates": {}})
    assert channel_flags(gap, rules) == []


def test_build_flow_rebuilds_the_months_before_from_the_log(rules):
    from funnel_xl.flow import build_flow
    from funnel_xl.metrics import recalculate

    result = recalculate(typed_leads(), rules, AS_OF)
    # One logged move of L00 on 2024-04-15: April is rebuilt from the log, March has nothing.
    log = moves_frame([("L00", S[0], S[1], "2024-04-15")])
    flow = build_flow(result, rules, transitions=log, log_moves=log, has_log=True, log_entries=1)
    assert [(m.month, m.basis) for m in flow.trend] == [("2024-04", "log"), ("2024-05", "current")]
    # On 04-30 all 30 leads were contacted (03-01); none had entered its stage yet but L00, moved
    # into 需求挖掘: 29 in 潜在接触 and L00 in 需求挖掘, all open.
    april = flow.trend[0]
    assert (april.leads, april.active, april.won, april.lost) == (30, 30, 0, 0)
    assert list(april.period_pass_rates.values())[0] == 1.0
    assert flow.period.transitions_by_source == {}  # the move was in April
    assert flow.log_entries == 1


def test_a_lead_lost_since_the_store_is_lost_where_it_was_then(rules):
    # q1 was open in 商务谈判 at the previous rebuild, its 流失阶段 cell holding an old 需求挖掘; now
    # lost: lost at 商务谈判, where it was. q2 unchanged: no move at all.
    previous = previous_snapshot([
        ("q1", S[3], "2024-04-01", "log", S[1], NAT), ("q2", S[1], "2024-04-02", "log", None, NAT),
    ])
    leads = leads_frame([("q1", LOST, None, NAT, NAT), ("q2", S[1], None, NAT, NAT)])
    evidence, transitions = resolve(leads, moves_frame([]), previous, rules, AS_OF)
    assert plain(evidence.lost_at) == [S[3], None]
    assert plain(evidence.lost_at_source) == ["store", None]
    assert listed(transitions) == [("q1", S[3], LOST, "2024-05-31", "estimated")]
    # Nothing changed since: no move.
    unchanged = previous_snapshot([("q2", S[1], "2024-04-02", "log", None, NAT)])
    _, transitions = resolve(leads.iloc[1:], moves_frame([]), unchanged, rules, AS_OF)
    assert transitions.empty
