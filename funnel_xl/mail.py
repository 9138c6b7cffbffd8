"""The month by email: one message per recipient, built with the standard library's ``email``.

The manager's message carries the team report, each rep's their own workbook (from
``rebuild --split-by owner``), each channel contact's their channel's (``--split-by source``).
The body is a short summary in the rules' language — HTML with a plain-text alternative — and the
workbook is attached with its file name in RFC 2231 form, so Chinese names survive.

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
from .errors import InputError, OutputError, Remedy, Say, os_error_reason
from .groups import GROUP_FOLDERS, MANIFEST, period_folder, safe_file_stems
from .messages import ZH, Catalogue, catalogue
from .recipients import Recipients, SmtpSettings
from .rules import DEFAULT_AMOUNT_UNIT
from .text import number_text, one_line, rate_text

MANAGER = "manager"
SENT_LOG = "sent-log.jsonl"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ALERT_KINDS = ("stalled", "overdue", "stale", "close_past")
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


def team_name(lang: str = ZH) -> str:
    """The name the manager's message goes under (the whole team)."""
    return catalogue(lang)("mail.team")


def rebuild_first(problem: Say, out_dir: str | Path, period: str, split: str = "owner") -> InputError:
    """The month's outputs are missing or stale: its rebuild (split by ``split``) has to run
    first. The advice is plain; a caller that knows its own commands can name one (the context)."""
    advice = Say(f"mail.rebuild_advice.{'owner' if split == 'owner' else 'source'}", period=period)
    return InputError(
        Say("error.with_advice", problem=problem, advice=advice), remedy=Remedy.REBUILD_MONTH,
        advice=advice, problem=problem,
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
        raise rebuild_first(Say("mail.no_manifest", period=period, path=manifest_path), out_dir, period) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problem = Say("mail.manifest_unreadable", path=manifest_path, reason=exc)
        raise rebuild_first(problem, out_dir, period) from None
    if not report.is_file():
        raise rebuild_first(Say("mail.no_report", path=report), out_dir, period)
    if _sha256(report) != manifest.get("report_sha256"):
        raise rebuild_first(Say("mail.report_rebuilt", path=report), out_dir, period)
    groups: dict[str, list[GroupReport]] = {}
    for kind, split in splits.items():
        sub = folder / GROUP_FOLDERS.get(kind, Path(split["folder"]).name)
        items = []
        for entry in split["groups"]:
            workbook = sub / Path(entry["workbook"]).name
            figures_path = sub / Path(entry["json"]).name
            if not workbook.is_file() or not figures_path.is_file():
                problem = Say("mail.no_group_workbook", name=entry["name"], path=workbook)
                raise rebuild_first(problem, out_dir, period)
            if _sha256(workbook) != entry.get("workbook_sha256"):
                raise rebuild_first(Say("mail.group_changed", path=workbook), out_dir, period)
            try:
                figures = json.loads(figures_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise rebuild_first(Say("mail.unreadable", path=figures_path, reason=exc), out_dir, period) from None
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
    name: str  # the rep's or channel's name; the team (全队, Team) for the manager
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
    amount_unit: str = DEFAULT_AMOUNT_UNIT, lang: str = ZH,
) -> Plan:
    """Build every message of the month in ``lang`` (the rules' language), amounts in the rules'
    ``amount_unit``. Raises :class:`InputError` when recipients are listed for a split that
    rebuild did not write."""
    now = now or datetime.now(UTC).astimezone()
    t = catalogue(lang)
    wanted = {"owner": recipients.reps, "source": recipients.sources}
    for kind, addresses in wanted.items():
        if addresses and kind not in month.groups:
            problem = Say(f"mail.split_missing.{kind}", period=month.period)
            raise rebuild_first(problem, month.folder.parent, month.period, kind)
    report_bytes = month.report.read_bytes()
    outgoing = [
        _outgoing(
            MANAGER, t("mail.team"), address, month.report, f"funnel_report_{month.period}.xlsx",
            report_bytes, *_manager_body(month, amount_unit, t), recipients, month, now, t,
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
                    *_group_body(group, month, amount_unit, t), recipients, month, now, t,
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
    now: datetime, t: Catalogue,
) -> Outgoing:
    subject = recipients.subject or t("mail.subject")
    msg = new_message(
        f"{subject} {month.period} · {header_text(subject_suffix)}", name, to, text, html_body,
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


def _days(value: float | None, t: Catalogue | None = None) -> str:
    return "—" if value is None else (t or catalogue())("mail.days", days=number_text(value, 1))


def _amount(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{number_text(value, 1, thousands=True)} {unit}"


def _worst(figures: dict, t: Catalogue) -> str:
    worst = figures.get("worst_transition")
    if not worst:
        return t("mail.worst.unknown")
    return t("mail.worst", transition=worst["transition"], rate=rate_text(worst["pass_rate"]))


def _alert_text(alert: dict, t: Catalogue) -> str:
    kind = alert["kind"]
    label = t(f"alert.{kind}") if kind in ALERT_KINDS else kind
    who = " ".join(x for x in (alert.get("lead_id"), alert.get("customer")) if x)
    stage = alert.get("stage") or ""
    days, day = alert.get("days"), alert.get("date")
    if kind == "stalled":
        what = t("mail.alert.stalled", days=days, limit=alert.get("limit_days"))
    elif kind == "stale":
        what = t("mail.alert.stale", days=days)
    elif kind == "overdue":
        what = t("mail.alert.overdue", date=day, days=days)
    else:
        what = t("mail.alert.close_past", date=day, days=days)
    return f"[{label}] {who} · {stage} · {what}"


class MailBody:
    """The same content written twice: plain text and HTML (every piece of data escaped), in the
    language of ``t``."""

    def __init__(self, t: Catalogue) -> None:
        self.t = t
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
                value = row[1]
            else:
                value = " · ".join(f"{h} {v}" for h, v in zip(header[1:], row[1:], strict=True))
            self.text.append(self.t("mail.table_row", label=row[0], value=value))
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
            f'<!DOCTYPE html><html lang="{self.t("mail.html_lang")}"><head><meta charset="utf-8"></head>'
            '<body style="font-family:sans-serif;font-size:14px;color:#222">'
            + "".join(self.html) + "</body></html>\n"
        )
        return text, page


def _change(value: float, amount: bool) -> str:
    text = f"{abs(value):,.1f}" if amount else f"{abs(value):,.0f}"
    return f"▲ {text}" if value > 0 else f"▼ {text}" if value < 0 else "—"


def _kind(month: dict | None) -> str:
    """The period's kind (the JSON's month block says "kind" unless it is a month)."""
    return (month or {}).get("kind", "month")


def _month_block(body: MailBody, month: dict | None, unit: str, whose: str) -> None:
    """The period's results beside the previous one's, and the target and attainment where one is
    set (a week's or a span's target prorated from the months' by working days); ``whose``: rep,
    source or team."""
    if not month:
        return
    t, kind = body.t, _kind(month)
    this, last = t(f"period.this.{kind}"), t(f"period.last.{kind}")
    name, previous = month.get("month", month.get("period")), month.get("previous_month", month.get("previous_period"))
    body.heading(t(
        f"mail.month.{whose}", this=this, name=name, last=t(f"period.last_in.{kind}"), previous=previous,
    ))
    now, then = month["current"], month["previous"]
    target, reached = month.get("target") or {}, month.get("attainment") or {}
    prorated = bool(month.get("targets_prorated"))
    header = [t("col.metric"), this, last, t("mail.month.change")]
    header += [t("mail.month.target_prorated" if prorated else "mail.month.target"), t("mail.month.attainment")] if target else []
    rows = []
    for key, amount in (("new_leads", False), ("won", False), ("won_amount", True), ("lost", False), ("moves", False)):
        shown = (lambda v: f"{v:,.1f}") if amount else str
        row = [t(f"mail.month.{key}", unit=unit), shown(now[key]), shown(then[key]), _change(now[key] - then[key], amount)]
        if target:
            goal = target.get(key)
            goal_text = (lambda v: f"{v:,.1f}") if prorated else shown
            row += ["—", "—"] if goal is None else [goal_text(goal), rate_text(reached.get(key))]
        rows.append(row)
    body.table(header, rows)


def _group_body(
    group: GroupReport, month: Month, unit: str = DEFAULT_AMOUNT_UNIT, t: Catalogue | None = None,
) -> tuple[str, str, str]:
    t = t or catalogue()
    f = group.figures
    mine, team = f["figures"], f["team"]
    body = MailBody(t)
    kind = "rep" if group.kind == "owner" else "source"
    body.para(t(f"mail.{kind}.greeting", name=group.name))
    report = t(f"mail.report.{_kind(f.get('month'))}")
    body.para(t(f"mail.{kind}.intro", as_of=month.as_of, period=month.period, report=report))
    _month_block(body, f.get("month"), unit, kind)
    body.heading(t("mail.key_figures"))
    mt, tt = mine["totals"], team["totals"]
    body.table(
        [t("col.metric"), t(f"mail.{kind}.own"), t("mail.team")],
        [
            [t("mail.fig.valid"), str(mt["valid"]), str(tt["valid"])],
            [t("mail.fig.active"), str(mt["active"]), str(tt["active"])],
            [t("mail.fig.won"), str(mt["won"]), str(tt["won"])],
            [t("mail.fig.lost"), str(mt["lost"]), str(tt["lost"])],
            [t("mail.fig.win_rate"), rate_text(mine["win_rate"]), rate_text(team["win_rate"])],
            [t("mail.fig.cycle"), _days(mine["cycle"]["mean"], t), _days(team["cycle"]["mean"], t)],
            [t("mail.fig.pipeline"), _amount(mine["pipeline"], unit), "—"],
            [t("mail.fig.weighted"), _amount(mine["weighted_pipeline"], unit), "—"],
            [t("mail.fig.worst"), _worst(mine, t), _worst(team, t)],
        ],
    )
    alerts = f.get("alerts", [])
    body.heading(t("mail.alerts.heading", count=len(alerts)))
    if alerts:
        lines = [_alert_text(a, t) for a in alerts[:MAX_ALERTS_LISTED]]
        if len(alerts) > MAX_ALERTS_LISTED:
            lines.append(t("mail.alerts.more", count=len(alerts) - MAX_ALERTS_LISTED))
        body.items(lines)
    else:
        body.para(t("alerts.none"))
    problems = f.get("problems", {})
    errors, warnings = problems.get("error", 0), problems.get("warning", 0)
    if errors or warnings:
        excluded = t("mail.problems.excluded") if errors else ""
        body.para(t("mail.problems", errors=errors, warnings=warnings, excluded=excluded))
    else:
        body.para(t("mail.problems.none"))
    blanks = f.get("blanks") or {}
    if blanks:
        listed = t("mail.blanks.sep").join(t("mail.blanks.item", header=h, count=c) for h, c in blanks.items())
        body.para(t("mail.blanks", listed=listed))
    body.para(t("mail.footer"))
    return (group.name, *body.render())


def _rep_attainment(body: MailBody, month: dict | None, unit: str) -> None:
    """Each rep's period against their target (reps with a target only), then each channel's."""
    month = month or {}
    reps = {name: m for name, m in month.get("by_owner", {}).items() if m.get("target")}
    prorated = bool(month.get("targets_prorated"))
    t = body.t
    _attainment_table(body, t("mail.attainment.heading"), t("group.owner"), reps, unit, prorated)
    channels = month.get("by_channel_target", {})
    _attainment_table(body, t("mail.attainment.channel_heading"), t("mail.attainment.channel"), channels, unit, prorated)


def _attainment_table(body: MailBody, heading: str, who: str, groups: dict, unit: str, prorated: bool) -> None:
    if not groups:
        return
    t = body.t
    goal = "_prorated" if prorated else ""

    def target(value, amount: bool) -> str:
        return "—" if value is None else f"{value:,.1f}" if amount or prorated else str(value)

    body.heading(heading)
    body.table(
        [
            who, t("mail.month.won_amount", unit=unit), t(f"mail.attainment.won_target{goal}"),
            t("mail.month.attainment"), t("mail.month.new_leads"), t(f"mail.attainment.new_target{goal}"),
            t("mail.month.attainment"),
        ],
        [
            [
                name, f"{m['current']['won_amount']:,.1f}", target(m["target"]["won_amount"], True),
                rate_text(m["attainment"]["won_amount"]), str(m["current"]["new_leads"]),
                target(m["target"]["new_leads"], False), rate_text(m["attainment"]["new_leads"]),
            ]
            for name, m in groups.items()
        ],
    )


def _manager_body(month: Month, unit: str = DEFAULT_AMOUNT_UNIT, t: Catalogue | None = None) -> tuple[str, str, str]:
    t = t or catalogue()
    f = month.figures
    body = MailBody(t)
    body.para(t("mail.manager.greeting"))
    report = t(f"mail.report.{_kind(f.get('month'))}")
    body.para(t("mail.manager.intro", as_of=month.as_of, period=month.period, report=report))
    n = f.get("totals", {})
    alerts = f.get("alerts", {})
    problems = f.get("problems", {})
    _month_block(body, f.get("month"), unit, "team")
    _rep_attainment(body, f.get("month"), unit)
    body.heading(t("mail.key_figures"))
    body.table(
        [t("col.metric"), t("col.value")],
        [
            [t("mail.fig.total"), t(
                "mail.fig.total.value", total=n.get("total", 0), valid=n.get("valid", 0),
                excluded=n.get("excluded", 0),
            )],
            [t("mail.fig.statuses"), f"{n.get('active', 0)} / {n.get('won', 0)} / {n.get('lost', 0)}"],
            [t("mail.fig.win_rate"), rate_text(f.get("win_rate"))],
            [t("mail.fig.cycle"), _days((f.get("cycle") or {}).get("mean"), t)],
            [t("mail.fig.pipeline"), _amount(f.get("pipeline"), unit)],
            [t("mail.fig.weighted"), _amount(f.get("weighted_pipeline"), unit)],
            [t("mail.fig.worst"), _worst(f, t)],
            [t("mail.fig.alerts"), t("mail.fig.alerts.value", **{k: alerts.get(k, 0) for k in ALERT_KINDS})],
            [t("mail.fig.problems"), t(
                "mail.fig.problems.value", errors=problems.get("error", 0), warnings=problems.get("warning", 0),
            )],
        ],
    )
    _owner_table(body, f.get("by_owner", {}))
    suggestions = f.get("suggestions", [])
    if suggestions:
        body.heading(t("sheet.suggestions"))
        body.items(list(suggestions))
    body.para(t("mail.footer"))
    return (t("mail.team"), *body.render())


def _owner_table(body: MailBody, by_owner: dict) -> None:
    """The manager's table of the reps: leads, win rate, alerts."""
    if not by_owner:
        return
    t = body.t
    body.heading(t("mail.owners.heading"))
    body.table(
        [
            t("group.owner"), t("mail.owners.valid"), t("col.active"), t("col.won"), t("col.win_rate"),
            t("alert.stalled"), t("alert.overdue"),
        ],
        [
            [
                name, str(m["totals"]["valid"]), str(m["totals"]["active"]),
                str(m["totals"]["won"]),
                rate_text(m["win_rate"]), str(m["alerts"]["stalled"]), str(m["alerts"]["overdue"]),
            ]
            for name, m in by_owner.items()
        ],
    )


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
            raise OutputError(Say("mail.log_unreadable", path=self.path, reason=os_error_reason(exc))) from None
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
            raise OutputError(Say("mail.log_unwritable", path=self.path, reason=os_error_reason(exc))) from None

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

    def __init__(self, say: Say):
        super().__init__(str(say))
        self.say = say


def send_smtp(
    outgoing: list[Outgoing], host: str, port: int, *, settings: SmtpSettings,
    credentials: tuple[str, str] | None, log: SentLog, sender: str, lang: str = ZH,
) -> list[Outcome]:
    """Send each message not in the sent-log; a failure is reported per message (in ``lang``) and
    the others still go out. A dropped connection is re-opened once for the next message."""
    t = catalogue(lang)
    outcomes: list[Outcome] = []
    pending = []
    for o in outgoing:
        before = log.sent_before(o)
        if before is not None:
            outcomes.append(Outcome(o, "skipped", t("mail.sent_before", sent_at=before.get("sent_at", "?"))))
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
                outcomes += [Outcome(p, "failed", exc.say.text(lang)) for p in pending[i:]]
                break
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = exc.recipients.get(o.to, (None, b""))
                outcomes.append(Outcome(o, "failed", t("mail.refused.recipient", code=code, reply=_reply(reply))))
                continue
            except smtplib.SMTPSenderRefused as exc:
                reason = t("mail.refused.sender", sender=sender, code=exc.smtp_code, reply=_reply(exc.smtp_error))
                outcomes.append(Outcome(o, "failed", reason))
                continue
            except smtplib.SMTPDataError as exc:
                reason = t("mail.refused.data", code=exc.smtp_code, reply=_reply(exc.smtp_error))
                outcomes.append(Outcome(o, "failed", reason))
                continue
            except (smtplib.SMTPException, OSError) as exc:
                # Dropped connection, timeout, or a reply out of protocol: this message is not
                # confirmed; open a new connection for the next one.
                reason = t("mail.dropped", error=f"{type(exc).__name__}: {exc}")
                outcomes.append(Outcome(o, "failed", reason))
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
        raise _Unreachable(Say("mail.tls_failed", where=where, error=exc)) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise _Unreachable(Say("mail.unreachable", where=where, error=exc)) from None
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
            raise _Unreachable(Say("mail.no_starttls", where=where)) from None
        raise _Unreachable(Say("mail.no_auth", where=where)) from None
    except smtplib.SMTPAuthenticationError as exc:
        _quit(conn)
        raise _Unreachable(
            Say("mail.login_failed", where=where, code=exc.smtp_code, reply=_reply(exc.smtp_error))
        ) from None
    except ssl.SSLError as exc:
        _quit(conn)
        raise _Unreachable(Say("mail.starttls_failed", where=where, error=exc)) from None
    except (OSError, smtplib.SMTPException) as exc:
        _quit(conn)
        raise _Unreachable(Say("mail.session_failed", where=where, error=exc)) from None
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
        raise InputError(Say("mail.bad_server", value=value))
    return host, int(port)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
