"""Typing and checking the leads: raw cells in, a typed frame and a list of problems out.

Conversion (dates in their usual forms, amounts with units, stage names with stray spaces) is
vectorised; the checks are a pandera schema built from the rules and run lazily, so every problem
is reported, not only the first. Each check carries a stable code; its failure cases are mapped
once to Excel rows and column letters.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .checks import problem
from .export_fields import apply_status, fill_fallbacks, first_contact_note
from .frames import FILE, ROW, SHEET
from .messages import ZH, Catalogue, catalogue
from .problems import Problem, Severity
from .quality import required_blanks
from .reader import LeadsSheet
from .rules import LOST_AT_BY_NAME, LOST_AT_BY_SEQUENCE, Rules, normalize_header
from .sheet_checks import Rule, SheetPlaces, failed_rows, sheet_problems

# The typed frame renames the rep-typed copies of what the tool recalculates.
RENAMED = {
    "stage_entered": "stage_entered_column",
    "dwell_days": "dwell_days_typed",
    "pass_rate_text": "pass_rate_text_typed",
}
# Dates that are naturally in the future (plans), so not checked against the as-of date.
PLANNED_DATES = ("expected_close", "next_follow_up", "snooze_until")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# A workbook set to the 1904 date system (Excel for Mac's old default) counts days from 1904-01-01.
EPOCH_1904 = pd.Timestamp("1904-01-01")
_DATE_TEXT = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:[ T]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?\s*$"
)
# A date typed as eight digits, 20240605.
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_AMOUNT_TEXT = re.compile(r"^[￥¥]?\s*([-+]?\d+(?:\.\d+)?)\s*(万元|万|元)?$")
# Amounts in another unit than 万元: a plain number, with a currency sign or code before or after.
_NUMBER_TEXT = r"[-+]?\d+(?:\.\d+)?"
_CURRENCY = r"[$€£￥¥]|US\$|USD|EUR|GBP|CNY|RMB"


@dataclass(frozen=True)
class Validated:
    """A typed leads frame (all rows, ``_error`` marks the excluded) and its problems.

    ``letters`` and ``headers`` say where each field is in the sheet (field → column letter, header
    as found), so checks made later — across files — can point at the cell too.
    """

    leads: pd.DataFrame
    problems: list[Problem]
    letters: dict[str, str] = dataclasses.field(default_factory=dict)
    headers: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def unusable(cls, file: str, message: str, lang: str = ZH) -> Validated:
        """A file that could not be used at all: no rows, one error naming the file."""
        text = message.removeprefix(f"{file}: ")
        return cls(
            leads=pd.DataFrame({"_error": pd.Series(dtype=bool)}),
            problems=[problem("unreadable_file", lang, {"text": text}, file=file)],
        )

    @property
    def valid(self) -> pd.DataFrame:
        return self.leads[~self.leads["_error"]].drop(columns="_error").reset_index(drop=True)

    @property
    def excluded(self) -> pd.DataFrame:
        return self.leads[self.leads["_error"]].drop(columns="_error").reset_index(drop=True)


def validate_leads(sheet: LeadsSheet, rules: Rules, as_of: date) -> Validated:
    """Type the raw cells of ``sheet`` and check every row against the rules."""
    raw = sheet.frame
    typed = _typed_frame(raw, rules, EPOCH_1904 if sheet.date1904 else EXCEL_EPOCH)
    copies = _SameId(typed, catalogue(rules.lang))
    failed = failed_rows(typed, _rules_table(raw, typed, rules, as_of, copies))
    # The reader's notes were made before the caller chose how to name the file (sheet.label).
    notes = [dataclasses.replace(p, file=sheet.file_name) for p in sheet.problems]
    places = dataclasses.replace(_places(rules), per_row=copies.params)
    problems = notes + sheet_problems(failed, sheet, rules.lang, places)
    problems = copies.dropped_problems(problems, sheet, rules)
    error_rows = {p.row for p in problems if p.severity == Severity.ERROR}
    problems = _errors_only_on(error_rows, problems)
    problems += first_contact_note(typed, sheet, rules)
    typed = typed.drop(index=typed.index[sorted(copies.kept_as)])
    problems += required_field_problems(typed[~typed["_row"].isin(error_rows)], sheet, rules)
    leads = _drop_ignored_values(typed).rename(columns=RENAMED)
    leads["_file"] = sheet.file_name
    leads["_sheet"] = sheet.sheet
    leads["_error"] = leads["_row"].isin(error_rows)
    return Validated(
        leads=leads, problems=problems, letters=dict(sheet.letters), headers=dict(sheet.headers)
    )


class _SameId:
    """A lead ID on several rows of one sheet. Rows identical in everything the rep types are one
    lead kept twice: the first is counted, each other copy dropped with a warning naming it. Rows
    that differ are errors, each naming the other rows (nobody can tell which is right)."""

    def __init__(self, typed: pd.DataFrame, t: Catalogue):
        self.rows = typed["_row"].to_numpy()
        self.index = typed.index
        self.t = t
        self.kept_as: dict[int, int] = {}  # a dropped copy's position → the counted row's position
        self.others: dict[int, list[int]] = {}  # a differing row's position → the other rows' positions
        if "lead_id" not in typed:
            return
        ids = typed["lead_id"]
        shared = ids.notna() & ids.duplicated(keep=False)
        positions: dict[str, list[int]] = {}
        shared_at = np.flatnonzero(shared.to_numpy())
        for at, lead_id in zip(shared_at.tolist(), ids.iloc[shared_at].tolist(), strict=True):
            positions.setdefault(lead_id, []).append(at)
        comparable = _comparable_rows(typed.iloc[shared_at], shared_at.tolist())
        for group in positions.values():
            rows = [comparable[at] for at in group]
            if all(row == rows[0] for row in rows[1:]):
                self.kept_as.update({at: group[0] for at in group[1:]})
            else:
                self.others.update({at: [o for o in group if o != at] for at in group})

    def passes(self, values: pd.Series) -> pd.Series:
        at = self.index.get_indexer(values.index)
        return pd.Series([int(i) not in self.others for i in at], index=values.index)

    def params(self, at: int) -> dict[str, object]:
        if at not in self.others:
            return {}
        return {"others": named_places([self.t("where.row", row=int(self.rows[o])) for o in self.others[at]], self.t)}

    def dropped_problems(self, problems: list[Problem], sheet: LeadsSheet, rules: Rules) -> list[Problem]:
        """The problems without those of the dropped copies, and a warning on each copy."""
        dropped = {int(self.rows[at]) for at in self.kept_as}
        kept = [p for p in problems if p.row is None or p.row not in dropped]
        for at, first in sorted(self.kept_as.items()):
            kept.append(problem(
                "identical_lead_in_file", rules.lang, {"kept": int(self.rows[first])},
                sheet=sheet.sheet, row=int(self.rows[at]), column=sheet.letters.get("lead_id", ""),
                header=sheet.headers.get("lead_id", rules.header("lead_id")),
                value=str(sheet.frame["lead_id"].iloc[at]) if "lead_id" in sheet.frame else "",
                file=sheet.file_name,
            ))
        return kept


def _errors_only_on(rows: set[int], problems: list[Problem]) -> list[Problem]:
    """An excluded row gets its errors only: the follow-on warnings of a row no figure uses
    (a lost lead's missing stage, a date after first contact…) would only bury the cause."""
    return [p for p in problems if p.severity == Severity.ERROR or p.row is None or p.row not in rows]


# ---------------------------------------------------------------------------
# Across files: one lead, one row in the whole team
# ---------------------------------------------------------------------------

# The columns the tool fills itself; two copies of a lead refreshed on different days differ there.
_NOT_COMPARED = ("dwell_days_typed", "pass_rate_text_typed")


def check_across_files(validated: list[Validated], rules: Rules) -> list[Validated]:
    """The same 线索编号 in more than one file.

    Rows that are identical in everything the reps type (the two columns the tool fills are not
    compared) are one lead kept in two copies: the first copy, in file order, is counted and each
    other copy is dropped with a warning. Otherwise nobody can tell which row is right: every row
    of that lead is an error naming all the places, as for a lead ID repeated within one file.
    """
    found = _Across(validated, rules)
    for lead_id, where in _shared_ids(validated).items():
        found.judge(lead_id, where)
    return [found.applied(i) for i in range(len(validated))]


def _shared_ids(validated: list[Validated]) -> dict[str, list[tuple[int, int]]]:
    """Each lead ID found in more than one file: its places as (file index, frame index)."""
    ids = [
        pd.DataFrame({"lead_id": v.leads["lead_id"], "file": i, "index": v.leads.index})
        for i, v in enumerate(validated)
        if "lead_id" in v.leads and not v.leads.empty
    ]
    if len(ids) < 2:
        return {}
    ids = pd.concat(ids, ignore_index=True).dropna(subset=["lead_id"])
    shared = ids[ids.groupby("lead_id")["file"].transform("nunique") > 1]
    places: dict[str, list[tuple[int, int]]] = {}
    for lead_id, i, index in zip(shared["lead_id"], shared["file"], shared["index"], strict=True):
        places.setdefault(lead_id, []).append((int(i), index))
    return places


class _Across:
    """What the lead IDs shared between files do to each file: rows made errors, copies dropped,
    problems added."""

    def __init__(self, validated: list[Validated], rules: Rules):
        self.validated = validated
        self.lang = rules.lang
        self.header = rules.header("lead_id")
        self.errors: dict[int, set[int]] = {}
        self.dropped: dict[int, set[int]] = {}
        self.problems: dict[int, list[Problem]] = {}

    def judge(self, lead_id: str, where: list[tuple[int, int]]) -> None:
        t = catalogue(self.lang)
        files = [i for i, _ in where]
        rows = [_comparable(self.validated[i].leads.loc[index]) for i, index in where]
        described = [_place(self.validated[i], index, t) for i, index in where]
        if len(set(files)) == len(files) and all(row == rows[0] for row in rows[1:]):
            for i, index in where[1:]:
                self.dropped.setdefault(i, set()).add(index)
                self.add(i, index, lead_id, "identical_lead_across_files", kept=described[0])
            return
        for i, index in where:
            self.errors.setdefault(i, set()).add(index)
            others = [p for (j, k), p in zip(where, described, strict=True) if (j, k) != (i, index)]
            self.add(i, index, lead_id, "duplicate_lead_id_across_files", others=named_places(others, t))

    def add(self, i: int, index: int, lead_id: str, code: str, **params: object) -> None:
        v = self.validated[i]
        row = v.leads.loc[index]
        self.problems.setdefault(i, []).append(
            problem(
                code, self.lang, {"lead_id": lead_id, **params}, sheet=str(row["_sheet"]),
                row=int(row["_row"]), column=v.letters.get("lead_id", ""),
                header=v.headers.get("lead_id", self.header), value=str(lead_id), file=str(row["_file"]),
            )
        )

    def applied(self, i: int) -> Validated:
        v = self.validated[i]
        if i not in self.errors and i not in self.dropped:
            return v
        leads = v.leads.copy()
        problems = v.problems
        if i in self.errors:
            leads.loc[sorted(self.errors[i]), "_error"] = True
            rows = {int(r) for r in leads.loc[sorted(self.errors[i]), "_row"]}
            problems = _errors_only_on(rows, problems)
        if i in self.dropped:
            leads = leads.drop(index=sorted(self.dropped[i]))
        return dataclasses.replace(v, leads=leads, problems=[*problems, *self.problems[i]])


def _comparable(row: pd.Series) -> dict:
    """A row's typed values, missing ones left out, so a blank cell equals an absent column."""
    return {
        name: value for name, value in row.items()
        if not name.startswith("_") and name not in _NOT_COMPARED and not _missing(value)
    }


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _comparable_rows(rows: pd.DataFrame, positions: list[int]) -> dict[int, dict]:
    """Each row's typed values by position, missing ones left out, so a blank cell equals an absent
    column (the rows taken together: one frame's records, not a Series per row)."""
    rows = rows.rename(columns=RENAMED)
    names = [name for name in rows.columns if not name.startswith("_") and name not in _NOT_COMPARED]
    return {
        at: {name: value for name, value in record.items() if not _missing(value)}
        for at, record in zip(positions, rows[names].to_dict("records"), strict=True)
    }


def _place(v: Validated, index: int, t: Catalogue) -> str:
    row = v.leads.loc[index]
    return t("problem.place", file=row["_file"], sheet=row["_sheet"], row=int(row["_row"]))


# ---------------------------------------------------------------------------
# Conversion
# ---------------------------------------------------------------------------

def is_blank(values: pd.Series) -> pd.Series:
    """Cells with nothing in them: empty, only spaces, missing, or the text "nan".

    One cheap test per distinct value (:func:`per_distinct`): pandas' string methods over an
    object column were the slowest part of checking a large sheet."""
    return per_distinct(values, _blank).astype(bool)


def per_distinct(values: pd.Series, convert: Callable[[object], object]) -> pd.Series:
    """``convert`` applied to every cell of ``values`` (an object Series; the result one too), once
    per distinct value: a column's values repeat (names, stages, dates, blanks), and hashing them is
    C work where calling ``convert`` is Python's.

    Python holds True == 1 == 1.0 and False == 0 == 0.0, so hashing takes them for one value; the
    cells holding one of those, and the missing ones (None, NaN, NaT are not told apart by the
    hashing either), are converted one by one."""
    cells = values.to_numpy(dtype=object)
    codes, distinct = pd.factorize(cells)
    converted = np.empty(len(distinct) + 1, dtype=object)
    for k, value in enumerate(distinct):
        converted[k] = convert(value)
    out = converted[codes]
    for i in np.flatnonzero((codes < 0) | _ambiguous(codes, distinct)):
        out[i] = convert(cells[i])
    return pd.Series(out, index=values.index, dtype=object)


def _ambiguous(codes: np.ndarray, distinct: np.ndarray) -> np.ndarray:
    """Where ``codes`` (of :func:`pandas.factorize`) stand for a value that may be True, 1 or 1.0
    (False, 0 or 0.0): equal in Python, so one distinct value, though not the same cell."""
    ambiguous = [k for k, v in enumerate(distinct) if type(v) in (bool, int, float) and v in (0, 1)]
    return np.isin(codes, ambiguous) if ambiguous else np.zeros(len(codes), dtype=bool)


def _blank(v: object) -> bool:
    kind = type(v)
    if kind is str:
        text = v.strip()
        return not text or (len(text) == 3 and text.lower() == "nan")
    if v is None:
        return True
    if kind is float:
        return v != v
    if kind is int or kind is bool:
        return False
    if isinstance(v, date):
        return v is pd.NaT
    try:
        if pd.isna(v):
            return True
    except (TypeError, ValueError):
        pass
    text = str(v).strip()
    return not text or text.lower() == "nan"


# datetime64[ns] holds 1677-09-22 … 2262-04-11; a date outside (9999-12-31 for "open end", a lead
# number typed into a date column and read as a serial in the year 7441) is not a usable date.
_NS_FIRST, _NS_LAST = date(1677, 9, 22).toordinal(), date(2262, 4, 11).toordinal()
_NS_YEARS = (1678, 2261)  # the whole years inside that span
_UNIX_DAY = date(1970, 1, 1).toordinal()
# Amounts beyond this (in the rules' unit) are typing errors; far below where sums could overflow.
MAX_AMOUNT = 1e12
_SERIAL_BOUND = 10**15  # an integer beyond any day count (and within a float's exact range)


def parse_dates(
    values: pd.Series, epoch: pd.Timestamp = EXCEL_EPOCH, formats: tuple[str, ...] = ()
) -> pd.Series:
    """Excel dates, date-times, serial numbers and text such as 2024-03-15, 2024/3/15,
    2024.3.15 or 2024年3月15日 → datetime64 (time of day dropped); anything else → NaT.

    Serial numbers count from the workbook's epoch (1904-01-01 in a 1904-based workbook), as
    Excel would show them if the cell were formatted as a date. Text is first tried against the
    rules' ``[input] date_formats`` (strptime, in order; e.g. ``%m/%d/%Y`` for 4/20/2024), since a
    team declares them where the built-in forms would be ambiguous or miss.

    Each distinct value is parsed once (:func:`per_distinct`; a column's dates repeat): one pass
    over them sorts them by kind; a date becomes its day number directly (no text in between),
    serials are converted as one array and only text goes through the parsers."""
    (dates,) = _parsed_per_distinct(
        values, lambda v: (_parse_dates(v, epoch, formats),), (np.datetime64("NaT", "ns"),)
    )
    return dates


def _parsed_per_distinct(
    values: pd.Series, parse: Callable[[pd.Series], tuple[pd.Series, ...]], missing: tuple
) -> tuple[pd.Series, ...]:
    """``parse`` (cells → Series of results) applied to each distinct value once (as
    :func:`per_distinct`), its results spread back over the cells; a missing value (None, NaN)
    gets ``missing``. Cells that may hold True/1/1.0 (one value to the hashing, not to ``parse``:
    a boolean is no date or amount) are parsed on their own."""
    if len(values) < 2:
        return parse(values)
    cells = values.to_numpy(dtype=object)
    codes, distinct = pd.factorize(cells)
    parsed = parse(pd.Series(distinct, dtype=object))
    out = [
        np.append(result.to_numpy(), np.array([blank], dtype=result.dtype))[codes]
        for result, blank in zip(parsed, missing, strict=True)
    ]
    at = np.flatnonzero(_ambiguous(codes, distinct))
    if len(at):
        for whole, part in zip(out, parse(pd.Series(cells[at], dtype=object)), strict=True):
            whole[at] = part.to_numpy()
    return tuple(pd.Series(whole, index=values.index) for whole in out)


def _parse_dates(values: pd.Series, epoch: pd.Timestamp, formats: tuple[str, ...]) -> pd.Series:
    days = np.full(len(values), np.iinfo(np.int64).min, dtype=np.int64)  # NaT, as day counts
    if values.empty:
        return pd.Series(days.view("datetime64[D]").astype("datetime64[ns]"), index=values.index)
    serial_at, serials, text_at = [], [], []
    for i, v in enumerate(values.tolist()):
        kind = type(v)
        if kind is str:
            text_at.append(i)
        elif kind is float or (kind is int and -_SERIAL_BOUND < v < _SERIAL_BOUND):
            serial_at.append(i)
            serials.append(v)
        elif isinstance(v, date) and v is not pd.NaT:
            ordinal = v.toordinal()
            if _NS_FIRST <= ordinal <= _NS_LAST:
                days[i] = ordinal - _UNIX_DAY
    if serials:
        serial = np.asarray(serials, dtype=float)
        # Excel's serials run to 2958465 (9999-12-31); the dates computed with end in 2262.
        last = (pd.Timestamp(date.fromordinal(_NS_LAST)) - epoch).days
        plausible = (serial >= 1) & (serial <= min(2958465, last))
        at = np.asarray(serial_at)[plausible]
        days[at] = np.floor(serial[plausible]).astype(np.int64) + (epoch.toordinal() - _UNIX_DAY)
    out = pd.Series(days.view("datetime64[D]").astype("datetime64[ns]"), index=values.index)
    if text_at:
        text = values.iloc[text_at].map(_date_text)
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        for fmt in formats:
            todo = parsed.isna()
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        todo = parsed.isna()
        if todo.any():
            parts = text[todo].str.extract(_DATE_TEXT)
            year = pd.to_numeric(parts[0], errors="coerce")
            # A year pandas cannot hold (9999 for "open end") is no usable date: NaT, not a crash.
            year = year.where(year.between(_NS_YEARS[0], _NS_YEARS[1]))
            parsed[todo] = pd.to_datetime(
                {"year": year, "month": parts[1], "day": parts[2]}, errors="coerce"
            )
        out.iloc[text_at] = parsed.dt.normalize().to_numpy()
    return out


def _date_text(typed: str) -> str:
    """A date as people type it, in the form the parsers read: full-width digits and signs as
    half-width (２０２４－０６－０５ → 2024-06-05), eight digits split (20240605 → 2024-06-05)."""
    text = unicodedata.normalize("NFKC", typed).strip()
    return _DATE_DIGITS.sub(r"\1-\2-\3", text)


def parse_amounts(values: pd.Series, unit: str = "万元") -> tuple[pd.Series, pd.Series]:
    """Amounts in the rules' unit. Returns (amounts, converted) where converted marks values typed
    in 元 and converted to 万元 (only when the unit is 万元, the team's own).

    In another unit (``amount_unit = "$"``), the unit's own text and a currency sign around the
    number are ignored (``$1,200``, ``1,200 USD`` → 1200); nothing is converted. Each distinct
    value is parsed once (:func:`_parsed_per_distinct`)."""
    amounts, converted = _parsed_per_distinct(values, lambda v: _parse_amounts(v, unit), (np.nan, False))
    return amounts, converted.astype(bool)


def _parse_amounts(values: pd.Series, unit: str) -> tuple[pd.Series, pd.Series]:
    amounts = pd.Series(np.nan, index=values.index, dtype=float)
    converted = pd.Series(False, index=values.index)
    if values.empty:
        return amounts, converted
    is_number = values.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
    amounts[is_number] = values[is_number].astype(float)
    is_text = values.map(lambda v: isinstance(v, str))
    if is_text.any():
        text = values[is_text].str.replace(r"[,，\s]", "", regex=True)
        if unit == "万元":
            parts = text.str.extract(_AMOUNT_TEXT)
            number = pd.to_numeric(parts[0], errors="coerce")
            in_yuan = parts[1] == "元"
            amounts[is_text] = number.where(~in_yuan, number / 10000)
            converted[is_text] = in_yuan & number.notna()
        else:
            own = re.escape(re.sub(r"\s", "", unit))
            bare = text.str.replace(rf"^(?:{own}|{_CURRENCY})|(?:{own}|{_CURRENCY})$", "", regex=True)
            plain = bare.str.fullmatch(_NUMBER_TEXT).fillna(False).astype(bool)
            amounts[is_text] = pd.to_numeric(bare.where(plain), errors="coerce")
    # inf, a 400-digit number, or one whose sum with the others would overflow: not an amount.
    return amounts.where(amounts.abs() <= MAX_AMOUNT), converted


def clean_text(values: pd.Series) -> pd.Series:
    """Text cells stripped; numbers typed into text columns as their plain form (2024001, not 2024001.0)."""
    return per_distinct(values, _clean)


def _clean(v: object) -> str | None:
    return (v.strip() or None) if type(v) is str else _plain_text(v)


def _plain_text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, date):
        v = v.isoformat()
    return str(v).strip() or None


