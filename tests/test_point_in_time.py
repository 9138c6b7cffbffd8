"""A late rebuild gives the on-time figures: a team with a full stage history, its workbook as it
stood on two dates, and the earlier period rebuilt from the later workbook. Expected figures are
worked out by hand in the comments."""

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from click.testing import CliRunner

from funnel_xl import analyse
from funnel_xl.cli import cli
from funnel_xl.period import resolve_as_of
from funnel_xl.pipeline import record_history
from funnel_xl.pointintime import old_workbook
from funnel_xl.rules import load_rules
from funnel_xl.store import HistoryStore, Recorded
from tests.conftest import entry, lead, write_workbook
from tests.test_mail import recipients_toml

D = date
S = ["潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交"]
LOST = "无效线索"
APRIL_END, JUNE_3 = D(2024, 4, 30), D(2024, 6, 3)

# (lead ID, owner, channel, first contact, amount, stage moves, contacts without a move)
TEAM = [
    ("L01", "张伟", "展会推广", D(2024, 3, 1), 100,
     [(D(2024, 3, 10), S[1]), (D(2024, 4, 5), S[2]), (D(2024, 5, 10), S[3]), (D(2024, 5, 28), S[5])], []),
    ("L02", "张伟", "官网表单", D(2024, 3, 5), 30, [(D(2024, 3, 20), S[1]), (D(2024, 4, 25), LOST)], []),
    ("L03", "李娜", "展会推广", D(2024, 3, 15), 60,
     [(D(2024, 3, 20), S[1]), (D(2024, 4, 1), S[2]), (D(2024, 4, 10), S[3]), (D(2024, 4, 29), S[5])], []),
    ("L04", "李娜", "官网表单", D(2024, 4, 10), 40, [(D(2024, 4, 22), S[1]), (D(2024, 5, 15), LOST)], []),
    ("L05", "王磊", "展会推广", D(2024, 4, 20), 20, [(D(2024, 6, 1), S[1])], [D(2024, 4, 25)]),
    ("L06", "王磊", "官网表单", D(2024, 5, 6), 50, [(D(2024, 5, 20), S[1])], []),
    ("L07", "张伟", "展会推广", D(2024, 2, 1), 70, [(D(2024, 2, 15), S[1]), (D(2024, 5, 2), S[2])],
     [D(2024, 5, 20)]),
    ("L08", "李娜", "展会推广", D(2024, 3, 1), 90,
     [(D(2024, 3, 5), S[1]), (D(2024, 3, 25), S[2]), (D(2024, 4, 15), LOST)], []),
    ("L09", "王磊", "官网表单", D(2024, 6, 2), 10, [], []),
    ("L10", "张伟", "官网表单", D(2024, 4, 28), 25, [], [D(2024, 5, 10)]),
]


def _entries(first, moves, contacts):
    """(date, stage change or None), in date order: the first contact, each move, each contact."""
    return sorted([(first, None), *moves, *((c, None) for c in contacts)], key=lambda e: e[0])


def as_it_stood(day: date):
    """The leads sheet and the follow-up log as the reps kept them on ``day``."""
    rows, log = [], []
    for lead_id, owner, channel, first, amount, moves, contacts in TEAM:
        if first > day:
            continue
        seen = [e for e in _entries(first, moves, contacts) if e[0] <= day]
        stage, entered, came_from = S[0], first, None
        for when, change in seen:
            if change is not None:
                came_from, stage, entered = stage, change, when
        last = seen[-1][0]
        extra = {"lost_at": came_from} if stage == LOST else {}
        rows.append(lead(lead_id, stage, first, owner=owner, source=channel, last=last,
                         entered=entered, amount=amount, next=last + timedelta(days=7), **extra))
        log += [entry(lead_id, when, change, by=owner, next=when + timedelta(days=7))
                for when, change in seen]
    return rows, log


@pytest.fixture(scope="module")
def rebuilds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pit")
    books = {}
    for day in (APRIL_END, JUNE_3):
        rows, log = as_it_stood(day)
        books[day] = write_workbook(folder / f"team_{day}.xlsx", rows, log=log)
    rules = load_rules()
    on_time = analyse([books[APRIL_END]], rules, month="2024-04", today=APRIL_END)
    late = analyse([books[JUNE_3]], rules, month="2024-04", today=JUNE_3)
    return on_time, late


FIGURES = ("by_owner", "by_source", "period", "trend", "low_channels", "forecast")


