"""The history store: three monthly rebuilds of one workbook without a log, estimated transitions
and the trend; re-runs, any order, migration from an older store, damaged and locked stores.

A real SQLite file in tmp_path every time; expected figures worked out by hand in the comments.
"""

import json
import shutil
import sqlite3
import subprocess
import warnings
from datetime import date, datetime

import openpyxl
import pytest
from click.testing import CliRunner

from funnel_xl import InputError, OutputError, analyse, write_outputs
from funnel_xl import store as store_module
from funnel_xl.cli import cli
from funnel_xl.store import SCHEMA_VERSION, HistoryStore
from tests.conftest import (
    lead,
    rules_before_required_fields,
    rules_before_required_fields_path,
    write_workbook,
)

D = date
# Stages (default rules): 0 潜在接触 (p 0.05), 1 需求挖掘 (0.15), 2 方案提案 (0.35), 3 商务谈判 (0.6),
# 4 成交待签约 (0.9), 5 已成交. No follow-up log in any version. Rows: P 2, Q 3, R 4, S 5, U 6, T 7.


def march():
    return [
        # P: 需求挖掘 since 03-05 (the column).
        lead("LF2024001", "需求挖掘", D(2024, 2, 1), last=D(2024, 3, 20), entered=D(2024, 3, 5), amount=20),
        # Q: 潜在接触, entered = first contact 03-10.
        lead("LF2024002", "潜在接触", D(2024, 3, 10), last=D(2024, 3, 25), amount=40),
        # R: 商务谈判, no entered date anywhere.
        lead("LF2024003", "商务谈判", D(2024, 1, 15), last=D(2024, 3, 28), amount=60),
        # S: 成交待签约 since 03-15.
        lead("LF2024004", "成交待签约", D(2024, 2, 10), last=D(2024, 3, 15), entered=D(2024, 3, 15), amount=30),
        # U: stays in 潜在接触 all along.
        lead("LF2024006", "潜在接触", D(2024, 3, 1), last=D(2024, 3, 1)),
    ]


def april():
    return [
        # P moved on to 方案提案, but 阶段进入日期 still says 03-05 (not updated): estimated by its
        # last follow-up 04-18, which lies between the March and April rebuilds.
        lead("LF2024001", "方案提案", D(2024, 2, 1), last=D(2024, 4, 18), entered=D(2024, 3, 5), amount=20),
        # Q moved to 需求挖掘 and the rep wrote the new date 04-12: dated by the column.
        lead("LF2024002", "需求挖掘", D(2024, 3, 10), last=D(2024, 4, 20), entered=D(2024, 4, 12), amount=40),
        # R was lost, without 流失阶段, last follow-up still 03-28 (before the March rebuild):
        # dated by the April as-of date 04-30, lost at 商务谈判 (its March stage).
        lead("LF2024003", "无效线索", D(2024, 1, 15), last=D(2024, 3, 28), amount=60),
        lead("LF2024004", "成交待签约", D(2024, 2, 10), last=D(2024, 4, 10), entered=D(2024, 3, 15), amount=30),
        lead("LF2024006", "潜在接触", D(2024, 3, 1), last=D(2024, 4, 2)),
    ]


def may():
    return [
        # P: still 方案提案, still 03-05 in the column: the store's 04-18 stays.
        lead("LF2024001", "方案提案", D(2024, 2, 1), last=D(2024, 5, 20), entered=D(2024, 3, 5), amount=20),
        # Q jumped to 商务谈判, column not updated (04-12): estimated by its last follow-up 05-03.
        lead("LF2024002", "商务谈判", D(2024, 3, 10), last=D(2024, 5, 3), entered=D(2024, 4, 12), amount=40),
        lead("LF2024003", "无效线索", D(2024, 1, 15), last=D(2024, 3, 28), amount=60),
        # S won, the rep wrote 05-06: dated by the column; cycle 02-10 → 05-06 = 19 + 31 + 30 + 6 = 86 days.
        lead("LF2024004", "已成交", D(2024, 2, 10), last=D(2024, 5, 6), entered=D(2024, 5, 6), amount=30),
        lead("LF2024006", "潜在接触", D(2024, 3, 1), last=D(2024, 5, 2)),
        # T: new in May.
        lead("LF2024005", "潜在接触", D(2024, 5, 15), last=D(2024, 5, 15)),
    ]


VERSIONS = {"2024-03": march, "2024-04": april, "2024-05": may}


@pytest.fixture
def runner():
    return CliRunner()


