"""Template → reps fill it (openpyxl) → validate → rebuild, with the process document's own rows."""

from datetime import date

import openpyxl
import pytest

from funnel_xl import analyse, write_outputs
from funnel_xl.template import write_tracking_workbook
from tests.conftest import FAMILIAR

# The two example rows of the process document; the second completed with an owner.
DOC_ROWS = [
    ["LF2024001", "A公司/*经理", "展会推广", "商务谈判", date(2024, 3, 15), date(2024, 5, 20), "面谈",
     "客户对价格有异议，要求增加3个月免费维护，已提交内部审批流程", "需降低20%采购成本，要求6个月质保",
     date(2024, 6, 30), 50, "*销售代表", 35, "80%(方案提案→商务谈判)"],
    ["LF2024002", "B公司/*总监", "官网表单", "需求挖掘", date(2024, 4, 10), date(2024, 5, 18), None, None, None,
     None, None, "*销售代表", None, None],
]


@pytest.fixture
def filled(tmp_path, rules):
    template = tmp_path / "template.xlsx"
    write_tracking_workbook(template, rules)
    wb = openpyxl.load_workbook(template)
    ws = wb["线索跟踪"]
    assert [c.value for c in ws[1]][:14] == FAMILIAR
    for r, row in enumerate(DOC_ROWS, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    return path


def test_process_document_rows_give_a_report_without_errors(filled, rules, tmp_path):
    analysis = analyse([filled], rules, as_of=date(2024, 5, 31))
    assert analysis.problems == []
    team = analysis.team
    assert (team.totals.valid, team.totals.active) == (2, 2)
    # reached [2, 2, 1, 1, 0, 0]; exited = reached − active in stage [0, 1, 0, 1, 0, 0] = [2, 1, 1, 0, 0, 0]
    assert [s.reached for s in team.stages] == [2, 2, 1, 1, 0, 0]
    assert [s.exited for s in team.stages] == [2, 1, 1, 0, 0, 0]
    assert [s.pass_rate for s in team.stages[:4]] == [1.0, 1.0, 1.0, None]
    leads = analysis.result.leads.set_index("lead_id")
    # LF2024001: no 阶段进入日期; the rep typed 35 days on 05-20 → entered 04-15 (estimated) → 46 days by 05-31,
    # over the 30-day limit of 商务谈判.
    assert str(leads.loc["LF2024001", "stage_entered"].date()) == "2024-04-15"
    assert leads.loc["LF2024001", "stage_entered_source"] == "estimated"
    assert leads.loc["LF2024001", "dwell_days"] == 46
    assert bool(leads.loc["LF2024001", "stalled"]) is True
    # 方案提案→商务谈判: reached(商务谈判) 1 of exited(方案提案) 1, a small sample: with its k/n.
    assert leads.loc["LF2024001", "pass_rate_text_calc"] == "100%(方案提案→商务谈判 1/1)"
    assert leads.loc["LF2024002", "stage_entered_source"] == "unknown"
    assert team.pipeline == 50
    assert team.weighted_pipeline == pytest.approx(50 * 0.6)

    report = write_outputs(analysis, tmp_path / "out").report
    detail = openpyxl.load_workbook(report)["线索明细"]
    header = [c.value for c in detail[1]]
    assert header[:14] == FAMILIAR
    first = {h: c.value for h, c in zip(header, detail[2], strict=False)}
    assert first["线索编号"] == "LF2024001"
    assert first["当前阶段停留时长(天)"] == 46
    assert first["转化率/阶段通过率(可选)"] == "100%(方案提案→商务谈判 1/1)"  # not the rep's typed 80%: 1 of 1, with its sample


def test_template_log_filled_by_a_rep(filled, rules):
    """The rep also keeps the 跟进记录 sheet of the template: it becomes the stage history."""
    wb = openpyxl.load_workbook(filled)
    ws = wb["跟进记录"]
    # LF2024001 (first contact 03-15) moved on 03-28, 04-02 and, to 商务谈判, on 04-15 — which is
    # what the rep's 35 days on 05-20 said; last contact 05-20 as on the leads sheet.
    log = [
        ["LF2024001", date(2024, 3, 15), "电话", "展会后首次电话", None, "发资料", date(2024, 3, 20), None, "*销售代表"],
        ["LF2024001", date(2024, 3, 28), "面谈", "梳理需求", None, None, None, "需求挖掘", "*销售代表"],
        ["LF2024001", date(2024, 4, 2), "面谈", "提交方案", None, None, None, "方案提案", "*销售代表"],
        ["LF2024001", date(2024, 4, 15), "面谈", "开始谈价格", "价格偏高", None, None, "商务谈判", "*销售代表"],
        ["LF2024001", date(2024, 5, 20), "面谈", DOC_ROWS[0][7], "要求增加3个月免费维护", "内部审批",
         date(2024, 5, 27), None, "*销售代表"],
    ]
    for r, row in enumerate(log, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    wb.save(filled)
    analysis = analyse([filled], rules, as_of=date(2024, 5, 31))
    assert analysis.problems == []
    leads = analysis.result.leads.set_index("lead_id")
    assert str(leads.loc["LF2024001", "stage_entered"].date()) == "2024-04-15"
    assert leads.loc["LF2024001", "stage_entered_source"] == "log"
    assert leads.loc["LF2024001", "dwell_days"] == 46  # 15 + 31 days
    assert len(analysis.flow.transitions) == 3
