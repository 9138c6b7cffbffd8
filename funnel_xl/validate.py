"""Typing and checking the leads: raw cells in, a typed frame and a list of problems out.

Conversion (dates in their usual forms, amounts with units, stage names with stray spaces) is
vectorised; the checks are a pandera schema built from the rules and run lazily, so every problem
is reported, not only the first. Each check carries a stable code; its failure cases are mapped
once to Excel rows and column letters.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .messages import ZH, Catalogue, catalogue
from .problems import ERROR, WARNING, Problem
from .reader import LeadsSheet
from .rules import LOST_AT_BY_NAME, LOST_AT_BY_SEQUENCE, Rules, normalize_header

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
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?\s*$"
)
_AMOUNT_TEXT = re.compile(r"^[￥¥]?\s*([-+]?\d+(?:\.\d+)?)\s*(万元|万|元)?$")
# Amounts in another unit than 万元: a plain number, with a currency sign or code before or after.
_NUMBER_TEXT = r"[-+]?\d+(?:\.\d+)?"
_CURRENCY = r"[$€£￥¥]|US\$|USD|EUR|GBP|CNY|RMB"


@dataclass
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
        problem = Problem(
            code="unreadable_file",
            severity=ERROR,
            message=catalogue(lang)("problem.unreadable_file", text=text),
            file=file,
        )
        return cls(leads=pd.DataFrame({"_error": pd.Series(dtype=bool)}), problems=[problem])

    @property
    def valid(self) -> pd.DataFrame:
        return self.leads[~self.leads["_error"]].drop(columns="_error").reset_index(drop=True)

    @property
    def excluded(self) -> pd.DataFrame:
        return self.leads[self.leads["_error"]].drop(columns="_error").reset_index(drop=True)


@dataclass(frozen=True)
class _Check:
    code: str
    severity: str
    field: str
    # The message is "problem.<code>" of the catalogue (funnel_xl.messages), filled with the value,
    # a hint and these parameters.
    params: tuple[tuple[str, object], ...] = ()


def validate_leads(sheet: LeadsSheet, rules: Rules, as_of: date) -> Validated:
    """Type the raw cells of ``sheet`` and check every row against the rules."""
    raw = sheet.frame
    typed = _typed_frame(raw, rules, EPOCH_1904 if sheet.date1904 else EXCEL_EPOCH)
    checks, schema = _schema(raw, typed, rules, as_of)
    failures = failure_cases(schema, typed)
    # The reader's notes were made before the caller chose how to name the file (sheet.label).
    notes = [dataclasses.replace(p, file=sheet.file_name) for p in sheet.problems]
    problems = notes + _problems(failures, checks, raw, typed, sheet, rules)
    error_rows = {p.row for p in problems if p.severity == ERROR}
    leads = _drop_ignored_values(typed).rename(columns=RENAMED)
    leads["_file"] = sheet.file_name
    leads["_sheet"] = sheet.sheet
    leads["_error"] = leads["_row"].isin(error_rows)
    return Validated(
        leads=leads, problems=problems, letters=dict(sheet.letters), headers=dict(sheet.headers)
    )


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
    ids = [
        pd.DataFrame({"lead_id": v.leads["lead_id"], "file": i, "index": v.leads.index})
        for i, v in enumerate(validated)
        if "lead_id" in v.leads and not v.leads.empty
    ]
    if len(ids) < 2:
        return validated
    ids = pd.concat(ids, ignore_index=True).dropna(subset=["lead_id"])
    shared = ids[ids.groupby("lead_id")["file"].transform("nunique") > 1]
    places: dict[str, list[tuple[int, int]]] = {}  # lead ID → (file index, frame index)
    for lead_id, i, index in zip(shared["lead_id"], shared["file"], shared["index"]):
        places.setdefault(lead_id, []).append((int(i), index))
    header = rules.header("lead_id")
    t = catalogue(rules.lang)
    errors: dict[int, set[int]] = {}
    dropped: dict[int, set[int]] = {}
    new_problems: dict[int, list[Problem]] = {}
    for lead_id, where in places.items():
        files = [i for i, _ in where]
        if len(set(files)) < 2:
            continue
        rows = [_comparable(validated[i].leads.loc[index]) for i, index in where]
        once_per_file = len(set(files)) == len(files)
        described = [_place(validated[i], index, t) for i, index in where]
        if once_per_file and all(row == rows[0] for row in rows[1:]):
            kept = described[0]
            for (i, index), place in list(zip(where, described))[1:]:
                dropped.setdefault(i, set()).add(index)
                new_problems.setdefault(i, []).append(
                    _cross_problem(
                        validated[i], index, header, lead_id, WARNING, "identical_lead_across_files",
                        t("problem.identical_lead_across_files", lead_id=lead_id, kept=kept),
                    )
                )
            continue
        for i, index in where:
            errors.setdefault(i, set()).add(index)
            others = [p for (j, k), p in zip(where, described) if (j, k) != (i, index)]
            new_problems.setdefault(i, []).append(
                _cross_problem(
                    validated[i], index, header, lead_id, ERROR, "duplicate_lead_id_across_files",
                    t("problem.duplicate_lead_id_across_files", lead_id=lead_id, others=t.join(others)),
                )
            )
    out = []
    for i, v in enumerate(validated):
        if i not in errors and i not in dropped:
            out.append(v)
            continue
        leads = v.leads.copy()
        if i in errors:
            leads.loc[sorted(errors[i]), "_error"] = True
        if i in dropped:
            leads = leads.drop(index=sorted(dropped[i]))
        out.append(
            Validated(
                leads=leads, problems=[*v.problems, *new_problems[i]],
                letters=v.letters, headers=v.headers,
            )
        )
    return out


def _comparable(row: pd.Series) -> dict:
    """A row's typed values, missing ones left out, so a blank cell equals an absent column."""
    values = {}
    for name, value in row.items():
        if name.startswith("_") or name in _NOT_COMPARED:
            continue
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            continue
        values[name] = value
    return values


