"""The command line: a thin click layer over the library. The only module that imports click.

Exit codes: 0 fine, 1 data problems of severity error found, 2 cannot run at all.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import os
import re
import sys
import threading
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .errors import FunnelXLError, Remedy
from .helptext import CLICK_ZH, COMMAND_EN, COMMANDS_ZH, OPTIONS_EN
from .inputs import SkipReason
from .messages import LANGUAGES, ZH, catalogue
from .period import PeriodKind, period_of, resolve_as_of, resolve_period
from .problems import Severity, count_by_severity
from .progress import STEPS, Progress
from .rules import Rules, declared_lang, encoding_mistake, load_rules
from .sheets import ReadAhead
from .teamfolder import find_team_rules
from .text import one_line, percent_text, rate_text
from .version import __version__

if TYPE_CHECKING:
    from .metrics import FunnelMetrics

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2


# The key, in the click context's meta, of the language of the command's output: the rules' lang
# or --lang, once the rules are loaded (see _speak).
_LANG = "funnel_xl.lang"
# The history store's advice the CLI words with its own flag (cli.<key>).
_HISTORY_PATH_ADVICE = ("store.advice.other_path", "store.advice.check_path", "store.advice.another_file")


def _lang() -> str:
    """The language of this command's output: the rules' (or --lang) once they are loaded, else
    what the help would speak (--lang, FUNNEL_XL_LANG, the team folder's rules, Chinese)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return ZH
    return ctx.meta.get(_LANG) or _help_language(ctx)


def _t():
    """The message catalogue of this command's output."""
    return catalogue(_lang())


class _Fail(click.ClickException):
    exit_code = EXIT_UNUSABLE

    def __init__(self, message: str):
        super().__init__(message)
        # Raised while the command runs; shown after its context has closed.
        self.lang = _lang()

    def show(self, file=None) -> None:
        _echo(catalogue(self.lang)("cli.error", message=self.format_message()), err=True)


def _echo(text: str, err: bool = False) -> None:
    """Print text that may hold a sheet's or a server's words: each line without control
    characters, so no ESC or OSC sequence reaches the terminal."""
    click.echo("\n".join(one_line(line) for line in str(text).split("\n")), err=err)


def _run(fn, *args, **kwargs):
    """Call the library; its errors become one clear line and exit code 2."""
    try:
        return fn(*args, **kwargs)
    except FunnelXLError as exc:
        raise _Fail(_with_flags(exc, _lang())) from None
    except MemoryError:
        raise _Fail(_t()("cli.memory")) from None


def _with_flags(exc: FunnelXLError, lang: str = ZH) -> str:
    """A library error's message in ``lang``, with the flags that help, named as this command line
    names them."""
    t = catalogue(lang)
    text = exc.text(lang)
    problem = exc.problem_text(lang)
    if exc.remedy == Remedy.ONE_PERIOD:
        return t("cli.one_period")
    if exc.remedy == Remedy.RECIPIENTS_FILE:
        return t("cli.or_to_rules", text=text.removesuffix(t("cli.full_stop")))
    if exc.remedy == Remedy.REBUILD_MONTH and problem is not None:
        return t("cli.rebuild_first", problem=problem, command=_rebuild_command(t, **exc.context))
    if exc.remedy == Remedy.SKIP_HISTORY:
        if exc.advice is None or problem is None:
            return t("cli.skip_history.after", text=text)
        key = getattr(exc._advice, "key", None)
        advice = t(f"cli.{key}") if key in _HISTORY_PATH_ADVICE else exc.advice_text(lang)
        return t("cli.skip_history", problem=problem, advice=advice)
    return text


def _rebuild_command(t, out_dir: str, period: str, split: str) -> str:
    """The rebuild that writes a month's outputs, split as mail needs them."""
    when = f"--month {period}" if re.fullmatch(r"\d{4}-\d{2}", period) else f"--as-of {period}"
    return f"funnel-xl rebuild {t('cli.tracking_file')} {when} --out {out_dir} --split-by {split}"


def _rules(path: str | None, encoding: str | None = None, lang: str | None = None, near=()) -> Rules:
    """The rules: the file given, else the rules of the team folder the command runs in or whose
    workbooks (or output folder) it is given, else the built-in ones; --encoding and --lang
    override their keys."""
    rules = _run(load_rules, path or find_team_rules(near), lang)
    if encoding:
        rules = dataclasses.replace(rules, input=dataclasses.replace(rules.input, encoding=encoding))
    if lang:
        rules = dataclasses.replace(rules, lang=lang)
    return rules


def _speak(rules: Rules):
    """From here on the command prints in the rules' language (validate and rebuild: the commands
    whose texts are all in the catalogue). Returns the catalogue."""
    click.get_current_context().meta[_LANG] = rules.lang
    return catalogue(rules.lang)


def _encoding(ctx, param, value: str | None) -> str | None:
    if value is None or value == "auto":
        return value
    wrong = encoding_mistake(value)
    if wrong:
        raise click.BadParameter(f"{wrong}，或 auto。")
    return value


def _date(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(catalogue(_help_language(ctx))("cli.bad_date", value=value)) from None


rules_option = click.option(
    "--rules", "rules_path", type=click.Path(dir_okay=False), default=None,
    help="规则文件 (TOML)。默认用团队文件夹（当前文件夹，或工作簿所在文件夹及其上一级）里的 rules/funnel.toml，没有时用内置规则。",
)
as_of_option = click.option("--as-of", callback=_date, help="统计截止日 YYYY-MM-DD（默认今天）。")
month_option = click.option("--month", help="统计月份 YYYY-MM，截止日取该月最后一天。")
_PERIOD_OPTIONS = (
    as_of_option,
    month_option,
    click.option("--week", help="统计周 YYYY-Www（ISO 周，周一至周日），例如 2024-W22；截止日取该周周日。"),
    click.option("--from", "start", callback=_date, help="统计期间的第一天 YYYY-MM-DD，与 --to 一起给出。"),
    click.option("--to", "end", callback=_date, help="统计期间的最后一天（截止日）YYYY-MM-DD，与 --from 一起给出。"),
)


@dataclasses.dataclass(frozen=True)
class _When:
    """The period a command line names (see :func:`period_options`)."""

    as_of: date | None = None
    month: str | None = None
    week: str | None = None
    start: date | None = None

    @property
    def given(self) -> bool:
        return any(v is not None for v in (self.as_of, self.month, self.week, self.start))

    def library(self) -> dict:
        """The keyword arguments of :func:`funnel_xl.pipeline.analyse` that name the period."""
        return {"as_of": self.as_of, "month": self.month, "week": self.week, "start": self.start}

    def resolve(self):
        """The :class:`~funnel_xl.period.Period`; a bad one stops before any file is opened."""
        return _run(resolve_period, self.as_of, self.month, **{"week": self.week, "start": self.start})


def period_options(command):
    """--as-of, --month, --week and --from/--to, the same for every command that takes a period;
    the command gets them as one ``when`` (:class:`_When`)."""

    @functools.wraps(command)
    def with_period(*args, as_of, month, week, start, end, **kwargs):
        if end is not None and as_of is not None:
            raise _Fail(_t()("cli.to_and_as_of"))
        if (start is None) != (end is None):
            raise _Fail(_t()("cli.from_without_to"))
        return command(*args, when=_When(end or as_of, month, week, start), **kwargs)

    for option in reversed(_PERIOD_OPTIONS):
        with_period = option(with_period)
    return with_period
lang_option = click.option(
    "--lang", type=click.Choice(LANGUAGES), default=None,
    help="报告、数据问题和摘要的语言：zh（中文，默认）或 en（English），代替规则中的 lang。",
)
draft_lang_option = click.option(
    "--lang", type=click.Choice(LANGUAGES), default=None,
    help="草稿规则的语言（lang）和本命令消息的语言：zh 或 en（默认按表格猜：表头或阶段有中文即 zh）。",
)
speak_option = click.option(
    "--lang", type=click.Choice(LANGUAGES), default=None,
    help="邮件、写入的批注和终端消息的语言：zh（中文，默认）或 en（English），代替规则中的 lang。",
)
encoding_option = click.option(
    "--encoding", callback=_encoding,
    help="CSV 文件的编码（如 utf-8、gb18030），代替规则 [input] encoding；默认自动识别。",
)


smtp_option = click.option(
    "--smtp", "smtp_server", metavar="HOST:PORT", help="通过这个邮件服务器发送，例如 smtp.example.com:587。"
)
quiet_option = click.option("-q", "--quiet", is_flag=True, help="不显示进度（进度只在终端上、运行超过 1 秒时显示）。")

# Progress appears only once a run has taken this long, so quick runs print nothing extra.
PROGRESS_DELAY = 1.0


class ProgressLine:
    """Shows the library's progress as one line on stderr, rewritten in place.

    Only on a terminal, and only once the run has taken :data:`PROGRESS_DELAY` seconds: a timer
    shows the step under way then, later steps replace it, and :meth:`close` wipes the line so
    that what the command prints afterwards starts on a clean line.
    """

    def __init__(self, stream, delay: float = PROGRESS_DELAY, lang: str = ZH):
        self.stream = stream
        self.t = catalogue(lang)
        self.current: Progress | None = None
        self.shown = False
        self.closed = False
        self.lock = threading.Lock()
        self.timer = threading.Timer(delay, self.reveal)
        self.timer.daemon = True
        self.timer.start()

    def __call__(self, event: Progress) -> None:
        with self.lock:
            self.current = event
            if self.shown and not self.closed:
                self.paint()

    def reveal(self) -> None:
        with self.lock:
            if not self.closed:
                self.shown = True
                if self.current is not None:
                    self.paint()

    def paint(self) -> None:
        event = self.current
        step = self.t(f"progress.{event.step}") if event.step in STEPS else event.step
        text = f"{step} {event.name}".strip()
        if event.total:
            text += self.t("progress.rows", done=f"{event.done:,}", total=f"{event.total:,}")
        self.stream.write(f"\r\x1b[K{text} …")
        self.stream.flush()

    def close(self) -> None:
        self.timer.cancel()
        with self.lock:
            if self.shown and self.current is not None and not self.closed:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            self.closed = True


def _stderr_is_terminal() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


class _progress:
    """``with _progress(quiet) as progress:`` — a :class:`ProgressLine` on a terminal, else None."""

    def __init__(self, quiet: bool):
        shown = not quiet and _stderr_is_terminal()
        self.line = ProgressLine(sys.stderr, PROGRESS_DELAY, _lang()) if shown else None

    def __enter__(self):
        return self.line

    def __exit__(self, *exc) -> None:
        if self.line is not None:
            self.line.close()


_LANG_ASKED = "funnel_xl.lang_asked"


def _help_language(ctx: click.Context | None) -> str:
    """The language of this run's help and usage errors: a --lang already read, else the
    environment's FUNNEL_XL_LANG, else the lang of the team folder's rules, else Chinese."""
    while ctx is not None:
        lang = ctx.params.get("lang") or ctx.meta.get(_LANG_ASKED)
        if lang in LANGUAGES:
            return lang
        ctx = ctx.parent
    if os.environ.get("FUNNEL_XL_LANG") in LANGUAGES:
        return os.environ["FUNNEL_XL_LANG"]
    team_rules = find_team_rules([])
    if team_rules is None:
        return ZH
    try:
        content = team_rules.read_bytes()
    except OSError:
        return ZH
    return _rules_language(str(team_rules), content)


@functools.lru_cache(maxsize=8)
def _rules_language(path: str, content: bytes) -> str:
    """A rules file's lang, worked out once per content of the file: click asks for the help
    option's text on every parse, and a command is parsed once per group level."""
    try:
        return load_rules(path).lang
    except FunnelXLError:
        return ZH


def _click_text(lang: str, text: str) -> str:
    return CLICK_ZH.get(text, text) if lang == ZH else text


class _Formatter(click.HelpFormatter):
    """click's help layout, with click's own words in the run's language."""

    lang = ZH

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _click_text(self.lang, "Usage: ") if prefix is None else prefix)

    def section(self, name: str):
        return super().section(_click_text(self.lang, name))

    def write_dl(self, rows, *args, **kwargs) -> None:
        if self.lang == ZH:
            rows = [
                (term, text.replace("[default: ", "[默认: ").replace("[required]", "[必填]")) for term, text in rows
            ]
        super().write_dl(rows, *args, **kwargs)


class _Context(click.Context):
    formatter_class = _Formatter

    def make_formatter(self) -> click.HelpFormatter:
        # The usage line above a usage error, too, in the run's language.
        formatter = super().make_formatter()
        formatter.lang = _help_language(self)
        return formatter


class _UsageError(click.UsageError):
    """A usage error told in the run's language."""

    PATTERNS = (
        (r"Missing argument '(.+)'\.", "缺少参数 {0}。"),
        (r"Missing option '(.+)'\.", "缺少选项 {0}。"),
        (r"No such option:? '?([^\s']+)'?\.?(?: Did you mean '?([^\s']+?)'?\?)?", "没有这个选项: {0}{1}"),
        (r"Invalid value for (.+?): (.*)", "{0} 的值不对: {1}"),
        (r"Got unexpected extra arguments? \((.*)\)", "多余的参数: {0}"),
        (r"Option '(.+)' requires an argument\.", "选项 {0} 后面要写一个值。"),
        (r"No such command '(.+)'\.", "没有这个命令: {0}。"),
    )

    def __init__(self, exc: click.UsageError, lang: str):
        super().__init__(self._translated(exc.format_message()) if lang == ZH else exc.format_message(), exc.ctx)
        self.lang = lang

    @classmethod
    def _translated(cls, message: str) -> str:
        for pattern, text in cls.PATTERNS:
            found = re.fullmatch(pattern, message, flags=re.S)
            if found:
                groups = [g or "" for g in found.groups()]
                if "{1}" in text and pattern.startswith("No such option") and groups[1]:
                    groups[1] = f"（是不是 {groups[1]}？）"
                return text.format(*groups)
        return message

    def show(self, file=None) -> None:
        if self.lang != ZH:
            return super().show(file)
        if self.ctx is not None:
            hint = _click_text(ZH, "Try '{command} {option}' for help.").format(
                command=self.ctx.command_path, option="--help"
            )
            click.echo(f"{self.ctx.get_usage()}\n{hint}\n", err=True)
        click.echo(_click_text(ZH, "Error: {message}").format(message=self.format_message()), err=True)


class _Localized:
    """A command whose help and usage errors are in one language per run (see funnel_xl.helptext)."""

    context_class = _Context

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = _help_language(ctx)
        if isinstance(formatter, _Formatter):
            formatter.lang = lang
        commands = [(ctx.command_path.partition(" ")[2], self)]
        commands += [(f"{commands[0][0]} {n}".strip(), c) for n, c in getattr(self, "commands", {}).items()]
        saved = [(c, c.help, [(p, getattr(p, "help", None)) for p in c.params]) for _, c in commands]
        try:
            for path, command in commands:
                _help_in(command, path, lang)
            super().format_help(ctx, formatter)
        finally:
            for command, text, params in saved:
                command.help = text
                for param, param_help in params:
                    param.help = param_help

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # --help is read before every other option: see whether --lang is asked for.
        for i, arg in enumerate(args):
            if arg == "--lang" and i + 1 < len(args):
                ctx.meta[_LANG_ASKED] = args[i + 1]
            elif arg.startswith("--lang="):
                ctx.meta[_LANG_ASKED] = arg.partition("=")[2]
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _UsageError(exc, _help_language(ctx)) from None

    def get_help_option(self, ctx: click.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _click_text(_help_language(ctx), "Show this message and exit.")
        return option


def _help_in(command: click.Command, path: str, lang: str) -> None:
    """Set a command's and its options' help to ``lang`` (undone by the caller)."""
    if lang == ZH:
        # \b keeps a paragraph's lines as written: click would join them, and wraps Chinese badly.
        command.help = "\n\n".join(
            f"\b\n{paragraph}" for paragraph in inspect.cleandoc(COMMANDS_ZH.get(path, command.help)).split("\n\n")
        )
    else:
        command.help = COMMAND_EN.get(path, command.help)
    for param in command.params:
        if lang == ZH:
            param.help = _click_text(ZH, param.help) if getattr(param, "help", None) else getattr(param, "help", None)
        elif isinstance(param, click.Option):
            param.help = OPTIONS_EN.get(f"{path}.{param.name}", OPTIONS_EN.get(param.name, param.help))


class _Command(_Localized, click.Command):
    pass


class _Group(_Localized, click.Group):
    command_class = _Command
    group_class = type

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            raise _UsageError(exc, _help_language(ctx)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="funnel-xl", help="显示版本并退出。")
def cli() -> None:
    """funnel-xl: the sales funnel tracking workbook's template, checks, recalculation and monthly report."""


def main() -> None:
    """Console entry point: an unexpected failure is one line and exit code 2, not a traceback."""
    try:
        cli(prog_name="funnel-xl")
    except Exception as exc:
        if os.environ.get("FUNNEL_XL_DEBUG"):
            raise
        lang = os.environ.get("FUNNEL_XL_LANG")
        t = catalogue(lang if lang in LANGUAGES else ZH)
        click.echo(t("cli.unexpected", error=f"{type(exc).__name__}: {exc}"), err=True)
        sys.exit(EXIT_UNUSABLE)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--lang", type=click.Choice(LANGUAGES), default=ZH, show_default=True,
              help="团队文件夹的语言：规则文件的 lang、说明文件和模板的文件名。")
def init(folder: str, lang: str) -> None:
    """Lay out a team folder: inbox/ for the reps' workbooks, rules/ (funnel.toml and
    recipients.toml to tune), output/, the tracking template and a short 使用说明.txt.

    Every command run in that folder (or given its inbox/ or output/) then uses its rules and
    recipients without --rules. Nothing existing is overwritten.

    Example: funnel-xl init 华东销售部
    """
    from .teamfolder import create_team_folder

    team = _run(create_team_folder, Path(folder), lang)
    t = catalogue(lang)
    _echo(t("cli.init.done", folder=team.root))
    for path in (team.inbox, team.rules, team.recipients, team.template, team.guide, team.output):
        shown = path.relative_to(team.root).as_posix() + ("/" if path.is_dir() else "")
        _echo(f"  {shown}")
    _echo(t("cli.init.next", folder=team.root, guide=team.guide.name))


@cli.command()
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="输出路径 (.xlsx)。")
@rules_option
def template(output: str, rules_path: str | None) -> None:
    """Generate the tracking workbook the reps fill in, from the rules.

    Example: funnel-xl template -o templates/tracking_template.xlsx
    """
    from .template import write_tracking_workbook

    rules = _rules(rules_path)
    _run(write_tracking_workbook, Path(output), rules)
    click.echo(_speak(rules)("cli.template.done", path=output))


