"""refresh on workbooks shaped as Excel and WPS save them, built here part by part from their XML.

The leads are those of tests/test_refresh_parts.py (the figures derived there: DWELL, RATES, the
estimate in O3, the highlight of M2 and A3); only the markup around them differs.

As Excel saves a workbook (Excel 2016 and later, Microsoft 365; the markup of ECMA-376 Part 1 and
of Microsoft's extensions, [MS-XLSX] and [MS-ODRAWXML]):

- the worksheet root declares the markup-compatibility namespace and ``mc:Ignorable="x14ac xr xr2
  xr3"`` with those four namespaces, and carries an ``xr:uid`` (a GUID per sheet, [MS-XLSX] 2.6.x);
- every row has ``spans="1:23"`` (the columns it uses, a hint for readers) and ``x14ac:dyDescent``;
- text is in the shared-string table (xl/sharedStrings.xml), dates are serial numbers with the
  built-in date format 14;
- a formula filled down a column is one shared formula: ``<f t="shared" ref="W2:W7" si="0">`` in
  its first cell, ``<f t="shared" si="0"/>`` in the others (ECMA-376 §18.3.1.40), each with its
  cached value; the formula cells are listed in xl/calcChain.xml (§18.6), which Excel requires to
  name only cells that hold formulas;
- the worksheet ends with an ``extLst`` (here x14 data validations), the styles part with an
  ``extLst`` of slicer and timeline styles and ``x14ac:knownFonts``; the workbook part with
  ``fileVersion``, ``xr:revisionPtr`` and ``calcPr calcId="191029"``.

As WPS Office (Kingsoft) saves a workbook:

- the worksheet root declares ``xdr``, ``x14``, ``mc`` and WPS's own ``etc`` namespace
  (http://www.wps.cn/officeDocument/2017/etCustomData), starts with an empty ``<sheetPr/>`` and
  ends with ``pageMargins`` and an empty ``headerFooter``; rows carry ``spans``;
- the workbook part has ``calcPr calcId="144525"``;
- docProps/custom.xml holds WPS's ``ICV`` and ``KSOProductBuildVer`` (2052-… for the Chinese
  edition), related from the package's root relationships.

Each is refreshed and checked as the other refresh tests check: only refresh's own parts change
(here also the workbook part, whose calculation flag is set because the sheet holds formulas),
openpyxl and LibreOffice read the new values, a second refresh changes nothing and makes no backup.
"""

import re
import zipfile
from datetime import date, datetime
from xml.sax.saxutils import escape

import pytest

