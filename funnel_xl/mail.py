"""The month by email: one message per recipient, built with the standard library's ``email``.

The manager's message carries the team report, each rep's their own workbook (from
``rebuild --split-by owner``), each channel contact's their channel's (``--split-by source``).
The body is a short summary in Chinese — HTML with a plain-text alternative — and the workbook is
attached with its file name in RFC 2231 form, so Chinese names survive.

Messages are either written as ``.eml`` files to an outbox folder (nothing leaves the machine) or
sent over SMTP. Every message accepted by the server is appended to ``sent-log.jsonl`` in the
month's folder before the next one goes out, so a re-run after a failure sends only what has not
gone yet: a message is skipped when the log holds the same address and the same attachment bytes.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.policy import default
from email.utils import format_datetime, make_msgid
from pathlib import Path

from .atomic import write_bytes_atomic
from .errors import InputError, OutputError, Remedy, os_error_reason
from .groups import GROUP_FOLDERS, MANIFEST, period_folder, safe_file_stems
from .recipients import Recipients, SmtpSettings
from .rules import DEFAULT_AMOUNT_UNIT
from .text import number_text, one_line, rate_text

MANAGER = "manager"
TEAM_NAME = "全队"
SENT_LOG = "sent-log.jsonl"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ALERT_LABELS = {
    "stalled": "停留超时",
    "overdue": "跟进逾期",
    "stale": "久未跟进",
    "close_past": "预计成交日已过",
}
# A mail body lists at most this many alerts; the attachment's 预警 sheet has them all.
MAX_ALERTS_LISTED = 30
# Characters of a rep's or channel's name shown in To: and Subject: (the body has it whole).
MAX_HEADER_NAME = 100


# ---------------------------------------------------------------------------
# What rebuild wrote for the month
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupReport:
    kind: str
    name: str
    workbook: Path
    figures: dict  # the group's JSON (see funnel_xl.groups.group_json)


@dataclass(frozen=True)
class Month:
    period: str
    as_of: str
    folder: Path
    report: Path
    figures: dict  # the team's figures (Analysis.as_json)
    groups: dict[str, list[GroupReport]]  # by kind: "owner", "source"


def rebuild_first(problem: str, out_dir: str | Path, period: str, split: str = "owner") -> InputError:
    """The month's outputs are missing or stale: its rebuild (split by ``split``) has to run
    first. The advice is plain; a caller that knows its own commands can name one (the context)."""
    advice = f"请先重新生成 {period} 的报告并按{'负责人' if split == 'owner' else '线索来源'}拆分"
    return InputError(
        f"{problem}{advice}。", remedy=Remedy.REBUILD_MONTH, advice=advice,
        context={"out_dir": str(out_dir), "period": period, "split": split},
    )


def load_month(out_dir: str | Path, period: str) -> Month:
    """Read the month's manifest and check every file it lists is there, unchanged since rebuild."""
    folder = period_folder(out_dir, period)
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        report = folder.parent / Path(manifest["report"]).name
        splits = manifest["splits"]
    except FileNotFoundError:
        raise rebuild_first(f"找不到 {period} 的报告清单 {manifest_path}。", out_dir, period) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise rebuild_first(f"报告清单 {manifest_path} 无法读取 ({exc})。", out_dir, period) from None
    if not report.is_file():
        raise rebuild_first(f"找不到团队报告 {report}。", out_dir, period)
    if _sha256(report) != manifest.get("report_sha256"):
        raise rebuild_first(
            f"团队报告 {report} 在拆分之后又被重新生成过，各人的工作簿可能已过期。", out_dir, period
        )
    groups: dict[str, list[GroupReport]] = {}
    for kind, split in splits.items():
        sub = folder / GROUP_FOLDERS.get(kind, Path(split["folder"]).name)
        items = []
        for entry in split["groups"]:
            workbook = sub / Path(entry["workbook"]).name
            figures_path = sub / Path(entry["json"]).name
            if not workbook.is_file() or not figures_path.is_file():
                raise rebuild_first(f"找不到「{entry['name']}」的工作簿 {workbook}。", out_dir, period)
            if _sha256(workbook) != entry.get("workbook_sha256"):
                raise rebuild_first(f"{workbook} 在生成之后被修改过。", out_dir, period)
            try:
                figures = json.loads(figures_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise rebuild_first(f"{figures_path} 无法读取 ({exc})。", out_dir, period) from None
            items.append(GroupReport(kind, entry["name"], workbook, figures))
        groups[kind] = items
    return Month(
        period=manifest.get("period", period), as_of=manifest.get("as_of", ""), folder=folder,
        report=report, figures=manifest.get("figures", {}), groups=groups,
    )


# ---------------------------------------------------------------------------
# The messages
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One message to one address, with the one workbook it carries."""

    kind: str  # manager, owner, source
    name: str  # the rep's or channel's name; 全队 for the manager
    to: str
    attachment: Path
    attachment_name: str
    sha256: str
    message: EmailMessage

    @property
    def label(self) -> str:
        return f"{self.name} <{self.to}>"


@dataclass(frozen=True)
class Plan:
    outgoing: list[Outgoing]
    unaddressed: list[tuple[str, str]]  # (kind, name): a workbook but no address
    unknown: list[tuple[str, str, str | None]]  # (kind, name, closest): an address but no workbook


def plan_mail(
    month: Month, recipients: Recipients, *, now: datetime | None = None,
    amount_unit: str = DEFAULT_AMOUNT_UNIT,
) -> Plan:
    """Build every message of the month, amounts in the rules' ``amount_unit``. Raises
    :class:`InputError` when recipients are listed for a split that rebuild did not write."""
    now = now or datetime.now(UTC).astimezone()
    wanted = {"owner": recipients.reps, "source": recipients.sources}
    for kind, addresses in wanted.items():
        if addresses and kind not in month.groups:
            raise rebuild_first(
                f"收件人文件列出了{'负责人' if kind == 'owner' else '渠道'}的邮箱，但 {month.period} 没有按"
                f"{'负责人' if kind == 'owner' else '线索来源'}拆分的工作簿。",
                month.folder.parent, month.period, kind,
            )
    report_bytes = month.report.read_bytes()
    outgoing = [
        _outgoing(
            MANAGER, TEAM_NAME, address, month.report, f"funnel_report_{month.period}.xlsx",
            report_bytes, *_manager_body(month, amount_unit), recipients, month, now,
        )
        for address in recipients.managers
    ]
    unaddressed, unknown = [], []
    for kind, addresses in wanted.items():
        reports = month.groups.get(kind, [])
        names = [g.name for g in reports]
        for group in reports:
            address = addresses.get(group.name)
            if address is None:
                unaddressed.append((kind, group.name))
                continue
            data = group.workbook.read_bytes()
            stem = group.workbook.stem
            outgoing.append(
                _outgoing(
                    kind, group.name, address, group.workbook,
                    f"funnel_report_{month.period}_{stem}.xlsx", data,
                    *_group_body(group, month, amount_unit), recipients, month, now,
                )
            )
        for name in addresses:
            if name not in names:
                close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
                unknown.append((kind, name, close[0] if close else None))
    return Plan(outgoing=outgoing, unaddressed=unaddressed, unknown=unknown)


def _outgoing(
    kind: str, name: str, to: str, path: Path, attachment_name: str, data: bytes,
    subject_suffix: str, text: str, html_body: str, recipients: Recipients, month: Month,
    now: datetime,
) -> Outgoing:
    msg = new_message(
        f"{recipients.subject} {month.period} · {header_text(subject_suffix)}", name, to, text, html_body,
        recipients, now,
    )
    # A non-ASCII file name is written as filename*=utf-8''… (RFC 2231).
    msg.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=attachment_name)
    return Outgoing(
        kind=kind, name=name, to=to, attachment=path, attachment_name=attachment_name,
        sha256=hashlib.sha256(data).hexdigest(), message=msg,
    )


def new_message(
    subject: str, name: str, to: str, text: str, html_body: str, recipients: Recipients,
    now: datetime,
) -> EmailMessage:
    """A message from the recipients file's sender to ``name <to>``: the names RFC 2047-encoded,
    the body as plain text with an HTML alternative."""
    msg = EmailMessage()
    msg["Subject"] = one_line(subject)
    msg["From"] = Address(display_name=recipients.sender_name, addr_spec=recipients.sender_address)
    msg["To"] = Address(display_name=header_text(name), addr_spec=to)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=recipients.sender_address.rpartition("@")[2])
    # base64 bodies are 7-bit clean: any server takes them, with or without 8BITMIME.
    msg.set_content(text, cte="base64")
    msg.add_alternative(html_body, subtype="html", cte="base64")
    return msg


def header_text(name: str) -> str:
    """A name from the sheet as header text: one line, no control characters, and at most
    :data:`MAX_HEADER_NAME` characters. A longer name ends in "…", which makes the header an
    encoded word that folds into short lines (a long run of ASCII without spaces cannot be folded,
    and SMTP servers refuse lines over 998 characters)."""
    text = one_line(name).strip()
    return text if len(text) <= MAX_HEADER_NAME else text[:MAX_HEADER_NAME] + "…"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{number_text(value, 1)} 天"


def _amount(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{number_text(value, 1, thousands=True)} {unit}"


def _worst(figures: dict) -> str:
    worst = figures.get("worst_transition")
    return "数据不足" if not worst else f"{worst['transition']}（通过率 {rate_text(worst['pass_rate'])}）"


def _alert_text(alert: dict) -> str:
    label = ALERT_LABELS.get(alert["kind"], alert["kind"])
    who = " ".join(x for x in (alert.get("lead_id"), alert.get("customer")) if x)
    stage = alert.get("stage") or ""
    days = alert.get("days")
    if alert["kind"] == "stalled":
        what = f"已停留 {days} 天（上限 {alert.get('limit_days')} 天）"
    elif alert["kind"] == "stale":
        what = f"{days} 天未跟进"
    elif alert["kind"] == "overdue":
        what = f"下次跟进时间 {alert.get('date')} 已过 {days} 天"
    else:
        what = f"预计成交日期 {alert.get('date')} 已过 {days} 天"
    return f"[{label}] {who} · {stage} · {what}"


class _Body:
    """The same content written twice: plain text and HTML (every piece of data escaped)."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.html: list[str] = []

    def para(self, text: str) -> None:
        self.text += [text, ""]
        self.html.append(f"<p>{html.escape(text)}</p>")

    def heading(self, text: str) -> None:
        self.text += [text, "-" * 20]
        self.html.append(f'<h3 style="margin:16px 0 6px">{html.escape(text)}</h3>')

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        for row in rows:
            if len(row) == 2:
                self.text.append(f"  {row[0]}：{row[1]}")
            else:
                pairs = " · ".join(f"{h} {v}" for h, v in zip(header[1:], row[1:], strict=True))
                self.text.append(f"  {row[0]}：{pairs}")
        self.text.append("")
        cell = 'style="border:1px solid #BFBFBF;padding:3px 8px;text-align:{}"'
        head = "".join(f"<th {cell.format('left')}>{html.escape(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(
                f"<td {cell.format('left' if i == 0 else 'right')}>{html.escape(v)}</td>"
                for i, v in enumerate(row)
            ) + "</tr>"
            for row in rows
        )
        self.html.append(
            '<table style="border-collapse:collapse;font-size:13px">'
            f'<tr style="background:#DDEBF7">{head}</tr>{body}</table>'
        )

    def items(self, lines: list[str]) -> None:
        self.text += [f"  - {line}" for line in lines] + [""]
        listed = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        self.html.append(f"<ul>{listed}</ul>")

    def render(self) -> tuple[str, str]:
        text = "\n".join(self.text).rstrip() + "\n"
        page = (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
            '<body style="font-family:sans-serif;font-size:14px;color:#222">'
            + "".join(self.html) + "</body></html>\n"
        )
        return text, page


