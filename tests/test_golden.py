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
    "2024-05/manifest.json": "93b0013fb109c502cbd886da33f32f0c5b39ac8b39c331799885a86177cf5d11",
    "2024-05/reps/刘洋.json": "2063569b66c971069891b85d730c44b32632c30e65336871ff16d4a8e59955d2",
    "2024-05/reps/刘洋.xlsx": "c64f754f89e9e6e362d16a70d30e9cd8dba93bb6eee73800b08a09bd0472f166",
    "2024-05/reps/孙浩.json": "fbc083ff478746027a6bcd178ed4fd80a7ab490b55ed2fcfd02e13cc65302ee3",
    "2024-05/reps/孙浩.xlsx": "66de40e49ea17effd584b63bdc1e0af4ac8ee87e99dc428151127d9bfedcc904",
    "2024-05/reps/张伟.json": "866a2bf729c74ed3bbef3e2a6d8ca5207cb4d5be5e28f76d818714d507149fe9",
    "2024-05/reps/张伟.xlsx": "2e0d0927fab83cd7916762b082afe22eac549eda923eb790b25e570f6355bbd2",
    "2024-05/reps/李娜.json": "61dab6bac96726f1b90ff8d3e84101337c37204105e568bda31f6dfae8d38012",
    "2024-05/reps/李娜.xlsx": "4b70a243b353761dfc4417e59048744a0093adf98c143b340de56d452f74b1ce",
    "2024-05/reps/王磊.json": "39187b8af7c06d34edfde9dc8e2599506a3c291a0b22d1279712a7b88b8ba09a",
    "2024-05/reps/王磊.xlsx": "978f1fb7a6535d4de4d123539d74ec9b78f62d6e4cf5df55fb8ac48fd34cd085",
    "2024-05/reps/赵敏.json": "2e4bb9507f9a56c071ccf21561318836fad3d52319db6ffbd4d43f394ffd2670",
    "2024-05/reps/赵敏.xlsx": "3c1a5f73a4ac0d14abe2597dd0204a38bff683f924254daa619252cf5e0c9071",
    "2024-05/reps/陈静.json": "1a7d9074ee247de7580e5ab62f64b6b01b3350a1de3577028267de79ff2c7c47",
    "2024-05/reps/陈静.xlsx": "3eb31140b44c9ca6e100bba2beabbfb6e90a5eb9684284a6349226d0c7b32700",
    "2024-05/reps/＊销售代表.json": "6dc5e87c2824e4b676d76dfd7cb68318f3ffb01728612d4b2776bd6e7e951996",
    "2024-05/reps/＊销售代表.xlsx": "c175b565a80b708c3bd3bab8c79dab54e475c3bfdbac29a87d389e77ee006a2d",
    "figures.json": "d34b727d2816ca31323175682e6c40fbf0cce8e0f159deeb3fd0f1f6f84396b7",
    "funnel_report_2024-05.xlsx": "c15dd124635e9cab61066282a59632764bd117f8695365eb33f1d6cb07178bb3",
    "validate --format json": "6dc78cf7bce99e05e600c99a92248894a82f701468ca1109438c8c9de8cb9c8f",
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
