"""Reading a tracking workbook: find the leads sheet (and the follow-up log, when there is one) and
their header rows, map headers to fields.

Values stay raw here (as the reader gives them: str, float, date, datetime); typing and checking
is :mod:`funnel_xl.validate`'s job. The file is read once and checked before parsing
(:mod:`funnel_xl.container`); cells are read with python-calamine, which is fast and never
evaluates anything. The input file is only ever read.

Rows that are not leads are skipped with a warning rather than reported as broken leads: a total
line (合计) and a row whose only content lies outside the table's columns.
"""

from __future__ import annotations

import difflib
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine

from .container import (
    SUPPORTED_SUFFIXES,
    UNSUPPORTED_SUFFIXES,
    WorkbookFile,
    column_letters,
    corrupt_message,
    encrypted_message,
    read_workbook_file,
)
from .errors import InputError
from .problems import WARNING, Problem
from .rules import Column, Rules, normalize_header

# What a folder of workbooks hands to the reader (inputs.py): the formats read, and those refused with
# a save-as hint, so a rep who saved as .ods is told so (an error on 数据问题) rather than skipped.
READABLE_SUFFIXES = (*SUPPORTED_SUFFIXES, *UNSUPPORTED_SUFFIXES)


@dataclass
class LeadsSheet:
    """The rows of one sheet (the leads, or the follow-up log): raw values by field, with where
    each came from."""

    """The leads of one sheet: raw values by field, with where each came from."""

    path: Path
    sheet: str
    header_row: int  # Excel row number of the header
    frame: pd.DataFrame  # one column per found field (raw values) + "_row" (Excel row number)
    letters: dict[str, str]  # field → column letter
    headers: dict[str, str]  # field → header text as found in the sheet
    extra_headers: list[str] = field(default_factory=list)
    sha256: str = ""
    label: str = ""  # how problems and reports name the file; the file name unless that is ambiguous
    date1904: bool = False  # serial numbers count from 1904-01-01 (a workbook set so on a Mac)
    problems: list[Problem] = field(default_factory=list)  # rows skipped, cells read as blank

    @property
    def file_name(self) -> str:
        return self.label or self.path.name


@dataclass
class TrackingWorkbook:
    """What one input workbook holds: its leads and, when it has one, its follow-up log."""

    leads: LeadsSheet
    log: LeadsSheet | None = None


def read_leads(path: str | Path, rules: Rules, *, content: bytes | None = None) -> LeadsSheet:
    """Read the leads sheet of a workbook. Raises :class:`InputError` when it cannot be used at all.

    ``content`` is the file's bytes when the caller has read them already (``refresh`` analyses
    exactly the bytes it will rewrite); they are checked like a file read here.
    """
    return read_workbook(path, rules, with_log=False, content=content).leads


def read_workbook(
    path: str | Path, rules: Rules, *, with_log: bool = True, content: bytes | None = None
) -> TrackingWorkbook:
    """Read the leads sheet and the follow-up log (跟进记录) of a workbook.

    The log is optional: ``log`` is None when the rules describe no log or the workbook has none.
    A log sheet that lacks a required column raises :class:`InputError`, like the leads sheet.
    """
    source = read_workbook_file(path, rules.limits, content=content)
    workbook = _calamine(source.path, lambda: python_calamine.CalamineWorkbook.from_filelike(
        io.BytesIO(source.content)
    ))
    sheet = _find_leads_sheet(source, workbook, rules)
    log = _find_log_sheet(source, workbook, rules, sheet.sheet) if with_log else None
    for found in (sheet, log):
        if found is not None:
            found.sha256 = hashlib.sha256(source.original).hexdigest()
            found.date1904 = source.date1904
            found.problems = _sheet_notes(source, found, rules) + found.problems
    return TrackingWorkbook(leads=sheet, log=log)