def _change(value: float, amount: bool) -> str:
    text = f"{abs(value):,.1f}" if amount else f"{abs(value):,.0f}"
    return f"▲ {text}" if value > 0 else f"▼ {text}" if value < 0 else "—"


# The period's words by its kind (the JSON's month block says "kind" unless it is a month):
# this period, the one before, the report's name.
_PERIOD_WORDS = {"month": ("本月", "上月", "月报"), "week": ("本周", "上周", "周报"), "span": ("本期", "上期", "报告")}


def _words(month: dict | None) -> tuple[str, str, str]:
    return _PERIOD_WORDS[(month or {}).get("kind", "month")]


def _month_block(body: _Body, month: dict | None, unit: str, whose: str = "") -> None:
    """The period's results beside the previous one's, and the target and attainment where one is
    set (a week's or a span's target prorated from the months' by working days)."""
    if not month:
        return
    this, last, _ = _words(month)
    name, previous = month.get("month", month.get("period")), month.get("previous_month", month.get("previous_period"))
    body.heading(f"{whose}{this} {name}（对比{last} {previous}）")
    now, then = month["current"], month["previous"]
    target, reached = month.get("target") or {}, month.get("attainment") or {}
    goal_header = "折算目标" if month.get("targets_prorated") else "目标"
    header = ["指标", this, last, "变化"] + ([goal_header, "达成率"] if target else [])
    rows = []
    for key, label, amount in (
        ("new_leads", "新增线索", False), ("won", "成交(条)", False), ("won_amount", f"成交金额({unit})", True),
        ("lost", "流失(条)", False), ("moves", "阶段变动(次)", False),
    ):
        shown = (lambda v: f"{v:,.1f}") if amount else str
        row = [label, shown(now[key]), shown(then[key]), _change(now[key] - then[key], amount)]
        if target:
            goal = target.get(key)
            goal_text = (lambda v: f"{v:,.1f}") if month.get("targets_prorated") else shown
            row += ["—", "—"] if goal is None else [goal_text(goal), rate_text(reached.get(key))]
        rows.append(row)
    body.table(header, rows)


