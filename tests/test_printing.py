"""The example's report, a rep's workbook and the template print sensibly in a real LibreOffice.

Every sheet is set to print one page wide (landscape, A4, the table's header row repeated), and
the PDF LibreOffice makes of each workbook has as many pages as its rows need, each sheet's pages
named by the sheet's name in the page header. One conversion per workbook (soffice is slow).
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl.cli import cli
from tests.conftest import REPO

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None,
    reason="needs LibreOffice (soffice) and poppler (pdftotext): .ci/run installs them",
)
# A landscape A4 page at 100% holds about 33 rows of 15 points; a page of a sheet scaled to one
# page wide holds more. A sheet printed two pages wide would need twice the pages.
ROWS_PER_PAGE = 25


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("printing")
    runner = CliRunner()
    result = runner.invoke(cli, [
        "rebuild", str(REPO / "examples" / "sample_tracking.xlsx"), "--as-of", "2024-05-31",
        "--split-by", "owner", "--out", str(out), "--no-history", "-q",
    ])
    assert result.exit_code in (0, 1), result.output
    template = out / "template.xlsx"
    assert runner.invoke(cli, ["template", "-o", str(template)]).exit_code == 0
    (report,) = (p for p in out.glob("funnel_report_*.xlsx") if not p.stem.endswith("_detail"))
    return {"report": report, "rep": next(out.glob("*/reps/张伟.xlsx")), "template": template}


def pdf_pages(path: Path, names: list[str]) -> list[str]:
    """Each page of the workbook's PDF, by the sheet named in its page header."""
    out = path.parent / f"pdf-{path.stem}"
    profile = out / "lo-profile"  # its own profile: parallel runs do not share a lock
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=300,
    )
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(out / f"{path.stem}.pdf"), "-"],
        check=True, capture_output=True, text=True,
    ).stdout
    pages = text.split("\f")[:-1]
    return [
        next((line.strip() for line in page.splitlines() if line.strip() in names), "?")
        for page in pages
    ]


@pytest.fixture(scope="module")
def printed(made) -> dict[str, dict[str, int]]:
    """Per workbook: how many PDF pages each sheet printed on."""
    counts = {}
    for key, path in made.items():
        book = openpyxl.load_workbook(path, read_only=True)
        names = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
        book.close()
        pages = pdf_pages(path, names)
        counts[key] = {name: pages.count(name) for name in names} | {"?": pages.count("?")}
    return counts


@pytest.mark.parametrize("key", ["report", "rep", "template"])
def test_every_sheet_prints_one_page_wide_landscape_with_its_header_repeated(made, key):
    book = openpyxl.load_workbook(made[key])
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1), ws.title  # absent means 1
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9, ws.title  # A4


@pytest.mark.parametrize("key", ["report", "rep", "template"])
def test_each_sheet_prints_on_the_pages_its_rows_need(made, printed, key):
    book = openpyxl.load_workbook(made[key], read_only=True)
    pages = printed[key]
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        rows = sum(1 for row in ws.iter_rows(values_only=True) if any(v is not None for v in row))
        assert 1 <= pages[ws.title] <= math.ceil(rows / ROWS_PER_PAGE) + 1, (ws.title, rows, pages)
    book.close()
    assert pages["?"] == 0, pages


def test_the_report_prints_on_a_sensible_number_of_pages(printed):
    # 104 pages before every sheet was set up for printing; 28 since, and 36 with the six review
    # sheets (管道变化 … 跟进活动, 8 pages).
    assert sum(printed["report"].values()) <= 40, printed["report"]


def test_the_overview_prints_on_one_page(printed):
    assert printed["report"]["总览"] == 1
    assert printed["rep"]["总览"] == 1
