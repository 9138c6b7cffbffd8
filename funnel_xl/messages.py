"""Every text a person reads in the report, the validation problems and the command summaries, in
Chinese (the default) and English, keyed by a stable message id.

One table holds both languages side by side, so a text cannot exist in one and be forgotten in the
other; a test checks that both use the same ``{placeholders}`` and that every id the code asks
for is here. A rules file says ``lang = "en"`` (or a command ``--lang en``) to switch.

What is not in the catalogue stays Chinese whatever the language: the demo workbook. The rules
file's own mistakes are told in the language it declares (read from its text before it is
checked). A library error carries its message as a :class:`funnel_xl.errors.Say` (an id and
values), told in the run's language where it is shown; so does a recipients file's.
"""

from __future__ import annotations

from string import Formatter

ZH, EN = "zh", "en"

# id: (中文, English)
MESSAGES: dict[str, tuple[str, str]] = {
    # -- sheet names --------------------------------------------------------------------------
    "sheet.overview": ("总览", "Overview"),
    "sheet.funnel": ("漏斗分析", "Funnel"),
    "sheet.flow": ("阶段流转", "Month flow"),
    "sheet.trend": ("趋势", "Trend"),
    "sheet.owners": ("负责人对比", "Reps"),
    "sheet.sources": ("渠道分析", "Channels"),
    "sheet.alerts": ("预警", "Alerts"),
    "sheet.suggestions": ("优化建议", "Suggestions"),
    "sheet.problems": ("数据问题", "Data problems"),
    "sheet.detail": ("线索明细", "Lead detail"),
    "sheet.forecast": ("预测", "Forecast"),
    "sheet.quality": ("数据质量", "Data quality"),
    "sheet.run": ("运行信息", "Run record"),
    "sheet.open_leads": ("在跟线索", "Open leads"),
    "sheet.waterfall": ("管道变化", "Pipeline change"),
    "sheet.speed": ("阶段速度", "Stage speed"),
    "sheet.lost": ("流失分析", "Lost deals"),
    "sheet.cohorts": ("线索批次", "Cohorts"),
    "sheet.bands": ("金额分段", "Deal size"),
    "sheet.activity": ("跟进活动", "Follow-ups"),
    "sheet.dimension": ("{header}分析", "By {header}"),
    "sheet.no_owner": ("未填写负责人", "No owner"),
    # -- workbook properties ------------------------------------------------------------------
    "doc.title": ("销售漏斗分析 {period}", "Sales funnel analysis {period}"),
    "doc.group_title": ("销售漏斗分析 {period} · {label} {name}", "Sales funnel analysis {period} · {label} {name}"),
    "doc.subject": ("截至 {as_of}", "As of {as_of}"),
    "group.owner": ("负责人", "Rep"),
    "group.source": ("线索来源", "Channel"),
    # -- shared labels --------------------------------------------------------------------------
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "list_sep": ("、", ", "),
    "col.metric": ("指标", "Measure"),
    "col.value": ("数值", "Value"),
    "col.note": ("说明", "Note"),
    "col.stage": ("阶段", "Stage"),
    "col.current": ("当前线索数", "Current leads"),
    "col.reached": ("累计到达", "Reached"),
    "col.exited": ("已离开", "Exited"),
    "col.pass_rate": ("通过率\n(至下一阶段)", "Pass rate\n(to next stage)"),
    "col.loss_rate": ("流失率", "Loss rate"),
    "col.lost_here": ("本阶段流失", "Lost here"),
    "col.avg_dwell": ("平均停留(天)", "Avg. days in stage"),
    "col.stalled": ("停留超时", "Stalled"),
    "col.longest_dwell": ("最长停留(天)", "Longest stay (days)"),
    "col.dwell_limit": ("停留上限(天)", "Stay limit (days)"),
    "col.amount": ("在跟金额({unit})", "Pipeline ({unit})"),
    "col.weighted_amount": ("加权在跟金额({unit})", "Weighted pipeline ({unit})"),
    "col.remark": ("备注", "Remark"),
    "col.leads": ("线索数", "Leads"),
    "col.active": ("在跟", "Open"),
    "col.won": ("成交", "Won"),
    "col.lost": ("流失", "Lost"),
    "col.win_rate": ("赢单率", "Win rate"),
    "col.pipeline": ("在跟金额({unit})", "Pipeline ({unit})"),
    "col.weighted_pipeline": ("加权在跟金额({unit})", "Weighted pipeline ({unit})"),
    "col.low_months": ("连续偏低\n(连续 {months} 个月)", "Low month after month\n({months} months)"),
    "col.overdue": ("跟进逾期", "Overdue"),
    "col.stale": ("久未跟进", "No recent follow-up"),
    "col.close_past": ("预计成交日已过", "Close date past"),
    "col.stage_entered": ("阶段进入日期", "Stage entered"),
    "col.dwell": ("停留(天)", "Days in stage"),
    "col.limit": ("上限(天)", "Limit (days)"),
    "col.since_follow_up": ("距上次跟进(天)", "Days since follow-up"),
    "col.alerts": ("预警", "Alerts"),
    "col.kind": ("类型", "Type"),
    "col.lead_id": ("线索编号", "Lead ID"),
    "col.customer": ("客户", "Customer"),
    "col.owner": ("负责人", "Owner"),
    "col.source": ("来源", "Source"),
    "col.date": ("日期", "Date"),
    "col.number": ("序号", "No."),
    "col.suggestion": ("建议", "Suggestion"),
    "col.suggestion_metric": ("指标", "Measure"),
    "col.stage_or_channel": ("阶段/渠道", "Stage / channel"),
    "col.severity": ("严重程度", "Severity"),
    "col.file": ("文件", "File"),
    "col.sheet": ("工作表", "Sheet"),
    "col.row": ("行", "Row"),
    "col.column": ("列", "Column"),
    "col.header": ("表头", "Header"),
    "col.problem_value": ("值", "Value"),
    "col.message": ("问题说明", "Problem"),
    "col.code": ("代码", "Code"),
    "col.entered_source": ("阶段进入日期来源", "Stage entered: from"),
    "col.lost_at_source": ("流失阶段来源", "Lost at: from"),
    "col.status": ("状态", "Status"),
    "col.source_file": ("来源文件", "Source file"),
    "col.source_row": ("来源行", "Source row"),
    "col.team": ("全队", "Team"),
    "col.own_owner": ("本人", "You"),
    "col.own_source": ("本渠道", "This channel"),
    "col.own_pass_rate": ("{own}通过率\n(至下一阶段)", "{own}: pass rate\n(to next stage)"),
    "col.team_pass_rate": ("全队通过率", "Team pass rate"),
    "col.own_loss_rate": ("{own}流失率", "{own}: loss rate"),
    "col.team_loss_rate": ("全队流失率", "Team loss rate"),
    "col.team_avg_dwell": ("全队平均停留(天)", "Team avg. days in stage"),
    "col.own_pass_rate_short": ("{own}通过率", "{own}: pass rate"),
    "col.median_cycle": ("周期中位数(天)", "Median cycle (days)"),
    "col.snoozed": ("暂缓中", "Snoozed"),
    "total": ("合计", "Total"),
    # A column the rules do not define is headed like the default rules' own header.
    "field.lead_id": ("线索编号", "Lead ID"),
    "field.customer": ("客户名称/联系人", "Customer/Contact"),
    "field.source": ("线索来源", "Lead source"),
    "field.stage": ("所属阶段", "Stage"),
    "field.owner": ("负责人", "Owner"),
    "field.stage_entered": ("阶段进入日期", "Stage entered"),
    "field.next_follow_up": ("下次跟进时间", "Next follow-up"),
    "field.expected_close": ("预计成交日期", "Expected close"),
    "field.amount": ("预计成交金额({unit})", "Expected amount ({unit})"),
    "field.snooze_until": ("暂缓至", "Snoozed until"),
    "field.snooze_reason": ("暂缓原因", "Snooze reason"),
    # -- a problem's place -------------------------------------------------------------------------
    "severity.error": ("错误", "error"),
    "severity.warning": ("警告", "warning"),
    "where.sheet": ("「{sheet}」", "'{sheet}'"),
    "where.row": ("第 {row} 行", "row {row}"),
    "where.rows_more": ("{rows} 等共 {count} 行", "{rows} and others, {count} rows in all"),
    "where.column": ("{column} 列", "column {column}"),
    "where.column_header": ("{column} 列({header})", "column {column} ({header})"),
    "where.value": (" 值「{value}」", " value '{value}'"),
    # -- validation problems (code → message) -----------------------------------------------------
    "problem.missing_lead_id": ("缺少线索编号，该行无法使用。请补填线索编号。", "No lead ID: the row cannot be used. Please fill in the lead ID."),
    "problem.duplicate_lead_id": (
        "线索编号也出现在本表{others}，内容不同，无法判断哪一行正确，这些行都不计入统计。请保留一行并删除或改正其余行。",
        ("The lead ID is also on {others} of this sheet with other content; nobody can tell which is "
        "right: none of them is counted. Keep one row and delete or correct the others."),
    ),
    "problem.duplicate_lead_id.private": (
        "线索编号「{lead_id}」在团队表格中还有一行，内容不同，无法判断哪一行正确，本行不计入统计。请与经理核对，只保留一行。",
        ("Lead ID '{lead_id}' is on another row of the team's sheets with other content; nobody can "
        "tell which is right, so this row is not counted. Please check with your manager and keep one row."),
    ),
    "problem.duplicate_lead_id_across_files.private": (
        "线索编号「{lead_id}」在团队表格中还有一行，内容不同，无法判断哪一行正确，本行不计入统计。请与经理核对，只保留一行。",
        ("Lead ID '{lead_id}' is on another row of the team's sheets with other content; nobody can "
        "tell which is right, so this row is not counted. Please check with your manager and keep one row."),
    ),
    "problem.identical_lead_in_file.private": (
        "线索编号「{lead_id}」在团队表格中有内容完全相同的一行，只计一次。请删除重复的一行。",
        "Lead ID '{lead_id}' has an identical row in the team's sheets: counted once. Please delete the copy.",
    ),
    "problem.identical_lead_across_files.private": (
        "线索编号「{lead_id}」在团队表格中有内容完全相同的一行，只计一次。请与经理确认后删除重复的一行。",
        "Lead ID '{lead_id}' has an identical row in the team's sheets: counted once. Please agree with your manager which copy to delete.",
    ),
    "problem.identical_lead_in_file": (
        "本行与第 {kept} 行内容完全相同，只计一次（计入第 {kept} 行）。请删除重复的一行。",
        "This row is identical to row {kept}: counted once (as row {kept}). Please delete the copy.",
    ),
    "problem.bad_lead_id_pattern": (
        "线索编号格式不符合团队规则（{pattern}），请核对。",
        "The lead ID does not match the team's pattern ({pattern}); please check it.",
    ),
    "problem.missing_stage": (
        "所属阶段为空，该行无法计入漏斗。请从下拉列表中选择阶段。",
        "No stage: the row cannot be placed in the funnel. Please pick a stage from the list.",
    ),
    "problem.unknown_stage": ("所属阶段「{value}」不是规则中的阶段。{hint}", "'{value}' is not a stage of the rules. {hint}"),
    "problem.missing_owner": (
        "负责人为空，该行无法归属到销售代表。请填写负责人。",
        "No owner: the row cannot be given to a rep. Please fill in the owner.",
    ),
    "problem.missing_first_contact": (
        "首次接触时间为空，无法计算周期。请填写日期。",
        "No first-contact date: the cycle cannot be computed. Please fill in the date.",
    ),
    "problem.first_contact_blank": (
        "{count} 条线索没有首次接触时间（规则允许不填）：它们计入阶段数字和通过率，不计入成交周期。",
        ("{count} leads have no first-contact date (the rules allow it): they count in the stage "
         "figures and pass rates, not in the cycle."),
    ),
    "problem.bad_first_contact": (
        "首次接触时间「{value}」不是可识别的日期。请写成 2024-03-15 这样的日期。",
        ("The first-contact date '{value}' is not a date the tool can read. Please write a date "
        "such as 2024-03-15."),
    ),
    "problem.bad_date": (
        "「{header}」的值「{value}」不是可识别的日期，已忽略。请写成 2024-03-15 这样的日期。",
        ("'{value}' in '{header}' is not a date the tool can read; it is ignored. Please write a "
        "date such as 2024-03-15."),
    ),
    "problem.future_date": (
        "「{header}」{value} 晚于统计截止日 {as_of}，请核对日期。",
        "'{header}' {value} is after the as-of date {as_of}; please check the date.",
    ),
    "problem.follow_up_before_first_contact": (
        "最近跟进时间 {value} 早于首次接触时间，请核对两个日期。",
        "The last follow-up {value} is before the first contact; please check both dates.",
    ),
    "problem.stage_entered_before_first_contact": (
        "阶段进入日期 {value} 早于首次接触时间，请核对。",
        "The stage-entered date {value} is before the first contact; please check it.",
    ),
    "problem.unknown_source": (
        "线索来源「{value}」不在规则的来源列表中，按原样统计。{hint}",
        "The source '{value}' is not in the rules' list of sources; it is counted as typed. {hint}",
    ),
    "problem.missing_source": (
        "线索来源为空，渠道分析中计入「(未填写)」。", "No source: counted as '(blank)' in the channel comparison.",
    ),
    "problem.unknown_method": (
        "跟进方式「{value}」不在规则的列表中。{hint}", "The follow-up method '{value}' is not in the rules' list. {hint}",
    ),
    "problem.bad_amount": (
        "预计成交金额「{value}」不是数字，已忽略。请填写以{unit}为单位的数字，例如 50。",
        "The amount '{value}' is not a number; it is ignored. Please write a number in {unit}, e.g. 50.",
    ),
    "problem.negative_amount": ("预计成交金额为负数，已忽略。请核对。", "The amount is negative; it is ignored. Please check it."),
    "problem.amount_in_yuan": (
        "金额「{value}」以元为单位，已换算为万元。请直接填写万元数。",
        "The amount '{value}' is in 元; it was converted to 万元. Please write it in 万元.",
    ),
    "problem.bad_dwell_days": (
        "当前阶段停留时长「{value}」不是非负数字，已忽略（该列由工具重新计算）。",
        ("Days in stage '{value}' is not a non-negative number; it is ignored (the tool recalculates "
        "this column)."),
    ),
    "problem.lost_at_unknown": (
        "流失线索未填写流失阶段：计入总数，但不计入各阶段流失。请填写流失时所在阶段。",
        ("A lost lead without a lost-at stage: counted in the totals, not in any stage's loss. "
        "Please fill in the stage it was lost in."),
    ),
    "problem.bad_lost_at": (
        "流失阶段「{value}」不是已成交之前的阶段，已忽略。{hint}",
        "The lost-at stage '{value}' is not a stage before the won one; it is ignored. {hint}",
    ),
    "problem.lost_at_on_open_lead": (
        "线索并未流失（所属阶段不是流失标签），流失阶段已忽略。",
        "The lead is not lost (its stage is no lost label): the lost-at stage is ignored.",
    ),
    "problem.lost_at_column_missing": (
        "表格没有「{header}」列：流失线索计入总数，但不计入各阶段流失。",
        "The sheet has no '{header}' column: lost leads count in the totals, not in any stage's loss.",
    ),
    "problem.identical_lead_across_files": (
        "线索编号「{lead_id}」在 {kept} 有内容完全相同的一行，只计一次（计入 {kept}）。请与相关销售代表确认后删除重复的一行。",
        ("Lead ID '{lead_id}' has an identical row in {kept}: counted once (in {kept}). Please agree "
        "with the reps which copy to delete."),
    ),
    "problem.duplicate_lead_id_across_files": (
        "线索编号「{lead_id}」也出现在 {others}，内容不同，无法判断哪一行正确，这些行都不计入统计。请与相关销售代表核对，只保留一行。",
        ("Lead ID '{lead_id}' is also in {others} with other content; nobody can tell which row is "
        "right, so none is counted. Please check with the reps and keep one row."),
    ),
    "problem.bad_target_row": (
        "「目标」表的这一行无法使用（{cells}）：月份应为 2024-05 这样的年月，负责人与渠道须填且只填一个，"
        "目标应为不小于 0 的数字。该行未计入目标。",
        "This row of the targets sheet cannot be used ({cells}): the month should read like 2024-05, "
        "exactly one of owner and channel must be filled in and a target must be a number of 0 or more. "
        "It is not counted.",
    ),
    "problem.target_unknown_owner": (
        "「{name}」有本期目标，但没有一条线索的负责人是「{name}」：其达成按 0 计，团队目标仍含这一份。"
        "请核对目标里的名字（规则文件的 [targets] 或「目标」表）。{hint}",
        ("'{name}' has a target this period, but no lead's owner is '{name}': its attainment counts as 0 "
        "and the team's target still includes it. Check the name in the targets (the rules' [targets] "
        "or the Targets sheet). {hint}"),
    ),
    "problem.target_unknown_channel": (
        "渠道「{name}」有本期目标，但没有一条线索来自「{name}」：其达成按 0 计。"
        "请核对目标里的渠道名（规则文件的 [channel_targets] 或「目标」表）。{hint}",
        ("The channel '{name}' has a target this period, but no lead comes from '{name}': its "
        "attainment counts as 0. Check the channel's name in the targets (the rules' [channel_targets] "
        "or the Targets sheet). {hint}"),
    ),
    "problem.log_missing_lead_id": (
        "跟进记录缺少线索编号，无法对应到线索，该条记录未使用。请补填线索编号。",
        ("A follow-up entry without a lead ID cannot be matched to a lead; it is not used. Please fill "
        "in the lead ID."),
    ),
    "problem.log_unknown_lead": (
        "线索编号「{value}」在线索表中不存在，该条跟进记录未使用。请核对编号，应与线索表中的线索编号一致。",
        ("Lead ID '{value}' is not in the leads sheet; the follow-up entry is not used. Please check "
        "it against the leads sheet's IDs."),
    ),
    "problem.log_missing_time": (
        "跟进时间为空，该条记录未使用。请填写日期，例如 2024-03-15。",
        "No follow-up date: the entry is not used. Please fill in a date, e.g. 2024-03-15.",
    ),
    "problem.log_bad_time": (
        "跟进时间「{value}」不是可识别的日期，该条记录未使用。请写成 2024-03-15 这样的日期。",
        ("The follow-up date '{value}' is not a date the tool can read; the entry is not used. "
        "Please write a date such as 2024-03-15."),
    ),
    "problem.log_unknown_stage": (
        "阶段调整为「{value}」不是规则中的阶段或流失标签，该条记录未使用。{hint}不调整阶段时请留空。",
        ("The stage change '{value}' is no stage or lost label of the rules; the entry is not used. "
        "{hint} Leave it blank when the stage does not change."),
    ),
    "problem.log_future_time": (
        "跟进时间 {value} 晚于统计截止日 {as_of}，本次统计未使用该条记录。",
        "The follow-up date {value} is after the as-of date {as_of}; the entry is not used in this run.",
    ),
    "problem.log_before_first_contact": (
        "跟进时间 {value} 早于该线索的首次接触时间 {first}，请核对两个日期。",
        "The follow-up date {value} is before the lead's first contact {first}; please check both dates.",
    ),
    "problem.first_contact_after_other_dates": (
        "首次接触时间 {value} 晚于该线索的 {count} 个其他日期（{dates}），很可能是首次接触时间填错了："
        "请先核对它；这 {count} 处「早于首次接触时间」的提示已合并到这一条。",
        "The first contact {value} is after {count} other dates of this lead ({dates}); most likely the "
        "first contact is wrong: check it first. The {count} 'before the first contact' warnings are folded into this one.",
    ),
    "fold.log_rows": ("{sheet} {count} 行", "{count} rows of {sheet}"),
    "problem.log_unknown_method": (
        "跟进方式「{value}」不在规则的列表中。{hint}", "The follow-up method '{value}' is not in the rules' list. {hint}",
    ),
    "problem.log_bad_date": (
        "下次沟通时间「{value}」不是可识别的日期，已忽略。请写成 2024-03-15 这样的日期。",
        ("The next contact date '{value}' is not a date the tool can read; it is ignored. Please "
        "write a date such as 2024-03-15."),
    ),
    "problem.stage_disagrees_with_log": (
        "所属阶段「{stage}」与跟进记录中最后一次阶段调整「{moved}」（{day}，跟进记录第 {row} 行）不一致。请核对后更正其中一处。",
        ("The stage '{stage}' differs from the follow-up log's last stage change '{moved}' ({day}, "
        "log row {row}). Please correct one of them."),
    ),
    "problem.last_follow_up_disagrees_with_log": (
        "最近跟进时间 {last} 与跟进记录中最近一次跟进 {logged}（跟进记录第 {row} 行）不一致。请核对后更正其中一处。",
        ("The last follow-up {last} differs from the follow-up log's latest entry {logged} (log row "
        "{row}). Please correct one of them."),
    ),
    "problem.row_outside_table": (
        "这一行在{table}的各列中都没有内容，只在表外的 {cell} 有值，已跳过。若它是一条线索，请把内容填到对应的列。",
        ("This row has nothing in the columns of {table}, only in {cell} outside them; it is skipped. "
        "If it is a lead, move its content into the columns."),
    ),
    "table.leads": ("线索表", "the leads table"),
    "table.log": ("跟进记录", "the follow-up log"),
    "problem.total_row": (
        "这是合计行，不是线索，已跳过（合计由工具重新计算）。",
        "This is a total line, not a lead: it is skipped (the tool computes the totals).",
    ),
    "problem.stray_cell_ignored": (
        "单元格 {ref} 远在表格之外（超出规则 [limits] 的 {rows} 行 × {columns} 列），已忽略。若它不是误输入，请把内容移到表格里。",
        ("Cell {ref} lies far outside the table (beyond the rules' [limits] of {rows} rows × "
        "{columns} columns); it is ignored. If it is not a slip, move its content into the table."),
    ),
    "problem.error_value": (
        "单元格 {cell} 显示错误值 {value}（例如公式除以零），按空白处理。请修正公式或直接填写数值。",
        "Cell {cell} shows the error value {value} (e.g. a formula dividing by zero): it reads as blank. "
        "Fix the formula or type the value.",
    ),
    "problem.formula_without_value": (
        "这个单元格是公式，但文件里没有保存它的计算结果（常见于由程序生成、没在 Excel/WPS 中打开保存过的文件），按空白处理。请在 Excel/WPS 中打开并保存一次后再试。",
        ("This cell holds a formula whose result the file does not store (common in files made by a "
        "program and never saved in Excel/WPS): it reads as blank. Open and save the file once in "
        "Excel/WPS, then try again."),
    ),
    # -- a file that cannot be read with the rules -----------------------------------------------
    "input.missing_columns": (
        "{file}: 工作表「{sheet}」缺少列{missing}。找到的表头: {found}。请检查表头或用 --rules 指定列名。",
        ("{file}: sheet '{sheet}' lacks the column {missing}. Headers found: {found}. Check the "
        "headers, or name the columns in a rules file given with --rules."),
    ),
    "input.missing_column": ("「{header}」{hint}", "'{header}'{hint}"),
    "input.closest": ("（最接近的是「{close}」）", " (closest: '{close}')"),
    "input.none": ("（无）", "(none)"),
    "input.not_set": ("（未设置）", "(not set)"),
    "input.quoted": ("「{name}」", "'{name}'"),
    "input.all_sheets_empty": (
        "{file}: 工作簿里的工作表都是空的（{listed}），没有可读取的线索。请确认发来的是填好的跟踪表。",
        ("{file}: every sheet of the workbook is empty ({listed}): no lead to read. Please check that "
        "this is the filled-in tracking sheet."),
    ),
    "input.no_leads_sheet": (
        "{file}: 找不到线索工作表：没有名为 {expected} 的工作表，也没有哪个工作表的表头包含「{lead_id}」「{stage}」等列。",
        ("{file}: no leads sheet: no sheet is named {expected}, and no sheet's header holds columns "
        "such as '{lead_id}' and '{stage}'."),
    ),
    "input.table_empty": (
        "{file}: 工作簿里的工作表都是空的，没有可读取的内容。", "{file}: every sheet of the workbook is empty.",
    ),
    "input.csv_empty": (
        "{file}: 文件是空的，没有可读取的线索。请确认导出的是填好的表格。",
        "{file}: the file is empty: no lead to read. Please check the export.",
    ),
    "input.csv_no_header": (
        "{file}: 找不到线索表的表头：前 {rows} 行中没有哪一行包含「{lead_id}」「{stage}」等列。请检查表头，或用 --rules 指定与表头相符的规则文件（funnel-xl rules init 可以生成一份）。",
        ("{file}: no header of a leads table: none of the first {rows} rows holds columns such as "
        "'{lead_id}' and '{stage}'. Check the header, or give a rules file that matches it with "
        "--rules (funnel-xl rules init drafts one)."),
    ),
    "input.csv_wrong_encoding": (
        "{file}: 第 {line} 行附近的内容不是 {encoding} 编码，无法读取。请检查规则 [input] encoding（或 --encoding），或写 auto 让工具自动识别。",
        ("{file}: the text near line {line} is not in {encoding}. Check the rules' [input] encoding "
        "(or --encoding), or write auto to have it detected."),
    ),
    "input.csv_unknown_encoding": (
        "{file}: 无法识别文件的编码（不是 UTF-8，也不是 GBK/GB18030）。请在 Excel/WPS 中另存为「CSV UTF-8」，或在规则 [input] encoding（或 --encoding）中写明编码。",
        ("{file}: the file's encoding is neither UTF-8 nor GBK/GB18030. Save it as 'CSV UTF-8' in "
        "Excel/WPS, or name the encoding in the rules' [input] encoding (or --encoding)."),
    ),
    "input.csv_too_big": (
        "{file}: 数据超出上限：{rows} 行 × {columns} 列，上限为 {max_rows} 行 × {max_columns} 列（规则文件 [limits] max_rows / max_columns）。请把数据拆成几个文件。",
        ("{file}: more data than the limits: {rows} rows × {columns} columns, the limit is "
        "{max_rows} rows × {max_columns} columns (rules [limits] max_rows / max_columns). Please "
        "split the data into several files."),
    ),
    "input.csv_too_many_cells": (
        "{file}: 数据有 {rows} 行 × {columns} 列，超过 {max_cells} 个单元格的上限（规则文件 [limits] max_cells）。请把数据拆成几个文件。",
        ("{file}: {rows} rows × {columns} columns is more than the limit of {max_cells} cells (rules "
        "[limits] max_cells). Please split the data into several files."),
    ),
    "input.csv_open_quote": (
        "{file}: 第 {line} 行的引号 \" 没有配对，它之后的所有行都会被读成同一个单元格。"
        "请删除这个引号或补上另一半后再试（文件未读取，以免漏掉线索）。",
        "{file}: the quote \" on line {line} is never closed, so every line after it would read as one "
        "cell. Remove the quote or close it, then try again (the file was not read, so no lead is lost).",
    ),
    "input.csv_bad": (
        "{file}: 第 {row} 行不是有效的 CSV（{error}），请检查引号是否成对。",
        "{file}: row {row} is not valid CSV ({error}); check that the quotes are paired.",
    ),
    "problem.stage_entered_not_updated.changed": (
        "所属阶段已从「{previous}」（{month} 的重建）变为「{stage}」，但阶段进入日期仍是当时的 {day}，本次改用估算日期。请更新阶段进入日期。",
        ("The stage changed from '{previous}' (the {month} rebuild) to '{stage}', but the "
        "stage-entered date is still that rebuild's {day}: an estimate is used this time. Please "
        "update the stage-entered date."),
    ),
    "problem.stage_entered_not_updated.kept": (
        "阶段进入日期 {day} 在阶段变为「{stage}」后一直未更新，本次沿用历史记录中的日期。请更新阶段进入日期。",
        ("The stage-entered date {day} was not updated when the stage became '{stage}': the date "
        "in the history is used this time. Please update the stage-entered date."),
    ),
    "suggestion.low_channel": (
        "渠道「{source}」{what}已连续 {months} 个月低于 {limit}（{first} 至 {last}：{values}）：{advice}",
        ("Channel '{source}': {what} below {limit} for {months} months in a row ({first} to {last}: "
        "{values}): {advice}"),
    ),
    # -- the review sheets: 管道变化, 阶段速度, 流失分析, 线索批次, 金额分段, 跟进活动 --------------
    "waterfall.title": ("管道变化 · {start} 至 {end}", "Pipeline change · {start} to {end}"),
    "waterfall.note": (
        "在跟管道金额（{unit}）{this_in}如何变化：期初 + 新增 − 赢单 − 流失 ± 金额调整 + 转入 − 转出 = 期末。每行的「核对」为 0 即平衡；合计行的期末即总览的管道金额。",
        ("How the open pipeline ({unit}) changed {this_in}: start + new − won − lost ± amount "
        "changes + moved in − moved out = end. 'Check' is 0 on every row when it balances; the "
        "total's end is the overview's pipeline."),
    ),
    "waterfall.opening.store": (
        "期初金额取自{last_in}重建时历史记录中的金额。", "Start amounts as the rebuild of {last_in} recorded them in the history store.",
    ),
    "waterfall.opening.sheet": (
        "没有{last_in}的历史记录：期初金额按表中现在的金额计，金额调整为 0。",
        "No history of {last_in}: start amounts are the amounts in the sheet now, so amount changes are 0.",
    ),
    "waterfall.start": ("期初", "Start"),
    "waterfall.new": ("新增", "New"),
    "waterfall.won": ("赢单", "Won"),
    "waterfall.lost": ("流失", "Lost"),
    "waterfall.changes": ("金额调整", "Amount changes"),
    "waterfall.moved_in": ("转入", "Moved in"),
    "waterfall.moved_out": ("转出", "Moved out"),
    "waterfall.end": ("期末", "End"),
    "waterfall.check": ("核对", "Check"),
    "review.total": ("合计", "Total"),
    "speed.title": ("阶段速度 · 截至 {as_of}", "Stage speed · as of {as_of}"),
    "speed.note": (
        "已离开某阶段的线索在该阶段实际停留的天数（自然日，取自跟进记录与历史记录中前后两次阶段进入），不含仍停留在该阶段的线索。",
        ("Days leads actually spent in each stage they left (calendar days, between two stage "
        "entries of the follow-up log and the history store); leads still in a stage are not counted."),
    ),
    "speed.by_owner": ("按负责人", "By rep"),
    "speed.stays": ("已离开线索数", "Leads that left"),
    "speed.median": ("中位数(天)", "Median (days)"),
    "speed.percentile": ("80分位(天)", "80th percentile (days)"),
    "speed.limit": ("停留上限(天)", "Stage limit (days)"),
    "speed.over": ("超过上限", "Over the limit"),
    "speed.over_share": ("超限占比", "Share over"),
    "speed.none": ("没有已离开阶段的线索（需要跟进记录或历史记录）。", "No lead left a stage yet (needs the follow-up log or the history store)."),
    "lost.title": ("流失分析 · 截至 {as_of}", "Lost deals · as of {as_of}"),
    "lost.summary": ("流失线索 {count} 条，预计成交金额合计 {amount} {unit}。", "{count} lost leads, expected amount {amount} {unit} in all."),
    "lost.by_stage": ("流失原因 × 流失阶段", "Lost reason × stage lost at"),
    "lost.by_owner": ("流失原因 × 负责人", "Lost reason × rep"),
    "lost.by_channel": ("流失原因 × {channel}", "Lost reason × {channel}"),
    "lost.objections": ("客户反馈/异议（跟进记录）", "Customer feedback / objections (follow-up log)"),
    "lost.reason": ("流失原因", "Lost reason"),
    "lost.no_reason": ("未填写原因", "No reason given"),
    "lost.unknown": ("未知", "Unknown"),
    "lost.feedback": ("反馈/异议", "Feedback / objection"),
    "lost.entries": ("出现次数", "Entries"),
    "lost.leads": ("线索数", "Leads"),
    "lost.none": ("没有流失线索。", "No lost lead."),
    "lost.objections_none": ("跟进记录中没有客户反馈/异议。", "The follow-up log holds no customer feedback."),
    "cohorts.title": ("线索批次 · 截至 {as_of}", "Cohorts · as of {as_of}"),
    "cohorts.note": (
        "按首次接触月份分批：每批线索到截至日的结果。{undated}",
        "Leads by month of first contact: what became of each batch by the as-of date. {undated}",
    ),
    "cohorts.undated": ("另有 {count} 条线索没有首次接触时间，未计入。", "{count} leads without a first contact are left out."),
    "cohorts.month": ("首次接触月份", "First contact month"),
    "cohorts.leads": ("线索数", "Leads"),
    "cohorts.won": ("已成交", "Won"),
    "cohorts.won_share": ("成交占比", "Won %"),
    "cohorts.lost": ("已流失", "Lost"),
    "cohorts.lost_share": ("流失占比", "Lost %"),
    "cohorts.open": ("仍在跟", "Open"),
    "cohorts.open_share": ("在跟占比", "Open %"),
    "cohorts.won_amount": ("成交金额({unit})", "Won ({unit})"),
    "cohorts.days_to_win": ("成交用时中位数(天)", "Median days to win"),
    "bands.title": ("金额分段 · 截至 {as_of}", "Deal size · as of {as_of}"),
    "bands.note": (
        "按预计成交金额分段（分段界限见规则文件 [bands]）：赢单率 = 已成交 ÷（已成交 + 已流失）。",
        "Leads by expected amount (the bands are the rules' [bands]): win rate = won ÷ (won + lost).",
    ),
    "bands.band": ("金额区间({unit})", "Amount ({unit})"),
    "bands.below": ("{high} 以下", "under {high}"),
    "bands.between": ("{low} – {high}", "{low} – {high}"),
    "bands.above": ("{low} 及以上", "{low} and more"),
    "bands.missing": ("未填金额", "No amount"),
    "bands.open": ("在跟", "Open"),
    "bands.win_rate": ("赢单率", "Win rate"),
    "bands.win_counts": ("赢单 k/n", "Won k/n"),
    "bands.cycle": ("成交周期中位数(天)", "Median cycle (days)"),
    "bands.pipeline": ("在跟管道({unit})", "Open pipeline ({unit})"),
    "activity.title": ("跟进活动 · 截至 {as_of}", "Follow-ups · as of {as_of}"),
    "activity.note": (
        "跟进记录中每位负责人的跟进次数（近 {months} 个月），每笔成交所用的跟进次数，以及在跟线索距上次跟进的天数（按最近跟进时间）。",
        ("Follow-ups of each rep in the follow-up log (last {months} months), follow-ups per won "
        "deal, and the days since the last contact of open leads (by the last follow-up date)."),
    ),
    "activity.follow_ups": ("跟进次数", "Follow-ups"),
    "activity.won": ("已成交", "Won"),
    "activity.per_won": ("每单跟进次数", "Follow-ups per won deal"),
    "activity.open": ("在跟线索", "Open leads"),
    "activity.median_since": ("距上次跟进中位数(天)", "Median days since contact"),
    "activity.longest_since": ("距上次跟进最长(天)", "Longest days since contact"),
    "activity.stale": ("跟进停滞", "Stale"),
    "activity.by_method": ("按月份与跟进方式", "By month and method"),
    "activity.month": ("月份", "Month"),
    "activity.no_method": ("未填方式", "No method"),
    "activity.none": ("没有跟进记录。", "No follow-up log entries."),
    "suggestion.lost_reasons": (
        "「{stage}」流失率最高：{rate}（{k}/{n}），主要流失原因：{reasons}。收集客户拒绝原因，针对主要原因调整该阶段的做法与话术。",
        ("'{stage}' loses most: {rate} ({k}/{n}); the reasons most given: {reasons}. Collect the "
        "customers' reasons and change how this stage is worked to answer them."),
    ),
    "suggestion.lost_reason": ("{reason} {count} 条", "{reason} {count}"),
    "suggestion.low_channel.win_rate": ("赢单率", "the win rate"),
    "suggestion.low_channel.first_pass_rate": ("{transition}通过率", "the {transition} pass rate"),
    "suggestion.low_channel.win_rate.advice": (
        "评估其获客成本，减少投入或调整使用方式。", "weigh its acquisition cost; spend less on it or use it differently.",
    ),
    "suggestion.low_channel.first_pass_rate.advice": (
        "检查该渠道线索质量与初步筛选话术，评估其获客成本，减少投入或调整使用方式。",
        ("check the quality of its leads and the qualification script, weigh its acquisition cost; "
        "spend less on it or use it differently."),
    ),
    "problem.snooze_without_reason": (
        "填写了暂缓至 {value}，但「{header}」为空。请写明暂缓的原因，例如“客户决策人出差至月底”。",
        ("Snoozed until {value}, but '{header}' is blank. Please say why, e.g. 'the decision maker "
        "travels until the end of the month'."),
    ),
    "problem.snooze_too_long": (
        "暂缓至 {value} 超过统计截止日后 {days} 天（规则上限）。暂缓期过长的线索应归档为无效线索，或缩短暂缓期。",
        ("Snoozed until {value}, more than {days} days after the as-of date (the rules' limit). A "
        "lead snoozed that long should be archived as lost, or snoozed for less."),
    ),
    "problem.snooze_on_closed_lead": (
        "线索已成交或流失，暂缓至没有意义，已忽略。请清空该单元格。",
        "The lead is won or lost: a snooze means nothing here and is ignored. Please clear the cell.",
    ),
    "problem.snooze_reason_without_date": (
        "填写了暂缓原因，但「{header}」为空或不是日期，线索不会被暂缓。请填写暂缓至的日期。",
        ("A snooze reason is given, but '{header}' is blank or no date: the lead is not snoozed. "
        "Please fill in the date it is snoozed until."),
    ),
    "problem.holiday_calendar_missing": (
        "规则设置按工作日计算停留时长，但节假日日历（chinese-calendar）不含 {years} 年的法定节假日和调休：这些年份只跳过周末。请升级 chinese-calendar（pip install -U chinese-calendar）后重新运行。",
        ("The rules count days in stage in working days, but the holiday calendar "
        "(chinese-calendar) lacks the official holidays and adjusted working days of {years}: "
        "only weekends are skipped in those years. Upgrade chinese-calendar (pip install -U "
        "chinese-calendar) and run again."),
    ),
    "problem.leads_after_as_of": (
        "首次接触晚于统计截止日 {as_of} 的线索未计入：{count} 条。",
        "Leads first contacted after the as-of date {as_of} are not counted: {count}.",
    ),
    "problem.state_as_today": (
        "截止日 {as_of} 时的阶段，跟进记录与历史记录库都无从得知，按当前表格状态计入：{count} 条，可能不准确。",
        ("Their stage on the as-of date {as_of} is known neither from the follow-up log nor from "
        "the history store; counted as the sheet stands today: {count} leads, possibly inaccurate."),
    ),
    "problem.place": ("{file}「{sheet}」第 {row} 行", "{file} '{sheet}' row {row}"),
    "problem.unreadable_file": (
        "{text} 该文件未计入本次统计，其余文件照常计算。",
        "{text} The file is left out of this run; the other files are counted as usual.",
    ),
    "hint.did_you_mean": ("是否应为「{choice}」？", "Did you mean '{choice}'?"),
    "hint.choices": ("可选值: {choices}。", "Allowed values: {choices}."),
    # -- the tracking template (funnel_xl.template) --------------------------------------------
    "template.sheet.leads": ("线索跟踪", "Leads"),
    "template.sheet.log": ("跟进记录", "Follow-ups"),
    "template.sheet.stages": ("阶段定义", "Stages"),
    "template.sheet.targets": ("目标", "Targets"),
    "template.sheet.guide": ("填写说明", "How to fill in"),
    "template.sheet.lists": ("列表", "Lists"),
    "template.computed_comment": ("由 funnel-xl 自动计算，请勿手工填写", "Computed by funnel-xl: do not fill in by hand"),
    "template.title": ("销售漏斗线索跟踪表", "Sales funnel lead tracking"),
    "template.made_by": ("由 funnel-xl 生成", "Made by funnel-xl"),
    "template.list.stage": ("所属阶段", "Stage"),
    "template.list.source": ("线索来源", "Source"),
    "template.list.follow_up_method": ("跟进方式", "Follow-up method"),
    "template.list.lost_at": ("流失阶段", "Lost at"),
    "template.default.stage_change": ("阶段调整为", "Stage changed to"),
    "template.default.stage_entered": ("阶段进入日期", "Stage entered"),
    "template.default.lost_reason": ("流失原因", "Lost reason"),
    "template.log.lead_id": (
        "对应线索表中的线索编号（可从下拉列表选择），每次跟进一行。",
        "The lead's ID in the leads sheet (pick it from the list); one row per follow-up.",
    ),
    "template.log.time": ("本次跟进的日期，例如 2024-03-15。", "The date of this follow-up, e.g. 2024-03-15."),
    "template.log.method": ("从下拉列表选择：{methods}。", "Pick from the list: {methods}."),
    "template.log.content": ("本次沟通的要点：客户的反馈、需求变化。", "The points of this contact: the customer's feedback, changed needs."),
    "template.log.feedback": (
        "客户的异议，例如“预算不足”“在对比竞品”。",
        "The customer's objections, e.g. \"no budget\", \"comparing competitors\".",
    ),
    "template.log.next_action": ("下一步要做的事：发送资料、安排演示等。", "What to do next: send material, arrange a demo, …"),
    "template.log.next_contact": ("计划的下次沟通日期。", "The planned date of the next contact."),
    "template.log.stage_change": (
        "阶段有变化时选择新阶段（如 潜在接触 → 需求挖掘 时选「需求挖掘」；客户明确拒绝时选「{lost}」）；"
        "没有变化请留空。工具据此计算阶段进入日期、停留时长和流失阶段。",
        ("When the stage changes, pick the new stage (when the customer clearly declines: '{lost}'); "
         "leave it blank when it does not change. The tool computes the stage-entered date, the dwell "
         "days and the lost-at stage from it."),
    ),
    "template.log.by": ("本次跟进的销售代表。", "The rep who made this follow-up."),
    "template.field.lead_id": (
        "每条线索一个唯一编号，例如 LF2024001；同一线索只占一行，编号不可重复。",
        "One unique ID per lead, e.g. LF2024001; one row per lead, no ID twice.",
    ),
    "template.field.customer": ("公司名称/联系人，用「/」分隔，例如「A公司/*经理」。", "Company/contact, separated by '/', e.g. 'Company A/Mr *'."),
    "template.field.source": ("从下拉列表选择线索来源：{sources}。", "Pick the lead's source from the list: {sources}."),
    "template.field.stage": (
        "从下拉列表选择当前所处阶段；客户明确拒绝时选「{lost}」。阶段标准见「{stages_sheet}」。",
        "Pick the current stage from the list; when the customer clearly declines, pick '{lost}'. The stages' criteria are on '{stages_sheet}'.",
    ),
    "template.field.first_contact": (
        "首次接触客户的日期，按日期填写（如 2024-03-15），不要写「上周三」之类的文字。",
        "The date of the first contact with the customer, as a date (e.g. 2024-03-15), not words like 'last Wednesday'.",
    ),
    "template.field.last_follow_up": (
        "最近一次跟进的日期，每次跟进后更新；不早于首次接触时间，不晚于今天。",
        "The date of the latest follow-up, updated after each one; not before the first contact, not after today.",
    ),
    "template.field.follow_up_method": ("从下拉列表选择本次跟进方式：{methods}。", "Pick this follow-up's method from the list: {methods}."),
    "template.field.follow_up_summary": (
        "本次沟通要点：客户反馈、需求变化、异议（如“预算不足”“在对比竞品”）和下一步动作。",
        "The points of this contact: feedback, changed needs, objections (e.g. \"no budget\", \"comparing competitors\") and the next step.",
    ),
    "template.field.needs": ("客户的核心需求或痛点，例如“需降低20%采购成本”。", "The customer's core need or pain point, e.g. \"cut purchasing costs by 20%\"."),
    "template.field.expected_close": (
        "预计签约日期，按日期填写；「{first_stage}」阶段可暂不填写。",
        "The expected signing date, as a date; it may stay blank in '{first_stage}'.",
    ),
    "template.field.amount": (
        "预计成交金额，单位{unit}（50 表示 50 {unit}），只填数字，不能为负数；「{first_stage}」阶段可暂不填写。",
        "The expected amount in {unit} (50 means 50 {unit}), a number only, not negative; it may stay blank in '{first_stage}'.",
    ),
    "template.field.owner": ("负责该线索的销售代表。", "The rep responsible for the lead."),
    "template.field.stage_entered": (
        "进入当前阶段的日期，每次调整阶段时更新；工具据此计算停留时长。",
        "The date the lead entered its current stage, updated at every stage change; the tool computes the dwell days from it.",
    ),
    "template.field.lost_at": ("仅无效线索填写：流失时所处的阶段，从下拉列表选择。", "Lost leads only: the stage the lead was in when lost, picked from the list."),
    "template.field.lost_reason": ("仅无效线索填写：流失原因，如“预算不足”“选择了竞品”。", "Lost leads only: why, e.g. \"no budget\", \"chose a competitor\"."),
    "template.field.next_follow_up": ("计划的下次跟进日期，按日期填写。", "The planned date of the next follow-up, as a date."),
    "template.field.industry": ("客户所属行业。", "The customer's industry."),
    "template.field.contact_info": ("联系人电话或邮箱，可打码，例如 138****1234。", "The contact's phone or e-mail, which may be masked, e.g. 138****1234."),
    "template.field.snooze_until": (
        "线索因已知原因暂停推进（如客户决策人出差）时填写恢复推进的日期：此日期之前不标记为停留超时或"
        "久未跟进，「预警」中单独列出。最多填写统计截止日后 {max_snooze} 天。",
        ("When a lead pauses for a known reason (the decision maker travelling), the date it resumes: "
         "until then it is not flagged as stalled or not followed up, and the alerts list it apart. At "
         "most {max_snooze} days after the as-of date."),
    ),
    "template.field.snooze_reason": (
        "填写「暂缓至」时必填：暂缓的原因，例如“客户决策人出差至月底”。",
        "Required with a snooze date: why, e.g. \"the decision maker is away until the month's end\".",
    ),
    "template.kind.date": ("按日期填写（如 2024-03-15）。", "A date (e.g. 2024-03-15)."),
    "template.kind.number": ("只填数字。", "A number only."),
    "template.kind.stage": ("从下拉列表选择阶段。", "Pick a stage from the list."),
    "template.kind.text": ("按实际情况填写。", "As it is."),
    "template.pick": ("请从下拉列表中选择。", "Please pick from the list."),
    "template.not_in_list": ("{header}不在列表中", "{header}: not in the list"),
    "template.not_in_rules_list": ("该值不在规则列表中，确定要使用吗？", "This value is not in the rules' list. Use it anyway?"),
    "template.date.input": ("请输入日期，例如 2024-03-15。", "Please enter a date, e.g. 2024-03-15."),
    "template.date.error_title": ("日期无效", "Invalid date"),
    "template.date.error": (
        "「{header}」需要填写 2000-01-01 至 2100-12-31 之间的日期，例如 2024-03-15。",
        "'{header}' takes a date between 2000-01-01 and 2100-12-31, e.g. 2024-03-15.",
    ),
    "template.amount.input": ("单位{unit}，只填数字，例如 50。", "In {unit}, a number only, e.g. 50."),
    "template.amount.error_title": ("金额无效", "Invalid amount"),
    "template.amount.error": ("「{header}」需要填写不小于 0 的数字（单位{unit}）。", "'{header}' takes a number of at least 0 (in {unit})."),
    "template.log_id.input": ("从线索表的线索编号中选择。", "Pick one of the leads sheet's IDs."),
    "template.log_id.error_title": ("线索表中没有这个编号", "Not an ID of the leads sheet"),
    "template.log_id.error": (
        "线索表中没有这个线索编号，确定要使用吗？请先在线索表中录入该线索。",
        "The leads sheet has no lead with this ID. Use it anyway? Please enter the lead in the leads sheet first.",
    ),
    "template.log_stage.input": ("阶段有变化时选择新阶段；没有变化请留空。", "Pick the new stage when it changes; leave it blank otherwise."),
    "template.log_stage.error": ("请从下拉列表中选择阶段，或留空表示阶段没有变化。", "Please pick a stage from the list, or leave it blank for no change."),
    "template.stages.number": ("序号", "No."),
    "template.stages.stage": ("阶段", "Stage"),
    "template.stages.entry": ("进入标准", "Entry criterion"),
    "template.stages.exit": ("退出标准", "Exit criterion"),
    "template.stages.max_dwell": ("最长停留天数", "Max dwell days"),
    "template.stages.win_probability": ("赢单概率", "Win probability"),
    "template.stages.lost_entry": ("客户明确拒绝或线索无效，线索流失并归档", "The customer clearly declines or the lead is invalid: lost and archived"),
    "template.stages.lost_exit": ("不再推进；在「{lost_at}」中填写流失时所处的阶段", "Not pursued further; the stage it was lost at goes in '{lost_at}'"),
    "template.guide.title": ("线索跟踪表填写说明", "How to fill in the lead tracking sheet"),
    "template.guide.columns": ("各列填写方法", "How to fill in each column"),
    "template.guide.log_columns": ("「{log}」各列填写方法", "How to fill in each column of '{log}'"),
    "template.guide.column": ("列名", "Column"),
    "template.guide.need": ("是否必填", "Required"),
    "template.guide.how": ("填写方法", "How to fill in"),
    "template.guide.computed": ("自动计算", "Computed"),
    "template.guide.computed_text": ("{comment}（运行 funnel-xl rebuild 时计算）。", "{comment} (when funnel-xl rebuild runs)."),
    "template.guide.required": ("必填", "Required"),
    "template.guide.optional": ("选填", "Optional"),
    "template.guide.when_changed": ("有变化时填", "When it changes"),
    "template.rule.one_row": (
        "每条线索占一行，线索编号唯一；获取新线索后尽快录入（目标 2 小时内）并放入对应阶段。",
        "One row per lead, each with its own ID; enter a new lead soon (within 2 hours) in its stage.",
    ),
    "template.rule.lists": ("{listed}请从下拉列表中选择，不要手工输入其他写法。", "Pick {listed} from the lists; do not type other spellings."),
    "template.rule.dates": (
        "日期列请按日期填写，例如 2024-03-15；不要写「上周三」「月底」之类的文字。",
        "Write dates as dates, e.g. 2024-03-15, not words like 'last Wednesday' or 'end of month'.",
    ),
    "template.rule.amount": ("金额单位为{unit}，只填数字：50 表示 50 {unit}。", "Amounts are in {unit}, numbers only: 50 means 50 {unit}."),
    "template.rule.computed": (
        "灰色列{computed}由 funnel-xl 自动计算（运行 funnel-xl rebuild，结果见分析工作簿的"
        "「线索明细」），请勿手工填写；请填写「{stage_entered}」，工具据此计算停留时长。",
        ("The grey columns {computed} are computed by funnel-xl (run funnel-xl rebuild; the analysis "
         "workbook lists each lead): do not fill them in; fill in '{stage_entered}', from which the "
         "tool computes the dwell days."),
    ),
    "template.rule.log": (
        "每次跟进后在「{log_name}」中加一行（时间、方式、内容、下一步）；阶段变化时在其中的「{change}」"
        "选择新阶段，同时修改本表的「{stage}」与「{stage_entered}」，并更新最近跟进时间。",
        ("After each follow-up add a row to '{log_name}' (date, method, content, next step); when the "
         "stage changes, pick the new one in its '{change}', change '{stage}' and '{stage_entered}' "
         "here too, and update the latest follow-up date."),
    ),
    "template.rule.no_log": (
        "每次跟进后更新跟进时间、方式、内容；阶段变化时修改「{stage}」并更新「{stage_entered}」。",
        "After each follow-up update its date, method and content; when the stage changes, change '{stage}' and update '{stage_entered}'.",
    ),
    "template.rule.lost": (
        "客户明确拒绝时：「{stage}」改为「{lost}」，在「{lost_at}」中填写流失时所处的阶段，"
        "在「{lost_reason}」中写明原因。",
        ("When the customer clearly declines: set '{stage}' to '{lost}', enter the stage it was lost "
         "at in '{lost_at}' and the reason in '{lost_reason}'."),
    ),
    "template.rule.targets": (
        "月度目标写在「{targets_sheet}」：每位负责人每月一行（月份如 2024-05、成交目标({unit})、新增线索目标）；"
        "分析报告的总览与个人工作簿据此显示达成率。",
        "Monthly targets go on '{targets_sheet}': one row per owner and month (month as 2024-05, won "
        "target ({unit}), new-leads target); the report's overview and the reps' workbooks show attainment.",
    ),
    "template.rule.stages": (
        "各阶段的进入/退出标准和最长停留天数见「{stages_sheet}」；停留超过天数的线索会被标记为停留超时。",
        "Each stage's entry and exit criteria and maximum dwell days are on '{stages_sheet}'; a lead staying longer is flagged as stalled.",
    ),
    # -- rules init / rules check (funnel_xl.draft, draft_fit and their commands) ------------------
    "draft.no_such_sheet": (
        "{file} 中没有名为「{sheet}」的工作表；有: {listed}。",
        "{file} has no sheet named '{sheet}'; it has: {listed}.",
    ),
    "rules.init.exists": (
        "{path} 已存在，未覆盖。换一个文件名，或加 --force 覆盖它。",
        "{path} exists and was not overwritten. Choose another name, or add --force to overwrite it.",
    ),
    "rules.init.written": ("规则草稿已写入: {path}", "Drafted rules written to {path}"),
    "rules.init.checks": (
        "草稿中有 {count} 行以 CHECK 结尾，是表格无法确定的猜测，请看一下。",
        "Lines of the draft ending in CHECK, guesses the sheet could not settle: {count}. Please look at them.",
    ),
    "rules.init.next": (
        "下一步: 运行 funnel-xl rules check {path} {workbook}",
        "Next: run funnel-xl rules check {path} {workbook}",
    ),
    "rules.check.mistakes": ("规则文件 {file} 有 {count} 处需要改正：", "The rules file {file} has mistakes to correct ({count}):"),
    "rules.check.ok": ("规则文件 {file} 没有错误。", "The rules file {file} has no mistakes."),
    "rules.check.stages": (
        "  阶段: {stages}（最后一个为成交）；流失标签: {lost}",
        "  Stages: {stages} (the last one is won); lost labels: {lost}",
    ),
    "rules.check.dimensions": (
        "  渠道维度: {channel}；其他对比维度: {extra}；金额单位: {unit}",
        "  Channel: {channel}; other dimensions: {extra}; amount unit: {unit}",
    ),
    "rules.check.none": ("无", "none"),
    "fit.sheet": ("工作表「{sheet}」，表头在第 {row} 行，{rows} 行线索", "Sheet '{sheet}', header in row {row}, {rows} leads"),
    "fit.skipped": ("（另有 {count} 行没有阶段，按规则跳过）", " ({count} more rows have no stage and are left out, as the rules say)"),
    "fit.found": ("  {field:<18} ← {letter} 列「{header}」", "  {field:<18} ← column {letter} '{header}'"),
    "fit.missing": ("  表中没有的可选列: {listed}", "  Optional columns not in the sheet: {listed}"),
    "fit.unused": ("  未使用的列: {listed}", "  Columns not used: {listed}"),
    "fit.unknown_stage": ("「{value}」({count} 行)", "'{value}' ({count} rows)"),
    "fit.unknown_stages": (
        "  规则不认识的阶段值: {listed}。请在 [stage_values] 中把它们对应到阶段或流失标签，或加入 [[stages]] / lost_labels。",
        ("  Stage values the rules do not know: {listed}. Map them to a stage or a lost label in "
         "[stage_values], or add them to [[stages]] / lost_labels."),
    ),
    "fit.problems": ("  数据问题（用 funnel-xl validate 查看每一条）: {listed}", "  Data problems (funnel-xl validate lists each one): {listed}"),
    "fit.no_problems": ("  没有数据问题。", "  No data problems."),
    "fit.warnings": ("  以下数字会是空的或没有意义：", "  Figures that will be empty or meaningless:"),
    "fit.warn.no_leads": ("没有可计入的线索：所有数字都会是空的。", "No lead can be counted: every figure will be empty."),
    "fit.warn.no_amount": (
        "没有金额：管道金额、加权管道和成交金额都会是 0。",
        "No amount: the pipeline, the weighted pipeline and the won amount will be 0.",
    ),
    "fit.warn.no_open_amount": ("进行中的线索都没有金额：管道金额会是 0。", "No open deal has an amount: the pipeline will be 0."),
    "fit.warn.no_stage_dates": (
        "没有阶段进入日期：停留时长只在第一个阶段（从首次接触算）或从下次重建起（历史记录）才知道，成交周期无法计算。",
        ("No stage-entered dates: dwell days are known only in the first stage (from the first "
         "contact) or from the next rebuild on (the history); no sales cycle."),
    ),
    "fit.warn.no_cycle": (
        "成交的线索都没有阶段进入日期：成交周期无法计算。",
        "No won deal has a stage-entered date: the sales cycle cannot be measured.",
    ),
    "fit.warn.no_first_contact": (
        "没有任何首次接触时间：成交周期和每月新增线索无法计算。",
        "No first-contact date at all: no sales cycle and no new leads per month.",
    ),
    "fit.warn.no_lost_at": (
        "{lost} 条流失线索都没有流失阶段：这些流失计入赢单率，但无法归到任何阶段。",
        ("None of the {lost} lost deals says at which stage it was lost: they count in the win rate "
         "but in no stage's losses."),
    ),
    "fit.warn.nothing_closed": ("没有已成交或已流失的线索：赢单率无法计算。", "No deal is won or lost: there is no win rate."),
    "fit.warn.empty_stages": (
        "阶段 {stages} 没有任何线索，而更后面的阶段有：阶段的顺序或名称可能不对。",
        "No deal is in {stages} while later stages have some: the stage order or names may be wrong.",
    ),
    "fit.warn.order": (
        "线索没有按这个顺序走（从首次接触到进入阶段的天数中位数）: {pairs}。请检查 [[stages]] 的顺序。",
        ("The deals do not follow this stage order (median days from first contact to entering the "
         "stage): {pairs}. Check the order of [[stages]]."),
    ),
    # -- the template's targets sheet (funnel_xl.template) --------------------------------------
    "template.targets.month": ("月份", "Month"),
    "template.targets.owner": ("负责人", "Owner"),
    "template.targets.won": ("成交目标({unit})", "Won target ({unit})"),
    "template.targets.new_leads": ("新增线索目标", "New leads target"),
    "template.targets.month_prompt": ("填写年月，如 2024-05", "The year and month, e.g. 2024-05"),
    "template.targets.month_error_title": ("月份格式", "Month format"),
    "template.targets.month_error": ("请按 2024-05 这样的格式填写年月。", "Write the year and month as 2024-05."),
    "template.targets.error_title": ("目标", "Target"),
    "template.targets.error": ("目标应为不小于 0 的数字。", "A target is a number of at least 0."),
    "template.rows.leads": ("线索", "leads"),
    "template.rows.log": ("跟进记录", "follow-up entries"),
    "template.too_many_rows": (
        "{file}: {what}有 {count} 行，一个工作表最多放 {limit} 行（Excel 的上限），无法写入。请减少行数，或分成几个工作簿。",
        ("{file}: {count} rows of {what}, but a sheet holds at most {limit} rows (Excel's limit): nothing "
         "written. Use fewer rows, or several workbooks."),
    ),
    # -- 需要关注 and the rebuild summary when losses are placed at no stage (funnel_xl.attention) --
    "attention.unplaced_losses": (
        "{count} 条流失未标明流失阶段，通过率偏高，看不出哪一步最薄弱：请为流失的线索填写流失阶段。",
        ("{count} lost deals do not say at which stage they were lost, so the pass rates read high and "
         "the weakest step cannot be told: record the stage each lost deal was lost at."),
    ),
    "cli.summary.worst_unplaced": (
        "最薄弱环节: 无法判断（{count} 条流失未标明流失阶段，通过率偏高）",
        "Weakest transition: cannot be told ({count} lost deals do not say at which stage, so the pass rates read high)",
    ),
    # -- the rules file's own mistakes (funnel_xl.rules: load_rules, rules check) -----------------
    "rules.file": ("规则文件", "rules file"),
    "rules.err.in": ("{what} {path} 中", "In the {what} {path}, "),
    "rules.err.at": ("{where}「{name}」{message}", "{where}'{name}' {message}"),
    "rules.err.not_found": ("规则文件不存在: {path}", "The rules file {path} does not exist."),
    "rules.err.not_unicode": ("{what} {path} 不是 UTF-8 文本。", "The {what} {path} is not UTF-8 text."),
    "rules.err.not_toml": ("{what} {path} 不是有效的 TOML: {error}", "The {what} {path} is not valid TOML: {error}"),
    "rules.err.unknown_key": ("是未知的键{hint}；允许的键: {allowed}。", "is an unknown key{hint}; the keys allowed: {allowed}."),
    "rules.err.did_you_mean": ("（是否应为「{name}」？）", " (did you mean '{name}'?)"),
    "rules.err.not_table": ("应为一个表 (table)。", "should be a table."),
    "rules.err.missing": ("缺失，必须填写。", "is missing; it is required."),
    "rules.err.wrong_type": ("应为{what}，实际是 {value!r}。", "should be {what}, not {value!r}."),
    "rules.err.empty": ("不能为空。", "must not be empty."),
    "rules.err.none": ("至少需要一项。", "needs at least one item."),
    "rules.err.repeated": ("中「{item}」重复出现。", "lists '{item}' twice."),
    "rules.err.between": ("应为 {low} 到 {high} 之间的数字，实际是 {value}。", "should be a number from {low} to {high}, not {value}."),
    "rules.err.at_least": ("应为 不小于 {low} 之间的数字，实际是 {value}。", "should be a number of at least {low}, not {value}."),
    "rules.err.integer": ("应为不小于 {low} 的整数，实际是 {value}。", "should be a whole number of at least {low}, not {value}."),
    "rules.err.one_of": ("应为 {allowed} 之一，实际是「{value}」。", "should be one of {allowed}, not '{value}'."),
    "rules.err.version": (
        "应为 1（本版本支持的规则格式），实际是 {value!r}。",
        "should be 1 (the rules format this version reads), not {value!r}.",
    ),
    "rules.err.encoding": ("{wrong}，或写 auto 自动识别。", "is wrong: {wrong}; or write auto to detect it."),
    "rules.err.encoding.unknown": (
        "「{name}」不是已知的编码；常用的有 utf-8、gb18030、gbk、utf-16",
        "'{name}' is no known encoding; common ones are utf-8, gb18030, gbk, utf-16",
    ),
    "rules.err.encoding.not_text": (
        "「{name}」不是文本文件的字符编码（它是数据转换格式）；常用的有 utf-8、gb18030、gbk、utf-16",
        "'{name}' is no character set of a text file (it is a data conversion); common ones are utf-8, gb18030, gbk, utf-16",
    ),
    "rules.err.delimiter": (
        "应为一个字符（如 \",\" \";\" 或 \"\\t\"）或 auto，实际是「{delimiter}」。",
        "should be one character (such as \",\" \";\" or \"\\t\") or auto, not '{delimiter}'.",
    ),
    "rules.err.date_format": (
        "「{fmt}」不是完整的日期格式：需要用 %d（日）、%m（月）和 %Y 或 %y（年），"
        "例如 \"%m/%d/%Y\" 表示 3/15/2024，\"%d-%m-%y\" 表示 15-03-24。",
        ("holds '{fmt}', no complete date format: it needs %d (day), %m (month) and %Y or %y (year), "
         "e.g. \"%m/%d/%Y\" for 3/15/2024, \"%d-%m-%y\" for 15-03-24."),
    ),
    "rules.err.lost_is_stage": ("中「{label}」与阶段同名。", "names '{label}', which is a stage's name too."),
    "rules.err.pattern": ("不是有效的正则表达式: {error}。", "is not a valid regular expression: {error}."),
    "rules.err.points": ("各项分值之和应为 100，实际是 {total}。", "should add up to 100, not {total}."),
    "rules.err.not_dimension": ("「{name}」不能用作对比维度（{why}）。", "names '{name}', which cannot be a dimension ({why})."),
    "rules.err.not_dimension.owner": ("负责人已有自己的对比表", "the owner has a sheet of its own"),
    "rules.err.not_dimension.other": (
        "它标识线索、是漏斗本身或由工具计算", "it names a lead, is the funnel itself or is computed by the tool",
    ),
    "rules.err.no_such_field": (
        "「{name}」不是 [columns] 中定义的字段；可用: {fields}。", "names '{name}', which is no field of [columns]; there are: {fields}.",
    ),
    "rules.err.dimension_kind": (
        "「{name}」的 kind 是 {kind}，对比维度应为 text 列。", "names '{name}', of kind {kind}; a dimension must be a text column.",
    ),
    "rules.err.no_channel": (
        "缺失：这一列是计算漏斗所必需的（渠道对比）；若表格没有线索来源列，"
        "请在 [dimensions] 中用 channel 指定另一列（如产品、地区）。",
        ("is missing: the funnel needs it (the channel comparison); if the sheet has no lead source "
         "column, name another column (a product, a region) as channel in [dimensions]."),
    ),
    "rules.err.dimension_twice": (
        "「{name}」重复：每个维度只需列出一次（渠道维度已单独对比）。",
        "names '{name}' again: each dimension once (the channel is compared on its own).",
    ),
    "rules.err.sheet_chars": (
        "「{name}」含有 Excel 工作表名不允许的字符 {chars}。", "names '{name}', which holds characters Excel refuses in a sheet name: {chars}.",
    ),
    "rules.err.sheet_long": (
        "「{name}」超过 Excel 工作表名 31 个字符的上限。", "names '{name}', longer than the 31 characters Excel allows a sheet name.",
    ),
    "rules.err.sheet_name": (
        "「{name}」不能用作 Excel 工作表名（不能以撇号开头或结尾，不能叫 History）。",
        "names '{name}', which cannot be an Excel sheet name (no apostrophe at either end, not History).",
    ),
    "rules.err.log_is_leads": (
        "中「{name}」也出现在 sheets.leads 中，无法区分线索表与跟进记录。",
        "names '{name}', which sheets.leads names too: the leads and the follow-up log cannot be told apart.",
    ),
    "rules.err.kind": ("应为「{wanted}」，实际是「{kind}」。", "should be '{wanted}', not '{kind}'."),
    "rules.err.bands_empty": ("应为非空的数字列表，例如 [10, 50, 100]。", "should be a list of numbers, e.g. [10, 50, 100]."),
    "rules.err.bands_order": (
        "应为从小到大、大于 0 的金额，实际是 {amounts}。", "should be amounts above 0, smallest first, not {amounts}.",
    ),
    "rules.err.two_stages": ("至少需要两个阶段（最后一个为成交）。", "needs at least two stages (the last one is won)."),
    "rules.err.stage_twice": ("中阶段名「{name}」重复。", "names the stage '{name}' twice."),
    "rules.err.may_be_blank": ("只用于 first_contact（首次接触可以不填）。", "is for first_contact only (a first contact may be blank)."),
    "rules.err.ambiguous_header": (
        "中「{name}」同时用于列 {other}，匹配会有歧义。", "names '{name}', which column {other} uses too: matching would be ambiguous.",
    ),
    "rules.err.core": ("缺失：这一列是{purpose}所必需的。", "is missing: {purpose} needs this column."),
    "rules.purpose.funnel": ("计算漏斗", "the funnel"),
    "rules.purpose.history": ("计算阶段历史", "the stage history"),
    "rules.err.fallback_field": (
        "「{name}」应为 [{table}] 中另一个字段；可用: {fields}。", "names '{name}', which should be another field of [{table}]; there are: {fields}.",
    ),
    "rules.err.fallback_kind": (
        "「{name}」的 kind 是 {kind}，应与本列相同（{own}）。", "names '{name}', of kind {kind}; it should be of this column's ({own}).",
    ),
    "rules.err.values_not_lost_at": (
        "只用于 kind = \"lost_at\" 的列（说明流失阶段列里写的是什么）。",
        "is for a column of kind = \"lost_at\" only (it says what the lost-at column holds).",
    ),
    "rules.err.lost_at_values": (
        "应为 \"name\"（阶段名）、\"sequence\"（阶段序号，1 = 第一个阶段）"
        "或一个表（\"表格里的值\" = \"阶段名\"），实际是「{value}」。",
        ("should be \"name\" (the stage's name), \"sequence\" (its number, 1 = the first stage) or a "
         "table (\"value in the sheet\" = \"stage\"), not '{value}'."),
    ),
    "rules.err.open_stage": (
        "应为已成交之前的阶段（{stages}）之一，实际是「{value}」。", "should be one of the stages before won ({stages}), not '{value}'.",
    ),
    "rules.err.needs_stage": ("缺失：指标 {metric} 需要指定阶段。", "is missing: the metric {metric} needs a stage."),
    "rules.err.no_stage": ("对指标 {metric} 没有意义，请删除。", "means nothing for the metric {metric}: delete it."),
    "rules.err.below_or_above": ("必须且只能填写 below 或 above 之一。", "needs below or above, and only one of them."),
    "rules.err.stage_value": (
        "应为阶段名或流失标签（{targets}）之一，实际是「{value}」。{hint}",
        "should be a stage or a lost label ({targets}), not '{value}'.{hint}",
    ),
    "rules.err.stage_value.hint": ("是否应为「{name}」？", " Did you mean '{name}'?"),
    "rules.err.blank_value": ("表格里的值不能为空。", "is blank: a value as the sheet writes it cannot be."),
    "rules.err.value_is_stage": (
        "与阶段或流失标签「{own}」同名，却对应「{value}」，会有歧义。",
        "is the name of the stage or lost label '{own}' but stands for '{value}': that is ambiguous.",
    ),
    "rules.err.value_twice": (
        "与前面的值写法相同（忽略空格和大小写），却对应不同的阶段。",
        "is written as an earlier value (spaces and case aside) but stands for another stage.",
    ),
    "rules.err.needs_status": ("需要 [columns.status]（状态列）。", "needs [columns.status] (the status column)."),
    "rules.err.status_value": (
        "应为成交阶段或流失标签（{targets}）之一，实际是「{value}」。", "should be the won stage or a lost label ({targets}), not '{value}'.",
    ),
    "rules.type.text": ("文本", "text"),
    "rules.type.texts": ("文本列表", "a list of texts"),
    "rules.type.integer": ("整数", "a whole number"),
    "rules.type.number": ("数字", "a number"),
    "rules.type.flag": ("true/false", "true or false"),
    "rules.type.stages": ("阶段列表 ([[stages]])", "a list of stages ([[stages]])"),
    "rules.type.columns": ("列定义表 ([{table}.字段])", "a table of columns ([{table}.field])"),
    "rules.type.fields": ("字段名列表", "a list of field names"),
    "rules.type.lost_at_values": ("\"name\"、\"sequence\" 或一个表", "\"name\", \"sequence\" or a table"),
    "rules.type.stage_values": (
        "表（\"表格里的值\" = \"阶段名或流失标签\"）", "a table (\"value in the sheet\" = \"stage or lost label\")",
    ),
    "rules.type.status_values": (
        "表（\"状态列里的值\" = \"成交阶段或流失标签\"）", "a table (\"value in the status column\" = \"won stage or lost label\")",
    ),
    "rules.type.suggestions": ("建议列表 ([[suggestions]])", "a list of suggestions ([[suggestions]])"),
    "rules.type.targets": (
        "表 ([{table}]，{whose} = 月度成交目标万元 或 {{ won = 万元, new_leads = 条数 }})",
        "a table ([{table}], {whose} = monthly won target or {{ won = target, new_leads = count }})",
    ),
    "rules.whose.owner": ("负责人", "owner"),
    "rules.whose.channel": ("渠道", "channel"),
    # -- command summaries (validate, rebuild) ------------------------------------------------------
    "cli.error": ("错误: {message}", "Error: {message}"),
    "cli.validate.total": ("共 {files}{rows} 行：错误 {errors} 个，警告 {warnings} 个。", "{files}{rows} rows: {errors} errors, {warnings} warnings."),
    "cli.validate.files": ("{count} 个工作簿，", "{count} workbooks, "),
    "cli.skipped": (
        "另有 {count} 行没有填写阶段，按规则 sheets.skip_rows_without_stage 不计入漏斗（不是错误）。",
        ("{count} more rows have no stage: left out of the funnel by the rules' "
        "sheets.skip_rows_without_stage (not an error)."),
    ),
    "cli.read": ("读取工作簿 {count} 个", "{count} workbooks read"),
    "cli.unreadable": ("，无法读取 {count} 个（见「数据问题」）: {files}", ", {count} could not be read (see 'Data problems'): {files}"),
    "cli.summary.leads": (
        "截止 {as_of}：线索 {total} 条（有效 {valid}，因数据错误排除 {excluded}）",
        "As of {as_of}: {total} leads ({valid} valid, {excluded} excluded for data errors)",
    ),
    "cli.summary.win_rate": ("赢单率 {rate}（成交 {won} / 已结束 {closed}）", "Win rate {rate} ({won} won / {closed} closed)"),
    "cli.summary.worst": ("最薄弱环节: {label} 通过率 {rate}", "Weakest transition: {label}, pass rate {rate}"),
    "cli.summary.worst_unknown": (
        "最薄弱环节: 没有环节的线索足以判断（通过率最低的环节已离开线索少于 {min_sample} 条）",
        "Weakest transition: no transition has enough leads to judge (the lowest pass rate rests on fewer than {min_sample} leads that left)",
    ),
    "cli.summary.alerts": (
        "停留超时 {stalled}，跟进逾期 {overdue} 条，久未跟进 {stale} 条",
        "Stalled: {stalled}, {overdue} follow-ups overdue, {stale} without recent follow-up",
    ),
    "cli.summary.stalled": ("{count} 条", "{count}"),
    "cli.summary.stalled_unknown": ("未知（{count} 条线索无阶段进入日期）", "unknown ({count} leads without a stage-entered date)"),
    "cli.summary.problems": ("数据问题: 错误 {errors} 个，警告 {warnings} 个", "Data problems: {errors} errors, {warnings} warnings"),
    "cli.summary.month": (
        "{this}（{start} 至 {end}）：新增 {new} 条，成交 {won} 条，流失 {lost} 条，阶段变动 {moves} 次",
        "{this} ({start} to {end}): {new} new, {won} won, {lost} lost, {moves} stage moves",
    ),
    "cli.this.month": ("本月", "This month"),
    "cli.this.week": ("本周", "This week"),
    "cli.this.span": ("本期", "This period"),
    "cli.summary.low_channel": (
        "渠道「{source}」{metric}已连续 {months} 个月低于 {limit}",
        "Channel '{source}': {metric} below {limit} for {months} months in a row",
    ),
    "cli.old_workbook": (
        "注意: 工作簿中最新的日期是 {newest}，比今天早 {days} 天，而统计截止日默认为今天——在跟线索会显得停留超时、"
        "跟进逾期。如要看当时的情况，请加 --as-of {newest}（或 --month）。",
        "Note: the newest date in the workbooks is {newest}, {days} days before today, and the as-of "
        "date defaults to today: open leads will read as stalled and overdue. To see them as they "
        "stood then, add --as-of {newest} (or --month).",
    ),
    "cli.report": ("报告: {path}", "Report: {path}"),
    "cli.report.with_errors": (
        "报告照常写出；有错误的行（{excluded} 条线索）未计入数字，每个问题都列在报告的「{sheet}」表里，改正后重新运行即可。",
        "The report was written all the same; rows with errors ({excluded} leads) are left out of the "
        "figures, and every problem is listed on the report's '{sheet}' sheet: correct them and run again.",
    ),
    "cli.init.done": ("团队文件夹已建好: {folder}", "Team folder ready: {folder}"),
    "cli.init.next": (
        "下一步: 把 rules/recipients.toml 里的邮箱换成团队的，把 跟踪表模板.xlsx 发给每位销售，"
        "收回的表放进 inbox/；每月的命令见 {guide}（在 {folder} 里运行）。",
        "Next: put the team's addresses in rules/recipients.toml, send tracking_template.xlsx to "
        "each rep and put their workbooks in inbox/; the month's commands are in {guide} (run them "
        "in {folder}).",
    ),
    "detail.moved": (
        "本表共 {rows} 行，超过规则 report.detail_rows 的 {limit} 行，为使本报告便于邮件发送，已另存为同一文件夹中的明细工作簿：",
        "This sheet has {rows} rows, more than the rules' report.detail_rows ({limit}); to keep this "
        "report small enough to mail it is in the detail workbook in the same folder:",
    ),
    "detail.hint": (
        "链接按相对路径打开，请把两个文件放在同一文件夹。邮件只附带本报告：收件人如需明细，请向发送人索取。",
        "The link opens the file by its name: keep both files in one folder. Mail carries only this "
        "report: recipients who need the detail ask the sender.",
    ),
    "cli.detail": (
        "明细: {path}（超过 {rows} 行的工作表另存于此，报告中有链接）",
        "Detail: {path} (sheets over {rows} rows are kept here; the report links to them)",
    ),
    "cli.split": ("按{label}拆分: {count} 份工作簿，在 {folder}", "Split by {label}: {count} workbooks in {folder}"),
    "cli.manifest": ("清单: {path}", "Manifest: {path}"),
    "cli.history": ("历史记录: {path}（已记录 {month}{compared}）", "History: {path} ({month} recorded{compared})"),
    "cli.history.compared": ("，与 {month} 的快照对比", ", compared with the {month} snapshot"),
    "cli.history.first": ("，此前没有更早月份的快照", ", no snapshot of an earlier month"),
    "cli.history.first_period": ("，此前没有更早的同类期间快照", ", no snapshot of an earlier period of its kind"),
    "cli.history.late": (
        "；本次为补算（工作簿已有截止日之后的记录），记为补算快照",
        "; this run was reconstructed (the workbook holds entries after the as-of date) and is kept as such",
    ),
    "cli.history.kept": (
        "历史记录: {path}（{month} 已有截止日当时生成的快照，本次补算未覆盖它；趋势与预测准确度仍按当时的快照）",
        "History: {path} ({month} already has a snapshot taken on time; this reconstructed run did not "
        "replace it, and the trend and forecast accuracy keep reading it)",
    ),
    # -- values shown in cells ------------------------------------------------------------------
    "status.active": ("在跟", "open"),
    "status.won": ("成交", "won"),
    "status.lost": ("流失", "lost"),
    "status.excluded": ("已排除(数据错误)", "excluded (data error)"),
    "entered.log": ("跟进记录", "follow-up log"),
    "entered.column": ("表格", "sheet"),
    "entered.store": ("历史记录", "history"),
    "entered.between_runs": ("估算(两次重建之间)", "estimated (between rebuilds)"),
    "entered.first_contact": ("首次接触", "first contact"),
    "entered.estimated": ("估算", "estimated"),
    "entered.unknown": ("未知", "unknown"),
    "move.log": ("跟进记录", "follow-up log"),
    "move.column": ("阶段进入日期(两次重建之间)", "stage entered (between rebuilds)"),
    "move.estimated": ("估算(两次重建之间)", "estimated (between rebuilds)"),
    "basis.current": ("本次", "this run"),
    "basis.store": ("历史记录", "history"),
    "basis.log": ("跟进记录", "follow-up log"),
    "channel_metric.win_rate": ("赢单率", "win rate"),
    "channel_metric.first_pass_rate": ("首环节通过率", "first pass rate"),
    "alert.stalled": ("停留超时", "stalled"),
    "alert.overdue": ("跟进逾期", "follow-up overdue"),
    "alert.stale": ("久未跟进", "no recent follow-up"),
    "alert.close_past": ("预计成交日已过", "close date past"),
    "metric.pass_rate": ("阶段通过率", "stage pass rate"),
    "metric.loss_rate": ("阶段流失率", "stage loss rate"),
    "metric.win_rate": ("赢单率", "win rate"),
    "metric.stalled_share": ("停留超时占比", "share stalled"),
    "metric.source_win_rate": ("渠道赢单率", "channel win rate"),
    "metric.source_first_pass_rate": ("渠道首环节通过率", "channel first pass rate"),
    "metric.source_low_win_rate": ("渠道赢单率连续偏低", "channel win rate low month after month"),
    "metric.source_low_first_pass_rate": (
        "渠道首环节通过率连续偏低", "channel first pass rate low month after month",
    ),
    "direction.lost": ("流失", "lost"),
    "direction.revived": ("恢复跟进", "revived"),
    "direction.forward": ("前进", "forward"),
    "direction.back": ("后退", "back"),
    "flag.text": ("{metric} < {limit}（{months}）", "{metric} < {limit} ({months})"),
    "flag.sep": ("；", "; "),
    # -- 总览 -----------------------------------------------------------------------------------
    "overview.title": ("销售漏斗分析 · 截至 {as_of}", "Sales funnel analysis · as of {as_of}"),
    "overview.subtitle": ("统计期间 {period} · 数据来源 {inputs}", "Period {period} · data from {inputs}"),
    "overview.input": ("{name}「{sheet}」", "{name} '{sheet}'"),
    "fig.total": ("线索总数", "Leads in total"),
    "fig.total.note": ("有效线索 + 因数据错误排除的行", "valid leads + rows excluded for data errors"),
    "fig.valid": ("有效线索", "Valid leads"),
    "fig.valid.note": ("参与计算的线索", "leads in the figures"),
    "fig.active": ("在跟", "Open"),
    "fig.active.note": ("处于成交前各阶段的线索", "leads in the stages before won"),
    "fig.won": ("已成交", "Won"),
    "fig.lost": ("已流失", "Lost"),
    "fig.lost.note": ("标记为无效线索", "marked with a lost label"),
    "fig.excluded": ("排除(数据错误)", "Excluded (data errors)"),
    "fig.excluded.note": ("见「数据问题」与「线索明细」末尾", "see 'Data problems' and the end of 'Lead detail'"),
    "fig.excluded.group_note": ("见「数据问题」", "see 'Data problems'"),
    "fig.win_rate": ("赢单率", "Win rate"),
    "fig.win_rate.note": ("已成交 ÷ (已成交 + 已流失)", "won ÷ (won + lost)"),
    "fig.overall_conversion": ("整体转化率", "Overall conversion"),
    "fig.overall_conversion.note": ("已成交 ÷ 有效线索", "won ÷ valid leads"),
    "fig.cycle_mean": ("平均成交周期(天)", "Avg. deal cycle (days)"),
    "fig.cycle_mean.note": (
        "首次接触 → 进入已成交，{count} 条已成交线索的平均",
        "first contact → won, mean of {count} won leads",
    ),
    "fig.cycle_mean.group_note": ("首次接触 → 进入已成交", "first contact → won"),
    "fig.cycle_median": ("成交周期中位数(天)", "Median deal cycle (days)"),
    "fig.cycle_median.note": (
        "首次接触 → 进入已成交，{count} 条已成交线索的中位数",
        "first contact → won, median of {count} won leads",
    ),
    "fig.pipeline": ("在跟金额({unit})", "Pipeline ({unit})"),
    "fig.pipeline.note": ("在跟线索预计成交金额之和", "sum of the open leads' expected amounts"),
    "fig.weighted_pipeline": ("加权金额({unit})", "Weighted pipeline ({unit})"),
    "fig.weighted_pipeline.note": ("Σ 金额 × 所在阶段赢单概率", "Σ amount × the stage's win probability"),
    "fig.worst_transition": ("最薄弱环节", "Weakest transition"),
    "fig.worst_transition.note": (
        "通过率最低的环节，须已离开不少于 {min_sample} 条线索、通过率低于 100%",
        "the lowest pass rate of all transitions, named only when at least {min_sample} leads left its stage and it is below 100%",
    ),
    "fig.worst_transition.none": ("：没有环节的线索足以判断", ": no transition has enough leads to judge"),
    "fig.worst_transition.group_note": ("通过率最低的相邻阶段", "the adjacent stages with the lowest pass rate"),
    "fig.worst_rate": ("最薄弱环节通过率", "Weakest transition's pass rate"),
    "fig.worst_rate.note": ("下一阶段累计到达 ÷ 本阶段已离开", "reached the next stage ÷ exited this one"),
    "fig.stalled": ("停留超时", "Stalled"),
    "fig.stalled.note": ("在跟且停留天数超过该阶段上限", "open, longer in the stage than its limit"),
    "fig.unknown": ("未知", "unknown"),
    "unknown.dwell": (
        "；{count} 条在跟线索没有阶段进入日期，停留天数未知、是否超时未知：请填写「阶段进入日期」或在「跟进记录」记下阶段调整",
        "; {count} open leads have no stage-entered date, so their dwell and whether they are stalled are unknown: "
        "fill in the stage-entered date or log the stage change in the follow-up log",
    ),
    "unknown.dwell_estimated": (
        "；{count} 条的停留天数是估算（最近跟进时间 − 填写的当前阶段停留时长）",
        "; {count} dwell figures are estimates (last follow-up − the typed dwell)",
    ),
    "unknown.won_undated": (
        "；{count} 条已成交线索没有进入已成交的日期，成交周期与成交月份未知、未计入：请填写「阶段进入日期」",
        "; {count} won leads have no date they were won: their cycle and month are unknown and not counted; "
        "fill in the stage-entered date",
    ),
    "cli.summary.unknown_dwell": (
        "  其中 {count} 条在跟线索没有阶段进入日期，停留未知（是否超时未知）：请填写「阶段进入日期」",
        "  {count} open leads have no stage-entered date: their dwell is unknown (stalled or not); fill in the stage-entered date",
    ),
    "cli.summary.unknown_won": (
        "  另有 {count} 条已成交线索没有成交日期，不知是否在本月成交：请填写「阶段进入日期」",
        "  {count} more won leads have no date they were won, so the month is unknown: fill in the stage-entered date",
    ),
    "fig.overdue": ("跟进逾期", "Follow-up overdue"),
    "fig.overdue.note": ("下次跟进时间已过", "next follow-up date passed"),
    "fig.stale": ("久未跟进", "No recent follow-up"),
    "fig.stale.note": ("距最近跟进超过规定天数", "last follow-up longer ago than the rules allow"),
    "fig.close_past": ("预计成交日已过", "Close date past"),
    "fig.close_past.note": ("在跟但预计成交日期已过", "open, but the expected close date has passed"),
    "fig.errors": ("数据问题(错误)", "Data problems (errors)"),
    "fig.errors.note": ("有错误的行不参与计算", "rows with errors are left out of the figures"),
    "fig.errors.group_note": ("有错误的行不参与计算，请改正", "rows with errors are left out of the figures: please fix them"),
    "fig.warnings": ("数据问题(警告)", "Data problems (warnings)"),
    "fig.warnings.note": ("仅提示，行仍参与计算", "for your attention; the rows are still counted"),
    "fig.win_rate_amount": ("赢单率(金额)", "Win rate (amount)"),
    "fig.win_rate_amount.note": ("已成交金额 ÷ (已成交 + 已流失金额)", "won amount ÷ (won + lost amount)"),
    "fig.lost_cycle_mean": ("平均流失周期(天)", "Avg. lost cycle (days)"),
    "fig.lost_cycle_mean.note": (
        "首次接触 → 标记流失（有日期的流失线索）", "first contact → marked lost (lost leads with a date)",
    ),
    "fig.lost_cycle_mean.counted": (
        "首次接触 → 标记流失，{count} 条有流失日期的线索的平均",
        "first contact → marked lost, mean of {count} lost leads with a date",
    ),
    "fig.lost_cycle_median": ("流失周期中位数(天)", "Median lost cycle (days)"),
    "fig.snoozed": ("暂缓中", "Snoozed"),
    "fig.snoozed.note": (
        "暂缓至晚于截止日的在跟线索，不计停留超时", "open leads snoozed past the as-of date; not counted as stalled",
    ),
    "fig.hygiene": ("数据质量分(全队)", "Data hygiene score (team)"),
    "fig.hygiene.note": ("0–100，见「数据质量」", "0–100, see 'Data quality'"),
    "fig.drift": ("填写偏差", "Typed values drifting"),
    "fig.drift.note": (
        "手填停留时长/通过率与重算值不符，见「数据质量」",
        "typed days in stage / pass rates that differ from the recalculated ones, see 'Data quality'",
    ),
    # -- 总览: the month, what needs attention, the standing figures ------------------------------
    # The period's words, by its kind (month, ISO week, span of days): {this}, {this_in} (in a
    # sentence), {last}, {last_in}.
    "period.this.month": ("本月", "This month"),
    "period.this.week": ("本周", "This week"),
    "period.this.span": ("本期", "This period"),
    "period.this_in.month": ("本月", "this month"),
    "period.this_in.week": ("本周", "this week"),
    "period.this_in.span": ("本期", "this period"),
    "period.last.month": ("上月", "Last month"),
    "period.last.week": ("上周", "Last week"),
    "period.last.span": ("上期", "Previous period"),
    "period.last_in.month": ("上月", "last month"),
    "period.last_in.week": ("上周", "last week"),
    "period.last_in.span": ("上期", "the previous period"),
    "month.title": (
        "{this} {month}（{start} 至 {end}）· 对比{last_in} {previous}",
        "{this} {month} ({start} to {end}) · against {last_in} {previous}",
    ),
    "month.col.change": ("变化", "Change"),
    "month.col.target": ("目标", "Target"),
    "month.col.target.prorated": ("折算目标", "Prorated target"),
    "month.col.attainment": ("达成率", "Attained"),
    "month.new_leads": ("新增线索(条)", "New leads"),
    "month.won": ("成交(条)", "Won"),
    "month.won_amount": ("成交金额({unit})", "Won ({unit})"),
    "month.lost": ("流失(条)", "Lost"),
    "month.moves": ("阶段变动(次)", "Stage moves"),
    "month.note": (
        "新增 = 首次接触在当月；成交/流失 = 当月进入已成交/流失；阶段变动 = 当月的阶段变更次数。"
        "上月 = {previous} 整月，与本月一样按本次的线索表和阶段变更（跟进记录与历史记录库）计算。",
        "New = first contact in the month; won/lost = entered won/lost in the month; moves = stage "
        "changes dated in the month. Last month = all of {previous}, counted like this month from "
        "this run's leads and stage changes (follow-up log and history store).",
    ),
    "month.note.week": (
        "新增 = 首次接触在本周；成交/流失 = 本周进入已成交/流失；阶段变动 = 本周的阶段变更次数。"
        "上周 = {previous}（{previous_start} 至 {previous_end}），与本周一样按本次的线索表和阶段变更（跟进记录与历史记录库）计算。",
        "New = first contact in the week; won/lost = entered won/lost in the week; moves = stage "
        "changes dated in the week. Last week = {previous} ({previous_start} to {previous_end}), "
        "counted like this week from this run's leads and stage changes (follow-up log and history store).",
    ),
    "month.note.span": (
        "新增 = 首次接触在本期；成交/流失 = 本期进入已成交/流失；阶段变动 = 本期的阶段变更次数。"
        "上期 = 本期之前同样长的 {previous_start} 至 {previous_end}，与本期一样按本次的线索表和阶段变更（跟进记录与历史记录库）计算。",
        "New = first contact in the period; won/lost = entered won/lost in the period; moves = stage "
        "changes dated in the period. Previous period = the as long {previous_start} to {previous_end} "
        "just before, counted like this period from this run's leads and stage changes (follow-up log "
        "and history store).",
    ),
    "month.target_note": (
        "目标来自规则 [targets] 与工作簿的「目标」表。",
        "Targets from the rules' [targets] and the workbook's targets sheet.",
    ),
    "month.target_note.prorated": (
        "目标为月度目标按工作日折算：所跨每月的目标 × 期内该月工作日 ÷ 该月工作日，来自规则 [targets] 与工作簿的「目标」表。",
        "Targets are the monthly targets prorated by working days: each month's target × the period's "
        "working days in that month ÷ the month's working days, from the rules' [targets] and the "
        "workbook's targets sheet.",
    ),
    "month.channel.line": ("渠道目标达成（{this}{basis}）：{parts}", "Channel targets ({this}{basis}): {parts}"),
    "month.channel.prorated": ("，目标按工作日折算", ", targets prorated by working days"),
    "month.channel.part": ("{name} {figures}", "{name}: {figures}"),
    "month.channel.won": ("成交 {ratio}（{won} / {target} {unit}）", "won {ratio} ({won} / {target} {unit})"),
    "month.channel.new": ("新增 {ratio}（{new} / {target} 条）", "new {ratio} ({new} / {target})"),
    "month.channel.sep": ("；", "; "),
    "month.team_target_note": ("全队目标 = 各负责人目标之和。", "The team's target = the sum of the reps'."),
    "attention.title": ("需要关注", "Needs attention"),
    "attention.none": ("{this_in}没有需要特别关注的事项。", "Nothing needs special attention {this_in}."),
    "attention.stalled": (
        "停留超时 {count} 条，金额合计 {amount} {unit}；金额最大的是 {lead_id} {customer}"
        "（{owner}，{stage}，{top_amount} {unit}）：请推进或更新阶段。",
        "{count} stalled leads, {amount} {unit} in all; the largest is {lead_id} {customer} "
        "({owner}, {stage}, {top_amount} {unit}): move it on or update its stage.",
    ),
    "attention.weakest": (
        "最薄弱环节 {transition}：通过率 {rate}（{k}/{n}），复盘这一步的做法。",
        "Weakest transition {transition}: {rate} pass ({k}/{n}); review how this step is worked.",
    ),
    "attention.low_channel": (
        "渠道「{source}」{metric} {value}，已连续 {months} 个月低于 {limit}：检查这一渠道的投入。",
        "Channel '{source}': {metric} {value}, below {limit} for {months} months: check what it gets.",
    ),
    "attention.overdue": (
        "跟进逾期 {count} 条（{owner} 最多，{owner_count} 条）：按「预警」安排跟进。",
        "{count} follow-ups overdue (most: {owner}, {owner_count}): plan them from 'Alerts'.",
    ),
    "attention.close_past": (
        "预计成交日已过的在跟线索 {count} 条：更新预计成交日或阶段。",
        "{count} open leads past their expected close date: update the date or the stage.",
    ),
    "attention.metric.win_rate": ("赢单率", "win rate"),
    "attention.metric.first_pass_rate": ("首阶段通过率", "first-stage pass rate"),
    "chart.bar_label": ("{count} · 通过 {rate}", "{count} · {rate} pass"),
    "standing.title": ("累计指标（截至 {as_of}）", "Standing figures (as of {as_of})"),
    "standing.pipeline": ("管道", "Pipeline"),
    "standing.win": ("赢单", "Winning"),
    "standing.follow": ("跟进", "Follow-up"),
    "standing.data": ("线索与数据", "Leads and data"),
    "inputs.previous": ("上次快照 {month}", "previous snapshot {month}"),
    "inputs.no_previous": ("此前没有更早月份的快照", "no snapshot of an earlier month"),
    "inputs.history": ("历史记录库 {store}（{previous}）", "history store {store} ({previous})"),
    "inputs.no_history": ("未使用历史记录库", "no history store"),
    "inputs.line": (
        "输入文件 {files} 个 · 跟进记录 {entries} 条 · {history} · 规则文件 {rules} (SHA-256 {sha}…)：文件校验值、口径与版本见「{sheet}」。",
        ("{files} input files · {entries} follow-up log entries · {history} · rules file {rules} "
        "(SHA-256 {sha}…): checksums, definitions and versions on '{sheet}'."),
    ),
    "inputs.skipped": (
        "另有 {count} 行没有阶段，按规则 sheets.skip_rows_without_stage 未计入（不是错误）。",
        "{count} more rows have no stage: left out by the rules' sheets.skip_rows_without_stage (not an error).",
    ),
    "chart.padding": ("(占位)", "(padding)"),
    "chart.funnel": ("销售漏斗(累计到达) · 截至 {as_of}", "Sales funnel (reached)\nas of {as_of}"),
    "chart.sources": ("各渠道赢单率与首环节通过率", "Win rate and first pass rate by channel"),
    # -- 漏斗分析 -------------------------------------------------------------------------------
    "funnel.title": ("漏斗分析 · 截至 {as_of}", "Funnel · as of {as_of}"),
    "funnel.note": (
        ("通过率 = 下一阶段累计到达 ÷ 本阶段已离开；流失率 = 本阶段流失 ÷ 本阶段已离开；"
        "空白 = 本阶段没有已离开的线索，无法计算。"),
        ("Pass rate = reached the next stage ÷ exited this stage; loss rate = lost in this stage ÷ "
        "exited this stage; blank = no lead has left the stage, nothing to compute."),
    ),
    "funnel.small_sample": ("样本少(已离开 {exited} < {min_sample})", "small sample (exited {exited} < {min_sample})"),
    "funnel.lost_unknown": (
        "另有 {count} 条已流失线索未填写流失阶段：计入线索总数、已流失和赢单率，但不计入各阶段的到达、离开和流失数。",
        ("{count} lost leads have no lost-at stage: they count in the totals, the lost and the win "
        "rate, but in no stage's reached, exited or lost."),
    ),
    "funnel.totals_note": (
        ("合计的「当前线索数」= 在跟 + 已成交；在跟金额与加权在跟金额只计在跟线索，合计即总览的在跟金额与加权在跟金额。"
         "最长停留 = 该阶段在跟线索中停留最久的天数；停留上限 = 规则规定的上限。"),
        ("The total of 'Current leads' = open + won; pipeline and weighted pipeline count open leads "
         "only, their totals are the overview's. Longest stay = the longest current stay of an open "
         "lead in the stage; stay limit = the rules' limit."),
    ),
    # -- 阶段流转 -------------------------------------------------------------------------------
    "flow.title": ("阶段流转 · {start} 至 {end}", "Month flow · {start} to {end}"),
    "flow.note": (
        ("阶段变动来自跟进记录的「阶段调整为」，以及与上次重建快照的对比（见下表「依据」）。"
        "期间通过率 = 本期离开该阶段的线索中前进到后续阶段的比例（每条线索按其最后一次离开计）。"),
        ("Stage moves come from the follow-up log's stage changes and from comparing with the last "
        "rebuild's snapshot (see 'Evidence' below). Period pass rate = the share of the leads that "
        "left the stage in the period and went forward (each lead by its last exit)."),
    ),
    "flow.new": ("{this_in}新增线索", "New leads {this_in}"),
    "flow.new.note": ("首次接触时间在本期内", "first contact in the period"),
    "flow.won": ("{this_in}成交", "Won {this_in}"),
    "flow.won.note": ("进入已成交的日期在本期内", "entered the won stage in the period"),
    "flow.won_amount": ("{this_in}成交金额({unit})", "Won {this_in} ({unit})"),
    "flow.lost": ("{this_in}流失", "Lost {this_in}"),
    "flow.lost.note": ("标记为流失的日期在本期内", "marked lost in the period"),
    "flow.cycle_mean": ("{this_in}成交平均周期(天)", "Avg. cycle of {this_in}'s deals (days)"),
    "flow.cycle_mean.note": ("首次接触 → 进入已成交", "first contact → won"),
    "flow.cycle_median": ("{this_in}成交周期中位数(天)", "Median cycle of {this_in}'s deals (days)"),
    "flow.moves": ("阶段变动(次)", "Stage moves"),
    "flow.moves.log": ("  其中 跟进记录", "  of which from the follow-up log"),
    "flow.moves.column": ("  其中 阶段进入日期", "  of which from stage-entered dates"),
    "flow.moves.column.note": (
        "两次重建之间阶段变化，按新的阶段进入日期", "stage changed between rebuilds, dated by the new stage-entered date",
    ),
    "flow.moves.estimated": ("  其中 估算", "  of which estimated"),
    "flow.moves.estimated.note": (
        "两次重建之间阶段变化，按最近跟进时间或截止日估算",
        "stage changed between rebuilds, dated by the last follow-up or the as-of date",
    ),
    "flow.exits": ("各阶段本期离开情况", "Exits per stage in the period"),
    "flow.exits.left": ("本期离开", "Left"),
    "flow.exits.forward": ("前进", "Forward"),
    "flow.exits.back": ("后退", "Back"),
    "flow.exits.lost": ("流失", "Lost"),
    "flow.exits.period_rate": ("期间通过率\n(至下一阶段)", "Period pass rate\n(to next stage)"),
    "flow.exits.cumulative_rate": ("累计通过率\n(漏斗分析)", "Cumulative pass rate\n(Funnel)"),
    "flow.matrix": ("阶段变动去向（次数）：行 = 原阶段，列 = 新阶段", "Where the moves went (count): row = from, column = to"),
    "flow.matrix.corner": ("原阶段 \\ 新阶段", "From \\ to"),
    "flow.moves_list": ("本期阶段变动明细（按日期）", "The period's stage moves (by date)"),
    "flow.from": ("原阶段", "From"),
    "flow.to": ("新阶段", "To"),
    "flow.direction": ("方向", "Direction"),
    "flow.evidence": ("依据", "Evidence"),
    "flow.no_moves": ("本期没有阶段变动记录。", "No stage move in the period."),
    "flow.no_moves_no_log": (
        "本期没有阶段变动记录：工作簿没有跟进记录，且历史记录中没有更早的快照可对比。",
        ("No stage move in the period: the workbooks have no follow-up log and the history has no "
        "earlier snapshot to compare with."),
    ),
    # -- 趋势 -------------------------------------------------------------------------------------
    "trend.title": ("近 {count} 个月趋势 · 截至 {as_of}", "Trend of the last {count} months · as of {as_of}"),
    "trend.title.weeks": ("近 {count} 周趋势 · 截至 {as_of}", "Trend of the last {count} weeks · as of {as_of}"),
    "trend.note": (
        ("每月数字为该月重建时的结果（历史记录）；没有快照的月份由跟进记录重算（金额取当前表格中的值）；"
        "比率按各月自己的线索计算（当月成交或流失的线索、当月离开该阶段的线索），不是累计；"
        "空白 = 无法计算或没有数据。"),
        ("Each month's figures are what that month's rebuild computed (history); a month without a "
        "snapshot is rebuilt from the follow-up log (with today's amounts); rates count each month's "
        "own leads (won or lost in it, leaving a stage in it), not totals to date; blank = nothing "
        "to compute."),
    ),
    "trend.leads": ("线索数", "Leads"),
    "trend.active": ("在跟", "Open"),
    "trend.period_win_rate": ("本期赢单率", "Win rate of the period"),
    "trend.cycle_mean": ("平均成交周期(天)", "Avg. deal cycle (days)"),
    "trend.period_cycle": ("本月成交周期(天)", "Cycle of this month's deals (days)"),
    "trend.period_pass_rate": ("期间通过率 {label}", "Period pass rate {label}"),
    "trend.basis": ("数据来源", "Figures from"),
    "trend.as_of": ("截止日", "As of"),
    "trend.no_data": ("无数据", "no data"),
    "trend.chart.rates": (
        "本期赢单率与各环节期间通过率（各期自己的线索）", "Win rate and pass rates of each period (its own leads)",
    ),
    "trend.chart.pipeline": ("在跟金额与加权金额({unit})", "Pipeline and weighted pipeline ({unit})"),
    "trend.chart.leads": ("线索：本月新增、成交、流失", "Leads: new, won and lost in the month"),
    "trend.chart.cycle": ("成交周期(天)", "Deal cycle (days)"),
    # -- 负责人对比 / 渠道分析 ---------------------------------------------------------------------
    "compare.title": ("{name} · 截至 {as_of}", "{name} · as of {as_of}"),
    "small_sample": ("样本少", "small sample"),
    "counts.header": ("{label}\nk/n · 95%区间", "{label}\nk/n · 95% interval"),
    "compare.note": (
        "先看{this}：按{this_in}成交金额从高到低排列。比率后括号内为 k/n（分子/分母）；分母少于 {min_sample} 条的比率灰色显示（{small}），图中亦然。空白 = 无法计算。",
        ("{this} first: sorted by the amount won {this_in}, largest first. After each rate, "
         "k/n (numerator/denominator) in brackets; a rate from fewer than {min_sample} leads is grey "
         "({small}), in the chart too. Blank = nothing to compute."),
    ),
    "compare.standings": ("{this}与累计", "{this} and to date"),
    "compare.pass_rates": ("各环节通过率（累计，k/n）", "Pass rate of each transition (to date, k/n)"),
    "standing.new": ("{this_in}新增", "New {this_in}"),
    "standing.won_month": ("{this_in}成交({unit})\n（件数）", "Won {this_in} ({unit})\n(deals)"),
    "standing.won": ("累计成交({unit})\n（件数）", "Won to date ({unit})\n(deals)"),
    "standing.win_rate": ("赢单率\n（成交/已结束）", "Win rate\n(won/closed)"),
    "standing.attainment": ("{this_in}达成率\n(成交÷成交目标)", "Attainment {this_in}\n(won ÷ won target)"),
    "standing.attainment.prorated": ("{this_in}达成率\n(成交÷折算目标)", "Attainment {this_in}\n(won ÷ prorated target)"),
    "standing.average_deal": ("平均成交额({unit})", "Average deal ({unit})"),
    "chart.small_note": ("浅灰色柱 = {small}（与表中灰色一致）", "Light grey bars = {small} (grey in the tables too)"),
    "leader.title": ("各环节领先者（提炼优秀经验）", "Who leads each transition (learn from the best)"),
    "leader.note": (
        "离开该阶段的线索不少于 {min_sample} 条、通过率高于团队者中通过率最高的负责人（负责人对比表中绿色）。",
        ("Of the reps with at least {min_sample} leads that left the stage and a pass rate above "
         "the team's, the highest (green in the table)."),
    ),
    "leader.line": (
        "{transition}：{name} {rate}（{k}/{n}），团队 {team}",
        "{transition}: {name} {rate} ({k}/{n}), team {team}",
    ),
    "leader.none": (
        "{transition}：没有负责人在不少于 {min_sample} 条线索上高于团队",
        "{transition}: no rep above the team on at least {min_sample} leads",
    ),
    # -- 阶段流转: the stage matrix -------------------------------------------------------------------
    "matrix.title": ("阶段流转矩阵：{since} 的线索现在在哪", "Stage matrix: where the {since} leads are now"),
    "matrix.note": (
        "行 = {since} 重建时所在阶段，列 = 本期所在阶段；「（新增）」= {since} 之后才出现的线索，「（本期不在表中）」= 已删除或本期因数据错误排除。",
        ("Row = the stage at the {since} rebuild, column = the stage now; '(new)' = leads that "
        "appeared after {since}, '(not in this period)' = deleted, or excluded for data errors now."),
    ),
    "matrix.corner": ("{since} \\ 本期", "{since} \\ now"),
    "matrix.none": (
        "历史记录中没有更早月份的快照，无法给出阶段流转矩阵：每次重建都记入历史记录库，下个月起即有。",
        ("The history has no snapshot of an earlier month: no stage matrix. Every rebuild is recorded "
        "in the history store: it appears from next month on."),
    ),
    "matrix.new": ("（新增）", "(new)"),
    "matrix.gone": ("（本期不在表中）", "(not in this period)"),
    # -- 负责人对比 below the table, 数据质量 -----------------------------------------------------------
    "quality.score": ("数据质量分", "Hygiene score"),
    "quality.part.earned": ("{label}\n得分(满分 {points})", "{label}\nscore (of {points})"),
    "quality.part.failing": ("{label}\n不合格/适用", "{label}\nfailing/applicable"),
    "quality.title": ("数据质量 · 截至 {as_of}", "Data quality · as of {as_of}"),
    "quality.note": (
        "数据质量分 0–100：各项得分 = 分值 × (1 − 不合格数 ÷ 适用数)，适用数为 0 得满分。填写偏差：手填的停留时长或通过率与工具重算的不符（停留时长容差 {days} 天，通过率容差 {points} 个百分点）。",
        ("Hygiene score 0–100: each part scores points × (1 − failing ÷ applicable), full points "
        "when nothing applies. Drift: a typed days-in-stage or pass rate that differs from the "
        "recalculated one (tolerance {days} days, {points} percentage points)."),
    ),
    "quality.drift.title": ("填写偏差（手填值与重算值不符）", "Drift (typed values that differ from the recalculated ones)"),
    "quality.drift.typed": ("手填值", "Typed"),
    "quality.drift.expected": ("应为(重算)", "Should be (recalculated)"),
    "quality.drift.difference": ("偏差", "Difference"),
    "quality.drift.none": ("没有超出容差的手填值。", "No typed value beyond the tolerance."),
    "quality.fixes.title": ("待改正的行", "Rows to fix"),
    "quality.fixes.problem": ("问题", "Problem"),
    "quality.fixes.how": ("怎么改", "How to fix it"),
    "quality.fixes.none": ("没有需要改正的行。", "No row to fix."),
    "hygiene.errors": ("行有错误", "row has errors"),
    "hygiene.missing_amount_close": ("缺金额或预计成交日期", "no amount or expected close date"),
    "hygiene.close_past": ("预计成交日期已过", "expected close date passed"),
    "hygiene.stale": ("久未跟进", "no recent follow-up"),
    "hygiene.undated_moves": ("阶段变动无日期", "stage move without a date"),
    "hygiene.errors.fix": (
        "该行有错误，未计入统计：按「数据问题」中的说明改正",
        "the row has errors and is not counted: fix it as 'Data problems' says",
    ),
    "hygiene.missing_amount_close.fix": ("补填预计成交金额和预计成交日期", "fill in the expected amount and close date"),
    "hygiene.close_past.fix": (
        "预计成交日期已过：更新日期，或推进/归档线索", "the close date has passed: update it, or move the lead on or archive it",
    ),
    "hygiene.stale.fix": (
        "超过规定天数没有跟进：跟进一次并更新最近跟进时间",
        "no follow-up for longer than the rules allow: follow up and update the last follow-up date",
    ),
    "hygiene.undated_moves.fix": (
        "填写阶段进入日期（进入当前阶段的日期）", "fill in the stage-entered date (the day it entered its stage)",
    ),
    "drift.dwell": ("停留时长不符", "days in stage differ"),
    "drift.rate_transition": ("通过率环节不符", "pass rate of another transition"),
    "drift.rate_value": ("通过率数值不符", "pass rate value differs"),
    "drift.rate_unreadable": ("通过率无法识别", "pass rate unreadable"),
    "drift.unit.days": ("天", "days"),
    "drift.unit.working_days": ("工作日", "working days"),
    "drift.first_stage": ("（不填：处于第一阶段）", "(leave blank: the lead is in the first stage)"),
    "drift.team": ("全队 {rate}", "team {rate}"),
    "drift.own": ("本人 {rate}", "own {rate}"),
    "drift.sep": ("，", ", "),
    "drift.expected": ("{rates}({transition})", "{rates} ({transition})"),
    # -- 预警: snoozed leads and slipped close dates; 预测 ------------------------------------------------
    "snoozed.title": ("暂缓中的线索（不计停留超时和久未跟进）", "Snoozed leads (not counted as stalled or stale)"),
    "snoozed.over_limit": ("已超上限", "Over the limit"),
    "snoozed.none": ("本期没有暂缓中的线索。", "No snoozed lead in this period."),
    "forecast.title": ("预测 · 截至 {as_of}", "Forecast · as of {as_of}"),
    "forecast.note": (
        "加权预测 = 预计成交日期在该月的在跟线索的 Σ 金额 × 阶段赢单概率；本月成交 = 本月进入已成交的线索金额。",
        ("Weighted forecast = Σ amount × the stage's win probability of the open leads expected to "
        "close in the month; won this month = the amount of the leads won in the month."),
    ),
    "forecast.month": ("月份", "Month"),
    "forecast.leads": ("在跟线索数", "Open leads"),
    "forecast.amount": ("预计金额({unit})", "Expected amount ({unit})"),
    "forecast.weighted": ("加权预测({unit})", "Weighted forecast ({unit})"),
    "forecast.won": ("实际成交({unit})", "Won ({unit})"),
    "forecast.won_count": ("实际成交(条)", "Won (leads)"),
    "forecast.current": ("{month}（本月，截至 {as_of}）", "{month} (this month, to {as_of})"),
    "forecast.overdue": ("预计成交日期已过（仍在跟）", "Close date passed (still open)"),
    "forecast.undated": ("未填预计成交日期", "No expected close date"),
    "forecast.current_note": (
        "本月一行的在跟线索是预计在截止日至月底之间成交的线索；预计成交日期已过的在「预计成交日期已过」一行（与总览、预警的计数一致）。",
        ("This month's open leads are those expected to close from the as-of date to the month's "
         "end; those whose date has passed are on the close-date-passed row (as on the overview and "
         "the alerts)."),
    ),
    "forecast.checks": ("预测准确度：上月的预测 vs 本月实际成交", "Forecast accuracy: last month's forecast vs won this month"),
    "forecast.checks_note": (
        "上月预测 = 上月重建时预计在该月成交的在跟线索的加权金额（历史记录中的快照）；准确度 = 实际成交 ÷ 上月预测，100% 为完全命中，高于 100% 为超出预测。",
        ("Last month's forecast = the weighted amount of the open leads expected to close in the "
        "month, as last month's rebuild saw them (the history's snapshot); accuracy = won ÷ that "
        "forecast, 100% a perfect hit, above 100% more than forecast."),
    ),
    "forecast.made_in": ("预测时间", "Forecast made"),
    "forecast.checked_leads": ("预测线索数", "Leads forecast"),
    "forecast.previous": ("上月预测({unit})", "Last month's forecast ({unit})"),
    "forecast.accuracy": ("准确度", "Accuracy"),
    "forecast.rebuild": ("{month} 重建", "{month} rebuild"),
    "forecast.checks_none": (
        "历史记录中没有上月的快照，无法核对预测：每次重建都记入历史记录库，下个月起即可核对。",
        ("The history has no snapshot of last month: no forecast to check. Every rebuild is recorded "
        "in the history store: the check appears from next month on."),
    ),
    "forecast.slips": ("预计成交日期推迟", "Expected close dates that slipped"),
    "forecast.slips_note": (
        "在跟线索的预计成交日期在两次月度重建之间往后推的次数；推迟 {n} 次及以上的列入「预警」。",
        ("How many times an open lead's expected close date moved later between monthly rebuilds; "
        "{n} times or more puts it on 'Alerts'."),
    ),
    "forecast.slips_none": (
        "没有预计成交日期被推迟的在跟线索（或历史记录中没有更早月份的快照）。",
        "No open lead's close date slipped (or the history has no snapshot of an earlier month).",
    ),
    "forecast.alerts": ("预计成交日期多次推迟（{n} 次及以上）", "Close date slipped again and again ({n} times or more)"),
    "forecast.alerts_none": ("没有预计成交日期多次推迟的线索。", "No lead whose close date slipped that often."),
    "slips.first": ("最初预计成交", "First expected close"),
    "slips.now": ("现在预计成交", "Expected close now"),
    "slips.count": ("推迟次数", "Slips"),
    "slips.path": ("历次预计成交日期", "Expected close dates, rebuild by rebuild"),
    # -- 运行信息 -------------------------------------------------------------------------------------
    "run.title": ("运行信息 · 截至 {as_of}", "Run record · as of {as_of}"),
    "run.note": (
        "重现本报告所需的一切：截止日、输入文件及其 SHA-256、规则文件及其 SHA-256、口径与版本。",
        ("All it takes to reproduce this report: the as-of date, the input files and their SHA-256, "
        "the rules file and its SHA-256, the definitions and the versions."),
    ),
    "run.as_of": ("截止日", "As of"),
    "run.period": ("统计期间", "Period"),
    "run.rows": ("读取行数", "Rows read"),
    "run.valid": ("有效线索", "Valid leads"),
    "run.excluded": ("排除(数据错误)", "Excluded (data errors)"),
    "run.skipped": ("没有阶段、未计入的行", "Rows without a stage, left out"),
    "run.rules": ("规则文件", "Rules file"),
    "run.rules_sha": ("规则文件 SHA-256", "Rules file SHA-256"),
    "run.inputs": ("输入文件", "Input files"),
    "run.definitions": ("口径（按本规则文件）", "Definitions (with these rules)"),
    "run.versions": ("工具与库的版本", "Versions of the tool and libraries"),
    "run.calendar": ("节假日日历", "Holiday calendar"),
    "run.calendar_ok": ("chinese-calendar：法定节假日与调休上班日", "chinese-calendar: official holidays and adjusted working days"),
    "run.calendar_missing": (
        "规则按工作日计停留，但日历不含 {years} 年的法定节假日：这些年份只跳过周末。",
        ("The rules count dwell in working days, but the calendar lacks the official holidays of "
        "{years}: only weekends are skipped in those years."),
    ),
    "run.log": ("使用的跟进记录", "Follow-up log entries used"),
    "run.log_entries": ("{count} 条", "{count}"),
    "run.history": ("历史记录库", "History store"),
    "run.no_history": ("本次重建未读写历史记录库", "not read or written by this rebuild"),
    "run.previous": ("对比的上次快照", "Previous snapshot compared with"),
    "run.no_previous": ("此前没有更早月份的快照", "no snapshot of an earlier month"),
    "run.header_row": ("表头行", "Header row"),
    "run.of_which_excluded": ("其中排除", "Of which excluded"),
    # -- 运行信息: the definitions in force (funnel_xl.runinfo) ---------------------------------------
    "def.stages": ("阶段", "Stages"),
    "def.stages.text": ("{stages}；流失标签 {lost}", "{stages}; lost labels {lost}"),
    "def.stage_entered": ("阶段进入日期", "Stage entered"),
    "def.stage_entered.text": (
        "依次取：跟进记录中最近一次调整到该阶段的日期；阶段进入日期列；历史记录（上次重建的日期，或两次重建之间估算）；第一阶段取首次接触时间；否则按 最近跟进时间 − 手填停留时长 估算；否则未知",
        ("the first known of: the follow-up log's latest move into the stage; the stage-entered "
        "column; the history (the previous rebuild's date, or estimated between rebuilds); the "
        "first contact for the first stage; last follow-up − the typed days in stage, estimated; "
        "else unknown"),
    ),
    "def.dwell": ("停留天数", "Days in stage"),
    "def.dwell.text": ("截止日 − 阶段进入日期，按{unit}计算，仅在跟线索", "as-of date − stage entered, in {unit}, open leads only"),
    "def.dwell.working_days": ("工作日（跳过周末、法定节假日，调休上班日计入）", "working days (weekends and official holidays skipped, adjusted working days counted)"),
    "def.dwell.calendar_days": ("自然日", "calendar days"),
    "def.stalled": ("停留超时", "Stalled"),
    "def.stalled.text": (
        "停留天数超过该阶段上限（{limits}）；暂缓至晚于截止日的线索不计",
        "days in stage above the stage's limit ({limits}); leads snoozed past the as-of date are not counted",
    ),
    "def.stale": ("久未跟进", "No recent follow-up"),
    "def.stale.text": ("距最近跟进超过 {days} 天；暂缓中的线索不计", "last follow-up more than {days} days ago; snoozed leads are not counted"),
    "def.snooze": ("暂缓", "Snooze"),
    "def.snooze.text": (
        "暂缓至晚于截止日的在跟线索；暂缓至超过截止日后 {days} 天或没有暂缓原因时给出警告",
        "open leads snoozed past the as-of date; a warning when snoozed more than {days} days ahead or without a reason",
    ),
    "def.reached": ("累计到达", "Reached"),
    "def.reached.text": (
        "在跟或已成交且阶段不早于该阶段的线索 + 流失阶段不早于该阶段的流失线索",
        "open or won leads in the stage or a later one + lost leads lost in the stage or a later one",
    ),
    "def.pass_rate": ("阶段通过率", "Stage pass rate"),
    "def.pass_rate.text": (
        "下一阶段累计到达 ÷ 本阶段已离开（已离开 = 累计到达 − 当前仍在该阶段的在跟线索）",
        "reached the next stage ÷ exited this one (exited = reached − open leads still in the stage)",
    ),
    "def.loss_rate": ("阶段流失率", "Stage loss rate"),
    "def.loss_rate.text": ("在本阶段流失的线索 ÷ 本阶段已离开", "leads lost in the stage ÷ exited the stage"),
    "def.win_rate": ("赢单率", "Win rate"),
    "def.win_rate.text": ("已成交 ÷ (已成交 + 已流失)，按条数", "won ÷ (won + lost), by count"),
    "def.win_rate_amount": ("赢单率(金额)", "Win rate (amount)"),
    "def.win_rate_amount.text": (
        "已成交金额 ÷ (已成交金额 + 已流失金额)，未填金额的线索按 0 计",
        "won amount ÷ (won amount + lost amount); a lead without an amount counts 0",
    ),
    "def.interval": ("95% 区间", "95% interval"),
    "def.interval.text": (
        "每个 k/n 比率的 Wilson 区间（z = {z}），样本越少区间越宽",
        "the Wilson interval of each k/n rate (z = {z}); the smaller the sample, the wider",
    ),
    "def.small_sample": ("样本少", "Small sample"),
    "def.small_sample.text": (
        "分母少于 {n} 条（规则 thresholds.min_sample）的比率，灰色显示，仅供参考",
        "a rate from fewer than {n} leads (rules thresholds.min_sample), grey, only indicative",
    ),
    "def.best_rep": ("最佳负责人", "Best rep"),
    "def.best_rep.text": (
        "某环节离开的线索不少于 {n} 条、且通过率高于全队的负责人中通过率最高者（并列时样本多者），在负责人对比与优化建议中点名",
        ("of the reps with at least {n} leads that left a transition's stage and a pass rate above "
         "the team's, the one with the highest pass rate (ties: the larger sample), named on the reps "
         "sheet and in the suggestions"),
    ),
    "def.weakest": ("最薄弱环节", "Weakest transition"),
    "def.weakest.text": (
        "所有环节中通过率最低者，仅当其已离开线索不少于 {n} 条、通过率低于 100%，且无论未标明流失阶段的流失发生在哪一阶段它都仍是最低时给出",
        ("the lowest pass rate of all transitions, given only when at least {n} leads left its stage, "
         "it is below 100% and it stays the lowest wherever the lost leads without a lost-at stage were lost"),
    ),
    "def.cycle": ("成交周期", "Deal cycle"),
    "def.cycle.text": ("进入已成交的日期 − 首次接触时间（天）", "the day the lead was won − its first contact (days)"),
    "def.lost_cycle": ("流失周期", "Lost cycle"),
    "def.lost_cycle.text": (
        "标记流失的日期（流失线索的阶段进入日期，已知时）− 首次接触时间（天）",
        "the day the lead was marked lost (its stage-entered date, when known) − its first contact (days)",
    ),
    "def.weighted": ("加权金额", "Weighted amount"),
    "def.weighted.text": ("Σ 金额 × 阶段赢单概率（{probabilities}）", "Σ amount × the stage's win probability ({probabilities})"),
    "def.weighted_forecast": ("加权预测", "Weighted forecast"),
    "def.weighted_forecast.text": ("预计成交日期在该月的在跟线索的加权金额", "the weighted amount of the open leads expected to close in the month"),
    "def.won_in_month": ("本月成交", "Won this month"),
    "def.won_in_month.text": ("进入已成交的日期在本月内的线索金额", "the amount of the leads won in the month"),
    "def.forecast_accuracy": ("预测准确度", "Forecast accuracy"),
    "def.forecast_accuracy.text": (
        "本月实际成交 ÷ 上月重建（历史记录快照）时预计在本月成交的加权金额",
        ("won this month ÷ the weighted amount last month's rebuild (the history's snapshot) "
        "expected to close this month"),
    ),
    "def.slips": ("预计成交日期推迟", "Slipped close dates"),
    "def.slips.text": (
        "在跟线索的预计成交日期在两次月度重建之间往后推的次数；{n} 次及以上列入预警",
        ("how many times an open lead's expected close date moved later between monthly rebuilds; "
        "{n} or more puts it on Alerts"),
    ),
    "def.stage_matrix": ("阶段流转矩阵", "Stage matrix"),
    "def.stage_matrix.text": ("上次快照时各阶段的线索本期所在的阶段", "where the leads of each stage at the previous snapshot are now"),
    "def.low_channel": ("渠道连续偏低", "Channel low month after month"),
    "def.low_channel.text": (
        "连续 {months} 个月（按各月自己的线索）赢单率低于 {win_rate} 或首环节通过率低于 {first_pass_rate}，且每月样本不少于 {n} 条、95% 区间上限低于全队当月的比率",
        ("{months} months in a row (each on its own leads) with a win rate below {win_rate} or a first "
        "pass rate below {first_pass_rate}, each month from at least {n} leads and with its 95% "
        "interval below the team's rate of the month"),
    ),
    "def.coverage": ("覆盖率", "Coverage"),
    "def.coverage.text": ("在跟加权金额 ÷ 月度目标（{targets}）", "weighted pipeline ÷ monthly target ({targets})"),
    "def.coverage.no_targets": ("规则中未设月度目标", "no monthly target in the rules"),
    "def.drift_dwell": ("填写偏差·停留时长", "Drift · days in stage"),
    "def.drift_dwell.text": (
        "手填停留时长与最近跟进至截止日之间任一天的实际停留相差超过 {days} 天",
        ("the typed days in stage differ by more than {days} days from the real dwell on any day "
        "between the last follow-up and the as-of date"),
    ),
    "def.drift_rate": ("填写偏差·通过率", "Drift · pass rate"),
    "def.drift_rate.text": (
        "手填通过率的环节不是进入当前阶段的环节，或与全队及本人通过率都相差超过 {points} 个百分点",
        ("the typed pass rate names another transition than the one into the current stage, or "
        "differs from both the team's and the rep's rate by more than {points} percentage points"),
    ),
    "def.hygiene": ("数据质量分", "Hygiene score"),
    "def.hygiene.text": (
        "0–100，各项得分 = 分值 × (1 − 不合格数 ÷ 适用数)，无适用线索得满分：{points}",
        ("0–100, each part scores points × (1 − failing ÷ applicable), full points when nothing "
        "applies: {points}"),
    ),
    "def.hygiene.part": ("{part} {points} 分", "{part}: {points} points"),
    "def.hygiene.sep": ("；", "; "),
    "def.hygiene.errors": ("行没有错误", "rows without errors"),
    "def.hygiene.missing_amount_close": (
        "在跟线索自「{stage}」起填了预计成交金额和预计成交日期",
        "open leads from '{stage}' on have an expected amount and close date",
    ),
    "def.hygiene.close_past": ("在跟线索的预计成交日期未过", "open leads' expected close dates have not passed"),
    "def.hygiene.stale": ("在跟线索未久未跟进", "open leads followed up recently"),
    "def.hygiene.undated_moves": (
        "第一阶段之后的在跟和已成交线索有阶段进入日期", "open and won leads past the first stage have a stage-entered date",
    ),
    # -- a rep's sheet, 预警, 优化建议, 数据问题, 线索明细 -------------------------------------------
    "rep.title": ("{owner} · 个人漏斗 · 截至 {as_of}", "{owner} · personal funnel · as of {as_of}"),
    "rep.open_leads": ("在跟线索及预警（按停留天数从长到短）", "Open leads and alerts (longest in stage first)"),
    "rep.no_open_leads": ("没有在跟线索。", "No open lead."),
    "alerts.none": ("本期没有预警。", "No alert in this period."),
    "suggestions.title": ("优化建议 · 截至 {as_of}", "Suggestions · as of {as_of}"),
    "suggestions.note": (
        "由规则文件中的 [[suggestions]] 在本期数字上触发。",
        "Fired by the rules file's [[suggestions]] on this period's figures.",
    ),
    "suggestions.none": ("本期数字没有触发任何优化建议规则。", "This period's figures fired no suggestion."),
    "problems.none": ("未发现数据问题。", "No data problem found."),
    # -- a rep's or a channel's own workbook --------------------------------------------------------
    "group.heading.owner": ("{name} · 个人销售漏斗 · 截至 {as_of}", "{name} · personal sales funnel · as of {as_of}"),
    "group.heading.source": ("渠道「{name}」 · 销售漏斗 · 截至 {as_of}", "Channel '{name}' · sales funnel · as of {as_of}"),
    "group.whose.owner": ("您负责的线索", "the leads you own"),
    "group.whose.source": ("该渠道的线索", "this channel's leads"),
    "group.subtitle": (
        "统计期间 {period} · 本文件只含{whose}；「全队」为全队合计，供对比（不含金额）。",
        ("Period {period} · this file holds only {whose}; 'Team' is the whole team, for comparison "
        "(without amounts)."),
    ),
    "group.funnel.title": ("漏斗分析 · {heading}", "Funnel · {heading}"),
    "group.funnel.note": (
        "红色 = {own}明显比全队差：95% 区间整个低于全队通过率（或高于全队流失率），且样本不少于 {min_sample} 条；灰色 = 样本少（少于 {min_sample} 条），仅供参考；空白 = 没有已离开的线索，无法计算。",
        ("Red = {own} clearly worse than the team: the whole 95% interval below the team's pass rate "
        "(or above its loss rate), from at least {min_sample} leads; grey = small sample (fewer than "
        "{min_sample} leads), only indicative; blank = no lead has left, nothing to compute."),
    ),
    "group.open_leads.title": ("在跟线索及预警 · {heading}", "Open leads and alerts · {heading}"),
    # -- fields the rules mark required_for_quality (process step 2): counted by rep ------------------
    "problem.required_fields_blank": (
        "{owner}：{count} 条在跟线索未填「{header}」（第 {rows} 行），请补上（规则标为必填）。",
        "{owner}: {count} open leads without '{header}' (rows {rows}): please fill it in (the rules mark it required).",
    ),
    "blanks.more": ("{rows}…", "{rows}…"),
    "blanks.title": ("缺填（按负责人）", "Blank required fields (by rep)"),
    "blanks.note": (
        "在跟线索中规则标为必填的字段未填的条数；各负责人的行号见上方的警告。",
        "Open leads leaving a field the rules mark required blank; each rep's rows are in the warnings above.",
    ),
    "template.guide.quality": ("录入时必填", "On entry"),
    "hygiene.required_fields": ("必填字段未填", "required field blank"),
    "hygiene.required_fields.fix": (
        "补填规则标为必填的字段（见「数据问题」）", "fill in the fields the rules mark required (see 'Data problems')",
    ),
    "def.hygiene.required_fields": (
        "在跟线索填了规则标为必填的字段（{fields}）", "open leads have the fields the rules mark required ({fields})",
    ),
    # == en-out: mail, reminders, refresh, files and refusals, the CLI's own lines ===============
    # -- errors shared by every command ---------------------------------------------------------
    "error.with_advice": ("{problem}{advice}。", "{problem} {advice}."),
    "os.not_found": ("文件或文件夹不存在（可能已被移动或删除）", "the file or folder does not exist (moved or deleted?)"),
    "os.no_permission": ("没有权限", "permission denied"),
    "os.is_folder": ("这是一个文件夹，不是文件", "this is a folder, not a file"),
    "os.not_folder": ("路径中的某一级不是文件夹", "a part of the path is not a folder"),
    "os.disk_full": ("磁盘空间不足", "the disk is full"),
    "os.too_big": ("文件超过了系统允许的大小（磁盘或配额已满）", "the file is larger than the system allows (disk or quota full)"),
    "os.read_only": ("所在位置是只读的", "the place is read-only"),
    "os.busy": ("文件正被其他程序占用", "the file is in use by another program"),
    "os.io": ("读写出错（磁盘、U 盘或网络盘可能已断开）", "a read or write error (a disk, USB stick or network drive may have been disconnected)"),
    "os.name_too_long": ("文件名过长", "the file name is too long"),
    "os.loop": ("路径中的快捷方式（符号链接）形成了循环", "the shortcuts (symbolic links) in the path form a loop"),
    "os.too_many_open": ("打开的文件过多", "too many open files"),
    "os.quota": ("磁盘配额已用完", "the disk quota is used up"),
    "os.system_code": ("系统错误 {code}", "system error {code}"),
    "os.system": ("系统错误", "system error"),
    # -- mail: the month's messages (funnel_xl.mail) ----------------------------------------------
    "mail.team": ("全队", "Team"),
    "mail.subject": ("销售漏斗月报", "Sales funnel report"),
    "mail.rebuild_advice.owner": ("请先重新生成 {period} 的报告并按负责人拆分", "Rebuild the {period} report split by rep first"),
    "mail.rebuild_advice.source": ("请先重新生成 {period} 的报告并按线索来源拆分", "Rebuild the {period} report split by channel first"),
    "mail.no_manifest": ("找不到 {period} 的报告清单 {path}。", "The report manifest of {period} is missing: {path}."),
    "mail.manifest_unreadable": ("报告清单 {path} 无法读取 ({reason})。", "The report manifest {path} cannot be read ({reason})."),
    "mail.no_report": ("找不到团队报告 {path}。", "The team report is missing: {path}."),
    "mail.report_rebuilt": (
        "团队报告 {path} 在拆分之后又被重新生成过，各人的工作簿可能已过期。",
        "The team report {path} was made again after the split; the reps' workbooks may be out of date.",
    ),
    "mail.no_group_workbook": ("找不到「{name}」的工作簿 {path}。", "The workbook of '{name}' is missing: {path}."),
    "mail.group_changed": ("{path} 在生成之后被修改过。", "{path} was changed after it was made."),
    "mail.unreadable": ("{path} 无法读取 ({reason})。", "{path} cannot be read ({reason})."),
    "mail.split_missing.owner": (
        "收件人文件列出了负责人的邮箱，但 {period} 没有按负责人拆分的工作簿。",
        "The recipients file lists reps' addresses, but {period} has no workbooks split by rep.",
    ),
    "mail.split_missing.source": (
        "收件人文件列出了渠道的邮箱，但 {period} 没有按线索来源拆分的工作簿。",
        "The recipients file lists channels' addresses, but {period} has no workbooks split by channel.",
    ),
    "mail.days": ("{days} 天", "{days} days"),
    "mail.worst": ("{transition}（通过率 {rate}）", "{transition} (pass rate {rate})"),
    "mail.worst.unknown": ("数据不足", "not enough data"),
    "mail.alert.stalled": ("已停留 {days} 天（上限 {limit} 天）", "{days} days in stage (limit {limit} days)"),
    "mail.alert.stale": ("{days} 天未跟进", "no follow-up for {days} days"),
    "mail.alert.overdue": ("下次跟进时间 {date} 已过 {days} 天", "next follow-up {date}, {days} days ago"),
    "mail.alert.close_past": ("预计成交日期 {date} 已过 {days} 天", "expected close {date}, {days} days ago"),
    "mail.table_row": ("  {label}：{value}", "  {label}: {value}"),
    "mail.html_lang": ("zh-CN", "en"),
    "mail.month.rep": ("您的{this} {name}（对比{last} {previous}）", "{this} {name}, your figures (against {last} {previous})"),
    "mail.month.source": ("{this} {name}（对比{last} {previous}）", "{this} {name} (against {last} {previous})"),
    "mail.month.team": ("团队{this} {name}（对比{last} {previous}）", "{this} {name}, the team (against {last} {previous})"),
    "mail.month.change": ("变化", "Change"),
    "mail.month.target": ("目标", "Target"),
    "mail.month.target_prorated": ("折算目标", "Prorated target"),
    "mail.report.month": ("月报", "monthly report"),
    "mail.report.week": ("周报", "weekly report"),
    "mail.report.span": ("报告", "report"),
    "mail.month.attainment": ("达成率", "Attained"),
    "mail.month.new_leads": ("新增线索", "New leads"),
    "mail.month.won": ("成交(条)", "Won (leads)"),
    "mail.month.won_amount": ("成交金额({unit})", "Won amount ({unit})"),
    "mail.month.lost": ("流失(条)", "Lost (leads)"),
    "mail.month.moves": ("阶段变动(次)", "Stage moves"),
    "mail.rep.greeting": ("{name}，您好：", "Hello {name},"),
    "mail.source.greeting": ("渠道「{name}」的负责同事，您好：", "Hello to whoever looks after the channel '{name}',"),
    "mail.rep.intro": (
        "这是截至 {as_of} 的销售漏斗{report}（统计期间 {period}）。附件是您的个人工作簿，只含您负责的线索；「全队」一栏是全队合计，供对比。",
        ("This is the sales funnel {report} as of {as_of} (period {period}). Attached is your own "
         "workbook, with only the leads you own; the 'Team' column is the whole team, for comparison."),
    ),
    "mail.source.intro": (
        "这是截至 {as_of} 的销售漏斗{report}（统计期间 {period}）。附件是该渠道的工作簿，只含该渠道的线索；「全队」一栏是全队合计，供对比。",
        ("This is the sales funnel {report} as of {as_of} (period {period}). Attached is the channel's "
         "workbook, with only its leads; the 'Team' column is the whole team, for comparison."),
    ),
    "mail.rep.own": ("本人", "You"),
    "mail.source.own": ("本渠道", "Channel"),
    "mail.key_figures": ("关键数字", "Key figures"),
    "mail.fig.valid": ("有效线索", "Valid leads"),
    "mail.fig.active": ("在跟", "Open"),
    "mail.fig.won": ("已成交", "Won"),
    "mail.fig.lost": ("已流失", "Lost"),
    "mail.fig.win_rate": ("赢单率", "Win rate"),
    "mail.fig.cycle": ("平均成交周期", "Average deal cycle"),
    "mail.fig.pipeline": ("在跟金额", "Pipeline"),
    "mail.fig.weighted": ("加权金额", "Weighted pipeline"),
    "mail.fig.worst": ("最薄弱环节", "Weakest transition"),
    "mail.fig.total": ("线索总数", "Leads"),
    "mail.fig.total.value": ("{total}（有效 {valid}，排除 {excluded}）", "{total} ({valid} valid, {excluded} excluded)"),
    "mail.fig.statuses": ("在跟 / 成交 / 流失", "Open / won / lost"),
    "mail.fig.alerts": ("预警", "Alerts"),
    "mail.fig.alerts.value": (
        "停留超时 {stalled}，跟进逾期 {overdue}，久未跟进 {stale}，预计成交日已过 {close_past}",
        "stalled {stalled}, follow-up overdue {overdue}, no recent follow-up {stale}, close date past {close_past}",
    ),
    "mail.fig.problems": ("数据问题", "Data problems"),
    "mail.fig.problems.value": ("错误 {errors}，警告 {warnings}", "{errors} errors, {warnings} warnings"),
    "mail.alerts.heading": ("需要处理的预警（{count} 条）", "Alerts to act on ({count})"),
    "mail.alerts.more": ("……另有 {count} 条，见附件「预警」工作表。", "… and {count} more on the attachment's 'Alerts' sheet."),
    "mail.problems": (
        "数据问题：错误 {errors} 个，警告 {warnings} 个。{excluded}请在跟踪表中改正，位置见附件「数据问题」工作表。",
        ("Data problems: {errors} errors, {warnings} warnings. {excluded}Please correct them in the "
         "tracking workbook; the attachment's 'Data problems' sheet says where."),
    ),
    "mail.problems.excluded": ("有错误的行没有计入统计。", "Rows with errors are left out of the figures. "),
    "mail.problems.none": ("数据问题：没有。", "Data problems: none."),
    "mail.blanks": (
        "缺填（在跟线索，规则标为必填）：{listed}。请补上，行号见附件「数据问题」工作表。",
        "Blank required fields (open leads; the rules mark them required): {listed}. Please fill them in; "
        "the rows are on the attached 'Data problems' sheet.",
    ),
    "mail.blanks.item": ("「{header}」{count} 条", "'{header}' {count}"),
    "mail.blanks.sep": ("、", ", "),
    "mail.footer": ("此邮件由 funnel-xl 生成。", "This message was made by funnel-xl."),
    "mail.attainment.heading": ("各负责人目标达成", "Each rep against their target"),
    "mail.attainment.won_target": ("成交目标", "Won target"),
    "mail.attainment.new_target": ("新增目标", "New leads target"),
    "mail.attainment.won_target_prorated": ("折算成交目标", "Prorated won target"),
    "mail.attainment.new_target_prorated": ("折算新增目标", "Prorated new leads target"),
    "mail.attainment.channel_heading": ("各渠道目标达成", "Each channel against its target"),
    "mail.attainment.channel": ("渠道", "Channel"),
    "mail.manager.greeting": ("您好：", "Hello,"),
    "mail.manager.intro": (
        "这是截至 {as_of} 的团队销售漏斗{report}（统计期间 {period}），完整分析见附件。",
        "This is the team's sales funnel {report} as of {as_of} (period {period}); the full analysis is attached.",
    ),
    "mail.owners.heading": ("各负责人", "Reps"),
    "mail.owners.valid": ("有效", "Valid"),
    "mail.log_unreadable": ("无法读取发送记录 {path}: {reason}", "Cannot read the sent-log {path}: {reason}"),
    "mail.log_unwritable": (
        "无法写入发送记录 {path}: {reason}。没有发送任何邮件。",
        "Cannot write the sent-log {path}: {reason}. No message was sent.",
    ),
    "mail.sent_before": ("已于 {sent_at} 发送过同一附件", "the same attachment went out at {sent_at}"),
    "mail.refused.recipient": ("收件人被拒绝: {code} {reply}", "recipient refused: {code} {reply}"),
    "mail.refused.sender": ("发件人 {sender} 被拒绝: {code} {reply}", "sender {sender} refused: {code} {reply}"),
    "mail.refused.data": ("服务器拒收邮件: {code} {reply}", "the server refused the message: {code} {reply}"),
    "mail.dropped": ("连接中断，未确认送达 ({error})", "the connection dropped; delivery not confirmed ({error})"),
    "mail.tls_failed": (
        "与 {where} 建立 TLS 连接失败（证书无法验证或端口不是 SSL 端口）: {error}",
        "The TLS connection to {where} failed (the certificate cannot be verified, or the port is not an SSL port): {error}",
    ),
    "mail.unreachable": ("无法连接邮件服务器 {where}: {error}", "Cannot connect to the mail server {where}: {error}"),
    "mail.no_starttls": (
        "{where} 不支持 STARTTLS。若该服务器使用 SSL 端口（常见 465），请在收件人文件的 [smtp] 中设 security = \"ssl\"。",
        ("{where} does not support STARTTLS. If the server uses an SSL port (often 465), set "
         "security = \"ssl\" in the recipients file's [smtp]."),
    ),
    "mail.no_auth": (
        "{where} 不提供登录 (AUTH)。若该服务器无需登录，请在收件人文件的 [smtp] 中设 login = false。",
        "{where} offers no login (AUTH). If the server needs none, set login = false in the recipients file's [smtp].",
    ),
    "mail.login_failed": (
        "登录 {where} 失败: {code} {reply}。请检查环境变量 FUNNEL_XL_SMTP_USER / FUNNEL_XL_SMTP_PASSWORD。",
        "Login to {where} failed: {code} {reply}. Check the environment variables FUNNEL_XL_SMTP_USER / FUNNEL_XL_SMTP_PASSWORD.",
    ),
    "mail.starttls_failed": (
        "与 {where} 的 STARTTLS 握手失败（证书无法验证？）: {error}",
        "The STARTTLS handshake with {where} failed (certificate not verified?): {error}",
    ),
    "mail.session_failed": ("与 {where} 建立会话失败: {error}", "Cannot open a session with {where}: {error}"),
    "mail.bad_server": (
        "「{value}」不是 HOST:PORT 形式的邮件服务器地址，例如 smtp.example.com:587。",
        "'{value}' is not a mail server address of the form HOST:PORT, e.g. smtp.example.com:587.",
    ),
    # -- remind: the reps' reminders and the manager's digest (funnel_xl.remind) --------------------
    "remind.subject": ("销售漏斗提醒", "Sales funnel reminder"),
    "remind.section.stalled": ("停留超时：请复盘停滞原因", "Stalled: review why"),
    "remind.section.due": ("跟进到期（下次跟进时间）", "Follow-ups due (next follow-up)"),
    "remind.section.close_past": ("预计成交日期已过", "Expected close date passed"),
    "remind.section.stale": ("久未跟进", "No recent follow-up"),
    "remind.section.heading": ("{title}（{count} 项）", "{title} ({count})"),
    "remind.unit.days": ("天", "days"),
    "remind.unit.working_days": ("个工作日", "working days"),
    "remind.item.stalled": ("已停留 {days} {unit}（上限 {limit} {unit}）", "{days} {unit} in stage (limit {limit} {unit})"),
    "remind.item.exit": ("；退出标准：{exit}", "; exit criterion: {exit}"),
    "remind.item.review": ("；请复盘停滞原因", "; review why it stalled"),
    "remind.item.due_today": ("下次跟进时间 {date}（今天）", "next follow-up {date} (today)"),
    "remind.item.overdue": ("下次跟进时间 {date}，已过 {days} 天", "next follow-up {date}, {days} days ago"),
    "remind.item.close_past": ("预计成交日期 {date}，已过 {days} 天", "expected close {date}, {days} days ago"),
    "remind.rep.intro": ("截至 {as_of}，您负责的线索中有 {count} 项需要处理：", "As of {as_of}, {count} items on the leads you own need action:"),
    "remind.rep.closing": (
        "处理后请更新跟踪表（所属阶段、最近跟进时间、下次跟进时间）。仍未处理的事项每 {days} 天提醒一次；确需暂缓的线索请填写暂缓至和暂缓原因。",
        ("Once done, please update the tracking workbook (stage, last follow-up, next follow-up). An "
         "item still open is reminded every {days} days; to put a lead on hold, fill in its snooze "
         "date and reason."),
    ),
    "remind.rep.subject": ("{count} 项待处理", "{count} to do"),
    "remind.digest.intro": (
        "截至 {as_of}，各负责人待处理的事项如下（新提醒为本次发出的）：",
        "As of {as_of}, each rep's open items (new: reminded in this run):",
    ),
    "remind.digest.due": ("待处理", "To do"),
    "remind.digest.new": ("新提醒", "New"),
    "remind.digest.follow_up": ("跟进到期", "Follow-ups due"),
    "remind.digest.oldest": ("各负责人最久的 {count} 项", "Each rep's {count} oldest"),
    "remind.digest.owner": ("{owner}：", "{owner}:"),
    "remind.digest.subject": ("全队 {count} 项待处理", "Team: {count} to do"),
    # -- the recipients file (funnel_xl.recipients) ---------------------------------------------------
    "recipients.file": ("收件人文件", "recipients file"),
    "recipients.fail": ("收件人文件 {path} 中「{field}」{message}", "In the recipients file {path}, '{field}' {message}"),
    "recipients.ascii_local": ("（@ 前面只能用英文字母、数字和符号）", " (before the @ only Latin letters, digits and symbols)"),
    "recipients.malformed": (
        "（格式不合邮件标准，例如连续的点、末尾的点或控制字符）",
        " (not a standard mail address: e.g. two dots in a row, a dot at the end, a control character)",
    ),
    "recipients.bad_address": (
        "「{address}」不是有效的邮箱地址{reason}，应写成 name@example.com。",
        "'{address}' is not a valid mail address{reason}; write it as name@example.com.",
    ),
    "recipients.control_chars": (
        "「{text}」含有换行或控制字符，邮件标题中不能使用。",
        "'{text}' holds a line break or a control character, which a mail header cannot hold.",
    ),
    "recipients.not_flag": ("应为 true 或 false，实际是 {value}。", "must be true or false, not {value}."),
    "recipients.not_addresses": (
        "应为至少一个邮箱地址的列表，例如 [\"manager@example.com\"]。",
        "must be a list of at least one mail address, e.g. [\"manager@example.com\"].",
    ),
    "recipients.duplicate": ("中有重复的地址。", "holds an address twice."),
    "recipients.blank_name": ("中有空白的名字。", "holds a blank name."),
    "recipients.name_control_chars": ("的名字含有换行或控制字符。", "is a name with a line break or a control character."),
    "recipients.version": ("应为 1（本版本支持的格式），实际是 {value}。", "must be 1 (the format this version reads), not {value}."),
    "recipients.security": ("应为 {allowed} 之一，实际是「{value}」。", "must be one of {allowed}, not '{value}'."),
    "recipients.plain_login": (
        "为 true 时 smtp.security 不能是 none：密码不能明文发送。请改用 starttls 或 ssl。",
        "is true, so smtp.security cannot be none: a password must not go in clear. Use starttls or ssl.",
    ),
    "recipients.timeout": ("应为 1 到 600 之间的秒数，实际是 {value}。", "must be a number of seconds from 1 to 600, not {value}."),
    "recipients.missing": ("收件人文件不存在: {path}。", "The recipients file does not exist: {path}."),
    "recipients.copy_example": ("请复制仓库中的 rules/recipients.toml 填写邮箱", "Copy the repository's rules/recipients.toml and fill in the addresses"),
    "recipients.not_found": ("找不到收件人文件（找过: {places}）。", "No recipients file found (looked at: {places})."),
    "recipients.make_one": (
        "请用 funnel-xl init 建一个团队文件夹，或把 rules/recipients.toml 放在规则文件或工作簿旁边，填上邮箱",
        ("Make a team folder with funnel-xl init, or put a rules/recipients.toml beside the rules file "
         "or the workbooks, with the addresses filled in"),
    ),
    # -- reading a file (funnel_xl.files) -------------------------------------------------------------
    "files.file": ("文件", "file"),
    "files.workbook": ("工作簿", "workbook"),
    "files.csv": ("CSV 文件", "CSV file"),
    "files.not_found": ("找不到文件: {path}", "File not found: {path}"),
    "files.folder": ("{path} 是一个文件夹，不是{what}。", "{path} is a folder, not a {what}."),
    "files.cannot_open": ("无法打开 {path}: {reason}。", "Cannot open {path}: {reason}."),
    "files.not_regular": (
        "{path} 不是普通文件（可能是管道或设备），无法作为{what}读取。",
        "{path} is not a regular file (a pipe or a device?) and cannot be read as a {what}.",
    ),
    "files.limit_key": ("（规则文件 {setting}）", " (rules file {setting})"),
    "files.too_big": (
        "{name}: 文件超过 {mb} MB 的上限{limit}，不像是一份正常的{what}。{raise_it}",
        "{name}: the file is over the limit of {mb} MB{limit}; it does not look like a normal {what}.{raise_it}",
    ),
    "files.raise_limit": ("若确实需要，请在规则文件中调高上限。", " If it really is one, raise the limit in the rules file."),
    "files.read_failed": (
        "读取 {path} 时出错: {reason}。文件可能在读取过程中被移动、删除或断开了连接，请把它复制到本机后重试。",
        ("Reading {path} failed: {reason}. The file may have been moved, deleted or disconnected while "
         "it was read; copy it to this computer and try again."),
    ),
    "files.changed_meanwhile": (
        "{name}: 文件在读取过程中被修改了（可能正在保存或同步），请稍后重试。",
        "{name}: the file changed while it was read (being saved or synced?); try again in a moment.",
    ),
    # -- refresh: refusals, notes and what it wrote (funnel_xl.refresh, refresh_writer) --------------
    "refresh.not_found": ("找不到文件: {path}", "File not found: {path}"),
    "refresh.folder": (
        "{path} 是一个文件夹。refresh 一次刷新一个工作簿，请指定文件。",
        "{path} is a folder. A workbook is refreshed one at a time: name a file.",
    ),
    "refresh.refused": (
        "{name} 是{what}，refresh 不会修改它。请另存为 .xlsx 后再刷新；funnel-xl rebuild 可以直接读取此文件（只读，不修改）。",
        ("{name} is {what}, so refresh leaves it alone. Save it as .xlsx and refresh that; funnel-xl "
         "rebuild reads this file as it is (read only, never changed)."),
    ),
    "refresh.refused.xls": ("旧版 Excel 工作簿 (.xls)，无法原样写回", "an old Excel workbook (.xls), which cannot be written back as it was"),
    "refresh.refused.xlsb": ("二进制工作簿 (.xlsb)，无法原样写回", "a binary workbook (.xlsb), which cannot be written back as it was"),
    "refresh.refused.ods": ("OpenDocument 表格 (.ods)，无法原样写回", "an OpenDocument spreadsheet (.ods), which cannot be written back as it was"),
    "refresh.not_xlsx": (
        "{name}: refresh 只能刷新 .xlsx 或 .xlsm 工作簿（此文件是「{suffix}」）。",
        "{name}: only .xlsx and .xlsm workbooks can be refreshed (this file is '{suffix}').",
    ),
    "refresh.locked": (
        "{name} 正在 Excel、WPS 或 LibreOffice 中打开（旁边有锁文件 {lock}）。请先保存并关闭它再刷新；若确定没有打开，请删除这个锁文件。",
        ("{name} is open in Excel, WPS or LibreOffice (the lock file {lock} is beside it). Save and "
         "close it, then refresh; if it is surely not open, delete that lock file."),
    ),
    "refresh.read_only": (
        "{name} 是只读文件，refresh 不会修改它。请取消只读属性后再刷新。",
        "{name} is read-only, so refresh leaves it alone. Clear its read-only attribute, then refresh.",
    ),
    "refresh.folder_read_only": (
        "文件夹 {folder} 是只读的，无法在其中写入刷新后的文件和备份。请换一个可写的位置。",
        "The folder {folder} is read-only: the refreshed file and its backup cannot be written there. Use a writable place.",
    ),
    "refresh.unparsable": (
        "{name}: 「{sheet}」的内容无法按 .xlsx 的结构解析，不能刷新 ({error})。rebuild 仍可读取此文件。",
        "{name}: the sheet '{sheet}' cannot be parsed as .xlsx, so it cannot be refreshed ({error}). rebuild still reads the file.",
    ),
    "refresh.formulas": (
        "{name}: 「{sheet}」的 {cells}{more} 是公式。refresh 读取的列须是数值：公式存的计算结果可能不是最新的，没有计算结果时会读成空值。请把这些单元格转换为数值（复制 → 选择性粘贴 → 数值）后再刷新。",
        ("{name}: {cells}{more} of the sheet '{sheet}' hold formulas. The columns refresh reads must "
         "hold values: a formula's stored result may be stale, and one without a result reads as "
         "blank. Turn these cells into values (Copy → Paste Special → Values), then refresh."),
    ),
    "refresh.formulas.more": (" 等 {count} 个单元格", " ({count} cells in all)"),
    "refresh.unreadable": ("无法读取 {path}: {reason}", "Cannot read {path}: {reason}"),
    "refresh.changed_meanwhile": (
        "{name} 在刷新过程中被修改（可能有人刚保存了它），未写入。请重新运行 refresh。",
        "{name} changed while it was refreshed (someone just saved it?); nothing was written. Run refresh again.",
    ),
    "refresh.formulas_recalculated": (
        "工作簿中的公式已保留，打开时 Excel/WPS 会重新计算，请保存一次以存入新的计算结果。",
        "The workbook's formulas are kept; Excel/WPS recalculate them on opening: save once to store the new results.",
    ),
    "refresh.computed_header": ("由 funnel-xl 自动计算，请勿手工填写", "Calculated by funnel-xl; please do not type here"),
    "refresh.estimate.note": (
        "funnel-xl 估算（{as_of} 刷新）：「{stage}」阶段的进入日期表中未填写，按 最近跟进时间 {last} − 当前阶段停留时长 {typed} {unit} 估算为 {day}。如知道实际日期，请直接改写本单元格并删除此批注。",
        ("funnel-xl estimate (refreshed {as_of}): the date the lead entered '{stage}' is blank in the "
         "sheet; estimated as last follow-up {last} − days in stage {typed} {unit} = {day}. If you "
         "know the real date, type it over this cell and delete this note."),
    ),
    # -- the history store (funnel_xl.store) -----------------------------------------------------------
    "store.as_of_of": ("{month} 的截止日", "the as-of date of {month}"),
    "store.snapshot_column": ("{month} 的快照中 {column}", "{column} in the snapshot of {month}"),
    "store.bad_period": ("期间「{month}」（{kind}）的写法不对", "the period '{month}' ({kind}) is not written right"),
    "store.bad_run": ("{month} 的运行记录无法读取: {error}", "the run record of {month} cannot be read: {error}"),
    "store.bad_inputs": ("{month} 的输入文件列表无法读取", "the list of input files of {month} cannot be read"),
    "store.bad_date": ("{what}「{text}」不是可用的日期", "{what} '{text}' is not a usable date"),
    "store.bad_version": ("格式版本「{version}」不是整数", "the format version '{version}' is not a whole number"),
    "store.damaged": ("历史记录库 {path} 的内容已损坏（{detail}）。", "The history store {path} is damaged ({detail})."),
    "store.cannot_create": ("无法创建历史记录库 {path}: {reason}。", "Cannot create the history store {path}: {reason}."),
    "store.folder": ("历史记录库 {path} 是一个文件夹，不是 SQLite 文件。", "The history store {path} is a folder, not an SQLite file."),
    "store.unreadable": ("无法读取历史记录库 {path}: {reason}。", "Cannot read the history store {path}: {reason}."),
    "store.not_sqlite": (
        "{path} 不是历史记录库（不是 SQLite 文件），未做任何改动。",
        "{path} is not a history store (not an SQLite file); nothing was changed.",
    ),
    "store.foreign": (
        "{path} 不是 funnel-xl 的历史记录库（其中已有其他数据表: {tables}），为避免覆盖，未做任何改动。",
        "{path} is not a funnel-xl history store (it holds other tables: {tables}); to overwrite nothing, nothing was changed.",
    ),
    "store.newer": (
        "历史记录库 {path} 由更新版本的 funnel-xl 创建（格式版本 {version}，本版本支持到 {supported}）。",
        "The history store {path} was made by a newer funnel-xl (format version {version}; this version reads up to {supported}).",
    ),
    "store.locked": ("历史记录库 {path} 正被另一个程序占用（{error}）。", "The history store {path} is in use by another program ({error})."),
    "store.corrupt": ("历史记录库 {path} 已损坏或不是 SQLite 文件（{error}）。", "The history store {path} is damaged or not an SQLite file ({error})."),
    "store.unusable": ("无法使用历史记录库 {path}（{error}）。", "Cannot use the history store {path} ({error})."),
    "store.advice.restore": ("请从备份恢复或移走该文件", "Restore it from a backup or move the file away"),
    "store.advice.other_path": ("请换一个路径", "Use another path"),
    "store.advice.check_path": ("请检查历史记录库的路径", "Check the history store's path"),
    "store.advice.another_file": ("请指定另一个文件", "Name another file"),
    "store.advice.upgrade": ("请升级 funnel-xl", "Upgrade funnel-xl"),
    "store.advice.wait": ("请等它结束后重试", "Wait until it is done and try again"),
    # -- writing outputs (funnel_xl.atomic), the input folders (funnel_xl.inputs) ---------------------
    "atomic.folder": ("无法在 {folder} 写入输出文件: {reason}。请换一个可写的位置。", "Cannot write output files in {folder}: {reason}. Use a writable place."),
    "atomic.replace": (
        "无法写入 {target}: {reason}。若文件正在 Excel/WPS 中打开，请先关闭后重试；原有的文件保持不变。",
        "Cannot write {target}: {reason}. If the file is open in Excel/WPS, close it and try again; the old file is left as it was.",
    ),
    "atomic.write": ("无法写入 {target}: {reason}。原有的文件保持不变。", "Cannot write {target}: {reason}. The old file is left as it was."),
    "atomic.overwrite": (
        "输出文件 {target} 就是{what} {source}，写入会覆盖它，已停止。请换一个输出目录或文件名。",
        "The output file {target} is the {what} {source}; writing it would overwrite it, so nothing was written. Use another output folder or file name.",
    ),
    "atomic.input": ("输入文件", "input file"),
    "atomic.rules_file": ("规则文件", "rules file"),
    "atomic.history": ("历史记录库", "history store"),
    "atomic.other_output": ("本次的另一个输出文件", "another output file of this run"),
    "inputs.not_found": ("找不到文件或文件夹: {path}", "No such file or folder: {path}"),
    "inputs.folder_unreadable": ("无法读取文件夹 {path}: {reason}", "Cannot read the folder {path}: {reason}"),
    "inputs.no_workbooks": (
        "文件夹 {path} 中没有可读取的工作簿（.xlsx 等）。请把各销售代表的跟踪表放进这个文件夹。",
        "The folder {path} holds no workbook to read (.xlsx etc.). Put the reps' tracking workbooks in it.",
    ),
    "skip.lock_file": ("Excel/WPS 打开文件时留下的锁文件", "a lock file Excel/WPS leave while a file is open"),
    "skip.hidden": ("隐藏文件（临时文件或系统文件）", "a hidden file (temporary or system)"),
    "skip.not_a_workbook": ("不是工作簿", "not a workbook"),
    "skip.backup": ("funnel-xl refresh 留下的备份", "a backup left by funnel-xl refresh"),
    "skip.report": ("funnel-xl 生成的分析报告", "a report funnel-xl wrote"),
    "inputs.none": ("没有指定要读取的工作簿。", "No workbook was given to read."),
    "progress.log": ("跟进记录", "follow-up log"),
    "groups.stale_unremovable": ("无法删除过期的分人报告 {path}: {reason}", "Cannot delete the out-of-date split report {path}: {reason}"),
    # -- the period of a run (funnel_xl.period), the team folder (funnel_xl.teamfolder) -----------------
    "period.bad_week": (
        "周「{week}」格式不对或不存在，应写成 YYYY-Www，例如 2024-W22（ISO 周，周一至周日；并非每年都有第 53 周）。",
        "The week '{week}' is written wrong or does not exist: write YYYY-Www, e.g. 2024-W22 (an ISO week, Monday to Sunday; not every year has a week 53).",
    ),
    "period.start_after_end": ("起始日 {start} 晚于截止日 {end}。", "The first day {start} is after the last day {end}."),
    "period.start_alone": (
        "起始日需要与截止日一起给出（不能与月份或周同时使用）。",
        "A first day needs a last day (and goes with neither a month nor a week).",
    ),
    "period.one_only": ("截止日、月份与周只能指定一个。", "Give only one of an as-of date, a month and a week."),
    "period.bad_month": ("月份「{month}」格式不对，应写成 YYYY-MM，例如 2024-05。", "The month '{month}' is written wrong: write YYYY-MM, e.g. 2024-05."),
    "period.out_of_range": (
        "截止日 {day} 超出可统计的日期范围（{first} 至 {last}），请给出一个实际的截止日，例如 2024-05-31。",
        "The as-of date {day} is outside the dates that can be counted ({first} to {last}); give a real as-of date, e.g. 2024-05-31.",
    ),
    "team.taken": (
        "{root} 里已经有 {files}，没有改动任何文件。请换一个新文件夹，或先把这些文件移走。",
        "{root} already holds {files}; nothing was changed. Use a new folder, or move those files away first.",
    ),
    "team.is_file": ("{root} 是一个文件，不是文件夹。请给出一个文件夹的路径。", "{root} is a file, not a folder. Give the path of a folder."),
    # -- a workbook refused before it is read (funnel_xl.container, sheets) -----------------------------
    "container.too_big": (
        "{name}: 文件超过 {mb} MB 的上限（规则文件 [limits] max_file_mb）。",
        "{name}: the file is over the limit of {mb} MB (rules file [limits] max_file_mb).",
    ),
    "container.encrypted": (
        "{name}: 工作簿已加密（设置了打开密码），无法读取。请在 Excel/WPS 中打开，另存一份不带密码的副本后再试。",
        "{name}: the workbook is encrypted (it has an open password) and cannot be read. Open it in Excel/WPS, save a copy without the password and try that.",
    ),
    "container.corrupt": (
        "{name}: 文件已损坏或不完整{detail}，无法作为工作簿读取。它可能在下载、邮件传输或保存时被截断；请重新获取原文件，或在 Excel/WPS 中打开后另存一份再试。",
        ("{name}: the file is damaged or incomplete{detail} and cannot be read as a workbook. It may "
         "have been cut short while downloaded, mailed or saved; get the original again, or open it "
         "in Excel/WPS, save a copy and try that."),
    ),
    "container.detail": ("（{detail}）", " ({detail})"),
    "container.detail.zip": ("压缩包结构损坏", "the zip structure is damaged"),
    "container.detail.content_xml": ("content.xml 内容有误", "content.xml is malformed"),
    "container.detail.part_unpack": ("部件 {part} 无法解压", "the part {part} cannot be unpacked"),
    "container.detail.part_bad": ("部件 {part} 内容有误", "the part {part} is malformed"),
    "container.detail.sheet_outside": ("工作表「{sheet}」有无法处理的超出上限的单元格", "the sheet '{sheet}' has cells beyond the limits that cannot be handled"),
    "container.detail.cell_ref": ("工作表「{sheet}」的单元格地址「{ref}」有误", "the sheet '{sheet}' has a wrong cell address '{ref}'"),
    "container.detail.sheet_bad": ("工作表「{sheet}」的内容有误", "the sheet '{sheet}' is malformed"),
    "container.detail.sheet_unparsable": ("工作表「{sheet}」无法解析", "the sheet '{sheet}' cannot be parsed"),
    "container.empty": ("{name}: 文件是空的（0 字节）。请检查是否保存完整。", "{name}: the file is empty (0 bytes). Check that it was saved completely."),
    "container.unsupported.xlsb": (
        "{name}: 暂不支持Excel 二进制工作簿 (.xlsb)，请在 Excel/WPS/LibreOffice 中另存为 .xlsx 后再试。",
        "{name}: Excel binary workbooks (.xlsb) are not read yet; save it as .xlsx in Excel/WPS/LibreOffice and try that.",
    ),
    "container.bad_suffix": (
        "{name}: 不支持的文件类型「{suffix}」，请提供 .xlsx 工作簿。",
        "{name}: the file type '{suffix}' is not supported; give an .xlsx workbook.",
    ),
    "container.pdf": (
        "{name}: 不是 Excel 工作簿，而是一个改了扩展名的 PDF 文件。请提供 .xlsx 工作簿。",
        "{name}: not an Excel workbook but a PDF file with another extension. Give an .xlsx workbook.",
    ),
    "container.html": (
        "{name}: 不是真正的 Excel 工作簿，而是网页(HTML)或 XML 格式的表格（有些系统和 WPS 会这样导出）。请用 Excel/WPS 打开后另存为 .xlsx 再试。",
        ("{name}: not a real Excel workbook but a table as a web page (HTML) or XML (some systems and "
         "WPS export that). Open it in Excel/WPS, save it as .xlsx and try that."),
    ),
    "container.text": (
        "{name}: 不是 Excel 工作簿，文件内容是纯文本（可能是改了扩展名的 CSV）。请用 Excel/WPS 打开后另存为 .xlsx 再试。",
        "{name}: not an Excel workbook: the file is plain text (a CSV with another extension?). Open it in Excel/WPS, save it as .xlsx and try that.",
    ),
    "container.other": (
        "{name}: 不是 Excel 工作簿（文件内容不是 xlsx 格式，可能是改了扩展名的其他文件）。",
        "{name}: not an Excel workbook (the content is not xlsx; another kind of file with another extension?).",
    ),
    "container.too_far": (
        "{name}: 工作表「{sheet}」的数据超出上限：有内容的单元格远到 {cell}，上限为 {rows} 行 × {columns} 列（规则文件 [limits] max_rows / max_columns）。请删除多余的行列或把数据拆成几个文件。",
        ("{name}: the sheet '{sheet}' goes beyond the limits: it has content as far as {cell}, the "
         "limit is {rows} rows × {columns} columns (rules file [limits] max_rows / max_columns). Delete "
         "the extra rows and columns or split the data into several files."),
    ),
    "container.too_many_cells": (
        "{name}: 工作表「{sheet}」的数据范围有 {rows} 行 × {columns} 列，超过 {limit} 个单元格的上限（规则文件 [limits] max_cells）。请删除多余的行列或把数据拆成几个文件。",
        ("{name}: the sheet '{sheet}' spans {rows} rows × {columns} columns, over the limit of {limit} "
         "cells (rules file [limits] max_cells). Delete the extra rows and columns or split the data "
         "into several files."),
    ),
    "container.parts": (
        "{name}: 文件内含 {parts} 个部件，超过上限 {limit}（规则文件 [limits] max_zip_entries），不像正常的工作簿，已拒绝读取。",
        "{name}: the file holds {parts} parts, over the limit of {limit} (rules file [limits] max_zip_entries); not a normal workbook, refused.",
    ),
    "container.unpacked": (
        "{name}: 解压后有 {mb} MB，超过上限 {limit} MB（规则文件 [limits] max_unpacked_mb），可能是恶意的“压缩炸弹”文件，已拒绝读取。",
        "{name}: unpacked it is {mb} MB, over the limit of {limit} MB (rules file [limits] max_unpacked_mb); possibly a malicious 'zip bomb', refused.",
    ),
    "container.ratio": (
        "{name}: 压缩比 {ratio} 倍，超过上限 {limit} 倍（规则文件 [limits] max_compression_ratio），可能是恶意的“压缩炸弹”文件，已拒绝读取。",
        "{name}: compressed {ratio} times, over the limit of {limit} times (rules file [limits] max_compression_ratio); possibly a malicious 'zip bomb', refused.",
    ),
    "container.not_workbook": (
        "{name}: 不是 Excel 工作簿，而是{what}。请提供 .xlsx 工作簿（可在 Excel/WPS 中另存为 .xlsx）。",
        "{name}: not an Excel workbook but {what}. Give an .xlsx workbook (Excel/WPS can save one as .xlsx).",
    ),
    "container.what.xlsb": ("一个 Excel 二进制工作簿 (.xlsb)", "an Excel binary workbook (.xlsb)"),
    "container.what.odf": ("一个 OpenDocument 文件 (.ods/.odt)", "an OpenDocument file (.ods/.odt)"),
    "container.what.word": ("一个 Word 文档", "a Word document"),
    "container.what.powerpoint": ("一个 PowerPoint 演示文稿", "a PowerPoint presentation"),
    "container.what.zip": ("一个普通的 zip 压缩包", "a plain zip archive"),
    # -- the CLI's own lines (funnel_xl.cli): errors, progress, refresh, mail, remind -------------------
    "cli.full_stop": ("。", "."),
    "cli.memory": ("内存不足：文件过大，无法处理。", "Out of memory: the file is too large to process."),
    "cli.one_period": ("--as-of、--month、--week 与 --from/--to 只能指定一个。", "Give only one of --as-of, --month, --week and --from/--to."),
    "cli.or_to_rules": ("{text}，或用 --to-rules 指定。", "{text}, or name one with --to-rules."),
    "cli.rebuild_first": ("{problem}请先运行 {command}。", "{problem} Run {command} first."),
    "cli.tracking_file": ("跟踪表.xlsx", "tracking.xlsx"),
    "cli.skip_history": ("{problem}{advice}，可加 --no-history 跳过历史记录，照常生成本月报告。", "{problem} {advice}, or add --no-history to skip the history and make the month's report as usual."),
    "cli.skip_history.after": ("{text}可加 --no-history 跳过历史记录，照常生成本月报告。", "{text} Add --no-history to skip the history and make the month's report as usual."),
    "cli.store.advice.other_path": ("请换一个路径（--history）", "Use another path (--history)"),
    "cli.store.advice.check_path": ("请检查 --history 指定的路径", "Check the path given with --history"),
    "cli.store.advice.another_file": ("请用 --history 指定另一个文件", "Name another file with --history"),
    "cli.bad_date": ("「{value}」不是 YYYY-MM-DD 格式的日期，例如 2024-05-31。", "'{value}' is not a date of the form YYYY-MM-DD, e.g. 2024-05-31."),
    "cli.to_and_as_of": ("--to 与 --as-of 只能指定一个（--to 就是截止日）。", "Give only one of --to and --as-of (--to is the as-of date)."),
    "cli.from_without_to": ("--from 与 --to 需要一起给出。", "--from and --to go together."),
    "cli.unexpected": (
        "错误: 意外故障 ({error})。请把这条信息和输入文件交给维护者；设置环境变量 FUNNEL_XL_DEBUG=1 可看到详细信息。",
        "Error: an unexpected failure ({error}). Please give this line and the input files to the maintainers; set the environment variable FUNNEL_XL_DEBUG=1 to see the details.",
    ),
    "cli.demo.done": ("示例工作簿已生成: {path}", "Example workbook written: {path}"),
    "cli.template.done": ("模板已生成: {path}", "Template written: {path}"),
    "cli.skip": ("跳过 {path}（{reason}）", "Skipped {path} ({reason})"),
    "cli.skip.others": ("另有 {count} 个不是工作簿的文件未读取。", "{count} more files that are not workbooks were not read."),
    "progress.read": ("读取", "Reading"),
    "progress.validate": ("校验", "Checking"),
    "progress.compute": ("计算指标", "Calculating"),
    "progress.write": ("写入工作表", "Writing"),
    "progress.save": ("保存", "Saving"),
    "progress.rows": ("（{done}/{total} 行）", " ({done}/{total} rows)"),
    "cli.refresh.problems": (
        "数据问题: 错误 {errors} 个（这些行未刷新），警告 {warnings} 个（用 funnel-xl validate 查看全部）",
        "Data problems: {errors} errors (those rows were not refreshed), {warnings} warnings (funnel-xl validate lists them all)",
    ),
    "cli.refresh.total": (
        "共 {files} 个工作簿：已刷新 {written} 个，无需更新 {unchanged} 个，未刷新 {refused} 个{names}",
        "{files} workbooks: {written} refreshed, {unchanged} with nothing to change, {refused} not refreshed{names}",
    ),
    "cli.refresh.refused_names": ("（{names}）", " ({names})"),
    "cli.refresh.where": ("{path}「{sheet}」，截止 {as_of}", "{path} '{sheet}', as of {as_of}"),
    "cli.refresh.unchanged": ("没有需要更新的内容，文件未改动: {where}", "Nothing to update, the file is unchanged: {where}"),
    "cli.refresh.done": ("已刷新: {where}", "Refreshed: {where}"),
    "cli.refresh.column_added": ("新增列「{header}」（{cell} 起）", "Added the column '{header}' (from {cell})"),
    "cli.refresh.counts": (
        "停留时长更新 {dwell} 格，阶段通过率更新 {pass_rate} 格，写入估算的阶段进入日期 {estimates} 条（单元格带批注）",
        "Days in stage updated in {dwell} cells, pass rates in {pass_rate} cells, {estimates} estimated stage-entered dates written (each with a note)",
    ),
    "cli.refresh.cleared": (
        "已清除 {count} 条不再适用的估算日期（线索已进入新阶段）",
        "Cleared {count} estimated dates that no longer apply (the leads moved on)",
    ),
    "cli.refresh.stalled": (
        "停留超时 {count} 条（标色 {highlighted} 格，取消标色 {unhighlighted} 格）",
        "{count} stalled leads ({highlighted} cells highlighted, {unhighlighted} highlights removed)",
    ),
    "cli.refresh.backup": ("备份: {path}", "Backup: {path}"),
    "cli.refresh.no_backup": ("未保留备份（--no-backup）", "No backup kept (--no-backup)"),
    "cli.refresh.lead_row": ("{lead}(第 {row} 行)", "{lead} (row {row})"),
    "cli.refresh.more": (" 等 {count} 条", " ({count} in all)"),
    "cli.refresh.entered_unknown": (
        "没有阶段进入日期、停留时长无法计算的在跟线索: {leads}{more}。请填写「{header}」。",
        "Open leads without a stage-entered date, whose days in stage cannot be counted: {leads}{more}. Please fill in '{header}'.",
    ),
    "cli.refresh.fills_kept": ("以下停留超时的单元格保留了您自己设置的底色: {cells}", "These stalled cells keep the fill you gave them: {cells}"),
    "cli.refresh.formulas_kept": ("以下单元格是您写的公式，未覆盖: {cells}", "These cells hold your formulas and were not overwritten: {cells}"),
    "cli.outbox_or_smtp": ("--outbox 与 --smtp 只能指定一个：写成文件，或者发送。", "Give only one of --outbox and --smtp: write the messages as files, or send them."),
    "cli.mail.no_period": (
        "请用 --month YYYY-MM（或 --week YYYY-Www、--as-of DATE、--from DATE --to DATE，与 rebuild 时一致）指定要发送的期间。",
        "Name the period to mail with --month YYYY-MM (or --week YYYY-Www, --as-of DATE, --from DATE --to DATE, as for the rebuild).",
    ),
    "cli.mail.to_server": ("发送到 {server}", "sending to {server}"),
    "cli.mail.to_outbox": ("写入 {folder}", "writing to {folder}"),
    "cli.mail.dry_run": ("试运行（{target}），共 {count} 封：", "Dry run ({target}), {count} messages:"),
    "cli.mail.will_skip": ("  [已于 {sent_at} 发送过，将跳过]", "  [sent at {sent_at}, will be skipped]"),
    "cli.mail.written": ("已写入: {path}  ({label})", "Written: {path}  ({label})"),
    "cli.mail.written_total": (
        "共 {count} 封，已写成 .eml 文件：用邮件客户端打开即可核对并发送。",
        "{count} messages written as .eml files: open them in a mail client to check and send.",
    ),
    "cli.mail.unaddressed": (
        "未发送: 「{name}」没有邮箱地址，请在 {path} 的 [{table}] 中添加。",
        "Not sent: '{name}' has no mail address; add one to [{table}] in {path}.",
    ),
    "cli.mail.did_you_mean": ("（是否指「{name}」？）", " (did you mean '{name}'?)"),
    "cli.mail.unknown": ("注意: {path} 中的「{name}」本期没有工作簿{hint}", "Note: '{name}' in {path} has no workbook this period{hint}"),
    "cli.mail.sent": ("已发送: {label} ← {attachment}", "Sent: {label} ← {attachment}"),
    "cli.mail.skipped": ("跳过: {label}（{detail}）", "Skipped: {label} ({detail})"),
    "cli.mail.failed": ("失败: {label}: {detail}", "Failed: {label}: {detail}"),
    "cli.mail.total": (
        "共 {count} 封：发送 {sent}，跳过 {skipped}，失败 {failed}。",
        "{count} messages: {sent} sent, {skipped} skipped, {failed} failed.",
    ),
    "cli.mail.rerun": ("修正后重新运行同一命令即可：已发送的不会重复发送。", "Fix it and run the same command again: what was sent is not sent twice."),
    "cli.smtp.login_needed": (
        "需要登录邮件服务器：请设置环境变量 FUNNEL_XL_SMTP_USER 和 FUNNEL_XL_SMTP_PASSWORD，或在终端中运行以便输入；若服务器无需登录，在收件人文件的 [smtp] 中设 login = false。",
        ("The mail server needs a login: set the environment variables FUNNEL_XL_SMTP_USER and "
         "FUNNEL_XL_SMTP_PASSWORD, or run in a terminal to type them; if the server needs none, set "
         "login = false in the recipients file's [smtp]."),
    ),
    "cli.smtp.user": ("邮件服务器用户名", "Mail server user name"),
    "cli.smtp.password": ("邮件服务器密码", "Mail server password"),
    "cli.remind.not_working_day": ("{day} 不是工作日，不发送提醒（需要时加 --any-day）。", "{day} is not a working day: no reminders (add --any-day to send anyway)."),
    "cli.remind.unaddressed": (
        "注意: 「{owner}」没有邮箱地址，其提醒只列在经理的汇总中；请在 {path} 的 [reps] 中添加。",
        "Note: '{owner}' has no mail address, so their reminders are only in the manager's digest; add one to [reps] in {path}.",
    ),
    "cli.remind.dry_run": ("试运行（{day}），共 {count} 封：", "Dry run ({day}), {count} messages:"),
    "cli.remind.owner_items": ("  {owner}: {count} 项", "  {owner}: {count} items"),
    "cli.remind.nothing_new": (
        "{day}: 没有新的提醒（到期 {count} 项都已在重复间隔内提醒过）。",
        "{day}: no new reminder (all {count} items due were reminded within the repeat interval).",
    ),
    "cli.remind.failed": ("失败: {label}: {detail}（下次运行时重发）", "Failed: {label}: {detail} (sent again on the next run)"),
    "cli.remind.sent": ("已发送: {label}", "Sent: {label}"),
    "cli.remind.written": ("已写入: {label}  {path}", "Written: {label}  {path}"),
}


def _split(index: int) -> dict[str, str]:
    return {key: pair[index] for key, pair in MESSAGES.items()}


CATALOGUES = {ZH: _split(0), EN: _split(1)}
LANGUAGES = tuple(CATALOGUES)


class Catalogue:
    """The texts of one language: ``t("fig.total")``, ``t("overview.title", as_of="2024-05-31")``."""

    def __init__(self, lang: str = ZH):
        if lang not in CATALOGUES:
            raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
        self.lang = lang
        self._texts = CATALOGUES[lang]

    def __call__(self, key: str, **values: object) -> str:
        text = self._texts[key]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._texts

    def join(self, items) -> str:
        return self._texts["list_sep"].join(str(i) for i in items)


def catalogue(lang: str = ZH) -> Catalogue:
    return Catalogue(lang)


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a text fills in (for the test that keeps both languages in step)."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}
