"""Give the reps their sheet back: the recalculated columns written into their own workbook, in place.

``refresh`` reads a tracking workbook through the same pipeline as ``rebuild`` (the same bytes are
analysed and rewritten; its follow-up log, when it has one, dates the stages first, as for
``rebuild``; the history store is ``rebuild``'s and is not read here) and changes only

- 当前阶段停留时长(天): the dwell days (blank for won, lost and unknown);
- 转化率/阶段通过率(可选): the pass-rate text;
- 阶段进入日期, only where the cell is blank and the date had to be estimated: the estimate, with a
  cell comment saying so (:data:`ESTIMATE_PREFIX`), so that later runs start from a date instead of
  re-estimating from a dwell value the tool itself wrote;
- the fill of the 线索编号 and dwell cells of stalled leads (:data:`HIGHLIGHT_RGB`, an exact colour the
  tool recognises as its own, so it can take the highlight off again; any other fill is the rep's and
  is never touched).

A column the sheet lacks is added after the last used column under the rules' header, only when
there is something to write into it. Rows with errors are left as they are.

When a lead has moved on, the tool's own earlier values no longer apply and are not reused: an
estimate written for another stage is cleared (with its comment), and a dwell value that the last
refresh wrote for a lead then in the first stage is ignored (the last refresh's as-of date is kept
in the custom document property :data:`REFRESHED_PROPERTY`). Such a lead's entry date is unknown until
the rep fills 阶段进入日期, and the result says so.

Safe by default: the workbook is refused when it is open in Excel, WPS or LibreOffice (a lock file
beside it), read-only, not an .xlsx, or holds content openpyxl cannot write back unchanged; the new
file is written beside the old one and moved into place only when complete, after a timestamped
backup; nothing is written when nothing changes.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import warnings
import zipfile
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.cell.rich_text import CellRichText
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import PatternFill
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from .analysis import Analysis
from .atomic import atomic_path, write_bytes_atomic
from .errors import InputError, OutputError, os_error_reason
from .files import MB, read_regular_file
from .frames import EnteredFrom, Status
from .inputs import backup_path, lock_files
from .metrics import dwell_between, working_days_for
from .pipeline import check_logs, combine, input_file, resolve_as_of
from .problems import Problem
from .progress import READ, SAVE, VALIDATE, WRITE, Progress, ProgressCallback, silent
from .reader import read_workbook
from .rules import Rules
from .validate import Validated, validate_leads

# The tool's highlight of stalled leads. A cell with exactly this fill is the tool's to change.
HIGHLIGHT_RGB = "FFFDC3BE"
HIGHLIGHT = PatternFill(fill_type="solid", fgColor=HIGHLIGHT_RGB, bgColor=HIGHLIGHT_RGB)
COMMENT_AUTHOR = "funnel-xl"
# Estimate comments start with this; their text also records the stage and the estimated date.
ESTIMATE_PREFIX = "funnel-xl 估算"
_ESTIMATE_TEXT = re.compile(
    re.escape(ESTIMATE_PREFIX) + r"（(\d{4}-\d{2}-\d{2}) 刷新）：「(.+?)」阶段.*?估算为 (\d{4}-\d{2}-\d{2})",
    re.DOTALL,
)
COMPUTED_HEADER_COMMENT = "由 funnel-xl 自动计算，请勿手工填写"
REFRESHED_PROPERTY = "funnel-xl 刷新截止日"
REFUSED_SUFFIXES = {
    ".xlsm": "带宏的工作簿 (.xlsm)，写回会丢失宏",
    ".xls": "旧版 Excel 工作簿 (.xls)，无法原样写回",
    ".xlsb": "二进制工作簿 (.xlsb)，无法原样写回",
    ".ods": "OpenDocument 表格 (.ods)，无法原样写回",
}

# Changes, by kind (RefreshResult.changes).
DWELL, PASS_RATE, ESTIMATE, ESTIMATE_CLEARED, COMMENT_REMOVED, HIGHLIGHTED, UNHIGHLIGHTED, COLUMN_ADDED = (
    "dwell", "pass_rate", "estimate", "estimate_cleared", "comment_removed",
    "highlighted", "unhighlighted", "column_added",
)


@dataclass(frozen=True)
class Change:
    """One cell the refresh changed (or would change)."""

    kind: str
    cell: str  # e.g. "M5"
    lead_id: str | None
    old: object
    new: object


@dataclass
class RefreshResult:
    path: Path
    sheet: str
    as_of: date
    analysis: Analysis
    changes: list[Change] = field(default_factory=list)
    written: bool = False
    backup: Path | None = None
    stalled: list[str] = field(default_factory=list)  # lead IDs highlighted now
    rep_fills_kept: list[str] = field(default_factory=list)  # stalled cells left in the rep's colour
    entered_unknown: list[tuple[str, int]] = field(default_factory=list)  # (lead ID, row), active
    formulas_kept: list[str] = field(default_factory=list)  # computed cells holding the rep's formula
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.analysis.problems

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


def refresh_workbook(
    path: str | Path, rules: Rules, *, as_of: date | None = None, month: str | None = None,
    backup: bool = True, today: date | None = None, now: datetime | None = None,
    progress: ProgressCallback | None = None,
) -> RefreshResult:
    """Recalculate the workbook at ``path`` and write the computed columns back into it.

    Raises :class:`InputError` when the workbook must not or cannot be refreshed (nothing is written
    then) and :class:`OutputError` when the new file or the backup cannot be written. ``progress``
    is told as each step starts (see :mod:`funnel_xl.progress`).
    """
    progress = progress or silent
    path = Path(path)
    _check_target(path)
    as_of, period = resolve_as_of(as_of, month, today)
    progress(Progress(READ, path.name))
    content = read_regular_file(
        path, rules.limits.max_file_mb * MB, what="工作簿", limit_key="[limits] max_file_mb"
    )
    _check_parts(path, content)
    book = read_workbook(path, rules, content=content)
    sheet = book.leads
    workbook = _load(path, content)
    ws = workbook[sheet.sheet]
    _check_formulas(path, ws, sheet)

    progress(Progress(VALIDATE, path.name))
    validated = validate_leads(sheet, rules, as_of)
    writer = _Writer(ws, sheet.letters, sheet.header_row, rules)
    own = writer.own_estimates(validated)
    _forget_own_values(validated, own, _previous_refresh(workbook), rules)
    # The follow-up log, when the workbook has one, dates the stages as it does for rebuild.
    checked = check_logs([validated], [input_file(sheet, book.log)], [(0, book.log)], rules, as_of)
    analysis = combine(
        [validated], checked.inputs, rules, as_of, period, checked=checked, progress=progress
    )
    result = RefreshResult(path=path, sheet=sheet.sheet, as_of=as_of, analysis=analysis)

    progress(Progress(WRITE, sheet.sheet))
    writer.apply(analysis, own, as_of, result)
    result.changes = writer.changes
    if not result.changes:
        return result
    _set_refreshed(workbook, as_of)
    if writer.formula_count(workbook):
        # openpyxl keeps formulas but not their cached results: have Excel/WPS recalculate on open.
        workbook.calculation.fullCalcOnLoad = True
        result.notes.append(
            "工作簿中的公式已保留，但其计算结果要在 Excel/WPS 中打开并保存一次后才会重新存入文件。"
        )
    progress(Progress(SAVE, path.name))
    data = _serialise(workbook)
    _check_unchanged(path, content)
    if backup:
        result.backup = backup_path(path, now or datetime.now())
        write_bytes_atomic(result.backup, content)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    result.written = True
    return result


# ---------------------------------------------------------------------------
# Refusals: nothing is written in any of these cases.
# ---------------------------------------------------------------------------

def _check_target(path: Path) -> None:
    if not path.exists():
        raise InputError(f"找不到文件: {path}")
    if path.is_dir():
        raise InputError(f"{path} 是一个文件夹。refresh 一次刷新一个工作簿，请指定文件。")
    suffix = path.suffix.lower()
    if suffix in REFUSED_SUFFIXES:
        raise InputError(
            f"{path.name} 是{REFUSED_SUFFIXES[suffix]}，refresh 不会修改它。"
            f"请另存为 .xlsx 后再刷新；funnel-xl rebuild 可以直接读取此文件（只读，不修改）。"
        )
    if suffix != ".xlsx":
        raise InputError(f"{path.name}: refresh 只能刷新 .xlsx 工作簿（此文件是「{path.suffix}」）。")
    for lock in lock_files(path):
        if lock.exists():
            raise InputError(
                f"{path.name} 正在 Excel、WPS 或 LibreOffice 中打开（旁边有锁文件 {lock.name}）。"
                "请先保存并关闭它再刷新；若确定没有打开，请删除这个锁文件。"
            )
    if not _writable(path):
        raise InputError(f"{path.name} 是只读文件，refresh 不会修改它。请取消只读属性后再刷新。")
    if not _writable(path.parent):
        raise InputError(
            f"文件夹 {path.parent} 是只读的，无法在其中写入刷新后的文件和备份。请换一个可写的位置。"
        )


def _writable(path: Path) -> bool:
    """Writable for us and not marked read-only (no write bit: the Windows read-only attribute)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return os.access(path, os.W_OK) and bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


