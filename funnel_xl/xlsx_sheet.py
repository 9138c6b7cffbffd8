"""One worksheet's XML, scanned once and rewritten as a list of splices.

The sheet stays bytes: rows are located with a regular expression (a few per row, in C), a row's
cells are parsed only when asked for, and the new sheet is the old bytes with the changed cells
spliced in — every other byte as its writer wrote it. Rows and cells may come in any order or
without their address (it is then the previous one's plus one, as the format says).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from .container import column_index, column_letters, greater_pattern

_P = rb"(?:[A-Za-z_][\w.-]*:)?"
_SHEET_DATA = re.compile(rb"<(" + _P + rb")sheetData\b[^>]*?(/?)>")
_ROW = re.compile(rb"<" + _P + rb"row\b([^>]*?)(/?)>")
_CELL = re.compile(rb"<(" + _P + rb"c)\b([^>]*?)(/?)>")
_REF = re.compile(rb'(?:^|\s)r\s*=\s*"([A-Z]{1,3})([0-9]{1,7})"')
_ROW_NUMBER = re.compile(rb'(?:^|\s)r\s*=\s*"([0-9]{1,7})"')
_STYLE = re.compile(rb'(?:^|\s)s\s*=\s*"([0-9]+)"')
_TYPE = re.compile(rb'(?:^|\s)t\s*=\s*"(\w+)"')
_SPANS = re.compile(rb'(\sspans\s*=\s*")([0-9]+):([0-9]+)(")')
_FORMULA = re.compile(rb"<" + _P + rb"f\b")
_VALUE = re.compile(rb"<" + _P + rb"v\b[^>]*>([^<]*)<")
_INLINE_TEXT = re.compile(rb"<" + _P + rb"t\b[^>]*>([^<]*)<")
_DIMENSION = re.compile(rb'(<' + _P + rb'dimension\b[^>]*?\sref\s*=\s*")([^"]*)(")')
_COLS = re.compile(rb"<(" + _P + rb")cols\b[^>]*>(.*?)</" + _P + rb"cols>", re.DOTALL)
_COL = re.compile(rb"<" + _P + rb"col\b([^>]*?)/?>")
_ATTR = re.compile(rb'([\w:.-]+)\s*=\s*"([^"]*)"')
# Elements a worksheet may hold after <legacyDrawing>, in the order the schema requires.
_AFTER_LEGACY_DRAWING = (
    b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems",
    b"tableParts", b"extLst",
)


@functools.lru_cache(maxsize=64)
def _after_column(col: int) -> re.Pattern:
    """A cell written with its address, in a column after ``col``."""
    later = greater_pattern(column_letters(col), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return re.compile(rb"<" + _P + rb'c r="(?:' + later.encode() + rb")[0-9]")


def may_hold_formulas(data: bytes) -> bool:
    """False when ``data`` surely holds no formula element (a quick search before the pattern)."""
    return b"<f" in data or b":f" in data


@dataclass
class Cell:
    row: int
    col: int
    start: int
    end: int
    attrs: bytes
    inner: bytes | None  # None: written <c …/>

    @property
    def style(self) -> int:
        found = _STYLE.search(self.attrs)
        return int(found[1]) if found else 0

    @property
    def type(self) -> str:
        found = _TYPE.search(self.attrs)
        return found[1].decode() if found else "n"

    @property
    def has_formula(self) -> bool:
        return self.inner is not None and _FORMULA.search(self.inner) is not None

    @property
    def text(self) -> str | None:
        """The stored value as text (a shared string's index, for t="s"); None: no value."""
        if self.inner is None:
            return None
        if self.type == "inlineStr":
            return b"".join(_INLINE_TEXT.findall(self.inner)).decode("utf-8")
        found = _VALUE.search(self.inner)
        return found[1].decode("utf-8") if found else None


@dataclass
class Row:
    number: int
    start: int
    tag_end: int
    close: int | None  # offset of </row>; None: written <row …/>
    end: int
    attrs: bytes
    cells: dict[int, Cell] | None = None


@dataclass
class SheetXml:
    xml: bytes
    prefix: bytes = b""
    data_end: int = 0
    widest: int = 0  # the last column a new column was added at
    regular: bool = False  # every cell written <c r="…" first: one is found by its address
    found: dict[tuple[int, int], Cell | None] = field(default_factory=dict)
    column_styles: list[tuple[int, int, int | None]] | None = None  # (min, max, style) of <cols>
    style_of_column: dict[int, int | None] = field(default_factory=dict)
    formula_rows: list[int] | None = None
    rows: dict[int, Row] = field(default_factory=dict)
    edits: dict[tuple[int, int], bytes] = field(default_factory=dict)
    splices: list[tuple[int, int, bytes]] = field(default_factory=list)

    @classmethod
    def scan(cls, xml: bytes) -> SheetXml:
        sheet = cls(xml)
        found = _SHEET_DATA.search(xml)
        if found is None:
            raise ValueError("worksheet without sheetData")
        sheet.prefix = found[1]
        if found[2]:
            sheet.data_end = found.end()
            return sheet
        close = b"</" + sheet.prefix + b"row>"
        end = xml.find(b"</" + sheet.prefix + b"sheetData>", found.end())
        sheet.data_end = end
        pos, number = found.end(), 0
        search = _ROW.search
        while True:
            tag = search(xml, pos, end)
            if tag is None:
                break
            given = _ROW_NUMBER.search(tag[1])
            number = int(given[1]) if given else number + 1
            if tag[2]:
                row = Row(number, tag.start(), tag.end(), None, tag.end(), tag[1])
            else:
                at = xml.find(close, tag.end(), end)
                row = Row(number, tag.start(), tag.end(), at, at + len(close), tag[1])
            sheet.rows[number] = row
            pos = row.end
        irregular = re.compile(rb"<" + re.escape(sheet.prefix) + rb'c(?=[\s/>])(?! r="[A-Z])')
        sheet.regular = irregular.search(xml, found.end(), end) is None
        return sheet

    # -- reading -----------------------------------------------------------------------------

    def cells(self, number: int) -> dict[int, Cell]:
        row = self.rows.get(number)
        if row is None:
            return {}
        if row.cells is None:
            row.cells = {}
            if row.close is not None:
                self._parse(row)
        return row.cells

    def _parse(self, row: Row) -> None:
        xml, col = self.xml, 0
        pos, end = row.tag_end, row.close
        while True:
            tag = _CELL.search(xml, pos, end)
            if tag is None:
                return
            ref = _REF.search(tag[2])
            col = column_index(ref[1].decode()) if ref else col + 1
            if tag[3]:
                cell = Cell(row.number, col, tag.start(), tag.end(), tag[2], None)
            else:
                close = xml.find(b"</" + tag[1] + b">", tag.end(), end)
                cell = Cell(row.number, col, tag.start(), close + len(tag[1]) + 3, tag[2], xml[tag.end():close])
            row.cells[col] = cell
            pos = cell.end

    def cell(self, number: int, col: int) -> Cell | None:
        row = self.rows.get(number)
        if row is None:
            return None
        if row.cells is not None or not self.regular:
            return self.cells(number).get(col)
        key = (number, col)
        if key not in self.found:
            self.found[key] = self._find(row, col)
        return self.found[key]

    def _find(self, row: Row, col: int) -> Cell | None:
        """The cell at ``col`` of a row whose cells all lead with their address, found by it."""
        if row.close is None:
            return None
        tag = b"<" + self.prefix + b"c"
        at = self.xml.find(b'%s r="%s%d"' % (tag, column_letters(col).encode(), row.number), row.tag_end, row.close)
        if at < 0:
            return None
        end = self.xml.index(b">", at)
        attrs = self.xml[at + len(tag):end]
        if attrs.endswith(b"/"):
            return Cell(row.number, col, at, end + 1, attrs[:-1], None)
        close = self.xml.find(b"</%s>" % tag[1:], end, row.close)
        return Cell(row.number, col, at, close + len(tag) + 2, attrs, self.xml[end + 1:close])

    def rows_matching(self, pattern: re.Pattern) -> list[int]:
        """The numbers of the rows whose XML ``pattern`` finds something in."""
        if not self.rows:
            return []
        starts = sorted((row.start, row.number) for row in self.rows.values())
        offsets = [s for s, _ in starts]
        found = []
        for match in pattern.finditer(self.xml, starts[0][0], self.data_end):
            number = starts[bisect.bisect_right(offsets, match.start()) - 1][1]
            if not found or found[-1] != number:
                found.append(number)
        return found

    def rows_with_styles(self, styles: set[int]) -> list[int]:
        """The numbers of the rows holding a cell of one of these styles."""
        if not styles:
            return []
        alternatives = b"|".join(b"%d" % s for s in sorted(styles))
        return self.rows_matching(re.compile(rb"<" + _P + rb'c\b[^>]*?\ss\s*=\s*"(?:' + alternatives + rb')"'))

    def rows_with_formulas(self) -> list[int]:
        if self.formula_rows is None:
            self.formula_rows = self.rows_matching(_FORMULA) if may_hold_formulas(self.xml) else []
        return self.formula_rows

    def row_style(self, number: int) -> int | None:
        row = self.rows.get(number)
        found = _STYLE.search(row.attrs) if row is not None else None
        return int(found[1]) if found and found[1] != b"0" else None

    def column_style(self, col: int) -> int | None:
        if col not in self.style_of_column:
            self.style_of_column[col] = next(
                (style for low, high, style in self._columns() if low <= col <= high and style), None
            )
        return self.style_of_column[col]

    def column_declared(self, col: int) -> bool:
        return any(low <= col <= high for low, high, _ in self._columns())

    def _columns(self) -> list[tuple[int, int, int | None]]:
        if self.column_styles is None:
            found = _COLS.search(self.xml, 0, self._data_start())
            attrs = [dict(_ATTR.findall(m[1])) for m in _COL.finditer(found[2])] if found else []
            self.column_styles = [
                (int(a.get(b"min", 0)), int(a.get(b"max", 0)), int(a[b"style"]) if a.get(b"style") else None)
                for a in attrs
            ]
        return self.column_styles

    def _data_start(self) -> int:
        return _SHEET_DATA.search(self.xml).start()

    def last_used_column(self, within: int | None = None) -> int:
        """The last column holding a value or formula; with ``within``, among the first ``within``
        columns only (a stray cell far out, which reading ignores, is not where the table ends)."""
        used = 0
        for number in self.rows:
            for col, cell in self.cells(number).items():
                if col > used and (within is None or col <= within) and (
                    cell.has_formula or cell.text not in (None, "")
                ):
                    used = col
        return used

    # -- changing ----------------------------------------------------------------------------

    def put(self, number: int, col: int, style: int, value: object) -> None:
        """Write ``value`` (None: no value; int/float; str) into a cell, styled ``style``."""
        ref = f"{column_letters(col)}{number}".encode()
        c = self.prefix + b"c"
        s = b' s="%d"' % style if style else b""
        if value is None:
            self.edits[(number, col)] = b"<%s r=\"%s\"%s/>" % (c, ref, s) if style else b""
        elif isinstance(value, str):
            space = b' xml:space="preserve"' if value != value.strip() else b""
            text = escape(value).encode("utf-8")
            t = self.prefix + b"t"
            is_ = self.prefix + b"is"
            self.edits[(number, col)] = (
                b'<%s r="%s"%s t="inlineStr"><%s><%s%s>%s</%s></%s></%s>' % (c, ref, s, is_, t, space, text, t, is_, c)
            )
        else:
            number_text = repr(value).encode() if isinstance(value, float) else str(int(value)).encode()
            v = self.prefix + b"v"
            self.edits[(number, col)] = b'<%s r="%s"%s><%s>%s</%s></%s>' % (c, ref, s, v, number_text, v, c)

    def restyle(self, number: int, col: int, style: int) -> None:
        """Give an existing cell another style, its value untouched."""
        cell = self.cell(number, col)
        attrs = _STYLE.sub(b"", cell.attrs)
        if style:
            attrs = b'%s s="%d"' % (attrs.rstrip(), style)
        c = re.match(rb"<(" + _P + rb"c)\b", self.xml[cell.start:cell.start + 64])[1]
        if cell.inner is None:
            self.edits[(number, col)] = b"<%s%s/>" % (c, attrs)
        else:
            self.edits[(number, col)] = b"<%s%s>%s</%s>" % (c, attrs, cell.inner, c)

    def add_splice(self, start: int, end: int, data: bytes) -> None:
        self.splices.append((start, end, data))

    def widen_dimension(self, last_col: int) -> None:
        self.widest = max(self.widest, last_col)

    def _dimension_splice(self) -> list[tuple[int, int, bytes]]:
        found = _DIMENSION.search(self.xml, 0, self._data_start())
        if found is None or b":" not in found[2]:
            return []
        first, last = found[2].split(b":")
        letters = re.match(rb"[A-Z]*", last)[0]
        if not letters or column_index(letters.decode()) >= self.widest:
            return []
        return [(found.start(2), found.end(2), first + b":" + column_letters(self.widest).encode() + last[len(letters):])]

    def add_column_width(self, col: int, width: float) -> None:
        if self.column_declared(col):
            return
        element = self.prefix + b'col min="%d" max="%d" width="%s" customWidth="1"' % (col, col, repr(width).encode())
        found = _COLS.search(self.xml, 0, self._data_start())
        if found is None:
            at = self._data_start()
            self.add_splice(at, at, b"<%scols><%s/></%scols>" % (self.prefix, element, self.prefix))
            return
        pieces = list(_COL.finditer(self.xml, found.start(2), found.end(2)))
        after = max((m for m in pieces if int(dict(_ATTR.findall(m[1])).get(b"max", 0)) < col),
                    key=lambda m: m.end(), default=None)
        at = after.end() if after is not None else found.start(2)
        self.add_splice(at, at, b"<%s/>" % element)

    def add_legacy_drawing(self, rid: str) -> None:
        """Refer to the sheet's VML drawing (comments), where the schema puts it."""
        tail = self.data_end
        candidates = [
            m.start() for name in _AFTER_LEGACY_DRAWING
            for m in [re.compile(rb"<" + _P + name + rb"\b").search(self.xml, tail)] if m
        ]
        at = min(candidates) if candidates else self.xml.rindex(b"</")
        element = b'<%slegacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="%s"/>' % (
            self.prefix, rid.encode())
        self.add_splice(at, at, element)

    def _insert_at(self, row: Row, col: int) -> int:
        """Where a new cell at ``col`` goes in a row: before the first cell after it, else last."""
        if row.close is None:
            return row.tag_end
        if self.regular and row.cells is None:
            after = _after_column(col).search(self.xml, row.tag_end, row.close)
            return after.start() if after is not None else row.close
        starts = (c.start for c in self.cells(row.number).values() if c.col > col)
        return min(starts, default=row.close)

    def render(self) -> list[bytes | memoryview]:
        """The new sheet XML, as chunks."""
        splices = list(self.splices) + self._dimension_splice()
        by_row: dict[int, dict[int, bytes]] = {}
        for (number, col), data in self.edits.items():
            by_row.setdefault(number, {})[col] = data
        for number, changes in by_row.items():
            splices.extend(self._row_splices(number, changes))
        splices.sort(key=lambda s: (s[0], s[1]))
        xml = memoryview(self.xml)  # slices of it are views, not copies
        chunks, pos = [], 0
        for start, end, data in splices:
            chunks.append(xml[pos:start])
            chunks.append(data)
            pos = end
        chunks.append(xml[pos:])
        return chunks

    def _row_splices(self, number: int, changes: dict[int, bytes]) -> list[tuple[int, int, bytes]]:
        row = self.rows.get(number)
        if row is None:
            raise ValueError(f"row {number} is not in the sheet")
        splices, inserts, new_cols = [], {}, []
        for col, data in sorted(changes.items()):
            cell = self.cell(number, col)
            if cell is not None:
                splices.append((cell.start, cell.end, data))
                continue
            inserts.setdefault(self._insert_at(row, col), []).append(data)
            new_cols.append(col)
        if not inserts:
            return splices
        spans = _SPANS.search(row.attrs)
        attrs = row.attrs
        if spans and (max(new_cols) > int(spans[3]) or min(new_cols) < int(spans[2])):
            low, high = min(int(spans[2]), *new_cols), max(int(spans[3]), *new_cols)
            attrs = _SPANS.sub(lambda m: b"%s%d:%d%s" % (m[1], low, high, m[4]), attrs, count=1)
        row_tag = self.prefix + b"row"
        if row.close is None:
            body = b"".join(b"".join(data) for _, data in sorted(inserts.items()))
            return [(row.start, row.end, b"<%s%s>%s</%s>" % (row_tag, attrs, body, row_tag))]
        if attrs is not row.attrs:
            splices.append((row.start, row.tag_end, b"<%s%s>" % (row_tag, attrs)))
        splices.extend((at, at, b"".join(data)) for at, data in inserts.items())
        return splices