def rebuild(runner, tmp_path, month, *extra):
    book = write_workbook(tmp_path / f"tracking_{month}.xlsx", VERSIONS[month]())
    out = tmp_path / "out"
    json_path = tmp_path / f"figures_{month}.json"
    result = runner.invoke(
        cli, ["rebuild", str(book), "--month", month, "--out", str(out), "--json", str(json_path),
              "--history", str(tmp_path / "history.sqlite"),
              # The rules before the required fields (the leads leave them blank); a test's own last.
              "--rules", str(rules_before_required_fields_path()), *extra],
    )
    assert result.exit_code == 0, result.output
    return json.loads(json_path.read_text(encoding="utf-8")), out / f"funnel_report_{month}.xlsx", result


def moves(payload):
    return [(t["lead_id"], t["from"], t["to"], t["date"], t["source"]) for t in payload["period"]["transitions"]]


def test_three_monthly_rebuilds_without_a_log(runner, tmp_path):
    first, _, result = rebuild(runner, tmp_path, "2024-03")
    assert "此前没有更早月份的快照" in result.stdout
    assert moves(first) == []  # nothing to compare with yet
    # March: new leads Q (03-10) and U (03-01); 5 leads, nobody closed.
    assert (first["period"]["new_leads"], first["totals"]["valid"], first["win_rate"]) == (2, 5, None)

    second, april_report, result = rebuild(runner, tmp_path, "2024-04")
    assert "与 2024-03 的快照对比" in result.stdout
    assert moves(second) == [
        ("LF2024002", "潜在接触", "需求挖掘", "2024-04-12", "column"),
        ("LF2024001", "需求挖掘", "方案提案", "2024-04-18", "estimated"),
        ("LF2024003", "商务谈判", "无效线索", "2024-04-30", "estimated"),
    ]
    # April exits: 潜在接触 Q forward (1/1), 需求挖掘 P forward (1/1), 商务谈判 R lost (0/1).
    assert second["period"]["pass_rates"] == {
        "潜在接触→需求挖掘": 1.0, "需求挖掘→方案提案": 1.0, "方案提案→商务谈判": None,
        "商务谈判→成交待签约": 0.0, "成交待签约→已成交": None,
    }
    assert (second["period"]["new_leads"], second["period"]["won"], second["period"]["lost"]) == (0, 0, 1)
    april = openpyxl.load_workbook(april_report)
    problems = {(r[0], r[3], r[4], r[8]) for r in april["数据问题"].iter_rows(min_row=2, values_only=True)}
    # P's 阶段进入日期 (column O) was not updated with the stage; R's blank 流失阶段 is answered by the store.
    assert problems == {("警告", 2, "O", "stage_entered_not_updated")}

    third, may_report, _ = rebuild(runner, tmp_path, "2024-05")
    assert moves(third) == [
        ("LF2024002", "需求挖掘", "商务谈判", "2024-05-03", "estimated"),
        ("LF2024004", "成交待签约", "已成交", "2024-05-06", "column"),
    ]
    # May exits: 需求挖掘 Q forward; 方案提案 Q jumped over it, forward; 成交待签约 S forward.
    assert third["period"]["pass_rates"] == {
        "潜在接触→需求挖掘": None, "需求挖掘→方案提案": 1.0, "方案提案→商务谈判": 1.0,
        "商务谈判→成交待签约": None, "成交待签约→已成交": 1.0,
    }
    assert (third["period"]["new_leads"], third["period"]["won"], third["period"]["lost"]) == (1, 1, 0)
    assert third["period"]["cycle"] == {"mean": 86.0, "median": 86.0}

    book = openpyxl.load_workbook(may_report)
    detail = book["线索明细"]
    header = [c.value for c in detail[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in detail.iter_rows(min_row=2, values_only=True)}
    # P: 05-31 − 04-18 = 12 + 31 = 43 days in 方案提案 > 21; the date comes from the store.
    assert rows["LF2024001"]["阶段进入日期"] == datetime(2024, 4, 18)
    assert rows["LF2024001"]["阶段进入日期来源"] == "历史记录"
    assert rows["LF2024001"]["当前阶段停留时长(天)"] == 43
    assert rows["LF2024002"]["阶段进入日期来源"] == "估算(两次重建之间)"
    assert (rows["LF2024003"]["流失阶段"], rows["LF2024003"]["流失阶段来源"]) == ("商务谈判", "历史记录")
    assert rows["LF2024003"]["阶段进入日期"] == datetime(2024, 4, 30)

    flow = {r[0]: r for r in book["阶段流转"].iter_rows(values_only=True) if r[0]}
    assert flow["LF2024002"][4:8] == ("商务谈判", datetime(2024, 5, 3), "前进", "估算(两次重建之间)")
    assert flow["LF2024004"][4:8] == ("已成交", datetime(2024, 5, 6), "前进", "阶段进入日期(两次重建之间)")

    trend = {r[0]: r[1:] for r in book["趋势"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert trend["指标"] == ("2024-03", "2024-04", "2024-05")
    assert trend["数据来源"] == ("历史记录", "历史记录", "本次")
    assert trend["线索数"] == (5, 5, 6)
    # Win rate of each month's own closed leads: March nobody closed (blank); April 0 won / 1 lost
    # (R); May 1 won (S) / 0 lost (R was lost in April, not counted again).
    assert trend["本期赢单率"] == (None, 0, 1)
    assert "通过率 潜在接触→需求挖掘" not in trend  # no rate to date: each month on its own
    # Pipeline: March P 20 + Q 40 + R 60 + S 30 = 150, weighted 20×0.15 + 40×0.05 + 60×0.6 + 30×0.9 = 68;
    # April P 20 (方案提案) + Q 40 (需求挖掘) + S 30 = 90, weighted 7 + 6 + 27 = 40;
    # May P 20 + Q 40 (商务谈判) = 60, weighted 7 + 24 = 31.
    assert trend["在跟金额(万元)"] == pytest.approx((150, 90, 60))
    assert trend["加权在跟金额(万元)"] == pytest.approx((68, 40, 31))
    assert trend["本月新增线索"] == (2, 0, 1)
    assert trend["本月成交"] == (0, 0, 1)
    assert trend["本月流失"] == (0, 1, 0)
    assert trend["期间通过率 潜在接触→需求挖掘"] == (None, 1, None)
    assert trend["期间通过率 成交待签约→已成交"] == (None, None, 1)
    assert trend["本月成交周期(天)"] == (None, None, 86)
    assert len(book["趋势"]._charts) == 4


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")
def test_libreoffice_opens_the_report_with_the_trend_charts(runner, tmp_path):
    for month in VERSIONS:
        _, report, _ = rebuild(runner, tmp_path, month)
    converted = tmp_path / "lo"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(converted), str(report)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    with warnings.catch_warnings():
        # openpyxl does not know LibreOffice's own extension elements and says so.
        warnings.filterwarnings("ignore", ".* extension is not supported", UserWarning)
        book = openpyxl.load_workbook(converted / report.name)
    assert book.sheetnames[:4] == ["总览", "漏斗分析", "阶段流转", "趋势"]
    trend = {r[0]: r[1:4] for r in book["趋势"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert trend["线索数"] == (5, 5, 6)  # as written, read back through LibreOffice
    assert len(book["趋势"]._charts) == 4


def test_rerunning_a_month_replaces_it_and_months_come_in_any_order(runner, tmp_path):
    rebuild(runner, tmp_path, "2024-03")
    rebuild(runner, tmp_path, "2024-05")  # compared with March: P, Q, R, S all moved since
    april_first, _, _ = rebuild(runner, tmp_path, "2024-04")  # April after May: compared with March
    assert april_first["history"]["previous_month"] == "2024-03"
    april_again, _, _ = rebuild(runner, tmp_path, "2024-04")
    assert moves(april_again) == moves(april_first)
    store = HistoryStore(tmp_path / "history.sqlite")
    assert [r.month for r in store.runs()] == ["2024-03", "2024-04", "2024-05"]
    assert len(store.snapshot("2024-04")) == 5  # replaced, not doubled
    assert set(store.snapshot("2024-05")["lead_id"]) == {f"LF202400{i}" for i in range(1, 7)}
    run = store.runs()[1]
    assert run.as_of == D(2024, 4, 30)
    assert run.inputs[0]["file"] == "tracking_2024-04.xlsx" and len(run.inputs[0]["sha256"]) == 64
    assert run.rules_sha256 == rules_before_required_fields().sha256 and run.tool_version == "0.1.0"
    snap = store.snapshot("2024-04").set_index("lead_id")
    assert snap.loc["LF2024001", ["stage", "stage_entered", "stage_entered_source", "stage_entered_column"]].tolist() == [
        "方案提案", "2024-04-18", "between_runs", "2024-03-05",
    ]
    assert snap.loc["LF2024003", "lost_at"] == "商务谈判"


def test_no_history_reads_and_writes_nothing(runner, tmp_path):
    book = write_workbook(tmp_path / "t.xlsx", march())
    result = runner.invoke(cli, ["rebuild", str(book), "--month", "2024-03", "--out", str(tmp_path), "--no-history"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "history.sqlite").exists()
    both = runner.invoke(cli, ["rebuild", str(book), "--no-history", "--history", "h.sqlite"])
    assert both.exit_code == 2 and "只能指定一个" in both.output


def test_default_store_is_in_the_output_folder(runner, tmp_path):
    book = write_workbook(tmp_path / "t.xlsx", march())
    result = runner.invoke(cli, ["rebuild", str(book), "--month", "2024-03", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "history.sqlite").exists()
    assert f"历史记录: {tmp_path / 'out' / 'history.sqlite'}" in result.stdout


def test_analyse_alone_does_not_create_the_store(tmp_path):
    book = write_workbook(tmp_path / "t.xlsx", march())
    analysis = analyse([book], rules_before_required_fields(), month="2024-03", history=tmp_path / "h.sqlite")
    assert not (tmp_path / "h.sqlite").exists()
    write_outputs(analysis, tmp_path)
    assert (tmp_path / "h.sqlite").exists()


# ---------------------------------------------------------------------------
# An older store, a damaged one, a locked one, someone else's
# ---------------------------------------------------------------------------

V1_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE runs (month TEXT PRIMARY KEY, as_of TEXT NOT NULL, inputs TEXT NOT NULL,
                   rules_sha256 TEXT NOT NULL, tool_version TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE snapshots (month TEXT NOT NULL REFERENCES runs(month) ON DELETE CASCADE, lead_id TEXT NOT NULL,
                        stage TEXT, owner TEXT, source TEXT, amount REAL, stage_entered TEXT,
                        stage_entered_source TEXT, PRIMARY KEY (month, lead_id)) WITHOUT ROWID;
INSERT INTO runs VALUES ('2024-03', '2024-03-31', '[{"file": "old.xlsx", "sha256": "ab"}]', 'cd', '0.0.9',
                         '2024-04-01T09:00:00+00:00');
INSERT INTO snapshots VALUES ('2024-03', 'LF2024001', '需求挖掘', '张伟', '展会推广', 20, '2024-03-05', 'column');
INSERT INTO snapshots VALUES ('2024-03', 'LF2024003', '商务谈判', '张伟', '展会推广', 60, NULL, 'unknown');
"""


def test_an_older_store_is_migrated_not_dropped(tmp_path):
    path = tmp_path / "history.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_SCHEMA)
    conn.close()
    book = write_workbook(tmp_path / "t.xlsx", april())
    analysis = analyse([book], rules_before_required_fields(), month="2024-04", history=path)
    # The version-1 snapshot of March is read: P and R moved since, as in the three-month test.
    assert analysis.flow.previous_month == "2024-03"
    got = {(t.lead_id, t.to_stage, t.date.date().isoformat(), t.source)
           for t in analysis.flow.transitions.itertuples()}
    assert got == {("LF2024001", "方案提案", "2024-04-18", "estimated"),
                   ("LF2024003", "无效线索", "2024-04-30", "estimated")}
    write_outputs(analysis, tmp_path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        march_rows = conn.execute(
            "SELECT lead_id, stage, amount, expected_close, lost_at FROM snapshots WHERE month = '2024-03'"
            " ORDER BY lead_id"
        ).fetchall()
        runs = conn.execute("SELECT month, tool_version, figures IS NULL FROM runs ORDER BY month").fetchall()
    conn.close()
    assert march_rows == [("LF2024001", "需求挖掘", 20.0, None, None), ("LF2024003", "商务谈判", 60.0, None, None)]
    assert runs == [("2024-03", "0.0.9", 1), ("2024-04", "0.1.0", 0)]
    # The migrated March run has no figures: the trend has nothing for it.
    assert [m.month for m in analyse([book], rules_before_required_fields(), month="2024-04", history=path).flow.trend] == ["2024-04"]


def test_a_damaged_store_is_a_clear_error_and_no_history_still_works(runner, tmp_path):
    path = tmp_path / "history.sqlite"
    book = write_workbook(tmp_path / "t.xlsx", march())
    write_outputs(analyse([book], rules_before_required_fields(), month="2024-03", history=path), tmp_path / "first")
    data = bytearray(path.read_bytes())
    data[100:] = b"\xa5" * (len(data) - 100)  # the SQLite header kept, every page overwritten
    path.write_bytes(bytes(data))
    args = ["rebuild", str(book), "--month", "2024-04", "--out", str(tmp_path / "out")]
    result = runner.invoke(cli, [*args, "--history", str(path)])
    assert result.exit_code == 2
    assert "已损坏" in result.output and "--no-history" in result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == bytes(data)  # left as it was
    assert not (tmp_path / "out" / "funnel_report_2024-04.xlsx").exists()
    result = runner.invoke(cli, [*args, "--no-history"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "funnel_report_2024-04.xlsx").exists()


def test_a_file_that_is_no_store_is_a_wrong_path(runner, tmp_path):
    book = write_workbook(tmp_path / "t.xlsx", march())
    notes = tmp_path / "notes.txt"
    notes.write_text("the manager's notes", encoding="utf-8")
    result = runner.invoke(cli, ["rebuild", str(book), "--month", "2024-03", "--out", str(tmp_path),
                                 "--history", str(notes)])
    assert result.exit_code == 2
    assert "不是历史记录库（不是 SQLite 文件），未做任何改动" in result.output
    assert notes.read_text(encoding="utf-8") == "the manager's notes"
    before = book.read_bytes()
    result = runner.invoke(cli, ["rebuild", str(book), "--month", "2024-03", "--out", str(tmp_path),
                                 "--history", str(book)])
    assert result.exit_code == 2
    assert "就是输入文件" in result.output
    assert book.read_bytes() == before


def test_a_locked_store_is_a_clear_error(runner, tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite"
    book = write_workbook(tmp_path / "t.xlsx", march())
    write_outputs(analyse([book], rules_before_required_fields(), month="2024-03", history=path), tmp_path / "out")
    monkeypatch.setattr(store_module, "LOCK_TIMEOUT_SECONDS", 0.2)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another rebuild in the middle of writing
    try:
        result = runner.invoke(cli, ["rebuild", str(book), "--month", "2024-04", "--history", str(path),
                                     "--out", str(tmp_path / "out")])
        with pytest.raises(OutputError, match="正被另一个程序占用"):
            HistoryStore(path).runs()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 2
    assert "正被另一个程序占用" in result.output and "--no-history" in result.output


def test_someone_elses_database_is_left_alone(tmp_path):
    path = tmp_path / "crm.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(InputError, match="不是 funnel-xl 的历史记录库.*customers"):
        HistoryStore(path).runs()
    assert path.read_bytes() == before


def test_a_store_from_a_newer_version(tmp_path):
    path = tmp_path / "history.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99);")
    conn.close()
    with pytest.raises(InputError, match="更新版本的 funnel-xl"):
        HistoryStore(path).previous(D(2024, 5, 31))


@pytest.mark.parametrize(
    ("make", "library", "cli_text"),
    [
        # A folder where the store should be: the library says what to do, the CLI names its flags.
        (
            lambda p: p.mkdir(),
            "是一个文件夹，不是 SQLite 文件。请换一个路径。",
            "是一个文件夹，不是 SQLite 文件。请换一个路径（--history），可加 --no-history 跳过历史记录，照常生成本月报告。",
        ),
        # Not SQLite at all.
        (
            lambda p: p.write_bytes(b"name,stage\n"),
            "不是历史记录库（不是 SQLite 文件），未做任何改动。请检查历史记录库的路径。",
            "不是历史记录库（不是 SQLite 文件），未做任何改动。请检查 --history 指定的路径，可加 --no-history 跳过历史记录，照常生成本月报告。",
        ),
    ],
)
def test_the_store_never_names_a_flag_the_cli_adds_them(tmp_path, make, library, cli_text):
    from funnel_xl.errors import Remedy

    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "history.sqlite"  # the default store of --out
    make(path)
    with pytest.raises(InputError) as caught:
        HistoryStore(path).runs()
    assert str(caught.value).endswith(library) and "--" not in str(caught.value)
    assert caught.value.remedy == Remedy.SKIP_HISTORY
    book = write_workbook(tmp_path / "t.xlsx", march())
    result = CliRunner().invoke(
        cli, ["rebuild", str(book), "--month", "2024-04", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert cli_text in result.stderr


def test_the_period_never_names_a_flag_the_cli_adds_them():
    from funnel_xl.errors import Remedy
    from funnel_xl.period import resolve_as_of

    with pytest.raises(InputError) as caught:
        resolve_as_of(D(2024, 5, 31), "2024-05")
    assert "--" not in str(caught.value) and caught.value.remedy == Remedy.ONE_PERIOD
    result = CliRunner().invoke(cli, ["validate", "x.xlsx", "--as-of", "2024-05-31", "--month", "2024-05"])
    assert result.exit_code == 2 and "--as-of、--month、--week 与 --from/--to 只能指定一个。" in result.stderr
