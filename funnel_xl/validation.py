"""Validation as one stage: read and check the workbooks, their follow-up logs and the history
store's memory, and return one :class:`ValidationReport`, never edited afterwards.

Every problem is made through the registry (:mod:`funnel_xl.checks`) by the module that finds it:
the reader (rows left out), :mod:`funnel_xl.validate` (the leads, and a lead in several files),
:mod:`funnel_xl.followups` (the log, and the leads against it). The warnings that the log or the
history store answer after all (a lost lead's stage) are left out, and the history store adds its
own (阶段进入日期 not updated), before the report is made.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from .analysis import InputFile, rows_read
from .checks import problem
from .errors import InputError, Say
from .flow import PreviousSnapshot, log_transitions, resolve
from .followups import ValidatedLog, cross_check, validate_log
from .frames import ERROR, FILE, ROW, SHEET, STAGE, STAGE_ENTERED_COLUMN, TIME, LostAtFrom
from .inputs import collect_workbooks
from .messages import catalogue
from .metrics import Evidence
from .pointintime import PointInTime, leads_on
from .problems import Problem, count_by_severity, sort_problems
from .progress import READ, VALIDATE, Progress, ProgressCallback, silent
from .reader import LeadsSheet, read_log, read_workbook
from .rules import Rules
from .sheets import TEXT_SUFFIXES, ReadAhead, open_workbook
from .validate import Validated, check_across_files, fold_first_contact, validate_leads

# Lost-at warnings that the follow-up log or the history store can answer.
_LOST_AT_UNKNOWN = ("lost_at_unknown", "lost_at_column_missing")


@dataclass(frozen=True)
class ValidationReport:
    """What validation found in the workbooks of one run, for the as-of date.

    ``valid`` are the leads without errors, of all files; ``evidence`` what the log and the history
    store say of them (see :func:`funnel_xl.flow.resolve`; None without valid leads);
    ``transitions`` every stage move that evidence records, ``moves`` those of the log alone.
    """

    as_of: date
    problems: tuple[Problem, ...]  # sorted: file, sheet, row, column, code
    inputs: tuple[InputFile, ...]
    files: tuple[Validated, ...]  # each file's typed leads, rows with errors included
    valid: pd.DataFrame
    excluded: pd.DataFrame
    entries: pd.DataFrame  # the usable follow-up log entries
    moves: pd.DataFrame
    transitions: pd.DataFrame
    evidence: Evidence | None = None
    has_log: bool = False
    late: bool = False  # the workbooks hold something dated after the as-of date (see PointInTime)

    def to_dict(self) -> dict:
        """The report as ``validate --format json`` prints it."""
        return {
            "as_of": self.as_of.isoformat(),
            "files": [i.name for i in self.inputs],
            "rows": self.rows,
            "counts": count_by_severity(list(self.problems)),
            "problems": [p.as_dict() for p in self.problems],
        }

    @property
    def rows(self) -> int:
        """The rows read as leads, in all files (see :func:`funnel_xl.analysis.rows_read`)."""
        return rows_read(self.inputs)


@dataclass(frozen=True)
class CheckedFiles:
    """The workbooks of a run, read and checked, before the history store is asked: each file's
    leads, its follow-up log, and the problems of the logs and of the leads against them."""

    validated: list[Validated]  # per file
    logs: list[ValidatedLog | None]  # per usable file
    inputs: list[InputFile]  # per usable file
    rules: Rules
    as_of: date
    found: list[Problem] = field(default_factory=list)  # the logs' and the cross-checks'
    today: date | None = None  # None: the day it runs

    @property
    def later(self) -> pd.DataFrame:
        """The log entries without error dated after the as-of date (not used, but they tell that
        the lead moved on since)."""
        frames = [
            log.entries[~log.entries[ERROR] & (log.entries[TIME] > pd.Timestamp(self.as_of))]
            for log in self.logs if log is not None
        ]
        return concat(frames)

    def on_as_of(self, snapshot: pd.DataFrame | None = None) -> PointInTime:
        """The valid leads as they stood on the as-of date (see :func:`leads_on`)."""
        valid = concat([v.valid for v in self.validated])
        if not len(valid):
            return PointInTime(valid)
        return leads_on(valid, self.entries, self.later, self.rules, self.as_of, snapshot)

    @property
    def entries(self) -> pd.DataFrame:
        """The usable follow-up log entries of all files."""
        return concat([log.usable for log in self.logs if log is not None])

    @property
    def has_log(self) -> bool:
        return any(log is not None for log in self.logs)

    @property
    def problems(self) -> list[Problem]:
        """The problems as the workbooks alone tell them (no history store)."""
        return list(self.report().problems)

    def report(
        self, previous: PreviousSnapshot | None = None, snapshot: pd.DataFrame | None = None
    ) -> ValidationReport:
        """The report, with what the history store's ``previous`` rebuild remembers; ``snapshot``
        is the store's snapshot of the as-of date's own period (for a date the workbook has moved
        on from)."""
        rules, as_of = self.rules, self.as_of
        on_date = self.on_as_of(snapshot)
        valid = on_date.leads
        entries = self.entries
        moves = log_transitions(entries, rules)
        problems = [p for v in self.validated for p in v.problems] + self.found
        if on_date.late:
            problems = _moved_on(problems, on_date, rules, as_of, self.today or date.today())
        transitions, evidence = moves, None
        if len(valid):
            evidence, transitions = resolve(valid, moves, previous, rules, as_of)
            problems = _without_answered_lost_at(problems, valid, evidence)
            problems += _stale_stage_entered(
                valid, evidence, by_file(self.validated), rules, previous
            )
        return ValidationReport(
            as_of=as_of, problems=tuple(sort_problems(problems)), inputs=tuple(self.inputs),
            files=tuple(self.validated), valid=valid,
            excluded=concat([v.excluded for v in self.validated]),
            entries=entries, moves=moves, transitions=transitions, evidence=evidence,
            has_log=self.has_log, late=on_date.late,
        )


def validate_files(
    paths: list[str | Path], rules: Rules, as_of: date, *, progress: ProgressCallback | None = None,
    ahead: ReadAhead | None = None, today: date | None = None,
) -> ValidationReport:
    """Read and check each workbook (see :func:`check_files`): the report of every problem."""
    return check_files(paths, rules, as_of, progress=progress, ahead=ahead, today=today).report()


def check_files(
    paths: list[str | Path], rules: Rules, as_of: date, *, progress: ProgressCallback | None = None,
    ahead: ReadAhead | None = None, today: date | None = None,
) -> CheckedFiles:
    """Read and check each workbook (folders expanded, see :func:`collect_workbooks`), its
    follow-up log included, and cross-check the two.

    A workbook that cannot be used (damaged, encrypted, no leads sheet, a required column missing
    on the leads sheet or the log) becomes one error naming the file and the others are still
    read; only when none can be used is :class:`InputError` raised. The same lead ID in two files
    is checked across them; a log entry may name a lead of any of the workbooks. ``progress`` is
    told as each file is read and checked (see :mod:`funnel_xl.progress`); ``ahead`` holds
    workbooks opened while the caller was starting (see :class:`funnel_xl.sheets.ReadAhead`).
    """
    progress = progress or silent
    found = collect_workbooks(paths)
    if not found.files:
        raise InputError(Say("inputs.none"))
    names = Counter(p.name for p in found.files)
    results, inputs, failures, logs = [], [], [], []
    for path in found.files:
        # Two files of the same name (from two folders) are told apart by their path.
        label = str(path) if names[path.name] > 1 else path.name
        try:
            validated, leads, log = _read_one(path, label, rules, as_of, progress, ahead)
        except InputError as exc:
            failures.append(exc.text(rules.lang))
            results.append(Validated.unusable(label, exc.text(rules.lang), rules.lang))
            continue
        results.append(validated)
        inputs.append(input_file(leads, log))
        logs.append((len(results) - 1, log))
    if not inputs:
        raise InputError("\n".join(failures) if len(failures) > 1 else failures[0])
    results = check_across_files(results, rules)
    if any(log is not None for _, log in logs):
        progress(Progress(VALIDATE, catalogue(rules.lang)("progress.log")))
    return check_logs(results, inputs, logs, rules, as_of, today)


def _read_one(
    path: Path, label: str, rules: Rules, as_of: date, progress: ProgressCallback,
    ahead: ReadAhead | None,
) -> tuple[Validated, LeadsSheet, LeadsSheet | None]:
    """One workbook's leads, checked, and its follow-up log sheet, read (None: it has none)."""
    progress(Progress(READ, label))
    opened = ahead.take(path) if ahead else None
    if opened is None and path.suffix.lower() not in TEXT_SUFFIXES:
        opened = open_workbook(path, rules)
    leads = read_workbook(path, rules, opened=opened, with_log=False).leads
    leads.label = label
    # The leads are checked while the log sheet, usually the longer, is still being parsed.
    progress(Progress(VALIDATE, label))
    validated = validate_leads(leads, rules, as_of)
    log = read_log(opened, rules, leads) if opened is not None else None
    if log is not None:
        log.label = label
    return validated, leads, log


