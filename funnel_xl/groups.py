"""One rep's (or one channel's) share of the month: what goes into the per-rep workbooks.

``rebuild --split-by owner`` writes, beside the team report, one workbook and one small JSON per
rep under ``<out>/<period>/reps/`` (``--split-by source``: per channel under ``sources/``), and a
``manifest.json`` in ``<out>/<period>/`` that the ``mail`` command reads.

A :class:`Group`'s view holds only that group's leads, alerts, data problems and input files. The
team's figures travel beside them as aggregates only: counts, rates, dwell and cycle — never the
team's amounts, since in a team of two "team pipeline − mine" is the colleague's pipeline.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

import pandas as pd

from .alerts import AlertKind, alert_days, kind_rank
from .analysis import Analysis, View, metrics_json, month_review_json, strict_json
from .atomic import staged_outputs, write_text_atomic
from .attention import attention
from .checks import problem
from .errors import OutputError, Say, os_error_reason
from .forecast import forecast
from .metrics import FunnelMetrics, aggregate
from .month import MonthReview
from .problems import Problem, count_by_severity
from .progress import WRITE, Progress, ProgressCallback, silent
from .text import text_or_none, unique_names


class GroupKind(StrEnum):
    """What a group of leads shares: its owner (a rep) or its channel."""

    OWNER = "owner"
    SOURCE = "source"


# Folder under <out>/<period>/ for each kind.
GROUP_FOLDERS = {GroupKind.OWNER: "reps", GroupKind.SOURCE: "sources"}
# The file stem of a group whose name is blank (only sources can be: a missing owner is an error).
BLANK_NAMES = {GroupKind.OWNER: "未填写负责人", GroupKind.SOURCE: "未填写来源"}
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Group:
    """One rep's or channel's share of an :class:`Analysis`.

    ``view`` holds only this group's leads, alerts, data problems, excluded rows and input files,
    with the group's own figures (``view.figures``) beside the whole team's (``view.team``).
    ``analysis`` is the team's, unchanged.
    """

    kind: GroupKind
    name: str
    analysis: Analysis
    view: View

    @property
    def metrics(self) -> FunnelMetrics:
        return self.view.figures

    @property
    def team(self) -> FunnelMetrics:
        return self.view.team


def group_names(analysis: Analysis, kind: str) -> list[str]:
    """Every group of ``kind`` in sorted order: those with valid leads, and those with only rows
    excluded for errors (the rep who most needs to hear about their data problems)."""
    kind = _check_kind(kind)
    by = analysis.result.by_owner if kind == GroupKind.OWNER else analysis.result.by_source
    names = set(by)
    excluded = analysis.excluded
    column = group_column(analysis, kind)
    if excluded is not None and column in excluded:
        names |= {n for n in _keys(excluded, column) if n}
    return sorted(names)


def group_column(analysis: Analysis, kind: str) -> str:
    """The leads' column a kind of group is keyed by: 负责人, or the rules' channel dimension
    (线索来源 unless ``[dimensions] channel`` names another column)."""
    return "owner" if kind == GroupKind.OWNER else analysis.rules.channel_field


def select_group(analysis: Analysis, kind: str, name: str) -> Group:
    """The share of ``analysis`` that belongs to the rep (``kind="owner"``) or channel ``name``."""
    kind = _check_kind(kind)
    result = analysis.result
    column = group_column(analysis, kind)
    mine = _rows_of(result.leads, column, name)
    excluded_mine = _rows_of(
        analysis.excluded if analysis.excluded is not None else pd.DataFrame(), column, name
    )
    by = result.by_owner if kind == GroupKind.OWNER else result.by_source
    metrics = by.get(name)
    if metrics is None:  # only rows with errors: no valid lead to count
        metrics = aggregate(result.leads.iloc[:0], analysis.rules, excluded=len(excluded_mine))
    rows = _row_keys(mine) | _row_keys(excluded_mine)
    files = {k[0] for k in rows}
    leads = _lead_ids(mine) | _lead_ids(excluded_mine)
    view = View(
        figures=metrics,
        team=result.team,
        leads=mine,
        alerts=_rows_of(result.alerts, column, name),
        # The problems on the group's rows, and on the follow-up log's rows of the group's leads.
        problems=[
            private(p, analysis.rules.lang) for p in analysis.problems
            if (p.file, p.sheet, p.row) in rows or (p.lead_id and p.lead_id in leads)
        ],
        excluded=excluded_mine,
        inputs=[i for i in analysis.inputs if i.name in files],
        quality=analysis.quality.only(kind, name),
        forecast=_group_forecast(analysis, mine),
        by_owner={name: metrics} if kind == GroupKind.OWNER else {},
        by_source={name: metrics} if kind == GroupKind.SOURCE else {},
        month_review=_group_review(analysis, kind, name),
        attention=attention(mine, metrics),
        log_entries=_log_entries(analysis, mine),
        kind=kind,
        name=name,
    )
    return Group(kind=kind, name=name, analysis=analysis, view=view)


def _log_entries(analysis: Analysis, mine: pd.DataFrame) -> int:
    """The usable follow-up log entries of the group's leads."""
    counts = analysis.log_entries_by_lead
    if counts is None or "lead_id" not in mine:
        return 0
    return int(counts.reindex(mine["lead_id"].dropna().unique()).fillna(0).sum())


