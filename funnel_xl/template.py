"""The tracking workbook the reps fill: the familiar columns, the follow-up log (跟进记录), dropdowns,
the stage handbook and instructions.

``write_tracking_workbook(path, rules)`` writes the empty template; with ``rows`` (and ``log_rows``)
it writes leads (and follow-up entries) under the headers (the demo workbook). The output is
byte-identical for the same input.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection, Sequence
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import quote_sheetname, xl_range_abs

from .atomic import atomic_path, refuse_overwriting
from .cells import write_value
from .errors import OutputError
from .messages import Catalogue, catalogue
from .rules import Column, Rules
from .targets import Target
from .text import display_width

# The sheets' names and the computed columns' note in Chinese, the default language (the catalogue's
# template.* texts, kept here by name for code that looks a sheet up in a Chinese workbook).
DEFAULT_LEADS_SHEET = "线索跟踪"
DEFAULT_LOG_SHEET = "跟进记录"
STAGES_SHEET = "阶段定义"
TARGETS_SHEET = "目标"  # read back by funnel_xl.target_sheet
GUIDE_SHEET = "填写说明"
LISTS_SHEET = "列表"
COMPUTED_COMMENT = "由 funnel-xl 自动计算，请勿手工填写"
# Dropdowns and validations cover at least this many rows (header included).
TEMPLATE_ROWS = 1000
# The most data rows one sheet holds: Excel's 1,048,576 rows less the header.
SHEET_DATA_ROWS = 1_048_575
# A lead gets several follow-ups: the log's validations cover more rows.
LOG_TEMPLATE_ROWS = 5000
# Pinned so that the same input gives byte-identical files.
CREATED = datetime(2024, 1, 1)

_HEADER_FILL = "#DDEBF7"
_COMPUTED_HEADER_FILL = "#BFBFBF"
_COMPUTED_CELL_FILL = "#F2F2F2"
_DATE_FORMAT = "yyyy-mm-dd"
_AMOUNT_FORMAT = "0.00"
_MIN_DATE = date(2000, 1, 1)
_MAX_DATE = date(2100, 12, 31)
_WIDTHS = {
    "lead_id": 13,
    "customer": 22,
    "follow_up_summary": 48,
    "needs": 34,
    "pass_rate_text": 24,
    "lost_reason": 24,
    "contact_info": 16,
    "snooze_reason": 24,
}
_LIST_TITLES = {"stage": "template.list.stage", "source": "template.list.source",
                "follow_up_method": "template.list.follow_up_method", "lost_at": "template.list.lost_at"}
_HANDBOOK_COLUMNS = (
    "template.stages.number", "template.stages.stage", "template.stages.entry", "template.stages.exit",
    "template.stages.max_dwell", "template.stages.win_probability",
)
_KIND_WIDTHS = {"date": 13, "number": 12, "stage": 12, "lost_at": 12, "text": 12}
_LOG_WIDTHS = {
    "lead_id": 13,
    "time": 12,
    "method": 10,
    "content": 42,
    "feedback": 28,
    "next_action": 28,
    "next_contact": 13,
    "stage_change": 13,
    "by": 11,
}
_LOG_GUIDE = {
    "lead_id": "template.log.lead_id",
    "time": "template.log.time",
    "method": "template.log.method",
    "content": "template.log.content",
    "feedback": "template.log.feedback",
    "next_action": "template.log.next_action",
    "next_contact": "template.log.next_contact",
    "stage_change": "template.log.stage_change",
    "by": "template.log.by",
}

# The guide's text per field and per kind (message keys; the texts are in funnel_xl.messages).
_FIELD_GUIDE = {
    "lead_id": "template.field.lead_id",
    "customer": "template.field.customer",
    "source": "template.field.source",
    "stage": "template.field.stage",
    "first_contact": "template.field.first_contact",
    "last_follow_up": "template.field.last_follow_up",
    "follow_up_method": "template.field.follow_up_method",
    "follow_up_summary": "template.field.follow_up_summary",
    "needs": "template.field.needs",
    "expected_close": "template.field.expected_close",
    "amount": "template.field.amount",
    "owner": "template.field.owner",
    "stage_entered": "template.field.stage_entered",
    "lost_at": "template.field.lost_at",
    "lost_reason": "template.field.lost_reason",
    "next_follow_up": "template.field.next_follow_up",
    "industry": "template.field.industry",
    "contact_info": "template.field.contact_info",
    "snooze_until": "template.field.snooze_until",
    "snooze_reason": "template.field.snooze_reason",
}
_KIND_GUIDE = {
    "date": "template.kind.date",
    "number": "template.kind.number",
    "stage": "template.kind.stage",
    "lost_at": "template.kind.stage",
    "text": "template.kind.text",
}


def write_tracking_workbook(
    path: str | Path, rules: Rules, rows: list[dict] | None = None,
    log_rows: Collection[dict] | None = None, target_rows: Collection[Target] = (),
) -> None:
    """Write the tracking workbook to ``path`` atomically; ``rows`` (leads) and ``log_rows``
    (follow-up entries) are dicts keyed by field name. The 跟进记录 sheet is written when the rules
    describe a log. The 目标 sheet holds ``target_rows`` (monthly targets per rep), else only its
    header."""
    refuse_overwriting([path], [rules.source_path], what="规则文件")
    rows = rows or []
    log_rows = log_rows or []
    t = catalogue(rules.lang)
    # xlsxwriter ignores a row past the sheet's last one: refuse rather than lose rows unsaid.
    for what, count in (("template.rows.leads", len(rows)), ("template.rows.log", len(log_rows) if rules.log_columns else 0)):
        if count > SHEET_DATA_ROWS:
            raise OutputError(t(
                "template.too_many_rows", file=Path(path).name, what=t(what), count=f"{count:,}",
                limit=f"{SHEET_DATA_ROWS:,}",
            ))
    last_row = max(TEMPLATE_ROWS, len(rows) + 1) - 1
    with atomic_path(path) as tmp:
        # constant_memory streams rows to disk so that hundreds of thousands of leads fit in memory.
        workbook = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
        workbook.set_properties(
            {
                "title": t("template.title"),
                "author": "funnel-xl",
                "comments": t("template.made_by"),
                "created": CREATED,
            }
        )
        main = workbook.add_worksheet(rules.leads_sheets[0] if rules.leads_sheets else t("template.sheet.leads"))
        log = None
        if rules.log_columns:
            log = workbook.add_worksheet(_log_sheet(rules))
        stages_sheet = workbook.add_worksheet(t("template.sheet.stages"))
        targets = workbook.add_worksheet(t("template.sheet.targets"))
        guide = workbook.add_worksheet(t("template.sheet.guide"))
        lists = workbook.add_worksheet(t("template.sheet.lists"))
        dropdowns = _write_lists(lists, rules, t)
        lists.hide()
        _write_leads(workbook, main, rules, rows, last_row, dropdowns)
        if log is not None:
            _write_log(workbook, log, rules, log_rows, main.name, last_row, dropdowns)
        _write_stage_handbook(workbook, stages_sheet, rules, t)
        _write_targets(workbook, targets, rules, target_rows)
        _write_guide(workbook, guide, rules, dropdowns, t)
        for sheet in (main, log, stages_sheet, targets, guide):
            if sheet is not None:
                _print_setup(sheet, header_row=sheet is not guide)
        main.activate()
        workbook.close()


def _print_setup(sheet, *, header_row: bool) -> None:
    """A4 landscape, one page wide, the sheet's name and page number on each page, the header row
    on every page (the guide has none)."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_header("&L&A")
    sheet.set_footer("&C&P / &N")
    if header_row:
        sheet.repeat_rows(0)


