"""Run mutmut's mutants of one module against that module's own test files.

mutmut's own run first traces the whole test selection ("stats", 20+ minutes on a shared machine)
and then gives every survivor all the tests that reach its function (minutes each). This driver
skips both: it makes mutmut's mutants/ copy (mutmut's own generation step), then runs each mutant
of one module against the test files given, stopping at the first failure, each in a forked child
of one process that has already imported pandas, pandera and pytest. The results go into mutmut's
own record (mutants/<module>.meta), so `mutmut results` and `mutmut show NAME` read them.

    nice -n 19 python scripts/mutate_module.py funnel_xl/forecast.py tests/test_forecast.py ...
    nice -n 19 python scripts/mutate_module.py --again funnel_xl/forecast.py tests/...  # retest all

A mutant that survives here may still be killed by a test file not given; one marked killed
cannot survive (a mutant that breaks a test is killed whatever else runs).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

KILLED, SURVIVED, TIMEOUT = 1, 0, 36
PRELOAD = ("numpy", "pandas", "pandera.pandas", "openpyxl", "xlsxwriter", "click", "hypothesis", "pytest")


def generate_mutants() -> None:
    """mutmut's generation step alone: copy the project into mutants/ and write the mutants."""
    from mutmut.__main__ import create_mutants
    from mutmut.mutation.trampoline import set_mutant_under_test
    from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir

    set_mutant_under_test("mutant_generation")
    os.makedirs("mutants", exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    create_mutants(1)
    os.environ.pop("MUTANT_UNDER_TEST", None)


def preload() -> None:
    """Import the libraries and the (mutated) package once, here, so that each child inherits them.

    Safe because a mutant is switched on when its function is called, not when it is imported; a
    mutant of a function called only while the package is imported survives here (none is).
    """
    import pkgutil

    sys.dont_write_bytecode = False  # compile each test file once, not once per mutant
    for name in PRELOAD:
        __import__(name)
    package = __import__("funnel_xl")
    assert package.__file__.startswith(os.getcwd()), "funnel_xl must come from mutants/"
    for module in pkgutil.walk_packages(package.__path__, "funnel_xl."):
        if module.name != "funnel_xl.__main__":
            __import__(module.name)


def run_child(mutant: str, tests: list[str]) -> int:
    """Fork, run pytest on the tests with the mutant switched on, return pytest's exit code."""
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.environ["MUTANT_UNDER_TEST"] = mutant
        import pytest

        # pandera's typeguard is a pytest plugin too, imported here before pytest could rewrite it.
        quiet = ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
        code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", *quiet, *tests])
        os._exit(int(code))
    return pid


def wait_for(pid: int, limit: float) -> int:
    deadline = time.monotonic() + limit
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return TIMEOUT
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("module", help="the source file, e.g. funnel_xl/forecast.py")
    parser.add_argument("tests", nargs="+", help="test files run against each mutant")
    parser.add_argument("--again", action="store_true", help="retest mutants already tested")
    parser.add_argument("--survivors", action="store_true", help="retest the mutants that survived")
    parser.add_argument("--only", default="", help="test only mutants whose name contains this")
    args = parser.parse_args()

    generate_mutants()
    meta_path = (Path("mutants") / (args.module + ".meta")).resolve()
    os.chdir("mutants")
    sys.path.insert(0, os.getcwd())
    preload()

    run_mutants(
        args.module, meta_path, lambda key: run_child(key, args.tests),
        retest_survivors=args.survivors, again=args.again, only=args.only, baseline=3600, factor=10, floor=60,
    )


def run_mutants(
    module: str, meta_path: Path, child: Callable[[str], int], *, retest_survivors: bool, again: bool,
    only: str, baseline: float, factor: float, floor: float,
) -> None:
    """Check the tests pass with no mutant and fail with every mutated function raising, then run
    ``child`` (it forks; its pid is waited for) for each mutant to test, recording each result in
    mutmut's record at once; a mutant's time limit is ``factor`` × the clean run, at least ``floor``."""
    started = time.monotonic()
    if wait_for(child(""), baseline) != 0:
        sys.exit("the tests fail without any mutant: fix that first")
    limit = max(floor, factor * (time.monotonic() - started))
    if wait_for(child("fail"), limit) == 0:
        sys.exit("the tests pass with every mutated function raising: they do not reach the module")
    meta = json.loads(meta_path.read_text())
    codes = meta["exit_code_by_key"]
    retest = {None} | ({SURVIVED} if retest_survivors else set())
    todo = [k for k, v in codes.items() if only in k and (again or v in retest)]
    print(f"{len(todo)} mutants to test, {limit:.0f} s limit each", flush=True)
    for number, key in enumerate(todo, 1):
        code = wait_for(child(key), limit)
        codes[key] = code if code in (SURVIVED, TIMEOUT) else KILLED
        meta_path.write_text(json.dumps(meta, indent=4))
        if codes[key] == SURVIVED:
            print(f"[{number}/{len(todo)}] survived {key}", flush=True)
    status = {KILLED: "killed", SURVIVED: "survived", TIMEOUT: "timeout"}
    tally: dict[str, int] = {}
    for code in codes.values():
        label = status.get(code, "not tested" if code is None else f"exit {code}")
        tally[label] = tally.get(label, 0) + 1
    print(module, len(codes), "mutants:", ", ".join(f"{n} {label}" for label, n in sorted(tally.items())))

if __name__ == "__main__":
    main()