@cli.command()
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="输出路径 (.xlsx)。")
@click.option("--seed", default=2024, show_default=True, help="随机种子：同一种子生成同一份数据。")
@click.option("--leads", "n_leads", default=300, show_default=True, help="线索条数。")
@rules_option
def demo(output: str, seed: int, n_leads: int, rules_path: str | None) -> None:
    """Generate a realistic example tracking workbook (seeded, reproducible).

    Example: funnel-xl demo -o examples/sample_tracking.xlsx
    """
    from .demo import write_demo_workbook

    rules = _rules(rules_path)
    _run(write_demo_workbook, Path(output), rules, seed=seed, n_leads=n_leads)
    click.echo(_speak(rules)("cli.demo.done", path=output))


def _workbooks(paths) -> list[Path]:
    """Folders expanded; what was left out of them is said on stderr (stdout may be JSON)."""
    from .inputs import collect_workbooks

    found = _run(collect_workbooks, list(paths))
    t = _t()
    others = 0
    for skipped in found.skipped:
        if skipped.reason == SkipReason.NOT_A_WORKBOOK:
            others += 1
        else:
            click.echo(t("cli.skip", path=skipped.path, reason=t(f"skip.{skipped.reason.name.lower()}")), err=True)
    if others:
        click.echo(t("cli.skip.others", count=others), err=True)
    return found.files


