"""One message catalogue, two languages: the report, the validation problems and the summaries of
validate and rebuild in English with lang = "en" (or --lang en); Chinese stays the default."""

from __future__ import annotations

import re
import zipfile
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl import analyse, load_rules, write_outputs
from funnel_xl.cli import cli
from funnel_xl.messages import EN, MESSAGES, ZH, catalogue, placeholders
from funnel_xl.reader import read_leads
from funnel_xl.validate import validate_leads
from tests.conftest import REPO, lead, write_workbook
from tests.test_foreign import DEALS, FIVE_STAGES, HEADERS, csv_bytes
from tests.test_metrics import ROWS

D = date
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Ids the code builds from a prefix and a code (f"problem.{code}", f"fig.{key}" …).
DYNAMIC = (
    "problem.", "fig.", "sheet.", "metric.", "severity.", "channel_metric.", "field.", "group.",
    "status.", "alert.", "entered.", "move.", "basis.", "table.", "suggestion.", "run.", "drift.",
    "hygiene.", "def.", "month.", "attention.", "standing.", "period.",
)


def test_both_languages_fill_the_same_placeholders():
    for key, (zh, en) in MESSAGES.items():
        assert placeholders(zh) == placeholders(en), key
        assert zh.strip() and en.strip(), key


def test_english_has_no_chinese_except_the_units_it_names():
    for key, (_zh, en) in MESSAGES.items():
        # 元 and 万元 are the team's units, named as such in the English text too.
        assert not CJK.search(en.replace("万元", "").replace("元", "")), key


def test_every_message_the_code_asks_for_is_in_the_catalogue():
    asked, mentioned = set(), set()
    for path in (REPO / "funnel_xl").rglob("*.py"):
        if path.name == "messages.py":
            continue
        text = path.read_text(encoding="utf-8")
        asked |= set(re.findall(r"""\b(?:t|_ZH|catalogue\([^)]*\))\(\s*["']([a-z_]+\.[a-z_.]+)["']""", text))
        mentioned |= set(re.findall(r"""["']([a-z_]+(?:\.[a-z_]+)*)["']""", text))
    assert len(asked) > 100, "the scan found too little: the pattern is wrong"
    assert asked - set(MESSAGES) == set()
    unused = {k for k in MESSAGES if k not in mentioned and not k.startswith(DYNAMIC)}
    assert unused == set()


def test_chinese_is_the_default():
    assert load_rules().lang == ZH
    assert catalogue()("sheet.overview") == "总览"


# ---------------------------------------------------------------------------
# The five-stage English funnel, in English
# ---------------------------------------------------------------------------


@pytest.fixture
def english(tmp_path):
    path = tmp_path / "en.toml"
    path.write_text(FIVE_STAGES.replace("version = 1", 'version = 1\nlang = "en"'), encoding="utf-8")
    return load_rules(path)


def all_text(book: openpyxl.Workbook) -> list[str]:
    return [
        str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
        if cell.value is not None
    ]


def test_the_report_in_english(tmp_path, english):
    path = tmp_path / "deals.csv"
    path.write_bytes(csv_bytes([HEADERS, *DEALS, ["D-1", "", "A", "North", "Engaging", "3/1/2024", "",
                                                 "", "1", ""]]))
    analysis = analyse([path], english, as_of=D(2024, 6, 30))
    report = write_outputs(analysis, tmp_path / "out").report
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == [
        "Overview", "Funnel", "Month flow", "Trend", "Reps", "Channels", "By Region", "Forecast",
        "Pipeline change", "Stage speed", "Lost deals", "Cohorts", "Deal size", "Follow-ups",
        "Ann", "Bob", "Alerts", "Suggestions", "Data quality", "Data problems", "Lead detail",
        "Run record",
    ]
    texts = all_text(book)
    chinese = [text for text in texts if CJK.search(text)]
    assert chinese == []
    overview = [c.value for c in book["Overview"]["A"]]
    assert "Win rate" in overview and "Pipeline ($)" in overview
    assert book["Overview"]["A1"].value == "Sales funnel analysis · as of 2024-06-30"
    funnel = [c.value for c in book["Funnel"][3]]
    assert funnel[:5] == ["Stage", "Current leads", "Reached", "Exited", "Pass rate\n(to next stage)"]
    # The data problems, in English: the repeated ID D-1 (rows 2 and 11) and the missing owner.
    problems = book["Data problems"]
    assert [c.value for c in problems[1]][:3] == ["Severity", "File", "Sheet"]
    messages = {(r[0].value, r[3].value, r[7].value) for r in problems.iter_rows(min_row=2)}
    assert ("error", 11, "No owner: the row cannot be given to a rep. Please fill in the owner.") in messages
    assert any(row == 2 and "also on row" in text for _, row, text in messages)
    # Chart titles and the document's properties.
    with zipfile.ZipFile(report) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/")]
        core = archive.read("docProps/core.xml").decode()
    assert charts and not any(CJK.search(c) for c in charts)
    assert any("Sales funnel (reached)" in c for c in charts)
    assert "<dc:title>Sales funnel analysis 2024-06</dc:title>" in core


