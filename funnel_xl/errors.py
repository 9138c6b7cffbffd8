"""One exception hierarchy, by what the user must fix.

Data problems in a sheet are *not* exceptions: they are :class:`funnel_xl.problems.Problem`
records. These exceptions mean a command cannot run at all (exit code 2).
"""


from enum import StrEnum

from .messages import ZH, catalogue


class Say:
    """A message by its catalogue id and values, told in whichever language is asked for:
    ``Say("refresh.locked", name="张伟.xlsx", lock="~$张伟.xlsx").text("en")``. A value may itself
    be a ``Say`` (e.g. the reason an OS call failed); ``str()`` is the Chinese text."""

    def __init__(self, key: str, /, **values: object):
        self.key = key
        self.values = values

    def text(self, lang: str = ZH) -> str:
        values = {k: v.text(lang) if isinstance(v, Say) else v for k, v in self.values.items()}
        return catalogue(lang)(self.key, **values)

    def __str__(self) -> str:
        return self.text(ZH)

    def __repr__(self) -> str:
        return f"Say({self.key!r}, **{self.values!r})"


class Joined(Say):
    """Items joined the way the language lists them (、 or , )."""

    def __init__(self, items):
        super().__init__("list_sep")
        self.items = [str(i) for i in items]

    def text(self, lang: str = ZH) -> str:
        return catalogue(lang).join(self.items)


def say_text(message: Say | str, lang: str = ZH) -> str:
    """A message that may be a :class:`Say` or a plain text, in ``lang``."""
    return message.text(lang) if isinstance(message, Say) else str(message)


class Remedy(StrEnum):
    """A way out of an error that a front end can offer by its own means (the CLI: a flag)."""

    SKIP_HISTORY = "skip_history"  # the month can be reported without the history store
    ONE_PERIOD = "one_period"  # name the as-of date or the month, not both
    REBUILD_MONTH = "rebuild_month"  # rebuild the month first (context: out_dir, period, split)
    RECIPIENTS_FILE = "recipients_file"  # name another recipients file


class FunnelXLError(Exception):
    """Base class of every error funnel_xl raises on purpose.

    ``remedy`` (a :class:`Remedy`, or None) says what the caller can offer beyond the message;
    ``advice`` is the message's closing advice sentence (without its 。), when it has one;
    ``context`` holds what the remedy needs (e.g. the month to rebuild). A message or advice
    given as a :class:`Say` can be told in either language (:meth:`text`); ``str()`` is Chinese.
    With an advice, ``problem`` is the message without it.
    """

    def __init__(
        self, *args: object, remedy: Remedy | None = None, advice: Say | str | None = None,
        context: dict[str, str] | None = None, problem: Say | str | None = None,
    ):
        self.say = args[0] if len(args) == 1 and isinstance(args[0], Say) else None
        super().__init__(*(str(a) if isinstance(a, Say) else a for a in args))
        self.remedy = remedy
        self._advice = advice
        self.advice = None if advice is None else str(advice)
        self.problem = problem
        self.context = dict(context or {})

    def text(self, lang: str = ZH) -> str:
        """The message in ``lang`` (a message given as plain text stays as it was given)."""
        return self.say.text(lang) if self.say is not None else str(self)

    def advice_text(self, lang: str = ZH) -> str | None:
        return None if self._advice is None else say_text(self._advice, lang)

    def problem_text(self, lang: str = ZH) -> str | None:
        return None if self.problem is None else say_text(self.problem, lang)


class RulesError(FunnelXLError):
    """The rules file is missing, not TOML, or has a wrong, missing or unknown key.

    ``messages`` lists every mistake found (one line each); the error's text is all of them.
    """

    def __init__(self, *messages: Say | str, **remedy):
        if len(messages) == 1 and isinstance(messages[0], Say):
            super().__init__(messages[0], **remedy)
        else:
            super().__init__("\n".join(str(m) for m in messages), **remedy)
        self.messages: list[str] = [str(m) for m in messages]


class InputError(FunnelXLError):
    """An input workbook cannot be used at all (not found, not a workbook, no leads sheet)."""


class OutputError(FunnelXLError):
    """An output file cannot be written (folder missing, file open elsewhere, no permission)."""


def os_error_reason(exc: OSError) -> Say:
    """Why a file operation failed, in plain words (the system's own text is English and terse);
    ``str()`` of it is the Chinese text."""
    import errno

    reasons = {
        errno.ENOENT: "os.not_found",
        errno.EACCES: "os.no_permission",
        errno.EPERM: "os.no_permission",
        errno.EISDIR: "os.is_folder",
        errno.ENOTDIR: "os.not_folder",
        errno.ENOSPC: "os.disk_full",
        errno.EFBIG: "os.too_big",
        errno.EROFS: "os.read_only",
        errno.EBUSY: "os.busy",
        errno.ETXTBSY: "os.busy",
        errno.EIO: "os.io",
        errno.ENAMETOOLONG: "os.name_too_long",
        errno.ELOOP: "os.loop",
        errno.EMFILE: "os.too_many_open",
        errno.EDQUOT: "os.quota",
    }
    if exc.errno in reasons:
        return Say(reasons[exc.errno])
    code = errno.errorcode.get(exc.errno, "") if exc.errno else ""
    return Say("os.system_code", code=code) if code else Say("os.system")
