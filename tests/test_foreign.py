"""Another team's sheet through a rules file alone: other headers, other stages, stage values,
a lost-at column holding sequence numbers, other comparison dimensions, dollars, CSV files in
UTF-8 and GBK with M/D/YYYY dates. Expected figures are worked out by hand in each test."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from funnel_xl import InputError, RulesError, analyse, load_rules
from funnel_xl.reader import read_leads
from funnel_xl.validate import validate_leads
from tests.conftest import FAMILIAR, OPTIONAL, lead, rules_before_required_fields_path

D = date
AS_OF = D(2024, 6, 30)

# A sister team's five-stage funnel, in English, as a rules file.
FIVE_STAGES = '''
version = 1
amount_unit = "$"
lost_labels = ["Lost"]
lead_id_pattern = '^D-\\d+$'

[[stages]]
name = "Prospecting"
max_dwell_days = 10
win_probability = 0.1

[[stages]]
name = "Engaging"
max_dwell_days = 20
win_probability = 0.3

[[stages]]
name = "Proposal"
max_dwell_days = 20
win_probability = 0.5

[[stages]]
name = "Negotiation"
max_dwell_days = 30
win_probability = 0.8

[[stages]]
name = "Won"
max_dwell_days = 0
win_probability = 1.0

[stage_values]
"New" = "Prospecting"
"Closed Won" = "Won"
"Closed Lost" = "Lost"

[input]
date_formats = ["%m/%d/%Y"]

[dimensions]
channel = "product"
extra = ["region"]

[columns.lead_id]
header = "Deal"
kind = "text"
required = true

[columns.customer]
header = "Account"
kind = "text"

[columns.product]
header = "Product"
kind = "text"
required = true

[columns.region]
header = "Region"
kind = "text"

[columns.stage]
header = "Deal Stage"
kind = "stage"
required = true

[columns.first_contact]
header = "Created"
kind = "date"
required = true

[columns.stage_entered]
header = "Stage Date"
kind = "date"

[columns.owner]
header = "Rep"
kind = "text"
required = true

[columns.amount]
header = "Value (USD)"
kind = "number"

[columns.lost_at]
header = "Lost At Step"
kind = "lost_at"
values = "sequence"
'''

HEADERS = ["Deal", "Account", "Product", "Region", "Deal Stage", "Created", "Stage Date", "Rep",
           "Value (USD)", "Lost At Step"]
# Nine deals. Stages as the CRM writes them: New = Prospecting, Closed Won = Won, Closed Lost = Lost;
# the lost-at step is the stage's number (1 = Prospecting).
DEALS = [
    ["D-1", "Acme", "A", "North", "New", "3/1/2024", "", "Ann", "1000", ""],
    ["D-2", "Bolt", "A", "North", "Engaging", "3/2/2024", "", "Ann", "2000", ""],
    ["D-3", "Core", "B", "South", "Proposal", "3/3/2024", "", "Bob", "$3,000", ""],
    ["D-4", "Dyne", "B", "South", "Negotiation", "3/4/2024", "", "Bob", "4000", ""],
    ["D-5", "Echo", "A", "North", "Closed Won", "3/1/2024", "5/10/2024", "Ann", "5000", ""],
    ["D-6", "Flux", "B", "South", "Won", "4/1/2024", "6/1/2024", "Bob", "6000", ""],
    ["D-7", "Gale", "A", "South", "Closed Lost", "3/5/2024", "", "Ann", "700", "2"],
    ["D-8", "Helm", "B", "North", "Lost", "3/6/2024", "", "Bob", "800", "3"],
    ["D-9", "Iris", "A", "North", "lost", "3/7/2024", "", "Ann", "900", "1"],
]


def csv_bytes(rows: list[list], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


@pytest.fixture
def five(tmp_path):
    path = tmp_path / "five.toml"
    path.write_text(FIVE_STAGES, encoding="utf-8")
    return load_rules(path)


def test_five_stage_english_funnel_from_csv(tmp_path, five):
    path = tmp_path / "deals.csv"
    path.write_bytes(csv_bytes([HEADERS, *DEALS]))
    analysis = analyse([path], five, as_of=AS_OF)
    assert analysis.problems == []
    team = analysis.team
    # Active: D-1 in Prospecting, D-2 Engaging, D-3 Proposal, D-4 Negotiation; won D-5, D-6;
    # lost at step 2 (D-7), 3 (D-8), 1 (D-9).
    assert (team.totals.valid, team.totals.active, team.totals.won, team.totals.lost) == (9, 4, 2, 3)
    # in stage (active or won) [1,1,1,1,2] + lost here [1,1,1,0,0] = [2,2,2,1,2];
    # reached = sums from the end: [9,7,5,3,2]; exited = reached − active in stage: [8,6,4,2,2].
    assert [s.reached for s in team.stages] == [9, 7, 5, 3, 2]
    assert [s.exited for s in team.stages] == [8, 6, 4, 2, 2]
    # pass k→k+1 = reached(k+1) / exited(k): 7/8, 5/6, 3/4, 2/2; loss = lost here / exited.
    assert [t.rate for t in team.transitions] == pytest.approx([7 / 8, 5 / 6, 3 / 4, 1.0])
    assert [s.loss_rate for s in team.stages[:4]] == pytest.approx([1 / 8, 1 / 6, 1 / 4, 0.0])
    assert team.win_rate == pytest.approx(2 / 5)  # won ÷ (won + lost)
    assert team.overall_conversion == pytest.approx(2 / 9)
    # Cycles: D-5 3/1 → 5/10 = 31 + 30 + 9 = 70 days; D-6 4/1 → 6/1 = 30 + 31 = 61 days.
    assert (team.cycle_mean, team.cycle_count) == (pytest.approx(65.5), 2)
    # Dollars, "$3,000" read as 3000: open deals 1000 + 2000 + 3000 + 4000.
    assert team.pipeline == pytest.approx(10_000)
    assert team.won_amount == pytest.approx(11_000)
    # Channel = Product: A holds D-1, D-2, D-5 (won), D-7, D-9 (lost) → 1 / 3; B: D-6 won, D-8 lost.
    by_product = analysis.result.by_source
    assert sorted(by_product) == ["A", "B"]
    assert by_product["A"].win_rate == pytest.approx(1 / 3)
    assert by_product["B"].win_rate == pytest.approx(1 / 2)
    # Region, a further dimension: North D-1, D-2, D-5 won, D-8, D-9 lost; South D-3, D-4, D-6, D-7.
    by_region = analysis.result.by_dimension["region"]
    assert {name: m.totals.valid for name, m in by_region.items()} == {"North": 5, "South": 4}
    assert by_region["North"].win_rate == pytest.approx(1 / 3)
    assert by_region["South"].win_rate == pytest.approx(1 / 2)


def test_five_stage_funnel_report_has_a_sheet_per_dimension(tmp_path, five):
    path = tmp_path / "deals.csv"
    path.write_bytes(csv_bytes([HEADERS, *DEALS]))
    from funnel_xl import write_outputs

    written = write_outputs(analyse([path], five, as_of=AS_OF), tmp_path / "out")
    book = openpyxl.load_workbook(written.report)
    names = book.sheetnames
    assert names[names.index("渠道分析") + 1] == "Region分析"  # right after the channel's sheet
    channel = book["渠道分析"]
    assert channel["A4"].value == "Product"  # the compact table's header, under its subtitle
    assert {channel.cell(row, 1).value for row in (5, 6)} == {"A", "B"}
    region = book["Region分析"]
    assert region["A4"].value == "Region"
    rows = {region.cell(r, 1).value: r for r in (5, 6)}
    win_col = [c.value for c in region[4]].index("赢单率\n（成交/已结束）") + 1
    assert region.cell(rows["North"], win_col).value == pytest.approx(1 / 3)
    assert region.cell(rows["South"], win_col).value == pytest.approx(1 / 2)
    overview = [c.value for c in book["总览"]["A"]]
    assert "在跟金额($)" in overview and "在跟金额(万元)" not in overview


def test_stage_values_and_lost_at_table(tmp_path):
    """A lost-at column holding the CRM's status, mapped through a table of its own."""
    text = FIVE_STAGES.replace(
        'values = "sequence"', 'values = { "Cold" = "Prospecting", "Stalled" = "Proposal" }'
    )
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    rules = load_rules(path)
    rows = [HEADERS, DEALS[0], [*DEALS[6][:-1], "cold "], [*DEALS[7][:-1], "STALLED"],
            [*DEALS[8][:-1], "Gone"]]
    sheet_path = tmp_path / "d.csv"
    sheet_path.write_bytes(csv_bytes(rows))
    result = validate_leads(read_leads(sheet_path, rules), rules, AS_OF)
    assert list(result.valid["lost_at"]) == [None, "Prospecting", "Proposal", "Gone"]
    # The value the table does not know is pointed at: row 5, column J (Lost At Step).
    assert [(p.code, p.row, p.column, p.value) for p in result.problems] == [("bad_lost_at", 5, "J", "Gone")]


