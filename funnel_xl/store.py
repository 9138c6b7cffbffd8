"""The history store: what each monthly rebuild saw, in an embedded SQLite file (standard library).

One snapshot per calendar month: per lead its stage, owner, source, amount, expected close date,
first contact, the stage-entered date (and its source) and lost-at stage the rebuild used; and the
run itself (as-of date, input files and their SHA-256, rules SHA-256, tool version, when, and the
month's figures for the trend, and whether it was taken on time or reconstructed later). Re-running
a month replaces its snapshot in one transaction, except that a reconstructed run never replaces an
on-time one (:meth:`HistoryStore.record` says which happened); months can be rebuilt in any order.

The schema is versioned (table ``schema_version``); an older store is migrated by the ordered
functions in ``MIGRATIONS``, never dropped. A damaged, foreign or locked file raises
:class:`InputError` / :class:`OutputError` that says the month can go on without the store
(``remedy`` :data:`~funnel_xl.errors.Remedy.SKIP_HISTORY`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from . import frames
from .errors import InputError, Joined, OutputError, Remedy, Say, os_error_reason
from .flow import MonthFigures, PreviousSnapshot
from .period import Period, PeriodKind, month_period

# The first bytes of every SQLite database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
# Seconds to wait for another process (a second rebuild) to release the store.
LOCK_TIMEOUT_SECONDS = 10.0


def _v1(conn: sqlite3.Connection) -> None:
    """The first store: runs and per-lead snapshots."""
    conn.execute(
        """CREATE TABLE runs (
            month TEXT PRIMARY KEY,
            as_of TEXT NOT NULL,
            inputs TEXT NOT NULL,
            rules_sha256 TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            created TEXT NOT NULL
        )"""
    )
    conn.execute(
        """CREATE TABLE snapshots (
            month TEXT NOT NULL REFERENCES runs(month) ON DELETE CASCADE,
            lead_id TEXT NOT NULL,
            stage TEXT,
            owner TEXT,
            source TEXT,
            amount REAL,
            stage_entered TEXT,
            stage_entered_source TEXT,
            PRIMARY KEY (month, lead_id)
        ) WITHOUT ROWID"""
    )


def _v2(conn: sqlite3.Connection) -> None:
    """Expected close date (for slipping deals), first contact, lost-at and the 阶段进入日期 the
    sheet showed, per lead; the month's figures per run (for the trend). Older snapshots keep NULL
    there."""
    conn.execute("ALTER TABLE snapshots ADD COLUMN expected_close TEXT")
    conn.execute("ALTER TABLE snapshots ADD COLUMN first_contact TEXT")
    conn.execute("ALTER TABLE snapshots ADD COLUMN lost_at TEXT")
    conn.execute("ALTER TABLE snapshots ADD COLUMN stage_entered_column TEXT")
    conn.execute("ALTER TABLE runs ADD COLUMN figures TEXT")


def _v3(conn: sqlite3.Connection) -> None:
    """Reminders by mail: per owner and item (an alert kind and a lead), the day it was first seen
    due and the day it was last mailed (NULL: not mailed yet)."""
    conn.execute(
        """CREATE TABLE reminders (
            owner TEXT NOT NULL,
            item TEXT NOT NULL,
            first_due TEXT NOT NULL,
            last_sent TEXT,
            PRIMARY KEY (owner, item)
        ) WITHOUT ROWID"""
    )


def _v4(conn: sqlite3.Connection) -> None:
    """Whether a run was taken on time (the workbook showed nothing dated after the as-of date) or
    reconstructed later from a sheet that had moved on: 1 or 0; NULL for runs kept before (not
    known)."""
    conn.execute("ALTER TABLE runs ADD COLUMN on_time INTEGER")


def _v5(conn: sqlite3.Connection) -> None:
    """Periods of any length: each run's kind (month, week or span), its key in ``month`` (2024-05,
    2024-W22, 2024-05-03_2024-05-17); runs kept before are months."""
    conn.execute("ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'month'")


# MIGRATIONS[i] brings a store from version i to version i + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2, _v3, _v4, _v5)
SCHEMA_VERSION = len(MIGRATIONS)
SNAPSHOT_FIELDS = (
    frames.LEAD_ID, frames.STAGE, frames.OWNER, frames.SOURCE, frames.AMOUNT, frames.EXPECTED_CLOSE,
    frames.FIRST_CONTACT, frames.STAGE_ENTERED, frames.STAGE_ENTERED_SOURCE, frames.LOST_AT,
    frames.STAGE_ENTERED_COLUMN,
)
_KEYS = {
    PeriodKind.MONTH: re.compile(r"\d{4}-(0[1-9]|1[0-2])"),
    PeriodKind.WEEK: re.compile(r"\d{4}-W(0[1-9]|[1-4]\d|5[0-3])"),
    PeriodKind.SPAN: re.compile(r"\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}"),
}
# The dates pandas can count with (nanosecond timestamps): any other date in the store is damage.
_FIRST_DAY = (pd.Timestamp.min + pd.Timedelta(days=1)).date()
_LAST_DAY = pd.Timestamp.max.date()
_DATE_FIELDS = (
    frames.EXPECTED_CLOSE, frames.FIRST_CONTACT, frames.STAGE_ENTERED, frames.STAGE_ENTERED_COLUMN,
)


class Recorded(StrEnum):
    """What :meth:`HistoryStore.record` did with a run."""

    NEW = "new"  # the period had no run yet
    REPLACED = "replaced"  # an earlier run of the period was replaced
    KEPT_ON_TIME = "kept_on_time"  # a reconstructed run left the period's on-time run as it was


@dataclass(frozen=True)
class RunRecord:
    """One rebuild as the store keeps it."""

    month: str
    as_of: date
    inputs: list[dict]  # [{"file": name, "sha256": …}]
    rules_sha256: str
    tool_version: str
    created: str
    figures: MonthFigures | None
    on_time: bool | None = None  # None: kept before the store told (format version 3 and older)
    kind: PeriodKind = PeriodKind.MONTH  # ``month`` holds the period's key: 2024-05, 2024-W22, …


class HistoryStore:
    """A history store file. Opening never creates it: reading a missing store finds no history."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    # -- reading ---------------------------------------------------------------------

    def previous(self, as_of: date, period: Period | None = None) -> PreviousSnapshot | None:
        """The latest snapshot of a period of the same kind before ``period`` (default: as-of's
        month), or None."""
        period = period or month_period(as_of)
        with self._connect(write=False) as conn:
            if conn is None:
                return None
            row = conn.execute(
                "SELECT month, as_of FROM runs WHERE month < ? AND kind = ? ORDER BY month DESC LIMIT 1",
                (period.key, str(period.kind)),
            ).fetchone()
            if row is None:
                return None
            frame = pd.read_sql_query(
                "SELECT lead_id, stage, stage_entered, stage_entered_source, lost_at,"
                " stage_entered_column FROM snapshots WHERE month = ?",
                conn, params=(row[0],),
            )
        self._check_dates(frame, ("stage_entered", "stage_entered_column"), row[0])
        for column in ("stage_entered", "stage_entered_column"):
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype("datetime64[ns]")
        return PreviousSnapshot(month=row[0], as_of=self._date(row[1], Say("store.as_of_of", month=row[0])), leads=frame)

    def runs(self, kind: PeriodKind | None = None) -> list[RunRecord]:
        """Every run kept (of one ``kind`` of period, default all), oldest first by key."""
        with self._connect(write=False) as conn:
            if conn is None:
                return []
            rows = conn.execute(
                "SELECT month, as_of, inputs, rules_sha256, tool_version, created, figures, on_time,"
                " kind FROM runs ORDER BY month"
            ).fetchall()
        runs = [self._run(*row) for row in rows]
        return [r for r in runs if kind is None or r.kind == kind]

    def _run(
        self, month: str, as_of: str, inputs: str, rules_sha256: str, tool_version: str, created: str,
        figures: str | None, on_time: int | None = None, kind: str = PeriodKind.MONTH,
    ) -> RunRecord:
        pattern = _KEYS.get(kind) if kind in set(PeriodKind) else None
        if pattern is None or not isinstance(month, str) or not pattern.fullmatch(month):
            raise self._damaged(Say("store.bad_period", month=month, kind=kind))
        try:
            files = json.loads(inputs)
            month_figures = MonthFigures.from_json(json.loads(figures)) if figures else None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self._damaged(Say("store.bad_run", month=month, error=type(exc).__name__)) from None
        if not isinstance(files, list):
            raise self._damaged(Say("store.bad_inputs", month=month))
        return RunRecord(
            month=month, as_of=self._date(as_of, Say("store.as_of_of", month=month)), inputs=files,
            rules_sha256=rules_sha256, tool_version=tool_version, created=created, figures=month_figures,
            on_time=None if on_time is None else bool(on_time), kind=PeriodKind(kind),
        )

    def snapshot(self, month: str) -> pd.DataFrame:
        """The per-lead snapshot of a period, by its key (empty when it was never rebuilt)."""
        with self._connect(write=False) as conn:
            if conn is None:
                return pd.DataFrame(columns=list(SNAPSHOT_FIELDS))
            frame = pd.read_sql_query(
                f"SELECT {', '.join(SNAPSHOT_FIELDS)} FROM snapshots"
                " WHERE month = ? ORDER BY lead_id",
                conn, params=(month,),
            )
        self._check_dates(frame, _DATE_FIELDS, month)
        return frame

    # -- checking what was read ------------------------------------------------------

    def _date(self, text: object, what: Say) -> date:
        """A date the store holds: ISO text within the range pandas can count with."""
        try:
            day = date.fromisoformat(text) if isinstance(text, str) else None
        except ValueError:
            day = None
        if day is None or not _FIRST_DAY <= day <= _LAST_DAY:
            raise self._damaged(Say("store.bad_date", what=what, text=text))
        return day

    def _check_dates(self, frame: pd.DataFrame, columns: tuple[str, ...], month: str) -> None:
        for column in columns:
            for text in frame[column].dropna().unique():
                self._date(text, Say("store.snapshot_column", month=month, column=column))

    def _damaged(self, detail: Say) -> InputError:
        return _error(InputError, Say("store.damaged", path=self.path, detail=detail), Say("store.advice.restore"))

    # -- writing ---------------------------------------------------------------------

    def record(
        self, as_of: date, leads: pd.DataFrame, *, inputs: list[dict], rules_sha256: str,
        tool_version: str, figures: MonthFigures | None, created: datetime | None = None,
        on_time: bool = True, period: Period | None = None,
    ) -> Recorded:
        """Keep this rebuild: replace its period (default: as-of's month; its run and snapshot) in
        one transaction.

        ``on_time`` False: the run was reconstructed from a workbook that had moved on since the
        as-of date; it never replaces a run of the month taken on time (:data:`Recorded.KEPT_ON_TIME`:
        nothing written), so what was seen then stays what the trend and the forecast read."""
        period = period or month_period(as_of)
        month = period.key
        created = (created or datetime.now(UTC)).isoformat(timespec="seconds")
        rows = _snapshot_rows(leads)
        with self._connect(write=True) as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                kept = conn.execute("SELECT on_time FROM runs WHERE month = ?", (month,)).fetchone()
                if kept is not None and kept[0] == 1 and not on_time:
                    conn.execute("ROLLBACK")
                    return Recorded.KEPT_ON_TIME
                conn.execute("DELETE FROM snapshots WHERE month = ?", (month,))
                conn.execute("DELETE FROM runs WHERE month = ?", (month,))
                conn.execute(
                    "INSERT INTO runs (month, as_of, inputs, rules_sha256, tool_version, created,"
                    " figures, on_time, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        month, as_of.isoformat(), json.dumps(inputs, ensure_ascii=False),
                        rules_sha256, tool_version, created,
                        json.dumps(figures.as_json(), ensure_ascii=False) if figures else None,
                        int(on_time), str(period.kind),
                    ),
                )
                conn.executemany(
                    f"INSERT OR REPLACE INTO snapshots (month, {', '.join(SNAPSHOT_FIELDS)})"
                    f" VALUES (?, {', '.join('?' * len(SNAPSHOT_FIELDS))})",
                    ((month, *row) for row in rows),
                )
                conn.execute("COMMIT")
            except sqlite3.Error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return Recorded.NEW if kept is None else Recorded.REPLACED

    def reminders(self) -> dict[tuple[str, str], tuple[date, date | None]]:
        """Every reminder item kept: (owner, item) → (first due, last mailed or None)."""
        with self._connect(write=False) as conn:
            if conn is None:
                return {}
            rows = conn.execute("SELECT owner, item, first_due, last_sent FROM reminders").fetchall()
        return {
            (owner, item): (date.fromisoformat(first), date.fromisoformat(last) if last else None)
            for owner, item, first, last in rows
        }

    def settle_reminders(self, day: date, due: list[tuple[str, str]]) -> None:
        """Keep exactly the items ``due`` on ``day``: a new one is first due today, one no longer
        due is forgotten (if it falls due again it is new again)."""
        with self._connect(write=True) as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("CREATE TEMP TABLE due (owner TEXT, item TEXT)")
                conn.executemany("INSERT INTO due VALUES (?, ?)", due)
                conn.execute(
                    "DELETE FROM reminders WHERE (owner, item) NOT IN (SELECT owner, item FROM due)"
                )
                conn.execute(
                    "INSERT OR IGNORE INTO reminders (owner, item, first_due)"
                    " SELECT owner, item, ? FROM due", (day.isoformat(),),
                )
                conn.execute("DROP TABLE due")
                conn.execute("COMMIT")
            except sqlite3.Error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def mark_sent(self, day: date, items: list[tuple[str, str]]) -> None:
        """The items of one message the server accepted (or the outbox holds) were mailed on ``day``."""
        with self._connect(write=True) as conn:
            conn.execute("BEGIN IMMEDIATE")  # one transaction: one sync to disk, not one per item
            try:
                conn.executemany(
                    "UPDATE reminders SET last_sent = ? WHERE owner = ? AND item = ?",
                    [(day.isoformat(), owner, item) for owner, item in items],
                )
                conn.execute("COMMIT")
            except sqlite3.Error:
                conn.execute("ROLLBACK")
                raise

    # -- the connection --------------------------------------------------------------

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[sqlite3.Connection | None]:
        """An open, migrated connection; None when reading a store that does not exist."""
        if not self.path.exists():
            if not write:
                yield None
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                problem = Say("store.cannot_create", path=self.path, reason=os_error_reason(exc))
                raise _error(OutputError, problem) from None
        if self.path.is_dir():
            raise _error(InputError, Say("store.folder", path=self.path), Say("store.advice.other_path"))
        if self.path.exists():
            self._check_kind()
        try:
            conn = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error(exc, write=write) from None
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate(conn)
            yield conn
        except (sqlite3.Error, pd.errors.DatabaseError) as exc:
            raise self._error(exc, write=write) from None
        finally:
            conn.close()

    def _check_kind(self) -> None:
        """A file that is not SQLite at all is a wrong path, not a damaged store: say so."""
        try:
            with self.path.open("rb") as f:
                head = f.read(len(SQLITE_MAGIC))
        except OSError as exc:
            problem = Say("store.unreadable", path=self.path, reason=os_error_reason(exc))
            raise _error(InputError, problem) from None
        if head and head != SQLITE_MAGIC:
            raise _error(InputError, Say("store.not_sqlite", path=self.path), Say("store.advice.check_path"))

    def _migrate(self, conn: sqlite3.Connection) -> None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "schema_version" not in tables:
            if tables:
                problem = Say("store.foreign", path=self.path, tables=Joined(sorted(tables)))
                raise _error(InputError, problem, Say("store.advice.another_file"))
            version = 0
        else:
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if not isinstance(version, int) or version < 0:
                raise self._damaged(Say("store.bad_version", version=version))
        if version > SCHEMA_VERSION:
            problem = Say("store.newer", path=self.path, version=version, supported=SCHEMA_VERSION)
            raise _error(InputError, problem, Say("store.advice.upgrade"))
        if version == SCHEMA_VERSION:
            return
        # Every step and the new version number commit together, or not at all.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if version == 0:
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            for migrate in MIGRATIONS[version:]:
                migrate(conn)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _error(self, exc: Exception, *, write: bool) -> InputError | OutputError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return _error(OutputError, Say("store.locked", path=self.path, error=text), Say("store.advice.wait"))
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return _error(InputError, Say("store.corrupt", path=self.path, error=text), Say("store.advice.restore"))
        return _error(OutputError if write else InputError, Say("store.unusable", path=self.path, error=text))


