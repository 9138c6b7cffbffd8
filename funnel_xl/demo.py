"""A made-up sales team's tracking sheet, for trying the tool and for tests and benchmarks.

Eight reps (one written masked as "*销售代表", as the team does) of different skill work leads from
five sources of different quality. Each lead's first contact falls in the ``months`` months up to
``as_of``; its journey is simulated stage by stage with per-stage dwell times (some beyond the stage's
``max_dwell_days``, so there are stalled leads) until it is won, lost or still open on ``as_of``.
The same seed always gives the same rows.

Some leads the rep stopped working are never archived: they stay open with an old last follow-up
(stale, overdue, stalled), as in any real sheet.

The follow-up log (跟进记录) tells the same story, one row per contact, in date order: the first
contact; every stage move on the day it happened (阶段调整为), the lost mark included; zero to two
follow-ups without a stage change between moves; for an open or won lead a last contact on its
最近跟进时间. So the leads sheet agrees with the log: 所属阶段 is the last stage adjustment,
阶段进入日期 the date of the move into it, 流失阶段 the stage before the lost mark, 最近跟进时间 the
latest entry (except on the rows with a planted date problem). The log comes from its own random
stream, so the leads rows are the same with or without it; about five entries per lead.

Messiness that is *not* a problem: on about 3% of the rows a date is typed as text in a valid form
("2024/3/15", "2024年3月15日", "2024.3.15", "2024-03-15"); 阶段进入日期 is blank on about a fifth of the rows
(half of those carry a hand-typed 当前阶段停留时长(天) instead); 流失阶段 is blank on about a fifth of
the lost leads; a few rows carry a hand-typed 转化率/阶段通过率 such as "80%(方案提案→商务谈判)".

Planted problems, ``max(1, n_leads // 250)`` rows of each kind (one each in the default 300 rows,
about 4% of the rows in all), on distinct rows chosen by the seed, each the only mistake on its row:

- ``missing_owner``: 负责人 blank.
- ``unknown_stage``: 所属阶段 misspelt on an open lead of that stage: "需求挖据" first ("方案提按",
  "商务淡判" on further rows).
- ``duplicate_id``: the row repeats the 线索编号 of the nearest earlier row (its own number is skipped).
- ``bad_date``: 首次接触时间 is text that is no date: "上周三" first ("三月中旬", "年初").
- ``follow_up_before_first_contact``: 最近跟进时间 3–30 days before 首次接触时间 (阶段进入日期 and
  停留时长 blank).
- ``future_date``: 最近跟进时间 of an open lead 5–40 days after ``as_of``.
- ``unknown_source``: 线索来源 "朋友介绍" first ("电话陌拜").
- ``bad_lead_id``: 线索编号 not matching the rules' pattern: "A-17" first ("LF24-088", "2024017").
- ``negative_amount``: 预计成交金额(万元) below zero.
- ``amount_not_number``: 预计成交金额(万元) is text: "待定" first ("约50万", "面议").

Planted in the log, as many of each, on follow-ups between two moves (so no figure depends on them):

- ``log_unknown_lead``: 线索编号 with a digit left out ("LF202412" for LF2024012).
- ``log_unknown_stage``: 阶段调整为 misspelt: "需求挖据" first ("方案提按", "商务淡判").
- ``log_bad_time``: 跟进时间 is text that is no date: "上周五".
- ``stage_disagrees_with_log``: an open lead's last contact moved it on in the log, but its
  所属阶段 was not updated (a warning on the leads sheet).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from .rules import Rules
from .template import write_tracking_workbook

# Reps and how well they move a lead on (a multiplier on every pass probability).
REPS = (
    ("张伟", 1.12),
    ("李娜", 1.05),
    ("王磊", 0.97),
    ("刘洋", 0.90),
    ("陈静", 1.08),
    ("赵敏", 0.88),
    ("孙浩", 1.00),
    ("*销售代表", 0.94),
)
# Source: (share of leads, quality multiplier on every pass probability).
SOURCES = {
    "展会推广": (0.24, 1.00),
    "官网表单": (0.26, 0.94),
    "线上广告": (0.20, 0.80),
    "老客户转介绍": (0.12, 1.22),
    "渠道合作": (0.18, 1.06),
}
METHOD_WEIGHTS = {"电话": 0.34, "微信": 0.26, "面谈": 0.16, "邮件": 0.14, "视频会议": 0.10}
# Pass probability of each transition of the default six stages, for an average rep and source.
BASE_PASS = (0.65, 0.72, 0.70, 0.76, 0.94)
# Share of the leads that fail a stage which the rep never archives: they stay open and go stale.
FORGOTTEN_SHARE = 0.15
PROBLEM_KINDS = (
    "missing_owner",
    "unknown_stage",
    "duplicate_id",
    "bad_date",
    "follow_up_before_first_contact",
    "future_date",
    "unknown_source",
    "bad_lead_id",
    "negative_amount",
    "amount_not_number",
)
# A misspelt stage and the stage the rep meant.
STAGE_TYPOS = {"需求挖据": "需求挖掘", "方案提按": "方案提案", "商务淡判": "商务谈判"}
PROBLEM_VALUES = {
    "unknown_stage": tuple(STAGE_TYPOS),
    "bad_date": ("上周三", "三月中旬", "年初"),
    "unknown_source": ("朋友介绍", "电话陌拜"),
    "bad_lead_id": ("A-17", "LF24-088", "2024017"),
    "amount_not_number": ("待定", "约50万", "面议"),
}
PROBLEM_FIELDS = {
    "unknown_stage": "stage",
    "unknown_source": "source",
    "bad_lead_id": "lead_id",
    "duplicate_id": "lead_id",
}
LOG_PROBLEM_KINDS = (
    "log_unknown_lead", "log_unknown_stage", "log_bad_time", "stage_disagrees_with_log",
)
LOG_PROBLEM_VALUES = {"log_unknown_stage": tuple(STAGE_TYPOS), "log_bad_time": ("上周五",)}
# One row in this many per problem kind.
PROBLEM_EVERY = 250
MESSY_DATE_SHARE = 0.03

COMPANY_PREFIXES = (
    "华通", "恒信", "中科", "远航", "鼎盛", "新锐", "博远", "嘉禾", "瑞丰", "天成",
    "安泰", "众诚", "宏达", "金桥", "海纳", "云启", "正和", "同创", "启明", "锦程",
)
# Company suffix and the industry it implies.
COMPANY_KINDS = (
    ("科技", "信息技术"),
    ("软件", "信息技术"),
    ("制造", "制造业"),
    ("机械", "制造业"),
    ("物流", "物流"),
    ("医疗", "医疗健康"),
    ("教育", "教育"),
    ("商贸", "零售"),
    ("能源", "能源"),
    ("食品", "食品饮料"),
    ("建设", "建筑"),
    ("金融服务", "金融"),
)
CONTACT_TITLES = ("*经理", "*总监", "*总", "*主任", "*工", "*采购", "*先生", "*女士")
PHONE_PREFIXES = ("138", "139", "158", "186", "137", "150", "189", "135")
NEEDS = (
    "需降低20%采购成本，要求6个月质保",
    "现有系统数据分散，希望统一管理",
    "人工录入效率低，希望自动化",
    "需要满足行业合规审计要求",
    "希望缩短交付周期至1个月内",
    "多门店库存不透明，经常缺货",
    "客户流失率高，想提升复购",
    "预算有限，希望分期付款",
    "需要与现有ERP系统对接",
    "售后响应慢，希望本地化服务",
    "希望先小范围试点再推广",
    "决策链长，需要给高层的ROI测算",
)
# Follow-up summaries by position in the default funnel (0 = 潜在接触 … 5 = 已成交).
SUMMARIES = (
    (
        "客户索取产品资料，已发送介绍材料，约下周电话沟通",
        "展会上交换名片，客户对产品有兴趣，待进一步了解需求",
        "客户在官网留言咨询价格，已回电初步介绍",
        "首次电话沟通，客户表示暂无明确计划，保持联系",
    ),
    (
        "与客户梳理现有流程和痛点，确认预算范围",
        "了解到决策人是采购总监，约定下周面谈",
        "客户提出对接现有系统的需求，需技术同事评估",
        "客户在对比竞品，要求提供同行业案例",
    ),
    (
        "已提交定制方案，客户技术部门评审中",
        "演示了核心功能，客户认可方案，需补充ROI测算",
        "根据客户反馈修改方案第二版，增加实施计划",
        "客户认为方案可行，要求报价",
    ),
    (
        "客户对价格有异议，要求增加3个月免费维护，已提交内部审批流程",
        "商定付款方式为分三期，合同条款法务审核中",
        "客户要求缩短交付周期，正在协调实施资源",
        "第二轮议价，客户希望再降5%",
    ),
    (
        "客户内部审批已通过，合同寄出等待盖章",
        "合同条款已确认，等待客户财务付款",
        "客户领导已签字，约定下周付首款",
    ),
    (
        "合同已签署，首款到账，已移交售后实施",
        "款项到账，安排项目启动会",
        "签约完成，客户推荐了另一家合作伙伴",
    ),
)
# Loss reasons and the summary a rep writes, for leads lost early (before a proposal) and late.
EARLY_LOSS = {
    "联系不上客户": "多次电话未接通，微信未回复，线索归档",
    "客户暂无需求": "客户表示今年没有采购计划，线索归档",
    "预算不足": "客户预算不足，项目暂不启动",
    "客户只是了解行情": "客户只是收集行情信息，无采购意向",
}
LATE_LOSS = {
    "选择了竞品": "客户最终选择了竞品，主要原因是价格",
    "价格超出预算": "报价超出客户预算，多轮沟通未达成一致",
    "项目搁置": "客户内部调整，项目无限期搁置",
    "决策人变更": "客户决策人离职，新负责人不认可方案",
    "内部采购流程变化": "客户改为集中招标采购，本次未入围",
}


# What a rep notes on a follow-up that does not move the lead, by position in the default funnel.
FEEDBACK = (
    ("暂时只是了解一下", "需要先内部讨论", None, None),
    ("预算还在申请中", "决策人下周出差", "在对比竞品", None),
    ("希望增加ROI测算", "技术部门还有疑问", "在对比竞品", None),
    ("价格偏高", "要求延长质保", "付款方式需要再谈", None),
    ("法务还在审合同", "等待财务排期", None),
    (None,),
)
NEXT_ACTIONS = (
    ("发送产品资料", "电话了解需求", "约首次拜访"),
    ("约需求调研会", "提供同行业案例", "确认预算与决策人"),
    ("修改方案", "安排产品演示", "补充ROI测算"),
    ("提交报价", "协调法务审核合同", "申请特殊折扣"),
    ("跟进合同盖章", "确认付款时间"),
    ("安排项目启动会", "移交售后"),
)
AFTER_WON = ("合同已归档，售后团队已对接", "项目启动会已召开", "首期款到账确认")


@dataclass(frozen=True)
class DemoData:
    """The demo team's leads and follow-up log, as rows keyed by field name."""

    leads: list[dict]
    log: list[tuple]  # in rules.log_columns order (see :func:`log_dicts`)
    log_fields: tuple[str, ...]

    def log_dicts(self) -> _LogRows:
        """The log as dicts keyed by field name, made one at a time as they are written."""
        return _LogRows(self.log, self.log_fields)


