"""Per-rep (and per-channel) workbooks: content, privacy, file names, and byte-identical rebuilds.

Every expected figure is worked out by hand in the comments; amounts are chosen so that no sum or
product of the figures can collide with them (987.65, 4321.09, …).
"""

from __future__ import annotations

import dataclasses
import html
import json
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from funnel_xl.cli import cli
from funnel_xl.groups import MAX_STEM_BYTES, GroupKind, safe_file_stems, select_group
from funnel_xl.pipeline import analyse
from tests.conftest import lead, rules_before_required_fields_path, write_workbook

D = date
ZHANG, LI, MASKED = "张伟", "李四/销售二部", "*销售代表"

# As of 2024-05-31. Stage limits: 潜在接触 30, 需求挖掘 15, 方案提案 21, 商务谈判 30.
ROWS = [
    # 张伟, 商务谈判 since 05-01: dwell 30 (not over 30). Next follow-up 05-20 is past: overdue.
    lead("LF2024101", "商务谈判", D(2024, 3, 1), owner=ZHANG, entered=D(2024, 5, 1), last=D(2024, 5, 25),
         next=D(2024, 5, 20), amount=987.65, customer="甲方科技/*王总"),
    # 张伟, won: entered 已成交 04-10, first contact 01-10 → cycle 21 + 29 + 31 + 10 = 91 days.
    lead("LF2024102", "已成交", D(2024, 1, 10), owner=ZHANG, entered=D(2024, 4, 10), last=D(2024, 4, 12),
         amount=55.5, customer="己方电子/*吴总"),
    # 张伟, 需求挖掘 since 05-10: dwell 21 > 15, stalled; last follow-up 05-10, 21 days > 14: stale.
    # The source "展会" is not in the rules' list: a warning on 张伟's row.
    lead("LF2024103", "需求挖掘", D(2024, 5, 2), owner=ZHANG, source="展会", entered=D(2024, 5, 10),
         last=D(2024, 5, 10), amount=12.34, customer="庚方食品/*郑总"),
    # 李四, 方案提案 since 05-20: dwell 11.
    lead("LF2024201", "方案提案", D(2024, 2, 1), owner=LI, source="官网表单", entered=D(2024, 5, 20),
         last=D(2024, 5, 28), amount=4321.09, customer="乙方制造/*陈经理"),
    # 李四, lost in 需求挖掘.
    lead("LF2024202", "无效线索", D(2024, 2, 15), owner=LI, lost_at="需求挖掘", last=D(2024, 3, 1),
         amount=7777.31, customer="丙方物流/*赵总"),
    # 李四, no first-contact date: an error, the row is excluded and listed for 李四 to fix.
    lead("LF2024203", "需求挖掘", None, owner=LI, last=D(2024, 5, 2), amount=6543.21,
         customer="丁方能源/*孙总"),
    # 销售代表, 潜在接触 since first contact 05-20: dwell 11.
    lead("LF2024301", "潜在接触", D(2024, 5, 20), owner=MASKED, source="老客户转介绍", last=D(2024, 5, 20),
         amount=3456.78, customer="戊方医药/*周总"),
]
PRIVATE = {
    ZHANG: [ZHANG, "LF2024101", "LF2024102", "LF2024103", "甲方科技", "己方电子", "庚方食品",
            "987.65", "55.5", "12.34"],
    LI: [LI, "李四", "LF2024201", "LF2024202", "LF2024203", "乙方制造", "丙方物流", "丁方能源",
         "4321.09", "7777.31", "6543.21"],
    MASKED: [MASKED, "＊销售代表", "LF2024301", "戊方医药", "3456.78"],
}
FILES = {ZHANG: "张伟", LI: "李四／销售二部", MASKED: "＊销售代表"}


@pytest.fixture(scope="module")
def tracking(tmp_path_factory):
    folder = tmp_path_factory.mktemp("split")
    return write_workbook(folder / "tracking.xlsx", ROWS)


