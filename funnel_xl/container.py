"""The workbook as a file: what it really is, and whether it is safe to hand to the parser.

Everything here looks at the raw bytes, before calamine parses anything, because some damage cannot
be caught afterwards: calamine builds a sheet as one dense block from its first to its last cell, so
a single stray value in XFD1048576 asks for 17 billion cells and the process aborts. So:

- the file is read once, from a regular file, within ``limits.max_file_mb``, and the read is
  checked to be whole (a file changed or cut off while being read is refused);
- its real kind is told from its first bytes, whatever its name says: a zip is an .xlsx, an OLE2
  file a legacy .xls or a password-protected workbook; HTML, XML, PDF and text are not workbooks;
- a zip is checked as a whole (number of parts, unpacked size, compression ratio), then every part
  is unpacked once, so a size the zip declares cannot lie to the parser (a wrong size fails the
  CRC check here);
- every worksheet is scanned for its used range, with a regular expression over the XML, or with
  an XML parser when the quick scan meets formulas, cells without an address or a range beyond the
  limits. A few stray cells beyond the limits are dropped from a private copy of the file (the input
  itself is never changed) and reported; more data than the limits allow is refused. Formulas
  without a cached value are noted, so the reader can say why such a cell reads as blank.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from .errors import InputError, Say
from .files import MB, read_regular_file
from .rules import Limits

ZIP_MAGIC = b"PK\x03\x04"
_END_OF_DIRECTORY = b"PK\x05\x06"
_DIRECTORY_ENTRY = b"PK\x01\x02"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# Formats calamine reads but whose used range cannot be checked before parsing.
# Read by nothing here: the message key of each (container.unsupported.<key>).
UNSUPPORTED_SUFFIXES = {".xlsb": "xlsb"}
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_ODS_CONTENT = "content.xml"
_ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
# At most this many cells beyond the limits are taken for strays and dropped; more is real data.
MAX_STRAY_CELLS = 10
# The compression ratio is only checked above this unpacked size: a small file cannot hurt.
RATIO_CHECK_FROM = 20 * MB
_CHUNK = 1 << 20  # bytes unpacked at a time when a part is only verified

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_QUICK_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_QUICK_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_CELL_ELEMENT = re.compile(
    rb"<(" + _PREFIX + rb"c)(?=[\s/>])[^>]*?\sr\s*=\s*[\"']([A-Za-z]+[0-9]+)[\"'][^>]*?(?:/>|>.*?</\1>)",
    re.DOTALL,
)
# Any address calamine reads (it takes lower-case letters too, and any length): the limits decide.
_A1 = re.compile(r"^([A-Za-z]+)([0-9]+)$")
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')
# A cell's start tag of type error, its address, and the cached value right after it (a formula may
# come first).
_ERROR_TAG = re.compile(rb"<" + _PREFIX + rb"c\s[^>]*?\bt\s*=\s*[\"']e[\"'][^>]*>")
_REF_ATTRIBUTE = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]+[0-9]+)[\"']")
_CACHED_VALUE = re.compile(rb"\s*(?:<" + _PREFIX + rb"f[^>]*?(?:/>|>[^<]*</" + _PREFIX + rb"f>)\s*)?<" + _PREFIX + rb"v>([^<]*)<")
# A cell tag not written as <c r="A…: no address, another attribute first, other whitespace.
_IRREGULAR_CELL = re.compile(rb'<c(?=[\s/>])(?! r="[A-Z])')
# Cell tags the quick counts below do not see: a prefix (calamine reads local names, in any
# namespace) or whitespace other than one space after the name.
_ODD_CELL_TAG = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]|<c[\t\r\n]")
_MAIN_NS = b'spreadsheetml/2006/main"'
_DEFAULT_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_WORKBOOK = "xl/workbook.xml"
_SHEET_DATA = b"sheetData"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


@dataclass(frozen=True)
class StrayCell:
    ref: str  # e.g. "XFD1048576"
    value: str


@dataclass(frozen=True)
class SheetScan:
    """What the raw XML of one worksheet holds: its used range and what the reader should know."""

    name: str
    rows: int  # last row with a value (1-based), 0 when empty
    columns: int  # last column with a value (1-based), 0 when empty
    uncached_formulas: tuple[str, ...] = ()  # cells with a formula and no cached value
    strays: tuple[StrayCell, ...] = ()  # cells beyond the limits, dropped from the parser's copy
    errors: tuple[StrayCell, ...] = ()  # cells holding an error value (#DIV/0!…): read as blank
    formula_free: bool = False  # True: the quick check proved the sheet holds no formula


@dataclass
class WorkbookFile:
    """An input workbook, read once and checked. ``content`` is what the parser gets."""

    path: Path
    original: bytes
    content: bytes
    kind: str  # "xlsx", "xls" or "ods"
    date1904: bool = False
    sheets: dict[str, SheetScan] = field(default_factory=dict)


def read_workbook_file(path: str | Path, limits: Limits, *, content: bytes | None = None) -> WorkbookFile:
    """Read and check a workbook file; raises :class:`InputError` with one clear line when unusable.

    ``content``: the file's bytes, when the caller has read them already."""
    path = Path(path)
    max_bytes = limits.max_file_mb * MB
    if content is None:
        content = read_regular_file(path, max_bytes, what=Say("files.workbook"), limit_key="[limits] max_file_mb")
    elif len(content) > max_bytes:
        raise InputError(Say("container.too_big", name=path.name, mb=limits.max_file_mb))
    kind = _kind(path, content)
    if kind == "ole":
        if "EncryptedPackage".encode("utf-16-le") in content:
            raise InputError(encrypted_message(path))
        return WorkbookFile(path=path, original=content, content=content, kind="xls")
    return _checked_zip(path, content, limits)


