"""The team's rules: stages, columns, lists and thresholds, read from TOML and checked on load.

Every mistake raises :class:`RulesError` naming the file and the key, and saying what is allowed.
The default rules ship inside the package (``funnel_xl/data/funnel.toml``); the repository's
``rules/funnel.toml`` is the same file for people to copy and edit.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import RulesError
from .files import MB, read_regular_file

COLUMN_KINDS = ("text", "date", "number", "stage", "lost_at")
# The follow-up log (跟进记录) holds text, dates and stage names (阶段调整为: a stage or a lost label).
LOG_COLUMN_KINDS = ("text", "date", "stage")
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
# Fields the code relies on; a rules file may rename their headers but not drop them.
CORE_FIELDS = ("lead_id", "source", "stage", "first_contact", "owner")
# The log fields the stage history relies on, when a rules file describes a log at all.
LOG_CORE_FIELDS = ("lead_id", "time", "stage_change")
# …and the kind each of them must have.
LOG_CORE_KINDS = {"lead_id": "text", "time": "date", "stage_change": "stage"}


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
    kind: str
    required: bool
    computed: bool = False

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
    max_file_mb=100,
    max_unpacked_mb=500,
    max_compression_ratio=100,
    max_zip_entries=10_000,
    max_rows=200_000,
    max_columns=500,
    max_cells=5_000_000,
)


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
    limits: Limits = DEFAULT_LIMITS
    log_sheets: tuple[str, ...] = ()
    log_columns: tuple[Column, ...] = ()  # empty: the rules describe no follow-up log
    hygiene: Hygiene = DEFAULT_HYGIENE
    # Monthly target per rep (负责人, as typed), in 万元; reps without one have no coverage.
    targets: tuple[tuple[str, float], ...] = ()

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    @property
    def won_stage(self) -> str:
        return self.stages[-1].name

    def stage_index(self, name: str) -> int:
        """0-based index of a stage name; raises KeyError for anything else."""
        return self.stage_names.index(name)

    def column(self, field: str) -> Column:
        for col in self.columns:
            if col.field == field:
                return col
        raise KeyError(field)

    def header(self, field: str) -> str:
        return self.column(field).header

    def log_column(self, field: str) -> Column:
        for col in self.log_columns:
            if col.field == field:
                return col
        raise KeyError(field)

    def log_header(self, field: str) -> str:
        return self.log_column(field).header


def normalize_header(text: object) -> str:
    """Fold a header for matching: NFKC (full-width → half-width), no whitespace, casefolded."""
    folded = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"\s+", "", folded).casefold()


def default_rules_path() -> Path:
    return Path(str(resources.files("funnel_xl") / "data" / "funnel.toml"))


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and check a rules file; ``None`` means the packaged default."""
    path = Path(path) if path is not None else default_rules_path()
    raw = read_regular_file(
        path, MAX_RULES_BYTES, what="规则文件", error=RulesError, not_found=f"规则文件不存在: {path}"
    )
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise RulesError(f"规则文件 {path} 不是 UTF-8 文本。") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"规则文件 {path} 不是有效的 TOML: {exc}") from None
    return _Checker(path).rules(data, hashlib.sha256(raw).hexdigest())


