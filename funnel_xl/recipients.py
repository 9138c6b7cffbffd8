"""Who gets the month's mail: the recipients file (TOML), read and checked on load.

Like the rules, every mistake raises :class:`RulesError` naming the file and the key. The file
holds addresses and connection settings only — never a password: credentials come from the
environment (``FUNNEL_XL_SMTP_USER`` / ``FUNNEL_XL_SMTP_PASSWORD``) or a prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path
from typing import Any

from .errors import Joined, Remedy, RulesError, Say
from .files import MB
from .messages import ZH, catalogue
from .rules import TomlChecker, read_toml
from .teamfolder import RECIPIENTS_FILE, RULES_DIR, team_folders
from .text import one_line

SECURITY = ("starttls", "ssl", "none")
# A practical check, not RFC 5322: one @, no spaces or control characters, a dot in the domain
# (or localhost), so a typo such as "zhangwei@example" or "zhang wei@example.com" is caught.
_ATOM = r"[^@\s<>\"(),;:\\\[\]]+"
_ADDRESS = re.compile(rf"^{_ATOM}@(localhost|{_ATOM}\.{_ATOM})$")


def _address_mistake(text: str) -> Say | None:
    """Why the standard library's parser refuses an address ("zhang..wei@", a trailing dot, a
    non-ASCII local part, a NUL), as a clause; None when it takes it."""
    if not text.isascii():
        local = text.rpartition("@")[0]
        if not local.isascii():
            return Say("recipients.ascii_local")
    try:
        Address(addr_spec=text)
    except (ValueError, HeaderParseError):
        return Say("recipients.malformed")
    return None


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
    subject: str | None = None  # None: the default subject, in the run's language
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    source_path: str = ""


def load_recipients(path: str | Path) -> Recipients:
    """Read and check a recipients file."""
    path = Path(path)
    if not path.exists():
        advice = Say("recipients.copy_example")
        problem = Say("recipients.missing", path=path)
        raise RulesError(
            Say("error.with_advice", problem=problem, advice=advice), remedy=Remedy.RECIPIENTS_FILE,
            advice=advice, problem=problem,
        )
    says = _Says()
    data, _ = read_toml(path, Say("recipients.file"), MB, Say("recipients.missing", path=path), t=says)
    return _Checker(path).recipients(data)


class _Says:
    """The catalogue's interface, each message given as a :class:`Say`: the recipients file is
    read before the run knows whose language to speak, so its mistakes are worded where shown."""

    def __call__(self, key: str, /, **values: object) -> Say:
        return Say(key, **values)

    def has(self, key: str) -> bool:
        return catalogue(ZH).has(key)


class _Checker(TomlChecker):
    what = Say("recipients.file")

    def __init__(self, path: Path):
        super().__init__(path)
        self.t = _Says()

    def fail(self, key: str, message: Say | str) -> RulesError:
        return RulesError(Say("recipients.fail", path=self.path, field=key, message=message))

    def address(self, value: Any, key: str) -> str:
        text = self.text(value, key)
        if not _ADDRESS.match(text) or _address_mistake(text):
            shown = one_line(text)
            reason = (_address_mistake(text) if _ADDRESS.match(text) else None) or ""
            raise self.fail(key, Say("recipients.bad_address", address=shown, reason=reason))
        return text

    def header_text(self, value: Any, key: str) -> str:
        """A text that goes into a mail header (subject, sender name): one line, no control characters."""
        text = self.text(value, key)
        if not text.isprintable():
            raise self.fail(key, Say("recipients.control_chars", text=one_line(text)))
        return text

    def flag(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, Say("recipients.not_flag", value=repr(value)))
        return value

    def addresses(self, value: Any, key: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.fail(key, Say("recipients.not_addresses"))
        out = tuple(self.address(v, f"{key}[{i}]") for i, v in enumerate(value))
        if len(set(a.casefold() for a in out)) != len(out):
            raise self.fail(key, Say("recipients.duplicate"))
        return out

    def mapping(self, value: Any, key: str) -> dict[str, str]:
        table = self.table(value, key, None, set())
        out: dict[str, str] = {}
        for name, address in table.items():
            if not name.strip():
                raise self.fail(key, Say("recipients.blank_name"))
            if not name.isprintable():
                raise self.fail(f"{key}.{one_line(name)}", Say("recipients.name_control_chars"))
            out[name.strip()] = self.address(address, f"{key}.{name}")
        return out

    def recipients(self, data: dict) -> Recipients:
        top = self.table(
            data, "", {"version", "subject", "sender", "manager", "reps", "sources", "smtp"},
            {"version", "sender", "manager"},
        )
        if top["version"] != 1:
            raise self.fail("version", Say("recipients.version", value=repr(top["version"])))
        sender = self.table(top["sender"], "sender", {"name", "address"}, {"address"})
        manager = self.table(top["manager"], "manager", {"to"}, {"to"})
        smtp = self.table(top.get("smtp", {}), "smtp", {"security", "login", "timeout"}, set())
        security = self.text(smtp.get("security", "starttls"), "smtp.security")
        if security not in SECURITY:
            raise self.fail("smtp.security", Say("recipients.security", allowed=", ".join(SECURITY), value=security))
        login = self.flag(smtp.get("login", True), "smtp.login")
        if login and security == "none":
            raise self.fail("smtp.login", Say("recipients.plain_login"))
        timeout = smtp.get("timeout", 30)
        number = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
        if not number or not 1 <= timeout <= 600:
            raise self.fail("smtp.timeout", Say("recipients.timeout", value=repr(timeout)))
        return Recipients(
            sender_address=self.address(sender["address"], "sender.address"),
            sender_name=self.header_text(sender.get("name", "funnel-xl"), "sender.name"),
            managers=self.addresses(manager["to"], "manager.to"),
            reps=self.mapping(top.get("reps", {}), "reps"),
            sources=self.mapping(top.get("sources", {}), "sources"),
            subject=self.header_text(top["subject"], "subject") if "subject" in top else None,
            smtp=SmtpSettings(security=security, login=login, timeout=float(timeout)),
            source_path=str(self.path),
        )



def find_recipients(rules_path: str | Path | None, paths: list[str | Path]) -> Path:
    """The recipients file a run means: beside the rules file, else in the team folder the command
    runs in or is given (beside, or in a ``rules`` folder beside, the workbooks or the output folder,
    or one folder up: see :func:`~funnel_xl.teamfolder.team_folders`).
    Raises :class:`RulesError` naming every place looked at when none holds one."""
    places = [Path(rules_path).parent / RECIPIENTS_FILE] if rules_path else []
    for folder in team_folders(paths):
        places += [folder / RULES_DIR / RECIPIENTS_FILE, folder / RECIPIENTS_FILE]
    places = list(dict.fromkeys(places))
    for place in places:
        if place.is_file():
            return place
    advice = Say("recipients.make_one")
    problem = Say("recipients.not_found", places=Joined(places))
    raise RulesError(
        Say("error.with_advice", problem=problem, advice=advice), remedy=Remedy.RECIPIENTS_FILE,
        advice=advice, problem=problem,
    )
