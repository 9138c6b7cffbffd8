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
    "2024-05/manifest.json": "b3464ace3fadec830e50254a94d7c5a3ecba395203926066d0fea57157b7773f",
    "2024-05/reps/刘洋.json": "dc57da94330d3422f3d81acb2dbf16dda431e96a0a960f1618e289bdcc20d5ab",
    "2024-05/reps/刘洋.xlsx": "4dd94020f39daec92b87a54e427dfa80fbb07d19d8089b206abf63ea83f38740",
    "2024-05/reps/孙浩.json": "f5582ab6c8b8304043b3e6bcc9572975430dbb587986793d8d0f71e20e4517a2",
    "2024-05/reps/孙浩.xlsx": "966601845c36eec70d5ca38bdab5c06278dc93ea01fa12311ba8971849ae7200",
    "2024-05/reps/张伟.json": "503eaa065e389cbfe1443b4b8a667d6bbeac989ec5c8de31db9f628494c5db07",
    "2024-05/reps/张伟.xlsx": "6951f1a8510ec7e1529c7e75dd8669b5ec653ccea5b2ff14ee1a221069dea2b2",
    "2024-05/reps/李娜.json": "a910a88859ed822fac6ba2850250e38cf7b0c8cbb3a840774d7e68b9d1b9bc1f",
    "2024-05/reps/李娜.xlsx": "b5fdc1d8c703c38dc5523ad3b154d9b3ad8ae33d025e1ba507747ebd252aa520",
    "2024-05/reps/王磊.json": "cb94e3668bd2a6b255da4db3566383d251e06ea8954d5cb053ddde33867b12ea",
    "2024-05/reps/王磊.xlsx": "06517917d89badc9a77ce465ada882d016af41052f799f5071f3297e1df35976",
    "2024-05/reps/赵敏.json": "10788d816915bf7dd3bff743fbcf38aeaf7b1cd1743d417985ca8ae89f734f23",
    "2024-05/reps/赵敏.xlsx": "6132160a7d0aceae2adc00ba8ae9d4d81666f6e246b0556f5f94bceb8ba6bdf2",
    "2024-05/reps/陈静.json": "0060eeae78e710af27f37fedfe27e4c380e8041e1c62fe56b852de024be4f5c6",
    "2024-05/reps/陈静.xlsx": "5f4ae44aacd396bf8fb6ce9feda7307de527a5e49d1a6ba834dfab9eff0de7df",
    "2024-05/reps/＊销售代表.json": "5854b9f7bbbf057232ea5de9fcc3cc4ccc51109654e616bbbc1ce171a4b3dee0",
    "2024-05/reps/＊销售代表.xlsx": "a0d7aab7209e5f2a3bf2a47f5809b72b7fb2af41e7365d2f47a4069fa6ce5356",
    "figures.json": "03b194bd1f82b7690a217bbdf1fa9f9a65eba5aae72ddaebc070e8fe49290668",
    "funnel_report_2024-05.xlsx": "c561b1bef55d0b61b1659c98d94f7ce274899b5e9422fb7ee9aef64eb172be92",
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
        data = data.replace(str(default_rules_path()).encode(), b"<default rules>")
    return hashlib.sha256(data).hexdigest()


def test_example_outputs_unchanged(tmp_path):
    assert digests(tmp_path / "out") == EXPECTED


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        json.dump(digests(Path(folder) / "out"), sys.stdout, indent=4, ensure_ascii=False)
