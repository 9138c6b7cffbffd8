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
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .messages import Catalogue, catalogue
from .metrics import ACTIVE, DATED_SOURCES, ENTERED_ESTIMATED, WON, FunnelMetrics
from .rules import HYGIENE_PARTS, Rules

DRIFT_DWELL = "dwell"
DRIFT_RATE_TRANSITION = "rate_transition"
DRIFT_RATE_VALUE = "rate_value"
DRIFT_RATE_UNREADABLE = "rate_unreadable"
DRIFT_COLUMNS = [
    "owner", "lead_id", "customer", "stage", "kind", "typed", "expected", "difference", "_file", "_row",
]
FIX_COLUMNS = ["owner", "lead_id", "customer", "stage", "part", "_file", "_row"]

# What each part of the score checks, and what each kind of drift is (shown in the workbook).
HYGIENE_LABELS = {
    "errors": "行有错误",
    "missing_amount_close": "缺金额或预计成交日期",
    "close_past": "预计成交日期已过",
    "stale": "久未跟进",
    "undated_moves": "阶段变动无日期",
}
HYGIENE_FIXES = {
    "errors": "该行有错误，未计入统计：按「数据问题」中的说明改正",
    "missing_amount_close": "补填预计成交金额和预计成交日期",
    "close_past": "预计成交日期已过：更新日期，或推进/归档线索",
    "stale": "超过规定天数没有跟进：跟进一次并更新最近跟进时间",
    "undated_moves": "填写阶段进入日期（进入当前阶段的日期）",
}
DRIFT_LABELS = {
    DRIFT_DWELL: "停留时长不符",
    DRIFT_RATE_TRANSITION: "通过率环节不符",
    DRIFT_RATE_VALUE: "通过率数值不符",
    DRIFT_RATE_UNREADABLE: "通过率无法识别",
}

_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*%")
_TRANSITION = re.compile(r"[(]\s*([^()]+?)\s*(?:→|->|=>|➝|➔|⟶|—>|至|到)\s*([^()]+?)\s*[)]")


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

    def drift_count(self, owner: str) -> int:
        return int((self.drift["owner"] == owner).sum()) if len(self.drift) else 0

    def only(self, column: str, name: str) -> Quality:
        """The slice of one rep (``column="owner"``) or channel (``"source"``)."""
        def cut(frame: pd.DataFrame) -> pd.DataFrame:
            if column not in frame:
                return frame.iloc[:0]
            return frame[frame[column].fillna("").astype(str) == name].reset_index(drop=True)

        hygiene = {name: self.hygiene[name]} if column == "owner" and name in self.hygiene else {}
        team = hygiene.get(name, self.team_hygiene) if column == "owner" else self.team_hygiene
        return Quality(drift=cut(self.drift), hygiene=hygiene, team_hygiene=team, fixes=cut(self.fixes))


def assess(
    leads: pd.DataFrame, excluded: pd.DataFrame | None, rules: Rules, team: FunnelMetrics,
    by_owner: dict[str, FunnelMetrics],
) -> Quality:
    """Drift and hygiene of derived leads and the rows excluded for errors."""
    excluded = excluded if excluded is not None else pd.DataFrame()
    masks, fixes = _hygiene_masks(leads, excluded, rules)
    owners_valid = _keys(leads, "owner")
    owners_excluded = _keys(excluded, "owner") if len(excluded) else pd.Series(dtype=object)
    names = sorted(set(owners_valid) | {n for n in owners_excluded if n})
    hygiene = {
        name: _score(masks, rules, owners_valid == name, owners_excluded == name) for name in names
    }
    team_hygiene = _score(
        masks, rules, pd.Series(True, index=leads.index),
        pd.Series(True, index=excluded.index) if len(excluded) else pd.Series(dtype=bool),
    )
    return Quality(
        drift=drift(leads, rules, team, by_owner),
        hygiene=hygiene,
        team_hygiene=team_hygiene,
        fixes=fixes,
    )


# ---------------------------------------------------------------------------
# Drift
# ---------------------------------------------------------------------------

