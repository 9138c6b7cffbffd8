"""The monthly analysis workbook the manager reads, written with xlsxwriter from an ``Analysis``.

Sheets, in order: 总览 · 漏斗分析 · 阶段流转 · 趋势 · 负责人对比 · 渠道分析 · 预测 · one sheet per rep ·
预警 · 优化建议 · 数据质量 · 数据问题 · 线索明细 · 运行信息. Every figure is written as a value (no formulas), every text from the reps'
sheet with ``write_string`` (a customer typed as ``=HYPERLINK(...)`` stays text), and missing or
undefined figures are blank cells, never 0.

The workbook is written in xlsxwriter's ``constant_memory`` mode, so every sheet is written in
increasing row order; small sheets collect their cells first (``_Cells``) and write them sorted.
The same analysis always gives byte-identical files: the document date is the as-of date.
"""

from __future__ import annotations

import math
import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import zipfile

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import quote_sheetname

from .analysis import Analysis
from .atomic import atomic_path
from .errors import OutputError
from .flow import (
    BASIS_CURRENT,
    BASIS_LOG,
    BASIS_STORE,
    LOST_AT_COLUMN,
    LOST_AT_LOG,
    LOST_AT_STORE,
    SOURCE_COLUMN,
    SOURCE_ESTIMATED,
    SOURCE_LOG,
    ChannelFlag,
    MonthFigures,
)
from .forecast import GONE_LEADS, NEW_LEADS, Forecast
from .groups import Group
from .messages import ZH, Catalogue, catalogue
from .metrics import (
    ACTIVE,
    ALERT_CLOSE_PAST,
    ALERT_OVERDUE,
    ALERT_STALE,
    ALERT_STALLED,
    ENTERED_BETWEEN_RUNS,
    ENTERED_COLUMN,
    ENTERED_ESTIMATED,
    ENTERED_FIRST_CONTACT,
    ENTERED_LOG,
    ENTERED_STORE,
    ENTERED_UNKNOWN,
    LOST,
    WON,
    FunnelMetrics,
    Rate,
)
from .problems import ERROR, WARNING, Problem, count_by_severity, severity_label, sort_problems
from .progress import ROWS_PER_EVENT, SAVE, WRITE, Progress, ProgressCallback, silent
from .quality import DRIFT_LABELS, HygieneScore
from .rules import HYGIENE_PARTS, Rules
from .runinfo import definitions, versions

__all__ = [
    "ALERTS_SHEET",
    "DETAIL_SHEET",
    "FIXED_SHEETS",
    "FLOW_SHEET",
    "OVERVIEW_CELLS",
    "OVERVIEW_SHEET",
    "TREND_SHEET",
    "ReportFiles",
    "default_report_name",
    "detail_workbook_name",
    "moved_sheets",
    "remove_stale_detail",
    "rep_sheet_names",
    "write_group_report",
    "write_report",
    "write_report_files",
]

# The fixed sheets, in order; the rep sheets go between 预测 and 预警. Their names come from the
# message catalogue (funnel_xl.messages); the constants are the Chinese ones, the default.
_SHEET_KEYS = (
    "overview", "funnel", "flow", "trend", "owners", "sources", "forecast", "alerts",
    "suggestions", "quality", "problems", "detail", "run",
)
_ZH = catalogue(ZH)
OVERVIEW_SHEET = _ZH("sheet.overview")
FUNNEL_SHEET = _ZH("sheet.funnel")
FLOW_SHEET = _ZH("sheet.flow")
TREND_SHEET = _ZH("sheet.trend")
OWNERS_SHEET = _ZH("sheet.owners")
SOURCES_SHEET = _ZH("sheet.sources")
FORECAST_SHEET = _ZH("sheet.forecast")
ALERTS_SHEET = _ZH("sheet.alerts")
SUGGESTIONS_SHEET = _ZH("sheet.suggestions")
QUALITY_SHEET = _ZH("sheet.quality")
PROBLEMS_SHEET = _ZH("sheet.problems")
DETAIL_SHEET = _ZH("sheet.detail")
RUN_SHEET = _ZH("sheet.run")
FIXED_SHEETS = tuple(_ZH(f"sheet.{key}") for key in _SHEET_KEYS)


def fixed_sheets(lang: str = ZH) -> tuple[str, ...]:
    """The fixed sheets' names in a language, in their order."""
    t = catalogue(lang)
    return tuple(t(f"sheet.{key}") for key in _SHEET_KEYS)

# Excel refuses a sheet named "History" (it is kept for change tracking).
_EXCEL_RESERVED_SHEETS = ("History",)

# Where each key figure's value sits on 总览 (label in column A, value in B, definition in C).
_OVERVIEW_FIRST_ROW = 4  # 0-based row of the first figure; row 3 is the table header
# (key, kind, whether the catalogue has a note "fig.<key>.note")
_OVERVIEW_FIGURES = (
    ("total", "int", True),
    ("valid", "int", True),
    ("active", "int", True),
    ("won", "int", False),
    ("lost", "int", True),
    ("excluded", "int", True),
    ("win_rate", "pct", True),
    ("overall_conversion", "pct", True),
    ("cycle_mean", "days1", False),
    ("cycle_median", "days1", False),
    ("pipeline", "amount", True),
    ("weighted_pipeline", "amount", True),
    ("worst_transition", "text", True),
    ("worst_rate", "pct", True),
    ("stalled", "int", True),
    ("overdue", "int", True),
    ("stale", "int", True),
    ("close_past", "int", True),
    ("errors", "int", True),
    ("warnings", "int", True),
    ("win_rate_amount", "pct", True),
    ("lost_cycle_mean", "days1", True),
    ("lost_cycle_median", "days1", False),
    ("snoozed", "int", True),
    ("hygiene", "days1", True),
    ("drift", "int", True),
)
OVERVIEW_CELLS = {
    key: f"B{_OVERVIEW_FIRST_ROW + i + 1}" for i, (key, *_rest) in enumerate(_OVERVIEW_FIGURES)
}
# The funnel chart's data: a small table to the right of the chart on 总览.
_CHART_DATA_COL = 13  # column N

# Codes shown in cells, and the message that says each in the report's language.
STATUS_KEYS = {ACTIVE: "status.active", WON: "status.won", LOST: "status.lost"}
ENTERED_SOURCE_KEYS = {
    ENTERED_LOG: "entered.log",
    ENTERED_COLUMN: "entered.column",
    ENTERED_STORE: "entered.store",
    ENTERED_BETWEEN_RUNS: "entered.between_runs",
    ENTERED_FIRST_CONTACT: "entered.first_contact",
    ENTERED_ESTIMATED: "entered.estimated",
    ENTERED_UNKNOWN: "entered.unknown",
}
LOST_AT_SOURCE_KEYS = {
    LOST_AT_LOG: "entered.log",
    LOST_AT_COLUMN: "entered.column",
    LOST_AT_STORE: "entered.store",
}
TRANSITION_SOURCE_KEYS = {
    SOURCE_LOG: "move.log",
    SOURCE_COLUMN: "move.column",
    SOURCE_ESTIMATED: "move.estimated",
}
BASIS_KEYS = {BASIS_CURRENT: "basis.current", BASIS_STORE: "basis.store", BASIS_LOG: "basis.log"}
ALERT_KEYS = {
    ALERT_STALLED: "alert.stalled",
    ALERT_OVERDUE: "alert.overdue",
    ALERT_STALE: "alert.stale",
    ALERT_CLOSE_PAST: "alert.close_past",
}
HYGIENE_KEYS = {part: f"hygiene.{part}" for part in HYGIENE_PARTS}
HYGIENE_FIX_KEYS = {part: f"hygiene.{part}.fix" for part in HYGIENE_PARTS}
DRIFT_KEYS = {kind: f"drift.{kind}" for kind in DRIFT_LABELS}


def _labels(t: Catalogue, keys: dict[str, str]) -> dict[str, str]:
    return {code: t(key) for code, key in keys.items()}


STATUS_LABELS = _labels(_ZH, STATUS_KEYS)
ALERT_LABELS = _labels(_ZH, ALERT_KEYS)
# 线索明细 writes the recalculated value under the familiar header; excluded rows keep what was typed.
_DETAIL_VALID_FIELDS = {
    "dwell_days": "dwell_days",
    "pass_rate_text": "pass_rate_text_calc",
    "stage_entered": "stage_entered",
}
_DETAIL_TYPED_FIELDS = {
    "dwell_days": "dwell_days_typed",
    "pass_rate_text": "pass_rate_text_typed",
    "stage_entered": "stage_entered_column",
}
# A column the rules do not define is headed like the default rules' own header (messages "field.*").
_DEFAULT_HEADER_FIELDS = (
    "lead_id", "customer", "source", "stage", "owner", "stage_entered", "next_follow_up",
    "expected_close", "amount",
)

_FORMATS = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"bold": True, "font_size": 11},
    "note": {"italic": True, "font_color": "#595959"},
    "header": {
        "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter",
    },
    "label": {"bold": True},
    "text": {},
    "int": {"num_format": "#,##0"},
    "number": {"num_format": "General"},
    "days": {"num_format": "0"},
    "days1": {"num_format": "0.0"},
    "pct": {"num_format": "0.0%"},
    "amount": {"num_format": "#,##0.0"},
    "date": {"num_format": "yyyy-mm-dd"},
    "best": {"num_format": "0.0%", "bold": True, "bg_color": "#C6EFCE", "font_color": "#006100"},
    "total_label": {"bold": True, "top": 1},
    "total_int": {"bold": True, "top": 1, "num_format": "#,##0"},
    "total_amount": {"bold": True, "top": 1, "num_format": "#,##0.0"},
    "total_blank": {"top": 1},
    "error": {"bold": True, "font_color": "#C00000"},
    "warning": {"font_color": "#9C5700"},
    "padding": {"font_color": "#A6A6A6"},
    "red": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "pct_low": {"num_format": "0.0%", "bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "pct_small": {"num_format": "0.0%", "italic": True, "font_color": "#A6A6A6"},
    "small": {"italic": True, "font_color": "#A6A6A6"},
    "score": {"num_format": "0.0"},
}
_GOOD_HIGH = {"min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"}
_GOOD_LOW = {"min_color": "#63BE7B", "mid_color": "#FFEB84", "max_color": "#F8696B"}
_DWELL_BAR = {"type": "data_bar", "bar_color": "#F4B183"}
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_MAX_WIDTH = 50
_WIDTH_SAMPLE = 300


def default_report_name(analysis: Analysis) -> str:
    """The workbook's file name, e.g. ``funnel_report_2024-05.xlsx``."""
    return f"funnel_report_{analysis.period}.xlsx"


def detail_workbook_name(report_name: str) -> str:
    """The detail workbook beside a report: ``funnel_report_2024-05.xlsx`` → ``funnel_report_2024-05_detail.xlsx``."""
    stem = report_name[:-5] if report_name.lower().endswith(".xlsx") else report_name
    return f"{stem}_detail.xlsx"


@dataclass(frozen=True)
class ReportFiles:
    report: Path
    detail: Path | None = None  # the detail workbook, when a sheet was over the row limit
    moved: tuple[str, ...] = ()  # the sheets written there instead of in the report


def write_report(
    analysis: Analysis, path: str | os.PathLike[str], *, progress: ProgressCallback | None = None
) -> Path:
    """Write the analysis workbook to ``path`` atomically and return the path.

    The same analysis always gives the same bytes: the document's created date is the as-of date.
    Raises :class:`funnel_xl.errors.OutputError` when the file cannot be written. ``progress`` is
    told as each sheet is started and when the file is saved (see :mod:`funnel_xl.progress`).
    Sheets over the rules' ``report.detail_rows`` go to a detail workbook beside it: see
    :func:`write_report_files`.
    """
    return write_report_files(analysis, path, progress=progress).report


def write_report_files(
    analysis: Analysis, path: str | os.PathLike[str], *, progress: ProgressCallback | None = None,
    stage: Callable[[Path], Path] | None = None,
) -> ReportFiles:
    """Write the report and, when a sheet lists more rows than ``report.detail_rows``, the detail
    workbook beside it holding those sheets (the report links to it by file name).

    ``stage(target)`` gives the path to write each file to (by default the target itself, written
    atomically); a caller that moves several outputs into place together passes temporary paths.
    Without ``stage``, a detail workbook left by an earlier run that this run does not need is
    removed (see :func:`remove_stale_detail`).
    """
    target = Path(path)
    place = stage or (lambda p: p)
    moved = moved_sheets(analysis)
    detail = target.with_name(detail_workbook_name(target.name))
    t = catalogue(analysis.rules.lang)
    if moved:
        _write_workbook(
            place(detail), analysis, t("doc.title", period=analysis.period) + " · detail",
            lambda workbook: _Report(workbook, analysis, progress or silent, only=moved).write(),
            progress, detail.name,
        )
    _write_workbook(
        place(target), analysis, t("doc.title", period=analysis.period),
        lambda workbook: _Report(
            workbook, analysis, progress or silent, moved=moved, detail_name=detail.name
        ).write(),
        progress, target.name,
    )
    if stage is None and not moved:
        remove_stale_detail(target)
    return ReportFiles(report=target, detail=detail if moved else None, moved=moved)