def _calamine(path: Path, call, sheet: str = ""):
    """Run a calamine call; whatever it raises for a damaged file becomes one clear line.

    A panic inside the Rust code arrives as pyo3's PanicException, a BaseException, so the net is
    wider than Exception; interrupts and memory errors pass through.
    """
    try:
        return call()
    except python_calamine.PasswordError:
        raise InputError(encrypted_message(path)) from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException:  # noqa: BLE001 — calamine raises several unrelated types for damaged files
        where = f"工作表「{sheet}」" if sheet else ""
        raise InputError(corrupt_message(path, f"{where}无法解析" if where else "")) from None


def _find_leads_sheet(source: WorkbookFile, workbook, rules: Rules) -> LeadsSheet:
    path = source.path
    names = _calamine(path, lambda: [
        m.name for m in workbook.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet
    ])
    wanted = {normalize_header(n) for n in rules.leads_sheets}
    named = [n for n in names if normalize_header(n) in wanted]
    if named:
        rows, origin = _sheet_rows(path, workbook, named[0])
        if _locate_header(rows, rules) is not None:
            return _build(path, named[0], rows, origin, rules)
    # A follow-up log names 线索编号 and 跟进方式 too: it is never taken for the leads sheet.
    log_names = {normalize_header(n) for n in rules.log_sheets}
    best, empty = None, True
    for name in names:
        if normalize_header(name) in log_names:
            empty = False  # not read here (it may be long): a log is no leads sheet, empty or not
            continue
        rows, origin = _sheet_rows(path, workbook, name)
        empty = empty and not rows
        header = _locate_header(rows, rules)
        if header is not None and (best is None or header[1] > best[3]):
            best = (name, rows, origin, header[1])
    if best is not None:
        name, rows, origin, _ = best
        return _build(path, name, rows, origin, rules)
    if empty:
        listed = "、".join(f"「{n}」" for n in names) or "（无）"
        raise InputError(f"{path.name}: 工作簿里的工作表都是空的（{listed}），没有可读取的线索。请确认发来的是填好的跟踪表。")
    if named:
        rows, origin = _sheet_rows(path, workbook, named[0])
        return _build(path, named[0], rows, origin, rules)  # raises: which columns are missing
    expected = "、".join(rules.leads_sheets) or "（未设置）"
    raise InputError(
        f"{path.name}: 找不到线索工作表：没有名为 {expected} 的工作表，"
        f"也没有哪个工作表的表头包含「{rules.header('lead_id')}」「{rules.header('stage')}」等列。"
    )


def _find_log_sheet(
    source: WorkbookFile, workbook, rules: Rules, leads_sheet: str
) -> LeadsSheet | None:
    """The sheet named like a log in the rules; else another sheet whose header names every
    required log field; else None (the workbook has no log)."""
    if not rules.log_columns:
        return None
    path = source.path
    names = _calamine(path, lambda: [
        m.name for m in workbook.sheets_metadata
        if m.typ == python_calamine.SheetTypeEnum.WorkSheet and m.name != leads_sheet
    ])
    wanted = {normalize_header(n) for n in rules.log_sheets}
    named = [n for n in names if normalize_header(n) in wanted]
    if named:
        rows, origin = _sheet_rows(path, workbook, named[0])
        if not any(not _blank(cell) for row in rows for cell in row):
            return None  # a sheet with nothing in it is no log
        return _build(path, named[0], rows, origin, rules, columns=rules.log_columns)
    required = {c.field for c in rules.log_columns if c.required}
    for name in names:
        rows, origin = _sheet_rows(path, workbook, name)
        header = _locate_header(rows, rules, rules.log_columns)
        if header is not None and required <= _header_fields(rows[header[0]], rules.log_columns):
            return _build(path, name, rows, origin, rules, columns=rules.log_columns)
    return None


def _sheet_rows(path: Path, workbook, name: str) -> tuple[list[list], tuple[int, int]]:
    sheet = _calamine(path, lambda: workbook.get_sheet_by_name(name), name)
    rows = _calamine(path, lambda: sheet.to_python(skip_empty_area=True), name)
    start = sheet.start or (0, 0)
    return rows, (int(start[0]), int(start[1]))


