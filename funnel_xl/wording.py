"""The words around computed figures: the texts of the flagged-channel suggestions and of the drift
rows, in the rules' language. The compute modules (metrics, flow, quality, forecast) hand out
figures only; their callers turn them into text here, with the message catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .messages import catalogue
from .metrics import FiredSuggestion
from .rules import Rules
from .text import number_text as fixed_text
from .text import percent_text

if TYPE_CHECKING:
    from .attention import Action
    from .flow import ChannelFlag
    from .lost import WorstStage
    from .messages import Catalogue


def flag_suggestions(flags: list[ChannelFlag], rules: Rules) -> list[FiredSuggestion]:
    """One 优化建议 line per flagged channel (process step 5: conversion low month after month)."""
    first = f"{rules.stage_names[0]}→{rules.stage_names[1]}"
    t = catalogue(rules.lang)
    out = []
    for f in flags:
        key = f"suggestion.low_channel.{f.metric}"
        text = t(
            "suggestion.low_channel", source=f.source, what=t(key, transition=first),
            months=len(f.months), limit=percent_text(f.limit), first=f.months[0], last=f.months[-1],
            values=t.join(percent_text(v) for v in f.values), advice=t(f"{key}.advice"),
        )
        out.append(FiredSuggestion(f"source_low_{f.metric}", text, f.values[-1], None, f.source))
    return out


def lost_suggestions(worst: WorstStage | None, rules: Rules) -> list[FiredSuggestion]:
    """The 优化建议 line for the stage that loses most and its top reasons (process step 5:
    收集客户拒绝原因); none when no stage has enough leads or no lost lead there gave a reason."""
    if worst is None or not worst.reasons:
        return []
    t = catalogue(rules.lang)
    text = t(
        "suggestion.lost_reasons", stage=worst.stage, rate=percent_text(worst.loss.value),
        k=worst.loss.k, n=worst.loss.n,
        reasons=t.join(t("suggestion.lost_reason", reason=r, count=n) for r, n in worst.reasons),
    )
    return [FiredSuggestion("lost_reasons", text, worst.loss.value, worst.stage, None)]


class DriftWords:
    """The texts of the drift rows (see :class:`funnel_xl.quality.DriftWords`)."""

    def __init__(self, rules: Rules):
        self._t = catalogue(rules.lang)
        working = rules.thresholds.dwell_in_working_days
        self._unit = self._t("drift.unit.working_days" if working else "drift.unit.days")

    def days(self, value: float) -> str:
        return f"{number_text(value)} {self._unit}"

    def day_range(self, low: float, high: float) -> str:
        if low == high:
            return self.days(high)
        return f"{number_text(low)}–{number_text(high)} {self._unit}"

    def first_stage(self) -> str:
        return self._t("drift.first_stage")

    def expected_rate(self, team: float | None, own: float | None, transition: str | None) -> str:
        if transition is None:
            return "—"
        t = self._t
        parts = [t("drift.team", rate=percent_text(team) if team is not None else "—")]
        if own is not None:
            parts.append(t("drift.own", rate=percent_text(own)))
        return t("drift.expected", rates=t("drift.sep").join(parts), transition=transition)


def period_words(t: Catalogue, kind: str) -> dict[str, str]:
    """The words of a period's kind for the messages' {this}, {this_in}, {last} and {last_in}:
    本月/上月 (a month), 本周/上周 (an ISO week), 本期/上期 (a span of days)."""
    return {word: t(f"period.{word}.{kind}") for word in ("this", "this_in", "last", "last_in")}


def number_text(value: float) -> str:
    """A count of days as typed: 12, or 12.5."""
    value = float(value)
    return str(int(value)) if value.is_integer() else fixed_text(value, 1)


def action_text(t: Catalogue, action: Action, unit: str) -> str:
    """One 需要关注 line: the action's kind worded with its figures."""
    figures = dict(action.figures)
    for key in ("amount", "top_amount"):
        if key in figures:
            figures[key] = f"{figures[key]:,.1f}"
    for key in ("rate", "value", "limit"):
        if key in figures:
            figures[key] = percent_text(figures[key])
    if "metric" in figures:
        figures["metric"] = t(f"attention.metric.{figures['metric']}")
    figures = {k: "—" if v is None or v == "" else v for k, v in figures.items()}
    return t(f"attention.{action.kind}", unit=unit, **figures)


def count_or_unknown(value: float | None, unknown: int, unknown_text: str) -> float | str | None:
    """A figure that rests partly on unknown dates: when nothing was counted (a count of 0, an
    average of None) and some leads are unknown, it is unknown, not zero (0 stalled would read as
    good news)."""
    nothing = value is None or (isinstance(value, int) and value == 0)
    return unknown_text if unknown and nothing else value


def unknown_notes(t, team) -> dict[str, str]:
    """The notes beside the figures that rest on unknown dates: how many and what to fill in
    (``t`` a message catalogue, ``team`` a :class:`funnel_xl.metrics.FunnelMetrics`)."""
    notes = {}
    if team.dwell_unknown or team.dwell_estimated:
        notes["stalled"] = t("fig.stalled.note") + "".join(
            t(key, count=n) for key, n in (
                ("unknown.dwell", team.dwell_unknown), ("unknown.dwell_estimated", team.dwell_estimated),
            ) if n
        )
    if team.won_undated:
        notes["won"] = t("unknown.won_undated", count=team.won_undated)
    return notes
