"""The stages of a foreign sheet, from its stage column (for ``funnel-xl rules init``).

Won and lost are told from the values (Won, Closed Won, closedwon, 赢单, Lost, 丢单, 无效, …) or
from a status column beside the stage (Pipedrive's open/won/lost). The open stages are ordered,
in this order of trust: by a column numbering them one to one (a CRM's "Stage sequence"); by
the known order of the CRMs' own stage names (Salesforce, HubSpot, the public examples); else
by the data (how long after the first contact the leads in each stage entered it, else how
many of their dates are filled), marked CHECK with that evidence.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from .draft_headers import Header, cell_text, fold, number
from .text import is_empty

WON_WORDS = ("won", "closedwon", "win", "成交", "已成交", "赢单", "签约", "已签约")
LOST_WORDS = ("lost", "closedlost", "disqualified", "dead", "流失", "无效", "丢单", "输单")
OPEN_WORDS = ("open", "进行中", "跟进中")
# Open stages of the CRMs people export from, in the order a deal goes through them (folded).
KNOWN_ORDER = (
    "new", "lead", "prospecting", "prospect", "engaging", "opened", "initialcontact", "discovery",
    "appointmentscheduled", "qualification", "qualified", "qualifiedtobuy", "contactmade",
    "needsanalysis", "nurturing", "demo", "demoscheduled", "presentationscheduled",
    "valueproposition", "iddecisionmakers", "identifydecisionmakers", "decisionmakerboughtin",
    "perceptionanalysis", "proposition", "proposal", "proposalmade", "proposalsent",
    "proposalpricequote", "quote", "negotiation", "negotiationreview", "negotiationsstarted",
    "contractsent", "contract", "commit",
    "潜在接触", "初步接触", "需求挖掘", "需求确认", "方案提案", "方案报价", "报价", "商务谈判", "谈判",
    "成交待签约",
)
MAX_DISTINCT_STAGES = 30


@dataclass
class StagePlan:
    """What the draft writes about the stages."""

    stages: list[str]  # open stages in order, the won stage last
    lost: list[str]
    notes: dict[str, str] = field(default_factory=dict)  # stage → rows, and why it is where it is
    order_check: str = ""  # why the order needs a look ("" when the sheet says it)
    status: dict[str, str] = field(default_factory=dict)  # status value → won stage or lost label
    aliases: dict[str, str] = field(default_factory=dict)  # another won/lost value → its name


def reads_as(value: str, words: tuple[str, ...]) -> bool:
    folded = fold(value)
    return any(folded == w or folded.startswith(w) or folded.endswith(w) for w in words)


def plan_stages(stage: Header, headers: list[Header], by_field: dict[str, Header]) -> StagePlan | None:
    """The stages the sheet's stage column (and status column) says; None when it says too little."""
    counts = stage.distinct
    values = list(counts)[:MAX_DISTINCT_STAGES]
    status = _status_values(by_field.get("status"))
    lost = [v for v in values if reads_as(v, LOST_WORDS)]
    won = [v for v in values if v not in lost and reads_as(v, WON_WORDS)]
    open_stages = [v for v in values if v not in lost and v not in won]
    plan = StagePlan(stages=[], lost=lost)
    if status:
        won_name = won[0] if won else "Won"
        lost_name = lost[0] if lost else "Lost"
        plan.status = {v: won_name if kind == "won" else lost_name for v, kind in status.items() if kind != "open"}
        plan.lost = lost or [lost_name]
        won = won or [won_name]
    order, why = _order(stage, open_stages, headers, by_field)
    open_stages.sort(key=lambda v: order[v])
    plan.stages = [*open_stages, won[0]] if won else open_stages
    plan.aliases = {v: won[0] for v in won[1:]}
    if len(plan.stages) < 2:
        return None
    plan.lost = plan.lost or ["Lost"]
    plan.order_check = "" if why is None else why
    plan.notes = {v: rows_text(counts.get(v, 0)) + (f"; {order.evidence[v]}" if v in order.evidence else "")
                  for v in plan.stages + plan.lost}
    return plan


