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
    "2024-05/manifest.json": "1fee0132f883371a40a013b9b9c52c02bea4487aefb542e2906e4117f86d33f2",
    "2024-05/reps/刘洋.json": "92b1433ec99b66459f2b46101fd224816540738895a57a6c9c9753011a3504e1",
    "2024-05/reps/刘洋.xlsx": "fabeaa3effeef705bd227ea071b9a48043dbd76b92c9da0dd1e5a6883d827ea8",
    "2024-05/reps/孙浩.json": "08a8fa391dcd5c0111047ab6560e4ca495aed2d2a2b8a1f9e33cb5629176ba84",
    "2024-05/reps/孙浩.xlsx": "db0161e601c6f434d36ad3ffd6c8a38ed1e0bd0ed6edb60737c95dab6bec0e37",
    "2024-05/reps/张伟.json": "a14a9172d4c400b174a1c9dcedec2a50b23b8e71edc5d51bd8eb41933769c94f",
    "2024-05/reps/张伟.xlsx": "78de3ba59754a2a10782e4a95b33ceeae9a338f718b07d696ead2872307f9947",
    "2024-05/reps/李娜.json": "98a67276bf295bc4e0f61b43c5fce7118b539e0f044fb03880eccac3894f8c79",
    "2024-05/reps/李娜.xlsx": "11bbd3c40c2fa5a5e9953d7747df8d7c9a96d8bcda8562ce5d188c087674ab19",
    "2024-05/reps/王磊.json": "95d49d08b937c583240bc93ddfbc7f9a5de1398f0302df71b867e4987923a15a",
    "2024-05/reps/王磊.xlsx": "d49c2bda9f9f1770dc8c799b052309a7665d004ba733930435c5dd4bca46c4e6",
    "2024-05/reps/赵敏.json": "1619b98c39c1c308f16407ecb81d2ba324ab382d077d2e8e6df162b162112b45",
    "2024-05/reps/赵敏.xlsx": "3a114b2cfda46ce6e02ff74cabbb1f5a7ded7430e3b39c168be573b423110e94",
    "2024-05/reps/陈静.json": "17b6211385df64e94df368294a62d5bbbab2956f752240943aa47afcace33566",
    "2024-05/reps/陈静.xlsx": "2e8ab86686adbfe6758000a55707ea5f73dee85c167f726185f0b8a5ce4cc654",
    "2024-05/reps/＊销售代表.json": "e493c5141ea7b801abe0efbb16bfa696ba81d2fe8c9f12027904e47f8e1dcdf9",
    "2024-05/reps/＊销售代表.xlsx": "327eecdf392bc0362eccb1c08ab55ce2c66e5510eaa00e29bb306a3b21c1db06",
    "figures.json": "b7662b20353eac0185a07db2944e8cd0ba96b9b6c6445dabd3cfc5cd6462babf",
    "funnel_report_2024-05.xlsx": "88ec48ffd848721a7aac9c6c7c9f0c717ddaac5227fe062d5b7c1d543b7191b7",
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