@cli.command()
@click.argument("workbooks", nargs=-1, required=True)
@period_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="问题的输出格式：文本 (text) 或 JSON。")
@encoding_option
@lang_option
@rules_option
@quiet_option
def validate(workbooks, when, fmt, encoding, lang, rules_path, quiet) -> None:
    """Check the reps' workbooks (files or folders of them) and list every problem by file, sheet, row and column.

    Example: funnel-xl validate examples/sample_tracking.xlsx --as-of 2024-05-31
    A folder stands for every workbook in it (not its sub-folders); Office lock files, the tool's
    reports and refresh backups are skipped.
    Exit code 0: no errors (warnings allowed); 1: rows with errors, or a workbook that cannot be
    read (the others are still checked); 2: no workbook can be used.
    """
    rules = _rules(rules_path, encoding, lang, near=workbooks)
    t = _speak(rules)
    as_of_date = when.resolve().end
    files = _workbooks(workbooks)
    # The first workbook is read while pandas and pandera load (see funnel_xl.sheets).
    with ReadAhead(files, rules) as ahead, _progress(quiet) as progress:
        from .validation import validate_files

        report = _run(validate_files, files, rules, as_of_date, progress=progress, ahead=ahead)
    counts = count_by_severity(report.problems)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for p in report.problems:
            click.echo(p.as_text(rules.lang))
        files_text = t("cli.validate.files", count=len(report.inputs)) if len(files) > 1 else ""
        click.echo(t(
            "cli.validate.total", files=files_text, rows=report.rows, errors=counts[Severity.ERROR],
            warnings=counts[Severity.WARNING],
        ))
        _skipped_note(report.inputs, t)
        if not when.given:
            _old_workbook_note(report.valid, rules, t, report.entries)
    sys.exit(EXIT_PROBLEMS if counts[Severity.ERROR] else EXIT_OK)