# Parts of an .xlsx that openpyxl writes back (or whose loss changes nothing the reps see).
_KEPT_PARTS = re.compile(
    r"^(?:\[Content_Types\]\.xml|_rels/\.rels"
    r"|docProps/(?:core|app|custom)\.xml|docProps/thumbnail\.\w+"
    r"|xl/workbook\.xml|xl/_rels/workbook\.xml\.rels|xl/styles\.xml|xl/sharedStrings\.xml"
    r"|xl/calcChain\.xml|xl/theme/[^/]+\.xml|xl/theme/_rels/[^/]+\.rels"
    r"|xl/worksheets/[^/]+\.xml|xl/worksheets/_rels/[^/]+\.rels"
    r"|xl/comments[^/]*\.xml|xl/comments/[^/]+\.xml"
    r"|xl/drawings/[^/]+\.vml|xl/drawings/_rels/[^/]+\.vml\.rels"
    r"|xl/tables/[^/]+\.xml|xl/tables/_rels/[^/]+\.rels"
    r"|xl/pivotTables/.+|xl/pivotCache/.+|xl/externalLinks/.+"
    r"|xl/printerSettings/[^/]+|customXml/.+)$"
)
_LOST_PARTS = (
    ("xl/vbaProject", "宏 (VBA)"),
    ("xl/drawings/", "图表、图片或形状"),
    ("xl/charts/", "图表、图片或形状"),
    ("xl/chartsheets/", "图表、图片或形状"),
    ("xl/media/", "图表、图片或形状"),
    ("xl/threadedComments/", "新版批注（可回复的批注）"),
    ("xl/persons/", "新版批注（可回复的批注）"),
    ("xl/slicer", "切片器"),
    ("xl/timeline", "日程表"),
    ("xl/activeX/", "表单控件或 ActiveX 控件"),
    ("xl/ctrlProps/", "表单控件或 ActiveX 控件"),
    ("xl/embeddings/", "嵌入的对象"),
    ("xl/richData/", "单元格中的图片"),
    ("xl/metadata.xml", "动态数组公式"),
    ("xl/model/", "数据模型"),
    ("xl/connections.xml", "外部数据连接"),
    ("xl/queryTables/", "外部数据连接"),
)
_LOST_WARNINGS = (
    ("Data Validation extension", "引用其他工作表的数据验证（下拉列表）"),
    ("Conditional Formatting extension", "扩展的条件格式（数据条、图标集等）"),
    ("Sparkline Group extension", "迷你图"),
    ("Slicer List extension", "切片器"),
    ("DrawingML", "图表、图片或形状"),
)
_LOSS_WORDS = re.compile(r"removed|discarded|dropped|lost|ignored|cannot be read", re.IGNORECASE)


