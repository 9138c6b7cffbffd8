"""The command line's help in both languages, so that one run speaks one language.

The commands' docstrings are the English help and the options' ``help=`` the Chinese; this module
holds the other half of each: the Chinese help of every command (by its path, ``"rules init"``) and
the English help of every option (by parameter name, or ``"command.name"`` where one name means
different things), and click's own words. The command line picks the language per run.
"""

from __future__ import annotations

COMMANDS_ZH = {
    "": "funnel-xl：销售漏斗跟踪表的模板、校验、重算与月度分析报告。",
    "init": """建一个团队文件夹：inbox/ 放销售的工作簿，rules/（可修改的 funnel.toml 和 recipients.toml），
    output/，跟踪表模板和一份简短的 使用说明.txt。

    之后在这个文件夹里运行（或给出它的 inbox/、output/）的命令都会使用它的规则和收件人，不用写
    --rules。已有的文件一概不覆盖。

    示例: funnel-xl init 华东销售部
    """,
    "template": """按规则生成给销售填写的跟踪工作簿。

    示例: funnel-xl template -o 跟踪表.xlsx
    """,
    "demo": """生成一份逼真的示例跟踪工作簿（由随机种子决定，可重现）。

    示例: funnel-xl demo -o examples/sample_tracking.xlsx
    """,
    "validate": """检查销售的工作簿（文件或放工作簿的文件夹），按文件、工作表、行、列列出每个问题。

    示例: funnel-xl validate examples/sample_tracking.xlsx --as-of 2024-05-31
    文件夹代表其中的每个工作簿（不含子文件夹）；Office 锁文件、本工具的报告和 refresh 的备份会跳过。
    退出码 0：没有错误（可以有警告）；1：有错误的行，或有读不了的工作簿（其余照常检查）；2：没有
    可用的工作簿。
    """,
    "rebuild": """重新计算一个工作簿或整个团队的漏斗，写出月度分析报告。

    示例: funnel-xl rebuild examples/sample_tracking.xlsx --as-of 2024-05-31
    团队: funnel-xl rebuild inbox/ --month 2024-05（文件夹里的每个工作簿，一人一个）。
    一周: funnel-xl rebuild inbox/ --week 2024-W22（ISO 周；或 --from DATE --to DATE）。

    每次运行都记进历史记录库（默认 OUT/history.sqlite，--history PATH 换一个，--no-history 不用）：
    两个月之间的阶段变化和 12 个月的趋势都来自它。重新运行同一个月会替换该月的快照。

    用 --split-by owner 时每位销售另得一份自己的工作簿（自己的漏斗与团队对照、在跟线索、预警和
    数据问题），供 funnel-xl mail 发送。

    示例: funnel-xl rebuild examples/sample_tracking.xlsx --month 2024-05 --split-by owner

    退出码 0：报告已写出，没有错误；1：报告已写出，有错误的行被排除或有工作簿读不了（列在
    「数据问题」里）；2：什么也没做成。
    """,
    "refresh": """把重新计算的列直接写回销售自己的工作簿。

    示例: funnel-xl refresh inbox/张伟.xlsx --as-of 2024-05-31
    多个文件或文件夹（每个工作簿单独计算）: funnel-xl refresh inbox/ --month 2024-05
    写入 当前阶段停留时长(天) 和 转化率/阶段通过率(可选)，在需要估算的地方填上空着的
    阶段进入日期（附批注），给停留超时的线索标色；其余一切保持原样。除非 --no-backup，每个文件
    旁边都保留一份带时间戳的备份。拒绝 .xls/.ods、在 Excel/WPS 中打开着的工作簿（~$ 锁文件）和只读文件。
    退出码 0：已刷新（或没有要改的）；1：有错误的行保持原样，或几个工作簿中有的没有刷新；2：没有
    刷新任何工作簿。
    """,
    "mail": """发送本月邮件：团队报告给经理，每位销售自己的工作簿。

    读取 funnel-xl rebuild … --split-by owner 为这个月写出的文件。默认把邮件写成 .eml 文件（不离开
    本机）；--smtp 则按收件人文件的设置（STARTTLS、登录）发送。登录名和密码来自环境变量
    FUNNEL_XL_SMTP_USER 和 FUNNEL_XL_SMTP_PASSWORD，或运行时提示输入。金额单位是规则的 amount_unit。
    重新运行只发送还没发出的邮件（记录在该月文件夹的 sent-log.jsonl）。

    示例: funnel-xl mail --month 2024-05 --dry-run

    示例: funnel-xl mail --month 2024-05 --smtp smtp.example.com:587

    退出码 0：全部写出或发出；1：有邮件没发出去；2：什么也没做成。
    """,
    "remind": """提醒每位销售今天要做的事，并给经理发一封汇总：供系统的计划任务每天运行。

    每位销售最多一封：停留超时的线索（附该阶段的退出标准和“请复盘停滞原因”）、今天到期或已逾期的
    跟进、已过的预计成交日期、久未跟进的线索——即当天报告的「预警」，暂缓中的线索不提醒。一项事情
    第一次到期时发送，之后只要仍未处理，每 [remind] repeat_days 天再发一次；同一天重新运行不会重复
    发送，没发出去的下次运行再发。非工作日（中国工作日历）不发送，除非 --any-day。

    示例: funnel-xl remind inbox/ --smtp smtp.example.com:587

    示例: funnel-xl remind examples/sample_tracking.xlsx --as-of 2024-05-31 --dry-run

    退出码 0：全部写出或发出（或没有到期的事）；1：有邮件没发出去；2：什么也没做成。
    """,
    "rules": """为格式不同于团队模板的表格起草并检查规则文件。

    示例: funnel-xl rules init --from export.csv -o my_rules.toml

    示例: funnel-xl rules check my_rules.toml export.csv
    """,
    "rules init": """照着一张表（CRM 导出、CSV）起草一份通常无需修改的规则文件。

    草稿（带注释的 TOML）从内置规则（或 --rules，其 [sheets] leads 指定工作表）开始：选出最像商机表
    的工作表（或 --sheet），把每个表头对应到字段（认识 Salesforce、HubSpot、Pipedrive、Zoho、Odoo
    和国内 CRM 的导出），从值或状态列识别成交与流失，排好阶段顺序（按编号列、CRM 自己的顺序，否则
    按数据），并推断金额单位、日期写法、语言和渠道列。表格无法确定的猜测标为 CHECK。用
    funnel-xl rules check 对照表格检查它。

    示例: funnel-xl rules init --from export.xlsx --sheet sales_pipeline -o my_rules.toml

    退出码 0：已起草；2：文件或工作表读不了，或输出文件已存在（用 --force 覆盖）。
    """,
    "rules check": """检查规则文件并说明每个错误；给出工作簿时，说明它会怎样读取每一个。

    一次列出文件中的所有错误，每个都指出键名和允许的写法。给出工作簿（或 CSV 文件）时，还会显示
    每个字段在哪一列找到、缺少的可选列、规则不认识的阶段值、按类别统计的数据问题，以及每一个会是
    空的或没有意义的数字（没有金额：没有管道金额；没有阶段日期：没有停留时长；没有流失阶段：流失
    无法归到阶段；单子的日期与阶段顺序相反）。它用规则的语言（lang）输出。

    示例: funnel-xl rules check examples/crm-pipelines/rules.toml

    示例: funnel-xl rules check my_rules.toml export.csv --as-of 2024-09-30

    退出码 0：规则有效（并能读取给出的每个工作簿）；2：规则有错，或有工作簿按这些规则读不了
    （缺少必需的列）。
    """,
}

