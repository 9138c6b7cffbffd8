"""Who gets the month's mail: the recipients file (TOML), read and checked on load.

Like the rules, every mistake raises :class:`RulesError` naming the file and the key. The file
holds addresses and connection settings only — never a password: credentials come from the
environment (``FUNNEL_XL_SMTP_USER`` / ``FUNNEL_XL_SMTP_PASSWORD``) or a prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Remedy, RulesError
from .files import MB
from .rules import TomlChecker, read_toml

SECURITY = ("starttls", "ssl", "none")
DEFAULT_SUBJECT = "销售漏斗月报"
# A practical check, not RFC 5322: one @, no spaces or control characters, a dot in the domain
# (or localhost), so a typo such as "zhangwei@example" or "zhang wei@example.com" is caught.
_ATOM = r"[^@\s<>\"(),;:\\\[\]]+"
_ADDRESS = re.compile(rf"^{_ATOM}@(localhost|{_ATOM}\.{_ATOM})$")


@dataclass(frozen=True)
class SmtpSettings:
    security: str = "starttls"  # starttls, ssl (implicit TLS, usually port 465) or none
    login: bool = True
    timeout: float = 30.0


@dataclass(frozen=True)
class Recipients:
    sender_address: str
    sender_name: str
    managers: tuple[str, ...]
    reps: dict[str, str]
    sources: dict[str, str]
    subject: str = DEFAULT_SUBJECT
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    source_path: str = ""


def load_recipients(path: str | Path) -> Recipients:
    """Read and check a recipients file."""
    path = Path(path)
    if not path.exists():
        advice = "请复制仓库中的 rules/recipients.toml 填写邮箱"
        raise RulesError(
            f"收件人文件不存在: {path}。{advice}。", remedy=Remedy.RECIPIENTS_FILE, advice=advice
        )
    data, _ = read_toml(path, "收件人文件", MB, f"收件人文件不存在: {path}。")
    return _Checker(path).recipients(data)


class _Checker(TomlChecker):
    what = "收件人文件"

    def address(self, value: Any, key: str) -> str:
        text = self.text(value, key)
        if not _ADDRESS.match(text):
            raise self.fail(key, f"「{text}」不是有效的邮箱地址，应写成 name@example.com。")
        return text

    def flag(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"应为 true 或 false，实际是 {value!r}。")
        return value

    def addresses(self, value: Any, key: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.fail(key, "应为至少一个邮箱地址的列表，例如 [\"manager@example.com\"]。")
        out = tuple(self.address(v, f"{key}[{i}]") for i, v in enumerate(value))
        if len(set(a.casefold() for a in out)) != len(out):
            raise self.fail(key, "中有重复的地址。")
        return out

    def mapping(self, value: Any, key: str) -> dict[str, str]:
        table = self.table(value, key, None, set())
        out: dict[str, str] = {}
        for name, address in table.items():
            if not name.strip():
                raise self.fail(key, "中有空白的名字。")
            out[name.strip()] = self.address(address, f"{key}.{name}")
        return out

    def recipients(self, data: dict) -> Recipients:
        top = self.table(
            data, "", {"version", "subject", "sender", "manager", "reps", "sources", "smtp"},
            {"version", "sender", "manager"},
        )
        if top["version"] != 1:
            raise self.fail("version", f"应为 1（本版本支持的格式），实际是 {top['version']!r}。")
        sender = self.table(top["sender"], "sender", {"name", "address"}, {"address"})
        manager = self.table(top["manager"], "manager", {"to"}, {"to"})
        smtp = self.table(top.get("smtp", {}), "smtp", {"security", "login", "timeout"}, set())
        security = self.text(smtp.get("security", "starttls"), "smtp.security")
        if security not in SECURITY:
            raise self.fail("smtp.security", f"应为 {', '.join(SECURITY)} 之一，实际是「{security}」。")
        login = self.flag(smtp.get("login", True), "smtp.login")
        if login and security == "none":
            raise self.fail(
                "smtp.login",
                "为 true 时 smtp.security 不能是 none：密码不能明文发送。请改用 starttls 或 ssl。",
            )
        timeout = smtp.get("timeout", 30)
        number = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
        if not number or not 1 <= timeout <= 600:
            raise self.fail("smtp.timeout", f"应为 1 到 600 之间的秒数，实际是 {timeout!r}。")
        return Recipients(
            sender_address=self.address(sender["address"], "sender.address"),
            sender_name=self.text(sender.get("name", "funnel-xl"), "sender.name"),
            managers=self.addresses(manager["to"], "manager.to"),
            reps=self.mapping(top.get("reps", {}), "reps"),
            sources=self.mapping(top.get("sources", {}), "sources"),
            subject=self.text(top.get("subject", DEFAULT_SUBJECT), "subject"),
            smtp=SmtpSettings(security=security, login=login, timeout=float(timeout)),
            source_path=str(self.path),
        )
