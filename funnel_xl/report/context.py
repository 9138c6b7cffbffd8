"""What every sheet writer is handed: the figures to lay out, the workbook, formats, catalogue and
sheet names. The team report and a rep's (or channel's) workbook fill it the same way, so a sheet
is written by one function whichever workbook it is in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from ..alerts import ALERT_ORDER
from ..analysis import Analysis, View
from ..flow import BASIS_CURRENT, BASIS_LOG, BASIS_STORE, StageFlow
from ..frames import EnteredFrom, LostAtFrom, MoveSource, Status
from ..messages import Catalogue, catalogue
from ..metrics import Rate
from ..progress import WRITE, Progress, ProgressCallback, silent
from ..quality import DriftKind
from ..rules import HYGIENE_PARTS, Rules
from .names import sheet_names
from .table import Cells, Column, Formats, write_header, write_rows
from .values import counts_text, mapped_values, number_values, text_values


def _keys(prefix: str, codes) -> dict[str, str]:
    return {code: f"{prefix}.{code}" for code in codes}


# Codes shown in cells, and the message that says each in the report's language.
STATUS_KEYS = _keys("status", (Status.ACTIVE, Status.WON, Status.LOST))
ENTERED_SOURCE_KEYS = _keys("entered", (
    EnteredFrom.LOG, EnteredFrom.COLUMN, EnteredFrom.STORE, EnteredFrom.BETWEEN_RUNS, EnteredFrom.FIRST_CONTACT,
    EnteredFrom.ESTIMATED, EnteredFrom.UNKNOWN,
))
LOST_AT_SOURCE_KEYS = _keys("entered", (LostAtFrom.LOG, LostAtFrom.COLUMN, LostAtFrom.STORE))
TRANSITION_SOURCE_KEYS = _keys("move", (MoveSource.LOG, MoveSource.COLUMN, MoveSource.ESTIMATED))
BASIS_KEYS = _keys("basis", (BASIS_CURRENT, BASIS_STORE, BASIS_LOG))
ALERT_KEYS = _keys("alert", ALERT_ORDER)
HYGIENE_KEYS = {part: f"hygiene.{part}" for part in HYGIENE_PARTS}
HYGIENE_FIX_KEYS = {part: f"hygiene.{part}.fix" for part in HYGIENE_PARTS}
DRIFT_KEYS = {kind: f"drift.{kind}" for kind in DriftKind}
_LEAD_FIELD_KEYS = {
    "lead_id": "col.lead_id", "customer": "col.customer", "owner": "col.owner", "stage": "col.stage",
}
# A column the rules do not define is headed like the default rules' own header (messages "field.*").
_DEFAULT_HEADER_FIELDS = (
    "lead_id", "customer", "source", "stage", "owner", "stage_entered", "next_follow_up",
    "expected_close", "amount",
)


def field_header(rules: Rules, t: Catalogue, field: str) -> str:
    """A field's header in the rules, else the default rules' own, else the field's name."""
    try:
        return rules.header(field)
    except KeyError:
        if field in _DEFAULT_HEADER_FIELDS:
            return t(f"field.{field}", unit=rules.amount_unit)
        return field


def labels(t: Catalogue, keys: dict[str, str]) -> dict[str, str]:
    return {code: t(key) for code, key in keys.items()}