class _LogRows:
    """A sized view of the log entries as dicts (what the template writer takes)."""

    def __init__(self, entries: Sequence[tuple], fields: tuple[str, ...]):
        self.entries = entries
        self.fields = fields

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[dict]:
        for entry in self.entries:
            yield {k: v for k, v in zip(self.fields, entry, strict=False) if v is not None}


@dataclass
class _Journey:
    """What really happened to one lead, before any planted mistake: the log is written from it."""

    owner: str
    first: date
    moves: list[tuple[int, date]]  # (stage index, day it was entered), S1 at first contact first
    outcome: str  # won, lost, open
    ended: date | None  # the lost mark (lost) or the last contact (open, won)
    method: str | None = None
    summary: str | None = None
    reason: str | None = None


def demo_rows(rules: Rules, **options: Any) -> list[dict]:
    """Rows of a realistic team's tracking sheet, keyed by field name; the same seed gives the same
    rows. ``options``: those of :func:`demo_data` (seed, n_leads, as_of, months)."""
    return demo_data(rules, **options).leads


def demo_data(
    rules: Rules,
    *,
    seed: int = 2024,
    n_leads: int = 300,
    as_of: date = date(2024, 5, 31),
    months: int = 6,
) -> DemoData:
    """The demo team's leads and, when the rules describe one, its follow-up log."""
    rng = random.Random(seed)
    start = _months_back(as_of, months)
    span = (as_of - start).days
    first_contacts = sorted(start + timedelta(days=rng.randrange(span + 1)) for _ in range(n_leads))
    width = max(3, len(str(n_leads)))
    sim = _Simulation(rules, rng, as_of)
    rows = [
        sim.lead(f"LF{as_of.year}{i:0{width}d}", first)
        for i, first in enumerate(first_contacts, start=1)
    ]
    taken = _plant_problems(rows, rules, rng, as_of)
    fields = tuple(c.field for c in rules.log_columns)
    if not fields:
        return DemoData(rows, [], ())
    log = _FollowUpLog(rules, random.Random(f"{seed}:跟进记录"), fields)
    entries = log.write(rows, sim.journeys, taken)
    return DemoData(rows, entries, fields)


