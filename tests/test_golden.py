"""The example's outputs, byte for byte: a guard while code moves without meaning to change output.

The SHA-256 of every file `rebuild examples/sample_tracking.xlsx --as-of 2024-05-31 --split-by owner
--json` writes (the history store aside: SQLite pages are not byte-stable) and of
`validate --format json`. The JSON files name the rules file they were made with; the default rules'
path depends on where the package lives, so it is replaced by a placeholder before hashing. A
change that means to alter an output re-records the figures here and
names the change in its commit (print them with `python -m tests.test_golden`).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from click.testing import CliRunner

from funnel_xl.cli import cli
from funnel_xl.rules import default_rules_path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_tracking.xlsx"

EXPECTED = {
    "2024-05/manifest.json": "32926348b64c87476c058eadaaacd6c461fc9562cc618d9c424935c962cfbdee",
    "2024-05/reps/刘洋.json": "555c99e06295e4ed4cc4947c7ebed6a3cc7b735ad1511645a0d363204134775c",
    "2024-05/reps/刘洋.xlsx": "a9c659086bee3c269e37f4c5284e330177469db59cb9c9e27b7351c1f8f29a72",
    "2024-05/reps/孙浩.json": "3fa2784b3ee4081b947bef2e643fddb5c30abc8fdd3e7dcf2ba195ad6a30ae8a",
    "2024-05/reps/孙浩.xlsx": "8f25136b476a53ac76b85352d26dc4666fdca305b973e9a413b798011bcc4a62",
    "2024-05/reps/张伟.json": "2f67ce1b4f6b8a0f4bc26a1f38d5776535565f6b4a92f2f7d76250976df476a6",
    "2024-05/reps/张伟.xlsx": "c1900826541fede7a369469606b98310313102904b66786eee9943e50285777a",
    "2024-05/reps/李娜.json": "3680ef9c41114339a36c1a8488ee44c898d633cfbe1feaf11a233ea2100a36fe",
    "2024-05/reps/李娜.xlsx": "9a78e5a66e41159bac783e7d3c6d7c88b4f4cac02903d9eaca6afc9ecb8e9aa8",
    "2024-05/reps/王磊.json": "b4ec3c18883759c079234982b63766244eca34e73efafb35b567afcadcebdf61",
    "2024-05/reps/王磊.xlsx": "bb7859e8a5a5bd08e25bb4c0a27e03147f84c8710a97903a4680b7b6650a53e7",
    "2024-05/reps/赵敏.json": "f724baabe18f5510b01fb4ea97362d2d1f27b5f5b478e4e5f71943c5c9bcdecb",
    "2024-05/reps/赵敏.xlsx": "4d88052d09b2459ea6d662c3447d8520c0185e742009b445ab6702e13742a390",
    "2024-05/reps/陈静.json": "e98fbdbe4a0853ff77ad63da6560c562bdbbbe9a451504790c33fbd42b851da7",
    "2024-05/reps/陈静.xlsx": "2b1a8fc7ac411468b1f9de86a28843908f8b2213f06a672e44644879652d78c4",
    "2024-05/reps/＊销售代表.json": "8fc2b94dda3714fe6d1129e8337b89e361ab5d250e94bdd23dd18aa0edbafe91",
    "2024-05/reps/＊销售代表.xlsx": "b26f740e03342803bee3ad8ac1921ca87793aca463adc708698133567fc3f377",
    "figures.json": "34216586f718578e2bcc1535d40a201adeb32d69ad934e5fc778167ca30fb79f",
    "funnel_report_2024-05.xlsx": "941b00b32d50f8a2a880b860c32fb84ec80c9b9fc8f285c4bbdc82326746a286",
    "validate --format json": "c356ba41ad8dcd7cedb2bbd48fc5fe465da97ef2c33ff6ff0c1e95bd1fb98f95",
}


def digests(out: Path) -> dict[str, str]:
    runner = CliRunner()
    rebuild = runner.invoke(cli, [
        "rebuild", str(EXAMPLE), "--as-of", "2024-05-31", "--split-by", "owner",
        "--out", str(out), "--json", str(out / "figures.json"), "-q",
    ])
    assert rebuild.exit_code == 1, rebuild.output  # the example's planted errors
    validate = runner.invoke(cli, ["validate", str(EXAMPLE), "--as-of", "2024-05-31", "--format", "json"])
    assert validate.exit_code == 1, validate.output
    found = {
        path.relative_to(out).as_posix(): _digest(path)
        for path in sorted(out.rglob("*")) if path.is_file() and path.name != "history.sqlite"
    }
    found["validate --format json"] = hashlib.sha256(validate.stdout.encode()).hexdigest()
    return found


def _digest(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".json":
        # The rules found are the repository's rules/funnel.toml beside examples/ (the team folder
        # of the example), the same file as the built-in rules.
        for rules in (default_rules_path(), Path(__file__).resolve().parents[1] / "rules" / "funnel.toml"):
            data = data.replace(json.dumps(str(rules))[1:-1].encode(), b"<default rules>")
    return hashlib.sha256(data).hexdigest()


def test_example_outputs_unchanged(tmp_path):
    assert digests(tmp_path / "out") == EXPECTED


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        json.dump(digests(Path(folder) / "out"), sys.stdout, indent=4, ensure_ascii=False)