def _write_lists(sheet, rules: Rules, t: Catalogue) -> dict[str, str]:
    """Write one dropdown list per column; return the range formula of each non-empty list by name."""
    lists = {
        "stage": [*rules.stage_names, *rules.lost_labels],
        "source": list(rules.sources),
        "follow_up_method": list(rules.follow_up_methods),
        "lost_at": list(rules.stage_names[:-1]),
    }
    columns = [[_header_or(rules, name, t(_LIST_TITLES[name])), *items] for name, items in lists.items()]
    # Row by row: in constant_memory mode a row is final once a later row is written.
    for row in range(max(len(column) for column in columns)):
        for col, column in enumerate(columns):
            if row < len(column):
                sheet.write_string(row, col, column[row])
    return {
        name: f"={quote_sheetname(t('template.sheet.lists'))}!{xl_range_abs(1, col, len(items), col)}"
        for col, (name, items) in enumerate(lists.items())
        if items
    }


def _header_or(rules: Rules, field: str, fallback: str) -> str:
    return next((c.header for c in rules.columns if c.field == field), fallback)


def _dropdown_name(col: Column) -> str | None:
    if col.kind in ("stage", "lost_at"):
        return col.kind
    if col.field in ("source", "follow_up_method"):
        return col.field
    return None


def _validation(col: Column, dropdowns: dict[str, str], rules: Rules) -> dict | None:
    t, unit = catalogue(rules.lang), rules.amount_unit
    # Excel allows at most 32 characters in an input or error title.
    title = col.header[:32]
    name = _dropdown_name(col)
    if name is not None:
        if name not in dropdowns:
            return None
        strict = name in ("stage", "lost_at")
        return _list_validation(
            dropdowns[name], title, t("template.pick"), strict, t("template.not_in_list", header=col.header),
            t("template.pick") if strict else t("template.not_in_rules_list"),
        )
    if col.computed:
        return None
    if col.kind == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": _MIN_DATE,
            "maximum": _MAX_DATE,
            "input_title": title,
            "input_message": t("template.date.input"),
            "error_title": t("template.date.error_title"),
            "error_message": t("template.date.error", header=col.header),
        }
    if col.field == "amount":
        return {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "input_title": title,
            "input_message": t("template.amount.input", unit=unit),
            "error_title": t("template.amount.error_title"),
            "error_message": t("template.amount.error", header=col.header, unit=unit),
        }
    return None


