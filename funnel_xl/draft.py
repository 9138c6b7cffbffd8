"""A first rules file for a sheet the rules do not know yet (``funnel-xl rules init --from``).

It looks at the sheet the way a careful colleague would, and writes down what it concluded as a
commented TOML file for the manager to check and edit:

- each header matched to a known field, by the rules' headers and aliases, else by a word it
  contains ("Deal Owner" → owner, "Lead acquisition date" → first contact), marked as a guess;
- the stage column's distinct values, ordered by a column that numbers them one to one (a CRM's
  "Stage sequence") when there is one, else in the order they first appear; values that read as
  won or lost put last or made lost labels;
- the dates' written form (M/D/YYYY or D/M/YYYY, told from a day above 12), the amount's unit
  from its header, rows without a stage (to skip), a text column with a handful of values as the
  channel, others offered as further dimensions;
- every other header listed in a comment, with its column letter and a sample value.

The draft always loads (``funnel-xl rules check`` passes): what could not be found keeps the
default's header with a comment saying so, and ``rules check RULES WORKBOOK`` then names it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .container import column_letters
from .reader import RawTable, read_table
from .rules import DEFAULT_AMOUNT_UNIT, Column, Rules, load_rules, normalize_header
from .text import is_empty

# Words that give a header's field away when no alias matches (folded, as normalize_header folds).
_HINTS = {
    "lead_id": ("leadid", "dealid", "opportunityid", "线索编号", "编号"),
    "customer": ("organization", "organisation", "company", "account", "customer", "客户", "公司"),
    "stage": ("dealstage", "stage", "阶段"),
    "first_contact": ("acquisition", "created", "firstcontact", "opened", "首次", "创建"),
    "last_follow_up": ("lastactivity", "lastcontact", "lastfollow", "最近跟进"),
    "expected_close": ("expectedclose", "closedate", "预计成交"),
    "amount": ("dealvalue", "amount", "value", "revenue", "金额"),
    "owner": ("owner", "salesrep", "rep", "salesperson", "负责人", "销售"),
    "source": ("leadsource", "source", "channel", "来源", "渠道"),
    "lost_reason": ("lostreason", "流失原因"),
    "industry": ("industry", "行业"),
}
# Text columns a team likely compares by, in order of preference for the channel.
_DIMENSION_WORDS = ("source", "channel", "campaign", "product", "region", "country", "segment",
                    "industry", "来源", "渠道", "产品", "地区", "区域", "行业")
_WON_WORDS = ("won", "closedwon", "win", "成交", "赢单", "签约", "已签约")
_LOST_WORDS = ("lost", "closedlost", "lose", "disqualified", "dead", "流失", "无效", "丢单", "输单")
_DATE_TEXT = re.compile(r"^\s*(\d{1,4})([/.-])(\d{1,2})\2(\d{2,4})\s*$")
_MAX_DISTINCT_STAGES = 30
_MAX_DIMENSION_VALUES = 50
# When this share of a column's rows hold values the rules know, the rules' list is kept and the
# other values are shown as what they are: probably typos.
_MOSTLY = 0.8


@dataclass
class _Header:
    index: int
    letter: str
    text: str
    values: list = field(default_factory=list)
    field: str | None = None
    guessed: bool = False
    unique: bool = False  # taken as the lead ID because every row's value is different

    @property
    def filled(self) -> list:
        return [v for v in self.values if not is_empty(v)]

    @property
    def kind(self) -> str:
        filled = self.filled
        if not filled:
            return "empty"
        dates = sum(isinstance(v, (date, datetime)) or bool(_DATE_TEXT.match(str(v))) for v in filled)
        numbers = sum(_number(v) is not None for v in filled)
        if dates >= 0.8 * len(filled):
            return "date"
        if numbers >= 0.8 * len(filled):
            return "number"
        return "text"

    @property
    def distinct(self) -> Counter:
        return Counter(_text(v) for v in self.filled)


def draft_rules(path: str | Path, base: Rules | None = None) -> str:
    """A rules file (TOML text with comments) for the sheet in ``path``, starting from ``base``
    (the packaged default rules when None) for whatever the sheet does not say."""
    base = base or load_rules()
    table = read_table(path, base)
    headers, header_row = _headers(table, base)
    return _Draft(table, headers, header_row, base).text()


def _headers(table: RawTable, rules: Rules) -> tuple[list[_Header], int]:
    """The header row (the one naming most known fields, else the first with most text cells)
    and each header with its column's values."""
    rows = table.rows
    search = rows[: rules.header_search_rows]
    lookup = {normalize_header(n): c.field for c in rules.columns for n in c.names}

    def score(row: list) -> tuple[int, int]:
        texts = [v for v in row if isinstance(v, str) and v.strip()]
        return (len({lookup[normalize_header(v)] for v in texts if normalize_header(v) in lookup}), len(texts))

    header_at = max(range(len(search)), key=lambda i: (score(search[i]), -i)) if search else 0
    header_cells = rows[header_at] if rows else []
    body = rows[header_at + 1 :]
    headers = []
    for j, cell in enumerate(header_cells):
        text = " ".join(str(cell).split()) if not is_empty(cell) else ""
        if not text:
            continue
        values = [row[j] if j < len(row) else None for row in body]
        headers.append(_Header(j, column_letters(table.origin[1] + j + 1), text, values))
    _match(headers, rules, lookup)
    return headers, table.origin[0] + header_at + 1