def _error(
    kind: type[InputError | OutputError], problem: Say, advice: Say | None = None
) -> InputError | OutputError:
    """A store error: what is wrong, then what to do; the month can always go on without the store
    (:data:`Remedy.SKIP_HISTORY`), which the caller offers in its own terms."""
    text = Say("error.with_advice", problem=problem, advice=advice) if advice else problem
    return kind(text, remedy=Remedy.SKIP_HISTORY, advice=advice, problem=problem)


def _snapshot_rows(leads: pd.DataFrame) -> list[tuple]:
    """The snapshot's rows as plain Python values (dates as ISO text, blanks as NULL)."""
    columns = []
    n = len(leads)
    for name in SNAPSHOT_FIELDS:
        if name not in leads:
            frames.values(leads, name)  # only an optional lead column may be missing
            columns.append([None] * n)
        elif name in _DATE_FIELDS:
            days = pd.to_datetime(leads[name], errors="coerce")
            text = days.dt.strftime("%Y-%m-%d")
            columns.append([None if pd.isna(v) else v for v in text.tolist()])
        elif name == frames.AMOUNT:
            values = pd.to_numeric(leads[name], errors="coerce")
            values = values.to_numpy(dtype=float, na_value=np.nan)
            columns.append([None if np.isnan(v) else v for v in values.tolist()])
        else:
            values = leads[name].astype(object).where(leads[name].notna(), None)
            columns.append([None if v is None else str(v) for v in values.tolist()])
    return list(zip(*columns, strict=True))
