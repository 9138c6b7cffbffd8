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
    "2024-05/manifest.json": "68bf7fef826b365f188baf50d491d64dba3ac89b644c4948a167bcb8747d5a12",
    "2024-05/reps/刘洋.json": "92b1433ec99b66459f2b46101fd224816540738895a57a6c9c9753011a3504e1",
    "2024-05/reps/刘洋.xlsx": "72526aa3d1e2566579219624de5b550c80e1248963972144f84f72c757363304",
    "2024-05/reps/孙浩.json": "08a8fa391dcd5c0111047ab6560e4ca495aed2d2a2b8a1f9e33cb5629176ba84",
    "2024-05/reps/孙浩.xlsx": "8cdb5865177ee9736b0ca32d710b4855d86630c22feb9600f2bbc4dff8a2cf24",
    "2024-05/reps/张伟.json": "a14a9172d4c400b174a1c9dcedec2a50b23b8e71edc5d51bd8eb41933769c94f",
    "2024-05/reps/张伟.xlsx": "1cfe65d95c9914436707b21b11dd4fe2cffd9a21cb8e2306ca826cf9b53fcd93",
    "2024-05/reps/李娜.json": "98a67276bf295bc4e0f61b43c5fce7118b539e0f044fb03880eccac3894f8c79",
    "2024-05/reps/李娜.xlsx": "5cf07e377f384962553bfc79c886fac427ab824c10d129a8c81fd2f46ba28f42",
    "2024-05/reps/王磊.json": "95d49d08b937c583240bc93ddfbc7f9a5de1398f0302df71b867e4987923a15a",
    "2024-05/reps/王磊.xlsx": "87b6ba3f7d7bb873a4ad0d75ec80ddedbd63f1631f788d1fef4840e19e1ee6f0",
    "2024-05/reps/赵敏.json": "1619b98c39c1c308f16407ecb81d2ba324ab382d077d2e8e6df162b162112b45",
    "2024-05/reps/赵敏.xlsx": "e793664aa212a882495b6a94a4cc98c3270e69b6777ef7f6f165ebb3e5add1aa",
    "2024-05/reps/陈静.json": "17b6211385df64e94df368294a62d5bbbab2956f752240943aa47afcace33566",
    "2024-05/reps/陈静.xlsx": "f00e9f4f4767034e218ead39da3468f40aef62889f653a42653489d84b47781f",
    "2024-05/reps/＊销售代表.json": "e493c5141ea7b801abe0efbb16bfa696ba81d2fe8c9f12027904e47f8e1dcdf9",
    "2024-05/reps/＊销售代表.xlsx": "1a5bbead38c42f9daf2b0d71023391275be92525631f8eaed05277e5613cb93f",
    "figures.json": "58b00291884253ff1ce19c92f168de9a70fd3e7a02af618c10a3977e744becbc",
    "funnel_report_2024-05.xlsx": "1f39125120f53f21792d4807e07ab3491146e90543f41f3bf1805f78f9736560",
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
