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
    "2024-05/manifest.json": "0775e0b01aa6cf19a32078082fb72a380b2456151c38bc4d0026791248349cc5",
    "2024-05/reps/刘洋.json": "91864d4276aea55d6ef974ba1f99f77f5e871c982cc8e499aa5a2c2e9ed800cc",
    "2024-05/reps/刘洋.xlsx": "a9c659086bee3c269e37f4c5284e330177469db59cb9c9e27b7351c1f8f29a72",
    "2024-05/reps/孙浩.json": "bc2825126729f7ad9dad18a815263c662c59e2e5253c6b3403ce3b1a06abfaab",
    "2024-05/reps/孙浩.xlsx": "8f25136b476a53ac76b85352d26dc4666fdca305b973e9a413b798011bcc4a62",
    "2024-05/reps/张伟.json": "88beef30b4549a7573be3ed5fd280029212c50e6cc599a95d17010f8e8f4fb1b",
    "2024-05/reps/张伟.xlsx": "c1900826541fede7a369469606b98310313102904b66786eee9943e50285777a",
    "2024-05/reps/李娜.json": "cf21e2dc7afc0f5a144f51521bac4765f8ecd444ae896282b113da10e4f58f46",
    "2024-05/reps/李娜.xlsx": "9a78e5a66e41159bac783e7d3c6d7c88b4f4cac02903d9eaca6afc9ecb8e9aa8",
    "2024-05/reps/王磊.json": "21de3694e132ad6ccdf493f0991fb71802ac85319ed0dc9ae7cba4f47f269eee",
    "2024-05/reps/王磊.xlsx": "bb7859e8a5a5bd08e25bb4c0a27e03147f84c8710a97903a4680b7b6650a53e7",
    "2024-05/reps/赵敏.json": "4308828f3a9506c0ac021d1b83f88a6e0feb4be209feadc0079f68fe255ac3a1",
    "2024-05/reps/赵敏.xlsx": "4d88052d09b2459ea6d662c3447d8520c0185e742009b445ab6702e13742a390",
    "2024-05/reps/陈静.json": "001defac77c8e10747b28f765cdb19270f21b8284f48fbe9f12f4ccc39295925",
    "2024-05/reps/陈静.xlsx": "2b1a8fc7ac411468b1f9de86a28843908f8b2213f06a672e44644879652d78c4",
    "2024-05/reps/＊销售代表.json": "3deb3d40fbf95a5daf4a854963bf11b4dcc9b83c9338a966bb0f38897f419d39",
    "2024-05/reps/＊销售代表.xlsx": "b26f740e03342803bee3ad8ac1921ca87793aca463adc708698133567fc3f377",
    "figures.json": "1af99290de151972ce897816aa165cadb313782d32313794efca11db1654289f",
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