def write_demo_workbook(
    path: str | Path,
    rules: Rules,
    *,
    seed: int = 2024,
    n_leads: int = 300,
    as_of: date = date(2024, 5, 31),
) -> None:
    """Write the demo team's tracking workbook (the template with :func:`demo_data` filled in).
    Raises :class:`OutputError` when the leads or their log (about five entries a lead) would not
    fit one sheet: around 200,000 leads."""
    data = demo_data(rules, seed=seed, n_leads=n_leads, as_of=as_of)
    write_tracking_workbook(path, rules, data.leads, data.log_dicts())


def _months_back(as_of: date, months: int) -> date:
    """The first day of the month ``months - 1`` months before ``as_of``'s month."""
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


class _Simulation:
    """One lead at a time: its journey through the rules' stages and the cells a rep would type."""

    def __init__(self, rules: Rules, rng: random.Random, as_of: date):
        self.rng = rng
        self.as_of = as_of
        self.journeys: list[_Journey] = []
        self.stages = rules.stage_names
        self.lost_label = rules.lost_labels[0]
        last = len(self.stages) - 1
        self.pass_base = [BASE_PASS[round(k * 4 / max(last - 1, 1))] for k in range(last)]
        # Mean dwell a bit over half the stage's limit; the gamma tail runs past it now and then.
        self.mean_dwell = [max(s.max_dwell_days, 7) * 0.6 for s in rules.stages]
        self.max_dwell = [s.max_dwell_days for s in rules.stages]
        self.position = [round(k * 5 / max(last, 1)) for k in range(last + 1)]
        self.sources = list(rules.sources)
        self.source_weights = list(accumulate(SOURCES.get(s, (0.2, 1.0))[0] for s in self.sources))
        self.methods = list(rules.follow_up_methods)
        # Late in the funnel reps meet the customer (in person or on video) more often.
        self.method_weights = [
            list(
                accumulate(
                    METHOD_WEIGHTS.get(m, 0.1) * (2.0 if m in ("面谈", "视频会议") and pos >= 3 else 1.0)
                    for m in self.methods
                )
            )
            for pos in self.position
        ]

    def lead(self, lead_id: str, first: date) -> dict:
        rng = self.rng
        owner, skill = rng.choice(REPS)
        source = rng.choices(self.sources, cum_weights=self.source_weights)[0] if self.sources else None
        quality = SOURCES.get(source, (0.2, 1.0))[1]
        speed = rng.uniform(0.7, 1.3)
        last = len(self.stages) - 1

        k, entered, lost_on, last_touch = 0, first, None, None
        moves = [(0, first)]
        while k < last:
            dwell = round(rng.gammavariate(2.0, self.mean_dwell[k] / 2.0) * speed)
            if rng.random() < 0.06:
                dwell += self.max_dwell[k] + rng.randrange(30)
            left = entered + timedelta(days=max(dwell, 1 if k else 0))
            if left > self.as_of:
                break
            if rng.random() >= min(0.97, self.pass_base[k] * skill * quality):
                if rng.random() < FORGOTTEN_SHARE:
                    last_touch = left
                else:
                    lost_on = left
                break
            k, entered = k + 1, left
            moves.append((k, left))

        industry_suffix, industry = rng.choice(COMPANY_KINDS)
        row = {
            "lead_id": lead_id,
            "customer": f"{rng.choice(COMPANY_PREFIXES)}{industry_suffix}/{rng.choice(CONTACT_TITLES)}",
            "source": source,
            "first_contact": first,
            "owner": owner,
            "industry": industry,
            "contact_info": f"{rng.choice(PHONE_PREFIXES)}****{rng.randrange(10000):04d}",
            "needs": rng.choice(NEEDS),
        }
        if lost_on is not None:
            self._lost(row, k, lost_on)
        elif k == last:
            self._won(row, entered)
        else:
            self._active(row, k, entered, last_touch)
        if k > 0:
            self._deal(row, k)
        outcome = "lost" if lost_on is not None else "won" if k == last else "open"
        self.journeys.append(
            _Journey(
                owner=owner, first=first, moves=moves, outcome=outcome,
                ended=lost_on if lost_on is not None else row["last_follow_up"],
                method=row.get("follow_up_method"), summary=row.get("follow_up_summary"),
                reason=row.get("lost_reason"),
            )
        )
        self._dwell_columns(row)
        return row

    def _lost(self, row: dict, k: int, lost_on: date) -> None:
        rng = self.rng
        row["stage"] = self.lost_label
        row["stage_entered"] = lost_on
        row["last_follow_up"] = lost_on
        if rng.random() < 0.8:
            row["lost_at"] = self.stages[k]
        reasons = EARLY_LOSS if self.position[k] < 2 else LATE_LOSS
        reason = rng.choice(list(reasons))
        row["lost_reason"] = reason
        row["follow_up_summary"] = reasons[reason]
        row["follow_up_method"] = self._method(k)

    def _won(self, row: dict, won_on: date) -> None:
        rng = self.rng
        row["stage"] = self.stages[-1]
        row["stage_entered"] = won_on
        row["last_follow_up"] = min(won_on + timedelta(days=rng.randrange(6)), self.as_of)
        row["follow_up_summary"] = rng.choice(SUMMARIES[self.position[-1]])
        row["follow_up_method"] = self._method(len(self.stages) - 1)
        self._hand_typed_rate(row, len(self.stages) - 1)

    def _active(self, row: dict, k: int, entered: date, last_touch: date | None) -> None:
        """An open lead; ``last_touch`` is the last follow-up of a lead its rep has stopped working."""
        rng = self.rng
        row["stage"] = self.stages[k]
        row["stage_entered"] = entered
        since = (self.as_of - entered).days
        last = last_touch or self.as_of - timedelta(days=min(since, int(rng.expovariate(1 / 6))))
        row["last_follow_up"] = last
        row["next_follow_up"] = last + timedelta(days=rng.randint(3, 21))
        # A new lead is often entered before anything is written about it.
        if k > 0 or rng.random() < 0.75:
            row["follow_up_summary"] = rng.choice(SUMMARIES[self.position[k]])
            row["follow_up_method"] = self._method(k)
        if k > 0:
            self._hand_typed_rate(row, k)

    def _hand_typed_rate(self, row: dict, k: int) -> None:
        """Now and then a rep types the pass rate into stage ``k`` as the team writes it."""
        if self.rng.random() < 0.1:
            percent = self.rng.randrange(50, 95, 5)
            row["pass_rate_text"] = f"{percent}%({self.stages[k - 1]}→{self.stages[k]})"

    def _deal(self, row: dict, k: int) -> None:
        rng = self.rng
        if row["stage"] == self.stages[-1]:
            row["expected_close"] = row["stage_entered"]
        else:
            ahead = (len(self.stages) - 1 - k) * 18 + rng.randrange(-7, 30)
            row["expected_close"] = row["last_follow_up"] + timedelta(days=max(ahead, 7))
        amount = rng.lognormvariate(3.6, 0.8) * (1.4 if row["source"] == "老客户转介绍" else 1.0)
        row["amount"] = round(min(max(amount, 5.0), 200.0), 1)

    def _dwell_columns(self, row: dict) -> None:
        roll = self.rng.random()
        if roll < 0.8:
            return
        entered = row.pop("stage_entered")
        if roll < 0.9:
            row["dwell_days"] = (row["last_follow_up"] - entered).days

    def _method(self, k: int) -> str | None:
        if not self.methods:
            return None
        return self.rng.choices(self.methods, cum_weights=self.method_weights[k])[0]


