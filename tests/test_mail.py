"""The mail step against a real SMTP server (aiosmtpd) on 127.0.0.1, and the outbox.

The month is the one of tests/test_split.py: three reps (张伟, 李四/销售二部, *销售代表) and a manager.
"""

from __future__ import annotations

import email
import json
import re
import shutil
import socket
import ssl
import subprocess
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner

from funnel_xl import analyse, load_rules, write_outputs
from funnel_xl.cli import cli
from funnel_xl.errors import RulesError
from funnel_xl.groups import group_json, select_group
from funnel_xl.mail import GroupReport, _group_body
from funnel_xl.recipients import load_recipients
from tests.conftest import REPO, rules_before_required_fields, write_workbook
from tests.test_split import LI, MASKED, ROWS, ZHANG

ADDRESSES = {ZHANG: "zhang@example.com", LI: "li@example.com", MASKED: "rep@example.com"}
MANAGER = "boss@example.com"


def recipients_toml(security="none", login=False, reps=None) -> str:
    reps = ADDRESSES if reps is None else reps
    lines = "\n".join(f'"{name}" = "{address}"' for name, address in reps.items())
    return (
        'version = 1\n'
        '[sender]\nname = "销售管理部"\naddress = "ops@example.com"\n'
        f'[manager]\nto = ["{MANAGER}"]\n'
        f'[reps]\n{lines}\n'
        f'[smtp]\nsecurity = "{security}"\nlogin = {"true" if login else "false"}\ntimeout = 10\n'
    )


@pytest.fixture
def month(tmp_path):
    """A rebuilt month with per-rep workbooks, and a recipients file for plain SMTP."""
    tracking = write_workbook(tmp_path / "tracking.xlsx", ROWS)
    out = tmp_path / "out"
    # The rules before the required fields: the leads leave them blank (see test_required_fields).
    write_outputs(analyse([tracking], rules_before_required_fields(), month="2024-05"), out, split_by=["owner"])
    recipients = tmp_path / "recipients.toml"
    recipients.write_text(recipients_toml(), encoding="utf-8")
    return out, recipients


