"""The one way through: read → validate → recalculate → write (and remember the month).

A manager can script the month in a few lines::

    from funnel_xl import load_rules, analyse, write_outputs
    analysis = analyse(["examples/sample_tracking.xlsx"], load_rules(), month="2024-05",
                       history="output/history.sqlite")
    write_outputs(analysis, out_dir="output")  # also records the month in the history store
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from . import __version__
from .analysis import Analysis, InputFile
from .atomic import atomic_path, refuse_overwriting, write_bytes_atomic
from .errors import InputError
from .flow import PreviousSnapshot, build_flow, flag_suggestions, log_transitions, resolve
from .followups import ValidatedLog, cross_check, validate_log
from .forecast import forecast
from .groups import Split, write_groups
from .inputs import collect_workbooks
from .messages import catalogue
from .metrics import recalculate
from .period import resolve_as_of
from .problems import ERROR, WARNING, Problem, sort_problems
from .progress import COMPUTE, READ, VALIDATE, Progress, ProgressCallback, silent
from .reader import LeadsSheet, TrackingWorkbook, read_log, read_workbook
from .rules import Rules
from .sheets import TEXT_SUFFIXES, ReadAhead, open_workbook
from .store import HistoryStore
from .validate import Validated, check_across_files, validate_leads

# Lost-at warnings that the follow-up log or the history store can answer.
_LOST_AT_UNKNOWN = ("lost_at_unknown", "lost_at_column_missing")


@dataclass
class CheckedFiles:
    """The workbooks of a run, read and checked: leads, follow-up logs and every problem."""

    validated: list[Validated]  # per file; its problems include its log's and the cross-checks
    logs: list[ValidatedLog | None]  # per usable file
    inputs: list[InputFile]  # per usable file
    moves: pd.DataFrame | None = None  # the transitions the logs record (see flow.log_transitions)

    @property
    def problems(self) -> list[Problem]:
        return sort_problems([p for v in self.validated for p in v.problems])

    @property
    def entries(self) -> pd.DataFrame:
        """The usable follow-up log entries of all files."""
        return _concat([log.usable for log in self.logs if log is not None])

    @property
    def has_log(self) -> bool:
        return any(log is not None for log in self.logs)


def check_files(
    paths: list[str | Path], rules: Rules, as_of: date, *, progress: ProgressCallback | None = None,
    ahead: ReadAhead | None = None,
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
        raise InputError("没有指定要读取的工作簿。")
    names = Counter(p.name for p in found.files)
    results, inputs, failures, books = [], [], [], []
    for path in found.files:
        # Two files of the same name (from two folders) are told apart by their path.
        label = str(path) if names[path.name] > 1 else path.name
        progress(Progress(READ, label))
        try:
            opened = ahead.take(path) if ahead else None
            if opened is None and path.suffix.lower() not in TEXT_SUFFIXES:
                opened = open_workbook(path, rules)
            leads = read_workbook(path, rules, opened=opened, with_log=False).leads
            leads.label = label
            # The leads are checked while the log sheet, usually the longer, is still being parsed.
            progress(Progress(VALIDATE, label))
            validated = validate_leads(leads, rules, as_of)
            log = read_log(opened, rules, leads) if opened is not None else None
        except InputError as exc:
            failures.append(str(exc))
            results.append(Validated.unusable(label, str(exc), rules.lang))
            continue
        if log is not None:
            log.label = label
        results.append(validated)
        inputs.append(input_file(leads, log))
        books.append((len(results) - 1, TrackingWorkbook(leads, log)))
    if not inputs:
        raise InputError("\n".join(failures) if len(failures) > 1 else failures[0])
    results = check_across_files(results, rules)
    if any(book.log is not None for _, book in books):
        progress(Progress(VALIDATE, "跟进记录"))
    return check_logs(results, inputs, [(i, book.log) for i, book in books], rules, as_of)


def check_logs(
    validated: list[Validated], inputs: list[InputFile], logs: list[tuple[int, LeadsSheet | None]],
    rules: Rules, as_of: date,
) -> CheckedFiles:
    """Check the follow-up logs of checked workbooks against all their leads, and cross-check
    each leads sheet with the log. ``logs`` pairs each usable workbook's index in ``validated``
    with its log sheet (None: no log). The problems go onto each workbook's Validated."""
    checked = CheckedFiles(validated, [None] * len(logs), inputs)
    if all(log is None for _, log in logs):
        return checked
    every_lead = _concat([v.leads for v in validated])
    for j, (i, log) in enumerate(logs):
        if log is not None:
            checked.logs[j] = validate_log(log, rules, as_of, every_lead)
            validated[i].problems.extend(checked.logs[j].problems)
    entries = checked.entries
    checked.moves = log_transitions(entries, rules)
    if len(entries):
        valid = _concat([v.valid for v in validated])
        by_file = _by_file(validated)
        for problem in cross_check(valid, entries, by_file, rules, as_of):
            by_file[problem.file].problems.append(problem)
        _drop_answered_lost_at(validated, _lost_at_in_log(valid, checked.moves, rules))
    return checked


