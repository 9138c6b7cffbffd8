"""Reminders by mail against a real SMTP server (aiosmtpd) on 127.0.0.1, day after day.

Two reps and a manager; the default rules (需求挖掘 15 days, 方案提案 21, 商务谈判 30, stale after
14 days without follow-up, [remind] repeat_days = 3). Days: Monday 2024-05-27, Tuesday 05-28,
Thursday 05-30 (all working days), and Monday 2024-06-10 (端午节, a public holiday).
"""

from __future__ import annotations

import email
import re
from collections import Counter
from datetime import date
from email.policy import default

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl import load_rules
from funnel_xl.cli import cli
from funnel_xl.pipeline import analyse
from funnel_xl.recipients import find_recipients, load_recipients
from funnel_xl.remind import due_items, plan_reminders
from funnel_xl.store import HistoryStore
from funnel_xl.workdays import is_working_day
from tests.conftest import lead, write_workbook
from tests.test_mail import recipients_toml

D = date
ZHANG, LI = "张伟", "李四"
ADDRESSES = {ZHANG: "zhang@example.com", LI: "li@example.com"}
MANAGER = "boss@example.com"


def day1_rows():
    return [
        # dwell 05-01 → 05-27 = 26 days > 15: stalled
        lead("LF2024001", "需求挖掘", D(2024, 4, 1), ZHANG, entered=D(2024, 5, 1), last=D(2024, 5, 20),
             next=D(2024, 6, 5)),
        # next follow-up 05-24 passed: overdue (3 days on 05-27)
        lead("LF2024002", "方案提案", D(2024, 3, 1), ZHANG, entered=D(2024, 5, 10), last=D(2024, 5, 20),
             next=D(2024, 5, 24), close=D(2024, 6, 30), amount=50),
        # expected close 05-20 passed
        lead("LF2024003", "商务谈判", D(2024, 2, 1), ZHANG, entered=D(2024, 5, 1), last=D(2024, 5, 22),
             next=D(2024, 6, 10), close=D(2024, 5, 20), amount=80),
        # next follow-up 05-28: nothing on 05-27, due on 05-28, overdue on 05-30
        lead("LF2024004", "潜在接触", D(2024, 5, 20), ZHANG, last=D(2024, 5, 25), next=D(2024, 5, 28)),
        lead("LF2024005", "已成交", D(2024, 1, 10), ZHANG, entered=D(2024, 4, 15), amount=30),
        # 37 days in 需求挖掘 (stalled) and 26 days without follow-up (stale)
        lead("LF2024006", "需求挖掘", D(2024, 4, 1), LI, entered=D(2024, 4, 20), last=D(2024, 5, 1),
             next=D(2024, 6, 5)),
        # next follow-up 05-27: due today on 05-27 (not yet on 预警), overdue from 05-28
        lead("LF2024007", "方案提案", D(2024, 4, 1), LI, entered=D(2024, 5, 15), last=D(2024, 5, 24),
             next=D(2024, 5, 27)),
    ]


def day2_rows():
    rows = day1_rows()
    # LF2024006 moved on to 方案提案 on 05-29; LF2024003 is snoozed from 05-30.
    rows[5] = lead("LF2024006", "方案提案", D(2024, 4, 1), LI, entered=D(2024, 5, 29), last=D(2024, 5, 29),
                   next=D(2024, 6, 5))
    rows[2] = {**rows[2], "暂缓至": D(2024, 6, 20), "暂缓原因": "客户决策人出差"}
    return rows


@pytest.fixture
def team(tmp_path):
    """The workbook, the recipients file beside it (no --to-rules), the store."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "recipients.toml").write_text(
        recipients_toml(reps=ADDRESSES).replace("boss@example.com", MANAGER), encoding="utf-8"
    )
    return folder, tmp_path / "state" / "history.sqlite"


def remind(folder, history, day: date, server: str, rows, *extra):
    write_workbook(folder / "tracking.xlsx", rows)
    return CliRunner().invoke(cli, [
        "remind", str(folder / "tracking.xlsx"), "--as-of", day.isoformat(), "--smtp", server,
        "--history", str(history), *extra,
    ])


def mails(handler, since: int = 0) -> dict[str, list[str]]:
    """Each address's mail arrived since ``since``: the lead IDs of its listed items."""
    out = {}
    for (to,), raw in handler.received[since:]:
        text = email.message_from_bytes(raw, policy=default).get_body(("plain",)).get_content()
        out[to] = re.findall(r"^  - (LF\d+)", text, re.MULTILINE)
    return out


