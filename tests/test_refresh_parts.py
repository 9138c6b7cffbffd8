"""refresh keeps everything in the rep's workbook: it changes only the parts it owns.

Each workbook here is written by xlsxwriter (charts, pictures, shapes, tables, form controls,
defined names, notes, VBA) or, for what xlsxwriter cannot write, given hand-made parts (a pivot
table with its cache, a slicer, an external link: minimal but complete parts, related and typed as
Excel relates and types them), and one workbook saved again by LibreOffice headless, which writes
its own pivot table and cache. After a refresh, every zip part other than the leads sheet, the styles,
the sheet's notes and their VML drawing, their relationships, the content types and the custom
document properties (the tool's state) is byte-identical; openpyxl and LibreOffice read the new
values; a second refresh changes nothing and makes no backup.

The leads (header on row 1), as-of 2024-05-31, default rules (the figures of tests/test_refresh.py,
one row up, without its error row):

row 2  LF2024001 潜在接触  first contact 04-20 → dwell 41 > 30: stalled
row 3  LF2024002 需求挖掘  no 阶段进入日期, typed dwell 10 on 05-25 → estimated 05-15, dwell 16 > 15: stalled
row 4  LF2024003 方案提案  entered 05-20 → dwell 11
row 5  LF2024004 已成交    won: no dwell
row 6  LF2024005 无效线索  lost at 需求挖掘: no dwell (the typed 5 is cleared)
row 7  LF2024006 商务谈判  no entry date, no dwell: unknown
Pass rates: 潜在接触→需求挖掘 5/5, 需求挖掘→方案提案 3/4, 方案提案→商务谈判 2/2, 成交待签约→已成交 1/1.
"""

import csv
import io
import re
import shutil
import struct
import subprocess
import warnings
import zipfile
import zlib
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from funnel_xl.cli import cli
from funnel_xl.errors import InputError
from funnel_xl.refresh import refresh_workbook
from tests.conftest import FAMILIAR, OPTIONAL, REPO
from tests.test_refresh import AS_OF, LEADS, backups

HEADERS = [*FAMILIAR, *OPTIONAL]
SOFFICE = shutil.which("soffice")
DWELL = [41, 16, 11, None, None, None]
# The team of tests/test_refresh.py: small samples carry their k/n (see the derivation there).
RATES = [None, "100%(潜在接触→需求挖掘 5/5)", "75%(需求挖掘→方案提案 3/4)", "100%(成交待签约→已成交 1/1)", None,
         "100%(方案提案→商务谈判 2/2)"]
# Parts refresh may change; every other part must come out byte for byte.
OWNED = re.compile(
    r"^(?:xl/worksheets/sheet1\.xml|xl/worksheets/_rels/sheet1\.xml\.rels|xl/styles\.xml"
    r"|xl/comments\d*\.xml|xl/drawings/vmlDrawing\d+\.vml|\[Content_Types\]\.xml"
    r"|docProps/custom\.xml|_rels/\.rels)$"
)


def png() -> bytes:
    """A 2×2 red PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def leads_workbook(path, decorate=None, **options):
    wb = xlsxwriter.Workbook(str(path), options)
    ws = wb.add_worksheet("线索跟踪")
    day = wb.add_format({"num_format": "yyyy/m/d"})
    ws.write_row(0, 0, HEADERS)
    for r, lead in enumerate(LEADS[:6], start=1):
        for c, header in enumerate(HEADERS):
            value = lead.get(header)
            if isinstance(value, date):
                ws.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
            elif value is not None:
                ws.write(r, c, value)
    if decorate is not None:
        decorate(wb, ws)
    wb.close()
    return path


# -- what xlsxwriter writes ------------------------------------------------------------------

def charts(wb, ws):
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "停留", "values": "=线索跟踪!$M$2:$M$7", "categories": "=线索跟踪!$A$2:$A$7"})
    ws.insert_chart("X2", chart)
    other = wb.add_chart({"type": "pie"})
    other.add_series({"values": "=线索跟踪!$K$2:$K$7"})
    wb.add_chartsheet("图表").set_chart(other)


def pictures_and_shapes(wb, ws):
    ws.insert_image("X2", "red.png", {"image_data": io.BytesIO(png())})
    ws.insert_textbox("X10", "本月重点：跟进 LF2024006", {"width": 200, "height": 60})
    wb.add_worksheet("封面").insert_image("B2", "logo.png", {"image_data": io.BytesIO(png())})


def table(wb, ws):
    """The leads as an Excel table; the computed columns (M, N) are table columns."""
    ws.add_table(0, 0, 6, len(HEADERS) - 1, {
        "name": "线索表", "style": "Table Style Light 9", "header_row": True,
        "columns": [{"header": h} for h in HEADERS],
    })


def form_controls_and_notes(wb, ws):
    """A button (a form control, kept in the same VML drawing as the notes) and a rep's note."""
    ws.insert_button("X2", {"caption": "刷新", "width": 80, "height": 30})
    ws.write_comment("B2", "老客户介绍，优先跟进", {"author": "张伟"})


