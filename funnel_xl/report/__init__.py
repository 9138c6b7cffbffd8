"""The monthly analysis workbook the manager reads, written with xlsxwriter from an ``Analysis``.

Sheets, in order: 总览 · 漏斗分析 · 阶段流转 · 趋势 · 负责人对比 · 渠道分析 · 预测 · one sheet per rep ·
预警 · 优化建议 · 数据质量 · 数据问题 · 线索明细 · 运行信息 — one module each; a rep's (or channel's)
workbook in :mod:`.group`. Every sheet module lays out figures the analysis already holds, through
the :class:`~.context.Context` it is handed; the cells are written by :mod:`.table`.
"""

from .names import (
    FIXED_SHEETS,
    default_report_name,
    detail_workbook_name,
    fixed_sheets,
    rep_sheet_names,
)
from .overview import OVERVIEW_CELLS
from .workbook import (
    ReportFiles,
    moved_sheets,
    remove_stale_detail,
    write_group_report,
    write_report,
    write_report_files,
)

__all__ = [
    "FIXED_SHEETS",
    "OVERVIEW_CELLS",
    "ReportFiles",
    "default_report_name",
    "detail_workbook_name",
    "fixed_sheets",
    "moved_sheets",
    "remove_stale_detail",
    "rep_sheet_names",
    "write_group_report",
    "write_report",
    "write_report_files",
]
