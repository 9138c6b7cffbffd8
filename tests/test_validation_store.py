"""The validation report with what the history store remembers: a stage changed while 阶段进入日期
kept the old stage's date, a date the previous rebuild did not trust left as it was, and a lost
lead's blank 流失阶段 that the store answers. Expected places and wording worked out by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd

from funnel_xl.flow import PreviousSnapshot
from funnel_xl.validation import check_files
from tests.conftest import lead, write_workbook

D = date
AS_OF = D(2024, 5, 31)
LOST = "无效线索"
CODES = ("stage_entered_not_updated", "lost_at_unknown")


def previous_rebuild():
    """The rebuild of 2024-04-30: (lead, stage, stage entered, its source, lost-at, 阶段进入日期 then)."""
    frame = pd.DataFrame(
        [
            ("LF2024001", "方案提案", "2024-04-05", "column", None, "2024-04-05"),
            ("LF2024002", "方案提案", "2024-04-01", "store", None, "2024-03-15"),
            ("LF2024003", "方案提案", "2024-04-10", "log", None, None),
            ("LF2024005", "需求挖掘", "2024-04-20", "column", None, "2024-04-20"),
        ],
        columns=["lead_id", "stage", "stage_entered", "stage_entered_source", "lost_at", "stage_entered_column"],
    )
    for column in ("stage_entered", "stage_entered_column"):
        frame[column] = pd.to_datetime(frame[column])
    return PreviousSnapshot("2024-04", D(2024, 4, 30), frame)


def found(report):
    return [(p.code, p.row, p.column, p.header, p.value) for p in report.problems if p.code in CODES]


def test_what_the_store_remembers_adds_and_answers_warnings(tmp_path, rules):
    book = write_workbook(tmp_path / "t.xlsx", [
        # row 2: moved on from 方案提案, 阶段进入日期 still the 04-05 the April rebuild used for it
        lead("LF2024001", "商务谈判", D(2024, 2, 1), entered=D(2024, 4, 5)),
        # row 3: same stage; 阶段进入日期 still the 03-15 the April rebuild did not trust
        lead("LF2024002", "方案提案", D(2024, 2, 1), entered=D(2024, 3, 15)),
        # row 4: lost without 流失阶段; in April it was in 方案提案
        lead("LF2024003", LOST, D(2024, 2, 1)),
        # row 5: lost without 流失阶段, unknown to the store
        lead("LF2024004", LOST, D(2024, 2, 1)),
        # row 6: same stage, the date the April rebuild trusted
        lead("LF2024005", "需求挖掘", D(2024, 2, 1), entered=D(2024, 4, 20)),
    ])
    checked = check_files([book], rules, AS_OF)
    # Without the store: both lost leads lack their stage.
    alone = checked.report()
    assert found(alone) == [("lost_at_unknown", 4, "P", "流失阶段", ""), ("lost_at_unknown", 5, "P", "流失阶段", "")]
    assert alone.evidence is not None and alone.transitions.empty

    report = checked.report(previous=previous_rebuild())
    # 阶段进入日期 is column O (14 familiar columns A–N, then the optional ones), 流失阶段 column P.
    assert found(report) == [
        ("stage_entered_not_updated", 2, "O", "阶段进入日期", "2024-04-05"),
        ("stage_entered_not_updated", 3, "O", "阶段进入日期", "2024-03-15"),
        ("lost_at_unknown", 5, "P", "流失阶段", ""),
    ]
    changed, kept = (p for p in report.problems if p.code == "stage_entered_not_updated")
    assert changed.message == (
        "所属阶段已从「方案提案」（2024-04 的重建）变为「商务谈判」，但阶段进入日期仍是当时的 2024-04-05，"
        "本次改用估算日期。请更新阶段进入日期。"
    )
    assert kept.message == "阶段进入日期 2024-03-15 在阶段变为「方案提案」后一直未更新，本次沿用历史记录中的日期。请更新阶段进入日期。"
    assert (changed.file, changed.sheet, changed.lead_id) == ("t.xlsx", "线索跟踪", "")
    # LF2024003's stage comes from the store.
    lost_at = dict(zip(report.valid["lead_id"], report.evidence.lost_at_source, strict=True))
    assert lost_at["LF2024003"] == "store"
    # The store's moves (no log): dated 05-31, as neither lead was followed up after 04-30.
    moves = [(r.lead_id, r.from_stage, r.to_stage, r.date.date().isoformat(), r.source)
             for r in report.transitions.itertuples()]
    assert moves == [
        ("LF2024001", "方案提案", "商务谈判", "2024-05-31", "estimated"),
        ("LF2024003", "方案提案", LOST, "2024-05-31", "estimated"),
    ]
    assert report.moves.empty and not report.has_log
    assert [f.leads["lead_id"].tolist() for f in report.files] == [
        ["LF2024001", "LF2024002", "LF2024003", "LF2024004", "LF2024005"]
    ]


def test_the_log_answers_a_lost_leads_stage_even_without_the_column(tmp_path, rules):
    from tests.conftest import FAMILIAR, OPTIONAL, entry

    headers = FAMILIAR + [h for h in OPTIONAL if h != "流失阶段"]
    book = write_workbook(
        tmp_path / "t.xlsx",
        [
            lead("LF2024001", LOST, D(2024, 3, 1), last=D(2024, 5, 8)),  # row 2: the log has it
            lead("LF2024002", LOST, D(2024, 3, 1)),  # row 3: nothing has it
        ],
        headers,
        log=[
            entry("LF2024001", D(2024, 3, 1)),
            entry("LF2024001", D(2024, 4, 2), "需求挖掘"),
            entry("LF2024001", D(2024, 5, 8), LOST),
        ],
    )
    report = check_files([book], rules, AS_OF).report()
    # The sheet has no 流失阶段 column: a warning on each lost lead's 所属阶段 (column D), but
    # LF2024001 was lost from 需求挖掘 by the log.
    missing = [(p.row, p.column) for p in report.problems if p.code == "lost_at_column_missing"]
    assert missing == [(3, "D")]
    lost_at = dict(zip(report.valid["lead_id"], report.evidence.lost_at, strict=True))
    assert lost_at["LF2024001"] == "需求挖掘"
    assert len(report.moves) == 2 and report.has_log
