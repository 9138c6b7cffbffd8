"""The naive pipeline: what a manager would write by hand with pandas, for comparison.

    python benchmarks/naive.py INPUT.xlsx OUTPUT.xlsx --as-of 2024-05-31

pandas.read_excel with openpyxl for both sheets, a handful of groupbys (funnel by stage, stage by
owner and by source, follow-ups per lead, stalled leads), and DataFrame.to_excel for every table
including all leads (pandas' default xlsx engine). No checks of what the reps typed.
"""

from __future__ import annotations

import argparse

import pandas as pd

STAGE_LIMITS = {"潜在接触": 30, "需求挖掘": 15, "方案提案": 21, "商务谈判": 30, "成交待签约": 14}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--as-of", default="2024-05-31")
    args = parser.parse_args()
    as_of = pd.Timestamp(args.as_of)

    leads = pd.read_excel(args.input, sheet_name="线索跟踪", engine="openpyxl")
    log = pd.read_excel(args.input, sheet_name="跟进记录", engine="openpyxl")

    entered = pd.to_datetime(leads["阶段进入日期"], errors="coerce")
    leads["停留天数"] = (as_of - entered).dt.days
    leads["超时"] = leads["停留天数"] > leads["所属阶段"].map(STAGE_LIMITS)
    amount = pd.to_numeric(leads["预计成交金额(万元)"], errors="coerce")
    leads["金额"] = amount
    funnel = leads.groupby("所属阶段").agg(线索数=("线索编号", "size"), 金额=("金额", "sum"))
    by_owner = leads.groupby(["负责人", "所属阶段"]).size().unstack(fill_value=0)
    by_source = leads.groupby(["线索来源", "所属阶段"]).size().unstack(fill_value=0)
    log["跟进时间"] = pd.to_datetime(log["跟进时间"], errors="coerce")  # a few are typed as text
    follow_ups = log.groupby("线索编号").agg(跟进次数=("跟进时间", "size"), 最近跟进=("跟进时间", "max"))
    leads = leads.merge(follow_ups, left_on="线索编号", right_index=True, how="left")
    stalled = leads[leads["超时"]]

    with pd.ExcelWriter(args.output) as writer:
        funnel.to_excel(writer, sheet_name="漏斗")
        by_owner.to_excel(writer, sheet_name="负责人")
        by_source.to_excel(writer, sheet_name="渠道")
        stalled.to_excel(writer, sheet_name="预警", index=False)
        leads.to_excel(writer, sheet_name="线索明细", index=False)


if __name__ == "__main__":
    main()
