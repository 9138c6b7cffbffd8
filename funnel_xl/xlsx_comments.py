"""A sheet's notes: its comments part and the VML drawing that shows them, edited as text.

Excel keeps a note in two places: the text in ``xl/commentsN.xml`` and the box in a legacy VML
drawing (``xl/drawings/vmlDrawingN.vml``), which may also hold form controls. Notes are removed
and added there as Excel writes them; every other note, shape and control stays as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, unescape

from .container import column_index, column_letters

_P = r"(?:[A-Za-z_][\w.-]*:)?"
_COMMENT = re.compile(r"<(" + _P + r"comment)\b([^>]*?)(?:/>|>(.*?)</\1\s*>)", re.DOTALL)
_REF = re.compile(r'\sref\s*=\s*"([A-Z]{1,3})([0-9]{1,7})"')
_AUTHOR_ID = re.compile(r'\sauthorId\s*=\s*"([0-9]+)"')
_AUTHORS = re.compile(r"<(" + _P + r")authors\b[^>]*?(?:/>|>(.*?)</" + _P + r"authors\s*>)", re.DOTALL)
_AUTHOR = re.compile(r"<" + _P + r"author\b[^>]*?(?:/>|>(.*?)</" + _P + r"author\s*>)", re.DOTALL)
_TEXT = re.compile(r"<" + _P + r"t\b[^>]*?(?:/>|>(.*?)</" + _P + r"t\s*>)", re.DOTALL)
_SHAPE = re.compile(r"<(\w+:)?shape\b[^>]*>.*?</\1?shape\s*>", re.DOTALL)
_NOTE = re.compile(r'ObjectType\s*=\s*"Note"')
_SHAPE_ROW = re.compile(r"<(?:\w+:)?Row>\s*([0-9]+)\s*<")
_SHAPE_COLUMN = re.compile(r"<(?:\w+:)?Column>\s*([0-9]+)\s*<")
_SHAPE_ID = re.compile(r'\sid\s*=\s*"_x0000_s([0-9]+)"')
IDMAP = re.compile(r'<(?:\w+:)?idmap\b[^>]*\sdata\s*=\s*"([0-9, ]*)"')

NEW_COMMENTS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<authors></authors><commentList></commentList></comments>"
)
_SHAPE_TYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)


def new_vml(idmap: int) -> str:
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout>'
        f"{_SHAPE_TYPE}</xml>"
    )


@dataclass(frozen=True)
class Note:
    author: str
    text: str


@dataclass
class Notes:
    """The comments part of a sheet and its VML drawing, as text (:meth:`texts`).

    Notes added are kept aside and written into both texts at once, and notes removed from the
    texts read are taken out in one pass: each edit of the whole text made a refresh that adds
    thousands of notes take minutes."""

    comments: str
    vml: str
    notes: dict[str, Note] = field(default_factory=dict)
    changed: bool = False
    _added: dict[str, tuple[str, int]] = field(default_factory=dict)  # ref → (comment, shape number)
    _shapes: dict[str, str] = field(default_factory=dict)  # ref → its added VML shape
    _removed: set[str] = field(default_factory=set)  # refs of notes to take out of the texts read
    _authors: list[str] | None = None
    _numbers: tuple[int, int] | None = None  # (highest shape number, shapes) of the texts as edited

    @classmethod
    def read(cls, comments: str | None, vml: str | None, idmap: int) -> Notes:
        found = cls(comments or NEW_COMMENTS, vml or new_vml(idmap))
        names = found._author_names()
        for match in _COMMENT.finditer(found.comments):
            ref, author = _REF.search(match[2]), _AUTHOR_ID.search(match[2])
            if ref is None:
                continue
            index = int(author[1]) if author else -1
            text = "".join(unescape(t) for t in _TEXT.findall(match[3] or ""))
            found.notes[ref[1] + ref[2]] = Note(names[index] if 0 <= index < len(names) else "", text)
        return found

    def remove(self, ref: str) -> None:
        if ref not in self.notes:
            return
        del self.notes[ref]
        if self._added.pop(ref, None) is not None:
            del self._shapes[ref]
        else:
            self._removed.add(ref)
        self._numbers = None
        self.changed = True

    def add(self, ref: str, text: str, author: str, width: int = 144, height: int = 79) -> None:
        """A note on cell ``ref`` (one already there is replaced); ``width``/``height`` in points."""
        self.remove(ref)
        self.notes[ref] = Note(author, text)
        author_id = self._author(author)
        body = escape(text)
        comment = (
            f'<comment ref="{ref}" authorId="{author_id}"><text><r><rPr><sz val="9"/><color indexed="81"/>'
            f'<rFont val="Tahoma"/><family val="2"/></rPr><t xml:space="preserve">{body}</t></r></text></comment>'
        )
        highest, count = self._shape_numbers()
        row, col = _position(ref)
        self._added[ref] = (comment, highest + 1)
        self._shapes[ref] = self._shape(highest + 1, count + 1, row, col, width, height)
        self._numbers = (highest + 1, count + 1)
        self.changed = True

    def texts(self) -> tuple[str, str]:
        """The comments part and the VML drawing with every edit made."""
        if self._removed:
            removed = {_position(ref) for ref in self._removed}
            self.comments = "".join(_split(self.comments, _COMMENT, lambda m: _ref_of(m) in self._removed))
            self.vml = "".join(_split(self.vml, _SHAPE, lambda m: _note_position(m[0]) in removed))
            self._removed.clear()
        if self._added:
            self.comments = _append(self.comments, "commentList", "".join(c for c, _n in self._added.values()))
            shapes = "".join(self._shapes.values())
            self.vml = _append(self.vml, "xml", ("" if "_x0000_t202" in self.vml else _SHAPE_TYPE) + shapes, raw=True)
            self._added.clear()
            self._shapes.clear()
        return self.comments, self.vml

    def _author_names(self) -> list[str]:
        if self._authors is None:
            found = _AUTHORS.search(self.comments)
            self._authors = [unescape(a or "") for a in _AUTHOR.findall(found[2] or "")] if found else []
        return self._authors

    def _author(self, author: str) -> int:
        names = self._author_names()
        if author in names:
            return names.index(author)
        self.comments = _append(self.comments, "authors", f"<author>{escape(author)}</author>")
        names.append(author)
        return len(names) - 1

    def _shape_numbers(self) -> tuple[int, int]:
        """The highest shape number and the number of shapes once the edits so far are made."""
        if self._numbers is None:
            ids = [int(i) for i in _SHAPE_ID.findall(self.vml)]
            if self._removed:
                removed = {_position(ref) for ref in self._removed}
                for shape in _SHAPE.finditer(self.vml):
                    if _note_position(shape[0]) in removed:
                        for i in _SHAPE_ID.findall(shape[0]):
                            ids.remove(int(i))
            ids += [n for _c, n in self._added.values()]
            idmap = IDMAP.search(self.vml)
            first = int(idmap[1].split(",")[0]) * 1024 if idmap and idmap[1].strip() else 1024
            self._numbers = (max([first, *ids]), len(ids))
        return self._numbers

    @staticmethod
    def _shape(number: int, z: int, row: int, col: int, width: int, height: int) -> str:
        return (
            f'<v:shape id="_x0000_s{number}" type="#_x0000_t202" '
            f'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:{width}pt;height:{height}pt;'
            f'z-index:{z};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note">'
            f"<x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{col + 1}, 15, {max(row - 1, 0)}, 2, {col + 3}, 15, "
            f"{row + 3}, 16</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row>"
            f"<x:Column>{col}</x:Column></x:ClientData></v:shape>"
        )


def _position(ref: str) -> tuple[int, int]:
    """0-based (row, column) of an A1 reference, as VML counts them."""
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]) - 1, column_index(letters) - 1


def ref_of(row: int, col: int) -> str:
    return f"{column_letters(col)}{row}"


def _ref_of(match: re.Match) -> str | None:
    ref = _REF.search(match[2])
    return ref[1] + ref[2] if ref else None


def _note_position(shape: str) -> tuple[int, int] | None:
    """The 0-based (row, column) of a note's VML shape; None for any other shape."""
    if not _NOTE.search(shape):
        return None
    r, c = _SHAPE_ROW.search(shape), _SHAPE_COLUMN.search(shape)
    return (int(r[1]), int(c[1])) if r is not None and c is not None else None


