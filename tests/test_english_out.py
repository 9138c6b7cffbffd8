"""An English team hears English: every command run on a team whose rules say lang = "en" (and with
--lang en) prints, mails and writes no Chinese — its stages, columns, people and channels are
English, so any CJK character in the output is the tool's own text left untranslated.

Real parts: the CLI through click's runner, a real SMTP server on 127.0.0.1 (the ``smtp`` fixture),
the .eml files and the refreshed workbook read back with the standard library and openpyxl.
"""

from __future__ import annotations

import io
import re
import shutil
from datetime import date, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl import cli as cli_module
from funnel_xl.cli import ProgressLine, cli
from funnel_xl.errors import Say
from funnel_xl.messages import EN, MESSAGES, ZH, catalogue, placeholders
from funnel_xl.progress import WRITE, Progress
from tests.conftest import REPO
from tests.test_foreign import FIVE_STAGES

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
AS_OF = date(2024, 5, 31)  # a Friday, a working day


def D(days: int) -> date:
    """The day ``days`` before the as-of date."""
    return AS_OF - timedelta(days=days)


# The five English stages with the columns reminders and refresh work on, in English.
RULES = FIVE_STAGES.replace("version = 1", 'version = 1\nlang = "en"') + '''
[columns.last_follow_up]
header = "Last Touch"
kind = "date"

[columns.next_follow_up]
header = "Next Step"
kind = "date"

[columns.expected_close]
header = "Expected Close"
kind = "date"

[columns.dwell_days]
header = "Days In Stage"
kind = "number"
computed = true

[columns.pass_rate_text]
header = "Pass Rate"
kind = "text"
computed = true
'''

RECIPIENTS = '''
version = 1

[sender]
name = "Sales Ops"
address = "ops@example.com"

[manager]
to = ["boss@example.com"]

[reps]
Ann = "ann@example.com"
Bob = "bob@example.com"

[smtp]
security = "none"
login = false
'''

HEADERS = [
    "Deal", "Account", "Product", "Region", "Deal Stage", "Created", "Stage Date", "Rep", "Value (USD)",
    "Lost At Step", "Last Touch", "Next Step", "Expected Close", "Days In Stage",
]
# Ann: a stalled deal (Engaging since 40 days, limit 20), a follow-up overdue, a close date past, and
# one without a stage date whose typed days in stage refresh turns into an estimate (with a note).
# Bob: a deal not touched for 60 days, a won and a lost one.
DEALS = [
    ["D-1", "Acme", "A", "North", "Engaging", D(90), D(40), "Ann", 1000, None, D(3), D(2), D(-30), None],
    ["D-2", "Bolt", "A", "North", "Proposal", D(80), D(10), "Ann", 2000, None, D(5), D(-10), D(4), None],
    ["D-3", "Core", "B", "South", "Negotiation", D(70), None, "Ann", 3000, None, D(2), D(-7), D(-20), 12],
    ["D-4", "Dyna", "B", "South", "Proposal", D(100), D(15), "Bob", 4000, None, D(60), D(-5), D(-40), None],
    ["D-5", "Echo", "A", "East", "Closed Won", D(60), D(20), "Bob", 5000, None, D(20), None, None, None],
    ["D-6", "Flux", "B", "East", "Closed Lost", D(50), D(25), "Bob", 6000, 2, D(25), None, None, None],
    ["D-7", "Gale", "A", "West", "New", D(5), None, "Bob", 700, None, D(1), D(-3), D(-60), None],
]


def write_deals(path: Path, rows=DEALS) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    book.save(path)
    return path


