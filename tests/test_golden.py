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
    "2024-05/manifest.json": "fba9744ad59d2f24a50dfc73f3ae09f8a618629340004f5f48741a5b8c58e7f7",
    "2024-05/reps/刘洋.json": "2063569b66c971069891b85d730c44b32632c30e65336871ff16d4a8e59955d2",
    "2024-05/reps/刘洋.xlsx": "dc8c376f8bdbc6e7244419645468508db2968afaf3f01dbafe6a5b241cbe7508",
    "2024-05/reps/孙浩.json": "fbc083ff478746027a6bcd178ed4fd80a7ab490b55ed2fcfd02e13cc65302ee3",
    "2024-05/reps/孙浩.xlsx": "195153a5be5b477dfab559e7aef01784b7f239711d321a645b906549009a1a32",
    "2024-05/reps/张伟.json": "866a2bf729c74ed3bbef3e2a6d8ca5207cb4d5be5e28f76d818714d507149fe9",
    "2024-05/reps/张伟.xlsx": "17230616fc1603394e7d86ca71b951aff96820882fcdfd1d043e5141d98c1357",
    "2024-05/reps/李娜.json": "61dab6bac96726f1b90ff8d3e84101337c37204105e568bda31f6dfae8d38012",
    "2024-05/reps/李娜.xlsx": "e22b20c0cc1e6c657d8fdc96bb659ef58f139bb685681d07896984b411433b8e",
    "2024-05/reps/王磊.json": "39187b8af7c06d34edfde9dc8e2599506a3c291a0b22d1279712a7b88b8ba09a",
    "2024-05/reps/王磊.xlsx": "76b7955126b58406c4e09dfd54fd5e371af43c10b974a479a9793d634fe954b3",
    "2024-05/reps/赵敏.json": "2e4bb9507f9a56c071ccf21561318836fad3d52319db6ffbd4d43f394ffd2670",
    "2024-05/reps/赵敏.xlsx": "543f50740a9952757873fd65968082ee463247be00180583235b1e5615e66e64",
    "2024-05/reps/陈静.json": "1a7d9074ee247de7580e5ab62f64b6b01b3350a1de3577028267de79ff2c7c47",
    "2024-05/reps/陈静.xlsx": "0abcbe589a577bd8beac75df54bf34151ec2de60139294f08eaff130121abb46",
    "2024-05/reps/＊销售代表.json": "6dc5e87c2824e4b676d76dfd7cb68318f3ffb01728612d4b2776bd6e7e951996",
    "2024-05/reps/＊销售代表.xlsx": "ba2dde1e40042bf13c63f90ded2048025c62d57241071d98f4b8a25f4f49f2bc",
    "figures.json": "9c5bac6bff5727620d94a6a72efd5825b5b6a455b250a51577d6d4428be70206",
    "funnel_report_2024-05.xlsx": "a9c76b4e337ca435fc7e58be811c26a56ad59056c51d02e0bacb94b150f89fc8",
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
