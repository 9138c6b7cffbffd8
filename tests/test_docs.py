"""The README is documentation that runs: its commands are the ones CI and users run."""

import re
import tomllib

import pytest
from click.testing import CliRunner

from funnel_xl.cli import cli
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
READMES = {name: (REPO / name).read_text(encoding="utf-8") for name in ("README.md", "README.en.md")}
# The reference of every command lives in docs/commands.md (and its English twin), linked from
# the README (and from README.en.md).
COMMAND_PAGES = {"README.md": "docs/commands.md", "README.en.md": "docs/commands.en.md"}
MAIN = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install . "
    "&& funnel-xl rebuild examples/sample_tracking.xlsx --as-of 2024-05-31"
)
TESTS = "python3 -m venv .venv && . .venv/bin/activate && pip install '.[test]' && pytest"


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.+?)\n```", text, re.DOTALL)


def readme_commands() -> list[str]:
    return blocks(README, "bash")


def ci_last_line() -> str:
    return (REPO / ".ci" / "run").read_text(encoding="utf-8").rstrip("\n").splitlines()[-1]


@pytest.mark.parametrize("name", READMES)
def test_readme_opens_with_the_two_commands(name):
    text = READMES[name]
    first_blocks = re.findall(r"```(\w*)\n(.+?)\n```", text, re.DOTALL)[:4]
    assert first_blocks == [
        ("bash", MAIN), ("powershell", powershell(MAIN)), ("text", first_blocks[2][1]), ("bash", TESTS),
    ]
    assert blocks(text, "powershell")[1] == powershell(TESTS)
    # Right under the first command: the exit code 1 is on purpose, the report is written anyway.
    under = text[text.index(MAIN):text.index(TESTS)]
    assert "1" in under and "数据问题" in under and "output/funnel_report_2024-05.xlsx" in under
    assert "3.11" in text[:text.index(MAIN)]


def test_ci_runs_exactly_the_readme_test_command():
    assert readme_commands()[1] == TESTS == ci_last_line()


def powershell(posix: str) -> str:
    """The Windows PowerShell form the READMEs give beside a POSIX command (see the test below)."""
    steps = posix.split(" && ")
    assert steps[:2] == ["python3 -m venv .venv", ". .venv/bin/activate"]
    return "; ".join(["py -3.11 -m venv .venv", r".venv\Scripts\Activate.ps1", *steps[2:]])


def _ps_words(step: str) -> list[str]:
    # PowerShell: single quotes make a literal string, as they do in a POSIX shell.
    return [w[1:-1] if len(w) > 1 and w[0] == w[-1] == "'" else w for w in step.split()]


def _sh_words(step: str) -> list[str]:
    return _ps_words(step)  # no other quoting or escapes in these commands


@pytest.mark.parametrize("name", READMES)
def test_windows_commands_mirror_the_posix_ones_ci_runs(name):
    """Same venv, same package extras, same entry points and arguments; only the shell differs."""
    posix = blocks(READMES[name], "bash")[:2]
    windows = blocks(READMES[name], "powershell")[:2]
    assert posix[1] == ci_last_line()
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"
    for sh, ps in zip(posix, windows, strict=True):
        sh_steps = [_sh_words(s) for s in sh.split("&&")]
        ps_steps = [_ps_words(s) for s in ps.split(";")]
        assert len(sh_steps) == len(ps_steps)
        (venv_sh, activate_sh, *rest_sh), (venv_ps, activate_ps, *rest_ps) = sh_steps, ps_steps
        assert venv_sh == ["python3", "-m", "venv", ".venv"]
        assert venv_ps == ["py", "-3.11", "-m", "venv", ".venv"]  # the launcher, the version required
        assert activate_sh == [".", ".venv/bin/activate"]
        assert activate_ps == [r".venv\Scripts\Activate.ps1"]  # the same .venv
        assert rest_ps == rest_sh
        install, *run = rest_sh
        assert install[:2] == ["pip", "install"] and install[2] in (".", ".[test]")
        extra = install[2].removeprefix(".").strip("[]")
        assert not extra or extra in project["optional-dependencies"]
        entry = run[-1][0]
        assert entry == "pytest" or entry in project["scripts"]


@pytest.mark.parametrize("name", READMES)
def test_every_command_is_documented_with_help(name):
    page = COMMAND_PAGES[name]
    assert f"]({page})" in READMES[name]
    reference = (REPO / page).read_text(encoding="utf-8")
    runner = CliRunner()
    for command_name, command in cli.commands.items():
        assert f"funnel-xl {command_name}" in reference, command_name
        assert command.help and "Example:" in command.help, command_name
        assert runner.invoke(cli, [command_name, "--help"]).exit_code == 0
        for sub in getattr(command, "commands", {}):
            assert f"funnel-xl {command_name} {sub}" in reference, sub


@pytest.mark.parametrize("name", READMES)
def test_readme_is_short_and_links_every_docs_page_in_its_language(name):
    text = READMES[name]
    assert len(text.splitlines()) <= 250
    suffix = ".md" if name == "README.md" else ".en.md"
    pages = {p.name for p in (REPO / "docs").glob("*.md") if p.name.endswith(".en.md") == (suffix == ".en.md")}
    assert pages and all(f"](docs/{page})" in text for page in pages)


def test_every_docs_page_has_its_twin_in_the_other_language():
    names = {p.name for p in (REPO / "docs").glob("*.md")}
    chinese = {n for n in names if not n.endswith(".en.md")}
    assert {n.removesuffix(".md") + ".en.md" for n in chinese} == names - chinese


def _commands(group, path=("funnel-xl",)):
    for name, command in group.commands.items():
        yield (*path, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


@pytest.mark.parametrize("page", sorted(COMMAND_PAGES.values()))
def test_the_command_table_lists_every_option_of_every_command(page):
    lines = (REPO / page).read_text(encoding="utf-8").splitlines()
    synopses = [line.split("`")[1] for line in lines if line.startswith("| `funnel-xl ")]
    for path, command in _commands(cli):
        if hasattr(command, "commands"):
            continue  # the group `rules`: its subcommands have rows
        name = " ".join(path)
        (synopsis,) = [s for s in synopses if s.startswith(f"{name} ")]
        for option in command.params:
            if option.param_type_name != "option" or "--help" in option.opts:
                continue
            shown = (re.search(rf"(^|[\s\[|]){re.escape(o)}\b", synopsis) for o in option.opts)
            assert any(shown), (name, option.opts)