@cli.command()
@click.argument("workbooks", nargs=-1, required=True)
@period_options
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="报告输出目录。")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="另存一份 JSON 格式的指标。")
@click.option(
    "--split-by", "split_by", multiple=True, type=click.Choice(["owner", "source"]),
    help="另外按负责人 (owner) 或线索来源 (source) 各写一份工作簿和 JSON，"
    "放在 OUT/<月份>/reps/ 或 sources/ 下；可重复指定。",
)
@click.option(
    "--history", "history_path", type=click.Path(dir_okay=False),
    help="历史记录库 (SQLite)，默认为输出目录下的 history.sqlite。",
)
@click.option("--no-history", is_flag=True, help="不读也不写历史记录库。")
@encoding_option
@lang_option
@rules_option
@quiet_option
def rebuild(
    workbooks, when, out_dir, json_path, split_by, history_path, no_history, encoding, lang,
    rules_path, quiet,
) -> None:
    """Recalculate the funnel of one workbook or a whole team's, and write the monthly analysis workbook.

    Example: funnel-xl rebuild examples/sample_tracking.xlsx --as-of 2024-05-31
    A team: funnel-xl rebuild inbox/ --month 2024-05 (every workbook in the folder, one per rep).
    A week: funnel-xl rebuild inbox/ --week 2024-W22 (ISO week; or --from DATE --to DATE).

    Each run is remembered in the history store (default OUT/history.sqlite, --history PATH for
    another, --no-history for none): stage changes between two months' rebuilds and the 12-month
    trend come from it. Re-running a month replaces that month's snapshot.

    With --split-by owner each rep also gets a workbook of their own (their funnel beside the
    team's, their open leads, alerts and data problems) for `funnel-xl mail`.

    Example: funnel-xl rebuild examples/sample_tracking.xlsx --month 2024-05 --split-by owner

    Exit code 0: report written, no errors; 1: report written, rows with errors were excluded or a
    workbook could not be read (listed on 数据问题); 2: nothing could be done.
    """
    if no_history and history_path:
        raise _Fail("--history 与 --no-history 只能指定一个。")
    history = None if no_history else Path(history_path or Path(out_dir) / "history.sqlite")
    rules = _rules(rules_path, encoding, lang, near=workbooks)
    t = _speak(rules)
    when.resolve()  # a bad period stops before any file is opened
    files = _workbooks(workbooks)
    # The first workbook is read while pandas and pandera load (see funnel_xl.sheets).
    with ReadAhead(files, rules) as ahead, _progress(quiet) as progress:
        from .pipeline import analyse, has_errors, write_outputs

        analysis = _run(
            analyse, files, rules, **when.library(), history=history, progress=progress, ahead=ahead,
        )
        written = _run(write_outputs, analysis, out_dir, json_path, split_by, progress=progress)
    _rebuild_summary(analysis, written, len(files), split_by, t)
    if not when.given:
        _old_workbook_note(analysis.result.leads, rules, t)
    sys.exit(EXIT_PROBLEMS if has_errors(analysis.problems) else EXIT_OK)


def _old_workbook_note(leads, rules: Rules, t, entries=None) -> None:
    """Without --as-of or --month: say when the workbooks' newest date is long before today."""
    from .pointintime import old_workbook

    today = date.today()
    newest = old_workbook(leads, rules, today, entries)
    if newest is not None:
        click.echo(t("cli.old_workbook", newest=newest.isoformat(), days=(today - newest).days))


_THIS = {PeriodKind.MONTH: "cli.this.month", PeriodKind.WEEK: "cli.this.week", PeriodKind.SPAN: "cli.this.span"}


