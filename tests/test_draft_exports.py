"""`funnel-xl rules init` on the exports people actually have: the draft, used unchanged, gives the
figures counted here from the rows written.

Every shape holds the same twelve deals (DEALS), written with that CRM's real headers, stage
names, date form and amount form. The reference figures are counted from DEALS by hand:
4 won (D5, D6, D7, D12), 2 lost (D8, D9), so a win rate of 4 / 6 over closed deals; won amount
Ann 500 + 1200 = 1700, Bob 600, Cy 700; by channel Fair 500 + 600 + 1200 = 2300, Web 700.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl.cli import cli
from tests.conftest import REPO
from tests.test_foreign import csv_bytes

AS_OF = "2024-06-30"


@dataclass(frozen=True)
class Deal:
    id: int
    owner: str
    channel: str
    stage: int | str  # index of the open stage, or "won" / "lost"
    amount: int
    created: date
    closed: date | None = None
    lost_at: int | None = None  # a lost deal's open stage (index)


DEALS = (
    Deal(1, "Ann", "Web", 0, 100, date(2024, 1, 5)),
    Deal(2, "Ann", "Web", 1, 200, date(2024, 1, 10)),
    Deal(3, "Bob", "Fair", 2, 300, date(2024, 1, 20)),
    Deal(4, "Bob", "Web", 3, 400, date(2024, 2, 3)),
    Deal(5, "Ann", "Fair", "won", 500, date(2024, 1, 8), date(2024, 3, 14)),
    Deal(6, "Bob", "Fair", "won", 600, date(2024, 1, 15), date(2024, 3, 20)),
    Deal(7, "Cy", "Web", "won", 700, date(2024, 2, 1), date(2024, 4, 2)),
    Deal(8, "Ann", "Web", "lost", 800, date(2024, 1, 12), date(2024, 2, 25), lost_at=1),
    Deal(9, "Cy", "Fair", "lost", 900, date(2024, 2, 14), date(2024, 3, 1), lost_at=0),
    Deal(10, "Cy", "Web", 1, 1000, date(2024, 2, 20)),
    Deal(11, "Bob", "Web", 0, 1100, date(2024, 3, 2)),
    Deal(12, "Ann", "Fair", "won", 1200, date(2024, 2, 22), date(2024, 4, 18)),
)
WON_BY_OWNER = {"Ann": 1700, "Bob": 600, "Cy": 700}
WON_BY_CHANNEL = {"Fair": 2300, "Web": 700}


@dataclass
class Shape:
    """One CRM's export: its headers (field → header) and how it writes each value."""

    name: str
    headers: dict[str, str]
    stages: tuple[str, ...]  # the open stages, in the order a deal goes through them
    won: str = "Won"
    lost: str = "Lost"
    suffix: str = ".csv"
    date: str = "%Y-%m-%d"
    amount: str = "{}"
    extra: dict[str, str] = field(default_factory=dict)  # header → the same value on every row
    checks: int = 0  # lines marked CHECK the draft may have, each named in the test
    unit: str = "$"

    def stage(self, deal: Deal) -> str:
        if deal.stage == "won":
            return self.won
        if deal.stage == "lost":
            return self.lost
        return self.stages[min(deal.stage, len(self.stages) - 1)]

    def cell(self, key: str, deal: Deal):
        value = {
            "id": f"{self.name}-{deal.id}", "owner": deal.owner, "channel": deal.channel,
            "stage": self.stage(deal), "amount": self.amount.format(deal.amount),
            "created": deal.created.strftime(self.date),
            "expected": (deal.closed or date(2024, 7, deal.id)).strftime(self.date),
            "account": f"Account {deal.id}",
        }
        return value[key]

    def rows(self) -> list[list]:
        return [list(self.headers.values()) + list(self.extra)] + [
            [self.cell(key, d) for key in self.headers] + list(self.extra.values()) for d in DEALS
        ]


