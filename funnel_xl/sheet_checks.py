"""One idiom for checking a sheet's rows, the leads sheet's and the follow-up log's alike.

A sheet's checks are a table of :class:`Rule` s (a column, a code of the registry
:mod:`funnel_xl.checks`, a test that passes where the row is fine). The table becomes one pandera
schema run lazily, so every failure is collected; pandera's ``failure_cases`` frame is mapped once
from the frame's index to row positions, and each failure becomes a problem at its cell.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .checks import problem
from .messages import catalogue
from .problems import Problem
from .reader import LeadsSheet


@dataclass(frozen=True)
class Rule:
    """The check ``code`` on the column ``field``: ``passes(values)`` is True where a row is fine.
    ``params`` fill its message; ``shows_value`` False when the cell's value says nothing."""

    field: str
    code: str
    passes: Callable[[pd.Series], pd.Series]
    params: tuple[tuple[str, object], ...] = ()
    shows_value: bool = True


def failed_rows(typed: pd.DataFrame, table: Iterable[Rule]) -> list[tuple[Rule, int]]:
    """Each rule of ``table`` with the position in ``typed`` of each row it failed on."""
    rules = {(rule.field, rule.code): rule for rule in table}
    columns: dict[str, list[pa.Check]] = {}
    for rule in rules.values():
        columns.setdefault(rule.field, []).append(pa.Check(rule.passes, name=rule.code, ignore_na=False))
    schema = pa.DataFrameSchema(
        {field: pa.Column(None, checks=checks, nullable=True) for field, checks in columns.items()},
        strict=False,
    )
    failures = failure_cases(schema, typed)
    positions = typed.index.get_indexer(failures["index"].astype("int64"))
    return [
        (rules[field, code], int(at))
        for field, code, at in zip(failures["column"], failures["check"], positions, strict=True)
    ]


def failure_cases(schema: pa.DataFrameSchema, typed: pd.DataFrame) -> pd.DataFrame:
    """The rows each check of ``schema`` failed on: columns ``column``, ``check`` (its name, a
    problem code) and ``index`` (the row's label in ``typed``), all checks run (lazy)."""
    try:
        schema.validate(typed, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        return cases[cases["index"].notna()][["column", "check", "index"]]
    return pd.DataFrame(columns=["column", "check", "index"])


@dataclass(frozen=True)
class SheetPlaces:
    """How a sheet's failures are told: its headers when the sheet lacks one, the choices a
    "did you mean" picks from, and message parameters that depend on the row."""

    header_of: Callable[[str], str]
    choices: dict[str, list[str]]
    per_row: Callable[[int], dict[str, object]] = lambda at: {}


def sheet_problems(
    failed: list[tuple[Rule, int]], sheet: LeadsSheet, lang: str, places: SheetPlaces
) -> list[Problem]:
    """The failures as problems at their cells (sheet, Excel row, column letter, header, value)."""
    raw = sheet.frame
    rows = raw["_row"].to_numpy()
    cells = {f: raw[f].to_numpy(dtype=object) for f in raw.columns}
    hints: dict[tuple[str, str], str] = {}  # the same typo recurs down a sheet
    problems = []
    for rule, at in failed:
        field = rule.field
        value = display(cells[field][at]) if rule.shows_value and field in cells else ""
        if (field, value) not in hints:
            hints[field, value] = hint(places.choices.get(field), value, lang)
        problems.append(
            problem(
                rule.code, lang, {"hint": hints[field, value], **dict(rule.params), **places.per_row(at)},
                sheet=sheet.sheet, row=int(rows[at]),
                column=sheet.letters.get(field, ""),
                header=sheet.headers[field] if field in sheet.headers else places.header_of(field),
                value=value,
                file=sheet.file_name,
            )
        )
    return problems


def hint(choices: list[str] | None, value: str, lang: str, *, most_listed: int | None = None) -> str:
    """"Did you mean …" for a value close to one of ``choices``, else the choices themselves (none
    when there are more than ``most_listed``)."""
    if not choices or not value:
        return ""
    t = catalogue(lang)
    close = difflib.get_close_matches(value.strip(), choices, n=1, cutoff=0.4)
    if close:
        return t("hint.did_you_mean", choice=close[0])
    return "" if most_listed is not None and len(choices) > most_listed else t("hint.choices", choices=t.join(choices))


def display(value: object) -> str:
    """A cell's value as a problem shows it: a date as 2024-03-15, 3.0 as 3."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return day(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def day(value: object) -> str:
    """A date or timestamp as 2024-03-15; "" for none."""
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).date().isoformat()
