"""What validation tells the progress callback: each file read, then checked, and the follow-up
logs once after all files when any has one."""

from __future__ import annotations

from datetime import date

from funnel_xl.progress import READ, VALIDATE, Progress
from funnel_xl.sheets import ReadAhead
from funnel_xl.validation import validate_files
from tests.conftest import entry, lead, write_workbook

D = date
AS_OF = D(2024, 5, 31)


def test_progress_names_each_file_then_the_logs(tmp_path, rules):
    a = write_workbook(tmp_path / "a.xlsx", [lead("LF2024001", "需求挖掘", D(2024, 3, 15))],
                       log=[entry("LF2024001", D(2024, 3, 15))])
    b = write_workbook(tmp_path / "b.xlsx", [lead("LF2024002", "潜在接触", D(2024, 5, 5))])
    told = []
    with ReadAhead([a, b], rules) as ahead:
        report = validate_files([a, b], rules, AS_OF, progress=told.append, ahead=ahead)
    assert told == [
        Progress(READ, "a.xlsx"), Progress(VALIDATE, "a.xlsx"),
        Progress(READ, "b.xlsx"), Progress(VALIDATE, "b.xlsx"),
        Progress(VALIDATE, "跟进记录"),
    ]
    assert sorted(report.valid["lead_id"]) == ["LF2024001", "LF2024002"]
    # Without any log, no step for the logs.
    told.clear()
    validate_files([b], rules, AS_OF, progress=told.append)
    assert told == [Progress(READ, "b.xlsx"), Progress(VALIDATE, "b.xlsx")]
