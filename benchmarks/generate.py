"""Seeded tracking workbooks for the benchmark: the example team's leads and follow-up log.

    python benchmarks/generate.py --sizes 1k,10k,100k,300k

Leads and log are :func:`funnel_xl.demo.demo_data` (the example generator: planted problems, messy
dates, about five follow-up entries per lead consistent with each lead), written by the template
writer exactly as ``funnel-xl demo`` writes them (dropdowns, the 跟进记录 sheet …). A sheet holds
at most 1,048,576 rows, so at 300k leads the log stops there (about 3.5 entries per lead, the
entries of the last leads left out).

Workbooks are cached under ``benchmarks/data/`` (git-ignored), keyed by size, seed and
:data:`GENERATOR_VERSION`; a cached file is reused, so every step of a benchmark run reads the same
bytes.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from funnel_xl.demo import demo_data
from funnel_xl.rules import Rules, load_rules
from funnel_xl.template import SHEET_DATA_ROWS, write_tracking_workbook

DATA_DIR = Path(__file__).resolve().parent / "data"
AS_OF = date(2024, 5, 31)
SEED = 2024
# Bump when the generated content changes, so cached workbooks are made again.
GENERATOR_VERSION = 3
# The most log entries one sheet holds (Excel's last row, less the header).
MAX_LOG_ROWS = SHEET_DATA_ROWS


def parse_size(text: str) -> int:
    """'1k' → 1000, '300k' → 300000, '2500' → 2500."""
    text = text.strip().lower()
    scale = 1000 if text.endswith("k") else 1
    try:
        return int(float(text.rstrip("k")) * scale)
    except ValueError:
        raise SystemExit(f"size {text!r}: write it as 1k, 10k, 100k, 300k or a plain number") from None


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def workbook_path(n_leads: int, seed: int = SEED) -> Path:
    return DATA_DIR / f"tracking_{size_label(n_leads)}_seed{seed}_v{GENERATOR_VERSION}.xlsx"


def ensure_workbook(n_leads: int, seed: int = SEED, rules: Rules | None = None, log=print) -> Path:
    """The cached workbook for this size and seed, generated first when missing."""
    path = workbook_path(n_leads, seed)
    if path.exists():
        return path
    rules = rules or load_rules()
    started = time.perf_counter()
    log(f"generating {path.name} …")
    data = demo_data(rules, seed=seed, n_leads=n_leads, as_of=AS_OF)
    entries = list(data.log_dicts())
    if len(entries) > MAX_LOG_ROWS:
        log(f"  the log has {len(entries)} entries; one sheet holds {MAX_LOG_ROWS}, the rest are left out")
        entries = entries[:MAX_LOG_ROWS]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_tracking_workbook(path, rules, data.leads, entries)
    log(
        f"  {n_leads} leads, {len(entries)} log rows, {path.stat().st_size / 1e6:.1f} MB "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k,300k", help="comma-separated lead counts")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    rules = load_rules()
    for size in args.sizes.split(","):
        print(ensure_workbook(parse_size(size), args.seed, rules))


if __name__ == "__main__":
    sys.exit(main())
