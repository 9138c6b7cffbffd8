"""The tracking workbook's 目标 sheet: one row per rep and month, with the month's won target (万元)
and, optionally, its target of new leads. An optional 渠道 column sets a channel's target instead:
a row with a channel and no rep. A row that cannot be used (no month, neither or both of rep and
channel, a target that is no number ≥ 0) is a warning on its row, and the other rows still count.

    月份     | 负责人 | 渠道 | 成交目标(万元) | 新增线索目标
    2024-05  | 张伟   |      | 120            | 20
    2024-05  |        | 官网 | 200            | 40
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime

from .checks import problem
from .problems import Problem
from .targets import Target
from .text import is_blank as _is_missing
from .text import is_empty

TARGET_SHEETS = ("目标", "Targets")
# Header (folded, its start) → field.
_HEADERS = (("月份", "month"), ("month", "month"), ("负责人", "owner"), ("owner", "owner"),
            ("成交目标", "won"), ("won", "won"), ("新增线索", "new_leads"), ("newleads", "new_leads"),
            ("渠道", "channel"), ("线索来源", "channel"), ("channel", "channel"), ("source", "channel"))
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月)?(?:[-/.]\d{1,2}日?)?$")


def is_blank(value: object) -> bool:
    """A cell with nothing in it, or spaces only."""
    return _is_missing(value) or is_empty(value)


def _fold(text: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def find_target_sheet(names: list[str]) -> str | None:
    folded = {_fold(n): n for n in names}
    return next((folded[_fold(n)] for n in TARGET_SHEETS if _fold(n) in folded), None)


def read_target_rows(
    rows: list[list], start: tuple[int, int], *, sheet: str, file: str, lang: str,
) -> tuple[list[Target], list[Problem]]:
    """The targets of a 目标 sheet's cells (``start``: the 0-based row and column of the first)."""
    header_at, columns = _header(rows)
    if header_at is None:
        return [], []
    targets, problems = [], []
    for i, cells in enumerate(rows[header_at + 1:], start=header_at + 1):
        value = {field: cells[c] if c < len(cells) else None for field, c in columns.items()}
        if all(is_blank(v) for v in value.values()):
            continue
        target = _target(value)
        if target is None:
            shown = " | ".join("" if is_blank(v) else str(v) for v in value.values())
            problems.append(problem(
                "bad_target_row", lang, {"cells": shown}, sheet=sheet, row=start[0] + i + 1,
                value=shown, file=file,
            ))
        else:
            targets.append(target)
    return targets, problems


def read_targets(names: list[str], rows_of: Callable[[str], tuple], *, file: str, lang: str):
    """The targets of a workbook's 目标 sheet, if it has one: (targets, problems)."""
    sheet = find_target_sheet(names)
    if sheet is None:
        return [], []
    rows, start = rows_of(sheet)
    return read_target_rows(rows, start, sheet=sheet, file=file, lang=lang)


def _header(rows: list[list]) -> tuple[int | None, dict[str, int]]:
    for r, cells in enumerate(rows[:10]):
        columns: dict[str, int] = {}
        for c, cell in enumerate(cells):
            if is_blank(cell):
                continue
            text = _fold(cell)
            field = next((f for start, f in _HEADERS if text.startswith(start)), None)
            if field is not None and field not in columns:
                columns[field] = c
        if "month" in columns and ({"owner", "channel"} & set(columns)) and ({"won", "new_leads"} & set(columns)):
            return r, columns
    return None, {}


def _target(value: dict[str, object]) -> Target | None:
    month, owner, channel = _month(value.get("month")), value.get("owner"), value.get("channel")
    won, new_leads = _number(value.get("won")), _number(value.get("new_leads"))
    if month is None or is_blank(owner) == is_blank(channel) or won is False or new_leads is False:
        return None
    if won is None and new_leads is None:
        return None
    return Target(
        owner="" if is_blank(owner) else _name(owner), month=month,
        won_amount=won, new_leads=None if new_leads is None else int(round(new_leads)),
        channel=None if is_blank(channel) else _name(channel),
    )


def _name(value: object) -> str:
    """A rep's or a channel's name as the leads' are matched: full-width forms and runs of spaces folded."""
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def _month(value: object) -> str | None:
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    if is_blank(value):
        return None
    found = _MONTH.match(unicodedata.normalize("NFKC", str(value)).strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return None
    return f"{int(found.group(1)):04d}-{int(found.group(2)):02d}"


def _number(value: object) -> float | None | bool:
    """The number in a cell, None for a blank one, False for one that is no number or below 0."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return False
    try:
        number = float(str(value).replace(",", "").strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return False
    return number if number >= 0 else False
