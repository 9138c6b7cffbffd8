"""What the reps typed against what is true: drift of the hand-typed columns, and the data hygiene
score per rep. Pure: derived leads (see :func:`funnel_xl.metrics.derive_lead_fields`), the rows
excluded for errors and the rules in, frames and dataclasses out; no file I/O.

Definitions (the contract, also in the README):

- **Dwell drift**: an open lead whose 当前阶段停留时长(天) was typed, and whose stage-entered date is
  known from a date (not estimated from that very value). The typed value is right when it was the
  true dwell on some day from the lead's last follow-up (when the rep last touched the row) to the
  as-of date; it is drift when it is more than ``thresholds.drift_dwell_days`` outside that range.
- **Pass-rate drift**: an open or won lead whose 转化率/阶段通过率 was typed. Drift when the text
  names another transition than the one into the lead's stage (a lead in the first stage has none),
  when no percentage can be read, or when the percentage is more than
  ``thresholds.drift_pass_rate_points`` off both the team's and the rep's own rate of it.
- **Hygiene score** of a rep, 0–100: the sum over the parts of ``hygiene.points`` of
  points × (1 − failing ÷ applicable); a part with nothing to apply to earns its full points.
- **Required-field blanks**: an open lead leaving a field the rules mark ``required_for_quality``
  (and the sheet has) without a usable value: blank, or a date that cannot be read. Counted per rep
  and field; the hygiene part ``required_fields`` fails an open lead with any such blank.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
import pandas as pd

from .frames import (
    AMOUNT,
    CLOSE_PAST,
    DWELL_AT_FOLLOW_UP,
    DWELL_DAYS,
    DWELL_DAYS_TYPED,
    EXPECTED_CLOSE,
    PASS_RATE_TEXT_TYPED,
    STAGE,
    STAGE_ENTERED_SOURCE,
    STAGE_IDX,
    STALE,
    STATUS,
    EnteredFrom,
    Status,
    dates,
    numbers,
)
from .metrics import DATED_SOURCES, FunnelMetrics
from .rules import HYGIENE_PARTS, REQUIRED_FIELDS_PART, Rules


class DriftKind(StrEnum):
    """What a drift row is about (the drift frame's ``kind``)."""

    DWELL = "dwell"
    RATE_TRANSITION = "rate_transition"
    RATE_VALUE = "rate_value"
    RATE_UNREADABLE = "rate_unreadable"


DRIFT_COLUMNS = [
    "owner", "lead_id", "customer", "stage", "kind", "typed", "expected", "difference", "_file", "_row",
]
FIX_COLUMNS = ["owner", "lead_id", "customer", "stage", "part", "_file", "_row"]
# The parts whose failing leads are listed as rows to fix; blank required fields are counted by rep
# on 数据问题 instead (one habit to change, not one row each).
LISTED_PARTS = tuple(p for p in HYGIENE_PARTS[1:] if p != REQUIRED_FIELDS_PART)


class DriftWords(Protocol):
    """How the drift rows' typed and expected values read (see :class:`funnel_xl.wording.DriftWords`)."""

    def days(self, value: float) -> str: ...

    def day_range(self, low: float, high: float) -> str: ...

    def first_stage(self) -> str: ...

    def expected_rate(self, team: float | None, own: float | None, transition: str | None) -> str: ...


_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*%")
# "(方案提案→商务谈判)", also with the sample the tool writes for a small one: "(方案提案→商务谈判 1/1)".
_TRANSITION = re.compile(
    r"[(]\s*([^()]+?)\s*(?:→|->|=>|➝|➔|⟶|—>|至|到)\s*([^()]+?)(?:\s+[0-9]+\s*/\s*[0-9]+)?\s*[)]"
)


@dataclass(frozen=True)
class HygienePart:
    part: str
    failing: int
    applicable: int
    points: float  # the most this part can earn

    @property
    def earned(self) -> float:
        if not self.applicable:
            return self.points
        return self.points * (1 - self.failing / self.applicable)


@dataclass(frozen=True)
class HygieneScore:
    parts: tuple[HygienePart, ...]

    @property
    def score(self) -> float:
        return float(sum(p.earned for p in self.parts))

    def part(self, name: str) -> HygienePart:
        return next(p for p in self.parts if p.part == name)


@dataclass
class Quality:
    """Drift and hygiene of one analysis (the team's, or a rep's slice of it)."""

    drift: pd.DataFrame  # DRIFT_COLUMNS, by owner then lead
    hygiene: dict[str, HygieneScore]  # by owner
    team_hygiene: HygieneScore
    fixes: pd.DataFrame  # FIX_COLUMNS: one row per lead and failing part, by owner then lead
    # Per owner with a blank: the open leads leaving each required field blank ("owner", then one
    # column per field of rules.quality_fields the sheets have), by owner.
    blanks: pd.DataFrame

    def blanks_of(self, owner: str) -> dict[str, int]:
        """The owner's blank required fields: field → open leads leaving it blank (none left out)."""
        mine = self.blanks[self.blanks["owner"] == owner]
        if mine.empty:
            return {}
        return {f: int(n) for f, n in mine.iloc[0].drop("owner").items() if n}

    def only(self, column: str, name: str) -> Quality:
        """The slice of one rep (``column="owner"``) or channel (``"source"``)."""
        def cut(frame: pd.DataFrame) -> pd.DataFrame:
            if column not in frame:
                return frame.iloc[:0]
            return frame[frame[column].fillna("").astype(str) == name].reset_index(drop=True)

        hygiene = {name: self.hygiene[name]} if column == "owner" and name in self.hygiene else {}
        team = hygiene.get(name, self.team_hygiene)
        return Quality(
            drift=cut(self.drift), hygiene=hygiene, team_hygiene=team, fixes=cut(self.fixes),
            blanks=cut(self.blanks),
        )


def assess(
    leads: pd.DataFrame, excluded: pd.DataFrame, rules: Rules, team: FunnelMetrics,
    by_owner: dict[str, FunnelMetrics], *, words: DriftWords,
) -> Quality:
    """Drift and hygiene of derived leads and the rows excluded for errors; ``words`` writes the
    drift rows' values (see :class:`funnel_xl.wording.DriftWords`)."""
    masks, fixes = _hygiene_masks(leads, excluded, rules)
    owners_valid = _keys(leads, "owner")
    owners_excluded = _keys(excluded, "owner")
    names = sorted(set(owners_valid.unique()) | {n for n in owners_excluded.unique() if n})
    hygiene = {
        name: _score(masks, rules, owners_valid == name, owners_excluded == name) for name in names
    }
    everyone, everyone_excluded = pd.Series(True, index=leads.index), pd.Series(True, index=excluded.index)
    team_hygiene = _score(masks, rules, everyone, everyone_excluded)
    return Quality(
        drift=drift(leads, rules, team, by_owner, words),
        hygiene=hygiene,
        team_hygiene=team_hygiene,
        fixes=fixes,
        blanks=blank_counts(leads, rules),
    )


# ---------------------------------------------------------------------------
# Drift
# ---------------------------------------------------------------------------

def drift(
    leads: pd.DataFrame, rules: Rules, team: FunnelMetrics, by_owner: dict[str, FunnelMetrics],
    words: DriftWords,
) -> pd.DataFrame:
    """Every hand-typed dwell or pass-rate value beyond the rules' tolerance (see the module doc)."""
    frames = [_dwell_drift(leads, rules, words), _rate_drift(leads, team, by_owner, rules, words)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    order = pd.DataFrame(
        {"owner": _keys(out, "owner"), "lead": _keys(out, "lead_id"), "kind": out["kind"]}
    ).sort_values(["owner", "lead", "kind"], kind="stable").index
    return out.loc[order, DRIFT_COLUMNS].reset_index(drop=True)


def _dwell_drift(leads: pd.DataFrame, rules: Rules, words: DriftWords) -> pd.DataFrame:
    if DWELL_DAYS_TYPED not in leads:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    typed = numbers(leads, DWELL_DAYS_TYPED)
    high = numbers(leads, DWELL_DAYS)
    low = numbers(leads, DWELL_AT_FOLLOW_UP).fillna(0.0).clip(upper=high)
    independent = leads[STAGE_ENTERED_SOURCE] != EnteredFrom.ESTIMATED
    checked = (leads[STATUS] == Status.ACTIVE) & typed.notna() & high.notna() & independent
    difference = np.where(typed > high, typed - high, np.where(typed < low, typed - low, 0.0))
    tolerance = rules.thresholds.drift_dwell_days
    hit = checked & (np.abs(difference) > tolerance)
    expected = [words.day_range(lo, h) for lo, h in zip(low[hit], high[hit], strict=True)]
    return _drift_frame(
        leads[hit], DriftKind.DWELL, [words.days(v) for v in typed[hit]], expected,
        difference[hit.to_numpy()],
    )


def _rate_drift(
    leads: pd.DataFrame, team: FunnelMetrics, by_owner: dict[str, FunnelMetrics], rules: Rules,
    words: DriftWords,
) -> pd.DataFrame:
    if PASS_RATE_TEXT_TYPED not in leads:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    names = rules.stage_names
    tolerance = rules.thresholds.drift_pass_rate_points
    records = []
    eligible = leads[STATUS].isin([Status.ACTIVE, Status.WON]) & leads[PASS_RATE_TEXT_TYPED].notna()
    rows = np.flatnonzero(eligible.to_numpy())
    # Keyed as by_group keys the owners (a blank owner is the group ""), so every lead has its own rates.
    owners = _keys(leads, "owner").to_numpy(dtype=object)[rows]
    team_rates = [t.rate for t in team.transitions]
    owner_rates = {name: [t.rate for t in m.transitions] for name, m in by_owner.items()}
    expected_texts: dict = {}
    for i, raw, stage_idx, owner in zip(
        rows, leads[PASS_RATE_TEXT_TYPED].to_numpy(dtype=object)[rows],
        leads[STAGE_IDX].to_numpy(dtype=object)[rows], owners, strict=True,
    ):
        text = str(raw).strip()
        if not text:
            continue
        folded = unicodedata.normalize("NFKC", text)
        k = int(stage_idx)  # open and won leads always have a stage
        into = f"{names[k - 1]}→{names[k]}" if k else None
        named = _TRANSITION.search(folded)
        percent = _PERCENT.search(folded)
        team_rate = team_rates[k - 1] if k else None
        own_rate = owner_rates[owner][k - 1] if k else None
        key = (team_rate, own_rate, into)
        if key not in expected_texts:
            expected_texts[key] = words.expected_rate(team_rate, own_rate, into)
        expected = expected_texts[key]
        if named is not None and f"{named.group(1).strip()}→{named.group(2).strip()}" != into:
            records.append((i, DriftKind.RATE_TRANSITION, text, expected, None))
        elif into is None:
            records.append((i, DriftKind.RATE_TRANSITION, text, words.first_stage(), None))
        elif percent is None:
            records.append((i, DriftKind.RATE_UNREADABLE, text, expected, None))
        elif team_rate is not None:
            value = float(percent.group(1))
            gaps = [value - r * 100 for r in (team_rate, own_rate) if r is not None]
            gap = min(gaps, key=abs)
            if abs(gap) > tolerance:
                records.append((i, DriftKind.RATE_VALUE, text, expected, gap))
    if not records:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    index = [r[0] for r in records]
    return _drift_frame(
        leads.iloc[index], [r[1] for r in records], [r[2] for r in records],
        [r[3] for r in records], [r[4] for r in records],
    )


def _drift_frame(rows: pd.DataFrame, kind, typed, expected, difference) -> pd.DataFrame:
    n = len(rows)
    return pd.DataFrame(
        {
            "owner": _column(rows, "owner"),
            "lead_id": _column(rows, "lead_id"),
            "customer": _column(rows, "customer"),
            "stage": _column(rows, "stage"),
            "kind": kind if isinstance(kind, list) else [kind] * n,
            "typed": list(typed),
            "expected": list(expected),
            "difference": [None if d is None or pd.isna(d) else float(d) for d in difference],
            "_file": _column(rows, "_file"),
            "_row": _column(rows, "_row"),
        }
    )


# ---------------------------------------------------------------------------
# Hygiene
# ---------------------------------------------------------------------------

def _hygiene_masks(
    leads: pd.DataFrame, excluded: pd.DataFrame, rules: Rules
) -> tuple[dict[str, tuple[pd.Series, pd.Series]], pd.DataFrame]:
    """Per part (applicable, failing) over the valid leads; and the rows to fix."""
    status = leads[STATUS]
    active = status == Status.ACTIVE
    stage_idx = leads[STAGE_IDX]
    from_stage = rules.hygiene.amount_close_from
    # A sheet without the amount or the close column is judged on the one it has.
    blanks = [
        read(leads, column).isna()
        for column, read in ((AMOUNT, numbers), (EXPECTED_CLOSE, dates)) if column in leads
    ]
    missing = pd.Series(True, index=leads.index)
    if blanks:
        missing = blanks[0] | blanks[-1]
    past_first = (active | (status == Status.WON)) & (stage_idx >= 1).fillna(False).astype(bool)
    blank = required_blanks(leads, rules)
    masks = {
        REQUIRED_FIELDS_PART: (active & (len(blank.columns) > 0), blank.any(axis=1)),
        "missing_amount_close": (
            active & (stage_idx >= from_stage).fillna(False).astype(bool), missing,
        ),
        "close_past": (active, leads[CLOSE_PAST].fillna(False).astype(bool)),
        "stale": (active, leads[STALE].fillna(False).astype(bool)),
        "undated_moves": (past_first, ~leads[STAGE_ENTERED_SOURCE].isin(DATED_SOURCES)),
    }
    fixes = []
    if len(excluded):
        fixes.append(_fix_frame(excluded, "errors"))
    for part in LISTED_PARTS:
        applicable, failing = masks[part]
        hit = (applicable & failing).fillna(False).astype(bool)
        if hit.any():
            fixes.append(_fix_frame(leads[hit], part))
    if fixes:
        frame = pd.concat(fixes, ignore_index=True)
        rank = {p: i for i, p in enumerate(HYGIENE_PARTS)}
        order = pd.DataFrame(
            {
                "owner": _keys(frame, "owner"),
                "file": _keys(frame, "_file"),
                "row": pd.to_numeric(frame["_row"], errors="coerce"),
                "part": frame["part"].map(rank),
            }
        ).sort_values(["owner", "file", "row", "part"], kind="stable").index
        frame = frame.loc[order].reset_index(drop=True)
    else:
        frame = pd.DataFrame(columns=FIX_COLUMNS)
    return masks, frame


def _score(
    masks: dict[str, tuple[pd.Series, pd.Series]], rules: Rules, mine: pd.Series,
    mine_excluded: pd.Series,
) -> HygieneScore:
    errors = int(mine_excluded.sum())
    parts = [
        HygienePart("errors", errors, int(mine.sum()) + errors, rules.hygiene.points_of("errors"))
    ]
    for part in rules.hygiene_parts[1:]:
        applicable, failing = masks[part]
        applicable = applicable & mine
        parts.append(
            HygienePart(
                part,
                int((applicable & failing).fillna(False).astype(bool).sum()),
                int(applicable.fillna(False).astype(bool).sum()),
                rules.hygiene.points_of(part),
            )
        )
    return HygieneScore(tuple(parts))


def required_blanks(leads: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Per lead, one column per field the rules mark ``required_for_quality`` that the frame has:
    True where the lead is open and the field holds no usable value (see the module doc)."""
    fields = [f for f in rules.quality_fields if f in leads]
    stage = leads[STAGE]  # a required column: a sheet without it is not read at all
    is_open = stage.notna() & ~stage.isin([rules.won_stage, *rules.lost_labels])
    return pd.DataFrame({f: is_open & leads[f].isna() for f in fields}, index=leads.index, dtype=bool)


def blank_counts(leads: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Per owner with a blank required field, how many open leads leave each one blank (see
    :attr:`Quality.blanks`)."""
    blank = required_blanks(leads, rules)
    counts = blank.astype(int).groupby(_keys(leads, "owner")).sum()
    counts = counts[counts.sum(axis=1) > 0].sort_index()
    return counts.rename_axis("owner").reset_index()


def _fix_frame(rows: pd.DataFrame, part: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "owner": _column(rows, "owner"),
            "lead_id": _column(rows, "lead_id"),
            "customer": _column(rows, "customer"),
            "stage": _column(rows, "stage"),
            "part": [part] * len(rows),
            "_file": _column(rows, "_file"),
            "_row": _column(rows, "_row"),
        }
    )


def _column(rows: pd.DataFrame, name: str) -> list:
    if name not in rows:
        return [None] * len(rows)
    return [None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in rows[name]]


def _keys(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].fillna("").astype(str)