def test_a_late_rebuild_equals_the_on_time_one(rebuilds):
    on_time, late = (a.as_json() for a in rebuilds)
    team_keys = [k for k in on_time if k not in {"by_owner", "by_source", "by_dimension", "channel",
                                                 "problems", "suggestions", "inputs", "rules",
                                                 "period", "trend", "low_channels", "history",
                                                 "hygiene", "drift", "forecast", "run", "targets"}]
    assert team_keys  # the team's figures: totals, stages, win rate, cycle, alerts
    for key in team_keys:
        assert late[key] == on_time[key], key
    for key in FIGURES:
        assert late[key] == on_time[key], key
    columns = ["lead_id", "stage", "stage_entered", "dwell_days", "stalled", "overdue", "stale"]
    leads = [a.result.leads[columns].sort_values("lead_id").reset_index(drop=True) for a in rebuilds]
    assert leads[0].equals(leads[1])
    assert [len(a.result.alerts) for a in rebuilds][0] == len(rebuilds[1].result.alerts)


def test_the_figures_on_april_30_by_hand(rebuilds):
    _, late = rebuilds
    # On 04-30: L06 and L09 are not yet contacted; L03 won (04-29), L02 (04-25) and L08 (04-15)
    # lost; L01 方案提案, L04 需求挖掘, L07 需求挖掘, L05 and L10 潜在接触 open.
    totals = late.team.totals
    assert (totals.valid, totals.won, totals.lost, totals.active) == (8, 1, 2, 5)
    assert late.team.win_rate == pytest.approx(1 / 3)
    assert late.team.cycle_mean == pytest.approx(45)  # L03: 03-15 → 04-29
    zhang = late.result.by_owner["张伟"].totals  # L01, L02, L07, L10
    assert (zhang.valid, zhang.lost, zhang.active) == (4, 1, 3)
    stages = late.result.leads.set_index("lead_id")["stage"].to_dict()
    assert stages == {"L01": S[2], "L02": LOST, "L03": S[5], "L04": S[1], "L05": S[0], "L07": S[1],
                      "L08": LOST, "L10": S[0]}
    # Next contacts planned a week after the last entry: L01 (04-12), L04 (04-29), L07 (02-22)
    # overdue on 04-30; L07 in 需求挖掘 since 02-15, far over its 15 days.
    assert late.team.overdue == 3
    assert bool(late.result.leads.set_index("lead_id").loc["L07", "stalled"])
    codes = [p.code for p in late.problems]
    assert codes.count("leads_after_as_of") == 1 and "state_as_today" not in codes
    assert not {"future_date", "log_future_time", "stage_disagrees_with_log"} & set(codes)


# ---------------------------------------------------------------------------
# One name per period
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"month": "2024-05"}, (D(2024, 5, 31), "2024-05")),
        ({"as_of": D(2024, 5, 31)}, (D(2024, 5, 31), "2024-05")),  # a month's end names the month
        ({"as_of": D(2024, 2, 29)}, (D(2024, 2, 29), "2024-02")),  # a leap year's February
        ({"as_of": D(2024, 5, 30)}, (D(2024, 5, 30), "2024-05-30")),  # within the month: the day
        ({"today": D(2024, 6, 30)}, (D(2024, 6, 30), "2024-06")),
    ],
)
def test_one_name_per_period(kw, expected):
    assert resolve_as_of(**kw) == expected


