"""数据质量: each rep's hygiene score with its parts, the hand-typed values that drift from the
recalculated ones, and the rows to fix."""

from __future__ import annotations

from ..quality import HygieneScore, Quality
from .context import DRIFT_KEYS, HYGIENE_FIX_KEYS, HYGIENE_KEYS, Context
from .table import MAX_WIDTH, Column, column_width, write_header
from .values import number_values, text_values


def write_quality(ctx: Context, *, single: str | None = None) -> None:
    """``single``: a rep's own workbook (their row only)."""
    t = ctx.t
    thresholds = ctx.rules.thresholds
    sheet, cells = ctx.start(
        ctx.sheets["quality"],
        t("quality.title", as_of=ctx.as_of_text),
        t(
            "quality.note", days=thresholds.drift_dwell_days,
            points=f"{thresholds.drift_pass_rate_points:g}",
        ),
    )
    cells.put(3, 0, t("quality.score"), "subtitle")
    cells.flush()
    names = [single] if single is not None else sorted(ctx.quality.hygiene)
    scores = hygiene_columns(ctx, names, ctx.quality, owner_width=14)
    head = 4
    write_header(sheet, ctx.formats, head, scores)
    row = ctx.rows(sheet, head + 1, scores)
    end = ctx.titled_table(
        sheet, row + 1, t("quality.drift.title"), _drift_columns(ctx), t("quality.drift.none")
    )
    fixes = _fix_columns(ctx)
    ctx.titled_table(sheet, end + 1, t("quality.fixes.title"), fixes, t("quality.fixes.none"))
    for c in range(max(len(scores), len(fixes))):
        width = max(
            column_width(scores[c]) if c < len(scores) else 8,
            column_width(fixes[c]) if c < len(fixes) else 8,
        )
        sheet.set_column(c, c, min(width, MAX_WIDTH))


def _drift_columns(ctx: Context) -> list[Column]:
    t, drift = ctx.t, ctx.quality.drift
    return [
        *ctx.lead_columns(drift, ("owner", "lead_id", "customer", "stage")),
        Column(t("col.kind"), ctx.mapped(drift, "kind", DRIFT_KEYS)),
        Column(t("quality.drift.typed"), text_values(drift, "typed")),
        Column(t("quality.drift.expected"), text_values(drift, "expected")),
        Column(t("quality.drift.difference"), number_values(drift, "difference"), "days1"),
        *ctx.source_columns(drift),
    ]


def _fix_columns(ctx: Context) -> list[Column]:
    t, fixes = ctx.t, ctx.quality.fixes
    return [
        *ctx.lead_columns(fixes, ("owner", "lead_id", "customer", "stage")),
        Column(t("quality.fixes.problem"), ctx.mapped(fixes, "part", HYGIENE_KEYS)),
        Column(t("quality.fixes.how"), ctx.mapped(fixes, "part", HYGIENE_FIX_KEYS), width=44),
        *ctx.source_columns(fixes),
    ]


def hygiene_columns(
    ctx: Context, names: list[str], quality: Quality, owner_width: float | None = None
) -> list[Column]:
    """Each owner's data-quality score and, per part, the points earned and failing/applicable."""
    t = ctx.t
    scores: list[HygieneScore | None] = [quality.hygiene.get(n) for n in names]
    columns = [
        Column(t("col.owner"), names, width=owner_width),
        Column(t("quality.score"), [None if h is None else h.score for h in scores], "score"),
    ]
    for part in ctx.rules.hygiene_parts:
        label = t(f"hygiene.{part}")
        columns += [
            Column(
                t("quality.part.earned", label=label, points=f"{ctx.rules.hygiene.points_of(part):g}"),
                [None if h is None else h.part(part).earned for h in scores], "score",
            ),
            Column(
                t("quality.part.failing", label=label),
                [None if h is None else f"{h.part(part).failing}/{h.part(part).applicable}" for h in scores],
            ),
        ]
    return columns
