"""A workbook opened for reading: its raw file checked, then its sheets parsed by python-calamine.

Parsing a sheet is calamine's work in Rust and lets other Python threads run meanwhile, so the
sheets a run will read are parsed in background threads: the leads sheet beside the follow-up log
(:func:`open_workbook`), and with :class:`ReadAhead` the next workbook while the command is still
starting (importing pandas takes longer than parsing a sheet of 10,000 leads). The rows are the
same as read one after another; what calamine raises for a damaged sheet still becomes one clear
:class:`InputError`, raised where the sheet is asked for.

This module imports neither pandas nor anything that does, so that a command can start reading
before it loads them.
"""

from __future__ import annotations

import functools
import hashlib
import io
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Self, TypeVar

import python_calamine

from .container import (
    SUPPORTED_SUFFIXES,
    UNSUPPORTED_SUFFIXES,
    WorkbookFile,
    corrupt_message,
    encrypted_message,
    read_workbook_file,
)
from .errors import InputError, Say
from .rules import Rules, normalize_header

# Text tables read as CSV (a .tsv is tab-separated unless the rules say otherwise).
TEXT_SUFFIXES = (".csv", ".tsv")
# What a folder of workbooks hands to the reader (inputs.py): the formats read, and those refused with
# a save-as hint, so a rep who saved as .xlsb is told so (an error on 数据问题) rather than skipped.
READABLE_SUFFIXES = (*SUPPORTED_SUFFIXES, *TEXT_SUFFIXES, *UNSUPPORTED_SUFFIXES)

Rows = tuple[list[list], tuple[int, int]]  # a sheet's cells from its first used cell, and that cell
T = TypeVar("T")


def calamine_call(path: Path, call: Callable[[], T], sheet: str = "") -> T:
    """Run a calamine call; whatever it raises for a damaged file becomes one clear line.

    A panic inside the Rust code arrives as pyo3's PanicException, a BaseException, so the net is
    wider than Exception; interrupts and memory errors pass through.
    """
    try:
        return call()
    except python_calamine.PasswordError:
        raise InputError(encrypted_message(path)) from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException:  # noqa: BLE001 — calamine raises several unrelated types for damaged files
        raise InputError(corrupt_message(path, Say("container.detail.sheet_unparsable", sheet=sheet) if sheet else "")) from None


def in_background(call: Callable[[], T], name: str) -> Future[T]:
    """``call()`` in a daemon thread of its own; its result, or what it raised, in the future."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(call())
        except BaseException as exc:  # noqa: BLE001 — handed to whoever asks for the result
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


class OpenedWorkbook:
    """A workbook whose file passed the raw checks (:func:`funnel_xl.container.read_workbook_file`),
    open in calamine; each sheet is parsed once, when first asked for or ahead in the background."""

    def __init__(self, source: WorkbookFile):
        self.source = source
        self.path = source.path
        self._book = self._open()
        self._parsed: dict[str, Future[Rows]] = {}
        self._lock = threading.Lock()

    @functools.cached_property
    def sha256(self) -> str:
        """The SHA-256 of the file as read (the history store and the run record name it so)."""
        return hashlib.sha256(self.source.original).hexdigest()

    def worksheets(self) -> list[str]:
        """The names of the workbook's worksheets (chart sheets and macro sheets left out), in order."""
        return calamine_call(self.path, lambda: [
            m.name for m in self._book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ])

    def parse_ahead(self, names: Iterable[str]) -> None:
        """Start parsing these sheets, each in a thread of its own (with a calamine workbook of its
        own: one calamine workbook cannot parse two sheets at once)."""
        for name in names:
            with self._lock:
                if name not in self._parsed:
                    self._parsed[name] = in_background(
                        lambda n=name: self._parse(n, self._open()), f"funnel-xl: {name}"
                    )

    def rows(self, name: str) -> Rows:
        """The sheet's rows (from its first used cell; empty edges skipped) and where they start
        (0-based row, column). Raises :class:`InputError` for a sheet calamine cannot parse."""
        with self._lock:
            parsed = self._parsed.get(name)
        return parsed.result() if parsed is not None else self._parse(name, self._book)

    def _open(self) -> python_calamine.CalamineWorkbook:
        return calamine_call(self.path, lambda: python_calamine.CalamineWorkbook.from_filelike(
            io.BytesIO(self.source.content)
        ))

    def _parse(self, name: str, book: python_calamine.CalamineWorkbook) -> Rows:
        sheet = calamine_call(self.path, lambda: book.get_sheet_by_name(name), name)
        rows = calamine_call(self.path, lambda: sheet.to_python(skip_empty_area=True), name)
        start = sheet.start or (0, 0)
        return rows, (int(start[0]), int(start[1]))


def named_sheets(names: list[str], rules: Rules) -> list[str]:
    """The first sheet named as the rules name the leads sheet, and the first named like a log:
    the sheets a rebuild reads in the usual workbook."""
    found = []
    for wanted in (rules.leads_sheets, rules.log_sheets if rules.log_columns else ()):
        folded = {normalize_header(n) for n in wanted}
        found += [n for n in names if normalize_header(n) in folded][:1]
    return found


def open_workbook(path: str | Path, rules: Rules, *, content: bytes | None = None) -> OpenedWorkbook:
    """Check the file (:func:`funnel_xl.container.read_workbook_file`), open it and start parsing
    the sheets the rules name (leads and follow-up log) side by side."""
    opened = OpenedWorkbook(read_workbook_file(path, rules.limits, content=content))
    opened.parse_ahead(named_sheets(opened.worksheets(), rules))
    return opened


class ReadAhead:
    """Workbooks opened (:func:`open_workbook`) one ahead of their use, in a background thread.

    The first is opened at once; each next one when the one before it is taken, so at most two
    are in memory. A text table (CSV) is not opened ahead. Use as a context manager: leaving it
    lets the thread finish without opening more::

        with ReadAhead(paths, rules) as ahead:
            import pandas  # meanwhile the first workbook is checked and parsed
            opened = ahead.take(paths[0])  # its OpenedWorkbook, or the InputError it raised
    """

    def __init__(self, paths: Iterable[Path], rules: Rules):
        self._rules = rules
        self._waiting: dict[Path, Future[OpenedWorkbook]] = {
            Path(p): Future() for p in paths if Path(p).suffix.lower() not in TEXT_SUFFIXES
        }
        self._room = threading.Semaphore(1)
        self._closed = False
        if self._waiting:
            threading.Thread(target=self._run, name="funnel-xl: read ahead", daemon=True).start()

    def _run(self) -> None:
        for path, future in list(self._waiting.items()):
            self._room.acquire()
            if self._closed or not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(open_workbook(path, self._rules))
            except BaseException as exc:  # noqa: BLE001 — raised again where the file is taken
                future.set_exception(exc)

    def take(self, path: str | Path) -> OpenedWorkbook | None:
        """The opened workbook (waiting for it), or None when it was not opened ahead; raises what
        opening it raised (an :class:`InputError` for a file that cannot be used)."""
        future = self._waiting.pop(Path(path), None)
        if future is None:
            return None
        self._room.release()
        return future.result()

    def close(self) -> None:
        self._closed = True
        for future in self._waiting.values():
            future.cancel()
        self._room.release(len(self._waiting) + 1)  # whatever the thread waits for, it goes on

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
