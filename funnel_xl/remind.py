"""Reminders by mail, meant to run every working day: each rep their due items, the manager a digest.

The items are the analysis's alerts (the report's 预警, not counted again here) of leads that are
not snoozed (暂缓至 after the as-of date), and the follow-ups due on the as-of date itself. An item
is mailed when it first becomes due and again only every ``[remind] repeat_days`` days while it
stays due; the state lives in the history store (table ``reminders``), so a rerun on the same day
mails nothing new, and a message that failed is mailed on the next run: an item counts as mailed
only once the server accepted its message (or the outbox holds it). Nothing is mailed on a day the
Chinese working-day calendar says is not a working day, unless the caller asks.

Messages are built like the month's (:mod:`funnel_xl.mail`): HTML with a plain-text alternative,
names RFC 2047-encoded, written as ``.eml`` files or sent over SMTP by the same functions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from .alerts import FOLLOW_UP_DUE, alert_days, follow_ups_due_today, kind_rank
from .analysis import Analysis
from .frames import LEAD_ID, SNOOZED
from .mail import (
    MANAGER,
    MailBody,
    Outcome,
    Outgoing,
    new_message,
    send_smtp,
    write_outbox,
)
from .messages import ZH, Catalogue, catalogue
from .metrics import AlertKind
from .recipients import Recipients, SmtpSettings
from .store import HistoryStore
from .workdays import is_working_day

# The digest shows each rep's oldest items, this many.
OLDEST_LISTED = 3
# The mail's sections, in order: the kinds each holds (the title is remind.section.<name>).
SECTIONS = (
    ("stalled", (AlertKind.STALLED,)),
    ("due", (FOLLOW_UP_DUE, AlertKind.OVERDUE)),
    ("close_past", (AlertKind.CLOSE_PAST,)),
    ("stale", (AlertKind.STALE,)),
)
_DIGEST = "digest"


@dataclass(frozen=True)
class Item:
    """One thing a rep has to do about one lead: an alert of the report, or a follow-up due today."""

    owner: str
    kind: str  # an AlertKind, or FOLLOW_UP_DUE
    lead_id: str
    customer: str
    stage: str
    days: float | None  # as the report's 预警 counts them (see funnel_xl.alerts.alert_days)
    limit_days: float | None
    date: date | None
    exit: str  # the stage's exit criterion (the rules' [[stages]] exit)

    @property
    def key(self) -> tuple[str, str]:
        return self.owner, f"{self.kind}:{self.lead_id}"


def due_items(analysis: Analysis) -> list[Item]:
    """Every item due on the analysis's as-of date: its alerts on leads not snoozed, and the
    follow-ups due that day; by owner, then as 预警 orders them (kind, days longest first, lead)."""
    leads, as_of = analysis.result.leads, analysis.as_of
    alerts = analysis.result.alerts
    if SNOOZED in leads and len(alerts):
        snoozed = set(leads.loc[leads[SNOOZED], LEAD_ID])
        alerts = alerts[~alerts[LEAD_ID].isin(snoozed)]
    parts = [f for f in (alerts, follow_ups_due_today(leads, as_of)) if len(f)]
    if not parts:
        return []
    frame = pd.concat(parts, ignore_index=True)
    days = alert_days(frame, as_of)
    rank = kind_rank(frame["kind"]).where(frame["kind"] != FOLLOW_UP_DUE, 0.5)
    order = pd.DataFrame({
        "owner": frame["owner"].fillna("").astype(str), "rank": rank, "days": days,
        "lead": frame[LEAD_ID].astype(str),
    }).sort_values(["owner", "rank", "days", "lead"], ascending=[True, True, False, True],
                   na_position="last", kind="stable").index
    exits = {s.name: s.exit for s in analysis.rules.stages}
    return [_item(frame.loc[i], days.loc[i], exits) for i in order]


def _item(row: pd.Series, days: float, exits: dict[str, str]) -> Item:
    def text(name: str) -> str:
        value = row.get(name)
        return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)

    limit = row.get("limit_days")
    when = row.get("date")
    return Item(
        owner=text("owner"), kind=str(row["kind"]), lead_id=text(LEAD_ID), customer=text("customer"),
        stage=text("stage"), days=None if pd.isna(days) else float(days),
        limit_days=None if limit is None or pd.isna(limit) else float(limit),
        date=None if when is None or pd.isna(when) else pd.Timestamp(when).date(),
        exit=exits.get(text("stage"), ""),
    )


@dataclass(frozen=True)
class RemindPlan:
    """What one run mails: ``outgoing`` messages, each settling the items of ``keys``."""

    as_of: date
    working_day: bool
    due: list[Item]
    to_send: dict[str, list[Item]]  # by owner: the items mailed this run (new, or past the interval)
    outgoing: list[Outgoing] = field(default_factory=list)
    keys: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # id(outgoing) → items
    unaddressed: list[str] = field(default_factory=list)  # reps with items but no address
    digests: list[tuple[str, str]] = field(default_factory=list)  # the manager digests' keys


def plan_reminders(
    analysis: Analysis, recipients: Recipients, store: HistoryStore, *, any_day: bool = False,
    now: datetime | None = None,
) -> RemindPlan:
    """The messages of this run. Nothing on a non-working day unless ``any_day``; an item already
    mailed less than ``[remind] repeat_days`` days ago is left out."""
    as_of = analysis.as_of
    working = is_working_day(as_of)
    if not working and not any_day:
        return RemindPlan(as_of=as_of, working_day=False, due=[], to_send={})
    due = due_items(analysis)
    kept = store.reminders()
    repeat = analysis.rules.remind.repeat_days

    def wanted(key: tuple[str, str]) -> bool:
        last = kept.get(key, (as_of, None))[1]
        return last is None or (as_of - last).days >= repeat

    to_send: dict[str, list[Item]] = {}
    for item in due:
        if wanted(item.key):
            to_send.setdefault(item.owner, []).append(item)
    now = now or datetime.now(UTC).astimezone()
    plan = RemindPlan(
        as_of=as_of, working_day=working, due=due, to_send=to_send,
        digests=[(f"{MANAGER}:{address}", _DIGEST) for address in recipients.managers],
    )
    for owner, items in to_send.items():
        address = recipients.reps.get(owner)
        if address is None:
            plan.unaddressed.append(owner)
            continue
        _add(plan, _rep_message(owner, address, items, analysis, recipients, now), [i.key for i in items])
    if to_send:
        unaddressed = [i.key for owner in plan.unaddressed for i in to_send[owner]]
        for address, key in zip(recipients.managers, plan.digests, strict=True):
            if kept.get(key, (as_of, None))[1] != as_of:  # at most one digest a day
                _add(plan, _digest(address, due, to_send, analysis, recipients, now), [key, *unaddressed])
    return plan


def _add(plan: RemindPlan, outgoing: Outgoing, keys: list[tuple[str, str]]) -> None:
    plan.outgoing.append(outgoing)
    plan.keys[id(outgoing)] = keys


def deliver(
    plan: RemindPlan, store: HistoryStore, *, outbox: str | Path | None = None,
    server: tuple[str, int] | None = None, settings: SmtpSettings | None = None,
    credentials: tuple[str, str] | None = None, sender: str = "", lang: str = ZH,
) -> list[Outcome]:
    """Write the plan's messages to ``outbox`` or send them to ``server``; each item is recorded as
    mailed as soon as its message is accepted, so a failed one goes out on the next run (its
    reason told in ``lang``)."""
    if not plan.working_day and not plan.due:
        return []
    store.settle_reminders(plan.as_of, [i.key for i in plan.due] + plan.digests)
    if not plan.outgoing:
        return []
    if server is None:
        outcomes = write_outbox(plan.outgoing, outbox or "reminders", plan.as_of.isoformat())
        for o in plan.outgoing:
            store.mark_sent(plan.as_of, plan.keys[id(o)])
        return outcomes
    host, port = server
    return send_smtp(
        plan.outgoing, host, port, settings=settings or SmtpSettings(), credentials=credentials,
        log=_StoreLog(store, plan), sender=sender, lang=lang,
    )


class _StoreLog:
    """The sent-log :func:`funnel_xl.mail.send_smtp` keeps, kept in the reminders table instead:
    the plan holds only what is due, and what the server accepts is recorded at once."""

    def __init__(self, store: HistoryStore, plan: RemindPlan):
        self.store, self.plan = store, plan

    def sent_before(self, o: Outgoing) -> None:
        return None

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def record(self, o: Outgoing, server: str) -> None:
        self.store.mark_sent(self.plan.as_of, self.plan.keys[id(o)])


# ---------------------------------------------------------------------------
# The messages
# ---------------------------------------------------------------------------


def item_text(item: Item, working_days: bool = False, lang: str = ZH) -> str:
    """One item as the mail lists it, e.g. ``LF2024002 B公司/*总监 · 需求挖掘 · 已停留 20 天…``."""
    t = catalogue(lang)
    unit = t("remind.unit.working_days" if working_days else "remind.unit.days")
    who = " ".join(x for x in (item.lead_id, item.customer) if x)
    days = "—" if item.days is None else f"{item.days:g}"
    if item.kind == AlertKind.STALLED:
        limit = "—" if item.limit_days is None else f"{item.limit_days:g}"
        what = t("remind.item.stalled", days=days, limit=limit, unit=unit)
        if item.exit:
            what += t("remind.item.exit", exit=item.exit)
        what += t("remind.item.review")
    elif item.kind == FOLLOW_UP_DUE:
        what = t("remind.item.due_today", date=item.date)
    elif item.kind == AlertKind.OVERDUE:
        what = t("remind.item.overdue", date=item.date, days=days)
    elif item.kind == AlertKind.CLOSE_PAST:
        what = t("remind.item.close_past", date=item.date, days=days)
    else:
        what = t("mail.alert.stale", days=days)
    return f"{who} · {item.stage} · {what}"


def _rep_message(
    owner: str, address: str, items: list[Item], analysis: Analysis, recipients: Recipients,
    now: datetime,
) -> Outgoing:
    working, lang = analysis.rules.thresholds.dwell_in_working_days, analysis.rules.lang
    t = catalogue(lang)
    body = MailBody(t)
    body.para(t("mail.rep.greeting", name=owner))
    body.para(t("remind.rep.intro", as_of=analysis.as_of.isoformat(), count=len(items)))
    for section, kinds in SECTIONS:
        mine = [i for i in items if i.kind in kinds]
        if mine:
            body.heading(t("remind.section.heading", title=t(f"remind.section.{section}"), count=len(mine)))
            body.items([item_text(i, working, lang) for i in mine])
    body.para(t("remind.rep.closing", days=analysis.rules.remind.repeat_days))
    body.para(t("mail.footer"))
    suffix = t("remind.rep.subject", count=len(items))
    return _outgoing("owner", owner, address, suffix, body, analysis, recipients, now, t)


def _digest(
    address: str, due: list[Item], to_send: dict[str, list[Item]], analysis: Analysis,
    recipients: Recipients, now: datetime,
) -> Outgoing:
    working, lang = analysis.rules.thresholds.dwell_in_working_days, analysis.rules.lang
    t = catalogue(lang)
    by_owner: dict[str, list[Item]] = {}
    for item in due:
        by_owner.setdefault(item.owner, []).append(item)
    body = MailBody(t)
    body.para(t("mail.manager.greeting"))
    body.para(t("remind.digest.intro", as_of=analysis.as_of.isoformat()))
    header = [
        t("group.owner"), t("remind.digest.due"), t("remind.digest.new"), t("alert.stalled"),
        t("remind.digest.follow_up"), t("alert.close_past"), t("alert.stale"),
    ]
    rows = []
    for owner, items in by_owner.items():
        counts = [sum(i.kind in kinds for i in items) for _, kinds in SECTIONS]
        rows.append([owner, str(len(items)), str(len(to_send.get(owner, []))), *map(str, counts)])
    body.table(header, rows)
    body.heading(t("remind.digest.oldest", count=OLDEST_LISTED))
    for owner, items in by_owner.items():
        oldest = sorted(items, key=lambda i: -(i.days or 0))[:OLDEST_LISTED]
        body.para(t("remind.digest.owner", owner=owner))
        body.items([item_text(i, working, lang) for i in oldest])
    body.para(t("mail.footer"))
    suffix = t("remind.digest.subject", count=len(due))
    return _outgoing(MANAGER, t("mail.team"), address, suffix, body, analysis, recipients, now, t)


def _outgoing(
    kind: str, name: str, to: str, suffix: str, body: MailBody, analysis: Analysis,
    recipients: Recipients, now: datetime, t: Catalogue,
) -> Outgoing:
    text, page = body.render()
    msg = new_message(
        f"{t('remind.subject')} {analysis.as_of.isoformat()} · {suffix}", name, to, text, page, recipients, now
    )
    return Outgoing(
        kind=kind, name=name, to=to, attachment=None, attachment_name="",
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), message=msg,
    )