def canonical_stages(values: pd.Series, rules: Rules) -> pd.Series:
    """Stage text folded (stray spaces, full-width forms) onto the rules' stage and lost names;
    a value the rules' ``[stage_values]`` maps (``Prospecting`` → 潜在接触) becomes that stage."""
    return canonical_names(values, (*rules.stage_names, *rules.lost_labels), dict(rules.stage_values))


def canonical_lost_at(values: pd.Series, rules: Rules, how) -> pd.Series:
    """The lost-at column as stage names, however the rules say it names them: by name
    (``"name"``), by number in [[stages]] order (``"sequence"``: 1 = the first stage), or through
    the column's own table (folded value → stage). A value that says nothing known stays as typed,
    so validation can point at it."""
    if how == LOST_AT_BY_NAME:
        return canonical_stages(values, rules)
    text = clean_text(values)
    if how == LOST_AT_BY_SEQUENCE:
        names = rules.stage_names
        numbers = pd.to_numeric(text, errors="coerce")

        def stage(number, typed):
            if typed is None:
                return None
            if not math.isnan(number) and float(number).is_integer() and 1 <= number <= len(names):
                return names[int(number) - 1]
            return typed

        return pd.Series(
            [stage(n, t) for n, t in zip(numbers.tolist(), text.tolist(), strict=True)], index=values.index, dtype=object
        )
    table = dict(how)
    mapped = text.map(lambda v: table.get(normalize_header(v), v) if isinstance(v, str) else None)
    return canonical_names(mapped.astype(object), (*rules.stage_names, *rules.lost_labels))


