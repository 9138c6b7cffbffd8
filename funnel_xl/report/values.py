"""Cell values: a frame's column to a Python list once, None for a blank cell."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..cells import EXCEL_EPOCH as _EXCEL_EPOCH
from ..cells import excel_serial
from ..metrics import Rate
from ..text import as_text, is_blank, percent_text


def text_values(frame: pd.DataFrame, column: str) -> list:
    if column not in frame:
        return [None] * len(frame)
    series = frame[column]
    values = series.tolist()
    missing = series.isna().to_numpy()
    if missing.any():
        values = [None if gone else value for value, gone in zip(values, missing.tolist(), strict=True)]
    if set(map(type, values)) <= {str, type(None)}:
        return values
    return [value if value is None or type(value) is str else as_text(value) for value in values]


def number_values(frame: pd.DataFrame, column: str) -> list:
    if column not in frame:
        return [None] * len(frame)
    numbers = pd.to_numeric(frame[column], errors="coerce")
    return [None if v != v else v for v in numbers.to_numpy(dtype=float, na_value=np.nan).tolist()]


def date_values(frame: pd.DataFrame, column: str) -> list:
    if column not in frame:
        return [None] * len(frame)
    series = frame[column]
    if not pd.api.types.is_datetime64_any_dtype(series):
        return [date_cell(value) for value in series.tolist()]
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_localize(None)
    days = ((series - _EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)
    if np.any(days < 61):
        return [date_cell(value) for value in series.tolist()]
    return [None if v != v else v for v in days.tolist()]


def date_cell(value: object) -> float | str | None:
    """One value of a date column that is not all dates: serial, number or text as it came."""
    if is_blank(value):
        return None
    if isinstance(value, (date, np.datetime64)):
        return excel_serial(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    return value if isinstance(value, str) else as_text(value)


def mapped_values(frame: pd.DataFrame, column: str, labels: dict) -> list:
    return [None if v is None else labels.get(v, v) for v in text_values(frame, column)]


def sort_text(frame: pd.DataFrame, column: str) -> list[str]:
    return [v or "" for v in text_values(frame, column)]


def counts_text(rate: Rate, min_sample: int, small: str) -> str | None:
    """k/n and the 95% interval, e.g. "7/9 · 45%–94%"; "1/1 · 21%–100% 样本少"; None when n = 0."""
    if not rate.n:
        return None
    low, high = rate.interval
    text = f"{rate.k}/{rate.n} · {percent_text(low)}–{percent_text(high)}"
    return f"{text} {small}" if rate.small(min_sample) else text
