"""One month's analysis as a value: what the writers (workbook, JSON, terminal) all read from."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from .attention import Action, attention
from .checks import problem
from .compare import coverage
from .flow import MonthFigures, PeriodFigures, StageFlow, build_flow
from .forecast import Forecast
from .forecast import forecast as make_forecast
from .frames import OWNER
from .metrics import FiredSuggestion, FunnelMetrics, FunnelResult, Rate
from .month import MonthReview, empty_block, month_review
from .period import PeriodKind, period_of
from .problems import Problem, count_by_severity
from .quality import Quality, assess
from .review import Review, build_review, review_json
from .rules import Rules
from .runinfo import definitions, versions
from .sheet_checks import hint
from .standings import Leader, Standing, leaders, standings, team_standing
from .targets import Target, channel_rules_targets, rules_targets, unmatched
from .wording import DriftWords, lost_suggestions
from .workdays import working_days_in


@dataclass(frozen=True)
class InputFile:
    """An input workbook as read: enough to tell later exactly what was analysed."""

    path: str
    name: str
    sha256: str
    sheet: str
    header_row: int
    rows: int
    log_sheet: str | None = None  # the follow-up log (跟进记录), when the workbook has one
    log_rows: int = 0
    skipped_without_stage: int = 0  # rows left out by sheets.skip_rows_without_stage
    targets: tuple[Target, ...] = ()  # the months' targets of the workbook's 目标 sheet


@dataclass(frozen=True)
class Analysis:
    """One month's analysis, complete: build it with :func:`build_analysis`."""

    as_of: date
    period: str  # "2024-05" for --month, else the as-of date as text; used in file names
    rules: Rules
    result: FunnelResult
    problems: list[Problem]
    inputs: list[InputFile]
    excluded: pd.DataFrame  # typed rows with errors
    flow: StageFlow  # the stage history: transitions, the month's flow, the trend
    quality: Quality  # drift and hygiene
    forecast: Forecast
    history: Path | None = None  # the history store this month is recorded in, if any
    review: Review | None = None  # lost reasons, stage speed, cohorts, activity, pipeline change, bands
    month_review: MonthReview | None = None  # the month beside the month before, targets and attainment
    attention: tuple[Action, ...] = ()  # 需要关注: the month's few actions, most pressing first
    log_entries_by_lead: pd.Series | None = None  # usable follow-up log entries per lead ID

    @property
    def suggestions(self) -> list[FiredSuggestion]:
        """The 优化建议 lines: the rules' and the flagged channels', then the lost reasons'."""
        lost = self.review.lost.worst if self.review is not None else None
        return [*self.result.suggestions, *lost_suggestions(lost, self.rules)]
    # Each group's line of the compact comparison tables, by "owner", "source" or a dimension.
    standings: dict[str, tuple[Standing, ...]] = field(default_factory=dict)
    team_standing: Standing | None = None
    leaders: tuple[Leader | None, ...] = ()  # per transition, the rep leading it
    on_time: bool = True  # False: reconstructed from workbooks that had moved on since the as-of date

    @property
    def team(self) -> FunnelMetrics:
        return self.result.team

    @property
    def month(self) -> MonthFigures:
        """This month as the trend shows it (the last point of the trend)."""
        return self.flow.trend[-1]

    def as_json(self) -> dict:
        """The figures as plain JSON types (the ``--json`` file)."""
        return analysis_json(self)


