"""Run the report sheets' mutants against their fast tests in-process (no pytest per mutant).

The sibling of scripts/mutate_module.py for ``funnel_xl/report/*.py``: the same mutmut generation
step, the same ``mutants/`` copy and record (``mutants/<module>.meta``, read by ``mutmut results``
and ``mutmut show NAME``), one forked child per mutant, and the same two checks first (the tests
pass with no mutant, and fail with every mutated function raising). But the child does not start
pytest: the parent imports tests/test_report_mut_sheets.py once and builds its hand-made analysis
once (building it calls none of the report's code, the only code mutated here); each child, with
one mutant switched on, calls the selected test functions directly — their fixtures resolved by
name, warnings as errors as in the project's pytest setting — and the mutant is killed when any
of them raises. About ten times as many mutants a minute as starting pytest in each child::

    nice -n 19 python scripts/mutate_sheets.py funnel_xl/report/trend.py trend
    nice -n 19 python scripts/mutate_sheets.py funnel_xl/report/trend.py trend --survivors --no-generate

The second argument picks the test functions whose name contains it (several, comma-separated).
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import os
import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mutate_module as driver  # noqa: E402


class _Folders:
    """tmp_path / tmp_path_factory for tests called outside pytest."""

    def __init__(self, root: Path):
        self.root = root

    def mktemp(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=name, dir=self.root))


def _runner(module, tests: list, root: Path):
    """A function that calls ``tests`` (functions of ``module``) with their fixtures, once each,
    or once per parameter set of their ``parametrize`` mark."""

    def run() -> None:
        fixtures: dict[str, object] = {}

        def value(name: str) -> object:
            if name == "tmp_path":
                return _Folders(root).mktemp("t")
            if name == "tmp_path_factory":
                return _Folders(root)
            if name not in fixtures:
                found = getattr(module, name)
                fixtures[name] = call(getattr(found, "__wrapped__", found))
            return fixtures[name]

        def call(fn, given: dict | None = None) -> object:
            given = given or {}
            return fn(*(given[p] if p in given else value(p) for p in inspect.signature(fn).parameters))

        for test in tests:
            marks = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
            if not marks:
                call(test)
                continue
            (mark,) = marks
            names = [n.strip() for n in mark.args[0].split(",")] if isinstance(mark.args[0], str) else list(mark.args[0])
            for params in mark.args[1]:
                call(test, dict(zip(names, params if len(names) > 1 else (params,), strict=True)))

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("module", help="the source file, e.g. funnel_xl/report/trend.py")
    parser.add_argument("select", help="run the test functions whose name contains this (comma-separated)")
    parser.add_argument("--survivors", action="store_true", help="retest the mutants that survived")
    parser.add_argument("--again", action="store_true", help="retest mutants already tested")
    parser.add_argument("--only", default="", help="test only mutants whose name contains this")
    parser.add_argument("--no-generate", action="store_true", help="reuse mutants/ as it is")
    args = parser.parse_args()
    if not args.no_generate:
        driver.generate_mutants()
    meta_path = (Path("mutants") / (args.module + ".meta")).resolve()
    os.chdir("mutants")
    sys.path.insert(0, os.getcwd())
    driver.preload()
    os.environ["MUTANT_UNDER_TEST"] = ""
    warnings.simplefilter("error")
    import tests.test_report_mut_sheets as module

    analysis = module.make_analysis()
    module.make_analysis = lambda **changes: dataclasses.replace(analysis, **changes)
    selected = args.select.split(",")
    tests = [f for n, f in vars(module).items() if n.startswith("test_") and callable(f) and any(s in n for s in selected)]
    print(len(tests), "tests:", [f.__name__ for f in tests], flush=True)
    run = _runner(module, tests, Path(tempfile.mkdtemp(prefix="mutate-sheets-")))

    def child(mutant: str) -> int:
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.environ["MUTANT_UNDER_TEST"] = mutant
            try:
                run()
            except BaseException:  # noqa: BLE001 — any failure kills the mutant
                os._exit(1)
            os._exit(0)
        return pid

    driver.run_mutants(
        args.module, meta_path, child,
        retest_survivors=args.survivors, again=args.again, only=args.only, baseline=600, factor=20, floor=30,
    )

if __name__ == "__main__":
    main()