def _field_lookup(columns: tuple[Column, ...]) -> dict[str, str]:
    return {normalize_header(name): col.field for col in columns for name in col.names}


def _header_fields(row: list, columns: tuple[Column, ...]) -> set[str]:
    lookup = _field_lookup(columns)
    folded = (normalize_header(v) for v in row if isinstance(v, str))
    return {lookup[k] for k in folded if k in lookup}


def _locate_header(
    rows: list[list], rules: Rules, columns: tuple[Column, ...] | None = None
) -> tuple[int, int] | None:
    """(index of the header row, number of fields it names), or None when no row names two fields."""
    columns = rules.columns if columns is None else columns
    best = None
    for i, row in enumerate(rows[: rules.header_search_rows]):
        fields = _header_fields(row, columns)
        if len(fields) >= 2 and (best is None or len(fields) > best[1]):
            best = (i, len(fields))
    return best


def _build(
    path: Path, sheet: str, rows: list[list], origin: tuple[int, int], rules: Rules,
    columns: tuple[Column, ...] | None = None,
) -> LeadsSheet:
    """The rows of the leads sheet, or of the follow-up log when ``columns`` are the log's."""
    is_log = columns is not None
    columns = rules.columns if columns is None else columns
    header = _locate_header(rows, rules, columns)
    header_index = header[0] if header else 0
    header_cells = rows[header_index] if rows else []
    lookup = _field_lookup(columns)
    positions: dict[str, int] = {}
    found_headers: dict[str, str] = {}
    extra: list[str] = []
    for j, cell in enumerate(header_cells):
        text = str(cell).strip() if cell not in (None, "") else ""
        if not text:
            continue
        field_name = lookup.get(normalize_header(text))
        if field_name and field_name not in positions:
            positions[field_name] = j
            found_headers[field_name] = " ".join(text.split())
        else:
            extra.append(text)
    missing = [c for c in columns if c.required and c.field not in positions]
    if missing:
        raise InputError(_missing_message(path, sheet, missing, found_headers, extra))

    letter_of = [column_letters(origin[1] + j + 1) for j in range(len(header_cells))]
    located = _Located(
        path, sheet, letter_of, {j: found_headers[f] for f, j in positions.items()},
        table="跟进记录" if is_log else "线索表",
    )
    first_row = origin[0] + header_index + 2  # Excel rows are 1-based, data start below the header
    kept, kept_rows = _lead_rows(rows[header_index + 1 :], first_row, positions, rules, located)
    fields = list(positions)
    frame = pd.DataFrame(kept, columns=fields, dtype=object) if kept else pd.DataFrame(columns=fields, dtype=object)
    frame["_row"] = kept_rows
    return LeadsSheet(
        path=path,
        sheet=sheet,
        header_row=origin[0] + header_index + 1,
        frame=frame,
        letters={f: letter_of[j] for f, j in positions.items()},
        headers=found_headers,
        extra_headers=extra,
        problems=located.problems,
    )


@dataclass
class _Located:
    """Where the rows of one sheet are, to name them in problems."""

    path: Path
    sheet: str
    letters: list[str]  # column letter by position in the row
    headers: dict[int, str]  # header text by position, for the table's columns
    table: str = "线索表"  # what the sheet is, in messages
    problems: list[Problem] = field(default_factory=list)

    def skip(self, code: str, row: int, j: int, value: object, message: str) -> None:
        self.problems.append(
            Problem(
                code=code, severity=WARNING, message=message, sheet=self.sheet, row=row,
                column=self.letters[j] if j < len(self.letters) else column_letters(j + 1),
                header=self.headers.get(j, ""), value=_text(value), file=self.path.name,
            )
        )