def _rebuild_summary(analysis, written, n_files: int, split_by, t) -> None:
    """What rebuild found and wrote, in the rules' language."""
    unreadable = [p for p in analysis.problems if p.code == "unreadable_file"]
    if n_files > 1:
        click.echo(t("cli.read", count=len(analysis.inputs)) + (
            t("cli.unreadable", count=len(unreadable), files=t.join(p.file for p in unreadable))
            if unreadable else ""
        ))
    _summary(analysis.team, count_by_severity(analysis.problems), analysis.as_of, t)
    period = analysis.flow.period
    kind = period_of(analysis.period, analysis.as_of).kind
    click.echo(t(
        "cli.summary.month", this=t(_THIS[kind]), start=period.start.isoformat(), end=period.end.isoformat(),
        new=period.new_leads, won=period.won, lost=period.lost,
        moves=sum(period.transitions_by_source.values()),
    ))
    if analysis.team.won_undated:
        click.echo(t("cli.summary.unknown_won", count=analysis.team.won_undated))
    for flag in analysis.flow.channel_flags:
        click.echo(t(
            "cli.summary.low_channel", source=flag.source, metric=t(f"channel_metric.{flag.metric}"),
            months=len(flag.months), limit=percent_text(flag.limit),
        ))
    _skipped_note(analysis.inputs, t)
    click.echo(t("cli.report", path=written.report))
    counts = count_by_severity(analysis.problems)
    if counts[Severity.ERROR]:
        click.echo(t(
            "cli.report.with_errors", excluded=analysis.team.totals.excluded, sheet=t("sheet.problems"),
        ))
    if written.detail:
        click.echo(t("cli.detail", path=written.detail, rows=f"{analysis.rules.report.detail_rows:,}"))
    if written.json:
        click.echo(f"JSON: {written.json}")
    if written.split:
        for kind in dict.fromkeys(split_by):
            files = [g for g in written.split.groups if g.kind == kind]
            folder = files[0].workbook.parent if files else written.split.manifest.parent
            click.echo(t("cli.split", label=t(f"group.{kind}"), count=len(files), folder=folder))
        click.echo(t("cli.manifest", path=written.split.manifest))
    if written.history:
        _history_line(analysis, written, t)


def _history_line(analysis, written, t) -> None:
    """What the history store did with the month: recorded (on time or reconstructed), or kept the
    on-time snapshot a reconstructed run would have replaced."""
    from .store import Recorded

    period = period_of(analysis.period, analysis.as_of)
    month = period.key
    if written.recorded == Recorded.KEPT_ON_TIME:
        click.echo(t("cli.history.kept", path=written.history, month=month))
        return
    previous = analysis.flow.previous_month
    first = "cli.history.first" if period.kind == PeriodKind.MONTH else "cli.history.first_period"
    compared = t("cli.history.compared", month=previous) if previous else t(first)
    if not analysis.on_time:
        compared += t("cli.history.late")
    click.echo(t("cli.history", path=written.history, month=month, compared=compared))


@cli.command()
@click.argument("workbooks", nargs=-1, required=True)
@as_of_option
@month_option
@click.option("--no-backup", is_flag=True, help="不在旁边保留刷新前的备份。")
@speak_option
@rules_option
@quiet_option
def refresh(workbooks, as_of, month, no_backup, lang, rules_path, quiet) -> None:
    """Write the recalculated columns back into the reps' own workbooks, in place.

    Example: funnel-xl refresh inbox/张伟.xlsx --as-of 2024-05-31
    Several files or a folder (each workbook on its own): funnel-xl refresh inbox/ --month 2024-05
    Writes 当前阶段停留时长(天) and 转化率/阶段通过率(可选), fills a blank 阶段进入日期 where it had to
    be estimated (with a comment), and highlights stalled leads; everything else stays as it was.
    A timestamped backup is kept beside each file unless --no-backup. Refuses .xls/.xlsb/.ods, a
    workbook open in Excel/WPS (~$ lock file) and read-only files.
    Exit code 0: refreshed (or nothing to change); 1: rows with errors were left as they were, or
    one of several workbooks was not refreshed; 2: no workbook was refreshed.
    """
    from .refresh import refresh_workbook

    rules = _rules(rules_path, lang=lang, near=workbooks)
    t = _speak(rules)
    _run(resolve_as_of, as_of, month)  # a bad date stops before any file is opened
    files = _workbooks(workbooks)
    several = len(files) > 1
    refused, with_errors, written = [], 0, 0
    for path in files:
        if several:
            click.echo(f"== {path} ==")
        try:
            with _progress(quiet) as progress:
                result = _run(
                    refresh_workbook, path, rules, as_of=as_of, month=month, backup=not no_backup,
                    progress=progress,
                )
        except _Fail as exc:
            if not several:
                raise
            exc.show()
            refused.append(path)
            continue
        written += result.written
        errors = [p for p in result.problems if p.severity == Severity.ERROR]
        with_errors += bool(errors)
        for p in errors:
            click.echo(p.as_text(rules.lang))
        _refresh_summary(result, t, _header(rules, "stage_entered", "阶段进入日期"))
        counts = count_by_severity(result.problems)
        if counts[Severity.ERROR] or counts[Severity.WARNING]:
            click.echo(t("cli.refresh.problems", errors=counts[Severity.ERROR], warnings=counts[Severity.WARNING]))
    if several:
        names = t("cli.refresh.refused_names", names=t.join(p.name for p in refused)) if refused else ""
        click.echo(t(
            "cli.refresh.total", files=len(files), written=written,
            unchanged=len(files) - written - len(refused), refused=len(refused), names=names,
        ))
    if refused and len(refused) == len(files):
        sys.exit(EXIT_UNUSABLE)
    sys.exit(EXIT_PROBLEMS if refused or with_errors else EXIT_OK)


def _header(rules: Rules, field: str, default: str) -> str:
    """The team's header of a field, or ``default`` when its rules describe no such column."""
    try:
        return rules.header(field)
    except KeyError:
        return default


def _refresh_summary(result, t, entered_header: str) -> None:
    from . import refresh as r

    where = t("cli.refresh.where", path=result.path, sheet=result.sheet, as_of=result.as_of.isoformat())
    if not result.written:
        click.echo(t("cli.refresh.unchanged", where=where))
    else:
        click.echo(t("cli.refresh.done", where=where))
        for change in result.changes:
            if change.kind == r.COLUMN_ADDED:
                click.echo(t("cli.refresh.column_added", header=change.new, cell=change.cell))
        click.echo(t(
            "cli.refresh.counts", dwell=result.count(r.DWELL), pass_rate=result.count(r.PASS_RATE),
            estimates=result.count(r.ESTIMATE),
        ))
        if result.count(r.ESTIMATE_CLEARED):
            click.echo(t("cli.refresh.cleared", count=result.count(r.ESTIMATE_CLEARED)))
        click.echo(t(
            "cli.refresh.stalled", count=len(result.stalled), highlighted=result.count(r.HIGHLIGHTED),
            unhighlighted=result.count(r.UNHIGHLIGHTED),
        ))
        click.echo(t("cli.refresh.backup", path=result.backup) if result.backup else t("cli.refresh.no_backup"))
    if result.entered_unknown:
        shown = t.join(t("cli.refresh.lead_row", lead=lead, row=row) for lead, row in result.entered_unknown[:10])
        count = len(result.entered_unknown)
        more = t("cli.refresh.more", count=count) if count > 10 else ""
        click.echo(t(
            "cli.refresh.entered_unknown", leads=shown, more=more, header=entered_header,
        ))
    if result.rep_fills_kept:
        click.echo(t("cli.refresh.fills_kept", cells=t.join(result.rep_fills_kept)))
    if result.formulas_kept:
        click.echo(t("cli.refresh.formulas_kept", cells=t.join(result.formulas_kept)))
    for note in result.notes:
        click.echo(note)