def drift(
    leads: pd.DataFrame, rules: Rules, team: FunnelMetrics, by_owner: dict[str, FunnelMetrics]
) -> pd.DataFrame:
    """Every hand-typed dwell or pass-rate value beyond the rules' tolerance (see the module doc)."""
    frames = [_dwell_drift(leads, rules), _rate_drift(leads, rules, team, by_owner)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    order = pd.DataFrame(
        {"owner": _keys(out, "owner"), "lead": _keys(out, "lead_id"), "kind": out["kind"]}
    ).sort_values(["owner", "lead", "kind"], kind="stable").index
    return out.loc[order, DRIFT_COLUMNS].reset_index(drop=True)


def _dwell_drift(leads: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    if "dwell_days_typed" not in leads or "dwell_days" not in leads:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    typed = pd.to_numeric(leads["dwell_days_typed"], errors="coerce").astype(float)
    high = pd.to_numeric(leads["dwell_days"], errors="coerce").astype(float)
    low = pd.to_numeric(leads.get("dwell_at_follow_up"), errors="coerce")
    low = (low if low is not None else pd.Series(np.nan, index=leads.index)).astype(float)
    low = low.fillna(0.0).clip(upper=high)
    independent = leads["stage_entered_source"] != ENTERED_ESTIMATED
    checked = (leads["status"] == ACTIVE) & typed.notna() & high.notna() & independent
    difference = np.where(typed > high, typed - high, np.where(typed < low, typed - low, 0.0))
    tolerance = rules.thresholds.drift_dwell_days
    hit = checked & (np.abs(difference) > tolerance)
    rows = leads[hit]
    t = catalogue(rules.lang)
    unit = t("drift.unit.working_days") if rules.thresholds.dwell_in_working_days else t("drift.unit.days")
    expected = [
        f"{_number_text(h)} {unit}" if lo == h else f"{_number_text(lo)}–{_number_text(h)} {unit}"
        for lo, h in zip(low[hit], high[hit])
    ]
    return _drift_frame(
        rows, DRIFT_DWELL, [f"{_number_text(v)} {unit}" for v in typed[hit]], expected,
        difference[hit.to_numpy()],
    )


def _rate_drift(
    leads: pd.DataFrame, rules: Rules, team: FunnelMetrics, by_owner: dict[str, FunnelMetrics]
) -> pd.DataFrame:
    if "pass_rate_text_typed" not in leads:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    names = rules.stage_names
    tolerance = rules.thresholds.drift_pass_rate_points
    t = catalogue(rules.lang)
    records = []
    eligible = leads["status"].isin([ACTIVE, WON]) & leads["pass_rate_text_typed"].notna()
    for i in np.flatnonzero(eligible.to_numpy()):
        lead = leads.iloc[i]
        text = str(lead["pass_rate_text_typed"]).strip()
        if not text:
            continue
        folded = unicodedata.normalize("NFKC", text)
        k = None if pd.isna(lead["stage_idx"]) else int(lead["stage_idx"])
        into = f"{names[k - 1]}→{names[k]}" if k else None
        named = _TRANSITION.search(folded)
        percent = _PERCENT.search(folded)
        team_rate = team.transitions[k - 1].rate if k else None
        own = by_owner.get(str(lead.get("owner") or ""))
        own_rate = own.transitions[k - 1].rate if k and own is not None else None
        expected = _expected_text(team_rate, own_rate, into, t)
        if named is not None and f"{named.group(1).strip()}→{named.group(2).strip()}" != into:
            records.append((i, DRIFT_RATE_TRANSITION, text, expected, None))
        elif into is None:
            records.append((i, DRIFT_RATE_TRANSITION, text, t("drift.first_stage"), None))
        elif percent is None:
            records.append((i, DRIFT_RATE_UNREADABLE, text, expected, None))
        elif team_rate is not None:
            value = float(percent.group(1))
            gaps = [value - r * 100 for r in (team_rate, own_rate) if r is not None]
            gap = min(gaps, key=abs)
            if abs(gap) > tolerance:
                records.append((i, DRIFT_RATE_VALUE, text, expected, gap))
    if not records:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    index = [r[0] for r in records]
    return _drift_frame(
        leads.iloc[index], [r[1] for r in records], [r[2] for r in records],
        [r[3] for r in records], [r[4] for r in records],
    )


def _expected_text(team: float | None, own: float | None, label: str | None, t: Catalogue) -> str:
    if label is None:
        return "—"
    parts = [t("drift.team", rate=_pct_text(team) if team is not None else "—")]
    if own is not None:
        parts.append(t("drift.own", rate=_pct_text(own)))
    return t("drift.expected", rates=t("drift.sep").join(parts), transition=label)


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
    status = leads["status"]
    active = status == ACTIVE
    stage_idx = leads["stage_idx"]
    from_stage = rules.hygiene.amount_close_from
    amount = pd.to_numeric(leads.get("amount"), errors="coerce") if "amount" in leads else None
    close = pd.to_datetime(leads["expected_close"]) if "expected_close" in leads else None
    missing = pd.Series(True, index=leads.index)
    if amount is not None and close is not None:
        missing = amount.isna() | close.isna()
    elif amount is not None:
        missing = amount.isna()
    elif close is not None:
        missing = close.isna()
    past_first = (active | (status == WON)) & (stage_idx >= 1).fillna(False).astype(bool)

    def flag(name: str) -> pd.Series:
        return leads[name].fillna(False).astype(bool) if name in leads else pd.Series(False, index=leads.index)

    masks = {
        "missing_amount_close": (
            active & (stage_idx >= from_stage).fillna(False).astype(bool), missing,
        ),
        "close_past": (active, flag("close_past")),
        "stale": (active, flag("stale")),
        "undated_moves": (past_first, ~leads["stage_entered_source"].isin(DATED_SOURCES)),
    }
    fixes = []
    if len(excluded):
        fixes.append(_fix_frame(excluded, "errors"))
    for part in HYGIENE_PARTS[1:]:
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
    errors = int(mine_excluded.sum()) if len(mine_excluded) else 0
    parts = [
        HygienePart("errors", errors, int(mine.sum()) + errors, rules.hygiene.points_of("errors"))
    ]
    for part in HYGIENE_PARTS[1:]:
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


def _pct_text(rate: float) -> str:
    return f"{rate * 100:.0f}%"


def _number_text(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.1f}"