def _check_parts(path: Path, content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [
                n for n in archive.namelist()
                if not n.endswith("/") and not _empty_drawing(archive, n)
            ]
    except zipfile.BadZipFile:
        return  # not a zip: the reader says what it is
    lost = []
    for name in names:
        if _KEPT_PARTS.match(name):
            continue
        label = next((text for prefix, text in _LOST_PARTS if name.startswith(prefix)), f"其他内容 ({name})")
        if label not in lost:
            lost.append(label)
    _refuse_loss(path, lost)


_DRAWING_PART = re.compile(r"^xl/drawings/[^/]+\.xml$")
_ANCHOR = re.compile(rb"<(?:\w+:)?(?:twoCellAnchor|oneCellAnchor|absoluteAnchor)\b")


def _empty_drawing(archive: zipfile.ZipFile, name: str) -> bool:
    """A drawing part with nothing anchored in it (LibreOffice writes one beside comments)."""
    if not _DRAWING_PART.match(name):
        return False
    info = archive.getinfo(name)
    if info.file_size > 1 << 16:
        return False
    return _ANCHOR.search(archive.read(info)) is None


def _refuse_loss(path: Path, lost: list[str]) -> None:
    if lost:
        raise InputError(
            f"{path.name}: 无法安全刷新：工作簿含有{'、'.join(lost)}，写回时会丢失或改变这些内容。"
            "请把它们移到另一个工作簿后再刷新；funnel-xl rebuild 可以照常读取此文件（只读，不修改）。"
        )


def _load(path: Path, content: bytes) -> openpyxl.Workbook:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), rich_text=True)
        except Exception as exc:  # openpyxl raises many unrelated types for files it cannot parse
            raise InputError(
                f"{path.name}: 无法用 openpyxl 打开，不能刷新 ({type(exc).__name__}: {exc})。"
                "rebuild 仍可读取此文件。"
            ) from None
    lost = []
    for warning in caught:
        text = str(warning.message)
        if not (_LOSS_WORDS.search(text) or "not supported" in text):
            continue
        label = next((label for key, label in _LOST_WARNINGS if key in text), f"其他内容 ({text})")
        if label not in lost:
            lost.append(label)
    _refuse_loss(path, lost)
    return workbook