def canonical_names(values: pd.Series, names: tuple[str, ...], aliases: dict[str, str] | None = None) -> pd.Series:
    """Text folded onto one of ``names`` when it differs only by spaces, line breaks, full-width
    forms or case (" 展会 推广", "展会推广\n" → 展会推广); anything else stays as typed.
    ``aliases`` (folded text → name) adds other ways of writing a name."""
    known = {**(aliases or {}), **{normalize_header(n): n for n in names}}
    return _each_distinct(clean_text(values), lambda v: known.get(normalize_header(v), v))


def folded_text(values: pd.Series) -> pd.Series:
    """Names and codes as one value however they were typed: full-width letters, digits and
    symbols as half-width (ＬＦ２０２４００１ → LF2024001, ＊销售代表 → *销售代表), runs of spaces and line
    breaks as one space."""
    return _each_distinct(
        clean_text(values), lambda v: " ".join(unicodedata.normalize("NFKC", v).split()) or None
    )


def _each_distinct(text: pd.Series, fold: Callable[[str], str | None]) -> pd.Series:
    """``fold`` applied to each text cell (None stays None), once per distinct text: names, codes
    and list values repeat down a sheet."""
    return per_distinct(text, lambda v: None if v is None else fold(v))


# Fields that group or identify leads: typed the same way twice, they must be the same value.
FOLDED_FIELDS = ("lead_id", "owner")


