"""The run record: what a report was made from and with, enough to reproduce its numbers.

The 运行信息 sheet of every report and the ``run`` part of the JSON are written from here: the
definitions in force (one line each, in words, with the rules' own numbers), and the versions of
the tool, Python and the libraries that computed and wrote the figures.
"""

from __future__ import annotations

import platform
from importlib import metadata

from .metrics import WILSON_Z
from .rules import HYGIENE_PARTS, Rules

# The distributions whose versions can change a figure or the file written.
LIBRARIES = (
    "funnel-xl", "pandas", "numpy", "pandera", "python-calamine", "XlsxWriter", "openpyxl",
    "chinese-calendar",
)
HYGIENE_PART_TEXTS = {
    "errors": "行没有错误",
    "missing_amount_close": "在跟线索自「{stage}」起填了预计成交金额和预计成交日期",
    "close_past": "在跟线索的预计成交日期未过",
    "stale": "在跟线索未久未跟进",
    "undated_moves": "第一阶段之后的在跟和已成交线索有阶段进入日期",
}


def versions() -> list[tuple[str, str]]:
    """(name, version) of Python and each library; "未安装" for one that is not installed."""
    out = [("Python", platform.python_version())]
    for name in LIBRARIES:
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            out.append((name, "未安装"))
    return out


def definitions(rules: Rules) -> list[tuple[str, str]]:
    """(name, definition) of every figure, in words, with the numbers of these rules."""
    t = rules.thresholds
    names = rules.stage_names
    unit = "工作日（跳过周末、法定节假日，调休上班日计入）" if t.dwell_in_working_days else "自然日"
    limits = "、".join(f"{s.name} {s.max_dwell_days}" for s in rules.stages[:-1])
    probabilities = "、".join(f"{s.name} {s.win_probability:.0%}" for s in rules.stages)
    points = "；".join(
        f"{HYGIENE_PART_TEXTS[part].format(stage=names[rules.hygiene.amount_close_from])} "
        f"{rules.hygiene.points_of(part):g} 分"
        for part in HYGIENE_PARTS
    )
    targets = (
        "、".join(f"{name} {amount:g} 万元" for name, amount in rules.targets)
        if rules.targets else "规则中未设月度目标"
    )
    return [
        ("阶段", " → ".join(names) + f"；流失标签 {'、'.join(rules.lost_labels)}"),
        (
            "阶段进入日期",
            "依次取：跟进记录中最近一次调整到该阶段的日期；阶段进入日期列；历史记录（上次重建的日期，或两次重建之间估算）；"
            "第一阶段取首次接触时间；否则按 最近跟进时间 − 手填停留时长 估算；否则未知",
        ),
        ("停留天数", f"截止日 − 阶段进入日期，按{unit}计算，仅在跟线索"),
        ("停留超时", f"停留天数超过该阶段上限（{limits}）；暂缓至晚于截止日的线索不计"),
        ("久未跟进", f"距最近跟进超过 {t.stale_follow_up_days} 天；暂缓中的线索不计"),
        ("暂缓", f"暂缓至晚于截止日的在跟线索；暂缓至超过截止日后 {t.max_snooze_days} 天或没有暂缓原因时给出警告"),
        ("累计到达", "在跟或已成交且阶段不早于该阶段的线索 + 流失阶段不早于该阶段的流失线索"),
        ("阶段通过率", "下一阶段累计到达 ÷ 本阶段已离开（已离开 = 累计到达 − 当前仍在该阶段的在跟线索）"),
        ("阶段流失率", "在本阶段流失的线索 ÷ 本阶段已离开"),
        ("赢单率", "已成交 ÷ (已成交 + 已流失)，按条数"),
        ("赢单率(金额)", "已成交金额 ÷ (已成交金额 + 已流失金额)，未填金额的线索按 0 计"),
        ("95% 区间", f"每个 k/n 比率的 Wilson 区间（z = {WILSON_Z}），样本越少区间越宽"),
        ("样本少", f"分母少于 {t.min_sample} 条（规则 thresholds.min_sample）的比率，灰色显示，仅供参考"),
        ("最佳负责人", f"某环节样本不少于 {t.min_sample} 条、且 95% 区间下限高于全队通过率的负责人中通过率最高者"),
        ("最薄弱环节", f"已离开不少于 {t.min_sample} 条的环节中通过率最低者"),
        ("成交周期", "进入已成交的日期 − 首次接触时间（天）"),
        ("流失周期", "标记流失的日期（流失线索的阶段进入日期，已知时）− 首次接触时间（天）"),
        ("加权金额", f"Σ 金额 × 阶段赢单概率（{probabilities}）"),
        ("加权预测", "预计成交日期在该月的在跟线索的加权金额"),
        ("本月成交", "进入已成交的日期在本月内的线索金额"),
        ("预测准确度", "本月实际成交 ÷ 上月重建（历史记录快照）时预计在本月成交的加权金额"),
        ("预计成交日期推迟", f"在跟线索的预计成交日期在两次月度重建之间往后推的次数；{t.close_slips} 次及以上列入预警"),
        ("阶段流转矩阵", "上次快照时各阶段的线索本期所在的阶段"),
        ("渠道连续偏低", (
            f"连续 {t.low_channel_months} 个月赢单率低于 {t.low_channel_win_rate:.0%} 或首环节通过率低于 "
            f"{t.low_channel_first_pass_rate:.0%}，且每月样本不少于 {t.min_sample} 条、95% 区间上限低于全队当月的比率"
        )),
        ("覆盖率", f"在跟加权金额 ÷ 月度目标（{targets}）"),
        ("填写偏差·停留时长", f"手填停留时长与最近跟进至截止日之间任一天的实际停留相差超过 {t.drift_dwell_days} 天"),
        ("填写偏差·通过率", f"手填通过率的环节不是进入当前阶段的环节，或与全队及本人通过率都相差超过 {t.drift_pass_rate_points:g} 个百分点"),
        ("数据质量分", f"0–100，各项得分 = 分值 × (1 − 不合格数 ÷ 适用数)，无适用线索得满分：{points}"),
    ]