class _Checker:
    """Turns the parsed TOML into :class:`Rules`, naming file and key on every mistake."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, message: str) -> RulesError:
        return RulesError(f"规则文件 {self.path} 中「{key}」{message}")

    def table(self, data: Any, key: str, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(data, dict):
            raise self.fail(key, "应为一个表 (table)。")
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(
                f"{key}.{unknown[0]}" if key else unknown[0],
                f"是未知的键；允许的键: {', '.join(sorted(allowed))}。",
            )
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

    def rules(self, data: dict, sha256: str) -> Rules:
        top = self.table(
            data,
            "",
            {
                "version", "stages", "lost_labels", "sources", "follow_up_methods",
                "lead_id_pattern", "thresholds", "sheets", "columns", "log_columns", "suggestions",
                "limits",
                "lead_id_pattern", "thresholds", "sheets", "columns", "suggestions", "limits",
                "hygiene", "targets",
            },
            {"version", "stages", "lost_labels", "columns"},
        )
        if top["version"] != 1:
            raise self.fail("version", f"应为 1（本版本支持的规则格式），实际是 {top['version']!r}。")
        stages = self.stages(top["stages"])
        names = [s.name for s in stages]
        lost = self.texts(top["lost_labels"], "lost_labels")
        for label in lost:
            if label in names:
                raise self.fail("lost_labels", f"中「{label}」与阶段同名。")
        pattern = self.text(top.get("lead_id_pattern", ".+"), "lead_id_pattern")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise self.fail("lead_id_pattern", f"不是有效的正则表达式: {exc}。") from None
        thresholds = self.table(
            top.get("thresholds", {}), "thresholds",
            {
                "stale_follow_up_days", "min_sample", "low_channel_win_rate",
                "low_channel_first_pass_rate", "low_channel_months", "drift_dwell_days",
                "drift_pass_rate_points", "max_snooze_days", "dwell_in_working_days", "close_slips",
            },
            set(),
        )
        sheets = self.table(
            top.get("sheets", {}), "sheets", {"leads", "log", "header_search_rows", "total_labels"},
            set(),
        )
        log_columns = ()
        if "log_columns" in top:
            log_columns = self.columns(
                top["log_columns"], "log_columns", LOG_COLUMN_KINDS, LOG_CORE_FIELDS,
                "计算阶段历史", computed_allowed=False,
            )
            for col in log_columns:
                wanted = LOG_CORE_KINDS.get(col.field)
                if wanted is not None and col.kind != wanted:
                    raise self.fail(f"log_columns.{col.field}.kind", f"应为「{wanted}」，实际是「{col.kind}」。")
        return Rules(
            stages=stages,
            lost_labels=lost,
            sources=self.texts(top.get("sources", []), "sources", allow_empty=True),
            follow_up_methods=self.texts(
                top.get("follow_up_methods", []), "follow_up_methods", allow_empty=True
            ),
            lead_id_pattern=pattern,
            thresholds=Thresholds(
                stale_follow_up_days=self.integer(
                    thresholds.get("stale_follow_up_days", 14), "thresholds.stale_follow_up_days", 1
                ),
                min_sample=self.integer(thresholds.get("min_sample", 10), "thresholds.min_sample", 1),
                low_channel_win_rate=self.number(
                    thresholds.get("low_channel_win_rate", 0.1),
                    "thresholds.low_channel_win_rate", 0.0, 1.0,
                ),
                low_channel_first_pass_rate=self.number(
                    thresholds.get("low_channel_first_pass_rate", 0.5),
                    "thresholds.low_channel_first_pass_rate", 0.0, 1.0,
                ),
                low_channel_months=self.integer(
                    thresholds.get("low_channel_months", 3), "thresholds.low_channel_months", 1
                ),
                drift_dwell_days=self.integer(
                    thresholds.get("drift_dwell_days", 2), "thresholds.drift_dwell_days", 0
                ),
                drift_pass_rate_points=self.number(
                    thresholds.get("drift_pass_rate_points", 5), "thresholds.drift_pass_rate_points",
                    0.0, 100.0,
                ),
                max_snooze_days=self.integer(
                    thresholds.get("max_snooze_days", 60), "thresholds.max_snooze_days", 1
                ),
                close_slips=self.integer(thresholds.get("close_slips", 2), "thresholds.close_slips", 1),
                dwell_in_working_days=self.typed(
                    thresholds.get("dwell_in_working_days", False),
                    "thresholds.dwell_in_working_days", bool, "true/false",
                ),
            ),
            leads_sheets=self.sheet_names(sheets.get("leads", []), "sheets.leads"),
            header_search_rows=self.integer(
                sheets.get("header_search_rows", 30), "sheets.header_search_rows", 1
            ),
            total_labels=self.texts(
                sheets.get("total_labels", ["合计", "总计", "小计"]), "sheets.total_labels", allow_empty=True
            ),
            columns=self.columns(
                top["columns"], "columns", COLUMN_KINDS, CORE_FIELDS, "计算漏斗"
            ),
            suggestions=self.suggestions(top.get("suggestions", []), names),
            source_path=str(self.path),
            sha256=sha256,
            limits=self.limits(top.get("limits", {})),
            log_sheets=self.log_sheets(sheets),
            log_columns=log_columns,
            hygiene=self.hygiene(top.get("hygiene", {}), names),
            targets=self.targets(top.get("targets", {})),
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
        value = self.typed(value, "targets", dict, "表 ([targets]，负责人 = 月度目标万元)")
        # Owners are matched as the sheet's are folded: full-width forms and runs of spaces.
        return tuple(
            (
                " ".join(unicodedata.normalize("NFKC", self.text(name, "targets")).split()),
                self.number(amount, f"targets.{name}", 0.0),
            )
            for name, amount in value.items()
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

    def limits(self, value: Any) -> Limits:
        names = [f.name for f in dataclass_fields(Limits)]
        table = self.table(value, "limits", set(names), set())
        return Limits(
            **{
                name: self.integer(table.get(name, getattr(DEFAULT_LIMITS, name)), f"limits.{name}", 1)
                for name in names
            }
        )

    def log_sheets(self, sheets: dict) -> tuple[str, ...]:
        names = self.sheet_names(sheets.get("log", []), "sheets.log")
        leads = {normalize_header(n) for n in sheets.get("leads", []) if isinstance(n, str)}
        for name in names:
            if normalize_header(name) in leads:
                raise self.fail("sheets.log", f"中「{name}」也出现在 sheets.leads 中，无法区分线索表与跟进记录。")
        return names

    def stages(self, value: Any) -> tuple[Stage, ...]:
        value = self.typed(value, "stages", list, "阶段列表 ([[stages]])")
        if len(value) < 2:
            raise self.fail("stages", "至少需要两个阶段（最后一个为成交）。")
        stages = []
        for i, item in enumerate(value):
            key = f"stages[{i}]"
            item = self.table(
                item, key,
                {"name", "entry", "exit", "max_dwell_days", "win_probability"},
                {"name", "max_dwell_days", "win_probability"},
            )
            stages.append(
                Stage(
                    name=self.text(item["name"], f"{key}.name"),
                    entry=str(item.get("entry", "")),
                    exit=str(item.get("exit", "")),
                    max_dwell_days=self.integer(item["max_dwell_days"], f"{key}.max_dwell_days", 0),
                    win_probability=self.number(
                        item["win_probability"], f"{key}.win_probability", 0.0, 1.0
                    ),
                )
            )
        names = [s.name for s in stages]
        for name in names:
            if names.count(name) > 1:
                raise self.fail("stages", f"中阶段名「{name}」重复。")
        return tuple(stages)

    def columns(
        self, value: Any, table: str, kinds: tuple[str, ...], core: tuple[str, ...], purpose: str,
        *, computed_allowed: bool = True,
    ) -> tuple[Column, ...]:
        """A columns table ([columns.*] or [log_columns.*]): header, aliases, kind, required."""
        value = self.typed(value, table, dict, f"列定义表 ([{table}.字段])")
        allowed = {"header", "aliases", "kind", "required"}
        if computed_allowed:
            allowed.add("computed")
        columns = []
        seen: dict[str, str] = {}
        for field, item in value.items():
            key = f"{table}.{field}"
            item = self.table(item, key, allowed, {"header", "kind"})
            kind = self.text(item["kind"], f"{key}.kind")
            if kind not in kinds:
                raise self.fail(f"{key}.kind", f"应为 {', '.join(kinds)} 之一，实际是「{kind}」。")
            col = Column(
                field=field,
                header=self.text(item["header"], f"{key}.header"),
                aliases=self.texts(item.get("aliases", []), f"{key}.aliases", allow_empty=True),
                kind=kind,
                required=self.typed(item.get("required", False), f"{key}.required", bool, "true/false"),
                computed=self.typed(item.get("computed", False), f"{key}.computed", bool, "true/false"),
            )
            for name in col.names:
                folded = normalize_header(name)
                if folded in seen and seen[folded] != field:
                    raise self.fail(
                        f"{key}.aliases", f"中「{name}」同时用于列 {seen[folded]}，匹配会有歧义。"
                    )
                seen[folded] = field
            columns.append(col)
        fields = {c.field for c in columns}
        for field in core:
            if field not in fields:
                raise self.fail(f"{table}.{field}", f"缺失：这一列是{purpose}所必需的。")
        return tuple(columns)

    def suggestions(self, value: Any, stage_names: list[str]) -> tuple[Suggestion, ...]:
        value = self.typed(value, "suggestions", list, "建议列表 ([[suggestions]])")
        out = []
        for i, item in enumerate(value):
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
            out.append(
                Suggestion(
                    metric=metric,
                    text=self.text(item["text"], f"{key}.text"),
                    stage=stage,
                    below=limit if bound == "below" else None,
                    above=limit if bound == "above" else None,
                )
            )
        return tuple(out)
