"""Render the 总览 sheet of the example's report as LibreOffice shows it: docs/overview.png.

    python scripts/render_overview.py            # writes docs/overview.png
    python scripts/render_overview.py -o x.png --resolution 150

Needs funnel_xl installed (pip install .) and three Debian packages:

    apt-get install libreoffice-calc-nogui fonts-noto-cjk poppler-utils

LibreOffice (soffice) turns the report into a PDF — 总览 is the first sheet and prints on one
landscape page; pdftoppm (poppler-utils) turns that page into pixels, first as a raw image to
find where the content ends, then as a PNG cropped to it. Without a CJK font (fonts-noto-cjk)
every Chinese character would be an empty box, so the script refuses to run without one.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "sample_tracking.xlsx"
MONTH = "2024-05"
MARGIN = 12  # pixels of white kept around the content


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=REPO / "docs" / "overview.png")
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

    from funnel_xl import analyse, load_rules
    from funnel_xl.report import write_report

    with tempfile.TemporaryDirectory(prefix="funnel-xl-render-") as tmp:
        tmp = Path(tmp)
        report = write_report(analyse([EXAMPLE], load_rules(), month=MONTH), tmp / "report.xlsx")
        subprocess.run(
            [soffice, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
             "--norestore", "--convert-to", "pdf", "--outdir", str(tmp), str(report)],
            check=True, capture_output=True, timeout=300,
        )
        pdf = tmp / "report.pdf"
        page = ["pdftoppm", "-f", "1", "-l", "1", "-r", str(args.resolution), str(pdf)]
        subprocess.run([*page, str(tmp / "page")], check=True, timeout=120)
        (ppm,) = tmp.glob("page*.ppm")
        x, y, w, h = _content_box(ppm.read_bytes())
        args.output.parent.mkdir(parents=True, exist_ok=True)
        crop = ["-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h)]
        subprocess.run([*page, *crop, "-png", "-singlefile", str(tmp / "overview")], check=True, timeout=120)
        shutil.copyfile(tmp / "overview.png", args.output)
    print(f"已生成 {args.output} ({args.output.stat().st_size / 1024:.0f} KB)")
    return 0


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