SHAPES = [
    Shape("salesforce", {
        "id": "Opportunity Name", "stage": "Stage", "expected": "Close Date", "amount": "Amount",
        "owner": "Opportunity Owner", "channel": "Lead Source", "created": "Created Date",
    }, ("Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote"),
        won="Closed Won", lost="Closed Lost", date="%m/%d/%Y", extra={"Probability (%)": "50"},
        checks=1),  # the amount's unit: "Amount" and plain numbers do not say it
    Shape("hubspot", {
        "id": "Deal Name", "stage": "Deal Stage", "expected": "Close Date", "amount": "Amount",
        "owner": "Deal owner", "created": "Create Date", "channel": "Original Source",
    }, ("Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled", "Contract Sent"),
        won="Closed Won", lost="Closed Lost", date="%Y-%m-%d 10:30", amount="${:,}",
        extra={"Pipeline": "Sales Pipeline"}),
    Shape("zoho", {
        "id": "Deal Name", "account": "Account Name", "stage": "Stage", "expected": "Closing Date",
        "amount": "Amount", "owner": "Deal Owner", "channel": "Lead Source", "created": "Created Time",
    }, ("Qualification", "Needs Analysis", "Value Proposition", "Negotiation/Review"),
        won="Closed Won", lost="Closed-Lost to Competition", suffix=".xlsx", amount="USD {}"),
    Shape("odoo", {
        "id": "Opportunity", "stage": "Stage", "expected": "Expected Closing", "amount": "Expected Revenue",
        "owner": "Salesperson", "channel": "Source", "created": "Created on",
    }, ("New", "Qualified", "Proposition"), suffix=".xlsx", amount="€{}", unit="€"),
    Shape("chinese", {
        "id": "商机名称", "stage": "销售阶段", "expected": "预计成交日期", "amount": "金额",
        "owner": "负责人", "channel": "客户来源", "created": "创建时间",
    }, ("初步接触", "需求确认", "方案报价", "商务谈判"), won="赢单", lost="输单", suffix=".xlsx",
        date="%Y/%m/%d", amount="{}元", unit="元"),
    Shape("snake_case", {
        "id": "deal_id", "stage": "deal_stage", "expected": "close_date", "amount": "amount_usd",
        "owner": "sales_rep", "channel": "lead_source", "created": "created_date",
    }, ("prospecting", "qualification", "proposal", "negotiation"), won="closedwon", lost="closedlost"),
    Shape("camelCase", {
        "id": "dealId", "stage": "dealStage", "expected": "expectedCloseDate", "amount": "amountUSD",
        "owner": "dealOwner", "channel": "leadSource", "created": "createdDate",
    }, ("discovery", "demo", "proposal", "negotiation"), won="won", lost="lost"),
]


def write(shape: Shape, path) -> None:
    rows = shape.rows()
    if shape.suffix == ".csv":
        path.write_bytes(csv_bytes(rows))
        return
    book = openpyxl.Workbook()
    book.active.title = "Lookups"
    book.active.append(["Owner", "Team", "Manager"])
    book.active.append(["Ann", "East", "Dee"])
    deals = book.create_sheet("Deals")
    for row in rows:
        deals.append(row)
    book.save(path)


def rebuild(tmp_path, export, rules) -> dict:
    figures = tmp_path / "figures.json"
    result = CliRunner().invoke(cli, [
        "rebuild", str(export), "--rules", str(rules), "--as-of", AS_OF,
        "--out", str(tmp_path / "out"), "--json", str(figures), "--no-history",
    ])
    assert result.exit_code in (0, 1), result.output
    return json.loads(figures.read_text(encoding="utf-8"))


def draft(tmp_path, export, *args) -> tuple[str, dict]:
    rules = tmp_path / "rules.toml"
    result = CliRunner().invoke(cli, ["rules", "init", "--from", str(export), "-o", str(rules), *args])
    assert result.exit_code == 0, result.output
    text = rules.read_text(encoding="utf-8")
    return text, tomllib.loads(text)