def test_lost_at_sequence_out_of_range_is_flagged(tmp_path, five):
    rows = [HEADERS, [*DEALS[6][:-1], "5"], [*DEALS[7][:-1], "x"]]
    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes(rows))
    result = validate_leads(read_leads(path, five), five, AS_OF)
    # 5 is the won stage's number (a deal is not lost in Won); "x" is no number at all.
    assert {(p.code, p.row, p.value) for p in result.problems} == {
        ("bad_lost_at", 2, "5"), ("bad_lost_at", 3, "x"),
    }


def test_unknown_stage_value_suggests_the_stage(tmp_path, five):
    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes([HEADERS, [*DEALS[1][:4], "Engagng", *DEALS[1][5:]]]))
    result = validate_leads(read_leads(path, five), five, AS_OF)
    (problem,) = result.problems
    assert (problem.code, problem.row, problem.column) == ("unknown_stage", 2, "E")
    assert "Engaging" in problem.message


# ---------------------------------------------------------------------------
# CSV files as Chinese Excel and WPS save them
# ---------------------------------------------------------------------------

CN_HEADERS = FAMILIAR + OPTIONAL


def cn_rows():
    rows = [
        lead("LF2024001", "需求挖掘", "2024-03-15", owner="张伟", source="展会推广", amount="50"),
        lead("LF2024002", "已成交", "2024/3/1", owner="李娜", source="官网表单", amount="80",
             entered="2024-05-01"),
        lead("LF2024003", "无效线索", "2024年4月2日", owner="张伟", source="老客户转介绍", lost_at="方案提案"),
    ]
    return [CN_HEADERS] + [[row.get(h, "") or "" for h in CN_HEADERS] for row in rows]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_chinese_csv_in_each_encoding(tmp_path, rules, encoding):
    path = tmp_path / "跟踪表.csv"
    path.write_bytes(csv_bytes(cn_rows(), encoding))
    if encoding == "gbk":  # really GBK bytes, not UTF-8: 线 is D2 DF in GBK
        assert "线索编号".encode("gbk") in path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    sheet = read_leads(path, rules)
    assert sheet.sheet == "跟踪表"  # as Excel names the sheet of a CSV it opens
    assert sheet.headers["lead_id"] == "线索编号"
    result = validate_leads(sheet, rules, D(2024, 5, 31))
    assert result.problems == []
    assert list(result.valid["owner"]) == ["张伟", "李娜", "张伟"]
    assert list(result.valid["first_contact"].dt.date) == [D(2024, 3, 15), D(2024, 3, 1), D(2024, 4, 2)]
    assert list(result.valid["amount"].fillna(-1)) == [50.0, 80.0, -1]


