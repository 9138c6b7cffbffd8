"""Render the pictures of the docs from the example's report, as LibreOffice Calc shows it.

    python scripts/render_pictures.py                 # rewrites docs/pictures/*.png and pictures.json
    python scripts/render_pictures.py --resolution 150

One command re-renders every picture: it rebuilds the example (examples/sample_tracking.xlsx,
month 2024-05, with a workbook per rep) into a temporary folder, has LibreOffice turn each
workbook into a PDF — as printed (总览 prints on one landscape page) or with one page per sheet
(for a sheet wider than a page) — and pdftoppm (poppler-utils) turn the pages it needs into PNG
files cropped to their content. Beside them it writes docs/pictures/pictures.json,
the cell values of every sheet it rendered: PNG bytes differ from one renderer version to the
next, so tests/test_pictures.py rebuilds the example and compares those values instead — when
it fails, the pictures are stale and this script must be run again.

Needs funnel_xl installed (pip install .) and three Debian packages:

    apt-get install libreoffice-calc-nogui fonts-noto-cjk poppler-utils

Without a CJK font (fonts-noto-cjk) every Chinese character would be an empty box, so the script
refuses to run without one. A picture is added by adding a line to PICTURES.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "sample_tracking.xlsx"
MONTH = "2024-05"
PICTURES_DIR = REPO / "docs" / "pictures"
SOURCES = PICTURES_DIR / "pictures.json"
MARGIN = 12  # pixels of white kept around the content
# As printed (the report's own page set-up), or one page per sheet as wide and as long as the
# sheet's content (LibreOffice 7.4 and later).
PDF_FILTERS = {
    True: "pdf",
    False: 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}',
}


@dataclass(frozen=True)
class Picture:
    png: str            # file name under docs/pictures/
    workbook: str       # path of the workbook, relative to the rebuild's output folder
    sheet: str
    # As printed: only for a first sheet that prints on one page (总览 does, a test checks it).
    as_printed: bool = False
    max_width_pt: float | None = None  # crop a very wide sheet to its first columns


PICTURES = (
    Picture("overview.png", f"funnel_report_{MONTH}.xlsx", "总览", as_printed=True),
    Picture("reps.png", f"funnel_report_{MONTH}.xlsx", "负责人对比", max_width_pt=1500),
    Picture("rep.png", f"{MONTH}/reps/张伟.xlsx", "总览", as_printed=True),
)


def rebuild_example(out_dir: Path) -> Path:
    """Rebuild the example as the README's monthly routine does; returns the output folder."""
    command = [
        sys.executable, "-m", "funnel_xl", "rebuild", str(EXAMPLE), "--month", MONTH,
        "--split-by", "owner", "--out", str(out_dir), "-q",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    # Exit code 1 is expected: the example carries planted data problems.
    if result.returncode not in (0, 1):
        raise RuntimeError(f"rebuild failed ({result.returncode}): {result.stderr}")
    return out_dir


def cell_text(value):
    """A cell value as JSON holds it: dates as ISO text, everything else as it is."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def sheet_values(workbook: Path, sheet: str) -> list[list]:
    """Every row of the sheet, trailing blanks dropped, as openpyxl reads the values back."""
    book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
    try:
        rows = [[cell_text(v) for v in row] for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def picture_sources(out_dir: Path) -> dict[str, dict]:
    """What each picture shows: its workbook, its sheet and the sheet's cell values."""
    return {
        p.png: {"workbook": p.workbook, "sheet": p.sheet, "cells": sheet_values(out_dir / p.workbook, p.sheet)}
        for p in PICTURES
    }


def sources_json(sources: dict[str, dict]) -> str:
    """The sources as JSON text, one row of cells a line so a diff shows what changed."""
    pictures = []
    for png, source in sources.items():
        rows = ",\n".join(f"   {json.dumps(row, ensure_ascii=False)}" for row in source["cells"])
        pictures.append(
            f' {json.dumps(png)}: {{\n  "workbook": {json.dumps(source["workbook"], ensure_ascii=False)},\n'
            f'  "sheet": {json.dumps(source["sheet"], ensure_ascii=False)},\n  "cells": [\n{rows}\n  ]\n }}'
        )
    return "{\n" + ",\n".join(pictures) + "\n}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=110, help="dots per inch (default 110)")
    args = parser.parse_args()

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    missing = [
        package for package, ok in (
            ("libreoffice-calc-nogui", soffice is not None),
            ("poppler-utils", shutil.which("pdftoppm") is not None),
            ("fonts-noto-cjk", _has_cjk_font()),
        ) if not ok
    ]
    if missing:
        print(f"缺少: {' '.join(missing)}。请先运行 apt-get install {' '.join(missing)}", file=sys.stderr)
        return 2

    PICTURES_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="funnel-xl-render-") as tmp:
        tmp = Path(tmp)
        out_dir = rebuild_example(tmp / "output")
        pdfs = {}
        for picture in PICTURES:
            key = (picture.workbook, picture.as_printed)
            if key not in pdfs:
                pdfs[key] = _to_pdf(soffice, out_dir / picture.workbook, picture.as_printed, tmp, len(pdfs))
            page = _page_of(out_dir / picture.workbook, picture)
            _render_page(pdfs[key], page, picture, args.resolution, tmp)
            print(f"已生成 docs/pictures/{picture.png}（{picture.workbook}「{picture.sheet}」）")
        SOURCES.write_text(sources_json(picture_sources(out_dir)), encoding="utf-8")
    print(f"已写入 {SOURCES.relative_to(REPO)}（各图所示工作表的单元格值，供 tests/test_pictures.py 比对）")
    return 0


