"""Benchmark refresh alone, on a copy of the cached workbook of each size.

    python benchmarks/refresh.py --sizes 1k,10k,100k,300k --repeat 3,3,3,1

Each run is ``funnel-xl refresh COPY --as-of 2024-05-31 --no-backup`` in its own process, started
by run.py's launcher (so its peak memory is its own); the copy is made afresh before each run, so
every run writes. ``--repeat`` is one count, or one per size. Prints the load average before and
after, the Markdown rows of run.py's table for the refresh step (median wall
time, highest peak memory) and the issue's refresh targets.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import AS_OF, SEED, ensure_workbook, parse_size
from run import Measure, measure, sheet_rows, typical

TARGETS = {10_000: (2.0, None), 100_000: (20.0, 400.0)}  # leads → (wall s, peak MB)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k,300k")
    parser.add_argument("--repeat", default="3,3,3,1", help="runs per size: one count, or one per size")
    args = parser.parse_args(argv)
    sizes = args.sizes.split(",")
    repeats = [int(r) for r in args.repeat.split(",")]
    repeats = repeats * len(sizes) if len(repeats) == 1 else repeats
    if len(repeats) != len(sizes):
        parser.error("--repeat: give one count, or one per size")
    rows, results = [], {}
    print("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="funnel-refresh-") as tmp:
        for size, repeat in zip(sizes, repeats, strict=True):
            n = parse_size(size)
            source = ensure_workbook(n, SEED, log=lambda text: print(text, file=sys.stderr))
            runs: list[Measure] = []
            for run in range(repeat):
                copy = Path(tmp) / f"refresh_{n}.xlsx"
                shutil.copyfile(source, copy)
                out = Path(tmp) / f"refresh_{n}_{run}"
                runs.append(measure(
                    [sys.executable, "-m", "funnel_xl", "refresh", str(copy), "--as-of", AS_OF.isoformat(),
                     "--no-backup", "-q"],
                    out.with_suffix(".out"), out.with_suffix(".err"),
                ))
                if runs[-1].status not in (0, 1):
                    raise SystemExit(f"refresh at {n} leads failed: {out.with_suffix('.err').read_text()[-500:]}")
                print(f"{n:,} leads, run {run + 1}: {runs[-1].wall:.2f} s, {runs[-1].peak_mb:.0f} MB", file=sys.stderr)
            m = results[n] = typical(runs)
            log_rows = sheet_rows(source).get("跟进记录", 0)
            rows.append(f"| {n:,} | {log_rows:,} | refresh | {m.wall:.2f} | {m.peak_mb:,.0f} | {m.wall / n * 1e6:,.0f} |")
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("\n".join(rows))
    for n, (wall, peak) in TARGETS.items():
        if n in results:
            m = results[n]
            ok = m.wall <= wall and (peak is None or m.peak_mb <= peak)
            print(f"- {n:,} leads: refresh ≤ {wall:g} s" + (f", peak ≤ {peak:g} MB" if peak else "")
                  + f" — {m.wall:.2f} s, {m.peak_mb:,.0f} MB ({'met' if ok else '**not met**'})")
    if 300_000 in results:
        print(f"- 300k leads: refresh completes — {results[300_000].wall:.2f} s, {results[300_000].peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