def _match(headers: list[_Header], rules: Rules, lookup: dict[str, str]) -> None:
    taken: set[str] = set()
    for h in headers:
        found = lookup.get(normalize_header(h.text))
        if found and found not in taken:
            h.field = found
            taken.add(found)
    for name, words in _HINTS.items():
        if name in taken or not rules.has_column(name):
            continue
        wanted = rules.column(name).kind
        for h in headers:
            if h.field or not any(w in normalize_header(h.text) for w in words):
                continue
            if wanted == "date" and h.kind not in ("date", "empty"):
                continue
            if wanted == "number" and h.kind not in ("number", "empty"):
                continue
            if wanted in ("stage", "text") and name != "lead_id" and h.kind in ("date", "number"):
                continue
            h.field, h.guessed = name, True
            taken.add(name)
            break
    if "lead_id" not in taken:
        # No ID column: a text column whose every value is there and different identifies the lead
        # (an export keyed by the company's name), taken from the customer field if need be.
        rows = max((len(h.values) for h in headers), default=0)
        for h in headers:
            texts = [_text(v) for v in h.values]
            if h.field in (None, "customer") and rows and h.kind == "text" and len(set(texts)) == rows \
                    and all(texts):
                h.field, h.guessed, h.unique = "lead_id", True, True
                break


