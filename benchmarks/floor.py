"""The floor: what reading the tracking workbook and writing one lead listing costs, no logic.

    python benchmarks/floor.py INPUT.xlsx OUTPUT.xlsx [--as-of 2024-05-31]

Reads both sheets of INPUT (线索跟踪 and 跟进记录) with python-calamine, the fastest reader the
rebuild can use, then writes one lead-detail sheet with xlsxwriter in constant_memory mode: every
lead, its input columns as read plus two computed ones (days since first contact and since the
last follow-up, at the as-of date). Nothing else: no validation, no figures, no other sheet. The
floor is fixed by the input alone, so it does not grow when the report gains sheets.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime

import python_calamine
import xlsxwriter

LEADS, LOG = "线索跟踪", "跟进记录"
FIRST_CONTACT, LAST_FOLLOW_UP = "首次接触时间", "最近跟进时间"


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--as-of", default="2024-05-31")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)

    workbook = python_calamine.CalamineWorkbook.from_path(args.input)
    leads = workbook.get_sheet_by_name(LEADS).to_python()
    log = workbook.get_sheet_by_name(LOG).to_python() if LOG in workbook.sheet_names else []
    header, rows = list(leads[0]), leads[1:]
    first, last = header.index(FIRST_CONTACT), header.index(LAST_FOLLOW_UP)

    out = xlsxwriter.Workbook(args.output, {"constant_memory": True})
    sheet = out.add_worksheet("线索明细")
    date_format = out.add_format({"num_format": "yyyy-mm-dd"})
    for c, text in enumerate([*header, "距首次接触(天)", "距最近跟进(天)"]):
        sheet.write_string(0, c, str(text))
    write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
    width = len(header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str):
                if value:
                    write_string(r, c, value)
            elif isinstance(value, date):
                write_datetime(r, c, value, date_format)
            elif value is not None:
                write_number(r, c, float(value))
        for k, c in enumerate((first, last)):
            day = _day(row[c])
            if day is not None:
                write_number(r, width + k, (as_of - day).days)
    out.close()
    print(f"{len(rows)} leads, {max(len(log) - 1, 0)} log entries read")


if __name__ == "__main__":
    main()
