"""The floor: what reading and writing the files costs with no logic at all.

    python benchmarks/floor.py INPUT.xlsx OUTPUT.xlsx --strings S --numbers N

Reads every sheet of INPUT with python-calamine (the fastest reader the rebuild can use), then
writes S text cells and N number cells with xlsxwriter in constant_memory mode, 25 to a row, taking
the values from what was read. The runner passes the counts of the rebuild's own output, so the
floor writes as many cells, of the same kinds, as the rebuild does.
"""

from __future__ import annotations

import argparse
import itertools
from datetime import date, datetime

import python_calamine
import xlsxwriter

ROW_WIDTH = 25
EPOCH = datetime(1899, 12, 30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--strings", type=int, required=True)
    parser.add_argument("--numbers", type=int, required=True)
    args = parser.parse_args()

    workbook = python_calamine.CalamineWorkbook.from_path(args.input)
    strings: list[str] = []
    numbers: list[float] = []
    for name in workbook.sheet_names:
        for row in workbook.get_sheet_by_name(name).to_python():
            for value in row:
                if isinstance(value, str):
                    if value:
                        strings.append(value)
                elif isinstance(value, datetime):
                    numbers.append((value - EPOCH).total_seconds() / 86400)
                elif isinstance(value, date):
                    numbers.append(float((value - EPOCH.date()).days))
                elif value is not None:
                    numbers.append(float(value))

    out = xlsxwriter.Workbook(args.output, {"constant_memory": True})
    sheet = out.add_worksheet("floor")
    number_format = out.add_format({"num_format": "0.0"})
    text = itertools.cycle(strings or ["x"])
    number = itertools.cycle(numbers or [1.0])
    write_string, write_number = sheet.write_string, sheet.write_number
    # Interleave the two kinds in proportion, as a report's rows do.
    total = args.strings + args.numbers
    for i in range(total):
        row, col = divmod(i, ROW_WIDTH)
        if i * args.strings // max(total, 1) != (i + 1) * args.strings // max(total, 1):
            write_string(row, col, next(text))
        else:
            write_number(row, col, next(number), number_format)
    out.close()


if __name__ == "__main__":
    main()
