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
    "2024-05/manifest.json": "5c9760ae95ad488fd7275d21cbddba072302631416f89431ba9fbffcd02ca826",
    "2024-05/reps/刘洋.json": "555c99e06295e4ed4cc4947c7ebed6a3cc7b735ad1511645a0d363204134775c",
    "2024-05/reps/刘洋.xlsx": "d328cfd5554314a34b362ed0d41231500d77194f842e85ae0f70ab3f9b4943f2",
    "2024-05/reps/孙浩.json": "3fa2784b3ee4081b947bef2e643fddb5c30abc8fdd3e7dcf2ba195ad6a30ae8a",
    "2024-05/reps/孙浩.xlsx": "499b6a1066656eb58d50f695f5863d497f0b2fc06dadb74fa6308c6066f1c6af",
    "2024-05/reps/张伟.json": "2f67ce1b4f6b8a0f4bc26a1f38d5776535565f6b4a92f2f7d76250976df476a6",
    "2024-05/reps/张伟.xlsx": "b376c659ff1be7a116caf97d19c1ce9693fea7487a9610745a213acccb1ebb91",
    "2024-05/reps/李娜.json": "3680ef9c41114339a36c1a8488ee44c898d633cfbe1feaf11a233ea2100a36fe",
    "2024-05/reps/李娜.xlsx": "f8b48963c16a0152aac66fe515527f098c1a1aca1ceb3083d876db362f30bf71",
    "2024-05/reps/王磊.json": "b4ec3c18883759c079234982b63766244eca34e73efafb35b567afcadcebdf61",
    "2024-05/reps/王磊.xlsx": "d6676340661d51724a0b205609bc35628b57b8368f946cf087b32f1dbfd7f971",
    "2024-05/reps/赵敏.json": "f724baabe18f5510b01fb4ea97362d2d1f27b5f5b478e4e5f71943c5c9bcdecb",
    "2024-05/reps/赵敏.xlsx": "ce22c909ec08e621b5f16e057b99e8bf88c4b240a3c0c96a79f1ae3a0c7e5902",
    "2024-05/reps/陈静.json": "e98fbdbe4a0853ff77ad63da6560c562bdbbbe9a451504790c33fbd42b851da7",
    "2024-05/reps/陈静.xlsx": "438ed943a43e3586d47d6c47451fa1ba9e5e7612952ec0cbb28b6cae3c851b6a",
    "2024-05/reps/＊销售代表.json": "8fc2b94dda3714fe6d1129e8337b89e361ab5d250e94bdd23dd18aa0edbafe91",
    "2024-05/reps/＊销售代表.xlsx": "eeeee0e5349c15783deb163babc6b0cccfbced981e5193ef7b2885aafb76d14d",
    "figures.json": "e0a1fe276e329dacb66d15d38e61d4e624fc56dccd6ec42439e84bd4bf4e86d2",
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
        data = data.replace(str(default_rules_path()).encode(), b"<default rules>")
    return hashlib.sha256(data).hexdigest()


def test_example_outputs_unchanged(tmp_path):
    assert digests(tmp_path / "out") == EXPECTED


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        json.dump(digests(Path(folder) / "out"), sys.stdout, indent=4, ensure_ascii=False)