def encrypted_message(path: Path) -> Say:
    return Say("container.encrypted", name=path.name)


def corrupt_message(path: Path, detail: Say | str = "") -> Say:
    return Say("container.corrupt", name=path.name, detail=Say("container.detail", detail=detail) if detail else "")


def _kind(path: Path, content: bytes) -> str:
    """'zip' or 'ole', from the first bytes; anything else is refused with what it looks like."""
    if not content:
        raise InputError(Say("container.empty", name=path.name))
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED_SUFFIXES:
        raise InputError(Say(f"container.unsupported.{UNSUPPORTED_SUFFIXES[suffix]}", name=path.name))
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(Say("container.bad_suffix", name=path.name, suffix=path.suffix))
    if content.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return "zip"
    if content.startswith(OLE_MAGIC):
        return "ole"
    head = content[:4096].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower()
    if head.startswith(b"%pdf"):
        raise InputError(Say("container.pdf", name=path.name))
    if head.startswith((b"<html", b"<!doctype html")) or b"<html" in head or (
        head.startswith(b"<?xml") and b"spreadsheet" in head
    ):
        raise InputError(Say("container.html", name=path.name))
    if _looks_like_text(head):
        raise InputError(Say("container.text", name=path.name))
    raise InputError(Say("container.other", name=path.name))


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


# ---------------------------------------------------------------------------
# The zip container
# ---------------------------------------------------------------------------

_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError)


def _checked_zip(path: Path, content: bytes, limits: Limits) -> WorkbookFile:
    parts = _central_directory_entries(content)
    if parts > limits.max_zip_entries:
        raise InputError(_too_many_parts(path, parts, limits))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except _ZIP_ERRORS:
        raise InputError(corrupt_message(path, Say("container.detail.zip"))) from None
    _check_archive(path, content, infos, limits)
    names = {info.filename for info in infos}
    if _WORKBOOK not in names and _ODS_CONTENT in names and _is_ods(archive, names):
        return _checked_ods(path, content, archive, infos, limits)
    if _WORKBOOK not in names:
        raise InputError(_not_a_workbook(path, names))
    workbook_xml = _read_part(path, archive, archive.getinfo(_WORKBOOK))
    sheet_names, date1904 = _workbook_sheets(path, workbook_xml)
    rels = _read_part(path, archive, archive.getinfo(_WORKBOOK_RELS)) if _WORKBOOK_RELS in names else b""
    parts = _worksheet_parts(path, sheet_names, rels)
    # Parts are matched as the parser finds them (case and path form aside); any other part that
    # holds sheet data is scanned too, so no worksheet reaches the parser unchecked.
    names_of = {_part_key(part): name for name, part in parts.items()}
    scans: dict[str, SheetScan] = {}
    replacements: dict[str, bytes] = {}
    for info in infos:
        key = _part_key(info.filename)
        if key not in names_of and not key.startswith("xl/worksheets/") and not _verify_part(path, archive, info):
            continue
        name = names_of.get(key, info.filename)
        scan, trimmed = _scan_sheet(path, name, _read_part(path, archive, info), limits)
        scans[name] = scan
        if trimmed is not None:
            replacements[info.filename] = trimmed
    parsed = _replaced(archive, replacements) if replacements else content
    return WorkbookFile(
        path=path, original=content, content=parsed, kind="xlsx", date1904=date1904, sheets=scans
    )


