"""Reading a tracking workbook: find the leads sheet (and the follow-up log, when there is one) and
their header rows, map headers to fields.

Values stay raw here (as the reader gives them: str, float, date, datetime); typing and checking
is :mod:`funnel_xl.validate`'s job. The file is read once and checked before parsing
(:mod:`funnel_xl.container`); cells are read with python-calamine, which is fast and never
evaluates anything. The input file is only ever read.

Rows that are not leads are skipped with a warning rather than reported as broken leads: a total
line (合计) and a row whose only content lies outside the table's columns.

A CSV file (a CRM export, a sheet saved as CSV by Excel or WPS) is read here too, into the same
:class:`LeadsSheet`: its encoding detected (UTF-8 with or without BOM, UTF-16 with BOM, else GB18030,
the superset of the GBK Chinese Excel saves) or given in the rules' ``[input] encoding``; its
delimiter detected or given. Every cell stays text; rows are numbered as Excel numbers them when it
opens the file, and columns are lettered A, B, … as there; the "sheet" is the file's stem, as Excel
names it.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import functools
import hashlib
import io
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import pandas as pd

from .checks import problem
from .container import WorkbookFile, column_letters, read_workbook_file
from .errors import InputError, Say
from .files import MB, read_regular_file
from .messages import catalogue
from .problems import Problem
from .rules import Column, Rules, normalize_header
from .sheets import TEXT_SUFFIXES, OpenedWorkbook, open_workbook
from .target_sheet import read_targets
from .targets import Target
from .text import is_empty

# Delimiters tried when the rules say "auto".
_DELIMITERS = ",;\t|"


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
    # Rows whose stage is blank, left out because the rules say so (sheets.skip_rows_without_stage):
    # not leads of this funnel, so neither problems nor excluded rows.
    skipped_without_stage: int = 0
    targets: list[Target] = field(default_factory=list)  # the workbook's 目标 sheet (leads sheet only)
    # The workbook's sheets that the raw-file check proved hold no formula (see SheetScan).
    formula_free: frozenset[str] = frozenset()

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
    path: str | Path, rules: Rules, *, with_log: bool = True, content: bytes | None = None,
    opened: OpenedWorkbook | None = None,
) -> TrackingWorkbook:
    """Read the leads sheet and the follow-up log (跟进记录) of a workbook.

    The log is optional: ``log`` is None when the rules describe no log or the workbook has none.
    A log sheet that lacks a required column raises :class:`InputError`, like the leads sheet.
    A CSV file holds one table, the leads: it has no log. ``opened`` is the workbook already
    opened (see :class:`funnel_xl.sheets.ReadAhead`); else it is opened here.
    """
    if Path(path).suffix.lower() in TEXT_SUFFIXES:
        return TrackingWorkbook(leads=_read_text_table(Path(path), rules, content), log=None)
    workbook = opened if opened is not None else open_workbook(path, rules, content=content)
    sheet = _found(workbook, _find_leads_sheet(workbook, rules), rules)
    sheet.targets, notes = read_targets(
        workbook.worksheets(), workbook.rows, file=sheet.file_name, lang=rules.lang
    )
    sheet.problems += notes
    return TrackingWorkbook(leads=sheet, log=read_log(workbook, rules, sheet) if with_log else None)


def read_log(workbook: OpenedWorkbook, rules: Rules, leads: LeadsSheet) -> LeadsSheet | None:
    """The follow-up log of a workbook whose leads sheet was read from it (None: it has none).
    A caller may check the leads meanwhile: the log sheet goes on being parsed in the background."""
    log = _find_log_sheet(workbook, rules, leads.sheet)
    return _found(workbook, log, rules) if log is not None else None


def _found(workbook: OpenedWorkbook, sheet: LeadsSheet, rules: Rules) -> LeadsSheet:
    """A sheet read from ``workbook``, with what the file says of it: its digest, its date system
    and the notes of the raw-file check (stray cells, formulas without a value)."""
    source = workbook.source
    sheet.sha256 = workbook.sha256
    sheet.date1904 = source.date1904
    sheet.formula_free = frozenset(name for name, scan in source.sheets.items() if scan.formula_free)
    sheet.problems = _sheet_notes(source, sheet, rules) + sheet.problems
    return sheet


def _read_text_table(path: Path, rules: Rules, content: bytes | None) -> LeadsSheet:
    """A CSV file as one sheet named after the file, cells as text."""
    limits = rules.limits
    if content is None:
        content = read_regular_file(path, limits.max_file_mb * MB, what=Say("files.csv"), limit_key="[limits] max_file_mb")
    rows = _text_table(path, rules, content).rows
    t = catalogue(rules.lang)
    if not rows:
        raise InputError(t("input.csv_empty", file=path.name))
    header = _locate_header(rows, rules)
    if header is None:
        raise InputError(t(
            "input.csv_no_header", file=path.name, rows=rules.header_search_rows,
            lead_id=rules.header("lead_id"), stage=rules.header("stage"),
        ))
    sheet = _build(path, path.stem, rows, (0, 0), rules)
    sheet.sha256 = hashlib.sha256(content).hexdigest()
    return sheet


@dataclass
class RawTable:
    """A sheet's cells as read, before any header is matched (``funnel-xl rules init`` looks at one
    to draft a rules file). ``encoding`` and ``delimiter``: how a CSV file was read."""

    path: Path
    sheet: str
    rows: list[list]
    origin: tuple[int, int] = (0, 0)
    encoding: str = ""
    delimiter: str = ""


def read_table(path: str | Path, rules: Rules) -> RawTable:
    """The leads table of a workbook or CSV file as raw rows: the sheet whose header names most of
    the rules' columns, else the first sheet with content. Raises :class:`InputError`."""
    path = Path(path)
    if path.suffix.lower() in TEXT_SUFFIXES:
        return _text_table(path, rules, None)
    workbook = OpenedWorkbook(read_workbook_file(path, rules.limits))
    best, first = None, None
    for name in workbook.worksheets():
        rows, origin = workbook.rows(name)
        if not rows:
            continue
        first = first or RawTable(path, name, rows, origin)
        header = _locate_header(rows, rules)
        if header is not None and (best is None or header[1] > best[0]):
            best = (header[1], RawTable(path, name, rows, origin))
    if best is not None:
        return best[1]
    if first is None:
        raise InputError(catalogue(rules.lang)("input.table_empty", file=path.name))
    return first


