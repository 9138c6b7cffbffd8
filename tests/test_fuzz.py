"""Mutated workbooks: whatever the bytes, the CLI ends with exit code 0, 1 or 2 and a message.

Valid workbooks are mutated, seeded and bounded in number: the bytes of the zip itself, and the
bytes of the XML parts inside it, re-zipped (so the zip is valid and the damage reaches the
parser). Each mutant runs the CLI's entry point (`funnel-xl validate`) in a process of its own under
a timeout — a hang guard, not a speed test: a driver process imports funnel_xl once and forks one
child per mutant, so a crash or a hang ends only that child and is reported with the mutant's name.
An unexpected failure (the catch-all "意外故障" line) counts as a failure too: every damage must be
met by a handled, clear message.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from tests.corpus import BASE, HEADERS, _plain

SEED = 20240531
ZIP_MUTANTS = 24
XML_MUTANTS = 40
TIMEOUT = 60  # seconds per mutant: far above a normal run (a fraction of a second); only a hang hits it


def shared_strings_workbook(folder: Path) -> Path:
    """The same leads written with shared strings and styles, as Excel, WPS and xlsxwriter write."""
    path = folder / "shared.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("线索跟踪")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(BASE, start=1):
        for c, header in enumerate(HEADERS):
            value = row.get(header)
            if hasattr(value, "isoformat"):
                sheet.write_datetime(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    workbook.close()
    return path


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def cut(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, 64) :]


def insert(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 32)) + data[at:]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def far_cell(xml: bytes, rng: random.Random) -> bytes:
    refs = re.findall(rb'r="[A-Z]+[0-9]+"', xml)
    if not refs:
        return flip_bytes(xml, rng)
    far = rng.choice([b"XFD1048576", b"ZZ99999", b"A1048576", b"XFD2", b"AAA5"])
    return xml.replace(rng.choice(refs), b'r="' + far + b'"', 1)


def drop_addresses(xml: bytes, rng: random.Random) -> bytes:
    return re.sub(rb' r="[A-Z0-9]+"', b"", xml, count=rng.randint(1, 40))


def huge_row(xml: bytes, rng: random.Random) -> bytes:
    return re.sub(rb'<row r="[0-9]+"', b'<row r="%d"' % rng.choice([0, 1048577, 99999999]), xml, count=1)


def inject_formula(xml: bytes, rng: random.Random) -> bytes:
    return re.sub(rb"(<c [^>]*>)", rb"\1<f>SUM(1,2)</f>", xml, count=rng.randint(1, 5))


def wrong_type(xml: bytes, rng: random.Random) -> bytes:
    return re.sub(rb'<c ([^>]*?)t="[a-zA-Z]+"', rb'<c \1t="' + rng.choice([b"s", b"n", b"b", b"e", b"d"]) + b'"',
                  xml, count=rng.randint(1, 10))


ZIP_MUTATIONS = [flip_bytes, cut, insert, truncate]
XML_MUTATIONS = [flip_bytes, cut, insert, truncate, far_cell, drop_addresses, huge_row, inject_formula, wrong_type]


def rezip(source: bytes, part: str, mutate, rng: random.Random) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, mutate(data, rng) if info.filename == part else data)
    return out.getvalue()


def mutants(folder: Path) -> list[tuple[str, Path]]:
    rng = random.Random(SEED)
    bases = [_plain(folder), shared_strings_workbook(folder)]
    made = []
    for i in range(ZIP_MUTANTS):
        base = bases[i % len(bases)].read_bytes()
        mutate = ZIP_MUTATIONS[i % len(ZIP_MUTATIONS)]
        made.append((f"zip-{i}-{mutate.__name__}", mutate(base, rng)))
    for i in range(XML_MUTANTS):
        base = bases[i % len(bases)].read_bytes()
        with zipfile.ZipFile(io.BytesIO(base)) as archive:
            parts = [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]
        sheet = "xl/worksheets/sheet1.xml"
        part = sheet if i % 2 == 0 else rng.choice(parts)  # half of them aim at the sheet
        mutate = XML_MUTATIONS[i % len(XML_MUTATIONS)]
        made.append((f"xml-{i}-{mutate.__name__}-{part.replace('/', '_')}", rezip(base, part, mutate, rng)))
    paths = []
    for name, data in made:
        path = folder / f"{name}.xlsx"
        path.write_bytes(data)
        paths.append((name, path))
    return paths


# Imports funnel_xl once, then forks a child per mutant; prints one JSON line per mutant.
DRIVER = r"""
import json, os, sys, time
import funnel_xl.cli, funnel_xl.pipeline  # paid once, before forking
timeout = float(sys.argv[1])
for path in sys.argv[2:]:
    out, err = path + ".stdout", path + ".stderr"
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            with open(out, "w") as o, open(err, "w") as e:
                os.dup2(o.fileno(), 1)
                os.dup2(e.fileno(), 2)
                sys.argv = ["funnel-xl", "validate", path, "--as-of", "2024-05-31"]
                try:
                    funnel_xl.cli.main()
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
                sys.stdout.flush()
                sys.stderr.flush()
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            code = "timeout"
            break
        time.sleep(0.01)
    print(json.dumps({"path": path, "code": code,
                      "stdout": open(out).read(), "stderr": open(err).read()}), flush=True)
"""


def run_all(paths: list[Path]) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, str(TIMEOUT), *map(str, paths)],
        capture_output=True, text=True, timeout=TIMEOUT * 4 + 10 * len(paths), check=False,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_every_mutant_ends_with_a_clear_message(tmp_path):
    cases = mutants(tmp_path)
    assert len(cases) == ZIP_MUTANTS + XML_MUTANTS
    results = run_all([path for _, path in cases])
    assert [r["path"] for r in results] == [str(path) for _, path in cases]
    failures = []
    for (name, _), result in zip(cases, results, strict=False):
        code = result["code"]
        message = result["stdout"].strip() if code in (0, 1) else result["stderr"].strip()
        ok = (
            code in (0, 1, 2)
            and message
            and (code != 2 or message.startswith("错误: "))
            and "Traceback" not in result["stderr"]
            and "意外故障" not in result["stderr"]
        )
        if not ok:
            failures.append(f"{name}: exit {code}: {result['stderr'].strip()[-300:]}")
    assert not failures, "\n".join(failures)
    codes = {result["code"] for result in results}
    assert 2 in codes and codes & {0, 1}, codes  # the mutants reach both outcomes


@pytest.mark.parametrize("mutate", [far_cell, drop_addresses, huge_row, inject_formula, wrong_type])
def test_structured_mutations_change_the_sheet(tmp_path, mutate):
    """The structured mutations do what they say (else the fuzz test would test less than it claims)."""
    with zipfile.ZipFile(_plain(tmp_path)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert mutate(xml, random.Random(SEED)) != xml
