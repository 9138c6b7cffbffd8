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
    "2024-05/manifest.json": "382f42c655cb60095cf03856a7b430fcf3b73c8e9dd379cf0bcd65049a5a0d7d",
    "2024-05/reps/刘洋.json": "91864d4276aea55d6ef974ba1f99f77f5e871c982cc8e499aa5a2c2e9ed800cc",
    "2024-05/reps/刘洋.xlsx": "36e145b2d5cc774b28053e4b83bb715117f460959a71f85b900e3bf83e5cbc19",
    "2024-05/reps/孙浩.json": "bc2825126729f7ad9dad18a815263c662c59e2e5253c6b3403ce3b1a06abfaab",
    "2024-05/reps/孙浩.xlsx": "e5b9c0c1a62778782244cb7520f5ce3391d2822568fa6caeb0c4244789a0bcf3",
    "2024-05/reps/张伟.json": "88beef30b4549a7573be3ed5fd280029212c50e6cc599a95d17010f8e8f4fb1b",
    "2024-05/reps/张伟.xlsx": "d8d9b41c8b01ff34141363ccdf3877fd856926e097a55fe7c1631649794177c6",
    "2024-05/reps/李娜.json": "cf21e2dc7afc0f5a144f51521bac4765f8ecd444ae896282b113da10e4f58f46",
    "2024-05/reps/李娜.xlsx": "38a6ca0fa63208b625f4c943dd506beb9ee8874cbc4e5a79a40da9f658bf9a21",
    "2024-05/reps/王磊.json": "21de3694e132ad6ccdf493f0991fb71802ac85319ed0dc9ae7cba4f47f269eee",
    "2024-05/reps/王磊.xlsx": "dadd0303f44b5eb139cec94e4d753fea319698fda2f58d897582d862fdba5c0d",
    "2024-05/reps/赵敏.json": "4308828f3a9506c0ac021d1b83f88a6e0feb4be209feadc0079f68fe255ac3a1",
    "2024-05/reps/赵敏.xlsx": "9cf9f84b7c20817b222c44a56de58913abc66acaccf1f65f5d8bb6303aaf8285",
    "2024-05/reps/陈静.json": "001defac77c8e10747b28f765cdb19270f21b8284f48fbe9f12f4ccc39295925",
    "2024-05/reps/陈静.xlsx": "a429e72f0918fe248f3ff552624567dd4cdae024ebc3daab578d2e6c8269c506",
    "2024-05/reps/＊销售代表.json": "3deb3d40fbf95a5daf4a854963bf11b4dcc9b83c9338a966bb0f38897f419d39",
    "2024-05/reps/＊销售代表.xlsx": "6399094f40af305e700434618b6c2a1672e1a9e03052b967e84ac1c36a06c7ee",
    "figures.json": "3aba876a5beaffec9fba3579f3d0e05f00864af34bded6bf15d79f6c1260d9f1",
    "funnel_report_2024-05.xlsx": "674feaa762a73408d8cc1920ab5223caf7d2e06d914e0fbc659666d2b23c7c10",
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