def _lead_rows(
    body: list[list], first_row: int, positions: dict[str, int], rules: Rules, located: _Located
) -> tuple[list[list], list[int]]:
    """The rows that are leads, as the table's cells, and their Excel row numbers.

    Blank rows (only formatting) are dropped silently; a total line and a row with content only
    outside the table's columns are dropped with a warning.
    """
    columns = list(positions.values())
    stage = positions.get("stage")
    totals = {_total_key(label) for label in rules.total_labels}
    kept, kept_rows = [], []
    for i, row in enumerate(body):
        filled = [j for j, cell in enumerate(row) if not _blank(cell)]
        if not filled:
            continue
        excel_row = first_row + i
        cells = [row[j] if j < len(row) else "" for j in columns]
        if all(_blank(c) for c in cells):
            j = filled[0]
            located.skip(
                "row_outside_table", excel_row, j, row[j],
                f"这一行在{located.table}的各列中都没有内容，只在表外的 {located.letters[j] if j < len(located.letters) else ''}"
                f"{excel_row} 有值，已跳过。若它是一条线索，请把内容填到对应的列。",
            )
            continue
        if totals and (stage is None or stage >= len(row) or _blank(row[stage])):
            label = next((j for j in filled if isinstance(row[j], str) and _total_key(row[j]) in totals), None)
            if label is not None:
                located.skip(
                    "total_row", excel_row, label, row[label],
                    "这是合计行，不是线索，已跳过（合计由工具重新计算）。",
                )
                continue
        kept.append(cells)
        kept_rows.append(excel_row)
    return kept, kept_rows


def _total_key(text: str) -> str:
    return normalize_header(text).rstrip(":")


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:100]


def _sheet_notes(source: WorkbookFile, sheet: LeadsSheet, rules: Rules) -> list[Problem]:
    """What the raw scan of the leads sheet found: stray cells dropped, formulas read as blank."""
    scan = source.sheets.get(sheet.sheet)
    if scan is None:
        return []
    notes = []
    limits = rules.limits
    for stray in scan.strays:
        letters, row = _split_ref(stray.ref)
        notes.append(
            Problem(
                code="stray_cell_ignored", severity=WARNING,
                message=(
                    f"单元格 {stray.ref} 远在表格之外（超出规则 [limits] 的 {limits.max_rows} 行 × "
                    f"{limits.max_columns} 列），已忽略。若它不是误输入，请把内容移到表格里。"
                ),
                sheet=sheet.sheet, row=row, column=letters, value=stray.value, file=sheet.file_name,
            )
        )
    lead_rows = set(sheet.frame["_row"].tolist())
    field_of = {letter: f for f, letter in sheet.letters.items()}
    for ref in scan.uncached_formulas:
        letters, row = _split_ref(ref)
        if row not in lead_rows or letters not in field_of:
            continue
        notes.append(
            Problem(
                code="formula_without_value", severity=WARNING,
                message=(
                    "这个单元格是公式，但文件里没有保存它的计算结果（常见于由程序生成、没在 Excel/WPS 中"
                    "打开保存过的文件），按空白处理。请在 Excel/WPS 中打开并保存一次后再试。"
                ),
                sheet=sheet.sheet, row=row, column=letters,
                header=sheet.headers.get(field_of[letters], ""), file=sheet.file_name,
            )
        )
    return notes


def _split_ref(ref: str) -> tuple[str, int]:
    letters = ref.rstrip("0123456789")
    return letters, int(ref[len(letters):] or 0)


def _missing_message(path: Path, sheet: str, missing, found: dict[str, str], extra: list[str]) -> str:
    seen = list(found.values()) + extra
    parts = []
    for col in missing:
        close = difflib.get_close_matches(col.header, extra, n=1, cutoff=0.5)
        hint = f"（最接近的是「{close[0]}」）" if close else ""
        parts.append(f"「{col.header}」{hint}")
    return (
        f"{path.name}: 工作表「{sheet}」缺少列{'、'.join(parts)}。"
        f"找到的表头: {'、'.join(seen) if seen else '（无）'}。请检查表头或用 --rules 指定列名。"
    )
