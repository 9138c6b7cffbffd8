"""Fields a CRM export spreads over several columns, put together as the rules say.

- ``fallback``: a date that stands in where a column's cell is blank, the first filled one
  taken (stage entered = the stage-change date, else the close date, else the engage date);
- ``status_values``: a status column beside the stage (Pipedrive's open/won/lost) that decides
  whether the deal is won or lost; a lost deal's stage column then says where it was lost.
"""

from __future__ import annotations

import pandas as pd

from .checks import problem
from .problems import Problem
from .rules import Rules, normalize_header
from .text import is_blank, is_empty


def fill_fallbacks(typed: pd.DataFrame, raw: pd.DataFrame, rules: Rules) -> None:
    """Blank cells of a column with ``fallback`` fields take the first of them that is filled."""
    for col in rules.columns:
        if not col.fallback or col.field not in typed:
            continue
        blank = raw[col.field].map(lambda v: is_empty(v) or is_blank(v)).astype(bool)
        for name in col.fallback:
            if name in typed:
                typed[col.field] = typed[col.field].where(~blank | typed[col.field].notna(), typed[name])
                blank = blank & typed[col.field].isna()


def apply_status(typed: pd.DataFrame, raw: pd.DataFrame, rules: Rules) -> None:
    """Won and lost as the status column says; a lost deal's stage becomes its lost-at stage."""
    if not rules.status_values or "status" not in raw or "stage" not in typed:
        return
    table = dict(rules.status_values)
    decided = raw["status"].map(lambda v: table.get(normalize_header(v)) if isinstance(v, str) else None)
    lost = decided.isin(rules.lost_labels)
    if "lost_at" not in raw:
        typed["lost_at"] = typed["stage"].where(lost & typed["stage"].isin(rules.stage_names[:-1]))
    typed["stage"] = decided.where(decided.notna(), typed["stage"]).astype(object)


def first_contact_note(typed: pd.DataFrame, sheet, rules: Rules) -> list[Problem]:
    """One warning for the sheet's leads without a first contact, where the rules allow it."""
    if "first_contact" not in typed or not rules.column("first_contact").may_be_blank:
        return []
    blank = typed[typed["first_contact"].isna()]
    if blank.empty:
        return []
    return [problem(
        "first_contact_blank", rules.lang, {"count": len(blank)}, sheet=sheet.sheet,
        row=int(blank["_row"].iloc[0]), column=sheet.letters.get("first_contact", ""),
        header=sheet.headers.get("first_contact", ""), file=sheet.file_name,
    )]
