"""Nothing a rep can type or a file can hold stops the month (issue 16, the reading side).

Each test builds its workbook in tmp_path. A file that once made calamine abort the process is run
in a subprocess, so an abort fails the test instead of killing pytest."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FAMILIAR, OPTIONAL, entry, lead, write_workbook

SHEET = "xl/worksheets/sheet1.xml"
FAR_ROW = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def team(path: Path, **changes) -> Path:
    """Five leads in 需求挖掘; ``changes`` sets one cell of the third lead (header → value)."""
    rows = [lead(f"LF2024050{i}", "需求挖掘", date(2024, 5, 1), amount=10) for i in range(1, 6)]
    rows[2].update(changes)
    return write_workbook(path, rows)


def rewritten(source: Path, target: Path, sheet_xml=lambda xml: xml, rename=lambda name: name) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == SHEET:
                data = sheet_xml(data)
            out.writestr(rename(info.filename), data)
    return target


def far_cell(row: bytes):
    return lambda xml: xml.replace(b"</sheetData>", row + b"</sheetData>")


# Class 1: every cell calamine will parse is seen by the raw check.
FAR_CELLS = {
    "prefixed": lambda xml: xml.replace(
        b"<sheetData>",
        b'<sheetData><x:row xmlns:x="urn:other" r="1048576"><x:c r="XFD1048576" t="inlineStr">'
        b"<x:is><x:t>x</x:t></x:is></x:c></x:row>",
    ),
    "lowercase": far_cell(FAR_ROW.replace(b"XFD1048576", b"xfd1048576")),
    "tab": far_cell(FAR_ROW.replace(b"<c r=", b"<c\tr=")),
    "single_quotes": far_cell(FAR_ROW.replace(b'r="XFD1048576"', b"r='XFD1048576'")),
    "many_letters": far_cell(b'<row r="7"><c r="ZZZZ7" t="inlineStr"><is><t>x</t></is></c></row>'),
}


def _validate_in_subprocess(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "funnel_xl", "validate", str(path), "--as-of", "2024-05-31"],
        capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize("kind", sorted(FAR_CELLS))
def test_far_cell_in_any_spelling_does_not_abort(tmp_path, kind):
    path = rewritten(team(tmp_path / "base.xlsx"), tmp_path / f"{kind}.xlsx", FAR_CELLS[kind])
    result = _validate_in_subprocess(path)
    assert result.returncode in (0, 1, 2), result.stderr[-500:]  # an abort is -6 (exit 134)
    assert "意外故障" not in result.stdout + result.stderr


@pytest.mark.parametrize("part", ["xl/Worksheets/Sheet1.xml", "XL/worksheets/sheet1.xml"])
def test_far_cell_in_a_sheet_part_spelled_otherwise_does_not_abort(tmp_path, part):
    path = rewritten(
        team(tmp_path / "base.xlsx"), tmp_path / "case.xlsx", far_cell(FAR_ROW),
        rename=lambda name: part if name == SHEET else name,
    )
    result = _validate_in_subprocess(path)
    assert result.returncode in (0, 1, 2), result.stderr[-500:]
    assert "意外故障" not in result.stdout + result.stderr


def test_style_only_cells_beyond_the_limits_are_dropped(tmp_path):
    from funnel_xl.container import read_workbook_file
    from funnel_xl.rules import load_rules

    styled = b"".join(b'<c r="%s%d" s="0"/>' % (b"ZZ", row) for row in range(1, 2001))
    path = rewritten(team(tmp_path / "base.xlsx"), tmp_path / "styled.xlsx",
                     far_cell(b'<row r="3000">' + styled.replace(b'<c r="ZZ', b'<c r="ZZ') + b"</row>"))
    checked = read_workbook_file(path, load_rules().limits)
    with zipfile.ZipFile(__import__("io").BytesIO(checked.content)) as parsed:
        assert b'r="ZZ1"' not in parsed.read(SHEET)
    assert checked.sheets["线索跟踪"].strays == ()  # no value: nothing to tell the rep


# Class 2: a date pandas cannot hold is a problem on its cell; the month goes on.
@pytest.mark.parametrize("header", ["首次接触时间", "最近跟进时间", "预计成交日期", "下次跟进时间", "阶段进入日期", "暂缓至"])
@pytest.mark.parametrize("text", ["9999-12-31", "1000-01-01", "2262-04-12"])
def test_far_date_text_is_a_problem_on_its_cell(tmp_path, header, text):
    from funnel_xl.cli import cli

    path = team(tmp_path / "team.xlsx", **{header: text})
    result = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2024-05-31", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    problems = json.loads(result.stdout)["problems"]
    assert any(p["row"] == 4 and p["value"] == text for p in problems), problems


def test_far_date_in_the_log_does_not_stop_the_rebuild(tmp_path):
    from funnel_xl.cli import cli

    rows = [lead(f"LF2024050{i}", "需求挖掘", date(2024, 5, 1)) for i in range(1, 4)]
    path = write_workbook(tmp_path / "team.xlsx", rows,
                          log=[entry("LF20240501", "9999-12-31"), entry("LF20240502", date(2024, 5, 2))])
    result = CliRunner().invoke(cli, ["rebuild", str(path), "--as-of", "2024-05-31", "--out", str(tmp_path / "out"),
                                      "--no-history"])
    assert result.exit_code in (0, 1), result.output


@pytest.mark.parametrize("as_of", ["9999-12-31", "1000-01-01"])
def test_as_of_out_of_range_is_a_clear_refusal(tmp_path, as_of):
    from funnel_xl.cli import cli

    path = team(tmp_path / "team.xlsx")
    result = CliRunner().invoke(cli, ["validate", str(path), "--as-of", as_of])
    assert result.exit_code == 2
    assert as_of in result.output and "意外故障" not in result.output


# Done means: one cell of a valid team corrupted in any way ends with exit 0 or 1, and the other
# leads are all still counted.
VALUES = st.one_of(
    st.sampled_from(["9999-12-31", "1000-01-01", "2262-04-12", "#DIV/0!", "inf", "nan", "1" * 400,
                     "\x00\x1b[31m", "=1/0", "", " "]),
    st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
)


@settings(max_examples=25)
@given(header=st.sampled_from(FAMILIAR + OPTIONAL), value=VALUES)
def test_one_corrupted_cell_never_stops_the_month(tmp_path_factory, header, value):
    from funnel_xl.cli import cli

    if isinstance(value, str):
        value = "".join(ch for ch in value if ch >= " " or ch in "\t\n")  # what openpyxl can store
    folder = tmp_path_factory.mktemp("team")
    path = team(folder / "team.xlsx", **{header: value})
    out = folder / "out"
    result = CliRunner().invoke(cli, ["rebuild", str(path), "--as-of", "2024-05-31", "--out", str(out),
                                      "--no-history", "--json", str(folder / "m.json")])
    assert result.exit_code in (0, 1), result.output
    assert list(out.rglob("*.xlsx")), "no report written"
    figures = json.loads((folder / "m.json").read_text(encoding="utf-8"), parse_constant=_refuse)
    assert figures["totals"]["valid"] >= 4  # the four untouched leads, whatever the fifth holds


def _refuse(constant: str) -> None:
    raise AssertionError(f"not strict JSON: {constant}")


# Class 9: amounts beyond any sane bound are problems; the JSON is strict.
@pytest.mark.parametrize("amount", ["1" * 400, "inf", 1e300])
def test_absurd_amount_is_a_problem_and_json_stays_strict(tmp_path, amount):
    from funnel_xl.cli import cli

    path = team(tmp_path / "team.xlsx", **{"预计成交金额(万元)": amount})
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["rebuild", str(path), "--as-of", "2024-05-31", "--out", str(out),
                                      "--no-history", "--json", str(tmp_path / "m.json")])
    assert result.exit_code in (0, 1), result.output
    checked = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2024-05-31", "--format", "json"])
    assert any(p["row"] == 4 and p["column"] == "K" for p in json.loads(checked.stdout)["problems"])
    figures = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"), parse_constant=_refuse)
    assert figures["pipeline"] == 40.0  # the four other leads, 10 万元 each


def test_strict_json_writes_null_for_non_finite_numbers():
    from funnel_xl.analysis import strict_json

    assert json.loads(strict_json({"a": float("nan"), "b": [float("inf"), 1.5]})) == {"a": None, "b": [None, 1.5]}


# Class 4: one workbook with a damaged deflate stream is listed; the others go on.
def _damaged(path: Path, part: str) -> Path:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for at in range(start + 5, start + min(info.compress_size, 40)):
        data[at] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("command", ["validate", "rebuild"])
def test_a_damaged_part_in_one_workbook_of_a_folder_is_listed(tmp_path, command):
    from funnel_xl.cli import cli

    folder = tmp_path / "team"
    folder.mkdir()
    team(folder / "good.xlsx")
    _damaged(team(folder / "bad.xlsx"), "docProps/core.xml")
    extra = ["--out", str(tmp_path / "out"), "--no-history"] if command == "rebuild" else []
    result = CliRunner().invoke(cli, [command, str(folder), "--as-of", "2024-05-31", *extra])
    assert result.exit_code == 1, result.output
    assert "意外故障" not in result.output
    if command == "validate":
        assert "bad.xlsx" in result.output and "docProps/core.xml" in result.output


# Class 5: the parts are counted before zipfile reads the central directory.
def test_too_many_parts_are_refused_before_the_directory_is_read(tmp_path, monkeypatch):
    from funnel_xl.container import read_workbook_file
    from funnel_xl.errors import InputError
    from funnel_xl.rules import load_rules

    path = team(tmp_path / "many.xlsx")
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(300):
            archive.writestr(f"customXml/item{i}.xml", b"")
    limits = load_rules().limits
    limits = type(limits)(**{**limits.__dict__, "max_zip_entries": 100})

    def no_directory(*args, **kwargs):
        raise AssertionError("the central directory was read before the parts were counted")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", no_directory)
    with pytest.raises(InputError) as refused:
        read_workbook_file(path, limits)
    message = str(refused.value)
    assert "max_zip_entries" in message and "customXml" not in message
    assert "30" in message  # 300 added parts and the workbook's own: the count is named


# Class 16: a stray quote in a CSV is named with its line, never a silent loss of rows.
def test_csv_stray_quote_is_refused_with_its_line(tmp_path):
    from funnel_xl.cli import cli

    header = "线索编号,客户名称/联系人,线索来源,所属阶段,首次接触时间,最近跟进时间,预计成交日期,预计成交金额(万元),负责人"
    body = [f"LF2024050{i},客户{i},展会推广,需求挖掘,2024-05-01,2024-05-01,2024-07-01,10,张伟" for i in range(1, 10)]
    body[3] = body[3].replace("客户4", '"客户4')  # line 5 of the file
    path = tmp_path / "team.csv"
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2024-05-31"])
    assert result.exit_code == 2, result.output
    assert "第 5 行" in result.output and "引号" in result.output


def test_csv_quoted_cell_over_two_lines_is_still_read(tmp_path):
    from funnel_xl.cli import cli

    header = "线索编号,客户名称/联系人,线索来源,所属阶段,首次接触时间,最近跟进时间,预计成交日期,预计成交金额(万元),负责人"
    body = [f"LF2024050{i},客户{i},展会推广,需求挖掘,2024-05-01,2024-05-01,2024-07-01,10,张伟" for i in range(1, 4)]
    body[1] = body[1].replace("客户2", '"客户\n2"')
    path = tmp_path / "team.csv"
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2024-05-31", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert "引号" not in result.output