def _lead_ids(frame: pd.DataFrame) -> set[str]:
    return set(frame["lead_id"].dropna().astype(str)) if "lead_id" in frame else set()


def _rows_of(frame: pd.DataFrame, column: str, name: str) -> pd.DataFrame:
    return frame[_keys(frame, column) == name] if column in frame else frame.iloc[:0]


def _group_review(analysis: Analysis, kind: str, name: str) -> MonthReview | None:
    """A rep's own month block and attainment (a channel's workbook shows none)."""
    if analysis.month_review is None or kind != GroupKind.OWNER:
        return None
    return analysis.month_review.only(name)


def _group_forecast(analysis: Analysis, mine: pd.DataFrame):
    """The group's own forecast, with the team's slipped close dates cut to the group's leads."""
    own = forecast(mine, analysis.rules, analysis.as_of)
    slips = analysis.forecast.slips if analysis.forecast is not None else None
    if slips is None or "lead_id" not in mine:
        return own
    return dataclasses.replace(own, slips=slips[slips["lead_id"].isin(mine["lead_id"])].reset_index(drop=True))


def team_json(team: FunnelMetrics) -> dict:
    """The team's figures for a rep's eyes: counts, rates, dwell and cycle, without any amount."""
    figures = metrics_json(team)
    for key in ("pipeline", "weighted_pipeline", "won_amount", "lost_amount", "win_rate_amount"):
        figures.pop(key)
    for stage in figures["stages"]:
        stage.pop("amount")
        stage.pop("weighted_amount")
    return figures


def group_json(group: Group, workbook: str) -> dict:
    """What a rep's mail body needs: their figures, the team's aggregates, their alerts and
    their problem counts."""
    a = group.analysis
    return {
        "period": a.period,
        "as_of": a.as_of.isoformat(),
        "kind": group.kind,
        "name": group.name,
        "workbook": workbook,
        "figures": metrics_json(group.metrics),
        "team": team_json(group.team),
        "alerts": alert_records(group.view.alerts, a.as_of, a.rules.channel_field),
        "problems": count_by_severity(group.view.problems),
        # A rep's blank required fields: header → open leads leaving it blank.
        "blanks": {
            a.rules.header(f): n for f, n in group.view.quality.blanks_of(group.name).items()
        } if group.kind == GroupKind.OWNER else {},
        "month": month_review_json(group.view.month_review),
    }


def alert_records(alerts: pd.DataFrame | None, as_of: date, channel: str) -> list[dict]:
    """The alerts as plain records, by kind then days (longest first) then lead ID."""
    if alerts is None or alerts.empty:
        return []
    when = pd.to_datetime(alerts["date"]) if "date" in alerts else None
    days = alert_days(alerts, as_of).tolist()
    rank = kind_rank(alerts["kind"]).tolist()
    records = []
    for i, row in enumerate(alerts.to_dict("records")):
        kind = row["kind"]
        date_of = None if when is None or pd.isna(when.iloc[i]) else when.iloc[i].date().isoformat()
        records.append(
            {
                "kind": kind,
                "lead_id": text_or_none(row.get("lead_id")),
                "customer": text_or_none(row.get("customer")),
                "owner": text_or_none(row.get("owner")),
                "source": text_or_none(row.get(channel)),
                "stage": text_or_none(row.get("stage")),
                "days": None if pd.isna(days[i]) else int(days[i]),
                "limit_days": _int(row.get("limit_days")) if kind == AlertKind.STALLED else None,
                "date": date_of,
            }
        )
    order = sorted(
        range(len(records)),
        key=lambda i: (rank[i], -(records[i]["days"] or 0), records[i]["lead_id"] or ""),
    )
    return [records[i] for i in order]


# ---------------------------------------------------------------------------
# File names
# ---------------------------------------------------------------------------

