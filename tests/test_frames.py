"""The declared frames hold at the stage boundaries: what read → validate produces is typed leads and
log entries, what the recalculation produces is derived leads and transitions. Checked on a small
hand-made team (a log, a previous rebuild in the store) and on the example; and the evidence of the
log and the store reaches the recalculation as an argument, not as columns of the leads.
"""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from funnel_xl import analyse, write_outputs
from funnel_xl.flow import resolve
from funnel_xl.frames import (
    DerivedLeads,
    EnteredFrom,
    LogEntries,
    LostAtFrom,
    MoveSource,
    Status,
    Transitions,
    TypedLeads,
    dates,
    numbers,
    values,
)
from funnel_xl.metrics import Evidence, derive_lead_fields
from funnel_xl.rules import load_rules
from funnel_xl.validation import check_files
from tests.conftest import REPO, entry, lead, write_workbook

D = date
EXAMPLE = REPO / "examples" / "sample_tracking.xlsx"
LOST = "无效线索"
LEADS = [
    # A: into 需求挖掘 by the log on 04-10.
    lead("T-1", "需求挖掘", D(2024, 4, 1), last=D(2024, 4, 10), amount=30),
    # B: lost from 方案提案 by the log on 05-05, the 流失阶段 column left blank.
    lead("T-2", LOST, D(2024, 3, 1), last=D(2024, 5, 5)),
    # C: won, its 阶段进入日期 typed.
    lead("T-3", "已成交", D(2024, 2, 1), last=D(2024, 5, 20), entered=D(2024, 5, 20), amount=50),
    # D: no log entry, first stage: since first contact.
    lead("T-4", "潜在接触", D(2024, 5, 2)),
]
ENTRIES = [
    entry("T-1", D(2024, 4, 10), "需求挖掘"),
    entry("T-2", D(2024, 4, 1), "方案提案"),
    entry("T-2", D(2024, 5, 5), LOST),
]


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Path:
    return write_workbook(tmp_path_factory.mktemp("team") / "team.xlsx", LEADS, log=ENTRIES)


@pytest.mark.parametrize("path", ["team", "example"])
def test_the_frames_hold_at_each_stage(path, team, tmp_path):
    path = team if path == "team" else EXAMPLE
    rules = load_rules()
    checked = check_files([path], rules, D(2024, 5, 31))
    for validated in checked.validated:
        TypedLeads.validate(validated.valid, lazy=True)
    for log in checked.logs:
        LogEntries.validate(log.entries, lazy=True)
    report = checked.report()
    Transitions.validate(report.moves, lazy=True)
    Transitions.validate(report.transitions, lazy=True)
    # A second month with a store behind it: the between-rebuild transitions hold too.
    history = tmp_path / "history.sqlite"
    write_outputs(analyse([path], rules, as_of=D(2024, 4, 30), history=history), tmp_path / "april")
    analysis = analyse([path], rules, as_of=D(2024, 5, 31), history=history)
    DerivedLeads.validate(analysis.result.leads, lazy=True)
    Transitions.validate(analysis.flow.transitions, lazy=True)


def test_the_hand_made_team_reads_as_worked_out(team):
    analysis = analyse([team], load_rules(), as_of=D(2024, 5, 31))
    leads = analysis.result.leads.set_index("lead_id")
    assert list(leads["status"]) == [Status.ACTIVE, Status.LOST, Status.WON, Status.ACTIVE]
    # A entered 需求挖掘 on 04-10 by the log; C by its column; D in S1 since 05-02.
    assert list(leads["stage_entered_source"]) == [
        EnteredFrom.LOG, EnteredFrom.LOG, EnteredFrom.COLUMN, EnteredFrom.FIRST_CONTACT
    ]
    # B: lost from 方案提案 according to the log.
    assert (leads.loc["T-2", "lost_at"], leads.loc["T-2", "lost_at_source"]) == ("方案提案", LostAtFrom.LOG)
    # Moves: A S1→需求挖掘, B S1→方案提案→无效线索, all from the log.
    moves = analysis.flow.transitions
    assert len(moves) == 3 and set(moves["source"]) == {MoveSource.LOG}


def test_evidence_is_an_argument_not_columns(team):
    rules = load_rules()
    as_of = D(2024, 5, 31)
    checked = check_files([team], rules, as_of)
    valid = checked.validated[0].valid
    evidence, _ = resolve(valid, checked.report().moves, None, rules, as_of)
    assert isinstance(evidence, Evidence)
    # The leads passed in are not touched, and the derived leads carry no evidence columns.
    assert "stage_entered_log" not in valid and "lost_at_source" not in valid
    derived = derive_lead_fields(valid, rules, as_of, evidence=evidence)
    for gone in ("stage_entered_log", "stage_entered_store", "stage_entered_column_stale", "previous_stage"):
        assert gone not in derived
    # Without the evidence, A's 需求挖掘 date is unknown to the sheet: last follow-up, no dwell
    # typed → unknown; with it, the log's 04-10 → dwell 31 − 10 + 30 = 51 days.
    alone = derive_lead_fields(valid, rules, as_of).set_index("lead_id")
    helped = derived.set_index("lead_id")
    assert alone.loc["T-1", "stage_entered_source"] == EnteredFrom.UNKNOWN
    assert helped.loc["T-1", "dwell_days"] == 51


def test_a_misspelt_column_fails_loudly():
    frame = pd.DataFrame({"lead_id": ["A"], "first_contact": pd.to_datetime(["2024-05-01"])})
    # An optional lead column the sheet lacks reads as blank …
    assert dates(frame, "expected_close").isna().all()
    assert numbers(frame, "amount").isna().all()
    assert values(frame, "lost_at").isna().all()
    # … a name that is no optional column (a typo, a derived column not yet there) is an error.
    for helper, name in ((dates, "first_contcat"), (numbers, "dwell_days"), (values, "status")):
        with pytest.raises(KeyError, match=name):
            helper(frame, name)


def test_the_vocabularies_keep_their_strings():
    """JSON and the history store hold these strings: the enums must not change them."""
    assert [s.value for s in Status] == ["active", "won", "lost"]
    assert {e.value for e in EnteredFrom} == {
        "log", "column", "store", "between_runs", "first_contact", "estimated", "unknown"
    }
    assert [s.value for s in LostAtFrom] == ["log", "column", "store"]
    assert [s.value for s in MoveSource] == ["log", "column", "estimated"]
