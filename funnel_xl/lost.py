"""Why deals are lost (流失分析): the lost leads by 流失原因 × lost-at stage, by rep and by channel,
the follow-up log's 客户反馈/异议 counted, and the top reasons at the stage that loses most. Pure.

Definitions (the contract, also in docs/definitions.md):

- A **lost lead** is one whose status is lost (a lost label in 所属阶段); its reason is 流失原因 as
  typed, trimmed (blank: not given), its stage the resolved lost-at stage (blank: unknown).
- An **objection** is a non-blank 客户反馈/异议 of a usable log entry, trimmed; the same text on several
  entries counts once per entry and once per lead.
- The **stage that loses most** is the stage with the highest loss rate (leads lost there ÷ leads
  that left it, as on 漏斗分析) among the stages with at least ``min_sample`` leads that left; its
  top reasons are the three most given among the leads lost there. A stage where no lead was lost
  is never named, and neither is one that would not stay the highest wherever the lost leads
  without a lost-at stage were really lost (as for the weakest transition, see metrics).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .frames import (
    AMOUNT,
    FEEDBACK,
    LEAD_ID,
    LOST_AT,
    LOST_REASON,
    OWNER,
    STATUS,
    Status,
    numbers,
    values,
)
from .metrics import FunnelMetrics, Rate
from .rules import Rules

TOP_REASONS = 3
BLANK = "\uffff"  # stands for a blank key while grouping (pandas drops None keys)


@dataclass(frozen=True)
class Crosstab:
    """Counts of lost leads by reason (rows, most given first, not given last) and by a second key
    (columns, in the given order); None stands for a blank reason or key."""

    rows: tuple[str | None, ...]
    columns: tuple[str | None, ...]
    counts: tuple[tuple[int, ...], ...]  # [row][column]

    @property
    def row_totals(self) -> tuple[int, ...]:
        return tuple(sum(r) for r in self.counts)

    @property
    def column_totals(self) -> tuple[int, ...]:
        return tuple(sum(r[c] for r in self.counts) for c in range(len(self.columns)))


@dataclass(frozen=True)
class WorstStage:
    """The stage with the highest loss rate and the reasons most given there."""

    stage: str
    loss: Rate
    reasons: tuple[tuple[str, int], ...]  # (reason, lost leads), most first
    lost_there: int  # lost leads whose lost-at stage it is


@dataclass(frozen=True)
class LostAnalysis:
    lost: int
    amount: float  # 预计成交金额 of the lost leads
    by_stage: Crosstab
    by_owner: Crosstab
    by_channel: Crosstab
    objections: tuple[tuple[str, int, int], ...]  # (text, entries, leads), most entries first
    worst: WorstStage | None


def trimmed(series: pd.Series) -> pd.Series:
    """Text trimmed, None where blank (each distinct value trimmed once)."""
    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    cleaned = [str(u).strip() or None for u in uniques]
    out = np.array([*cleaned, None], dtype=object)[codes]
    return pd.Series(out, index=series.index, dtype=object)


def crosstab(reason: pd.Series, key: pd.Series, columns: tuple[str | None, ...]) -> Crosstab:
    """Lost leads counted by ``reason`` × ``key`` (both None where blank)."""
    frame = pd.DataFrame({"reason": reason.fillna(BLANK), "key": key.fillna(BLANK)})
    counts = frame.groupby(["reason", "key"], sort=False).size()
    totals = frame["reason"].value_counts()
    rows = sorted(totals.index, key=lambda r: (r == BLANK, -int(totals[r]), r))
    table = tuple(
        tuple(int(counts.get((r, BLANK if c is None else c), 0)) for c in columns) for r in rows
    )
    return Crosstab(tuple(None if r == BLANK else r for r in rows), columns, table)


def _keys(series: pd.Series, order: tuple[str, ...] = ()) -> tuple[str | None, ...]:
    """The keys of a column: those of ``order`` first, the others sorted, None (blank) last."""
    seen = set(series.dropna().unique())
    rest = sorted(str(k) for k in seen - set(order))
    blank = (None,) if series.isna().any() else ()
    return (*order, *rest, *blank)


def lost_analysis(
    leads: pd.DataFrame, entries: pd.DataFrame | None, team: FunnelMetrics, rules: Rules
) -> LostAnalysis:
    """The lost leads of the derived ``leads`` and the objections of the usable log ``entries``."""
    lost = leads[leads[STATUS] == Status.LOST]
    reason = trimmed(values(lost, LOST_REASON))
    stage = values(lost, LOST_AT).where(values(lost, LOST_AT).isin(rules.stage_names[:-1])).astype(object)
    stage_columns = (*rules.stage_names[:-1], *((None,) if stage.isna().any() else ()))
    owner = trimmed(values(lost, OWNER))
    channel = trimmed(values(lost, rules.channel_field))
    return LostAnalysis(
        lost=len(lost),
        amount=float(numbers(lost, AMOUNT).fillna(0.0).sum()),
        by_stage=crosstab(reason, stage, stage_columns),
        by_owner=crosstab(reason, owner, _keys(owner)),
        by_channel=crosstab(reason, channel, _keys(channel, rules.sources)),
        objections=objections(entries),
        worst=worst_stage(reason, stage, team, rules),
    )


def _stays_highest(s: int, losses: list[Rate], u: int, min_sample: int) -> bool:
    """Whether stage ``s`` keeps the highest loss rate wherever the u lost leads without a lost-at
    stage were lost. Counted at stage j, a loss adds a loss and an exit at j and an exit at every
    stage before j. Another stage j gains most with x of them lost there: when j comes after s,
    all u then left s too; when j comes before s, the other u − x at best left s. Only stages some
    lead left are weighed, and only with ``min_sample`` leads gone, as the candidates are."""
    ks, ns = losses[s].k, losses[s].n
    for j, other in enumerate(losses):
        if j == s or other.n == 0:
            continue
        for x in range(1, u + 1):
            if other.n + x < min_sample:
                continue
            left_s = ns + u if j > s else ns + u - x
            if (other.k + x) / (other.n + x) > ks / left_s:
                return False
    return True


def objections(entries: pd.DataFrame | None) -> tuple[tuple[str, int, int], ...]:
    """Each objection text with its entries and leads, most entries first (then by text)."""
    if entries is None or FEEDBACK not in entries or not len(entries):
        return ()
    said = pd.DataFrame({"text": trimmed(entries[FEEDBACK]), "lead": entries[LEAD_ID]}).dropna(subset=["text"])
    counted = said.groupby("text").agg(entries=("lead", "size"), leads=("lead", "nunique"))
    ordered = sorted(counted.itertuples(), key=lambda r: (-r.entries, r.Index))
    return tuple((r.Index, int(r.entries), int(r.leads)) for r in ordered)


def worst_stage(
    reason: pd.Series, stage: pd.Series, team: FunnelMetrics, rules: Rules
) -> WorstStage | None:
    """The stage with the highest loss rate (enough leads left it), with its top reasons."""
    min_sample = rules.thresholds.min_sample
    losses = [team.loss_counts(k) for k in range(len(rules.stages) - 1)]
    candidates = [(loss, k) for k, loss in enumerate(losses) if loss.n >= min_sample and loss.k > 0]
    if not candidates:
        return None
    loss, k = max(candidates, key=lambda c: (c[0].value, -c[1]))
    if not _stays_highest(k, losses, team.totals.lost_unknown_stage, min_sample):
        return None
    name = rules.stage_names[k]
    there = reason[stage == name]
    counts = there.dropna().value_counts()
    top = sorted(counts.items(), key=lambda item: (-int(item[1]), item[0]))[:TOP_REASONS]
    return WorstStage(name, loss, tuple((str(r), int(n)) for r, n in top), int(len(there)))