def build_analysis(
    as_of: date, period: str, rules: Rules, result: FunnelResult, problems: list[Problem],
    inputs: list[InputFile], excluded: pd.DataFrame | None = None, *,
    flow: StageFlow | None = None, history: Path | None = None, quality: Quality | None = None,
    forecast: Forecast | None = None, entries: pd.DataFrame | None = None,
    opening: pd.DataFrame | None = None, targets: Sequence[Target] = (),
    log_entries_by_lead: pd.Series | None = None, on_time: bool = True,
) -> Analysis:
    """The month's analysis. What is not given is made from the result alone: the stage flow
    (no log, no history), drift and hygiene, and the forecast (no earlier snapshots).
    ``entries`` are the usable follow-up log entries, ``opening`` the previous month's snapshot in
    the history store (see :func:`funnel_xl.review.build_review`); ``targets``: the months' targets
    of the workbooks' 目标 sheets, beside the rules' own."""
    excluded = pd.DataFrame() if excluded is None else excluded
    if flow is None:
        flow = build_flow(result, rules)
    if quality is None:
        quality = assess(
            result.leads, excluded, rules, result.team, result.by_owner, words=DriftWords(rules)
        )
    if forecast is None:
        forecast = make_forecast(result.leads, rules, as_of)
    month_review_ = month_review(
        result.leads, flow.transitions, flow.period.start, flow.period.end,
        [*rules_targets(rules.targets, rules.new_lead_targets), *channel_rules_targets(rules.channel_targets),
         *(t for i in inputs for t in i.targets), *targets],
        kind=period_of(period, as_of).kind, groups=_group_columns(result, rules), working_days=working_days_in,
    )
    problems = [*problems, *_unmatched_targets(month_review_, result, excluded, rules)]
    return Analysis(
        as_of=as_of, period=period, rules=rules, result=result, problems=problems, inputs=inputs,
        excluded=excluded, flow=flow, quality=quality, forecast=forecast, history=history,
        review=build_review(result, flow, rules, as_of, entries, opening),
        month_review=month_review_, attention=attention(result.leads, result.team, flow.channel_flags),
        log_entries_by_lead=log_entries_by_lead,
        standings=_standings(result, rules, month_review_),
        team_standing=team_standing(
            result.team, month_review_.team.current,
            month_review_.team_attainment.won_ratio if month_review_.team_attainment else None,
        ),
        leaders=leaders(result.team, result.by_owner, rules.thresholds.min_sample),
        on_time=on_time,
    )


MOST_NAMES_LISTED = 12  # a target's unknown name lists the team's names up to this many


def _unmatched_targets(
    review: MonthReview, result: FunnelResult, excluded: pd.DataFrame, rules: Rules
) -> list[Problem]:
    """A warning for each of the period's targets whose rep or channel no lead names, rows with
    errors included (a rep whose every row has an error is still on the team)."""
    def named(column: str) -> list[str]:
        found = {str(v).strip() for frame in (result.leads, excluded) if column in frame for v in frame[column].dropna()}
        return sorted(found - {""})

    owners, channels = named(OWNER), named(rules.channel_field)
    return [
        problem(
            "target_unknown_owner" if t.channel is None else "target_unknown_channel", rules.lang,
            {"name": t.name, "hint": hint(
                owners if t.channel is None else channels, t.name, rules.lang, most_listed=MOST_NAMES_LISTED
            )},
        )
        for t in unmatched([*review.targets.values(), *review.channel_targets.values()], owners, channels)
    ]


def _group_columns(result: FunnelResult, rules: Rules) -> dict[str, str]:
    """The column of each grouping the comparison tables show: by owner, channel and dimension."""
    return {"owner": OWNER, "source": rules.channel_field, **{name: name for name in result.by_dimension}}


def _standings(result: FunnelResult, rules: Rules, review: MonthReview) -> dict[str, tuple[Standing, ...]]:
    groups = {"owner": result.by_owner, "source": result.by_source, **result.by_dimension}
    return {
        key: tuple(standings(
            metrics, {name: block.current for name, block in review.by_group.get(key, {}).items()},
            {name: a.won_ratio for name, a in _attained(review, key).items()},
        ))
        for key, metrics in groups.items()
    }


def _attained(review: MonthReview, key: str) -> dict:
    """The groups' attainment the comparison table shows: the reps' on 负责人对比, the channels'
    on 渠道分析."""
    return review.attainment if key == "owner" else review.channel_attainment if key == "source" else {}


@dataclass(frozen=True)
class View:
    """The rows and figures one workbook shows: the whole team's, or one group's (a rep's or a
    channel's, see :func:`funnel_xl.groups.select_group`).

    ``figures`` are the figures the workbook is about, ``team`` the whole team's (the same object
    in the team's view); ``kind`` and ``name`` name the group, both empty for the team.
    """

    figures: FunnelMetrics
    team: FunnelMetrics
    leads: pd.DataFrame
    alerts: pd.DataFrame
    problems: list[Problem]
    excluded: pd.DataFrame
    inputs: list[InputFile]
    quality: Quality
    forecast: Forecast | None
    by_owner: dict[str, FunnelMetrics] = field(default_factory=dict)
    by_source: dict[str, FunnelMetrics] = field(default_factory=dict)
    by_dimension: dict[str, dict[str, FunnelMetrics]] = field(default_factory=dict)
    suggestions: Sequence[FiredSuggestion] = ()
    calendar_years_missing: tuple[int, ...] = ()
    month_review: MonthReview | None = None
    attention: tuple[Action, ...] = ()
    log_entries: int | None = None  # the group's follow-up log entries (None: the team's, see flow)
    kind: str = ""
    name: str = ""


