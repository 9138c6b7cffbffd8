"""Periods of any length: ISO weeks and spans of days beside months, one name per period, the
store and the trend keyed by period kind. Expected figures worked out by hand in the comments."""

import json
import shlex
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from funnel_xl import InputError, analyse, load_rules, write_outputs
from funnel_xl.cli import cli
from funnel_xl.period import PeriodKind, previous_periods, resolve_period
from funnel_xl.store import HistoryStore
from tests.conftest import REPO, entry, lead, write_workbook
from tests.test_mail import recipients_toml
from tests.test_point_in_time import JUNE_3, S, as_it_stood
from tests.test_readme_commands import funnel_commands, team_folder  # noqa: F401 (a fixture)

D = date


@pytest.mark.parametrize(
    ("kw", "kind", "start", "end", "label"),
    [
        ({"week": "2024-W01"}, PeriodKind.WEEK, D(2024, 1, 1), D(2024, 1, 7), "2024-W01"),  # W01 starts 01-01
        ({"week": "2024-W22"}, PeriodKind.WEEK, D(2024, 5, 27), D(2024, 6, 2), "2024-W22"),  # across May/June
        ({"week": "2026-W53"}, PeriodKind.WEEK, D(2026, 12, 28), D(2027, 1, 3), "2026-W53"),  # 2026 has a W53
        ({"week": "2020w53"}, PeriodKind.WEEK, D(2020, 12, 28), D(2021, 1, 3), "2020-W53"),
        ({"month": "2024-05"}, PeriodKind.MONTH, D(2024, 5, 1), D(2024, 5, 31), "2024-05"),
        ({"as_of": D(2024, 5, 31)}, PeriodKind.MONTH, D(2024, 5, 1), D(2024, 5, 31), "2024-05"),
        ({"as_of": D(2024, 5, 17)}, PeriodKind.MONTH, D(2024, 5, 1), D(2024, 5, 17), "2024-05-17"),
        ({"start": D(2024, 5, 3), "as_of": D(2024, 5, 17)}, PeriodKind.SPAN, D(2024, 5, 3), D(2024, 5, 17),
         "2024-05-03_2024-05-17"),
        # One name per period: a whole month or a Monday-to-Sunday span is that month or week.
        ({"start": D(2024, 5, 1), "as_of": D(2024, 5, 31)}, PeriodKind.MONTH, D(2024, 5, 1), D(2024, 5, 31),
         "2024-05"),
        ({"start": D(2024, 5, 27), "as_of": D(2024, 6, 2)}, PeriodKind.WEEK, D(2024, 5, 27), D(2024, 6, 2),
         "2024-W22"),
    ],
)
def test_periods_and_their_names(kw, kind, start, end, label):
    period = resolve_period(**kw)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, label)


@pytest.mark.parametrize(
    "kw",
    [{"week": "2025-W53"}, {"week": "2024-22"}, {"week": "2024-W00"}, {"month": "2024-05", "week": "2024-W22"},
     {"start": D(2024, 5, 17), "as_of": D(2024, 5, 3)}, {"start": D(2024, 5, 3)},
     {"start": D(2024, 5, 3), "as_of": D(2024, 5, 17), "month": "2024-05"}],
)
def test_a_period_that_cannot_be_is_an_input_error(kw):
    with pytest.raises(InputError):
        resolve_period(**kw)


def test_twelve_weeks_back_across_a_year_boundary():
    weeks = previous_periods(resolve_period(week="2024-W02"), 4)
    # 2023 has 52 ISO weeks; 2023-W52 is 12-25 … 12-31, 2024-W01 starts on 01-01.
    assert [(w.key, w.start, w.end) for w in weeks] == [
        ("2023-W51", D(2023, 12, 18), D(2023, 12, 24)),
        ("2023-W52", D(2023, 12, 25), D(2023, 12, 31)),
        ("2024-W01", D(2024, 1, 1), D(2024, 1, 7)),
        ("2024-W02", D(2024, 1, 8), D(2024, 1, 14)),
    ]
    assert [w.key for w in previous_periods(resolve_period(week="2027-W01"), 2)] == ["2026-W53", "2027-W01"]
    spans = previous_periods(resolve_period(start=D(2024, 5, 3), as_of=D(2024, 5, 17)), 2)
    assert [s.key for s in spans] == ["2024-04-18_2024-05-02", "2024-05-03_2024-05-17"]  # 15 days each


