"""The cell changes of a refresh, planned on the leads sheet's XML and recorded one by one.

:class:`Writer` reads the cells it owns from the sheet as stored (values from the reader's frame,
styles and formulas from the XML), decides what changes, and records each change both as a
:class:`Change` for the summary and as an edit of the sheet, the styles and the notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from .container import column_index, column_letters
from .frames import (
    DWELL_DAYS,
    DWELL_DAYS_TYPED,
    LAST_FOLLOW_UP,
    LEAD_ID,
    PASS_RATE_TEXT_CALC,
    ROW,
    STAGE,
    STAGE_ENTERED,
    STAGE_ENTERED_SOURCE,
    STALLED,
    STATUS,
    EnteredFrom,
    Status,
)
from .messages import catalogue
from .reader import LeadsSheet
from .rules import Rules
from .text import is_blank, is_empty
from .xlsx_comments import Notes
from .xlsx_sheet import SheetXml
from .xlsx_styles import Styles

# The tool's highlight of stalled leads. A cell with exactly this fill is the tool's to change.
HIGHLIGHT_RGB = "FFFDC3BE"
COMMENT_AUTHOR = "funnel-xl"
# Estimate notes start with this (in Chinese; refresh.estimate.note in the rules' language); the
# text also says the stage and the estimated date.
ESTIMATE_PREFIX = "funnel-xl 估算"
DATE_FORMAT = "yyyy-mm-dd"
OWNED_FIELDS = ("dwell_days", "pass_rate_text", "stage_entered")  # the rules' fields refresh writes

# Changes, by kind (RefreshResult.changes).
DWELL, PASS_RATE, ESTIMATE, ESTIMATE_CLEARED, COMMENT_REMOVED, HIGHLIGHTED, UNHIGHLIGHTED, COLUMN_ADDED = (
    "dwell", "pass_rate", "estimate", "estimate_cleared", "comment_removed",
    "highlighted", "unhighlighted", "column_added",
)
_KEEP = object()  # a cell's value left as it is


@dataclass(frozen=True)
class Change:
    """One cell the refresh changed (or would change)."""

    kind: str
    cell: str  # e.g. "M5"
    lead_id: str | None
    old: object
    new: object


@dataclass(frozen=True)
class OwnEstimate:
    """An estimate the tool wrote into a 阶段进入日期 cell, and that lead's state now."""

    row: int
    refreshed: date
    stage: str  # the stage the estimate was made for
    estimate: date
    value: date | None  # the cell's date now
    stage_now: str | None
    lead_id: str = ""

    @property
    def overwritten(self) -> bool:
        """The rep has typed another date (or cleared it): the cell is theirs now."""
        return self.value != self.estimate

    @property
    def stale(self) -> bool:
        """The lead has left the stage the estimate was made for."""
        return not self.overwritten and self.stage != self.stage_now


@dataclass
class Planned:
    """What a refresh found besides the changes (see :class:`funnel_xl.refresh.RefreshResult`)."""

    stalled: list[str] = field(default_factory=list)
    rep_fills_kept: list[str] = field(default_factory=list)
    entered_unknown: list[tuple[str, int]] = field(default_factory=list)
    formulas_kept: list[str] = field(default_factory=list)