class Handler:
    """Stores what arrives; refuses some recipients; drops the connection on others' DATA."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.drop: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop & set(envelope.rcpt_tos):
            server.transport.close()  # the connection drops before the reply
            return "421 closing"
        self.received.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_mail(out, recipients, *args):
    return CliRunner().invoke(
        cli, ["mail", "--month", "2024-05", "--out", str(out), "--to-rules", str(recipients), *args]
    )


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=default)


def rep_file(out: Path, stem: str) -> Path:
    return out / "2024-05" / "reps" / f"{stem}.xlsx"


EXPECTED_ATTACHMENTS = {
    MANAGER: ("funnel_report_2024-05.xlsx", Path("funnel_report_2024-05.xlsx")),
    ADDRESSES[ZHANG]: ("funnel_report_2024-05_张伟.xlsx", Path("2024-05/reps/张伟.xlsx")),
    ADDRESSES[LI]: ("funnel_report_2024-05_李四／销售二部.xlsx", Path("2024-05/reps/李四／销售二部.xlsx")),
    ADDRESSES[MASKED]: ("funnel_report_2024-05_＊销售代表.xlsx", Path("2024-05/reps/＊销售代表.xlsx")),
}


def test_messages_arrive_and_parse_back(month, smtp):
    out, recipients = month
    handler, server = smtp
    result = run_mail(out, recipients, "--smtp", server)
    assert result.exit_code == 0, result.output
    assert "共 4 封：发送 4，跳过 0，失败 0。" in result.stdout
    assert sorted(to for (to,), _ in handler.received) == sorted(EXPECTED_ATTACHMENTS)
    for (to,), raw in handler.received:
        msg = parse(raw)
        name, path = EXPECTED_ATTACHMENTS[to]
        assert msg["To"].addresses[0].addr_spec == to
        assert msg["From"].addresses[0].display_name == "销售管理部"
        # RFC 2231: the Chinese file name is sent as filename*=utf-8''%E5… and comes back whole.
        if not name.isascii():
            assert b"filename*" in raw and b"utf-8''" in raw
        (attachment,) = list(msg.iter_attachments())
        assert attachment.get_filename() == name
        assert attachment.get_content() == (out / path).read_bytes()
        assert msg.get_body(("plain",)).get_content()
        assert msg.get_body(("html",)).get_content().startswith("<!DOCTYPE html>")
    zhang = next(parse(raw) for (to,), raw in handler.received if to == ADDRESSES[ZHANG])
    assert zhang["Subject"] == "销售漏斗月报 2024-05 · 张伟"
    text = zhang.get_body(("plain",)).get_content()
    # 张伟: 3 valid of the team's 6, win rate 1/1 vs 1/2; alerts stalled 103, overdue 101, stale 103.
    assert "有效线索：本人 3 · 全队 6" in text
    assert "赢单率：本人 100.0% · 全队 50.0%" in text
    assert "需要处理的预警（3 条）" in text
    assert "[停留超时] LF2024103 庚方食品/*郑总 · 需求挖掘 · 已停留 21 天（上限 15 天）" in text
    assert "[跟进逾期] LF2024101 甲方科技/*王总 · 商务谈判 · 下次跟进时间 2024-05-20 已过 11 天" in text
    assert "数据问题：错误 0 个，警告 1 个。" in text
    for other in ("LF2024201", "乙方制造", "4321.09", LI, MASKED):
        assert other not in text
    log = (out / "2024-05" / "sent-log.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["to"] for line in log) == sorted(EXPECTED_ATTACHMENTS)


def test_refused_and_dropped_are_reported_per_recipient_and_nothing_is_sent_twice(month, smtp):
    out, recipients = month
    handler, server = smtp
    handler.refuse = {ADDRESSES[LI]}
    handler.drop = {ADDRESSES[MASKED]}
    first = run_mail(out, recipients, "--smtp", server)
    assert first.exit_code == 1, first.output
    # Order: manager, then reps by name: *销售代表 (dropped), 张伟 (after a new connection), 李四 (refused).
    assert f"失败: {LI} <{ADDRESSES[LI]}>: 收件人被拒绝: 550" in first.stderr
    assert f"失败: {MASKED} <{ADDRESSES[MASKED]}>: 连接中断" in first.stderr
    assert "共 4 封：发送 2，跳过 0，失败 2。" in first.stdout
    assert sorted(to for (to,), _ in handler.received) == sorted([MANAGER, ADDRESSES[ZHANG]])

    handler.refuse, handler.drop, handler.received = set(), set(), []
    second = run_mail(out, recipients, "--smtp", server)
    assert second.exit_code == 0, second.output
    assert sorted(to for (to,), _ in handler.received) == sorted([ADDRESSES[LI], ADDRESSES[MASKED]])
    assert "共 4 封：发送 2，跳过 2，失败 0。" in second.stdout

    handler.received = []
    third = run_mail(out, recipients, "--smtp", server)
    assert third.exit_code == 0 and handler.received == []
    assert "共 4 封：发送 0，跳过 4，失败 0。" in third.stdout
    lines = (out / "2024-05" / "sent-log.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4


def test_a_server_that_cannot_be_reached_fails_every_message(month):
    out, recipients = month
    result = run_mail(out, recipients, "--smtp", f"127.0.0.1:{free_port()}")
    assert result.exit_code == 1
    assert result.stderr.count("无法连接邮件服务器") == 4
    assert not (out / "2024-05" / "sent-log.jsonl").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# STARTTLS, implicit TLS and login
# ---------------------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1, trusted by the client through SSL_CERT_FILE."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl 命令不可用，无法生成测试证书（.ci/run 会安装 openssl）")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class Accounts:
    def __init__(self):
        self.logins: list[str] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"ops" and auth_data.password == b"s3cret"
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # aiosmtpd replies 535 on failure


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login(month, certificate, monkeypatch, security):
    out, recipients = month
    recipients.write_text(recipients_toml(security=security, login=True), encoding="utf-8")
    handler, accounts = Handler(), Accounts()
    options = dict(authenticator=accounts, auth_require_tls=True)
    if security == "starttls":
        options.update(tls_context=certificate, require_starttls=True)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    else:
        # The whole session is TLS; aiosmtpd cannot tell, so it must not insist on STARTTLS first.
        options.update(auth_require_tls=False)
        controller = Controller(
            handler, hostname="127.0.0.1", port=free_port(), ssl_context=certificate, **options
        )
    controller.start()
    try:
        server = f"127.0.0.1:{controller.port}"
        monkeypatch.setenv("FUNNEL_XL_SMTP_USER", "ops")
        monkeypatch.setenv("FUNNEL_XL_SMTP_PASSWORD", "wrong")
        refused = run_mail(out, recipients, "--smtp", server)
        assert refused.exit_code == 1
        assert refused.stderr.count("登录 127.0.0.1") == 4 and handler.received == []

        monkeypatch.setenv("FUNNEL_XL_SMTP_PASSWORD", "s3cret")
        result = run_mail(out, recipients, "--smtp", server)
        assert result.exit_code == 0, result.output
        assert len(handler.received) == 4 and accounts.logins == ["ops"]  # one session, one login
    finally:
        controller.stop()


def test_login_needs_the_environment_or_a_terminal(month, monkeypatch):
    out, recipients = month
    recipients.write_text(recipients_toml(security="starttls", login=True), encoding="utf-8")
    monkeypatch.delenv("FUNNEL_XL_SMTP_USER", raising=False)
    monkeypatch.delenv("FUNNEL_XL_SMTP_PASSWORD", raising=False)
    result = run_mail(out, recipients, "--smtp", "127.0.0.1:1")
    assert result.exit_code == 2
    assert "FUNNEL_XL_SMTP_USER" in result.stderr and "FUNNEL_XL_SMTP_PASSWORD" in result.stderr
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------
# Outbox, dry run, and what is missing
# ---------------------------------------------------------------------------


def test_outbox_is_the_default(month):
    out, recipients = month
    result = run_mail(out, recipients)
    assert result.exit_code == 0, result.output
    outbox = out / "2024-05" / "outbox"
    names = sorted(p.name for p in outbox.iterdir())
    assert names == sorted([
        f"2024-05_全队_{MANAGER}.eml", f"2024-05_张伟_{ADDRESSES[ZHANG]}.eml",
        f"2024-05_李四／销售二部_{ADDRESSES[LI]}.eml", f"2024-05_＊销售代表_{ADDRESSES[MASKED]}.eml",
    ])
    msg = parse((outbox / f"2024-05_＊销售代表_{ADDRESSES[MASKED]}.eml").read_bytes())
    assert msg["X-Unsent"] == "1"
    assert msg["To"].addresses[0].display_name == MASKED
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "funnel_report_2024-05_＊销售代表.xlsx"
    assert attachment.get_content() == rep_file(out, "＊销售代表").read_bytes()
    assert not (out / "2024-05" / "sent-log.jsonl").exists()  # nothing was sent


def test_dry_run_lists_who_gets_what_and_writes_nothing(month, tmp_path):
    out, recipients = month
    result = run_mail(out, recipients, "--outbox", str(tmp_path / "box"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "共 4 封" in result.stdout
    assert f"{ZHANG} <{ADDRESSES[ZHANG]}> ← funnel_report_2024-05_张伟.xlsx" in result.stdout
    assert f"全队 <{MANAGER}> ← funnel_report_2024-05.xlsx" in result.stdout
    assert not (tmp_path / "box").exists()


def test_missing_rebuild_says_which_command_to_run(month):
    out, recipients = month  # 2024-05 was rebuilt; 2024-06 was not
    other = CliRunner().invoke(
        cli, ["mail", "--month", "2024-06", "--out", str(out), "--to-rules", str(recipients)]
    )
    assert other.exit_code == 2
    assert "funnel-xl rebuild 跟踪表.xlsx --month 2024-06" in other.stderr
    assert "--split-by owner" in other.stderr
    no_month = CliRunner().invoke(cli, ["mail", "--out", str(out), "--to-rules", str(recipients)])
    assert no_month.exit_code == 2 and "--month" in no_month.stderr


def test_a_report_rebuilt_after_the_split_is_noticed(month, tmp_path):
    out, recipients = month
    changed = write_workbook(tmp_path / "changed.xlsx", ROWS[:2])
    write_outputs(analyse([changed], load_rules(), month="2024-05"), out)  # no --split-by
    result = run_mail(out, recipients)
    assert result.exit_code == 2
    assert "重新生成" in result.stderr and "--split-by owner" in result.stderr


def test_reps_without_an_address_and_names_without_a_workbook_are_named(month):
    out, recipients = month
    recipients.write_text(
        recipients_toml(reps={ZHANG: ADDRESSES[ZHANG], "张玮": "typo@example.com"}), encoding="utf-8"
    )
    result = run_mail(out, recipients, "--dry-run")
    assert result.exit_code == 0
    assert f"未发送: 「{LI}」没有邮箱地址" in result.stderr
    assert f"未发送: 「{MASKED}」没有邮箱地址" in result.stderr
    assert "「张玮」本期没有工作簿（是否指「张伟」？）" in result.stderr
    assert "共 2 封" in result.stdout


def test_mail_body_escapes_what_the_reps_typed(month):
    out, _ = month
    analysis = analyse([write_workbook(out.parent / "t.xlsx", ROWS)], load_rules(), month="2024-05")
    group = select_group(analysis, "owner", ZHANG)
    figures = group_json(group, "张伟.xlsx")
    figures["alerts"][0]["customer"] = '<script>alert("x")</script>&Co'
    _, text, page = _group_body(GroupReport("owner", "<b>张伟</b>", Path("x.xlsx"), figures), _FakeMonth)
    assert "<script>" not in page and "<b>张伟</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;Co" in page
    assert "&lt;b&gt;张伟&lt;/b&gt;，您好：" in page
    assert '<script>alert("x")</script>&Co' in text  # the plain text keeps it as typed


class _FakeMonth:
    as_of, period = "2024-05-31", "2024-05"


# ---------------------------------------------------------------------------
# The recipients file
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('version = 1', 'version = 2'), "「version」应为 1"),
        (lambda t: t.replace('address = "ops@example.com"', 'address = "ops@example"'), "「sender.address」"),
        (lambda t: t.replace(f'"{ZHANG}" = "zhang@example.com"', f'"{ZHANG}" = "zhang wei@example.com"'),
         f"「reps.{ZHANG}」"),
        (lambda t: t.replace("login = false", "login = true"), "「smtp.login」为 true 时 smtp.security 不能是 none"),
        (lambda t: t.replace("timeout = 10", 'password = "x"'), "「smtp.password」是未知的键"),
        (lambda t: t.replace(f'to = ["{MANAGER}"]', "to = []"), "「manager.to」应为至少一个邮箱地址"),
        (lambda t: t.replace('security = "none"', 'security = "tls"'), "「smtp.security」应为 starttls, ssl, none"),
        (lambda t: t + "[extra]\n", "「extra」是未知的键"),
    ],
)
def test_recipients_file_mistakes_name_file_and_key(tmp_path, change, message):
    path = tmp_path / "recipients.toml"
    path.write_text(change(recipients_toml()), encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_recipients(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_the_shipped_example_loads():
    example = load_recipients(REPO / "rules" / "recipients.toml")
    assert example.managers == ("manager@example.com",)
    assert example.reps["*销售代表"] == "rep@example.com"
    assert (example.smtp.security, example.smtp.login) == ("starttls", True)


def test_amounts_are_in_the_rules_unit(month, tmp_path):
    """The mail says the amounts' unit as the rules do (万元 by default), not always 万元."""
    from tests.conftest import rules_text_with

    out, recipients = month
    rules = tmp_path / "yuan.toml"
    rules.write_text(rules_text_with(('amount_unit = "万元"', 'amount_unit = "元"')), encoding="utf-8")
    default = run_mail(out, recipients, "--outbox", str(tmp_path / "wan"))
    in_yuan = run_mail(out, recipients, "--outbox", str(tmp_path / "yuan"), "--rules", str(rules))
    assert default.exit_code == 0 and in_yuan.exit_code == 0, in_yuan.output

    def manager_text(box):
        (path,) = [p for p in box.iterdir() if p.name.startswith("2024-05_全队_")]
        return parse(path.read_bytes()).get_body(("plain",)).get_content()

    # The same figure, said in the unit the rules give.
    wan = re.search(r"在跟金额：([\d,.]+) 万元\n", manager_text(tmp_path / "wan"))
    text = manager_text(tmp_path / "yuan")
    assert wan is not None and f"在跟金额：{wan.group(1)} 元\n" in text and "万元" not in text


