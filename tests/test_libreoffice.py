"""Workbooks last saved by LibreOffice Calc (a real soffice, no imitation) merge and refresh correctly.

A rep who works in LibreOffice (or WPS) sends a file that went through another program's writer:
other XML, other style tables, comments without authors. The workbooks are built with openpyxl and
converted by ``soffice --headless --convert-to xlsx``, as the rep's "save" would.
"""

import shutil
import subprocess
from datetime import date, datetime

import openpyxl
import pytest

from funnel_xl import analyse
from funnel_xl import refresh as r
from funnel_xl.refresh import HIGHLIGHT_RGB, refresh_workbook
from tests.conftest import lead, write_workbook
from tests.test_refresh import AS_OF, fill_of, rich_workbook

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui to run these tests",
)
D = date


def saved_by_libreoffice(path, tmp_path):
    """``path`` opened and saved as .xlsx by LibreOffice Calc; returns the new file."""
    out = tmp_path / "libreoffice"
    profile = tmp_path / "libreoffice-profile"  # its own profile: parallel runs do not share a lock
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        check=False, capture_output=True, text=True, timeout=300,
    )
    saved = out / path.name
    assert done.returncode == 0 and saved.exists(), done.stderr
    return saved


def test_libreoffice_workbook_merges_with_the_team(tmp_path, rules):
    (tmp_path / "made").mkdir()
    made = rich_workbook(tmp_path / "made" / "甲.xlsx")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(saved_by_libreoffice(made, tmp_path), inbox / "甲.xlsx")
    write_workbook(inbox / "乙.xlsx", [
        lead("LF2024101", "需求挖掘", D(2024, 4, 1), "乙", entered=D(2024, 5, 10)),
        lead("LF2024102", "已成交", D(2024, 2, 1), "乙", entered=D(2024, 4, 1)),
    ])
    analysis = analyse([inbox], rules, as_of=AS_OF)
    # 甲: rows 3–8 valid (2 won/lost among them: 已成交, 无效线索), row 9 has no owner; 乙: 2 valid
    t = analysis.team.totals
    assert (t.total, t.valid, t.excluded) == (9, 8, 1)
    assert (t.active, t.won, t.lost) == (5, 2, 1)
    assert analysis.team.win_rate == pytest.approx(2 / 3)
    assert [(p.code, p.file, p.row) for p in analysis.problems] == [("missing_owner", "甲.xlsx", 9)]
    leads = analysis.result.leads.set_index("lead_id")
    # dates typed through LibreOffice still read as dates: 04-20 → 41 days; 05-25 − 10 → 05-15 → 16
    assert leads.loc["LF2024001", "dwell_days"] == 41
    assert leads.loc["LF2024002", "dwell_days"] == 16
    assert leads.loc["LF2024101", "dwell_days"] == 21  # 05-10 → 05-31
    assert leads.loc["LF2024001", "_file"] == "甲.xlsx" and leads.loc["LF2024101", "_file"] == "乙.xlsx"


def test_refresh_a_libreoffice_workbook_and_again_after_libreoffice_saved_it(tmp_path, rules):
    (tmp_path / "made").mkdir()
    rep = tmp_path / "rep"
    rep.mkdir()
    book = rep / "张伟.xlsx"
    shutil.copy(saved_by_libreoffice(rich_workbook(tmp_path / "made" / "张伟.xlsx"), tmp_path), book)

    first = refresh_workbook(book, rules, as_of=AS_OF, now=datetime(2024, 6, 1, 9, 0, 0))
    assert first.written
    ws = openpyxl.load_workbook(book)["线索跟踪"]
    # the same figures as for the openpyxl-made workbook (worked out in test_refresh)
    assert [ws[f"M{i}"].value for i in range(3, 10)] == [41, 16, 11, None, None, None, 99]
    assert [ws[f"N{i}"].value for i in range(3, 9)] == [
        None, "100%(潜在接触→需求挖掘 5/5)", "75%(需求挖掘→方案提案 3/4)", "100%(成交待签约→已成交 1/1)",
        None, "100%(方案提案→商务谈判 2/2)",
    ]
    assert ws["O4"].value == datetime(2024, 5, 15)
    assert fill_of(book, "M4") == HIGHLIGHT_RGB and fill_of(book, "A3") == "FFFFFF00"
    assert refresh_workbook(book, rules, as_of=AS_OF).changes == []

    # The rep opens the refreshed file in LibreOffice and saves it: the tool still knows its own
    # highlight, estimate comment and last refresh date, so nothing changes.
    shutil.copy(saved_by_libreoffice(book, tmp_path / "again"), book)
    assert refresh_workbook(book, rules, as_of=AS_OF).changes == []
    props = {p.name: p.value for p in openpyxl.load_workbook(book).custom_doc_props.props}
    assert props[r.REFRESHED_PROPERTY] == "2024-05-31"

    # … then moves row 4 on without a date: the estimate for 需求挖掘 is recognised and cleared.
    wb = openpyxl.load_workbook(book)
    wb["线索跟踪"]["D4"] = "方案提案"
    wb.save(book)
    moved = refresh_workbook(book, rules, as_of=D(2024, 6, 15), backup=False)
    assert (r.ESTIMATE_CLEARED, "O4") in {(c.kind, c.cell) for c in moved.changes}
    assert fill_of(book, "M4") is None and fill_of(book, "A4") is None