def validate_files(
    paths: list[str | Path], rules: Rules, as_of: date, *, progress: ProgressCallback | None = None,
    ahead: ReadAhead | None = None,
) -> tuple[list[Validated], list[InputFile]]:
    """Read and check each workbook (see :func:`check_files`); the problems are on each Validated."""
    checked = check_files(paths, rules, as_of, progress=progress, ahead=ahead)
    return checked.validated, checked.inputs


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
    )


def analyse(
    paths: list[str | Path], rules: Rules, *, as_of: date | None = None, month: str | None = None,
    today: date | None = None, history: str | Path | None = None,
    progress: ProgressCallback | None = None, ahead: ReadAhead | None = None,
) -> Analysis:
    """Validate and recalculate the given workbooks (or folders of them) for one as-of date.

    ``history`` is the history store (a SQLite file) to read earlier months from; the month is
    recorded there by :func:`write_outputs`. None: no history (the log still counts).
    ``progress`` is called as each step starts (see :mod:`funnel_xl.progress`); ``ahead``: see
    :func:`check_files`.
    """
    as_of, period = resolve_as_of(as_of, month, today)
    checked = check_files(paths, rules, as_of, progress=progress, ahead=ahead)
    return combine(
        checked.validated, checked.inputs, rules, as_of, period, checked=checked, history=history,
        progress=progress,
    )


def analyse_workbook(
    book: TrackingWorkbook, rules: Rules, as_of: date, period: str, *,
    prepare: Callable[[Validated], Validated] | None = None, progress: ProgressCallback | None = None,
) -> Analysis:
    """Validate and recalculate one workbook already read, as :func:`analyse` would (its follow-up
    log dates the stages; no history store): the way through for ``refresh``.

    ``prepare`` is given the validated leads and returns those to recalculate — a copy with some
    values set aside (refresh: the tool's own earlier values); it must not change its argument.
    """
    (progress or silent)(Progress(VALIDATE, book.leads.file_name))
    validated = validate_leads(book.leads, rules, as_of)
    if prepare is not None:
        validated = prepare(validated)
    checked = check_logs([validated], [input_file(book.leads, book.log)], [(0, book.log)], rules, as_of)
    return combine(
        [validated], checked.inputs, rules, as_of, period, checked=checked, progress=progress
    )