def _group_body(
    group: GroupReport, month: Month, unit: str = DEFAULT_AMOUNT_UNIT
) -> tuple[str, str, str]:
    f = group.figures
    mine, team = f["figures"], f["team"]
    body = _Body()
    is_rep = group.kind == "owner"
    greeting = f"{group.name}，您好：" if is_rep else f"渠道「{group.name}」的负责同事，您好："
    body.para(greeting)
    body.para(
        f"这是截至 {month.as_of} 的销售漏斗{_words(f.get('month'))[2]}（统计期间 {month.period}）。"
        f"附件是{'您的个人' if is_rep else '该渠道的'}工作簿，只含{'您负责' if is_rep else '该渠道'}的线索；"
        "「全队」一栏是全队合计，供对比。"
    )
    own = "本人" if is_rep else "本渠道"
    _month_block(body, f.get("month"), unit, "您的" if is_rep else "")
    body.heading("关键数字")
    mt, tt = mine["totals"], team["totals"]
    body.table(
        ["指标", own, "全队"],
        [
            ["有效线索", str(mt["valid"]), str(tt["valid"])],
            ["在跟", str(mt["active"]), str(tt["active"])],
            ["已成交", str(mt["won"]), str(tt["won"])],
            ["已流失", str(mt["lost"]), str(tt["lost"])],
            ["赢单率", rate_text(mine["win_rate"]), rate_text(team["win_rate"])],
            ["平均成交周期", _days(mine["cycle"]["mean"]), _days(team["cycle"]["mean"])],
            ["在跟金额", _amount(mine["pipeline"], unit), "—"],
            ["加权金额", _amount(mine["weighted_pipeline"], unit), "—"],
            ["最薄弱环节", _worst(mine), _worst(team)],
        ],
    )
    alerts = f.get("alerts", [])
    body.heading(f"需要处理的预警（{len(alerts)} 条）")
    if alerts:
        lines = [_alert_text(a) for a in alerts[:MAX_ALERTS_LISTED]]
        if len(alerts) > MAX_ALERTS_LISTED:
            lines.append(f"……另有 {len(alerts) - MAX_ALERTS_LISTED} 条，见附件「预警」工作表。")
        body.items(lines)
    else:
        body.para("本期没有预警。")
    problems = f.get("problems", {})
    errors, warnings = problems.get("error", 0), problems.get("warning", 0)
    if errors or warnings:
        excluded = "有错误的行没有计入统计。" if errors else ""
        body.para(
            f"数据问题：错误 {errors} 个，警告 {warnings} 个。{excluded}"
            "请在跟踪表中改正，位置见附件「数据问题」工作表。"
        )
    else:
        body.para("数据问题：没有。")
    body.para("此邮件由 funnel-xl 生成。")
    return (group.name, *body.render())


