"""Follow-ups due on the as-of date itself, as the daily reminder lists them: open leads only, not
snoozed, the day itself (not the day before, which is overdue). Worked out row by row below."""

from datetime import date

import pandas as pd

from funnel_xl.alerts import FOLLOW_UP_DUE, follow_ups_due_today
from funnel_xl.frames import LEAD_ID, NEXT_FOLLOW_UP, OWNER, SNOOZED, STATUS, Status

AS_OF = date(2024, 5, 27)


def test_only_open_unsnoozed_leads_due_on_the_day():
    leads = pd.DataFrame(
        {
            LEAD_ID: ["LF1", "LF2", "LF3", "LF4", "LF5", "LF6"],
            OWNER: ["张伟", "张伟", "李娜", "李娜", "张伟", "李娜"],
            NEXT_FOLLOW_UP: pd.to_datetime(
                ["2024-05-27", "2024-05-26", "2024-05-27", "2024-05-27", None, "2024-05-28"]
            ),
            STATUS: [Status.ACTIVE, Status.ACTIVE, Status.WON, Status.ACTIVE, Status.ACTIVE, Status.ACTIVE],
            SNOOZED: [False, False, False, True, False, False],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    # LF1 due on 05-27: listed. LF2 was due 05-26 (overdue, an alert), LF3 is won, LF4 snoozed,
    # LF5 has no date, LF6 is due tomorrow: none listed.
    due = follow_ups_due_today(leads, AS_OF)
    assert due[LEAD_ID].tolist() == ["LF1"]
    assert due["kind"].tolist() == [FOLLOW_UP_DUE]
    assert due[OWNER].tolist() == ["张伟"]
    assert due["date"].tolist() == [pd.Timestamp("2024-05-27")]
    assert due.index.tolist() == [0]
    # The alerts frame's shape: kind first, the lead's columns, the date last; no old index column.
    assert list(due.columns) == ["kind", LEAD_ID, OWNER, NEXT_FOLLOW_UP, STATUS, SNOOZED, "date"]


def test_no_leads_or_no_follow_up_column_means_nothing_due():
    empty = follow_ups_due_today(pd.DataFrame(columns=[LEAD_ID, NEXT_FOLLOW_UP, STATUS, SNOOZED]), AS_OF)
    assert empty.empty and list(empty.columns) == ["kind", "date"]
    without = pd.DataFrame({LEAD_ID: ["LF1"], STATUS: [Status.ACTIVE], SNOOZED: [False]})
    assert follow_ups_due_today(without, AS_OF).empty
    assert list(follow_ups_due_today(without, AS_OF).columns) == ["kind", "date"]
