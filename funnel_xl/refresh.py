"""Give the reps their sheet back: the recalculated columns written into their own workbook, in place.

``refresh`` validates a tracking workbook and recalculates its leads as ``rebuild`` does
(:func:`funnel_xl.pipeline.recalculate_workbook`; the same bytes are read and rewritten; its
follow-up log, when it has one, dates the stages first; the history store is ``rebuild``'s and is
not read here) and changes only

- 当前阶段停留时长(天): the dwell days (blank for won, lost and unknown);
- 转化率/阶段通过率(可选): the pass-rate text;
- 阶段进入日期, only where the cell is blank and the date had to be estimated: the estimate, with a
  note saying so (:data:`ESTIMATE_PREFIX`), so that later runs start from a date instead of
  re-estimating from a dwell value the tool itself wrote;
- the fill of the 线索编号 and dwell cells of stalled leads (:data:`HIGHLIGHT_RGB`, an exact colour the
  tool recognises as its own, so it can take the highlight off again; any other fill is the rep's and
  is never touched).

A column the sheet lacks is added after the last used column under the rules' header, only when
there is something to write into it. Rows with errors are left as they are.

The workbook is edited part by part (:mod:`funnel_xl.xlsx_parts`): the leads sheet's XML gets the
changed cells spliced in, the styles part the highlight and date formats, the sheet's notes part
and its VML drawing the estimate notes; every other part — charts, pictures, pivot tables,
slicers, tables, macros, other sheets — is copied byte for byte.

When a lead has moved on, the tool's own earlier values no longer apply and are not reused: an
estimate written for another stage is cleared (with its note), and a dwell value that the last
refresh wrote for a lead then in the first stage is ignored. The tool's state is kept in custom
document properties: the last refresh's as-of date (:data:`REFRESHED_PROPERTY`) and the estimates
standing (:data:`ESTIMATES_PROPERTY`); a workbook refreshed by an earlier version has only the
notes, and its estimates are recognised by their text. Such a lead's entry date is unknown until
the rep fills 阶段进入日期, and the result says so.

Safe by default: the workbook is refused when it is open in Excel, WPS or LibreOffice (a lock file
beside it), read-only, encrypted, or not an .xlsx/.xlsm; the new file is written beside the old one
and moved into place only when complete, after a timestamped backup; nothing is written when
nothing changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from .atomic import atomic_path, write_bytes_atomic
from .container import column_index, column_letters
from .errors import InputError, Joined, OutputError, Say, os_error_reason
from .files import MB, read_regular_file
from .frames import (
    DWELL_DAYS_TYPED,
    ERROR,
    FIRST_CONTACT,
    LEAD_ID,
    ROW,
    STAGE,
    STAGE_ENTERED_COLUMN,
    dates,
    numbers,
)
from .inputs import backup_path, lock_files
from .messages import catalogue
from .metrics import dwell_between, working_days_for
from .period import resolve_as_of
from .pipeline import Recalculated, recalculate_workbook
from .problems import Problem
from .progress import READ, SAVE, WRITE, Progress, ProgressCallback, silent
from .reader import LeadsSheet, read_workbook
from .refresh_writer import (  # noqa: F401  (the kinds of change are part of this module's API)
    COLUMN_ADDED,
    COMMENT_AUTHOR,
    COMMENT_REMOVED,
    DWELL,
    ESTIMATE,
    ESTIMATE_CLEARED,
    ESTIMATE_PREFIX,
    HIGHLIGHT_RGB,
    HIGHLIGHTED,
    PASS_RATE,
    UNHIGHLIGHTED,
    Change,
    OwnEstimate,
    Writer,
    as_date,
)
from .rules import Rules
from .validate import Validated
from .xlsx_book import RefreshedBook

REFRESHED_PROPERTY = "funnel-xl 刷新截止日"
# The estimates standing, as JSON [[lead ID, stage, estimate, refreshed], …], cut into properties
# "funnel-xl 估算 1", "… 2" of at most 255 characters (what Excel keeps of a text property).
ESTIMATES_PROPERTY = "funnel-xl 估算"
_PROPERTY_TEXT = 255
_ESTIMATE_TEXT = re.compile(
    re.escape(ESTIMATE_PREFIX) + r"（(\d{4}-\d{2}-\d{2}) 刷新）：「(.+?)」阶段.*?估算为 (\d{4}-\d{2}-\d{2})",
    re.DOTALL,
)
# The formats read but never written back: the message key of each (refresh.refused.<key>).
REFUSED_SUFFIXES = {".xls": "xls", ".xlsb": "xlsb", ".ods": "ods"}
REFRESHED_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class RefreshResult:
    path: Path
    sheet: str
    as_of: date
    recalculated: Recalculated
    changes: list[Change] = field(default_factory=list)
    written: bool = False
    backup: Path | None = None
    stalled: list[str] = field(default_factory=list)  # lead IDs highlighted now
    rep_fills_kept: list[str] = field(default_factory=list)  # stalled cells left in the rep's colour
    entered_unknown: list[tuple[str, int]] = field(default_factory=list)  # (lead ID, row), active
    formulas_kept: list[str] = field(default_factory=list)  # computed cells holding the rep's formula
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.recalculated.problems

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


def refresh_workbook(
    path: str | Path, rules: Rules, *, as_of: date | None = None, month: str | None = None,
    backup: bool = True, today: date | None = None, now: datetime | None = None,
    progress: ProgressCallback | None = None,
) -> RefreshResult:
    """Recalculate the workbook at ``path`` and write the computed columns back into it.

    Raises :class:`InputError` when the workbook must not or cannot be refreshed (nothing is written
    then) and :class:`OutputError` when the new file or the backup cannot be written. ``progress``
    is told as each step starts (see :mod:`funnel_xl.progress`).
    """
    progress = progress or silent
    # Through a symbolic link, the workbook it points to is refreshed (and backed up beside it);
    # writing at the link's path would replace the link with a copy and leave the workbook as it was.
    path = Path(path).resolve() if Path(path).is_symlink() else Path(path)
    _check_target(path)
    as_of, _period = resolve_as_of(as_of, month, today)
    progress(Progress(READ, path.name))
    content = read_regular_file(
        path, rules.limits.max_file_mb * MB, what=Say("files.workbook"), limit_key="[limits] max_file_mb"
    )
    book = read_workbook(path, rules, content=content)
    sheet = book.leads
    target = _open(path, content, sheet)
    _check_formulas(path, target, sheet)
    previous = _previous_refresh(target.properties)
    own: dict[int, OwnEstimate] = {}

    def set_aside(validated: Validated) -> Validated:
        own.update(_own_estimates(target, sheet, validated))
        return _without_own_values(validated, own, previous, rules)

    recalculated = recalculate_workbook(book, rules, as_of, prepare=set_aside, progress=progress)
    del book  # the log's frames, most of the memory at 100k leads, are not needed to write
    result = RefreshResult(path=path, sheet=sheet.sheet, as_of=as_of, recalculated=recalculated)

    progress(Progress(WRITE, sheet.sheet))
    writer = Writer(target.sheet, target.styles, target.notes, sheet, rules)
    writer.apply(recalculated.result.leads, own, as_of)
    result.changes = writer.changes
    planned = writer.planned
    result.stalled, result.rep_fills_kept = planned.stalled, planned.rep_fills_kept
    result.entered_unknown, result.formulas_kept = planned.entered_unknown, planned.formulas_kept
    if not result.changes:
        return result
    writer.finish()
    if target.has_formulas(sheet.formula_free):
        # Cached results of formulas that read the changed cells are stale: Excel/WPS recalculate on open.
        target.recalculate_on_load()
        result.notes.append(catalogue(rules.lang)("refresh.formulas_recalculated"))
    target.set_properties(_state(as_of, writer.estimates), _ours)
    progress(Progress(SAVE, path.name))
    _check_unchanged(path, content)
    if backup:
        result.backup = backup_path(path, now or datetime.now())
        write_bytes_atomic(result.backup, content)
    with atomic_path(path) as tmp:
        target.write(tmp)
    result.written = True
    return result


# ---------------------------------------------------------------------------
# Refusals: nothing is written in any of these cases.
# ---------------------------------------------------------------------------

def _check_target(path: Path) -> None:
    if not path.exists():
        raise InputError(Say("refresh.not_found", path=path))
    if path.is_dir():
        raise InputError(Say("refresh.folder", path=path))
    suffix = path.suffix.lower()
    if suffix in REFUSED_SUFFIXES:
        what = Say(f"refresh.refused.{REFUSED_SUFFIXES[suffix]}")
        raise InputError(Say("refresh.refused", name=path.name, what=what))
    if suffix not in REFRESHED_SUFFIXES:
        raise InputError(Say("refresh.not_xlsx", name=path.name, suffix=path.suffix))
    for lock in lock_files(path):
        if lock.exists():
            raise InputError(Say("refresh.locked", name=path.name, lock=lock.name))
    if not _writable(path):
        raise InputError(Say("refresh.read_only", name=path.name))
    if not _writable(path.parent):
        raise InputError(Say("refresh.folder_read_only", folder=path.parent))


def _writable(path: Path) -> bool:
    """Writable for us and not marked read-only (no write bit: the Windows read-only attribute)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return os.access(path, os.W_OK) and bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _open(path: Path, content: bytes, sheet: LeadsSheet) -> RefreshedBook:
    try:
        return RefreshedBook.open(content, sheet.sheet)
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise InputError(Say("refresh.unparsable", name=path.name, sheet=sheet.sheet, error=exc)) from None


