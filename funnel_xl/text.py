"""Small text helpers every writer needs: blank test, value → text, percent text, display width,
and unique names for sheets and files."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd


def is_blank(value: object) -> bool:
    """None, NaN, NaT or pandas' NA: a cell with nothing in it."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def is_empty(value: object) -> bool:
    """A raw cell with nothing typed in it: None, or text of spaces only."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: object) -> str:
    """A cell value as text: 3.0 → "3", a date → "2024-05-31", a time of day kept when there is one."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def text_or_none(value: object) -> str | None:
    """``str(value)``, or None for a blank value."""
    return None if is_blank(value) else str(value)


def number_text(value: float, digits: int = 0, *, thousands: bool = False) -> str:
    """``value`` with ``digits`` decimals, rounded as Excel displays it: the stored double read to
    15 significant digits, then halves away from zero (74.25 → "74.3", 42.75 → "42.8", -0.5 → "-1"),
    where Python's format rounds the binary value half to even (74.25 → "74.2")."""
    exact = Decimal(f"{float(value):.15g}").quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if exact == 0:
        exact = abs(exact)
    return f"{exact:,f}" if thousands else f"{exact:f}"


def percent_text(rate: float, digits: int = 0) -> str:
    """A rate as a percent with ``digits`` decimals, rounded as Excel displays it:
    0.125 → "13%", 0.7425 → "74.3%" (digits=1)."""
    return number_text(Decimal(f"{float(rate):.15g}") * 100, digits) + "%"


def one_line(text: str) -> str:
    """Text safe for one terminal line: control characters from a sheet (line breaks, ESC and OSC
    sequences that could drive the terminal) become spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def rate_text(rate: float | None) -> str:
    """A rate to one decimal, or a dash when there is none: 0.2121 → "21.2%"."""
    return "—" if rate is None else percent_text(rate, 1)


def display_width(text: str) -> int:
    """Columns a text takes on screen: two for a wide (Chinese) character, one for the others."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def unique_names(
    names: Iterable[str], taken: Iterable[str], *, clean: Callable[[object], str],
    fit: Callable[[str, int], str], limit: int, fold: Callable[[str], str] = str.casefold,
) -> dict[str, str]:
    """Map each name to ``fit(clean(name), limit)``, unique among ``taken`` and each other as
    ``fold`` compares them: a name already used gets " (2)", " (3)"…, cut further to fit."""
    used = {fold(name) for name in taken}
    unique: dict[str, str] = {}
    for name in names:
        base = clean(name)
        candidate = fit(base, limit)
        n = 2
        while fold(candidate) in used:
            suffix = f" ({n})"
            candidate = fit(base, limit - len(suffix)) + suffix
            n += 1
        used.add(fold(candidate))
        unique[name] = candidate
    return unique
