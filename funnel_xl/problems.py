"""Data problems found in a sheet: plain records, one list for the terminal, JSON and the report."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from enum import StrEnum

from .messages import ZH, catalogue
from .text import one_line


class Severity(StrEnum):
    ERROR = "error"  # the row (or the file) is not used
    WARNING = "warning"  # the row is used; a value may be ignored




def severity_label(severity: str, lang: str = ZH) -> str:
    """错误 / 警告 (error / warning) in the given language."""
    t = catalogue(lang)
    return t(f"severity.{severity}") if t.has(f"severity.{severity}") else severity


@dataclass(frozen=True)
class Problem:
    """One problem in one place. ``row`` is the Excel row number (1-based), ``column`` the letter.
    Made by :func:`funnel_xl.checks.problem`, which looks the code up in the registry."""

    code: str
    severity: Severity
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    header: str = ""
    value: str = ""
    file: str = ""
    lead_id: str = ""  # a follow-up log row's lead, so the problem reaches that lead's rep

    def place(self, lang: str = ZH) -> str:
        """Where the problem is: file, sheet, row, column and header, in the given language."""
        t = catalogue(lang)
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(t("where.sheet", sheet=self.sheet))
        if self.row is not None:
            parts.append(t("where.row", row=self.row))
        if self.column:
            parts.append(
                t("where.column_header", column=self.column, header=self.header) if self.header
                else t("where.column", column=self.column)
            )
        return " ".join(parts)

    def as_text(self, lang: str = ZH) -> str:
        """One terminal line. Control characters from the sheet (line breaks, escape sequences that
        could drive the terminal) are shown as spaces."""
        t = catalogue(lang)
        value = t("where.value", value=self.value) if self.value else ""
        where = f"{self.place(lang)}{value}"
        label = f"[{severity_label(self.severity, lang)}]"
        # A problem of the whole team (no file, sheet or cell) is told without an empty place.
        return one_line(f"{label} {where}: {self.message}" if where else f"{label} {self.message}")

    def as_dict(self) -> dict:
        return asdict(self)


def count_by_severity(problems: list[Problem]) -> dict[str, int]:
    counts = Counter(p.severity for p in problems)
    return {Severity.ERROR: counts.get(Severity.ERROR, 0), Severity.WARNING: counts.get(Severity.WARNING, 0)}


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Stable, readable order: by file, sheet, row, column, then code."""
    return sorted(
        problems,
        key=lambda p: (p.file, p.sheet, p.row if p.row is not None else -1, len(p.column), p.column, p.code),
    )
