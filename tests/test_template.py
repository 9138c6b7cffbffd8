"""The tracking template: sheets, headers, dropdowns, computed columns, stable bytes, text kept as text."""

import dataclasses
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from funnel_xl.errors import OutputError
from funnel_xl.rules import load_rules
from funnel_xl.template import write_tracking_workbook

REPO = Path(__file__).parents[1]

HEADERS = [
    "线索编号", "客户名称/联系人", "线索来源", "所属阶段", "首次接触时间", "最近跟进时间", "跟进方式",
    "跟进内容摘要", "客户需求/痛点", "预计成交日期", "预计成交金额(万元)", "负责人",
    "当前阶段停留时长(天)", "转化率/阶段通过率(可选)",
    "阶段进入日期", "流失阶段", "流失原因", "下次跟进时间", "所属行业", "联系方式", "暂缓至", "暂缓原因",
]
LOG_HEADERS = ["线索编号", "跟进时间", "跟进方式", "沟通内容", "客户反馈/异议", "下一步行动", "下次沟通时间", "阶段调整为", "跟进人"]
STAGES = ["潜在接触", "需求挖掘", "方案提案", "商务谈判", "成交待签约", "已成交"]
COMMENT = "由 funnel-xl 自动计算，请勿手工填写"
# Excel serial numbers of 2000-01-01 and 2100-12-31; "between" is the default operator, left unwritten.
MIN_DATE, MAX_DATE = "36526", "73415"


@pytest.fixture
def template(tmp_path, rules):
    path = tmp_path / "template.xlsx"
    write_tracking_workbook(path, rules)
    return openpyxl.load_workbook(path)


def validations(ws) -> dict[str, tuple]:
    return {
        str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2)
        for dv in ws.data_validations.dataValidation
    }


def test_sheets_and_hidden_lists(template):
    assert template.sheetnames == ["线索跟踪", "跟进记录", "阶段定义", "目标", "填写说明", "列表"]
    assert [ws.sheet_state for ws in template] == ["visible"] * 5 + ["hidden"]
    assert template.active.title == "线索跟踪"


def test_header_row_is_the_familiar_columns_then_the_optional_ones(template):
    ws = template["线索跟踪"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.max_row == 1
    assert ws.freeze_panes == "A2"


def test_dropdowns_and_validations(template):
    assert validations(template["线索跟踪"]) == {
        "C2:C1000": ("list", None, "列表!$B$2:$B$6", None),
        "D2:D1000": ("list", None, "列表!$A$2:$A$8", None),
        "E2:E1000": ("date", None, MIN_DATE, MAX_DATE),
        "F2:F1000": ("date", None, MIN_DATE, MAX_DATE),
        "G2:G1000": ("list", None, "列表!$C$2:$C$6", None),
        "J2:J1000": ("date", None, MIN_DATE, MAX_DATE),
        "K2:K1000": ("decimal", "greaterThanOrEqual", "0", None),
        "O2:O1000": ("date", None, MIN_DATE, MAX_DATE),
        "P2:P1000": ("list", None, "列表!$D$2:$D$6", None),
        "R2:R1000": ("date", None, MIN_DATE, MAX_DATE),
        "U2:U1000": ("date", None, MIN_DATE, MAX_DATE),  # 暂缓至
    }


def test_date_validation_explains_itself_in_chinese(template):
    dv = next(
        dv for dv in template["线索跟踪"].data_validations.dataValidation if str(dv.sqref) == "E2:E1000"
    )
    assert dv.promptTitle == "首次接触时间"
    assert "2024-03-15" in dv.prompt
    assert dv.errorTitle == "日期无效"
    assert "2000-01-01" in dv.error


def test_lists_sheet(template):
    ws = template["列表"]
    columns = [[c.value for c in col if c.value is not None] for col in ws.iter_cols()]
    assert columns == [
        ["所属阶段", *STAGES, "无效线索"],
        ["线索来源", "展会推广", "官网表单", "线上广告", "老客户转介绍", "渠道合作"],
        ["跟进方式", "电话", "面谈", "邮件", "微信", "视频会议"],
        ["流失阶段", *STAGES[:-1]],
    ]


def test_computed_columns_are_marked(template):
    ws = template["线索跟踪"]
    commented = {c.coordinate: c.comment.text for c in ws[1] if c.comment is not None}
    assert commented == {"M1": COMMENT, "N1": COMMENT}
    assert ws["A1"].font.b
    assert ws["A1"].fill.fgColor.rgb == "FFDDEBF7"
    assert ws["M1"].fill.fgColor.rgb == ws["N1"].fill.fgColor.rgb == "FFBFBFBF"


def test_stage_handbook(template):
    rows = list(template["阶段定义"].iter_rows(values_only=True))
    assert rows[0] == ("序号", "阶段", "进入标准", "退出标准", "最长停留天数", "赢单概率")
    assert [(r[0], r[1], r[4], r[5]) for r in rows[1:]] == [
        (1, "潜在接触", 30, 0.05),
        (2, "需求挖掘", 15, 0.15),
        (3, "方案提案", 21, 0.35),
        (4, "商务谈判", 30, 0.6),
        (5, "成交待签约", 14, 0.9),
        (6, "已成交", "—", 1),
        ("—", "无效线索", "—", 0),
    ]
    assert rows[2][2] == "正在明确痛点、预算、决策链与时间表"
    assert template["阶段定义"]["F2"].number_format == "0%"


def test_instructions_cover_every_column(template):
    ws = template["填写说明"]
    text = "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    for needle in (
        "每条线索占一行", "万元", "下拉列表", "2024-03-15", "无效线索", "funnel-xl rebuild",
        "不标记为停留超时", "最多填写统计截止日后 60 天",
    ):
        assert needle in text
    listed = [row[0] for row in ws.iter_rows(values_only=True)]
    leads_start = listed.index("列名") + 1
    assert listed[leads_start:leads_start + len(HEADERS)] == HEADERS
    log_start = listed.index("列名", leads_start) + 1
    assert listed[log_start:] == LOG_HEADERS
    assert "「跟进记录」各列填写方法" in listed


