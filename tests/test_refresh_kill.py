"""A refresh killed at any moment leaves the rep's workbook whole: the old file or the new one.

``funnel-xl refresh`` runs in a subprocess and gets SIGKILL (no cleanup runs) at 20 moments
spread over a whole run, from start-up to the file moved into place. Each time the workbook must be
byte for byte the original or the complete refreshed file (which openpyxl reads), and once it is
the refreshed one, the backup beside it must be the original.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import openpyxl
import pytest

from funnel_xl.demo import demo_data
from funnel_xl.template import write_tracking_workbook
from tests.test_refresh import AS_OF, backups

RUNS = 20

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def refresh(path):
    return subprocess.Popen(
        [sys.executable, "-m", "funnel_xl", "refresh", str(path), "--as-of", AS_OF.isoformat(), "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def test_a_killed_refresh_leaves_the_old_file_or_the_new_one(tmp_path, rules):
    data = demo_data(rules, seed=7, n_leads=400, as_of=AS_OF)
    original = tmp_path / "original.xlsx"
    write_tracking_workbook(original, rules, data.leads, list(data.log_dicts()))
    old = original.read_bytes()

    # One complete run: the refreshed bytes, and how long a run takes here.
    whole = tmp_path / "whole"
    whole.mkdir()
    shutil.copy(original, whole / "rep.xlsx")
    started = time.perf_counter()
    assert refresh(whole / "rep.xlsx").wait() in (0, 1)
    duration = time.perf_counter() - started
    new = (whole / "rep.xlsx").read_bytes()
    assert new != old
    ws = openpyxl.load_workbook(whole / "rep.xlsx")["线索跟踪"]
    assert ws.max_row > 400

    moments = random.Random(2024)
    outcomes = set()
    for run in range(RUNS):
        folder = tmp_path / f"run{run}"
        folder.mkdir()
        path = folder / "rep.xlsx"
        shutil.copy(original, path)
        process = refresh(path)
        time.sleep(moments.uniform(0, duration * 1.1))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        now = path.read_bytes()
        assert now in (old, new), f"run {run}: the workbook is neither the old nor the new file"
        kept = backups(folder)
        if now == new:
            outcomes.add("new")
            assert len(kept) == 1 and (folder / kept[0]).read_bytes() == old
        else:
            outcomes.add("old")
            assert all((folder / name).read_bytes() == old for name in kept)
    assert outcomes  # (which of the two each run left depends on the machine's speed)