def _is_ods(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """An OpenDocument spreadsheet says so in its first part, ``mimetype`` (a text document,
    .odt, also has content.xml)."""
    if "mimetype" not in names:
        return False
    info = archive.getinfo("mimetype")
    if info.file_size > 200:
        return False
    try:
        return archive.read(info).strip() == ODS_MIMETYPE
    except _ZIP_ERRORS:
        return False


def _checked_ods(
    path: Path, content: bytes, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits
) -> WorkbookFile:
    """An .ods: the zip checked as for .xlsx, every part unpacked once, and each table's used range
    read from content.xml before calamine expands repeated rows and columns. Data beyond the
    limits is refused (there is no private copy to trim)."""
    scans: dict[str, SheetScan] = {}
    for info in infos:
        if info.filename == _ODS_CONTENT:
            for scan in _scan_ods(path, _read_part(path, archive, info), limits):
                scans[scan.name] = scan
        else:
            _verify_part(path, archive, info)
    return WorkbookFile(path=path, original=content, content=content, kind="ods", sheets=scans)


def _scan_ods(path: Path, xml: bytes, limits: Limits) -> list[SheetScan]:
    """Each table's last row and column holding a value, counting table:number-rows-repeated and
    table:number-columns-repeated as the rows and cells they stand for."""
    table_ns, office_ns = f"{{{_ODF_TABLE}}}", f"{{{_ODF_OFFICE}}}"
    repeat_rows, repeat_columns = f"{table_ns}number-rows-repeated", f"{table_ns}number-columns-repeated"
    value_type = f"{office_ns}value-type"
    scans: list[SheetScan] = []
    name, row, column, last_row, last_column, repeat, valued_row = "", 0, 0, 0, 0, 1, False

    def count(elem, key) -> int:
        given = elem.get(key, "1")
        return int(given) if given.isdigit() and int(given) > 0 else 1

    try:
        for event, elem in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
            tag = elem.tag
            if event == "start":
                if tag == f"{table_ns}table":
                    name, row, last_row, last_column = elem.get(f"{table_ns}name", ""), 0, 0, 0
                elif tag == f"{table_ns}table-row":
                    repeat, column, valued_row = count(elem, repeat_rows), 0, False
                continue
            if tag in (f"{table_ns}table-cell", f"{table_ns}covered-table-cell"):
                span = count(elem, repeat_columns)
                if elem.get(value_type) is not None or any(True for _ in elem):
                    last_column = max(last_column, column + span)
                    valued_row = True
                column += span
                elem.clear()
            elif tag == f"{table_ns}table-row":
                if valued_row:
                    last_row = row + repeat
                row += repeat
                elem.clear()
            elif tag == f"{table_ns}table":
                if last_row > limits.max_rows or last_column > limits.max_columns:
                    raise InputError(_too_far(path, name, f"{column_letters(last_column)}{last_row}", limits))
                if last_row * last_column > limits.max_cells:
                    raise InputError(_too_many_cells(path, name, last_row, last_column, limits))
                scans.append(SheetScan(name=name, rows=last_row, columns=last_column))
                elem.clear()
    except ElementTree.ParseError:
        raise InputError(corrupt_message(path, Say("container.detail.content_xml"))) from None
    return scans


def _central_directory_entries(content: bytes) -> int:
    """How many parts the zip lists, counted in its central directory's bytes (at C speed) before
    zipfile builds an object for each; 0 when there is no end record (zipfile then says damaged)."""
    end = content.rfind(_END_OF_DIRECTORY, max(0, len(content) - 22 - 0xFFFF))
    if end < 0 or end + 22 > len(content):
        return 0
    declared, size = struct.unpack_from("<HI", content, end + 10)
    start = end - size if 0 < size <= end and declared != 0xFFFF else 0  # zip64: count them all
    return max(declared if declared != 0xFFFF else 0, content.count(_DIRECTORY_ENTRY, start, end))


def _too_many_parts(path: Path, parts: int, limits: Limits) -> Say:
    return Say("container.parts", name=path.name, parts=parts, limit=limits.max_zip_entries)


def _too_far(path: Path, sheet: str, cell: str, limits: Limits) -> Say:
    return Say(
        "container.too_far", name=path.name, sheet=sheet, cell=cell, rows=limits.max_rows,
        columns=limits.max_columns,
    )


def _too_many_cells(path: Path, sheet: str, rows: int, columns: int, limits: Limits) -> Say:
    return Say(
        "container.too_many_cells", name=path.name, sheet=sheet, rows=rows, columns=columns,
        limit=limits.max_cells,
    )


def _check_archive(path: Path, content: bytes, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_zip_entries:
        raise InputError(_too_many_parts(path, len(infos), limits))
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.max_unpacked_mb * MB:
        raise InputError(Say(
            "container.unpacked", name=path.name, mb=f"{unpacked / MB:.0f}", limit=limits.max_unpacked_mb,
        ))
    packed = max(sum(info.compress_size for info in infos), 1)
    if unpacked > RATIO_CHECK_FROM and unpacked / packed > limits.max_compression_ratio:
        raise InputError(Say(
            "container.ratio", name=path.name, ratio=f"{unpacked / packed:.0f}",
            limit=limits.max_compression_ratio,
        ))


def _not_a_workbook(path: Path, names: set[str]) -> Say:
    if "xl/workbook.bin" in names:
        what = "xlsb"
    elif "content.xml" in names:
        what = "odf"
    elif "word/document.xml" in names:
        what = "word"
    elif "ppt/presentation.xml" in names:
        what = "powerpoint"
    else:
        what = "zip"
    return Say("container.not_workbook", name=path.name, what=Say(f"container.what.{what}"))


def _read_part(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A part's bytes; zipfile stops at the declared size and checks the CRC, so sizes cannot lie."""
    try:
        return archive.read(info)
    except _ZIP_ERRORS:
        raise InputError(corrupt_message(path, Say("container.detail.part_unpack", part=info.filename))) from None


def _verify_part(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Unpack a part once (a damaged one is refused); whether it holds sheet data."""
    tail, sheet_data = b"", False
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                sheet_data = sheet_data or _SHEET_DATA in tail + chunk
                tail = chunk[-len(_SHEET_DATA):]
    except _ZIP_ERRORS:
        raise InputError(corrupt_message(path, Say("container.detail.part_unpack", part=info.filename))) from None
    return sheet_data


def _part_key(name: str) -> str:
    """A part's name as the parser may spell it: case, backslashes, ./ and a leading / aside."""
    return posixpath.normpath(name.replace("\\", "/")).lstrip("/").lower()


def _replaced(archive: zipfile.ZipFile, replacements: dict[str, bytes]) -> bytes:
    """A copy of the archive with some parts replaced (for the parser only; the input is untouched)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
        for info in archive.infolist():
            copy.writestr(info.filename, replacements.get(info.filename) or archive.read(info))
    return out.getvalue()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(path: Path, data: bytes, part: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise InputError(corrupt_message(path, Say("container.detail.part_bad", part=part))) from None


def _workbook_sheets(path: Path, workbook_xml: bytes) -> tuple[list[tuple[str, str]], bool]:
    """[(sheet name, relationship id)] in order, and whether dates count from 1904."""
    root = _xml(path, workbook_xml, _WORKBOOK)
    sheets, date1904 = [], False
    for elem in root.iter():
        tag = _local(elem.tag)
        if tag == "workbookPr":
            date1904 = elem.get("date1904", "").strip().lower() in ("1", "true")
        elif tag == "sheet":
            rid = next((v for k, v in elem.attrib.items() if _local(k) == "id"), "")
            sheets.append((elem.get("name", ""), rid))
    return sheets, date1904


def _worksheet_parts(path: Path, sheets: list[tuple[str, str]], rels_xml: bytes) -> dict[str, str]:
    """Sheet name → the zip part of its XML, for worksheets (not chart sheets)."""
    if not rels_xml:
        return {}
    targets = {}
    for elem in _xml(path, rels_xml, _WORKBOOK_RELS).iter():
        if _local(elem.tag) == "Relationship" and elem.get("Type", "").endswith("/worksheet"):
            target = elem.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[elem.get("Id", "")] = part
    return {name: targets[rid] for name, rid in sheets if rid in targets}


# ---------------------------------------------------------------------------
# Worksheets
# ---------------------------------------------------------------------------


def column_index(letters: str) -> int:
    """1-based index of a column's letters: A → 1, XFD → 16384 (any length, no upper bound)."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def column_letters(index: int) -> str:
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class _Cell:
    row: int
    column: int
    valued: bool
    ref: str | None  # None when the cell has no r attribute (its place is implied)
    value: str = ""


@dataclass
class _Cells:
    """What a full parse of a sheet found: the used range inside the limits, and the rest."""

    rows: int = 0
    columns: int = 0
    outside: list[_Cell] = field(default_factory=list)  # cells with a value beyond the limits
    far: tuple[int, int] = (0, 0)  # (row, column) of the farthest cell beyond the limits
    styled_outside: int = 0  # cells beyond the limits with no value (only counted: they can be many)
    implied_outside: bool = False  # a cell beyond the limits has no address to drop it by
    uncached: list[str] = field(default_factory=list)

    @property
    def strays(self) -> int:
        return len(self.outside)


def greater_pattern(value: str, alphabet: str) -> str:
    """A pattern for the strings over ``alphabet`` (in its order) that are greater than ``value``
    when compared as numbers written in it: longer ones, and same-length ones larger from the
    first character that differs. ``greater_pattern("25", "0123456789")`` matches 26…99 and 100….
    """
    any_char = f"[{alphabet[0]}-{alphabet[-1]}]"
    options = [f"{any_char}{{{len(value) + 1},}}"]
    for i, ch in enumerate(value):
        above = alphabet[alphabet.index(ch) + 1:]
        if above:
            tail = f"{any_char}{{{len(value) - i - 1}}}" if i < len(value) - 1 else ""
            options.append(f"{re.escape(value[:i])}[{above[0]}-{above[-1]}]{tail}")
    return "|".join(options)


def _within_dimension(xml: bytes, limits: Limits) -> tuple[int, int] | None:
    """(rows, columns) of the sheet's declared <dimension>, when every cell is a plain <c r="A1">
    inside it, no formula is present and it fits the limits; else None (parse the cells instead).

    A handful of passes over the XML at C speed and no Python object per cell, where collecting
    every cell's address took seconds on a sheet of 100,000 leads. The declaration itself is
    never trusted: a cell beyond it sends the sheet to the full parse.
    """
    data = xml.find(b"<sheetData")
    found = _DIMENSION.search(xml, 0, data) if data >= 0 else None
    if found is None or found.group(3) is None:
        return None
    rows, columns = int(found.group(4)), column_index(found.group(3).decode())
    if rows > limits.max_rows or columns > limits.max_columns or rows * columns > limits.max_cells:
        return None
    # The main namespace declared once, as the default: no element name carries a prefix that
    # the patterns below would not see.
    if xml.count(_MAIN_NS) != 1 or _DEFAULT_NS not in xml[:data]:
        return None
    if _IRREGULAR_CELL.search(xml) or _ODD_CELL_TAG.search(xml) or _has_formula(xml):
        return None
    beyond = re.compile(
        rb'<c r="(?:(?:' + greater_pattern(found.group(3).decode(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ").encode()
        + rb')[0-9]|[A-Z]{1,3}(?:' + greater_pattern(str(rows), "0123456789").encode() + rb')")'
    )
    return None if beyond.search(xml) else (rows, columns)


def _has_formula(xml: bytes) -> bool:
    """An <f> element anywhere: a plain byte search for "<f", then a look at what follows (the
    few <filter…>, <firstHeader> … elements of a sheet are told apart by their next character)."""
    at = xml.find(b"<f")
    while at >= 0:
        if xml[at + 2 : at + 3] in (b" ", b">", b"/", b"\t", b"\r", b"\n"):
            return True
        at = xml.find(b"<f", at + 2)
    return False


def _scan_sheet(path: Path, name: str, xml: bytes, limits: Limits) -> tuple[SheetScan, bytes | None]:
    """The sheet's used range and its error cells; the XML to give the parser instead when stray
    cells were dropped."""
    scan, trimmed = _scan_range(path, name, xml, limits)
    errors = _error_cells(xml)
    return (dataclasses.replace(scan, errors=errors) if errors else scan), trimmed


def _error_cells(xml: bytes) -> tuple[StrayCell, ...]:
    """Cells holding an error value (#DIV/0!, #N/A …), which the parser reads as blank. A plain
    byte search first: most sheets have none."""
    if b't="e"' not in xml and b"t='e'" not in xml:
        return ()
    found = []
    for tag in _ERROR_TAG.finditer(xml):
        ref = _REF_ATTRIBUTE.search(tag.group(0))
        value = _CACHED_VALUE.match(xml, tag.end())
        if ref is not None:
            shown = value.group(1).decode("utf-8", "replace")[:20] if value else ""
            found.append(StrayCell(ref.group(1).decode("ascii").upper(), shown))
    return tuple(found)


def _scan_range(path: Path, name: str, xml: bytes, limits: Limits) -> tuple[SheetScan, bytes | None]:
    declared = _within_dimension(xml, limits)
    if declared is not None:
        return SheetScan(name=name, rows=declared[0], columns=declared[1], formula_free=True), None
    # Quick path, for the XML that Excel, WPS, LibreOffice and the usual libraries write: every cell
    # opens with <c r="…"> and no formula is present. Anything else (prefixed names, cells without
    # an address, formulas) goes to the parser below. '<' cannot occur in text unescaped, so these
    # counts see tags only.
    # Cells with a format and no value (<c r="…" s="3"/>) beyond the limits hold nothing to read:
    # runs of them are cut at C speed, and the parser gets the rest if the quick path passes it.
    # Millions of them (whole rows formatted far out) would otherwise each be a Python object.
    far_styles = _far_style_runs(limits.max_rows, limits.max_columns)
    if far_styles.search(xml):
        bare = far_styles.sub(b"", xml)
        quick = _within_dimension(bare, limits) or _quick_range(bare, limits)
        if quick is not None:
            return SheetScan(name=name, rows=quick[0], columns=quick[1]), bare
    quick = _quick_range(xml, limits)
    if quick is not None:
        return SheetScan(name=name, rows=quick[0], columns=quick[1]), None
    found = _parse_cells(path, name, xml, limits)
    outside = found.outside
    if found.strays > MAX_STRAY_CELLS or found.implied_outside:
        far = max(outside, key=lambda c: (c.row, c.column)) if outside else _Cell(*found.far, False, None)
        raise InputError(_too_far(path, name, f"{column_letters(far.column)}{far.row}", limits))
    if found.rows * found.columns > limits.max_cells:
        raise InputError(_too_many_cells(path, name, found.rows, found.columns, limits))
    scan = SheetScan(
        name=name,
        rows=found.rows,
        columns=found.columns,
        uncached_formulas=tuple(found.uncached),
        strays=tuple(StrayCell(c.ref or "", c.value) for c in outside if c.valued),
    )
    if not outside and not found.styled_outside:
        return scan, None
    trimmed = _CELL_ELEMENT.sub(lambda m: b"" if _beyond(m.group(2), limits) else m.group(0), xml)
    # The parser gets only what was checked: a cell the trim missed (written in a form the pattern
    # does not know) refuses the sheet rather than reach the parser.
    left = _parse_cells(path, name, trimmed, limits)
    if left.strays or left.styled_outside or left.implied_outside:
        raise InputError(corrupt_message(path, Say("container.detail.sheet_outside", sheet=name)))
    return scan, trimmed


@functools.lru_cache(maxsize=4)
def _far_style_runs(max_rows: int, max_columns: int) -> re.Pattern[bytes]:
    """Runs of cells written with a format and nothing else (no children, no type) whose address
    is beyond the limits."""
    far = (
        rb"(?:" + greater_pattern(column_letters(max_columns), "ABCDEFGHIJKLMNOPQRSTUVWXYZ").encode()
        + rb")[0-9]{1,7}|[A-Z]{1,3}(?:" + greater_pattern(str(max_rows), "0123456789").encode() + rb")"
    )
    return re.compile(rb'(?:<c r="(?:' + far + rb')" s="[0-9]{1,6}"/>)+')


def _quick_range(xml: bytes, limits: Limits) -> tuple[int, int] | None:
    """The used range (last row, last column) when every cell tag is a plain <c r="A1"…>, no
    formula is present and the range is within the limits; else None (the XML parser decides).
    Cells with a style only count too: the range is an upper bound."""
    row_numbers = _QUICK_ROW.findall(xml)
    tags = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
    if len(row_numbers) != tags or _ODD_CELL_TAG.search(xml) or any(f in xml for f in (b"<f>", b"<f ", b"<f/>")):
        return None
    rows = max(map(int, set(row_numbers)), default=0)
    del row_numbers
    columns = max((column_index(c.decode()) for c in set(_QUICK_COLUMN.findall(xml))), default=0)
    if rows <= limits.max_rows and columns <= limits.max_columns and rows * columns <= limits.max_cells:
        return rows, columns
    return None


def _beyond(ref: bytes, limits: Limits) -> bool:
    match = _A1.match(ref.decode("ascii", "replace"))
    return match is None or (
        int(match.group(2)) > limits.max_rows or column_index(match.group(1)) > limits.max_columns
    )


def _parse_cells(path: Path, name: str, xml: bytes, limits: Limits) -> _Cells:
    """Every cell's place and whether it holds a value (as calamine sees it: a non-empty cached
    value or an inline string), and formulas without a cached value."""
    found = _Cells()
    row, column = 0, 0
    open_elements: list[ElementTree.Element] = []
    try:
        for event, elem in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
            tag = _local(elem.tag)
            if event == "start":
                open_elements.append(elem)
                if tag == "row":
                    given = elem.get("r", "")
                    row = int(given) if given.isdigit() else row + 1
                    column = 0
                continue
            open_elements.pop()
            if tag == "row":
                _forget(elem, open_elements)
            if tag != "c":
                continue
            ref = elem.get("r")
            match = _A1.match(ref or "")
            if match:
                column, row = column_index(match.group(1)), int(match.group(2))
            elif ref is not None:
                raise InputError(corrupt_message(path, Say("container.detail.cell_ref", sheet=name, ref=ref[:20])))
            else:
                column += 1
            children = {_local(child.tag): child for child in elem}
            cached = children.get("v")
            has_value = cached is not None and bool(cached.text)
            valued = has_value or "is" in children
            if "f" in children and not has_value:
                found.uncached.append(ref or f"{column_letters(column)}{row}")
            if row > limits.max_rows or column > limits.max_columns:
                found.far = max(found.far, (row, column))
                found.implied_outside |= ref is None
                if valued:
                    found.outside.append(_Cell(row, column, valued, ref, _cell_text(elem, children)))
                else:
                    found.styled_outside += 1
                if found.strays > MAX_STRAY_CELLS:
                    break
            elif valued:
                found.rows = max(found.rows, row)
                found.columns = max(found.columns, column)
            _forget(elem, open_elements)
    except ElementTree.ParseError:
        raise InputError(corrupt_message(path, Say("container.detail.sheet_bad", sheet=name))) from None
    return found


def _forget(elem: ElementTree.Element, open_elements: list[ElementTree.Element]) -> None:
    """Drop a finished element from the tree, so a sheet of a million cells is not kept whole."""
    elem.clear()
    if open_elements and len(open_elements[-1]) and open_elements[-1][-1] is elem:
        del open_elements[-1][-1]


def _cell_text(elem: ElementTree.Element, children: dict) -> str:
    """A cell's value as text for a message; a shared string's index says nothing, so it is left out."""
    if elem.get("t") == "s":
        return ""
    if "is" in children:
        text = "".join(children["is"].itertext())
    else:
        text = children["v"].text if "v" in children else ""
    return (text or "").strip()[:50]
