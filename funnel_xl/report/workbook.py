"""The team report's files: the workbook with its sheets in order, the detail workbook for
sheets over ``report.detail_rows``, and a rep's (or channel's) workbook.

Every figure is written as a value (no formulas), every text from the reps' sheet with
``write_string`` (a customer typed as ``=HYPERLINK(...)`` stays text), and missing or undefined
figures are blank cells, never 0. The same analysis always gives byte-identical files: the
document date is the as-of date.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import quote_sheetname

from ..analysis import Analysis, View, team_view
from ..atomic import OutputStream, atomic_path, write_failed
from ..errors import OutputError
from ..messages import catalogue
from ..progress import SAVE, Progress, ProgressCallback, silent
from .activity import write_activity
from .alerts import write_alerts
from .bands import write_bands
from .cohorts import write_cohorts
from .comparison import flag_texts, write_comparison
from .context import Context, field_header
from .detail import write_detail
from .flow import write_flow
from .forecast import write_forecast
from .funnel import write_funnel
from .group import write_group
from .lost import write_lost
from .names import detail_workbook_name, rep_sheet_names, sheet_names
from .overview import write_overview
from .problems import write_problems
from .quality import write_quality
from .reps import open_leads_by_owner, write_rep
from .run import write_run_info
from .speed import write_speed
from .suggestions import write_suggestions
from .table import Cells
from .trend import write_trend
from .waterfall import write_waterfall


@dataclass(frozen=True)
class ReportFiles:
    report: Path
    detail: Path | None = None  # the detail workbook, when a sheet was over the row limit
    moved: tuple[str, ...] = ()  # the sheets written there instead of in the report


def write_report(
    analysis: Analysis, path: str | os.PathLike[str], *, progress: ProgressCallback | None = None
) -> Path:
    """Write the analysis workbook to ``path`` atomically and return the path.

    The same analysis always gives the same bytes: the document's created date is the as-of date.
    Raises :class:`funnel_xl.errors.OutputError` when the file cannot be written. ``progress`` is
    told as each sheet is started and when the file is saved (see :mod:`funnel_xl.progress`).
    Sheets over the rules' ``report.detail_rows`` go to a detail workbook beside it: see
    :func:`write_report_files`.
    """
    return write_report_files(analysis, path, progress=progress).report


def write_report_files(
    analysis: Analysis, path: str | os.PathLike[str], *, progress: ProgressCallback | None = None,
    stage: Callable[[Path], Path] | None = None,
) -> ReportFiles:
    """Write the report and, when a sheet lists more rows than ``report.detail_rows``, the detail
    workbook beside it holding those sheets (the report links to it by file name).

    ``stage(target)`` gives the path to write each file to (by default the target itself, written
    atomically); a caller that moves several outputs into place together passes temporary paths.
    Without ``stage``, a detail workbook left by an earlier run that this run does not need is
    removed (see :func:`remove_stale_detail`).
    """
    target = Path(path)
    place = stage or (lambda p: p)
    progress = progress or silent
    listed = listing_sheets(analysis)
    moved = moved_sheets(analysis, listed)
    detail = target.with_name(detail_workbook_name(target.name))
    t = catalogue(analysis.rules.lang)
    if moved:
        placing = _Placing(listed, only=frozenset(moved))
        _write_workbook(
            place(detail), analysis, t("doc.title", period=analysis.period) + " · detail",
            lambda workbook: _write_team(_team_context(workbook, analysis, progress), placing),
            progress, detail.name,
        )
    placing = _Placing(listed, moved=frozenset(moved), detail_name=detail.name)
    _write_workbook(
        place(target), analysis, t("doc.title", period=analysis.period),
        lambda workbook: _write_team(_team_context(workbook, analysis, progress), placing),
        progress, target.name,
    )
    if stage is None and not moved:
        remove_stale_detail(target)
    return ReportFiles(report=target, detail=detail if moved else None, moved=moved)


def write_group_report(
    analysis: Analysis, view: View, path: str | os.PathLike[str], *, shown_as: str | None = None
) -> Path:
    """Write one rep's (or one channel's) workbook to ``path`` atomically and return the path.

    Sheets: 总览 (their key figures beside the team's, their funnel chart) · 漏斗分析 (their stages
    beside the team's rates) · 在跟线索 (their open leads and alerts) · 预警 · 数据问题 (the rows
    they must fix) · 线索明细 (their leads). Nothing of another rep: no name, lead or amount.
    """
    t = catalogue(analysis.rules.lang)
    title = t(
        "doc.group_title", period=analysis.period, label=t(f"group.{view.kind}"), name=view.name
    )
    return _write_workbook(
        Path(path), analysis, title,
        lambda workbook: write_group(Context(workbook, analysis, view)), shown_as=shown_as,
    )


def moved_sheets(analysis: Analysis, listed: dict[str, int] | None = None) -> tuple[str, ...]:
    """The listing sheets with more rows than the rules' ``report.detail_rows``, in workbook order."""
    limit = analysis.rules.report.detail_rows
    listed = listing_sheets(analysis) if listed is None else listed
    return tuple(name for name, rows in listed.items() if rows > limit)