def _check_formulas(path: Path, target: RefreshedBook, sheet: LeadsSheet) -> None:
    """A formula in a column the tool reads: its cached result may be stale, and one without a
    result reads as blank. Refuse, saying which cells."""
    read = {
        column: sheet.headers.get(field_name, field_name)
        for field_name, letter in sheet.letters.items()
        if field_name not in ("dwell_days", "pass_rate_text")
        for column in [column_index(letter)]
    }
    found = []
    for row in sorted(target.sheet.rows_with_formulas()):
        if row <= sheet.header_row:
            continue
        for col, cell in sorted(target.sheet.cells(row).items()):
            if col in read and cell.has_formula:
                found.append(f"{column_letters(col)}{row}({read[col]})")
    if found:
        more = Say("refresh.formulas.more", count=len(found)) if len(found) > 5 else ""
        raise InputError(
            Say("refresh.formulas", name=path.name, sheet=sheet.sheet, cells=Joined(found[:5]), more=more)
        )


def _check_unchanged(path: Path, content: bytes) -> None:
    try:
        now = path.read_bytes()
    except OSError as exc:
        raise OutputError(Say("refresh.unreadable", path=path, reason=os_error_reason(exc))) from None
    if hashlib.sha256(now).digest() != hashlib.sha256(content).digest():
        raise OutputError(Say("refresh.changed_meanwhile", name=path.name))