def _typed_frame(raw: pd.DataFrame, rules: Rules, epoch: pd.Timestamp = EXCEL_EPOCH) -> pd.DataFrame:
    typed = pd.DataFrame(index=raw.index)
    lists = {"source": rules.sources, "follow_up_method": rules.follow_up_methods}
    for col in rules.columns:
        if col.field not in raw:
            continue
        values = raw[col.field]
        if col.kind == "date":
            typed[col.field] = parse_dates(values, epoch, rules.input.date_formats)
        elif col.kind == "number":
            typed[col.field], converted = parse_amounts(
                values, rules.amount_unit if col.field == "amount" else "万元"
            )
            if col.field == "amount":
                typed["amount__in_yuan"] = converted
        elif col.kind == "lost_at":
            typed[col.field] = canonical_lost_at(values, rules, col.values)
        elif col.kind == "stage":
            typed[col.field] = canonical_stages(values, rules)
        elif col.field in lists:
            typed[col.field] = canonical_names(folded_text(values), lists[col.field])
        elif col.field in FOLDED_FIELDS:
            typed[col.field] = folded_text(values)
        else:
            typed[col.field] = clean_text(values)
    fill_fallbacks(typed, raw, rules)
    apply_status(typed, raw, rules)
    typed["_row"] = raw["_row"]
    return typed


