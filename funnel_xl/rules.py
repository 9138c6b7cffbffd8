"""The team's rules: stages, columns, lists and thresholds, read from TOML and checked on load.

Every mistake raises :class:`RulesError` naming the file and the key, and saying what is allowed.
The default rules ship inside the package (``funnel_xl/data/funnel.toml``); the repository's
``rules/funnel.toml`` is the same file for people to copy and edit.
"""

from __future__ import annotations

import codecs
import difflib
import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import RulesError
from .files import MB, read_regular_file


class ColumnKind(StrEnum):
    """What a column holds (``kind`` of [columns.*] and [log_columns.*])."""

    TEXT = "text"
    DATE = "date"
    NUMBER = "number"
    STAGE = "stage"
    LOST_AT = "lost_at"


COLUMN_KINDS = tuple(ColumnKind)
# The follow-up log (跟进记录) holds text, dates and stage names (阶段调整为: a stage or a lost label).
LOG_COLUMN_KINDS = (ColumnKind.TEXT, ColumnKind.DATE, ColumnKind.STAGE)
SUGGESTION_METRICS = (
    "pass_rate",
    "loss_rate",
    "win_rate",
    "stalled_share",
    "source_win_rate",
    "source_first_pass_rate",
)
# Characters Excel refuses in a sheet name.
FORBIDDEN_SHEET_CHARACTERS = "[]:*?/\\"
# A rules file is a page of text; anything bigger is not one.
MAX_RULES_BYTES = 1 * MB
# Fields the code relies on; a rules file may rename their headers but not drop them. The channel
# dimension's field (``[dimensions] channel``, default ``source``) is required as well.
CORE_FIELDS = ("lead_id", "stage", "first_contact", "owner")
DEFAULT_CHANNEL = "source"
# The log fields the stage history relies on, when a rules file describes a log at all.
LOG_CORE_FIELDS = ("lead_id", "time", "stage_change")
# …and the kind each of them must have.
LOG_CORE_KINDS = {"lead_id": ColumnKind.TEXT, "time": ColumnKind.DATE, "stage_change": ColumnKind.STAGE}
# Fields that cannot be a comparison dimension: they identify a lead, are the funnel itself, or are
# compared already (owner has its own sheet).
NOT_DIMENSIONS = ("lead_id", "stage", "owner", "lost_at", "dwell_days", "pass_rate_text")
# How a lost-at column names the stage: by name (or a [stage_values] alias), by its number in
# [[stages]] order (1 = the first stage), or through a table of its own (``values = { … }``).
LOST_AT_BY_NAME, LOST_AT_BY_SEQUENCE = "name", "sequence"
LANGUAGES = ("zh", "en")
DEFAULT_AMOUNT_UNIT = "万元"
# A date every format must be able to write and read back, to prove it names day, month and year.
_PROBE_DATE = (2024, 3, 15)


@dataclass(frozen=True)
class Stage:
    name: str
    entry: str
    exit: str
    max_dwell_days: int
    win_probability: float


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    aliases: tuple[str, ...]
    kind: ColumnKind
    required: bool
    computed: bool = False
    # Blank on an open lead is a warning and costs hygiene points (process step 2's required fields).
    required_for_quality: bool = False
    # kind "lost_at" only: LOST_AT_BY_NAME, LOST_AT_BY_SEQUENCE, or a table (folded value → stage).
    values: str | tuple[tuple[str, str], ...] = LOST_AT_BY_NAME
    # Other fields (of the same kind) whose value stands in where this column's cell is blank, the
    # first filled one taken (stage entered: the stage-change date, else the close date, …).
    fallback: tuple[str, ...] = ()
    # first_contact only: a blank cell is no error (the lead counts in stage figures, not in cycles).
    may_be_blank: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class Suggestion:
    metric: str
    text: str
    stage: str | None = None
    below: float | None = None
    above: float | None = None


@dataclass(frozen=True)
class Thresholds:
    stale_follow_up_days: int
    min_sample: int
    # A channel is flagged when its win rate or first-transition pass rate stays below these
    # for low_channel_months consecutive months.
    low_channel_win_rate: float = 0.1
    low_channel_first_pass_rate: float = 0.5
    low_channel_months: int = 3
    # A hand-typed dwell or pass rate is listed as drift beyond these (days; percentage points).
    drift_dwell_days: int = 2
    drift_pass_rate_points: float = 5.0
    # A snooze (暂缓至) further ahead than this many days after the as-of date is a warning.
    max_snooze_days: int = 60
    # Without an as-of date, a workbook whose newest date is more than this many days before
    # today is said to be old (the figures as of today would read every open lead as stalled).
    workbook_age_days: int = 14
    # An open lead whose expected close date moved later this many times between rebuilds is on 预警.
    close_slips: int = 2
    # Dwell days (and the stages' max_dwell_days) in working days: weekends, official holidays
    # and the adjusted working days of the Chinese calendar.
    dwell_in_working_days: bool = False


# The parts of the data hygiene score, in the order they are shown.
HYGIENE_PARTS = ("errors", "missing_amount_close", "close_past", "stale", "undated_moves")


@dataclass(frozen=True)
class Hygiene:
    """The data hygiene score: the points of each part (they add up to 100) and the stage from
    which a lead needs an amount and an expected close date."""

    amount_close_from: int  # stage index
    points: tuple[tuple[str, float], ...]  # (part, points) in HYGIENE_PARTS order

    def points_of(self, part: str) -> float:
        return dict(self.points)[part]


DEFAULT_HYGIENE = Hygiene(amount_close_from=2, points=tuple((p, 20.0) for p in HYGIENE_PARTS))


