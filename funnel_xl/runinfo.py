"""The run record: what a report was made from and with, enough to reproduce its numbers.

The 运行信息 sheet of every report and the ``run`` part of the JSON are written from here: the
definitions in force (one line each, in words, with the rules' own numbers), and the versions of
the tool, Python and the libraries that computed and wrote the figures.
"""

from __future__ import annotations

import platform
from importlib import metadata

from .messages import catalogue
from .metrics import WILSON_Z
from .rules import Rules
from .text import percent_text

# The distributions whose versions can change a figure or the file written.
LIBRARIES = (
    "funnel-xl", "pandas", "numpy", "pandera", "python-calamine", "XlsxWriter", "openpyxl",
    "chinese-calendar",
)


def versions() -> list[tuple[str, str]]:
    """(name, version) of Python and each library; "未安装" for one that is not installed."""
    out = [("Python", platform.python_version())]
    for name in LIBRARIES:
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            out.append((name, "未安装"))
    return out


# The definitions shown, in order; each is "def.<name>" (its name) and "def.<name>.text" in the
# message catalogue (funnel_xl.messages).
DEFINITIONS = (
    "stages", "stage_entered", "dwell", "stalled", "stale", "snooze", "reached", "pass_rate",
    "loss_rate", "win_rate", "win_rate_amount", "interval", "small_sample", "best_rep", "weakest",
    "cycle", "lost_cycle", "weighted", "weighted_forecast", "won_in_month", "forecast_accuracy",
    "slips", "stage_matrix", "low_channel", "coverage", "drift_dwell", "drift_rate", "hygiene",
)


def definitions(rules: Rules) -> list[tuple[str, str]]:
    """(name, definition) of every figure, in words, with the numbers of these rules, in the rules'
    language."""
    t = catalogue(rules.lang)
    th = rules.thresholds
    names = rules.stage_names
    unit = t("def.dwell.working_days") if th.dwell_in_working_days else t("def.dwell.calendar_days")
    limits = t.join(f"{s.name} {s.max_dwell_days}" for s in rules.stages[:-1])
    probabilities = t.join(f"{s.name} {percent_text(s.win_probability)}" for s in rules.stages)
    points = t("def.hygiene.sep").join(
        t(
            "def.hygiene.part", part=t(
                f"def.hygiene.{part}", stage=names[rules.hygiene.amount_close_from],
                fields=t.join(rules.header(f) for f in rules.quality_fields),
            ),
            points=f"{rules.hygiene.points_of(part):g}",
        )
        for part in rules.hygiene_parts
    )
    targets = (
        t.join(f"{name} {amount:g} {rules.amount_unit}" for name, amount in rules.targets)
        if rules.targets else t("def.coverage.no_targets")
    )
    values = {
        "stages": {"stages": " → ".join(names), "lost": t.join(rules.lost_labels)},
        "dwell": {"unit": unit},
        "stalled": {"limits": limits},
        "stale": {"days": th.stale_follow_up_days},
        "snooze": {"days": th.max_snooze_days},
        "interval": {"z": WILSON_Z},
        "small_sample": {"n": th.min_sample},
        "best_rep": {"n": th.min_sample},
        "weakest": {"n": th.min_sample},
        "weighted": {"probabilities": probabilities},
        "slips": {"n": th.close_slips},
        "low_channel": {
            "months": th.low_channel_months, "win_rate": percent_text(th.low_channel_win_rate),
            "first_pass_rate": percent_text(th.low_channel_first_pass_rate), "n": th.min_sample,
        },
        "coverage": {"targets": targets},
        "drift_dwell": {"days": th.drift_dwell_days},
        "drift_rate": {"points": f"{th.drift_pass_rate_points:g}"},
        "hygiene": {"points": points},
    }
    return [(t(f"def.{key}"), t(f"def.{key}.text", **values.get(key, {}))) for key in DEFINITIONS]