def _is_formula(cell) -> bool:
    """A cell holding a formula. Text that only looks like one (a rep's "=cmd|' /C calc'!A0", stored
    as a string) is text: openpyxl marks real formulas with data type "f"."""
    if cell is None:
        return False
    return cell.data_type == "f" or isinstance(cell.value, (ArrayFormula, DataTableFormula))


def _check_formulas(path: Path, ws, sheet) -> None:
    """Formulas in the columns the tool reads lose their cached results when openpyxl writes the file,
    so a later run would read those cells as blank: refuse, saying which cells."""
    read = {
        column_index_from_string(letter): sheet.headers.get(field_name, field_name)
        for field_name, letter in sheet.letters.items()
        if field_name not in ("dwell_days", "pass_rate_text")
    }
    found = []
    # ws._cells, not iter_rows: iterating a range would create (and then save) its empty cells.
    for (row, col), cell in sorted(ws._cells.items()):
        if row > sheet.header_row and col in read and _is_formula(cell):
            found.append(f"{cell.coordinate}({read[col]})")
    if found:
        shown = "、".join(found[:5]) + (f" 等 {len(found)} 个单元格" if len(found) > 5 else "")
        raise InputError(
            f"{path.name}: 「{sheet.sheet}」的 {shown} 是公式。刷新写回时公式的计算结果无法保留，"
            "之后读取会得到空值。请把这些单元格转换为数值（复制 → 选择性粘贴 → 数值）后再刷新。"
        )


def _check_unchanged(path: Path, content: bytes) -> None:
    try:
        now = path.read_bytes()
    except OSError as exc:
        raise OutputError(f"无法读取 {path}: {os_error_reason(exc)}") from None
    if hashlib.sha256(now).digest() != hashlib.sha256(content).digest():
        raise OutputError(f"{path.name} 在刷新过程中被修改（可能有人刚保存了它），未写入。请重新运行 refresh。")


