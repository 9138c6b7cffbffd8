"""One exception hierarchy, by what the user must fix.

Data problems in a sheet are *not* exceptions: they are :class:`funnel_xl.problems.Problem`
records. These exceptions mean a command cannot run at all (exit code 2).
"""


from enum import StrEnum


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
    ``context`` holds what the remedy needs (e.g. the month to rebuild).
    """

    def __init__(
        self, *args: object, remedy: Remedy | None = None, advice: str | None = None,
        context: dict[str, str] | None = None,
    ):
        super().__init__(*args)
        self.remedy = remedy
        self.advice = advice
        self.context = dict(context or {})


class RulesError(FunnelXLError):
    """The rules file is missing, not TOML, or has a wrong, missing or unknown key.

    ``messages`` lists every mistake found (one line each); the error's text is all of them.
    """

    def __init__(self, *messages: str, **remedy):
        super().__init__("\n".join(messages), **remedy)
        self.messages: list[str] = list(messages)


class InputError(FunnelXLError):
    """An input workbook cannot be used at all (not found, not a workbook, no leads sheet)."""


class OutputError(FunnelXLError):
    """An output file cannot be written (folder missing, file open elsewhere, no permission)."""


def os_error_reason(exc: OSError) -> str:
    """Why a file operation failed, in plain Chinese (the system's own text is English)."""
    import errno

    reasons = {
        errno.ENOENT: "文件或文件夹不存在（可能已被移动或删除）",
        errno.EACCES: "没有权限",
        errno.EPERM: "没有权限",
        errno.EISDIR: "这是一个文件夹，不是文件",
        errno.ENOTDIR: "路径中的某一级不是文件夹",
        errno.ENOSPC: "磁盘空间不足",
        errno.EFBIG: "文件超过了系统允许的大小（磁盘或配额已满）",
        errno.EROFS: "所在位置是只读的",
        errno.EBUSY: "文件正被其他程序占用",
        errno.ETXTBSY: "文件正被其他程序占用",
        errno.EIO: "读写出错（磁盘、U 盘或网络盘可能已断开）",
        errno.ENAMETOOLONG: "文件名过长",
        errno.ELOOP: "路径中的快捷方式（符号链接）形成了循环",
        errno.EMFILE: "打开的文件过多",
        errno.EDQUOT: "磁盘配额已用完",
    }
    if exc.errno in reasons:
        return reasons[exc.errno]
    code = errno.errorcode.get(exc.errno, "") if exc.errno else ""
    return f"系统错误 {code}".strip() if code else "系统错误"