from funnel_xl.refresh import refresh_workbook
from tests.test_refresh import AS_OF, LEADS, backups
from tests.test_refresh_parts import (
    HEADERS,
    OWNED,
    SOFFICE,
    check_refreshed,
    libreoffice_reads_the_new_values,
    parts_of,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
XR2 = "http://schemas.microsoft.com/office/spreadsheetml/2015/revision2"
XR3 = "http://schemas.microsoft.com/office/spreadsheetml/2016/revision3"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
EXCEL_EPOCH = date(1899, 12, 30)
# Column W: the rep's own formula, 首次接触时间 + 30 days, filled down as one shared formula.
FORMULA_HEADER = "首次接触+30天"
# refresh's own parts, and the workbook part: the sheets hold formulas, so it asks for a recalculation.
OWNED_WITH_WORKBOOK = re.compile(OWNED.pattern[:-2] + r"|xl/workbook\.xml)$")
WPS_BUILD = "2052-11.1.0.14309"
WPS_ICV = "8E3B2C0D4F6A4B1C9D7E5F3A2B1C0D9E"


def serial(day: date) -> int:
    return (day - EXCEL_EPOCH).days


def letter(col: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[col - 1]


class Strings:
    """The shared-string table as the cells are written."""

    def __init__(self):
        self.index: dict[str, int] = {}
        self.uses = 0

    def __call__(self, text: str) -> int:
        self.uses += 1
        return self.index.setdefault(text, len(self.index))

    def part(self) -> str:
        items = "".join(f"<si><t>{escape(text)}</t></si>" for text in self.index)
        return (f'<sst xmlns="{MAIN}" count="{self.uses}" uniqueCount="{len(self.index)}">{items}</sst>')


def cell(ref: str, value, strings: Strings, text_style: int, date_style: int) -> str:
    if isinstance(value, date):
        return f'<c r="{ref}" s="{date_style}"><v>{serial(value)}</v></c>'
    if isinstance(value, str):
        style = f' s="{text_style}"' if text_style else ""
        return f'<c r="{ref}"{style} t="s"><v>{strings(value)}</v></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def sheet_rows(strings: Strings, row_attrs: str, text_style: int, date_style: int) -> str:
    """Row 1 the headers (and W's), rows 2–7 the leads, W2:W7 the shared formula."""
    headers = [*HEADERS, FORMULA_HEADER]
    cells = "".join(cell(f"{letter(c)}1", h, strings, text_style, date_style) for c, h in enumerate(headers, 1))
    rows = [f'<row r="1"{row_attrs}>{cells}</row>']
    for r, lead in enumerate(LEADS[:6], start=2):
        cells = [
            cell(f"{letter(c)}{r}", lead[h], strings, text_style, date_style)
            for c, h in enumerate(HEADERS, start=1) if lead.get(h) is not None
        ]
        shared = '<f t="shared" ref="W2:W7" si="0">E2+30</f>' if r == 2 else '<f t="shared" si="0"/>'
        cells.append(f'<c r="W{r}" s="{date_style}">{shared}<v>{serial(lead["首次接触时间"]) + 30}</v></c>')
        rows.append(f'<row r="{r}"{row_attrs}>{"".join(cells)}</row>')
    return "".join(rows)


def excel_sheet(strings: Strings) -> str:
    data = sheet_rows(strings, ' spans="1:23" x14ac:dyDescent="0.2"', 0, 1)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x14ac xr xr2 xr3" '
        f'xmlns:x14ac="{X14AC}" xmlns:xr="{XR}" xmlns:xr2="{XR2}" xmlns:xr3="{XR3}" '
        'xr:uid="{7B1C2D3E-4F50-4A6B-8C7D-9E0F1A2B3C4D}">'
        '<dimension ref="A1:W7"/><sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<selection activeCell="A1" sqref="A1"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="14.25" x14ac:dyDescent="0.2"/>'
        f"<sheetData>{data}</sheetData>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        f'xmlns:x14="{X14}"><x14:dataValidations count="1" '
        'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation type="list" '
        'allowBlank="1" showInputMessage="1" showErrorMessage="1" xr:uid="{0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9}">'
        "<x14:formula1><xm:f>列表!$A$1:$A$2</xm:f></x14:formula1><xm:sqref>D2:D7</xm:sqref>"
        "</x14:dataValidation></x14:dataValidations></ext></extLst></worksheet>"
    )


def excel_styles() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<styleSheet xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="x14ac x16r2 xr" xmlns:x14ac="{X14AC}" '
        f'xmlns:x16r2="http://schemas.microsoft.com/office/spreadsheetml/2015/02/main" xmlns:xr="{XR}">'
        '<fonts count="1" x14ac:knownFonts="1"><font><sz val="11"/><color theme="1"/><name val="等线"/>'
        '<family val="2"/><charset val="134"/><scheme val="minor"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"><alignment vertical="center"/></xf></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"><alignment vertical="center"/></xf>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"><alignment vertical="center"/></xf></cellXfs>'
        '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/>'
        '<tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>'
        f'<extLst><ext uri="{{EB79DEF2-80B8-43e5-95BD-54CBDDF9020C}}" xmlns:x14="{X14}">'
        '<x14:slicerStyles defaultSlicerStyle="SlicerStyleLight1"/></ext>'
        '<ext uri="{9260A510-F301-46a8-8635-F512D64BE5F5}" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">'
        '<x15:timelineStyles defaultTimelineStyle="TimeSlicerStyleLight1"/></ext></extLst></styleSheet>'
    )


def excel_workbook() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<workbook xmlns="{MAIN}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x15 xr xr6 xr10 xr2" '
        f'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" xmlns:xr="{XR}" '
        'xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6" '
        f'xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10" xmlns:xr2="{XR2}">'
        '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328"/>'
        '<workbookPr defaultThemeVersion="166925"/>'
        '<xr:revisionPtr revIDLastSave="0" documentId="13_ncr:1_{5D6E7F80-9A1B-4C2D-8E3F-405162738495}" '
        'xr6:coauthVersionLast="47" xr6:coauthVersionMax="47" xr10:uidLastSave="{00000000-0000-0000-0000-000000000000}"/>'
        '<bookViews><workbookView xWindow="-108" yWindow="-108" windowWidth="23256" windowHeight="12576" '
        'xr2:uid="{1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9}"/></bookViews>'
        '<sheets><sheet name="线索跟踪" sheetId="1" r:id="rId1"/><sheet name="列表" sheetId="2" r:id="rId2"/></sheets>'
        '<calcPr calcId="191029"/></workbook>'
    )


