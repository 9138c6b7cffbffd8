"""Which field each header of a foreign sheet holds (for ``funnel-xl rules init``).

A header is matched, in this order: by the rules' own headers and aliases; by the dictionary of
the exports people actually have (Salesforce, HubSpot, Pipedrive, Zoho CRM, Odoo, the public CRM
examples, Chinese CRMs), compared with case, spaces, underscores and punctuation folded away, so
``deal_stage``, ``dealStage`` and ``Deal Stage`` are one; else by a word it contains, marked as
a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from .container import column_letters
from .rules import Rules, normalize_header
from .text import is_empty

# Exact headers of known exports (folded by fold()), per field; a header here is no guess.
DICTIONARY = {
    "lead_id": ("opportunityid", "dealid", "leadid", "recordid", "opportunityname", "dealname",
                "opportunity", "title", "商机名称", "商机编号", "线索编号"),
    "customer": ("account", "accountname", "company", "organization", "organisation",
                 "customername", "客户名称", "客户"),
    "stage": ("stage", "dealstage", "stagename", "pipelinestage", "salesstage", "销售阶段",
              "商机阶段", "阶段"),
    "status": ("status", "dealstatus", "状态", "商机状态"),
    "first_contact": ("createddate", "createdate", "created", "createdon", "createdtime",
                      "dealcreated", "engagedate", "leadacquisitiondate", "创建时间", "创建日期"),
    "expected_close": ("closedate", "expectedclose", "expectedclosedate", "expectedclosing",
                       "closingdate", "预计成交日期", "预计结单日期"),
    "amount": ("amount", "value", "dealvalue", "closevalue", "expectedrevenue", "opportunityamount",
               "金额", "商机金额", "预计金额"),
    "owner": ("opportunityowner", "dealowner", "owner", "salesagent", "salesperson",
              "accountexecutive", "salesrep", "assignedto", "负责人", "销售负责人", "商机负责人"),
    "source": ("leadsource", "originalsource", "source", "channel", "客户来源", "线索来源", "来源"),
    "lost_reason": ("lostreason", "closedlostreason", "reasonlost", "丢单原因", "输单原因"),
    "lost_at": ("lostatstage", "loststage", "stagelostat", "丢单阶段", "输单阶段"),
    "last_follow_up": ("lasttouch", "lastactivity", "lastactivitydate", "lastcontacted",
                       "lastactivitytime", "最近跟进时间", "最后跟进时间"),
    "stage_entered": ("stagedate", "stagechangedate", "stagechanged", "laststagechange",
                      "stageupdated", "阶段变更日期", "阶段进入日期"),
    "won_time": ("wontime", "wondate", "赢单时间", "赢单日期"),
    "lost_time": ("losttime", "lostdate", "输单时间", "丢单时间"),
    "close_date": ("actualclosedate", "closeddate", "实际成交日期"),
    "currency": ("currency", "currencycode", "币种", "货币"),
}
# Words that give a header's field away when no header matches (folded), tried in this order.
HINTS = {
    "lead_id": ("leadid", "dealid", "opportunityid", "线索编号", "编号"),
    "customer": ("organization", "organisation", "company", "account", "customer", "客户", "公司"),
    "stage": ("dealstage", "stage", "阶段"),
    "first_contact": ("acquisition", "created", "firstcontact", "opened", "engage", "首次", "创建"),
    "last_follow_up": ("lastactivity", "lastcontact", "lastfollow", "lasttouch", "最近跟进"),
    "expected_close": ("expectedclose", "closedate", "预计成交"),
    "amount": ("dealvalue", "amount", "value", "revenue", "金额"),
    "owner": ("owner", "salesrep", "rep", "salesperson", "agent", "负责人", "销售"),
    "source": ("leadsource", "source", "channel", "来源", "渠道"),
    "lost_reason": ("lostreason", "流失原因"),
    "industry": ("industry", "行业"),
}
# Fields the draft recognises that the rules have no column for: read to draft other keys.
HELPER_FIELDS = ("status", "won_time", "lost_time", "close_date", "currency")
_UNIT_SUFFIX = re.compile(r"(?:usd|cny|rmb|eur|gbp|万元|元)$")
# An ISO date with a time of day (HubSpot's "2024-01-15 10:32"), read as the date.
_ISO_DATE_TIME = re.compile(r"^\s*\d{4}[/.-]\d{1,2}[/.-]\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?\s*$")
DATE_TEXT = re.compile(r"^\s*(\d{1,4})([/.-])(\d{1,2})\2(\d{2,4})\s*$")


def fold(text: object) -> str:
    """A header folded for the dictionary: NFKC, casefolded, only letters and digits kept, a
    trailing currency or unit dropped ("Value (USD)" → value, "金额(万元)" → 金额)."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    folded = "".join(ch for ch in folded if ch.isalnum())
    return _UNIT_SUFFIX.sub("", folded) or folded