class _Draft:
    def __init__(self, table: RawTable, headers: list[_Header], header_row: int, base: Rules):
        self.table = table
        self.headers = headers
        self.header_row = header_row
        self.base = base
        self.by_field = {h.field: h for h in headers if h.field}
        self.lines: list[str] = []
        self.odd_stages: dict[str, int] = {}

    def text(self) -> str:
        stage = self.by_field.get("stage")
        stages, lost, stage_notes = self.stages(stage)
        channel, extra = self.dimensions()
        self.intro()
        self.top(lost)
        self.stage_tables(stages, stage_notes)
        self.thresholds()
        self.sheets(stage)
        self.input()
        self.dimension_table(channel, extra)
        self.columns(channel, extra)
        self.unused(channel, extra)
        return "\n".join(self.lines).rstrip("\n") + "\n"

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    # -- what the sheet says ------------------------------------------------------

    def stages(self, stage: _Header | None):
        """(stage names in order, lost labels, a note per stage) from the stage column's values."""
        base = self.base
        if stage is None:
            return list(base.stage_names), list(base.lost_labels), {}
        counts = stage.distinct
        known = {normalize_header(n): n for n in (*base.stage_names, *base.lost_labels)}
        rows_known = sum(n for v, n in counts.items() if normalize_header(v) in known)
        if counts and rows_known >= _MOSTLY * sum(counts.values()):
            # The rules' own stages, a few odd values aside (typos, offered as [stage_values]).
            folded = Counter()
            for value, n in counts.items():
                folded[known.get(normalize_header(value), value)] += n
            notes = {name: f"{folded.get(name, 0)} rows" for name in base.stage_names}
            self.odd_stages = {v: n for v, n in counts.items() if normalize_header(v) not in known}
            return list(base.stage_names), list(base.lost_labels), notes
        values = list(counts)[:_MAX_DISTINCT_STAGES]
        order = self.sequence_order(stage, values)
        if order is None:
            first_seen = {v: i for i, v in reversed(list(enumerate(_text(x) for x in stage.filled)))}
            values.sort(key=lambda v: first_seen[v])
        else:
            values.sort(key=lambda v: order[v])
        lost = [v for v in values if _reads_as(v, _LOST_WORDS)]
        stages = [v for v in values if v not in lost]
        won = [v for v in stages if _reads_as(v, _WON_WORDS)]
        stages = [v for v in stages if v not in won] + won[:1] + won[1:]
        if len(stages) < 2:
            return list(base.stage_names), list(base.lost_labels), {}
        notes = {v: f"{counts[v]} rows" for v in values}
        if order is not None:
            notes = {v: f"{notes[v]}; number {order[v]:g} in column {order.header!r}" for v in values}
        return stages, lost or ["Lost"], notes

    def sequence_order(self, stage: _Header, values: list[str]):
        """A numeric column that gives each stage value exactly one number, all different."""
        for h in self.headers:
            if h is stage or h.kind != "number":
                continue
            numbers: dict[str, set] = {}
            for value, number in zip(stage.values, h.values, strict=False):
                if is_empty(value):
                    continue
                numbers.setdefault(_text(value), set()).add(_number(number))
            if all(len(numbers.get(v, ())) == 1 and None not in numbers[v] for v in values):
                order = {v: next(iter(numbers[v])) for v in values}
                if len(set(order.values())) == len(values):
                    return _Order(order, h.text)
        return None

    def dimensions(self) -> tuple[str, list[str]]:
        """The channel field and further candidate dimensions (offered in a comment)."""
        rows = max((len(h.values) for h in self.headers), default=0)
        candidates = []
        seen = {normalize_header(h.text) for h in self.headers if h.field}
        for h in self.headers:
            folded = normalize_header(h.text)
            if not h.field and folded in seen:
                continue  # a second column under a header already used
            seen.add(folded)
            if h.field in ("lead_id", "customer", "stage", "owner", "lost_at", "lost_reason",
                           "follow_up_summary", "needs", "contact_info", "pass_rate_text"):
                continue
            if h.kind != "text":
                continue
            distinct = len(h.distinct)
            if 2 <= distinct <= _MAX_DIMENSION_VALUES and distinct < max(rows / 2, 3):
                candidates.append(h)
        if "source" in self.by_field:
            channel = "source"
        else:
            ranked = sorted(
                candidates,
                key=lambda h: next(
                    (i for i, w in enumerate(_DIMENSION_WORDS) if w in normalize_header(h.text)),
                    len(_DIMENSION_WORDS),
                ),
            )
            channel = self.field_name(ranked[0]) if ranked else "source"
        extra = [self.field_name(h) for h in candidates if self.field_name(h) != channel]
        return channel, extra

    def field_name(self, h: _Header) -> str:
        if h.field:
            return h.field
        slug = re.sub(r"[^0-9a-z]+", "_", h.text.casefold()).strip("_")
        taken = set(self.by_field) | {c.field for c in self.base.columns}
        if not slug or not slug.isascii() or slug[0].isdigit() or slug in taken:
            slug = f"column_{h.letter.lower()}"
        return slug

    # -- the file -----------------------------------------------------------------

    def intro(self) -> None:
        self.add(
            f"# funnel_xl rules drafted from {self.table.path.name} (sheet {self.table.sheet!r}, header in row {self.header_row})",
            "# by `funnel-xl rules init`. Check every line marked CHECK, order the stages, then run",
            f"#   funnel-xl rules check THIS_FILE {self.table.path.name}",
            "# and rebuild with --rules THIS_FILE. Every key is explained in funnel-xl's default rules",
            "# (rules/funnel.toml in the repository).",
            "",
            "version = 1",
        )

    def top(self, lost: list[str]) -> None:
        amount = self.by_field.get("amount")
        unit, note = DEFAULT_AMOUNT_UNIT, "# The amount's unit, shown in the report's labels. CHECK"
        if amount is not None:
            folded = amount.text.replace(" ", "")
            for sign, name in (("$", "$"), ("USD", "$"), ("€", "€"), ("EUR", "€"), ("£", "£"),
                               ("万元", "万元"), ("元", "元"), ("¥", "元"), ("￥", "元")):
                if sign in folded:
                    unit, note = name, f"# From the header {amount.text!r}."
                    break
        self.add("", note, f"amount_unit = {_q(unit)}", "")
        self.add("# Stage values that mark a lead as lost. CHECK", f"lost_labels = {_list(lost)}")
        pattern = self.base.lead_id_pattern
        ids = self.by_field.get("lead_id")
        if ids is not None and ids.filled:
            matching = sum(bool(re.fullmatch(pattern, _text(v))) for v in ids.filled)
            if matching < _MOSTLY * len(ids.filled):
                pattern = ".+"
        self.add(f"lead_id_pattern = {_q(pattern)}")
        source = self.by_field.get("source")
        if source is not None and source.filled:
            counts = source.distinct
            listed = set(self.base.sources)
            if sum(n for v, n in counts.items() if v in listed) >= _MOSTLY * sum(counts.values()):
                values, others = list(self.base.sources), [v for v in counts if v not in listed]
            else:
                values, others = list(counts)[:_MAX_DIMENSION_VALUES], []
            self.add("# The channels (a value outside this list is a warning). CHECK", f"sources = {_list(values)}")
            if others:
                self.add(f"# Also in the sheet: {_list(others)}")
        else:
            self.add("sources = []")
        self.add("follow_up_methods = []" if "follow_up_method" not in self.by_field
                 else f"follow_up_methods = {_list(list(self.base.follow_up_methods))}")

    def stage_tables(self, stages: list[str], notes: dict[str, str]) -> None:
        self.add(
            "",
            "# ---------------------------------------------------------------------------",
            "# Stages, in order; the last one is the won stage. Values found in the sheet's",
            "# stage column, with how many rows hold each. CHECK the order, the dwell limits",
            "# (days before a lead is stalled) and the win probabilities.",
            "# ---------------------------------------------------------------------------",
        )
        base = {s.name: s for s in self.base.stages}
        n = len(stages)
        for k, name in enumerate(stages):
            known = base.get(name)
            last = k == n - 1
            self.add("", "[[stages]]", f"name = {_q(name)}")
            if name in notes:
                self.add(f"# {notes[name]}")
            if known is not None:
                self.add(f"entry = {_q(known.entry)}", f"exit = {_q(known.exit)}")
            dwell = known.max_dwell_days if known else (0 if last else 30)
            probability = known.win_probability if known else (1.0 if last else round((k + 1) / n, 2))
            self.add(f"max_dwell_days = {dwell}", f"win_probability = {probability}")
        self.add(
            "",
            "# Other ways the sheet writes a stage, e.g. \"Prospecting\" = \"Opened\".",
            "[stage_values]",
        )
        for value, n in self.odd_stages.items():
            close = difflib.get_close_matches(value, [*stages, *self.base.lost_labels], n=1, cutoff=0.4)
            target = close[0] if close else stages[0]
            self.add(f"# {_q(value)} = {_q(target)}    # {n} rows hold {value!r}: a typo to fix in the sheet, or a stage? CHECK")

    def thresholds(self) -> None:
        t = self.base.thresholds
        self.add("", "[thresholds]", f"stale_follow_up_days = {t.stale_follow_up_days}",
                 f"min_sample = {t.min_sample}")

    def sheets(self, stage: _Header | None) -> None:
        self.add("", "[sheets]")
        if self.table.path.suffix.lower() not in (".csv", ".tsv"):
            self.add(f"leads = {_list([self.table.sheet])}")
        self.add(f"header_search_rows = {max(self.base.header_search_rows, self.header_row)}")
        blank = 0
        if stage is not None:
            blank = sum(
                1 for i, v in enumerate(stage.values)
                if is_empty(v) and any(i < len(h.values) and not is_empty(h.values[i]) for h in self.headers)
            )
        if blank:
            self.add(
                f"# {blank} rows have no stage: they are not leads of this funnel and are left out. CHECK",
                "skip_rows_without_stage = true",
            )
        else:
            self.add("skip_rows_without_stage = false")

    def input(self) -> None:
        self.add("", "[input]")
        if self.table.encoding:
            self.add(f"# The file was read as {self.table.encoding}; \"auto\" detects it each time.")
        self.add('encoding = "auto"', 'delimiter = "auto"')
        formats = _date_formats([h for h in self.headers if h.kind == "date"])
        if formats:
            self.add("# The sheet writes dates as text in this form. CHECK")
        self.add(f"date_formats = {_list(formats)}")

    def dimension_table(self, channel: str, extra: list[str]) -> None:
        self.add("", "[dimensions]", "# The column of the 渠道分析 sheet (and rebuild --split-by source). CHECK",
                 f"channel = {_q(channel)}")
        if extra:
            self.add("# Further columns to compare by, one sheet each: pick from",
                     f"# extra = {_list(extra)}")
        self.add("extra = []")

    def columns(self, channel: str, extra: list[str]) -> None:
        self.add(
            "",
            "# ---------------------------------------------------------------------------",
            "# Columns: the sheet's header for each field the tool knows.",
            "# ---------------------------------------------------------------------------",
        )
        written = set()
        for col in self.base.columns:
            h = self.by_field.get(col.field)
            if h is not None:
                if h.unique:
                    note = f"column {h.letter}: no ID column, and every row's value here is different. CHECK"
                else:
                    note = f"column {h.letter}" + (", guessed from the header. CHECK" if h.guessed else "")
                self.column(col.field, h.text, col, note)
            elif col.field in ("lead_id", "stage", "first_contact", "owner") or col.field == channel:
                self.column(col.field, col.header, col, "NOT FOUND in the sheet: set header to its column. CHECK")
            else:
                continue
            written.add(col.field)
        headers = {normalize_header(h.text) for h in self.headers if h.field}
        for h in self.headers:
            name = self.field_name(h)
            if h.field or name in written or name not in (channel, *extra):
                continue
            if normalize_header(h.text) in headers:  # a second column under the same header
                continue
            headers.add(normalize_header(h.text))
            kind = Column(name, h.text, (), "text", False)
            self.column(name, h.text, kind, f"column {h.letter}, {len(h.distinct)} different values")
            written.add(name)

    def column(self, name: str, header: str, col: Column, note: str) -> None:
        self.add("", f"# {note}", f"[columns.{_key(name)}]", f"header = {_q(header)}", f'kind = "{col.kind}"',
                 f"required = {'true' if col.required or name in ('lead_id', 'stage', 'first_contact', 'owner') else 'false'}")
        if col.computed:
            self.add("computed = true")

    def unused(self, channel: str, extra: list[str]) -> None:
        rest = [h for h in self.headers if not h.field and self.field_name(h) not in (channel, *extra)]
        if not rest:
            return
        self.add("", "# Columns not used. To use one, add a [columns.NAME] table for it.")
        for h in rest:
            sample = next((_text(v) for v in h.filled), "")
            self.add(f"#   {h.letter} {h.text!r}" + (f" (e.g. {sample[:40]!r})" if sample else ""))