def alert_sheet_leads(tmp_path, folder, day: date, owner: str) -> Counter:
    """The lead IDs of ``owner``'s rows on the report's 预警 sheet for ``day`` (rebuild's own)."""
    out = tmp_path / f"report-{day}"
    result = CliRunner().invoke(cli, [
        "rebuild", str(folder / "tracking.xlsx"), "--as-of", day.isoformat(), "--out", str(out),
        "--no-history", "-q",
    ])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(next(out.glob("funnel_report_*.xlsx")), read_only=True)
    rows = list(book["预警"].iter_rows(values_only=True))
    book.close()
    header = rows[0]
    lead_at, owner_at = header.index("线索编号"), header.index("负责人")
    found = Counter()
    for row in rows[1:]:
        if row[lead_at] is None:
            break
        if row[owner_at] == owner:
            found[row[lead_at]] += 1
    return found


def test_day_after_day(tmp_path, team, smtp):
    folder, history = team
    handler, server = smtp
    handler.refuse = {ADDRESSES[LI]}

    # Day 1: 张伟 gets his three alerts; 李四's server refuses him; the manager gets the digest.
    result = remind(folder, history, D(2024, 5, 27), server, day1_rows())
    assert result.exit_code == 1, result.output  # one message failed
    got = mails(handler)
    assert set(got) == {ADDRESSES[ZHANG], MANAGER}
    assert got[ADDRESSES[ZHANG]] == ["LF2024001", "LF2024002", "LF2024003"]
    # 预警 lists each lead once, its alerts in one cell: the same leads.
    assert Counter(set(got[ADDRESSES[ZHANG]])) == alert_sheet_leads(tmp_path, folder, D(2024, 5, 27), ZHANG)

    # A rerun on the same day sends nothing new (李四 is still refused: tried, not sent).
    before = len(handler.received)
    result = remind(folder, history, D(2024, 5, 27), server, day1_rows())
    assert len(handler.received) == before, result.output

    # The next day 李四 is accepted: everything of his that is due goes (his stalled, stale and
    # now overdue items, as on 预警); 张伟 only gets LF2024004, due today; his day-1 items were
    # mailed 1 day ago, less than repeat_days = 3.
    handler.refuse = set()
    before = len(handler.received)
    result = remind(folder, history, D(2024, 5, 28), server, day1_rows())
    assert result.exit_code == 0, result.output
    got = mails(handler, before)
    assert got[ADDRESSES[LI]] == ["LF2024006", "LF2024007", "LF2024006"]  # stalled, overdue, stale
    assert Counter(set(got[ADDRESSES[LI]])) == alert_sheet_leads(tmp_path, folder, D(2024, 5, 28), LI)
    assert got[ADDRESSES[ZHANG]] == ["LF2024004"]
    assert MANAGER in got

    # Day 2 (05-30): LF2024006 moved on, LF2024003 is snoozed. 张伟: 001 and 002 again (3 days
    # since 05-27), 004 now overdue (a new item); 003 left out while snoozed. 李四: LF2024007 is
    # still overdue but was mailed 2 days ago: nothing for him.
    before = len(handler.received)
    result = remind(folder, history, D(2024, 5, 30), server, day2_rows())
    assert result.exit_code == 0, result.output
    got = mails(handler, before)
    assert set(got) == {ADDRESSES[ZHANG], MANAGER}
    assert got[ADDRESSES[ZHANG]] == ["LF2024001", "LF2024002", "LF2024004"]
    # The report still lists the snoozed lead's passed close date on 预警.
    assert alert_sheet_leads(tmp_path, folder, D(2024, 5, 30), ZHANG) == Counter(
        ["LF2024001", "LF2024002", "LF2024004", "LF2024003"]
    )


