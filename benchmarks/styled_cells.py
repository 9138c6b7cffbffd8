"""Style-only cells beyond the column limit (issue 16, class 6): time and peak memory of the raw
check on a workbook of a given packed size.

    python benchmarks/styled_cells.py 10 40

For each size (MB on disk) it builds a five-lead workbook whose sheet then holds style-only cells
(``<c r="ZZ7" s="1"/>``: a format, no value) in columns beyond ``[limits] max_columns``, until the
file is that large, and runs :func:`funnel_xl.container.read_workbook_file` on it in a fresh
process, printing seconds and peak resident memory. Not a test: tests never assert on wall-clock.
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
FIRST_FAR_COLUMN = 600  # beyond the default max_columns (500)


def column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def build(path: Path, megabytes: int) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "线索跟踪"
    sheet.append(["线索编号", "所属阶段", "首次接触时间", "负责人"])
    for i in range(5):
        sheet.append([f"LF2024050{i}", "需求挖掘", "2024-05-01", "张伟"])
    plain = io.BytesIO()
    book.save(plain)
    columns = [column_letters(FIRST_FAR_COLUMN + c).encode() for c in range(400)]
    rows, row = [], 10
    target = megabytes * 1024 * 1024
    with zipfile.ZipFile(plain) as source:
        xml = source.read(SHEET)
        size = 0
        # Deflate packs these cells about 12:1; grow until the packed estimate reaches the target.
        while size < target * 12:
            cells = b"".join(b'<c r="%s%d" s="1"/>' % (c, row) for c in columns)
            rows.append(b'<row r="%d">%s</row>' % (row, cells))
            size += len(rows[-1])
            row += 1
        xml = xml.replace(b"</sheetData>", b"".join(rows) + b"</sheetData>")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for info in source.infolist():
                out.writestr(info.filename, xml if info.filename == SHEET else source.read(info))
    return path


def measure(path: str) -> None:
    from funnel_xl.container import read_workbook_file
    from funnel_xl.rules import load_rules

    started = time.perf_counter()
    checked = read_workbook_file(path, load_rules().limits)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{Path(path).stat().st_size / 2**20:.1f} MB file: {seconds:.1f} s, peak {peak:.0f} MB, "
          f"range {checked.sheets['线索跟踪'].rows} × {checked.sheets['线索跟踪'].columns}")


def main() -> None:
    if sys.argv[1] == "--measure":
        measure(sys.argv[2])
        return
    with tempfile.TemporaryDirectory() as folder:
        for megabytes in map(int, sys.argv[1:]):
            path = build(Path(folder) / f"styled_{megabytes}.xlsx", megabytes)
            subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True)


if __name__ == "__main__":
    main()