def defined_names(wb, ws):
    wb.define_name("本表线索", "=线索跟踪!$A$2:$A$7")
    wb.define_name("线索跟踪!阶段", "=线索跟踪!$D$2:$D$7")
    wb.add_worksheet("列表").write_column(0, 0, ["潜在接触", "需求挖掘"])


def macros(wb, ws):
    wb.add_vba_project(VBA, is_stream=True)
    wb.set_vba_name("ThisWorkbook")
    ws.set_vba_name("Sheet1")


# A stand-in for a VBA project: an OLE compound file header and bytes. Refresh never reads it, so
# what is checked is that it comes out byte for byte (and that no macro runs: nothing does).
VBA = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)


# -- what xlsxwriter cannot write: parts added as Excel relates and types them ----------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MS = "http://schemas.microsoft.com/office/2007/relationships"
PIVOT = {
    "xl/pivotCache/pivotCacheDefinition1.xml": (
        f'<pivotCacheDefinition xmlns="{MAIN}" xmlns:r="{R}" r:id="rId1" refreshOnLoad="1" recordCount="1">'
        '<cacheSource type="worksheet"><worksheetSource ref="D1:D7" sheet="线索跟踪"/></cacheSource>'
        '<cacheFields count="1"><cacheField name="所属阶段" numFmtId="0"><sharedItems count="1">'
        '<s v="潜在接触"/></sharedItems></cacheField></cacheFields></pivotCacheDefinition>'
    ),
    "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{R}/pivotCacheRecords" Target="pivotCacheRecords1.xml"/></Relationships>'
    ),
    "xl/pivotCache/pivotCacheRecords1.xml": f'<pivotCacheRecords xmlns="{MAIN}" count="1"><r><x v="0"/></r></pivotCacheRecords>',
    "xl/pivotTables/pivotTable1.xml": (
        f'<pivotTableDefinition xmlns="{MAIN}" name="透视表1" cacheId="7" dataCaption="值" '
        'updatedVersion="3" minRefreshableVersion="3" createdVersion="3" outline="1" outlineData="1">'
        '<location ref="A3:A5" firstHeaderRow="1" firstDataRow="1" firstDataCol="0"/>'
        '<pivotFields count="1"><pivotField axis="axisRow" showAll="0"><items count="2"><item x="0"/>'
        '<item t="default"/></items></pivotField></pivotFields><rowFields count="1"><field x="0"/></rowFields>'
        '<rowItems count="2"><i><x/></i><i t="grand"><x/></i></rowItems><colItems count="1"><i/></colItems>'
        "</pivotTableDefinition>"
    ),
    "xl/pivotTables/_rels/pivotTable1.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{R}/pivotCacheDefinition" Target="../pivotCache/pivotCacheDefinition1.xml"/>'
        "</Relationships>"
    ),
}
EXTERNAL = {
    "xl/externalLinks/externalLink1.xml": (
        f'<externalLink xmlns="{MAIN}" xmlns:r="{R}"><externalBook r:id="rId1"><sheetNames>'
        '<sheetName val="汇总"/></sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1">'
        '<cell r="A1"><v>42</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>'
    ),
    "xl/externalLinks/_rels/externalLink1.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{R}/externalLinkPath" Target="file:///C:/销售/汇总.xlsx" '
        'TargetMode="External"/></Relationships>'
    ),
}
SLICER = {
    "xl/slicerCaches/slicerCache1.xml": (
        '<slicerCacheDefinition xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" '
        'name="切片器_所属阶段" sourceName="所属阶段"><pivotTables><pivotTable tabId="2" name="透视表1"/>'
        '</pivotTables><data><tabular pivotCacheId="7"><items count="1"><i x="0" s="1"/></items></tabular>'
        "</data></slicerCacheDefinition>"
    ),
    "xl/slicers/slicer1.xml": (
        '<slicers xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<slicer name="所属阶段" cache="切片器_所属阶段" caption="所属阶段" rowHeight="241300"/></slicers>'
    ),
}
TYPES = {
    "xl/pivotCache/pivotCacheDefinition1.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml",
    "xl/pivotCache/pivotCacheRecords1.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheRecords+xml",
    "xl/pivotTables/pivotTable1.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotTable+xml",
    "xl/externalLinks/externalLink1.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml",
    "xl/slicerCaches/slicerCache1.xml": "application/vnd.ms-excel.slicerCache+xml",
    "xl/slicers/slicer1.xml": "application/vnd.ms-excel.slicer+xml",
}


