"""How well a rules file fits a sheet (``funnel-xl rules check RULES WORKBOOK``): where each field
was found, what is missing, the data problems, and every figure that will come out empty or
meaningless with these rules and this sheet."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from .rules import Rules


@dataclass
class Fit:
    """What a rules file makes of one sheet: where each field was found, which optional columns
    are not there, the stage values it does not know, the data problems by code, and warnings
    (message key → parameters) about figures that will be empty or meaningless."""

    file: str
    sheet: str
    header_row: int
    rows: int
    skipped_without_stage: int
    found: list[tuple[str, str, str]]  # (field, column letter, header as in the sheet)
    missing: list[str]  # the rules' optional columns the sheet lacks (their headers)
    unknown_stages: Counter  # stage value as typed → rows
    problems: Counter  # problem code → count
    other_headers: list[str]
    warnings: list[tuple[str, dict]] = field(default_factory=list)


def fit_rules(path: str | Path, rules: Rules, as_of: date) -> Fit:
    """Read ``path`` with ``rules`` and say how they fit. Raises :class:`InputError` when the
    sheet cannot be read with them at all (a required column missing, no header found)."""
    from .reader import read_leads
    from .validate import validate_leads

    sheet = read_leads(path, rules)
    checked = validate_leads(sheet, rules, as_of)
    unknown = Counter(p.value for p in checked.problems if p.code == "unknown_stage")
    order = {c.field: i for i, c in enumerate(rules.columns)}
    found = sorted(
        ((f, sheet.letters[f], sheet.headers[f]) for f in sheet.letters), key=lambda t: order.get(t[0], 0)
    )
    return Fit(
        file=sheet.file_name,
        sheet=sheet.sheet,
        header_row=sheet.header_row,
        rows=len(sheet.frame),
        skipped_without_stage=sheet.skipped_without_stage,
        found=found,
        missing=[c.header for c in rules.columns if c.field not in sheet.letters and not c.computed],
        unknown_stages=unknown,
        problems=Counter(p.code for p in checked.problems),
        other_headers=list(sheet.extra_headers),
        warnings=empty_figures(checked.valid, rules),
    )


def empty_figures(leads: pd.DataFrame, rules: Rules) -> list[tuple[str, dict]]:
    """The figures these leads will leave empty or meaningless: (message key, parameters)."""
    out: list[tuple[str, dict]] = []
    if leads.empty:
        return [("fit.warn.no_leads", {})]
    stage = leads["stage"]
    won = stage == rules.won_stage
    lost = stage.isin(rules.lost_labels)
    open_ = ~won & ~lost
    if "amount" not in leads or leads["amount"].isna().all():
        out.append(("fit.warn.no_amount", {}))
    elif leads.loc[open_, "amount"].isna().all() and open_.any():
        out.append(("fit.warn.no_open_amount", {}))
    entered = leads.get("stage_entered_column")
    if entered is None or entered.isna().all():
        out.append(("fit.warn.no_stage_dates", {}))
    elif won.any() and entered[won].isna().all():
        out.append(("fit.warn.no_cycle", {}))
    if "first_contact" in leads and leads["first_contact"].isna().all():
        out.append(("fit.warn.no_first_contact", {}))
    if lost.any() and ("lost_at" not in leads or leads.loc[lost, "lost_at"].isna().all()):
        out.append(("fit.warn.no_lost_at", {"lost": int(lost.sum())}))
    if not won.any() and not lost.any():
        out.append(("fit.warn.nothing_closed", {}))
    skipped = _skipped_stages(leads, rules)
    if skipped:
        out.append(("fit.warn.empty_stages", {"stages": ", ".join(skipped)}))
    backwards = _against_the_dates(leads, rules)
    if backwards:
        out.append(("fit.warn.order", {"pairs": "; ".join(backwards)}))
    return out


def _skipped_stages(leads: pd.DataFrame, rules: Rules) -> list[str]:
    """Open stages that hold no lead while a later stage does: an order no lead follows."""
    open_stages = rules.stage_names[:-1]
    counts = leads["stage"].value_counts()
    lost_at = leads["lost_at"].value_counts() if "lost_at" in leads else pd.Series(dtype=int)
    seen = [counts.get(s, 0) + lost_at.get(s, 0) > 0 for s in open_stages]
    last = max((i for i, s in enumerate(seen) if s), default=-1)
    return [s for i, s in enumerate(open_stages[:last]) if not seen[i]]


def _against_the_dates(leads: pd.DataFrame, rules: Rules) -> list[str]:
    """Pairs of open stages whose leads entered the later one sooner after their first contact
    than the earlier one (medians over two or more leads each): an order the leads do not follow."""
    if "stage_entered_column" not in leads or "first_contact" not in leads:
        return []
    days = (pd.to_datetime(leads["stage_entered_column"]) - pd.to_datetime(leads["first_contact"])).dt.days
    medians = []
    for name in rules.stage_names[:-1]:
        spans = days[(leads["stage"] == name) & days.notna()]
        if len(spans) >= 2:
            medians.append((name, float(spans.median())))
    return [f"{a} ({ma:g}) → {b} ({mb:g})" for (a, ma), (b, mb) in zip(medians, medians[1:], strict=False) if mb < ma]
