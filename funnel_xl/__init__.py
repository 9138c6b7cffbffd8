"""funnel_xl: sales-funnel tracking workbooks — template, validation, recalculation, monthly report.

The public API, enough to script the monthly rebuild::

    import funnel_xl
    rules = funnel_xl.load_rules()
    analysis = funnel_xl.analyse(["tracking.xlsx"], rules, month="2024-05")
    funnel_xl.write_outputs(analysis, out_dir="output")
"""

__version__ = "0.1.0"

from .analysis import Analysis  # noqa: E402
from .draft import draft_rules, fit_rules  # noqa: E402
from .errors import FunnelXLError, InputError, OutputError, RulesError  # noqa: E402
from .inputs import collect_workbooks  # noqa: E402
from .pipeline import analyse, resolve_as_of, validate_files, write_outputs  # noqa: E402
from .problems import Problem  # noqa: E402
from .progress import Progress  # noqa: E402
from .rules import Rules, load_rules  # noqa: E402

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

# refresh needs openpyxl, slow to import; it is loaded on first use so that the other commands
# and scripts start without it.
_LAZY = {"RefreshResult": "refresh", "refresh_workbook": "refresh"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
