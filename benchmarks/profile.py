"""Where a rebuild's (or a validate's) time goes: one run under pyinstrument, as a call tree.

    pip install pyinstrument   # or: pip install '.[bench]'
    python benchmarks/profile.py --size 10k --step rebuild [--out profile.txt]

The run is the command line's, in this process, on the benchmark's cached workbook of that size
(benchmarks/generate.py), imports included: at 10k leads starting Python and loading pandas and
pandera are a good part of the time. pyinstrument samples the main thread every millisecond; the
threads that parse sheets in the background (funnel_xl.sheets) show as the main thread waiting
for them. A sampling profiler slows Python code down somewhat, so read the shares, not the seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import AS_OF, SEED, ensure_workbook, parse_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="10k", help="lead count: 1k, 10k, 100k, 300k or a number")
    parser.add_argument("--step", choices=("rebuild", "validate"), default="rebuild")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", help="write the call tree here (default: standard output)")
    args = parser.parse_args()
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pyinstrument is not installed: pip install pyinstrument") from None

    source = ensure_workbook(parse_size(args.size), args.seed, log=lambda text: print(text, file=sys.stderr))
    with tempfile.TemporaryDirectory(prefix="funnel-profile-") as tmp:
        argv = [args.step, str(source), "--as-of", AS_OF.isoformat(), "--quiet"]
        if args.step == "rebuild":
            argv += ["--out", tmp]
        profiler = Profiler(interval=0.001)
        started = time.perf_counter()
        profiler.start()
        try:
            from funnel_xl.cli import cli

            with contextlib.redirect_stdout(io.StringIO()):  # the problems list, the summary
                cli.main(argv, prog_name="funnel-xl", standalone_mode=False)
        except SystemExit:
            pass
        finally:
            profiler.stop()
        wall = time.perf_counter() - started
    tree = profiler.output_text(unicode=True, color=False)
    text = f"funnel-xl {args.step} of {source.name}: {wall:.2f} s wall under the profiler\n{tree}"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
