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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

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
from .groups import GROUP_LABELS, Group
from .forecast import Forecast
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
from .problems import ERROR, SEVERITY_LABELS, WARNING, Problem, count_by_severity, sort_problems
from .quality import DRIFT_LABELS, HYGIENE_FIXES, HYGIENE_LABELS, HygieneScore
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
    "default_report_name",
    "rep_sheet_names",
    "write_group_report",
    "write_report",
]

OVERVIEW_SHEET = "总览"
FUNNEL_SHEET = "漏斗分析"
FLOW_SHEET = "阶段流转"
TREND_SHEET = "趋势"
OWNERS_SHEET = "负责人对比"
SOURCES_SHEET = "渠道分析"
FORECAST_SHEET = "预测"
ALERTS_SHEET = "预警"
SUGGESTIONS_SHEET = "优化建议"
QUALITY_SHEET = "数据质量"
PROBLEMS_SHEET = "数据问题"
DETAIL_SHEET = "线索明细"
RUN_SHEET = "运行信息"
# The rep sheets go between 预测 and 预警.
FIXED_SHEETS = (
    OVERVIEW_SHEET, FUNNEL_SHEET, FLOW_SHEET, TREND_SHEET, OWNERS_SHEET, SOURCES_SHEET,
    FORECAST_SHEET, ALERTS_SHEET, SUGGESTIONS_SHEET, QUALITY_SHEET, PROBLEMS_SHEET, DETAIL_SHEET,
    RUN_SHEET,
)
# Excel refuses a sheet named "History" (it is kept for change tracking).
_EXCEL_RESERVED_SHEETS = ("History",)

# Where each key figure's value sits on 总览 (label in column A, value in B, definition in C).
_OVERVIEW_FIRST_ROW = 4  # 0-based row of the first figure; row 3 is the table header
_OVERVIEW_FIGURES = (
    ("total", "线索总数", "int", "有效线索 + 因数据错误排除的行"),
    ("valid", "有效线索", "int", "参与计算的线索"),
    ("active", "在跟", "int", "处于成交前各阶段的线索"),
    ("won", "已成交", "int", ""),
    ("lost", "已流失", "int", "标记为无效线索"),
    ("excluded", "排除(数据错误)", "int", "见「数据问题」与「线索明细」末尾"),
    ("win_rate", "赢单率", "pct", "已成交 ÷ (已成交 + 已流失)"),
    ("overall_conversion", "整体转化率", "pct", "已成交 ÷ 有效线索"),
    ("cycle_mean", "平均成交周期(天)", "days1", ""),
    ("cycle_median", "成交周期中位数(天)", "days1", ""),
    ("pipeline", "在跟金额({unit})", "amount", "在跟线索预计成交金额之和"),
    ("weighted_pipeline", "加权金额({unit})", "amount", "Σ 金额 × 所在阶段赢单概率"),
    ("worst_transition", "最薄弱环节", "text", "通过率最低的相邻阶段"),
    ("worst_rate", "最薄弱环节通过率", "pct", "下一阶段累计到达 ÷ 本阶段已离开"),
    ("stalled", "停留超时", "int", "在跟且停留天数超过该阶段上限"),
    ("overdue", "跟进逾期", "int", "下次跟进时间已过"),
    ("stale", "久未跟进", "int", "距最近跟进超过规定天数"),
    ("close_past", "预计成交日已过", "int", "在跟但预计成交日期已过"),
    ("errors", "数据问题(错误)", "int", "有错误的行不参与计算"),
    ("warnings", "数据问题(警告)", "int", "仅提示，行仍参与计算"),
    ("win_rate_amount", "赢单率(金额)", "pct", "已成交金额 ÷ (已成交 + 已流失金额)"),
    ("lost_cycle_mean", "平均流失周期(天)", "days1", "首次接触 → 标记流失（有日期的流失线索）"),
    ("lost_cycle_median", "流失周期中位数(天)", "days1", ""),
    ("snoozed", "暂缓中", "int", "暂缓至晚于截止日的在跟线索，不计停留超时"),
    ("hygiene", "数据质量分(全队)", "days1", "0–100，见「数据质量」"),
    ("drift", "填写偏差", "int", "手填停留时长/通过率与重算值不符，见「数据质量」"),
)
OVERVIEW_CELLS = {
    key: f"B{_OVERVIEW_FIRST_ROW + i + 1}" for i, (key, *_rest) in enumerate(_OVERVIEW_FIGURES)
}
# The funnel chart's data: a small table to the right of the chart on 总览.
_CHART_DATA_COL = 13  # column N

STATUS_LABELS = {ACTIVE: "在跟", WON: "成交", LOST: "流失"}
EXCLUDED_STATUS = "已排除(数据错误)"
ENTERED_SOURCE_LABELS = {
    ENTERED_LOG: "跟进记录",
    ENTERED_COLUMN: "表格",
    ENTERED_STORE: "历史记录",
    ENTERED_BETWEEN_RUNS: "估算(两次重建之间)",
    ENTERED_FIRST_CONTACT: "首次接触",
    ENTERED_ESTIMATED: "估算",
    ENTERED_UNKNOWN: "未知",
}
LOST_AT_SOURCE_LABELS = {
    LOST_AT_LOG: "跟进记录",
    LOST_AT_COLUMN: "表格",
    LOST_AT_STORE: "历史记录",
}
TRANSITION_SOURCE_LABELS = {
    SOURCE_LOG: "跟进记录",
    SOURCE_COLUMN: "阶段进入日期(两次重建之间)",
    SOURCE_ESTIMATED: "估算(两次重建之间)",
}
BASIS_LABELS = {BASIS_CURRENT: "本次", BASIS_STORE: "历史记录", BASIS_LOG: "跟进记录"}
CHANNEL_METRIC_LABELS = {"win_rate": "赢单率", "first_pass_rate": "首环节通过率"}
ALERT_LABELS = {
    ALERT_STALLED: "停留超时",
    ALERT_OVERDUE: "跟进逾期",
    ALERT_STALE: "久未跟进",
    ALERT_CLOSE_PAST: "预计成交日已过",
}
METRIC_LABELS = {
    "pass_rate": "阶段通过率",
    "loss_rate": "阶段流失率",
    "win_rate": "赢单率",
    "stalled_share": "停留超时占比",
    "source_win_rate": "渠道赢单率",
    "source_first_pass_rate": "渠道首环节通过率",
    "source_low_win_rate": "渠道赢单率连续偏低",
    "source_low_first_pass_rate": "渠道首环节通过率连续偏低",
}
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
_DEFAULT_HEADERS = {
    "lead_id": "线索编号",
    "customer": "客户名称/联系人",
    "source": "线索来源",
    "stage": "所属阶段",
    "owner": "负责人",
    "stage_entered": "阶段进入日期",
    "next_follow_up": "下次跟进时间",
    "expected_close": "预计成交日期",
    "amount": "预计成交金额(万元)",
}

# Texts of the comparison sheets, the run record and the new sheets.
SMALL_SAMPLE = "样本少"
COUNTS_HEADER = "{label}\nk/n · 95%区间"
MATRIX_TEXTS = {
    "title": "阶段流转矩阵：{since} 的线索现在在哪",
    "note": "行 = {since} 重建时所在阶段，列 = 本期所在阶段；「（新增）」= {since} 之后才出现的线索，"
            "「（本期不在表中）」= 已删除或本期因数据错误排除。",
    "corner": "{since} \\ 本期",
    "none": "历史记录中没有更早月份的快照，无法给出阶段流转矩阵（rebuild 加 --history 逐月记录）。",
}
FORECAST_TEXTS = {
    "checks": "预测准确度：上月的预测 vs 本月实际成交",
    "checks_note": "上月预测 = 上月重建时预计在该月成交的在跟线索的加权金额（历史记录中的快照）；"
                   "准确度 = 实际成交 ÷ 上月预测，100% 为完全命中，高于 100% 为超出预测。",
    "checks_none": "历史记录中没有上月的快照，无法核对预测（rebuild 加 --history 逐月记录）。",
    "slips": "预计成交日期推迟",
    "slips_note": "在跟线索的预计成交日期在两次月度重建之间往后推的次数；推迟 {n} 次及以上的列入「预警」。",
    "slips_none": "没有预计成交日期被推迟的在跟线索（或历史记录中没有更早月份的快照）。",
    "alerts": "预计成交日期多次推迟（{n} 次及以上）",
    "alerts_none": "没有预计成交日期多次推迟的线索。",
}
RUN_TEXTS = {
    "title": "运行信息 · 截至 {as_of}",
    "note": "重现本报告所需的一切：截止日、输入文件及其 SHA-256、规则文件及其 SHA-256、口径与版本。",
    "as_of": "截止日",
    "period": "统计期间",
    "rows": "读取行数",
    "valid": "有效线索",
    "excluded": "排除(数据错误)",
    "rules": "规则文件",
    "rules_sha": "规则文件 SHA-256",
    "inputs": "输入文件",
    "definitions": "口径（按本规则文件）",
    "versions": "工具与库的版本",
    "calendar": "节假日日历",
    "log": "使用的跟进记录",
    "history": "历史记录库",
    "no_history": "未使用（rebuild 加 --history 逐月记录）",
    "previous": "对比的上次快照",
    "no_previous": "此前没有更早月份的快照",
    "calendar_missing": "规则按工作日计停留，但日历不含 {years} 年的法定节假日：这些年份只跳过周末。",
}
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


