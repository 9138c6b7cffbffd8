"""The stage that loses most (流失分析, 优化建议): never a stage where no lead was lost, and never one
that the lost leads without a lost-at stage could overtake. Every count is worked out by hand below.

Default rules with min_sample 2; no follow-up log. Stages 潜在接触 (S1) … 成交待签约 (S5), 已成交.
reached(k) = leads now at Sk or later (active or won) + leads lost at Sk or later; exited(k) =
reached(k) − active leads now at Sk; loss rate of Sk = lost at Sk ÷ exited(k). A lost lead without a
lost-at stage counts in none of these.
"""

from datetime import date

from funnel_xl import analyse
from tests.conftest import edited_rules, lead, write_workbook

D = date
AS_OF = D(2024, 5, 31)
LOST = "无效线索"
S1, S2, S3 = "潜在接触", "需求挖掘", "方案提案"


def _worst(tmp_path, leads):
    rules = edited_rules(tmp_path, ("min_sample = 10", "min_sample = 2"))
    book = write_workbook(tmp_path / "team.xlsx", leads)
    analysis = analyse([book], rules, as_of=AS_OF)
    lines = [s.text for s in analysis.suggestions if s.metric == "lost_reasons"]
    return analysis.review.lost.worst, lines


def _leads(**counts):
    """counts: S1=…, S2=…, S3=… active leads; lost1=… lost at S1; unplaced=… lost at no stage."""
    rows, n = [], 0

    def add(stage, **extra):
        nonlocal n
        n += 1
        rows.append(lead(f"LF{n:04d}", stage, D(2024, 3, 1), **extra))

    for stage in (S1, S2, S3):
        for _ in range(counts.get(stage, 0)):
            add(stage)
    for _ in range(counts.get("lost1", 0)):
        add(LOST, lost_at=S1, entered=D(2024, 4, 1), lost_reason="预算不足")
    for _ in range(counts.get("unplaced", 0)):
        add(LOST, lost_reason="预算不足")
    return rows


def test_a_stage_where_no_lead_was_lost_is_not_the_one_that_loses_most(tmp_path):
    # 3 at S1, 2 at S2, 2 lost at no stage: reached S1 5, exited S1 5 − 3 = 2, lost there 0.
    # S1 is the only stage with 2 leads gone (S2: 2 − 2 = 0), at 0/2: nothing loses most.
    worst, lines = _worst(tmp_path, _leads(**{S1: 3, S2: 2, "unplaced": 2}))
    assert worst is None
    assert lines == []


def test_unplaced_losses_that_could_overtake_leave_no_stage_named(tmp_path):
    # 2 at S1, 4 at S2, 1 at S3, 1 lost at S1, 1 lost at no stage.
    # reached S1 = 2 + 4 + 1 + 1 = 8, exited 8 − 2 = 6, lost 1: 1/6. S2: reached 5, exited 1, 0/1.
    # Had the unplaced loss been at S2: S2 1/2 = 50% (2 gone, min_sample met), S1 1/7: S1 is not
    # surely the stage that loses most.
    worst, lines = _worst(tmp_path, _leads(**{S1: 2, S2: 4, S3: 1, "lost1": 1, "unplaced": 1}))
    assert worst is None
    assert lines == []


def test_unplaced_losses_that_cannot_overtake_leave_the_stage_named(tmp_path):
    # 1 at S1, 10 at S2, 10 at S3, 3 lost at S1, 1 lost at no stage.
    # reached S1 = 1 + 10 + 10 + 3 = 24, exited 23, lost 3: 3/23. S2: reached 20, exited 10, 0/10.
    # The unplaced loss at S2 at worst: S2 1/11 ≈ 9.1% against S1 3/24 = 12.5%; at S3 (nobody left
    # it yet) it is not weighed. S1 stays the stage that loses most, with its reason 3 times.
    worst, lines = _worst(tmp_path, _leads(**{S1: 1, S2: 10, S3: 10, "lost1": 3, "unplaced": 1}))
    assert (worst.stage, worst.loss.k, worst.loss.n, worst.reasons) == (S1, 3, 23, (("预算不足", 3),))
    assert lines == [
        "「潜在接触」流失率最高：13%（3/23），主要流失原因：预算不足 3 条。"
        "收集客户拒绝原因，针对主要原因调整该阶段的做法与话术。"
    ]