def _summary(team: FunnelMetrics, counts: dict[str, int], as_of: date, t) -> None:
    n = team.totals
    click.echo(t("cli.summary.leads", as_of=as_of.isoformat(), total=n.total, valid=n.valid, excluded=n.excluded))
    click.echo(t("cli.summary.win_rate", rate=rate_text(team.win_rate), won=n.won, closed=n.won + n.lost))
    worst = team.worst_transition
    if worst:
        click.echo(t("cli.summary.worst", label=worst.label, rate=rate_text(worst.rate)))
    elif team.worst_hidden_by_unplaced_losses:
        click.echo(t("cli.summary.worst_unplaced", count=n.lost_unknown_stage))
    else:
        click.echo(t("cli.summary.worst_unknown", min_sample=team.min_sample))
    stalled = (
        t("cli.summary.stalled_unknown", count=team.dwell_unknown)
        if team.dwell_unknown and not team.stalled  # unknown is not zero
        else t("cli.summary.stalled", count=team.stalled)
    )
    click.echo(t("cli.summary.alerts", stalled=stalled, overdue=team.overdue, stale=team.stale))
    if team.dwell_unknown and team.stalled:
        click.echo(t("cli.summary.unknown_dwell", count=team.dwell_unknown))
    click.echo(t("cli.summary.problems", errors=counts[Severity.ERROR], warnings=counts[Severity.WARNING]))


def _skipped_note(inputs, t) -> None:
    skipped = sum(i.skipped_without_stage for i in inputs)
    if skipped:
        click.echo(t("cli.skipped", count=skipped))


@cli.command()
@period_options
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="rebuild 的输出目录。")
@click.option("--to-rules", "recipients_path", type=click.Path(dir_okay=False),
              help="收件人文件 (TOML)：经理、各负责人的邮箱。默认在规则文件旁或团队文件夹的 rules/ 里找 recipients.toml。")
@click.option("--outbox", "outbox", type=click.Path(file_okay=False),
              help="把邮件写成 .eml 文件放到这个目录（默认 OUT/<月份>/outbox），不发送。")
@smtp_option
@click.option("--dry-run", is_flag=True, help="只列出谁会收到什么，不写文件、不发送。")
@speak_option
@rules_option
def mail(when, out_dir, recipients_path, outbox, smtp_server, dry_run, lang, rules_path) -> None:
    """Mail the month: the team report to the manager, each rep their own workbook.

    Reads what `funnel-xl rebuild … --split-by owner` wrote for the month. By default the
    messages are written as .eml files (nothing leaves the machine); --smtp sends them, with
    STARTTLS and login as the recipients file says. The login comes from the environment
    variables FUNNEL_XL_SMTP_USER and FUNNEL_XL_SMTP_PASSWORD, or a prompt. Amounts are in the
    rules' amount_unit (--rules, as for rebuild).
    Re-running sends only what has not gone yet (sent-log.jsonl in the month's folder).

    Example: funnel-xl mail --month 2024-05 --to-rules rules/recipients.toml --dry-run

    Example: funnel-xl mail --month 2024-05 --smtp smtp.example.com:587

    Exit code 0: all written or sent; 1: some messages failed; 2: nothing could be done.
    """
    from .groups import period_folder
    from .mail import SENT_LOG, SentLog, load_month, parse_server, plan_mail, write_outbox
    from .recipients import find_recipients, load_recipients

    if not when.given:
        raise _Fail(_t()("cli.mail.no_period"))
    if outbox and smtp_server:
        raise _Fail(_t()("cli.outbox_or_smtp"))
    period = when.resolve().label
    rules = _rules(rules_path, lang=lang, near=[out_dir])
    t = _speak(rules)
    recipients_path = recipients_path or _run(find_recipients, rules_path, [out_dir])
    recipients = _run(load_recipients, recipients_path)
    server = _run(parse_server, smtp_server) if smtp_server else None
    the_month = _run(load_month, out_dir, period)
    plan = _run(plan_mail, the_month, recipients, amount_unit=rules.amount_unit, lang=rules.lang)
    folder = period_folder(out_dir, period)
    log = _run(SentLog, folder / SENT_LOG)
    _mail_notices(plan, recipients_path, t)

    if dry_run:
        target = t("cli.mail.to_server", server=smtp_server) if server else t(
            "cli.mail.to_outbox", folder=outbox or folder / "outbox"
        )
        _echo(t("cli.mail.dry_run", target=target, count=len(plan.outgoing)))
        for o in plan.outgoing:
            before = log.sent_before(o) if server else None
            size = o.attachment.stat().st_size
            state = t("cli.mail.will_skip", sent_at=before.get("sent_at", "?")) if before else ""
            _echo(f"  {o.label} ← {o.attachment_name} ({size / 1024:.0f} KB){state}")
    elif server is None:
        outcomes = _run(write_outbox, plan.outgoing, outbox or folder / "outbox", period)
        for r in outcomes:
            _echo(t("cli.mail.written", path=r.detail, label=r.outgoing.label))
        _echo(t("cli.mail.written_total", count=len(outcomes)))
    else:
        _mail_send(plan, recipients, server, log, t)


def _mail_notices(plan, recipients_path: str, t) -> None:
    """The groups without an address and the addresses without a workbook, on stderr."""
    for kind, name in plan.unaddressed:
        table = "reps" if kind == "owner" else "sources"
        _echo(t("cli.mail.unaddressed", name=name, path=recipients_path, table=table), err=True)
    for _kind, name, close in plan.unknown:
        hint = t("cli.mail.did_you_mean", name=close) if close else ""
        _echo(t("cli.mail.unknown", path=recipients_path, name=name, hint=hint), err=True)