def moved_sheets(analysis: Analysis) -> tuple[str, ...]:
    """The listing sheets with more rows than the rules' ``report.detail_rows``, in workbook order."""
    limit = analysis.rules.report.detail_rows
    return tuple(name for name, rows in _listing_sheets(analysis).items() if rows > limit)


def remove_stale_detail(report: str | os.PathLike[str]) -> None:
    """Remove the detail workbook beside ``report`` that an earlier run wrote, when the report
    written now keeps every sheet (only a file whose properties say funnel-xl wrote it)."""
    detail = Path(report).with_name(detail_workbook_name(Path(report).name))
    try:
        with zipfile.ZipFile(detail) as archive:
            core = archive.read("docProps/core.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return
    if "<dc:creator>funnel-xl</dc:creator>" in core:
        try:
            detail.unlink()
        except OSError as exc:
            raise OutputError(f"无法删除上次留下的明细工作簿 {detail}: {exc.strerror or exc}") from None


def _listing_sheets(analysis: Analysis) -> dict[str, int]:
    """The sheets that list rows, in workbook order, with how many rows each lists."""
    names = _Report(None, analysis)  # for the sheet names only: no workbook is written
    result = analysis.result
    open_leads = _rep_leads(result)
    sizes = {name: len(open_leads.get(owner, ())) for owner, name in names.rep_names.items()}
    sizes[names.sheets["alerts"]] = 0 if result.alerts is None else len(result.alerts)
    sizes[names.sheets["problems"]] = len(analysis.problems)
    excluded = 0 if analysis.excluded is None else len(analysis.excluded)
    sizes[names.sheets["detail"]] = len(result.leads) + excluded
    return sizes


def _rep_leads(result) -> dict[str, pd.DataFrame]:
    """Each owner's open leads (the rows of their page)."""
    leads = result.leads
    active = leads[leads["status"] == ACTIVE] if "status" in leads else leads.iloc[:0]
    if "owner" not in active:
        return {}
    return dict(iter(active.groupby(active["owner"].fillna("").astype(str), sort=False)))


def write_group_report(group: Group, path: str | os.PathLike[str]) -> Path:
    """Write one rep's (or one channel's) workbook to ``path`` atomically and return the path.

    Sheets: 总览 (their key figures beside the team's, their funnel chart) · 漏斗分析 (their stages
    beside the team's rates) · 在跟线索 (their open leads and alerts) · 预警 · 数据问题 (the rows
    they must fix) · 线索明细 (their leads). Nothing of another rep: no name, lead or amount.
    """
    t = catalogue(group.analysis.rules.lang)
    title = t("doc.group_title", period=group.analysis.period, label=t(f"group.{group.kind}"), name=group.name)
    return _write_workbook(
        Path(path), group.analysis, title, lambda workbook: _GroupReport(workbook, group).write(),
    )


def _write_workbook(
    target: Path, analysis: Analysis, title: str, build: Callable,
    progress: ProgressCallback | None = None, shown_as: str | None = None,
) -> Path:
    with atomic_path(target) as tmp:
        workbook = xlsxwriter.Workbook(
            str(tmp),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
            },
        )
        workbook.set_properties(
            {
                "title": title,
                "subject": catalogue(analysis.rules.lang)("doc.subject", as_of=analysis.as_of.isoformat()),
                "author": "funnel-xl",
                "created": datetime.combine(analysis.as_of, time()),
            }
        )
        try:
            build(workbook)
            (progress or silent)(Progress(SAVE, shown_as or target.name))
            workbook.close()
        except XlsxWriterException as exc:
            raise OutputError(f"无法写入分析工作簿 {target}: {exc}") from None
    return target


def rep_sheet_names(
    owners: Iterable[str], taken: Iterable[str] = FIXED_SHEETS, blank: str = _ZH("sheet.no_owner")
) -> dict[str, str]:
    """Map each owner to a sheet name Excel accepts, unique among ``taken`` and each other.

    The rule, applied in order:

    1. Each character Excel forbids in sheet names (``[ ] : * ? / \\``) becomes its full-width
       twin (``［ ］ ： ＊ ？ ／ ＼``), so the masked owner "*销售代表" gets the sheet "＊销售代表"
       and stays distinct from a rep really called "销售代表". Control characters are dropped.
    2. Surrounding spaces and apostrophes are stripped (Excel refuses a leading or trailing
       apostrophe); an owner left empty becomes "未填写负责人".
    3. The name is cut to 31 characters (counted as Excel does, in UTF-16 units).
    4. A name already used, compared case-insensitively — a fixed sheet such as "总览", Excel's
       reserved "History", or an earlier rep — gets " (2)", " (3)"… appended, the name being cut
       further so the whole still fits in 31 characters.
    """
    used = {name.casefold() for name in (*taken, *_EXCEL_RESERVED_SHEETS)}
    names: dict[str, str] = {}
    for owner in owners:
        base = _clean_sheet_name(owner, blank)
        name = _fit_sheet_name(base, 31)
        n = 2
        while name.casefold() in used:
            suffix = f" ({n})"
            name = _fit_sheet_name(base, 31 - len(suffix)) + suffix
            n += 1
        used.add(name.casefold())
        names[owner] = name
    return names


_SHEET_NAME_TWINS = str.maketrans(
    {"[": "［", "]": "］", ":": "：", "*": "＊", "?": "？", "/": "／", "\\": "＼"}
)


def _clean_sheet_name(owner: object, blank: str) -> str:
    text = "" if owner is None else str(owner)
    text = "".join(ch for ch in text.translate(_SHEET_NAME_TWINS) if ch.isprintable())
    return text.strip().strip("'").strip() or blank


def _fit_sheet_name(name: str, limit: int) -> str:
    while len(name.encode("utf-16-le")) // 2 > limit:
        name = name[:-1]
    # Cutting may leave an apostrophe or a space at the end.
    return name.rstrip().rstrip("'").rstrip() or "_"


# ---------------------------------------------------------------------------
# Cell values: columns to Python lists once, None for a blank cell.
# ---------------------------------------------------------------------------


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _excel_serial(value: date | np.datetime64) -> float | str:
    """A date as an Excel serial number; a date Excel cannot show stays as ISO text."""
    try:
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        days = (stamp - _EXCEL_EPOCH) / pd.Timedelta(days=1)
    except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return _as_text(value)
    # Excel counts the non-existent 1900-02-29, so serials before 1900-03-01 are one lower.
    if days < 61:
        days -= 1
    return days if days >= 1 else _as_text(stamp.to_pydatetime())


def _text_values(frame: pd.DataFrame, column: str) -> list:
    if column not in frame:
        return [None] * len(frame)
    series = frame[column]
    missing = series.isna().tolist()
    return [
        None if gone else (value if type(value) is str else _as_text(value))
        for value, gone in zip(series.tolist(), missing)
    ]


def _number_values(frame: pd.DataFrame, column: str) -> list:
    if column not in frame:
        return [None] * len(frame)
    numbers = pd.to_numeric(frame[column], errors="coerce")
    return [None if v != v else v for v in numbers.to_numpy(dtype=float, na_value=np.nan).tolist()]


