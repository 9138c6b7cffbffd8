"""The demo team: deterministic, a realistic funnel, and every planted problem present."""

import re
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from funnel_xl import analyse
from funnel_xl.demo import demo_data, demo_rows, write_demo_workbook
from funnel_xl.rules import load_rules

REPO = Path(__file__).parents[1]
AS_OF = date(2024, 5, 31)
STAGES = ["潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交"]
SOURCES = ["展会推广", "官网表单", "线上广告", "老客户转介绍", "渠道合作"]
VALID_DATE_TEXT = [r"^\d{4}/\d{1,2}/\d{1,2}$", r"^\d{4}年\d{1,2}月\d{1,2}日$", r"^\d{4}\.\d{1,2}\.\d{1,2}$"]


@pytest.fixture(scope="module")
def rows():
    return demo_rows(load_rules())


def is_date(value) -> bool:
    return isinstance(value, date)


def planted(rows) -> dict[str, list[str]]:
    """Lead IDs of the rows showing each problem kind, found with the test's own checks."""
    ids = Counter(r["lead_id"] for r in rows)
    checks = {
        "missing_owner": lambda r: not r.get("owner"),
        "unknown_stage": lambda r: r["stage"] not in [*STAGES, "无效线索"],
        "duplicate_id": lambda r: ids[r["lead_id"]] > 1,
        "bad_date": lambda r: r["first_contact"] == "上周三",
        "follow_up_before_first_contact": lambda r: is_date(r["first_contact"])
        and is_date(r["last_follow_up"])
        and r["last_follow_up"] < r["first_contact"],
        "future_date": lambda r: is_date(r["last_follow_up"]) and r["last_follow_up"] > AS_OF,
        "unknown_source": lambda r: r["source"] not in SOURCES,
        "bad_lead_id": lambda r: not re.fullmatch(r"LF\d{4}\d{3,}", r["lead_id"]),
        "negative_amount": lambda r: isinstance(r.get("amount"), float) and r["amount"] < 0,
        "amount_not_number": lambda r: isinstance(r.get("amount"), str),
    }
    return {kind: [r["lead_id"] for r in rows if check(r)] for kind, check in checks.items()}


def test_same_seed_same_rows_other_seed_other_rows(rules, rows):
    assert demo_rows(rules) == rows
    assert demo_rows(rules, seed=7) != rows


def test_size_and_lead_ids(rules, rows):
    assert len(rows) == 300
    assert rows[0]["lead_id"] == "LF2024001"
    assert rows[-1]["lead_id"] == "LF2024300"
    wide = demo_rows(rules, n_leads=1200)
    assert wide[0]["lead_id"] == "LF20240001"
    assert sum(not re.fullmatch(r"LF\d{4}\d{3,}", r["lead_id"]) for r in wide) == 4


def test_team_sources_and_stages(rows):
    owners = Counter(r["owner"] for r in rows if r["owner"])
    assert len(owners) == 8
    assert "*销售代表" in owners
    assert {r["source"] for r in rows} >= set(SOURCES)
    assert {r["stage"] for r in rows} >= {*STAGES, "无效线索"}
    for owner in owners:
        assert len({r["stage"] for r in rows if r["owner"] == owner}) >= 3, owner


def test_a_plausible_funnel(rows):
    stages = Counter(r["stage"] for r in rows)
    won, lost = stages["已成交"], stages["无效线索"]
    assert 0.15 <= won / (won + lost) <= 0.25
    for stage in STAGES:
        assert stages[stage] >= 3, stage

    def win_rate(source):
        closed = [r["stage"] for r in rows if r["source"] == source and r["stage"] in ("已成交", "无效线索")]
        return closed.count("已成交") / len(closed)

    assert win_rate("老客户转介绍") > win_rate("线上广告")