def test_validation_problems_in_english(tmp_path, english):
    rows = [
        HEADERS,
        ["", "Acme", "A", "North", "New", "3/1/2024", "", "Ann", "1000", ""],  # no ID
        ["D-2", "Bolt", "A", "North", "Engagng", "3/2/2024", "", "Ann", "2000", ""],  # typo
        ["D-3", "Core", "B", "South", "Proposal", "someday", "", "Bob", "", ""],  # no date
        ["D-6", "Fizz", "B", "South", "Proposal", "3/3/2024", "", "Bob", "lots", ""],  # no number
        ["D-4", "Dyne", "B", "South", "Lost", "3/4/2024", "", "Bob", "4000", "9"],  # no such step
        ["X-5", "Echo", "A", "North", "Won", "3/1/2024", "7/10/2024", "Ann", "5000", ""],  # pattern, future
    ]
    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes(rows))
    result = validate_leads(read_leads(path, english), english, D(2024, 6, 30))
    found = {p.code: p.message for p in result.problems}
    assert found == {
        "missing_lead_id": "No lead ID: the row cannot be used. Please fill in the lead ID.",
        "unknown_stage": "'Engagng' is not a stage of the rules. Did you mean 'Engaging'?",
        "bad_first_contact": (
            "The first-contact date 'someday' is not a date the tool can read. Please write a date "
            "such as 2024-03-15."
        ),
        "bad_amount": "The amount 'lots' is not a number; it is ignored. Please write a number in $, e.g. 50.",
        "bad_lost_at": (
            "The lost-at stage '9' is not a stage before the won one; it is ignored. Allowed values: "
            "Prospecting, Engaging, Proposal, Negotiation."
        ),
        "bad_lead_id_pattern": "The lead ID does not match the team's pattern (^D-\\d+$); please check it.",
        # The value as the sheet has it.
        "future_date": "'Stage Date' 7/10/2024 is after the as-of date 2024-06-30; please check the date.",
    }
    p = next(p for p in result.problems if p.code == "unknown_stage")
    assert p.as_text("en") == (
        "[error] d.csv 'd' row 3 column E (Deal Stage) value 'Engagng': "
        "'Engagng' is not a stage of the rules. Did you mean 'Engaging'?"
    )


def test_a_missing_column_is_explained_in_english(tmp_path, english):
    from funnel_xl import InputError

    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes([[h for h in HEADERS if h != "Rep"], DEALS[0][:7] + DEALS[0][8:]]))
    with pytest.raises(InputError) as exc:
        read_leads(path, english)
    assert str(exc.value).startswith("d.csv: sheet 'd' lacks the column 'Rep'. Headers found: Deal, ")


# ---------------------------------------------------------------------------
# The commands: --lang en, and the rules' lang
# ---------------------------------------------------------------------------


def test_rebuild_and_validate_with_lang_en(tmp_path):
    team = write_workbook(tmp_path / "team.xlsx", ROWS)
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(cli, ["rebuild", str(team), "--month", "2024-05", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert "As of 2024-05-31: 12 leads (11 valid, 1 excluded for data errors)" in result.stdout
    assert "Data problems: 1 errors, 1 warnings" in result.stdout
    assert f"Report: {out / 'funnel_report_2024-05.xlsx'}" in result.stdout
    assert "Weakest transition: " in result.stdout  # the stage names are the rules' own (Chinese)
    assert "This month (2024-05-01 to 2024-05-31): " in result.stdout
    book = openpyxl.load_workbook(out / "funnel_report_2024-05.xlsx", read_only=True)
    assert book.sheetnames[0] == "Overview"
    checked = runner.invoke(cli, ["validate", str(team), "--as-of", "2024-05-31", "--lang", "en"])
    assert checked.exit_code == 1
    # The sheet's own header (负责人) is quoted as the sheet has it.
    assert "[error] team.xlsx '线索跟踪' row 13 column L (负责人): No owner" in checked.stdout
    assert "12 rows: 1 errors, 1 warnings." in checked.stdout


def test_an_error_in_english(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(
        (REPO / "rules" / "funnel.toml").read_text(encoding="utf-8").replace('lang = "zh"', 'lang = "en"'),
        encoding="utf-8",
    )
    bad = tmp_path / "x.csv"
    bad.write_bytes(b"\xff\xfe\x00\xd8" * 10 + b"\x81\x30")
    result = CliRunner().invoke(cli, ["validate", str(bad), "--rules", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: x.csv: the file's encoding is neither UTF-8 nor GBK/GB18030.")


def test_chinese_output_is_unchanged_without_lang(tmp_path):
    team = write_workbook(tmp_path / "team.xlsx", [lead("LF2024001", "需求挖掘", D(2024, 3, 1), owner=None)])
    result = CliRunner().invoke(cli, ["validate", str(team), "--as-of", "2024-05-31"])
    assert "[错误] team.xlsx 「线索跟踪」 第 2 行 L 列(负责人): 负责人为空，该行无法归属到销售代表。请填写负责人。" in result.stdout
    assert "共 1 行：错误 1 个，警告 0 个。" in result.stdout
    assert catalogue(EN)("sheet.overview") == "Overview"


def test_a_reps_own_workbook_in_english(tmp_path, english):
    path = tmp_path / "deals.csv"
    path.write_bytes(csv_bytes([HEADERS, *DEALS]))
    written = write_outputs(analyse([path], english, as_of=D(2024, 6, 30)), tmp_path / "out", split_by=["owner"])
    ann = next(g for g in written.split.groups if g.name == "Ann")
    book = openpyxl.load_workbook(ann.workbook)
    assert book.sheetnames == [
        "Overview", "Funnel", "Open leads", "Alerts", "Data quality", "Data problems", "Lead detail",
        "Run record",
    ]
    assert [text for text in all_text(book) if CJK.search(text)] == []
    assert book["Overview"]["A1"].value == "Ann · personal sales funnel · as of 2024-06-30"
    assert [c.value for c in book["Overview"][5]][:4] == ["Measure", "This month", "Last month", "Change"]
    standing = next(r for r in book["Overview"].iter_rows(values_only=True) if r[0] == "Measure" and r[1] == "You")
    assert standing[:3] == ("Measure", "You", "Team")