def with_parts(path, parts, workbook_edit=None, workbook_rels=(), sheet2_rels=()):
    """Rewrite the zip at ``path`` with ``parts`` added and the workbook/second sheet related to them."""
    with zipfile.ZipFile(path) as archive:
        old = {i.filename: archive.read(i) for i in archive.infolist()}
    new = dict(old)
    new.update({name: text.encode() for name, text in parts.items()})
    types = old["[Content_Types].xml"].decode()
    overrides = "".join(
        f'<Override PartName="/{name}" ContentType="{TYPES[name]}"/>' for name in parts if name in TYPES
    )
    new["[Content_Types].xml"] = types.replace("</Types>", overrides + "</Types>").encode()
    if workbook_edit is not None:
        new["xl/workbook.xml"] = workbook_edit(old["xl/workbook.xml"].decode()).encode()
    for rels_part, extra in (("xl/_rels/workbook.xml.rels", workbook_rels),
                             ("xl/worksheets/_rels/sheet2.xml.rels", sheet2_rels)):
        if extra:
            text = old.get(rels_part, b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>').decode()
            added = "".join(
                f'<Relationship Id="{rid}" Type="{kind if "://" in kind else f"{R}/{kind}"}" Target="{target}"/>'
                for rid, kind, target in extra
            )
            new[rels_part] = text.replace("</Relationships>", added + "</Relationships>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in new.items():
            archive.writestr(name, data)
    return path


def pivot_slicer_and_external_link(path):
    def workbook(text):
        text = text.replace("</sheets>", '</sheets><externalReferences><externalReference r:id="rId901"/></externalReferences>')
        return text.replace("</workbook>", '<pivotCaches><pivotCache cacheId="7" r:id="rId900"/></pivotCaches></workbook>')

    return with_parts(
        path, {**PIVOT, **EXTERNAL, **SLICER}, workbook,
        workbook_rels=[("rId900", "pivotCacheDefinition", "pivotCache/pivotCacheDefinition1.xml"),
                       ("rId901", "externalLink", "externalLinks/externalLink1.xml"),
                       ("rId902", f"{MS}/slicerCache", "slicerCaches/slicerCache1.xml")],
        sheet2_rels=[("rId900", "pivotTable", "../pivotTables/pivotTable1.xml"),
                     ("rId901", f"{MS}/slicer", "../slicers/slicer1.xml")],
    )


def out_of_order(path):
    """The leads sheet's rows written last to first, one row's cells backwards, one row's cells
    without their address (the format allows it: each is the next column)."""
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    head, rest = xml.split("<sheetData>", 1)
    data, tail = rest.split("</sheetData>", 1)
    rows = re.findall(r"<row .*?</row>", data)
    rows[3] = re.sub(r"(<row [^>]*>)(.*)(</row>)", lambda m: m[1] + "".join(reversed(re.findall(r"<c .*?</c>", m[2]))) + m[3], rows[3])
    rows[4] = without_addresses(rows[4])
    parts["xl/worksheets/sheet1.xml"] = f"{head}<sheetData>{''.join(reversed(rows))}</sheetData>{tail}".encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data_ in parts.items():
            archive.writestr(name, data_)
    return path


def without_addresses(row):
    """The row with the address left out of its leading cells A, B, C … (as long as they follow on)."""
    letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    def drop(match):
        return "<c" if match[1] == next(letters) else match[0]

    first_gap = re.search(r'<c r="([A-Z])\d+"', row)
    return re.sub(r'<c r="([A-Z])\d+"', drop, row) if first_gap else row


def everything(wb, ws):
    for decorate in (charts, pictures_and_shapes, form_controls_and_notes, defined_names):
        decorate(wb, ws)
    wb.add_worksheet("透视表")


KINDS = {
    "charts": lambda p: leads_workbook(p, charts),
    "pictures and shapes": lambda p: leads_workbook(p, pictures_and_shapes),
    "table": lambda p: leads_workbook(p, table),
    "form controls and notes": lambda p: leads_workbook(p, form_controls_and_notes),
    "defined names": lambda p: leads_workbook(p, defined_names),
    "inline strings": lambda p: leads_workbook(p, None, constant_memory=True),
    "pivot, slicer, external link": lambda p: pivot_slicer_and_external_link(
        leads_workbook(p, lambda wb, ws: wb.add_worksheet("透视表"))),
    "rows out of order": lambda p: out_of_order(leads_workbook(p)),
}


def parts_of(path):
    with zipfile.ZipFile(path) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist()}


def read_back(path):
    with warnings.catch_warnings():  # openpyxl warns of what it does not model (slicers, pivots …)
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, rich_text=True)
    ws = wb["线索跟踪"]
    return ws, wb


