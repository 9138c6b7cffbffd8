"""Reading a tracking workbook: find the leads sheet and its header row, map headers to fields.

Values stay raw here (as the reader gives them: str, float, date, datetime); typing and checking
is :mod:`funnel_xl.validate`'s job. Cells are read with python-calamine, which is fast and never
evaluates anything; the input file is opened read-only.
"""

from __future__ import annotations

import difflib
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine
from openpyxl.utils.cell import get_column_letter

from .errors import InputError
from .rules import Rules, normalize_header

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


@dataclass
class LeadsSheet:
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

    @property
    def file_name(self) -> str:
        return self.label or self.path.name


def read_leads(path: str | Path, rules: Rules, *, content: bytes | None = None) -> LeadsSheet:
    """Read the leads sheet of a workbook. Raises :class:`InputError` when it cannot be used at all.

    ``content`` is the file's bytes when the caller has read them already (``refresh`` analyses
    exactly the bytes it will rewrite).
    """
    path = Path(path)
    if content is None:
        content = _read_bytes(path)
    _check_kind(path, content)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except python_calamine.PasswordError:
        raise InputError(f"{path.name}: 工作簿已加密，请另存一份不带密码的副本后再试。") from None
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        raise InputError(f"{path.name}: 无法读取工作簿，文件可能已损坏 ({type(exc).__name__}: {exc})。") from None
    sheet = _find_leads_sheet(path, workbook, rules)
    sheet.sha256 = hashlib.sha256(content).hexdigest()
    return sheet


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"找不到文件: {path}")
    if path.is_dir():
        raise InputError(f"{path} 是一个文件夹，不是工作簿。")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取 {path}: {exc.strerror or exc}") from None


def _check_kind(path: Path, content: bytes) -> None:
    if not content:
        raise InputError(f"{path.name}: 文件是空的。")
    if path.suffix.lower() not in READABLE_SUFFIXES:
        raise InputError(f"{path.name}: 不支持的文件类型「{path.suffix}」，请提供 .xlsx 工作簿。")
    if content.startswith(OLE_MAGIC) and path.suffix.lower() != ".xls":
        raise InputError(f"{path.name}: 工作簿已加密，请另存一份不带密码的副本后再试。")
    if not content.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise InputError(f"{path.name}: 不是 Excel 工作簿（文件内容不是 xlsx 格式，可能是改了扩展名的其他文件）。")


def _find_leads_sheet(path: Path, workbook, rules: Rules) -> LeadsSheet:
    names = list(workbook.sheet_names)
    wanted = {normalize_header(n) for n in rules.leads_sheets}
    named = [n for n in names if normalize_header(n) in wanted]
    if named:
        rows, origin = _sheet_rows(workbook, named[0])
        return _build(path, named[0], rows, origin, rules, strict=True)
    best = None
    for name in names:
        rows, origin = _sheet_rows(workbook, name)
        header = _locate_header(rows, rules)
        if header is not None and (best is None or header[1] > best[3]):
            best = (name, rows, origin, header[1])
    if best is None:
        expected = "、".join(rules.leads_sheets) or "（未设置）"
        raise InputError(
            f"{path.name}: 找不到线索工作表：没有名为 {expected} 的工作表，"
            f"也没有哪个工作表的表头包含「{rules.header('lead_id')}」「{rules.header('stage')}」等列。"
        )
    name, rows, origin, _ = best
    return _build(path, name, rows, origin, rules, strict=True)


def _sheet_rows(workbook, name: str) -> tuple[list[list], tuple[int, int]]:
    sheet = workbook.get_sheet_by_name(name)
    rows = sheet.to_python(skip_empty_area=True)
    start = sheet.start or (0, 0)
    return rows, (int(start[0]), int(start[1]))


def _field_lookup(rules: Rules) -> dict[str, str]:
    return {normalize_header(name): col.field for col in rules.columns for name in col.names}


def _locate_header(rows: list[list], rules: Rules) -> tuple[int, int] | None:
    """(index of the header row, number of fields it names), or None when no row names two fields."""
    lookup = _field_lookup(rules)
    best = None
    for i, row in enumerate(rows[: rules.header_search_rows]):
        fields = {lookup[k] for k in (normalize_header(v) for v in row if isinstance(v, str)) if k in lookup}
        if len(fields) >= 2 and (best is None or len(fields) > best[1]):
            best = (i, len(fields))
    return best


def _build(
    path: Path, sheet: str, rows: list[list], origin: tuple[int, int], rules: Rules, strict: bool
) -> LeadsSheet:
    header = _locate_header(rows, rules)
    header_index = header[0] if header else 0
    header_cells = rows[header_index] if rows else []
    lookup = _field_lookup(rules)
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
    missing = [c for c in rules.columns if c.required and c.field not in positions]
    if missing and strict:
        raise InputError(_missing_message(path, sheet, missing, found_headers, extra))

    body = rows[header_index + 1 :]
    fields = list(positions)
    data = [[(r[j] if j < len(r) else "") for j in positions.values()] for r in body]
    frame = pd.DataFrame(data, columns=fields, dtype=object) if data else pd.DataFrame(columns=fields, dtype=object)
    first_row = origin[0] + header_index + 2  # Excel rows are 1-based, data start below the header
    frame["_row"] = range(first_row, first_row + len(frame))
    if len(frame):
        frame = frame[[not blank for blank in _blank_rows(body)]].reset_index(drop=True)
    return LeadsSheet(
        path=path,
        sheet=sheet,
        header_row=origin[0] + header_index + 1,
        frame=frame,
        letters={f: get_column_letter(origin[1] + j + 1) for f, j in positions.items()},
        headers=found_headers,
        extra_headers=extra,
    )


def _blank_rows(body: list[list]) -> list[bool]:
    """Rows whose cells are all empty or whitespace (they carry only formatting)."""
    return [all(c is None or (isinstance(c, str) and not c.strip()) for c in r) for r in body]


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