def _column_width(col: Column) -> int:
    if col.field in _WIDTHS:
        return _WIDTHS[col.field]
    return max(_KIND_WIDTHS[col.kind], min(display_width(col.header) + 2, 24))


def _cell_format(workbook, col: Column):
    props: dict = {}
    if col.kind == "date":
        props["num_format"] = _DATE_FORMAT
    elif col.field == "amount":
        props["num_format"] = _AMOUNT_FORMAT
    elif col.kind == "text":
        props["num_format"] = "@"
    if col.computed:
        props["bg_color"] = _COMPUTED_CELL_FILL
    return workbook.add_format(props) if props else None


def _write_leads(workbook, sheet, rules: Rules, rows: list[dict], last_row: int, dropdowns) -> None:
    header_props = {"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1}
    header_fmt = workbook.add_format({**header_props, "bg_color": _HEADER_FILL})
    computed_header_fmt = workbook.add_format({**header_props, "bg_color": _COMPUTED_HEADER_FILL})
    columns = rules.columns
    _write_table(
        sheet, columns, [_cell_format(workbook, col) for col in columns],
        widths=[_column_width(col) for col in columns],
        headers=[computed_header_fmt if col.computed else header_fmt for col in columns],
        validations=[_validation(col, dropdowns, rules) for col in columns],
        rows=rows, last_row=last_row,
        comments={c: catalogue(rules.lang)("template.computed_comment") for c, col in enumerate(columns) if col.computed},
    )


def _write_log(
    workbook, sheet, rules: Rules, rows: Collection[dict], leads_sheet: str, leads_last_row: int,
    dropdowns,
) -> None:
    """The follow-up log: one row per contact, dropdowns for lead ID, method and stage change."""
    header_fmt = workbook.add_format(
        {
            "bold": True, "text_wrap": True, "valign": "vcenter", "border": 1,
            "bg_color": _HEADER_FILL,
        }
    )
    leads_ids = None
    lead_col = next((c for c, col in enumerate(rules.columns) if col.field == "lead_id"), None)
    if lead_col is not None:
        ids = xl_range_abs(1, lead_col, leads_last_row, lead_col)
        leads_ids = f"={quote_sheetname(leads_sheet)}!{ids}"
    columns = rules.log_columns
    _write_table(
        sheet, columns, [_cell_format(workbook, col) for col in columns],
        widths=[_LOG_WIDTHS.get(col.field, _column_width(col)) for col in columns],
        headers=[header_fmt] * len(columns),
        validations=[_log_validation(col, dropdowns, leads_ids, rules) for col in columns],
        rows=rows, last_row=max(LOG_TEMPLATE_ROWS, len(rows) + 1) - 1,
    )


def _write_table(
    sheet, columns: Sequence[Column], formats: list, *, widths: list, headers: list,
    validations: list, rows: Collection[dict], last_row: int, comments: dict[int, str] | None = None,
) -> None:
    """A sheet of one header row and ``rows`` below it, each column with its width, format and
    validation down to ``last_row``, filtered and frozen below the header."""
    sheet.set_row(0, 32)
    for c, col in enumerate(columns):
        sheet.set_column(c, c, widths[c], formats[c])
        sheet.write_string(0, c, col.header, headers[c])
        if comments and c in comments:
            sheet.write_comment(0, c, comments[c], {"author": "funnel-xl"})
        if validations[c] is not None:
            sheet.data_validation(1, c, last_row, c, validations[c])
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last_row, len(columns) - 1)
    fields = [(c, col.field, formats[c]) for c, col in enumerate(columns)]
    for r, row in enumerate(rows, start=1):
        for c, field, fmt in fields:
            _write_value(sheet, r, c, row.get(field), fmt)


