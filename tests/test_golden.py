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
    "2024-05/manifest.json": "44f608982ed7ea72b5fe400b3651ed958e5c39e0a43015bff7381e305a149dda",
    "2024-05/reps/刘洋.json": "a2839edca42b3e626628f947f31b84ac6ab334f6458c01ee3a14ef37fc03bde4",
    "2024-05/reps/刘洋.xlsx": "2d0ad4e4e04f00947438512e4cc5a2d12c2f4e63242d45feb7ff8ef8519797a0",
    "2024-05/reps/孙浩.json": "723d8b9990b3929065d5e789d4f16d65c5af8176df09b79207c955a007e7f85e",
    "2024-05/reps/孙浩.xlsx": "fea2e95ea3fbe07900c093c9bceb72a05919e97b81c7638d64a2ca60ab68b383",
    "2024-05/reps/张伟.json": "56c5bca770212c50f5725a501bf4ca9de01651bc5b7ba5c992480b838d6b6140",
    "2024-05/reps/张伟.xlsx": "a68bfd2ecbc468f3d4cd5e453a2a15750cee162e496cca916dff6d22ae7eb43f",
    "2024-05/reps/李娜.json": "591f1381f183bf59db11c2b75c7087db1d533d14dd8d73974e6b1a1260dcdd57",
    "2024-05/reps/李娜.xlsx": "8c4de62ca8af79bdc0173c748b527675728de900c8fc459101ca2574a022d287",
    "2024-05/reps/王磊.json": "6becca7a10aac5ee360559053c5565d706555dec80b43c722eb189f438282102",
    "2024-05/reps/王磊.xlsx": "f6d518e1ab1cfdff600c9972c95020c46d61c8fdac7468ef3d3a7ab37100fb9c",
    "2024-05/reps/赵敏.json": "e30224d0a56a92b440db3c508a25b7f154d39aa769cf8c13b298ede2e9feb1d9",
    "2024-05/reps/赵敏.xlsx": "a81c91c0e9bdfaba9228ea965559619e21f48b1f555d283afd2dc26e811fbb34",
    "2024-05/reps/陈静.json": "8dfb742b6a0c461ae8adbd5cfaa1b5f30d3007350d9dc1b75b46e6b799b39dae",
    "2024-05/reps/陈静.xlsx": "54218f9baadc4b45e8b1d2a7132f31816350fecabdcc23fdfda10753d424a6be",
    "2024-05/reps/＊销售代表.json": "2551334f1c530d6a84fc691b78bd3d5407ce85b0bff843582454815e3a7f5ab3",
    "2024-05/reps/＊销售代表.xlsx": "8649e09a07598c5142d71efab944dfa9d08f2b3951aeede3098373cc211d7cbd",
    "figures.json": "a3326c8271ff4ff5ffe1bb2a136d407871867669442a82aab9c2a17b9eae50c0",
    "funnel_report_2024-05.xlsx": "ae47351a439e778e0cd563ced391dc39936401cb1a8c8ef2b566d5442ae718db",
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
