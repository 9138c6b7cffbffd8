"""Issue 16, the output side: what a run writes, mails and remembers never stops the month.

Each class of the issue gets its own tests here, built in code in tmp_path (see the issue's
numbering in each section's heading).
"""

from __future__ import annotations

import email
import email.policy
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from funnel_xl.cli import cli
from funnel_xl.errors import RulesError
from funnel_xl.mail import header_text
from funnel_xl.recipients import load_recipients
from funnel_xl.rules import default_rules_path, load_rules
from tests.conftest import REPO, lead, write_workbook

# ---------------------------------------------------------------------------
# 15. Only text encodings for CSV files
# ---------------------------------------------------------------------------

NOT_CHARSETS = ["base64", "rot13", "zlib", "hex", "uu", "quopri", "unicode_escape", "bz2"]


@pytest.mark.parametrize("codec", NOT_CHARSETS)
def test_encoding_option_refuses_codecs_that_are_not_charsets(tmp_path, codec):
    csv = tmp_path / "leads.csv"
    csv.write_text("线索编号,所属阶段\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(csv), "--encoding", codec])
    assert result.exit_code == 2
    assert "不是文本文件的字符编码" in result.stderr
    assert "意外故障" not in result.output


@pytest.mark.parametrize("codec", NOT_CHARSETS)
def test_rules_input_encoding_refuses_codecs_that_are_not_charsets(tmp_path, codec):
    rules = tmp_path / "rules.toml"
    rules.write_text(f'[input]\nencoding = "{codec}"\n', encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(rules)
    assert "「input.encoding」" in str(info.value) and "不是文本文件的字符编码" in str(info.value)


def test_real_charsets_are_still_accepted(tmp_path):
    csv = tmp_path / "leads.csv"
    text = (
        "线索编号,客户名称/联系人,线索来源,所属阶段,首次接触时间,最近跟进时间,预计成交日期,预计成交金额(万元),负责人\n"
        "LF1,甲方,展会推广,潜在接触,2024-05-02,2024-05-20,2024-08-01,10,张伟\n"
    )
    csv.write_bytes(text.encode("gb18030"))
    result = CliRunner().invoke(cli, ["validate", str(csv), "--encoding", "gb18030", "--as-of", "2024-05-31"])
    assert result.exit_code in (0, 1), result.output


# ---------------------------------------------------------------------------
# 14. rules check and mail print no terminal escapes from a sheet
# ---------------------------------------------------------------------------

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m"
CSV_HEADER = "线索编号,客户名称/联系人,线索来源,所属阶段,首次接触时间,最近跟进时间,预计成交日期,预计成交金额(万元),负责人\n"


def escaping_csv(tmp_path):
    csv = tmp_path / "leads.csv"
    csv.write_text(
        CSV_HEADER.replace("\n", f",备注{ESCAPES}\n")
        + f"LF1,甲方,展会推广,潜在接触,2024-05-02,2024-05-20,2024-08-01,10,张伟{ESCAPES},x\n"
        + f"LF2,乙方,展会推广,阶段{ESCAPES},2024-05-02,2024-05-20,2024-08-01,10,张伟,x\n",
        encoding="utf-8",
    )
    return csv


def test_rules_check_neutralises_a_sheets_escape_sequences(tmp_path):
    rules = default_rules_path()
    result = CliRunner().invoke(cli, ["rules", "check", str(rules), str(escaping_csv(tmp_path))])
    assert "规则不认识的阶段值" in result.stdout and "未使用的列" in result.stdout
    for control in ("\x1b", "\x07", "\x9b"):
        assert control not in result.output


def test_mail_neutralises_names_from_the_sheet(tmp_path):
    out = tmp_path / "out"
    rebuilt = CliRunner().invoke(cli, [
        "rebuild", str(escaping_csv(tmp_path)), "--month", "2024-05", "--out", str(out), "--split-by", "owner",
        "--no-history",
    ])
    assert rebuilt.exit_code in (0, 1), rebuilt.output
    recipients = tmp_path / "recipients.toml"
    recipients.write_text(
        'version = 1\n[sender]\naddress = "ops@example.com"\n[manager]\nto = ["boss@example.com"]\n'
        '[reps]\n"张伟" = "zhang@example.com"\n', encoding="utf-8",
    )
    for extra in (["--dry-run"], []):
        result = CliRunner().invoke(cli, [
            "mail", "--month", "2024-05", "--out", str(out), "--to-rules", str(recipients), *extra,
        ])
        assert result.exit_code == 0, result.output
        assert "没有邮箱地址" in result.stderr  # the rep whose name holds the escapes
        for control in ("\x1b", "\x07", "\x9b"):
            assert control not in result.output


# ---------------------------------------------------------------------------
# 8. Nothing the run reads is ever an output
# ---------------------------------------------------------------------------

ROWS = [
    lead("LF1", "需求挖掘", date(2024, 5, 2), owner="张伟", entered=date(2024, 5, 10)),
    lead("LF2", "方案提案", date(2024, 4, 2), owner="李娜", entered=date(2024, 5, 3)),
]


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def rebuild(*args: str):
    return CliRunner().invoke(cli, ["rebuild", "--month", "2024-05", *args])


def test_json_onto_the_history_store_is_refused_before_anything_is_written(tmp_path):
    tracking = write_workbook(tmp_path / "tracking.xlsx", ROWS)
    out = tmp_path / "out"
    assert rebuild(str(tracking), "--out", str(out)).exit_code == 0
    before = tree(out)
    result = rebuild(str(tracking), "--out", str(out), "--json", str(out / "history.sqlite"))
    assert result.exit_code == 2
    assert "历史记录库" in result.stderr and "已停止" in result.stderr
    assert tree(out) == before  # the store, the report: every byte as it was


@pytest.mark.parametrize("which", ["json_on_rules", "history_on_report", "json_on_report", "split_on_input"])
def test_every_file_the_run_reads_or_writes_is_refused_as_another_output(tmp_path, which):
    tracking = write_workbook(tmp_path / "tracking.xlsx", ROWS)
    rules = tmp_path / "rules.toml"
    rules.write_bytes(default_rules_path().read_bytes())
    out = tmp_path / "out"
    report = out / "funnel_report_2024-05.xlsx"
    args = {
        "json_on_rules": ["--json", str(rules)],
        "history_on_report": ["--history", str(report)],
        "json_on_report": ["--json", str(report), "--no-history"],
        # An input that lies where the per-rep workbook of its own rep would be written.
        "split_on_input": ["--split-by", "owner", "--no-history"],
    }[which]
    if which == "split_on_input":
        (out / "2024-05" / "reps").mkdir(parents=True)
        tracking = write_workbook(out / "2024-05" / "reps" / "张伟.xlsx", ROWS[:1])
    elif which == "history_on_report":
        assert rebuild(str(tracking), "--out", str(out), "--no-history").exit_code == 0
    before = tree(tmp_path)
    result = rebuild(str(tracking), "--out", str(out), "--rules", str(rules), *args)
    assert result.exit_code == 2, result.output
    assert "已停止" in result.stderr or "不是历史记录库" in result.stderr
    assert tree(tmp_path) == before


# ---------------------------------------------------------------------------
# 10. A full disk: a clear message, and the run's outputs replaced together or not at all
# ---------------------------------------------------------------------------

# A real write failure, not a mock: the child process may write no file past LIMIT bytes
# (RLIMIT_FSIZE), and with SIGXFSZ ignored such a write fails with EFBIG, as on a full disk.
LIMIT = 4096
FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

def fill_up():
    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
"""


def run_full(script: str, tmp_path: Path, limit: int = LIMIT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(tmp_path)}
    env.pop("FUNNEL_XL_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", FULL_DISK.format(limit=limit) + script],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=300,
    )


def previous_month(tmp_path: Path, grow: bool = True) -> tuple[Path, Path, dict[str, bytes]]:
    """Last run's outputs (report, JSON, per-rep files, manifest) and this run's input (bigger
    unless ``grow`` is false)."""
    tracking = write_workbook(tmp_path / "tracking.xlsx", ROWS)
    out = tmp_path / "out"
    result = rebuild(str(tracking), "--out", str(out), "--json", str(out / "figures.json"), "--split-by", "owner")
    assert result.exit_code == 0, result.output
    if not grow:
        return tracking, out, tree(out)
    more = [lead(f"LF{n}", "需求挖掘", date(2024, 5, 2), owner=owner, customer=f"客户{n:04d}" * 40)
            for n in range(3, 60) for owner in ("张伟", "李娜")]
    write_workbook(tracking, ROWS + more)
    return tracking, out, tree(out)


# 4096 bytes: a sheet's scratch file fails first. 20000: every sheet's XML fits (the largest is
# about 11 KB) but the zipped workbook (about 43 KB) does not, so the workbook file itself fails
# and xlsxwriter's ZipFile is left open (it used to print a traceback when collected).
@pytest.mark.parametrize("limit", [LIMIT, 20000])
def test_a_full_disk_is_a_clear_message_not_a_traceback(tmp_path, limit):
    tracking, out, before = previous_month(tmp_path, grow=limit == LIMIT)
    args = [str(tracking), "--month", "2024-05", "--out", str(out), "--json", str(out / "figures.json"),
            "--split-by", "owner"]
    result = run_full(f"fill_up()\nfrom funnel_xl.cli import main\nsys.argv = ['funnel-xl', 'rebuild', *{args!r}]\nmain()", tmp_path, limit)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    assert "意外故障" not in result.stderr
    assert "文件超过了系统允许的大小" in result.stderr and "原有的文件保持不变" in result.stderr
    assert tree(out) == before  # no half-written file, no temporary file left behind


def test_outputs_are_replaced_together_or_not_at_all(tmp_path):
    """The disk fills up after the team report is written, while the first rep's workbook is:
    the report, the JSON, every rep's files and the manifest stay last run's."""
    tracking, out, before = previous_month(tmp_path)
    script = f"""
from funnel_xl import analyse, load_rules, write_outputs
from funnel_xl.errors import OutputError
from funnel_xl.progress import WRITE

def progress(event):
    if event.step == WRITE and event.name.startswith("reps/"):
        fill_up()

analysis = analyse([{str(tracking)!r}], load_rules(), month="2024-05", history={str(out / "history.sqlite")!r})
try:
    write_outputs(analysis, {str(out)!r}, {str(out / "figures.json")!r}, ["owner"], progress=progress)
except OutputError as exc:
    print(exc)
    sys.exit(2)
"""
    result = run_full(script, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "张伟.xlsx" in result.stdout and "原有的文件保持不变" in result.stdout
    assert "Exception ignored" not in result.stderr
    assert tree(out) == before


# ---------------------------------------------------------------------------
# 12. A valid SQLite store with damaged contents: the documented message, exit 2
# ---------------------------------------------------------------------------

DAMAGES = {
    "schema version not a number": ("UPDATE schema_version SET version = 'x'", "格式版本「x」不是整数"),
    "as-of not a date": ("UPDATE runs SET as_of = 'soon'", "截止日「soon」不是可用的日期"),
    "as-of too far": ("UPDATE runs SET as_of = '9999-12-31'", "截止日「9999-12-31」"),
    "broken figures JSON": ("UPDATE runs SET figures = '{broken'", "2024-04 的运行记录无法读取"),
    "figures of the wrong shape": ("UPDATE runs SET figures = '[1]'", "2024-04 的运行记录无法读取"),
    "broken inputs JSON": ("UPDATE runs SET inputs = 'nope'", "2024-04 的运行记录无法读取"),
    "far stage-entered date": ("UPDATE snapshots SET stage_entered = '9999-12-31'", "stage_entered「9999-12-31」"),
    "far close date": ("UPDATE snapshots SET expected_close = '9999-12-31'", "expected_close「9999-12-31」"),
    "close date not a date": ("UPDATE snapshots SET expected_close = 'never'", "expected_close「never」"),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_store_with_damaged_contents_says_so(tmp_path, damage):
    sql, detail = damage
    tracking = write_workbook(tmp_path / "tracking.xlsx", ROWS)
    out = tmp_path / "out"
    april = CliRunner().invoke(cli, ["rebuild", str(tracking), "--month", "2024-04", "--out", str(out)])
    assert april.exit_code == 0, april.output
    with closing(sqlite3.connect(out / "history.sqlite")) as conn:
        conn.execute(sql)
        conn.commit()
    result = rebuild(str(tracking), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "的内容已损坏" in result.stderr and detail in result.stderr
    assert "--no-history" in result.stderr
    assert rebuild(str(tracking), "--out", str(out), "--no-history").exit_code == 0


# ---------------------------------------------------------------------------
# 11. Mail: addresses and header texts checked on load; long names fold
# ---------------------------------------------------------------------------

LONG_NAME = "a" * 3000


def recipients_file(tmp_path: Path, reps: str = '"张伟" = "zhang@example.com"\n', **header) -> Path:
    path = tmp_path / "recipients.toml"
    subject = header.get("subject", "销售漏斗月报")
    sender = header.get("sender", "销售管理部")
    path.write_text(
        f'version = 1\nsubject = "{subject}"\n[sender]\nname = "{sender}"\naddress = "ops@example.com"\n'
        f'[manager]\nto = ["boss@example.com"]\n[reps]\n{reps}[smtp]\nsecurity = "none"\nlogin = false\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "address", ["zhang..wei@example.com", "zhang@example.com.", "张伟@example.com", "zhang\\u0000@example.com"]
)
def test_addresses_the_mail_library_refuses_are_refused_on_load_naming_the_entry(tmp_path, address):
    path = recipients_file(tmp_path, reps=f'"张伟" = "{address}"\n')
    with pytest.raises(RulesError) as info:
        load_recipients(path)
    assert "「reps.张伟」" in str(info.value) and "不是有效的邮箱地址" in str(info.value)
    assert "\x00" not in str(info.value)


@pytest.mark.parametrize(("key", "value"), [("subject", "月报\\r\\nBcc: all@example.com"), ("sender", "销售\\n部"),
                                            ("sender", "销售\\u0000部")])
def test_header_texts_with_line_breaks_or_controls_are_refused_on_load(tmp_path, key, value):
    path = recipients_file(tmp_path, **{key: value})
    with pytest.raises(RulesError) as info:
        load_recipients(path)
    assert "换行或控制字符" in str(info.value)
    assert ("「subject」" if key == "subject" else "「sender.name」") in str(info.value)


def test_names_go_into_headers_on_one_line_and_folded():
    assert header_text("张伟\r\nBcc: x@example.com\x1b[2J") == "张伟  Bcc: x@example.com [2J"
    assert header_text(LONG_NAME) == "a" * 100 + "…"


def test_a_very_long_name_without_spaces_is_sent(tmp_path, smtp):
    handler, server = smtp
    tracking = write_workbook(tmp_path / "tracking.xlsx", [lead("LF1", "需求挖掘", date(2024, 5, 2), owner=LONG_NAME)])
    out = tmp_path / "out"
    assert rebuild(str(tracking), "--out", str(out), "--split-by", "owner", "--no-history").exit_code == 0
    recipients = recipients_file(tmp_path, reps=f'"{LONG_NAME}" = "long@example.com"\n')
    result = CliRunner().invoke(cli, [
        "mail", "--month", "2024-05", "--out", str(out), "--to-rules", str(recipients), "--smtp", server,
    ])
    assert result.exit_code == 0, result.output
    assert "发送 2，跳过 0，失败 0" in result.stdout
    for _to, raw in handler.received:
        assert max(len(line) for line in raw.splitlines()) <= 998
    (long,) = [raw for (to,), raw in handler.received if to == "long@example.com"]
    msg = email.message_from_bytes(long, policy=email.policy.default)
    assert msg["To"].addresses[0].display_name.replace(" ", "") == "a" * 100 + "…"