def _rep_attainment(body: _Body, month: dict | None, unit: str) -> None:
    """Each rep's period against their target (reps with a target only), then each channel's."""
    month = month or {}
    reps = {name: m for name, m in month.get("by_owner", {}).items() if m.get("target")}
    prorated = bool(month.get("targets_prorated"))
    _attainment_table(body, "各负责人目标达成", "负责人", reps, unit, prorated)
    _attainment_table(body, "各渠道目标达成", "渠道", month.get("by_channel_target", {}), unit, prorated)


def _attainment_table(body: _Body, heading: str, who: str, groups: dict, unit: str, prorated: bool) -> None:
    if not groups:
        return
    goal = "折算" if prorated else ""

    def target(value, amount: bool) -> str:
        return "—" if value is None else f"{value:,.1f}" if amount or prorated else str(value)

    body.heading(heading)
    body.table(
        [who, f"成交金额({unit})", f"{goal}成交目标", "达成率", "新增线索", f"{goal}新增目标", "达成率"],
        [
            [
                name, f"{m['current']['won_amount']:,.1f}", target(m["target"]["won_amount"], True),
                rate_text(m["attainment"]["won_amount"]), str(m["current"]["new_leads"]),
                target(m["target"]["new_leads"], False), rate_text(m["attainment"]["new_leads"]),
            ]
            for name, m in groups.items()
        ],
    )


