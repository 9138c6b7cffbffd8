"""The manager's monthly review beyond the funnel: why deals are lost, how fast leads move, the
cohorts, the follow-up activity, how the pipeline changed and the deal-size bands — each figure
computed in its own pure module, gathered here for the writers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from .activity import Activity, activity
from .bands import Band, bands
from .cohorts import Cohorts, cohorts
from .flow import StageFlow
from .lost import LostAnalysis, lost_analysis
from .metrics import FunnelResult
from .rules import Rules
from .speed import Speed, speed
from .waterfall import Waterfall, waterfall


@dataclass(frozen=True)
class Review:
    lost: LostAnalysis
    speed: Speed
    cohorts: Cohorts
    activity: Activity
    waterfall: Waterfall
    bands: tuple[Band, ...]


def build_review(
    result: FunnelResult, flow: StageFlow, rules: Rules, as_of: date,
    entries: pd.DataFrame | None = None, opening: pd.DataFrame | None = None,
) -> Review:
    """The review of a recalculated month; ``entries`` are the usable follow-up log entries,
    ``opening`` the previous period's snapshot in the history store (lead_id, amount)."""
    leads, transitions = result.leads, flow.transitions
    return Review(
        lost=lost_analysis(leads, entries, result.team, rules),
        speed=speed(leads, transitions, rules),
        cohorts=cohorts(leads),
        activity=activity(leads, entries, rules, as_of),
        waterfall=waterfall(leads, transitions, rules, flow.period.start, as_of, opening),
        bands=bands(leads, rules.bands.amounts),
    )


def review_json(review: Review) -> dict:
    """The review's figures as plain JSON types (the ``review`` part of the ``--json`` file)."""
    w, a = review.waterfall, review.activity
    return {
        "lost": _lost_json(review.lost),
        "speed": {
            "team": _speeds_json(review.speed.team),
            "by_owner": {name: _speeds_json(s) for name, s in review.speed.by_owner.items()},
        },
        "cohorts": {
            "months": [
                {"month": c.month, "leads": c.leads, "won": c.won, "lost": c.lost, "open": c.open,
                 "won_amount": c.won_amount, "median_days_to_win": c.median_days_to_win}
                for c in review.cohorts.months
            ],
            "undated": review.cohorts.undated,
        },
        "activity": {
            "months": list(a.months),
            "follow_ups": [
                {"owner": rep, "month": month, "method": method, "count": n}
                for rep, month, method, n in a.counts
            ],
            "by_owner": [_rep_json(r) for r in a.reps],
            "team": _rep_json(a.team),
        },
        "pipeline_change": {
            "start": w.start.isoformat(), "end": w.end.isoformat(),
            "opening_from_store": w.opening_from_store,
            "stages": [_flow_json(r) for r in w.stages], "total": _flow_json(w.total),
        },
        "deal_size": [
            {"low": b.low, "high": b.high, "leads": b.leads, "open": b.open, "won": b.won,
             "lost": b.lost, "win_rate": b.win.value, "median_cycle": b.median_cycle,
             "won_amount": b.won_amount, "pipeline": b.pipeline}
            for b in review.bands
        ],
    }


def _lost_json(lost: LostAnalysis) -> dict:
    def crosstab(table) -> dict:
        return {
            "rows": list(table.rows), "columns": list(table.columns),
            "counts": [list(r) for r in table.counts],
        }

    worst = lost.worst
    return {
        "lost": lost.lost, "amount": lost.amount,
        "by_stage": crosstab(lost.by_stage), "by_owner": crosstab(lost.by_owner),
        "by_channel": crosstab(lost.by_channel),
        "objections": [{"text": x, "entries": e, "leads": n} for x, e, n in lost.objections],
        "worst_stage": None if worst is None else {
            "stage": worst.stage, "k": worst.loss.k, "n": worst.loss.n,
            "reasons": [{"reason": r, "leads": n} for r, n in worst.reasons],
        },
    }


def _speeds_json(speeds) -> list[dict]:
    return [
        {"stage": s.stage, "limit": s.limit, "stays": s.stays, "median": s.median, "p80": s.p80,
         "over_limit": s.over_limit}
        for s in speeds
    ]


def _flow_json(r) -> dict:
    return {
        "stage": r.stage or None, "start": r.start, "new": r.new, "won": r.won, "lost": r.lost,
        "changes": r.changes, "moved_in": r.moved_in, "moved_out": r.moved_out, "end": r.end,
        "check": r.check,
    }


def _rep_json(r) -> dict:
    return {
        "owner": r.name or None, "follow_ups": r.follow_ups, "won": r.won,
        "per_won_deal": r.per_won_deal, "open": r.open,
        "median_days_since_contact": r.median_days_since_contact,
        "longest_days_since_contact": r.longest_days_since_contact, "stale": r.stale,
    }