def _serialise(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    try:
        workbook.save(buffer)
    except Exception as exc:  # openpyxl raises many unrelated types for content it cannot write
        raise OutputError(f"无法生成刷新后的工作簿 ({type(exc).__name__}: {exc})，原文件未改动。") from None
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# The tool's own earlier values
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _OwnEstimate:
    """An estimate comment the tool left in a 阶段进入日期 cell, and that lead's state now."""

    row: int
    refreshed: date
    stage: str  # the stage the estimate was made for
    estimate: date
    value: date | None  # the cell's date now
    stage_now: str | None

    @property
    def overwritten(self) -> bool:
        """The rep has typed another date (or cleared it): the cell is theirs now."""
        return self.value != self.estimate

    @property
    def stale(self) -> bool:
        """The lead has left the stage the estimate was made for."""
        return not self.overwritten and self.stage != self.stage_now


def _previous_refresh(workbook: openpyxl.Workbook) -> date | None:
    for prop in workbook.custom_doc_props.props:
        if prop.name == REFRESHED_PROPERTY:
            try:
                return date.fromisoformat(str(prop.value))
            except ValueError:
                return None
    return None


def _set_refreshed(workbook: openpyxl.Workbook, as_of: date) -> None:
    props = workbook.custom_doc_props
    for prop in list(props.props):
        if prop.name == REFRESHED_PROPERTY:
            props.props.remove(prop)
    props.append(StringProperty(name=REFRESHED_PROPERTY, value=as_of.isoformat()))


def _forget_own_values(validated: Validated, own: dict[int, _OwnEstimate], previous: date | None,
                       rules: Rules) -> None:
    """Blank, in the typed leads, the values the tool wrote itself for a stage the lead has left.

    - an estimate made for another stage (and the dwell value written with it);
    - for a lead past the first stage without an entry date, a dwell value equal to what the last
      refresh (``previous``) wrote while the lead was in the first stage: as-of − first contact.
    """
    leads = validated.leads
    if leads.empty:
        return
    stale = leads["_row"].isin([row for row, e in own.items() if e.stale])
    if "stage_entered_column" in leads:
        leads.loc[stale, "stage_entered_column"] = pd.NaT
    if "dwell_days_typed" not in leads:
        return
    if previous is not None and "first_contact" in leads:
        no_date = (
            leads["stage_entered_column"].isna() if "stage_entered_column" in leads
            else pd.Series(True, index=leads.index)
        )
        past_first = leads["stage"].notna() & (leads["stage"] != rules.stage_names[0])
        first_contact = pd.to_datetime(leads["first_contact"])
        # What the last refresh wrote for the first stage, counted as the rules count dwell.
        working = working_days_for(leads, rules, previous)
        first_stage_dwell = dwell_between(first_contact, pd.Timestamp(previous), working)
        typed = pd.to_numeric(leads["dwell_days_typed"], errors="coerce")
        written_by_tool = (typed == first_stage_dwell).fillna(False).astype(bool)
        stale = stale | (no_date & past_first & written_by_tool)
    leads.loc[stale, "dwell_days_typed"] = float("nan")


# ---------------------------------------------------------------------------
# Writing the cells
# ---------------------------------------------------------------------------

class _Writer:
    """Plans and makes the cell changes on the leads sheet, recording each one."""

    def __init__(self, ws, letters: dict[str, str], header_row: int, rules: Rules):
        self.ws = ws
        self.columns = {f: column_index_from_string(letter) for f, letter in letters.items()}
        self.header_row = header_row
        self.rules = rules
        self.changes: list[Change] = []
        self.formulas_kept: list[str] = []

    # -- reading what the tool wrote before --------------------------------------------------

    def own_estimates(self, validated: Validated) -> dict[int, _OwnEstimate]:
        """The estimate comments of valid rows in the 阶段进入日期 column, by Excel row."""
        col = self.columns.get("stage_entered")
        leads = validated.leads
        if col is None or leads.empty:
            return {}
        own = {}
        valid = leads[~leads["_error"]]
        for row, stage_now in zip(valid["_row"], valid["stage"], strict=False):
            cell = self.ws._cells.get((int(row), col))
            parsed = _parse_estimate(cell.comment) if cell is not None else None
            if parsed is None:
                continue
            refreshed, stage, estimate = parsed
            own[int(row)] = _OwnEstimate(
                int(row), refreshed, stage, estimate, _as_date(cell.value), stage_now
            )
        return own

    def formula_count(self, workbook) -> int:
        return sum(
            1 for sheet in workbook.worksheets for cell in sheet._cells.values() if _is_formula(cell)
        )

    # -- the changes ---------------------------------------------------------------------------

    def apply(self, analysis: Analysis, own: dict[int, _OwnEstimate], as_of: date,
              result: RefreshResult) -> None:
        leads = analysis.result.leads
        if leads.empty:
            self.unhighlight(set())
            return
        rows = leads["_row"].astype(int).tolist()
        ids = leads["lead_id"].tolist()
        dwell = [None if pd.isna(v) else int(v) for v in leads["dwell_days"]]
        rates = [None if pd.isna(v) else str(v) for v in leads["pass_rate_text_calc"]]
        sources = leads["stage_entered_source"].tolist()
        entered = leads["stage_entered"].tolist()
        stalled = leads["stalled"].tolist()

        for row, lead_id in zip(rows, ids, strict=False):
            self.tidy_estimate(row, lead_id, own.get(row))
        dwell_col = self.column("dwell_days", any(v is not None for v in dwell))
        rate_col = self.column("pass_rate_text", any(v is not None for v in rates))
        # Lost leads use no entry date; active leads need it for dwell, won leads for the cycle.
        estimated = [
            source == EnteredFrom.ESTIMATED and status != Status.LOST
            for source, status in zip(sources, leads["status"], strict=False)
        ]
        entered_col = self.column("stage_entered", any(estimated))

        highlighted: set[tuple[int, int]] = set()
        id_col = self.columns.get("lead_id")
        for i, (row, lead_id) in enumerate(zip(rows, ids, strict=False)):
            if dwell_col is not None:
                self.put(DWELL, row, dwell_col, lead_id, dwell[i], result)
            if rate_col is not None:
                self.put(PASS_RATE, row, rate_col, lead_id, rates[i], result)
            if estimated[i] and entered_col is not None:
                self.estimate(row, entered_col, lead_id, leads.iloc[i], entered[i], as_of)
            if stalled[i]:
                result.stalled.append(lead_id)
                for col in (id_col, dwell_col):
                    if col is not None and not self.highlight(row, col, lead_id):
                        result.rep_fills_kept.append(f"{get_column_letter(col)}{row}")
                    if col is not None:
                        highlighted.add((row, col))
        self.unhighlight(highlighted)
        active = leads["status"] == Status.ACTIVE
        unknown = active & leads["stage_entered"].isna()
        result.entered_unknown = [
            (str(lead_id), int(row))
            for lead_id, row in zip(leads.loc[unknown, "lead_id"], leads.loc[unknown, "_row"], strict=False)
        ]
        result.formulas_kept = self.formulas_kept

    def column(self, field_name: str, needed: bool) -> int | None:
        """The sheet column of a field; added after the last used column when missing and needed."""
        if field_name in self.columns:
            return self.columns[field_name]
        if not needed:
            return None
        used = [c for (_r, c), cell in self.ws._cells.items() if cell.value not in (None, "")]
        col = max(used, default=0) + 1
        header = self.ws.cell(row=self.header_row, column=col)
        # Styled like the last header (bold, fill, border), as the rep would have typed it.
        headers = [
            cell for (r, _c), cell in self.ws._cells.items()
            if r == self.header_row and cell.value not in (None, "") and cell is not header
        ]
        last = max(headers, key=lambda cell: cell.column, default=None)
        if last is not None and last.has_style:
            header._style = copy(last._style)
        header.value = self.rules.header(field_name)
        if self.rules.column(field_name).computed:
            header.comment = Comment(COMPUTED_HEADER_COMMENT, COMMENT_AUTHOR)
        width = self.ws.column_dimensions[get_column_letter(col)]
        width.width = max(12, min(2 * len(header.value) + 2, 30))
        self.columns[field_name] = col
        self.changes.append(Change(COLUMN_ADDED, header.coordinate, None, None, header.value))
        return col

    def cell(self, row: int, col: int) -> Cell:
        """The cell at (row, col); a cell new to the file takes its row's or column's style, as in Excel."""
        existing = self.ws._cells.get((row, col))
        if existing is not None:
            return existing
        cell = self.ws.cell(row=row, column=col)
        base = self.base_style(row, col)
        if base is not None:
            cell._style = copy(base)
        return cell

    def base_style(self, row: int, col: int):
        dim = self.ws.row_dimensions.get(row)
        if dim is not None and dim.has_style:
            return dim._style
        for dim in self.ws.column_dimensions.values():
            if dim.min is not None and dim.max is not None and dim.min <= col <= dim.max and dim.has_style:
                return dim._style
        return None

    def base_fill(self, row: int, col: int) -> PatternFill:
        base = self.base_style(row, col)
        if base is None:
            return PatternFill()
        probe = Cell(self.ws)
        probe._style = copy(base)
        return copy(probe.fill)

    def put(self, kind: str, row: int, col: int, lead_id, value, result: RefreshResult) -> None:
        existing = self.ws._cells.get((row, col))
        old = existing.value if existing is not None else None
        if _is_formula(existing):
            self.formulas_kept.append(f"{get_column_letter(col)}{row}")
            return
        if _same(old, value):
            return
        if existing is None and value is None:
            return
        cell = self.cell(row, col)
        cell.value = value
        self.changes.append(Change(kind, cell.coordinate, lead_id, old, value))

    def tidy_estimate(self, row: int, lead_id, estimate: _OwnEstimate | None) -> None:
        """An earlier estimate for a stage the lead has left is cleared, with its comment; one the rep
        overwrote loses the comment (the date is theirs now)."""
        if estimate is None:
            return
        cell = self.ws._cells[(row, self.columns["stage_entered"])]
        if estimate.overwritten:
            cell.comment = None
            self.changes.append(
                Change(COMMENT_REMOVED, cell.coordinate, lead_id, estimate.estimate, estimate.value)
            )
        elif estimate.stale:
            old = cell.value
            cell.value = None
            cell.comment = None
            self.changes.append(Change(ESTIMATE_CLEARED, cell.coordinate, lead_id, old, None))

    def estimate(self, row: int, col: int, lead_id, lead: pd.Series, entered, as_of: date) -> None:
        cell = self.cell(row, col)
        if cell.value not in (None, ""):
            return
        day = pd.Timestamp(entered).date()
        cell.value = day
        if cell.number_format == "General":
            cell.number_format = "yyyy-mm-dd"
        last = pd.Timestamp(lead["last_follow_up"]).date()
        typed = round(float(lead["dwell_days_typed"]))
        cell.comment = Comment(
            f"{ESTIMATE_PREFIX}（{as_of.isoformat()} 刷新）：「{lead['stage']}」阶段的进入日期表中未填写，"
            f"按 最近跟进时间 {last.isoformat()} − 当前阶段停留时长 {typed} "
            f"{'个工作日' if self.rules.thresholds.dwell_in_working_days else '天'} 估算为 {day.isoformat()}。"
            "如知道实际日期，请直接改写本单元格并删除此批注。",
            COMMENT_AUTHOR, height=110, width=320,
        )
        self.changes.append(Change(ESTIMATE, cell.coordinate, lead_id, None, day))

    def highlight(self, row: int, col: int, lead_id) -> bool:
        """Put the tool's fill on a stalled lead's cell; False when the rep's own fill is kept instead."""
        cell = self.cell(row, col)
        if _is_highlight(cell.fill):
            return True
        if cell.fill.fill_type not in (None, "none") and cell.fill != self.base_fill(row, col):
            return False
        old = cell.fill.fgColor.rgb if cell.fill.fill_type else None
        cell.fill = copy(HIGHLIGHT)
        self.changes.append(Change(HIGHLIGHTED, cell.coordinate, lead_id, old, HIGHLIGHT_RGB))
        return True

    def unhighlight(self, keep: set[tuple[int, int]]) -> None:
        """Take the tool's fill off every cell of the sheet that is not a stalled lead's now."""
        for (row, col), cell in sorted(self.ws._cells.items()):
            if (row, col) in keep or not _is_highlight(cell.fill):
                continue
            cell.fill = self.base_fill(row, col)
            new = cell.fill.fgColor.rgb if cell.fill.fill_type else None
            self.changes.append(Change(UNHIGHLIGHTED, cell.coordinate, None, HIGHLIGHT_RGB, new))


def _is_highlight(fill) -> bool:
    return (
        fill is not None
        and fill.fill_type == "solid"
        and getattr(fill.fgColor, "type", None) == "rgb"
        and fill.fgColor.rgb == HIGHLIGHT_RGB
    )


def _parse_estimate(comment: Comment | None) -> tuple[date, str, date] | None:
    if comment is None:
        return None
    match = _ESTIMATE_TEXT.search(comment.text or "")
    if match is None:
        return None
    try:
        return date.fromisoformat(match[1]), match[2], date.fromisoformat(match[3])
    except ValueError:
        return None


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _same(old: object, new: object) -> bool:
    if isinstance(old, CellRichText):  # LibreOffice saves mixed Chinese/Latin text as rich text
        old = str(old)
    if old is None or (isinstance(old, str) and not old.strip()):
        return new is None
    if new is None:
        return False
    if isinstance(new, int) and isinstance(old, (int, float)) and not isinstance(old, bool):
        return float(old) == float(new)
    return old == new
