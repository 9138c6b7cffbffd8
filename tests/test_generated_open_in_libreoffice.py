"""Every generated workbook opens in a real spreadsheet program: LibreOffice Calc, headless.

The workbooks hold no formulas (every figure is written as a value, so a mail previewer that does
not recalculate shows the right numbers); the first test proves it. So there is nothing to
recalculate: instead Calc re-saves each workbook as .xlsx and every cell it read back must equal
the original, and each workbook must export to a PDF with no error from Calc.

CI installs LibreOffice (.ci/run); without ``soffice`` on the PATH these tests are skipped.
"""

from __future__ import annotations

import dataclasses
import math
import re
import shutil
import subprocess
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from funnel_xl import analyse, load_rules, write_outputs
from funnel_xl.demo import write_demo_workbook
from funnel_xl.rules import ReportSettings
from funnel_xl.template import write_tracking_workbook
from tests.conftest import REPO

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) 未安装：bash .ci/run 会安装；本地可运行 "
    "apt-get install libreoffice-calc-nogui 后再测。",
)


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> list[Path]:
    """The template, the example workbook, and the team, per-rep and per-channel reports of it;
    the team report once more with its long sheets moved to a detail workbook (and linked)."""
    folder = tmp_path_factory.mktemp("generated")
    rules = load_rules()
    template = folder / "template.xlsx"
    write_tracking_workbook(template, rules)
    example = folder / "example.xlsx"
    write_demo_workbook(example, rules, seed=2024, n_leads=120)
    written = write_outputs(
        analyse([REPO / "examples" / "sample_tracking.xlsx"], rules, month="2024-05"),
        folder / "out", split_by=["owner", "source"],
    )
    groups = [g.workbook for g in written.split.groups]
    # 8 reps and 6 channels in the example.
    assert len(groups) == 14
    capped = dataclasses.replace(rules, report=ReportSettings(detail_rows=50))
    split = write_outputs(
        analyse([REPO / "examples" / "sample_tracking.xlsx"], capped, month="2024-05"), folder / "capped"
    )
    assert split.detail is not None
    return [template, example, written.report, *groups, split.report, split.detail]


def soffice(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    """Run Calc headless with its own fresh profile (never the user's), with a time limit."""
    return subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", *args],
        capture_output=True, text=True, timeout=600,
    )


def convert(files: list[Path], target: str, out: Path, profile: Path) -> dict[Path, Path]:
    """Copy each file under a unique name (the per-rep names repeat across folders) and convert."""
    src = out / "in"
    src.mkdir(parents=True)
    copies = {}
    for i, path in enumerate(files):
        copy = src / f"{i:02d}_{path.name}"
        shutil.copyfile(path, copy)
        copies[path] = copy
    result = soffice(["--convert-to", target, "--outdir", str(out / "out"), *map(str, copies.values())], profile)
    assert result.returncode == 0, result.stderr
    # Calc reports a file it cannot load on stderr ("Error: source file could not be loaded").
    assert "Error" not in result.stderr, result.stderr
    extension = target.split(":")[0]
    return {path: out / "out" / f"{copy.stem}.{extension}" for path, copy in copies.items()}


def test_no_generated_workbook_holds_a_formula(workbooks):
    for path in workbooks:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    assert not re.search(rb"<f[ >]", archive.read(name)), f"{path.name}: {name}"


def test_every_workbook_exports_to_pdf(workbooks, tmp_path):
    pdfs = convert(workbooks, "pdf", tmp_path, tmp_path / "profile")
    for source, pdf in pdfs.items():
        assert pdf.exists(), source
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-"), source
        visible = [ws for ws in openpyxl.load_workbook(source).worksheets if ws.sheet_state == "visible"]
        pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
        assert pages >= len(visible), f"{source.name}: {pages} pages for {len(visible)} sheets"


def test_calc_reads_back_every_cell(workbooks, tmp_path):
    copies = convert(workbooks, "xlsx:Calc MS Excel 2007 XML", tmp_path, tmp_path / "profile")
    for source, copy in copies.items():
        original = openpyxl.load_workbook(source)
        with warnings.catch_warnings():
            # Calc adds extensions (x14 conditional formats) that openpyxl does not read.
            warnings.simplefilter("ignore", UserWarning)
            again = openpyxl.load_workbook(copy)
        assert again.sheetnames == original.sheetnames, source.name
        for ws in original.worksheets:
            mine, theirs = cells(ws), cells(again[ws.title])
            assert mine.keys() == theirs.keys(), f"{source.name}「{ws.title}」"
            for where, value in mine.items():
                assert same(value, theirs[where]), f"{source.name}「{ws.title}」{where}: {value!r} ≠ {theirs[where]!r}"


def cells(ws) -> dict[str, object]:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value not in (None, "")}


def same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, datetime) and isinstance(b, datetime):
        return abs((a - b).total_seconds()) < 1
    return a == b
