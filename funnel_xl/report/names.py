"""The report's file and sheet names: the fixed sheets in their order, and a sheet per rep."""

from __future__ import annotations

from collections.abc import Iterable

from ..messages import ZH, catalogue
from ..text import unique_names

# The fixed sheets, in order; the rep sheets go between 跟进活动 and 预警. Their names come from the
# message catalogue (funnel_xl.messages); FIXED_SHEETS are the Chinese ones, the default.
SHEET_KEYS = (
    "overview", "funnel", "flow", "trend", "owners", "sources", "forecast",
    "waterfall", "speed", "lost", "cohorts", "bands", "activity", "alerts",
    "suggestions", "quality", "problems", "detail", "run",
)
_ZH = catalogue(ZH)
FIXED_SHEETS = tuple(_ZH(f"sheet.{key}") for key in SHEET_KEYS)
# Excel refuses a sheet named "History" (it is kept for change tracking).
_EXCEL_RESERVED_SHEETS = ("History",)
_SHEET_NAME_TWINS = str.maketrans(
    {"[": "［", "]": "］", ":": "：", "*": "＊", "?": "？", "/": "／", "\\": "＼"}
)


def fixed_sheets(lang: str = ZH) -> tuple[str, ...]:
    """The fixed sheets' names in a language, in their order."""
    t = catalogue(lang)
    return tuple(t(f"sheet.{key}") for key in SHEET_KEYS)


def sheet_names(lang: str) -> dict[str, str]:
    """Each fixed sheet's name by its key ("overview" → "总览")."""
    return dict(zip(SHEET_KEYS, fixed_sheets(lang), strict=True))


def default_report_name(analysis) -> str:
    """The workbook's file name, e.g. ``funnel_report_2024-05.xlsx``."""
    return f"funnel_report_{analysis.period}.xlsx"


def detail_workbook_name(report_name: str) -> str:
    """The detail workbook beside a report: ``funnel_report_2024-05.xlsx`` → ``funnel_report_2024-05_detail.xlsx``."""
    stem = report_name[:-5] if report_name.lower().endswith(".xlsx") else report_name
    return f"{stem}_detail.xlsx"


def rep_sheet_names(
    owners: Iterable[str], taken: Iterable[str] = FIXED_SHEETS, blank: str = _ZH("sheet.no_owner")
) -> dict[str, str]:
    """Map each owner to a sheet name Excel accepts, unique among ``taken`` and each other.

    The rule, applied in order:

    1. Each character Excel forbids in sheet names (``[ ] : * ? / \\``) becomes its full-width
       twin (``［ ］ ： ＊ ？ ／ ＼``), so the masked owner "*销售代表" gets the sheet "＊销售代表"
       and stays distinct from a rep really called "销售代表". Control characters are dropped.
    2. Surrounding spaces and apostrophes are stripped (Excel refuses a leading or trailing
       apostrophe); an owner left empty becomes "未填写负责人".
    3. The name is cut to 31 characters (counted as Excel does, in UTF-16 units).
    4. A name already used, compared case-insensitively — a fixed sheet such as "总览", Excel's
       reserved "History", or an earlier rep — gets " (2)", " (3)"… appended, the name being cut
       further so the whole still fits in 31 characters.
    """
    return unique_names(
        owners, (*taken, *_EXCEL_RESERVED_SHEETS),
        clean=lambda owner: _clean_sheet_name(owner, blank), fit=_fit_sheet_name, limit=31,
    )


def _clean_sheet_name(owner: object, blank: str) -> str:
    text = "" if owner is None else str(owner)
    text = "".join(ch for ch in text.translate(_SHEET_NAME_TWINS) if ch.isprintable())
    return text.strip().strip("'").strip() or blank


def _fit_sheet_name(name: str, limit: int) -> str:
    while len(name.encode("utf-16-le")) // 2 > limit:
        name = name[:-1]
    # Cutting may leave an apostrophe or a space at the end.
    return name.rstrip().rstrip("'").rstrip() or "_"