def test_mail_finds_what_rebuild_wrote_with_as_of_at_the_months_end(tmp_path):
    rows, log = as_it_stood(APRIL_END)
    book = write_workbook(tmp_path / "team.xlsx", rows, log=log)
    out = tmp_path / "out"
    runner = CliRunner()
    rebuilt = runner.invoke(cli, ["rebuild", str(book), "--as-of", "2024-04-30", "--out", str(out),
                                  "--split-by", "owner", "--no-history"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (out / "funnel_report_2024-04.xlsx").is_file()
    assert (out / "2024-04" / "reps" / "张伟.xlsx").is_file()
    recipients = tmp_path / "recipients.toml"
    recipients.write_text(recipients_toml(), encoding="utf-8")
    for flag in (["--month", "2024-04"], ["--as-of", "2024-04-30"]):
        mailed = runner.invoke(cli, ["mail", *flag, "--out", str(out), "--to-rules", str(recipients),
                                     "--dry-run"])
        assert mailed.exit_code == 0, mailed.output


# ---------------------------------------------------------------------------
# No log: the store's snapshot of the period, else today's row, counted
# ---------------------------------------------------------------------------

NO_LOG = {
    # On 04-30: P1 in 需求挖掘 since 04-10, P2 in 潜在接触, P3 in 需求挖掘 since 04-15.
    APRIL_END: [
        lead("P1", S[1], D(2024, 3, 1), last=D(2024, 4, 10), entered=D(2024, 4, 10)),
        lead("P2", S[0], D(2024, 3, 5), last=D(2024, 4, 20), entered=D(2024, 3, 5)),
        lead("P3", S[1], D(2024, 4, 1), last=D(2024, 4, 15), entered=D(2024, 4, 15)),
    ],
    # On 06-03: P1 moved to 方案提案 on 05-20, P3 won on 05-25; P2 untouched.
    JUNE_3: [
        lead("P1", S[2], D(2024, 3, 1), last=D(2024, 5, 20), entered=D(2024, 5, 20)),
        lead("P2", S[0], D(2024, 3, 5), last=D(2024, 4, 20), entered=D(2024, 3, 5)),
        lead("P3", S[5], D(2024, 4, 1), last=D(2024, 5, 25), entered=D(2024, 5, 25)),
        lead("P4", S[0], D(2024, 5, 10), last=D(2024, 5, 10), entered=D(2024, 5, 10)),  # left out
    ],
}


def test_without_log_the_store_snapshot_of_the_period_tells_the_state(tmp_path):
    books = {day: write_workbook(tmp_path / f"{day}.xlsx", rows) for day, rows in NO_LOG.items()}
    store = tmp_path / "history.sqlite"
    rules = load_rules()
    on_time = analyse([books[APRIL_END]], rules, month="2024-04", today=APRIL_END, history=store)
    record_history(on_time)
    late = analyse([books[JUNE_3]], rules, month="2024-04", today=JUNE_3, history=store)
    stages = late.result.leads.set_index("lead_id")["stage"].to_dict()
    assert stages == {"P1": S[1], "P2": S[0], "P3": S[1]}
    assert late.team.totals.won == 0
    assert "state_as_today" not in [p.code for p in late.problems]


def test_without_log_or_store_todays_row_is_counted_and_said(tmp_path):
    book = write_workbook(tmp_path / "june.xlsx", NO_LOG[JUNE_3])
    late = analyse([book], load_rules(), month="2024-04", today=JUNE_3)
    leads = late.result.leads.set_index("lead_id")
    # P1 and P3 changed after 04-30 and nothing tells how they stood: today's row for P1 (方案提案,
    # no stage-entered date); P3's win on 05-25 does not count: still open, in the stage before.
    assert leads["stage"].to_dict() == {"P1": S[2], "P2": S[0], "P3": S[4]}
    assert late.team.totals.won == 0
    said = [p for p in late.problems if p.code == "state_as_today"]
    assert len(said) == 1 and "按当前表格状态计入：2 条，可能不准确" in said[0].message


# ---------------------------------------------------------------------------
# The store keeps what was seen on time
# ---------------------------------------------------------------------------


def _run_cli(book, out, *flags):
    result = CliRunner().invoke(cli, ["rebuild", str(book), *flags, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result


def test_an_on_time_snapshot_survives_a_later_reconstructed_rebuild(tmp_path):
    books = {day: write_workbook(tmp_path / f"{day}.xlsx", rows) for day, rows in NO_LOG.items()}
    out = tmp_path / "out"
    store = HistoryStore(out / "history.sqlite")
    _run_cli(books[APRIL_END], out, "--month", "2024-04")
    before = store.snapshot("2024-04")
    (april,) = store.runs()
    assert april.on_time is True
    late = _run_cli(books[JUNE_3], out, "--month", "2024-04")
    assert "2024-04 已有截止日当时生成的快照，本次补算未覆盖它" in late.stdout
    (kept,) = store.runs()
    assert kept == april  # the run, its figures and when it was taken: as on 04-30
    assert store.snapshot("2024-04").equals(before)
    # May's rebuild from the June sheet is on time (nothing in it is dated after 05-31) and its
    # trend reads April's on-time figures.
    may = _run_cli(books[JUNE_3], out, "--month", "2024-05", "--json", str(tmp_path / "may.json"))
    assert "本次为补算" not in may.stdout
    trend = {m["month"]: m for m in json.loads((tmp_path / "may.json").read_text("utf-8"))["trend"]}
    # On 04-30: P1, P2, P3, all open (P3 won only on 05-25).
    assert (trend["2024-04"]["basis"], trend["2024-04"]["leads"], trend["2024-04"]["active"]) == ("store", 3, 3)


def test_a_reconstructed_snapshot_is_said_and_an_on_time_run_replaces_it(tmp_path):
    books = {day: write_workbook(tmp_path / f"{day}.xlsx", rows) for day, rows in NO_LOG.items()}
    out = tmp_path / "out"
    store = HistoryStore(out / "history.sqlite")
    late = _run_cli(books[JUNE_3], out, "--month", "2024-04")
    assert "本次为补算（工作簿已有截止日之后的记录），记为补算快照" in late.stdout
    assert [r.on_time for r in store.runs()] == [False]
    again = _run_cli(books[JUNE_3], out, "--month", "2024-04")  # reconstructed over reconstructed
    assert "本次为补算" in again.stdout
    _run_cli(books[APRIL_END], out, "--month", "2024-04")
    assert [r.on_time for r in store.runs()] == [True]


def test_the_store_says_what_it_did_with_a_run(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    leads = pd.DataFrame({"lead_id": ["A"], "stage": ["潜在接触"], "stage_entered": [pd.NaT],
                          "stage_entered_source": ["unknown"], "stage_entered_column": [pd.NaT]})
    args = {"inputs": [], "rules_sha256": "x", "tool_version": "t", "figures": None}
    assert store.record(APRIL_END, leads, on_time=False, **args) == Recorded.NEW
    assert store.record(APRIL_END, leads, on_time=True, **args) == Recorded.REPLACED
    assert store.record(APRIL_END, leads, on_time=False, **args) == Recorded.KEPT_ON_TIME
    assert store.record(APRIL_END, leads, on_time=True, **args) == Recorded.REPLACED
    assert [r.on_time for r in store.runs()] == [True]


# ---------------------------------------------------------------------------
# A default date that cannot mislead
# ---------------------------------------------------------------------------


def _dated(first, last, entered):
    ts = pd.to_datetime
    return pd.DataFrame({"first_contact": ts(first), "last_follow_up": ts(last), "stage_entered_column": ts(entered)})


@pytest.mark.parametrize(
    ("today", "said"),
    [
        (D(2024, 6, 3), None),  # the newest date, 06-02, is 1 day old
        (D(2024, 6, 16), None),  # 14 days: not more than the rules' 14
        (D(2024, 6, 17), D(2024, 6, 2)),  # 15 days
    ],
)
def test_an_old_workbook_is_told_by_its_newest_date(today, said):
    leads = _dated(["2024-03-01", "2024-04-02"], ["2024-05-20", "2024-06-02"], ["2024-05-30", None])
    assert old_workbook(leads, load_rules(), today) == said


def test_the_log_and_dates_after_today_in_telling_an_old_workbook():
    # The sheet's newest date 03-10 is 81 days before 05-30; the log's entry of 05-25 is recent.
    leads = _dated(["2024-03-01"], ["2024-03-10"], [None])
    log = pd.DataFrame({"time": pd.to_datetime(["2024-03-10", "2024-05-25"])})
    assert old_workbook(leads, load_rules(), D(2024, 5, 30)) == D(2024, 3, 10)
    assert old_workbook(leads, load_rules(), D(2024, 5, 30), log) is None
    # A slip into the future (2025 typed for 2024) does not make an old workbook look recent.
    slip = _dated(["2024-03-01"], ["2025-03-10"], ["2024-03-05"])
    assert old_workbook(slip, load_rules(), D(2024, 5, 30)) == D(2024, 3, 5)


def test_without_as_of_an_old_workbook_is_said_with_the_date_to_give(tmp_path):
    rows, log = as_it_stood(JUNE_3)
    book = write_workbook(tmp_path / "team.xlsx", rows, log=log)
    runner = CliRunner()
    days = (date.today() - D(2024, 6, 2)).days
    line = f"工作簿中最新的日期是 2024-06-02，比今天早 {days} 天"
    for command in (["validate", str(book)], ["rebuild", str(book), "--out", str(tmp_path), "--no-history"]):
        result = runner.invoke(cli, command)
        assert line in result.stdout and "请加 --as-of 2024-06-02" in result.stdout, result.output
        given = runner.invoke(cli, [*command, "--as-of", "2024-06-03"])
        assert "工作簿中最新的日期" not in given.stdout


def test_a_lead_logged_only_after_the_as_of_date_is_counted_not_a_fault(tmp_path):
    # The log's only entry (06-10) is after the as-of date (05-31): on 05-31 the log tells
    # nothing of the lead, no store either, so its row as it stands is counted (需求挖掘) and said.
    # pandas cannot map an empty table of dates; this used to end in "意外故障".
    path = write_workbook(
        tmp_path / "t.xlsx", [lead("LF2024001", S[1], D(2024, 3, 15), last=D(2024, 6, 10))],
        log=[entry("LF2024001", D(2024, 6, 10))],
    )
    checked = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2024-05-31"])
    assert checked.exit_code == 0, checked.output
    assert "按当前表格状态计入：1 条" in checked.output and "意外故障" not in checked.output
    assert "[警告] 截止日 2024-05-31 时的阶段" in checked.output  # a team's problem: no empty place
    out = tmp_path / "out"
    built = CliRunner().invoke(cli, ["rebuild", str(path), "--as-of", "2024-05-31", "--out", str(out), "--json", str(tmp_path / "f.json")])
    assert built.exit_code == 0, built.output
    assert "线索 1 条（有效 1，因数据错误排除 0）" in built.output
    figures = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    stages = {s["stage"]: s["current"] for s in figures["stages"]}
    assert stages[S[1]] == 1 and sum(stages.values()) == 1