def _mail_send(plan, recipients, server: tuple[str, int], log, t) -> None:
    """Send the planned messages over SMTP and say how each went (exit 1 when some failed)."""
    from .mail import send_smtp

    credentials = _smtp_credentials() if recipients.smtp.login else None
    host, port = server
    outcomes = _run(
        send_smtp, plan.outgoing, host, port, settings=recipients.smtp, credentials=credentials,
        log=log, sender=recipients.sender_address, lang=t.lang,
    )
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    for r in outcomes:
        counts[r.status] += 1
        if r.status == "sent":
            _echo(t("cli.mail.sent", label=r.outgoing.label, attachment=r.outgoing.attachment_name))
        elif r.status == "skipped":
            _echo(t("cli.mail.skipped", label=r.outgoing.label, detail=r.detail))
        else:
            _echo(t("cli.mail.failed", label=r.outgoing.label, detail=r.detail), err=True)
    _echo(t("cli.mail.total", count=len(outcomes), **counts))
    if counts["failed"]:
        _echo(t("cli.mail.rerun"), err=True)
        sys.exit(EXIT_PROBLEMS)


def _smtp_credentials() -> tuple[str, str]:
    """The SMTP login from FUNNEL_XL_SMTP_USER / FUNNEL_XL_SMTP_PASSWORD, else a prompt."""
    user = os.environ.get("FUNNEL_XL_SMTP_USER")
    password = os.environ.get("FUNNEL_XL_SMTP_PASSWORD")
    if user and password:
        return user, password
    t = _t()
    if not sys.stdin.isatty():
        raise _Fail(t("cli.smtp.login_needed"))
    user = user or click.prompt(t("cli.smtp.user"))
    password = password or click.prompt(t("cli.smtp.password"), hide_input=True)
    return user, password


@cli.command()
@click.argument("workbooks", nargs=-1, required=True)
@period_options
@click.option("--to-rules", "recipients_path", type=click.Path(dir_okay=False),
              help="收件人文件 (TOML)；默认在规则文件旁、工作簿旁或 rules/ 下找 recipients.toml。")
@click.option("--outbox", "outbox", type=click.Path(file_okay=False),
              help="把提醒写成 .eml 文件放到这个目录（默认 output/reminders），不发送。")
@smtp_option
@click.option("--dry-run", is_flag=True, help="只列出谁会收到哪些提醒，不写文件、不发送、不记录。")
@click.option("--any-day", is_flag=True, help="非工作日也发送（默认按中国工作日历，节假日和周末不发送）。")
@click.option(
    "--history", "history_path", default="output/history.sqlite", show_default=True,
    type=click.Path(dir_okay=False), help="历史记录库 (SQLite)：记录每项提醒发过没有、何时发的。",
)
@speak_option
@rules_option
@quiet_option
def remind(
    workbooks, when, recipients_path, outbox, smtp_server, dry_run, any_day, history_path, lang,
    rules_path, quiet,
) -> None:
    """Remind each rep of what is due today, and send the manager a digest: for the scheduler.

    Each rep gets at most one mail: their stalled leads (with the stage's exit criterion and the
    prompt to review why it stalled), follow-ups due today or overdue, expected close dates
    passed, leads not followed up for long — the report's 预警 of that day, snoozed leads left
    out. An item is mailed when it first becomes due, then every [remind] repeat_days days while
    it stays due; a rerun on the same day mails nothing new, a failed message goes on the next
    run. Nothing is sent on a non-working day (Chinese calendar) unless --any-day.

    Example: funnel-xl remind inbox/ --smtp smtp.example.com:587

    Example: funnel-xl remind examples/sample_tracking.xlsx --as-of 2024-05-31 --dry-run

    Exit code 0: all written or sent (or nothing due); 1: some messages failed; 2: nothing could be done.
    """
    from .mail import parse_server
    from .pipeline import analyse
    from .recipients import find_recipients, load_recipients
    from .remind import deliver, item_text, plan_reminders
    from .store import HistoryStore

    if outbox and smtp_server:
        raise _Fail(_t()("cli.outbox_or_smtp"))
    rules = _rules(rules_path, lang=lang, near=workbooks)
    t = _speak(rules)
    server = _run(parse_server, smtp_server) if smtp_server else None
    recipients_file = recipients_path or _run(find_recipients, rules_path, list(workbooks))
    recipients = _run(load_recipients, recipients_file)
    files = _workbooks(workbooks)
    with ReadAhead(files, rules) as ahead, _progress(quiet) as progress:
        analysis = _run(analyse, files, rules, **when.library(), history=history_path, progress=progress, ahead=ahead)
    store = HistoryStore(history_path)
    plan = _run(plan_reminders, analysis, recipients, store, any_day=any_day)
    day = analysis.as_of.isoformat()
    if not plan.working_day and not any_day:
        click.echo(t("cli.remind.not_working_day", day=day))
        return
    for owner in plan.unaddressed:
        click.echo(t("cli.remind.unaddressed", owner=owner, path=recipients_file), err=True)
    if dry_run:
        click.echo(t("cli.remind.dry_run", day=day, count=len(plan.outgoing)))
        for owner, items in plan.to_send.items():
            click.echo(t("cli.remind.owner_items", owner=owner, count=len(items)))
            for item in items:
                click.echo(f"    - {item_text(item, rules.thresholds.dwell_in_working_days, rules.lang)}")
        return
    if not plan.outgoing:
        click.echo(t("cli.remind.nothing_new", day=day, count=len(plan.due)))
    credentials = _smtp_credentials() if server and recipients.smtp.login else None
    outcomes = _run(
        deliver, plan, store, outbox=outbox or Path("output") / "reminders", server=server,
        settings=recipients.smtp, credentials=credentials, sender=recipients.sender_address,
        lang=rules.lang,
    )
    sys.exit(EXIT_PROBLEMS if _remind_outcomes(outcomes, t) else EXIT_OK)


def _remind_outcomes(outcomes, t) -> int:
    """How each reminder went; returns how many failed."""
    failed = 0
    for r in outcomes:
        if r.status == "failed":
            failed += 1
            click.echo(t("cli.remind.failed", label=r.outgoing.label, detail=r.detail), err=True)
        elif r.status == "sent":
            click.echo(t("cli.remind.sent", label=r.outgoing.label))
        else:
            click.echo(t("cli.remind.written", label=r.outgoing.label, path=r.detail))
    return failed


@cli.group("rules")
def rules_group() -> None:
    """Start and check a rules file for a sheet shaped differently from the team's template.

    Example: funnel-xl rules init --from export.csv -o my_rules.toml

    Example: funnel-xl rules check my_rules.toml export.csv
    """