@dataclass
class Header:
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
        dates = sum(isinstance(v, (date, datetime)) or bool(DATE_TEXT.match(str(v)) or _ISO_DATE_TIME.match(str(v)))
                    for v in filled)
        numbers = sum(number(v) is not None for v in filled)
        if dates >= 0.8 * len(filled):
            return "date"
        if numbers >= 0.8 * len(filled):
            return "number"
        return "text"

    @property
    def distinct(self) -> Counter:
        return Counter(cell_text(v) for v in self.filled)


def read_headers(rows: list[list], origin: tuple[int, int], rules: Rules) -> tuple[list[Header], int]:
    """The header row (the one naming most known fields, else the first with most text cells),
    its 0-based index in ``rows``, and each header with its column's values, matched to fields."""
    search = rows[: rules.header_search_rows]
    lookup = {normalize_header(n): c.field for c in rules.columns for n in c.names}
    known = {name for names in DICTIONARY.values() for name in names}

    def score(row: list) -> tuple[int, int]:
        texts = [v for v in row if isinstance(v, str) and v.strip()]
        named = sum(normalize_header(v) in lookup or fold(v) in known for v in texts)
        return named, len(texts)

    header_at = max(range(len(search)), key=lambda i: (score(search[i]), -i)) if search else 0
    header_cells = rows[header_at] if rows else []
    body = rows[header_at + 1 :]
    headers = []
    for j, cell in enumerate(header_cells):
        text = " ".join(str(cell).split()) if not is_empty(cell) else ""
        if text:
            values = [row[j] if j < len(row) else None for row in body]
            headers.append(Header(j, column_letters(origin[1] + j + 1), text, values))
    match(headers, rules)
    return headers, header_at


def match(headers: list[Header], rules: Rules) -> None:
    """Set each header's field: the rules' names, then the dictionary, then a hint word."""
    lookup = {normalize_header(n): c.field for c in rules.columns for n in c.names}
    taken: set[str] = set()

    def take(h: Header, name: str, guessed: bool) -> None:
        h.field, h.guessed = name, guessed
        taken.add(name)

    for h in headers:
        found = lookup.get(normalize_header(h.text))
        if found and found not in taken and _fits(h, rules, found):
            take(h, found, False)
    for name, names in DICTIONARY.items():
        if name in taken or not (rules.has_column(name) or name in HELPER_FIELDS):
            continue
        h = next((h for h in headers if not h.field and fold(h.text) in names and _fits(h, rules, name)), None)
        if h is not None:
            take(h, name, False)
    for name, words in HINTS.items():
        if name in taken or not rules.has_column(name):
            continue
        h = next((h for h in headers if not h.field and any(w in fold(h.text) for w in words)
                  and _fits(h, rules, name)), None)
        if h is not None:
            take(h, name, True)
    if "lead_id" not in taken:
        _unique_text_as_id(headers)


def _fits(h: Header, rules: Rules, name: str) -> bool:
    """Whether the column's values suit the field's kind (a date field holds dates, …)."""
    if name in ("won_time", "lost_time", "close_date"):
        return h.kind in ("date", "empty")
    if name == "status":
        return h.kind == "text" and 2 <= len(h.distinct) <= 5
    if name == "currency" or not rules.has_column(name):
        return h.kind in ("text", "empty")
    wanted = rules.column(name).kind
    if wanted == "date":
        return h.kind in ("date", "empty")
    if wanted == "number":
        return h.kind in ("number", "empty") or (name == "amount" and amounts_with_signs(h))
    if name == "lead_id":
        return h.kind != "date"
    return h.kind not in ("date", "number")


def amounts_with_signs(h: Header) -> bool:
    """Amounts written as text with a currency sign or unit ("$1,200", "¥3000", "12万元")."""
    filled = h.filled
    bare = [re.sub(r"^(?:US\$|USD|CNY|RMB|[$€£¥￥])\s*|\s*(?:USD|CNY|RMB|万元|万|元)$", "", str(v)) for v in filled]
    return bool(filled) and sum(number(v) is not None for v in bare) >= 0.8 * len(filled)


def _unique_text_as_id(headers: list[Header]) -> None:
    """No ID column: a text column whose every value is there and different identifies the lead
    (an export keyed by the company's name), taken from the customer field if need be."""
    rows = max((len(h.values) for h in headers), default=0)
    for h in headers:
        texts = [cell_text(v) for v in h.values]
        if h.field in (None, "customer") and rows and h.kind == "text" and len(set(texts)) == rows and all(texts):
            h.field, h.guessed, h.unique = "lead_id", True, True
            return


def number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        return None


def cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())
