"""数据问题: every data problem, errors first, with where it is and how to fix it."""

from __future__ import annotations

from ..problems import Problem, Severity, severity_label, sort_problems
from .context import Context
from .table import Column, set_widths


def write_problems(ctx: Context) -> None:
    t = ctx.t
    sheet = ctx.add_sheet(ctx.sheets["problems"])
    problems = _errors_first(ctx.problems)
    severity = [severity_label(p.severity, ctx.rules.lang) for p in problems]
    columns = [
        Column(
            t("col.severity"), severity, width=10,
            formats=[p.severity if p.severity in (Severity.ERROR, Severity.WARNING) else None for p in problems],
        ),
        Column(t("col.file"), [p.file or None for p in problems]),
        Column(t("col.sheet"), [p.sheet or None for p in problems]),
        Column(t("col.row"), [p.row for p in problems], "row", width=7),
        Column(t("col.column"), [p.column or None for p in problems], width=6),
        Column(t("col.header"), [p.header or None for p in problems]),
        Column(t("col.problem_value"), [p.value or None for p in problems]),
        Column(t("col.message"), [p.message for p in problems], width=70),
        Column(t("col.code"), [p.code for p in problems]),
    ]
    end = ctx.table(sheet, 0, columns)
    if not problems:
        sheet.write_string(1, 0, t("problems.none"), ctx.formats("note"))
    else:
        sheet.autofilter(0, 0, end - 1, len(columns) - 1)
    set_widths(sheet, columns)
    sheet.freeze_panes(1, 0)


def _errors_first(problems: list[Problem]) -> list[Problem]:
    rank = {Severity.ERROR: 0, Severity.WARNING: 1}
    return sorted(sort_problems(problems), key=lambda p: rank.get(p.severity, 2))
