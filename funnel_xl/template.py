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
from .rules import Column, Rules
from .targets import Target
from .text import display_width

DEFAULT_LEADS_SHEET = "线索跟踪"
DEFAULT_LOG_SHEET = "跟进记录"
STAGES_SHEET = "阶段定义"
TARGETS_SHEET = "目标"  # read back by funnel_xl.target_sheet
TARGET_HEADERS = ("月份", "负责人", "成交目标(万元)", "新增线索目标")
GUIDE_SHEET = "填写说明"
LISTS_SHEET = "列表"
# Dropdowns and validations cover at least this many rows (header included).
TEMPLATE_ROWS = 1000
# The most data rows one sheet holds: Excel's 1,048,576 rows less the header.
SHEET_DATA_ROWS = 1_048_575
# A lead gets several follow-ups: the log's validations cover more rows.
LOG_TEMPLATE_ROWS = 5000
COMPUTED_COMMENT = "由 funnel-xl 自动计算，请勿手工填写"
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
_LIST_TITLES = {
    "stage": "所属阶段",
    "source": "线索来源",
    "follow_up_method": "跟进方式",
    "lost_at": "流失阶段",
}
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
    "lead_id": "对应线索表中的线索编号（可从下拉列表选择），每次跟进一行。",
    "time": "本次跟进的日期，例如 2024-03-15。",
    "method": "从下拉列表选择：{methods}。",
    "content": "本次沟通的要点：客户的反馈、需求变化。",
    "feedback": "客户的异议，例如“预算不足”“在对比竞品”。",
    "next_action": "下一步要做的事：发送资料、安排演示等。",
    "next_contact": "计划的下次沟通日期。",
    "stage_change": (
        "阶段有变化时选择新阶段（如 潜在接触 → 需求挖掘 时选「需求挖掘」；客户明确拒绝时选「{lost}」）；"
        "没有变化请留空。工具据此计算阶段进入日期、停留时长和流失阶段。"
    ),
    "by": "本次跟进的销售代表。",
}