def _date_values(frame: pd.DataFrame, column: str) -> list:
    if column not in frame:
        return [None] * len(frame)
    series = frame[column]
    if not pd.api.types.is_datetime64_any_dtype(series):
        return [_date_cell(value) for value in series.tolist()]
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_localize(None)
    days = ((series - _EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)
    if np.any(days < 61):
        return [_date_cell(value) for value in series.tolist()]
    return [None if v != v else v for v in days.tolist()]


def _date_cell(value: object) -> float | str | None:
    """One value of a date column that is not all dates: serial, number or text as it came."""
    if _is_missing(value):
        return None
    if isinstance(value, (date, np.datetime64)):
        return _excel_serial(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    return value if isinstance(value, str) else _as_text(value)


def _mapped_values(frame: pd.DataFrame, column: str, labels: dict) -> list:
    return [None if v is None else labels.get(v, v) for v in _text_values(frame, column)]


# ---------------------------------------------------------------------------
# Writing helpers.
# ---------------------------------------------------------------------------


class _Formats:
    """Each format is created once and shared by every cell that uses it."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self._workbook = workbook
        self._cache: dict[str, Any] = {}

    def __call__(self, name: str | None):
        if name is None:
            return None
        if name not in self._cache:
            self._cache[name] = self._workbook.add_format(_FORMATS[name])
        return self._cache[name]


@dataclass
class _Column:
    """One column of a table: its header, its cells (None = blank) and how they are shown."""

    header: str
    values: Sequence
    kind: str = "text"  # text, int, number, days, days1, pct, amount, date; any = any type
    width: float | None = None
    formats: Sequence[str | None] | None = None  # per-row format names, overriding the kind's
    number_format: str = "number"  # kind "any": the format of its numbers (dates get "date")


_NUMERIC_KINDS = ("int", "number", "days", "days1", "pct", "amount", "date")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_width(column: _Column) -> float:
    if column.width is not None:
        return column.width
    header = max((_display_width(part) for part in column.header.split("\n")), default=0)
    if column.kind == "date":
        body = 10
    elif column.kind in _NUMERIC_KINDS:
        body = 9
    else:
        sample = [v for v in column.values[:_WIDTH_SAMPLE] if v is not None]
        body = max((_display_width(_as_text(v)) for v in sample), default=0)
    return float(min(max(header, body, 6) + 2, _MAX_WIDTH))


class _Cells:
    """A small sheet's cells, collected in any order, written sorted by row (constant memory)."""

    def __init__(self, sheet, formats: _Formats):
        self.sheet = sheet
        self.formats = formats
        self.cells: list[tuple[int, int, object, str | None]] = []

    def put(self, row: int, col: int, value: object, fmt: str | None = None) -> None:
        self.cells.append((row, col, value, fmt))

    def flush(self) -> None:
        for row, col, value, fmt in sorted(self.cells, key=lambda c: (c[0], c[1])):
            _write_value(self.sheet, row, col, value, self.formats(fmt))
        self.cells = []


def _write_value(sheet, row: int, col: int, value: object, fmt, date_fmt=None) -> None:
    """Write one value of any type: text as text, numbers and dates as numbers, missing as blank."""
    if _is_missing(value):
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value, fmt)
    elif isinstance(value, (bool, np.bool_)):
        # A yes/no in the report's language is written as text by the caller; this is a fallback.
        sheet.write_string(row, col, _ZH("yes") if value else _ZH("no"), fmt)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        sheet.write_number(row, col, float(value), fmt)
    elif isinstance(value, (date, np.datetime64)):
        serial = _excel_serial(value)
        if isinstance(serial, str):
            sheet.write_string(row, col, serial)
        else:
            sheet.write_number(row, col, serial, date_fmt if date_fmt is not None else fmt)
    else:
        sheet.write_string(row, col, _as_text(value), fmt)


def _cached(categories: Sequence, values: Sequence, name: str | None = None) -> dict[str, list]:
    """A chart series' data as the chart keeps a copy of it (add_series' *_data options).

    Written row by row (constant memory), the cells are gone when the workbook is closed, so
    xlsxwriter cannot fill the copy itself: without it Excel and LibreOffice redraw the chart from
    the cells, but a mail or file previewer that shows only the copy shows an empty chart."""
    data = {
        "categories_data": [None if _is_missing(v) else str(v) for v in categories],
        "values_data": [None if _is_missing(v) else float(v) for v in values],
    }
    if name is not None:
        data["name_data"] = [name]
    return data


def _write_header(sheet, formats: _Formats, row: int, columns: Sequence[_Column]) -> None:
    for c, column in enumerate(columns):
        sheet.write_string(row, c, column.header, formats("header"))


def _write_rows(
    sheet, formats: _Formats, first_row: int, columns: Sequence[_Column],
    on_rows: Callable[[int, int], None] | None = None,
) -> int:
    """Write the columns' cells row by row; returns the row after the last one written.

    The hot loop of the workbook: one list look-up and one xlsxwriter call per non-blank cell.
    ``on_rows(done, total)`` is called before each :data:`ROWS_PER_EVENT` rows of a long table.
    """
    writers = [
        (c, *_column_writer(sheet, formats, first_row, column))
        for c, column in enumerate(columns)
    ]
    count = len(columns[0].values) if columns else 0
    rows = zip(*(column.values for column in columns))
    step = ROWS_PER_EVENT if on_rows is not None and count > ROWS_PER_EVENT else max(count, 1)
    for done in range(0, count, step):
        if step < count:
            on_rows(done, count)
        for row, values in enumerate(islice(rows, step), start=first_row + done):
            for (col, write, fmt), value in zip(writers, values):
                if value is not None:
                    write(row, col, value, fmt)
    return first_row + count


def _column_writer(
    sheet, formats: _Formats, first_row: int, column: _Column
) -> tuple[Callable, Any]:
    """The xlsxwriter call and format for a column's cells."""
    if column.kind == "any":
        fmt = formats(column.number_format)
    else:
        fmt = formats(None if column.kind == "text" else column.kind)
    date_fmt = formats("date")
    # Only dates may hold text (a date Excel cannot show); kind "any" holds whatever was typed.
    mixed = column.kind == "any" or (
        column.kind == "date" and any(isinstance(v, str) for v in column.values)
    )
    if column.formats is not None:
        per_row = [formats(name) for name in column.formats]

        def write(row, col, value, fmt):
            _write_value(sheet, row, col, value, per_row[row - first_row], date_fmt)
    elif mixed:

        def write(row, col, value, fmt):
            _write_value(sheet, row, col, value, fmt, date_fmt)
    elif column.kind == "text":
        write = sheet.write_string
    else:
        write = sheet.write_number
    return write, fmt


def _label_width(labels: Sequence[str]) -> float:
    """The key figures' label column: 20 wide (the Chinese labels fit), wider for longer labels."""
    return float(min(max(20, max((_display_width(x) for x in labels), default=0) + 2), 34))


def _set_widths(sheet, columns: Sequence[_Column]) -> None:
    for c, column in enumerate(columns):
        sheet.set_column(c, c, _column_width(column))


# ---------------------------------------------------------------------------
# The workbook.
# ---------------------------------------------------------------------------


class _Report:
    """Writes the sheets in their order; each method writes one sheet, rows in increasing order."""

    def __init__(
        self, workbook: xlsxwriter.Workbook, analysis: Analysis, progress: ProgressCallback = silent,
        *, moved: Iterable[str] = (), detail_name: str = "", only: Iterable[str] | None = None,
    ):
        """``moved``: sheets written to the detail workbook ``detail_name`` (here a note and a link);
        ``only``: write just these listing sheets (the detail workbook itself)."""
        self.workbook = workbook
        self.analysis = analysis
        self.progress = progress
        self.moved = set(moved)
        self.detail_name = detail_name
        self.only = None if only is None else set(only)
        self.rules: Rules = analysis.rules
        self.result = analysis.result
        self.team: FunnelMetrics = analysis.result.team
        self.formats = _Formats(workbook)
        self.as_of_text = analysis.as_of.isoformat()
        self.t = t = catalogue(self.rules.lang)
        self.min_sample = self.rules.thresholds.min_sample
        self.unit = self.rules.amount_unit
        self.channel = self.rules.channel_field
        self.sheets = dict(zip(_SHEET_KEYS, fixed_sheets(self.rules.lang)))
        self.status_labels = _labels(t, STATUS_KEYS)
        self.alert_labels = _labels(t, ALERT_KEYS)
        # One sheet per further dimension ([dimensions] extra), named after its column, then the reps'.
        fixed = tuple(self.sheets.values())
        self.dimension_names = rep_sheet_names(
            [t("sheet.dimension", header=self.header(name)) for name in self.result.by_dimension], fixed
        )
        self.rep_names = rep_sheet_names(
            self.result.by_owner, (*fixed, *self.dimension_names.values()), t("sheet.no_owner")
        )

    def write(self) -> None:
        summary = self.only is None
        if summary:
            self.overview()
            self.funnel()
            self.flow()
            self.trend()
            self.comparison(
                self.sheets["owners"], self.t("col.owner"), self.result.by_owner, chart=False
            )
            self.comparison(
                self.sheets["sources"], self.header(self.channel), self.result.by_source, chart=True,
                flags=_flag_texts(self.analysis.flow.channel_flags, self.t),
            )
            for name, groups in self.result.by_dimension.items():
                sheet = self.dimension_names[self.t("sheet.dimension", header=self.header(name))]
                self.comparison(sheet, self.header(name), groups, chart=False)
            self.forecast()
        self.reps()
        self.place(self.sheets["alerts"], self.alerts)
        if summary:
            self.suggestions()
            self.quality()
        self.place(self.sheets["problems"], self.problems)
        self.place(self.sheets["detail"], self.detail)
        if summary:
            self.run_info()

    def place(self, name: str, write: Callable[[], None]) -> None:
        """Write a listing sheet here, or its note and link when it went to the detail workbook."""
        if self.only is not None:
            if name in self.only:
                write()
        elif name in self.moved:
            self.moved_note(name)
        else:
            write()

    def moved_note(self, name: str) -> None:
        rows = _listing_sheets(self.analysis)[name]
        sheet = self.add_sheet(name)
        cells = _Cells(sheet, self.formats)
        self.title(cells, f"{name} · {self.as_of_text}")
        cells.put(
            2, 0, self.t("detail.moved", rows=f"{rows:,}", limit=f"{self.rules.report.detail_rows:,}")
        )
        cells.flush()
        sheet.write_url(
            3, 0, f"external:{self.detail_name}#{quote_sheetname(name)}!A1",
            string=f"{self.detail_name} ·「{name}」",
        )
        notes = _Cells(sheet, self.formats)
        notes.put(4, 0, self.t("detail.hint"), "note")
        notes.flush()
        sheet.set_column(0, 0, 110)

    # -- helpers ----------------------------------------------------------------

    def add_sheet(self, name: str):
        self.progress(Progress(WRITE, name))
        return self.workbook.add_worksheet(name)

    def rows(self, sheet, first_row: int, columns: Sequence[_Column]) -> int:
        """:func:`_write_rows`, telling ``progress`` how far a long sheet has got."""
        def on_rows(done: int, total: int) -> None:
            self.progress(Progress(WRITE, sheet.name, done, total))

        return _write_rows(sheet, self.formats, first_row, columns, on_rows)

    def header(self, field: str) -> str:
        try:
            return self.rules.header(field)
        except KeyError:
            if field in _DEFAULT_HEADER_FIELDS:
                return self.t(f"field.{field}", unit=self.rules.amount_unit)
            return field

    def yes_no(self, value: bool) -> str:
        return self.t("yes") if value else self.t("no")

    def mapped(self, frame: pd.DataFrame, column: str, keys: dict[str, str]) -> list:
        return _mapped_values(frame, column, _labels(self.t, keys))

    def counts(self, rate: Rate) -> str | None:
        """A rate's k/n and 95% interval, "样本少" (small sample) added when it is one."""
        return _counts_text(rate, self.min_sample, self.t("small_sample"))

    def rate_columns(self, label: str, rates: Sequence[Rate], **kw) -> list[_Column]:
        return _rate_columns(label, rates, self.min_sample, t=self.t, **kw)

    def title(self, cells: _Cells, text: str, note: str = "") -> None:
        cells.put(0, 0, text, "title")
        if note:
            cells.put(1, 0, note, "note")

    def stage_limit(self, stage_idx: list) -> list:
        limits = [float(s.max_dwell_days) for s in self.rules.stages]
        return [None if i is None else limits[int(i)] for i in stage_idx]

    # -- 总览 ----------------------------------------------------------------------

    def overview(self) -> None:
        t = self.t
        sheet = self.add_sheet(self.sheets["overview"])
        sheet.hide_gridlines(2)
        cells = _Cells(sheet, self.formats)
        team = self.team
        inputs = ", ".join(t("overview.input", name=i.name, sheet=i.sheet) for i in self.analysis.inputs) or "—"
        self.title(
            cells,
            t("overview.title", as_of=self.as_of_text),
            t("overview.subtitle", period=self.analysis.period, inputs=inputs),
        )
        problems = count_by_severity(self.analysis.problems)
        worst = team.worst_transition
        values = {
            "total": team.totals.total,
            "valid": team.totals.valid,
            "active": team.totals.active,
            "won": team.totals.won,
            "lost": team.totals.lost,
            "excluded": team.totals.excluded,
            "win_rate": team.win_rate,
            "overall_conversion": team.overall_conversion,
            "cycle_mean": team.cycle_mean,
            "cycle_median": team.cycle_median,
            "pipeline": team.pipeline,
            "weighted_pipeline": team.weighted_pipeline,
            "worst_transition": None if worst is None else worst.label,
            "worst_rate": None if worst is None else worst.rate,
            "stalled": team.stalled,
            "overdue": team.overdue,
            "stale": team.stale,
            "close_past": team.close_past,
            "errors": problems[ERROR],
            "warnings": problems[WARNING],
            "win_rate_amount": team.win_rate_amount,
            "lost_cycle_mean": team.lost_cycle_mean,
            "lost_cycle_median": team.lost_cycle_median,
            "snoozed": team.snoozed,
            "hygiene": self.analysis.quality.team_hygiene.score,
            "drift": len(self.analysis.quality.drift),
        }
        top = _OVERVIEW_FIRST_ROW - 1
        for c, key in enumerate(("col.metric", "col.value", "col.note")):
            cells.put(top, c, t(key), "header")
        notes = {
            "cycle_mean": t("fig.cycle_mean.note", count=team.cycle_count),
            "lost_cycle_mean": t("fig.lost_cycle_mean.counted", count=team.lost_cycle_count),
            "win_rate": self.counts(team.win),
            "worst_transition": (
                t("fig.worst_transition.note", min_sample=self.min_sample)
                + ("" if worst is not None else t("fig.worst_transition.none"))
            ),
        }
        for i, (key, kind, has_note) in enumerate(_OVERVIEW_FIGURES):
            row = _OVERVIEW_FIRST_ROW + i
            cells.put(row, 0, t(f"fig.{key}", unit=self.unit), "label")
            cells.put(row, 1, values[key], None if kind == "text" else kind)
            note = notes[key] if key in notes else (t(f"fig.{key}.note") if has_note else None)
            cells.put(row, 2, note or None, "note")
        self.overview_inputs(cells, _OVERVIEW_FIRST_ROW + len(_OVERVIEW_FIGURES) + 1)
        self.funnel_chart(sheet, cells)
        last_row = max(row for row, *_ in cells.cells)
        labels = [t(f"fig.{key}", unit=self.unit) for key, *_ in _OVERVIEW_FIGURES]
        cells.flush()
        sheet.set_column(0, 0, _label_width(labels))
        sheet.set_column(1, 1, 22)
        sheet.set_column(2, 2, 44)
        sheet.set_column(_CHART_DATA_COL, _CHART_DATA_COL + 2, 12)
        sheet.freeze_panes(_OVERVIEW_FIRST_ROW, 0)
        # Printed (and rendered to PDF) as one landscape page: figures and chart, without the
        # chart's data table.
        sheet.print_area(0, 0, last_row, _CHART_DATA_COL - 1)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 1)

    def overview_inputs(self, cells: _Cells, row: int) -> None:
        """One line pointing at 运行信息, where the inputs, rules, history and versions are recorded."""
        t = self.t
        rules_name = Path(self.rules.source_path).name
        flow = self.analysis.flow
        if self.analysis.history is not None:
            previous = (
                t("inputs.previous", month=flow.previous_month) if flow.previous_month
                else t("inputs.no_previous")
            )
            # The file name only, like the rules file's: the report does not depend on the folder.
            history = t("inputs.history", store=Path(self.analysis.history).name, previous=previous)
        else:
            history = t("inputs.no_history")
        cells.put(
            row, 0,
            t(
                "inputs.line", files=len(self.analysis.inputs), entries=flow.log_entries,
                history=history, rules=rules_name, sha=self.rules.sha256[:12], sheet=self.sheets["run"],
            ),
            "note",
        )
        skipped = sum(i.skipped_without_stage for i in self.analysis.inputs)
        if skipped:
            cells.put(row + 1, 0, t("inputs.skipped", count=skipped), "note")

    def funnel_chart(self, sheet, cells: _Cells) -> None:
        """The standard funnel: a stacked bar with an invisible padding series centring each bar."""
        top = _OVERVIEW_FIRST_ROW - 1
        col = _CHART_DATA_COL
        stages = self.team.stages
        widest = max((s.reached for s in stages), default=0)
        t = self.t
        overview = self.sheets["overview"]
        cells.put(top - 1, col, t("chart.funnel_data"), "subtitle")
        for c, text in enumerate((t("col.stage"), t("col.reached"), t("chart.padding"))):
            cells.put(top, col + c, text, "header")
        for k, stage in enumerate(stages):
            cells.put(top + 1 + k, col, stage.stage)
            cells.put(top + 1 + k, col + 1, stage.reached, "int")
            cells.put(top + 1 + k, col + 2, (widest - stage.reached) / 2, "padding")
        first, last = top + 1, top + len(stages)
        chart = self.workbook.add_chart({"type": "bar", "subtype": "stacked"})
        categories = [overview, first, col, last, col]
        names = [stage.stage for stage in stages]
        chart.add_series(
            {
                "name": t("chart.padding"),
                "categories": categories,
                "values": [overview, first, col + 2, last, col + 2],
                **_cached(names, [(widest - stage.reached) / 2 for stage in stages]),
                "fill": {"none": True},
                "border": {"none": True},
                "gap": 15,
            }
        )
        chart.add_series(
            {
                "name": t("col.reached"),
                "categories": categories,
                "values": [overview, first, col + 1, last, col + 1],
                **_cached(names, [stage.reached for stage in stages]),
                "fill": {"color": "#4472C4"},
                "data_labels": {"value": True, "position": "center", "font": {"color": "#FFFFFF"}},
                "gap": 15,
            }
        )
        chart.set_title({"name": t("chart.funnel", as_of=self.as_of_text)})
        # In a bar chart the y axis is the category axis: reversed, so the first stage is on top.
        chart.set_y_axis({"reverse": True, "major_tick_mark": "none", "line": {"none": True}})
        value_axis = {"visible": False, "major_gridlines": {"visible": False}, "min": 0}
        if widest > 0:
            value_axis["max"] = widest
        chart.set_x_axis(value_axis)
        chart.set_legend({"none": True})
        chart.set_size({"width": 560, "height": 380})
        sheet.insert_chart(top, 4, chart, {"x_offset": 10})

    # -- 漏斗分析 --------------------------------------------------------------------

    def funnel(self) -> None:
        t = self.t
        sheet = self.add_sheet(self.sheets["funnel"])
        cells = _Cells(sheet, self.formats)
        self.title(cells, t("funnel.title", as_of=self.as_of_text), t("funnel.note"))
        cells.flush()
        stages = self.team.stages
        last = len(stages) - 1
        min_sample = self.rules.thresholds.min_sample
        columns = [
            _Column(t("col.stage"), [s.stage for s in stages]),
            _Column(t("col.current"), [s.current for s in stages], "int"),
            _Column(t("col.reached"), [s.reached for s in stages], "int"),
            _Column(t("col.exited"), [s.exited for s in stages], "int"),
            _Column(t("col.pass_rate"), [s.pass_rate for s in stages], "pct"),
            _Column(t("col.loss_rate"), [s.loss_rate for s in stages], "pct"),
            _Column(t("col.lost_here"), [s.lost_here for s in stages], "int"),
            _Column(t("col.avg_dwell"), [s.avg_dwell_days for s in stages], "days1"),
            _Column(t("col.stalled"), [s.stalled for s in stages], "int"),
            _Column(
                t("col.max_dwell"),
                [None if k == last else s.max_dwell_days for k, s in enumerate(self.rules.stages)],
                "int",
            ),
            _Column(t("col.amount", unit=self.unit), [s.amount for s in stages], "amount"),
            _Column(t("col.weighted_amount", unit=self.unit), [s.weighted_amount for s in stages], "amount"),
            _Column(
                t("col.remark"),
                [
                    t("funnel.small_sample", exited=s.exited, min_sample=min_sample)
                    if k < last and 0 < s.exited < min_sample else None
                    for k, s in enumerate(stages)
                ],
            ),
        ]
        head = 2
        _write_header(sheet, self.formats, head, columns)
        end = self.rows(sheet, head + 1, columns)
        totals = {
            0: (t("total"), "total_label"),
            1: (sum(s.current for s in stages), "total_int"),
            6: (sum(s.lost_here for s in stages), "total_int"),
            8: (sum(s.stalled for s in stages), "total_int"),
            10: (sum(s.amount for s in stages), "total_amount"),
            11: (sum(s.weighted_amount for s in stages), "total_amount"),
        }
        for c in range(len(columns)):
            value, fmt = totals.get(c, (None, "total_blank"))
            if value is None:
                sheet.write_blank(end, c, None, self.formats(fmt))
            else:
                _write_value(sheet, end, c, value, self.formats(fmt))
        notes = _Cells(sheet, self.formats)
        notes.put(end + 2, 0, t("funnel.lost_unknown", count=self.team.totals.lost_unknown_stage), "note")
        notes.put(end + 3, 0, t("funnel.totals_note"), "note")
        notes.flush()
        _set_widths(sheet, columns)
        sheet.set_column(0, 0, 14)
        sheet.set_row(head, 32)
        sheet.freeze_panes(head + 1, 1)
        first, final = head + 1, head + len(stages) - 1  # rates stop before the won stage
        if final >= first:
            sheet.conditional_format(first, 4, final, 4, {"type": "3_color_scale", **_GOOD_HIGH})
            sheet.conditional_format(first, 5, final, 5, {"type": "3_color_scale", **_GOOD_LOW})
            sheet.conditional_format(first, 7, final, 7, _DWELL_BAR)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)

    # -- 阶段流转 ----------------------------------------------------------------------

    def flow(self) -> None:
        """The month's flow: key period figures, exits per stage, where moves went, every move."""
        t = self.t
        sheet = self.add_sheet(self.sheets["flow"])
        flow = self.analysis.flow
        period = flow.period
        cells = _Cells(sheet, self.formats)
        self.title(
            cells,
            t("flow.title", start=period.start.isoformat(), end=period.end.isoformat()),
            t("flow.note"),
        )
        by_source = period.transitions_by_source
        figures = (
            (t("flow.new"), period.new_leads, "int", t("flow.new.note")),
            (t("flow.won"), period.won, "int", t("flow.won.note")),
            (t("flow.won_amount", unit=self.unit), period.won_amount, "amount", ""),
            (t("flow.lost"), period.lost, "int", t("flow.lost.note")),
            (t("flow.cycle_mean"), period.cycle_mean, "days1", t("flow.cycle_mean.note")),
            (t("flow.cycle_median"), period.cycle_median, "days1", ""),
            (t("flow.moves"), sum(by_source.values()), "int", ""),
            (t("flow.moves.log"), by_source.get(SOURCE_LOG, 0), "int", ""),
            (t("flow.moves.column"), by_source.get(SOURCE_COLUMN, 0), "int", t("flow.moves.column.note")),
            (t("flow.moves.estimated"), by_source.get(SOURCE_ESTIMATED, 0), "int", t("flow.moves.estimated.note")),
        )
        top = 3
        for c, key in enumerate(("col.metric", "col.value", "col.note")):
            cells.put(top, c, t(key), "header")
        for i, (label, value, kind, note) in enumerate(figures, start=top + 1):
            cells.put(i, 0, label, "label")
            cells.put(i, 1, value, kind)
            cells.put(i, 2, note or None, "note")

        row = top + len(figures) + 2
        cells.put(row, 0, t("flow.exits"), "subtitle")
        row += 1
        exit_headers = tuple(t(k) for k in (
            "col.stage", "flow.exits.left", "flow.exits.forward", "flow.exits.back", "flow.exits.lost",
            "flow.exits.period_rate", "flow.exits.cumulative_rate",
        ))
        for c, text in enumerate(exit_headers):
            cells.put(row, c, text, "header")
        sheet.set_row(row, 32)
        cumulative = {s.stage: s.pass_rate for s in self.team.stages}
        exits_first = row + 1
        for e in period.exits:
            row += 1
            values = (
                (e.stage, None), (e.left, "int"), (e.forward, "int"), (e.back, "int"),
                (e.lost, "int"), (e.pass_rate, "pct"), (cumulative.get(e.stage), "pct"),
            )
            for c, (value, kind) in enumerate(values):
                cells.put(row, c, value, kind)
        exits_last = row

        row += 2
        cells.put(row, 0, t("flow.matrix"), "subtitle")
        row += 1
        names = [*self.rules.stage_names, *self.rules.lost_labels]
        counts = {(a, b): n for a, b, n in period.moves}
        cells.put(row, 0, t("flow.matrix.corner"), "header")
        for c, name in enumerate(names, start=1):
            cells.put(row, c, name, "header")
        cells.put(row, len(names) + 1, t("total"), "header")
        for name in names:
            row += 1
            cells.put(row, 0, name, "label")
            for c, to in enumerate(names, start=1):
                cells.put(row, c, counts.get((name, to)) if name != to else None, "int")
            total = sum(n for (a, _), n in counts.items() if a == name)
            cells.put(row, len(names) + 1, total, "total_int")

        row = self.stage_matrix(cells, row + 2)

        row += 2
        cells.put(row, 0, t("flow.moves_list"), "subtitle")
        cells.flush()
        head = row + 1
        moves = self.period_moves()
        columns = [
            _Column(self.header("lead_id"), _text_values(moves, "lead_id")),
            _Column(self.header("customer"), _text_values(moves, "customer")),
            _Column(self.header("owner"), _text_values(moves, "owner")),
            _Column(t("flow.from"), _text_values(moves, "from_stage")),
            _Column(t("flow.to"), _text_values(moves, "to_stage")),
            _Column(t("col.date"), _date_values(moves, "date"), "date"),
            _Column(t("flow.direction"), _text_values(moves, "direction"), width=10),
            _Column(t("flow.evidence"), self.mapped(moves, "source", TRANSITION_SOURCE_KEYS), width=26),
        ]
        _write_header(sheet, self.formats, head, columns)
        end = self.rows(sheet, head + 1, columns)
        if end == head + 1:
            note = t("flow.no_moves") if flow.log_entries or flow.previous_month else t("flow.no_moves_no_log")
            sheet.write_string(end, 0, note, self.formats("note"))
        else:
            sheet.autofilter(head, 0, end - 1, len(columns) - 1)
        if exits_last >= exits_first:
            sheet.conditional_format(
                exits_first, 5, exits_last, 5, {"type": "3_color_scale", **_GOOD_HIGH}
            )
        _set_widths(sheet, columns)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 1, max(_column_width(columns[1]), 12))
        sheet.set_column(2, 2, max(_column_width(columns[2]), 14))
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)

    def stage_matrix(self, cells: _Cells, row: int) -> int:
        """Where the leads of the previous snapshot (rows: their stage then) are now (columns).
        Returns the last row written."""
        t = self.t
        matrix = self.analysis.forecast.matrix if self.analysis.forecast is not None else None
        if matrix is None:
            cells.put(row, 0, t("matrix.title", since="—"), "subtitle")
            cells.put(row + 1, 0, t("matrix.none"), "note")
            return row + 1
        cells.put(row, 0, t("matrix.title", since=matrix.since), "subtitle")
        cells.put(row + 1, 0, t("matrix.note", since=matrix.since), "note")
        row += 2
        cells.put(row, 0, t("matrix.corner", since=matrix.since), "header")
        names = {NEW_LEADS: t("matrix.new"), GONE_LEADS: t("matrix.gone")}
        for c, name in enumerate(matrix.columns, start=1):
            cells.put(row, c, names.get(name, name), "header")
        cells.put(row, len(matrix.columns) + 1, t("total"), "header")
        for name in matrix.rows:
            row += 1
            cells.put(row, 0, names.get(name, name), "label")
            for c, to in enumerate(matrix.columns, start=1):
                cells.put(row, c, matrix.count(name, to) or None, "int")
            total = sum(matrix.count(name, to) for to in matrix.columns)
            cells.put(row, len(matrix.columns) + 1, total, "total_int")
        return row

    def period_moves(self) -> pd.DataFrame:
        """The period's transitions by date, with the lead's customer and owner, and direction."""
        flow = self.analysis.flow
        start, end = pd.Timestamp(flow.period.start), pd.Timestamp(flow.period.end)
        moves = flow.transitions
        moves = moves[(moves["date"] >= start) & (moves["date"] <= end)]
        moves = moves.sort_values(["date", "lead_id"], kind="stable").reset_index(drop=True)
        leads = self.result.leads
        if "lead_id" in leads and len(moves):
            known = leads.drop_duplicates("lead_id").set_index("lead_id")
            for column in ("customer", "owner"):
                if column in known:
                    moves[column] = moves["lead_id"].map(known[column])
        index_of = {name: i for i, name in enumerate(self.rules.stage_names)}
        lost = set(self.rules.lost_labels)
        t = self.t
        moves["direction"] = [
            t("direction.lost") if b in lost else t("direction.revived") if a in lost
            else t("direction.forward") if index_of.get(b, -1) > index_of.get(a, -1) else t("direction.back")
            for a, b in zip(moves["from_stage"], moves["to_stage"])
        ]
        return moves

    # -- 趋势 ------------------------------------------------------------------------

    def trend(self) -> None:
        """The last twelve months side by side (months as columns) and line charts of them."""
        t = self.t
        trend_sheet = self.sheets["trend"]
        sheet = self.add_sheet(trend_sheet)
        months = self.analysis.flow.trend
        cells = _Cells(sheet, self.formats)
        self.title(cells, t("trend.title", count=len(months), as_of=self.as_of_text), t("trend.note"))
        labels = [x.label for x in self.team.transitions]
        pass_rate = [t("trend.pass_rate", label=label) for label in labels]
        period_rate = [t("trend.period_pass_rate", label=label) for label in labels]
        pipeline, weighted = t("col.pipeline", unit=self.unit), t("col.weighted_pipeline", unit=self.unit)
        new, won, lost = t("flow.new"), t("flow.won"), t("flow.lost")
        cycle, period_cycle = t("trend.cycle_mean"), t("trend.period_cycle")
        rows: list[tuple[str, Callable[[MonthFigures], Any], str]] = [
            (t("trend.leads"), lambda m: m.leads, "int"),
            (t("trend.active"), lambda m: m.active, "int"),
            (new, lambda m: m.new_leads, "int"),
            (won, lambda m: m.won, "int"),
            (lost, lambda m: m.lost, "int"),
            (t("col.win_rate"), lambda m: m.win_rate, "pct"),
            *((name, lambda m, k=label: m.pass_rates.get(k), "pct") for name, label in zip(pass_rate, labels)),
            (cycle, lambda m: m.cycle_mean, "days1"),
            (period_cycle, lambda m: m.period_cycle_mean, "days1"),
            (pipeline, lambda m: m.pipeline, "amount"),
            (weighted, lambda m: m.weighted_pipeline, "amount"),
            *((name, lambda m, k=label: m.period_pass_rates.get(k), "pct") for name, label in zip(period_rate, labels)),
        ]
        head = 3
        cells.put(head, 0, t("col.metric"), "header")
        cells.put(head + 1, 0, t("trend.basis"), "label")
        cells.put(head + 2, 0, t("trend.as_of"), "label")
        basis = _labels(t, BASIS_KEYS)
        month_labels = [self.trend_month_label(i) for i in range(len(months))]
        for c, month in enumerate(months, start=1):
            cells.put(head, c, month_labels[c - 1], "header")
            cells.put(head + 1, c, basis.get(month.basis) if month else t("trend.no_data"))
            cells.put(head + 2, c, month.as_of if month else None, "date")
        first = head + 3
        where: dict[str, int] = {}
        shown: dict[str, list] = {}  # each row's values, for the charts' cached data
        for r, (label, value, kind) in enumerate(rows, start=first):
            where[label] = r
            shown[label] = [value(month) if month is not None else None for month in months]
            cells.put(r, 0, label, "label")
            for c, figure in enumerate(shown[label], start=1):
                cells.put(r, c, figure, kind)
        cells.flush()
        last_col = len(months)
        sheet.set_column(0, 0, 30)
        sheet.set_column(1, max(last_col, 1), 11)
        sheet.set_row(head, 20)
        sheet.freeze_panes(head + 1, 1)

        chart_row = first + len(rows) + 2
        charts = (
            (t("trend.chart.rates"), [t("col.win_rate"), *pass_rate], "0%"),
            (t("trend.chart.period_rates"), period_rate, "0%"),
            (t("trend.chart.pipeline", unit=self.unit), [pipeline, weighted], "#,##0"),
            (t("trend.chart.leads"), [new, won, lost], "0"),
            (t("trend.chart.cycle"), [cycle, period_cycle], "0"),
        )
        for i, (title, series, number_format) in enumerate(charts):
            chart = self.workbook.add_chart({"type": "line"})
            for label in series:
                r = where[label]
                chart.add_series(
                    {
                        "name": [trend_sheet, r, 0],
                        "categories": [trend_sheet, head, 1, head, last_col],
                        "values": [trend_sheet, r, 1, r, last_col],
                        **_cached(month_labels, shown[label], label),
                        "marker": {"type": "circle", "size": 5},
                    }
                )
            chart.set_title({"name": title})
            axis = {"num_format": number_format, "major_gridlines": {"visible": True}}
            if number_format == "0%":
                axis.update({"min": 0, "max": 1})
            chart.set_y_axis(axis)
            chart.set_legend({"position": "bottom"})
            chart.show_blanks_as("gap")
            chart.set_size({"width": 560, "height": 300})
            sheet.insert_chart(chart_row + (i // 2) * 16, (i % 2) * 7, chart)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)

    def trend_month_label(self, i: int) -> str:
        month = self.analysis.flow.trend[i]
        if month is not None:
            return month.month
        # A month without data sits between months that have it: count back from the last one.
        last = self.analysis.flow.trend[-1]
        back = len(self.analysis.flow.trend) - 1 - i
        year, mon = (int(x) for x in last.month.split("-"))
        index = year * 12 + mon - 1 - back
        return f"{index // 12:04d}-{index % 12 + 1:02d}"

    # -- 负责人对比 / 渠道分析 -------------------------------------------------------

    def comparison(
        self, name: str, key_header: str, groups: dict[str, FunnelMetrics], *, chart: bool,
        flags: dict[str, str] | None = None,
    ) -> None:
        t = self.t
        sheet = self.add_sheet(name)
        cells = _Cells(sheet, self.formats)
        min_sample = self.min_sample
        self.title(
            cells,
            t("compare.title", name=name, as_of=self.as_of_text),
            t("compare.note", min_sample=min_sample, small=t("small_sample")),
        )
        cells.flush()
        metrics = list(groups.values())
        transitions = self.team.transitions
        columns = [
            _Column(key_header, list(groups)),
            _Column(t("col.leads"), [m.totals.valid for m in metrics], "int"),
            _Column(t("col.active"), [m.totals.active for m in metrics], "int"),
            _Column(t("col.won"), [m.totals.won for m in metrics], "int"),
            _Column(t("col.lost"), [m.totals.lost for m in metrics], "int"),
        ]
        team_row: list = [
            t("col.team"), self.team.totals.valid, self.team.totals.active, self.team.totals.won,
            self.team.totals.lost,
        ]
        rate_cols = []
        for k, transition in enumerate(transitions):
            rates = [m.pass_counts(k) for m in metrics]
            rate_cols.append(len(columns))
            columns += self.rate_columns(transition.label, rates, best_against=transition.rate)
            team_row += [transition.rate, self.counts(self.team.pass_counts(k))]
        loss_cols = []
        for k, stage in enumerate(self.team.stages[:-1]):
            loss_cols.append(len(columns))
            columns += self.rate_columns(
                t("col.stage_loss_rate", stage=stage.stage), [m.loss_counts(k) for m in metrics],
            )
            team_row += [stage.loss_rate, self.counts(self.team.loss_counts(k))]
        win_col = len(columns)
        columns += self.rate_columns(t("col.win_rate"), [m.win for m in metrics])
        team = self.team
        team_row += [team.win_rate, self.counts(team.win)]
        columns += [
            _Column(t("col.win_rate_amount"), [m.win_rate_amount for m in metrics], "pct"),
            _Column(t("col.avg_cycle"), [m.cycle_mean for m in metrics], "days1"),
            _Column(t("col.median_cycle"), [m.cycle_median for m in metrics], "days1"),
            _Column(t("col.avg_lost_cycle"), [m.lost_cycle_mean for m in metrics], "days1"),
            _Column(t("col.pipeline", unit=self.unit), [m.pipeline for m in metrics], "amount"),
            _Column(t("col.weighted_pipeline", unit=self.unit), [m.weighted_pipeline for m in metrics], "amount"),
            _Column(t("col.stalled"), [m.stalled for m in metrics], "int"),
            _Column(t("col.snoozed"), [m.snoozed for m in metrics], "int"),
        ]
        team_row += [
            team.win_rate_amount, team.cycle_mean, team.cycle_median, team.lost_cycle_mean,
            team.pipeline, team.weighted_pipeline, team.stalled, team.snoozed,
        ]
        if flags is not None:
            columns.append(
                _Column(
                    t("col.low_months", months=self.rules.thresholds.low_channel_months),
                    [flags.get(key) for key in groups], width=40,
                    formats=["red" if key in flags else None for key in groups],
                )
            )
        head = 2
        _write_header(sheet, self.formats, head, columns)
        end = self.rows(sheet, head + 1, columns)
        for c, value in enumerate(team_row):
            kind = columns[c].kind
            fmt = "total_label" if c == 0 else {
                "int": "total_int", "amount": "total_amount"
            }.get(kind, None if kind == "text" else kind)
            _write_value(sheet, end + 1, c, value, self.formats(fmt))
        _set_widths(sheet, columns)
        sheet.set_row(head, 44)
        sheet.freeze_panes(head + 1, 1)
        if metrics:
            sheet.autofilter(head, 0, end - 1, len(columns) - 1)
        last = end + 1
        if name == self.sheets["owners"]:
            last = self.owner_quality_table(sheet, end + 3, groups)
        if chart and metrics:
            self.source_chart(sheet, columns, head, end, win_col, rate_cols[0] if rate_cols else None, last)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)

    def hygiene_columns(
        self, names: list[str], quality, owner_width: float | None = None
    ) -> list[_Column]:
        """Each owner's data-quality score and, per part, the points earned and failing/applicable."""
        t = self.t
        scores: list[HygieneScore | None] = [quality.hygiene.get(n) for n in names]
        columns = [
            _Column(t("col.owner"), names, width=owner_width),
            _Column(t("quality.score"), [None if h is None else h.score for h in scores], "score"),
        ]
        for part in HYGIENE_PARTS:
            label = t(f"hygiene.{part}")
            columns += [
                _Column(
                    t("quality.part.earned", label=label, points=f"{self.rules.hygiene.points_of(part):g}"),
                    [None if h is None else h.part(part).earned for h in scores], "score",
                ),
                _Column(
                    t("quality.part.failing", label=label),
                    [None if h is None else f"{h.part(part).failing}/{h.part(part).applicable}" for h in scores],
                ),
            ]
        return columns

    def owner_quality_table(self, sheet, row: int, groups: dict[str, FunnelMetrics]) -> int:
        """Below 负责人对比: each rep's data hygiene score with its parts, drift, target and coverage.
        Returns the row after the table."""
        quality = self.analysis.quality
        targets = dict(self.rules.targets)
        names = list(groups) + [n for n in quality.hygiene if n not in groups]
        t = self.t
        sheet.write_string(row, 0, t("quality.owners.title"), self.formats("subtitle"))
        sheet.write_string(
            row + 1, 0, t("quality.owners.note", sheet=self.sheets["quality"]), self.formats("note"),
        )
        columns = self.hygiene_columns(names, quality)
        weighted = [groups[n].weighted_pipeline if n in groups else None for n in names]
        target = [targets.get(n) for n in names]
        columns += [
            _Column(t("quality.drift_count"), [quality.drift_count(n) for n in names], "int"),
            _Column(t("quality.target", unit=self.unit), target, "amount"),
            _Column(t("quality.weighted", unit=self.unit), weighted, "amount"),
            _Column(
                t("quality.coverage"),
                [None if t is None or not t or w is None else w / t for w, t in zip(weighted, target)],
                "pct",
            ),
        ]
        head = row + 2
        _write_header(sheet, self.formats, head, columns)
        sheet.set_row(head, 44)
        end = self.rows(sheet, head + 1, columns)
        team = quality.team_hygiene
        _write_value(sheet, end, 0, t("col.team"), self.formats("total_label"))
        _write_value(sheet, end, 1, team.score, self.formats("score"))
        for i, part in enumerate(HYGIENE_PARTS):
            p = team.part(part)
            _write_value(sheet, end, 2 + 2 * i, p.earned, self.formats("score"))
            _write_value(sheet, end, 3 + 2 * i, f"{p.failing}/{p.applicable}", None)
        _write_value(sheet, end, 2 + 2 * len(HYGIENE_PARTS), len(quality.drift), self.formats("total_int"))
        if end > head + 1:
            sheet.conditional_format(
                head + 1, 1, end - 1, 1, {"type": "3_color_scale", **_GOOD_HIGH, "min_type": "num",
                                          "min_value": 0, "max_type": "num", "max_value": 100,
                                          "mid_type": "num", "mid_value": 70}
            )
        return end + 1

    def source_chart(
        self, sheet, columns: Sequence[_Column], head: int, end: int, win_col: int,
        first_rate_col: int | None, below: int,
    ) -> None:
        """Win rate (and first-transition pass rate) per source, from the table above the chart
        (``columns``, written from row ``head``)."""
        chart = self.workbook.add_chart({"type": "column"})
        name = self.sheets["sources"]
        categories = [name, head + 1, 0, end - 1, 0]
        sources = columns[0].values
        chart.add_series(
            {
                "name": [name, head, win_col],
                "categories": categories,
                "values": [name, head + 1, win_col, end - 1, win_col],
                **_cached(sources, columns[win_col].values, columns[win_col].header),
                "data_labels": {"value": True, "num_format": "0%"},
                "fill": {"color": "#4472C4"},
            }
        )
        if first_rate_col is not None:
            chart.add_series(
                {
                    "name": [name, head, first_rate_col],
                    "categories": categories,
                    "values": [name, head + 1, first_rate_col, end - 1, first_rate_col],
                    **_cached(sources, columns[first_rate_col].values, columns[first_rate_col].header),
                    "fill": {"color": "#A5A5A5"},
                }
            )
        chart.set_title({"name": self.t("chart.sources")})
        chart.set_y_axis(
            {"num_format": "0%", "min": 0, "max": 1, "major_gridlines": {"visible": True}}
        )
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 640, "height": 340})
        sheet.insert_chart(below + 2, 0, chart)

    # -- one sheet per rep ----------------------------------------------------------

    def reps(self) -> None:
        groups = _rep_leads(self.result)
        none = self.result.leads.iloc[:0]
        for owner, metrics in self.result.by_owner.items():
            self.place(
                self.rep_names[owner],
                lambda owner=owner, metrics=metrics: self.rep(owner, metrics, groups.get(owner, none)),
            )

    def rep(
        self, owner: str, m: FunnelMetrics, active: pd.DataFrame, *,
        sheet_name: str | None = None, title: str | None = None, owner_column: bool = False,
    ) -> None:
        """A rep's own page: key figures, then every open lead with its alerts, longest dwell first.

        All alerts concern open leads, so they are a column of the leads table (one row per lead)
        rather than a second table repeating the 预警 sheet. A channel's page (``owner_column``)
        adds each lead's owner as the last column.
        """
        t = self.t
        sheet = self.add_sheet(sheet_name or self.rep_names[owner])
        cells = _Cells(sheet, self.formats)
        self.title(cells, title or t("rep.title", owner=owner, as_of=self.as_of_text))
        figures = (
            (t("col.leads"), m.totals.valid, "int"),
            (t("col.active"), m.totals.active, "int"),
            (t("col.won"), m.totals.won, "int"),
            (t("col.lost"), m.totals.lost, "int"),
            (t("col.win_rate"), m.win_rate, "pct_small" if m.win.small(self.min_sample) else "pct"),
            (t("counts.header", label=t("col.win_rate")), self.counts(m.win), None),
            (t("col.pipeline", unit=self.unit), m.pipeline, "amount"),
            (t("col.weighted_pipeline", unit=self.unit), m.weighted_pipeline, "amount"),
            (t("col.stalled"), m.stalled, "int"),
            (t("col.overdue"), m.overdue, "int"),
            (t("col.stale"), m.stale, "int"),
            (t("col.close_past"), m.close_past, "int"),
            (t("col.snoozed"), m.snoozed, "int"),
        )
        for c, (label, value, kind) in enumerate(figures):
            cells.put(2, c, label, "header")
            cells.put(3, c, value, kind)
        cells.put(5, 0, t("rep.open_leads"), "subtitle")
        cells.flush()

        if len(active):
            order = pd.DataFrame(
                {
                    "dwell": pd.to_numeric(active["dwell_days"], errors="coerce")
                    .to_numpy(dtype=float, na_value=np.nan),
                    "lead": active["lead_id"].astype(str).to_numpy() if "lead_id" in active else "",
                }
            ).sort_values(
                ["dwell", "lead"], ascending=[False, True], na_position="last", kind="stable"
            )
            active = active.iloc[order.index.to_numpy()]
        stage_idx = [None if v is None else int(v) for v in _number_values(active, "stage_idx")]
        columns = [
            _Column(self.header("lead_id"), _text_values(active, "lead_id")),
            _Column(self.header("customer"), _text_values(active, "customer")),
            _Column(self.header(self.channel), _text_values(active, self.channel)),
            _Column(self.header("stage"), _text_values(active, "stage")),
            _Column(t("col.stage_entered"), _date_values(active, "stage_entered"), "date"),
            _Column(t("col.dwell"), _number_values(active, "dwell_days"), "days"),
            _Column(t("col.limit"), self.stage_limit(stage_idx), "days"),
            _Column(t("col.since_follow_up"), _number_values(active, "days_since_follow_up"), "days"),
            _Column(self.header("next_follow_up"), _date_values(active, "next_follow_up"), "date"),
            _Column(self.header("expected_close"), _date_values(active, "expected_close"), "date"),
            _Column(self.header("amount"), _number_values(active, "amount"), "amount"),
            _Column(t("col.alerts"), _alert_labels(active, self.alert_labels, t("list_sep")), width=30),
        ]
        if owner_column:
            columns.append(_Column(self.header("owner"), _text_values(active, "owner")))
        head = 6
        _write_header(sheet, self.formats, head, columns)
        end = self.rows(sheet, head + 1, columns)
        if len(active):
            # Stalled rows in red: dwell above the stage's limit.
            sheet.conditional_format(
                head + 1, 0, end - 1, len(columns) - 1,
                {
                    "type": "formula",
                    "criteria": f"=AND(ISNUMBER($F{head + 2}),$F{head + 2}>$G{head + 2})",
                    "format": self.formats("red"),
                },
            )
            sheet.autofilter(head, 0, end - 1, len(columns) - 1)
        else:
            sheet.write_string(end, 0, t("rep.no_open_leads"), self.formats("note"))
        for c, column in enumerate(columns):
            sheet.set_column(c, c, max(_column_width(column), 12))
        sheet.set_row(head, 32)
        sheet.freeze_panes(head + 1, 1)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)

    # -- 预警 ------------------------------------------------------------------------

    def sorted_alerts(self) -> pd.DataFrame:
        """All alerts by type (停留超时, 跟进逾期, 久未跟进, 预计成交日已过), owner, then days, longest first."""
        alerts = self.result.alerts
        if alerts is None or alerts.empty:
            return pd.DataFrame(columns=["kind", "owner"])
        kinds = list(ALERT_LABELS)
        kind_order = alerts["kind"].map({k: i for i, k in enumerate(kinds)}).fillna(len(kinds))
        # "days" is what the alert is about: dwell, days since follow-up, or days past the date.
        dwell = np.asarray(_number_values(alerts, "dwell_days"), dtype=float)
        since = np.asarray(_number_values(alerts, "days_since_follow_up"), dtype=float)
        past = float(_excel_serial(self.analysis.as_of)) - np.asarray(
            _date_values(alerts, "date"), dtype=float
        )
        kind = alerts["kind"].to_numpy()
        days = np.where(kind == ALERT_STALLED, dwell, np.where(kind == ALERT_STALE, since, past))
        key = pd.DataFrame(
            {
                "kind": kind_order.to_numpy(dtype=float),
                "owner": _sort_text(alerts, "owner"),
                "days": days,
                "lead": _sort_text(alerts, "lead_id"),
            }
        )
        order = key.sort_values(
            ["kind", "owner", "days", "lead"], ascending=[True, True, False, True],
            na_position="last", kind="stable",
        ).index.to_numpy()
        return alerts.iloc[order]

    def alert_columns(self, alerts: pd.DataFrame) -> list[_Column]:
        t = self.t
        return [
            _Column(t("col.kind"), _mapped_values(alerts, "kind", self.alert_labels), width=14),
            _Column(t("col.lead_id"), _text_values(alerts, "lead_id")),
            _Column(t("col.customer"), _text_values(alerts, "customer")),
            _Column(t("col.owner"), _text_values(alerts, "owner")),
            _Column(
                t("col.source") if self.channel == "source" else self.header(self.channel),
                _text_values(alerts, self.channel),
            ),
            _Column(t("col.stage"), _text_values(alerts, "stage")),
            _Column(t("col.dwell"), _number_values(alerts, "dwell_days"), "days"),
            _Column(t("col.limit"), _number_values(alerts, "limit_days"), "days"),
            _Column(t("col.since_follow_up"), _number_values(alerts, "days_since_follow_up"), "days"),
            _Column(t("col.date"), _date_values(alerts, "date"), "date"),
        ]

    def alerts(self) -> None:
        t = self.t
        sheet = self.add_sheet(self.sheets["alerts"])
        alerts = self.sorted_alerts()
        columns = self.alert_columns(alerts)
        _write_header(sheet, self.formats, 0, columns)
        end = self.rows(sheet, 1, columns)
        if end == 1:
            sheet.write_string(1, 0, t("alerts.none"), self.formats("note"))
        else:
            sheet.autofilter(0, 0, end - 1, len(columns) - 1)
            sheet.conditional_format(1, 6, end - 1, 6, _DWELL_BAR)
        _set_widths(sheet, columns)
        sheet.freeze_panes(1, 0)
        end = self.snoozed_block(sheet, max(end, 2) + 2)
        n = self.rules.thresholds.close_slips
        slips = self.analysis.forecast.slipped(n) if self.analysis.forecast is not None else None
        sheet.write_string(end + 1, 0, t("forecast.alerts", n=n), self.formats("subtitle"))
        last = self.slips_table(sheet, end + 2, slips if slips is not None else pd.DataFrame())
        if last == end + 3:
            sheet.write_string(last, 0, t("forecast.alerts_none"), self.formats("note"))

    def snoozed_block(self, sheet, row: int) -> int:
        """The snoozed leads, below the alerts: parked for a known reason, with the reason.
        Returns the row after the block."""
        leads = self.result.leads
        snoozed = leads[leads["snoozed"]] if "snoozed" in leads else leads.iloc[:0]
        if len(snoozed):
            order = pd.DataFrame(
                {"owner": _sort_text(snoozed, "owner"), "lead": _sort_text(snoozed, "lead_id")}
            ).sort_values(["owner", "lead"], kind="stable").index.to_numpy()
            snoozed = snoozed.iloc[order]
        t = self.t
        sheet.write_string(row, 0, t("snoozed.title"), self.formats("subtitle"))
        stage_idx = [None if v is None else int(v) for v in _number_values(snoozed, "stage_idx")]
        over = snoozed["over_limit"].tolist() if "over_limit" in snoozed else [None] * len(snoozed)
        columns = [
            _Column(t("col.lead_id"), _text_values(snoozed, "lead_id")),
            _Column(t("col.customer"), _text_values(snoozed, "customer")),
            _Column(t("col.owner"), _text_values(snoozed, "owner")),
            _Column(t("col.stage"), _text_values(snoozed, "stage")),
            _Column(t("col.dwell"), _number_values(snoozed, "dwell_days"), "days"),
            _Column(t("col.limit"), self.stage_limit(stage_idx), "days"),
            _Column(t("snoozed.over_limit"), [None if v is None else self.yes_no(v) for v in over]),
            _Column(t("field.snooze_until"), _date_values(snoozed, "snooze_until"), "date"),
            _Column(t("field.snooze_reason"), _text_values(snoozed, "snooze_reason"), width=30),
        ]
        _write_header(sheet, self.formats, row + 1, columns)
        end = self.rows(sheet, row + 2, columns)
        if end == row + 2:
            sheet.write_string(end, 0, t("snoozed.none"), self.formats("note"))
            end += 1
        return end

    # -- 优化建议 ---------------------------------------------------------------------

    def suggestions(self) -> None:
        t = self.t
        sheet = self.add_sheet(self.sheets["suggestions"])
        fired = self.result.suggestions
        cells = _Cells(sheet, self.formats)
        self.title(cells, t("suggestions.title", as_of=self.as_of_text), t("suggestions.note"))
        cells.flush()
        metric = {s.metric: t(f"metric.{s.metric}") for s in fired if t.has(f"metric.{s.metric}")}
        columns = [
            _Column(t("col.number"), list(range(1, len(fired) + 1)), "int", width=6),
            _Column(t("col.suggestion"), [s.text for s in fired], width=80),
            _Column(t("col.suggestion_metric"), [metric.get(s.metric, s.metric) for s in fired], width=16),
            _Column(t("col.value"), [s.value for s in fired], "pct", width=10),
            _Column(t("col.stage_or_channel"), [s.stage or s.source for s in fired], width=14),
        ]
        _write_header(sheet, self.formats, 2, columns)
        end = self.rows(sheet, 3, columns)
        if not fired:
            sheet.write_string(end, 0, t("suggestions.none"), self.formats("note"))
        _set_widths(sheet, columns)
        sheet.freeze_panes(3, 0)

    # -- 数据质量 ---------------------------------------------------------------------

    def quality(self, *, single: str | None = None) -> None:
        """Each rep's hygiene score with its parts, the hand-typed values that drift from the
        recalculated ones, and the rows to fix. ``single``: a rep's own workbook (their row only)."""
        t = self.t
        sheet = self.add_sheet(self.sheets["quality"])
        quality = self.analysis.quality
        thresholds = self.rules.thresholds
        cells = _Cells(sheet, self.formats)
        self.title(
            cells,
            t("quality.title", as_of=self.as_of_text),
            t(
                "quality.note", days=thresholds.drift_dwell_days,
                points=f"{thresholds.drift_pass_rate_points:g}",
            ),
        )
        cells.put(3, 0, t("quality.score"), "subtitle")
        cells.flush()
        names = [single] if single is not None else sorted(quality.hygiene)
        columns = self.hygiene_columns(names, quality, owner_width=14)
        head = 4
        _write_header(sheet, self.formats, head, columns)
        sheet.set_row(head, 44)
        row = self.rows(sheet, head + 1, columns)
        widths = columns

        row += 1
        sheet.write_string(row, 0, t("quality.drift.title"), self.formats("subtitle"))
        drift = quality.drift
        columns = [
            _Column(t("col.owner"), _text_values(drift, "owner")),
            _Column(t("col.lead_id"), _text_values(drift, "lead_id")),
            _Column(t("col.customer"), _text_values(drift, "customer")),
            _Column(t("col.stage"), _text_values(drift, "stage")),
            _Column(t("col.kind"), self.mapped(drift, "kind", DRIFT_KEYS)),
            _Column(t("quality.drift.typed"), _text_values(drift, "typed")),
            _Column(t("quality.drift.expected"), _text_values(drift, "expected")),
            _Column(t("quality.drift.difference"), _number_values(drift, "difference"), "days1"),
            _Column(t("col.source_file"), _text_values(drift, "_file")),
            _Column(t("col.source_row"), _number_values(drift, "_row"), "int"),
        ]
        _write_header(sheet, self.formats, row + 1, columns)
        end = self.rows(sheet, row + 2, columns)
        if end == row + 2:
            sheet.write_string(end, 0, t("quality.drift.none"), self.formats("note"))
            end += 1

        row = end + 1
        sheet.write_string(row, 0, t("quality.fixes.title"), self.formats("subtitle"))
        fixes = quality.fixes
        columns = [
            _Column(t("col.owner"), _text_values(fixes, "owner")),
            _Column(t("col.lead_id"), _text_values(fixes, "lead_id")),
            _Column(t("col.customer"), _text_values(fixes, "customer")),
            _Column(t("col.stage"), _text_values(fixes, "stage")),
            _Column(t("quality.fixes.problem"), self.mapped(fixes, "part", HYGIENE_KEYS)),
            _Column(t("quality.fixes.how"), self.mapped(fixes, "part", HYGIENE_FIX_KEYS), width=44),
            _Column(t("col.source_file"), _text_values(fixes, "_file")),
            _Column(t("col.source_row"), _number_values(fixes, "_row"), "int"),
        ]
        _write_header(sheet, self.formats, row + 1, columns)
        end = self.rows(sheet, row + 2, columns)
        if end == row + 2:
            sheet.write_string(end, 0, t("quality.fixes.none"), self.formats("note"))
        for c in range(max(len(widths), len(columns))):
            width = max(
                _column_width(widths[c]) if c < len(widths) else 8,
                _column_width(columns[c]) if c < len(columns) else 8,
            )
            sheet.set_column(c, c, min(width, _MAX_WIDTH))
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)

    # -- 预测 ------------------------------------------------------------------------

    def forecast(self) -> None:
        t = self.t
        u = self.unit
        sheet = self.add_sheet(self.sheets["forecast"])
        f: Forecast = self.analysis.forecast
        cells = _Cells(sheet, self.formats)
        self.title(cells, t("forecast.title", as_of=self.as_of_text), t("forecast.note"))
        head = 3
        headers = (
            t("forecast.month"), t("forecast.leads"), t("forecast.amount", unit=u),
            t("forecast.weighted", unit=u), t("forecast.won", unit=u), t("forecast.won_count"),
        )
        for c, text in enumerate(headers):
            cells.put(head, c, text, "header")
        rows = [
            (t("forecast.current", month=f.current.month, as_of=self.as_of_text), f.current, f.won_amount, f.won_count),
            *((m.month, m, None, None) for m in f.ahead),
            (t("forecast.overdue"), f.overdue, None, None),
            (t("forecast.undated"), f.undated, None, None),
        ]
        for i, (label, m, won, won_count) in enumerate(rows, start=head + 1):
            cells.put(i, 0, label, "label")
            cells.put(i, 1, m.leads, "int")
            cells.put(i, 2, m.amount, "amount")
            cells.put(i, 3, m.weighted, "amount")
            cells.put(i, 4, won, "amount")
            cells.put(i, 5, won_count, "int")
        row = head + len(rows) + 1
        cells.put(row, 0, t("forecast.current_note"), "note")

        row += 2
        cells.put(row, 0, t("forecast.checks"), "subtitle")
        cells.put(row + 1, 0, t("forecast.checks_note"), "note")
        row += 2
        headers = (
            t("forecast.month"), t("forecast.made_in"), t("forecast.checked_leads"),
            t("forecast.previous", unit=u), t("forecast.won", unit=u), t("forecast.accuracy"),
        )
        for c, text in enumerate(headers):
            cells.put(row, c, text, "header")
        for check in f.checks:
            row += 1
            cells.put(row, 0, check.month, "label")
            cells.put(row, 1, t("forecast.rebuild", month=check.made_in))
            cells.put(row, 2, check.leads, "int")
            cells.put(row, 3, check.forecast, "amount")
            cells.put(row, 4, check.actual, "amount")
            cells.put(row, 5, check.accuracy, "pct")
        if not f.checks:
            row += 1
            cells.put(row, 0, t("forecast.checks_none"), "note")

        row += 2
        n = self.rules.thresholds.close_slips
        cells.put(row, 0, t("forecast.slips"), "subtitle")
        cells.put(row + 1, 0, t("forecast.slips_note", n=n), "note")
        cells.flush()
        end = self.slips_table(sheet, row + 2, f.slipped(1))
        if end == row + 3:
            sheet.write_string(end, 0, t("forecast.slips_none"), self.formats("note"))
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 5, 16)
        sheet.set_column(6, 7, 40)
        sheet.set_row(head, 20)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)

    def slips_table(self, sheet, head: int, slips: pd.DataFrame) -> int:
        """The slipped leads under a header at ``head``; returns the row after the last."""
        t = self.t
        columns = [
            _Column(t("col.lead_id"), _text_values(slips, "lead_id")),
            _Column(t("col.customer"), _text_values(slips, "customer")),
            _Column(t("col.owner"), _text_values(slips, "owner")),
            _Column(t("col.stage"), _text_values(slips, "stage")),
            _Column(t("slips.first"), _date_values(slips, "first_close"), "date"),
            _Column(t("slips.now"), _date_values(slips, "close"), "date"),
            _Column(t("slips.count"), _number_values(slips, "slips"), "int"),
            _Column(t("slips.path"), _text_values(slips, "path"), width=40),
        ]
        _write_header(sheet, self.formats, head, columns)
        return self.rows(sheet, head + 1, columns)

    # -- 运行信息 ---------------------------------------------------------------------

    def is_team_record(self) -> bool:
        """The team report (a rep's workbook counts only their own rows)."""
        return True

    def run_info(self) -> None:
        """What the report was made from and with: enough to reproduce its numbers."""
        t = self.t
        sheet = self.add_sheet(self.sheets["run"])
        a = self.analysis
        text = {
            key: t(f"run.{key}") for key in (
                "as_of", "period", "rows", "valid", "excluded", "rules", "rules_sha", "inputs",
                "definitions", "versions", "calendar", "log", "history", "no_history", "previous",
                "no_previous", "skipped",
            )
        }
        cells = _Cells(sheet, self.formats)
        self.title(cells, t("run.title", as_of=self.as_of_text), t("run.note"))
        excluded = len(a.excluded) if a.excluded is not None else 0
        valid = len(self.result.leads)
        items = [
            (text["as_of"], self.analysis.as_of, "date"),
            (text["period"], a.period, None),
            (text["rows"], valid + excluded, "int"),
            (text["valid"], valid, "int"),
            (text["excluded"], excluded, "int"),
            (text["rules"], Path(self.rules.source_path).name, None),
            (text["rules_sha"], self.rules.sha256, None),
        ]
        flow = a.flow
        items.append((text["log"], t("run.log_entries", count=flow.log_entries), None))
        skipped = sum(i.skipped_without_stage for i in a.inputs)
        if skipped:
            items.append((text["skipped"], skipped, "int"))
        if a.history is not None:
            items.append((text["history"], Path(a.history).name, None))
            items.append((text["previous"], flow.previous_month or text["no_previous"], None))
        else:
            items.append((text["history"], text["no_history"], None))
        if self.rules.thresholds.dwell_in_working_days:
            missing = self.result.calendar_years_missing
            items.append(
                (
                    text["calendar"],
                    t("run.calendar_missing", years=t.join(map(str, missing))) if missing
                    else t("run.calendar_ok"),
                    None,
                )
            )
        row = 3
        for label, value, kind in items:
            cells.put(row, 0, label, "label")
            cells.put(row, 1, value, kind)
            row += 1
        row += 1
        cells.put(row, 0, text["inputs"], "subtitle")
        row += 1
        headers = (
            t("col.file"), t("col.sheet"), t("run.header_row"), t("run.rows"), t("run.of_which_excluded"),
            "SHA-256",
        )
        for c, header in enumerate(headers):
            cells.put(row, c, header, "header")
        excluded_by_file = (
            a.excluded["_file"].value_counts().to_dict()
            if a.excluded is not None and len(a.excluded) and "_file" in a.excluded else {}
        )
        valid_by_file = (
            self.result.leads["_file"].value_counts().to_dict()
            if "_file" in self.result.leads else {}
        )
        for item in a.inputs:
            row += 1
            cells.put(row, 0, item.name)
            cells.put(row, 1, item.sheet)
            cells.put(row, 2, item.header_row, "int")
            cells.put(
                row, 3,
                valid_by_file.get(item.name, 0) + excluded_by_file.get(item.name, 0), "int",
            )
            cells.put(row, 4, excluded_by_file.get(item.name, 0), "int")
            cells.put(row, 5, item.sha256)
            if item.log_sheet and self.is_team_record():
                row += 1
                cells.put(row, 0, item.name)
                cells.put(row, 1, item.log_sheet)
                cells.put(row, 3, item.log_rows, "int")
                cells.put(row, 5, item.sha256)
        row += 2
        cells.put(row, 0, text["definitions"], "subtitle")
        for name, meaning in definitions(self.rules):
            row += 1
            cells.put(row, 0, name, "label")
            cells.put(row, 1, meaning)
        row += 2
        cells.put(row, 0, text["versions"], "subtitle")
        for name, version in versions():
            row += 1
            cells.put(row, 0, name, "label")
            cells.put(row, 1, version)
        cells.flush()
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 1, 40)
        sheet.set_column(2, 4, 10)
        sheet.set_column(5, 5, 68)

    # -- 数据问题 ---------------------------------------------------------------------

    def problems(self) -> None:
        t = self.t
        sheet = self.add_sheet(self.sheets["problems"])
        problems = _errors_first(self.analysis.problems)
        severity = [severity_label(p.severity, self.rules.lang) for p in problems]
        columns = [
            _Column(
                t("col.severity"), severity, width=10,
                formats=[p.severity if p.severity in (ERROR, WARNING) else None for p in problems],
            ),
            _Column(t("col.file"), [p.file or None for p in problems]),
            _Column(t("col.sheet"), [p.sheet or None for p in problems]),
            _Column(t("col.row"), [p.row for p in problems], "int", width=7),
            _Column(t("col.column"), [p.column or None for p in problems], width=6),
            _Column(t("col.header"), [p.header or None for p in problems]),
            _Column(t("col.problem_value"), [p.value or None for p in problems]),
            _Column(t("col.message"), [p.message for p in problems], width=70),
            _Column(t("col.code"), [p.code for p in problems]),
        ]
        _write_header(sheet, self.formats, 0, columns)
        end = self.rows(sheet, 1, columns)
        if not problems:
            sheet.write_string(1, 0, t("problems.none"), self.formats("note"))
        else:
            sheet.autofilter(0, 0, end - 1, len(columns) - 1)
        _set_widths(sheet, columns)
        sheet.freeze_panes(1, 0)

    # -- 线索明细 ---------------------------------------------------------------------

    def detail(self) -> None:
        t = self.t
        sheet = self.add_sheet(self.sheets["detail"])
        leads = self.result.leads
        excluded = self.analysis.excluded if self.analysis.excluded is not None else pd.DataFrame()
        columns: list[_Column] = []
        typed: list[tuple[str, str]] = []  # per column: (excluded frame column, kind)
        for col in self.rules.columns:
            source = _DETAIL_VALID_FIELDS.get(col.field, col.field)
            kind = _detail_kind(col.field, col.kind)
            if kind == "date":
                values = _date_values(leads, source)
            elif kind == "text":
                values = _text_values(leads, source)
            else:
                values = _number_values(leads, source)
            columns.append(_Column(col.header, values, kind))
            typed.append((_DETAIL_TYPED_FIELDS.get(col.field, col.field), kind))
        stalled = leads["stalled"].tolist() if "stalled" in leads else [None] * len(leads)
        columns += [
            _Column(t("col.entered_source"), self.mapped(leads, "stage_entered_source", ENTERED_SOURCE_KEYS)),
            _Column(t("col.lost_at_source"), self.mapped(leads, "lost_at_source", LOST_AT_SOURCE_KEYS)),
            _Column(t("col.status"), _mapped_values(leads, "status", self.status_labels), width=18),
            _Column(t("col.stalled"), [None if v is None else self.yes_no(v) for v in stalled]),
            _Column(t("col.source_file"), _text_values(leads, "_file")),
            _Column(t("col.source_row"), _number_values(leads, "_row"), "int"),
        ]
        n_fields = len(self.rules.columns)
        _write_header(sheet, self.formats, 0, columns)
        end = self.rows(sheet, 1, columns)
        if len(excluded):
            end = self.rows(sheet, end, self.excluded_columns(excluded, typed))
        last_col = len(columns) - 1
        sheet.autofilter(0, 0, max(end - 1, 0), last_col)
        sheet.freeze_panes(1, 2)
        sheet.set_row(0, 32)
        _set_widths(sheet, columns)
        if len(leads):
            fields = [c.field for c in self.rules.columns]
            if "dwell_days" in fields:
                dwell_col = fields.index("dwell_days")
                sheet.conditional_format(
                    1, dwell_col, len(leads), dwell_col, _DWELL_BAR
                )
            stalled_col = n_fields + 3
            sheet.conditional_format(
                1, stalled_col, len(leads), stalled_col,
                {"type": "cell", "criteria": "==", "value": f'"{t("yes")}"', "format": self.formats("red")},
            )

    def excluded_columns(
        self, excluded: pd.DataFrame, typed: list[tuple[str, str]]
    ) -> list[_Column]:
        """The excluded rows as the rep typed them, under the same columns as the valid leads."""
        rows = len(excluded)
        columns = []
        for name, kind in typed:
            if kind == "text":
                columns.append(_Column("", _text_values(excluded, name)))
            elif kind == "date":
                columns.append(_Column("", _date_values(excluded, name), "date"))
            else:
                # A number column of a row with errors may hold the text that could not be read.
                values = excluded[name].tolist() if name in excluded else [None] * rows
                values = [None if _is_missing(v) else v for v in values]
                columns.append(_Column("", values, "any", number_format=kind))
        return columns + [
            _Column("", [None] * rows),
            _Column("", [None] * rows),
            _Column("", [self.t("status.excluded")] * rows),
            _Column("", [None] * rows),
            _Column("", _text_values(excluded, "_file")),
            _Column("", _number_values(excluded, "_row"), "int"),
        ]