def write_report(analysis: Analysis, path: str | os.PathLike[str]) -> Path:
    """Write the analysis workbook to ``path`` atomically and return the path.

    The same analysis always gives the same bytes: the document's created date is the as-of date.
    Raises :class:`funnel_xl.errors.OutputError` when the file cannot be written.
    """
    return _write_workbook(
        Path(path), analysis, f"销售漏斗分析 {analysis.period}",
        lambda workbook: _Report(workbook, analysis).write(),
    )


def write_group_report(group: Group, path: str | os.PathLike[str]) -> Path:
    """Write one rep's (or one channel's) workbook to ``path`` atomically and return the path.

    Sheets: 总览 (their key figures beside the team's, their funnel chart) · 漏斗分析 (their stages
    beside the team's rates) · 在跟线索 (their open leads and alerts) · 预警 · 数据问题 (the rows
    they must fix) · 线索明细 (their leads). Nothing of another rep: no name, lead or amount.
    """
    label = GROUP_LABELS[group.kind]
    return _write_workbook(
        Path(path), group.analysis, f"销售漏斗分析 {group.analysis.period} · {label} {group.name}",
        lambda workbook: _GroupReport(workbook, group).write(),
    )


def _write_workbook(target: Path, analysis: Analysis, title: str, build: Callable) -> Path:
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
                "subject": f"截至 {analysis.as_of.isoformat()}",
                "author": "funnel-xl",
                "created": datetime.combine(analysis.as_of, time()),
            }
        )
        try:
            build(workbook)
            workbook.close()
        except XlsxWriterException as exc:
            raise OutputError(f"无法写入分析工作簿 {target}: {exc}") from None
    return target