def test_same_input_gives_the_same_bytes(tmp_path, rules):
    rows = [{"lead_id": "LF2024001", "first_contact": date(2024, 3, 15), "amount": 50}]
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_tracking_workbook(first, rules, rows)
    write_tracking_workbook(second, rules, rows)
    assert first.read_bytes() == second.read_bytes()


def test_committed_template_is_up_to_date(tmp_path):
    fresh = tmp_path / "tracking_template.xlsx"
    write_tracking_workbook(fresh, load_rules())  # the shipped rules, as `funnel-xl template` uses
    assert (REPO / "templates" / "tracking_template.xlsx").read_bytes() == fresh.read_bytes()


def test_rows_are_written_with_their_types(tmp_path, rules):
    path = tmp_path / "rows.xlsx"
    rows = [
        {
            "lead_id": "LF2024001",
            "customer": '=HYPERLINK("http://x")',
            "source": "+86 官网",
            "stage": "方案提案",
            "first_contact": date(2024, 3, 15),
            "last_follow_up": datetime(2024, 5, 20, 9, 30),
            "follow_up_summary": "-3 个月免费维护",
            "needs": "@采购部",
            "amount": 50.5,
            "owner": "*销售代表",
            "dwell_days": 35,
            "stage_entered": "2024/3/15",
            "not_a_column": "ignored",
        },
        {"lead_id": "LF2024002", "owner": None, "amount": float("nan")},
    ]
    write_tracking_workbook(path, rules, rows)
    ws = openpyxl.load_workbook(path)["线索跟踪"]
    assert ws.max_row == 3
    assert ws.max_column == 22
    a2 = {HEADERS[c.column - 1]: c for c in ws[2] if c.value is not None}
    assert {h: (c.value, c.data_type) for h, c in a2.items()} == {
        "线索编号": ("LF2024001", "s"),
        "客户名称/联系人": ('=HYPERLINK("http://x")', "s"),
        "线索来源": ("+86 官网", "s"),
        "所属阶段": ("方案提案", "s"),
        "首次接触时间": (datetime(2024, 3, 15), "d"),
        "最近跟进时间": (datetime(2024, 5, 20, 9, 30), "d"),
        "跟进内容摘要": ("-3 个月免费维护", "s"),
        "客户需求/痛点": ("@采购部", "s"),
        "预计成交金额(万元)": (50.5, "n"),
        "负责人": ("*销售代表", "s"),
        "当前阶段停留时长(天)": (35, "n"),
        "阶段进入日期": ("2024/3/15", "s"),
    }
    assert a2["首次接触时间"].number_format == "yyyy-mm-dd"
    assert a2["预计成交金额(万元)"].number_format == "0.00"
    assert a2["当前阶段停留时长(天)"].fill.fgColor.rgb == "FFF2F2F2"
    assert [c.value for c in ws[3] if c.value is not None] == ["LF2024002"]


