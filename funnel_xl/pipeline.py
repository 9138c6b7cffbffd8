"""The one way through: read → validate → recalculate → write (and remember the month).

A manager can script the month in a few lines::

    from funnel_xl import load_rules, analyse, write_outputs
    analysis = analyse(["examples/sample_tracking.xlsx"], load_rules(), month="2024-05",
                       history="output/history.sqlite")
    write_outputs(analysis, out_dir="output")  # also records the month in the history store
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from .analysis import Analysis, InputFile, build_analysis, strict_json
from .atomic import refuse_overwriting, staged_outputs, write_bytes_atomic
from .checks import problem
from .errors import Say
from .flow import PreviousSnapshot, build_flow
from .forecast import forecast
from .groups import Split, remove_stale_groups, split_targets, write_groups
from .messages import catalogue
from .metrics import FunnelResult, recalculate
from .month import period_name, previous_period
from .period import Period, PeriodKind, month_label, period_of, resolve_period
from .problems import Problem, Severity
from .progress import COMPUTE, VALIDATE, Progress, ProgressCallback, silent
from .reader import TrackingWorkbook
from .rules import Rules
from .sheets import ReadAhead
from .store import HistoryStore, Recorded, RunRecord
from .validate import Validated, validate_leads
from .validation import CheckedFiles, ValidationReport, check_files, check_logs, input_file
from .version import __version__
from .wording import flag_suggestions


def analyse(
    paths: list[str | Path], rules: Rules, *, as_of: date | None = None, month: str | None = None,
    today: date | None = None, history: str | Path | None = None,
    progress: ProgressCallback | None = None, ahead: ReadAhead | None = None,
    week: str | None = None, start: date | None = None,
) -> Analysis:
    """Validate and recalculate the given workbooks (or folders of them) for one period: a
    ``month`` (2024-05), an ISO ``week`` (2024-W22), ``start`` to ``as_of``, or the month up to
    ``as_of`` (default today); see :func:`funnel_xl.period.resolve_period`.

    ``history`` is the history store (a SQLite file) to read earlier months from; the month is
    recorded there by :func:`write_outputs`. None: no history (the log still counts).
    ``progress`` is called as each step starts (see :mod:`funnel_xl.progress`); ``ahead``: see
    :func:`check_files`.
    """
    span = resolve_period(as_of, month, today, week=week, start=start)
    as_of, period = span.end, span.label
    checked = check_files(paths, rules, as_of, progress=progress, ahead=ahead, today=today)
    return combine(
        checked.validated, checked.inputs, rules, as_of, period, checked=checked, history=history,
        progress=progress,
    )


@dataclass(frozen=True)
class Recalculated:
    """One workbook's leads recalculated as :func:`analyse` recalculates them, without what only
    the report shows (the month's flow, forecast and data quality): what ``refresh`` writes back."""

    result: FunnelResult
    problems: list[Problem]  # as in :class:`Analysis`


def recalculate_workbook(
    book: TrackingWorkbook, rules: Rules, as_of: date, *,
    prepare: Callable[[Validated], Validated] | None = None, progress: ProgressCallback | None = None,
) -> Recalculated:
    """Validate and recalculate one workbook already read (its follow-up log dates the stages; no
    history store): the way through for ``refresh``.

    ``prepare`` is given the validated leads and returns those to recalculate — a copy with some
    values set aside (refresh: the tool's own earlier values); it must not change its argument.
    """
    progress = progress or silent
    progress(Progress(VALIDATE, book.leads.file_name))
    validated = validate_leads(book.leads, rules, as_of)
    if prepare is not None:
        validated = prepare(validated)
    checked = check_logs([validated], [input_file(book.leads, book.log)], [(0, book.log)], rules, as_of)
    progress(Progress(COMPUTE))
    report = checked.report()
    result = recalculate_leads(report, rules)
    return Recalculated(result, month_problems(report, result, rules))


def combine(
    validated: list[Validated], inputs: list[InputFile], rules: Rules, as_of: date, period: str,
    *, checked: CheckedFiles | None = None, history: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> Analysis:
    """Recalculate the checked leads of one or more workbooks as one team.

    ``checked`` brings the follow-up logs (see :func:`check_files`; without it, ``validated`` and
    ``inputs`` are the checked workbooks); ``history`` the store, whose previous rebuild the
    validation report is completed with before anything is counted.
    """
    (progress or silent)(Progress(COMPUTE))
    if checked is None:
        checked = check_logs(validated, inputs, [(i, None) for i in range(len(inputs))], rules, as_of)
    if history is not None:
        refuse_overwriting([history], [i.path for i in checked.inputs])
        refuse_overwriting([history], [rules.source_path], what=Say("atomic.rules_file"))
    store = HistoryStore(history) if history is not None else None
    span = period_of(period, as_of)
    previous = store.previous(as_of, span) if store is not None else None
    # A past date: what the store saw of that period tells the state of leads the log does not.
    snapshot = store.snapshot(span.key) if store is not None else None
    return recalculate_report(checked.report(previous, snapshot), rules, period, store, previous)


def recalculate_report(
    report: ValidationReport, rules: Rules, period: str, store: HistoryStore | None = None,
    previous: PreviousSnapshot | None = None,
) -> Analysis:
    """The month's figures from a validation report, and from the history store's earlier months
    (``previous`` the rebuild before, which the report was completed with)."""
    as_of, excluded = report.as_of, report.excluded
    span = period_of(period, as_of)
    runs = store.runs() if store is not None else []
    stored = {r.month: r.figures for r in runs if r.figures is not None and r.kind == span.kind}
    result = recalculate_leads(report, rules)
    flow = build_flow(
        result, rules, transitions=report.transitions, log_moves=report.moves, previous=previous,
        stored=stored, has_log=report.has_log, log_entries=len(report.entries), span=span,
    )
    result.suggestions.extend(flag_suggestions(flow.channel_flags, rules))
    problems = month_problems(report, result, rules)
    # Earlier months' snapshots (whatever the run's period): last month's forecast for this one,
    # slipped close dates, and where last month's leads are now.
    this_month = month_label(as_of)
    snapshots = {
        r.month: store.snapshot(r.month) for r in runs if r.kind == PeriodKind.MONTH and r.month < this_month
    } if store is not None else {}
    return build_analysis(
        as_of=as_of, period=period, rules=rules, result=result,
        problems=problems, inputs=list(report.inputs), excluded=excluded,
        flow=flow, history=store.path if store is not None else None,
        forecast=forecast(result.leads, rules, as_of, snapshots), on_time=not report.late,
        entries=report.entries, opening=_opening(store, runs, span),
        log_entries_by_lead=report.entries["lead_id"].value_counts() if len(report.entries) else None,
    )


def _opening(store: HistoryStore | None, runs: list[RunRecord], span: Period) -> pd.DataFrame | None:
    """The snapshot of the period just before ``span`` (last month, last week), when the store
    kept one: the amounts the pipeline change starts from."""
    key = period_name(span.kind, *previous_period(span.kind, span.start, span.end))
    if store is None or not any(r.month == key and r.kind == span.kind for r in runs):
        return None
    return store.snapshot(key)


def recalculate_leads(report: ValidationReport, rules: Rules) -> FunnelResult:
    """The valid leads of a validation report recalculated: their derived fields and the figures."""
    excluded = report.excluded
    return recalculate(
        report.valid, rules, report.as_of, evidence=report.evidence,
        excluded=len(excluded),
        excluded_by_owner=_counts(excluded, "owner"),
        excluded_by_source=_counts(excluded, rules.channel_field),
        excluded_by_dimension={name: _counts(excluded, name) for name in rules.dimensions.extra},
    )


def month_problems(report: ValidationReport, result: FunnelResult, rules: Rules) -> list[Problem]:
    """The report's problems and the recalculation's own (a holiday calendar missing)."""
    problems = list(report.problems)
    if result.calendar_years_missing:
        problems.append(calendar_problem(result.calendar_years_missing, rules.lang))
    return problems


def calendar_problem(years: tuple[int, ...], lang: str = "zh") -> Problem:
    """The warning for dwell counted in working days over years the holiday calendar lacks."""
    return problem("holiday_calendar_missing", lang, {"years": catalogue(lang).join(str(y) for y in years)})


@dataclass(frozen=True)
class Written:
    report: Path
    json: Path | None = None
    split: Split | None = None  # the per-rep / per-channel files, with ``split_by``
    history: Path | None = None  # the history store the month was recorded in
    recorded: Recorded | None = None  # what the store did with the month (see HistoryStore.record)
    detail: Path | None = None  # sheets over the rules' report.detail_rows, beside the report


def write_outputs(
    analysis: Analysis, out_dir: str | Path = "output", json_path: str | Path | None = None,
    split_by: Iterable[str] = (), *, progress: ProgressCallback | None = None,
) -> Written:
    """Write the analysis workbook (and the JSON figures when asked), atomically and together.

    Every output of the run (report, detail workbook, JSON, and with ``split_by`` the per-group
    files and their manifest) is first written completely to a temporary file beside its target;
    only then are they all moved into place, so a failure on any (a full disk, a folder that
    cannot be written, a report open elsewhere) leaves the previous outputs as they were. An output
    that would replace a file the run reads (an input workbook, the rules file, the history store)
    is refused before anything is written. Last, the month is recorded in the analysis's history
    store, if it has one (replacing an earlier run of it).

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
    kinds = list(split_by)
    targets = [report_path] + ([detail_path] if moved else [])
    targets += [Path(json_path)] if json_path is not None else []
    targets += split_targets(analysis, out_dir, kinds) if kinds else []
    refuse_overwriting_reads(targets, analysis)
    split, recorded = None, None
    with staged_outputs() as stage:
        files = write_report_files(analysis, report_path, progress=progress, stage=stage)
        if json_path is not None:
            text = strict_json(analysis.as_json())
            write_bytes_atomic(stage(json_path), text.encode("utf-8"))
        if kinds:
            split = write_groups(analysis, out_dir, report_path, kinds, progress=progress, stage=stage)
    if not moved:
        remove_stale_detail(report_path)
    if split is not None:
        remove_stale_groups(split)
    if analysis.history is not None:
        recorded = HistoryStore(analysis.history).record(**_run_record(analysis))
    return Written(
        report=report_path,
        json=Path(json_path) if json_path is not None else None,
        split=split,
        history=analysis.history,
        recorded=recorded,
        detail=files.detail,
    )


def refuse_overwriting_reads(targets: list[Path], analysis: Analysis) -> None:
    """Stop before an output would replace a file the run reads, or another output."""
    refuse_overwriting(targets, [i.path for i in analysis.inputs])
    refuse_overwriting(targets, [analysis.rules.source_path], what=Say("atomic.rules_file"))
    if analysis.history is not None:
        refuse_overwriting(targets, [analysis.history], what=Say("atomic.history"))
    for i, target in enumerate(targets):
        refuse_overwriting(targets[i + 1:], [target], what=Say("atomic.other_output"))


def record_history(analysis: Analysis, path: str | Path | None = None) -> Path:
    """Keep what this month's rebuild saw in the history store (default: the analysis's)."""
    target = Path(path) if path is not None else analysis.history
    if target is None:
        raise ValueError("no history store given")
    HistoryStore(target).record(**_run_record(analysis))
    return target


def _run_record(analysis: Analysis) -> dict:
    """What the history store keeps of a run (the arguments of :meth:`HistoryStore.record`)."""
    return {
        "as_of": analysis.as_of,
        "leads": analysis.result.leads,
        "inputs": [{"file": i.name, "sha256": i.sha256} for i in analysis.inputs],
        "rules_sha256": analysis.rules.sha256,
        "tool_version": __version__,
        "figures": analysis.month,
        "on_time": analysis.on_time,
        "period": period_of(analysis.period, analysis.as_of),
    }


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == Severity.ERROR for p in problems)


def _counts(frame: pd.DataFrame, column: str) -> dict[str, int]:
    if frame.empty or column not in frame:
        return {}
    return frame[column].dropna().astype(str).value_counts().to_dict()