def _log_validation(
    col: Column, dropdowns: dict[str, str], lead_ids: str | None, rules: Rules
) -> dict | None:
    t = catalogue(rules.lang)
    title = col.header[:32]
    if col.field == "lead_id" and lead_ids is not None:
        return _list_validation(
            lead_ids, title, t("template.log_id.input"), False, t("template.log_id.error_title"),
            t("template.log_id.error"),
        )
    if col.kind == "stage" and "stage" in dropdowns:
        return _list_validation(
            dropdowns["stage"], title, t("template.log_stage.input"), True,
            t("template.not_in_list", header=col.header), t("template.log_stage.error"),
        )
    if col.field == "method" and "follow_up_method" in dropdowns:
        return _list_validation(
            dropdowns["follow_up_method"], title, t("template.pick"), False,
            t("template.not_in_list", header=col.header), t("template.not_in_rules_list"),
        )
    if col.kind == "date":
        return _validation(col, dropdowns, rules)
    return None


def _list_validation(
    source: str, title: str, message: str, strict: bool, error_title: str, error_message: str
) -> dict:
    """A dropdown's validation: ``strict`` refuses a value not in the list, else it warns."""
    return {
        "validate": "list",
        "source": source,
        "input_title": title,
        "input_message": message,
        "error_type": "stop" if strict else "warning",
        # Excel allows at most 32 characters in an input or error title.
        "error_title": error_title[:32],
        "error_message": error_message,
    }


def _write_value(sheet, r: int, c: int, value, fmt) -> None:
    """A given value as its type: a bool as TRUE/FALSE, else as the report writes it (text always
    as text, so "=HYPERLINK(...)" or "-3" typed by a rep never becomes a formula)."""
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value, fmt)
    elif value is None or isinstance(value, (str, numbers.Real, date)):
        write_value(sheet, r, c, value, fmt)
    else:
        raise TypeError(f"无法写入第 {r + 1} 行第 {c + 1} 列的值 {value!r}（类型 {type(value).__name__}）。")


