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
    "2024-05/manifest.json": "ba32aff504a391b6775f88abfd5a56091070900f1a4e66df9be71a1096a40a45",
    "2024-05/reps/刘洋.json": "5693a1fe59265bde2c28cb73e94bdda37915aa1b304ff34877f1276103c73439",
    "2024-05/reps/刘洋.xlsx": "dd9a30c5a354a66c8febc7f58120fce611159b364e4894ef77824afba7c915df",
    "2024-05/reps/孙浩.json": "9fc3a970ae4365043b739d728e1dd9e0f25f29b44e23eded0c8e4f1f169c24cf",
    "2024-05/reps/孙浩.xlsx": "b7f3472018687e0fb802d7e4c553e11e851fdefec8d377d5a4a720b590350992",
    "2024-05/reps/张伟.json": "8e119bddc3ea6a8076f0ec91b49f6b5fbce6ed3b424e7774313dd5e1d4e21a56",
    "2024-05/reps/张伟.xlsx": "640a176cbc94ae172787abafa572f90b712af849be25f6044d750f0152560cf4",
    "2024-05/reps/李娜.json": "7e6c371105d11cf5962296f6e7c4865bf4f7541e2c77f94aee0e754f8eca6246",
    "2024-05/reps/李娜.xlsx": "19f42b3622ef190cbf9f8fa73a4fe85298e7828cade051ebb9720c9bb7b79c3c",
    "2024-05/reps/王磊.json": "3c8e4ee6d83cf99e09002f793a2d48f4b3e200dd9b6d03dc171c8e3eb53312f6",
    "2024-05/reps/王磊.xlsx": "5a10990322cb6cdfae90f8b2a3c089b6ecddbdb4cad04f0eb5588703aca7a2ef",
    "2024-05/reps/赵敏.json": "bb51328e271f86ac26e091dcd3d7cf494870cf24b31ced010c6d3989ff52255a",
    "2024-05/reps/赵敏.xlsx": "ff3d044c35f88c247035b8dbec01829bdc97b8f68d620c40d634bee33cf934a9",
    "2024-05/reps/陈静.json": "13a93fa083febdd206256405ea101384133a384ceae825f4162e785aec5a1abd",
    "2024-05/reps/陈静.xlsx": "2ce13ccd4640895ca1ab93aa60670ddc4057086e4984bb026bdf698abae70716",
    "2024-05/reps/＊销售代表.json": "739ee337934bd16e6288c8754c8fe50c698d71421ddb822c0775e97064810e30",
    "2024-05/reps/＊销售代表.xlsx": "3869587b818a154dfe70ecef240b0343b66fb60a7416248beba497aa538c30b2",
    "figures.json": "97f115f4f5089d372ea634a03322052528506b4a3c38b9ef91f65f51eadf9b72",
    "funnel_report_2024-05.xlsx": "5da26f58b30bc401a02fe5c40cb52cfb476d3b1c0ce064da8340443e5cbb3b95",
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
