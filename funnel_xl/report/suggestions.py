"""优化建议: the suggestions the month's figures fired, with the figure behind each."""

from __future__ import annotations

from .comparison import leaders_block
from .context import Context
from .table import Column, set_widths


def write_suggestions(ctx: Context) -> None:
    t = ctx.t
    fired = ctx.view.suggestions
    sheet, cells = ctx.start(
        ctx.sheets["suggestions"], t("suggestions.title", as_of=ctx.as_of_text), t("suggestions.note")
    )
    cells.flush()
    metric = {s.metric: t(f"metric.{s.metric}") for s in fired if t.has(f"metric.{s.metric}")}
    columns = [
        Column(t("col.number"), list(range(1, len(fired) + 1)), "int", width=6),
        Column(t("col.suggestion"), [s.text for s in fired], width=80),
        Column(t("col.suggestion_metric"), [metric.get(s.metric, s.metric) for s in fired], width=16),
        Column(t("col.value"), [s.value for s in fired], "pct", width=10),
        Column(t("col.stage_or_channel"), [s.stage or s.source for s in fired], width=14),
    ]
    end = ctx.table(sheet, 2, columns)
    if not fired:
        sheet.write_string(end, 0, t("suggestions.none"), ctx.formats("note"))
        end += 1
    if ctx.is_team_record:
        leaders_block(ctx, sheet, end + 1, named_only=True)
    set_widths(sheet, columns)
    sheet.freeze_panes(3, 0)