def check_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.rstrip().endswith("CHECK")]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_a_draft_used_unchanged_gives_the_figures(tmp_path, shape):
    export = tmp_path / f"export{shape.suffix}"
    write(shape, export)
    text, data = draft(tmp_path, export)
    assert len(check_lines(text)) == shape.checks, check_lines(text)
    assert [s["name"] for s in data["stages"]] == [*shape.stages, shape.won]
    assert data["lost_labels"] == [shape.lost]
    assert data["lang"] == ("zh" if shape.name == "chinese" else "en")
    assert data["amount_unit"] == shape.unit
    figures = rebuild(tmp_path, export, tmp_path / "rules.toml")
    totals = figures["totals"]
    assert (totals["valid"], totals["won"], totals["lost"], totals["excluded"]) == (12, 4, 2, 0)
    assert figures["win_rate"] == pytest.approx(4 / 6)
    assert figures["won_amount"] == 500 + 600 + 700 + 1200
    assert {o: m["won_amount"] for o, m in figures["by_owner"].items() if m["won_amount"]} == WON_BY_OWNER
    assert {c: m["won_amount"] for c, m in figures["by_source"].items() if m["won_amount"]} == WON_BY_CHANNEL
    expected = Counter(shape.stage(d) for d in DEALS)
    assert {s["stage"]: s["current"] for s in figures["stages"]} == {
        name: expected[name] for name in [*shape.stages, shape.won]
    }


# ---------------------------------------------------------------------------
# A workbook of several sheets: the public CRM example's shape (sales_pipeline)
# ---------------------------------------------------------------------------

PRODUCT = {"Web": "GTX Basic", "Fair": "MG Special"}


def maven_workbook(path) -> None:
    """Four sheets, the deals on the last; Prospecting deals have no engage date, open deals no
    close date or value, closed deals both (a lost deal's value is 0)."""
    book = openpyxl.Workbook()
    teams = book.active
    teams.title = "sales_teams"
    for row in (["sales_agent", "manager", "regional_office"], ["Ann", "Dee", "East"], ["Bob", "Dee", "East"],
                ["Cy", "Eve", "West"]):
        teams.append(row)
    products = book.create_sheet("products")
    for row in (["product", "series", "sales_price"], ["GTX Basic", "GTX", 550], ["MG Special", "MG", 55]):
        products.append(row)
    pipeline = book.create_sheet("sales_pipeline")
    pipeline.append(["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date",
                     "close_date", "close_value"])
    for d in DEALS:
        stage = {"won": "Won", "lost": "Lost"}.get(d.stage) or ("Prospecting" if d.stage == 0 else "Engaging")
        engage = None if stage == "Prospecting" else d.created.isoformat()
        close = d.closed.isoformat() if d.closed else None
        value = d.amount if stage == "Won" else (0 if stage == "Lost" else None)
        pipeline.append([f"1C1I7A6R{d.id:02d}", d.owner, PRODUCT[d.channel], f"Account {d.id}", stage, engage,
                         close, value])
    book.save(path)