def check_logs(
    validated: list[Validated], inputs: list[InputFile], logs: list[tuple[int, LeadsSheet | None]],
    rules: Rules, as_of: date, today: date | None = None,
) -> CheckedFiles:
    """Check the follow-up logs of checked workbooks against all their leads, and cross-check
    each leads sheet with the log. ``logs`` pairs each usable workbook's index in ``validated``
    with its log sheet (None: no log)."""
    has_log = any(log is not None for _, log in logs)
    every_lead = concat([v.leads for v in validated]) if has_log else None
    checked_logs = [
        validate_log(log, rules, as_of, every_lead) if log is not None else None for _, log in logs
    ]
    found = [p for log in checked_logs if log is not None for p in with_leads(log)]
    validated, found = fold_first_contact(
        validated, found, concat([log.entries for log in checked_logs if log is not None]), rules
    )
    entries = concat([log.usable for log in checked_logs if log is not None])
    checked = CheckedFiles(validated, checked_logs, inputs, rules, as_of, found, today)
    if len(entries):
        valid = checked.on_as_of().leads
        found += cross_check(valid, entries, by_file(validated), rules, as_of)
    return checked


def _moved_on(
    problems: list[Problem], on_date: PointInTime, rules: Rules, as_of: date, today: date
) -> list[Problem]:
    """A past as-of date: the dates after it (up to today) are no mistakes, the leads first
    contacted after it are left out (their warnings with them); one line says how many of each."""
    def expected(p: Problem) -> bool:
        if (p.file, p.sheet, p.row) in on_date.left_out_rows:
            return True
        if p.code not in ("future_date", "log_future_time"):
            return False
        day = pd.to_datetime(p.value, errors="coerce")
        return pd.notna(day) and day.date() <= today

    kept = [p for p in problems if not expected(p)]
    params = {"as_of": as_of.isoformat()}
    if on_date.left_out:
        kept.append(problem("leads_after_as_of", rules.lang, {**params, "count": on_date.left_out}))
    if on_date.as_today:
        kept.append(problem("state_as_today", rules.lang, {**params, "count": on_date.as_today}))
    return kept