def wps_sheet(strings: Strings) -> str:
    data = sheet_rows(strings, ' spans="1:23"', 0, 1)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{R}" '
        'xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        f'xmlns:x14="{X14}" xmlns:mc="{MC}" xmlns:etc="http://www.wps.cn/officeDocument/2017/etCustomData">'
        '<sheetPr/><dimension ref="A1:W7"/><sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<selection activeCell="A1" sqref="A1"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultColWidth="8.88888888888889" defaultRowHeight="14.4"/>'
        f"<sheetData>{data}</sheetData>"
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        "<headerFooter/></worksheet>"
    )


def wps_styles() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<styleSheet xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="x14ac" xmlns:x14ac="{X14AC}">'
        '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy/m/d;@"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><color theme="1"/><name val="宋体"/><charset val="134"/>'
        '<scheme val="minor"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"><alignment vertical="center"/></xf></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"><alignment vertical="center"/></xf>'
        '<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"><alignment vertical="center"/></xf></cellXfs>'
        '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
        '<tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
    )


def wps_workbook() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{MAIN}" xmlns:r="{R}"><workbookPr/><bookViews>'
        '<workbookView windowWidth="28125" windowHeight="12540"/></bookViews>'
        '<sheets><sheet name="线索跟踪" sheetId="1" r:id="rId1"/><sheet name="列表" sheetId="2" r:id="rId2"/></sheets>'
        '<calcPr calcId="144525"/></workbook>'
    )


WPS_CUSTOM = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="ICV"><vt:lpwstr>{WPS_ICV}</vt:lpwstr></property>'
    f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="3" name="KSOProductBuildVer"><vt:lpwstr>{WPS_BUILD}</vt:lpwstr></property>'
    "</Properties>"
)
LIST_SHEET = (
    f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>潜在接触</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>需求挖掘</t></is></c></row></sheetData></worksheet>'
)


def relationships(*items: tuple[str, str, str]) -> str:
    rels = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in items)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG}">{rels}</Relationships>'


def package(sheet: str, styles: str, workbook: str, *, calc_chain: bool, custom: str | None) -> dict[str, str]:
    """Every part of the workbook but the shared strings, related and typed as Excel and WPS do."""
    types = [
        ("/xl/workbook.xml", f"{CT}.sheet.main+xml"), ("/xl/worksheets/sheet1.xml", f"{CT}.worksheet+xml"),
        ("/xl/worksheets/sheet2.xml", f"{CT}.worksheet+xml"), ("/xl/styles.xml", f"{CT}.styles+xml"),
        ("/xl/sharedStrings.xml", f"{CT}.sharedStrings+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
    ]
    book_rels = [(f"rId{i}", f"{R}/{kind}", target) for i, (kind, target) in enumerate(
        [("worksheet", "worksheets/sheet1.xml"), ("worksheet", "worksheets/sheet2.xml"),
         ("styles", "styles.xml"), ("sharedStrings", "sharedStrings.xml")], start=1)]
    root_rels = [("rId1", f"{R}/officeDocument", "xl/workbook.xml"),
                 ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                  "docProps/core.xml"),
                 ("rId3", f"{R}/extended-properties", "docProps/app.xml")]
    parts = {"xl/worksheets/sheet1.xml": sheet}
    if calc_chain:
        chain = '<c r="W2" i="1"/>' + "".join(f'<c r="W{r}"/>' for r in range(3, 8))
        parts["xl/calcChain.xml"] = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<calcChain xmlns="{MAIN}">{chain}</calcChain>'
        types.append(("/xl/calcChain.xml", f"{CT}.calcChain+xml"))
        book_rels.append(("rId5", f"{R}/calcChain", "calcChain.xml"))
    if custom is not None:
        parts["docProps/custom.xml"] = custom
        types.append(("/docProps/custom.xml", "application/vnd.openxmlformats-officedocument.custom-properties+xml"))
        root_rels.append(("rId4", f"{R}/custom-properties", "docProps/custom.xml"))
    overrides = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in types)
    parts.update({
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": relationships(*root_rels),
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": relationships(*book_rels),
        "xl/worksheets/sheet2.xml": LIST_SHEET,
        "xl/styles.xml": styles,
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>张伟</dc:creator>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2024-05-01T08:00:00Z</dcterms:created></cp:coreProperties>'
        ),
        "docProps/app.xml": (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Microsoft Excel</Application></Properties>"
        ),
    })
    return parts