class _Order(dict):
    def __init__(self, order: dict, header: str):
        super().__init__(order)
        self.header = header


def _date_formats(headers: list[_Header]) -> list[str]:
    """The strptime form of dates written as text like 4/20/2024 or 20.04.24: day first when a
    first part above 12 is seen, month first otherwise (a second part above 12 proves it)."""
    seen: dict[tuple[str, int], tuple[bool, bool]] = {}
    for h in headers:
        for v in h.filled:
            m = _DATE_TEXT.match(str(v)) if isinstance(v, str) else None
            if not m or len(m.group(1)) == 4:
                continue  # 2024-03-15 and 2024/3/15 are read without help
            first, sep, second, year = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
            key = (sep, len(year))
            day_first, month_first = seen.get(key, (False, False))
            seen[key] = (day_first or first > 12, month_first or second > 12)
    formats = []
    for (sep, digits), (day_first, _month_first) in seen.items():
        year = "%Y" if digits == 4 else "%y"
        formats.append(sep.join(("%d", "%m", year)) if day_first else sep.join(("%m", "%d", year)))
    return formats


def _reads_as(value: str, words: tuple[str, ...]) -> bool:
    folded = normalize_header(value)
    return any(folded == w or folded.startswith(w) or folded.endswith(w) for w in words)


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        return None


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _q(name)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