def _plant_problems(rows: list[dict], rules: Rules, rng: random.Random, as_of: date) -> set[int]:
    """Plant each kind of problem on rows where it is the only thing wrong, then the messy dates.
    Returns the indexes of the rows with a planted problem."""
    n = len(rows)
    per_kind = max(1, n // PROBLEM_EVERY)
    order = list(range(n))
    rng.shuffle(order)
    taken: set[int] = set()
    open_stages = set(rules.stage_names[:-1])
    candidates = {}
    for kind in PROBLEM_KINDS:
        values = PROBLEM_VALUES.get(kind, (None,))
        for nth in range(per_kind):
            value = values[nth % len(values)]
            if (kind, value) not in candidates:
                fits = _fits(kind, value, open_stages)
                candidates[kind, value] = (i for i in order if i not in taken and fits(rows[i]))
            i = next(candidates[kind, value], None)
            if i is None:
                continue
            taken.add(i)
            if kind == "duplicate_id":
                twin = next((j for j in range(i - 1, -1, -1) if j not in taken), None)
                if twin is None:
                    twin = next(j for j in range(i + 1, n) if j not in taken)
                taken.add(twin)
                value = rows[twin]["lead_id"]
            _plant(rows[i], kind, value, rng, as_of)
    messy = [i for i in order if i not in taken][: round(n * MESSY_DATE_SHARE)]
    for j, i in enumerate(messy):
        field = ("first_contact", "last_follow_up", "stage_entered")[j % 3]
        if field not in rows[i]:
            field = "first_contact"
        rows[i][field] = _date_text(rows[i][field], j % 4)
    return taken


def _fits(kind: str, value, open_stages: set[str]):
    """Which rows a problem may go on, so that the planted value is the row's only mistake."""
    if kind == "unknown_stage":
        meant = STAGE_TYPOS[value]
        if meant in open_stages:
            return lambda row: row["stage"] == meant
        return lambda row: row["stage"] in open_stages
    if kind == "future_date":
        return lambda row: row["stage"] in open_stages
    if kind in ("negative_amount", "amount_not_number"):
        return lambda row: "amount" in row
    return lambda row: True


def _plant(row: dict, kind: str, value, rng: random.Random, as_of: date) -> None:
    if kind == "missing_owner":
        row["owner"] = None
    elif kind in ("unknown_stage", "unknown_source", "bad_lead_id", "duplicate_id"):
        row[PROBLEM_FIELDS[kind]] = value
    elif kind == "bad_date":
        row["first_contact"] = value
    elif kind == "follow_up_before_first_contact":
        row["last_follow_up"] = row["first_contact"] - timedelta(days=rng.randint(3, 30))
        row.pop("stage_entered", None)
        row.pop("dwell_days", None)
    elif kind == "future_date":
        row["last_follow_up"] = as_of + timedelta(days=rng.randint(5, 40))
        row["next_follow_up"] = row["last_follow_up"] + timedelta(days=7)
    elif kind == "negative_amount":
        row["amount"] = -row["amount"]
    elif kind == "amount_not_number":
        row["amount"] = value


class _FollowUpLog:
    """Each lead's follow-ups written from its journey, then a few planted mistakes; date order."""

    def __init__(self, rules: Rules, rng: random.Random, fields: tuple[str, ...]):
        self.rng = rng
        self.fields = fields
        self.stages = rules.stage_names
        self.lost_label = rules.lost_labels[0]
        last = len(self.stages) - 1
        self.position = [round(k * 5 / max(last, 1)) for k in range(last + 1)]
        self.methods = list(rules.follow_up_methods) or [None]
        # Where each of the rules' log fields sits in an entry (None: a field the demo leaves).
        self.positions = [_LOG_FIELDS.index(f) if f in _LOG_FIELDS else None for f in fields]

    def write(self, rows: list[dict], journeys: list[_Journey], taken: set[int]) -> list[tuple]:
        by_day: dict[date, list[tuple]] = {}
        # Follow-ups between moves of rows without a planted problem: where log mistakes may go.
        spare: list[tuple[date, list]] = []
        disagree: list[tuple[int, list]] = []
        for i, (row, journey) in enumerate(zip(rows, journeys, strict=True)):
            for entry, kind in self.lead(row["lead_id"], journey):
                by_day.setdefault(entry[1], []).append(entry)
                if i not in taken:
                    if kind == "between":
                        spare.append(entry)
                    elif kind == "last_open":
                        disagree.append((i, entry))
        self.plant(len(rows), spare, disagree, journeys)
        # Day by day, each day's lists freed as its entries become tuples.
        return [self.cells(entry) for day in sorted(by_day) for entry in by_day.pop(day)]

    def lead(self, lead_id: str, journey: _Journey) -> Iterator[tuple[list, str]]:
        """The entries of one lead, each with what it is: first, between, move, lost, last_open
        or after."""
        rng = self.rng
        owner = journey.owner
        k, day = journey.moves[0]
        yield self.entry(lead_id, day, k, owner), "first"
        for k, moved in journey.moves[1:]:
            yield from self.between(lead_id, day, moved, k - 1, owner)
            yield self.entry(lead_id, moved, k, owner, change=self.stages[k]), "move"
            day = moved
        if journey.outcome == "lost":
            yield from self.between(lead_id, day, journey.ended, k, owner)
            entry = self.entry(lead_id, journey.ended, k, owner, change=self.lost_label, final=True)
            entry[2], entry[3], entry[4] = journey.method, journey.summary, journey.reason
            yield entry, "lost"
        elif journey.ended > day:
            if journey.outcome == "open":
                yield from self.between(lead_id, day, journey.ended, k, owner)
            entry = self.entry(lead_id, journey.ended, k, owner, final=journey.outcome == "won")
            if journey.outcome == "won":
                entry[3] = rng.choice(AFTER_WON)
            else:
                entry[2], entry[3] = journey.method or entry[2], journey.summary or entry[3]
            yield entry, "last_open" if journey.outcome == "open" else "after"

    def between(
        self, lead_id: str, start: date, end: date, k: int, owner: str
    ) -> Iterator[tuple[list, str]]:
        gap = (end - start).days
        if gap < 2:
            return
        count = self.rng.choice((0, 1, 1, 2))
        for day in sorted(self.rng.sample(range(1, gap), min(count, gap - 1))):
            yield self.entry(lead_id, start + timedelta(days=day), k, owner), "between"

    def entry(
        self, lead_id: str, day: date, k: int, owner: str, change: str | None = None,
        final: bool = False,
    ) -> list:
        rng = self.rng
        pos = self.position[k]
        return [
            lead_id,
            day,
            rng.choice(self.methods),
            rng.choice(SUMMARIES[pos]),
            rng.choice(FEEDBACK[pos]),
            None if final else rng.choice(NEXT_ACTIONS[pos]),
            None if final else day + timedelta(days=rng.randint(3, 14)),
            change,
            owner,
        ]

    def plant(self, n: int, spare: list[list], disagree: list[tuple[int, list]], journeys) -> None:
        per_kind = max(1, n // PROBLEM_EVERY)
        order = list(range(len(spare)))
        self.rng.shuffle(order)
        picks = iter(order)
        for kind in LOG_PROBLEM_KINDS[:3]:
            values = LOG_PROBLEM_VALUES.get(kind, (None,))
            for nth in range(per_kind):
                i = next(picks, None)
                if i is None:
                    return
                entry = spare[i]
                if kind == "log_unknown_lead":
                    entry[0] = entry[0][:6] + entry[0][7:]
                elif kind == "log_unknown_stage":
                    entry[7] = values[nth % len(values)]
                else:
                    entry[1] = values[nth % len(values)]
        last = len(self.stages) - 1
        movable = [(i, e) for i, e in disagree if journeys[i].moves[-1][0] < last - 1]
        self.rng.shuffle(movable)
        for i, entry in movable[:per_kind]:
            entry[7] = self.stages[journeys[i].moves[-1][0] + 1]

    def cells(self, entry: list) -> tuple:
        """The entry in the order of the rules' log columns (fields the rules lack are dropped)."""
        if self.fields == _LOG_FIELDS:
            return tuple(entry)
        return tuple(None if i is None else entry[i] for i in self.positions)


_LOG_FIELDS = (
    "lead_id", "time", "method", "content", "feedback", "next_action", "next_contact",
    "stage_change", "by",
)


def _date_text(day: date, form: int) -> str:
    """A valid date as a rep might type it as text."""
    return (
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}.{day.month}.{day.day}",
        day.isoformat(),
    )[form]