@pytest.fixture(scope="module")
def out(tracking):
    out = tracking.parent / "out"
    result = CliRunner().invoke(
        cli,
        ["rebuild", str(tracking), "--month", "2024-05", "--out", str(out),
         "--split-by", "owner", "--split-by", "source",
         "--rules", str(rules_before_required_fields_path())],  # the leads leave those fields blank
    )
    assert result.exit_code == 1, result.output  # written; one row excluded for an error
    assert "按负责人拆分: 3 份工作簿" in result.stdout
    return out


def reps(out: Path) -> Path:
    return out / "2024-05" / "reps"


def test_files_and_manifest(out):
    names = sorted(p.name for p in reps(out).iterdir())
    assert names == sorted(f"{stem}.{ext}" for stem in FILES.values() for ext in ("xlsx", "json"))
    manifest = json.loads((out / "2024-05" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["report"] == "funnel_report_2024-05.xlsx"
    owners = manifest["splits"]["owner"]
    assert owners["folder"] == "reps"
    # Sorted by name as Python sorts text: "*" (U+002A) < 张 (U+5F20) < 李 (U+674E).
    assert [(g["name"], g["workbook"]) for g in owners["groups"]] == [
        (MASKED, "＊销售代表.xlsx"), (ZHANG, "张伟.xlsx"), (LI, "李四／销售二部.xlsx"),
    ]
    sources = [g["name"] for g in manifest["splits"]["source"]["groups"]]
    # 李四's excluded row has the (blank-cell default) source 展会推广 of conftest.lead.
    assert sources == ["官网表单", "展会", "展会推广", "老客户转介绍"]


def test_rep_workbook_content(out):
    book = openpyxl.load_workbook(reps(out) / "张伟.xlsx")
    assert book.sheetnames == [
        "总览", "漏斗分析", "在跟线索", "预警", "数据质量", "数据问题", "线索明细", "运行信息",
    ]
    ws = book["总览"]
    assert ws["A1"].value == "张伟 · 个人销售漏斗 · 截至 2024-05-31"
    # 张伟's own month: new in May 103 (05-02), in April none; won in April 102 (04-10, 55.5), in
    # May none; nothing lost in either; no log and no earlier snapshot: no stage moves.
    assert [ws.cell(5, c).value for c in range(1, 5)] == ["指标", "本月", "上月", "变化"]
    month = {r[0]: r[1:4] for r in ws.iter_rows(min_row=6, max_row=10, max_col=4, values_only=True)}
    assert month == {
        "新增线索(条)": (1, 0, 1), "成交(条)": (0, 1, -1), "成交金额(万元)": (0, 55.5, -55.5),
        "流失(条)": (0, 0, 0), "阶段变动(次)": (0, 0, 0),
    }
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "本人")
    assert [ws.cell(head, c).value for c in range(1, 4)] == ["指标", "本人", "全队"]
    got = {r[0]: (r[1], r[2]) for r in ws.iter_rows(min_row=head + 1, max_col=3, values_only=True)}
    # 张伟: 3 valid (101, 103 active; 102 won). Team: 6 valid + 1 excluded; active 101 103 201 301;
    # won 102; lost 202.
    assert got["有效线索"] == (3, 6)
    assert got["在跟"] == (2, 4)
    assert got["已成交"] == (1, 1)
    assert got["已流失"] == (0, 1)
    assert got["赢单率"] == (pytest.approx(1.0), pytest.approx(0.5))  # 1/(1+0); 1/(1+1)
    assert got["成交周期中位数(天)"] == (pytest.approx(91), pytest.approx(91))
    # 987.65 + 12.34; weighted 987.65 × 0.6 + 12.34 × 0.15. No team amount in a rep's workbook.
    assert got["在跟金额(万元)"] == (pytest.approx(999.99), None)
    assert got["加权金额(万元)"] == (pytest.approx(592.59 + 1.851), None)
    assert got["停留超时"] == (1, 1) and got["跟进逾期"] == (1, 1) and got["久未跟进"] == (1, 1)
    assert got["数据问题(错误)"] == (0, None) and got["数据问题(警告)"] == (1, None)

    open_leads = book["在跟线索"]
    rows = list(open_leads.iter_rows(min_row=8, max_row=9, max_col=12, values_only=True))
    # Longest dwell first: 101 (30 days, overdue), then 103 (21 days, stalled and stale).
    assert [r[0] for r in rows] == ["LF2024101", "LF2024103"]
    assert rows[0][5] == 30 and rows[0][11] == "跟进逾期"
    assert rows[1][5] == 21 and rows[1][11] == "停留超时、久未跟进"

    problems = list(book["数据问题"].iter_rows(min_row=2, values_only=True))
    assert [(p[0], p[3], p[8]) for p in problems] == [("警告", 4, "unknown_source")]  # row 4: LF2024103
    detail = [r[0] for r in book["线索明细"].iter_rows(min_row=2, values_only=True)]
    assert detail == ["LF2024101", "LF2024102", "LF2024103"]


def test_excluded_rows_go_to_their_rep(out):
    book = openpyxl.load_workbook(reps(out) / "李四／销售二部.xlsx")
    problems = list(book["数据问题"].iter_rows(min_row=2, values_only=True))
    # LF2024203 is on Excel row 7 (header row 1, then 201 on row 5, 202 on 6, 203 on 7).
    assert [(p[0], p[3], p[8]) for p in problems] == [("错误", 7, "missing_first_contact")]
    # 状态 is the 25th column: the 22 rules columns, 阶段进入日期来源, 流失阶段来源, then 状态.
    detail = [(r[0], r[24]) for r in book["线索明细"].iter_rows(min_row=2, values_only=True)]
    assert detail == [("LF2024201", "在跟"), ("LF2024202", "流失"), ("LF2024203", "已排除(数据错误)")]
    funnel = {r[0]: r for r in book["漏斗分析"].iter_rows(min_row=4, max_row=9, values_only=True)}
    # 李四: 202 lost at 需求挖掘 (index 1), 201 active in 方案提案 (2) → reached [2, 2, 1, 0, 0, 0],
    # exited = reached − active in stage = [2, 2, 0, …]: 需求挖掘 pass 1/2, loss 1/2.
    # Team: at or past each stage [301, 103 + 202, 201, 101, —, 102] = [1, 2, 1, 1, 0, 1] → reached
    # [6, 5, 3, 2, 1, 1]; exited(需求挖掘) = 5 − 1 (103) = 4: pass 3/4, loss 1/4.
    # Columns: 阶段, 当前, 累计到达, 已离开, 本人通过率, its k/n, 全队通过率, 本人流失率, its k/n, 全队流失率.
    assert funnel["需求挖掘"][4] == pytest.approx(0.5) and funnel["需求挖掘"][6] == pytest.approx(3 / 4)
    assert funnel["需求挖掘"][7] == pytest.approx(0.5) and funnel["需求挖掘"][9] == pytest.approx(1 / 4)
    # 1 of 2: Wilson 95% interval 9%–91% (p = 0.5, n = 2: centre (0.5 + 0.9604)/2.9208 = 0.5,
    # half 1.96/2.9208 × √(0.125 + 0.2401) = 0.671 × 0.6042 = 0.405), a small sample (< 10).
    assert funnel["需求挖掘"][5] == "1/2 · 9%–91% 样本少"
    cell = book["漏斗分析"]["E5"]
    # 50% is below the team's 75%, but 1 of 2 is no evidence: grey, not red.
    assert not cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell.font.color.rgb.endswith("A6A6A6") and cell.font.i


def test_rep_json(out):
    payload = json.loads((reps(out) / "张伟.json").read_text(encoding="utf-8"))
    assert (payload["name"], payload["kind"], payload["workbook"]) == (ZHANG, "owner", "张伟.xlsx")
    assert payload["figures"]["totals"]["valid"] == 3
    assert payload["figures"]["pipeline"] == pytest.approx(999.99)
    assert payload["team"]["win_rate"] == pytest.approx(0.5)
    assert "pipeline" not in payload["team"] and "amount" not in payload["team"]["stages"][0]
    assert [(a["kind"], a["lead_id"], a["days"]) for a in payload["alerts"]] == [
        ("stalled", "LF2024103", 21), ("overdue", "LF2024101", 11), ("stale", "LF2024103", 21),
    ]
    assert payload["problems"] == {"error": 0, "warning": 1}


def _xlsx_texts(path: Path) -> list[str]:
    """Every cell value, sheet name and defined name (openpyxl), and every part of the zip."""
    texts = []
    book = openpyxl.load_workbook(path)
    texts += book.sheetnames
    texts += [str(d.attr_text) for d in book.defined_names.values()]
    for ws in book.worksheets:
        texts += [str(d.attr_text) for d in ws.defined_names.values()]
        texts += [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            raw = archive.read(name).decode("utf-8")
            texts += [name, raw, html.unescape(raw)]
    return texts


@pytest.mark.parametrize("owner", [ZHANG, LI, MASKED])
def test_a_rep_file_holds_nothing_of_another_rep(out, owner):
    stem = FILES[owner]
    texts = _xlsx_texts(reps(out) / f"{stem}.xlsx")
    texts.append((reps(out) / f"{stem}.json").read_text(encoding="utf-8"))
    blob = "\n".join(texts)
    for other, tokens in PRIVATE.items():
        if other == owner:
            continue
        for token in tokens:
            assert token not in blob, f"{token!r} of {other} appears in {stem}"
    # The check can fail: the rep's own lead IDs, customers and amounts are there.
    own = "\n".join(texts)
    for token in PRIVATE[owner]:
        if token != "李四":
            assert token in own, f"{token!r} missing from {stem}"


def test_source_workbook_holds_only_its_channel(out):
    folder = out / "2024-05" / "sources"
    blob = "\n".join(_xlsx_texts(folder / "官网表单.xlsx"))
    # 官网表单 holds only LF2024201 (李四); nothing of the other channels' leads.
    assert "LF2024201" in blob and "4321.09" in blob and LI in blob
    for token in ["LF2024101", "LF2024202", "LF2024301", "987.65", "7777.31", "3456.78", "甲方科技"]:
        assert token not in blob
    book = openpyxl.load_workbook(folder / "官网表单.xlsx")
    header = [c.value for c in book["在跟线索"][7]]
    assert header[-1] == "负责人"


def test_same_input_gives_byte_identical_outputs(tracking, tmp_path):
    def run(out: Path) -> dict[str, bytes]:
        result = CliRunner().invoke(
            cli,
            ["rebuild", str(tracking), "--month", "2024-05", "--out", str(out), "--json",
             str(out / "figures.json"), "--split-by", "owner", "--split-by", "source"],
        )
        assert result.exit_code == 1, result.output
        # The history store (history.sqlite) records when each run happened: not compared.
        return {
            str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "history.sqlite"
        }

    first, second = run(tmp_path / "a"), run(tmp_path / "b")
    # report, JSON, manifest, 3 reps and 4 channels × (workbook + JSON)
    assert len(first) == 3 + 2 * 3 + 2 * 4
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_a_rep_who_left_is_removed_and_other_files_kept(tracking, tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["--month", "2024-05", "--out", str(out), "--split-by", "owner"]
    assert runner.invoke(cli, ["rebuild", str(tracking), *args]).exit_code == 1
    mine = reps(out) / "notes.txt"
    mine.write_text("the manager's own file", encoding="utf-8")
    fewer = write_workbook(tmp_path / "fewer.xlsx", [r for r in ROWS if r["负责人"] != MASKED])
    assert runner.invoke(cli, ["rebuild", str(fewer), *args]).exit_code == 1
    assert sorted(p.name for p in reps(out).iterdir()) == [
        "notes.txt", "张伟.json", "张伟.xlsx", "李四／销售二部.json", "李四／销售二部.xlsx",
    ]


# ---------------------------------------------------------------------------
# File names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["*销售代表", "销售代表"], ["＊销售代表", "销售代表"]),
        (['a<b>c:d"e/f\\g|h?i*j'], ["a＜b＞c：d＂e／f＼g｜h？i＊j"]),
        (["  王 芳  ", "..hidden", "trailing. . "], ["王 芳", "hidden", "trailing"]),
        (["", " ", "\t\n"], ["未命名", "未命名 (2)", "未命名 (3)"]),
        (["CON", "nul.backup", "Com1", "LPT9 ", "console"], ["_CON", "_nul.backup", "_Com1", "_LPT9", "console"]),
        (["Bob", "BOB", "bob"], ["Bob", "BOB (2)", "bob (3)"]),
        (["A*", "A＊"], ["A＊", "A＊ (2)"]),
        (["e\u0301", "\u00e9"], ["\u00e9", "\u00e9 (2)"]),  # the same name, decomposed and composed
        (["manifest"], ["manifest (2)"]),  # taken below
        (["销" * 50], ["销" * 40]),  # 3 bytes each: 120 bytes
        (["销" * 50, "销" * 45], ["销" * 40, "销" * 38 + " (2)"]),  # 38 × 3 + 4 = 118 ≤ 120
    ],
)
def test_safe_file_stems(names, expected):
    assert list(safe_file_stems(names, taken=["manifest"]).values()) == expected


_FORBIDDEN = set('<>:"/\\|?*')


@given(st.lists(st.text(max_size=60), max_size=8, unique=True))
def test_file_stems_are_safe_everywhere(names):
    stems = list(safe_file_stems(names).values())
    assert len(stems) == len(names)
    folded = {unicodedata.normalize("NFC", s).casefold() for s in stems}
    assert len(folded) == len(stems)  # unique on case-insensitive, normalising file systems
    for stem in stems:
        assert stem and not _FORBIDDEN & set(stem)
        assert all(unicodedata.category(ch) != "Cc" for ch in stem)
        assert stem[-1] not in " ." and stem[0] not in " ."
        assert stem.split(".")[0].rstrip(" ").casefold() not in {"con", "prn", "aux", "nul", "com1", "lpt1"}
        assert len(unicodedata.normalize("NFD", stem).encode("utf-8")) <= MAX_STEM_BYTES


def test_file_stems_can_be_created(tmp_path):
    names = ["*销售代表", "李四/销售二部", "王 芳 ", "CON", "a:b", "x" * 300, "销" * 100, "Ａ", "A"]
    for stem in safe_file_stems(names).values():
        path = tmp_path / f"{stem}.xlsx"
        path.write_bytes(b"x")
        assert path.exists() and path.parent == tmp_path


def test_a_rep_whose_rows_all_have_errors_still_gets_their_problems(tmp_path):
    rows = [*ROWS, lead("LF2024401", "需求挖掘", None, owner="周八", last=D(2024, 5, 3))]
    tracking = write_workbook(tmp_path / "t.xlsx", rows)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["rebuild", str(tracking), "--month", "2024-05", "--out", str(out), "--split-by", "owner"]
    )
    assert result.exit_code == 1, result.output
    book = openpyxl.load_workbook(reps(out) / "周八.xlsx")
    got = {r[0]: r[1] for r in book["总览"].iter_rows(min_row=5, max_col=2, values_only=True)}
    # No valid lead; the one row (Excel row 9) is excluded for the missing first contact.
    assert (got["有效线索"], got["排除(数据错误)"], got["数据问题(错误)"]) == (0, 1, 1)
    problems = list(book["数据问题"].iter_rows(min_row=2, values_only=True))
    assert [(p[3], p[8]) for p in problems] == [(9, "missing_first_contact")]


def test_a_groups_view_is_its_rows_beside_the_teams_figures(tracking, rules):
    analysis = analyse([tracking], rules, month="2024-05")
    group = select_group(analysis, "owner", LI)
    view = group.view
    assert (group.kind, view.kind, view.name) == (GroupKind.OWNER, "owner", LI)
    # 李四's own figures: 2 valid leads (LF2024201, LF2024202), 1 row excluded (LF2024203);
    # the team's: 6 valid leads of 7 rows. The team's analysis is left as it was.
    assert (view.figures.totals.valid, view.figures.totals.excluded) == (2, 1)
    assert (view.team.totals.valid, view.team.totals.total) == (6, 7)
    assert view.team is analysis.team and group.analysis is analysis
    assert sorted(view.leads["lead_id"]) == ["LF2024201", "LF2024202"]
    assert list(view.excluded["lead_id"]) == ["LF2024203"]
    assert {p.row for p in view.problems} == {7}  # LF2024203 is the 6th lead: Excel row 7
    assert len(analysis.result.leads) == 6
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysis.period = "2024-06"
    with pytest.raises(ValueError, match="unknown group kind"):
        select_group(analysis, "team", LI)
