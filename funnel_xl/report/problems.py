"""数据问题: every data problem, errors first, with where it is and how to fix it; below it, the
blank required fields counted by rep (缺填（按负责人）)."""

from __future__ import annotations

from ..problems import Problem, Severity, severity_label, sort_problems
from .context import Context
from .table import Column, column_width
from .values import number_values, text_values


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
        end += 1
    else:
        sheet.autofilter(0, 0, end - 1, len(columns) - 1)
    blanks = _blank_columns(ctx)
    if blanks:
        # Rows strictly in order (constant_memory): below the list, after a blank row.
        sheet.write_string(end + 1, 0, t("blanks.title"), ctx.formats("subtitle"))
        sheet.write_string(end + 2, 0, t("blanks.note"), ctx.formats("note"))
        ctx.table(sheet, end + 3, blanks)
    for c, column in enumerate(columns):
        sheet.set_column(c, c, max(column_width(column), column_width(blanks[c]) if c < len(blanks) else 0))
    sheet.freeze_panes(1, 0)


def _blank_columns(ctx: Context) -> list[Column]:
    """缺填（按负责人）: each rep's open leads leaving a required field blank, one column per field;
    none when nobody leaves one blank."""
    blanks = ctx.quality.blanks
    if blanks.empty:
        return []
    return [
        Column(ctx.t("col.owner"), text_values(blanks, "owner")),
        *(Column(ctx.header(field), number_values(blanks, field), "int")
          for field in blanks.columns if field != "owner"),
    ]


def _errors_first(problems: list[Problem]) -> list[Problem]:
    rank = {Severity.ERROR: 0, Severity.WARNING: 1}
    return sorted(sort_problems(problems), key=lambda p: rank.get(p.severity, 2))