def test_csv_problems_name_excel_rows_and_letters(tmp_path, rules):
    rows = cn_rows()
    rows[2][CN_HEADERS.index("负责人")] = ""  # the second lead: line 3 of the file
    path = tmp_path / "t.csv"
    path.write_bytes(csv_bytes(rows, "gbk"))
    result = validate_leads(read_leads(path, rules), rules, D(2024, 5, 31))
    # 负责人 is the twelfth column: L.
    assert [(p.code, p.row, p.column, p.file) for p in result.problems] == [("missing_owner", 3, "L", "t.csv")]


def test_csv_semicolons_and_a_quoted_line_break(tmp_path, rules):
    rows = cn_rows()
    rows[1][CN_HEADERS.index("跟进内容摘要")] = "客户对价格有异议;\n已提交审批"
    rows[3][CN_HEADERS.index("负责人")] = ""
    path = tmp_path / "t.csv"
    path.write_bytes(csv_bytes(rows, "utf-8-sig", delimiter=";"))
    result = validate_leads(read_leads(path, rules), rules, D(2024, 5, 31))
    assert result.valid["follow_up_summary"].iloc[0] == "客户对价格有异议;\n已提交审批"
    # The third lead is Excel's row 4 (one row per record), though it starts on line 5 of the file.
    assert [(p.code, p.row) for p in result.problems] == [("missing_owner", 4)]


