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
    "2024-05/manifest.json": "40a0d2d04e5cdc9817e552e0983849131f77f07c7010fb1ac87eb8961dcbe655",
    "2024-05/reps/刘洋.json": "92b1433ec99b66459f2b46101fd224816540738895a57a6c9c9753011a3504e1",
    "2024-05/reps/刘洋.xlsx": "523cc5220e31564b18139f74e38edd2e8286d55d8697afaabfc60b528b750150",
    "2024-05/reps/孙浩.json": "08a8fa391dcd5c0111047ab6560e4ca495aed2d2a2b8a1f9e33cb5629176ba84",
    "2024-05/reps/孙浩.xlsx": "ed18a1eed51954c5407f7c854b0b3c063b3b837a59a2e6c5ddb4fac4fef468f1",
    "2024-05/reps/张伟.json": "a14a9172d4c400b174a1c9dcedec2a50b23b8e71edc5d51bd8eb41933769c94f",
    "2024-05/reps/张伟.xlsx": "8ba06dfa98d88a47543d0932a80177c8e92c38979f5439330f6207000e6e61b1",
    "2024-05/reps/李娜.json": "98a67276bf295bc4e0f61b43c5fce7118b539e0f044fb03880eccac3894f8c79",
    "2024-05/reps/李娜.xlsx": "107e39ca46e618ad8d1d96fb96b12bbabdbb1eabf0477f54f476a376383ac4c8",
    "2024-05/reps/王磊.json": "95d49d08b937c583240bc93ddfbc7f9a5de1398f0302df71b867e4987923a15a",
    "2024-05/reps/王磊.xlsx": "1f13a2ce227e2aefb7eb6e22eebe434609b2a4fdbd513b17738e7a6d064b6c04",
    "2024-05/reps/赵敏.json": "1619b98c39c1c308f16407ecb81d2ba324ab382d077d2e8e6df162b162112b45",
    "2024-05/reps/赵敏.xlsx": "46bd6dd6552138edc8f216f4adbbed00506a77ed85815c9bda5b07a62c9a7a45",
    "2024-05/reps/陈静.json": "17b6211385df64e94df368294a62d5bbbab2956f752240943aa47afcace33566",
    "2024-05/reps/陈静.xlsx": "7234721b300248867655af3b5e904f713baf56e375b7962cf9779a6eac5ef312",
    "2024-05/reps/＊销售代表.json": "e493c5141ea7b801abe0efbb16bfa696ba81d2fe8c9f12027904e47f8e1dcdf9",
    "2024-05/reps/＊销售代表.xlsx": "d65ece50e2c0dc6512c0ccb25e846ce7d3617b91d76454bb1d8f4bec8649c0bf",
    "figures.json": "f284e5dee402b82602afcd11e81ef8eca608ce4d4139bac2329a3e8b6c18de24",
    "funnel_report_2024-05.xlsx": "336fc613ded2c775b55c6a7b6b91399db1582d1b57e73aecb576a5d24a670b8b",
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