def rep_sheet_names(
    owners: Iterable[str], taken: Iterable[str] = FIXED_SHEETS
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
        base = _clean_sheet_name(owner)
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


def _clean_sheet_name(owner: object) -> str:
    text = "" if owner is None else str(owner)
    text = "".join(ch for ch in text.translate(_SHEET_NAME_TWINS) if ch.isprintable())
    return text.strip().strip("'").strip() or "未填写负责人"


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
        sheet.write_string(row, col, "是" if value else "否", fmt)
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


def _write_header(sheet, formats: _Formats, row: int, columns: Sequence[_Column]) -> None:
    for c, column in enumerate(columns):
        sheet.write_string(row, c, column.header, formats("header"))


def _write_rows(sheet, formats: _Formats, first_row: int, columns: Sequence[_Column]) -> int:
    """Write the columns' cells row by row; returns the row after the last one written.

    The hot loop of the workbook: one list look-up and one xlsxwriter call per non-blank cell.
    """
    writers = [
        (c, *_column_writer(sheet, formats, first_row, column))
        for c, column in enumerate(columns)
    ]
    for row, values in enumerate(zip(*(column.values for column in columns)), start=first_row):
        for (col, write, fmt), value in zip(writers, values):
            if value is not None:
                write(row, col, value, fmt)
    count = len(columns[0].values) if columns else 0
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


def _set_widths(sheet, columns: Sequence[_Column]) -> None:
    for c, column in enumerate(columns):
        sheet.set_column(c, c, _column_width(column))


# ---------------------------------------------------------------------------
# The workbook.
# ---------------------------------------------------------------------------


class _Report:
    """Writes the sheets in their order; each method writes one sheet, rows in increasing order."""

    def __init__(self, workbook: xlsxwriter.Workbook, analysis: Analysis):
        self.workbook = workbook
        self.analysis = analysis
        self.rules: Rules = analysis.rules
        self.result = analysis.result
        self.team: FunnelMetrics = analysis.result.team
        self.formats = _Formats(workbook)
        self.as_of_text = analysis.as_of.isoformat()
        self.unit = self.rules.amount_unit
        self.channel = self.rules.channel_field
        # One sheet per further dimension ([dimensions] extra), named after its column, then the reps'.
        self.dimension_names = rep_sheet_names(
            [f"{self.header(name)}分析" for name in self.result.by_dimension], FIXED_SHEETS
        )
        self.rep_names = rep_sheet_names(
            self.result.by_owner, (*FIXED_SHEETS, *self.dimension_names.values())
        )

    def write(self) -> None:
        self.overview()
        self.funnel()
        self.flow()
        self.trend()
        self.comparison(OWNERS_SHEET, "负责人", self.result.by_owner, chart=False)
        self.comparison(
            SOURCES_SHEET, self.header(self.channel), self.result.by_source, chart=True,
            flags=_flag_texts(self.analysis.flow.channel_flags),
        )
        for name, groups in self.result.by_dimension.items():
            sheet = self.dimension_names[f"{self.header(name)}分析"]
            self.comparison(sheet, self.header(name), groups, chart=False)
        self.forecast()
        self.reps()
        self.alerts()
        self.suggestions()
        self.quality()
        self.problems()
        self.detail()
        self.run_info()

    # -- helpers ----------------------------------------------------------------

    def header(self, field: str) -> str:
        try:
            return self.rules.header(field)
        except KeyError:
            return _DEFAULT_HEADERS.get(field, field)

    def title(self, cells: _Cells, text: str, note: str = "") -> None:
        cells.put(0, 0, text, "title")
        if note:
            cells.put(1, 0, note, "note")

    def stage_limit(self, stage_idx: list) -> list:
        limits = [float(s.max_dwell_days) for s in self.rules.stages]
        return [None if i is None else limits[int(i)] for i in stage_idx]

    # -- 总览 ----------------------------------------------------------------------

    def overview(self) -> None:
        sheet = self.workbook.add_worksheet(OVERVIEW_SHEET)
        sheet.hide_gridlines(2)
        cells = _Cells(sheet, self.formats)
        team = self.team
        inputs = ", ".join(f"{i.name}「{i.sheet}」" for i in self.analysis.inputs) or "—"
        self.title(
            cells,
            f"销售漏斗分析 · 截至 {self.as_of_text}",
            f"统计期间 {self.analysis.period} · 数据来源 {inputs}",
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
        for c, text in enumerate(("指标", "数值", "说明")):
            cells.put(top, c, text, "header")
        notes = {
            "cycle_mean": f"首次接触 → 进入已成交，{team.cycle_count} 条已成交线索的平均",
            "lost_cycle_mean": f"首次接触 → 标记流失，{team.lost_cycle_count} 条有流失日期的线索的平均",
            "win_rate": _counts_text(team.win, self.rules.thresholds.min_sample),
            "worst_transition": (
                f"已离开不少于 {self.rules.thresholds.min_sample} 条的环节中通过率最低者"
                + ("" if worst is not None else "：没有足够样本的环节")
            ),
        }
        for i, (key, label, kind, note) in enumerate(_OVERVIEW_FIGURES):
            row = _OVERVIEW_FIRST_ROW + i
            cells.put(row, 0, label.format(unit=self.unit), "label")
            cells.put(row, 1, values[key], None if kind == "text" else kind)
            cells.put(row, 2, notes.get(key, note) or None, "note")
        self.overview_inputs(cells, _OVERVIEW_FIRST_ROW + len(_OVERVIEW_FIGURES) + 1)
        self.funnel_chart(sheet, cells)
        last_row = max(row for row, *_ in cells.cells)
        cells.flush()
        sheet.set_column(0, 0, 20)
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
        rules_name = Path(self.rules.source_path).name
        flow = self.analysis.flow
        if self.analysis.history is not None:
            previous = f"上次快照 {flow.previous_month}" if flow.previous_month else "此前没有更早月份的快照"
            # The file name only, like the rules file's: the report does not depend on the folder.
            history = f"历史记录库 {Path(self.analysis.history).name}（{previous}）"
        else:
            history = "未使用历史记录库"
        cells.put(
            row, 0,
            f"输入文件 {len(self.analysis.inputs)} 个 · 跟进记录 {flow.log_entries} 条 · {history} · "
            f"规则文件 {rules_name} (SHA-256 {self.rules.sha256[:12]}…)：文件校验值、口径与版本见「{RUN_SHEET}」。",
            "note",
        )

    def funnel_chart(self, sheet, cells: _Cells) -> None:
        """The standard funnel: a stacked bar with an invisible padding series centring each bar."""
        top = _OVERVIEW_FIRST_ROW - 1
        col = _CHART_DATA_COL
        stages = self.team.stages
        widest = max((s.reached for s in stages), default=0)
        cells.put(top - 1, col, "漏斗图数据", "subtitle")
        for c, text in enumerate(("阶段", "累计到达", "(占位)")):
            cells.put(top, col + c, text, "header")
        for k, stage in enumerate(stages):
            cells.put(top + 1 + k, col, stage.stage)
            cells.put(top + 1 + k, col + 1, stage.reached, "int")
            cells.put(top + 1 + k, col + 2, (widest - stage.reached) / 2, "padding")
        first, last = top + 1, top + len(stages)
        chart = self.workbook.add_chart({"type": "bar", "subtype": "stacked"})
        categories = [OVERVIEW_SHEET, first, col, last, col]
        chart.add_series(
            {
                "name": "(占位)",
                "categories": categories,
                "values": [OVERVIEW_SHEET, first, col + 2, last, col + 2],
                "fill": {"none": True},
                "border": {"none": True},
                "gap": 15,
            }
        )
        chart.add_series(
            {
                "name": "累计到达",
                "categories": categories,
                "values": [OVERVIEW_SHEET, first, col + 1, last, col + 1],
                "fill": {"color": "#4472C4"},
                "data_labels": {"value": True, "position": "center", "font": {"color": "#FFFFFF"}},
                "gap": 15,
            }
        )
        chart.set_title({"name": f"销售漏斗(累计到达) · 截至 {self.as_of_text}"})
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
        sheet = self.workbook.add_worksheet(FUNNEL_SHEET)
        cells = _Cells(sheet, self.formats)
        self.title(
            cells,
            f"漏斗分析 · 截至 {self.as_of_text}",
            "通过率 = 下一阶段累计到达 ÷ 本阶段已离开；流失率 = 本阶段流失 ÷ 本阶段已离开；"
            "空白 = 本阶段没有已离开的线索，无法计算。",
        )
        cells.flush()
        stages = self.team.stages
        last = len(stages) - 1
        min_sample = self.rules.thresholds.min_sample
        columns = [
            _Column("阶段", [s.stage for s in stages]),
            _Column("当前线索数", [s.current for s in stages], "int"),
            _Column("累计到达", [s.reached for s in stages], "int"),
            _Column("已离开", [s.exited for s in stages], "int"),
            _Column("通过率\n(至下一阶段)", [s.pass_rate for s in stages], "pct"),
            _Column("流失率", [s.loss_rate for s in stages], "pct"),
            _Column("本阶段流失", [s.lost_here for s in stages], "int"),
            _Column("平均停留(天)", [s.avg_dwell_days for s in stages], "days1"),
            _Column("停留超时", [s.stalled for s in stages], "int"),
            _Column(
                "最长停留(天)",
                [None if k == last else s.max_dwell_days for k, s in enumerate(self.rules.stages)],
                "int",
            ),
            _Column(f"金额({self.unit})", [s.amount for s in stages], "amount"),
            _Column(f"加权金额({self.unit})", [s.weighted_amount for s in stages], "amount"),
            _Column(
                "备注",
                [
                    f"样本少(已离开 {s.exited} < {min_sample})"
                    if k < last and 0 < s.exited < min_sample else None
                    for k, s in enumerate(stages)
                ],
            ),
        ]
        head = 2
        _write_header(sheet, self.formats, head, columns)
        end = _write_rows(sheet, self.formats, head + 1, columns)
        totals = {
            0: ("合计", "total_label"),
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
        notes.put(
            end + 2, 0,
            f"另有 {self.team.totals.lost_unknown_stage} 条已流失线索未填写流失阶段："
            "计入线索总数、已流失和赢单率，但不计入各阶段的到达、离开和流失数。",
            "note",
        )
        notes.put(
            end + 3, 0,
            "合计的「当前线索数」= 在跟 + 已成交；金额含已成交阶段。最长停留 = 规则规定的阶段停留上限。",
            "note",
        )
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
        sheet = self.workbook.add_worksheet(FLOW_SHEET)
        flow = self.analysis.flow
        period = flow.period
        cells = _Cells(sheet, self.formats)
        self.title(
            cells,
            f"阶段流转 · {period.start.isoformat()} 至 {period.end.isoformat()}",
            "阶段变动来自跟进记录的「阶段调整为」，以及与上次重建快照的对比（见下表「依据」）。"
            "期间通过率 = 本期离开该阶段的线索中前进到后续阶段的比例（每条线索按其最后一次离开计）。",
        )
        by_source = period.transitions_by_source
        figures = (
            ("本月新增线索", period.new_leads, "int", "首次接触时间在本期内"),
            ("本月成交", period.won, "int", "进入已成交的日期在本期内"),
            ("本月成交金额(万元)", period.won_amount, "amount", ""),
            ("本月流失", period.lost, "int", "标记为流失的日期在本期内"),
            ("本月成交平均周期(天)", period.cycle_mean, "days1", "首次接触 → 进入已成交"),
            ("本月成交周期中位数(天)", period.cycle_median, "days1", ""),
            ("阶段变动(次)", sum(by_source.values()), "int", ""),
            ("  其中 跟进记录", by_source.get(SOURCE_LOG, 0), "int", ""),
            ("  其中 阶段进入日期", by_source.get(SOURCE_COLUMN, 0), "int", "两次重建之间阶段变化，按新的阶段进入日期"),
            ("  其中 估算", by_source.get(SOURCE_ESTIMATED, 0), "int", "两次重建之间阶段变化，按最近跟进时间或截止日估算"),
        )
        top = 3
        for c, text in enumerate(("指标", "数值", "说明")):
            cells.put(top, c, text, "header")
        for i, (label, value, kind, note) in enumerate(figures, start=top + 1):
            cells.put(i, 0, label, "label")
            cells.put(i, 1, value, kind)
            cells.put(i, 2, note or None, "note")

        row = top + len(figures) + 2
        cells.put(row, 0, "各阶段本期离开情况", "subtitle")
        row += 1
        exit_headers = ("阶段", "本期离开", "前进", "后退", "流失", "期间通过率\n(至下一阶段)", "累计通过率\n(漏斗分析)")
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
        cells.put(row, 0, "阶段变动去向（次数）：行 = 原阶段，列 = 新阶段", "subtitle")
        row += 1
        names = [*self.rules.stage_names, *self.rules.lost_labels]
        counts = {(a, b): n for a, b, n in period.moves}
        cells.put(row, 0, "原阶段 \\ 新阶段", "header")
        for c, name in enumerate(names, start=1):
            cells.put(row, c, name, "header")
        cells.put(row, len(names) + 1, "合计", "header")
        for name in names:
            row += 1
            cells.put(row, 0, name, "label")
            for c, to in enumerate(names, start=1):
                cells.put(row, c, counts.get((name, to)) if name != to else None, "int")
            total = sum(n for (a, _), n in counts.items() if a == name)
            cells.put(row, len(names) + 1, total, "total_int")

        row = self.stage_matrix(cells, row + 2)

        row += 2
        cells.put(row, 0, "本期阶段变动明细（按日期）", "subtitle")
        cells.flush()
        head = row + 1
        moves = self.period_moves()
        columns = [
            _Column(self.header("lead_id"), _text_values(moves, "lead_id")),
            _Column(self.header("customer"), _text_values(moves, "customer")),
            _Column(self.header("owner"), _text_values(moves, "owner")),
            _Column("原阶段", _text_values(moves, "from_stage")),
            _Column("新阶段", _text_values(moves, "to_stage")),
            _Column("日期", _date_values(moves, "date"), "date"),
            _Column("方向", _text_values(moves, "direction"), width=10),
            _Column("依据", _mapped_values(moves, "source", TRANSITION_SOURCE_LABELS), width=26),
        ]
        _write_header(sheet, self.formats, head, columns)
        end = _write_rows(sheet, self.formats, head + 1, columns)
        if end == head + 1:
            note = (
                "本期没有阶段变动记录。" if flow.log_entries or flow.previous_month
                else "本期没有阶段变动记录：工作簿没有跟进记录，且历史记录中没有更早的快照可对比。"
            )
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
        matrix = self.analysis.forecast.matrix if self.analysis.forecast is not None else None
        if matrix is None:
            cells.put(row, 0, MATRIX_TEXTS["title"].format(since="—"), "subtitle")
            cells.put(row + 1, 0, MATRIX_TEXTS["none"], "note")
            return row + 1
        cells.put(row, 0, MATRIX_TEXTS["title"].format(since=matrix.since), "subtitle")
        cells.put(row + 1, 0, MATRIX_TEXTS["note"].format(since=matrix.since), "note")
        row += 2
        cells.put(row, 0, MATRIX_TEXTS["corner"].format(since=matrix.since), "header")
        for c, name in enumerate(matrix.columns, start=1):
            cells.put(row, c, name, "header")
        cells.put(row, len(matrix.columns) + 1, "合计", "header")
        for name in matrix.rows:
            row += 1
            cells.put(row, 0, name, "label")
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
        moves["direction"] = [
            "流失" if b in lost else "恢复跟进" if a in lost
            else "前进" if index_of.get(b, -1) > index_of.get(a, -1) else "后退"
            for a, b in zip(moves["from_stage"], moves["to_stage"])
        ]
        return moves

    # -- 趋势 ------------------------------------------------------------------------

    def trend(self) -> None:
        """The last twelve months side by side (months as columns) and line charts of them."""
        sheet = self.workbook.add_worksheet(TREND_SHEET)
        months = self.analysis.flow.trend
        cells = _Cells(sheet, self.formats)
        self.title(
            cells,
            f"近 {len(months)} 个月趋势 · 截至 {self.as_of_text}",
            "每月数字为该月重建时的结果（历史记录）；没有快照的月份由跟进记录重算（金额取当前表格中的值）；"
            "空白 = 无法计算或没有数据。",
        )
        labels = [t.label for t in self.team.transitions]
        rows: list[tuple[str, Callable[[MonthFigures], Any], str]] = [
            ("线索数", lambda m: m.leads, "int"),
            ("在跟", lambda m: m.active, "int"),
            ("本月新增线索", lambda m: m.new_leads, "int"),
            ("本月成交", lambda m: m.won, "int"),
            ("本月流失", lambda m: m.lost, "int"),
            ("赢单率", lambda m: m.win_rate, "pct"),
            *((f"通过率 {label}", lambda m, k=label: m.pass_rates.get(k), "pct") for label in labels),
            ("平均成交周期(天)", lambda m: m.cycle_mean, "days1"),
            ("本月成交周期(天)", lambda m: m.period_cycle_mean, "days1"),
            ("在跟金额(万元)", lambda m: m.pipeline, "amount"),
            ("加权金额(万元)", lambda m: m.weighted_pipeline, "amount"),
            *((f"期间通过率 {label}", lambda m, k=label: m.period_pass_rates.get(k), "pct") for label in labels),
        ]
        head = 3
        cells.put(head, 0, "指标", "header")
        cells.put(head + 1, 0, "数据来源", "label")
        cells.put(head + 2, 0, "截止日", "label")
        for c, month in enumerate(months, start=1):
            cells.put(head, c, self.trend_month_label(c - 1), "header")
            cells.put(head + 1, c, BASIS_LABELS.get(month.basis) if month else "无数据")
            cells.put(head + 2, c, month.as_of if month else None, "date")
        first = head + 3
        where: dict[str, int] = {}
        for r, (label, value, kind) in enumerate(rows, start=first):
            where[label] = r
            cells.put(r, 0, label, "label")
            for c, month in enumerate(months, start=1):
                cells.put(r, c, value(month) if month is not None else None, kind)
        cells.flush()
        last_col = len(months)
        sheet.set_column(0, 0, 30)
        sheet.set_column(1, max(last_col, 1), 11)
        sheet.set_row(head, 20)
        sheet.freeze_panes(head + 1, 1)

        chart_row = first + len(rows) + 2
        charts = (
            ("赢单率与各环节通过率（累计）", ["赢单率", *(f"通过率 {x}" for x in labels)], "0%"),
            ("各环节期间通过率（当月）", [f"期间通过率 {x}" for x in labels], "0%"),
            ("在跟金额与加权金额(万元)", ["在跟金额(万元)", "加权金额(万元)"], "#,##0"),
            ("线索：本月新增、成交、流失", ["本月新增线索", "本月成交", "本月流失"], "0"),
            ("成交周期(天)", ["平均成交周期(天)", "本月成交周期(天)"], "0"),
        )
        for i, (title, series, number_format) in enumerate(charts):
            chart = self.workbook.add_chart({"type": "line"})
            for label in series:
                r = where[label]
                chart.add_series(
                    {
                        "name": [TREND_SHEET, r, 0],
                        "categories": [TREND_SHEET, head, 1, head, last_col],
                        "values": [TREND_SHEET, r, 1, r, last_col],
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
        sheet = self.workbook.add_worksheet(name)
        cells = _Cells(sheet, self.formats)
        min_sample = self.rules.thresholds.min_sample
        self.title(
            cells,
            f"{name} · 截至 {self.as_of_text}",
            f"每个比率后为 k/n（分子/分母）及 95% Wilson 区间；分母少于 {min_sample} 条的比率灰色显示并标"
            f"「{SMALL_SAMPLE}」。绿色加粗 = 该环节的最佳者：样本不少于 {min_sample} 条、95% 区间下限高于全队"
            "通过率者中通过率最高的（可能没有）。空白 = 无已离开的线索，无法计算。",
        )
        cells.flush()
        metrics = list(groups.values())
        transitions = self.team.transitions
        columns = [
            _Column(key_header, list(groups)),
            _Column("线索数", [m.totals.valid for m in metrics], "int"),
            _Column("在跟", [m.totals.active for m in metrics], "int"),
            _Column("成交", [m.totals.won for m in metrics], "int"),
            _Column("流失", [m.totals.lost for m in metrics], "int"),
        ]
        team_row: list = [
            "全队", self.team.totals.valid, self.team.totals.active, self.team.totals.won,
            self.team.totals.lost,
        ]
        rate_cols = []
        for t, transition in enumerate(transitions):
            rates = [m.pass_counts(t) for m in metrics]
            rate_cols.append(len(columns))
            columns += _rate_columns(
                transition.label, rates, min_sample, best_against=transition.rate,
            )
            team_row += [transition.rate, _counts_text(self.team.pass_counts(t), min_sample)]
        loss_cols = []
        for k, stage in enumerate(self.team.stages[:-1]):
            loss_cols.append(len(columns))
            columns += _rate_columns(
                f"{stage.stage}流失率", [m.loss_counts(k) for m in metrics], min_sample,
            )
            team_row += [stage.loss_rate, _counts_text(self.team.loss_counts(k), min_sample)]
        win_col = len(columns)
        columns += _rate_columns("赢单率", [m.win for m in metrics], min_sample)
        team = self.team
        team_row += [team.win_rate, _counts_text(team.win, min_sample)]
        columns += [
            _Column("赢单率(金额)", [m.win_rate_amount for m in metrics], "pct"),
            _Column("平均周期(天)", [m.cycle_mean for m in metrics], "days1"),
            _Column("周期中位数(天)", [m.cycle_median for m in metrics], "days1"),
            _Column("平均流失周期(天)", [m.lost_cycle_mean for m in metrics], "days1"),
            _Column(f"在跟金额({self.unit})", [m.pipeline for m in metrics], "amount"),
            _Column(f"加权金额({self.unit})", [m.weighted_pipeline for m in metrics], "amount"),
            _Column("停留超时", [m.stalled for m in metrics], "int"),
            _Column("暂缓中", [m.snoozed for m in metrics], "int"),
        ]
        team_row += [
            team.win_rate_amount, team.cycle_mean, team.cycle_median, team.lost_cycle_mean,
            team.pipeline, team.weighted_pipeline, team.stalled, team.snoozed,
        ]
        if flags is not None:
            t = self.rules.thresholds
            columns.append(
                _Column(
                    f"连续偏低\n(连续 {t.low_channel_months} 个月)",
                    [flags.get(key) for key in groups], width=40,
                    formats=["red" if key in flags else None for key in groups],
                )
            )
        head = 2
        _write_header(sheet, self.formats, head, columns)
        end = _write_rows(sheet, self.formats, head + 1, columns)
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
        if name == OWNERS_SHEET:
            last = self.owner_quality_table(sheet, end + 3, groups)
        if chart and metrics:
            self.source_chart(sheet, head, end, win_col, rate_cols[0] if rate_cols else None, last)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)

    def owner_quality_table(self, sheet, row: int, groups: dict[str, FunnelMetrics]) -> int:
        """Below 负责人对比: each rep's data hygiene score with its parts, drift, target and coverage.
        Returns the row after the table."""
        quality = self.analysis.quality
        targets = dict(self.rules.targets)
        names = list(groups) + [n for n in quality.hygiene if n not in groups]
        sheet.write_string(row, 0, "数据质量、填写偏差与目标", self.formats("subtitle"))
        sheet.write_string(
            row + 1, 0,
            "数据质量分 0–100：各项得分 = 分值 × (1 − 不合格数 ÷ 适用数)，适用数为 0 得满分；"
            f"待改正的行见「{QUALITY_SHEET}」。覆盖率 = 在跟加权金额 ÷ 月度目标（规则 [targets]）。",
            self.formats("note"),
        )
        scores = [quality.hygiene.get(n) for n in names]
        columns = [
            _Column("负责人", names),
            _Column("数据质量分", [None if h is None else h.score for h in scores], "score"),
        ]
        for part in HYGIENE_PARTS:
            label = HYGIENE_LABELS[part]
            columns += [
                _Column(
                    f"{label}\n得分(满分 {self.rules.hygiene.points_of(part):g})",
                    [None if h is None else h.part(part).earned for h in scores], "score",
                ),
                _Column(
                    f"{label}\n不合格/适用",
                    [None if h is None else f"{h.part(part).failing}/{h.part(part).applicable}" for h in scores],
                ),
            ]
        weighted = [groups[n].weighted_pipeline if n in groups else None for n in names]
        target = [targets.get(n) for n in names]
        columns += [
            _Column("填写偏差(条)", [quality.drift_count(n) for n in names], "int"),
            _Column("月度目标(万元)", target, "amount"),
            _Column("在跟加权金额(万元)", weighted, "amount"),
            _Column(
                "覆盖率",
                [None if t is None or not t or w is None else w / t for w, t in zip(weighted, target)],
                "pct",
            ),
        ]
        head = row + 2
        _write_header(sheet, self.formats, head, columns)
        sheet.set_row(head, 44)
        end = _write_rows(sheet, self.formats, head + 1, columns)
        team = quality.team_hygiene
        _write_value(sheet, end, 0, "全队", self.formats("total_label"))
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
        self, sheet, head: int, end: int, win_col: int, first_rate_col: int | None, below: int
    ) -> None:
        """Win rate (and first-transition pass rate) per source, from the table above the chart."""
        chart = self.workbook.add_chart({"type": "column"})
        categories = [SOURCES_SHEET, head + 1, 0, end - 1, 0]
        chart.add_series(
            {
                "name": [SOURCES_SHEET, head, win_col],
                "categories": categories,
                "values": [SOURCES_SHEET, head + 1, win_col, end - 1, win_col],
                "data_labels": {"value": True, "num_format": "0%"},
                "fill": {"color": "#4472C4"},
            }
        )
        if first_rate_col is not None:
            chart.add_series(
                {
                    "name": [SOURCES_SHEET, head, first_rate_col],
                    "categories": categories,
                    "values": [SOURCES_SHEET, head + 1, first_rate_col, end - 1, first_rate_col],
                    "fill": {"color": "#A5A5A5"},
                }
            )
        chart.set_title({"name": "各渠道赢单率与首环节通过率"})
        chart.set_y_axis(
            {"num_format": "0%", "min": 0, "max": 1, "major_gridlines": {"visible": True}}
        )
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 640, "height": 340})
        sheet.insert_chart(below + 2, 0, chart)

    # -- one sheet per rep ----------------------------------------------------------

    def reps(self) -> None:
        leads = self.result.leads
        active = leads[leads["status"] == ACTIVE] if "status" in leads else leads.iloc[:0]
        owners = active["owner"].fillna("").astype(str) if "owner" in active else None
        groups = dict(iter(active.groupby(owners, sort=False))) if owners is not None else {}
        for owner, metrics in self.result.by_owner.items():
            self.rep(owner, metrics, groups.get(owner, active.iloc[:0]))

    def rep(
        self, owner: str, m: FunnelMetrics, active: pd.DataFrame, *,
        sheet_name: str | None = None, title: str | None = None, owner_column: bool = False,
    ) -> None:
        """A rep's own page: key figures, then every open lead with its alerts, longest dwell first.

        All alerts concern open leads, so they are a column of the leads table (one row per lead)
        rather than a second table repeating the 预警 sheet. A channel's page (``owner_column``)
        adds each lead's owner as the last column.
        """
        sheet = self.workbook.add_worksheet(sheet_name or self.rep_names[owner])
        cells = _Cells(sheet, self.formats)
        self.title(cells, title or f"{owner} · 个人漏斗 · 截至 {self.as_of_text}")
        figures = (
            ("线索数", m.totals.valid, "int"),
            ("在跟", m.totals.active, "int"),
            ("成交", m.totals.won, "int"),
            ("流失", m.totals.lost, "int"),
            ("赢单率", m.win_rate, "pct_small" if m.win.small(self.rules.thresholds.min_sample) else "pct"),
            (
                COUNTS_HEADER.format(label="赢单率"),
                _counts_text(m.win, self.rules.thresholds.min_sample), None,
            ),
            (f"在跟金额({self.unit})", m.pipeline, "amount"),
            (f"加权金额({self.unit})", m.weighted_pipeline, "amount"),
            ("停留超时", m.stalled, "int"),
            ("跟进逾期", m.overdue, "int"),
            ("久未跟进", m.stale, "int"),
            ("预计成交日已过", m.close_past, "int"),
            ("暂缓中", m.snoozed, "int"),
        )
        for c, (label, value, kind) in enumerate(figures):
            cells.put(2, c, label, "header")
            cells.put(3, c, value, kind)
        cells.put(5, 0, "在跟线索及预警（按停留天数从长到短）", "subtitle")
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
            _Column("阶段进入日期", _date_values(active, "stage_entered"), "date"),
            _Column("停留(天)", _number_values(active, "dwell_days"), "days"),
            _Column("上限(天)", self.stage_limit(stage_idx), "days"),
            _Column("距上次跟进(天)", _number_values(active, "days_since_follow_up"), "days"),
            _Column(self.header("next_follow_up"), _date_values(active, "next_follow_up"), "date"),
            _Column(self.header("expected_close"), _date_values(active, "expected_close"), "date"),
            _Column(self.header("amount"), _number_values(active, "amount"), "amount"),
            _Column("预警", _alert_labels(active), width=30),
        ]
        if owner_column:
            columns.append(_Column(self.header("owner"), _text_values(active, "owner")))
        head = 6
        _write_header(sheet, self.formats, head, columns)
        end = _write_rows(sheet, self.formats, head + 1, columns)
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
            sheet.write_string(end, 0, "没有在跟线索。", self.formats("note"))
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
        return [
            _Column("类型", _mapped_values(alerts, "kind", ALERT_LABELS), width=14),
            _Column("线索编号", _text_values(alerts, "lead_id")),
            _Column("客户", _text_values(alerts, "customer")),
            _Column("负责人", _text_values(alerts, "owner")),
            _Column(
                "来源" if self.channel == "source" else self.header(self.channel),
                _text_values(alerts, self.channel),
            ),
            _Column("阶段", _text_values(alerts, "stage")),
            _Column("停留(天)", _number_values(alerts, "dwell_days"), "days"),
            _Column("上限(天)", _number_values(alerts, "limit_days"), "days"),
            _Column("距上次跟进(天)", _number_values(alerts, "days_since_follow_up"), "days"),
            _Column("日期", _date_values(alerts, "date"), "date"),
        ]

    def alerts(self) -> None:
        sheet = self.workbook.add_worksheet(ALERTS_SHEET)
        alerts = self.sorted_alerts()
        columns = self.alert_columns(alerts)
        _write_header(sheet, self.formats, 0, columns)
        end = _write_rows(sheet, self.formats, 1, columns)
        if end == 1:
            sheet.write_string(1, 0, "本期没有预警。", self.formats("note"))
        else:
            sheet.autofilter(0, 0, end - 1, len(columns) - 1)
            sheet.conditional_format(1, 6, end - 1, 6, _DWELL_BAR)
        _set_widths(sheet, columns)
        sheet.freeze_panes(1, 0)
        end = self.snoozed_block(sheet, max(end, 2) + 2)
        n = self.rules.thresholds.close_slips
        slips = self.analysis.forecast.slipped(n) if self.analysis.forecast is not None else None
        sheet.write_string(end + 1, 0, FORECAST_TEXTS["alerts"].format(n=n), self.formats("subtitle"))
        last = self.slips_table(sheet, end + 2, slips if slips is not None else pd.DataFrame())
        if last == end + 3:
            sheet.write_string(last, 0, FORECAST_TEXTS["alerts_none"], self.formats("note"))

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
        sheet.write_string(row, 0, "暂缓中的线索（不计停留超时和久未跟进）", self.formats("subtitle"))
        stage_idx = [None if v is None else int(v) for v in _number_values(snoozed, "stage_idx")]
        over = snoozed["over_limit"].tolist() if "over_limit" in snoozed else [None] * len(snoozed)
        columns = [
            _Column("线索编号", _text_values(snoozed, "lead_id")),
            _Column("客户", _text_values(snoozed, "customer")),
            _Column("负责人", _text_values(snoozed, "owner")),
            _Column("阶段", _text_values(snoozed, "stage")),
            _Column("停留(天)", _number_values(snoozed, "dwell_days"), "days"),
            _Column("上限(天)", self.stage_limit(stage_idx), "days"),
            _Column("已超上限", [None if v is None else ("是" if v else "否") for v in over]),
            _Column("暂缓至", _date_values(snoozed, "snooze_until"), "date"),
            _Column("暂缓原因", _text_values(snoozed, "snooze_reason"), width=30),
        ]
        _write_header(sheet, self.formats, row + 1, columns)
        end = _write_rows(sheet, self.formats, row + 2, columns)
        if end == row + 2:
            sheet.write_string(end, 0, "本期没有暂缓中的线索。", self.formats("note"))
            end += 1
        return end

    # -- 优化建议 ---------------------------------------------------------------------

    def suggestions(self) -> None:
        sheet = self.workbook.add_worksheet(SUGGESTIONS_SHEET)
        fired = self.result.suggestions
        cells = _Cells(sheet, self.formats)
        self.title(
            cells, f"优化建议 · 截至 {self.as_of_text}", "由规则文件中的 [[suggestions]] 在本期数字上触发。"
        )
        cells.flush()
        columns = [
            _Column("序号", list(range(1, len(fired) + 1)), "int", width=6),
            _Column("建议", [s.text for s in fired], width=80),
            _Column("指标", [METRIC_LABELS.get(s.metric, s.metric) for s in fired], width=16),
            _Column("数值", [s.value for s in fired], "pct", width=10),
            _Column("阶段/渠道", [s.stage or s.source for s in fired], width=14),
        ]
        _write_header(sheet, self.formats, 2, columns)
        end = _write_rows(sheet, self.formats, 3, columns)
        if not fired:
            sheet.write_string(end, 0, "本期数字没有触发任何优化建议规则。", self.formats("note"))
        _set_widths(sheet, columns)
        sheet.freeze_panes(3, 0)

    # -- 数据质量 ---------------------------------------------------------------------

    def quality(self, *, single: str | None = None) -> None:
        """Each rep's hygiene score with its parts, the hand-typed values that drift from the
        recalculated ones, and the rows to fix. ``single``: a rep's own workbook (their row only)."""
        sheet = self.workbook.add_worksheet(QUALITY_SHEET)
        quality = self.analysis.quality
        t = self.rules.thresholds
        cells = _Cells(sheet, self.formats)
        self.title(
            cells,
            f"数据质量 · 截至 {self.as_of_text}",
            "数据质量分 0–100：各项得分 = 分值 × (1 − 不合格数 ÷ 适用数)，适用数为 0 得满分。"
            "填写偏差：手填的停留时长或通过率与工具重算的不符（停留时长容差 "
            f"{t.drift_dwell_days} 天，通过率容差 {t.drift_pass_rate_points:g} 个百分点）。",
        )
        cells.put(3, 0, "数据质量分", "subtitle")
        cells.flush()
        names = [single] if single is not None else sorted(quality.hygiene)
        scores: list[HygieneScore | None] = [quality.hygiene.get(n) for n in names]
        columns = [
            _Column("负责人", names, width=14),
            _Column("数据质量分", [None if h is None else h.score for h in scores], "score"),
        ]
        for part in HYGIENE_PARTS:
            label = HYGIENE_LABELS[part]
            columns += [
                _Column(
                    f"{label}\n得分(满分 {self.rules.hygiene.points_of(part):g})",
                    [None if h is None else h.part(part).earned for h in scores], "score",
                ),
                _Column(
                    f"{label}\n不合格/适用",
                    [None if h is None else f"{h.part(part).failing}/{h.part(part).applicable}" for h in scores],
                ),
            ]
        head = 4
        _write_header(sheet, self.formats, head, columns)
        sheet.set_row(head, 44)
        row = _write_rows(sheet, self.formats, head + 1, columns)
        widths = columns

        row += 1
        sheet.write_string(row, 0, "填写偏差（手填值与重算值不符）", self.formats("subtitle"))
        drift = quality.drift
        columns = [
            _Column("负责人", _text_values(drift, "owner")),
            _Column("线索编号", _text_values(drift, "lead_id")),
            _Column("客户", _text_values(drift, "customer")),
            _Column("阶段", _text_values(drift, "stage")),
            _Column("类型", _mapped_values(drift, "kind", DRIFT_LABELS)),
            _Column("手填值", _text_values(drift, "typed")),
            _Column("应为(重算)", _text_values(drift, "expected")),
            _Column("偏差", _number_values(drift, "difference"), "days1"),
            _Column("来源文件", _text_values(drift, "_file")),
            _Column("来源行", _number_values(drift, "_row"), "int"),
        ]
        _write_header(sheet, self.formats, row + 1, columns)
        end = _write_rows(sheet, self.formats, row + 2, columns)
        if end == row + 2:
            sheet.write_string(end, 0, "没有超出容差的手填值。", self.formats("note"))
            end += 1

        row = end + 1
        sheet.write_string(row, 0, "待改正的行", self.formats("subtitle"))
        fixes = quality.fixes
        columns = [
            _Column("负责人", _text_values(fixes, "owner")),
            _Column("线索编号", _text_values(fixes, "lead_id")),
            _Column("客户", _text_values(fixes, "customer")),
            _Column("阶段", _text_values(fixes, "stage")),
            _Column("问题", _mapped_values(fixes, "part", HYGIENE_LABELS)),
            _Column("怎么改", _mapped_values(fixes, "part", HYGIENE_FIXES), width=44),
            _Column("来源文件", _text_values(fixes, "_file")),
            _Column("来源行", _number_values(fixes, "_row"), "int"),
        ]
        _write_header(sheet, self.formats, row + 1, columns)
        end = _write_rows(sheet, self.formats, row + 2, columns)
        if end == row + 2:
            sheet.write_string(end, 0, "没有需要改正的行。", self.formats("note"))
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
        sheet = self.workbook.add_worksheet(FORECAST_SHEET)
        f: Forecast = self.analysis.forecast
        cells = _Cells(sheet, self.formats)
        self.title(
            cells,
            f"预测 · 截至 {self.as_of_text}",
            "加权预测 = 预计成交日期在该月的在跟线索的 Σ 金额 × 阶段赢单概率；本月成交 = 本月进入已成交的线索金额。",
        )
        head = 3
        for c, text in enumerate(("月份", "在跟线索数", "预计金额(万元)", "加权预测(万元)", "实际成交(万元)", "实际成交(条)")):
            cells.put(head, c, text, "header")
        rows = [
            (f"{f.current.month}（本月，截至 {self.as_of_text}）", f.current, f.won_amount, f.won_count),
            *((m.month, m, None, None) for m in f.ahead),
            ("预计成交日期已过（仍在跟）", f.overdue, None, None),
            ("未填预计成交日期", f.undated, None, None),
        ]
        for i, (label, m, won, won_count) in enumerate(rows, start=head + 1):
            cells.put(i, 0, label, "label")
            cells.put(i, 1, m.leads, "int")
            cells.put(i, 2, m.amount, "amount")
            cells.put(i, 3, m.weighted, "amount")
            cells.put(i, 4, won, "amount")
            cells.put(i, 5, won_count, "int")
        row = head + len(rows) + 1
        cells.put(row, 0, "本月一行的在跟线索是预计本月成交、截至今日仍未成交的线索。", "note")

        row += 2
        texts = FORECAST_TEXTS
        cells.put(row, 0, texts["checks"], "subtitle")
        cells.put(row + 1, 0, texts["checks_note"], "note")
        row += 2
        for c, text in enumerate(("月份", "预测时间", "预测线索数", "上月预测(万元)", "实际成交(万元)", "准确度")):
            cells.put(row, c, text, "header")
        for check in f.checks:
            row += 1
            cells.put(row, 0, check.month, "label")
            cells.put(row, 1, f"{check.made_in} 重建")
            cells.put(row, 2, check.leads, "int")
            cells.put(row, 3, check.forecast, "amount")
            cells.put(row, 4, check.actual, "amount")
            cells.put(row, 5, check.accuracy, "pct")
        if not f.checks:
            row += 1
            cells.put(row, 0, texts["checks_none"], "note")

        row += 2
        n = self.rules.thresholds.close_slips
        cells.put(row, 0, texts["slips"], "subtitle")
        cells.put(row + 1, 0, texts["slips_note"].format(n=n), "note")
        cells.flush()
        end = self.slips_table(sheet, row + 2, f.slipped(1))
        if end == row + 3:
            sheet.write_string(end, 0, texts["slips_none"], self.formats("note"))
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 5, 16)
        sheet.set_column(6, 7, 40)
        sheet.set_row(head, 20)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)

    def slips_table(self, sheet, head: int, slips: pd.DataFrame) -> int:
        """The slipped leads under a header at ``head``; returns the row after the last."""
        columns = [
            _Column("线索编号", _text_values(slips, "lead_id")),
            _Column("客户", _text_values(slips, "customer")),
            _Column("负责人", _text_values(slips, "owner")),
            _Column("阶段", _text_values(slips, "stage")),
            _Column("最初预计成交", _date_values(slips, "first_close"), "date"),
            _Column("现在预计成交", _date_values(slips, "close"), "date"),
            _Column("推迟次数", _number_values(slips, "slips"), "int"),
            _Column("历次预计成交日期", _text_values(slips, "path"), width=40),
        ]
        _write_header(sheet, self.formats, head, columns)
        return _write_rows(sheet, self.formats, head + 1, columns)

    # -- 运行信息 ---------------------------------------------------------------------

    def is_team_record(self) -> bool:
        """The team report (a rep's workbook counts only their own rows)."""
        return True

    def run_info(self) -> None:
        """What the report was made from and with: enough to reproduce its numbers."""
        sheet = self.workbook.add_worksheet(RUN_SHEET)
        a = self.analysis
        text = RUN_TEXTS
        cells = _Cells(sheet, self.formats)
        self.title(cells, text["title"].format(as_of=self.as_of_text), text["note"])
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
        items.append((text["log"], f"{flow.log_entries} 条", None))
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
                    text["calendar_missing"].format(years="、".join(map(str, missing))) if missing
                    else "chinese-calendar：法定节假日与调休上班日",
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
        for c, header in enumerate(("文件", "工作表", "表头行", "读取行数", "其中排除", "SHA-256")):
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
        sheet = self.workbook.add_worksheet(PROBLEMS_SHEET)
        problems = _errors_first(self.analysis.problems)
        severity = [SEVERITY_LABELS.get(p.severity, p.severity) for p in problems]
        columns = [
            _Column(
                "严重程度", severity, width=10,
                formats=[p.severity if p.severity in (ERROR, WARNING) else None for p in problems],
            ),
            _Column("文件", [p.file or None for p in problems]),
            _Column("工作表", [p.sheet or None for p in problems]),
            _Column("行", [p.row for p in problems], "int", width=7),
            _Column("列", [p.column or None for p in problems], width=6),
            _Column("表头", [p.header or None for p in problems]),
            _Column("值", [p.value or None for p in problems]),
            _Column("问题说明", [p.message for p in problems], width=70),
            _Column("代码", [p.code for p in problems]),
        ]
        _write_header(sheet, self.formats, 0, columns)
        end = _write_rows(sheet, self.formats, 1, columns)
        if not problems:
            sheet.write_string(1, 0, "未发现数据问题。", self.formats("note"))
        else:
            sheet.autofilter(0, 0, end - 1, len(columns) - 1)
        _set_widths(sheet, columns)
        sheet.freeze_panes(1, 0)

    # -- 线索明细 ---------------------------------------------------------------------

    def detail(self) -> None:
        sheet = self.workbook.add_worksheet(DETAIL_SHEET)
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
            _Column(
                "阶段进入日期来源",
                _mapped_values(leads, "stage_entered_source", ENTERED_SOURCE_LABELS),
            ),
            _Column("流失阶段来源", _mapped_values(leads, "lost_at_source", LOST_AT_SOURCE_LABELS)),
            _Column("状态", _mapped_values(leads, "status", STATUS_LABELS), width=18),
            _Column("停留超时", [None if v is None else ("是" if v else "否") for v in stalled]),
            _Column("来源文件", _text_values(leads, "_file")),
            _Column("来源行", _number_values(leads, "_row"), "int"),
        ]
        n_fields = len(self.rules.columns)
        _write_header(sheet, self.formats, 0, columns)
        end = _write_rows(sheet, self.formats, 1, columns)
        if len(excluded):
            end = _write_rows(sheet, self.formats, end, self.excluded_columns(excluded, typed))
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
                {"type": "cell", "criteria": "==", "value": '"是"', "format": self.formats("red")},
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
            _Column("", [EXCLUDED_STATUS] * rows),
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
        self.own = "本人" if group.kind == "owner" else "本渠道"

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
        if self.group.kind == "owner":
            return f"{self.group.name} · 个人销售漏斗 · 截至 {self.as_of_text}"
        return f"渠道「{self.group.name}」 · 销售漏斗 · 截至 {self.as_of_text}"

    # -- 总览 ----------------------------------------------------------------------

    def group_overview(self) -> None:
        sheet = self.workbook.add_worksheet(OVERVIEW_SHEET)
        sheet.hide_gridlines(2)
        cells = _Cells(sheet, self.formats)
        whose = "您负责的线索" if self.group.kind == "owner" else "该渠道的线索"
        self.title(
            cells,
            self.heading(),
            f"统计期间 {self.analysis.period} · 本文件只含{whose}；「全队」为全队合计，供对比（不含金额）。",
        )
        mine, team = self.team, self.whole
        problems = count_by_severity(self.analysis.problems)
        worst_mine, worst_team = mine.worst_transition, team.worst_transition
        rows = (
            ("线索总数", mine.totals.total, team.totals.total, "int", "有效线索 + 因数据错误排除的行"),
            ("有效线索", mine.totals.valid, team.totals.valid, "int", "参与计算的线索"),
            ("在跟", mine.totals.active, team.totals.active, "int", "处于成交前各阶段的线索"),
            ("已成交", mine.totals.won, team.totals.won, "int", ""),
            ("已流失", mine.totals.lost, team.totals.lost, "int", "标记为无效线索"),
            ("排除(数据错误)", mine.totals.excluded, team.totals.excluded, "int", "见「数据问题」"),
            ("赢单率", mine.win_rate, team.win_rate, "pct", "已成交 ÷ (已成交 + 已流失)"),
            ("整体转化率", mine.overall_conversion, team.overall_conversion, "pct", "已成交 ÷ 有效线索"),
            ("平均成交周期(天)", mine.cycle_mean, team.cycle_mean, "days1", "首次接触 → 进入已成交"),
            ("成交周期中位数(天)", mine.cycle_median, team.cycle_median, "days1", ""),
            (f"在跟金额({self.unit})", mine.pipeline, None, "amount", "在跟线索预计成交金额之和"),
            (f"加权金额({self.unit})", mine.weighted_pipeline, None, "amount", "Σ 金额 × 所在阶段赢单概率"),
            (
                "最薄弱环节",
                None if worst_mine is None else worst_mine.label,
                None if worst_team is None else worst_team.label,
                None, "通过率最低的相邻阶段",
            ),
            (
                "最薄弱环节通过率",
                None if worst_mine is None else worst_mine.rate,
                None if worst_team is None else worst_team.rate,
                "pct", "下一阶段累计到达 ÷ 本阶段已离开",
            ),
            ("停留超时", mine.stalled, team.stalled, "int", "在跟且停留天数超过该阶段上限"),
            ("跟进逾期", mine.overdue, team.overdue, "int", "下次跟进时间已过"),
            ("久未跟进", mine.stale, team.stale, "int", "距最近跟进超过规定天数"),
            ("预计成交日已过", mine.close_past, team.close_past, "int", "在跟但预计成交日期已过"),
            ("数据问题(错误)", problems[ERROR], None, "int", "有错误的行不参与计算，请改正"),
            ("数据问题(警告)", problems[WARNING], None, "int", "仅提示，行仍参与计算"),
        )
        top = _OVERVIEW_FIRST_ROW - 1
        for c, text in enumerate(("指标", self.own, "全队", "说明")):
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
        sheet.set_column(0, 0, 20)
        sheet.set_column(1, 2, 20)
        sheet.set_column(3, 3, 34)
        sheet.set_column(_CHART_DATA_COL, _CHART_DATA_COL + 2, 12)
        sheet.freeze_panes(_OVERVIEW_FIRST_ROW, 0)
        sheet.print_area(0, 0, last_row, _CHART_DATA_COL - 1)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 1)

    # -- 漏斗分析 --------------------------------------------------------------------

    def group_funnel(self) -> None:
        sheet = self.workbook.add_worksheet(FUNNEL_SHEET)
        cells = _Cells(sheet, self.formats)
        min_sample = self.rules.thresholds.min_sample
        self.title(
            cells,
            f"漏斗分析 · {self.heading()}",
            f"红色 = {self.own}明显比全队差：95% 区间整个低于全队通过率（或高于全队流失率），且样本不少于 "
            f"{min_sample} 条；灰色 = 样本少（少于 {min_sample} 条），仅供参考；空白 = 没有已离开的线索，无法计算。",
        )
        cells.flush()
        mine, team = self.team.stages, self.whole.stages
        own = self.own
        last = len(mine) - 1
        passes = [self.team.pass_counts(k) if k < last else Rate(0, 0) for k in range(len(mine))]
        losses = [self.team.loss_counts(k) if k < last else Rate(0, 0) for k in range(len(mine))]
        columns = [
            _Column("阶段", [s.stage for s in mine]),
            _Column("当前线索数", [s.current for s in mine], "int"),
            _Column("累计到达", [s.reached for s in mine], "int"),
            _Column("已离开", [s.exited for s in mine], "int"),
            _Column(
                f"{own}通过率\n(至下一阶段)", [r.value for r in passes], "pct",
                formats=[
                    _worse(r, t.pass_rate, min_sample, lower_is_worse=True)
                    for r, t in zip(passes, team)
                ],
            ),
            _Column(
                COUNTS_HEADER.format(label=f"{own}通过率"),
                [_counts_text(r, min_sample) for r in passes], width=20,
                formats=["small" if r.small(min_sample) else None for r in passes],
            ),
            _Column("全队通过率", [s.pass_rate for s in team], "pct"),
            _Column(
                f"{own}流失率", [r.value for r in losses], "pct",
                formats=[
                    _worse(r, t.loss_rate, min_sample, lower_is_worse=False)
                    for r, t in zip(losses, team)
                ],
            ),
            _Column(
                COUNTS_HEADER.format(label=f"{own}流失率"),
                [_counts_text(r, min_sample) for r in losses], width=20,
                formats=["small" if r.small(min_sample) else None for r in losses],
            ),
            _Column("全队流失率", [s.loss_rate for s in team], "pct"),
            _Column("本阶段流失", [s.lost_here for s in mine], "int"),
            _Column("平均停留(天)", [s.avg_dwell_days for s in mine], "days1"),
            _Column("全队平均停留(天)", [s.avg_dwell_days for s in team], "days1"),
            _Column("停留超时", [s.stalled for s in mine], "int"),
            _Column(f"金额({self.unit})", [s.amount for s in mine], "amount"),
            _Column(f"加权金额({self.unit})", [s.weighted_amount for s in mine], "amount"),
        ]
        head = 2
        _write_header(sheet, self.formats, head, columns)
        _write_rows(sheet, self.formats, head + 1, columns)
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
            sheet_name="在跟线索",
            title=f"在跟线索及预警 · {self.heading()}",
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