# Characters Windows forbids in file names, each turned into its full-width twin, so "*销售代表"
# becomes "＊销售代表" and stays readable (and distinct from a rep called "销售代表").
_FILE_NAME_TWINS = str.maketrans(
    {"<": "＜", ">": "＞", ":": "：", '"': "＂", "/": "／", "\\": "＼", "|": "｜", "?": "？", "*": "＊"}
)
# Device names Windows reserves, with or without an extension ("CON.xlsx" cannot be created).
_WINDOWS_RESERVED = {
    "con", "prn", "aux", "nul", "conin$", "conout$",
    *(f"com{i}" for i in "123456789¹²³"), *(f"lpt{i}" for i in "123456789¹²³"),
}
# Bytes a stem may take: macOS counts file names in UTF-8 after decomposing them (NFD), Linux
# allows 255 bytes, Windows 255 UTF-16 units. 120 leaves room for " (99)", the extension and a
# deep folder under Windows' 260-character path limit (about 40 Chinese characters).
MAX_STEM_BYTES = 120


def safe_file_stems(
    names: Iterable[str], taken: Iterable[str] = (), blank: str = "未命名"
) -> dict[str, str]:
    """Map each name to a file stem every common file system accepts, unique among ``taken`` and
    each other.

    In order: characters Windows forbids (``< > : " / \\ | ? *``) become full-width twins; control
    characters are dropped; surrounding spaces and dots are stripped (Windows drops trailing ones,
    a leading dot hides the file); an empty name becomes ``blank``; a Windows device name such as
    ``CON`` or ``com1.backup`` gets a leading "_"; the stem is cut to :data:`MAX_STEM_BYTES` bytes
    of decomposed UTF-8; a stem already used — compared as macOS and Windows do, ignoring case and
    Unicode composition — gets " (2)", " (3)"….
    """
    return unique_names(
        names, taken, clean=lambda name: _clean_stem(name, blank), fit=_fit_stem,
        limit=MAX_STEM_BYTES, fold=_fold,
    )


def _clean_stem(name: object, blank: str) -> str:
    text = unicodedata.normalize("NFC", "" if name is None else str(name))
    text = "".join(
        ch for ch in text.translate(_FILE_NAME_TWINS)
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
    )
    text = text.strip(" .\u3000\t") or blank
    if text.split(".")[0].rstrip(" ").casefold() in _WINDOWS_RESERVED:
        text = "_" + text
    return text


def _fit_stem(stem: str, limit: int) -> str:
    while len(unicodedata.normalize("NFD", stem).encode("utf-8")) > limit:
        stem = stem[:-1]
    return stem.rstrip(" .") or "_"


def _fold(stem: str) -> str:
    return unicodedata.normalize("NFC", stem).casefold()


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupFiles:
    kind: str
    name: str
    workbook: Path
    json: Path


@dataclass(frozen=True)
class Split:
    manifest: Path
    groups: tuple[GroupFiles, ...]
    # Files the folder's previous manifest listed and this run did not write: removed once the
    # new files are in place (see remove_stale_groups).
    stale: tuple[Path, ...] = ()


def period_folder(out_dir: str | Path, period: str) -> Path:
    return Path(out_dir) / period


def group_files(analysis: Analysis, out_dir: str | Path, kinds: Iterable[str]) -> list[GroupFiles]:
    """The workbook and JSON each group of each kind is written to, in order."""
    folder = period_folder(out_dir, analysis.period)
    files = []
    for kind in dict.fromkeys(_check_kind(k) for k in kinds):
        sub = folder / GROUP_FOLDERS[kind]
        names = group_names(analysis, kind)
        stems = safe_file_stems(names, taken=[Path(MANIFEST).stem], blank=BLANK_NAMES[kind])
        files += [
            GroupFiles(kind, name, sub / f"{stems[name]}.xlsx", sub / f"{stems[name]}.json") for name in names
        ]
    return files


def split_targets(analysis: Analysis, out_dir: str | Path, kinds: Iterable[str]) -> list[Path]:
    """Every file :func:`write_groups` would write: the groups' workbooks and JSON, the manifest."""
    paths = [p for g in group_files(analysis, out_dir, kinds) for p in (g.workbook, g.json)]
    return paths + [period_folder(out_dir, analysis.period) / MANIFEST]


