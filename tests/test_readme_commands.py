"""Every funnel-xl command the READMEs and docs/ show runs, on a fresh copy of the example.

A command is a line of a fenced code block (bash, powershell or untagged) that starts with
`funnel-xl`, or the `funnel-xl` part of a line chained with `&&` or `;` (the install commands).
`text` blocks hold terminal output and synopses such as `funnel-xl mail --month 2024-05 [--out …]`:
they are not run, and a test checks that every `funnel-xl` line in them is a synopsis.

Each page is read in both languages; the two must show the same commands, so each pair runs once,
in the page's order, in its own copy of the repository's examples, rules and template. What the
commands need that the docs take for granted is set up here, in the open:
- `inbox/` holds the reps' workbooks (here the example, as `inbox/张伟.xlsx`), and a rep's own copy
  is `张伟.xlsx` in the folder the commands run in;
- `mail --smtp HOST:PORT` goes to a local SMTP server started here instead of HOST:PORT, and the
  copy's `rules/recipients.toml` says `security = "none"`, `login = false` (the docs' file asks for
  STARTTLS and a login, which tests/test_mail.py covers);
- the public CRM export (docs/own-sheet.md) is not in the repository: it is copied from
  ../shared/datasets/crm-pipelines/ when that folder is beside the repository. Without it the
  commands that read it are skipped, each named in the skip message.
"""

from __future__ import annotations

import re
import shlex
import shutil
import socket

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from funnel_xl.cli import cli
from tests.conftest import REPO

PAIRS = [(REPO / "README.md", REPO / "README.en.md")] + [
    (page, page.with_name(page.name.removesuffix(".md") + ".en.md"))
    for page in sorted((REPO / "docs").glob("*.md"))
    if not page.name.endswith(".en.md")
]
RUN = {"", "bash", "powershell", "console"}
CRM_CSV = "CRM-and-Sales-Pipelines.csv"
CRM_DATASET = REPO.parent / "shared" / "datasets" / "crm-pipelines" / CRM_CSV
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```[ \t]*$", re.MULTILINE | re.DOTALL)


def fenced_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(language, lines) of every fenced code block, indentation removed."""
    return [
        (lang, [line.strip() for line in body.splitlines()])
        for _indent, lang, body in FENCE.findall(text)
    ]


def funnel_commands(text: str) -> list[str]:
    commands = []
    for lang, lines in fenced_blocks(text):
        if lang not in RUN:
            continue
        for line in lines:
            for part in re.split(r"&&|;", line):
                if part.strip().startswith("funnel-xl "):
                    commands.append(part.strip())
    return commands


def ids(pair):
    return pair[0].relative_to(REPO).as_posix()


def test_commands_are_found_where_the_docs_show_them():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = funnel_commands(readme)
    first = "funnel-xl rebuild examples/sample_tracking.xlsx --as-of 2024-05-31"
    assert commands[:2] == [first, first]  # macOS/Linux, then Windows
    assert "funnel-xl rebuild inbox/ --month 2024-05 --split-by owner" in commands


@pytest.mark.parametrize("pair", PAIRS, ids=ids)
def test_both_languages_show_the_same_commands(pair):
    zh, en = (page.read_text(encoding="utf-8") for page in pair)
    assert funnel_commands(zh) == funnel_commands(en)


@pytest.mark.parametrize("page", [p for pair in PAIRS for p in pair], ids=lambda p: p.name)
def test_funnel_xl_lines_that_are_not_run_are_synopses(page):
    for lang, lines in fenced_blocks(page.read_text(encoding="utf-8")):
        if lang in RUN:
            continue
        for line in lines:
            if line.startswith("funnel-xl "):
                assert "[" in line, f"{page.name}: {line!r} is in a {lang} block, so it is never run"


class _Accept:
    async def handle_DATA(self, server, session, envelope):
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(_Accept(), hostname="127.0.0.1", port=port)
    controller.start()
    yield f"127.0.0.1:{port}"
    controller.stop()


@pytest.fixture
def team_folder(tmp_path, monkeypatch):
    """A fresh copy of the example, set up as the docs' team folder."""
    for folder in ("examples", "rules", "templates"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "inbox").mkdir()
    shutil.copyfile(REPO / "examples" / "sample_tracking.xlsx", tmp_path / "inbox" / "张伟.xlsx")
    shutil.copyfile(REPO / "examples" / "sample_tracking.xlsx", tmp_path / "张伟.xlsx")
    recipients = tmp_path / "rules" / "recipients.toml"
    text = recipients.read_text(encoding="utf-8")
    text = text.replace('security = "starttls"', 'security = "none"').replace("login = true", "login = false")
    recipients.write_text(text, encoding="utf-8")
    if CRM_DATASET.is_file():
        shutil.copyfile(CRM_DATASET, tmp_path / CRM_CSV)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("pair", PAIRS, ids=ids)
def test_every_command_shown_runs_on_a_fresh_copy_of_the_example(pair, team_folder, smtp_server):
    commands = list(dict.fromkeys(funnel_commands(pair[0].read_text(encoding="utf-8"))))
    skipped = []
    for command in commands:
        if CRM_CSV in command and not (team_folder / CRM_CSV).is_file():
            skipped.append(command)
            continue
        command = re.sub(r"--smtp \S+", f"--smtp {smtp_server}", command)
        result = CliRunner().invoke(cli, shlex.split(command)[1:])
        assert result.exit_code in (0, 1), f"{command}\n{result.output}"
        assert result.exception is None or isinstance(result.exception, SystemExit), command
    if skipped:
        pytest.skip(f"the public CRM export is not at {CRM_DATASET}; not run: {skipped}")


def test_the_first_command_ends_with_1_and_lists_the_planted_problems(team_folder):
    """What the READMEs say under it: exit code 1, this output, 5 rows and 3 log entries listed."""
    result = CliRunner().invoke(cli, ["rebuild", "examples/sample_tracking.xlsx", "--as-of", "2024-05-31"])
    assert result.exit_code == 1
    for name in ("README.md", "README.en.md"):  # the terminal output both READMEs show under it
        shown = fenced_blocks((REPO / name).read_text(encoding="utf-8"))[2]
        assert shown == ("text", result.stdout.rstrip("\n").splitlines()), name
    report = team_folder / "output" / "funnel_report_2024-05.xlsx"
    assert f"报告: {report.relative_to(team_folder).as_posix()}" in result.output
    book = openpyxl.load_workbook(report, read_only=True)
    header, *rows = book["数据问题"].iter_rows(values_only=True)
    book.close()
    assert header[:3] == ("严重程度", "文件", "工作表")
    errors = [row[2] for row in rows if row[0] == "错误"]
    assert errors.count("线索跟踪") == 5 and errors.count("跟进记录") == 3 and len(errors) == 8