# ---------------------------------------------------------------------------
# How well a rules file fits a sheet (``funnel-xl rules check RULES WORKBOOK``)
# ---------------------------------------------------------------------------


@dataclass
class Fit:
    """What a rules file makes of one sheet: where each field was found, which optional columns
    are not there, the stage values it does not know, and the data problems by code."""

    file: str
    sheet: str
    header_row: int
    rows: int
    skipped_without_stage: int
    found: list[tuple[str, str, str]]  # (field, column letter, header as in the sheet)
    missing: list[str]  # the rules' optional columns the sheet lacks (their headers)
    unknown_stages: Counter  # stage value as typed → rows
    problems: Counter  # problem code → count
    other_headers: list[str]


def fit_rules(path: str | Path, rules: Rules, as_of: date) -> Fit:
    """Read ``path`` with ``rules`` and say how they fit. Raises :class:`InputError` when the
    sheet cannot be read with them at all (a required column missing, no header found)."""
    from .reader import read_leads
    from .validate import validate_leads

    sheet = read_leads(path, rules)
    checked = validate_leads(sheet, rules, as_of)
    unknown = Counter(p.value for p in checked.problems if p.code == "unknown_stage")
    order = {c.field: i for i, c in enumerate(rules.columns)}
    found = sorted(
        ((f, sheet.letters[f], sheet.headers[f]) for f in sheet.letters), key=lambda t: order.get(t[0], 0)
    )
    return Fit(
        file=sheet.file_name,
        sheet=sheet.sheet,
        header_row=sheet.header_row,
        rows=len(sheet.frame),
        skipped_without_stage=sheet.skipped_without_stage,
        found=found,
        missing=[c.header for c in rules.columns if c.field not in sheet.letters and not c.computed],
        unknown_stages=unknown,
        problems=Counter(p.code for p in checked.problems),
        other_headers=list(sheet.extra_headers),
    )