def _drop_ignored_values(typed: pd.DataFrame) -> pd.DataFrame:
    """Values the problems say are ignored are blanked, so no figure uses them."""
    typed = typed.drop(columns=[c for c in typed if c.endswith("__in_yuan")])
    for field in ("amount", "dwell_days"):
        if field in typed:
            typed[field] = typed[field].where(typed[field] >= 0)
    return typed


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

def _rules_table(
    raw: pd.DataFrame, typed: pd.DataFrame, rules: Rules, as_of: date, copies: _SameId
) -> list[Rule]:
    """Every check of this sheet, on the fields it has; the message parameters with each."""
    present = {f for f in raw.columns if f != "_row"}
    # Blank as opposed to unreadable matters for dates and numbers only.
    needs_blank = {c.field for c in rules.columns if c.kind in ("date", "number")}
    blank = {f: is_blank(raw[f]) for f in present & needs_blank}
    return [
        *_identity_rules(typed, rules, blank, copies),
        *_date_rules(typed, rules, as_of, blank, present),
        *_list_rules(typed, rules),
        *_number_rules(typed, rules, blank),
        *_snooze_rules(typed, rules, as_of),
        *_lost_at_rules(typed, rules),
    ]


def _rule(field: str, code: str, passes, **params) -> Rule:
    return Rule(field, code, passes, tuple(params.items()))


