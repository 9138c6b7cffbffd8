"""总览 prints as exactly one landscape page: the example's team report and a rep's workbook, converted
to PDF by a real LibreOffice (one conversion for the module)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from funnel_xl.cli import cli
from tests.test_golden import EXAMPLE

SOFFICE = shutil.which("soffice")
PDFTOTEXT, PDFINFO = shutil.which("pdftotext"), shutil.which("pdfinfo")
pytestmark = pytest.mark.skipif(
    None in (SOFFICE, PDFTOTEXT, PDFINFO),
    reason="LibreOffice (soffice) and poppler (pdftotext, pdfinfo) are needed; .ci/run installs them",
)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    out = folder / "out"
    result = CliRunner().invoke(cli, [
        "rebuild", str(EXAMPLE), "--as-of", "2024-05-31", "--split-by", "owner", "--out", str(out),
        "--no-history", "-q",
    ])
    assert result.exit_code == 1, result.output  # the example's planted errors
    report = next(out.glob("funnel_report_*.xlsx"))
    rep = next(out.rglob("reps/张伟.xlsx"))
    profile = folder / "profile"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder / "pdf"), str(report), str(rep)],
        check=False, capture_output=True, text=True, timeout=600,
    )
    pdf = {name: folder / "pdf" / f"{path.stem}.pdf" for name, path in (("team", report), ("rep", rep))}
    assert done.returncode == 0 and all(p.exists() for p in pdf.values()), done.stderr
    return pdf


def page_text(pdf, page: int) -> str:
    return subprocess.run(
        [PDFTOTEXT, "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout


def page_size(pdf, page: int) -> tuple[float, float]:
    info = subprocess.run(
        [PDFINFO, "-f", str(page), "-l", str(page), str(pdf)], check=True, capture_output=True, text=True,
    ).stdout
    width, height = re.search(rf"Page\s+{page} size:\s+([\d.]+) x ([\d.]+)", info).groups()
    return float(width), float(height)


@pytest.mark.parametrize("which", ["team", "rep"])
def test_overview_is_one_landscape_page(pdfs, which):
    pdf = pdfs[which]
    first, second = page_text(pdf, 1), page_text(pdf, 2)
    # Page 1 holds 总览 from its month block to its last line (the inputs line) …
    for text in ("本月 2024-05", "需要关注", "累计指标", "输入文件"):
        assert text in first, text
    # … and page 2 is the next sheet, not the rest of 总览.
    for text in ("需要关注", "累计指标", "输入文件"):
        assert text not in second, text
    width, height = page_size(pdf, 1)
    assert width > height  # landscape



@pytest.mark.parametrize("which", ["funnel_report_2024-05.xlsx", "2024-05/reps/张伟.xlsx"])
def test_the_month_note_row_is_tall_enough(tmp_path, which):
    """The note under the month block wraps in a merged cell A:F, which no spreadsheet program
    grows by itself: its row must be tall enough for every line. Rendered by LibreOffice, a line
    of the small italic holds about 59 display columns (a Chinese character counts two) and takes
    about 12 points."""
    import math

    import openpyxl

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["rebuild", str(EXAMPLE), "--as-of", "2024-05-31", "--out", str(out),
                                      "--split-by", "owner", "--no-history", "-q"])
    assert result.exit_code == 1
    sheet = openpyxl.load_workbook(out / which)["总览"]
    row = next(r for r in range(1, 20) if str(sheet.cell(r, 1).value or "").startswith("新增 = "))
    note = sheet.cell(row, 1).value
    width = sum(2 if "\u4e00" <= ch <= "\u9fff" or ch in "，；：（）「」。、" else 1 for ch in note)
    assert sheet.row_dimensions[row].height >= 12 * math.ceil(width / 59)
