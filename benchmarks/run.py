"""Benchmark the rebuild against the cost of reading and writing the files.

    python benchmarks/run.py --sizes 1k,10k,100k,300k [--readme README.md]

For each size, on the same cached workbook (benchmarks/generate.py), one after another, each step
in a fresh subprocess so that its peak memory is its own (``os.wait4``'s ``ru_maxrss``):

- **floor**: read both sheets with python-calamine and write one lead-detail sheet (every lead,
  its input columns plus two computed) with xlsxwriter in constant_memory mode, no other logic
  (benchmarks/floor.py): fixed by the input, it does not grow with the report;
- **naive**: pandas.read_excel(engine="openpyxl"), groupbys, to_excel (benchmarks/naive.py);
- **rebuild**: ``funnel-xl rebuild`` end to end;
- **validate**: ``funnel-xl validate``;
- **refresh**: ``funnel-xl refresh`` on a copy, when the installed funnel-xl has that command.

Every step but refresh runs several times at each size (``--repeat``, default 5, 5, 3 and 1
times): the median is reported.

Prints a Markdown table of wall time and peak memory, the ratios rebuild/floor and naive/rebuild,
and the issue's targets; ``--readme`` also writes them into the README's Performance section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

import python_calamine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import AS_OF, SEED, ensure_workbook, parse_size, size_label

HERE = Path(__file__).resolve().parent
STEPS = ("floor", "naive", "rebuild", "validate", "refresh")
README_START = "<!-- benchmark:start -->"
README_END = "<!-- benchmark:end -->"
# hypothesis: pandera imports it while validating when it is installed (the test extras); a
# manager's install ("pip install .") has none, so the benchmark runs without it ("—").
LIBRARIES = ("pandas", "numpy", "python-calamine", "xlsxwriter", "openpyxl", "pandera", "hypothesis")


@dataclass
class Measure:
    wall: float
    peak_mb: float
    status: int


# Each step is started by this small launcher, not by the runner itself: on Linux a process's peak
# memory counts what it inherited at fork, so children of a runner that has grown (it reads the
# rebuild's output to count cells) would report the runner's size instead of their own.
LAUNCHER = """
import json, os, subprocess, sys, time
out, err, report = sys.argv[1:4]
with open(out, "wb") as o, open(err, "wb") as e:
    started = time.perf_counter()
    child = subprocess.Popen(sys.argv[4:], stdout=o, stderr=e, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
with open(report, "w") as r:
    json.dump([wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status)], r)
