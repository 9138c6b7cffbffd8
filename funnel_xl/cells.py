"""One value into an xlsxwriter cell: text as text, numbers and dates as numbers, blank as nothing.

Shared by the report and the tracking template, so a rep's "=HYPERLINK(...)" is text in both.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .messages import ZH, catalogue
from .text import as_text, is_blank

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_ZH = catalogue(ZH)


def excel_serial(value: date | np.datetime64) -> float | str:
    """A date as an Excel serial number; a date Excel cannot show stays as ISO text."""
    try:
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        days = (stamp - EXCEL_EPOCH) / pd.Timedelta(days=1)
    except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return as_text(value)
    # Excel counts the non-existent 1900-02-29, so serials before 1900-03-01 are one lower.
    if days < 61:
        days -= 1
    return days if days >= 1 else as_text(stamp.to_pydatetime())


def write_value(sheet, row: int, col: int, value: object, fmt, date_fmt=None) -> None:
    """Write one value of any type: text as text, numbers and dates as numbers, missing as blank."""
    if is_blank(value):
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value, fmt)
    elif isinstance(value, (bool, np.bool_)):
        # A yes/no in the report's language is written as text by the caller; this is a fallback.
        sheet.write_string(row, col, _ZH("yes") if value else _ZH("no"), fmt)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        sheet.write_number(row, col, float(value), fmt)
    elif isinstance(value, (date, np.datetime64)):
        serial = excel_serial(value)
        if isinstance(serial, str):
            sheet.write_string(row, col, serial)
        else:
            sheet.write_number(row, col, serial, date_fmt if date_fmt is not None else fmt)
    else:
        sheet.write_string(row, col, as_text(value), fmt)


