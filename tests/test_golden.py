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
    "2024-05/manifest.json": "43682b85f10c08782e2fde90eff16ed0b106a3bc973921993f7dab058a734ab9",
    "2024-05/reps/刘洋.json": "91864d4276aea55d6ef974ba1f99f77f5e871c982cc8e499aa5a2c2e9ed800cc",
    "2024-05/reps/刘洋.xlsx": "d328cfd5554314a34b362ed0d41231500d77194f842e85ae0f70ab3f9b4943f2",
    "2024-05/reps/孙浩.json": "bc2825126729f7ad9dad18a815263c662c59e2e5253c6b3403ce3b1a06abfaab",
    "2024-05/reps/孙浩.xlsx": "499b6a1066656eb58d50f695f5863d497f0b2fc06dadb74fa6308c6066f1c6af",
    "2024-05/reps/张伟.json": "88beef30b4549a7573be3ed5fd280029212c50e6cc599a95d17010f8e8f4fb1b",
    "2024-05/reps/张伟.xlsx": "b376c659ff1be7a116caf97d19c1ce9693fea7487a9610745a213acccb1ebb91",
    "2024-05/reps/李娜.json": "cf21e2dc7afc0f5a144f51521bac4765f8ecd444ae896282b113da10e4f58f46",
    "2024-05/reps/李娜.xlsx": "f8b48963c16a0152aac66fe515527f098c1a1aca1ceb3083d876db362f30bf71",
    "2024-05/reps/王磊.json": "21de3694e132ad6ccdf493f0991fb71802ac85319ed0dc9ae7cba4f47f269eee",
    "2024-05/reps/王磊.xlsx": "d6676340661d51724a0b205609bc35628b57b8368f946cf087b32f1dbfd7f971",
    "2024-05/reps/赵敏.json": "4308828f3a9506c0ac021d1b83f88a6e0feb4be209feadc0079f68fe255ac3a1",
    "2024-05/reps/赵敏.xlsx": "ce22c909ec08e621b5f16e057b99e8bf88c4b240a3c0c96a79f1ae3a0c7e5902",
    "2024-05/reps/陈静.json": "001defac77c8e10747b28f765cdb19270f21b8284f48fbe9f12f4ccc39295925",
    "2024-05/reps/陈静.xlsx": "438ed943a43e3586d47d6c47451fa1ba9e5e7612952ec0cbb28b6cae3c851b6a",
    "2024-05/reps/＊销售代表.json": "3deb3d40fbf95a5daf4a854963bf11b4dcc9b83c9338a966bb0f38897f419d39",
    "2024-05/reps/＊销售代表.xlsx": "eeeee0e5349c15783deb163babc6b0cccfbced981e5193ef7b2885aafb76d14d",
    "figures.json": "076d920ee412f7a757dd3c661cc685d7823f7e7a9cbd4b8d06fd182bde17a195",
    "funnel_report_2024-05.xlsx": "2f33761f87d912c712e4adbd3c21f968493ed84fb4f17175d13dde47093bb851",
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