def _place(v: Validated, index: int, t: Catalogue) -> str:
    row = v.leads.loc[index]
    return t("problem.place", file=row["_file"], sheet=row["_sheet"], row=int(row["_row"]))


def _cross_problem(
    v: Validated, index: int, header: str, lead_id: str, severity: str, code: str, message: str
) -> Problem:
    row = v.leads.loc[index]
    return Problem(
        code=code,
        severity=severity,
        message=message,
        sheet=str(row["_sheet"]),
        row=int(row["_row"]),
        column=v.letters.get("lead_id", ""),
        header=v.headers.get("lead_id", header),
        value=str(lead_id),
        file=str(row["_file"]),
    )


# ---------------------------------------------------------------------------
# Conversion
# ---------------------------------------------------------------------------

def is_blank(values: pd.Series) -> pd.Series:
    """Cells with nothing in them: empty, only spaces, missing, or the text "nan".

    One cheap test per cell on the column as a list: pandas' string methods over an object column
    were the slowest part of checking a large sheet."""
    return pd.Series([_blank(v) for v in values.tolist()], index=values.index, dtype=bool)


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
_UNIX_DAY = date(1970, 1, 1).toordinal()
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

    One pass over the cells sorts them by kind; a date becomes its day number directly (no text in
    between), serials are converted as one array and only text goes through the parsers."""
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
        text = values.iloc[text_at].str.strip()
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        for fmt in formats:
            todo = parsed.isna()
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        todo = parsed.isna()
        if todo.any():
            parts = text[todo].str.extract(_DATE_TEXT)
            parsed[todo] = pd.to_datetime(
                {"year": parts[0], "month": parts[1], "day": parts[2]}, errors="coerce"
            )
        out.iloc[text_at] = parsed.dt.normalize().to_numpy()
    return out


def parse_amounts(values: pd.Series, unit: str = "万元") -> tuple[pd.Series, pd.Series]:
    """Amounts in the rules' unit. Returns (amounts, converted) where converted marks values typed
    in 元 and converted to 万元 (only when the unit is 万元, the team's own).

    In another unit (``amount_unit = "$"``), the unit's own text and a currency sign around the
    number are ignored (``$1,200``, ``1,200 USD`` → 1200); nothing is converted."""
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
    return amounts, converted


def clean_text(values: pd.Series) -> pd.Series:
    """Text cells stripped; numbers typed into text columns as their plain form (2024001, not 2024001.0)."""
    return pd.Series(
        [(v.strip() or None) if type(v) is str else _plain_text(v) for v in values.tolist()],
        index=values.index, dtype=object,
    )


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
            [stage(n, t) for n, t in zip(numbers.tolist(), text.tolist())], index=values.index, dtype=object
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
    done: dict[str, str | None] = {}

    def one(v: str | None) -> str | None:
        if v is None:
            return None
        if v not in done:
            done[v] = fold(v)
        return done[v]

    return pd.Series([one(v) for v in text.tolist()], index=text.index, dtype=object)


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

def _schema(raw: pd.DataFrame, typed: pd.DataFrame, rules: Rules, as_of: date):
    """The pandera schema for this sheet: one Column per found field, each check named by its code."""
    checks: dict[str, _Check] = {}
    columns: dict[str, list[pa.Check]] = {name: [] for name in typed.columns if not name.startswith("_")}
    as_of_ts = pd.Timestamp(as_of)
    present = {f for f in raw.columns if f != "_row"}
    # Blank as opposed to unreadable matters for dates and numbers only.
    needs_blank = {c.field for c in rules.columns if c.kind in ("date", "number")}
    blank = {f: is_blank(raw[f]) for f in present & needs_blank}

    def add(field: str, code: str, severity: str, ok, **params) -> None:
        checks[code] = _Check(code, severity, field, tuple(params.items()))
        columns[field].append(pa.Check(ok, name=code, ignore_na=False))

    stages = set(rules.stage_names) | set(rules.lost_labels)
    lost = typed["stage"].isin(rules.lost_labels) if "stage" in typed else None

    add("lead_id", "missing_lead_id", ERROR, lambda s: s.notna())
    add("lead_id", "duplicate_lead_id", ERROR, lambda s: s.isna() | ~s.duplicated(keep=False))
    pattern = rules.lead_id_pattern
    add("lead_id", "bad_lead_id_pattern", WARNING,
        lambda s: s.isna() | s.astype(str).str.fullmatch(pattern), pattern=pattern)
    add("stage", "missing_stage", ERROR, lambda s: s.notna())
    add("stage", "unknown_stage", ERROR, lambda s: s.isna() | s.isin(stages))
    add("owner", "missing_owner", ERROR, lambda s: s.notna())
    add("first_contact", "missing_first_contact", ERROR, lambda s: ~blank["first_contact"].loc[s.index])
    add("first_contact", "bad_first_contact", ERROR,
        lambda s: s.notna() | blank["first_contact"].loc[s.index])
    for col in rules.columns:
        if col.kind != "date" or col.field not in present:
            continue
        f = col.field
        if f != "first_contact":
            add(f, f"bad_date:{f}", WARNING, lambda s, f=f: s.notna() | blank[f].loc[s.index],
                header=col.header)
        if f not in PLANNED_DATES:
            add(f, f"future_date:{f}", WARNING, lambda s: s.isna() | (s <= as_of_ts),
                header=col.header, as_of=as_of.isoformat())
    if "last_follow_up" in typed and "first_contact" in typed:
        first = typed["first_contact"]
        add("last_follow_up", "follow_up_before_first_contact", WARNING,
            lambda s: s.isna() | first.loc[s.index].isna() | (s >= first.loc[s.index]))
    if "stage_entered" in typed and "first_contact" in typed:
        first = typed["first_contact"]
        add("stage_entered", "stage_entered_before_first_contact", WARNING,
            lambda s: s.isna() | first.loc[s.index].isna() | (s >= first.loc[s.index]))
    if rules.sources and "source" in typed:
        add("source", "unknown_source", WARNING, lambda s: s.isna() | s.isin(rules.sources))
        add("source", "missing_source", WARNING, lambda s: s.notna())
    if rules.follow_up_methods and "follow_up_method" in typed:
        add("follow_up_method", "unknown_method", WARNING,
            lambda s: s.isna() | s.isin(rules.follow_up_methods))
    if "amount" in typed:
        amount_blank = blank["amount"]
        add("amount", "bad_amount", WARNING, lambda s: s.notna() | amount_blank.loc[s.index],
            unit=rules.amount_unit)
        add("amount", "negative_amount", WARNING, lambda s: s.isna() | (s >= 0))
        converted = typed["amount__in_yuan"]
        add("amount", "amount_in_yuan", WARNING, lambda s: ~converted.loc[s.index])
    if "dwell_days" in typed:
        dwell_blank = blank["dwell_days"]
        add("dwell_days", "bad_dwell_days", WARNING,
            lambda s: dwell_blank.loc[s.index] | (s.notna() & (s >= 0)))
    if "snooze_until" in typed:
        reason = typed["snooze_reason"] if "snooze_reason" in typed else pd.Series(None, index=typed.index)
        latest = as_of_ts + pd.Timedelta(days=rules.thresholds.max_snooze_days)
        closed = (
            typed["stage"].isin([rules.won_stage, *rules.lost_labels]) if "stage" in typed
            else pd.Series(False, index=typed.index)
        )
        add("snooze_until", "snooze_without_reason", WARNING,
            lambda s: s.isna() | reason.loc[s.index].notna(), header=_header_of(rules, "snooze_reason"))
        add("snooze_until", "snooze_too_long", WARNING,
            lambda s: s.isna() | (s <= latest), days=rules.thresholds.max_snooze_days)
        add("snooze_until", "snooze_on_closed_lead", WARNING, lambda s: s.isna() | ~closed.loc[s.index])
    if "snooze_reason" in typed:
        snooze_date = (
            typed["snooze_until"] if "snooze_until" in typed else pd.Series(pd.NaT, index=typed.index)
        )
        add("snooze_reason", "snooze_reason_without_date", WARNING,
            lambda s: s.isna() | snooze_date.loc[s.index].notna(), header=_header_of(rules, "snooze_until"))
    if "lost_at" in typed and lost is not None:
        lost_stages = set(rules.stage_names[:-1])
        add("lost_at", "lost_at_unknown", WARNING, lambda s: ~lost.loc[s.index] | s.notna())
        add("lost_at", "bad_lost_at", WARNING, lambda s: s.isna() | s.isin(lost_stages))
        add("lost_at", "lost_at_on_open_lead", WARNING, lambda s: s.isna() | lost.loc[s.index])
    elif lost is not None and lost.any() and rules.has_column("lost_at"):
        # Rules without a lost-at column say the team does not record it: nothing to point at.
        checks["lost_at_column_missing"] = _Check(
            "lost_at_column_missing", WARNING, "stage", (("header", rules.header("lost_at")),)
        )
    schema = pa.DataFrameSchema(
        {name: pa.Column(None, checks=cs, nullable=True) for name, cs in columns.items() if cs},
        strict=False,
    )
    return checks, schema


def failure_cases(schema: pa.DataFrameSchema, typed: pd.DataFrame) -> pd.DataFrame:
    """The rows each check of ``schema`` failed on: columns ``column``, ``check`` (its name, a
    problem code) and ``index`` (the row's label in ``typed``), all checks run (lazy)."""
    try:
        schema.validate(typed, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        return cases[cases["index"].notna()][["column", "check", "index"]]
    return pd.DataFrame(columns=["column", "check", "index"])


def _problems(
    failures: pd.DataFrame, checks: dict[str, _Check], raw: pd.DataFrame, typed: pd.DataFrame,
    sheet: LeadsSheet, rules: Rules,
) -> list[Problem]:
    problems = []
    positions = typed.index.get_indexer(failures["index"].astype("int64"))
    rows = typed["_row"].to_numpy()
    cells = {f: raw[f].to_numpy(dtype=object) for f in raw.columns}
    hints: dict[tuple[str, str], str] = {}
    for code, at in zip(failures["check"], positions):
        check = checks[code]
        value = _display(cells[check.field][at]) if check.field in cells else ""
        problems.append(_problem(check, sheet, int(rows[at]), value, rules, hints))
    if "lost_at_column_missing" in checks and "stage" in typed:
        check = checks["lost_at_column_missing"]
        for row in typed.loc[typed["stage"].isin(rules.lost_labels), "_row"]:
            problems.append(_problem(check, sheet, int(row), "", rules))
    return problems


def _problem(
    check: _Check, sheet: LeadsSheet, row: int, value: str, rules: Rules,
    hints: dict[tuple[str, str], str] | None = None,
) -> Problem:
    """One problem; ``hints`` remembers each "did you mean" worked out (the same typo recurs)."""
    code = check.code.split(":")[0]
    t = catalogue(rules.lang)
    hints = {} if hints is None else hints
    if (check.field, value) not in hints:
        hints[check.field, value] = _hint(check, value, rules)
    return Problem(
        code=code,
        severity=check.severity,
        message=t(f"problem.{code}", value=value, hint=hints[check.field, value], **dict(check.params)).rstrip(),
        sheet=sheet.sheet,
        row=row,
        column=sheet.letters.get(check.field, ""),
        header=sheet.headers.get(check.field, rules.header(check.field)),
        value=value,
        file=sheet.file_name,
    )


def _hint(check: _Check, value: str, rules: Rules) -> str:
    choices = {
        "stage": [*rules.stage_names, *rules.lost_labels],
        "lost_at": list(rules.stage_names[:-1]),
        "source": list(rules.sources),
        "follow_up_method": list(rules.follow_up_methods),
    }.get(check.field)
    if not choices or not value:
        return ""
    t = catalogue(rules.lang)
    close = difflib.get_close_matches(value.strip(), choices, n=1, cutoff=0.4)
    if close:
        return t("hint.did_you_mean", choice=close[0])
    return t("hint.choices", choices=t.join(choices))


def _header_of(rules: Rules, field: str) -> str:
    try:
        return rules.header(field)
    except KeyError:
        t = catalogue(rules.lang)
        return t(f"field.{field}") if t.has(f"field.{field}") else field


def _display(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
