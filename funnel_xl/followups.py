"""The follow-up log (跟进记录): raw cells in, typed entries and problems out, plus the cross-checks
between the log and the leads sheet.

One row per contact: 线索编号, 跟进时间, 跟进方式, 沟通内容, 客户反馈/异议, 下一步行动, 下次沟通时间,
阶段调整为 (a stage or a lost label; blank = no change) and 跟进人. Conversion reuses the leads
sheet's (dates in their usual forms, stage names folded); each check is a pandera check named by its
code, as on the leads sheet, and the failures pandera collects become
:class:`~funnel_xl.problems.Problem` records with sheet, Excel row and column letter. An entry with an error is not used; an entry dated after the as-of
date is not used either (warning), so that an earlier month can be rebuilt from today's workbook.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .messages import catalogue
from .problems import ERROR, WARNING, Problem
from .reader import LeadsSheet
from .rules import Rules
from .validate import (
    EPOCH_1904,
    EXCEL_EPOCH,
    Validated,
    canonical_names,
    canonical_stages,
    failure_cases,
    folded_text,
    is_blank,
    parse_dates,
)

# Each check's severity and field; its message is "problem.<code>" of the catalogue (funnel_xl.messages),
# filled with the sheet's value and a {hint} ("did you mean") where one exists.
_CHECKS = {
    "log_missing_lead_id": (ERROR, "lead_id"),
    "log_unknown_lead": (ERROR, "lead_id"),
    "log_missing_time": (ERROR, "time"),
    "log_bad_time": (ERROR, "time"),
    "log_unknown_stage": (ERROR, "stage_change"),
    "log_future_time": (WARNING, "time"),
    "log_before_first_contact": (WARNING, "time"),
    "log_unknown_method": (WARNING, "method"),
    "log_bad_date": (WARNING, "next_contact"),
}


@dataclass
class ValidatedLog:
    """Typed log entries (all rows; ``_error`` marks the unusable) and their problems."""

    entries: pd.DataFrame
    problems: list[Problem]

    @property
    def usable(self) -> pd.DataFrame:
        """The entries the stage history uses: no error, dated on or before the as-of date."""
        return self.entries[self.entries["_used"]].reset_index(drop=True)


def validate_log(sheet: LeadsSheet, rules: Rules, as_of: date, leads: pd.DataFrame) -> ValidatedLog:
    """Type and check the entries of a follow-up log sheet.

    ``leads`` are the typed leads of the run, rows with errors included (``_error``): an entry for a
    lead whose row has an error is not a problem of the log, it is simply not used.
    """
    raw = sheet.frame
    typed = _typed(raw, rules, EPOCH_1904 if sheet.date1904 else EXCEL_EPOCH)
    as_of_ts = pd.Timestamp(as_of)
    # Only the date columns need "blank" apart from "unreadable"; free text is never converted.
    blank = {f: is_blank(raw[f]) for f in ("time", "next_contact") if f in raw}

    lead_id = typed["lead_id"]
    is_known = pd.Series(False, index=typed.index)
    lead_ok = pd.Series(False, index=typed.index)
    first = pd.Series(pd.NaT, index=typed.index, dtype="datetime64[ns]")
    if "lead_id" in leads and leads["lead_id"].notna().any():
        known = leads[["lead_id", "first_contact", "_error"]].dropna(subset=["lead_id"])
        # A lead on several rows (an error) is known; it is usable only when none of its rows is.
        by_id = known.groupby("lead_id", sort=False).agg(
            first=("first_contact", "min"), error=("_error", "max")
        )
        is_known = lead_id.isin(by_id.index)
        lead_ok = lead_id.map(~by_id["error"].astype(bool)).fillna(False).astype(bool)
        first = pd.to_datetime(lead_id.map(by_id["first"]))

    time = typed["time"]
    no_time = blank["time"]
    # Each rule a pandera check on its column, named by its code, passing where the entry is fine
    # (as on the leads sheet: funnel_xl.validate); the failures pandera collects are the problems.
    rules_by_column: dict[str, dict[str, object]] = {
        "lead_id": {
            "log_missing_lead_id": lambda s: s.notna(),
            "log_unknown_lead": lambda s: s.isna() | is_known.loc[s.index],
        },
        "time": {
            "log_missing_time": lambda s: ~no_time.loc[s.index],
            "log_bad_time": lambda s: s.notna() | no_time.loc[s.index],
            "log_future_time": lambda s: ~(s > as_of_ts),
            "log_before_first_contact": lambda s: ~(
                lead_ok.loc[s.index] & first.loc[s.index].notna() & (s < first.loc[s.index])
            ),
        },
    }
    if "stage_change" in typed:
        choices = {*rules.stage_names, *rules.lost_labels}
        rules_by_column["stage_change"] = {"log_unknown_stage": lambda s: s.isna() | s.isin(choices)}
    if "method" in typed and rules.follow_up_methods:
        methods = set(rules.follow_up_methods)
        rules_by_column["method"] = {"log_unknown_method": lambda s: s.isna() | s.isin(methods)}
    if "next_contact" in typed:
        no_next = blank["next_contact"]
        rules_by_column["next_contact"] = {"log_bad_date": lambda s: s.notna() | no_next.loc[s.index]}
    schema = pa.DataFrameSchema(
        {
            column: pa.Column(
                None, nullable=True,
                checks=[pa.Check(ok, name=code, ignore_na=False) for code, ok in checks.items()],
            )
            for column, checks in rules_by_column.items()
        },
        strict=False,
    )
    failures = failure_cases(schema, typed)
    positions = typed.index.get_indexer(failures["index"].astype("int64"))
    fails: dict[str, np.ndarray] = {}
    for code in (code for checks in rules_by_column.values() for code in checks):
        mask = np.zeros(len(typed), dtype=bool)
        mask[positions[(failures["check"] == code).to_numpy()]] = True
        fails[code] = mask

    error = pd.Series(False, index=typed.index)
    for code, mask in fails.items():
        if _CHECKS[code][0] == ERROR:
            error |= mask
    entries = typed
    entries["_file"] = sheet.file_name
    entries["_sheet"] = sheet.sheet
    entries["_error"] = error
    entries["_used"] = ~error & lead_ok & (time <= as_of_ts)
    # The reader's notes (a total line, a row outside the table) were made before the caller chose
    # how to name the file (sheet.label).
    notes = [dataclasses.replace(p, file=sheet.file_name) for p in sheet.problems]
    problems = notes + _problems(fails, raw, typed, first, sheet, rules, as_of)
    return ValidatedLog(entries=entries, problems=problems)


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
    latest = ordered.groupby("lead_id", sort=False).agg(time=("time", "max"), row=("_row", "last"))
    moves = ordered[ordered["stage_change"].notna()]
    last_move = moves.groupby("lead_id", sort=False).agg(
        stage=("stage_change", "last"), time=("time", "last"), row=("_row", "last")
    )
    ids = leads["lead_id"]
    problems = []
    t = catalogue(rules.lang)

    moved_to = ids.map(last_move["stage"])
    disagree = moved_to.notna() & (moved_to != leads["stage"])
    for i in np.flatnonzero(disagree.to_numpy()):
        lead = leads.iloc[i]
        move = last_move.loc[lead["lead_id"]]
        problems.append(
            _lead_problem(
                "stage_disagrees_with_log", lead, "stage", places, rules, lead["stage"],
                t(
                    "problem.stage_disagrees_with_log", stage=lead["stage"], moved=move["stage"],
                    day=_day(move["time"]), row=int(move["row"]),
                ),
            )
        )

    if "last_follow_up" in leads:
        last = pd.to_datetime(leads["last_follow_up"])
        logged = ids.map(latest["time"])
        first = pd.to_datetime(leads["first_contact"])
        # A value already reported as wrong (before first contact, after the as-of date) is not
        # checked again.
        plausible = last.notna() & (last >= first) & (last <= pd.Timestamp(as_of))
        differ = plausible & logged.notna() & (last != logged)
        for i in np.flatnonzero(differ.fillna(False).to_numpy()):
            lead = leads.iloc[i]
            entry = latest.loc[lead["lead_id"]]
            problems.append(
                _lead_problem(
                    "last_follow_up_disagrees_with_log", lead, "last_follow_up", places, rules,
                    _day(last.iloc[i]),
                    t(
                        "problem.last_follow_up_disagrees_with_log", last=_day(last.iloc[i]),
                        logged=_day(entry["time"]), row=int(entry["row"]),
                    ),
                )
            )
    return problems


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


def _problems(
    fails: dict[str, np.ndarray], raw: pd.DataFrame, typed: pd.DataFrame, first: pd.Series,
    sheet: LeadsSheet, rules: Rules, as_of: date,
) -> list[Problem]:
    problems = []
    t = catalogue(rules.lang)
    for code, mask in fails.items():
        severity, field = _CHECKS[code]
        for i in np.flatnonzero(mask):
            value = _display(raw[field].iloc[i]) if field in raw else ""
            text = t(
                f"problem.{code}", value=value, as_of=as_of.isoformat(), first=_day(first.iloc[i]),
                hint=_hint(field, value, rules),
            ).rstrip()
            problems.append(
                Problem(
                    code=code, severity=severity, message=text, sheet=sheet.sheet,
                    row=int(typed["_row"].iloc[i]), column=sheet.letters.get(field, ""),
                    header=sheet.headers.get(field, _log_header(rules, field)), value=value,
                    file=sheet.file_name,
                )
            )
    return problems


def _lead_problem(
    code: str, lead: pd.Series, field: str, places: dict[str, Validated], rules: Rules,
    value: object, message: str,
) -> Problem:
    sheet = places.get(lead["_file"])
    return Problem(
        code=code, severity=WARNING, message=message, sheet=lead["_sheet"], row=int(lead["_row"]),
        column=sheet.letters.get(field, "") if sheet else "",
        header=sheet.headers.get(field, rules.header(field)) if sheet else rules.header(field),
        value=_display(value), file=lead["_file"],
    )


def _hint(field: str, value: str, rules: Rules) -> str:
    choices = {
        "stage_change": [*rules.stage_names, *rules.lost_labels],
        "method": list(rules.follow_up_methods),
    }.get(field)
    if not choices or not value:
        return ""
    t = catalogue(rules.lang)
    close = difflib.get_close_matches(value.strip(), choices, n=1, cutoff=0.4)
    return t("hint.did_you_mean", choice=close[0]) if close else t("hint.choices", choices=t.join(choices))


def _log_header(rules: Rules, field: str) -> str:
    try:
        return rules.log_header(field)
    except KeyError:
        return field


def _day(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).date().isoformat()


def _display(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return _day(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
