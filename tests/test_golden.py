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
    "2024-05-31/manifest.json": "b7e1ab5ca4fc96c40967265429ad660f28cf0d51e3604911aa2d09cc5e797376",
    "2024-05-31/reps/刘洋.json": "28eb8f8aae993bfdf0590217a01a0e13c77f532bcd9fa63b5e85b36bbb14c4a5",
    "2024-05-31/reps/刘洋.xlsx": "5f6baff68145c0996378e8c9494f04215a6d53d53f8cc70fb4fe6549945f1f3d",
    "2024-05-31/reps/孙浩.json": "ef98264e6f83eb5e28610a9e9ba226733ac1e4f3ce50cae0bbc2fadd13056510",
    "2024-05-31/reps/孙浩.xlsx": "1940fc0f7894bbb21b5a95066b0fcc9965d6d4ce6f2a9ba6225b5c9b4b1eda0b",
    "2024-05-31/reps/张伟.json": "01ef49e98a5e33f231690ca006bcb04cf6147abfb5262a012e14dac115718abd",
    "2024-05-31/reps/张伟.xlsx": "8af0ebcdf40f543674191a971ed87d09b72670df8dfa8be760513711de604e7c",
    "2024-05-31/reps/李娜.json": "cedf30e5f0a69f911741364ac0c84c5b86426e9c59ce47ac1294413b01244f0e",
    "2024-05-31/reps/李娜.xlsx": "3cf19e6e5aef438f5c4437f0ea717b85e249fab6b7c6c64575295314f7d66a5f",
    "2024-05-31/reps/王磊.json": "154cceca47b950ceb4f8e5791a275b34ded389066f74c579984582fe067b13df",
    "2024-05-31/reps/王磊.xlsx": "27504d710f0d23dfd8ff03bce71cd86ea6d2ed19bec4295768b92de55bec8f19",
    "2024-05-31/reps/赵敏.json": "3cd9483e32afd7f3924ad9071c9b2bebc48e89656e1077bb8f05806d51ff8707",
    "2024-05-31/reps/赵敏.xlsx": "33f96fa4555303e3486b7ce757f66a6e539a1e67af69b39f57e7ace08ef997fb",
    "2024-05-31/reps/陈静.json": "2afbbc68df0400d9949c13ac0da55ffa34318ec3be39ee42e174fead8148efb8",
    "2024-05-31/reps/陈静.xlsx": "b5f5cc3a7aa3e336837557359e111718dd97183143dc96eeb99833ec6545a538",
    "2024-05-31/reps/＊销售代表.json": "f2dcfdaf94eb72965431e71fe63ff629527a78f30b957bbfa9c3364ff20aae69",
    "2024-05-31/reps/＊销售代表.xlsx": "5244f66394c2bc3bf162def152cde8babf66eb37d669ccf72a21d68f98e91166",
    "figures.json": "5c48d48e004124f84815882f14fbea2100db3f2531155d7acec12c7e9c794669",
    "funnel_report_2024-05-31.xlsx": "98e1ab34354d468f64b9178392d9d3ac83a198c2f5988d630b22481ab4ec7c34",
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
