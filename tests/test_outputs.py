"""Nothing executed, nothing leaked, nothing lost: text that looks like a formula stays text in every
output, outputs never replace inputs, and an output that cannot be written leaves the old one intact."""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlsxwriter
from click.testing import CliRunner

from funnel_xl.cli import cli
from funnel_xl.rules import default_rules_path
from tests.conftest import FAMILIAR, OPTIONAL, REPO, lead, write_workbook
from tests.corpus import SOFFICE, soffice_convert

D = date
FORMULAS = [
    '=HYPERLINK("http://example.invalid/?q="&A1,"点我")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "=1+1",
]
# Owners Excel would refuse as sheet names, or that collide once made acceptable.
OWNERS = ["=cmd|' /C calc'!A0", "O'Brien", "History", "总览", "a[b]:c*d?e/f\\g", "销" * 40, "🦊狐狸销售", "history"]


def hostile_rows() -> list[dict]:
    rows = []
    for i, (text, owner) in enumerate(zip(FORMULAS * 2, OWNERS, strict=False), start=1):
        rows.append(
            lead(f"LF2024{i:03d}", ["潜在接触", "需求挖掘", "方案提案", "已成交"][i % 4], D(2024, 3, i), owner,
                 source=text if i <= 2 else "展会推广", customer=text, last=D(2024, 5, 20),
                 entered=D(2024, 5, 1), amount=10 * i)
        )
    rows[0]["客户需求/痛点"] = FORMULAS[0]
    rows[1]["跟进内容摘要"] = "第一行\n\x1b[31m第二行\x07"
    # Excluded rows keep what was typed: an unknown stage that looks like a formula, and a formula ID.
    rows.append(lead("LF2024090", "=1+1", D(2024, 3, 1), "张伟", customer=FORMULAS[1]))
    rows.append(lead("=2+2", "需求挖掘", D(2024, 3, 1), "张伟"))
    return rows


def write_with_xlsxwriter(path: Path, rows: list[dict]) -> Path:
    """Like conftest.write_workbook, with xlsxwriter, which stores control characters as Excel does
    (_x001B_); openpyxl refuses them."""
    headers = FAMILIAR + OPTIONAL
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = workbook.add_worksheet("线索跟踪")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, header in enumerate(headers):
            value = row.get(header)
            if isinstance(value, date):
                sheet.write_datetime(r, c, datetime.combine(value, time()), dates)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write_number(r, c, value)
    workbook.close()
    return path


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    source = write_with_xlsxwriter(folder / "hostile.xlsx", hostile_rows())
    result = CliRunner().invoke(
        cli, ["rebuild", str(source), "--as-of", "2024-05-31", "--out", str(folder), "--json", str(folder / "f.json")]
    )
    assert result.exit_code == 1, result.output  # the excluded row with an unknown stage
    return source, folder / "funnel_report_2024-05.xlsx", folder / "f.json", result


def test_no_formula_in_the_report(rebuilt):
    _, report, _, _ = rebuilt
    with zipfile.ZipFile(report) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) >= 8
        for name in sheets:
            xml = archive.read(name)
            assert not re.search(rb"<f[\s>]", xml), name  # no formula element anywhere


def test_formula_looking_text_is_text_in_every_sheet(rebuilt):
    _, report, _, _ = rebuilt
    book = openpyxl.load_workbook(report)
    found: dict[str, set[str]] = {text: set() for text in FORMULAS}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in found:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    found[cell.value].add(ws.title)
    # Each text was written where the leads are listed: the detail sheet at least.
    assert all("线索明细" in sheets for sheets in found.values()), found
    assert "渠道分析" in found[FORMULAS[0]] and "负责人对比" in found[OWNERS[0]]
    assert "数据问题" in found["=1+1"]  # the value of the unknown-stage problem


def test_rep_sheet_names_are_sanitised_and_unique(rebuilt):
    _, report, _, _ = rebuilt
    names = openpyxl.load_workbook(report).sheetnames
    reps = names[names.index("跟进活动") + 1:names.index("预警")]
    assert len(reps) == len({n.casefold() for n in reps}) == len(set(OWNERS) | {"张伟"})  # 8 + 张伟
    for name in reps:
        assert len(name.encode("utf-16-le")) // 2 <= 31
        assert not set(name) & set("[]:*?/\\")
        assert not name.startswith("'") and not name.endswith("'")
    assert "History" not in names and "history" not in names  # Excel reserves it


