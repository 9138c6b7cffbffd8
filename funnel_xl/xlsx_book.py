"""The parts of a workbook that ``refresh`` changes, opened together, and the new package written.

Only these parts can change: the leads sheet, the styles, the sheet's notes and their VML drawing
(new ones with their relationship and content type), the custom document properties (the tool's
state), and the workbook part's calculation flag when the workbook holds formulas. Every other
part is copied byte for byte (:func:`funnel_xl.xlsx_parts.write_package`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .xlsx_comments import IDMAP, Notes
from .xlsx_parts import (
    CONTENT_TYPES,
    CUSTOM,
    CUSTOM_REL,
    CUSTOM_TYPE,
    REL,
    ROOT_RELS,
    WORKBOOK,
    Package,
    custom_properties,
    relative,
    rels_name,
    with_content_type,
    with_custom_properties,
    with_default_type,
    with_relationship,
    write_package,
)
from .xlsx_sheet import SheetXml, may_hold_formulas
from .xlsx_styles import Styles

COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_P = r"(?:[A-Za-z_][\w.-]*:)?"
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\b")
_CALC = re.compile(r"<(" + _P + r")calcPr\b([^>]*?)(/?)>")
_FULL_CALC = re.compile(r'\sfullCalcOnLoad\s*=\s*"[^"]*"')
# Elements that follow <calcPr> in a workbook part, in the order the schema requires.
_AFTER_CALC = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
               "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")
_CHUNK = 1 << 23


class RefreshedBook:
    """A workbook opened for refresh: its package and the parts refresh may change."""

    def __init__(self, package: Package, sheet_part: str, sheet: SheetXml, styles_part: str, styles: Styles,
                 notes: Notes, comments_part: str | None, vml_part: str | None, custom_part: str | None):
        self.package, self.sheet_part, self.sheet = package, sheet_part, sheet
        self.styles_part, self.styles, self.notes = styles_part, styles, notes
        self.comments_part, self.vml_part, self.custom_part = comments_part, vml_part, custom_part
        self.custom = package.text(custom_part) if custom_part in package.names else None
        self.properties = custom_properties(self.custom)
        self.new_custom: str | None = None
        self.workbook: str | None = None  # the workbook part, when its calculation flag changes

    @classmethod
    def open(cls, content: bytes, sheet_name: str) -> RefreshedBook:
        package = Package(content)
        part = package.sheet_part(sheet_name)
        if part is None or part not in package.names:
            raise ValueError(f"no worksheet part for {sheet_name}")
        sheet = SheetXml.scan(package.read(part))
        workbook_rels = package.relationships(WORKBOOK)
        styles_part = next((r["part"] for r in workbook_rels if r.get("Type", "").endswith("/styles")), None)
        if styles_part is None or styles_part not in package.names:
            raise ValueError("the workbook has no styles part")
        rels = package.relationships(part)
        comments = next((r["part"] for r in rels if r.get("Type", "").endswith("/comments")), None)
        vml = next((r["part"] for r in rels if r.get("Type", "").endswith("/vmlDrawing")), None)
        idmaps = [
            int(n) for name in package.names if name.lower().endswith(".vml")
            for found in IDMAP.findall(package.read(name).decode("utf-8", "replace"))
            for n in found.split(",") if n.strip().isdigit()
        ]
        notes = Notes.read(
            package.text(comments) if comments in package.names else None,
            package.text(vml) if vml in package.names else None,
            max(idmaps, default=0) + 1,
        )
        custom = next(
            (r["part"] for r in package.relationships("") if r.get("Type") == CUSTOM_REL), None
        ) if ROOT_RELS in package.names else None
        return cls(package, part, sheet, styles_part, Styles(package.text(styles_part)), notes,
                   comments, vml, custom)

    def has_formulas(self, formula_free: Iterable[str] = ()) -> bool:
        """Whether any worksheet holds a formula (searched in the stored XML, a chunk at a time);
        the sheets named in ``formula_free`` are known to hold none and are not searched."""
        if self.sheet.rows_with_formulas():
            return True
        known = {self.sheet_part, *(self.package.sheet_part(name) for name in formula_free)}
        for rel in self.package.relationships(WORKBOOK):
            part = rel.get("part")
            if part in known or part not in self.package.names:
                continue
            if rel.get("Type", "").endswith("/worksheet") and _contains(self.package, part, _FORMULA):
                return True
        return False

    def recalculate_on_load(self) -> None:
        text = self.package.text(WORKBOOK)
        found = _CALC.search(text)
        if found is not None:
            attrs = _FULL_CALC.sub("", found[2])
            self.workbook = f'{text[:found.start()]}<{found[1]}calcPr{attrs} fullCalcOnLoad="1"{found[3]}>{text[found.end():]}'
            return
        root = re.search(r"<(" + _P + r")workbook\b", text)
        prefix = root[1] if root else ""
        after = [m.start() for name in _AFTER_CALC for m in [re.search(r"<" + _P + name + r"\b", text)] if m]
        at = min(after) if after else text.rindex("</")
        self.workbook = f'{text[:at]}<{prefix}calcPr fullCalcOnLoad="1"/>{text[at:]}'

    def set_properties(self, values: dict[str, str], drop) -> None:
        self.new_custom = with_custom_properties(self.custom, values, drop)

    def write(self, target: Path) -> None:
        package, parts = self.package, {}
        types = package.text(CONTENT_TYPES)
        if self.notes.changed:
            types = self._notes(parts, types)
        if self.styles.changed:
            parts[self.styles_part] = self.styles.to_bytes()
        if self.new_custom is not None:
            custom = self.custom_part or CUSTOM
            parts[custom] = self.new_custom.encode("utf-8")
            if self.custom_part is None:
                root = package.text(ROOT_RELS) if ROOT_RELS in package.names else None
                parts[ROOT_RELS] = with_relationship(root, CUSTOM_REL, custom)[0].encode("utf-8")
                types = with_content_type(types, custom, CUSTOM_TYPE)
        if self.workbook is not None:
            parts[WORKBOOK] = self.workbook.encode("utf-8")
        parts[self.sheet_part] = self.sheet.render()
        if types != package.text(CONTENT_TYPES):
            parts[CONTENT_TYPES] = types.encode("utf-8")
        write_package(package, target, parts)

    def _notes(self, parts: dict, types: str) -> str:
        """The notes' parts into ``parts``, new ones related to the sheet; returns the content types."""
        package = self.package
        rels_part = rels_name(self.sheet_part)
        rels = package.text(rels_part) if rels_part in package.names else None
        comments, vml = self.comments_part, self.vml_part
        if comments is None or comments not in package.names:
            comments = package.free_name("xl/comments{}.xml")
            rels = with_relationship(rels, f"{REL}/comments", relative(self.sheet_part, comments))[0]
            types = with_content_type(types, comments, COMMENTS_TYPE)
        if vml is None or vml not in package.names:
            vml = package.free_name("xl/drawings/vmlDrawing{}.vml")
            rels, rid = with_relationship(rels, f"{REL}/vmlDrawing", relative(self.sheet_part, vml))
            types = with_default_type(types, "vml", VML_TYPE)
            self.sheet.add_legacy_drawing(rid)
        if rels != (package.text(rels_part) if rels_part in package.names else None):
            parts[rels_part] = rels.encode("utf-8")
        comments_text, vml_text = self.notes.texts()
        parts[comments] = comments_text.encode("utf-8")
        parts[vml] = vml_text.encode("utf-8")
        return types


def _contains(package: Package, part: str, pattern: re.Pattern) -> bool:
    tail = b""
    with package.archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            if may_hold_formulas(data) and pattern.search(data):
                return True
            tail = chunk[-16:]
    return False