@pytest.fixture
def team(tmp_path, monkeypatch):
    """An English team folder: rules, recipients, the deals in inbox/; the command runs in it."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "inbox").mkdir()
    (tmp_path / "rules" / "funnel.toml").write_text(RULES, encoding="utf-8")
    (tmp_path / "rules" / "recipients.toml").write_text(RECIPIENTS, encoding="utf-8")
    write_deals(tmp_path / "inbox" / "deals.xlsx")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FUNNEL_XL_LANG", raising=False)
    return tmp_path


def run(*args: str, code: int | tuple[int, ...] = (0, 1)):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    codes = code if isinstance(code, tuple) else (code,)
    assert result.exit_code in codes, (args, result.exit_code, result.output)
    return result


def assert_english(*texts: str) -> None:
    for text in texts:
        found = CJK.findall(text)
        assert not found, f"Chinese {''.join(found)!r} in:\n{text}"


def said(result) -> str:
    return result.stdout + result.stderr


def rebuilt(team: Path) -> None:
    run("rebuild", "inbox/deals.xlsx", "--as-of", AS_OF.isoformat(), "--out", "out", "--split-by", "owner",
        "--lang", "en")


def mail_text(raw: bytes) -> tuple[str, list[str]]:
    """A message's decoded subject, To and bodies, and its attachments' names."""
    msg = message_from_bytes(raw, policy=default)
    parts = [str(msg["Subject"]), str(msg["To"])]
    parts += [part.get_content() for part in msg.walk() if part.get_content_type() in ("text/plain", "text/html")]
    names = [part.get_filename() for part in msg.iter_attachments()]
    return "\n".join(parts), names


# ---------------------------------------------------------------------------
# Every command, its terminal output and what it writes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("validate", "inbox/deals.xlsx", "--as-of", "2024-05-31", "--lang", "en"),
    ("validate", "inbox", "--as-of", "2024-05-31"),
    ("rebuild", "inbox/deals.xlsx", "--as-of", "2024-05-31", "--out", "out", "--split-by", "owner"),
    ("remind", "inbox/deals.xlsx", "--as-of", "2024-05-31", "--dry-run", "--lang", "en"),
    ("remind", "inbox/deals.xlsx", "--as-of", "2024-06-01", "--lang", "en"),  # a Saturday
    ("demo", "-o", "demo.xlsx", "--rules", "rules/funnel.toml"),
])
def test_the_terminal_speaks_english(team, args):
    assert_english(said(run(*args)))


def test_mail_to_the_outbox_is_english_subjects_bodies_and_file_names(team):
    rebuilt(team)
    dry = run("mail", "--month", "2024-05", "--out", "out", "--dry-run", "--lang", "en", code=0)
    written = run("mail", "--month", "2024-05", "--out", "out", "--outbox", "outbox", "--lang", "en", code=0)
    assert_english(said(dry), said(written))
    files = sorted((team / "outbox").glob("*.eml"))
    assert len(files) == 3  # the manager, Ann, Bob
    for path in files:
        text, names = mail_text(path.read_bytes())
        assert_english(path.name, text, *names)
        assert "funnel-xl" in text
    manager = next(p for p in files if "boss@" in p.name)
    text, names = mail_text(manager.read_bytes())
    assert "Sales funnel report 2024-05 · Team" in text
    assert "Key figures" in text and "Weakest transition" in text
    assert names == ["funnel_report_2024-05.xlsx"]


def test_mail_over_smtp_is_english_and_so_are_its_failures(team, smtp):
    handler, server = smtp
    handler.refuse.add("bob@example.com")
    rebuilt(team)
    result = run("mail", "--month", "2024-05", "--out", "out", "--smtp", server, code=1)
    assert_english(said(result))
    assert "recipient refused: 550" in result.stderr
    assert len(handler.received) == 2
    for _to, raw in handler.received:
        text, names = mail_text(raw)
        assert_english(text, *names)
    texts = {to[0]: mail_text(raw)[0] for to, raw in handler.received}
    assert "Hello Ann," in texts["ann@example.com"]
    assert "Alerts to act on" in texts["ann@example.com"]
    again = run("mail", "--month", "2024-05", "--out", "out", "--smtp", server, code=1)
    assert_english(said(again))
    assert "the same attachment went out at" in again.stdout


def test_reminders_and_the_digest_are_english(team, smtp):
    handler, server = smtp
    outbox = run("remind", "inbox/deals.xlsx", "--as-of", "2024-05-31", "--outbox", "rem",
                 "--history", "out/history.sqlite", "--lang", "en", code=0)
    assert_english(said(outbox))
    files = sorted((team / "rem").glob("*.eml"))
    assert len(files) == 3  # Ann, Bob and the manager's digest
    for path in files:
        assert_english(path.name, mail_text(path.read_bytes())[0])
    sent = run("remind", "inbox/deals.xlsx", "--as-of", "2024-05-31", "--smtp", server,
               "--history", "out/sent.sqlite", "--lang", "en", code=0)
    assert_english(said(sent))
    texts = {to[0]: mail_text(raw)[0] for to, raw in handler.received}
    assert set(texts) == {"ann@example.com", "bob@example.com", "boss@example.com"}
    for text in texts.values():
        assert_english(text)
    # D-1: Engaging since 2024-04-21, 40 days against a limit of 20.
    assert "D-1 Acme · Engaging · 40 days in stage (limit 20 days); review why it stalled" in texts["ann@example.com"]
    assert "Sales funnel reminder 2024-05-31 · Team:" in texts["boss@example.com"]
    nothing = run("remind", "inbox/deals.xlsx", "--as-of", "2024-05-31", "--smtp", server,
                  "--history", "out/sent.sqlite", "--lang", "en", code=0)
    assert "no new reminder" in nothing.stdout


def test_refresh_writes_english_notes_and_says_english_things(team):
    book = team / "inbox" / "deals.xlsx"
    result = run("refresh", str(book), "--as-of", "2024-05-31", "--lang", "en", code=0)
    assert_english(said(result))
    assert "Refreshed:" in result.stdout and "Backup:" in result.stdout
    sheet = openpyxl.load_workbook(book)["Leads"]
    notes = [cell.comment.text for row in sheet.iter_rows() for cell in row if cell.comment]
    assert notes, "refresh wrote no note"
    assert_english(*notes)
    # D-3 (row 4): no stage date; last touch 2024-05-29 − 12 typed days = 2024-05-17.
    estimate = sheet["G4"]
    assert estimate.value.date() == date(2024, 5, 17)
    assert "estimated as last follow-up 2024-05-29 − days in stage 12 days = 2024-05-17" in estimate.comment.text
    again = run("refresh", str(book), "--as-of", "2024-05-31", "--lang", "en", code=0)
    assert_english(said(again))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_is_english(team, monkeypatch):
    line = ProgressLine(_Terminal(), delay=3600, lang=EN)  # reveal() stands in for the timer
    line.reveal()
    line(Progress(WRITE, "Lead detail", 20000, 100000))
    line.close()
    assert line.stream.getvalue() == "\r\x1b[KWriting Lead detail (20,000/100,000 rows) …\r\x1b[K"

    class ShownAtOnce(ProgressLine):
        def __init__(self, stream, delay, lang):
            super().__init__(stream, delay=3600, lang=lang)
            self.reveal()

    monkeypatch.setattr(cli_module, "_stderr_is_terminal", lambda: True)
    monkeypatch.setattr(cli_module, "ProgressLine", ShownAtOnce)
    result = run("rebuild", "inbox/deals.xlsx", "--as-of", "2024-05-31", "--out", "out", "--lang", "en")
    assert "Checking deals.xlsx" in result.stderr
    assert_english(said(result))


def test_the_team_folder_and_its_first_commands_in_english(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init", "team", "--lang", "en", code=0)
    assert_english(said(result))
    monkeypatch.chdir(tmp_path / "team")
    template = run("template", "-o", "t.xlsx", code=0)
    assert_english(said(template))


# ---------------------------------------------------------------------------
# Error paths: each refusal in English, with its exit code
# ---------------------------------------------------------------------------


def _locked(team: Path) -> list[str]:
    (team / "inbox" / "~$deals.xlsx").write_bytes(b"lock")
    return ["refresh", "inbox/deals.xlsx", "--as-of", "2024-05-31", "--lang", "en"]


def _read_only(team: Path) -> list[str]:
    path = team / "inbox" / "deals.xlsx"
    path.chmod(0o444)
    return ["refresh", str(path), "--as-of", "2024-05-31", "--lang", "en"]


def _xls(team: Path) -> list[str]:
    shutil.copy(team / "inbox" / "deals.xlsx", team / "deals.xls")
    return ["refresh", "deals.xls", "--as-of", "2024-05-31", "--lang", "en"]


def _bad_recipients(team: Path) -> list[str]:
    path = team / "rules" / "recipients.toml"
    path.write_text(RECIPIENTS.replace("ann@example.com", "ann@example"), encoding="utf-8")
    rebuilt(team)
    return ["mail", "--month", "2024-05", "--out", "out", "--dry-run", "--lang", "en"]


def _no_recipients(team: Path) -> list[str]:
    (team / "rules" / "recipients.toml").unlink()
    rebuilt(team)
    return ["mail", "--month", "2024-05", "--out", "out", "--dry-run", "--lang", "en"]


def _not_rebuilt(team: Path) -> list[str]:
    return ["mail", "--month", "2024-05", "--out", "out", "--dry-run", "--lang", "en"]


def _bad_server(team: Path) -> list[str]:
    rebuilt(team)
    return ["mail", "--month", "2024-05", "--out", "out", "--smtp", "nowhere", "--lang", "en"]


def _unreachable(team: Path) -> list[str]:
    from tests.test_mail import free_port

    rebuilt(team)
    return ["mail", "--month", "2024-05", "--out", "out", "--smtp", f"127.0.0.1:{free_port()}", "--lang", "en"]


def _not_a_workbook(team: Path) -> list[str]:
    (team / "inbox" / "deals.xlsx").write_bytes(b"%PDF-1.4 not a workbook")
    return ["rebuild", "inbox/deals.xlsx", "--as-of", "2024-05-31", "--out", "out", "--lang", "en"]


def _damaged_history(team: Path) -> list[str]:
    (team / "out").mkdir()
    (team / "out" / "history.sqlite").write_text("not sqlite", encoding="utf-8")
    return ["rebuild", "inbox/deals.xlsx", "--as-of", "2024-05-31", "--out", "out", "--lang", "en"]


def _period_twice(team: Path) -> list[str]:
    return ["remind", "inbox/deals.xlsx", "--as-of", "2024-05-31", "--month", "2024-05", "--lang", "en"]


ERRORS = {
    # name: (set-up returning the command, exit code, words the message must hold)
    "missing workbook": (lambda team: ["refresh", "missing.xlsx", "--lang", "en"], 2, "No such file or folder"),
    "missing folder": (lambda team: ["validate", "nowhere", "--lang", "en"], 2, "No such file or folder"),
    "locked": (_locked, 2, "lock file ~$deals.xlsx"),
    "read-only": (_read_only, 2, "is read-only"),
    ".xls refused": (_xls, 2, "an old Excel workbook (.xls)"),
    "bad recipients file": (_bad_recipients, 2, "is not a valid mail address"),
    "no recipients file": (_no_recipients, 2, "or name one with --to-rules"),
    "not rebuilt": (_not_rebuilt, 2, "Run funnel-xl rebuild tracking.xlsx --month 2024-05"),
    "bad server": (_bad_server, 2, "HOST:PORT"),
    "server unreachable": (_unreachable, 1, "Cannot connect to the mail server"),
    "not a workbook": (_not_a_workbook, 2, "a PDF file"),
    "damaged history": (_damaged_history, 2, "add --no-history"),
    "two periods": (_period_twice, 2, "Give only one of"),
    "bad month": (lambda team: ["mail", "--month", "2024-13", "--out", "out", "--lang", "en"], 2, "write YYYY-MM"),
    "bad week": (lambda team: ["remind", "inbox", "--week", "2024-W60", "--lang", "en"], 2, "write YYYY-Www"),
    "bad date": (lambda team: ["refresh", "inbox", "--as-of", "31.5.2024", "--lang", "en"], 2, "YYYY-MM-DD"),
    "team folder taken": (lambda team: ["init", str(team), "--lang", "en"], 2, "nothing was changed"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_every_refusal_is_english(team, name):
    setup, code, words = ERRORS[name]
    args = setup(team)  # read-only: refresh reads the write bits, so even root is refused
    result = run(*args, code=code)
    assert_english(said(result))
    assert words in said(result)


def test_an_unknown_recipient_is_named_in_english(team):
    path = team / "rules" / "recipients.toml"
    path.write_text(RECIPIENTS.replace('Bob = "bob@example.com"', 'Bob = "bob@example.com"\nBobby = "x@example.com"'),
                    encoding="utf-8")
    rebuilt(team)
    result = run("mail", "--month", "2024-05", "--out", "out", "--dry-run", "--lang", "en", code=0)
    assert_english(said(result))
    assert "'Bobby'" in result.stderr and "has no workbook this period (did you mean 'Bob'?)" in result.stderr


# ---------------------------------------------------------------------------
# The catalogue holds an English text for every message mail, remind and refresh ask for
# ---------------------------------------------------------------------------

OWN = ("mail.py", "remind.py", "refresh.py", "refresh_writer.py", "recipients.py", "store.py", "container.py",
       "files.py", "inputs.py", "atomic.py", "errors.py", "cli.py", "sheets.py", "period.py", "teamfolder.py",
       "groups.py", "validation.py", "pipeline.py")
# Ids built from a prefix and a code, and every id each prefix stands for.
BUILT = {
    "mail.month.": ("rep", "source", "team", "new_leads", "won", "won_amount", "lost", "moves"),
    "mail.report.": ("month", "week", "span"),
    "mail.attainment.": ("won_target", "new_target", "won_target_prorated", "new_target_prorated"),
    "mail.rebuild_advice.": ("owner", "source"),
    "mail.split_missing.": ("owner", "source"),
    "mail.rep.": ("greeting", "intro", "own"),
    "mail.source.": ("greeting", "intro", "own"),
    "remind.section.": ("stalled", "due", "close_past", "stale"),
    "refresh.refused.": ("xls", "xlsb", "ods"),
    "container.unsupported.": ("xlsb",),
    "container.what.": ("xlsb", "odf", "word", "powerpoint", "zip"),
    "skip.": ("lock_file", "hidden", "not_a_workbook", "backup", "report"),
    "progress.": ("read", "validate", "compute", "write", "save", "rows"),
    "cli.store.advice.": ("other_path", "check_path", "another_file"),
}


def asked_ids() -> set[str]:
    ids = set()
    for name in OWN:
        text = (REPO / "funnel_xl" / name).read_text(encoding="utf-8")
        ids |= set(re.findall(r"""\b(?:t|Say|catalogue\([^)]*\))\(\s*["']([a-z_]+\.[a-z_.]+)["']""", text))
    return ids


def test_every_message_of_mail_remind_and_refresh_has_an_english_text():
    asked = asked_ids()
    assert len(asked) > 150, "the scan found too little: the pattern is wrong"
    wanted = {key for key in asked if not key.endswith(".")}
    wanted |= {prefix + code for prefix, codes in BUILT.items() for code in codes}
    for key in sorted(wanted):
        assert key in MESSAGES, key
        zh, en = MESSAGES[key]
        assert zh.strip() and en.strip(), key
        assert not CJK.search(en), key


def test_a_said_error_is_chinese_by_default_and_english_when_asked():
    say = Say("refresh.locked", name="a.xlsx", lock="~$a.xlsx")
    assert str(say) == catalogue(ZH)("refresh.locked", name="a.xlsx", lock="~$a.xlsx")
    assert say.text(EN).startswith("a.xlsx is open in Excel, WPS or LibreOffice")


def test_every_message_asked_for_by_name_gets_the_values_its_texts_fill():
    """A Say(...) or t(...) with a literal id names every placeholder of its text (and never
    ``key``, the catalogue's own argument), so no message fails when it is finally shown."""
    import ast

    wrong = []
    for path in (REPO / "funnel_xl").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("Say", "t")):
                continue
            if not node.args or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
                continue
            key, given = node.args[0].value, {k.arg for k in node.keywords}
            if None in given:  # **values: cannot be told here
                continue
            if key not in MESSAGES or placeholders(MESSAGES[key][0]) - given or "key" in given:
                wrong.append(f"{path.name}: {key} {sorted(given)}")
    assert wrong == []