def check_refreshed(path, before, owned=OWNED):
    after = parts_of(path)
    assert set(before) <= set(after)
    changed = {name for name in after if before.get(name) != after[name]}
    assert not {name for name in changed if not owned.match(name)}
    ws, _ = read_back(path)
    assert [ws[f"M{r}"].value for r in range(2, 8)] == DWELL
    assert [ws[f"N{r}"].value for r in range(2, 8)] == RATES
    assert ws["O3"].value == datetime(2024, 5, 15) and ws["O3"].comment.author == "funnel-xl"
    assert ws["M2"].fill.fgColor.rgb == ws["A3"].fill.fgColor.rgb == "FFFDC3BE"
    return changed


@pytest.mark.parametrize("kind", list(KINDS))
def test_refresh_changes_only_its_own_parts(tmp_path, rules, kind):
    path = KINDS[kind](tmp_path / "张伟.xlsx")
    before = parts_of(path)
    result = refresh_workbook(path, rules, as_of=AS_OF, now=datetime(2024, 6, 1, 9, 0, 0))
    assert result.written
    changed = check_refreshed(path, before)
    assert "xl/worksheets/sheet1.xml" in changed
    refreshed = path.read_bytes()
    again = refresh_workbook(path, rules, as_of=AS_OF, now=datetime(2024, 6, 1, 9, 5, 0))
    assert again.changes == [] and not again.written
    assert path.read_bytes() == refreshed and len(backups(tmp_path)) == 1


def test_a_table_column_refresh_writes_into_stays_a_valid_table(tmp_path, rules):
    path = KINDS["table"](tmp_path / "a.xlsx")
    refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    _, wb = read_back(path)
    table_ = wb["线索跟踪"].tables["线索表"]
    assert table_.ref == "A1:V7"
    assert [c.name for c in table_.tableColumns] == HEADERS  # the headers still name the columns


def test_macros_are_kept_in_an_xlsm(tmp_path, rules):
    path = leads_workbook(tmp_path / "张伟.xlsm", macros)
    before = parts_of(path)
    assert refresh_workbook(path, rules, as_of=AS_OF, backup=False).written
    after = parts_of(path)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"] == VBA.getvalue()
    assert b"macroEnabled" in after["[Content_Types].xml"]
    check_refreshed(path, before)


def test_notes_join_the_rep_notes_and_the_button_in_one_drawing(tmp_path, rules):
    path = KINDS["form controls and notes"](tmp_path / "a.xlsx")
    refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    ws, _ = read_back(path)
    assert (ws["B2"].comment.text, ws["B2"].comment.author) == ("老客户介绍，优先跟进", "张伟")
    vml = [data.decode() for name, data in parts_of(path).items() if name.endswith(".vml")]
    assert len(vml) == 1 and "Button" in vml[0] and vml[0].count('ObjectType="Note"') == 2


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_the_refreshed_values(tmp_path, rules):
    path = pivot_slicer_and_external_link(leads_workbook(tmp_path / "张伟.xlsx", everything))
    before = parts_of(path)
    refresh_workbook(path, rules, as_of=AS_OF, backup=False)
    check_refreshed(path, before)
    libreoffice_reads_the_new_values(path, tmp_path)


