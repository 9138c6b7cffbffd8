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
    "2024-05/manifest.json": "6c1502fc327244a991a9c6b4a786bfb1008d37f96f7a4cf3aa0c97ca3e8ef212",
    "2024-05/reps/刘洋.json": "a2839edca42b3e626628f947f31b84ac6ab334f6458c01ee3a14ef37fc03bde4",
    "2024-05/reps/刘洋.xlsx": "6bddfea4cb8b307523275bd3eedcc6b03248e7826b8445c86472483bb3980f57",
    "2024-05/reps/孙浩.json": "723d8b9990b3929065d5e789d4f16d65c5af8176df09b79207c955a007e7f85e",
    "2024-05/reps/孙浩.xlsx": "275f2ea270d0c62c7e4911eb21e2ad94ac6d982620f3585c2fa6cfe3a53c54bf",
    "2024-05/reps/张伟.json": "56c5bca770212c50f5725a501bf4ca9de01651bc5b7ba5c992480b838d6b6140",
    "2024-05/reps/张伟.xlsx": "b09d8f4b31f106aef8cb7bb9cfe21f3186ad23ede7cd108315005e477315c2a2",
    "2024-05/reps/李娜.json": "591f1381f183bf59db11c2b75c7087db1d533d14dd8d73974e6b1a1260dcdd57",
    "2024-05/reps/李娜.xlsx": "f139e5f91874c1f26d0fa98d77aac2429ec752653918dbb54fa9dfc877ab200a",
    "2024-05/reps/王磊.json": "6becca7a10aac5ee360559053c5565d706555dec80b43c722eb189f438282102",
    "2024-05/reps/王磊.xlsx": "15ffb9b183b35630244fc0c7723b9f472f6ed0de9bce0aa5468a3a7564a835b6",
    "2024-05/reps/赵敏.json": "e30224d0a56a92b440db3c508a25b7f154d39aa769cf8c13b298ede2e9feb1d9",
    "2024-05/reps/赵敏.xlsx": "039b89c03a2f6f90ef7d6104c1774521b3912b62e68f3016f25bd424e5f6861b",
    "2024-05/reps/陈静.json": "8dfb742b6a0c461ae8adbd5cfaa1b5f30d3007350d9dc1b75b46e6b799b39dae",
    "2024-05/reps/陈静.xlsx": "d4541ba86f33d58d8cabf41a1754e29a823fbb834fcfdd630f1a5df4355fe79d",
    "2024-05/reps/＊销售代表.json": "2551334f1c530d6a84fc691b78bd3d5407ce85b0bff843582454815e3a7f5ab3",
    "2024-05/reps/＊销售代表.xlsx": "2f40d7748b4d3a89f30b008558de2faf917e66889c1d201203029f76d3796fcf",
    "figures.json": "0c6d3d2c2ed3015ce700fdf12bcab5785fa1cda781d9e868b50bc3faefea0c59",
    "funnel_report_2024-05.xlsx": "8967027a10f4652770430bc051f9b125cdd22c553e9e56d52980c4e9866e8906",
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