def _write_stage_handbook(workbook, sheet, rules: Rules, t: Catalogue) -> None:
    header_fmt = workbook.add_format(
        {"bold": True, "bg_color": _HEADER_FILL, "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    centre = workbook.add_format({"align": "center", "valign": "top"})
    percent = workbook.add_format({"num_format": "0%", "align": "center", "valign": "top"})
    headers = tuple(t(key) for key in _HANDBOOK_COLUMNS)
    widths = (6, 12, 44, 44, 14, 10)
    for c, (header, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.set_column(c, c, width)
        sheet.write_string(0, c, header, header_fmt)
    sheet.freeze_panes(1, 0)
    for i, stage in enumerate(rules.stages, start=1):
        sheet.write_number(i, 0, i, centre)
        sheet.write_string(i, 1, stage.name, wrap)
        sheet.write_string(i, 2, stage.entry, wrap)
        sheet.write_string(i, 3, stage.exit, wrap)
        if stage.name == rules.won_stage:
            sheet.write_string(i, 4, "—", centre)
        else:
            sheet.write_number(i, 4, stage.max_dwell_days, centre)
        sheet.write_number(i, 5, stage.win_probability, percent)
    lost_at = _header_or(rules, "lost_at", t(_LIST_TITLES["lost_at"]))
    for i, label in enumerate(rules.lost_labels, start=len(rules.stages) + 1):
        sheet.write_string(i, 0, "—", centre)
        sheet.write_string(i, 1, label, wrap)
        sheet.write_string(i, 2, t("template.stages.lost_entry"), wrap)
        sheet.write_string(i, 3, t("template.stages.lost_exit", lost_at=lost_at), wrap)
        sheet.write_string(i, 4, "—", centre)
        sheet.write_number(i, 5, 0, percent)


def _write_targets(workbook, sheet, rules: Rules, rows: Collection[Target]) -> None:
    """目标: one row per rep and month; the month as text (2024-05), the targets as numbers ≥ 0."""
    header_fmt = workbook.add_format(
        {"bold": True, "bg_color": _HEADER_FILL, "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    text = workbook.add_format({"num_format": "@"})
    amount = workbook.add_format({"num_format": _AMOUNT_FORMAT})
    t = catalogue(rules.lang)
    headers = [
        t(key, unit=rules.amount_unit)
        for key in ("template.targets.month", "template.targets.owner", "template.targets.won", "template.targets.new_leads")
    ]
    for c, (header, width) in enumerate(zip(headers, (10, 14, 16, 14), strict=True)):
        sheet.set_column(c, c, width, text if c < 2 else amount if c == 2 else None)
        sheet.write_string(0, c, header, header_fmt)
    sheet.freeze_panes(1, 0)
    last = TEMPLATE_ROWS
    sheet.data_validation(1, 0, last, 0, {
        "validate": "length", "criteria": "between", "minimum": 7, "maximum": 7,
        "input_title": t("template.targets.month"), "input_message": t("template.targets.month_prompt"),
        "error_title": t("template.targets.month_error_title"), "error_message": t("template.targets.month_error"),
    })
    for col, whole in ((2, False), (3, True)):
        sheet.data_validation(1, col, last, col, {
            "validate": "integer" if whole else "decimal", "criteria": ">=", "value": 0,
            "error_title": t("template.targets.error_title"), "error_message": t("template.targets.error"),
        })
    for r, target in enumerate(rows, start=1):
        sheet.write_string(r, 0, target.month or "", text)
        sheet.write_string(r, 1, target.owner, text)
        if target.won_amount is not None:
            sheet.write_number(r, 2, target.won_amount, amount)
        if target.new_leads is not None:
            sheet.write_number(r, 3, target.new_leads)


def _write_guide(workbook, sheet, rules: Rules, dropdowns: dict[str, str], t: Catalogue) -> None:
    title = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True})
    header_fmt = workbook.add_format({"bold": True, "bg_color": _HEADER_FILL, "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    grey = workbook.add_format({"text_wrap": True, "valign": "top", "bg_color": _COMPUTED_CELL_FILL})
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 10 if rules.lang == "zh" else 16)  # "When it changes" needs more room
    sheet.set_column(2, 2, 80)

    general = _general_rules(rules, dropdowns, t)
    sheet.write_string(0, 0, t("template.guide.title"), title)
    for i, line in enumerate(general, start=1):
        sheet.write_string(i + 1, 0, f"{i}. {line}")

    row = len(general) + 3
    sheet.write_string(row, 0, t("template.guide.columns"), bold)
    row += 1
    _guide_header(sheet, row, header_fmt, t)
    values = _guide_values(rules, t)
    for col in rules.columns:
        row += 1
        if col.computed:
            need, fmt = t("template.guide.computed"), grey
            text = t("template.guide.computed_text", comment=t("template.computed_comment"))
        else:
            need = t("template.guide.required") if col.required else t(
                "template.guide.quality" if col.required_for_quality else "template.guide.optional"
            )
            text = t(_FIELD_GUIDE.get(col.field, _KIND_GUIDE[col.kind]), **values)
            fmt = wrap
        sheet.write_string(row, 0, col.header, fmt)
        sheet.write_string(row, 1, need, fmt)
        sheet.write_string(row, 2, text, fmt)

    if not rules.log_columns:
        return
    row += 2
    sheet.write_string(row, 0, t("template.guide.log_columns", log=_log_sheet(rules)), bold)
    row += 1
    _guide_header(sheet, row, header_fmt, t)
    for col in rules.log_columns:
        row += 1
        text = t(_LOG_GUIDE.get(col.field, _KIND_GUIDE[col.kind]), **values)
        sheet.write_string(row, 0, col.header, wrap)
        need = t("template.guide.when_changed") if col.field == "stage_change" else (
            t("template.guide.required") if col.required else t("template.guide.optional"))
        sheet.write_string(row, 1, need, wrap)
        sheet.write_string(row, 2, text, wrap)


def _general_rules(rules: Rules, dropdowns: dict[str, str], t: Catalogue) -> list[str]:
    """The numbered rules at the top of the guide sheet (填写说明)."""
    stage = rules.header("stage")
    log_name = _log_sheet(rules)
    change = next((c.header for c in rules.log_columns if c.field == "stage_change"), t("template.default.stage_change"))
    stage_entered = _header_or(rules, "stage_entered", t("template.default.stage_entered"))
    computed = t.join(t("input.quoted", name=c.header) for c in rules.columns if c.computed)
    listed = t.join(t("input.quoted", name=c.header) for c in rules.columns if _dropdown_name(c) in dropdowns)
    return [
        t("template.rule.one_row"),
        t("template.rule.lists", listed=listed),
        t("template.rule.dates"),
        t("template.rule.amount", unit=rules.amount_unit),
        t("template.rule.computed", computed=computed, stage_entered=stage_entered),
        t("template.rule.log", log_name=log_name, change=change, stage=stage, stage_entered=stage_entered)
        if rules.log_columns else t("template.rule.no_log", stage=stage, stage_entered=stage_entered),
        t("template.rule.lost", stage=stage, lost=t.join(rules.lost_labels),
          lost_at=_header_or(rules, "lost_at", t(_LIST_TITLES["lost_at"])),
          lost_reason=_header_or(rules, "lost_reason", t("template.default.lost_reason"))),
        t("template.rule.stages", stages_sheet=t("template.sheet.stages")),
        t("template.rule.targets", targets_sheet=t("template.sheet.targets"), unit=rules.amount_unit),
    ]


def _guide_values(rules: Rules, t: Catalogue) -> dict[str, object]:
    """What the column guides' texts are filled in with."""
    return {
        "sources": t.join(rules.sources),
        "methods": t.join(rules.follow_up_methods),
        "lost": t.join(rules.lost_labels),
        "stages_sheet": t("template.sheet.stages"),
        "first_stage": rules.stage_names[0],
        "max_snooze": rules.thresholds.max_snooze_days,
        "unit": rules.amount_unit,
    }


def _guide_header(sheet, row: int, fmt, t: Catalogue) -> None:
    for c, key in enumerate(("template.guide.column", "template.guide.need", "template.guide.how")):
        sheet.write_string(row, c, t(key), fmt)


def _log_sheet(rules: Rules) -> str:
    return rules.log_sheets[0] if rules.log_sheets else catalogue(rules.lang)("template.sheet.log")
