"""Benchmark `funnel-xl remind` for a 1,000-lead team (target: under 3 s).

    python benchmarks/remind.py [--leads 1000] [--repeat 5]

A seeded demo workbook of ``--leads`` leads (funnel_xl.demo, with its follow-up log), then
`funnel-xl remind … --as-of 2024-05-31 --outbox …` end to end in a fresh subprocess each time
(import, read, validate, recalculate, plan, write the .eml files, record in a fresh history store),
the median wall time printed. Not a test: tests never assert on wall-clock time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from funnel_xl.demo import write_demo_workbook
from funnel_xl.rules import load_rules

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        workbook = folder / "team.xlsx"
        write_demo_workbook(workbook, load_rules(), seed=2024, n_leads=args.leads)
        times = []
        for i in range(args.repeat):
            command = [
                sys.executable, "-m", "funnel_xl", "remind", str(workbook), "--as-of", "2024-05-31",
                "--to-rules", str(REPO / "rules" / "recipients.toml"),
                "--history", str(folder / f"h{i}.sqlite"), "--outbox", str(folder / f"outbox{i}"), "-q",
            ]
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    print(f"remind, {args.leads:,} leads: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}, {args.repeat} runs)")


if __name__ == "__main__":
    main()