@rules_group.command("init")
@click.option("--from", "workbook", required=True, type=click.Path(dir_okay=False),
              help="要照着写规则的工作簿或 CSV 文件。")
@click.option("--sheet", "sheet", help="从这个工作表起草（默认：最像商机/线索表的那个）。")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False),
              help="规则文件写到这里（默认打印到屏幕）。")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它。")
@encoding_option
@draft_lang_option
@rules_option
def rules_init(workbook, sheet, output, force, encoding, lang, rules_path) -> None:
    """Draft a rules file from a sheet (a CRM export, a CSV) that should need no edit.

    The draft (TOML, with comments) starts from the default rules (or --rules, whose [sheets]
    leads names the sheet): it takes the sheet that looks most like deals (or --sheet), matches
    each header to a field (the exports of Salesforce, HubSpot, Pipedrive, Zoho, Odoo and Chinese
    CRMs are known), tells won and lost from the values or a status column, orders the stages
    (by a column numbering them, the CRM's known order, else the data), and finds the amount's
    unit, the dates' form, the language and a channel column. Guesses the sheet cannot settle
    are marked CHECK. Check it against the sheet with `funnel-xl rules check`.

    Example: funnel-xl rules init --from export.xlsx --sheet sales_pipeline -o my_rules.toml

    Exit code 0: drafted; 2: the file or sheet cannot be read, or the output exists (use --force).
    """
    import tomllib

    from .atomic import refuse_overwriting, write_text_atomic
    from .draft import draft_rules

    base = _rules(rules_path, encoding)
    _speak(dataclasses.replace(base, lang=lang or base.lang))
    text = _run(draft_rules, workbook, base, sheet, sheets_from_base=rules_path is not None, lang=lang)
    t = _speak(dataclasses.replace(base, lang=tomllib.loads(text).get("lang", base.lang)))
    if output is None:
        click.echo(text, nl=False)
        return
    target = Path(output)
    if target.exists() and not force:
        raise _Fail(t("rules.init.exists", path=target))
    _run(refuse_overwriting, [target], [workbook])
    _run(write_text_atomic, target, text)
    click.echo(t("rules.init.written", path=target), err=True)
    checks = sum(line.rstrip().endswith("CHECK") for line in text.splitlines())
    if checks:
        click.echo(t("rules.init.checks", count=checks), err=True)
    click.echo(t("rules.init.next", path=target, workbook=workbook), err=True)


@rules_group.command("check")
@click.argument("rules_file", type=click.Path(dir_okay=False))
@click.argument("workbooks", nargs=-1)
@as_of_option
@month_option
@encoding_option
@lang_option
def rules_check(rules_file, workbooks, as_of, month, encoding, lang) -> None:
    """Check a rules file and explain every mistake; with workbooks, say how it reads each one.

    Lists every mistake in the file at once, each naming the key and what is allowed. Given
    workbooks (or CSV files), it also shows which column each field was found in, the optional
    columns that are not there, stage values the rules do not know, the data problems by kind,
    and every figure that will come out empty or meaningless (no amount: no pipeline; no stage
    dates: no dwell; no lost-at: every loss unplaced; a stage order the deals do not follow).
    It speaks the rules' language (lang, or --lang), its mistakes included.

    Example: funnel-xl rules check examples/crm-pipelines/rules.toml

    Example: funnel-xl rules check my_rules.toml export.csv --as-of 2024-09-30

    Exit code 0: the rules are valid (and read every workbook given); 2: mistakes in the rules,
    or a workbook they cannot read (a required column missing).
    """
    from .draft import fit_rules
    from .errors import RulesError

    try:
        rules = load_rules(rules_file, lang)
    except RulesError as exc:
        t = catalogue(lang or _declared_lang(rules_file))
        messages = exc.messages or [str(exc)]
        _echo(t("rules.check.mistakes", file=rules_file, count=len(messages)), err=True)
        prefix = t("rules.err.in", what=t("rules.file"), path=Path(rules_file))
        for i, message in enumerate(messages, start=1):
            _echo(f"  {i}. {message.removeprefix(prefix)}", err=True)
        sys.exit(EXIT_UNUSABLE)
    rules = dataclasses.replace(rules, lang=lang or rules.lang)
    if encoding:
        rules = dataclasses.replace(rules, input=dataclasses.replace(rules.input, encoding=encoding))
    t = _speak(rules)
    _echo(t("rules.check.ok", file=rules_file))
    _echo(t("rules.check.stages", stages=" → ".join(rules.stage_names), lost=t.join(rules.lost_labels)))
    _echo(t("rules.check.dimensions", channel=rules.channel_field, unit=rules.amount_unit,
                 extra=t.join(rules.dimensions.extra) or t("rules.check.none")))
    if not workbooks:
        return
    as_of_date, _ = _run(resolve_as_of, as_of, month)
    unusable = 0
    for workbook in workbooks:
        _echo(f"== {workbook} ==")
        try:
            fit = _run(fit_rules, workbook, rules, as_of_date)
        except _Fail as exc:
            exc.show()
            unusable += 1
            continue
        _fit_summary(fit, t)
    if unusable:
        sys.exit(EXIT_UNUSABLE)


def _declared_lang(path: str) -> str:
    """The lang a rules file that does not load declares, if it can be read at all."""
    try:
        return declared_lang(Path(path).read_bytes())
    except OSError:
        return ZH


def _fit_summary(fit, t) -> None:
    """How the rules read one workbook (see :func:`funnel_xl.draft_fit.fit_rules`)."""
    skipped = t("fit.skipped", count=fit.skipped_without_stage) if fit.skipped_without_stage else ""
    _echo(t("fit.sheet", sheet=fit.sheet, row=fit.header_row, rows=fit.rows) + skipped)
    for field, letter, header in fit.found:
        _echo(t("fit.found", field=field, letter=letter, header=header))
    if fit.missing:
        _echo(t("fit.missing", listed=t.join(fit.missing)))
    if fit.other_headers:
        _echo(t("fit.unused", listed=t.join(fit.other_headers)))
    if fit.unknown_stages:
        listed = t.join(t("fit.unknown_stage", value=v, count=n) for v, n in fit.unknown_stages.most_common())
        _echo(t("fit.unknown_stages", listed=listed))
    if fit.problems:
        listed = t.join(f"{code} {n}" for code, n in sorted(fit.problems.items()))
        _echo(t("fit.problems", listed=listed))
    else:
        _echo(t("fit.no_problems"))
    if fit.warnings:
        _echo(t("fit.warnings"))
        for key, params in fit.warnings:
            _echo(f"  - {t(key, **params)}")