def test_defined_names_quote_the_sheet_names(rebuilt):
    _, report, _, _ = rebuilt
    with zipfile.ZipFile(report) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode()
    # Every autofilter range names its sheet; a name with an apostrophe is quoted with it doubled.
    refs = re.findall(r"<definedName [^>]*>([^<]+)</definedName>", workbook_xml)
    assert any(ref.startswith("'O''Brien'!") for ref in refs), refs
    assert any(ref.startswith("'=cmd|'' ／C calc''!A0'!") for ref in refs), refs


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice not installed")
def test_libreoffice_opens_the_report(rebuilt, tmp_path):
    _, report, _, _ = rebuilt
    copy = soffice_convert(report, "xlsx", tmp_path)
    book = python_calamine.CalamineWorkbook.from_path(str(copy))
    assert book.sheet_names == openpyxl.load_workbook(report).sheetnames
    detail = book.get_sheet_by_name("线索明细").to_python()
    texts = {value for row in detail for value in row if isinstance(value, str)}
    assert set(FORMULAS) <= texts  # still text after LibreOffice read and wrote them


def test_json_keeps_the_text_as_data(rebuilt):
    _, _, json_path, _ = rebuilt
    payload = json.loads(json_path.read_text(encoding="utf-8"))
    assert OWNERS[0] in payload["by_owner"] and "O'Brien" in payload["by_owner"]
    assert FORMULAS[0] in payload["by_source"] and FORMULAS[1] in payload["by_source"]


def test_terminal_output_has_no_control_characters(rebuilt, tmp_path):
    source, _, _, rebuild = rebuilt
    result = CliRunner().invoke(cli, ["validate", str(source), "--as-of", "2024-05-31"])
    assert result.exit_code == 1
    for text in (result.output, rebuild.output):
        assert not any(ch in text for ch in "\x1b\x07\r"), text


def test_inputs_are_not_modified(rebuilt):
    source, _, _, _ = rebuilt
    again = write_with_xlsxwriter(source.parent / "again.xlsx", hostile_rows())
    # The same rows written again give the same bytes only if the input was left as it was
    # (openpyxl pins nothing here, so compare the sheets' XML rather than the whole file).
    def sheet_xml(path):
        with zipfile.ZipFile(path) as archive:
            return archive.read("xl/worksheets/sheet1.xml")
    assert sheet_xml(source) == sheet_xml(again)


# ---------------------------------------------------------------------------
# Outputs that cannot be written, and outputs that would replace an input
# ---------------------------------------------------------------------------


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def team(tmp_path):
    return write_workbook(tmp_path / "team.xlsx", [lead("LF2024001", "需求挖掘", D(2024, 3, 1))])


def previous_report(runner, team, out: Path) -> Path:
    result = runner.invoke(cli, ["rebuild", str(team), "--as-of", "2024-05-31", "--out", str(out),
                                 "--json", str(out / "f.json")])
    assert result.exit_code == 0, result.output
    return out / "funnel_report_2024-05.xlsx"


def test_report_path_taken_by_a_folder(tmp_path, team):
    runner = CliRunner()
    out = tmp_path / "out"
    (out / "funnel_report_2024-05.xlsx").mkdir(parents=True)
    result = runner.invoke(cli, ["rebuild", str(team), "--as-of", "2024-05-31", "--out", str(out)])
    assert result.exit_code == 2
    assert "无法写入" in result.stderr and "原有的文件保持不变" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["funnel_report_2024-05.xlsx"]  # no temp file left


def test_json_that_cannot_be_written_keeps_the_previous_report(tmp_path, team):
    runner = CliRunner()
    out = tmp_path / "out"
    report = previous_report(runner, team, out)
    before, store_before = sha(report), sha(out / "history.sqlite")
    changed = write_workbook(tmp_path / "team.xlsx", [lead("LF2024001", "方案提案", D(2024, 3, 1))])
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    result = runner.invoke(cli, ["rebuild", str(changed), "--as-of", "2024-05-31", "--out", str(out),
                                 "--json", str(blocker / "f.json")])
    assert result.exit_code == 2
    assert sha(report) == before  # the report was not replaced on its own
    assert sha(out / "history.sqlite") == store_before  # a run that fails records nothing
    assert sorted(p.name for p in out.iterdir()) == [
        "f.json", "funnel_report_2024-05.xlsx", "history.sqlite",
    ]