@pytest.fixture
def june_book(tmp_path):
    rows, log = as_it_stood(JUNE_3)
    return write_workbook(tmp_path / "team.xlsx", rows, log=log)


def test_a_weekly_run_across_a_month_boundary(june_book):
    analysis = analyse([june_book], load_rules(), week="2024-W22", today=JUNE_3)
    # 2024-W22 is 05-27 … 06-02: L09 first contacted 06-02 is new; L01 won 05-28; moves: L01
    # 商务谈判→已成交 (05-28) and L05 潜在接触→需求挖掘 (06-01). L04 lost on 05-15, before the week.
    period = analysis.flow.period
    assert (period.start, period.end) == (D(2024, 5, 27), D(2024, 6, 2))
    assert (period.new_leads, period.won, period.lost) == (1, 1, 0)
    assert period.moves == ((S[0], S[1], 1), (S[3], S[5], 1))
    assert analysis.period == "2024-W22"
    # The weekly trend: twelve weeks from the log, W11 … W22; none flags a channel (months only).
    trend = analysis.flow.trend
    assert [m.month for m in trend] == [f"2024-W{w:02d}" for w in range(11, 23)]
    assert analysis.flow.channel_flags == []
    # W21 (05-20 … 05-26): L06 moved to 需求挖掘 05-20, L07 contacted; nothing won or lost.
    w21 = trend[-2]
    assert (w21.new_leads, w21.won, w21.lost, w21.period_win_rate) == (0, 0, 0, None)