class Context:
    """A workbook being written: the analysis's shared facts, one view's rows, and the helpers
    every sheet uses (headers, titles, k/n texts)."""

    def __init__(
        self, workbook, analysis: Analysis, view: View, progress: ProgressCallback = silent, *,
        rep_names: dict[str, str] | None = None, dimension_names: dict[str, str] | None = None,
    ):
        """``rep_names``, ``dimension_names``: the team report's sheet for each rep and for each
        further dimension's table."""
        self.workbook = workbook
        self.progress = progress
        self.rules: Rules = analysis.rules
        self.as_of: date = analysis.as_of
        self.period = analysis.period
        self.flow: StageFlow = analysis.flow
        self.history: Path | None = analysis.history
        self.review = analysis.review
        self.view = view
        self.formats = Formats(workbook)
        self.as_of_text = analysis.as_of.isoformat()
        self.t = t = catalogue(self.rules.lang)
        self.min_sample = self.rules.thresholds.min_sample
        self.unit = self.rules.amount_unit
        self.channel = self.rules.channel_field
        self.sheets = sheet_names(self.rules.lang)
        self.status_labels = labels(t, STATUS_KEYS)
        self.alert_labels = labels(t, ALERT_KEYS)
        self.rep_names = rep_names or {}
        self.dimension_names = dimension_names or {}

    # The view's rows and figures, by their usual names.
    figures = property(lambda self: self.view.figures)
    team = property(lambda self: self.view.team)
    leads = property(lambda self: self.view.leads)
    alerts = property(lambda self: self.view.alerts)
    problems = property(lambda self: self.view.problems)
    excluded = property(lambda self: self.view.excluded)
    inputs = property(lambda self: self.view.inputs)
    quality = property(lambda self: self.view.quality)
    forecast = property(lambda self: self.view.forecast)

    @property
    def is_team_record(self) -> bool:
        """The team report (a rep's workbook counts only their own rows)."""
        return not self.view.kind

    def heading(self) -> str:
        """A group workbook's heading, e.g. "张伟 · 截至 2024-05-31"."""
        return self.t(f"group.heading.{self.view.kind}", name=self.view.name, as_of=self.as_of_text)

    def add_sheet(self, name: str):
        self.progress(Progress(WRITE, name))
        return self.workbook.add_worksheet(name)

    def rows(self, sheet, first_row: int, columns: Sequence[Column]) -> int:
        """:func:`write_rows`, telling ``progress`` how far a long sheet has got."""
        def on_rows(done: int, total: int) -> None:
            self.progress(Progress(WRITE, sheet.name, done, total))

        return write_rows(sheet, self.formats, first_row, columns, on_rows)

    def header(self, field: str) -> str:
        return field_header(self.rules, self.t, field)

    def yes_no(self, value: bool) -> str:
        return self.t("yes") if value else self.t("no")

    def mapped(self, frame: pd.DataFrame, column: str, keys: dict[str, str]) -> list:
        return mapped_values(frame, column, labels(self.t, keys))

    def counts(self, rate: Rate) -> str | None:
        """A rate's k/n and 95% interval, "样本少" (small sample) added when it is one."""
        return counts_text(rate, self.min_sample, self.t("small_sample"))

    def title(self, cells: Cells, text: str, note: str = "") -> None:
        cells.put(0, 0, text, "title")
        if note:
            cells.put(1, 0, note, "note")

    def start(self, name: str, title: str, note: str = "") -> tuple[object, Cells]:
        """A new sheet with its title (and note) collected in its cells."""
        sheet = self.add_sheet(name)
        cells = Cells(sheet, self.formats)
        self.title(cells, title, note)
        return sheet, cells

    def lead_columns(self, frame: pd.DataFrame, fields: Sequence[str]) -> list[Column]:
        """Columns of a listing's lead fields as text, e.g. 线索编号, 客户名称, 负责人, 所属阶段."""
        return [Column(self.t(_LEAD_FIELD_KEYS[field]), text_values(frame, field)) for field in fields]

    def source_columns(self, frame: pd.DataFrame) -> list[Column]:
        """Where each row came from: its file and Excel row."""
        return [
            Column(self.t("col.source_file"), text_values(frame, "_file")),
            Column(self.t("col.source_row"), number_values(frame, "_row"), "row"),
        ]

    def stage_limit(self, stage_idx: list) -> list:
        limits = [float(s.max_dwell_days) for s in self.rules.stages]
        return [None if i is None else limits[int(i)] for i in stage_idx]

    def table(self, sheet, head: int, columns: Sequence[Column]) -> int:
        """A table's header at ``head`` and its rows below; returns the row after the last."""
        write_header(sheet, self.formats, head, columns)
        return self.rows(sheet, head + 1, columns)

    def titled_table(self, sheet, row: int, title: str, columns: Sequence[Column], none: str) -> int:
        """A subtitle at ``row``, the table below it, and ``none`` when it has no rows; returns
        the row after the block."""
        sheet.write_string(row, 0, title, self.formats("subtitle"))
        end = self.table(sheet, row + 1, columns)
        if end == row + 2:
            sheet.write_string(end, 0, none, self.formats("note"))
            end += 1
        return end