def test_csv_encoding_given_in_the_rules(tmp_path):
    text = Path(load_rules().source_path).read_text(encoding="utf-8")
    rules_path = tmp_path / "rules.toml"
    rules_path.write_text(text.replace('encoding = "auto"', 'encoding = "utf-16"'), encoding="utf-8")
    rules = load_rules(rules_path)
    path = tmp_path / "t.csv"
    path.write_bytes(csv_bytes(cn_rows(), "utf-16"))
    assert len(read_leads(path, rules).frame) == 3
    path.write_bytes(csv_bytes(cn_rows(), "gbk"))
    with pytest.raises(InputError, match="不是 utf-16 编码"):
        read_leads(path, rules)


def test_csv_that_is_no_text_is_refused_in_chinese(tmp_path, rules):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xff\xfe\x00\xd8" * 10 + b"\x81\x30")  # neither UTF-8 nor GB18030
    with pytest.raises(InputError, match="无法识别文件的编码"):
        read_leads(path, rules)
    path.write_bytes(b"")
    with pytest.raises(InputError, match="空的"):
        read_leads(path, rules)
    path.write_bytes("名称,备注\n甲,乙\n".encode())
    with pytest.raises(InputError, match="找不到线索表的表头"):
        read_leads(path, rules)


def test_csv_beyond_the_limits_is_refused(tmp_path):
    text = Path(load_rules().source_path).read_text(encoding="utf-8")
    rules_path = tmp_path / "rules.toml"
    rules_path.write_text(text.replace("max_rows = 1048576", "max_rows = 3"), encoding="utf-8")
    rules = load_rules(rules_path)
    path = tmp_path / "t.csv"
    path.write_bytes(csv_bytes(cn_rows() + cn_rows()[1:], "utf-8"))
    with pytest.raises(InputError, match="max_rows"):
        read_leads(path, rules)


# ---------------------------------------------------------------------------
# Rows that are not leads of this funnel, dates and amounts in other forms
# ---------------------------------------------------------------------------


def test_rows_without_stage_are_skipped_and_counted_when_the_rules_say_so(tmp_path, five):
    text = FIVE_STAGES.replace("[input]", "[sheets]\nskip_rows_without_stage = true\n\n[input]")
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    skipping = load_rules(path)
    rows = [HEADERS, DEALS[0], [*DEALS[1][:4], "", *DEALS[1][5:]], DEALS[2], ["D-10", "", "", "", " "]]
    sheet_path = tmp_path / "d.csv"
    sheet_path.write_bytes(csv_bytes(rows))
    analysis = analyse([sheet_path], skipping, as_of=AS_OF)
    assert analysis.problems == []
    assert analysis.team.totals.total == 2
    assert analysis.inputs[0].skipped_without_stage == 2
    assert analysis.as_json()["inputs"][0]["skipped_without_stage"] == 2
    # Without the key the same rows are errors, as in the team's own sheet.
    strict = analyse([sheet_path], five, as_of=AS_OF)
    errors = {(p.code, p.row) for p in strict.problems if p.severity == "error"}
    assert {("missing_stage", 3), ("missing_stage", 5)} <= errors
    assert strict.team.totals.excluded == 2