def team_view(analysis: Analysis) -> View:
    """The whole team's rows and figures."""
    result = analysis.result
    return View(
        figures=result.team, team=result.team, leads=result.leads, alerts=result.alerts,
        problems=analysis.problems, excluded=analysis.excluded, inputs=analysis.inputs,
        quality=analysis.quality, forecast=analysis.forecast, by_owner=result.by_owner,
        by_source=result.by_source, by_dimension=result.by_dimension,
        suggestions=analysis.suggestions, calendar_years_missing=result.calendar_years_missing,
        month_review=analysis.month_review, attention=analysis.attention,
    )


def rows_read(inputs: Sequence[InputFile]) -> int:
    """Rows read: the lead rows of every input sheet as read, each row once — an identical copy
    (in one file or across files) included, though it counts as one lead; the rows left out for
    having no stage not. The one definition validate, rebuild, the JSON and 运行信息 use."""
    return sum(i.rows for i in inputs)


def skipped_without_stage(inputs: Sequence[InputFile]) -> int:
    """Rows the inputs left out for having no stage (``sheets.skip_rows_without_stage``)."""
    return sum(i.skipped_without_stage for i in inputs)


def rows_by_file(leads: pd.DataFrame, excluded: pd.DataFrame | None) -> dict[str, tuple[int, int]]:
    """Each input file's rows: how many were read (valid and excluded) and of those excluded."""
    def counts(frame: pd.DataFrame | None) -> dict[str, int]:
        if frame is None or not len(frame) or "_file" not in frame:
            return {}
        return frame["_file"].value_counts().to_dict()

    valid, bad = counts(leads), counts(excluded)
    return {name: (valid.get(name, 0) + bad.get(name, 0), bad.get(name, 0)) for name in {*valid, *bad}}