def test_nothing_is_sent_on_a_holiday_unless_asked(team, smtp):
    folder, history = team
    handler, server = smtp
    assert not is_working_day(D(2024, 6, 10))  # 端午节, a Monday
    result = remind(folder, history, D(2024, 6, 10), server, day1_rows())
    assert result.exit_code == 0, result.output
    assert "不是工作日" in result.output and handler.received == []
    assert not history.exists()  # nothing recorded either
    result = remind(folder, history, D(2024, 6, 10), server, day1_rows(), "--any-day")
    assert result.exit_code == 0, result.output
    assert {to for (to,), _ in handler.received} == {*ADDRESSES.values(), MANAGER}


def test_working_days_follow_the_official_calendar():
    assert is_working_day(D(2024, 5, 11))  # a Saturday made a working day (调休, 劳动节)
    assert not is_working_day(D(2024, 5, 1)) and not is_working_day(D(2024, 5, 26))
    assert is_working_day(D(2024, 5, 27))


def test_items_are_the_alerts_of_leads_not_snoozed_plus_follow_ups_due_today(tmp_path, team):
    folder, history = team
    rules = load_rules()
    path = write_workbook(folder / "tracking.xlsx", day2_rows())
    analysis = analyse([path], rules, as_of=D(2024, 5, 30))
    items = {(i.owner, i.kind, i.lead_id, i.days) for i in due_items(analysis)}
    assert items == {
        (ZHANG, "stalled", "LF2024001", 29.0),  # 05-01 → 05-30
        (ZHANG, "overdue", "LF2024002", 6.0),  # 05-24 → 05-30
        (ZHANG, "overdue", "LF2024004", 2.0),  # 05-28 → 05-30
        (LI, "overdue", "LF2024007", 3.0),  # 05-27 → 05-30
    }
    stalled = next(i for i in due_items(analysis) if i.kind == "stalled")
    assert stalled.exit == "需求、预算和决策人均已确认，可以出方案" and stalled.limit_days == 15


def test_the_digest_counts_by_rep_and_a_rep_with_nothing_due_gets_nothing(tmp_path, team):
    folder, history = team
    rows = [r for r in day1_rows() if r["负责人"] == ZHANG]
    rows.append(lead("LF2024008", "潜在接触", D(2024, 5, 20), LI, last=D(2024, 5, 25)))  # nothing due
    path = write_workbook(folder / "tracking.xlsx", rows)
    analysis = analyse([path], load_rules(), as_of=D(2024, 5, 27))
    recipients = load_recipients(find_recipients(None, [path]))
    plan = plan_reminders(analysis, recipients, HistoryStore(history))
    assert [o.to for o in plan.outgoing] == [ADDRESSES[ZHANG], MANAGER]
    digest = plan.outgoing[1].message.get_body(("plain",)).get_content()
    # 张伟: 3 due, 3 new; 1 stalled, 1 follow-up, 1 close date, 0 stale
    assert "张伟：待处理 3 · 新提醒 3 · 停留超时 1 · 跟进到期 1 · 预计成交日已过 1 · 久未跟进 0" in digest
    assert LI not in digest
    subject = str(plan.outgoing[0].message["To"])
    assert subject == "张伟 <zhang@example.com>"
    assert "=?utf-8?" in plan.outgoing[0].message.as_string()  # the name RFC 2047-encoded


def test_recipients_are_found_beside_the_rules_or_the_workbooks(tmp_path, monkeypatch):
    from funnel_xl.errors import RulesError

    rules_dir, books = tmp_path / "team-rules", tmp_path / "books"
    rules_dir.mkdir()
    books.mkdir()
    (books / "recipients.toml").write_text("x", encoding="utf-8")
    assert find_recipients(rules_dir / "funnel.toml", [books / "a.xlsx"]) == books / "recipients.toml"
    (rules_dir / "recipients.toml").write_text("x", encoding="utf-8")
    assert find_recipients(rules_dir / "funnel.toml", [books / "a.xlsx"]) == rules_dir / "recipients.toml"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RulesError, match="找不到收件人文件"):
        find_recipients(None, [tmp_path / "elsewhere" / "a.xlsx"])