"""


def measure(command: list[str], stdout_path: Path, stderr_path: Path) -> Measure:
    """Run one step in its own process: wall time, its peak resident memory, its exit status."""
    report = stdout_path.with_suffix(".measure.json")
    subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(stdout_path), str(stderr_path), str(report), *command],
        check=True,
    )
    wall, max_rss_kb, status = json.loads(report.read_text())
    return Measure(wall, max_rss_kb / 1024, status)


def count_cells(paths: list[Path]) -> tuple[int, int]:
    """(text cells, number cells) of the given workbooks; dates and booleans count as numbers."""
    strings = numbers = 0
    for path in paths:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            for row in workbook.get_sheet_by_name(name).to_python():
                for value in row:
                    if isinstance(value, str):
                        strings += value != ""
                    elif value is not None:
                        numbers += 1
    return strings, numbers


def sheet_rows(path: Path) -> dict[str, int]:
    """Data rows of each sheet, from the <dimension> the generator wrote (header not counted)."""
    with zipfile.ZipFile(path) as archive:
        names = re.findall(r'<sheet name="([^"]+)"', archive.read("xl/workbook.xml").decode())
        rows = {}
        for i, name in enumerate(names, start=1):
            with archive.open(f"xl/worksheets/sheet{i}.xml") as part:
                head = part.read(2048).decode("utf-8", "replace")
            found = re.search(r'<dimension ref="[A-Z]+[0-9]+:[A-Z]+([0-9]+)"', head)
            rows[name] = int(found.group(1)) - 1 if found else 0
    return rows


def has_command(name: str) -> bool:
    from funnel_xl.cli import cli

    return name in cli.commands


def run_size(
    n_leads: int, seed: int, work: Path, skip: set[str], log, refresh_up_to: int, repeat: int = 1
) -> dict[str, Measure]:
    source = ensure_workbook(n_leads, seed, log=log)
    log(f"  {source.name}: {source.stat().st_size / 1e6:.0f} MB, rows {sheet_rows(source)}")
    source.read_bytes()  # in the page cache for every step alike
    here = work / size_label(n_leads)
    here.mkdir(parents=True, exist_ok=True)
    as_of = AS_OF.isoformat()
    tool = [sys.executable, "-m", "funnel_xl"]
    samples: dict[str, list[Measure]] = {}

    def step(name: str, command: list[str], ok=(0,)) -> None:
        log(f"  {name} …")
        result = measure(command, here / f"{name}.out", here / f"{name}.err")
        if result.status not in ok:
            detail = (here / f"{name}.err").read_text(errors="replace").strip().splitlines()[-3:]
            raise SystemExit(f"{name} at {n_leads} leads failed (exit {result.status}): {' / '.join(detail)}")
        log(f"    {result.wall:.2f} s, {result.peak_mb:.0f} MB")
        samples.setdefault(name, []).append(result)

    # The steps run in rounds (rebuild, floor, naive, validate; again), so that a slow spell of
    # the machine falls on every step alike. refresh runs once (benchmarks/refresh.py repeats it).
    out_dir = here / "rebuild"
    for round_ in range(repeat):
        if repeat > 1:
            log(f"  round {round_ + 1} of {repeat}")
        shutil.rmtree(out_dir, ignore_errors=True)  # every rebuild starts without a history store
        step("rebuild", [*tool, "rebuild", str(source), "--as-of", as_of, "--out", str(out_dir)], ok=(0, 1))
        if round_ == 0:
            strings, numbers = count_cells(sorted(out_dir.rglob("*.xlsx")))
            log(f"  the rebuild wrote {strings} text and {numbers} number cells")
        step("floor", [sys.executable, str(HERE / "floor.py"), str(source), str(here / "floor.xlsx"),
                       "--as-of", as_of])
        if "naive" not in skip:
            step("naive", [sys.executable, str(HERE / "naive.py"), str(source), str(here / "naive.xlsx"),
                           "--as-of", as_of])
        step("validate", [*tool, "validate", str(source), "--as-of", as_of], ok=(0, 1))
        if round_ == 0 and "refresh" not in skip and n_leads <= refresh_up_to and has_command("refresh"):
            copy = here / "refresh.xlsx"
            shutil.copyfile(source, copy)
            step("refresh", [*tool, "refresh", str(copy), "--as-of", as_of, "--no-backup"], ok=(0, 1))
    return {name: typical(runs) for name, runs in samples.items()}


def typical(runs: list[Measure]) -> Measure:
    """Several runs of a step as one: the median wall time, the highest peak memory."""
    walls = sorted(r.wall for r in runs)
    middle = len(walls) // 2
    wall = walls[middle] if len(walls) % 2 else (walls[middle - 1] + walls[middle]) / 2
    return Measure(wall, max(r.peak_mb for r in runs), max(r.status for r in runs))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kb = next(
            int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    versions = ", ".join(f"{name} {_version(name)}" for name in LIBRARIES)
    return (
        f"{os.cpu_count()} cores ({cpu}), {ram}, {platform.system()}; "
        f"Python {platform.python_version()}; {versions}"
    )


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "—"


def _load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "—"


def table(results: dict[int, dict[str, Measure]], log_rows: dict[int, int]) -> list[str]:
    lines = [
        "| leads | log rows | step | wall (s) | peak memory (MB) | µs per lead |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for n, steps in results.items():
        for name in STEPS:
            if name in steps:
                m = steps[name]
                lines.append(
                    f"| {n:,} | {log_rows[n]:,} | {name} | {m.wall:.2f} | {m.peak_mb:,.0f} | "
                    f"{m.wall / n * 1e6:,.0f} |"
                )
    lines += [
        "",
        "| leads | rebuild ÷ floor | naive ÷ rebuild | validate (s) |",
        "|---:|---:|---:|---:|",
    ]
    for n, steps in results.items():
        rebuild = steps["rebuild"].wall
        naive = f"{steps['naive'].wall / rebuild:.1f}" if "naive" in steps else "—"
        lines.append(
            f"| {n:,} | {rebuild / steps['floor'].wall:.2f} | {naive} | {steps['validate'].wall:.2f} |"
        )
    return lines


def targets(results: dict[int, dict[str, Measure]]) -> list[str]:
    """The issue's targets, each with the figure measured in this run."""
    lines = []

    def mark(ok: bool) -> str:
        return "met" if ok else "**not met**"

    for n, label in ((10_000, "10k"), (100_000, "100k")):
        steps = results.get(n)
        if steps:
            ratio = steps["rebuild"].wall / steps["floor"].wall
            lines.append(f"- {label} leads: rebuild ≤ 1.5 × floor — {ratio:.2f} × ({mark(ratio <= 1.5)})")
    big = results.get(100_000)
    if big:
        peak = big["rebuild"].peak_mb
        lines.append(f"- 100k leads: rebuild peak memory ≤ 1.3 GB — {peak / 1024:.2f} GB ({mark(peak <= 1331)})")
        if "naive" in big:
            speedup = big["naive"].wall / big["rebuild"].wall
            lines.append(f"- 100k leads: rebuild ≥ 3 × faster than naive — {speedup:.1f} × ({mark(speedup >= 3)})")
    ten = results.get(10_000)
    if ten:
        lines.append(f"- 10k leads: validate < 1 s — {ten['validate'].wall:.2f} s ({mark(ten['validate'].wall < 1)})")
    lines += _refresh_targets(results, mark)
    huge = results.get(300_000)
    if huge:
        peak = huge["rebuild"].peak_mb
        lines.append(f"- 300k leads: completes, peak ≤ 3 GB — {peak / 1024:.2f} GB ({mark(peak <= 3072)})")
    if ten and huge:
        ratio = (huge["rebuild"].wall / 300_000) / (ten["rebuild"].wall / 10_000)
        lines.append(f"- linear: per-lead time at 300k ÷ at 10k ≤ 1.3 — {ratio:.2f} ({mark(ratio <= 1.3)})")
    return lines


