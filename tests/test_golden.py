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
    "2024-05/manifest.json": "55d6c52909783255aec0d4faf5bc00aec58b271bd8d4bae3517f5d7597b1ed57",
    "2024-05/reps/刘洋.json": "dc57da94330d3422f3d81acb2dbf16dda431e96a0a960f1618e289bdcc20d5ab",
    "2024-05/reps/刘洋.xlsx": "499f0353d3e8117998a81998ec1fb4c5798e7d8f1a0131a82d865ad35558fe48",
    "2024-05/reps/孙浩.json": "f5582ab6c8b8304043b3e6bcc9572975430dbb587986793d8d0f71e20e4517a2",
    "2024-05/reps/孙浩.xlsx": "9a02c6a9ecf3d977114bc325e160320c8ccd1e5f5c3670dc8292b724033895ae",
    "2024-05/reps/张伟.json": "503eaa065e389cbfe1443b4b8a667d6bbeac989ec5c8de31db9f628494c5db07",
    "2024-05/reps/张伟.xlsx": "0a83a02b3f3f4f380b29abd1b759072ee1179a832da8ab9eeb58313f782f1e86",
    "2024-05/reps/李娜.json": "a910a88859ed822fac6ba2850250e38cf7b0c8cbb3a840774d7e68b9d1b9bc1f",
    "2024-05/reps/李娜.xlsx": "eb2a4e6f547b0c863dedcf4452b41175133263c45b81914c7fbcb98f11ec0fb8",
    "2024-05/reps/王磊.json": "cb94e3668bd2a6b255da4db3566383d251e06ea8954d5cb053ddde33867b12ea",
    "2024-05/reps/王磊.xlsx": "f1dc02a8b539af2a225586c7a8098c30676ef6820fb9c91b9ca3edb56ed1fb83",
    "2024-05/reps/赵敏.json": "10788d816915bf7dd3bff743fbcf38aeaf7b1cd1743d417985ca8ae89f734f23",
    "2024-05/reps/赵敏.xlsx": "10b4e604d631dd4217edda249eb439d027c6a16191606625f90f0e57dcb8304c",
    "2024-05/reps/陈静.json": "0060eeae78e710af27f37fedfe27e4c380e8041e1c62fe56b852de024be4f5c6",
    "2024-05/reps/陈静.xlsx": "c0be8b12d1753771f89633ccaee83e064e7c30d19871d705ab22bfdfb63df141",
    "2024-05/reps/＊销售代表.json": "5854b9f7bbbf057232ea5de9fcc3cc4ccc51109654e616bbbc1ce171a4b3dee0",
    "2024-05/reps/＊销售代表.xlsx": "5727ab87dd5507e85ecdc860da9f52ede60f167a8c27321e2def65ffcf2076f5",
    "figures.json": "03b194bd1f82b7690a217bbdf1fa9f9a65eba5aae72ddaebc070e8fe49290668",
    "funnel_report_2024-05.xlsx": "d637681d7651f8ce1a63fec5b8a5769461a9452ea276376eb1e94090cf3717fc",
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
