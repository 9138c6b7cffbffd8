"""funnel_xl: sales-funnel tracking workbooks — template, validation, recalculation, monthly report.

The public API, enough to script the monthly rebuild::

    import funnel_xl
    rules = funnel_xl.load_rules()
    analysis = funnel_xl.analyse(["tracking.xlsx"], rules, month="2024-05")
    funnel_xl.write_outputs(analysis, out_dir="output")
"""

from typing import TYPE_CHECKING

from .errors import FunnelXLError, InputError, OutputError, RulesError
from .inputs import collect_workbooks
from .period import resolve_as_of
from .problems import Problem
from .progress import Progress
from .rules import Rules, load_rules
from .version import __version__

if TYPE_CHECKING:
    from .analysis import Analysis
    from .draft import draft_rules, fit_rules
    from .pipeline import analyse, write_outputs
    from .refresh import RefreshResult, refresh_workbook
    from .validation import validate_files

__all__ = [
    "Analysis",
    "FunnelXLError",
    "InputError",
    "OutputError",
    "Problem",
    "Progress",
    "RefreshResult",
    "Rules",
    "RulesError",
    "__version__",
    "analyse",
    "collect_workbooks",
    "draft_rules",
    "fit_rules",
    "load_rules",
    "refresh_workbook",
    "resolve_as_of",
    "validate_files",
    "write_outputs",
]

# What needs pandas (and pandera, openpyxl) is loaded on first use, so that a command starts
# reading its workbooks before those imports (see funnel_xl.sheets.ReadAhead) and scripts that only
# load rules start at once.
_LAZY = {
    "Analysis": "analysis",
    "draft_rules": "draft",
    "fit_rules": "draft",
    "analyse": "pipeline",
    "validate_files": "validation",
    "write_outputs": "pipeline",
    "RefreshResult": "refresh",
    "refresh_workbook": "refresh",
}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        value = globals()[name] = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