def _identity_rules(
    typed: pd.DataFrame, rules: Rules, blank: dict[str, pd.Series], copies: _SameId
) -> list[Rule]:
    stages = set(rules.stage_names) | set(rules.lost_labels)
    pattern = rules.lead_id_pattern
    first_blank = blank["first_contact"]
    # Rules that let first contact be blank say so once per sheet (first_contact_blank), not per row.
    optional = rules.column("first_contact").may_be_blank
    return [
        _rule("lead_id", "missing_lead_id", lambda s: s.notna()),
        _rule("lead_id", "duplicate_lead_id", copies.passes),
        _rule("lead_id", "bad_lead_id_pattern",
              lambda s: s.isna() | s.astype(str).str.fullmatch(pattern), pattern=pattern),
        _rule("stage", "missing_stage", lambda s: s.notna()),
        _rule("stage", "unknown_stage", lambda s: s.isna() | s.isin(stages)),
        _rule("owner", "missing_owner", lambda s: s.notna()),
        _rule("first_contact", "missing_first_contact", lambda s: optional | ~first_blank.loc[s.index]),
        _rule("first_contact", "bad_first_contact", lambda s: s.notna() | first_blank.loc[s.index]),
    ]


def _date_rules(
    typed: pd.DataFrame, rules: Rules, as_of: date, blank: dict[str, pd.Series], present: set[str]
) -> list[Rule]:
    as_of_ts = pd.Timestamp(as_of)
    table = []
    for col in rules.columns:
        if col.kind != "date" or col.field not in present:
            continue
        f = col.field
        if f != "first_contact":
            table.append(_rule(f, "bad_date", lambda s, f=f: s.notna() | blank[f].loc[s.index],
                               header=col.header))
        if f not in PLANNED_DATES:
            table.append(_rule(f, "future_date", lambda s: s.isna() | (s <= as_of_ts),
                               header=col.header, as_of=as_of.isoformat()))
    if "first_contact" in typed:
        first = typed["first_contact"]
        for f, code in (("last_follow_up", "follow_up_before_first_contact"),
                        ("stage_entered", "stage_entered_before_first_contact")):
            if f in typed:
                table.append(_rule(f, code, lambda s: s.isna() | first.loc[s.index].isna()
                                   | (s >= first.loc[s.index])))
    return table