def strict_json(value: object) -> str:
    """``value`` as JSON any reader accepts: a non-finite number (no figure) becomes null, never
    the NaN or Infinity that strict parsers refuse."""
    return json.dumps(_finite(value), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _finite(value: object) -> object:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def analysis_json(a: Analysis) -> dict:
    """The figures as plain JSON types (the ``--json`` file)."""
    rules, result, flow = a.rules, a.result, a.flow
    return {
        "as_of": a.as_of.isoformat(),
        **metrics_json(a.team),
        "by_owner": {name: metrics_json(m) for name, m in result.by_owner.items()},
        "by_source": {name: metrics_json(m) for name, m in result.by_source.items()},
        "channel": rules.channel_field,
        "by_dimension": {
            dimension: {name: metrics_json(m) for name, m in groups.items()}
            for dimension, groups in result.by_dimension.items()
        },
        "problems": count_by_severity(a.problems),
        "suggestions": [s.text for s in a.suggestions],
        "inputs": [
            {
                "file": i.name, "sha256": i.sha256, "sheet": i.sheet, "rows": i.rows,
                "skipped_without_stage": i.skipped_without_stage,
            }
            for i in a.inputs
        ],
        "rules": {"file": rules.source_path, "sha256": rules.sha256},
        "period": period_json(flow.period, flow.transitions, rules),
        "trend": [m.as_json() if m is not None else None for m in flow.trend],
        "low_channels": [
            {
                "source": f.source, "metric": f.metric, "limit": f.limit,
                "months": list(f.months), "values": list(f.values),
            }
            for f in flow.channel_flags
        ],
        "history": {
            # The file name, like the inputs': the figures do not depend on the folder.
            "store": a.history.name if a.history is not None else None,
            "previous_month": flow.previous_month,
            "log_entries": flow.log_entries,
        },
        **quality_json(a.quality, a.rules),
        "forecast": forecast_json(a.forecast),
        "run": run_json(a),
        "review": review_json(a.review) if a.review is not None else None,
        "targets": {
            name: {"target": target, "coverage": coverage(result.by_owner.get(name), target)}
            for name, target in rules.targets
        },
        "month": month_review_json(a.month_review),
    }


def month_review_json(review: MonthReview | None) -> dict | None:
    """The period beside the one before, with its target and attainment; and, for the team, each
    rep's and each channel's with a target. A month's block names the months ("month",
    "previous_month"); a week's or a span's says its kind and names the periods ("period",
    "previous_period"), its targets prorated by working days."""
    if review is None:
        return None

    def block(b, reached) -> dict:
        return {
            "current": dataclasses.asdict(b.current),
            "previous": dataclasses.asdict(b.previous),
            "target": None if reached is None else {
                "won_amount": reached.won_target, "new_leads": reached.new_leads_target,
            },
            "attainment": None if reached is None else {
                "won_amount": reached.won_ratio, "new_leads": reached.new_leads_ratio,
            },
        }

    if review.kind == PeriodKind.MONTH:
        names = {"month": review.team.month, "previous_month": review.team.previous_month}
    else:
        names = {
            "kind": str(review.kind), "period": review.team.month,
            "previous_period": review.team.previous_month, "targets_prorated": True,
        }
    out = {
        **names,
        **block(review.team, review.team_attainment),
        "by_owner": {name: block(b, review.attainment.get(name)) for name, b in review.by_owner.items()},
    }
    if review.channel_attainment:
        out["by_channel_target"] = {
            name: block(review.by_source.get(name, empty_block(review.team.month, review.team.previous_month)), a)
            for name, a in review.channel_attainment.items()
        }
    return out


def quality_json(quality: Quality, rules: Rules) -> dict:
    """The hygiene scores (team and by owner), each rep's blank required fields (header → open
    leads leaving it blank, as on 数据问题's 缺填 table) and the drifting values."""
    return {
        "hygiene": {
            "team": hygiene_json(quality.team_hygiene),
            "by_owner": {name: hygiene_json(h) for name, h in quality.hygiene.items()},
        },
        "blanks": {
            owner: {rules.header(f): n for f, n in quality.blanks_of(owner).items()}
            for owner in quality.blanks["owner"]
        },
        "drift": [
            {
                key: (None if value is None or (not isinstance(value, str) and pd.isna(value))
                      else value if key != "_row" else int(value))
                for key, value in row.items()
            }
            for row in quality.drift.to_dict("records")
        ],
    }


def run_json(a: Analysis) -> dict:
    """What the figures were made from and with."""
    return {
        "as_of": a.as_of.isoformat(),
        "period": a.period,
        "rows_read": rows_read(a.inputs),
        "rows_excluded": len(a.excluded),
        # Rows read that are not leads of this as-of date: identical copies of a lead, leads first
        # contacted after a past as-of date.
        "rows_not_counted": rows_read(a.inputs) - len(a.result.leads) - len(a.excluded),
        "versions": dict(versions()),
        "definitions": [{"name": n, "definition": d} for n, d in definitions(a.rules)],
    }


def period_transitions(period: PeriodFigures, transitions: pd.DataFrame) -> pd.DataFrame:
    """The transitions dated within the period, by date then lead ID."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    moved = transitions[(transitions["date"] >= start) & (transitions["date"] <= end)]
    return moved.sort_values(["date", "lead_id"], kind="stable")


def period_json(period: PeriodFigures, transitions: pd.DataFrame, rules: Rules) -> dict:
    moved = period_transitions(period, transitions)
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "new_leads": period.new_leads,
        "won": period.won,
        "lost": period.lost,
        "won_amount": period.won_amount,
        "cycle": {"mean": period.cycle_mean, "median": period.cycle_median},
        "exits": [
            {
                "stage": e.stage,
                "left": e.left,
                "forward": e.forward,
                "back": e.back,
                "lost": e.lost,
                "pass_rate": e.pass_rate,
            }
            for e in period.exits
        ],
        "pass_rates": period.pass_rates(rules),
        "moves": [{"from": a, "to": b, "count": n} for a, b, n in period.moves],
        "transitions_by_source": dict(period.transitions_by_source),
        "transitions": [
            {"lead_id": lead, "from": a, "to": b, "date": d.date().isoformat(), "source": src}
            for lead, a, b, d, src in zip(
                moved["lead_id"], moved["from_stage"], moved["to_stage"], moved["date"],
                moved["source"], strict=True,
            )
        ],
    }


def rate_json(rate: Rate) -> dict:
    return {"k": rate.k, "n": rate.n, "rate": rate.value, "low": rate.low, "high": rate.high}


def hygiene_json(h) -> dict:
    return {
        "score": h.score,
        "parts": {
            p.part: {"failing": p.failing, "applicable": p.applicable, "points": p.points, "earned": p.earned}
            for p in h.parts
        },
    }


def forecast_json(f: Forecast) -> dict:
    def month(m) -> dict:
        return {"month": m.month or None, "leads": m.leads, "amount": m.amount, "weighted": m.weighted}

    return {
        "current": month(f.current),
        "ahead": [month(m) for m in f.ahead],
        "overdue": month(f.overdue),
        "undated": month(f.undated),
        "won": {"count": f.won_count, "amount": f.won_amount},
        "accuracy": [
            {
                "month": c.month, "made_in": c.made_in, "leads": c.leads, "forecast": c.forecast,
                "actual": c.actual, "accuracy": c.accuracy,
            }
            for c in f.checks
        ],
        "slips": [
            {
                "lead_id": r["lead_id"], "owner": r["owner"], "slips": int(r["slips"]),
                "first_close": r["first_close"].date().isoformat(),
                "close": r["close"].date().isoformat(), "path": r["path"],
            }
            for r in (f.slips.to_dict("records") if f.slips is not None else [])
        ],
        "stage_matrix": None if f.matrix is None else {
            "since": f.matrix.since,
            "counts": [
                {"from": a, "to": b, "leads": n}
                for (a, b), n in sorted(
                    f.matrix.counts.items(),
                    key=lambda item: (f.matrix.rows.index(item[0][0]), f.matrix.columns.index(item[0][1])),
                )
            ],
        },
    }


def metrics_json(m: FunnelMetrics) -> dict:
    worst = m.worst_transition
    return {
        "totals": {
            "total": m.totals.total,
            "valid": m.totals.valid,
            "active": m.totals.active,
            "won": m.totals.won,
            "lost": m.totals.lost,
            "excluded": m.totals.excluded,
            "lost_unknown_stage": m.totals.lost_unknown_stage,
        },
        "win_rate": m.win_rate,
        "win": rate_json(m.win),
        "win_rate_amount": m.win_rate_amount,
        "lost_amount": m.lost_amount,
        "overall_conversion": m.overall_conversion,
        "cycle": {"mean": m.cycle_mean, "median": m.cycle_median, "count": m.cycle_count},
        "lost_cycle": {"mean": m.lost_cycle_mean, "median": m.lost_cycle_median, "count": m.lost_cycle_count},
        "min_sample": m.min_sample,
        "snoozed": m.snoozed,
        # Figures that rest on unknown dates: how many leads each leaves out.
        "unknown": {"dwell": m.dwell_unknown, "won_undated": m.won_undated},
        "pipeline": m.pipeline,
        "weighted_pipeline": m.weighted_pipeline,
        "won_amount": m.won_amount,
        "worst_transition": None if worst is None else {"transition": worst.label, "pass_rate": worst.rate},
        "alerts": {"stalled": m.stalled, "overdue": m.overdue, "stale": m.stale, "close_past": m.close_past},
        "stages": [
            {
                "stage": s.stage,
                "current": s.current,
                "reached": s.reached,
                "exited": s.exited,
                "pass_rate": s.pass_rate,
                "loss_rate": s.loss_rate,
                "pass": None if k == len(m.stages) - 1 else rate_json(m.pass_counts(k)),
                "loss": None if k == len(m.stages) - 1 else rate_json(m.loss_counts(k)),
                "lost_here": s.lost_here,
                "avg_dwell_days": s.avg_dwell_days,
                "stalled": s.stalled,
                "amount": s.amount,
                "weighted_amount": s.weighted_amount,
            }
            for k, s in enumerate(m.stages)
        ],
    }