class _GroupReport(_Report):
    """One rep's (or one channel's) workbook: the team report's sheets, cut to the group's rows.

    The group's analysis (see :mod:`funnel_xl.groups`) is shaped like the team's, so the 预警,
    数据问题 and 线索明细 sheets are the team report's own methods; 总览 and 漏斗分析 put the
    group's figures beside the team's (counts, rates, dwell — no team amount).
    """

    def __init__(self, workbook: xlsxwriter.Workbook, group: Group):
        super().__init__(workbook, group.analysis)
        self.group = group
        self.whole: FunnelMetrics = group.team
        self.own = self.t("col.own_owner") if group.kind == "owner" else self.t("col.own_source")

    def write(self) -> None:
        self.group_overview()
        self.group_funnel()
        self.open_leads()
        self.alerts()
        self.quality(single=self.group.name if self.group.kind == "owner" else None)
        self.problems()
        self.detail()
        self.run_info()

    def is_team_record(self) -> bool:
        return False

    def heading(self) -> str:
        return self.t(f"group.heading.{self.group.kind}", name=self.group.name, as_of=self.as_of_text)

    # -- 总览 ----------------------------------------------------------------------

    def group_overview(self) -> None:
        t = self.t
        sheet = self.add_sheet(self.sheets["overview"])
        sheet.hide_gridlines(2)
        cells = _Cells(sheet, self.formats)
        whose = t(f"group.whose.{self.group.kind}")
        self.title(cells, self.heading(), t("group.subtitle", period=self.analysis.period, whose=whose))
        mine, team = self.team, self.whole
        problems = count_by_severity(self.analysis.problems)
        worst_mine, worst_team = mine.worst_transition, team.worst_transition
        u = self.unit
        rows = (
            (t("fig.total"), mine.totals.total, team.totals.total, "int", t("fig.total.note")),
            (t("fig.valid"), mine.totals.valid, team.totals.valid, "int", t("fig.valid.note")),
            (t("fig.active"), mine.totals.active, team.totals.active, "int", t("fig.active.note")),
            (t("fig.won"), mine.totals.won, team.totals.won, "int", ""),
            (t("fig.lost"), mine.totals.lost, team.totals.lost, "int", t("fig.lost.note")),
            (t("fig.excluded"), mine.totals.excluded, team.totals.excluded, "int", t("fig.excluded.group_note")),
            (t("fig.win_rate"), mine.win_rate, team.win_rate, "pct", t("fig.win_rate.note")),
            (t("fig.overall_conversion"), mine.overall_conversion, team.overall_conversion, "pct",
             t("fig.overall_conversion.note")),
            (t("fig.cycle_mean"), mine.cycle_mean, team.cycle_mean, "days1", t("fig.cycle_mean.group_note")),
            (t("fig.cycle_median"), mine.cycle_median, team.cycle_median, "days1", ""),
            (t("fig.pipeline", unit=u), mine.pipeline, None, "amount", t("fig.pipeline.note")),
            (t("fig.weighted_pipeline", unit=u), mine.weighted_pipeline, None, "amount",
             t("fig.weighted_pipeline.note")),
            (
                t("fig.worst_transition"),
                None if worst_mine is None else worst_mine.label,
                None if worst_team is None else worst_team.label,
                None, t("fig.worst_transition.group_note"),
            ),
            (
                t("fig.worst_rate"),
                None if worst_mine is None else worst_mine.rate,
                None if worst_team is None else worst_team.rate,
                "pct", t("fig.worst_rate.note"),
            ),
            (t("fig.stalled"), mine.stalled, team.stalled, "int", t("fig.stalled.note")),
            (t("fig.overdue"), mine.overdue, team.overdue, "int", t("fig.overdue.note")),
            (t("fig.stale"), mine.stale, team.stale, "int", t("fig.stale.note")),
            (t("fig.close_past"), mine.close_past, team.close_past, "int", t("fig.close_past.note")),
            (t("fig.errors"), problems[ERROR], None, "int", t("fig.errors.group_note")),
            (t("fig.warnings"), problems[WARNING], None, "int", t("fig.warnings.note")),
        )
        top = _OVERVIEW_FIRST_ROW - 1
        for c, text in enumerate((t("col.metric"), self.own, t("col.team"), t("col.note"))):
            cells.put(top, c, text, "header")
        for i, (label, own, whole, kind, note) in enumerate(rows):
            row = _OVERVIEW_FIRST_ROW + i
            cells.put(row, 0, label, "label")
            cells.put(row, 1, own, kind)
            cells.put(row, 2, whole, kind)
            cells.put(row, 3, note or None, "note")
        self.overview_inputs(cells, _OVERVIEW_FIRST_ROW + len(rows) + 1)
        self.funnel_chart(sheet, cells)
        last_row = max(row for row, *_ in cells.cells)
        cells.flush()
        sheet.set_column(0, 0, _label_width([label for label, *_ in rows]))
        sheet.set_column(1, 2, 20)
        sheet.set_column(3, 3, 34)
        sheet.set_column(_CHART_DATA_COL, _CHART_DATA_COL + 2, 12)
        sheet.freeze_panes(_OVERVIEW_FIRST_ROW, 0)
        sheet.print_area(0, 0, last_row, _CHART_DATA_COL - 1)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 1)

    # -- 漏斗分析 --------------------------------------------------------------------

    def rep_vs_team_columns(
        self, label: str, counts_label: str, rates: Sequence[Rate], team_label: str,
        team_rates: list[float | None], *, lower_is_worse: bool,
    ) -> list[_Column]:
        """The rep's rate (red where clearly worse than the team's), its k of n, and the team's rate."""
        t, min_sample = self.t, self.min_sample
        return [
            _Column(
                label, [r.value for r in rates], "pct",
                formats=[
                    _worse(r, team_rate, min_sample, lower_is_worse=lower_is_worse)
                    for r, team_rate in zip(rates, team_rates)
                ],
            ),
            _Column(
                t("counts.header", label=counts_label),
                [self.counts(r) for r in rates], width=20,
                formats=["small" if r.small(min_sample) else None for r in rates],
            ),
            _Column(team_label, team_rates, "pct"),
        ]

    def group_funnel(self) -> None:
        t = self.t
        sheet = self.add_sheet(self.sheets["funnel"])
        cells = _Cells(sheet, self.formats)
        min_sample = self.min_sample
        self.title(
            cells,
            t("group.funnel.title", heading=self.heading()),
            t("group.funnel.note", own=self.own, min_sample=min_sample),
        )
        cells.flush()
        mine, team = self.team.stages, self.whole.stages
        own = self.own
        last = len(mine) - 1
        passes = [self.team.pass_counts(k) if k < last else Rate(0, 0) for k in range(len(mine))]
        losses = [self.team.loss_counts(k) if k < last else Rate(0, 0) for k in range(len(mine))]
        columns = [
            _Column(t("col.stage"), [s.stage for s in mine]),
            _Column(t("col.current"), [s.current for s in mine], "int"),
            _Column(t("col.reached"), [s.reached for s in mine], "int"),
            _Column(t("col.exited"), [s.exited for s in mine], "int"),
            *self.rep_vs_team_columns(
                t("col.own_pass_rate", own=own), t("col.own_pass_rate_short", own=own), passes,
                t("col.team_pass_rate"), [s.pass_rate for s in team], lower_is_worse=True,
            ),
            *self.rep_vs_team_columns(
                t("col.own_loss_rate", own=own), t("col.own_loss_rate", own=own), losses,
                t("col.team_loss_rate"), [s.loss_rate for s in team], lower_is_worse=False,
            ),
            _Column(t("col.lost_here"), [s.lost_here for s in mine], "int"),
            _Column(t("col.avg_dwell"), [s.avg_dwell_days for s in mine], "days1"),
            _Column(t("col.team_avg_dwell"), [s.avg_dwell_days for s in team], "days1"),
            _Column(t("col.stalled"), [s.stalled for s in mine], "int"),
            _Column(t("col.amount", unit=self.unit), [s.amount for s in mine], "amount"),
            _Column(t("col.weighted_amount", unit=self.unit), [s.weighted_amount for s in mine], "amount"),
        ]
        head = 2
        _write_header(sheet, self.formats, head, columns)
        self.rows(sheet, head + 1, columns)
        _set_widths(sheet, columns)
        sheet.set_column(0, 0, 14)
        sheet.set_row(head, 32)
        sheet.freeze_panes(head + 1, 1)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)

    # -- 在跟线索 --------------------------------------------------------------------

    def open_leads(self) -> None:
        leads = self.result.leads
        active = leads[leads["status"] == ACTIVE] if "status" in leads else leads.iloc[:0]
        self.rep(
            self.group.name, self.team, active,
            sheet_name=self.t("sheet.open_leads"),
            title=self.t("group.open_leads.title", heading=self.heading()),
            owner_column=self.group.kind != "owner",
        )