_FIELD_GUIDE = {
    "lead_id": "每条线索一个唯一编号，例如 LF2024001；同一线索只占一行，编号不可重复。",
    "customer": "公司名称/联系人，用「/」分隔，例如「A公司/*经理」。",
    "source": "从下拉列表选择线索来源：{sources}。",
    "stage": "从下拉列表选择当前所处阶段；客户明确拒绝时选「{lost}」。阶段标准见「{stages_sheet}」。",
    "first_contact": "首次接触客户的日期，按日期填写（如 2024-03-15），不要写「上周三」之类的文字。",
    "last_follow_up": "最近一次跟进的日期，每次跟进后更新；不早于首次接触时间，不晚于今天。",
    "follow_up_method": "从下拉列表选择本次跟进方式：{methods}。",
    "follow_up_summary": "本次沟通要点：客户反馈、需求变化、异议（如“预算不足”“在对比竞品”）和下一步动作。",
    "needs": "客户的核心需求或痛点，例如“需降低20%采购成本”。",
    "expected_close": "预计签约日期，按日期填写；「{first_stage}」阶段可暂不填写。",
    "amount": "预计成交金额，单位{unit}（50 表示 50 {unit}），只填数字，不能为负数；「{first_stage}」阶段可暂不填写。",
    "owner": "负责该线索的销售代表。",
    "stage_entered": "进入当前阶段的日期，每次调整阶段时更新；工具据此计算停留时长。",
    "lost_at": "仅无效线索填写：流失时所处的阶段，从下拉列表选择。",
    "lost_reason": "仅无效线索填写：流失原因，如“预算不足”“选择了竞品”。",
    "next_follow_up": "计划的下次跟进日期，按日期填写。",
    "industry": "客户所属行业。",
    "contact_info": "联系人电话或邮箱，可打码，例如 138****1234。",
    "snooze_until": (
        "线索因已知原因暂停推进（如客户决策人出差）时填写恢复推进的日期：此日期之前不标记为停留超时或"
        "久未跟进，「预警」中单独列出。最多填写统计截止日后 {max_snooze} 天。"
    ),
    "snooze_reason": "填写「暂缓至」时必填：暂缓的原因，例如“客户决策人出差至月底”。",
}
_KIND_GUIDE = {
    "date": "按日期填写（如 2024-03-15）。",
    "number": "只填数字。",
    "stage": "从下拉列表选择阶段。",
    "lost_at": "从下拉列表选择阶段。",
    "text": "按实际情况填写。",
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
    # xlsxwriter ignores a row past the sheet's last one: refuse rather than lose rows unsaid.
    for what, count in (("线索", len(rows)), ("跟进记录", len(log_rows) if rules.log_columns else 0)):
        if count > SHEET_DATA_ROWS:
            raise OutputError(
                f"{Path(path).name}: {what}有 {count:,} 行，一个工作表最多放 {SHEET_DATA_ROWS:,} 行"
                "（Excel 的上限），无法写入。请减少行数，或分成几个工作簿。"
            )
    last_row = max(TEMPLATE_ROWS, len(rows) + 1) - 1
    with atomic_path(path) as tmp:
        # constant_memory streams rows to disk so that hundreds of thousands of leads fit in memory.
        workbook = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
        workbook.set_properties(
            {
                "title": "销售漏斗线索跟踪表",
                "author": "funnel-xl",
                "comments": "由 funnel-xl 生成",
                "created": CREATED,
            }
        )
        main = workbook.add_worksheet(rules.leads_sheets[0] if rules.leads_sheets else DEFAULT_LEADS_SHEET)
        log = None
        if rules.log_columns:
            log = workbook.add_worksheet(_log_sheet(rules))
        stages_sheet = workbook.add_worksheet(STAGES_SHEET)
        targets = workbook.add_worksheet(TARGETS_SHEET)
        guide = workbook.add_worksheet(GUIDE_SHEET)
        lists = workbook.add_worksheet(LISTS_SHEET)
        dropdowns = _write_lists(lists, rules)
        lists.hide()
        _write_leads(workbook, main, rules, rows, last_row, dropdowns)
        if log is not None:
            _write_log(workbook, log, rules, log_rows, main.name, last_row, dropdowns)
        _write_stage_handbook(workbook, stages_sheet, rules)
        _write_targets(workbook, targets, rules, target_rows)
        _write_guide(workbook, guide, rules, dropdowns)
        for sheet in (main, log, stages_sheet, guide):
            if sheet is not None:
                _print_setup(sheet)
        main.activate()
        workbook.close()


def _print_setup(sheet) -> None:
    """A4 landscape, one page wide, the sheet's name and page number on each page, the header row
    on every page (the guide has none)."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_header("&L&A")
    sheet.set_footer("&C&P / &N")
    if sheet.name != GUIDE_SHEET:
        sheet.repeat_rows(0)


def _write_lists(sheet, rules: Rules) -> dict[str, str]:
    """Write one dropdown list per column; return the range formula of each non-empty list by name."""
    lists = {
        "stage": [*rules.stage_names, *rules.lost_labels],
        "source": list(rules.sources),
        "follow_up_method": list(rules.follow_up_methods),
        "lost_at": list(rules.stage_names[:-1]),
    }
    columns = [[_header_or(rules, name, _LIST_TITLES[name]), *items] for name, items in lists.items()]
    # Row by row: in constant_memory mode a row is final once a later row is written.
    for row in range(max(len(column) for column in columns)):
        for col, column in enumerate(columns):
            if row < len(column):
                sheet.write_string(row, col, column[row])
    return {
        name: f"={quote_sheetname(LISTS_SHEET)}!{xl_range_abs(1, col, len(items), col)}"
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


def _validation(col: Column, dropdowns: dict[str, str], unit: str) -> dict | None:
    # Excel allows at most 32 characters in an input or error title.
    title = col.header[:32]
    name = _dropdown_name(col)
    if name is not None:
        if name not in dropdowns:
            return None
        strict = name in ("stage", "lost_at")
        return _list_validation(
            dropdowns[name], title, "请从下拉列表中选择。", strict, f"{col.header}不在列表中",
            "请从下拉列表中选择。" if strict else "该值不在规则列表中，确定要使用吗？",
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
            "input_message": "请输入日期，例如 2024-03-15。",
            "error_title": "日期无效",
            "error_message": f"「{col.header}」需要填写 2000-01-01 至 2100-12-31 之间的日期，例如 2024-03-15。",
        }
    if col.field == "amount":
        return {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "input_title": title,
            "input_message": f"单位{unit}，只填数字，例如 50。",
            "error_title": "金额无效",
            "error_message": f"「{col.header}」需要填写不小于 0 的数字（单位{unit}）。",
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
        validations=[_validation(col, dropdowns, rules.amount_unit) for col in columns],
        rows=rows, last_row=last_row,
        comments={c: COMPUTED_COMMENT for c, col in enumerate(columns) if col.computed},
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
        validations=[
            _log_validation(col, dropdowns, leads_ids, rules.amount_unit) for col in columns
        ],
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
    col: Column, dropdowns: dict[str, str], lead_ids: str | None, unit: str
) -> dict | None:
    title = col.header[:32]
    if col.field == "lead_id" and lead_ids is not None:
        return _list_validation(
            lead_ids, title, "从线索表的线索编号中选择。", False, "线索表中没有这个编号",
            "线索表中没有这个线索编号，确定要使用吗？请先在线索表中录入该线索。",
        )
    if col.kind == "stage" and "stage" in dropdowns:
        return _list_validation(
            dropdowns["stage"], title, "阶段有变化时选择新阶段；没有变化请留空。", True,
            f"{col.header}不在列表中", "请从下拉列表中选择阶段，或留空表示阶段没有变化。",
        )
    if col.field == "method" and "follow_up_method" in dropdowns:
        return _list_validation(
            dropdowns["follow_up_method"], title, "请从下拉列表中选择。", False,
            f"{col.header}不在列表中", "该值不在规则列表中，确定要使用吗？",
        )
    if col.kind == "date":
        return _validation(col, dropdowns, unit)
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


def _write_stage_handbook(workbook, sheet, rules: Rules) -> None:
    header_fmt = workbook.add_format(
        {"bold": True, "bg_color": _HEADER_FILL, "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    centre = workbook.add_format({"align": "center", "valign": "top"})
    percent = workbook.add_format({"num_format": "0%", "align": "center", "valign": "top"})
    headers = ("序号", "阶段", "进入标准", "退出标准", "最长停留天数", "赢单概率")
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
    lost_at = _header_or(rules, "lost_at", _LIST_TITLES["lost_at"])
    for i, label in enumerate(rules.lost_labels, start=len(rules.stages) + 1):
        sheet.write_string(i, 0, "—", centre)
        sheet.write_string(i, 1, label, wrap)
        sheet.write_string(i, 2, "客户明确拒绝或线索无效，线索流失并归档", wrap)
        sheet.write_string(i, 3, f"不再推进；在「{lost_at}」中填写流失时所处的阶段", wrap)
        sheet.write_string(i, 4, "—", centre)
        sheet.write_number(i, 5, 0, percent)


def _write_targets(workbook, sheet, rules: Rules, rows: Collection[Target]) -> None:
    """目标: one row per rep and month; the month as text (2024-05), the targets as numbers ≥ 0."""
    header_fmt = workbook.add_format(
        {"bold": True, "bg_color": _HEADER_FILL, "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    text = workbook.add_format({"num_format": "@"})
    amount = workbook.add_format({"num_format": _AMOUNT_FORMAT})
    unit = rules.amount_unit
    headers = (*TARGET_HEADERS[:2], f"成交目标({unit})", TARGET_HEADERS[3])
    for c, (header, width) in enumerate(zip(headers, (10, 14, 16, 14), strict=True)):
        sheet.set_column(c, c, width, text if c < 2 else amount if c == 2 else None)
        sheet.write_string(0, c, header, header_fmt)
    sheet.freeze_panes(1, 0)
    last = TEMPLATE_ROWS
    sheet.data_validation(1, 0, last, 0, {
        "validate": "length", "criteria": "between", "minimum": 7, "maximum": 7,
        "input_title": "月份", "input_message": "填写年月，如 2024-05",
        "error_title": "月份格式", "error_message": "请按 2024-05 这样的格式填写年月。",
    })
    for col, whole in ((2, False), (3, True)):
        sheet.data_validation(1, col, last, col, {
            "validate": "integer" if whole else "decimal", "criteria": ">=", "value": 0,
            "error_title": "目标", "error_message": "目标应为不小于 0 的数字。",
        })
    for r, target in enumerate(rows, start=1):
        sheet.write_string(r, 0, target.month or "", text)
        sheet.write_string(r, 1, target.owner, text)
        if target.won_amount is not None:
            sheet.write_number(r, 2, target.won_amount, amount)
        if target.new_leads is not None:
            sheet.write_number(r, 3, target.new_leads)


def _write_guide(workbook, sheet, rules: Rules, dropdowns: dict[str, str]) -> None:
    title = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True})
    header_fmt = workbook.add_format({"bold": True, "bg_color": _HEADER_FILL, "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    grey = workbook.add_format({"text_wrap": True, "valign": "top", "bg_color": _COMPUTED_CELL_FILL})
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 2, 80)

    general = _general_rules(rules, dropdowns)
    sheet.write_string(0, 0, "线索跟踪表填写说明", title)
    for i, line in enumerate(general, start=1):
        sheet.write_string(i + 1, 0, f"{i}. {line}")

    row = len(general) + 3
    sheet.write_string(row, 0, "各列填写方法", bold)
    row += 1
    _guide_header(sheet, row, header_fmt)
    values = _guide_values(rules)
    for col in rules.columns:
        row += 1
        if col.computed:
            need, text, fmt = "自动计算", f"{COMPUTED_COMMENT}（运行 funnel-xl rebuild 时计算）。", grey
        else:
            need = "必填" if col.required else "选填"
            text = _FIELD_GUIDE.get(col.field, _KIND_GUIDE[col.kind]).format(**values)
            fmt = wrap
        sheet.write_string(row, 0, col.header, fmt)
        sheet.write_string(row, 1, need, fmt)
        sheet.write_string(row, 2, text, fmt)

    if not rules.log_columns:
        return
    row += 2
    sheet.write_string(row, 0, f"「{_log_sheet(rules)}」各列填写方法", bold)
    row += 1
    _guide_header(sheet, row, header_fmt)
    for col in rules.log_columns:
        row += 1
        text = _LOG_GUIDE.get(col.field, _KIND_GUIDE[col.kind]).format(**values)
        sheet.write_string(row, 0, col.header, wrap)
        need = "有变化时填" if col.field == "stage_change" else "必填" if col.required else "选填"
        sheet.write_string(row, 1, need, wrap)
        sheet.write_string(row, 2, text, wrap)


def _general_rules(rules: Rules, dropdowns: dict[str, str]) -> list[str]:
    """The numbered rules at the top of 填写说明."""
    stage = rules.header("stage")
    log_name = _log_sheet(rules)
    change = next((c.header for c in rules.log_columns if c.field == "stage_change"), "阶段调整为")
    lost = "、".join(rules.lost_labels)
    lost_at = _header_or(rules, "lost_at", _LIST_TITLES["lost_at"])
    stage_entered = _header_or(rules, "stage_entered", "阶段进入日期")
    lost_reason = _header_or(rules, "lost_reason", "流失原因")
    computed = "、".join(f"「{c.header}」" for c in rules.columns if c.computed)
    listed = "、".join(f"「{c.header}」" for c in rules.columns if _dropdown_name(c) in dropdowns)
    return [
        "每条线索占一行，线索编号唯一；获取新线索后尽快录入（目标 2 小时内）并放入对应阶段。",
        f"{listed}请从下拉列表中选择，不要手工输入其他写法。",
        "日期列请按日期填写，例如 2024-03-15；不要写「上周三」「月底」之类的文字。",
        f"金额单位为{rules.amount_unit}，只填数字：50 表示 50 {rules.amount_unit}。",
        (
            f"灰色列{computed}由 funnel-xl 自动计算（运行 funnel-xl rebuild，结果见分析工作簿的"
            f"「线索明细」），请勿手工填写；请填写「{stage_entered}」，工具据此计算停留时长。"
        ),
        (
            f"每次跟进后在「{log_name}」中加一行（时间、方式、内容、下一步）；阶段变化时在其中的「{change}」"
            f"选择新阶段，同时修改本表的「{stage}」与「{stage_entered}」，并更新最近跟进时间。"
            if rules.log_columns else
            f"每次跟进后更新跟进时间、方式、内容；阶段变化时修改「{stage}」并更新「{stage_entered}」。"
        ),
        (
            f"客户明确拒绝时：「{stage}」改为「{lost}」，在「{lost_at}」中填写流失时所处的阶段，"
            f"在「{lost_reason}」中写明原因。"
        ),
        f"各阶段的进入/退出标准和最长停留天数见「{STAGES_SHEET}」；停留超过天数的线索会被标记为停留超时。",
        (
            f"月度目标写在「{TARGETS_SHEET}」：每位负责人每月一行（月份如 2024-05、成交目标({rules.amount_unit})、"
            "新增线索目标）；分析报告的总览与个人工作簿据此显示达成率。"
        ),
    ]


def _guide_values(rules: Rules) -> dict[str, object]:
    """What the column guides' texts are filled in with."""
    return {
        "sources": "、".join(rules.sources),
        "methods": "、".join(rules.follow_up_methods),
        "lost": "、".join(rules.lost_labels),
        "stages_sheet": STAGES_SHEET,
        "first_stage": rules.stage_names[0],
        "max_snooze": rules.thresholds.max_snooze_days,
        "unit": rules.amount_unit,
    }


def _guide_header(sheet, row: int, fmt) -> None:
    for c, header in enumerate(("列名", "是否必填", "填写方法")):
        sheet.write_string(row, c, header, fmt)


def _log_sheet(rules: Rules) -> str:
    return rules.log_sheets[0] if rules.log_sheets else DEFAULT_LOG_SHEET