def test_the_sheet_most_like_deals_and_a_first_contact_that_may_be_blank(tmp_path):
    export = tmp_path / "CRM+Sales+Opportunities.xlsx"
    maven_workbook(export)
    text, data = draft(tmp_path, export)
    assert data["sheets"]["leads"] == ["sales_pipeline"]
    assert "Drafted from sheet 'sales_pipeline', the one most like deals" in text
    assert [s["name"] for s in data["stages"]] == ["Prospecting", "Engaging", "Won"]
    columns = data["columns"]
    assert (columns["owner"]["header"], columns["amount"]["header"]) == ("sales_agent", "close_value")
    assert columns["first_contact"]["header"] == "engage_date"
    assert columns["first_contact"]["may_be_blank"] is True  # D1 and D11, both Prospecting
    assert columns["stage_entered"] == {
        "header": "close_date", "kind": "date", "required": False, "fallback": ["first_contact"],
    }
    assert data["dimensions"]["channel"] == "product"
    # The one CHECK: close_value is a plain number, so the unit is not written anywhere.
    assert [line for line in check_lines(text)] == [
        "# The amount's unit, shown in the report's labels: not written in the sheet. CHECK"
    ]
    figures = rebuild(tmp_path, export, tmp_path / "rules.toml")
    totals = figures["totals"]
    # All twelve deals count, the two without an engage date included; one warning, no error.
    assert (totals["valid"], totals["won"], totals["lost"], totals["excluded"]) == (12, 4, 2, 0)
    assert figures["problems"] == {"error": 0, "warning": 1}
    assert {s["stage"]: s["current"] for s in figures["stages"]} == {"Prospecting": 2, "Engaging": 4, "Won": 4}
    assert figures["win_rate"] == pytest.approx(4 / 6)
    assert {o: m["won_amount"] for o, m in figures["by_owner"].items() if m["won_amount"]} == WON_BY_OWNER
    assert {p: m["won_amount"] for p, m in figures["by_source"].items() if m["won_amount"]} == {
        "MG Special": 2300, "GTX Basic": 700,
    }
    # The cycle of a won deal runs from its engage date to its close date: 66, 65, 61, 56 days.
    assert figures["cycle"]["count"] == 4
    assert figures["cycle"]["median"] == pytest.approx((61 + 65) / 2)


def test_sheet_asked_for_named_by_the_base_rules_or_unknown(tmp_path):
    export = tmp_path / "crm.xlsx"
    maven_workbook(export)
    _, data = draft(tmp_path, export, "--sheet", "products", "--force")
    assert data["sheets"]["leads"] == ["products"]
    base = tmp_path / "base.toml"
    base.write_text(
        (REPO / "rules" / "funnel.toml").read_text(encoding="utf-8").replace(
            'leads = ["线索跟踪"', 'leads = ["sales_teams", "线索跟踪"', 1),
        encoding="utf-8",
    )
    assert 'leads = ["sales_teams"' in base.read_text(encoding="utf-8")
    text, data = draft(tmp_path, export, "--rules", str(base), "--force")
    assert data["sheets"]["leads"] == ["sales_teams"]
    assert "named in the base rules' [sheets] leads" in text
    result = CliRunner().invoke(cli, ["rules", "init", "--from", str(export), "--sheet", "deals"])
    assert result.exit_code == 2
    assert "没有名为「deals」的工作表；有: sales_teams, products, sales_pipeline" in result.stderr
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------
# Pipedrive: a status column beside the stage
# ---------------------------------------------------------------------------

