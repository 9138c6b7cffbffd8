"""Properties of the metric layer that hold for any valid set of leads (hypothesis).

Typed lead frames are built directly, as the validator hands them to metrics.recalculate. The last
property goes through files: the report's 线索明细 sheet, read back as an input with the default
rules, gives the same team figures.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel_xl import analyse, load_rules
from funnel_xl.analysis import build_analysis, metrics_json
from funnel_xl.metrics import FunnelMetrics, recalculate
from funnel_xl.report import write_report

RULES = load_rules()
AS_OF = date(2024, 5, 31)
STAGES = RULES.stage_names
LOST = RULES.lost_labels[0]
OWNERS = ["甲", "乙", "丙", "*销售代表"]
SOURCES = [*RULES.sources[:3], None]
DAY = timedelta(days=1)


@st.composite
def typed_lead(draw) -> dict:
    stage = draw(st.sampled_from([*STAGES, LOST]))
    first = date(2023, 1, 1) + draw(st.integers(0, 500)) * DAY
    def maybe_after(low, high):
        return st.one_of(
            st.none(), st.integers(low, high).map(lambda d: pd.Timestamp(first + d * DAY))
        )
    return {
        "customer": draw(st.sampled_from(["A公司/*经理", "B公司", None])),
        "source": draw(st.sampled_from(SOURCES)),
        "stage": stage,
        "first_contact": pd.Timestamp(first),
        "last_follow_up": draw(maybe_after(0, 200)),
        "expected_close": draw(maybe_after(0, 300)),
        # Halves of 万元: sums are exact in floating point, whatever the order.
        "amount": draw(st.one_of(st.none(), st.integers(0, 2000).map(lambda n: n / 2))),
        "owner": draw(st.sampled_from(OWNERS)),
        "dwell_days_typed": draw(st.one_of(st.none(), st.integers(0, 90).map(float))),
        "stage_entered_column": draw(maybe_after(0, 200)),
        "lost_at": draw(st.sampled_from([None, *STAGES[:-1]])) if stage == LOST else None,
        "next_follow_up": draw(maybe_after(0, 600)),
    }


leads_frames = st.lists(typed_lead(), min_size=1, max_size=40).map(
    lambda rows: pd.DataFrame(
        [{"lead_id": f"LF2024{i:03d}", **row, "_row": i + 2, "_file": "t.xlsx", "_sheet": "线索跟踪"}
         for i, row in enumerate(rows)]
    )
)


def all_metrics(result) -> list[FunnelMetrics]:
    return [result.team, *result.by_owner.values(), *result.by_source.values()]


def rounded(value):
    """A JSON value with floats rounded, to compare sums taken in a different order."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def figures(result) -> dict:
    return {
        "team": rounded(metrics_json(result.team)),
        "by_owner": {k: rounded(metrics_json(m)) for k, m in result.by_owner.items()},
        "by_source": {k: rounded(metrics_json(m)) for k, m in result.by_source.items()},
    }


# One recalculation per example serves the three properties below: it is the costly part.
@settings(max_examples=30)
@given(leads_frames)
def test_rates_reached_and_group_sums(leads):
    result = recalculate(leads, RULES, AS_OF)
    rates_are_shares_or_undefined(result)
    reached_never_increases_down_the_funnel(result)
    owners_and_sources_add_up_to_the_team(result)


def rates_are_shares_or_undefined(result):
    for m in all_metrics(result):
        for s in m.stages:
            for rate in (s.pass_rate, s.loss_rate):
                assert rate is None or 0.0 <= rate <= 1.0
            if s.pass_rate is not None:
                # exited(k) ≥ reached(k+1) + lost at k, so the two shares never exceed the whole.
                assert s.pass_rate + s.loss_rate <= 1.0 + 1e-12
        for rate in (m.win_rate, m.overall_conversion):
            assert rate is None or 0.0 <= rate <= 1.0


def reached_never_increases_down_the_funnel(result):
    for m in all_metrics(result):
        reached = [s.reached for s in m.stages]
        assert reached == sorted(reached, reverse=True)
        assert all(s.exited <= s.reached for s in m.stages)


def owners_and_sources_add_up_to_the_team(result):
    team = result.team
    for groups in (result.by_owner, result.by_source):
        parts = list(groups.values())
        for name in ("valid", "active", "won", "lost", "lost_unknown_stage"):
            assert sum(getattr(m.totals, name) for m in parts) == getattr(team.totals, name)
        for k, stage in enumerate(team.stages):
            for name in ("current", "reached", "exited", "lost_here", "stalled"):
                assert sum(getattr(m.stages[k], name) for m in parts) == getattr(stage, name)
        for name in ("stalled", "overdue", "stale", "close_past", "cycle_count"):
            assert sum(getattr(m, name) for m in parts) == getattr(team, name)
        assert math.isclose(sum(m.pipeline for m in parts), team.pipeline, abs_tol=1e-6)
        assert math.isclose(sum(m.weighted_pipeline for m in parts), team.weighted_pipeline, abs_tol=1e-6)


@settings(max_examples=12)
@given(leads_frames, st.randoms(use_true_random=False))
def test_row_order_changes_nothing(leads, random):
    order = list(range(len(leads)))
    random.shuffle(order)
    shuffled = leads.iloc[order].reset_index(drop=True)
    assert figures(recalculate(shuffled, RULES, AS_OF)) == figures(recalculate(leads, RULES, AS_OF))


@settings(max_examples=12)
@given(leads_frames, st.sampled_from(OWNERS), st.text(min_size=1, max_size=12).filter(lambda t: t not in OWNERS))
def test_renaming_an_owner_changes_only_that_name(leads, old, new):
    before = figures(recalculate(leads, RULES, AS_OF))
    renamed = leads.assign(owner=leads["owner"].replace(old, new))
    after = figures(recalculate(renamed, RULES, AS_OF))
    assert after["team"] == before["team"]
    assert after["by_source"] == before["by_source"]
    expected = {(new if name == old else name): m for name, m in before["by_owner"].items()}
    assert after["by_owner"] == expected


@settings(max_examples=10)
@given(leads_frames)
def test_the_detail_sheet_read_back_gives_the_same_figures(tmp_path_factory, leads):
    result = recalculate(leads, RULES, AS_OF)
    analysis = build_analysis(as_of=AS_OF, period="2024-05", rules=RULES, result=result, problems=[], inputs=[])
    report = write_report(analysis, tmp_path_factory.mktemp("roundtrip") / "report.xlsx")
    again = analyse([report], RULES, as_of=AS_OF)
    assert again.inputs[0].sheet == "线索明细"
    assert not [p for p in again.problems if p.severity == "error"]
    assert again.team.totals.valid == len(leads)
    assert rounded(metrics_json(again.team)) == rounded(metrics_json(result.team))