def _flag_texts(flags: list[ChannelFlag]) -> dict[str, str]:
    """Each flagged channel's text for 渠道分析, e.g. "赢单率 < 10%（2024-03、2024-04、2024-05）"."""
    texts: dict[str, list[str]] = {}
    for f in flags:
        texts.setdefault(f.source, []).append(
            f"{CHANNEL_METRIC_LABELS[f.metric]} < {f.limit:.0%}（{'、'.join(f.months)}）"
        )
    return {source: "；".join(parts) for source, parts in texts.items()}


def _alert_labels(leads: pd.DataFrame) -> list[str | None]:
    """Each lead's alerts as one text, e.g. "停留超时、跟进逾期"; None when it has none."""
    flags = [
        (leads[kind].fillna(False).astype(bool).tolist() if kind in leads else [False] * len(leads),
         label)
        for kind, label in ALERT_LABELS.items()
    ]
    texts = []
    for hits in zip(*(f for f, _ in flags)):
        labels = [label for hit, (_, label) in zip(hits, flags) if hit]
        texts.append("、".join(labels) if labels else None)
    return texts if flags and len(leads) else [None] * len(leads)


def _sort_text(frame: pd.DataFrame, column: str) -> list[str]:
    return [v or "" for v in _text_values(frame, column)]


def _counts_text(rate: Rate, min_sample: int) -> str | None:
    """k/n and the 95% interval, e.g. "7/9 · 45%–94%"; "1/1 · 21%–100% 样本少"; None when n = 0."""
    if not rate.n:
        return None
    low, high = rate.interval
    text = f"{rate.k}/{rate.n} · {low * 100:.0f}%–{high * 100:.0f}%"
    return f"{text} {SMALL_SAMPLE}" if rate.small(min_sample) else text


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
    best: bool = True,
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
            COUNTS_HEADER.format(label=label), [_counts_text(r, min_sample) for r in rates],
            width=20, formats=["small" if sm else None for sm in small],
        ),
    ]


def _errors_first(problems: list[Problem]) -> list[Problem]:
    rank = {ERROR: 0, WARNING: 1}
    return sorted(sort_problems(problems), key=lambda p: rank.get(p.severity, 2))