@dataclass(frozen=True)
class Limits:
    """What an input workbook may hold before it is refused, checked on the raw file before parsing."""

    max_file_mb: int
    max_unpacked_mb: int
    max_compression_ratio: int
    max_zip_entries: int
    max_rows: int
    max_columns: int
    max_cells: int


DEFAULT_LIMITS = Limits(
    max_file_mb=300,
    max_unpacked_mb=2000,
    max_compression_ratio=100,
    max_zip_entries=10_000,
    max_rows=1_048_576,
    max_columns=500,
    max_cells=25_000_000,
)


@dataclass(frozen=True)
class Dimensions:
    """Which columns the leads are compared by, besides the owner: the channel (渠道分析, the
    per-channel split and the source_* suggestions) and further dimensions, one sheet each."""

    channel: str = DEFAULT_CHANNEL
    extra: tuple[str, ...] = ()


# Codecs that decode bytes to text but not as a file's character set: escapes, domain names, and
# "undefined" (which always fails).
_NOT_FILE_ENCODINGS = {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"}


def encoding_mistake(name: str) -> str | None:
    """Why ``name`` cannot be a text file's encoding (None: it can). Only character sets are
    accepted: binary-to-binary codecs (base64, zlib, hex, uu, quopri), rot13 and escape codecs
    are refused."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return f"「{name}」不是已知的编码；常用的有 utf-8、gb18030、gbk、utf-16"
    if not info._is_text_encoding or info.name in _NOT_FILE_ENCODINGS:
        return f"「{name}」不是文本文件的字符编码（它是数据转换格式）；常用的有 utf-8、gb18030、gbk、utf-16"
    return None


@dataclass(frozen=True)
class InputSettings:
    """How text files and text dates are read: the CSV encoding and delimiter ("auto": detected)
    and the date formats (strptime) tried on text dates before the built-in ones."""

    encoding: str = "auto"
    delimiter: str = "auto"
    date_formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportSettings:
    """The analysis workbook: a sheet listing more than ``detail_rows`` rows goes to a separate
    detail workbook beside the report, so the report itself stays small enough to mail."""

    detail_rows: int = 20_000


@dataclass(frozen=True)
class Bands:
    """The deal-size bands of 金额分段: the amounts (ascending, in the amount unit) that cut the
    预计成交金额 into bands [0, a1), [a1, a2), …, [an, ∞)."""

    amounts: tuple[float, ...] = (10.0, 50.0, 100.0)


@dataclass(frozen=True)
class RemindSettings:
    """Reminders by mail: an item still due is mailed again only every ``repeat_days`` days."""

    repeat_days: int = 3


@dataclass(frozen=True)
class Rules:
    stages: tuple[Stage, ...]
    lost_labels: tuple[str, ...]
    sources: tuple[str, ...]
    follow_up_methods: tuple[str, ...]
    lead_id_pattern: str
    thresholds: Thresholds
    leads_sheets: tuple[str, ...]
    header_search_rows: int
    total_labels: tuple[str, ...]
    columns: tuple[Column, ...]
    suggestions: tuple[Suggestion, ...]
    source_path: str
    sha256: str
    log_sheets: tuple[str, ...] = ()
    log_columns: tuple[Column, ...] = ()  # empty: the rules describe no follow-up log
    limits: Limits = DEFAULT_LIMITS
    hygiene: Hygiene = DEFAULT_HYGIENE
    # Monthly target per rep (负责人, as typed), in 万元; reps without one have no coverage.
    targets: tuple[tuple[str, float], ...] = ()
    # Monthly target of new leads per rep (负责人, as typed).
    new_lead_targets: tuple[tuple[str, int], ...] = ()
    # Monthly targets per channel, optional: (channel as typed, won 万元 or None, new leads or None).
    channel_targets: tuple[tuple[str, float | None, int | None], ...] = ()
    # Cell values that stand for a stage or a lost label (folded value → stage name or lost label).
    stage_values: tuple[tuple[str, str], ...] = ()
    dimensions: Dimensions = Dimensions()
    report: ReportSettings = ReportSettings()
    bands: Bands = Bands()
    remind: RemindSettings = RemindSettings()
    input: InputSettings = InputSettings()
    amount_unit: str = DEFAULT_AMOUNT_UNIT
    lang: str = "zh"
    # A row whose stage is blank is not a lead of this funnel (e.g. a CRM export's leads that never
    # became deals): skipped and counted, not an error.
    skip_rows_without_stage: bool = False
    # A status column's values that decide the stage (folded value → the won stage or a lost
    # label), e.g. Pipedrive's won/lost beside a stage column that keeps where the deal was.
    status_values: tuple[tuple[str, str], ...] = ()

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    @property
    def channel_field(self) -> str:
        return self.dimensions.channel

    @property
    def amount_in_wan(self) -> bool:
        """Amounts in 万元, the team's unit: a typed "500,000元" is converted."""
        return self.amount_unit == DEFAULT_AMOUNT_UNIT

    @property
    def won_stage(self) -> str:
        return self.stages[-1].name

    def stage_index(self, name: str) -> int:
        """0-based index of a stage name; raises KeyError for anything else."""
        return self.stage_names.index(name)

    def column(self, field: str) -> Column:
        return _column_of(self.columns, field)

    def header(self, field: str) -> str:
        return self.column(field).header

    @property
    def quality_fields(self) -> tuple[str, ...]:
        """The fields an open lead should have filled in (``required_for_quality``)."""
        return tuple(c.field for c in self.columns if c.required_for_quality)

    def has_column(self, field: str) -> bool:
        return any(col.field == field for col in self.columns)

    def log_column(self, field: str) -> Column:
        return _column_of(self.log_columns, field)

    def log_header(self, field: str) -> str:
        return self.log_column(field).header


def _column_of(columns: tuple[Column, ...], field: str) -> Column:
    """The column of ``field``; KeyError for a field the rules do not describe."""
    for col in columns:
        if col.field == field:
            return col
    raise KeyError(field)


def normalize_header(text: object) -> str:
    """Fold a header for matching: NFKC (full-width → half-width), no whitespace, casefolded."""
    folded = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"\s+", "", folded).casefold()