def _text_table(path: Path, rules: Rules, content: bytes | None) -> RawTable:
    if content is None:
        content = read_regular_file(
            path, rules.limits.max_file_mb * MB, what=Say("files.csv"), limit_key="[limits] max_file_mb"
        )
    text, encoding = decode_text(path, content, rules.input.encoding, rules.lang)
    delimiter = _delimiter(path, text, rules)
    rows = _csv_rows(path, text, delimiter, rules)
    return RawTable(path, path.stem, rows, encoding=encoding, delimiter=delimiter)


def decode_text(path: Path, content: bytes, encoding: str = "auto", lang: str = "zh") -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with. "auto": a BOM says UTF-8 or
    UTF-16; else UTF-8 if it decodes, else GB18030 (the superset of GBK and GB2312, what Chinese
    Excel and WPS save as "CSV")."""
    if encoding != "auto":
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            line = content[: exc.start].count(b"\n") + 1
            raise InputError(
                catalogue(lang)("input.csv_wrong_encoding", file=path.name, line=line, encoding=encoding)
            ) from None
    if content.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for candidate in candidates:
        try:
            return content.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise InputError(catalogue(lang)("input.csv_unknown_encoding", file=path.name))


def _delimiter(path: Path, text: str, rules: Rules) -> str:
    if rules.input.delimiter != "auto":
        return rules.input.delimiter
    if path.suffix.lower() == ".tsv":
        return "\t"
    sample = "\n".join(text[:65536].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = next((line for line in sample.splitlines() if line.strip()), "")
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _csv_rows(path: Path, text: str, delimiter: str, rules: Rules) -> list[list]:
    """The records of a CSV text, one list of cells each (a cell may span lines inside quotes);
    refused beyond the rules' [limits] like a sheet's used range."""
    limits = rules.limits
    t = catalogue(rules.lang)
    rows: list[list] = []
    widest, last_start = 0, 1
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for record in reader:
            last_start = reader.line_num - sum(cell.count("\n") for cell in record)
            rows.append(record)
            widest = max(widest, len(record))
            if len(rows) > limits.max_rows or widest > limits.max_columns:
                raise InputError(t(
                    "input.csv_too_big", file=path.name, rows=len(rows), columns=widest,
                    max_rows=limits.max_rows, max_columns=limits.max_columns,
                ))
    except csv.Error as exc:
        raise InputError(t("input.csv_bad", file=path.name, row=len(rows) + 1, error=exc)) from None
    if rows and _ends_inside_quotes(text, last_start, delimiter):
        raise InputError(t("input.csv_open_quote", file=path.name, line=_quote_line(text, last_start)))
    if len(rows) * widest > limits.max_cells:
        raise InputError(t(
            "input.csv_too_many_cells", file=path.name, rows=len(rows), columns=widest,
            max_cells=limits.max_cells,
        ))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    return rows


def _ends_inside_quotes(text: str, start: int, delimiter: str) -> bool:
    """Whether the last record, from line ``start``, runs to the end of the text inside a quote
    that never closes (the lenient reader then takes every later line for one cell)."""
    tail = "".join(text.splitlines(keepends=True)[start - 1:])
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "end of data" in str(exc)
    return False


def _quote_line(text: str, start: int) -> int:
    """The line of the last record on which its first quote stands."""
    lines = text.splitlines()
    return next((start + i for i, line in enumerate(lines[start - 1:]) if '"' in line), start)


def _find_leads_sheet(workbook: OpenedWorkbook, rules: Rules) -> LeadsSheet:
    path = workbook.path
    names = workbook.worksheets()
    wanted = {normalize_header(n) for n in rules.leads_sheets}
    named = [n for n in names if normalize_header(n) in wanted]
    if named:
        rows, origin = workbook.rows(named[0])
        if _locate_header(rows, rules) is not None:
            return _build(path, named[0], rows, origin, rules)
    # A follow-up log names 线索编号 and 跟进方式 too: it is never taken for the leads sheet.
    log_names = {normalize_header(n) for n in rules.log_sheets}
    best, empty = None, True
    for name in names:
        if normalize_header(name) in log_names:
            empty = False  # not read here (it may be long): a log is no leads sheet, empty or not
            continue
        rows, origin = workbook.rows(name)
        empty = empty and not rows
        header = _locate_header(rows, rules)
        if header is not None and (best is None or header[1] > best[3]):
            best = (name, rows, origin, header[1])
    if best is not None:
        name, rows, origin, _ = best
        return _build(path, name, rows, origin, rules)
    t = catalogue(rules.lang)
    if empty:
        listed = t.join(t("input.quoted", name=n) for n in names) or t("input.none")
        raise InputError(t("input.all_sheets_empty", file=path.name, listed=listed))
    if named:
        rows, origin = workbook.rows(named[0])
        return _build(path, named[0], rows, origin, rules)  # raises: which columns are missing
    expected = t.join(rules.leads_sheets) or t("input.not_set")
    raise InputError(t(
        "input.no_leads_sheet", file=path.name, expected=expected,
        lead_id=rules.header("lead_id"), stage=rules.header("stage"),
    ))


def _find_log_sheet(
    workbook: OpenedWorkbook, rules: Rules, leads_sheet: str
) -> LeadsSheet | None:
    """The sheet named like a log in the rules; else another sheet whose header names every
    required log field; else None (the workbook has no log)."""
    if not rules.log_columns:
        return None
    path = workbook.path
    names = [n for n in workbook.worksheets() if n != leads_sheet]
    wanted = {normalize_header(n) for n in rules.log_sheets}
    named = [n for n in names if normalize_header(n) in wanted]
    if named:
        rows, origin = workbook.rows(named[0])
        if not any(not is_empty(cell) for row in rows for cell in row):
            return None  # a sheet with nothing in it is no log
        return _build(path, named[0], rows, origin, rules, columns=rules.log_columns)
    required = {c.field for c in rules.log_columns if c.required}
    for name in names:
        rows, origin = workbook.rows(name)
        header = _locate_header(rows, rules, rules.log_columns)
        if header is not None and required <= _header_fields(rows[header[0]], rules.log_columns):
            return _build(path, name, rows, origin, rules, columns=rules.log_columns)
    return None


@functools.lru_cache(maxsize=16)
def _field_lookup(columns: tuple[Column, ...]) -> dict[str, str]:
    """Folded header name → field; made once per set of columns (the header search asks for it
    on every row it looks at). The dict is shared: never change it."""
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
        raise InputError(_missing_message(path, sheet, missing, found_headers, extra, rules.lang))

    letter_of = [column_letters(origin[1] + j + 1) for j in range(len(header_cells))]
    located = _Located(
        path, sheet, letter_of, {j: found_headers[f] for f, j in positions.items()},
        table="table.log" if is_log else "table.leads", lang=rules.lang,
    )
    first_row = origin[0] + header_index + 2  # Excel rows are 1-based, data start below the header
    kept, kept_rows, without_stage = _lead_rows(
        rows[header_index + 1 :], first_row, positions, rules, located,
        skip_without_stage=rules.skip_rows_without_stage and not is_log,
    )
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
        skipped_without_stage=without_stage,
    )


@dataclass
class _Located:
    """Where the rows of one sheet are, to name them in problems."""

    path: Path
    sheet: str
    letters: list[str]  # column letter by position in the row
    headers: dict[int, str]  # header text by position, for the table's columns
    table: str = "table.leads"  # what the sheet is, in messages (a message id)
    lang: str = "zh"
    problems: list[Problem] = field(default_factory=list)

    def skip(self, code: str, row: int, j: int, value: object, **params: object) -> None:
        self.problems.append(
            problem(
                code, self.lang, params, sheet=self.sheet, row=row,
                column=self.letters[j] if j < len(self.letters) else column_letters(j + 1),
                header=self.headers.get(j, ""), value=_text(value), file=self.path.name,
            )
        )


def _lead_rows(
    body: list[list], first_row: int, positions: dict[str, int], rules: Rules, located: _Located,
    *, skip_without_stage: bool = False,
) -> tuple[list[list], list[int], int]:
    """The rows that are leads, as the table's cells, their Excel row numbers, and how many rows
    were left out for a blank stage (only when the rules' sheets.skip_rows_without_stage says so).

    Blank rows (only formatting) are dropped silently; a total line and a row with content only
    outside the table's columns are dropped with a warning.
    """
    columns = list(positions.values())
    stage = positions.get("stage")
    totals = {_total_key(label) for label in rules.total_labels}
    kept, kept_rows = [], []
    without_stage = 0
    table_cells = itemgetter(*columns) if len(columns) > 1 else (lambda r: (r[columns[0]],))
    reach = max(columns, default=-1)
    # The texts of this sheet that are total labels, found once per distinct value (texts repeat
    # down a sheet); then a row holds one when it shares a value with them, a test at C speed.
    total_texts = frozenset(
        v for v in set().union(*body) if type(v) is str and _total_key(v) in totals
    ) if totals and stage is None else frozenset()
    for i, row in enumerate(body):
        # The usual rows, at one look rather than a test of every cell: a lead whose stage is
        # filled in (so not blank, not outside the table, not a total line); a table without a
        # stage column (the follow-up log) with something in its columns and no total label.
        if len(row) > reach >= 0:
            if stage is not None:
                value = row[stage]
                if value is not None and (type(value) is not str or value.strip()):
                    kept.append(table_cells(row))
                    kept_rows.append(first_row + i)
                    continue
            else:
                cells = table_cells(row)
                first = cells[0]
                if (
                    (first is not None and (type(first) is not str or first.strip()))
                    or any(c is not None and (type(c) is not str or c.strip()) for c in cells)
                ) and (not total_texts or total_texts.isdisjoint(row)):
                    kept.append(cells)
                    kept_rows.append(first_row + i)
                    continue
        excel_row = first_row + i
        if _left_out(row, excel_row, columns, stage, totals, located):
            continue
        if skip_without_stage and stage is not None and (stage >= len(row) or is_empty(row[stage])):
            without_stage += 1
            continue
        kept.append([row[j] if j < len(row) else "" for j in columns])
        kept_rows.append(excel_row)
    return kept, kept_rows, without_stage


def _left_out(
    row: list, excel_row: int, columns: list[int], stage: int | None, totals: set[str], located: _Located
) -> bool:
    """A row that is not a lead: blank (silently), or with content only outside the table's columns,
    or a total line (each with a warning)."""
    filled = [j for j, cell in enumerate(row) if not is_empty(cell)]
    if not filled:
        return True
    if all(is_empty(row[j]) for j in columns if j < len(row)):
        j = filled[0]
        t = catalogue(located.lang)
        cell = f"{located.letters[j] if j < len(located.letters) else ''}{excel_row}"
        located.skip("row_outside_table", excel_row, j, row[j], table=t(located.table), cell=cell)
        return True
    if totals and (stage is None or stage >= len(row) or is_empty(row[stage])):
        label = next((j for j in filled if isinstance(row[j], str) and _total_key(row[j]) in totals), None)
        if label is not None:
            located.skip("total_row", excel_row, label, row[label])
            return True
    return False


def _total_key(text: str) -> str:
    return normalize_header(text).rstrip(":")


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
            problem(
                "stray_cell_ignored", rules.lang,
                {"ref": stray.ref, "rows": limits.max_rows, "columns": limits.max_columns},
                sheet=sheet.sheet, row=row, column=letters, value=stray.value, file=sheet.file_name,
            )
        )
    lead_rows = set(sheet.frame["_row"].tolist())
    field_of = {letter: f for f, letter in sheet.letters.items()}
    read_blank = [("formula_without_value", ref, "") for ref in scan.uncached_formulas]
    read_blank += [("error_value", cell.ref, cell.value or "#VALUE!") for cell in scan.errors]
    for code, ref, value in read_blank:
        letters, row = _split_ref(ref)
        if row not in lead_rows or letters not in field_of:
            continue
        notes.append(
            problem(
                code, rules.lang, {"cell": ref} if code == "error_value" else None, sheet=sheet.sheet, row=row,
                column=letters, header=sheet.headers.get(field_of[letters], ""), value=value,
                file=sheet.file_name,
            )
        )
    return notes


def _split_ref(ref: str) -> tuple[str, int]:
    letters = ref.rstrip("0123456789")
    return letters, int(ref[len(letters):] or 0)


def _missing_message(
    path: Path, sheet: str, missing, found: dict[str, str], extra: list[str], lang: str = "zh"
) -> str:
    t = catalogue(lang)
    seen = list(found.values()) + extra
    parts = []
    for col in missing:
        close = difflib.get_close_matches(col.header, extra, n=1, cutoff=0.5)
        hint = t("input.closest", close=close[0]) if close else ""
        parts.append(t("input.missing_column", header=col.header, hint=hint))
    return t(
        "input.missing_columns", file=path.name, sheet=sheet, missing=t.join(parts),
        found=t.join(seen) if seen else t("input.none"),
    )