def _manager_body(month: Month, unit: str = DEFAULT_AMOUNT_UNIT) -> tuple[str, str, str]:
    f = month.figures
    body = _Body()
    body.para("您好：")
    body.para(
        f"这是截至 {month.as_of} 的团队销售漏斗{_words(f.get('month'))[2]}（统计期间 {month.period}），完整分析见附件。"
    )
    t = f.get("totals", {})
    alerts = f.get("alerts", {})
    problems = f.get("problems", {})
    _month_block(body, f.get("month"), unit, "团队")
    _rep_attainment(body, f.get("month"), unit)
    body.heading("关键数字")
    body.table(
        ["指标", "数值"],
        [
            ["线索总数", f"{t.get('total', 0)}（有效 {t.get('valid', 0)}，排除 {t.get('excluded', 0)}）"],
            ["在跟 / 成交 / 流失", f"{t.get('active', 0)} / {t.get('won', 0)} / {t.get('lost', 0)}"],
            ["赢单率", rate_text(f.get("win_rate"))],
            ["平均成交周期", _days((f.get("cycle") or {}).get("mean"))],
            ["在跟金额", _amount(f.get("pipeline"), unit)],
            ["加权金额", _amount(f.get("weighted_pipeline"), unit)],
            ["最薄弱环节", _worst(f)],
            [
                "预警",
                f"停留超时 {alerts.get('stalled', 0)}，跟进逾期 {alerts.get('overdue', 0)}，"
                f"久未跟进 {alerts.get('stale', 0)}，预计成交日已过 {alerts.get('close_past', 0)}",
            ],
            ["数据问题", f"错误 {problems.get('error', 0)}，警告 {problems.get('warning', 0)}"],
        ],
    )
    by_owner = f.get("by_owner", {})
    if by_owner:
        body.heading("各负责人")
        body.table(
            ["负责人", "有效", "在跟", "成交", "赢单率", "停留超时", "跟进逾期"],
            [
                [
                    name, str(m["totals"]["valid"]), str(m["totals"]["active"]),
                    str(m["totals"]["won"]),
                    rate_text(m["win_rate"]), str(m["alerts"]["stalled"]), str(m["alerts"]["overdue"]),
                ]
                for name, m in by_owner.items()
            ],
        )
    suggestions = f.get("suggestions", [])
    if suggestions:
        body.heading("优化建议")
        body.items(list(suggestions))
    body.para("此邮件由 funnel-xl 生成。")
    return (TEAM_NAME, *body.render())