def _list_rules(typed: pd.DataFrame, rules: Rules) -> list[Rule]:
    table = []
    if rules.sources and "source" in typed:
        table += [
            _rule("source", "unknown_source", lambda s: s.isna() | s.isin(rules.sources)),
            _rule("source", "missing_source", lambda s: s.notna()),
        ]
    if rules.follow_up_methods and "follow_up_method" in typed:
        table.append(_rule("follow_up_method", "unknown_method",
                           lambda s: s.isna() | s.isin(rules.follow_up_methods)))
    return table


def _number_rules(typed: pd.DataFrame, rules: Rules, blank: dict[str, pd.Series]) -> list[Rule]:
    table = []
    if "amount" in typed:
        amount_blank, converted = blank["amount"], typed["amount__in_yuan"]
        table += [
            _rule("amount", "bad_amount", lambda s: s.notna() | amount_blank.loc[s.index],
                  unit=rules.amount_unit),
            _rule("amount", "negative_amount", lambda s: s.isna() | (s >= 0)),
            _rule("amount", "amount_in_yuan", lambda s: ~converted.loc[s.index]),
        ]
    if "dwell_days" in typed:
        dwell_blank = blank["dwell_days"]
        table.append(_rule("dwell_days", "bad_dwell_days",
                           lambda s: dwell_blank.loc[s.index] | (s.notna() & (s >= 0))))
    return table


def _snooze_rules(typed: pd.DataFrame, rules: Rules, as_of: date) -> list[Rule]:
    table = []
    missing = pd.Series(None, index=typed.index, dtype=object)
    if "snooze_until" in typed:
        reason = typed.get("snooze_reason", missing)
        days = rules.thresholds.max_snooze_days
        latest = pd.Timestamp(as_of) + pd.Timedelta(days=days)
        closed = typed["stage"].isin([rules.won_stage, *rules.lost_labels])
        table += [
            _rule("snooze_until", "snooze_without_reason", lambda s: s.isna() | reason.loc[s.index].notna(),
                  header=_header_of(rules, "snooze_reason")),
            _rule("snooze_until", "snooze_too_long", lambda s: s.isna() | (s <= latest), days=days),
            _rule("snooze_until", "snooze_on_closed_lead", lambda s: s.isna() | ~closed.loc[s.index]),
        ]
    if "snooze_reason" in typed:
        until = typed.get("snooze_until", missing)
        table.append(_rule("snooze_reason", "snooze_reason_without_date",
                           lambda s: s.isna() | until.loc[s.index].notna(),
                           header=_header_of(rules, "snooze_until")))
    return table


def named_places(places: list[str], t: Catalogue) -> str:
    """The first :data:`ROWS_NAMED` places, and how many in all when there are more."""
    named = t.join(places[:ROWS_NAMED])
    return t("where.rows_more", rows=named, count=len(places)) if len(places) > ROWS_NAMED else named


# How many rows a message names: a required-field warning ("第 5、9、14、20、31… 行") or a
# duplicate ID's other rows ("第 3 行、…、第 7 行 等共 132 行").
ROWS_NAMED = 5


def required_field_problems(typed: pd.DataFrame, sheet: LeadsSheet, rules: Rules) -> list[Problem]:
    """One warning per rep and field the rules mark required for quality: how many of the rep's open
    leads (rows without errors) leave it blank, and the first rows (see
    :func:`funnel_xl.quality.required_blanks`; a column the sheet lacks is not checked)."""
    blank = required_blanks(typed, rules)
    owners = typed["owner"].fillna("").astype(str) if "owner" in typed else pd.Series("", index=typed.index)
    t = catalogue(rules.lang)
    found = []
    for field in blank.columns:
        hit = blank[field]
        for owner, rows in typed.loc[hit, "_row"].groupby(owners[hit], sort=True):
            rows = sorted(int(r) for r in rows)
            named = t.join(rows[:ROWS_NAMED])
            header = sheet.headers.get(field, rules.header(field))
            found.append(problem(
                "required_fields_blank", rules.lang, {
                    "owner": owner, "count": len(rows), "header": header,
                    "rows": t("blanks.more", rows=named) if len(rows) > ROWS_NAMED else named,
                },
                sheet=sheet.sheet, row=rows[0], column=sheet.letters.get(field, ""), header=header,
                file=sheet.file_name,
            ))
    return found


def _lost_at_rules(typed: pd.DataFrame, rules: Rules) -> list[Rule]:
    lost = typed["stage"].isin(rules.lost_labels)
    if "lost_at" in typed:
        lost_stages = set(rules.stage_names[:-1])
        return [
            _rule("lost_at", "lost_at_unknown", lambda s: ~lost.loc[s.index] | s.notna()),
            _rule("lost_at", "bad_lost_at", lambda s: s.isna() | s.isin(lost_stages)),
            _rule("lost_at", "lost_at_on_open_lead", lambda s: s.isna() | lost.loc[s.index]),
        ]
    if rules.has_column("lost_at"):
        # Rules without a lost-at column say the team does not record it: nothing to point at.
        return [
            Rule("stage", "lost_at_column_missing", lambda s: ~lost.loc[s.index],
                 (("header", rules.header("lost_at")),), shows_value=False)
        ]
    return []