def test_a_weekly_and_a_monthly_run_of_the_same_days_side_by_side_in_one_store(june_book, tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    for flags in (["--month", "2024-05"], ["--week", "2024-W22"], ["--week", "2024-W21"],
                  ["--month", "2024-05"]):
        result = runner.invoke(cli, ["rebuild", str(june_book), *flags, "--out", str(out)])
        assert result.exit_code == 0, result.output
    store = HistoryStore(out / "history.sqlite")
    assert [(r.month, r.kind) for r in store.runs()] == [
        ("2024-05", PeriodKind.MONTH), ("2024-W21", PeriodKind.WEEK), ("2024-W22", PeriodKind.WEEK),
    ]
    assert [r.month for r in store.runs(PeriodKind.WEEK)] == ["2024-W21", "2024-W22"]
    # May's snapshot is May's: 9 leads on 05-31 (all but L09, first contacted 06-02).
    assert len(store.snapshot("2024-05")) == 9 and len(store.snapshot("2024-W22")) == 10
    # The second weekly run compared with the week before, the monthly rerun with no month.
    w22 = analyse([june_book], load_rules(), week="2024-W22", history=out / "history.sqlite", today=JUNE_3)
    assert w22.flow.previous_month == "2024-W21"
    may = analyse([june_book], load_rules(), month="2024-05", history=out / "history.sqlite", today=JUNE_3)
    assert may.flow.previous_month is None
    assert [m.basis for m in may.flow.trend][-1] == "current"
    assert all(not m.month.count("W") for m in may.flow.trend if m is not None)
    assert sorted(p.name for p in out.glob("funnel_report_*.xlsx")) == [
        "funnel_report_2024-05.xlsx", "funnel_report_2024-W21.xlsx", "funnel_report_2024-W22.xlsx",
    ]


def test_a_week_across_a_year_boundary(tmp_path):
    # 2026-W53: Monday 2026-12-28 … Sunday 2027-01-03. Y1 is contacted in W52 and won on 01-02;
    # Y2 is new on 12-30; Y3 new on 2027-01-04 (the next week).
    rows = [
        lead("Y1", S[5], D(2026, 12, 22), last=D(2027, 1, 2), entered=D(2027, 1, 2), amount=10),
        lead("Y2", S[0], D(2026, 12, 30), last=D(2026, 12, 30)),
        lead("Y3", S[0], D(2027, 1, 4), last=D(2027, 1, 4)),
    ]
    log = [entry("Y1", D(2026, 12, 22), None), entry("Y1", D(2027, 1, 2), S[5]),
           entry("Y2", D(2026, 12, 30), None), entry("Y3", D(2027, 1, 4), None)]
    book = write_workbook(tmp_path / "y.xlsx", rows, log=log)
    analysis = analyse([book], load_rules(), week="2026-W53", today=D(2027, 1, 10))
    period = analysis.flow.period
    assert (period.start, period.end, period.new_leads, period.won) == (D(2026, 12, 28), D(2027, 1, 3), 1, 1)
    assert analysis.team.totals.valid == 2  # Y3 comes after the week
    # Cycle of Y1: 12-22 → 01-02 = 11 days.
    assert period.cycle_mean == pytest.approx(11)
    # The trend starts with the week of the first logged move (Y1's win on 01-02): W53 alone.
    assert [m.month for m in analysis.flow.trend] == ["2026-W53"]
    written = write_outputs(analysis, tmp_path / "out")
    assert written.report.name == "funnel_report_2026-W53.xlsx"


def test_mail_finds_what_rebuild_wrote_for_a_week_whichever_flag(june_book, tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    rebuilt = runner.invoke(cli, ["rebuild", str(june_book), "--week", "2024-W22", "--out", str(out),
                                  "--split-by", "owner", "--no-history"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (out / "2024-W22" / "reps" / "张伟.xlsx").is_file()
    recipients = tmp_path / "recipients.toml"
    recipients.write_text(recipients_toml(), encoding="utf-8")
    for flags in (["--week", "2024-W22"], ["--from", "2024-05-27", "--to", "2024-06-02"]):
        mailed = runner.invoke(cli, ["mail", *flags, "--out", str(out), "--to-rules", str(recipients), "--dry-run"])
        assert mailed.exit_code == 0, mailed.output
        assert "funnel_report_2024-W22" in mailed.stdout or "2024-W22" in mailed.stdout


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--from", "2024-05-03"], "--from 与 --to 需要一起给出"),
        (["--to", "2024-05-03", "--as-of", "2024-05-03"], "--to 与 --as-of 只能指定一个"),
        (["--week", "2024-W22", "--month", "2024-05"], "--as-of、--month、--week 与 --from/--to 只能指定一个"),
        (["--week", "2025-W53"], "周「2025-W53」格式不对或不存在"),
    ],
)
def test_period_flags_that_do_not_fit(june_book, flags, said):
    result = CliRunner().invoke(cli, ["validate", str(june_book), *flags])
    assert result.exit_code == 2 and said in result.output, result.output


def test_the_json_names_the_week(june_book, tmp_path):
    json_path = tmp_path / "w.json"
    result = CliRunner().invoke(cli, ["rebuild", str(june_book), "--week", "2024-W22", "--out", str(tmp_path),
                                      "--json", str(json_path), "--no-history"])
    assert result.exit_code == 0, result.output
    assert "本周（2024-05-27 至 2024-06-02）" in result.stdout
    data = json.loads(json_path.read_text("utf-8"))
    assert data["trend"][-1]["month"] == "2024-W22" and data["as_of"] == "2024-06-02"


@pytest.mark.usefixtures("team_folder")  # a fresh copy of the example, inbox/张伟.xlsx, as the cwd
def test_the_history_pages_commands_do_what_the_page_says():
    folder = Path.cwd()
    # docs/history*.md: May on time, April rebuilt late from the same (end-of-May) workbook, a week.
    page = (REPO / "docs" / "history.md").read_text(encoding="utf-8")
    commands = [c for c in funnel_commands(page) if " --month 2024-0" in c or " --week " in c]
    assert commands == ["funnel-xl rebuild inbox/ --month 2024-05", "funnel-xl rebuild inbox/ --month 2024-04",
                        "funnel-xl rebuild inbox/ --week 2024-W22"]
    runner = CliRunner()
    said = [runner.invoke(cli, shlex.split(c)[1:]) for c in commands]
    assert all(r.exit_code in (0, 1) for r in said), [r.output for r in said]
    store = HistoryStore(folder / "output" / "history.sqlite")
    may_before = store.snapshot("2024-05")
    # April: the summary says it was reconstructed; leads first contacted after 04-30 left out, said once.
    assert "本次为补算" in said[1].stdout and "截止 2024-04-30" in said[1].stdout
    april = analyse([folder / "inbox"], load_rules(), month="2024-04", history=store.path)
    assert [p.code for p in april.problems].count("leads_after_as_of") == 1
    assert not (april.result.leads["first_contact"] > "2024-04-30").any()
    runs = {(r.month, r.kind): r.on_time for r in store.runs()}
    assert runs == {("2024-04", PeriodKind.MONTH): False, ("2024-05", PeriodKind.MONTH): True,
                    ("2024-W22", PeriodKind.WEEK): True}
    # The week left May's snapshot alone and wrote its own report.
    assert store.snapshot("2024-05").equals(may_before)
    assert (folder / "output" / "funnel_report_2024-W22.xlsx").is_file()
