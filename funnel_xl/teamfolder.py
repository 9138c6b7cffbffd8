"""A team folder: the reps' workbooks, the team's rules and recipients, and the outputs, in one place.

``funnel-xl init FOLDER`` lays one out (the file names in English when the team's language is)::

    FOLDER/
      inbox/                 the reps' tracking workbooks (one per rep, or one for the team)
      rules/funnel.toml      the team's rules (a copy of the built-in ones, to tune)
      rules/recipients.toml  who gets the month's mail and the reminders
      output/                reports, per-rep workbooks and the history store
      跟踪表模板.xlsx          the workbook each rep fills in, made from the rules
      使用说明.txt             the month's commands, to read in Notepad

Every command then finds the team's rules without ``--rules``: in the folder it runs in, or in the
team folder of the workbooks (or output folder) it is given (:func:`find_team_rules`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .atomic import write_bytes_atomic
from .errors import Joined, OutputError, Say
from .rules import load_rules

RULES_DIR = "rules"
RULES_FILE = "funnel.toml"
RECIPIENTS_FILE = "recipients.toml"
INBOX = "inbox"
OUTPUT = "output"
TEMPLATE = {"zh": "跟踪表模板.xlsx", "en": "tracking_template.xlsx"}
GUIDE = {"zh": "使用说明.txt", "en": "README.txt"}


@dataclass(frozen=True)
class TeamFolder:
    """The paths of a team folder."""

    root: Path
    lang: str = "zh"

    @property
    def inbox(self) -> Path:
        return self.root / INBOX

    @property
    def output(self) -> Path:
        return self.root / OUTPUT

    @property
    def rules(self) -> Path:
        return self.root / RULES_DIR / RULES_FILE

    @property
    def recipients(self) -> Path:
        return self.root / RULES_DIR / RECIPIENTS_FILE

    @property
    def template(self) -> Path:
        return self.root / TEMPLATE[self.lang]

    @property
    def guide(self) -> Path:
        return self.root / GUIDE[self.lang]

    def files(self) -> list[Path]:
        return [self.rules, self.recipients, self.template, self.guide]


def team_folders(paths: Iterable[str | Path]) -> list[Path]:
    """The folders that may be a team's, nearest first: for each path (a workbook, a folder of
    workbooks, an output folder) its folder and that folder's parent (``inbox/`` and ``output/``
    sit inside the team folder), then the current folder."""
    folders = []
    for path in paths:
        folder = Path(path) if Path(path).is_dir() else Path(path).parent
        folders += [folder, folder.parent]
    return list(dict.fromkeys([*folders, Path(".")]))


def find_team_rules(paths: Iterable[str | Path]) -> Path | None:
    """The rules file of the team folder the command runs in or is given, else ``None`` (the
    built-in rules)."""
    for folder in team_folders(paths):
        candidate = folder / RULES_DIR / RULES_FILE
        if candidate.is_file():
            return candidate.resolve()  # the run record names it unambiguously
    return None


def create_team_folder(root: str | Path, lang: str = "zh") -> TeamFolder:
    """Lay out a team folder at ``root`` (which may exist, but must not hold any of the files this
    writes: nothing of a team's is ever overwritten)."""
    team = TeamFolder(Path(root), lang)
    taken = [p for p in team.files() if p.exists()]
    if taken:
        raise OutputError(
            Say("team.taken", root=team.root, files=Joined(p.relative_to(team.root).as_posix() for p in taken))
        )
    if team.root.exists() and not team.root.is_dir():
        raise OutputError(Say("team.is_file", root=team.root))
    data = resources.files("funnel_xl") / "data"
    rules_text = (data / RULES_FILE).read_text(encoding="utf-8")
    if lang != "zh":
        rules_text = rules_text.replace('\nlang = "zh"\n', f'\nlang = "{lang}"\n', 1)
    write_bytes_atomic(team.rules, rules_text.encode("utf-8"))
    write_bytes_atomic(team.recipients, (data / f"recipients.{lang}.toml").read_bytes())
    for folder in (team.inbox, team.output):
        folder.mkdir(parents=True, exist_ok=True)
    from .template import write_tracking_workbook  # xlsxwriter only when writing

    write_tracking_workbook(team.template, load_rules(team.rules))
    guide = (data / f"guide.{lang}.txt").read_text(encoding="utf-8")
    # Notepad on older Windows reads a file without a byte-order mark as the local code page.
    write_bytes_atomic(team.guide, ("\ufeff" + guide.replace("\n", "\r\n")).encode("utf-8"))
    return team
