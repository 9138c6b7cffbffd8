"""Test workbooks are built here, in code, in tmp_path."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import date
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from hypothesis import settings

from funnel_xl.rules import default_rules_path, load_rules

# Property tests run the same examples on every machine (derandomize) and leave no example
# database behind; each test sets a modest max_examples so the suite stays fast.
settings.register_profile("funnel_xl", derandomize=True, database=None, deadline=None, print_blob=True)
settings.load_profile("funnel_xl")

REPO = Path(__file__).resolve().parents[1]

# The fourteen familiar columns of the process document, in order, then the optional ones.
FAMILIAR = [
    "线索编号", "客户名称/联系人", "线索来源", "所属阶段", "首次接触时间", "最近跟进时间", "跟进方式",
    "跟进内容摘要", "客户需求/痛点", "预计成交日期", "预计成交金额(万元)", "负责人",
    "当前阶段停留时长(天)", "转化率/阶段通过率(可选)",
]
OPTIONAL = [
    "阶段进入日期", "流失阶段", "流失原因", "下次跟进时间", "所属行业", "联系方式", "暂缓至", "暂缓原因",
]
# The follow-up log (跟进记录), in the template's order.
LOG = ["线索编号", "跟进时间", "跟进方式", "沟通内容", "客户反馈/异议", "下一步行动", "下次沟通时间", "阶段调整为", "跟进人"]


def lead(lead_id, stage, first_contact, owner="张伟", source="展会推广", **extra):
    """A row as a dict keyed by header; unspecified columns are left blank."""
    row = {
        "线索编号": lead_id,
        "客户名称/联系人": f"{lead_id}公司/*经理",
        "线索来源": source,
        "所属阶段": stage,
        "首次接触时间": first_contact,
        "最近跟进时间": extra.pop("last", first_contact),
        "跟进方式": "电话",
        "负责人": owner,
    }
    for key, value in extra.items():
        row[HEADER_OF[key]] = value
    return row


HEADER_OF = {
    "entered": "阶段进入日期",
    "lost_at": "流失阶段",
    "lost_reason": "流失原因",
    "next": "下次跟进时间",
    "amount": "预计成交金额(万元)",
    "close": "预计成交日期",
    "dwell": "当前阶段停留时长(天)",
    "rate": "转化率/阶段通过率(可选)",
    "method": "跟进方式",
    "customer": "客户名称/联系人",
    "snooze": "暂缓至",
    "snooze_reason": "暂缓原因",
}


def entry(lead_id, time, change=None, method="电话", by="张伟", **extra):
    """A follow-up log row as a dict keyed by header; ``change`` is 阶段调整为 (None = no change)."""
    row = {"线索编号": lead_id, "跟进时间": time, "跟进方式": method, "沟通内容": "沟通", "阶段调整为": change,
           "跟进人": by}
    row.update({LOG_HEADER_OF.get(k, k): v for k, v in extra.items()})
    return row


LOG_HEADER_OF = {"next": "下次沟通时间", "feedback": "客户反馈/异议", "action": "下一步行动"}


def write_workbook(
    path: Path, rows: list[dict], headers=None, *, title_rows=(), sheet="线索跟踪",
    log: list[dict] | None = None, log_headers=None, log_sheet="跟进记录",
) -> Path:
    """Write rows under the given headers (default: familiar + optional) with openpyxl; with
    ``log``, a follow-up log sheet too (default headers: the template's)."""
    headers = headers or FAMILIAR + OPTIONAL
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for title in title_rows:
        ws.append(list(title))
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    if log is not None:
        log_headers = log_headers or LOG
        ws = wb.create_sheet(log_sheet)
        ws.append(log_headers)
        for row in log:
            ws.append([row.get(h) for h in log_headers])
    wb.save(path)
    return path


# The default rules before the required-for-quality fields (issue 19): no field marked, the five
# older hygiene parts at 20 points each. The tests that compare exact problem lists and scores of
# workbooks whose open leads leave those fields blank use them; test_required_fields uses the default.
BEFORE_REQUIRED_FIELDS = (
    *(("required = false\nrequired_for_quality = true\n", "required = false\n"),) * 4,
    ("close_past = 15 ", "close_past = 20 "),
    ("stale = 15 ", "stale = 20 "),
    ("undated_moves = 15 ", "undated_moves = 20 "),
    ("\nrequired_fields = 15\n", "\n"),
)


@cache
def rules_before_required_fields_path() -> Path:
    """A file holding the default rules as they were before the required-for-quality fields."""
    folder = Path(tempfile.mkdtemp(prefix="funnel_xl_rules_"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "funnel.toml"
    path.write_text(rules_text_with(*BEFORE_REQUIRED_FIELDS), encoding="utf-8")
    return path


def rules_before_required_fields():
    return load_rules(rules_before_required_fields_path())


@pytest.fixture
def rules():
    return rules_before_required_fields()


@pytest.fixture
def as_of():
    return date(2024, 5, 31)


def rules_text_with(*replacements: tuple[str, str]) -> str:
    """The default rules' text with each (old, new) replaced once; every old text must be there."""
    text = default_rules_path().read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def edited_rules(tmp_path: Path, *replacements: tuple[str, str], before_required_fields: bool = False):
    """The default rules with some lines changed, loaded from a file in tmp_path; with
    ``before_required_fields``, changed from the rules before those fields (see below)."""
    path = tmp_path / "edited_rules.toml"
    before = BEFORE_REQUIRED_FIELDS if before_required_fields else ()
    path.write_text(rules_text_with(*before, *replacements), encoding="utf-8")
    return load_rules(path)


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 (aiosmtpd) for the test: (its handler, "127.0.0.1:PORT")."""
    from aiosmtpd.controller import Controller

    from tests.test_mail import Handler, free_port

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, f"127.0.0.1:{controller.port}"
    controller.stop()