def _worse(rate: Rate, team: float | None, min_sample: int, *, lower_is_worse: bool) -> str:
    """'pct_low' (red) when the group's rate is clearly worse than the team's: at least
    ``min_sample`` leads and the whole 95% interval on the worse side of the team's rate;
    'pct_small' (grey) for a small sample; else 'pct'."""
    if rate.n == 0:
        return "pct"
    if rate.small(min_sample):
        return "pct_small"
    if team is None:
        return "pct"
    worse = rate.high < team - 1e-12 if lower_is_worse else rate.low > team + 1e-12
    return "pct_low" if worse else "pct"


def _detail_kind(field: str, kind: str) -> str:
    if kind == "date":
        return "date"
    if kind == "number":
        return {"amount": "amount", "dwell_days": "days"}.get(field, "number")
    return "text"


def _flag_texts(flags: list[ChannelFlag], t: Catalogue) -> dict[str, str]:
    """Each flagged channel's text for 渠道分析, e.g. "赢单率 < 10%（2024-03、2024-04、2024-05）"."""
    texts: dict[str, list[str]] = {}
    for f in flags:
        texts.setdefault(f.source, []).append(
            t("flag.text", metric=t(f"channel_metric.{f.metric}"), limit=f"{f.limit:.0%}", months=t.join(f.months))
        )
    return {source: t("flag.sep").join(parts) for source, parts in texts.items()}


