"""The README is documentation that runs: its commands are the ones CI and users run."""

import re

from click.testing import CliRunner

from funnel_xl.cli import cli
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", README)


def test_readme_opens_with_the_two_commands():
    main, tests = readme_commands()[:2]
    assert "pip install ." in main and "funnel-xl rebuild examples/sample_tracking.xlsx" in main
    assert "pip install '.[test]'" in tests and tests.endswith("pytest")


def test_ci_runs_exactly_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = readme_commands()[1]
    assert test_command in ci.splitlines()


def test_every_command_is_in_the_readme_with_help():
    runner = CliRunner()
    for name, command in cli.commands.items():
        assert f"funnel-xl {name}" in README, name
        assert command.help and "Example:" in command.help, name
        assert runner.invoke(cli, [name, "--help"]).exit_code == 0
