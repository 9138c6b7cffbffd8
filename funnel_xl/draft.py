"""A first rules file for a sheet the rules do not know yet (``funnel-xl rules init --from``).

It looks at the sheet the way a careful colleague would, and writes down what it concluded as a
commented TOML file that should need no edit:

- the sheet that looks most like deals (:mod:`funnel_xl.draft_sheet`), or the one asked for;
- each header matched to a field by the rules' names, the dictionary of known exports, else a
  word it contains, marked as a guess (:mod:`funnel_xl.draft_headers`);
- the stages: won and lost told from the values or a status column, the open stages ordered by a
  sequence column, the CRM's known order, else the data (marked CHECK) (:mod:`funnel_xl.draft_stages`);
- the amount's unit from its header, its values or a currency column; the dates' written form;
  the stage-entered date taken from the first of several date columns; first contact allowed
  blank when only the earliest deals lack it; rows without a stage skipped; the language;
- a text column with a handful of values as the channel, others offered as further dimensions,
  every other header listed in a comment with its column letter and a sample value.

The draft always loads (``funnel-xl rules check`` passes): what could not be found keeps the
default's header with a comment saying so, and ``rules check RULES WORKBOOK`` then names it.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections import Counter
from pathlib import Path

from .draft_fit import Fit, fit_rules
from .draft_headers import DATE_TEXT, Header, amounts_with_signs, cell_text, read_headers
from .draft_sheet import SheetChoice, choose_table
from .draft_stages import StagePlan, plan_stages, rows_text
from .rules import (
    CORE_FIELDS,
    DEFAULT_AMOUNT_UNIT,
    Column,
    Rules,
    default_rules_path,
    load_rules,
    normalize_header,
)
from .text import is_empty

__all__ = ["Fit", "draft_rules", "fit_rules"]

# Text columns a team likely compares by, in order of preference for the channel.
_DIMENSION_WORDS = ("source", "channel", "campaign", "product", "region", "country", "segment",
                    "industry", "来源", "渠道", "产品", "地区", "区域", "行业")
_UNITS = (("US$", "$"), ("USD", "$"), ("$", "$"), ("€", "€"), ("EUR", "€"), ("£", "£"), ("GBP", "£"),
          ("万元", "万元"), ("万", "万元"), ("CNY", "元"), ("RMB", "元"), ("¥", "元"), ("￥", "元"), ("元", "元"))
_MAX_DIMENSION_VALUES = 50
# When this share of a column's rows hold values the rules know, the rules' list is kept and the
# other values are shown as what they are: probably typos.
_MOSTLY = 0.8
# Dates that say when a deal was closed: the stage-entered date of a won or lost deal.
_CLOSING = ("close_date", "won_time", "lost_time")
_NOT_DIMENSIONS = ("lead_id", "customer", "stage", "owner", "lost_at", "lost_reason", "status",
                   "follow_up_summary", "needs", "contact_info", "pass_rate_text", "currency")


def draft_rules(
    path: str | Path, base: Rules | None = None, sheet: str | None = None, *, sheets_from_base: bool | None = None,
    lang: str | None = None,
) -> str:
    """A rules file (TOML text with comments) for the sheet in ``path`` (its sheet ``sheet``, else
    the one most like deals), starting from ``base`` (the packaged default rules when None) for
    whatever the sheet does not say. ``sheets_from_base``: whether the base's ``[sheets] leads``
    names the sheet (default: when a base other than the packaged rules is given). ``lang``: the
    rules' language (default: guessed from the sheet, Chinese when its headers or stages are)."""
    # The team template's sheet names (线索跟踪, Leads) are no CRM's: only rules asked for name the sheet.
    named = sheets_from_base
    if named is None:
        named = base is not None and base.source_path != str(default_rules_path())
    base = base or load_rules()
    choice = choose_table(path, base, sheet, named)
    headers, header_at = read_headers(choice.table.rows, choice.table.origin, base)
    return _Draft(choice, headers, choice.table.origin[0] + header_at + 1, base, lang).text()