def test_declared_date_format_day_first(tmp_path, rules):
    text = Path(rules.source_path).read_text(encoding="utf-8")
    path = tmp_path / "rules.toml"
    path.write_text(text.replace("date_formats = []", 'date_formats = ["%d-%m-%y"]'), encoding="utf-8")
    day_first = load_rules(path)
    rows = cn_rows()
    rows[1][CN_HEADERS.index("首次接触时间")] = "03-04-24"  # 3 April 2024, not 4 March
    sheet = tmp_path / "t.csv"
    sheet.write_bytes(csv_bytes(rows))
    result = validate_leads(read_leads(sheet, day_first), day_first, D(2024, 5, 31))
    assert result.valid["first_contact"].iloc[0].date() == D(2024, 4, 3)
    # The built-in forms still read the rest (2024/3/1, 2024年4月2日).
    assert result.valid["first_contact"].iloc[2].date() == D(2024, 4, 2)


def test_amounts_in_another_unit_are_not_converted(tmp_path, five):
    rows = [HEADERS, [*DEALS[0][:8], "500,000元"], [*DEALS[1][:8], "USD 2,500"], [*DEALS[2][:8], "2500 $"]]
    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes(rows))
    result = validate_leads(read_leads(path, five), five, AS_OF)
    # 元 means nothing in dollars: not a number here (a warning), nothing divided by 10,000.
    assert list(result.valid["amount"].fillna(-1)) == [-1, 2500.0, 2500.0]
    assert [(p.code, p.row) for p in result.problems] == [("bad_amount", 2)]
    assert "以$为单位" in result.problems[0].message


def test_xlsx_with_the_foreign_rules_reads_the_same(tmp_path, five):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Pipeline"
    for row in [HEADERS, *DEALS]:
        sheet.append(row)
    path = tmp_path / "deals.xlsx"
    book.save(path)
    team = analyse([path], five, as_of=AS_OF).team
    assert (team.totals.won, team.totals.lost, team.win_rate) == (2, 3, pytest.approx(0.4))


# ---------------------------------------------------------------------------
# The rules keys behind all this are checked on load
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, key",
    [
        ('"Closed Won" = "Won"', '"Closed Won" = "Wonn"', "stage_values.Closed Won"),
        ('"New" = "Prospecting"', '"engaging" = "Proposal"', "stage_values.engaging"),
        ('channel = "product"', 'channel = "produkt"', "dimensions.channel"),
        ('channel = "product"', 'channel = "stage"', "dimensions.channel"),
        ('channel = "product"', 'channel = "first_contact"', "dimensions.channel"),
        ('extra = ["region"]', 'extra = ["region", "region"]', "dimensions.extra[1]"),
        ('extra = ["region"]', 'extra = ["product"]', "dimensions.extra[0]"),
        ('date_formats = ["%m/%d/%Y"]', 'date_formats = ["%m/%Y"]', "input.date_formats[0]"),
        ('[input]', '[input]\nencoding = "klingon"', "input.encoding"),
        ('[input]', '[input]\ndelimiter = ";;"', "input.delimiter"),
        ('values = "sequence"', 'values = "number"', "columns.lost_at.values"),
        ('values = "sequence"', 'values = { "x" = "Won" }', "columns.lost_at.values.x"),
        ('header = "Rep"\nkind = "text"', 'header = "Rep"\nkind = "text"\nvalues = "sequence"',
         "columns.owner.values"),
        ('amount_unit = "$"', 'amount_unit = ""', "amount_unit"),
    ],
)
def test_new_keys_are_checked_on_load(tmp_path, old, new, key):
    assert old in FIVE_STAGES
    path = tmp_path / "rules.toml"
    path.write_text(FIVE_STAGES.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_rules(path)
    assert str(path) in str(exc.value)
    assert f"「{key}」" in str(exc.value)


def test_every_mistake_is_listed_at_once(tmp_path):
    text = (
        FIVE_STAGES.replace("max_dwell_days = 20", "max_dwell_days = -2", 1)
        .replace('channel = "product"', 'channel = "produkt"')
        .replace("[input]", "[input]\nformats = 1")
        .replace("version = 1", "version = 1\nlangauge = \"en\"")
    )
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_rules(path)
    keys = ["langauge", "stages[1].max_dwell_days", "input.formats", "dimensions.channel"]
    assert len(exc.value.messages) == len(keys)
    for key, message in zip(sorted(keys), sorted(exc.value.messages), strict=False):
        assert f"「{key}」" in message, message


def test_the_default_channel_column_missing_says_how_to_choose_another(tmp_path):
    text = FIVE_STAGES.replace('channel = "product"\n', "")
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match="「columns.source」缺失.*channel"):
        load_rules(path)


