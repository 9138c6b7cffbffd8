"""Which files are the team's workbooks: folders expanded, lock files, outputs and backups left out.

A manager points ``rebuild`` at the folder the reps drop their files in. Such a folder also collects
things that are not a rep's workbook: the owner files Excel and WPS leave while a workbook is open
(``~$张伟.xlsx``), LibreOffice's lock files, macOS' ``._`` shadow files, the tool's own reports and
the backups ``refresh`` keeps. Those are skipped here, each with the reason, so the caller can say so.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from xml.etree import ElementTree

from .errors import InputError, Say, os_error_reason
from .sheets import READABLE_SUFFIXES

# What ``refresh`` names its backups: 张伟.funnel-xl-backup-20240531-101502.xlsx (or -2, -3 … when
# two are made within the same second).
BACKUP_MARK = ".funnel-xl-backup-"
BACKUP_NAME = re.compile(re.escape(BACKUP_MARK) + r"\d{8}-\d{6}(?:-\d+)?\.[A-Za-z]+$")
# The analysis workbook ``rebuild`` writes (report.default_report_name; a test keeps them in step).
REPORT_NAME = re.compile(r"^funnel_report_.+\.xlsx$", re.IGNORECASE)
# The document title the report carries (report.write_report), so a renamed report is still known.
# The titles rebuild gives its reports (doc.title), in Chinese and in English.
REPORT_TITLE_PREFIXES = ("销售漏斗分析", "Sales funnel analysis")
TOOL_AUTHOR = "funnel-xl"
_MAX_CORE_BYTES = 1 << 20
_CORE_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
}


class SkipReason(StrEnum):
    """Why a file in a folder is not read; the value is what the terminal shows in Chinese (the
    catalogue's skip.<name> in either language)."""

    LOCK_FILE = "Excel/WPS 打开文件时留下的锁文件"
    HIDDEN = "隐藏文件（临时文件或系统文件）"
    NOT_A_WORKBOOK = "不是工作簿"
    BACKUP = "funnel-xl refresh 留下的备份"
    REPORT = "funnel-xl 生成的分析报告"


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: SkipReason


@dataclass
class Workbooks:
    """The workbooks to read, in a stable order, and what a folder held that is not one."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def lock_files(path: Path) -> list[Path]:
    """The lock files a spreadsheet program leaves beside ``path`` while it has it open."""
    return [
        path.with_name(f"~${path.name}"),  # Excel and WPS (the "owner file")
        path.with_name(f".~lock.{path.name}#"),  # LibreOffice
    ]


def backup_path(path: Path, now: datetime) -> Path:
    """A free name for a backup of ``path`` taken at ``now``, recognisable by :data:`BACKUP_NAME`."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}{BACKUP_MARK}{stamp}{path.suffix}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}{BACKUP_MARK}{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def skip_reason(path: Path) -> SkipReason | None:
    """Why a file found in a folder is not a rep's workbook, or None when it is one to read."""
    name = path.name
    if name.startswith("~$"):
        return SkipReason.LOCK_FILE
    if name.startswith("."):
        return SkipReason.HIDDEN
    if path.suffix.lower() not in READABLE_SUFFIXES:
        return SkipReason.NOT_A_WORKBOOK
    if BACKUP_NAME.search(name):
        return SkipReason.BACKUP
    if REPORT_NAME.match(name) or _is_report(path):
        return SkipReason.REPORT
    return None


def collect_workbooks(paths: list[str | Path]) -> Workbooks:
    """Expand folders (their own files, not sub-folders) and drop what is not a rep's workbook.

    Files named on the command line are taken as given; a folder contributes every workbook in it
    (.xlsx, and the other formats ``rebuild`` reads: .xlsm, .xls, .xlsb, .ods), sorted by name.
    The same file reached twice (named and inside a named folder) is read once. A path that does
    not exist, or a folder without any workbook, raises :class:`InputError`: the command line is
    wrong and nothing should be done.
    """
    found = Workbooks()
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.files.append(path)

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(Say("inputs.not_found", path=path))
        if not path.is_dir():
            add(path)
            continue
        try:
            entries = sorted(p for p in path.iterdir() if p.is_file())
        except OSError as exc:
            raise InputError(Say("inputs.folder_unreadable", path=path, reason=os_error_reason(exc))) from None
        usable = 0
        for entry in entries:
            reason = skip_reason(entry)
            if reason is None:
                add(entry)
                usable += 1
            else:
                found.skipped.append(Skipped(entry, reason))
        if not usable:
            raise InputError(Say("inputs.no_workbooks", path=path))
    return found


def _is_report(path: Path) -> bool:
    """A workbook whose document properties say ``rebuild`` wrote it (even when renamed)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("docProps/core.xml")
            if info.file_size > _MAX_CORE_BYTES:
                return False
            core = archive.read(info)
        root = ElementTree.fromstring(core)
    except (
        OSError, KeyError, EOFError, NotImplementedError, zlib.error, zipfile.BadZipFile,
        ElementTree.ParseError, RuntimeError, ValueError,
    ):  # a damaged file is no report: the reader then names the damage
        return False
    creator = root.findtext("dc:creator", default="", namespaces=_CORE_NS).strip()
    title = root.findtext("dc:title", default="", namespaces=_CORE_NS).strip()
    return creator == TOOL_AUTHOR and title.startswith(REPORT_TITLE_PREFIXES)