def libreoffice_reads_the_new_values(path, tmp_path) -> list[list[str]]:
    """The refreshed 张伟.xlsx as LibreOffice reads it (CSV cells), its three computed columns
    checked against the hand-worked DWELL and RATES and the estimated entry date."""
    out = soffice_convert(path, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "csv", tmp_path)
    cells = list(csv.reader(io.StringIO((out / "张伟.csv").read_text(encoding="utf-8"))))
    assert cells[0][12:15] == ["当前阶段停留时长(天)", "转化率/阶段通过率(可选)", "阶段进入日期"]
    assert [row[12] for row in cells[1:7]] == [str(v) if v is not None else "" for v in DWELL]
    assert [row[13] for row in cells[1:7]] == [v or "" for v in RATES]
    assert cells[2][14] == "2024-05-15"
    return cells


def saved_by_libreoffice(path, tmp_path):
    """The workbook opened and saved as .xlsx by LibreOffice headless: its own parts throughout,
    the pivot table and its cache as LibreOffice writes them."""
    return soffice_convert(path, "xlsx:Calc MS Excel 2007 XML", tmp_path / "saved", tmp_path) / path.name


def soffice_convert(path, to: str, out, tmp_path):
    """``path`` converted by LibreOffice headless (``--convert-to to``) into the folder ``out``."""
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", to, "--outdir", str(out), str(path)],
        check=False, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_workbook_libreoffice_wrote_keeps_its_pivot_table(tmp_path, rules):
    source = pivot_slicer_and_external_link(
        leads_workbook(tmp_path / "张伟.xlsx", lambda wb, ws: wb.add_worksheet("透视表")))
    path = saved_by_libreoffice(source, tmp_path)
    before = parts_of(path)
    assert "xl/pivotTables/pivotTable1.xml" in before and "xl/pivotCache/pivotCacheRecords1.xml" in before
    assert refresh_workbook(path, rules, as_of=AS_OF, backup=False).written
    check_refreshed(path, before)
    refreshed = path.read_bytes()
    assert not refresh_workbook(path, rules, as_of=AS_OF, backup=False).written
    assert path.read_bytes() == refreshed


def test_an_encrypted_workbook_is_refused_untouched(tmp_path, rules):
    """Excel saves a workbook with an open password as an OLE file holding an EncryptedPackage."""
    path = tmp_path / "张伟.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(512))
    before = path.read_bytes()
    with pytest.raises(InputError, match="已加密"):
        refresh_workbook(path, rules, as_of=AS_OF)
    assert path.read_bytes() == before and backups(tmp_path) == []


def _dwell_cells(path) -> int:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        header, *rows = book["线索跟踪"].iter_rows(values_only=True)
        dwell = header.index("当前阶段停留时长(天)")
        return sum(row[dwell] is not None for row in rows)
    finally:
        book.close()


def test_refresh_through_a_symbolic_link_refreshes_the_workbook_it_points_to(tmp_path):
    real = tmp_path / "real.xlsx"
    shutil.copyfile(REPO / "examples" / "sample_tracking.xlsx", real)
    link = tmp_path / "link.xlsx"
    link.symlink_to(real.name)
    typed = _dwell_cells(real)  # the example's reps typed a few dwell days by hand
    result = CliRunner().invoke(cli, ["refresh", str(link), "--as-of", "2024-05-31", "--no-backup"])
    assert result.exit_code == 1, result.output  # the example's planted errors: those rows are left alone
    assert link.is_symlink() and link.resolve() == real.resolve()
    # Every open lead gets its dwell days: far more cells than the typed ones.
    assert _dwell_cells(real) > typed


def test_a_formula_on_another_sheet_asks_for_recalculation(tmp_path, rules):
    """The leads sheet holds no formula, a summary sheet does (it may read the changed cells): the
    workbook part asks Excel/WPS to recalculate on open. The raw-file check proved the other sheets
    formula-free, so only this one is searched."""
    def summary(wb, ws):
        wb.add_worksheet("汇总").write_formula("A1", "=SUM(线索跟踪!M2:M7)", None, 21)

    path = leads_workbook(tmp_path / "张伟.xlsx", summary)
    parts = parts_of(path)  # saved as Excel saves it: xlsxwriter's own recalculation flag taken off
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b' fullCalcOnLoad="1"', b"")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    before = parts_of(path)
    assert b"fullCalcOnLoad" not in before["xl/workbook.xml"]
    assert refresh_workbook(path, rules, as_of=AS_OF, backup=False).written
    check_refreshed(path, before, re.compile(OWNED.pattern[:-2] + r"|xl/workbook\.xml)$"))
    assert re.search(rb'<calcPr\b[^>]*fullCalcOnLoad="1"', parts_of(path)["xl/workbook.xml"])