# ---------------------------------------------------------------------------
# OpenDocument spreadsheets (.ods), as LibreOffice saves them
# ---------------------------------------------------------------------------

ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_bytes(rows: list[list], *, trailing: str = "") -> bytes:
    """A minimal .ods (mimetype, manifest, content.xml), text cells only; ``trailing`` is raw XML
    appended to the table (repeated rows, as LibreOffice writes up to row 1,048,576)."""
    from xml.sax.saxutils import escape

    def cell(value):
        if value in ("", None):
            return "<table:table-cell/>"
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="线索跟踪">{body}{trailing}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )
        archive.writestr("content.xml", content)
    return out.getvalue()


def test_ods_is_read(tmp_path, rules):
    path = tmp_path / "张伟.ods"
    # LibreOffice pads the sheet with empty repeated rows and columns: they hold nothing.
    padding = (
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    path.write_bytes(ods_bytes(cn_rows(), trailing=padding))
    sheet = read_leads(path, rules)
    assert sheet.sheet == "线索跟踪"
    result = validate_leads(sheet, rules, D(2024, 5, 31))
    assert result.problems == []
    assert list(result.valid["lead_id"]) == ["LF2024001", "LF2024002", "LF2024003"]
    assert list(result.valid["_row"]) == [2, 3, 4]


def test_ods_beyond_the_limits_is_refused_before_parsing(tmp_path, rules):
    # One row with a value, repeated two million times (beyond the 1,048,576 rows the default
    # limits allow, Excel's own): calamine would build every one of them. The used range named is
    # the corner: the header's columns by 4 rows + 2,000,000.
    bomb = (
        '<table:table-row table:number-rows-repeated="2000000">'
        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    path = tmp_path / "bomb.ods"
    path.write_bytes(ods_bytes(cn_rows(), trailing=bomb))
    from funnel_xl.container import column_letters

    with pytest.raises(InputError, match=f"数据超出上限.*{column_letters(len(CN_HEADERS))}2000004"):
        read_leads(path, rules)
    wide = '<table:table-row><table:table-cell table:number-columns-repeated="600" office:value-type="string"><text:p>y</text:p></table:table-cell></table:table-row>'
    path.write_bytes(ods_bytes(cn_rows(), trailing=wide))
    with pytest.raises(InputError, match="max_columns"):
        read_leads(path, rules)


def test_a_text_document_named_ods_is_refused(tmp_path, rules):
    path = tmp_path / "notes.ods"
    data = ods_bytes(cn_rows()).replace(
        b"application/vnd.oasis.opendocument.spreadsheet", b"application/vnd.oasis.opendocument.text"
    )
    path.write_bytes(data)
    with pytest.raises(InputError, match="OpenDocument 文件"):
        read_leads(path, rules)


SOFFICE = __import__("shutil").which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")
def test_ods_saved_by_libreoffice_gives_the_same_figures(tmp_path, rules):
    import subprocess

    from tests.conftest import write_workbook
    from tests.test_metrics import ROWS

    made = write_workbook(tmp_path / "team.xlsx", ROWS)
    profile = tmp_path / "profile"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "ods",
         "--outdir", str(tmp_path / "ods"), str(made)],
        check=False, capture_output=True, text=True, timeout=300,
    )
    ods = tmp_path / "ods" / "team.ods"
    assert done.returncode == 0 and ods.exists(), done.stderr
    from_xlsx = analyse([made], rules, as_of=D(2024, 5, 31))
    from_ods = analyse([ods], rules, as_of=D(2024, 5, 31))
    assert from_ods.as_json()["stages"] == from_xlsx.as_json()["stages"]
    assert from_ods.team.win_rate == from_xlsx.team.win_rate
    assert [(p.code, p.row, p.column) for p in from_ods.problems] == [
        (p.code, p.row, p.column) for p in from_xlsx.problems
    ]