def _to_pdf(soffice: str, workbook: Path, as_printed: bool, tmp: Path, number: int) -> Path:
    """The workbook as a PDF, as printed or one page per sheet (its own folder: names may clash)."""
    outdir = tmp / f"pdf{number}"
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", PDF_FILTERS[as_printed], "--outdir", str(outdir), str(workbook)],
        check=True, capture_output=True, timeout=300,
    )
    return outdir / f"{workbook.stem}.pdf"


def _page_of(workbook: Path, picture: Picture) -> int:
    """The PDF page (1-based) of a sheet: hidden sheets are not printed."""
    book = openpyxl.load_workbook(workbook, read_only=True)
    try:
        visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    finally:
        book.close()
    page = visible.index(picture.sheet) + 1
    if picture.as_printed and page != 1:
        raise ValueError(f"{picture.png}: only the first sheet can be rendered as printed")
    return page


def _render_page(pdf: Path, page: int, picture: Picture, resolution: int, tmp: Path) -> None:
    base = ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(resolution), str(pdf)]
    raw = tmp / f"page{page}"
    subprocess.run([*base, "-singlefile", str(raw)], check=True, timeout=120)
    x, y, w, h = _content_box((tmp / f"page{page}.ppm").read_bytes())
    if picture.max_width_pt is not None:
        w = min(w, round(picture.max_width_pt * resolution / 72))
    crop = ["-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h)]
    target = tmp / Path(picture.png).stem
    subprocess.run([*base, *crop, "-png", "-singlefile", str(target)], check=True, timeout=120)
    shutil.copyfile(target.with_suffix(".png"), PICTURES_DIR / picture.png)


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    result = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(result.stdout.strip())


def _content_box(ppm: bytes) -> tuple[int, int, int, int]:
    """The box (x, y, width, height) around every non-white pixel of a binary PPM (P6) image."""
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval; whitespace-separated, '#' comments
        while ppm[pos:pos + 1].isspace():
            pos += 1
        if ppm[pos:pos + 1] == b"#":
            pos = ppm.index(b"\n", pos)
            continue
        end = pos
        while not ppm[end:end + 1].isspace():
            end += 1
        fields.append(ppm[pos:end])
        pos = end
    if fields[0] != b"P6":
        raise ValueError("pdftoppm did not write a binary PPM")
    width, height = int(fields[1]), int(fields[2])
    pixels = ppm[pos + 1:]
    stride = width * 3
    white = b"\xff" * stride
    rows = [r for r in range(height) if pixels[r * stride:(r + 1) * stride] != white]
    if not rows:
        return 0, 0, width, height
    left, right = width, 0
    for r in rows:
        line = pixels[r * stride:(r + 1) * stride]
        stripped = line.lstrip(b"\xff")
        first = (len(line) - len(stripped)) // 3
        last = (len(line.rstrip(b"\xff")) - 1) // 3
        left, right = min(left, first), max(right, last)
    x0, y0 = max(left - MARGIN, 0), max(rows[0] - MARGIN, 0)
    x1, y1 = min(right + MARGIN, width - 1), min(rows[-1] + MARGIN, height - 1)
    return x0, y0, x1 - x0 + 1, y1 - y0 + 1


if __name__ == "__main__":
    sys.exit(main())