def _refresh_targets(results: dict[int, dict[str, Measure]], mark) -> list[str]:
    """Issue 18's targets for refresh, when this run measured it."""
    lines = []
    for n, label, limit in ((10_000, "10k", 2), (100_000, "100k", 20)):
        refresh = results.get(n, {}).get("refresh")
        if refresh:
            lines.append(f"- {label} leads: refresh ≤ {limit} s — {refresh.wall:.2f} s ({mark(refresh.wall <= limit)})")
    refresh = results.get(100_000, {}).get("refresh")
    if refresh:
        peak = refresh.peak_mb
        lines.append(f"- 100k leads: refresh peak memory ≤ 400 MB — {peak:,.0f} MB ({mark(peak <= 400)})")
    refresh = results.get(300_000, {}).get("refresh")
    if refresh:
        lines.append(f"- 300k leads: refresh completes — exit {refresh.status} ({mark(refresh.status in (0, 1))})")
    return lines


def write_readme(readme: Path, block: str) -> None:
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise SystemExit(f"{readme} has no {README_START} … {README_END} block to fill")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(f"{head}{README_START}\n{block}\n{README_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k,300k", help="comma-separated lead counts")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--skip", default="", help="steps to leave out, e.g. naive,refresh")
    parser.add_argument("--work", help="folder for the outputs (default: a temporary folder)")
    parser.add_argument("--readme", help="write the tables into this README's Performance section")
    parser.add_argument(
        "--repeat", default="5,5,3,1",
        help="how many times each step runs (in rounds) at each size, in the order of --sizes; "
        "the median wall time is reported. A run varies by ±10-20%% on a shared machine",
    )
    parser.add_argument(
        "--refresh-up-to", default="300k",
        help="run refresh only up to this size (benchmarks/refresh.py measures refresh alone)",
    )
    args = parser.parse_args(argv)
    skip = {s for s in args.skip.split(",") if s}

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    load_before = _load()
    results: dict[int, dict[str, Measure]] = {}
    log_rows: dict[int, int] = {}
    runs: dict[int, int] = {}
    repeats = [int(r) for r in args.repeat.split(",") if r.strip()]
    with tempfile.TemporaryDirectory(prefix="funnel-bench-") as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        for i, size in enumerate(args.sizes.split(",")):
            n = parse_size(size)
            log(f"{n:,} leads")
            repeat = repeats[i] if i < len(repeats) else 1
            runs[n] = repeat
            results[n] = run_size(
                n, args.seed, work, skip, log, parse_size(args.refresh_up_to), max(repeat, 1)
            )
            log_rows[n] = sheet_rows(ensure_workbook(n, args.seed, log=log)).get("跟进记录", 0)
    described = (
        f"Measured {date.today().isoformat()} with `python benchmarks/run.py --sizes {args.sizes} --repeat {args.repeat}` "
        f"(seed {args.seed}; leads and follow-up log from the example generator, the log up to the "
        f"1,048,575 rows one sheet holds) on {machine()}. "
        f"Load average (1, 5, 15 min) {load_before} before the run, {_load()} after. "
        f"refresh runs once, up to {args.refresh_up_to} leads. The other steps ran "
        + ", ".join(f"{r} × at {size_label(n)}" for n, r in runs.items())
        + " (in rounds): the wall time is the median, the memory the highest."
    )
    block = "\n".join([described, "", *table(results, log_rows), "", "Targets:", "", *targets(results)])
    print(block)
    if args.readme:
        write_readme(Path(args.readme), block)


if __name__ == "__main__":
    main()