def default_rules_path() -> Path:
    return Path(str(resources.files("funnel_xl") / "data" / "funnel.toml"))


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and check a rules file; ``None`` means the packaged default."""
    path = Path(path) if path is not None else default_rules_path()
    data, raw = read_toml(path, "规则文件", MAX_RULES_BYTES, f"规则文件不存在: {path}")
    return _Checker(path).rules(data, hashlib.sha256(raw).hexdigest())


def read_toml(path: Path, what: str, max_bytes: int, not_found: str) -> tuple[dict, bytes]:
    """A TOML file of ours (``what``: 规则文件, 收件人文件), parsed; and its bytes."""
    raw = read_regular_file(path, max_bytes, what=what, error=RulesError, not_found=not_found)
    try:
        return tomllib.loads(raw.decode("utf-8")), raw
    except UnicodeDecodeError:
        raise RulesError(f"{what} {path} 不是 UTF-8 文本。") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{what} {path} 不是有效的 TOML: {exc}") from None


class TomlChecker:
    """Checks parsed TOML, naming the file and the key in every mistake and saying what is
    allowed; an unknown key is answered with the closest known one."""

    what = "规则文件"

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, message: str) -> RulesError:
        return RulesError(f"{self.what} {self.path} 中「{key}」{message}")

    def unknown_key(self, key: str, name: str, allowed: set[str]) -> RulesError:
        close = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.6)
        hint = f"（是否应为「{close[0]}」？）" if close else ""
        return self.fail(
            f"{key}.{name}" if key else name,
            f"是未知的键{hint}；允许的键: {', '.join(sorted(allowed))}。",
        )

    def table(self, data: Any, key: str, allowed: set[str] | None, required: set[str]) -> dict:
        """A table with only ``allowed`` keys (None: any) and every ``required`` one."""
        if not isinstance(data, dict):
            raise self.fail(key, "应为一个表 (table)。")
        unknown = sorted(set(data) - allowed) if allowed is not None else []
        if unknown:
            raise self.unknown_key(key, unknown[0], allowed)
        missing = sorted(required - set(data))
        if missing:
            raise self.fail(f"{key}.{missing[0]}" if key else missing[0], "缺失，必须填写。")
        return data

    def typed(self, value: Any, key: str, kind: type | tuple[type, ...], what: str) -> Any:
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(key, f"应为{what}，实际是 {value!r}。")
        if not isinstance(value, kind):
            raise self.fail(key, f"应为{what}，实际是 {value!r}。")
        return value

    def text(self, value: Any, key: str) -> str:
        value = self.typed(value, key, str, "文本")
        if not value.strip():
            raise self.fail(key, "不能为空。")
        return value.strip()


class _Checker(TomlChecker):
    """Turns the parsed TOML into :class:`Rules`, naming file and key on every mistake.

    Independent parts (each top-level section, each stage, column and suggestion) are checked
    one after the other and every mistake is collected, so ``funnel-xl rules check`` can list them
    all at once; :class:`RulesError` carries them in ``messages``.
    """

    def __init__(self, path: Path):
        super().__init__(path)
        self.errors: list[str] = []

    def attempt(self, check, default=None):
        """Run one independent check; a mistake is recorded and ``default`` stands in for it."""
        try:
            return check()
        except RulesError as exc:
            self.errors.extend(exc.messages)
            return default

    def quietly(self, check, default=None):
        """A second reading of a part another check already reported on: its mistakes once only."""
        try:
            return check()
        except RulesError:
            return default

    def texts(self, value: Any, key: str, allow_empty: bool = False) -> tuple[str, ...]:
        value = self.typed(value, key, list, "文本列表")
        items = tuple(self.text(v, f"{key}[{i}]") for i, v in enumerate(value))
        if not items and not allow_empty:
            raise self.fail(key, "至少需要一项。")
        seen: set[str] = set()
        for item in items:
            if item in seen:
                raise self.fail(key, f"中「{item}」重复出现。")
            seen.add(item)
        return items

    def number(self, value: Any, key: str, low: float, high: float | None = None) -> float:
        value = self.typed(value, key, (int, float), "数字")
        if value < low or (high is not None and value > high):
            bound = f"{low} 到 {high}" if high is not None else f"不小于 {low}"
            raise self.fail(key, f"应为 {bound} 之间的数字，实际是 {value}。")
        return float(value)

    def integer(self, value: Any, key: str, low: int) -> int:
        value = self.typed(value, key, int, "整数")
        if value < low:
            raise self.fail(key, f"应为不小于 {low} 的整数，实际是 {value}。")
        return value

    TOP_KEYS = frozenset({
        "version", "stages", "lost_labels", "sources", "follow_up_methods", "lead_id_pattern",
        "thresholds", "sheets", "columns", "log_columns", "suggestions", "limits", "stage_values",
        "dimensions", "input", "amount_unit", "lang", "hygiene", "targets", "channel_targets", "report",
        "status_values", "bands", "remind",
    })

    def rules(self, data: dict, sha256: str) -> Rules:
        top = data
        self.check_top(top)
        stages = self.attempt(lambda: self.stages(top["stages"]), ()) if "stages" in top else ()
        names = [s.name for s in stages]
        lost = self.attempt(lambda: self.lost_labels(top["lost_labels"], names), ()) if "lost_labels" in top else ()
        pattern = self.attempt(lambda: self.pattern(top.get("lead_id_pattern", ".+")), ".+")
        thresholds = self.attempt(lambda: self.thresholds(top.get("thresholds", {})), Thresholds(14, 10))
        sheets = self.attempt(lambda: self.sheets(top.get("sheets", {})), {})
        columns = self.attempt(
            lambda: self.columns(top["columns"], "columns", COLUMN_KINDS, CORE_FIELDS, "计算漏斗", names), ()
        ) if "columns" in top else ()
        log_columns = self.attempt(lambda: self.log_columns(top["log_columns"]), ()) if "log_columns" in top else ()
        dimensions = self.attempt(lambda: self.dimensions(top.get("dimensions", {}), columns), Dimensions())
        stage_values, status_values, suggestions, hygiene = (), (), (), DEFAULT_HYGIENE
        if stages:
            stage_values = self.attempt(
                lambda: self.stage_values(top.get("stage_values", {}), names, lost), ()
            )
            status_values = self.attempt(
                lambda: self.status_values(top.get("status_values", {}), names, lost, columns), ()
            )
            suggestions = self.attempt(lambda: self.suggestions(top.get("suggestions", []), names), ())
            hygiene = self.attempt(lambda: self.hygiene(top.get("hygiene", {}), names), DEFAULT_HYGIENE)
        rules = Rules(
            stages=stages, lost_labels=lost, lead_id_pattern=pattern, thresholds=thresholds,
            leads_sheets=sheets.get("leads", ()),
            header_search_rows=sheets.get("header_search_rows", 30),
            total_labels=sheets.get("total_labels", ()),
            columns=columns, suggestions=suggestions, source_path=str(self.path), sha256=sha256,
            log_sheets=sheets.get("log", ()), log_columns=log_columns, hygiene=hygiene,
            stage_values=stage_values, status_values=status_values, dimensions=dimensions,
            skip_rows_without_stage=sheets.get("skip_rows_without_stage", False),
            **self.lists_and_settings(top),
        )
        if self.errors:
            raise RulesError(*self.errors)
        return rules

    def check_top(self, top: dict) -> None:
        """Unknown and missing top-level keys, and the format version."""
        for name in sorted(set(top) - self.TOP_KEYS):
            self.errors.append(str(self.unknown_key("", name, self.TOP_KEYS)))
        for name in ("version", "stages", "lost_labels", "columns"):
            if name not in top:
                self.errors.append(str(self.fail(name, "缺失，必须填写。")))
        if "version" in top and top["version"] != 1:
            self.errors.append(
                str(self.fail("version", f"应为 1（本版本支持的规则格式），实际是 {top['version']!r}。"))
            )

    def lists_and_settings(self, top: dict) -> dict[str, Any]:
        """The lists and the settings that stand alone (each checked on its own)."""
        return {
            "sources": self.attempt(
                lambda: self.texts(top.get("sources", []), "sources", allow_empty=True), ()
            ),
            "follow_up_methods": self.attempt(
                lambda: self.texts(top.get("follow_up_methods", []), "follow_up_methods", allow_empty=True), ()
            ),
            "limits": self.attempt(lambda: self.limits(top.get("limits", {})), DEFAULT_LIMITS),
            "targets": self.attempt(lambda: self.targets(top.get("targets", {})), ()),
            "new_lead_targets": self.quietly(lambda: self.new_lead_targets(top.get("targets", {})), ()),
            "channel_targets": self.attempt(lambda: self.channel_targets(top.get("channel_targets", {})), ()),
            "report": self.attempt(lambda: self.report(top.get("report", {})), ReportSettings()),
            "bands": self.attempt(lambda: self.bands(top.get("bands", {})), Bands()),
            "remind": self.attempt(lambda: self.remind(top.get("remind", {})), RemindSettings()),
            "input": self.attempt(lambda: self.input(top.get("input", {})), InputSettings()),
            "amount_unit": self.attempt(
                lambda: self.text(top.get("amount_unit", DEFAULT_AMOUNT_UNIT), "amount_unit"),
                DEFAULT_AMOUNT_UNIT,
            ),
            "lang": self.attempt(lambda: self.choice(top.get("lang", "zh"), "lang", LANGUAGES), "zh"),
        }

    def choice(self, value: Any, key: str, allowed: tuple[str, ...]) -> str:
        value = self.text(value, key)
        if value not in allowed:
            raise self.fail(key, f"应为 {', '.join(allowed)} 之一，实际是「{value}」。")
        return value

    def lost_labels(self, value: Any, stage_names: list[str]) -> tuple[str, ...]:
        lost = self.texts(value, "lost_labels")
        for label in lost:
            if label in stage_names:
                raise self.fail("lost_labels", f"中「{label}」与阶段同名。")
        return lost

    def pattern(self, value: Any) -> str:
        pattern = self.text(value, "lead_id_pattern")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise self.fail("lead_id_pattern", f"不是有效的正则表达式: {exc}。") from None
        return pattern

    def thresholds(self, value: Any) -> Thresholds:
        table = self.table(
            value, "thresholds",
            {
                "stale_follow_up_days", "min_sample", "low_channel_win_rate",
                "low_channel_first_pass_rate", "low_channel_months", "drift_dwell_days",
                "drift_pass_rate_points", "max_snooze_days", "dwell_in_working_days", "close_slips",
                "workbook_age_days",
            },
            set(),
        )
        return Thresholds(
            stale_follow_up_days=self.integer(
                table.get("stale_follow_up_days", 14), "thresholds.stale_follow_up_days", 1
            ),
            min_sample=self.integer(table.get("min_sample", 10), "thresholds.min_sample", 1),
            low_channel_win_rate=self.number(
                table.get("low_channel_win_rate", 0.1), "thresholds.low_channel_win_rate", 0.0, 1.0,
            ),
            low_channel_first_pass_rate=self.number(
                table.get("low_channel_first_pass_rate", 0.5),
                "thresholds.low_channel_first_pass_rate", 0.0, 1.0,
            ),
            low_channel_months=self.integer(
                table.get("low_channel_months", 3), "thresholds.low_channel_months", 1
            ),
            drift_dwell_days=self.integer(
                table.get("drift_dwell_days", 2), "thresholds.drift_dwell_days", 0
            ),
            drift_pass_rate_points=self.number(
                table.get("drift_pass_rate_points", 5), "thresholds.drift_pass_rate_points",
                0.0, 100.0,
            ),
            max_snooze_days=self.integer(
                table.get("max_snooze_days", 60), "thresholds.max_snooze_days", 1
            ),
            close_slips=self.integer(table.get("close_slips", 2), "thresholds.close_slips", 1),
            workbook_age_days=self.integer(
                table.get("workbook_age_days", 14), "thresholds.workbook_age_days", 1
            ),
            dwell_in_working_days=self.typed(
                table.get("dwell_in_working_days", False),
                "thresholds.dwell_in_working_days", bool, "true/false",
            ),
        )

    def hygiene(self, value: Any, stage_names: list[str]) -> Hygiene:
        table = self.table(value, "hygiene", {"amount_close_from", "points"}, set())
        default_stage = stage_names[min(DEFAULT_HYGIENE.amount_close_from, len(stage_names) - 2)]
        stage = self.text(table.get("amount_close_from", default_stage), "hygiene.amount_close_from")
        if stage not in stage_names[:-1]:
            raise self.fail(
                "hygiene.amount_close_from",
                f"应为 {', '.join(stage_names[:-1])} 之一，实际是「{stage}」。",
            )
        given = self.table(table.get("points", {}), "hygiene.points", set(HYGIENE_PARTS), set())
        defaults = dict(DEFAULT_HYGIENE.points)
        points = tuple(
            (part, self.number(given.get(part, defaults[part]), f"hygiene.points.{part}", 0.0, 100.0))
            for part in HYGIENE_PARTS
        )
        total = sum(p for _, p in points)
        if abs(total - 100.0) > 1e-9:
            raise self.fail("hygiene.points", f"各项分值之和应为 100，实际是 {total:g}。")
        return Hygiene(amount_close_from=stage_names.index(stage), points=points)

    def targets(self, value: Any) -> tuple[tuple[str, float], ...]:
        """Each rep's monthly won target (万元): ``张伟 = 100`` or ``张伟 = { won = 100, new_leads = 20 }``."""
        return tuple(
            (name, target["won"]) for name, target in self.rep_targets(value) if "won" in target
        )

    def new_lead_targets(self, value: Any) -> tuple[tuple[str, int], ...]:
        """Each rep's monthly target of new leads (``张伟 = { new_leads = 20 }``)."""
        return tuple(
            (name, int(target["new_leads"])) for name, target in self.rep_targets(value)
            if "new_leads" in target
        )

    def channel_targets(self, value: Any) -> tuple[tuple[str, float | None, int | None], ...]:
        """Each channel's monthly targets (``官网 = 100`` or ``官网 = { won = 100, new_leads = 20 }``)."""
        return tuple(
            (name, target.get("won"), None if "new_leads" not in target else int(target["new_leads"]))
            for name, target in self.rep_targets(value, "channel_targets", "渠道")
        )

    def rep_targets(
        self, value: Any, section: str = "targets", whose: str = "负责人"
    ) -> list[tuple[str, dict[str, float]]]:
        value = self.typed(
            value, section, dict, f"表 ([{section}]，{whose} = 月度成交目标万元 或 {{ won = 万元, new_leads = 条数 }})"
        )
        out = []
        for name, given in value.items():
            # Names are matched as the sheet's are folded: full-width forms and runs of spaces.
            owner = " ".join(unicodedata.normalize("NFKC", self.text(name, section)).split())
            key = f"{section}.{name}"
            if isinstance(given, dict):
                table = self.table(given, key, {"won", "new_leads"}, set())
                target = {part: self.number(v, f"{key}.{part}", 0.0) for part, v in table.items()}
            else:
                target = {"won": self.number(given, key, 0.0)}
            out.append((owner, target))
        return out

    def sheets(self, value: Any) -> dict:
        table = self.table(
            value, "sheets",
            {"leads", "log", "header_search_rows", "total_labels", "skip_rows_without_stage"}, set(),
        )
        return {
            "leads": self.sheet_names(table.get("leads", []), "sheets.leads"),
            "log": self.log_sheets(table),
            "header_search_rows": self.integer(
                table.get("header_search_rows", 30), "sheets.header_search_rows", 1
            ),
            "total_labels": self.texts(
                table.get("total_labels", ["合计", "总计", "小计"]), "sheets.total_labels", allow_empty=True
            ),
            "skip_rows_without_stage": self.typed(
                table.get("skip_rows_without_stage", False), "sheets.skip_rows_without_stage",
                bool, "true/false",
            ),
        }

    def stage_values(
        self, value: Any, stage_names: list[str], lost: tuple[str, ...]
    ) -> tuple[tuple[str, str], ...]:
        """``"as typed" = "stage or lost label"``: values of the stage column that stand for a stage."""
        table = self.typed(value, "stage_values", dict, "表（\"表格里的值\" = \"阶段名或流失标签\"）")
        targets = (*stage_names, *lost)
        own = {normalize_header(name): name for name in targets}
        out: dict[str, str] = {}
        for typed, target in table.items():
            key = f"stage_values.{typed}"
            target = self.text(target, key)
            if target not in targets:
                close = difflib.get_close_matches(target, targets, n=1, cutoff=0.4)
                hint = f"是否应为「{close[0]}」？" if close else ""
                raise self.fail(key, f"应为阶段名或流失标签（{'、'.join(targets)}）之一，实际是「{target}」。{hint}")
            folded = normalize_header(typed)
            if not folded:
                raise self.fail(key, "表格里的值不能为空。")
            if folded in own and own[folded] != target:
                raise self.fail(key, f"与阶段或流失标签「{own[folded]}」同名，却对应「{target}」，会有歧义。")
            if folded in out and out[folded] != target:
                raise self.fail(key, "与前面的值写法相同（忽略空格和大小写），却对应不同的阶段。")
            out[folded] = target
        return tuple(sorted(out.items()))

    def status_values(
        self, value: Any, stage_names: list[str], lost: tuple[str, ...], columns: tuple[Column, ...]
    ) -> tuple[tuple[str, str], ...]:
        """``"status as typed" = "won stage or lost label"``: a status column that decides the stage."""
        table = self.typed(value, "status_values", dict, "表（\"状态列里的值\" = \"成交阶段或流失标签\"）")
        if table and columns and not any(c.field == "status" for c in columns):
            raise self.fail("status_values", "需要 [columns.status]（状态列）。")
        targets = (stage_names[-1], *lost) if stage_names else lost
        out = {}
        for typed, target in table.items():
            target = self.text(target, f"status_values.{typed}")
            if target not in targets:
                raise self.fail(f"status_values.{typed}", f"应为成交阶段或流失标签（{'、'.join(targets)}）之一，实际是「{target}」。")
            out[normalize_header(typed)] = target
        return tuple(sorted(out.items()))

    def dimensions(self, value: Any, columns: tuple[Column, ...]) -> Dimensions:
        table = self.table(value, "dimensions", {"channel", "extra"}, set())
        fields = {c.field: c for c in columns}

        def dimension(name: Any, key: str) -> str:
            name = self.text(name, key)
            if name in NOT_DIMENSIONS:
                why = "负责人已有自己的对比表" if name == "owner" else "它标识线索、是漏斗本身或由工具计算"
                raise self.fail(key, f"「{name}」不能用作对比维度（{why}）。")
            if columns and name not in fields:
                raise self.fail(
                    key, f"「{name}」不是 [columns] 中定义的字段；可用: {', '.join(f for f in fields if f not in NOT_DIMENSIONS)}。"
                )
            if name in fields and fields[name].kind != "text":
                raise self.fail(key, f"「{name}」的 kind 是 {fields[name].kind}，对比维度应为 text 列。")
            return name

        if "channel" not in table and columns and DEFAULT_CHANNEL not in fields:
            raise self.fail(
                f"columns.{DEFAULT_CHANNEL}",
                "缺失：这一列是计算漏斗所必需的（渠道对比）；若表格没有线索来源列，"
                "请在 [dimensions] 中用 channel 指定另一列（如产品、地区）。",
            )
        channel = dimension(table.get("channel", DEFAULT_CHANNEL), "dimensions.channel")
        extra = tuple(
            dimension(name, f"dimensions.extra[{i}]")
            for i, name in enumerate(self.typed(table.get("extra", []), "dimensions.extra", list, "字段名列表"))
        )
        for i, name in enumerate(extra):
            if name == channel or name in extra[:i]:
                raise self.fail(f"dimensions.extra[{i}]", f"「{name}」重复：每个维度只需列出一次（渠道维度已单独对比）。")
        return Dimensions(channel=channel, extra=extra)

    def input(self, value: Any) -> InputSettings:
        table = self.table(value, "input", {"encoding", "delimiter", "date_formats"}, set())
        encoding = self.text(table.get("encoding", "auto"), "input.encoding")
        wrong = encoding_mistake(encoding) if encoding != "auto" else None
        if wrong:
            raise self.fail("input.encoding", f"{wrong}，或写 auto 自动识别。")
        delimiter = self.typed(table.get("delimiter", "auto"), "input.delimiter", str, "文本")
        if delimiter != "auto" and len(delimiter) != 1:
            raise self.fail("input.delimiter", f"应为一个字符（如 \",\" \";\" 或 \"\\t\"）或 auto，实际是「{delimiter}」。")
        formats = self.texts(table.get("date_formats", []), "input.date_formats", allow_empty=True)
        for i, fmt in enumerate(formats):
            self.date_format(fmt, f"input.date_formats[{i}]")
        return InputSettings(encoding=encoding, delimiter=delimiter, date_formats=formats)

    def date_format(self, fmt: str, key: str) -> None:
        """A format must write a date and read the same date back: day, month and year all named."""
        from datetime import date, datetime

        probe = date(*_PROBE_DATE)
        try:
            back = datetime.strptime(probe.strftime(fmt), fmt).date()
        except ValueError:
            back = None
        if back != probe:
            raise self.fail(
                key,
                f"「{fmt}」不是完整的日期格式：需要用 %d（日）、%m（月）和 %Y 或 %y（年），"
                "例如 \"%m/%d/%Y\" 表示 3/15/2024，\"%d-%m-%y\" 表示 15-03-24。",
            )


    def sheet_names(self, value: Any, key: str) -> tuple[str, ...]:
        """Names the template writes as sheet names: Excel refuses some, so they are checked here."""
        names = self.texts(value, key, allow_empty=True)
        for i, name in enumerate(names):
            bad = sorted(set(name) & set(FORBIDDEN_SHEET_CHARACTERS))
            if bad:
                raise self.fail(f"{key}[{i}]", f"「{name}」含有 Excel 工作表名不允许的字符 {' '.join(bad)}。")
            if len(name.encode("utf-16-le")) // 2 > 31:
                raise self.fail(f"{key}[{i}]", f"「{name}」超过 Excel 工作表名 31 个字符的上限。")
            if name.startswith("'") or name.endswith("'") or name.casefold() == "history":
                raise self.fail(f"{key}[{i}]", f"「{name}」不能用作 Excel 工作表名（不能以撇号开头或结尾，不能叫 History）。")
        return names

    def log_sheets(self, sheets: dict) -> tuple[str, ...]:
        names = self.sheet_names(sheets.get("log", []), "sheets.log")
        leads = {normalize_header(n) for n in sheets.get("leads", []) if isinstance(n, str)}
        for name in names:
            if normalize_header(name) in leads:
                raise self.fail("sheets.log", f"中「{name}」也出现在 sheets.leads 中，无法区分线索表与跟进记录。")
        return names

    def log_columns(self, value: Any) -> tuple[Column, ...]:
        log_columns = self.columns(
            value, "log_columns", LOG_COLUMN_KINDS, LOG_CORE_FIELDS, "计算阶段历史", (),
            computed_allowed=False,
        )
        for col in log_columns:
            wanted = LOG_CORE_KINDS.get(col.field)
            if wanted is not None and col.kind != wanted:
                raise self.fail(f"log_columns.{col.field}.kind", f"应为「{wanted}」，实际是「{col.kind}」。")
        return log_columns

    def report(self, value: Any) -> ReportSettings:
        table = self.table(value, "report", {"detail_rows"}, set())
        return ReportSettings(
            detail_rows=self.integer(
                table.get("detail_rows", ReportSettings.detail_rows), "report.detail_rows", 1
            ),
        )

    def bands(self, value: Any) -> Bands:
        table = self.table(value, "bands", {"amounts"}, set())
        if "amounts" not in table:
            return Bands()
        amounts = table["amounts"]
        if not isinstance(amounts, list) or not amounts:
            raise self.fail("bands.amounts", "应为非空的数字列表，例如 [10, 50, 100]。")
        edges = tuple(self.number(v, "bands.amounts", 0.0) for v in amounts)
        if any(b <= a for a, b in zip(edges, edges[1:], strict=False)) or edges[0] <= 0:
            raise self.fail("bands.amounts", f"应为从小到大、大于 0 的金额，实际是 {list(amounts)}。")
        return Bands(edges)

    def remind(self, value: Any) -> RemindSettings:
        table = self.table(value, "remind", {"repeat_days"}, set())
        return RemindSettings(
            repeat_days=self.integer(
                table.get("repeat_days", RemindSettings.repeat_days), "remind.repeat_days", 1
            ),
        )

    def limits(self, value: Any) -> Limits:
        names = [f.name for f in dataclass_fields(Limits)]
        table = self.table(value, "limits", set(names), set())
        return Limits(
            **{
                name: self.integer(table.get(name, getattr(DEFAULT_LIMITS, name)), f"limits.{name}", 1)
                for name in names
            }
        )

    def each(self, items: list, check) -> list | None:
        """Check every item of a list on its own; None when any of them has a mistake."""
        failed = False
        out = []
        for i, item in enumerate(items):
            result = self.attempt(lambda i=i, item=item: check(i, item), None)
            failed = failed or result is None
            out.append(result)
        return None if failed else out

    def stages(self, value: Any) -> tuple[Stage, ...]:
        value = self.typed(value, "stages", list, "阶段列表 ([[stages]])")
        if len(value) < 2:
            raise self.fail("stages", "至少需要两个阶段（最后一个为成交）。")

        def stage(i: int, item: Any) -> Stage:
            key = f"stages[{i}]"
            item = self.table(
                item, key,
                {"name", "entry", "exit", "max_dwell_days", "win_probability"},
                {"name", "max_dwell_days", "win_probability"},
            )
            return Stage(
                name=self.text(item["name"], f"{key}.name"),
                entry=str(item.get("entry", "")),
                exit=str(item.get("exit", "")),
                max_dwell_days=self.integer(item["max_dwell_days"], f"{key}.max_dwell_days", 0),
                win_probability=self.number(item["win_probability"], f"{key}.win_probability", 0.0, 1.0),
            )

        stages = self.each(value, stage)
        if stages is None:
            return ()
        names = [s.name for s in stages]
        for name in names:
            if names.count(name) > 1:
                raise self.fail("stages", f"中阶段名「{name}」重复。")
        return tuple(stages)

    def columns(
        self, value: Any, table: str, kinds: tuple[str, ...], core: tuple[str, ...], purpose: str,
        stage_names: list[str], *, computed_allowed: bool = True,
    ) -> tuple[Column, ...]:
        """A columns table ([columns.*] or [log_columns.*]): header, aliases, kind, required."""
        value = self.typed(value, table, dict, f"列定义表 ([{table}.字段])")
        allowed = {"header", "aliases", "kind", "required", "values", "fallback", "may_be_blank"}
        if computed_allowed:
            allowed |= {"computed", "required_for_quality"}
        seen: dict[str, str] = {}

        def column(i: int, entry: tuple[str, Any]) -> Column:
            field, item = entry
            key = f"{table}.{field}"
            item = self.table(item, key, allowed, {"header", "kind"})
            kind = self.text(item["kind"], f"{key}.kind")
            if kind not in kinds:
                raise self.fail(f"{key}.kind", f"应为 {', '.join(kinds)} 之一，实际是「{kind}」。")
            col = Column(
                field=field,
                header=self.text(item["header"], f"{key}.header"),
                aliases=self.texts(item.get("aliases", []), f"{key}.aliases", allow_empty=True),
                kind=ColumnKind(kind),
                required=self.typed(item.get("required", False), f"{key}.required", bool, "true/false"),
                computed=self.typed(item.get("computed", False), f"{key}.computed", bool, "true/false"),
                required_for_quality=self.typed(
                    item.get("required_for_quality", False), f"{key}.required_for_quality", bool,
                    "true/false",
                ),
                values=self.lost_at_values(item, key, kind, stage_names),
                fallback=self.texts(item.get("fallback", []), f"{key}.fallback", allow_empty=True),
                may_be_blank=self.typed(item.get("may_be_blank", False), f"{key}.may_be_blank", bool, "true/false"),
            )
            if col.may_be_blank and field != "first_contact":
                raise self.fail(f"{key}.may_be_blank", "只用于 first_contact（首次接触可以不填）。")
            for name in col.names:
                folded = normalize_header(name)
                if folded in seen and seen[folded] != field:
                    raise self.fail(
                        f"{key}.aliases", f"中「{name}」同时用于列 {seen[folded]}，匹配会有歧义。"
                    )
                seen[folded] = field
            return col

        columns = self.each(list(value.items()), column)
        if columns is None:
            return ()
        fields = {c.field for c in columns}
        self.fallbacks(columns, table)
        for field in core:
            if field not in fields:
                raise self.fail(f"{table}.{field}", f"缺失：这一列是{purpose}所必需的。")
        return tuple(columns)

    def fallbacks(self, columns: list[Column], table: str) -> None:
        """Each fallback names another field of the same kind."""
        kinds = {c.field: c.kind for c in columns}
        for col in columns:
            for i, name in enumerate(col.fallback):
                key = f"{table}.{col.field}.fallback[{i}]"
                if name == col.field or name not in kinds:
                    raise self.fail(key, f"「{name}」应为 [{table}] 中另一个字段；可用: {', '.join(kinds)}。")
                if kinds[name] != col.kind:
                    raise self.fail(key, f"「{name}」的 kind 是 {kinds[name]}，应与本列相同（{col.kind}）。")

    def lost_at_values(
        self, item: dict, key: str, kind: str, stage_names: list[str]
    ) -> str | tuple[tuple[str, str], ...]:
        """How a lost-at column names the stage: "name", "sequence" or a table value → stage."""
        if "values" not in item:
            return LOST_AT_BY_NAME
        key = f"{key}.values"
        if kind != "lost_at":
            raise self.fail(key, "只用于 kind = \"lost_at\" 的列（说明流失阶段列里写的是什么）。")
        value = item["values"]
        if isinstance(value, str):
            if value not in (LOST_AT_BY_NAME, LOST_AT_BY_SEQUENCE):
                raise self.fail(
                    key,
                    f"应为 \"{LOST_AT_BY_NAME}\"（阶段名）、\"{LOST_AT_BY_SEQUENCE}\"（阶段序号，1 = 第一个阶段）"
                    f"或一个表（\"表格里的值\" = \"阶段名\"），实际是「{value}」。",
                )
            return value
        table = self.typed(value, key, dict, "\"name\"、\"sequence\" 或一个表")
        if not table:
            raise self.fail(key, "至少需要一项。")
        open_stages = stage_names[:-1]
        out: dict[str, str] = {}
        for typed, target in table.items():
            target = self.text(target, f"{key}.{typed}")
            if stage_names and target not in open_stages:
                raise self.fail(
                    f"{key}.{typed}", f"应为已成交之前的阶段（{'、'.join(open_stages)}）之一，实际是「{target}」。"
                )
            out[normalize_header(typed)] = target
        return tuple(sorted(out.items()))

    def suggestions(self, value: Any, stage_names: list[str]) -> tuple[Suggestion, ...]:
        value = self.typed(value, "suggestions", list, "建议列表 ([[suggestions]])")

        def suggestion(i: int, item: Any) -> Suggestion:
            key = f"suggestions[{i}]"
            item = self.table(item, key, {"metric", "stage", "below", "above", "text"}, {"metric", "text"})
            metric = self.text(item["metric"], f"{key}.metric")
            if metric not in SUGGESTION_METRICS:
                raise self.fail(
                    f"{key}.metric", f"应为 {', '.join(SUGGESTION_METRICS)} 之一，实际是「{metric}」。"
                )
            stage = item.get("stage")
            if metric in ("pass_rate", "loss_rate"):
                if stage is None:
                    raise self.fail(f"{key}.stage", f"缺失：指标 {metric} 需要指定阶段。")
                stage = self.text(stage, f"{key}.stage")
                if stage not in stage_names[:-1]:
                    raise self.fail(
                        f"{key}.stage", f"应为 {', '.join(stage_names[:-1])} 之一，实际是「{stage}」。"
                    )
            elif stage is not None:
                raise self.fail(f"{key}.stage", f"对指标 {metric} 没有意义，请删除。")
            if ("below" in item) == ("above" in item):
                raise self.fail(key, "必须且只能填写 below 或 above 之一。")
            bound = "below" if "below" in item else "above"
            limit = self.number(item[bound], f"{key}.{bound}", 0.0, 1.0)
            return Suggestion(
                metric=metric,
                text=self.text(item["text"], f"{key}.text"),
                stage=stage,
                below=limit if bound == "below" else None,
                above=limit if bound == "above" else None,
            )

        return tuple(self.each(value, suggestion) or ())