def test_first_contacts_span_six_months(rows):
    firsts = [r["first_contact"] for r in rows if is_date(r["first_contact"])]
    assert date(2023, 12, 1) <= min(firsts) < date(2024, 1, 1)
    assert date(2024, 5, 1) <= max(firsts) <= AS_OF


def test_every_planted_problem_occurs_on_few_rows(rows):
    found = planted(rows)
    assert all(found.values()), found
    assert "需求挖据" in {r["stage"] for r in rows}
    assert "朋友介绍" in {r["source"] for r in rows}
    assert "A-17" in found["bad_lead_id"]
    assert "待定" in {r.get("amount") for r in rows}
    assert len(found["duplicate_id"]) == 2
    problem_ids = {lead_id for ids in found.values() for lead_id in ids}
    assert len(problem_ids) <= 0.05 * len(rows)


def test_valid_dates_typed_as_text(rows):
    texts = [
        r[f] for r in rows for f in ("first_contact", "last_follow_up", "stage_entered")
        if isinstance(r.get(f), str)
    ]
    for pattern in VALID_DATE_TEXT:
        assert any(re.fullmatch(pattern, t) for t in texts), pattern


def test_optional_columns_as_reps_fill_them(rows):
    entered = sum(is_date(r.get("stage_entered")) or isinstance(r.get("stage_entered"), str) for r in rows)
    typed_dwell = [r for r in rows if "dwell_days" in r]
    assert 0.7 * len(rows) <= entered <= 0.9 * len(rows)
    assert 0.05 * len(rows) <= len(typed_dwell) <= 0.15 * len(rows)
    assert all("stage_entered" not in r for r in typed_dwell)
    lost = [r for r in rows if r["stage"] == "无效线索"]
    assert all(r.get("lost_reason") for r in lost)
    assert 0.1 * len(lost) <= sum(not r.get("lost_at") for r in lost) <= 0.3 * len(lost)
    hand_rates = [r["pass_rate_text"] for r in rows if r.get("pass_rate_text")]
    assert hand_rates and all(re.fullmatch(r"\d+%\(\S+→\S+\)", t) for t in hand_rates)
    assert all(re.fullmatch(r"\S+/\*\S+", r["customer"]) for r in rows)
    assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", r["contact_info"]) for r in rows)


def test_amounts_in_wan_yuan(rows):
    amounts = [r["amount"] for r in rows if isinstance(r.get("amount"), float) and r["amount"] >= 0]
    assert amounts and all(5 <= a <= 200 and round(a, 1) == a for a in amounts)
    assert all("amount" not in r for r in rows if r["stage"] == "潜在接触")


def test_committed_example_is_up_to_date(tmp_path):
    rules = load_rules()  # the shipped rules
    fresh = tmp_path / "sample_tracking.xlsx"
    write_demo_workbook(fresh, rules)
    assert (REPO / "examples" / "sample_tracking.xlsx").read_bytes() == fresh.read_bytes()
    book = openpyxl.load_workbook(fresh)
    ws = book["线索跟踪"]
    assert ws.max_row == 301
    assert ws["A2"].value == "LF2024001"
    assert book["跟进记录"].max_row == len(demo_data(rules).log) + 1


# ---------------------------------------------------------------------------
# The follow-up log
# ---------------------------------------------------------------------------

LOG_FIELDS = ("lead_id", "time", "method", "content", "feedback", "next_action", "next_contact", "stage_change", "by")


@pytest.fixture(scope="module")
def data():
    return demo_data(load_rules())


@pytest.fixture(scope="module")
def log(data):
    assert data.log_fields == LOG_FIELDS
    return [dict(zip(LOG_FIELDS, e, strict=False)) for e in data.log]


def as_day(value):
    """A date typed as text in one of the valid forms, as a date (the test's own reading)."""
    if isinstance(value, date):
        return value
    parts = [int(p) for p in re.split(r"[-/.年月日]", value) if p]
    return date(*parts)


