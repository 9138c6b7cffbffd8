"""One exception hierarchy, by what the user must fix.

Data problems in a sheet are *not* exceptions: they are :class:`funnel_xl.problems.Problem`
records. These exceptions mean a command cannot run at all (exit code 2).
"""


class FunnelXLError(Exception):
    """Base class of every error funnel_xl raises on purpose."""


class RulesError(FunnelXLError):
    """The rules file is missing, not TOML, or has a wrong, missing or unknown key."""


class InputError(FunnelXLError):
    """An input workbook cannot be used at all (not found, not a workbook, no leads sheet)."""


class OutputError(FunnelXLError):
    """An output file cannot be written (folder missing, file open elsewhere, no permission)."""