def combine(
    validated: list[Validated], inputs: list[InputFile], rules: Rules, as_of: date, period: str,
    *, checked: CheckedFiles | None = None, history: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> Analysis:
    """Recalculate the checked leads of one or more workbooks as one team.

    ``checked`` brings the follow-up logs (see :func:`check_files`); ``history`` the store.
    """
    (progress or silent)(Progress(COMPUTE))
    valid = _concat([v.valid for v in validated])
    excluded = _concat([v.excluded for v in validated])
    entries = checked.entries if checked is not None else pd.DataFrame()
    moves = checked.moves if checked is not None and checked.moves is not None else None
    if moves is None:
        moves = log_transitions(entries, rules)
    if history is not None:
        refuse_overwriting([history], [i.path for i in inputs])
        refuse_overwriting([history], [rules.source_path], what="规则文件")
    store = HistoryStore(history) if history is not None else None
    previous = store.previous(as_of) if store is not None else None
    runs = store.runs() if store is not None else []
    stored = {r.month: r.figures for r in runs if r.figures is not None}
    transitions = moves
    if len(valid):
        valid, transitions = resolve(valid, moves, previous, rules, as_of)
        answered = valid[valid["lost_at_source"].isin(["log", "store"])]
        _drop_answered_lost_at(validated, answered)
        by_file = _by_file(validated)
        for problem in _stale_stage_entered(valid, by_file, rules, previous):
            by_file[problem.file].problems.append(problem)
    result = recalculate(
        valid, rules, as_of,
        excluded=len(excluded),
        excluded_by_owner=_counts(excluded, "owner"),
        excluded_by_source=_counts(excluded, rules.channel_field),
        excluded_by_dimension={name: _counts(excluded, name) for name in rules.dimensions.extra},
    )
    flow = build_flow(
        result, rules, transitions=transitions, log_moves=moves, previous=previous, stored=stored,
        has_log=checked is not None and checked.has_log, log_entries=len(entries),
    )
    result.suggestions.extend(flag_suggestions(flow.channel_flags, rules))
    problems: list[Problem] = sort_problems([p for v in validated for p in v.problems])
    if result.calendar_years_missing:
        problems = [*problems, calendar_problem(result.calendar_years_missing, rules.lang)]
    # Earlier months' snapshots: last month's forecast for this one, slipped close dates, and
    # where last month's leads are now.
    this_month = f"{as_of.year:04d}-{as_of.month:02d}"
    snapshots = {
        r.month: store.snapshot(r.month) for r in runs if r.month < this_month
    } if store is not None else {}
    return Analysis(
        as_of=as_of, period=period, rules=rules, result=result,
        problems=problems, inputs=inputs, excluded=excluded,
        flow=flow, history=Path(history) if history is not None else None,
        forecast=forecast(result.leads, rules, as_of, snapshots),
    )


def calendar_problem(years: tuple[int, ...], lang: str = "zh") -> Problem:
    """The warning for dwell counted in working days over years the holiday calendar lacks."""
    t = catalogue(lang)
    return Problem(
        code="holiday_calendar_missing",
        severity=WARNING,
        message=t("problem.holiday_calendar_missing", years=t.join(str(y) for y in years)),
    )


@dataclass(frozen=True)
class Written:
    report: Path
    json: Path | None = None
    split: Split | None = None  # the per-rep / per-channel files, with ``split_by``
    history: Path | None = None  # the history store the month was recorded in
    detail: Path | None = None  # sheets over the rules' report.detail_rows, beside the report


def write_outputs(
    analysis: Analysis, out_dir: str | Path = "output", json_path: str | Path | None = None,
    split_by: Iterable[str] = (), *, progress: ProgressCallback | None = None,
) -> Written:
    """Write the analysis workbook (and the JSON figures when asked), atomically and together.

    Both are first written completely to temporary files beside their targets; only then is each
    moved into place, so a failure on either (a folder that cannot be written, a report open
    elsewhere) leaves the previous report and JSON as they were. An output that would replace an
    input workbook or the rules file is refused before anything is written. Last, the month is
    recorded in the analysis's history store, if it has one (replacing an earlier run of it).

    ``split_by`` ("owner", "source" or both) also writes one workbook and one JSON per rep or
    channel under ``<out_dir>/<period>/reps/`` or ``sources/``, and ``<out_dir>/<period>/manifest.json``.
    A sheet listing more rows than the rules' ``report.detail_rows`` goes to a detail workbook
    beside the report (``Written.detail``), which links to it.
    ``progress`` is told as each sheet and file is written (see :mod:`funnel_xl.progress`).
    """
    from .report import (  # xlsxwriter only when writing
        default_report_name,
        detail_workbook_name,
        moved_sheets,
        remove_stale_detail,
        write_report_files,
    )

    report_path = Path(out_dir) / default_report_name(analysis)
    detail_path = report_path.with_name(detail_workbook_name(report_path.name))
    moved = moved_sheets(analysis)
    targets = [report_path] + ([detail_path] if moved else [])
    targets += [Path(json_path)] if json_path is not None else []
    refuse_overwriting(targets, [i.path for i in analysis.inputs])
    refuse_overwriting(targets, [analysis.rules.source_path], what="规则文件")
    # On leaving, the files are moved into place in reverse order: JSON, report, detail workbook.
    with ExitStack() as moves:
        files = write_report_files(
            analysis, report_path, progress=progress,
            stage=lambda target: moves.enter_context(atomic_path(target)),
        )
        if json_path is not None:
            text = json.dumps(analysis.as_json(), ensure_ascii=False, indent=2) + "\n"
            write_bytes_atomic(moves.enter_context(atomic_path(json_path)), text.encode("utf-8"))
    if not moved:
        remove_stale_detail(report_path)
    split = None
    kinds = list(split_by)
    if kinds:
        split = write_groups(analysis, out_dir, report_path, kinds, progress=progress)
    if analysis.history is not None:
        record_history(analysis)
    return Written(
        report=report_path,
        json=Path(json_path) if json_path is not None else None,
        split=split,
        history=analysis.history,
        detail=files.detail,
    )


def record_history(analysis: Analysis, path: str | Path | None = None) -> Path:
    """Keep what this month's rebuild saw in the history store (default: the analysis's)."""
    target = Path(path) if path is not None else analysis.history
    if target is None:
        raise ValueError("no history store given")
    HistoryStore(target).record(
        analysis.as_of,
        analysis.result.leads,
        inputs=[{"file": i.name, "sha256": i.sha256} for i in analysis.inputs],
        rules_sha256=analysis.rules.sha256,
        tool_version=__version__,
        figures=analysis.month,
    )
    return target


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True)