def build(path, kind: str):
    """The workbook as Excel or WPS saves it (see the module's docstring)."""
    strings = Strings()
    if kind == "excel":
        sheet, styles, workbook, custom = excel_sheet(strings), excel_styles(), excel_workbook(), None
    else:
        sheet, styles, workbook, custom = wps_sheet(strings), wps_styles(), wps_workbook(), WPS_CUSTOM
    parts = package(sheet, styles, workbook, calc_chain=kind == "excel", custom=custom)
    parts["xl/sharedStrings.xml"] = strings.part()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return path


def formula_cells(sheet_xml: bytes) -> list[bytes]:
    return re.findall(rb'<c r="W\d+"[^>]*>(<f[^>]*?(?:/>|>[^<]*</f>))', sheet_xml)


@pytest.mark.parametrize("kind", ["excel", "wps"])
def test_refresh_a_workbook_as_excel_or_wps_saves_it(tmp_path, rules, kind):
    path = build(tmp_path / "张伟.xlsx", kind)
    before = parts_of(path)
    result = refresh_workbook(path, rules, as_of=AS_OF, now=datetime(2024, 6, 1, 9, 0, 0))
    assert result.written and result.formulas_kept == []
    check_refreshed(path, before, OWNED_WITH_WORKBOOK)
    # The cached results of the formulas may read the changed cells: the workbook part asks for a
    # recalculation on open, and nothing else of it changes.
    after = parts_of(path)
    calc = re.search(rb"<calcPr\b[^>]*>", after["xl/workbook.xml"])[0]
    assert b'fullCalcOnLoad="1"' in calc and b"calcId=" in calc
    assert re.sub(rb"<calcPr\b[^>]*>", b"", after["xl/workbook.xml"]) == re.sub(
        rb"<calcPr\b[^>]*>", b"", before["xl/workbook.xml"])
    sheet = after["xl/worksheets/sheet1.xml"]
    # The formulas are the rep's: every one is where it was, as it was, and calcChain still names them.
    assert formula_cells(sheet) == formula_cells(before["xl/worksheets/sheet1.xml"])
    assert len(formula_cells(sheet)) == 6
    assert after.get("xl/calcChain.xml") == before.get("xl/calcChain.xml")
    # The sheet's own markup is kept: its root element and every row's attributes.
    root = re.compile(rb"<worksheet\b[^>]*>")
    assert root.search(sheet)[0] == root.search(before["xl/worksheets/sheet1.xml"])[0]
    rows = re.compile(rb"<row\b[^>]*>")
    assert rows.findall(sheet) == rows.findall(before["xl/worksheets/sheet1.xml"])
    # The estimate's note is drawn by a VML drawing the sheet refers to where the schema puts it:
    # before an extLst (Excel), after pageMargins / headerFooter (WPS).
    order = [m[1] for m in re.finditer(rb"<(\w+)\b", sheet[sheet.index(b"</sheetData>"):])]
    assert b"legacyDrawing" in order
    if kind == "excel":
        assert order.index(b"legacyDrawing") < order.index(b"extLst")
        assert sheet.endswith(before["xl/worksheets/sheet1.xml"][before["xl/worksheets/sheet1.xml"].index(b"<extLst>"):])
    else:
        assert order.index(b"headerFooter") < order.index(b"legacyDrawing")
        custom = after["docProps/custom.xml"].decode()
        for name, value in (("ICV", WPS_ICV), ("KSOProductBuildVer", WPS_BUILD)):
            assert re.search(rf'name="{name}"><vt:lpwstr>{value}</vt:lpwstr>', custom)
        pids = [int(p) for p in re.findall(r'pid="(\d+)"', custom)]
        assert pids[:2] == [2, 3] and len(set(pids)) == len(pids)
    refreshed = path.read_bytes()
    again = refresh_workbook(path, rules, as_of=AS_OF, now=datetime(2024, 6, 1, 9, 5, 0))
    assert again.changes == [] and not again.written
    assert path.read_bytes() == refreshed and len(backups(tmp_path)) == 1


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("kind", ["excel", "wps"])
def test_libreoffice_reads_the_refreshed_excel_and_wps_workbooks(tmp_path, rules, kind):
    path = build(tmp_path / "张伟.xlsx", kind)
    refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    cells = libreoffice_reads_the_new_values(path, tmp_path)
    # The rep's shared formula is still there for LibreOffice to calculate: a date in every row.
    assert all(row[22] for row in cells[1:7])
