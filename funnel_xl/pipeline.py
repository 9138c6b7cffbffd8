"""The one way through: read → validate → recalculate → write.

A manager can script the month in a few lines::

    from funnel_xl import load_rules, analyse, write_outputs
    analysis = analyse(["examples/sample_tracking.xlsx"], load_rules(), month="2024-05")
    write_outputs(analysis, out_dir="output")
"""

from __future__ import annotations

import calendar
import json
from collections import Counter
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from .analysis import Analysis, InputFile
from .atomic import atomic_path, refuse_overwriting, write_bytes_atomic
from .errors import InputError
from .groups import Split, write_groups
from .inputs import collect_workbooks
from .metrics import recalculate
from .problems import ERROR, Problem, sort_problems
from .reader import LeadsSheet, read_leads
from .rules import Rules
from .validate import Validated, check_across_files, validate_leads


def resolve_as_of(as_of: date | None = None, month: str | None = None, today: date | None = None) -> tuple[date, str]:
    """The as-of date and the period label: ``--as-of``, else the last day of ``--month``, else today."""
    if as_of is not None and month is not None:
        raise InputError("--as-of 与 --month 只能指定一个。")
    if month is not None:
        try:
            year, mon = (int(part) for part in month.split("-"))
            last = calendar.monthrange(year, mon)[1]
            return date(year, mon, last), f"{year:04d}-{mon:02d}"
        except (ValueError, calendar.IllegalMonthError):
            raise InputError(f"月份「{month}」格式不对，应写成 YYYY-MM，例如 2024-05。") from None
    as_of = as_of or today or date.today()
    return as_of, as_of.isoformat()


def validate_files(
    paths: list[str | Path], rules: Rules, as_of: date
) -> tuple[list[Validated], list[InputFile]]:
    """Read and check each workbook (folders expanded, see :func:`collect_workbooks`).

    A workbook that cannot be used (damaged, encrypted, no leads sheet, a required column missing)
    becomes one error naming the file and the others are still read; only when none can be used is
    :class:`InputError` raised. The same lead ID in two files is checked across them.
    """
    found = collect_workbooks(paths)
    if not found.files:
        raise InputError("没有指定要读取的工作簿。")
    names = Counter(p.name for p in found.files)
    results, inputs, failures = [], [], []
    for path in found.files:
        # Two files of the same name (from two folders) are told apart by their path.
        label = str(path) if names[path.name] > 1 else path.name
        try:
            sheet = read_leads(path, rules)
        except InputError as exc:
            failures.append(str(exc))
            results.append(Validated.unusable(label, str(exc)))
            continue
        sheet.label = label
        results.append(validate_leads(sheet, rules, as_of))
        inputs.append(input_file(sheet))
    if not inputs:
        raise InputError("\n".join(failures) if len(failures) > 1 else failures[0])
    return check_across_files(results, rules), inputs


def input_file(sheet: LeadsSheet) -> InputFile:
    return InputFile(
        path=str(sheet.path),
        name=sheet.file_name,
        sha256=sheet.sha256,
        sheet=sheet.sheet,
        header_row=sheet.header_row,
        rows=len(sheet.frame),
    )


def analyse(
    paths: list[str | Path], rules: Rules, *, as_of: date | None = None, month: str | None = None,
    today: date | None = None,
) -> Analysis:
    """Validate and recalculate the given workbooks (or folders of them) for one as-of date."""
    as_of, period = resolve_as_of(as_of, month, today)
    validated, inputs = validate_files(paths, rules, as_of)
    return combine(validated, inputs, rules, as_of, period)


def combine(
    validated: list[Validated], inputs: list[InputFile], rules: Rules, as_of: date, period: str
) -> Analysis:
    """Recalculate the checked leads of one or more workbooks as one team."""
    problems: list[Problem] = sort_problems([p for v in validated for p in v.problems])
    valid = _concat([v.valid for v in validated])
    excluded = _concat([v.excluded for v in validated])
    result = recalculate(
        valid, rules, as_of,
        excluded=len(excluded),
        excluded_by_owner=_counts(excluded, "owner"),
        excluded_by_source=_counts(excluded, "source"),
    )
    return Analysis(
        as_of=as_of, period=period, rules=rules, result=result,
        problems=problems, inputs=inputs, excluded=excluded,
    )


@dataclass(frozen=True)
class Written:
    report: Path
    json: Path | None = None
    split: Split | None = None  # the per-rep / per-channel files, with ``split_by``


def write_outputs(
    analysis: Analysis, out_dir: str | Path = "output", json_path: str | Path | None = None,
    split_by: Iterable[str] = (),
) -> Written:
    """Write the analysis workbook (and the JSON figures when asked), atomically and together.

    Both are first written completely to temporary files beside their targets; only then is each
    moved into place, so a failure on either (a folder that cannot be written, a report open
    elsewhere) leaves the previous report and JSON as they were. An output that would replace an
    input workbook or the rules file is refused before anything is written.

    ``split_by`` ("owner", "source" or both) also writes one workbook and one JSON per rep or
    channel under ``<out_dir>/<period>/reps/`` or ``sources/``, and ``<out_dir>/<period>/manifest.json``.
    """
    from .report import default_report_name, write_report  # xlsxwriter only when writing

    report_path = Path(out_dir) / default_report_name(analysis)
    targets = [report_path] + ([Path(json_path)] if json_path is not None else [])
    refuse_overwriting(targets, [i.path for i in analysis.inputs])
    refuse_overwriting(targets, [analysis.rules.source_path], what="规则文件")
    with ExitStack() as moves:  # on leaving, the JSON is moved into place first, then the report
        write_report(analysis, moves.enter_context(atomic_path(report_path)))
        if json_path is not None:
            text = json.dumps(analysis.as_json(), ensure_ascii=False, indent=2) + "\n"
            write_bytes_atomic(moves.enter_context(atomic_path(json_path)), text.encode("utf-8"))
    split = None
    kinds = list(split_by)
    if kinds:
        split = write_groups(analysis, out_dir, report_path, kinds)
    return Written(report=report_path, json=Path(json_path) if json_path is not None else None, split=split)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True)


def _counts(frame: pd.DataFrame, column: str) -> dict[str, int]:
    if frame.empty or column not in frame:
        return {}
    return frame[column].dropna().astype(str).value_counts().to_dict()