def test_validations_reach_past_the_last_row(tmp_path, rules):
    path = tmp_path / "many.xlsx"
    write_tracking_workbook(path, rules, [{"lead_id": f"LF2024{i:04d}"} for i in range(1, 1201)])
    ws = openpyxl.load_workbook(path)["线索跟踪"]
    assert ws.max_row == 1201
    assert "D2:D1201" in validations(ws)


def test_follow_up_log_sheet(template):
    ws = template["跟进记录"]
    assert [c.value for c in ws[1]] == LOG_HEADERS
    assert ws.freeze_panes == "A2"
    assert validations(ws) == {
        # 线索编号 from the leads sheet's IDs, 跟进方式 and 阶段调整为 from the lists, two dates
        "A2:A5000": ("list", None, "线索跟踪!$A$2:$A$1000", None),
        "B2:B5000": ("date", None, MIN_DATE, MAX_DATE),
        "C2:C5000": ("list", None, "列表!$C$2:$C$6", None),
        "G2:G5000": ("date", None, MIN_DATE, MAX_DATE),
        "H2:H5000": ("list", None, "列表!$A$2:$A$8", None),
    }
    stage = next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref) == "H2:H5000")
    assert stage.errorStyle is None  # "stop", the default: only a stage, a lost label or blank
    assert "没有变化请留空" in stage.prompt
    lead_id = next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref) == "A2:A5000")
    assert lead_id.errorStyle == "warning"


def test_log_rows_are_written_under_the_log_header(tmp_path, rules):
    path = tmp_path / "log.xlsx"
    log = [{"lead_id": "LF2024001", "time": date(2024, 3, 20), "stage_change": "需求挖掘", "content": "=1+1"}]
    write_tracking_workbook(path, rules, [{"lead_id": "LF2024001"}], log)
    ws = openpyxl.load_workbook(path)["跟进记录"]
    assert [c.value for c in ws[2]][:8] == ["LF2024001", datetime(2024, 3, 20), None, "=1+1", None, None, None, "需求挖掘"]
    assert ws["D2"].data_type == "s"
    assert ws["B2"].number_format == "yyyy-mm-dd"


class _ManyEntries:
    """A log that says it has more entries than a sheet holds (never iterated: refused first)."""

    def __len__(self):
        return 1_048_576

    def __iter__(self):
        raise AssertionError("the writer must refuse before writing any entry")


def test_more_rows_than_a_sheet_holds_are_refused_not_cut(tmp_path, rules):
    # A sheet holds 1,048,576 rows: the header and 1,048,575 data rows.
    target = tmp_path / "big.xlsx"
    with pytest.raises(OutputError, match="跟进记录有 1,048,576 行，一个工作表最多放 1,048,575 行"):
        write_tracking_workbook(target, rules, [], _ManyEntries())
    with pytest.raises(OutputError, match="线索有 1,048,576 行"):
        write_tracking_workbook(target, rules, [{}] * 1_048_576)
    assert list(tmp_path.iterdir()) == []


def test_the_amount_unit_is_the_rules_one(tmp_path, rules):
    # Rules that count amounts in 元 say 元 wherever the template names the unit.
    path = tmp_path / "yuan.xlsx"
    write_tracking_workbook(path, dataclasses.replace(rules, amount_unit="元"))
    book = openpyxl.load_workbook(path)
    guide = [c for row in book["填写说明"].iter_rows(values_only=True) for c in row if c]
    assert "4. 金额单位为元，只填数字：50 表示 50 元。" in guide
    assert any(text.startswith("预计成交金额，单位元（50 表示 50 元）") for text in guide)
    assert not any("万元" in text for text in guide if "单位" in text)
    amount = [dv for dv in book["线索跟踪"].data_validations.dataValidation if dv.type == "decimal"]
    assert amount[0].prompt == "单位元，只填数字，例如 50。"


def test_targets_sheet(template):
    ws = template["目标"]
    assert [c.value for c in ws[1]] == ["月份", "负责人", "成交目标(万元)", "新增线索目标"]
    assert ws.max_row == 1  # no target until the manager sets one
    assert ws.freeze_panes == "A2"
    # (openpyxl reads the default operator "between" as None)
    assert [(t, op) for t, op, *_ in validations(ws).values()] == [
        ("textLength", None), ("decimal", "greaterThanOrEqual"), ("whole", "greaterThanOrEqual"),
    ]
    guide = [c.value for row in template["填写说明"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("「目标」" in text for text in guide)