def _lost_at_in_log(valid: pd.DataFrame, moves: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The lost leads whose lost-at stage the log gives (a lost mark made from a stage)."""
    marked = moves[
        moves["to_stage"].isin(rules.lost_labels) & moves["from_stage"].isin(rules.stage_names[:-1])
    ]
    return valid[valid["stage"].isin(rules.lost_labels) & valid["lead_id"].isin(marked["lead_id"])]


def _drop_answered_lost_at(validated: list[Validated], answered: pd.DataFrame) -> None:
    """The lost-at warnings of lost leads whose stage the log or the store gave after all."""
    if answered.empty:
        return
    places = set(zip(answered["_file"], answered["_row"].astype(int)))
    for v in validated:
        v.problems[:] = [
            p for p in v.problems if not (p.code in _LOST_AT_UNKNOWN and (p.file, p.row) in places)
        ]


def _by_file(validated: list[Validated]) -> dict[str, Validated]:
    """Each usable file's Validated by the file's label."""
    return {v.leads["_file"].iloc[0]: v for v in validated if len(v.leads) and "_file" in v.leads}


def _stale_stage_entered(
    leads: pd.DataFrame, places: dict[str, Validated], rules: Rules,
    previous: PreviousSnapshot | None,
) -> list[Problem]:
    """Warnings for leads whose stage changed since the previous rebuild while 阶段进入日期 did not."""
    stale = leads[leads["stage_entered_column_stale"].fillna(False).astype(bool)]
    problems = []
    t = catalogue(rules.lang)
    for lead in stale.to_dict("records"):
        sheet = places.get(lead["_file"])
        day = pd.Timestamp(lead["stage_entered_column"]).date().isoformat()
        if lead["previous_stage"] != lead["stage"]:
            message = t(
                "problem.stage_entered_not_updated.changed", previous=lead["previous_stage"],
                month=previous.month, stage=lead["stage"], day=day,
            )
        else:
            message = t("problem.stage_entered_not_updated.kept", day=day, stage=lead["stage"])
        problems.append(
            Problem(
                code="stage_entered_not_updated",
                severity=WARNING,
                message=message,
                sheet=lead["_sheet"],
                row=int(lead["_row"]),
                column=sheet.letters.get("stage_entered", "") if sheet else "",
                header=sheet.headers.get("stage_entered", "") if sheet else "",
                value=day,
                file=lead["_file"],
            )
        )
    return problems


def _counts(frame: pd.DataFrame, column: str) -> dict[str, int]:
    if frame.empty or column not in frame:
        return {}
    return frame[column].dropna().astype(str).value_counts().to_dict()