def test_the_library_names_no_flags_the_cli_does(month, tmp_path):
    """load_month and load_recipients say what to do in plain words; mail names the command."""
    from funnel_xl.errors import InputError, Remedy
    from funnel_xl.mail import load_month

    out, recipients = month
    with pytest.raises(InputError) as caught:
        load_month(out, "2024-06")
    manifest = out / "2024-06" / "manifest.json"
    assert str(caught.value) == f"找不到 2024-06 的报告清单 {manifest}。请先重新生成 2024-06 的报告并按负责人拆分。"
    assert caught.value.remedy == Remedy.REBUILD_MONTH
    result = run_mail(out, recipients, "--month", "2024-06")
    assert (
        f"找不到 2024-06 的报告清单 {manifest}。"
        f"请先运行 funnel-xl rebuild 跟踪表.xlsx --month 2024-06 --out {out} --split-by owner。"
    ) in result.stderr

    missing = tmp_path / "nobody.toml"
    with pytest.raises(RulesError) as caught:
        load_recipients(missing)
    assert "--" not in str(caught.value) and caught.value.remedy == Remedy.RECIPIENTS_FILE
    result = run_mail(out, missing)
    assert f"收件人文件不存在: {missing}。请复制仓库中的 rules/recipients.toml 填写邮箱，或用 --to-rules 指定。" in result.stderr


