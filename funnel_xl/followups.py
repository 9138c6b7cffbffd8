"""The follow-up log (跟进记录): raw cells in, typed entries and problems out, plus the cross-checks
between the log and the leads sheet.

One row per contact: 线索编号, 跟进时间, 跟进方式, 沟通内容, 客户反馈/异议, 下一步行动, 下次沟通时间,
阶段调整为 (a stage or a lost label; blank = no change) and 跟进人. Conversion reuses the leads
sheet's (dates in their usual forms, stage names folded); each check is a pandera check named by its
code, as on the leads sheet, and the failures pandera collects become
:class:`~funnel_xl.problems.Problem` records with sheet, Excel row and column letter. An entry with an error is not used; an entry dated after the as-of
date is not used either (a warning only when it is after today), so that an earlier month can be
rebuilt from today's workbook.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .checks import CHECKS, problem
from .problems import Problem, Severity
from .reader import LeadsSheet
from .rules import Rules
from .sheet_checks import Rule, SheetPlaces, day, display, failed_rows, sheet_problems
from .validate import (
    EPOCH_1904,
    EXCEL_EPOCH,
    Validated,
    canonical_names,
    canonical_stages,
    folded_text,
    is_blank,
    parse_dates,
)


@dataclass(frozen=True)
class ValidatedLog:
    """Typed log entries (all rows; ``_error`` marks the unusable) and their problems."""

    entries: pd.DataFrame
    problems: list[Problem]

    @property
    def usable(self) -> pd.DataFrame:
        """The entries the stage history uses: no error, dated on or before the as-of date."""
        return self.entries[self.entries["_used"]].reset_index(drop=True)


@dataclass(frozen=True)
class _Leads:
    """What the log's checks need of the run's leads, by entry: whether the entry's lead is known,
    usable (no error on any of its rows), and its first contact."""

    known: pd.Series
    usable: pd.Series
    first: pd.Series

    @classmethod
    def of(cls, lead_id: pd.Series, leads: pd.DataFrame) -> _Leads:
        if "lead_id" not in leads or not leads["lead_id"].notna().any():
            no = pd.Series(False, index=lead_id.index)
            return cls(no, no, pd.Series(pd.NaT, index=lead_id.index, dtype="datetime64[ns]"))
        known = leads[["lead_id", "first_contact", "_error"]].dropna(subset=["lead_id"])
        # A lead on several rows (an error) is known; it is usable only when none of its rows is.
        by_id = known.groupby("lead_id", sort=False).agg(
            first=("first_contact", "min"), error=("_error", "max")
        )
        # Each entry's lead found once (one hash look-up per entry), then its fields taken by position.
        at = by_id.index.get_indexer(lead_id)
        known = at >= 0
        usable = known & ~np.append(by_id["error"].to_numpy(dtype=bool), True)[at]
        first = np.append(pd.to_datetime(by_id["first"]).to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))[at]
        return cls(
            known=pd.Series(known, index=lead_id.index),
            usable=pd.Series(usable, index=lead_id.index),
            first=pd.Series(first, index=lead_id.index),
        )


def validate_log(sheet: LeadsSheet, rules: Rules, as_of: date, leads: pd.DataFrame) -> ValidatedLog:
    """Type and check the entries of a follow-up log sheet.

    ``leads`` are the typed leads of the run, rows with errors included (``_error``): an entry for a
    lead whose row has an error is not a problem of the log, it is simply not used.
    """
    raw = sheet.frame
    entries = _typed(raw, rules, EPOCH_1904 if sheet.date1904 else EXCEL_EPOCH)
    of_leads = _Leads.of(entries["lead_id"], leads)
    failed = failed_rows(entries, _rules_table(raw, entries, rules, as_of, of_leads))
    error = np.zeros(len(entries), dtype=bool)
    error[[at for rule, at in failed if CHECKS[rule.code].severity == Severity.ERROR]] = True
    entries["_file"] = sheet.file_name
    entries["_sheet"] = sheet.sheet
    entries["_error"] = error
    entries["_used"] = ~error & of_leads.usable & (entries["time"] <= pd.Timestamp(as_of))
    places = SheetPlaces(
        header_of=lambda field: _log_header(rules, field),
        choices={
            "stage_change": [*rules.stage_names, *rules.lost_labels],
            "method": list(rules.follow_up_methods),
        },
        per_row=lambda at: {"as_of": as_of.isoformat(), "first": day(of_leads.first.iloc[at])},
    )
    # The reader's notes (a total line, a row outside the table) were made before the caller chose
    # how to name the file (sheet.label).
    notes = [dataclasses.replace(p, file=sheet.file_name) for p in sheet.problems]
    return ValidatedLog(entries, notes + sheet_problems(failed, sheet, rules.lang, places))


def _rules_table(
    raw: pd.DataFrame, typed: pd.DataFrame, rules: Rules, as_of: date, leads: _Leads
) -> list[Rule]:
    """Every check of the log, each passing where the entry is fine (as on the leads sheet)."""
    as_of_ts = pd.Timestamp(as_of)
    # Only the date columns need "blank" apart from "unreadable"; free text is never converted.
    no_time = is_blank(raw["time"])
    first = leads.first
    table = [
        Rule("lead_id", "log_missing_lead_id", lambda s: s.notna()),
        Rule("lead_id", "log_unknown_lead", lambda s: s.isna() | leads.known.loc[s.index]),
        Rule("time", "log_missing_time", lambda s: ~no_time.loc[s.index]),
        Rule("time", "log_bad_time", lambda s: s.notna() | no_time.loc[s.index]),
        Rule("time", "log_future_time", lambda s: ~(s > as_of_ts)),
        Rule("time", "log_before_first_contact", lambda s: ~(
            leads.usable.loc[s.index] & first.loc[s.index].notna() & (s < first.loc[s.index])
        )),
    ]
    if "stage_change" in typed:
        choices = {*rules.stage_names, *rules.lost_labels}
        table.append(Rule("stage_change", "log_unknown_stage", lambda s: s.isna() | s.isin(choices)))
    if "method" in typed and rules.follow_up_methods:
        methods = set(rules.follow_up_methods)
        table.append(Rule("method", "log_unknown_method", lambda s: s.isna() | s.isin(methods)))
    if "next_contact" in typed:
        no_next = is_blank(raw["next_contact"])
        table.append(Rule("next_contact", "log_bad_date", lambda s: s.notna() | no_next.loc[s.index]))
    return table


def cross_check(
    leads: pd.DataFrame, entries: pd.DataFrame, places: dict[str, Validated], rules: Rules,
    as_of: date,
) -> list[Problem]:
    """Warnings where the leads sheet and the log disagree: 所属阶段 against the last stage
    adjustment, 最近跟进时间 against the latest entry. ``leads`` are the valid leads, ``entries``
    the usable log entries, ``places`` each file's checked leads by file label (their column
    letters and headers)."""
    if leads.empty or entries.empty:
        return []
    ordered = entries.sort_values(["time", "_file", "_row"], kind="stable")
    moves = ordered[ordered["stage_change"].notna()]
    last_move = moves.groupby("lead_id", sort=False).agg(
        stage=("stage_change", "last"), time=("time", "last"), row=("_row", "last")
    )
    problems = []
    moved_to = leads["lead_id"].map(last_move["stage"])
    disagree = (moved_to.notna() & (moved_to != leads["stage"])).to_numpy(dtype=bool)
    # The log's side of each disagreement looked up for all at once (one lookup per lead is slow
    # when a large sheet has tens of thousands).
    moved_on, moved_row = _looked_up(leads["lead_id"][disagree], last_move, "time", "row")
    for lead, stage, time, row in zip(_rows(leads, disagree), moved_to[disagree], moved_on, moved_row, strict=True):
        problems.append(
            _lead_problem(
                "stage_disagrees_with_log", lead, "stage", places, rules, lead["stage"],
                stage=lead["stage"], moved=stage, day=day(time), row=int(row),
            )
        )
    if "last_follow_up" in leads:
        problems += _last_follow_up_disagrees(leads, ordered, places, rules, as_of)
    return problems


def _last_follow_up_disagrees(
    leads: pd.DataFrame, ordered: pd.DataFrame, places: dict[str, Validated], rules: Rules,
    as_of: date,
) -> list[Problem]:
    latest = ordered.groupby("lead_id", sort=False).agg(time=("time", "max"), row=("_row", "last"))
    last = pd.to_datetime(leads["last_follow_up"])
    logged = leads["lead_id"].map(latest["time"])
    first = pd.to_datetime(leads["first_contact"])
    # A value already reported as wrong (before first contact, after the as-of date) is not
    # checked again.
    plausible = last.notna() & (last >= first) & (last <= pd.Timestamp(as_of))
    differ = (plausible & logged.notna() & (last != logged)).fillna(False).to_numpy(dtype=bool)
    typed_days = last[differ].tolist()
    logged_days = logged[differ].tolist()
    (logged_rows,) = _looked_up(leads["lead_id"][differ], latest, "row")
    problems = []
    for lead, typed_day, logged_day, row in zip(_rows(leads, differ), typed_days, logged_days, logged_rows, strict=True):
        typed = day(typed_day)
        problems.append(
            _lead_problem(
                "last_follow_up_disagrees_with_log", lead, "last_follow_up", places, rules, typed,
                last=typed, logged=day(logged_day), row=int(row),
            )
        )
    return problems


def _looked_up(ids: pd.Series, table: pd.DataFrame, *columns: str) -> list[list]:
    """Each column of ``table`` (indexed by lead ID) for each of ``ids``, as lists."""
    if ids.empty:
        return [[] for _ in columns]
    return [ids.map(table[column]).tolist() for column in columns]


def _rows(leads: pd.DataFrame, where: pd.Series | np.ndarray) -> list[dict]:
    """The leads where ``where`` holds, each as a dict of its fields (taken together, not one Series
    per lead: a large sheet has thousands)."""
    return leads[np.asarray(where, dtype=bool)].to_dict("records")


def _typed(raw: pd.DataFrame, rules: Rules, epoch: pd.Timestamp) -> pd.DataFrame:
    """Only what the checks and the stage history read is converted; free text stays as typed.
    IDs are folded as on the leads sheet (ＬＦ２０２４００１ = LF2024001), so they match."""
    typed = pd.DataFrame(index=raw.index)
    typed["lead_id"] = folded_text(raw["lead_id"])
    for col in rules.log_columns:
        if col.field not in raw or col.field == "lead_id":
            continue
        if col.kind == "date":
            typed[col.field] = parse_dates(raw[col.field], epoch, rules.input.date_formats)
        elif col.kind == "stage":
            typed[col.field] = _by_value(raw[col.field], lambda s: canonical_stages(s, rules))
        elif col.field == "method":
            typed[col.field] = _by_value(
                raw[col.field], lambda s: canonical_names(folded_text(s), rules.follow_up_methods)
            )
    for field in ("feedback", "by"):  # free text the review counts (客户反馈/异议, 跟进人)
        if field in raw:
            typed[field] = raw[field]
    if "stage_change" not in typed:
        typed["stage_change"] = pd.Series(None, index=raw.index, dtype=object)
    typed["_row"] = raw["_row"]
    return typed


def _by_value(values: pd.Series, convert) -> pd.Series:
    """Convert each distinct value once (a log column holds few distinct stages or methods)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    converted = convert(pd.Series(distinct, dtype=object))
    converted = np.append(converted.where(converted.notna(), None).to_numpy(dtype=object), None)
    return pd.Series(converted[codes], index=values.index, dtype=object)


def _lead_problem(
    code: str, lead: pd.Series, field: str, places: dict[str, Validated], rules: Rules,
    value: object, **params: object,
) -> Problem:
    sheet = places.get(lead["_file"])
    return problem(
        code, rules.lang, params, sheet=lead["_sheet"], row=int(lead["_row"]),
        column=sheet.letters.get(field, "") if sheet else "",
        header=sheet.headers.get(field, rules.header(field)) if sheet else rules.header(field),
        value=display(value), file=lead["_file"],
    )


def _log_header(rules: Rules, field: str) -> str:
    try:
        return rules.log_header(field)
    except KeyError:
        return field