# ---------------------------------------------------------------------------
# Outbox
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    outgoing: Outgoing
    status: str  # sent, skipped, failed, written
    detail: str = ""


def outbox_names(outgoing: list[Outgoing], period: str) -> dict[int, str]:
    """A safe, unique .eml file name per message, e.g. ``2024-05_张伟_zhang@example.com.eml``."""
    labels = [f"{period}_{o.name}_{o.to}" for o in outgoing]
    stems = safe_file_stems(labels)
    return {i: f"{stems[label]}.eml" for i, label in enumerate(labels)}


def write_outbox(outgoing: list[Outgoing], folder: str | Path, period: str) -> list[Outcome]:
    """Write each message as an ``.eml`` file a mail client opens as a draft ready to send."""
    folder = Path(folder)
    names = outbox_names(outgoing, period)
    outcomes = []
    for i, o in enumerate(outgoing):
        msg = _copy(o.message)
        msg["X-Unsent"] = "1"  # Outlook opens the file as a draft with a Send button
        target = folder / names[i]
        write_bytes_atomic(target, msg.as_bytes(policy=SMTP_POLICY))
        outcomes.append(Outcome(o, "written", str(target)))
    return outcomes


def _copy(msg: EmailMessage) -> EmailMessage:
    return message_from_bytes(msg.as_bytes(policy=default), policy=default)


# ---------------------------------------------------------------------------
# The sent-log
# ---------------------------------------------------------------------------