def test_the_month_block_in_the_reps_and_the_managers_mail(month):
    """As of 2024-05-31. 张伟: new in May 103 (05-02), in April none; won in April 102 (55.5), in
    May none. The team adds 301 (new 05-20); 203 is excluded. No target, no log: no target columns,
    no stage moves."""
    out, recipients = month
    result = CliRunner().invoke(cli, [
        "mail", "--month", "2024-05", "--out", str(out), "--to-rules", str(recipients), "--outbox",
        str(out / "box"),
    ])
    assert result.exit_code == 0, result.output
    bodies = {}
    for path in (out / "box").glob("*.eml"):
        msg = parse(path.read_bytes())
        bodies[msg["To"].addresses[0].addr_spec] = msg.get_body(("plain",)).get_content()
    zhang, manager = bodies[ADDRESSES[ZHANG]], bodies[MANAGER]
    assert "您的本月 2024-05（对比上月 2024-04）" in zhang
    assert "新增线索：本月 1 · 上月 0 · 变化 ▲ 1" in zhang
    assert "成交金额(万元)：本月 0.0 · 上月 55.5 · 变化 ▼ 55.5" in zhang
    assert "阶段变动(次)：本月 0 · 上月 0 · 变化 —" in zhang
    assert "目标" not in zhang.split("关键数字")[0]
    assert "团队本月 2024-05（对比上月 2024-04）" in manager
    assert "新增线索：本月 2 · 上月 0 · 变化 ▲ 2" in manager
    assert "成交(条)：本月 0 · 上月 1 · 变化 ▼ 1" in manager
    # The month block comes first, before the standing figures.
    assert manager.index("团队本月") < manager.index("关键数字")