def test_leads_rows_do_not_depend_on_the_log(rows, data):
    assert data.leads == rows


def test_about_five_entries_per_lead_in_date_order(data, log):
    assert 4 <= len(log) / len(data.leads) <= 7
    days = [e["time"] for e in log if isinstance(e["time"], date)]
    assert days == sorted(days)
    assert all(e["time"] <= AS_OF for e in log if isinstance(e["time"], date))
    assert {e["method"] for e in log} <= {"电话", "面谈", "邮件", "微信", "视频会议"}
    assert {e["stage_change"] for e in log} <= {None, *STAGES, "无效线索", "需求挖据", "方案提按", "商务淡判"}


def test_the_log_tells_the_leads_sheets_story(rows, log):
    """For every row without a planted problem, replay its entries with the test's own logic."""
    problem_ids = {lead_id for ids in planted(rows).values() for lead_id in ids}
    ids = Counter(r["lead_id"] for r in rows)
    by_lead: dict[str, list[dict]] = {}
    for e in log:
        if isinstance(e["time"], date) and e["stage_change"] not in ("需求挖据", "方案提按", "商务淡判"):
            by_lead.setdefault(e["lead_id"], []).append(e)
    checked = disagree = 0
    for row in rows:
        if row["lead_id"] in problem_ids or ids[row["lead_id"]] > 1:
            continue
        entries = by_lead[row["lead_id"]]
        stage, before, moved_on, lost_from = STAGES[0], None, None, None
        for e in entries:
            if e["stage_change"] and e["stage_change"] != stage:
                before, stage, moved_on = stage, e["stage_change"], e["time"]
                if stage == "无效线索":
                    lost_from = before
        assert entries[0]["time"] == as_day(row["first_contact"])
        assert max(e["time"] for e in entries) == as_day(row["last_follow_up"]), row["lead_id"]
        if stage != row["stage"]:
            # the planted "所属阶段 not updated": the log moved it one stage on at its last contact
            disagree += 1
            assert STAGES.index(stage) == STAGES.index(row["stage"]) + 1
            assert moved_on == as_day(row["last_follow_up"])
            continue
        if row.get("stage_entered") is not None and moved_on is not None:
            assert as_day(row["stage_entered"]) == moved_on, row["lead_id"]
        if row["stage"] == "无效线索" and row.get("lost_at"):
            assert row["lost_at"] == lost_from
        checked += 1
    assert disagree == 1
    assert checked >= 0.9 * len(rows)


def test_log_problems_are_planted(rows, log):
    known = {r["lead_id"] for r in rows}
    unknown = [e["lead_id"] for e in log if e["lead_id"] not in known]
    assert unknown == ["LF202426"]  # LF2024026 with a digit left out
    assert [e["stage_change"] for e in log if e["stage_change"] == "需求挖据"] == ["需求挖据"]
    assert [e["time"] for e in log if not isinstance(e["time"], date)] == ["上周五"]


def test_the_quickstart_report_shows_a_trend():
    analysis = analyse([REPO / "examples" / "sample_tracking.xlsx"], load_rules(), as_of=AS_OF)
    trend = analysis.flow.trend
    # First contacts from December 2023: six months, the five earlier ones rebuilt from the log.
    assert [(m.month, m.basis) for m in trend] == [
        ("2023-12", "log"), ("2024-01", "log"), ("2024-02", "log"), ("2024-03", "log"), ("2024-04", "log"),
        ("2024-05", "current"),
    ]
    leads = [m.leads for m in trend]
    assert leads == sorted(leads) and leads[-1] == analysis.team.totals.valid
    assert analysis.flow.period.moves and analysis.flow.log_entries > 1000
    # The planted log problems, and nothing else, on the 跟进记录 sheet.
    log_codes = sorted(p.code for p in analysis.problems if p.sheet == "跟进记录")
    assert log_codes == ["log_bad_time", "log_unknown_lead", "log_unknown_stage"]