def _status_values(status: Header | None) -> dict[str, str]:
    """A status column's values as "won", "lost" or "open", when all of them read as one."""
    if status is None:
        return {}
    kinds = {}
    for value in status.distinct:
        kind = next((k for k, words in (("won", WON_WORDS), ("lost", LOST_WORDS), ("open", OPEN_WORDS))
                     if reads_as(value, words)), None)
        if kind is None:
            return {}
        kinds[value] = kind
    return kinds if {"won", "lost"} & set(kinds.values()) else {}


class _Order(dict):
    """Stage → sort key, with the evidence for each stage's place."""

    def __init__(self, keys: dict, evidence: dict[str, str] | None = None):
        super().__init__(keys)
        self.evidence = evidence or {}


def _order(stage: Header, values: list[str], headers: list[Header], by_field: dict[str, Header]):
    """(the order, why it needs a CHECK or None when the sheet or the CRM's names say it)."""
    sequence = _sequence_order(stage, values, headers)
    if sequence is not None:
        return sequence, None
    known = [fold(v) for v in values]
    if all(k in KNOWN_ORDER for k in known):
        return _Order({v: KNOWN_ORDER.index(fold(v)) for v in values}), None
    first_seen = {v: i for i, v in reversed(list(enumerate(cell_text(x) for x in stage.filled)))}
    entered, first = by_field.get("stage_entered"), by_field.get("first_contact")
    if entered is not None and first is not None:
        days = _median_days(stage, first, entered, values)
        if all(v in days for v in values):
            evidence = {v: f"median {days[v]:g} days from {first.text!r} to {entered.text!r}" for v in values}
            keys = {v: (days[v], first_seen[v]) for v in values}
            return _Order(keys, evidence), (
                f"ordered by how long after {first.text!r} the deals in each stage entered it ({entered.text!r})")
    dated = [h for h in headers if h.kind == "date" and h.field not in ("expected_close", "next_follow_up")]
    filled = _dates_filled(stage, dated, values)
    evidence = {v: f"{filled[v]:.1f} of {len(dated)} date columns filled on average" for v in values}
    keys = {v: (filled[v], first_seen[v]) for v in values}
    return _Order(keys, evidence), "ordered by how many of their dates the deals in each stage have, then by first appearance"


def _sequence_order(stage: Header, values: list[str], headers: list[Header]) -> _Order | None:
    """A numeric column that gives each stage value exactly one number, all different."""
    for h in headers:
        if h is stage or h.kind != "number":
            continue
        numbers: dict[str, set] = {}
        for value, n in zip(stage.values, h.values, strict=False):
            if not is_empty(value):
                numbers.setdefault(cell_text(value), set()).add(number(n))
        if values and all(len(numbers.get(v, ())) == 1 and None not in numbers[v] for v in values):
            keys = {v: next(iter(numbers[v])) for v in values}
            if len(set(keys.values())) == len(values):
                return _Order(keys, {v: f"number {keys[v]:g} in column {h.text!r}" for v in values})
    return None


def _median_days(stage: Header, first: Header, entered: Header, values: list[str]) -> dict[str, float]:
    spans: dict[str, list[int]] = {}
    for value, a, b in zip(stage.values, first.values, entered.values, strict=False):
        start, end = as_date(a), as_date(b)
        if not is_empty(value) and start and end:
            spans.setdefault(cell_text(value), []).append((end - start).days)
    return {v: statistics.median(spans[v]) for v in values if spans.get(v)}


def _dates_filled(stage: Header, dated: list[Header], values: list[str]) -> dict[str, float]:
    filled: dict[str, list[int]] = {v: [] for v in values}
    for i, value in enumerate(stage.values):
        if not is_empty(value) and cell_text(value) in filled:
            filled[cell_text(value)].append(sum(not is_empty(h.values[i]) for h in dated))
    return {v: statistics.mean(n) if n else 0.0 for v, n in filled.items()}


def as_date(value: object) -> date | None:
    """A date cell, or a date written as text in ISO, M/D/YYYY or D.M.YYYY form (for spans only)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value).split(" ")[0] if not is_empty(value) else ""
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None




def rows_text(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"