def write_groups(
    analysis: Analysis, out_dir: str | Path, report: Path, kinds: Iterable[str], *,
    progress: ProgressCallback | None = None, stage: Callable[[Path], Path] | None = None,
) -> Split:
    """Write one workbook and one JSON per group of each kind, then the month's manifest.

    Every file is written before any is moved into place, so a failure (a full disk) leaves the
    previous files and manifest as they were. ``stage`` (see :func:`~funnel_xl.atomic.staged_outputs`)
    stages them with the caller's outputs, ``report`` included (the manifest's checksum is of its
    staged file); the caller removes ``Split.stale`` (:func:`remove_stale_groups`) once all are in place.
    Without it, files an earlier run listed in the manifest and this run did not write (a rep who
    left, a kind not asked for this time) are removed, so the folder always matches the report.
    ``progress`` is told as each group's workbook is started.
    """
    kinds = [_check_kind(kind) for kind in kinds]
    if stage is None:
        with staged_outputs() as own:
            split = write_groups(
                analysis, out_dir, report, kinds, progress=progress,
                stage=lambda p: report if p == report else own(p),
            )
        remove_stale_groups(split)
        return split
    progress = progress or silent
    from .report import write_group_report  # xlsxwriter only when writing

    folder = period_folder(out_dir, analysis.period)
    previous = _previous_files(folder)
    manifest_path = folder / MANIFEST
    stage(manifest_path)  # staged first: moved into place last
    written = group_files(analysis, out_dir, kinds)
    manifest_groups = {
        str(kind): {"folder": GROUP_FOLDERS[kind], "groups": []} for kind in dict.fromkeys(map(GroupKind, kinds))
    }
    for files in written:
        group = select_group(analysis, files.kind, files.name)
        shown = f"{GROUP_FOLDERS[files.kind]}/{files.workbook.name}"
        progress(Progress(WRITE, shown))
        workbook = write_group_report(analysis, group.view, stage(files.workbook), shown_as=shown)
        payload = group_json(group, files.workbook.name)
        write_text_atomic(stage(files.json), strict_json(payload))
        manifest_groups[str(files.kind)]["groups"].append(
            {
                "name": files.name,
                "workbook": files.workbook.name,
                "workbook_sha256": _sha256(workbook),
                "json": files.json.name,
            }
        )
    manifest = {
        "period": analysis.period,
        "as_of": analysis.as_of.isoformat(),
        "report": report.name,
        "report_sha256": _sha256(stage(report)),
        "figures": analysis.as_json(),
        "splits": manifest_groups,
    }
    write_text_atomic(stage(manifest_path), json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    keep = {p.resolve() for g in written for p in (g.workbook, g.json)}
    return Split(manifest=manifest_path, groups=tuple(written), stale=tuple(sorted(previous - keep)))


def remove_stale_groups(split: Split) -> None:
    """Remove the files an earlier run's manifest listed that this run did not write."""
    for path in split.stale:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise OutputError(Say("groups.stale_unremovable", path=path, reason=os_error_reason(exc))) from None


def _previous_files(folder: Path) -> set[Path]:
    """The group files the folder's current manifest lists (nothing else is ever removed)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        paths = set()
        for split in manifest["splits"].values():
            sub = folder / Path(split["folder"]).name
            for entry in split["groups"]:
                for key in ("workbook", "json"):
                    paths.add((sub / Path(entry[key]).name).resolve())
        return paths
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_kind(kind: str) -> GroupKind:
    try:
        return GroupKind(kind)
    except ValueError:
        raise ValueError(f"unknown group kind {kind!r}; expected one of {tuple(GroupKind)}") from None


def _keys(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].fillna("").astype(str)


def _row_keys(frame: pd.DataFrame) -> set[tuple[str, str, int]]:
    if frame.empty or not {"_file", "_sheet", "_row"} <= set(frame.columns):
        return set()
    return {
        (str(f), str(s), int(r))
        for f, s, r in zip(frame["_file"], frame["_sheet"], frame["_row"], strict=True)
        if pd.notna(r)
    }


def _int(value: object) -> int | None:
    if value is None:
        return None
    try:
        return None if pd.isna(value) else int(value)
    except (TypeError, ValueError):
        return None



# Problems whose message names another row or file of the team (a rep's file must name none).
NAMES_OTHER_ROWS = (
    "duplicate_lead_id", "identical_lead_in_file", "duplicate_lead_id_across_files",
    "identical_lead_across_files",
)


def private(found: Problem, lang: str) -> Problem:
    """``found`` as a group's own workbook tells it: a message that names another row or file of
    the team (which may be another rep's) is told without the other place; the team report keeps it."""
    if found.code not in NAMES_OTHER_ROWS:
        return found
    return problem(
        found.code, lang, {"lead_id": found.value}, variant="private", sheet=found.sheet,
        row=found.row, column=found.column, header=found.header, value=found.value, file=found.file,
    )