def test_encoding_option_on_the_command_line(tmp_path):
    from click.testing import CliRunner

    from funnel_xl.cli import cli

    path = tmp_path / "t.csv"
    path.write_bytes(csv_bytes(cn_rows(), "utf-16-le"))  # no BOM: nothing tells it apart
    runner = CliRunner()
    guessed = runner.invoke(cli, ["validate", str(path), "--as-of", "2024-05-31"])
    assert guessed.exit_code == 2 and "无法识别文件的编码" in guessed.stderr
    told = runner.invoke(cli, [
        "validate", str(path), "--as-of", "2024-05-31", "--encoding", "utf-16-le",
        "--rules", str(rules_before_required_fields_path()),  # the rows leave the required fields blank
    ])
    assert told.exit_code == 0, told.output
    assert "共 3 行：错误 0 个，警告 0 个。" in told.stdout
    wrong = runner.invoke(cli, ["validate", str(path), "--encoding", "klingon"])
    assert wrong.exit_code == 2 and "不是已知的编码" in wrong.stderr


def test_a_month_rebuilt_from_the_log_groups_by_the_channel_column(five):
    """The trend's past months, rebuilt from the leads, are split by the rules' channel too."""
    import pandas as pd

    from funnel_xl.flow import TRANSITION_COLUMNS, reconstruct_month
    from funnel_xl.metrics import classify

    leads = classify(pd.DataFrame(
        {
            "lead_id": ["D-1", "D-2", "D-3"],
            "stage": ["Won", "Lost", "Won"],
            "first_contact": pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-03"]),
            "stage_entered": pd.to_datetime(["2024-03-20", "2024-03-21", "2024-03-22"]),
            "lost_at": [None, "Engaging", None],
            "amount": [1.0, 2.0, 3.0],
            "product": ["A", "A", "B"],
        }
    ), five)
    empty = pd.DataFrame(columns=TRANSITION_COLUMNS)
    month = reconstruct_month(leads, empty, five, "2024-03", D(2024, 3, 1), D(2024, 3, 31))
    # Product A: D-1 won, D-2 lost → 1 / 2; product B: D-3 won → 1 / 1.
    assert {name: c.win_rate for name, c in month.sources.items()} == {"A": 0.5, "B": 1.0}


def test_the_follow_up_log_reads_the_declared_date_formats_too(tmp_path, rules):
    from funnel_xl.followups import validate_log
    from funnel_xl.reader import read_workbook
    from tests.conftest import entry, write_workbook

    text = Path(rules.source_path).read_text(encoding="utf-8")
    rules_path = tmp_path / "rules.toml"
    rules_path.write_text(text.replace("date_formats = []", 'date_formats = ["%d-%m-%y"]'), encoding="utf-8")
    day_first = load_rules(rules_path)
    path = write_workbook(
        tmp_path / "t.xlsx", [lead("LF2024001", "需求挖掘", D(2024, 3, 1))],
        log=[entry("LF2024001", "03-04-24", "需求挖掘")],  # 3 April 2024, typed as text
    )
    book = read_workbook(path, day_first)
    leads = validate_leads(book.leads, day_first, D(2024, 5, 31)).leads
    checked = validate_log(book.log, day_first, D(2024, 5, 31), leads)
    assert checked.problems == []
    assert checked.entries["time"].iloc[0].date() == D(2024, 4, 3)


def test_a_folder_of_csv_and_ods_files_is_one_team(tmp_path, rules):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rows = cn_rows()
    (inbox / "张伟.csv").write_bytes(csv_bytes([rows[0], rows[1], rows[3]], "gbk"))  # LF2024001, LF2024003
    (inbox / "李娜.ods").write_bytes(ods_bytes([rows[0], rows[2]]))  # LF2024002
    analysis = analyse([inbox], rules, as_of=D(2024, 5, 31))
    assert [(i.name, i.rows) for i in analysis.inputs] == [("张伟.csv", 2), ("李娜.ods", 1)]
    # 需求挖掘 (active), 已成交, 无效线索: one won, one lost → win rate 1 / 2.
    assert (analysis.team.totals.valid, analysis.team.win_rate) == (3, 0.5)