def _places(rules: Rules) -> SheetPlaces:
    return SheetPlaces(
        header_of=rules.header,
        choices={
            "stage": [*rules.stage_names, *rules.lost_labels],
            "lost_at": list(rules.stage_names[:-1]),
            "source": list(rules.sources),
            "follow_up_method": list(rules.follow_up_methods),
        },
    )


def _header_of(rules: Rules, field: str) -> str:
    try:
        return rules.header(field)
    except KeyError:
        t = catalogue(rules.lang)
        return t(f"field.{field}") if t.has(f"field.{field}") else field


# ---------------------------------------------------------------------------
# One wrong first contact: one problem at its cause
# ---------------------------------------------------------------------------

# The warnings a first contact typed too late causes on the other dates of its lead.
_BEFORE_FIRST_CONTACT = (
    "follow_up_before_first_contact", "stage_entered_before_first_contact", "log_before_first_contact",
)
# From this many of a lead's dates before its first contact, the first contact is the likely cause.
FOLD_FROM = 2


def fold_first_contact(
    validated: list[Validated], log_problems: list[Problem], entries: pd.DataFrame, rules: Rules,
) -> tuple[list[Validated], list[Problem]]:
    """A lead with several dates before its 首次接触时间 (最近跟进时间, 阶段进入日期, log rows) has
    one wrong date, the first contact: one warning on it, saying how many follow-on cells it
    explains, instead of one on each of them. ``entries`` are the logs' typed entries (all rows)."""
    lead_at = _lead_places(validated)
    entry_lead = _entry_leads(entries, lead_at, [p for p in log_problems if p.code == "log_before_first_contact"])
    by_place = {place: (at, place) for at, place in lead_at.values()}
    caused: dict[tuple, list[Problem]] = {}
    for p in [q for v in validated for q in v.problems] + log_problems:
        if p.code not in _BEFORE_FIRST_CONTACT:
            continue
        place = (p.file, p.sheet, p.row)
        lead = by_place.get(place) if p.code != "log_before_first_contact" else entry_lead.get(place)
        if lead is not None:
            caused.setdefault(lead, []).append(p)
    folded = {lead: found for lead, found in caused.items() if len(found) >= FOLD_FROM}
    gone = {id(p) for found in folded.values() for p in found}
    out = []
    for at, v in enumerate(validated):
        causes = [
            _first_contact_problem(place, found, v, rules)
            for (file_at, place), found in folded.items() if file_at == at
        ]
        if causes:
            v = dataclasses.replace(v, problems=[p for p in v.problems if id(p) not in gone] + causes)
        out.append(v)
    return out, [p for p in log_problems if id(p) not in gone]


def _entry_leads(entries: pd.DataFrame, lead_at: dict[str, tuple[int, tuple]], found: list[Problem]) -> dict:
    """The lead (as :func:`_lead_places` gives it) of each log entry a problem in ``found`` is on,
    by (file, sheet, row): only those entries are looked at, not the whole log."""
    if not found or not len(entries) or "lead_id" not in entries:
        return {}
    rows = entries[ROW].astype(int)
    at = rows.isin({p.row for p in found}).to_numpy()
    keys = zip(entries[FILE][at].tolist(), entries[SHEET][at].tolist(), rows[at].tolist(),
               entries["lead_id"][at].tolist(), strict=True)
    return {(f, s, r): lead_at.get(lead) for f, s, r, lead in keys}


def _lead_places(validated: list[Validated]) -> dict[str, tuple[int, tuple]]:
    """Each lead ID's first usable row: the file's index and (file, sheet, row)."""
    places: dict[str, tuple[int, tuple]] = {}
    for at, v in enumerate(validated):
        leads = v.leads
        if not len(leads) or "lead_id" not in leads:
            continue
        usable = leads[~leads["_error"] & leads["lead_id"].notna()]
        for lead, file, sheet, row in zip(
            usable["lead_id"].tolist(), usable[FILE].tolist(), usable[SHEET].tolist(),
            usable[ROW].astype(int).tolist(), strict=True,
        ):
            places.setdefault(lead, (at, (file, sheet, row)))
    return places


def _first_contact_problem(place: tuple, found: list[Problem], v: Validated, rules: Rules) -> Problem:
    file, sheet, row = place
    first = v.leads.loc[v.leads[ROW] == row, "first_contact"].iloc[0]
    t = catalogue(rules.lang)
    on_sheet = [p.header for p in found if p.code != "log_before_first_contact"]
    logged = [p for p in found if p.code == "log_before_first_contact"]
    dates = on_sheet + ([t("fold.log_rows", sheet=logged[0].sheet, count=len(logged))] if logged else [])
    return problem(
        "first_contact_after_other_dates", rules.lang, {"count": len(found), "dates": t.join(dates)},
        sheet=sheet, row=row, column=v.letters.get("first_contact", ""),
        header=v.headers.get("first_contact", rules.header("first_contact")),
        value=pd.Timestamp(first).date().isoformat(), file=file,
    )