def _split(text: str, pattern: re.Pattern, drop) -> list[str]:
    """``text`` in pieces, without the matches of ``pattern`` that ``drop`` accepts."""
    pieces, last = [], 0
    for match in pattern.finditer(text):
        if drop(match):
            pieces.append(text[last:match.start()])
            last = match.end()
    pieces.append(text[last:])
    return pieces


def _append(text: str, element: str, addition: str, raw: bool = False) -> str:
    """``addition`` at the end of ``element`` (opened when written self-closing). In the comments
    part the main namespace may carry a prefix: the addition takes it."""
    close = list(re.finditer(r"</(" + _P + re.escape(element) + r")\s*>", text))
    if close:
        prefix = close[-1][1][: -len(element)]
        if prefix and not raw:
            addition = re.sub(r"<(/?)(?=[a-zA-Z])", lambda m: f"<{m[1]}{prefix}", addition)
        at = close[-1].start()
        return text[:at] + addition + text[at:]
    empty = re.search(r"<(" + _P + re.escape(element) + r")\b([^>]*?)/>", text)
    prefix = empty[1][: -len(element)]
    if prefix and not raw:
        addition = re.sub(r"<(/?)(?=[a-zA-Z])", lambda m: f"<{m[1]}{prefix}", addition)
    return f"{text[:empty.start()]}<{empty[1]}{empty[2]}>{addition}</{empty[1]}>{text[empty.end():]}"