def with_leads(log: ValidatedLog) -> list[Problem]:
    """The log's problems, each with the lead its row names (when it names one)."""
    entries = log.entries
    if not log.problems or "lead_id" not in entries:
        return log.problems
    lead_of = dict(zip(entries["_row"].astype(int), entries["lead_id"], strict=True))
    return [
        dataclasses.replace(p, lead_id=str(lead_of[p.row]))
        if p.row in lead_of and isinstance(lead_of[p.row], str) else p
        for p in log.problems
    ]


def input_file(sheet: LeadsSheet, log: LeadsSheet | None = None) -> InputFile:
    return InputFile(
        path=str(sheet.path),
        name=sheet.file_name,
        sha256=sheet.sha256,
        sheet=sheet.sheet,
        header_row=sheet.header_row,
        rows=len(sheet.frame),
        log_sheet=log.sheet if log is not None else None,
        log_rows=len(log.frame) if log is not None else 0,
        skipped_without_stage=sheet.skipped_without_stage,
        targets=tuple(sheet.targets),
    )


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True)


def by_file(validated: list[Validated]) -> dict[str, Validated]:
    """Each usable file's Validated by the file's label."""
    return {v.leads["_file"].iloc[0]: v for v in validated if len(v.leads) and "_file" in v.leads}


def _without_answered_lost_at(
    problems: list[Problem], valid: pd.DataFrame, evidence: Evidence
) -> list[Problem]:
    """Leave out the lost-at warnings of lost leads whose stage the log or the store gave after all."""
    answered = valid[evidence.lost_at_source.isin([LostAtFrom.LOG, LostAtFrom.STORE])]
    if answered.empty:
        return problems
    places = set(zip(answered[FILE], answered[ROW].astype(int), strict=True))
    return [p for p in problems if not (p.code in _LOST_AT_UNKNOWN and (p.file, p.row) in places)]


def _stale_stage_entered(
    leads: pd.DataFrame, evidence: Evidence, places: dict[str, Validated], rules: Rules,
    previous: PreviousSnapshot | None,
) -> list[Problem]:
    """Warnings for leads whose stage changed since the previous rebuild while 阶段进入日期 did not."""
    is_stale = evidence.column_stale.fillna(False).astype(bool)
    problems = []
    for lead, before in zip(
        leads[is_stale].to_dict("records"), evidence.previous_stage[is_stale], strict=True
    ):
        sheet = places.get(lead[FILE])
        day = pd.Timestamp(lead[STAGE_ENTERED_COLUMN]).date().isoformat()
        if before != lead[STAGE]:
            variant = "changed"
            params = {"previous": before, "month": previous.month}
        else:
            variant, params = "kept", {}
        problems.append(
            problem(
                "stage_entered_not_updated", rules.lang, {"day": day, "stage": lead[STAGE], **params},
                variant=variant, sheet=lead[SHEET],
                row=int(lead[ROW]), column=sheet.letters.get("stage_entered", "") if sheet else "",
                header=sheet.headers.get("stage_entered", "") if sheet else "", value=day,
                file=lead[FILE],
            )
        )
    return problems