def run_without_override(args: list[str]) -> subprocess.CompletedProcess:
    """Run the CLI in a process that cannot ignore file permissions. Root can, through the
    capabilities CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER: the child drops them from
    its bounding set before it starts, so permissions apply to it as to any user."""
    def drop_overrides():
        if os.geteuid() == 0:
            libc = ctypes.CDLL(None, use_errno=True)
            for capability in (1, 2, 3):
                if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                    raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return subprocess.run(
        [sys.executable, "-m", "funnel_xl", *args], capture_output=True, text=True, timeout=120,
        preexec_fn=drop_overrides, check=False,
    )


PR_CAPBSET_DROP = 24


def test_read_only_folder_keeps_the_previous_report(tmp_path, team):
    out = tmp_path / "out"
    report = previous_report(CliRunner(), team, out)
    before = sha(report)
    out.chmod(0o555)
    try:
        result = run_without_override(["rebuild", str(team), "--as-of", "2024-05-31", "--out", str(out)])
    finally:
        out.chmod(0o755)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == f"错误: 无法在 {out} 写入输出文件: 没有权限。请换一个可写的位置。"
    assert sha(report) == before
    assert sorted(p.name for p in out.iterdir()) == [
        "f.json", "funnel_report_2024-05.xlsx", "history.sqlite",
    ]


def test_unreadable_input_is_a_clear_error(team):
    team.chmod(0o000)
    try:
        result = run_without_override(["validate", str(team), "--as-of", "2024-05-31"])
    finally:
        team.chmod(0o644)
    assert result.returncode == 2
    assert result.stderr.strip() == f"错误: 无法打开 {team}: 没有权限。"