class SentLog:
    """``sent-log.jsonl``: one JSON line per message the server accepted.

    Each line is appended with a single ``write`` on a file opened for appending and flushed to
    disk before the next message goes out; a line cut short by a crash is ignored when reading.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.entries: list[dict] = []
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            lines = []
        except OSError as exc:
            raise OutputError(f"无法读取发送记录 {self.path}: {os_error_reason(exc)}") from None
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and "to" in entry and "sha256" in entry:
                self.entries.append(entry)
        self._fd: int | None = None

    def sent_before(self, o: Outgoing) -> dict | None:
        for entry in self.entries:
            if str(entry["to"]).casefold() == o.to.casefold() and entry["sha256"] == o.sha256:
                return entry
        return None

    def open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputError(
                f"无法写入发送记录 {self.path}: {os_error_reason(exc)}。没有发送任何邮件。"
            ) from None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def record(self, o: Outgoing, server: str) -> None:
        entry = {
            "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "kind": o.kind,
            "name": o.name,
            "to": o.to,
            "attachment": o.attachment_name,
            "sha256": o.sha256,
            "message_id": str(o.message["Message-ID"]),
            "server": server,
        }
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        if self._fd is None:
            raise RuntimeError("SentLog.open() must be called before record()")
        os.write(self._fd, line)
        os.fsync(self._fd)
        self.entries.append(entry)


# ---------------------------------------------------------------------------
# SMTP
# ---------------------------------------------------------------------------


class _Unreachable(Exception):
    """The server cannot be reached or refuses the session: nothing more can go out."""


def send_smtp(
    outgoing: list[Outgoing], host: str, port: int, *, settings: SmtpSettings,
    credentials: tuple[str, str] | None, log: SentLog, sender: str,
) -> list[Outcome]:
    """Send each message not in the sent-log; a failure is reported per message and the others
    still go out. A dropped connection is re-opened once for the next message."""
    outcomes: list[Outcome] = []
    pending = []
    for o in outgoing:
        before = log.sent_before(o)
        if before is not None:
            outcomes.append(Outcome(o, "skipped", f"已于 {before.get('sent_at', '?')} 发送过同一附件"))
        else:
            pending.append(o)
    if not pending:
        return outcomes
    server = f"{host}:{port}"
    log.open()
    conn: smtplib.SMTP | None = None
    try:
        for i, o in enumerate(pending):
            try:
                if conn is None:
                    conn = _connect(host, port, settings, credentials)
                conn.send_message(o.message, from_addr=sender, to_addrs=[o.to])
            except _Unreachable as exc:
                outcomes += [Outcome(p, "failed", str(exc)) for p in pending[i:]]
                break
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = exc.recipients.get(o.to, (None, b""))
                outcomes.append(Outcome(o, "failed", f"收件人被拒绝: {code} {_reply(reply)}"))
                continue
            except smtplib.SMTPSenderRefused as exc:
                reason = f"发件人 {sender} 被拒绝: {exc.smtp_code} {_reply(exc.smtp_error)}"
                outcomes.append(Outcome(o, "failed", reason))
                continue
            except smtplib.SMTPDataError as exc:
                outcomes.append(
                    Outcome(o, "failed", f"服务器拒收邮件: {exc.smtp_code} {_reply(exc.smtp_error)}")
                )
                continue
            except (smtplib.SMTPException, OSError) as exc:
                # Dropped connection, timeout, or a reply out of protocol: this message is not
                # confirmed; open a new connection for the next one.
                outcomes.append(
                    Outcome(o, "failed", f"连接中断，未确认送达 ({type(exc).__name__}: {exc})")
                )
                _quit(conn)
                conn = None
                continue
            log.record(o, server)
            outcomes.append(Outcome(o, "sent", server))
    finally:
        _quit(conn)
        log.close()
    order = {id(o): i for i, o in enumerate(outgoing)}
    return sorted(outcomes, key=lambda r: order[id(r.outgoing)])


def _connect(
    host: str, port: int, settings: SmtpSettings, credentials: tuple[str, str] | None
) -> smtplib.SMTP:
    where = f"{host}:{port}"
    try:
        if settings.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=settings.timeout, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(host, port, timeout=settings.timeout)
    except ssl.SSLError as exc:
        raise _Unreachable(f"与 {where} 建立 TLS 连接失败（证书无法验证或端口不是 SSL 端口）: {exc}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise _Unreachable(f"无法连接邮件服务器 {where}: {exc}") from None
    step = "starttls"
    try:
        conn.ehlo()
        if settings.security == "starttls":
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        step = "login"
        if credentials is not None:
            conn.login(*credentials)
    except smtplib.SMTPNotSupportedError:
        _quit(conn)
        if step == "starttls":
            raise _Unreachable(
                f"{where} 不支持 STARTTLS。若该服务器使用 SSL 端口（常见 465），请在收件人文件的 [smtp] 中设 "
                "security = \"ssl\"。"
            ) from None
        raise _Unreachable(
            f"{where} 不提供登录 (AUTH)。若该服务器无需登录，请在收件人文件的 [smtp] 中设 login = false。"
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        _quit(conn)
        raise _Unreachable(
            f"登录 {where} 失败: {exc.smtp_code} {_reply(exc.smtp_error)}。"
            "请检查环境变量 FUNNEL_XL_SMTP_USER / FUNNEL_XL_SMTP_PASSWORD。"
        ) from None
    except ssl.SSLError as exc:
        _quit(conn)
        raise _Unreachable(f"与 {where} 的 STARTTLS 握手失败（证书无法验证？）: {exc}") from None
    except (OSError, smtplib.SMTPException) as exc:
        _quit(conn)
        raise _Unreachable(f"与 {where} 建立会话失败: {exc}") from None
    return conn


def _quit(conn: smtplib.SMTP | None) -> None:
    if conn is None:
        return
    try:
        conn.quit()
    except (TimeoutError, smtplib.SMTPException, OSError):
        conn.close()


def _reply(value: bytes | str) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def parse_server(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:25`` for IPv6) → (host, port); raises :class:`InputError`."""
    host, sep, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"「{value}」不是 HOST:PORT 形式的邮件服务器地址，例如 smtp.example.com:587。")
    return host, int(port)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
