"""Which sheet of a workbook holds the deals or leads (for ``funnel-xl rules init``).

The sheet asked for (``--sheet``), else the base rules' ``[sheets] leads``, else the sheet that
looks most like deals: a stage-like column (a header the dictionary knows as the stage, or text
with a few distinct values repeated down the rows), a column of unique IDs, dates and an amount.
A lookup table (three columns of agents and managers) has none of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .container import read_workbook_file
from .draft_headers import Header, read_headers
from .errors import InputError
from .messages import catalogue
from .reader import RawTable, read_table
from .rules import Rules, normalize_header
from .sheets import TEXT_SUFFIXES, OpenedWorkbook


@dataclass
class SheetChoice:
    table: RawTable
    why: str  # one line for the draft's header: which sheet and why


def choose_table(path: str | Path, rules: Rules, sheet: str | None = None, named: bool = True) -> SheetChoice:
    """The table to draft from: ``sheet``, else (when ``named``) the rules' ``[sheets] leads``, else
    the sheet most like deals. Raises :class:`InputError` for a ``sheet`` the workbook lacks."""
    path = Path(path)
    if path.suffix.lower() in TEXT_SUFFIXES:
        return SheetChoice(read_table(path, rules), "")
    workbook = OpenedWorkbook(read_workbook_file(path, rules.limits))
    names = workbook.worksheets()
    t = catalogue(rules.lang)
    if sheet is not None:
        found = [n for n in names if normalize_header(n) == normalize_header(sheet)]
        if not found:
            raise InputError(t("draft.no_such_sheet", file=path.name, sheet=sheet, listed=", ".join(names)))
        return SheetChoice(_table(workbook, found[0]), f"sheet {found[0]!r}, as asked")
    wanted = {normalize_header(n) for n in rules.leads_sheets} if named else set()
    named = [n for n in names if normalize_header(n) in wanted]
    if named:
        return SheetChoice(_table(workbook, named[0]), f"sheet {named[0]!r}, named in the base rules' [sheets] leads")
    scored = []
    for name in names:
        table = _table(workbook, name)
        if table.rows:
            scored.append((_score(table, rules), -len(scored), table))
    if not scored:
        raise InputError(t("input.table_empty", file=path.name))
    scored.sort(key=lambda s: (s[0][0], s[1]), reverse=True)
    (score, signs), _, best = scored[0]
    others = ", ".join(repr(s[2].sheet) for s in scored[1:])
    why = f"sheet {best.sheet!r}, the one most like deals: {'; '.join(signs) or 'the only one with content'}"
    return SheetChoice(best, why + (f" (not {others}: fewer of these signs)" if others else ""))


def _table(workbook: OpenedWorkbook, name: str) -> RawTable:
    rows, origin = workbook.rows(name)
    return RawTable(workbook.path, name, rows, origin)


def _score(table: RawTable, rules: Rules) -> tuple[tuple[int, int], list[str]]:
    """(how much the sheet looks like deals, its rows) and the signs seen, in words."""
    headers, _ = read_headers(table.rows, table.origin, rules)
    rows = max((len(h.values) for h in headers), default=0)
    signs = []
    stage = next((h for h in headers if h.field == "stage"), None) or next(
        (h for h in headers if _stage_like(h, rows)), None)
    if stage is not None:
        signs.append(f"stage-like column {stage.text!r} ({len(stage.distinct)} values)")
    ids = next((h for h in headers if h.filled and len(h.distinct) == len(h.filled) == rows and h.kind != "date"), None)
    if ids is not None:
        signs.append(f"unique IDs in {ids.text!r}")
    dates = [h.text for h in headers if h.kind == "date"]
    if dates:
        signs.append(f"dates in {', '.join(repr(d) for d in dates[:3])}")
    amount = next((h for h in headers if h.field == "amount"), None)
    if amount is not None:
        signs.append(f"amount {amount.text!r}")
    points = 3 * (stage is not None) + (ids is not None) + bool(dates) + (amount is not None)
    return (points, rows), signs


def _stage_like(h: Header, rows: int) -> bool:
    distinct = len(h.distinct)
    return h.kind == "text" and 2 <= distinct <= 30 and distinct <= rows / 3