def test_output_onto_an_input_is_refused(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    out.mkdir()
    # An input that happens to carry the report's name, in the output folder.
    source = write_workbook(out / "funnel_report_2024-05.xlsx", [lead("LF2024001", "需求挖掘", D(2024, 3, 1))])
    before = sha(source)
    result = runner.invoke(cli, ["rebuild", str(source), "--as-of", "2024-05-31", "--out", str(out)])
    assert result.exit_code == 2
    assert "就是输入文件" in result.stderr
    json_onto_input = runner.invoke(
        cli, ["rebuild", str(source), "--as-of", "2024-05-31", "--out", str(tmp_path), "--json", str(source)]
    )
    assert json_onto_input.exit_code == 2 and "就是输入文件" in json_onto_input.stderr
    assert sha(source) == before
    assert not (tmp_path / "funnel_report_2024-05.xlsx").exists()


def test_template_onto_the_rules_file_is_refused(tmp_path):
    rules = tmp_path / "rules.toml"
    shutil.copyfile(default_rules_path(), rules)
    before = sha(rules)
    for command in (["template", "-o", str(rules)], ["demo", "-o", str(rules), "--leads", "5"]):
        result = CliRunner().invoke(cli, [*command, "--rules", str(rules)])
        assert result.exit_code == 2 and "就是规则文件" in result.stderr
    assert sha(rules) == before


# Arguments that make each command run on its inputs: the reps' workbook and the rules file, and for
# `mail` what `rebuild --split-by owner` wrote plus the recipients file. A command added later must
# be listed here, so that its promise to leave inputs untouched is tested too.
COMMAND_ARGS = {
    "validate": lambda f: [str(f["source"]), "--as-of", "2024-05-31", "--rules", str(f["rules"])],
    "rebuild": lambda f: [str(f["source"]), "--month", "2024-05", "--out", str(f["out"]),
                          "--json", str(f["out"] / "f.json"), "--split-by", "owner", "--rules", str(f["rules"])],
    "template": lambda f: ["-o", str(f["out"] / "template.xlsx"), "--rules", str(f["rules"])],
    "demo": lambda f: ["-o", str(f["out"] / "demo.xlsx"), "--leads", "20", "--rules", str(f["rules"])],
    "mail": lambda f: ["--month", "2024-05", "--out", str(f["rebuilt"]), "--to-rules", str(f["recipients"]),
                       "--outbox", str(f["out"] / "outbox")],
    "remind": lambda f: [str(f["source"]), "--as-of", "2024-05-31", "--to-rules", str(f["recipients"]),
                         "--outbox", str(f["out"] / "outbox"), "--history", str(f["out"] / "h.sqlite"),
                         "--rules", str(f["rules"])],
    "init": lambda f: [str(f["out"] / "team")],
    "rules": lambda f: ["init", "--from", str(f["source"]), "-o", str(f["out"] / "draft.toml"),
                        "--rules", str(f["rules"])],
}
# Commands whose job is to change the input (the reps' sheet given back with recalculated columns).
CHANGES_INPUT = {"refresh"}


def hashes(paths: list[Path]) -> dict[Path, str]:
    return {path: sha(path) for path in paths}


def test_every_command_leaves_its_inputs_byte_identical(tmp_path):
    untested = set(cli.commands) - set(COMMAND_ARGS) - CHANGES_INPUT
    assert not untested, f"add the arguments of {sorted(untested)} to COMMAND_ARGS"
    source = write_with_xlsxwriter(tmp_path / "team.xlsx", hostile_rows())
    rules = tmp_path / "rules.toml"
    shutil.copyfile(default_rules_path(), rules)
    recipients = tmp_path / "recipients.toml"
    shutil.copyfile(REPO / "rules" / "recipients.toml", recipients)
    rebuilt = tmp_path / "rebuilt"
    setup = CliRunner().invoke(cli, ["rebuild", *COMMAND_ARGS["rebuild"]({"source": source, "rules": rules, "out": rebuilt})])
    assert setup.exit_code == 1, setup.output
    inputs = [source, rules, recipients, *(p for p in rebuilt.rglob("*") if p.is_file())]
    before = hashes(inputs)
    for name, args in COMMAND_ARGS.items():
        out = tmp_path / name
        out.mkdir()
        files = {"source": source, "rules": rules, "recipients": recipients, "rebuilt": rebuilt, "out": out}
        result = CliRunner().invoke(cli, [name, *args(files)])
        assert result.exit_code in (0, 1), (name, result.output)
        assert hashes(inputs) == before, name
    checked = CliRunner().invoke(cli, ["rules", "check", str(rules), str(source), "--as-of", "2024-05-31"])
    assert checked.exit_code == 0, checked.output
    assert hashes(inputs) == before, "rules check"


def test_refresh_changes_only_the_workbook_it_is_given(tmp_path):
    source = write_with_xlsxwriter(tmp_path / "team.xlsx", [lead("LF2024001", "需求挖掘", D(2024, 3, 1), customer=FORMULAS[1])])
    rules = tmp_path / "rules.toml"
    shutil.copyfile(default_rules_path(), rules)
    before = sha(rules)
    result = CliRunner().invoke(cli, ["refresh", str(source), "--as-of", "2024-05-31", "--rules", str(rules)])
    assert result.exit_code == 0, result.output
    assert sha(rules) == before
    cell = openpyxl.load_workbook(source)["线索跟踪"]["B2"]
    assert (cell.value, cell.data_type) == (FORMULAS[1], "s")  # still the rep's text, not a formula


def test_per_rep_workbooks_keep_formula_text_as_text(tmp_path):
    source = write_with_xlsxwriter(tmp_path / "team.xlsx", hostile_rows())
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["rebuild", str(source), "--month", "2024-05", "--out", str(out),
                                      "--split-by", "owner"])
    assert result.exit_code == 1, result.output
    reps = sorted((out / "2024-05" / "reps").glob("*.xlsx"))
    assert len(reps) == len(set(OWNERS) | {"张伟"})
    seen = set()
    for path in reps:
        assert not set(path.stem) & set('<>:"/\\|?*'), path.name  # a safe file name per owner
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert not re.search(rb"<f[\s>]", archive.read(name)), (path.name, name)
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value in FORMULAS:
                        assert cell.data_type == "s"
                        seen.add(cell.value)
    assert set(FORMULAS) <= seen


@pytest.mark.parametrize("command", ["refresh", "mail", "rules"])
def test_a_pipe_in_place_of_a_file_never_hangs(tmp_path, command):
    """A named pipe blocks a plain read until someone writes to it; every input is opened without
    blocking and refused (run in a process of its own under a timeout, as a hang guard)."""
    pipe = tmp_path / ("team.xlsx" if command == "refresh" else "file.toml")
    os.mkfifo(pipe)
    args = {
        "refresh": ["refresh", str(pipe), "--as-of", "2024-05-31"],
        "mail": ["mail", "--month", "2024-05", "--out", str(tmp_path), "--to-rules", str(pipe), "--dry-run"],
        "rules": ["validate", str(tmp_path / "team.xlsx"), "--rules", str(pipe)],
    }[command]
    result = subprocess.run([sys.executable, "-m", "funnel_xl", *args], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2, result.stderr
    assert "不是普通文件" in result.stderr and "Traceback" not in result.stderr