# ---------------------------------------------------------------------------
# The tool's own earlier values
# ---------------------------------------------------------------------------

def _ours(name: str) -> bool:
    return name == REFRESHED_PROPERTY or name.startswith(ESTIMATES_PROPERTY)


def _previous_refresh(properties: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(properties[REFRESHED_PROPERTY].strip())
    except (KeyError, ValueError):
        return None


def _state(as_of: date, estimates: dict[str, tuple[str, date, date]]) -> dict[str, str]:
    """The custom properties that keep the tool's state (see :data:`ESTIMATES_PROPERTY`)."""
    text = json.dumps(
        [[lead_id, stage, day.isoformat(), refreshed.isoformat()]
         for lead_id, (stage, day, refreshed) in sorted(estimates.items())],
        ensure_ascii=False, separators=(",", ":"),
    )
    pieces = [text[i:i + _PROPERTY_TEXT] for i in range(0, len(text), _PROPERTY_TEXT)]
    state = {REFRESHED_PROPERTY: as_of.isoformat()}
    state.update({f"{ESTIMATES_PROPERTY} {n}": piece for n, piece in enumerate(pieces, start=1)})
    return state


def _stored_estimates(properties: dict[str, str]) -> dict[str, tuple[date, str, date]] | None:
    """The estimates the last refresh left, by lead ID: (refreshed, stage, estimate); None when the
    workbook keeps none (never refreshed, or refreshed by a version that kept only notes)."""
    numbered = re.compile(re.escape(ESTIMATES_PROPERTY) + r" (\d+)$")
    pieces = sorted((int(m[1]), value) for name, value in properties.items() if (m := numbered.match(name)))
    if not pieces:
        return None
    try:
        rows = json.loads("".join(value for _, value in pieces))
        return {
            str(lead_id): (date.fromisoformat(refreshed), str(stage), date.fromisoformat(day))
            for lead_id, stage, day, refreshed in rows
        }
    except (ValueError, TypeError):
        return None


def _noted_estimates(target: RefreshedBook, column: int, rows: list[int]) -> dict[int, tuple[date, str, date]]:
    """The estimates an earlier version recorded only in its notes, by row: (refreshed, stage, estimate)."""
    found = {}
    for row in rows:
        note = target.notes.notes.get(f"{column_letters(column)}{row}")
        match = _ESTIMATE_TEXT.search(note.text) if note is not None else None
        if match is None:
            continue
        try:
            found[row] = (date.fromisoformat(match[1]), match[2], date.fromisoformat(match[3]))
        except ValueError:
            continue
    return found


def _own_estimates(target: RefreshedBook, sheet: LeadsSheet, validated: Validated) -> dict[int, OwnEstimate]:
    """The estimates the tool wrote into the 阶段进入日期 cells of valid rows, by Excel row."""
    leads = validated.leads
    if "stage_entered" not in sheet.letters or leads.empty:
        return {}
    column = column_index(sheet.letters["stage_entered"])
    valid = leads[~leads[ERROR]]
    rows = [int(r) for r in valid[ROW]]
    stages = dict(zip(rows, valid[STAGE], strict=True))
    ids = dict(zip(rows, valid[LEAD_ID].astype(str), strict=True))
    stored = _stored_estimates(target.properties)
    if stored is None:
        found = _noted_estimates(target, column, rows)
    else:
        found = {row: stored[ids[row]] for row in rows if ids[row] in stored}
    cells = dict(zip(sheet.frame[ROW].astype(int), sheet.frame["stage_entered"], strict=True)) if found else {}
    return {
        row: OwnEstimate(row, refreshed, stage, estimate, as_date(cells.get(row)), stages[row], ids[row])
        for row, (refreshed, stage, estimate) in found.items()
    }


def _without_own_values(validated: Validated, own: dict[int, OwnEstimate], previous: date | None,
                        rules: Rules) -> Validated:
    """The validated leads with the values the tool wrote itself for a stage the lead has left
    blanked (a copy; ``validated`` is left as it is):

    - an estimate made for another stage (and the dwell value written with it);
    - for a lead past the first stage without an entry date, a dwell value equal to what the last
      refresh (``previous``) wrote while the lead was in the first stage: as-of − first contact.
    """
    leads = validated.leads
    if leads.empty:
        return validated
    leads = leads.copy()
    stale = leads[ROW].isin([row for row, e in own.items() if e.stale])
    if STAGE_ENTERED_COLUMN in leads:
        leads.loc[stale, STAGE_ENTERED_COLUMN] = pd.NaT
    if DWELL_DAYS_TYPED in leads:
        if previous is not None and FIRST_CONTACT in leads:
            no_date = dates(leads, STAGE_ENTERED_COLUMN).isna()
            past_first = leads[STAGE].notna() & (leads[STAGE] != rules.stage_names[0])
            first_contact = dates(leads, FIRST_CONTACT)
            # What the last refresh wrote for the first stage, counted as the rules count dwell.
            working = working_days_for(leads, rules, previous)
            first_stage_dwell = dwell_between(first_contact, pd.Timestamp(previous), working)
            typed = numbers(leads, DWELL_DAYS_TYPED)
            written_by_tool = (typed == first_stage_dwell).fillna(False).astype(bool)
            stale = stale | (no_date & past_first & written_by_tool)
        leads.loc[stale, DWELL_DAYS_TYPED] = float("nan")
    return dataclasses.replace(validated, leads=leads, problems=list(validated.problems))