PIPEDRIVE = ("Qualified", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations Started")


def test_pipedrive_status_column_decides_won_and_lost(tmp_path):
    rows = [["Title", "Stage", "Status", "Value", "Currency", "Owner", "Deal created", "Won time",
             "Lost time", "Lost reason"]]
    for d in DEALS:
        # A won deal stays in the last stage; a lost one in the stage where it was lost.
        stage = PIPEDRIVE[-1] if d.stage == "won" else PIPEDRIVE[d.lost_at if d.stage == "lost" else d.stage]
        status = d.stage if d.stage in ("won", "lost") else "open"
        when = f"{d.closed.isoformat()} 16:00:00" if d.closed else ""
        rows.append([f"Deal {d.id}", stage, status, d.amount, "USD", d.owner, f"{d.created.isoformat()} 09:00:00",
                     when if status == "won" else "", when if status == "lost" else "",
                     "Price" if status == "lost" else ""])
    export = tmp_path / "deals.csv"
    export.write_bytes(csv_bytes(rows))
    text, data = draft(tmp_path, export)
    assert [s["name"] for s in data["stages"]] == [*PIPEDRIVE, "Won"]
    assert data["lost_labels"] == ["Lost"]
    assert data["status_values"] == {"won": "Won", "lost": "Lost"}
    assert data["amount_unit"] == "$"  # from the Currency column
    assert data["columns"]["stage_entered"]["header"] == "Won time"
    assert data["columns"]["stage_entered"]["fallback"] == ["lost_time", "first_contact"]
    # The export has no channel column: the draft names none the sheet lacks as required.
    assert data["columns"]["source"]["required"] is False
    assert check_lines(text) == []
    figures = rebuild(tmp_path, export, tmp_path / "rules.toml")
    totals = figures["totals"]
    assert (totals["valid"], totals["won"], totals["lost"], totals["excluded"]) == (12, 4, 2, 0)
    assert totals["lost_unknown_stage"] == 0  # each lost deal's stage says where: D8 Contact Made, D9 Qualified
    lost_here = {s["stage"]: s["lost_here"] for s in figures["stages"] if s["lost_here"]}
    assert lost_here == {"Qualified": 1, "Contact Made": 1}
    assert figures["win_rate"] == pytest.approx(4 / 6)
    assert {o: m["won_amount"] for o, m in figures["by_owner"].items() if m["won_amount"]} == WON_BY_OWNER
    assert figures["cycle"]["count"] == 4


# ---------------------------------------------------------------------------
# The issue's English CSV, and stage names no CRM uses
# ---------------------------------------------------------------------------

OWN_STAGES = ("Discovery", "Qualification", "Proposal", "Negotiation")


def english_csv(path, stages=OWN_STAGES, entered_after=(2, 9, 20, 31)) -> None:
    """Thirty-column-style export: each deal entered its stage ``entered_after[k]`` days after it
    was created; a won or lost deal on its close date."""
    rows = [["Opportunity", "Account Name", "Channel", "Deal Stage", "Created On", "Last Touch",
             "Expected Close", "Value (USD)", "Account Executive", "Stage Date", "Lost At Stage"]]
    for d in sorted(DEALS, key=lambda d: str(d.stage), reverse=True):  # Proposal before Discovery
        stage = {"won": "Won", "lost": "Lost"}.get(d.stage) or stages[d.stage]
        entered = d.closed or date.fromordinal(d.created.toordinal() + entered_after[d.stage])
        rows.append([f"OPP-{d.id:03d}", f"Account {d.id}", d.channel, stage, d.created.isoformat(),
                     entered.isoformat(), date(2024, 8, d.id).isoformat(), d.amount, d.owner,
                     entered.isoformat(), stages[d.lost_at] if d.lost_at is not None else ""])
    path.write_bytes(csv_bytes(rows))


def test_the_issues_english_csv_needs_no_edit(tmp_path):
    export = tmp_path / "pipeline.csv"
    english_csv(export)
    text, data = draft(tmp_path, export)
    columns = data["columns"]
    assert columns["owner"]["header"] == "Account Executive"
    assert (columns["amount"]["header"], columns["amount"]["kind"], data["amount_unit"]) == ("Value (USD)", "number", "$")
    assert (columns["lost_at"]["header"], columns["lost_at"]["kind"]) == ("Lost At Stage", "lost_at")
    assert columns["last_follow_up"]["header"] == "Last Touch"
    assert columns["stage_entered"]["header"] == "Stage Date"
    assert [s["name"] for s in data["stages"]] == [*OWN_STAGES, "Won"]
    assert data["lang"] == "en"
    assert check_lines(text) == []
    rules = tmp_path / "rules.toml"
    check = CliRunner().invoke(cli, ["rules", "check", str(rules), str(export), "--as-of", AS_OF])
    assert check.exit_code == 0, check.output
    assert "No data problems." in check.stdout and "meaningless" not in check.stdout
    figures = rebuild(tmp_path, export, rules)
    assert figures["pipeline"] == 100 + 200 + 300 + 400 + 1000 + 1100
    assert figures["totals"]["lost_unknown_stage"] == 0
    assert figures["cycle"]["count"] == 4
    assert figures["win_rate"] == pytest.approx(4 / 6)


def test_stage_names_no_crm_uses_are_ordered_by_the_data_and_marked(tmp_path):
    stages = ("Intro call", "Workshop", "Offer", "Closing talk")
    export = tmp_path / "pipeline.csv"
    english_csv(export, stages)
    text, data = draft(tmp_path, export)
    # The rows list Offer and Closing talk first; the days from Created On to Stage Date
    # (2, 9, 20, 31) give the order. It is the one CHECK.
    assert [s["name"] for s in data["stages"]] == [*stages, "Won"]
    assert check_lines(text) == [
        "# The sheet does not number its stages; they are ordered by how long after 'Created On' the "
        "deals in each stage entered it ('Stage Date'). CHECK"
    ]
    assert "# 2 rows; median 2 days from 'Created On' to 'Stage Date'" in text


def test_rules_check_warns_about_empty_and_meaningless_figures(tmp_path):
    export = tmp_path / "pipeline.csv"
    english_csv(export)
    text, _ = draft(tmp_path, export)
    # The stages in an order no deal follows, and a sheet without amounts, stage dates or lost-at.
    swapped = text.replace('name = "Discovery"', 'name = "TMP"').replace(
        'name = "Negotiation"', 'name = "Discovery"').replace('name = "TMP"', 'name = "Negotiation"')
    rules = tmp_path / "swapped.toml"
    rules.write_text(swapped, encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "check", str(rules), str(export), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    # Discovery deals entered their stage 2 days in, Qualification deals 9 (two deals each; the
    # other stages hold one deal, too few to judge): Qualification, now before Discovery, is out of step.
    assert "The deals do not follow this stage order" in result.stdout
    assert "Qualification (9) → Discovery (2)" in result.stdout
    bare = tmp_path / "bare.csv"
    lines = export.read_text(encoding="utf-8-sig").splitlines()
    keep = [0, 1, 2, 3, 4, 5, 6, 8]  # no Value, Stage Date or Lost At Stage
    bare.write_bytes(csv_bytes([[line.split(",")[i] for i in keep] for line in lines]))
    draft_bare = tmp_path / "bare.toml"
    assert CliRunner().invoke(cli, ["rules", "init", "--from", str(bare), "-o", str(draft_bare)]).exit_code == 0
    result = CliRunner().invoke(cli, ["rules", "check", str(draft_bare), str(bare), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert "No amount: the pipeline, the weighted pipeline and the won amount will be 0." in result.stdout
    assert "No stage-entered dates" in result.stdout
    assert "None of the 2 lost deals says at which stage it was lost" in result.stdout


@pytest.mark.parametrize(("value", "kind"), [
    ("Won", "won"), ("Closed Won", "won"), ("closedwon", "won"), ("赢单", "won"), ("已成交", "won"),
    ("Lost", "lost"), ("Closed Lost", "lost"), ("closedlost", "lost"), ("输单", "lost"), ("丢单", "lost"),
    ("无效", "lost"), ("Closed-Lost to Competition", "lost"), ("Negotiation", None), ("Closing", None),
])
def test_won_and_lost_values(value, kind):
    from funnel_xl.draft_stages import LOST_WORDS, WON_WORDS, reads_as

    found = "lost" if reads_as(value, LOST_WORDS) else "won" if reads_as(value, WON_WORDS) else None
    assert found == kind


def test_the_packaged_rules_sheet_names_do_not_pick_a_crms_leads_sheet(tmp_path):
    """A CRM workbook with a Leads sheet (no stages) and an Opportunities sheet: the default rules
    name 'Leads' for the team's template, so only a base given with --rules names the sheet."""
    book = openpyxl.Workbook()
    leads = book.active
    leads.title = "Leads"
    for row in (["Lead", "Company", "Email"], ["L-1", "Acme", "a@example.com"], ["L-2", "Bolt", "b@example.com"]):
        leads.append(row)
    deals = book.create_sheet("Opportunities")
    for row in SHAPES[0].rows():
        deals.append(row)
    export = tmp_path / "crm.xlsx"
    book.save(export)
    _, data = draft(tmp_path, export)
    assert data["sheets"]["leads"] == ["Opportunities"]