class Writer:
    """Plans and records the cell changes on the leads sheet."""

    def __init__(self, sheet: SheetXml, styles: Styles, notes: Notes, leads: LeadsSheet, rules: Rules):
        self.sheet, self.styles, self.notes, self.rules = sheet, styles, notes, rules
        self.columns = {f: column_index(letter) for f, letter in leads.letters.items()}
        self.header_row = leads.header_row
        self.date1904 = leads.date1904
        frame = leads.frame
        self.fields = {col: f for f, col in self.columns.items()}
        rows = frame[ROW].astype(int).tolist()
        # The cells the tool owns, as the reader read them.
        self.stored = {
            f: dict(zip(rows, frame[f].tolist(), strict=True)) for f in OWNED_FIELDS if f in frame
        }
        self.pending: dict[tuple[int, int], list] = {}  # (row, col) → [value or _KEEP, style]
        self.changes: list[Change] = []
        self.planned = Planned()
        # The estimates standing after this refresh, by lead ID: (stage, estimate, refreshed).
        self.estimates: dict[str, tuple[str, date, date]] = {}
        self.highlight_styles = styles.styles_with_fill(HIGHLIGHT_RGB)
        self.formula_rows = set(sheet.rows_with_formulas())

    # -- the cells as they are (or will be) -------------------------------------------------

    def base_style(self, row: int, col: int) -> int | None:
        style = self.sheet.row_style(row)
        return style if style is not None else self.sheet.column_style(col)

    def style(self, row: int, col: int) -> int:
        pending = self.pending.get((row, col))
        if pending is not None:
            return pending[1]
        cell = self.sheet.cell(row, col)
        if cell is not None:
            return cell.style
        return self.base_style(row, col) or 0

    def value(self, row: int, col: int) -> object:
        """The cell's value now: what this refresh set, else as the reader read it."""
        pending = self.pending.get((row, col))
        if pending is not None and pending[0] is not _KEEP:
            return pending[0]
        cell = self.sheet.cell(row, col)
        if cell is None:
            return None
        field_name = self.fields.get(col)
        if field_name in self.stored and row in self.stored[field_name]:
            value = self.stored[field_name][row]
            return None if _blank(value) else value
        return cell.text

    def set(self, row: int, col: int, value=_KEEP, style: int | None = None) -> None:
        pending = self.pending.setdefault((row, col), [_KEEP, self.style(row, col)])
        if value is not _KEEP:
            pending[0] = value
        if style is not None:
            pending[1] = style

    # -- the changes -----------------------------------------------------------------------------

    def apply(self, leads: pd.DataFrame, own: dict[int, OwnEstimate], as_of: date) -> None:
        """Plan the changes for the recalculated ``leads`` (see :class:`funnel_xl.frames.DerivedLeads`)."""
        if leads.empty:
            self.unhighlight(set())
            return
        rows = leads[ROW].astype(int).tolist()
        ids = leads[LEAD_ID].tolist()
        dwell = [None if pd.isna(v) else int(v) for v in leads[DWELL_DAYS]]
        rates = [None if pd.isna(v) else str(v) for v in leads[PASS_RATE_TEXT_CALC]]
        for row, lead_id in zip(rows, ids, strict=True):
            self.tidy_estimate(row, lead_id, own.get(row))
        dwell_col = self.column("dwell_days", any(v is not None for v in dwell))
        rate_col = self.column("pass_rate_text", any(v is not None for v in rates))
        # Lost leads use no entry date; active leads need it for dwell, won leads for the cycle.
        estimated = [
            source == EnteredFrom.ESTIMATED and status != Status.LOST
            for source, status in zip(leads[STAGE_ENTERED_SOURCE].tolist(), leads[STATUS].tolist(), strict=True)
        ]
        entered_col = self.column("stage_entered", any(estimated))
        highlighted: set[tuple[int, int]] = set()
        id_col = self.columns.get("lead_id")
        entered, stalled = leads[STAGE_ENTERED].tolist(), leads[STALLED].tolist()
        for i, (row, lead_id) in enumerate(zip(rows, ids, strict=True)):
            if dwell_col is not None:
                self.put(DWELL, row, dwell_col, lead_id, dwell[i])
            if rate_col is not None:
                self.put(PASS_RATE, row, rate_col, lead_id, rates[i])
            if estimated[i] and entered_col is not None:
                self.estimate(row, entered_col, lead_id, leads.iloc[i], entered[i], as_of)
            if stalled[i]:
                self.planned.stalled.append(lead_id)
                for col in (c for c in (id_col, dwell_col) if c is not None):
                    if not self.highlight(row, col, lead_id):
                        self.planned.rep_fills_kept.append(f"{column_letters(col)}{row}")
                    highlighted.add((row, col))
        self.unhighlight(highlighted)
        unknown = (leads[STATUS] == Status.ACTIVE) & leads[STAGE_ENTERED].isna()
        self.planned.entered_unknown = [
            (str(lead_id), int(row))
            for lead_id, row in zip(leads.loc[unknown, LEAD_ID], leads.loc[unknown, ROW], strict=True)
        ]

    def column(self, field_name: str, needed: bool) -> int | None:
        """The sheet column of a field; added after the last used column when missing and needed."""
        if field_name in self.columns:
            return self.columns[field_name]
        if not needed:
            return None
        # After the last used column the reading looked at; a stray cell beyond the column limit
        # (ignored with a warning) would put the new columns past Excel's last column.
        within = self.rules.limits.max_columns
        col = max([self.sheet.last_used_column(within), *(c for _r, c in self.pending)]) + 1
        header = self.rules.header(field_name)
        # Styled like the last header (bold, fill, border), as the rep would have typed it.
        headers = {
            c: cell for c, cell in self.sheet.cells(self.header_row).items()
            if c != col and cell.text not in (None, "")
        }
        style = headers[max(headers)].style if headers else self.style(self.header_row, col)
        self.set(self.header_row, col, header, style)
        ref = f"{column_letters(col)}{self.header_row}"
        if self.rules.column(field_name).computed:
            self.notes.add(ref, catalogue(self.rules.lang)("refresh.computed_header"), COMMENT_AUTHOR)
        self.sheet.add_column_width(col, float(max(12, min(2 * len(header) + 2, 30))))
        self.sheet.widen_dimension(col)
        self.columns[field_name] = col
        self.fields[col] = field_name
        self.changes.append(Change(COLUMN_ADDED, ref, None, None, header))
        return col

    def put(self, kind: str, row: int, col: int, lead_id, value) -> None:
        stored = self.stored.get(self.fields.get(col), {}).get(row)
        if (row, col) not in self.pending and row not in self.formula_rows and not _blank(stored) \
                and _same(stored, value):
            return  # as the reader read it, and no formula: the cell is there and stays
        cell = self.sheet.cell(row, col)
        if cell is not None and row in self.formula_rows and cell.has_formula:
            self.planned.formulas_kept.append(f"{column_letters(col)}{row}")
            return
        old = self.value(row, col)
        if _same(old, value) or (cell is None and value is None and (row, col) not in self.pending):
            return
        self.set(row, col, value)
        self.changes.append(Change(kind, f"{column_letters(col)}{row}", lead_id, old, value))

    def tidy_estimate(self, row: int, lead_id, estimate: OwnEstimate | None) -> None:
        """An earlier estimate for a stage the lead has left is cleared, with its note; one the rep
        overwrote loses the note (the date is theirs now); one that still holds is kept."""
        if estimate is None:
            return
        ref = f"{column_letters(self.columns['stage_entered'])}{row}"
        note = self.notes.notes.get(ref)
        own_note = note is not None and (note.author == COMMENT_AUTHOR or note.text.startswith(ESTIMATE_PREFIX))
        if estimate.overwritten:
            if own_note:
                self.notes.remove(ref)
                self.changes.append(Change(COMMENT_REMOVED, ref, lead_id, estimate.estimate, estimate.value))
        elif estimate.stale:
            old = self.value(row, self.columns["stage_entered"])
            self.set(row, self.columns["stage_entered"], None)
            if own_note:
                self.notes.remove(ref)
            self.changes.append(Change(ESTIMATE_CLEARED, ref, lead_id, old, None))
        else:
            self.estimates[str(lead_id)] = (estimate.stage, estimate.estimate, estimate.refreshed)

    def estimate(self, row: int, col: int, lead_id, lead: pd.Series, entered, as_of: date) -> None:
        if not _blank(self.value(row, col)):
            return
        day = pd.Timestamp(entered).date()
        style = self.style(row, col)
        if self.styles.is_general(style):
            style = self.styles.derived(style, numFmtId=self.styles.number_format(DATE_FORMAT))
        self.set(row, col, day, style)
        last = pd.Timestamp(lead[LAST_FOLLOW_UP]).date()
        typed = round(float(lead[DWELL_DAYS_TYPED]))
        t = catalogue(self.rules.lang)
        unit = t("remind.unit.working_days" if self.rules.thresholds.dwell_in_working_days else "remind.unit.days")
        ref = f"{column_letters(col)}{row}"
        text = t(
            "refresh.estimate.note", as_of=as_of.isoformat(), stage=lead[STAGE], last=last.isoformat(),
            typed=typed, unit=unit, day=day.isoformat(),
        )
        self.notes.add(ref, text, COMMENT_AUTHOR, width=240, height=82)
        self.estimates[str(lead_id)] = (str(lead[STAGE]), day, as_of)
        self.changes.append(Change(ESTIMATE, ref, lead_id, None, day))

    def highlight(self, row: int, col: int, lead_id) -> bool:
        """Put the tool's fill on a stalled lead's cell; False when the rep's own fill is kept instead."""
        styles = self.styles
        style = self.style(row, col)
        fill = styles.fill_id(style)
        if styles.fill_is(fill, HIGHLIGHT_RGB):
            return True
        base = self.base_style(row, col)
        base_fill = styles.fill(styles.fill_id(base)) if base is not None else None
        if not styles.fill_is_empty(fill) and styles.fill(fill) != base_fill:
            return False
        self.set(row, col, style=styles.derived(style, fillId=styles.solid_fill(HIGHLIGHT_RGB)))
        self.changes.append(Change(HIGHLIGHTED, f"{column_letters(col)}{row}", lead_id, None, HIGHLIGHT_RGB))
        return True

    def unhighlight(self, keep: set[tuple[int, int]]) -> None:
        """Take the tool's fill off every cell of the sheet that is not a stalled lead's now."""
        if not self.highlight_styles:
            return
        styles, found = self.styles, []
        for row in self.sheet.rows_with_styles(self.highlight_styles):
            for col in self.sheet.cells(row):
                if (row, col) not in keep and self.style(row, col) in self.highlight_styles:
                    found.append((row, col))
        for row, col in sorted(found):
            base = self.base_style(row, col)
            fill = styles.fill_id(base) if base is not None else styles.empty_fill()
            self.set(row, col, style=styles.derived(self.style(row, col), fillId=fill))
            self.changes.append(Change(UNHIGHLIGHTED, f"{column_letters(col)}{row}", None, HIGHLIGHT_RGB, None))

    # -- into the sheet ------------------------------------------------------------------------

    def finish(self) -> None:
        """Turn the planned cells into edits of the sheet's XML."""
        for (row, col), (value, style) in self.pending.items():
            cell = self.sheet.cell(row, col)
            if value is _KEEP:
                if cell is None:
                    self.sheet.put(row, col, style, None)
                elif style != cell.style:
                    self.sheet.restyle(row, col, style)
                continue
            self.sheet.put(row, col, style, self._stored(value))

    def _stored(self, value: object) -> object:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return (value - (date(1904, 1, 1) if self.date1904 else date(1899, 12, 30))).days
        return value


def _blank(value: object) -> bool:
    kind = type(value)
    if kind is str:
        return not value.strip()
    if kind is float:
        return value != value
    if kind is int:
        return False
    return is_blank(value) or is_empty(value)


def as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _same(old: object, new: object) -> bool:
    if _blank(old):
        return new is None
    if new is None:
        return False
    if isinstance(old, str) != isinstance(new, str):
        return False
    if isinstance(new, int) and isinstance(old, (int, float)) and not isinstance(old, bool):
        return float(old) == float(new)
    if isinstance(new, date) and not isinstance(new, datetime):
        return as_date(old) == new
    return old == new