class _Draft:
    def __init__(
        self, choice: SheetChoice, headers: list[Header], header_row: int, base: Rules, lang: str | None = None
    ):
        self.table = choice.table
        self.why = choice.why
        self.headers = headers
        self.header_row = header_row
        self.base = base
        self.by_field = {h.field: h for h in headers if h.field}
        self.lines: list[str] = []
        self.odd_stages: dict[str, int] = {}
        self.written: set[str] = set()  # the headers a [columns] table names
        self.plan = self.stages()
        status = self.by_field.get("status")
        if status is not None and not self.plan.status:  # not won/lost/open: a column like any other
            status.field = None
            del self.by_field["status"]
        self.closing = self.closing_dates()
        self.sheet_lang = self.language()  # the sheet's own: it tells the amount's likely unit
        self.lang = lang or self.sheet_lang

    def text(self) -> str:
        channel, extra = self.dimensions()
        self.intro()
        self.top()
        self.stage_tables()
        self.thresholds()
        self.sheets()
        self.input()
        self.dimension_table(channel, extra)
        self.columns(channel, extra)
        self.unused()
        return "\n".join(self.lines).rstrip("\n") + "\n"

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    # -- what the sheet says ------------------------------------------------------

    def stages(self) -> StagePlan:
        """The stages, from the stage column's values (the rules' own when the sheet uses them)."""
        base, stage = self.base, self.by_field.get("stage")
        own = StagePlan(list(base.stage_names), list(base.lost_labels))
        if stage is None:
            return own
        counts = stage.distinct
        known = {normalize_header(n): n for n in (*base.stage_names, *base.lost_labels)}
        rows_known = sum(n for v, n in counts.items() if normalize_header(v) in known)
        if counts and rows_known >= _MOSTLY * sum(counts.values()):
            # The rules' own stages, a few odd values aside (typos, offered as [stage_values]).
            folded = Counter()
            for value, n in counts.items():
                folded[known.get(normalize_header(value), value)] += n
            own.notes = {name: rows_text(folded.get(name, 0)) for name in base.stage_names}
            self.odd_stages = {v: n for v, n in counts.items() if normalize_header(v) not in known}
            return own
        return plan_stages(stage, self.headers, self.by_field) or own

    def closed_rows(self) -> list[bool]:
        """Per row: the deal is won or lost (by its stage, or its status)."""
        stage, status = self.by_field.get("stage"), self.by_field.get("status")
        closing = {self.plan.stages[-1], *self.plan.lost}
        rows = len(stage.values) if stage else 0
        return [
            (cell_text(stage.values[i]) in closing)
            or (status is not None and cell_text(status.values[i]) in self.plan.status)
            for i in range(rows)
        ]

    def closing_dates(self) -> list[Header]:
        """Date columns filled only on won and lost deals (and on at least one): the close date
        of a closed deal. A "close date" filled on open deals too is the expected close."""
        closed = self.closed_rows()
        found = []
        for h in self.headers:
            if h.field not in (*_CLOSING, "expected_close") or h.kind != "date":
                continue
            filled = [not is_empty(v) for v in h.values]
            on_closed = sum(f and c for f, c in zip(filled, closed, strict=False))
            if on_closed and not any(f and not c for f, c in zip(filled, closed, strict=False)):
                if h.field == "expected_close":
                    del self.by_field["expected_close"]
                    h.field = "close_date"
                found.append(h)
        return found

    def language(self) -> str:
        """English when neither the headers nor the stages hold Chinese (and the base is not)."""
        texts = [h.text for h in self.headers] + self.plan.stages
        if any("\u4e00" <= ch <= "\u9fff" for t in texts for ch in t):
            return "zh"
        return "en" if self.by_field.get("stage") is not None or self.base.lang == "en" else self.base.lang

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
            if h.field in _NOT_DIMENSIONS or h in self.closing or h.kind != "text":
                continue
            distinct = len(h.distinct)
            if 2 <= distinct <= _MAX_DIMENSION_VALUES and distinct < max(rows / 2, 3):
                candidates.append(h)
        if "source" in self.by_field:
            channel = "source"
        else:
            ranked = sorted(candidates, key=lambda h: next(
                (i for i, w in enumerate(_DIMENSION_WORDS) if w in normalize_header(h.text)), len(_DIMENSION_WORDS)))
            channel = self.field_name(ranked[0]) if ranked else "source"
        extra = [self.field_name(h) for h in candidates if self.field_name(h) != channel]
        return channel, extra

    def field_name(self, h: Header) -> str:
        if h.field:
            return h.field
        slug = re.sub(r"[^0-9a-z]+", "_", h.text.casefold()).strip("_")
        taken = set(self.by_field) | {c.field for c in self.base.columns}
        if not slug or not slug.isascii() or slug[0].isdigit() or slug in taken:
            slug = f"column_{h.letter.lower()}"
        return slug

    def unit(self) -> tuple[str, str]:
        """(the amount's unit, where it was seen); the default's with a CHECK when nowhere."""
        amount, currency = self.by_field.get("amount"), self.by_field.get("currency")
        places = []
        if amount is not None:
            places.append((amount.text, f"the header {amount.text!r}"))
            texts = [str(v) for v in amount.filled if isinstance(v, str)]
            if texts and amounts_with_signs(amount):
                places.append((" ".join(texts[:50]), f"the values of {amount.text!r}"))
        if currency is not None and currency.distinct:
            value = currency.distinct.most_common(1)[0][0]
            places.append((value, f"column {currency.text!r} ({value})"))
        for text, where in places:
            folded = text.replace(" ", "").upper()
            for sign, name in _UNITS:
                if sign.upper() in folded:
                    return name, where
        return DEFAULT_AMOUNT_UNIT, ""

    # -- the file -----------------------------------------------------------------

    def intro(self) -> None:
        name = self.table.path.name
        self.add(
            f"# funnel_xl rules drafted from {name} (sheet {self.table.sheet!r}, header in row {self.header_row})",
            "# by `funnel-xl rules init`. A line ending in CHECK is a guess the sheet could not settle;",
            f"# check them, then run   funnel-xl rules check THIS_FILE {name}",
            "# and rebuild with --rules THIS_FILE. Every key is explained in funnel-xl's default rules",
            "# (rules/funnel.toml in the repository).",
        )
        if self.why:
            self.add(f"# Drafted from {self.why}.")
        self.add("", "version = 1", f"lang = {_q(self.lang)}")

    def top(self) -> None:
        unit, where = self.unit()
        note = f"# From {where}."
        if not where:
            unit = "$" if self.sheet_lang == "en" else unit
            note = "# The amount's unit, shown in the report's labels: not written in the sheet. CHECK"
        self.add("", note, f"amount_unit = {_q(unit)}", "")
        held = "; ".join(f"{v!r}: {self.plan.notes[v]}" for v in self.plan.lost if v in self.plan.notes)
        self.add("# Stage values that mark a lead as lost" + (f" ({held})." if held else "."),
                 f"lost_labels = {_list(self.plan.lost)}")
        self.id_note()
        pattern = self.base.lead_id_pattern
        ids = self.by_field.get("lead_id")
        if ids is not None and ids.filled:
            matching = sum(bool(re.fullmatch(pattern, cell_text(v))) for v in ids.filled)
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
            self.add("# The channels (a value outside this list is a warning).", f"sources = {_list(values)}")
            if others:
                self.add(f"# Also in the sheet: {_list(others)}")
        else:
            self.add("sources = []")
        self.add("follow_up_methods = []" if "follow_up_method" not in self.by_field
                 else f"follow_up_methods = {_list(list(self.base.follow_up_methods))}")

    def id_note(self) -> None:
        """Say so when the lead ID column repeats values: each such row would be an error."""
        ids = self.by_field.get("lead_id")
        repeated = [v for v, n in ids.distinct.items() if n > 1] if ids is not None else []
        if repeated:
            self.add(f"# {len(repeated)} values of {ids.text!r} stand on more than one row (e.g. {repeated[0]!r}):",
                     "# each such row is an error unless another column identifies a deal. CHECK")

    def stage_tables(self) -> None:
        plan = self.plan
        self.add(
            "",
            "# ---------------------------------------------------------------------------",
            "# Stages, in order; the last one is the won stage, with how many rows hold each.",
            "# The dwell limits (days before a lead is stalled) and win probabilities are defaults.",
        )
        if plan.order_check:
            self.add(f"# The sheet does not number its stages; they are {plan.order_check}. CHECK")
        self.add("# ---------------------------------------------------------------------------")
        base = {s.name: s for s in self.base.stages}
        n = len(plan.stages)
        for k, name in enumerate(plan.stages):
            known = base.get(name)
            last = k == n - 1
            self.add("", "[[stages]]", f"name = {_q(name)}")
            if name in plan.notes:
                self.add(f"# {plan.notes[name]}")
            if known is not None:
                self.add(f"entry = {_q(known.entry)}", f"exit = {_q(known.exit)}")
            dwell = known.max_dwell_days if known else (0 if last else 30)
            probability = known.win_probability if known else (1.0 if last else round((k + 1) / n, 2))
            self.add(f"max_dwell_days = {dwell}", f"win_probability = {probability}")
        self.add("", "# Other ways the sheet writes a stage, e.g. \"Prospecting\" = \"Opened\".", "[stage_values]")
        for value, target in plan.aliases.items():
            self.add(f"{_q(value)} = {_q(target)}")
        for value, n in self.odd_stages.items():
            close = difflib.get_close_matches(value, [*plan.stages, *plan.lost], n=1, cutoff=0.4)
            target = close[0] if close else plan.stages[0]
            self.add(f"# {_q(value)} = {_q(target)}    # {n} rows hold {value!r}: a typo to fix in the sheet, or a stage? CHECK")
        if plan.status:
            status = self.by_field["status"]
            self.add("", f"# Column {status.letter} {status.text!r} says won or lost; a lost deal's stage is where it was lost.",
                     "[status_values]", *(f"{_q(v)} = {_q(t)}" for v, t in plan.status.items()))

    def thresholds(self) -> None:
        t = self.base.thresholds
        self.add("", "[thresholds]", f"stale_follow_up_days = {t.stale_follow_up_days}",
                 f"min_sample = {t.min_sample}")

    def sheets(self) -> None:
        self.add("", "[sheets]")
        if self.table.path.suffix.lower() not in (".csv", ".tsv"):
            self.add(f"leads = {_list([self.table.sheet])}")
        self.add(f"header_search_rows = {max(self.base.header_search_rows, self.header_row)}")
        stage = self.by_field.get("stage")
        blank = 0
        if stage is not None:
            blank = sum(
                1 for i, v in enumerate(stage.values)
                if is_empty(v) and any(i < len(h.values) and not is_empty(h.values[i]) for h in self.headers)
            )
        if blank:
            self.add(f"# {blank} rows have no stage: they are not leads of this funnel and are left out.",
                     "skip_rows_without_stage = true")
        else:
            self.add("skip_rows_without_stage = false")

    def input(self) -> None:
        self.add("", "[input]")
        if self.table.encoding:
            self.add(f"# The file was read as {self.table.encoding}; \"auto\" detects it each time.")
        self.add('encoding = "auto"', 'delimiter = "auto"')
        formats, unsure = _date_formats([h for h in self.headers if h.kind == "date"])
        if unsure:
            self.add("# No date in the sheet has a day above 12: month first is a guess. CHECK")
        elif formats:
            self.add("# The sheet writes dates as text in this form.")
        self.add(f"date_formats = {_list(formats)}")

    def dimension_table(self, channel: str, extra: list[str]) -> None:
        self.add("", "[dimensions]", "# The column of the channel sheet (and rebuild --split-by source).",
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
            if col.field == "stage_entered" and self.stage_entered(col):
                written.add(col.field)
                continue
            h = self.by_field.get(col.field)
            if h is not None:
                self.found_column(col, h)
            elif col.field in CORE_FIELDS:
                self.column(col.field, col.header, col, "NOT FOUND in the sheet: set header to its column. CHECK")
            elif col.field == channel:
                self.column(col.field, col.header, dataclasses.replace(col, required=False),
                            "the sheet has no channel column: the channel figures stay empty")
            else:
                continue
            written.add(col.field)
        self.status_and_closing(written)
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

    def found_column(self, col: Column, h: Header) -> None:
        if h.unique:
            note = f"column {h.letter}: no ID column, and every row's value here is different"
        else:
            note = f"column {h.letter}" + (", guessed from the header. CHECK" if h.guessed else "")
        extra = []
        if col.field == "first_contact":
            extra = self.first_contact_blank(h)
        self.column(col.field, h.text, col, note, extra)

    def first_contact_blank(self, h: Header) -> list[str]:
        """``may_be_blank`` when deals with a stage lack a first contact: they still count."""
        stage = self.by_field.get("stage")
        if stage is None:
            return []
        blank = Counter(cell_text(s) for s, v in zip(stage.values, h.values, strict=False)
                        if not is_empty(s) and is_empty(v))
        if not blank:
            return []
        where = ", ".join(f"{n} in {s!r}" for s, n in blank.most_common(5))
        return [f"# {sum(blank.values())} deals have no {h.text!r} ({where}): counted in stage figures and",
                "# pass rates, not in cycles; one warning per sheet instead of an error per row.",
                "may_be_blank = true"]

    def stage_entered(self, col: Column) -> bool:
        """Write stage_entered as the first of several dates; False when there is nothing to add."""
        own = self.by_field.get("stage_entered")
        dates = ([own] if own else []) + self.closing
        if not self.closing:
            return False
        first = self.by_field.get("first_contact")
        fallback = [self.field_name(h) for h in dates[1:]]
        closed = self.closed_rows()
        if first is not None and all(
            not c or any(not is_empty(h.values[i]) for h in dates) for i, c in enumerate(closed)
        ):
            fallback.append("first_contact")  # every closed deal has its close date: only open deals use it
        why = " then ".join(repr(h.text) for h in dates) + (f" then {first.text!r}" if "first_contact" in fallback else "")
        lines = [f"fallback = {_list(fallback)}"] if fallback else []
        self.column(col.field, dates[0].text, col, f"the first filled of {why}", lines)
        return True

    def status_and_closing(self, written: set[str]) -> None:
        status = self.by_field.get("status")
        if self.plan.status and status is not None:
            self.column("status", status.text, Column("status", status.text, (), "text", False),
                        f"column {status.letter}: won, lost or open")
            written.add("status")
        own = self.by_field.get("stage_entered")
        for h in self.closing[0 if own else 1:]:
            name = self.field_name(h)
            self.column(name, h.text, Column(name, h.text, (), "date", False),
                        f"column {h.letter}: filled on won and lost deals only")
            written.add(name)

    def column(self, name: str, header: str, col: Column, note: str, extra: list[str] = ()) -> None:
        required = col.required or name in CORE_FIELDS
        self.written.add(header)
        self.add("", f"# {note}", f"[columns.{_key(name)}]", f"header = {_q(header)}", f'kind = "{col.kind}"',
                 f"required = {'true' if required else 'false'}", *extra)
        if col.computed:
            self.add("computed = true")

    def unused(self) -> None:
        rest = [h for h in self.headers if h.text not in self.written]
        if not rest:
            return
        self.add("", "# Columns not used. To use one, add a [columns.NAME] table for it.")
        for h in rest:
            sample = next((cell_text(v) for v in h.filled), "")
            self.add(f"#   {h.letter} {h.text!r}" + (f" (e.g. {sample[:40]!r})" if sample else ""))


def _date_formats(headers: list[Header]) -> tuple[list[str], bool]:
    """The strptime form of dates written as text like 4/20/2024 or 20.04.24: day first when a
    first part above 12 is seen, month first otherwise (a second part above 12 proves it); and
    whether month first was a guess (no part above 12 at all)."""
    seen: dict[tuple[str, int], tuple[bool, bool]] = {}
    for h in headers:
        for v in h.filled:
            m = DATE_TEXT.match(str(v)) if isinstance(v, str) else None
            if not m or len(m.group(1)) == 4:
                continue  # 2024-03-15 and 2024/3/15 are read without help
            first, sep, second, year = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
            key = (sep, len(year))
            day_first, month_first = seen.get(key, (False, False))
            seen[key] = (day_first or first > 12, month_first or second > 12)
    formats, unsure = [], False
    for (sep, digits), (day_first, month_first) in seen.items():
        year = "%Y" if digits == 4 else "%y"
        formats.append(sep.join(("%d", "%m", year)) if day_first else sep.join(("%m", "%d", year)))
        unsure = unsure or not (day_first or month_first)
    return formats, unsure


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _q(name)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"