COMMAND_EN = {"": "funnel-xl: the sales funnel tracking workbook's template, checks, recalculation and monthly report."}

OPTIONS_EN = {
    "version": "Show the version and exit.",
    "help": "Show this message and exit.",
    "init.lang": "The team folder's language: the rules' lang, the names of the guide and the template.",
    "output": "Output path (.xlsx).",
    "rules init.output": "Write the rules file here (default: print it).",
    "seed": "Random seed: the same seed makes the same data.",
    "n_leads": "Number of leads.",
    "rules_path": (
        "Rules file (TOML). Default: rules/funnel.toml of the team folder (beside the workbooks, one folder "
        "up, or the current folder), else the built-in rules."
    ),
    "as_of": "As-of date YYYY-MM-DD (default today).",
    "month": "Month YYYY-MM; the as-of date is its last day.",
    "week": "ISO week YYYY-Www (Monday to Sunday), e.g. 2024-W22; the as-of date is its Sunday.",
    "start": "First day of the period YYYY-MM-DD, given with --to.",
    "end": "Last day of the period (the as-of date) YYYY-MM-DD, given with --from.",
    "fmt": "Print the problems as text or as JSON.",
    "encoding": "Encoding of CSV files (e.g. utf-8, gb18030), instead of the rules' [input] encoding; default: detected.",
    "lang": "Language of the report, the data problems and the summary: zh (Chinese, default) or en, instead of the rules' lang.",
    "refresh.lang": "Language of the notes written into the workbook and of the messages: zh (Chinese, default) or en, instead of the rules' lang.",
    "mail.lang": "Language of the mail and of the messages: zh (Chinese, default) or en, instead of the rules' lang.",
    "remind.lang": "Language of the reminders and of the messages: zh (Chinese, default) or en, instead of the rules' lang.",
    "rules init.lang": "The drafted rules' language (lang) and this command's messages: zh or en (default: guessed from the sheet, zh when its headers or stages hold Chinese).",
    "quiet": "Show no progress (progress shows only on a terminal, for runs over 1 second).",
    "out_dir": "Folder for the report.",
    "mail.out_dir": "The folder rebuild wrote to.",
    "json_path": "Also write the figures as JSON.",
    "split_by": (
        "Also write a workbook and JSON per owner (owner) or per lead source (source), under OUT/<month>/reps/ "
        "or sources/; may be given twice."
    ),
    "history_path": "History store (SQLite); default history.sqlite in the output folder.",
    "remind.history_path": "History store (SQLite): which reminder went when.",
    "no_history": "Neither read nor write the history store.",
    "no_backup": "Keep no backup of the workbook before refreshing it.",
    "recipients_path": (
        "Recipients file (TOML): the manager's and each owner's address. Default: recipients.toml beside the "
        "rules file or in the team folder's rules/."
    ),
    "outbox": "Write the messages as .eml files into this folder instead of sending them.",
    "smtp_server": "Send through this mail server, e.g. smtp.example.com:587.",
    "dry_run": "Only list who would get what: write nothing, send nothing.",
    "any_day": "Send on a non-working day too (default: the Chinese working-day calendar).",
    "workbook": "The workbook or CSV file to draft the rules from.",
    "sheet": "Draft from this sheet (default: the one that looks most like deals or leads).",
    "force": "Overwrite the output file if it exists.",
}

# click's own words, in Chinese.
CLICK_ZH = {
    "Usage: ": "用法: ",
    "Options": "选项",
    "Commands": "命令",
    "default": "默认",
    "required": "必填",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Error: {message}": "错误: {message}",
}
