"""Seeded tracking workbooks for the benchmark: the demo team's leads plus a follow-up log.

    python benchmarks/generate.py --sizes 1k,10k,100k,300k

The leads are :func:`funnel_xl.demo.demo_rows` (the example generator, planted problems and messy
dates included), written under the rules' headers exactly as the template writes them. The
follow-up log (跟进记录) has about five entries per lead in the shape of the template's log sheet
(线索编号, 跟进时间, 跟进方式, 沟通内容, 客户反馈/异议, 下一步行动, 下次沟通时间, 阶段调整为,
跟进人), consistent with each lead: the first entry on its first contact, one entry for every stage
move (the move into its current stage dated on its 阶段进入日期 when known), the last entry on its
最近跟进时间. A sheet holds at most 1,048,576 rows, so at 300k leads the log stops there (about 3.5
entries per lead, the entries of the last leads left out).

Workbooks are cached under ``benchmarks/data/`` (git-ignored), keyed by size, seed and
:data:`GENERATOR_VERSION`; a cached file is reused, so every step of a benchmark run reads the same
bytes.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

from funnel_xl.atomic import atomic_path
from funnel_xl.demo import SUMMARIES, demo_rows
from funnel_xl.rules import Rules, load_rules

DATA_DIR = Path(__file__).resolve().parent / "data"
AS_OF = date(2024, 5, 31)
SEED = 2024
# Bump when the generated content changes, so cached workbooks are made again.
GENERATOR_VERSION = 1
# Excel's last row, less the header: the most log entries one sheet holds.
MAX_LOG_ROWS = 1_048_575
LEADS_SHEET = "线索跟踪"
LOG_SHEET = "跟进记录"
LOG_HEADERS = (
    "线索编号", "跟进时间", "跟进方式", "沟通内容", "客户反馈/异议", "下一步行动", "下次沟通时间",
    "阶段调整为", "跟进人",
)
FEEDBACK = (
    "客户认可方向，需内部讨论",
    "预算偏紧，希望分期",
    "在对比竞品，关注价格",
    "担心实施周期",
    "需要更多同行业案例",
    "对方案细节提出修改意见",
    None,
)
NEXT_STEPS = (
    "发送产品资料",
    "安排产品演示",
    "提交修改后的方案",
    "约决策人面谈",
    "发送报价单",
    "跟进合同审批进度",
    "电话回访",
)
_TEXT_DATE = re.compile(r"^(\d{4})\D+(\d{1,2})\D+(\d{1,2})\D*$")


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
    leads = demo_rows(rules, seed=seed, n_leads=n_leads, as_of=AS_OF)
    entries = log_rows(leads, rules, random.Random(seed + 1))
    if len(entries) > MAX_LOG_ROWS:
        log(f"  the log has {len(entries)} entries; one sheet holds {MAX_LOG_ROWS}, the rest are left out")
        entries = entries[:MAX_LOG_ROWS]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path, rules, leads, entries)
    log(
        f"  {n_leads} leads, {len(entries)} log rows, {path.stat().st_size / 1e6:.1f} MB "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return path


def log_rows(leads: list[dict], rules: Rules, rng: random.Random) -> list[tuple]:
    """About five follow-up entries per lead, consistent with the lead's row (see the module doc)."""
    stages = rules.stage_names
    index_of = {name: k for k, name in enumerate(stages)}
    rows: list[tuple] = []
    for lead in leads:
        first = _as_date(lead.get("first_contact"))
        last = _as_date(lead.get("last_follow_up"))
        if first is None:
            first = last or AS_OF - timedelta(days=30)
        if last is None or last < first:
            last = first
        stage = lead.get("stage")
        if stage in index_of:
            moves = list(stages[1 : index_of[stage] + 1])
        elif stage in rules.lost_labels:
            lost_at = lead.get("lost_at")
            moves = [*stages[1 : index_of[lost_at] + 1], stage] if lost_at in index_of else [stage]
        else:
            moves = []  # a misspelt stage: the log says nothing about it
        entered = _as_date(lead.get("stage_entered"))
        if entered is None or not first <= entered <= last:
            entered = last
        span = (entered - first).days
        move_days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in moves[:-1])
        dated = [(first, None)] + list(zip(move_days, moves[:-1]))
        if moves:
            dated.append((entered, moves[-1]))
        for _ in range(max(0, rng.randint(3, 7) - len(dated) - 1)):
            dated.append((first + timedelta(days=rng.randint(0, (last - first).days)), None))
        dated.append((last, None))
        dated.sort(key=lambda item: (item[0], item[1] is not None))
        position = 0
        for day, move in dated:
            if move is not None and move in index_of:
                position = round(index_of[move] * 5 / max(len(stages) - 1, 1))
            rows.append(
                (
                    lead["lead_id"],
                    day,
                    lead.get("follow_up_method") or "电话",
                    rng.choice(SUMMARIES[position]),
                    rng.choice(FEEDBACK),
                    rng.choice(NEXT_STEPS),
                    day + timedelta(days=rng.randint(3, 14)),
                    move,
                    lead.get("owner"),
                )
            )
    return rows


def write_workbook(path: Path, rules: Rules, leads: list[dict], entries: list[tuple]) -> None:
    """The leads sheet under the rules' headers, then the log; typed cells, streamed to disk."""
    with atomic_path(path) as tmp:
        workbook = xlsxwriter.Workbook(
            str(tmp), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
        )
        workbook.set_properties({"title": "销售漏斗线索跟踪表", "created": datetime(2024, 1, 1)})
        date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
        header_fmt = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        sheet = workbook.add_worksheet(rules.leads_sheets[0] if rules.leads_sheets else LEADS_SHEET)
        fields = [c.field for c in rules.columns]
        for c, col in enumerate(rules.columns):
            sheet.write_string(0, c, col.header, header_fmt)
        for r, lead in enumerate(leads, start=1):
            for c, field in enumerate(fields):
                _write(sheet, r, c, lead.get(field), date_fmt)
        sheet.freeze_panes(1, 0)
        log = workbook.add_worksheet(LOG_SHEET)
        for c, header in enumerate(LOG_HEADERS):
            log.write_string(0, c, header, header_fmt)
        for r, entry in enumerate(entries, start=1):
            for c, value in enumerate(entry):
                _write(log, r, c, value, date_fmt)
        log.freeze_panes(1, 0)
        workbook.close()


def _write(sheet, r: int, c: int, value, date_fmt) -> None:
    if value is None:
        return
    if isinstance(value, date):
        sheet.write_datetime(r, c, value, date_fmt)
    elif isinstance(value, (int, float)):
        sheet.write_number(r, c, value)
    else:
        sheet.write_string(r, c, str(value))


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _TEXT_DATE.match(value.strip())
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


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