def _alert_labels(leads: pd.DataFrame, names: dict[str, str], sep: str) -> list[str | None]:
    """Each lead's alerts as one text, e.g. "停留超时、跟进逾期"; None when it has none."""
    flags = [
        (leads[kind].fillna(False).astype(bool).tolist() if kind in leads else [False] * len(leads),
         label)
        for kind, label in names.items()
    ]
    texts = []
    for hits in zip(*(f for f, _ in flags)):
        labels = [label for hit, (_, label) in zip(hits, flags) if hit]
        texts.append(sep.join(labels) if labels else None)
    return texts if flags and len(leads) else [None] * len(leads)


def _sort_text(frame: pd.DataFrame, column: str) -> list[str]:
    return [v or "" for v in _text_values(frame, column)]


def _counts_text(rate: Rate, min_sample: int, small: str = _ZH("small_sample")) -> str | None:
    """k/n and the 95% interval, e.g. "7/9 · 45%–94%"; "1/1 · 21%–100% 样本少"; None when n = 0."""
    if not rate.n:
        return None
    low, high = rate.interval
    text = f"{rate.k}/{rate.n} · {low * 100:.0f}%–{high * 100:.0f}%"
    return f"{text} {small}" if rate.small(min_sample) else text


def best_rates(rates: Sequence[Rate], team: float | None, min_sample: int) -> list[bool]:
    """Which rates are "the best" of a transition, and the difference meaningful.

    Only rates of at least ``min_sample`` leads whose 95% Wilson lower bound is above the team's
    rate count; of those, the highest (all of them when tied). So 1 of 1 = 100% never wins (its
    lower bound is 21%), and nobody wins when nobody is clearly above the team.
    """
    if team is None:
        return [False] * len(rates)
    clear = [
        r.n >= min_sample and r.low is not None and r.low > team + 1e-12 for r in rates
    ]
    values = [r.value for r, ok in zip(rates, clear) if ok]
    if not values:
        return [False] * len(rates)
    top = max(values)
    return [
        ok and math.isclose(r.value, top, rel_tol=1e-12, abs_tol=1e-12) for r, ok in zip(rates, clear)
    ]


def _rate_columns(
    label: str, rates: Sequence[Rate], min_sample: int, *, best_against: float | None = None,
    best: bool = True, t: Catalogue = _ZH,
) -> list[_Column]:
    """A rate as two columns: the rate (greyed when a small sample, green bold when the best) and
    its k/n with the 95% interval."""
    winners = (
        best_rates(rates, best_against, min_sample) if best and best_against is not None
        else [False] * len(rates)
    )
    small = [r.small(min_sample) for r in rates]
    return [
        _Column(
            label, [r.value for r in rates], "pct",
            width=max(12, _display_width(label) / 2 + 2),
            formats=["best" if w else "pct_small" if sm else "pct" for w, sm in zip(winners, small)],
        ),
        _Column(
            t("counts.header", label=label), [_counts_text(r, min_sample, t("small_sample")) for r in rates],
            width=20, formats=["small" if sm else None for sm in small],
        ),
    ]


def _errors_first(problems: list[Problem]) -> list[Problem]:
    rank = {ERROR: 0, WARNING: 1}
    return sorted(sort_problems(problems), key=lambda p: rank.get(p.severity, 2))