def remove_stale_detail(report: str | os.PathLike[str]) -> None:
    """Remove the detail workbook beside ``report`` that an earlier run wrote, when the report
    written now keeps every sheet (only a file whose properties say funnel-xl wrote it)."""
    detail = Path(report).with_name(detail_workbook_name(Path(report).name))
    try:
        with zipfile.ZipFile(detail) as archive:
            core = archive.read("docProps/core.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return
    if "<dc:creator>funnel-xl</dc:creator>" in core:
        try:
            detail.unlink()
        except OSError as exc:
            raise OutputError(f"无法删除上次留下的明细工作簿 {detail}: {exc.strerror or exc}") from None


def listing_sheets(analysis: Analysis) -> dict[str, int]:
    """The sheets that list rows, in workbook order, with how many rows each lists."""
    result = analysis.result
    sheets = sheet_names(analysis.rules.lang)
    _dimensions, reps = team_sheet_names(analysis)
    open_leads = open_leads_by_owner(result.leads)
    sizes = {name: len(open_leads.get(owner, ())) for owner, name in reps.items()}
    sizes[sheets["alerts"]] = 0 if result.alerts is None else len(result.alerts)
    sizes[sheets["problems"]] = len(analysis.problems)
    excluded = 0 if analysis.excluded is None else len(analysis.excluded)
    sizes[sheets["detail"]] = len(result.leads) + excluded
    return sizes


def team_sheet_names(analysis: Analysis) -> tuple[dict[str, str], dict[str, str]]:
    """One sheet per further dimension ([dimensions] extra), named after its column, then one per
    rep: each's name by its dimension's sheet title and by the owner."""
    rules, result = analysis.rules, analysis.result
    t = catalogue(rules.lang)
    fixed = tuple(sheet_names(rules.lang).values())
    dimensions = rep_sheet_names(
        [t("sheet.dimension", header=field_header(rules, t, name)) for name in result.by_dimension],
        fixed,
    )
    reps = rep_sheet_names(result.by_owner, (*fixed, *dimensions.values()), t("sheet.no_owner"))
    return dimensions, reps


def _team_context(workbook, analysis: Analysis, progress: ProgressCallback) -> Context:
    dimensions, reps = team_sheet_names(analysis)
    return Context(
        workbook, analysis, team_view(analysis), progress, rep_names=reps, dimension_names=dimensions
    )


@dataclass(frozen=True)
class _Placing:
    """Where the listing sheets go: ``moved`` ones to the detail workbook ``detail_name`` (here a
    note and a link); with ``only``, just these listing sheets (the detail workbook itself)."""

    listed: dict[str, int]
    moved: frozenset[str] = frozenset()
    detail_name: str = ""
    only: frozenset[str] | None = None

    @property
    def summary(self) -> bool:
        return self.only is None

    def place(self, ctx: Context, name: str, write: Callable[[], None]) -> None:
        if self.only is not None:
            if name in self.only:
                write()
        elif name in self.moved:
            self.moved_note(ctx, name)
        else:
            write()

    def moved_note(self, ctx: Context, name: str) -> None:
        sheet = ctx.add_sheet(name)
        cells = Cells(sheet, ctx.formats)
        ctx.title(cells, f"{name} · {ctx.as_of_text}")
        cells.put(
            2, 0, ctx.t(
                "detail.moved", rows=f"{self.listed[name]:,}",
                limit=f"{ctx.rules.report.detail_rows:,}",
            )
        )
        cells.flush()
        sheet.write_url(
            3, 0, f"external:{self.detail_name}#{quote_sheetname(name)}!A1",
            string=f"{self.detail_name} ·「{name}」",
        )
        notes = Cells(sheet, ctx.formats)
        notes.put(4, 0, ctx.t("detail.hint"), "note")
        notes.flush()
        sheet.set_column(0, 0, 110)


def _write_team(ctx: Context, placing: _Placing) -> None:
    """The team report's sheets in order; the rep sheets go between 跟进活动 and 预警."""
    view, t = ctx.view, ctx.t
    if placing.summary:
        write_overview(ctx)
        write_funnel(ctx)
        write_flow(ctx)
        write_trend(ctx)
        write_comparison(ctx, ctx.sheets["owners"], t("col.owner"), view.by_owner, chart=False)
        write_comparison(
            ctx, ctx.sheets["sources"], ctx.header(ctx.channel), view.by_source, chart=True,
            flags=flag_texts(ctx.flow.channel_flags, t),
        )
        for name, groups in view.by_dimension.items():
            sheet = ctx.dimension_names[t("sheet.dimension", header=ctx.header(name))]
            write_comparison(ctx, sheet, ctx.header(name), groups, chart=False)
        write_forecast(ctx)
        for write in (write_waterfall, write_speed, write_lost, write_cohorts, write_bands, write_activity):
            write(ctx)
    open_leads = open_leads_by_owner(ctx.leads)
    none = ctx.leads.iloc[:0]
    for owner, metrics in view.by_owner.items():
        placing.place(
            ctx, ctx.rep_names[owner],
            lambda owner=owner, metrics=metrics: write_rep(
                ctx, owner, metrics, open_leads.get(owner, none)
            ),
        )
    placing.place(ctx, ctx.sheets["alerts"], lambda: write_alerts(ctx))
    if placing.summary:
        write_suggestions(ctx)
        write_quality(ctx)
    placing.place(ctx, ctx.sheets["problems"], lambda: write_problems(ctx))
    placing.place(ctx, ctx.sheets["detail"], lambda: write_detail(ctx))
    if placing.summary:
        write_run_info(ctx)


def _write_workbook(
    target: Path, analysis: Analysis, title: str, build: Callable,
    progress: ProgressCallback | None = None, shown_as: str | None = None,
) -> Path:
    # xlsxwriter's scratch files (one per sheet in constant_memory mode) go to a folder of their
    # own, removed even when the disk fills up halfway.
    with atomic_path(target) as tmp, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as scratch:
        stream = OutputStream(tmp)
        workbook = xlsxwriter.Workbook(
            stream,
            {
                "tmpdir": scratch,
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
            },
        )
        workbook.set_properties(
            {
                "title": title,
                "subject": catalogue(analysis.rules.lang)("doc.subject", as_of=analysis.as_of.isoformat()),
                "author": "funnel-xl",
                "created": datetime.combine(analysis.as_of, time()),
            }
        )
        try:
            build(workbook)
            (progress or silent)(Progress(SAVE, shown_as or target.name))
            workbook.close()
            stream.close()
        except (XlsxWriterException, OSError) as exc:
            failure = stream.failure or (exc if isinstance(exc, OSError) else None)
            with contextlib.suppress(OSError):
                stream.close()
            if failure is not None:
                raise write_failed(shown_as or target.name, failure) from None
            raise OutputError(f"无法写入分析工作簿 {target}: {exc}") from None
    return target
