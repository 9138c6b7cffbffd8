"""The pass-rate text written into the reps' own column (转化率/阶段通过率(可选)) carries its sample
when the sample is small (issue 21 item 7): a bare "100%" from 1 of 1 must not overwrite a rep's 80%."""

from __future__ import annotations

import dataclasses
from datetime import date
from datetime import date as D

import pandas as pd

from funnel_xl import analyse
from funnel_xl.metrics import recalculate
from funnel_xl.rules import load_rules
from tests.conftest import lead as typed
from tests.conftest import write_workbook
from tests.test_report import lead

AS_OF = date(2024, 5, 31)
# A: in 商务谈判, so it passed 潜在接触→需求挖掘→方案提案→商务谈判; B: in 方案提案 (passed two);
# C: in 需求挖掘 (passed one). 方案提案→商务谈判: A passed of A left = 1/1 (B is still in 方案提案).
# 需求挖掘→方案提案: A and B passed, both left = 2/2. 潜在接触→需求挖掘: 3/3.
TEAM = [
    lead("A", "甲", "官网表单", "商务谈判", "2024-03-01", "2024-05-20", entered="2024-05-01"),
    lead("B", "甲", "官网表单", "方案提案", "2024-03-01", "2024-05-20", entered="2024-05-01"),
    lead("C", "甲", "官网表单", "需求挖掘", "2024-03-01", "2024-05-20", entered="2024-05-01"),
]


def texts(min_sample: int) -> dict[str, str]:
    rules = load_rules()
    rules = dataclasses.replace(rules, thresholds=dataclasses.replace(rules.thresholds, min_sample=min_sample))
    frame = pd.DataFrame(TEAM)
    frame["_file"], frame["_sheet"], frame["_row"] = "t.xlsx", "线索跟踪", range(2, 2 + len(frame))
    leads = recalculate(frame, rules, AS_OF).leads
    return dict(zip(leads["lead_id"], leads["pass_rate_text_calc"], strict=True))


def test_a_small_sample_is_written_with_its_counts():
    got = texts(min_sample=10)
    assert got["A"] == "100%(方案提案→商务谈判 1/1)"
    assert got["B"] == "100%(需求挖掘→方案提案 2/2)"
    assert got["C"] == "100%(潜在接触→需求挖掘 3/3)"


def test_a_large_enough_sample_is_written_bare():
    got = texts(min_sample=2)
    assert got["A"] == "100%(方案提案→商务谈判 1/1)"  # 1 lead left 方案提案: still small
    assert got["B"] == "100%(需求挖掘→方案提案)"
    assert got["C"] == "100%(潜在接触→需求挖掘)"



def test_the_tools_own_text_read_back_is_no_drift(tmp_path):
    """After a refresh the rep's column holds the tool's text; the next run must not call it another
    transition because of its k/n. The same team as above, typed with the texts refresh writes."""
    team = [
        typed("A", "商务谈判", D(2024, 3, 1), entered=D(2024, 5, 1), rate="100%(方案提案→商务谈判 1/1)"),
        typed("B", "方案提案", D(2024, 3, 1), entered=D(2024, 5, 1), rate="100%(需求挖掘→方案提案 2/2)"),
        typed("C", "需求挖掘", D(2024, 3, 1), entered=D(2024, 5, 1), rate="100%(潜在接触→需求挖掘 3/3)"),
    ]
    analysis = analyse([write_workbook(tmp_path / "t.xlsx", team)], load_rules(), as_of=AS_OF)
    assert analysis.quality.drift.empty, analysis.quality.drift
