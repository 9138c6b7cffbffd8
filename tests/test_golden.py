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
    "2024-05/manifest.json": "dd76f1228a5e1e0f4090d503ee7863f75092f410422ceb09d75c04b6a54893f7",
    "2024-05/reps/刘洋.json": "dc57da94330d3422f3d81acb2dbf16dda431e96a0a960f1618e289bdcc20d5ab",
    "2024-05/reps/刘洋.xlsx": "e7e2a18f1653ffcbeebbe962f06368adba98df069ffe1bca9c188e67151e4c6b",
    "2024-05/reps/孙浩.json": "f5582ab6c8b8304043b3e6bcc9572975430dbb587986793d8d0f71e20e4517a2",
    "2024-05/reps/孙浩.xlsx": "a63448383c104f5c407b91b5038f5ec9abd473e0af5e73081446724625e80ea6",
    "2024-05/reps/张伟.json": "503eaa065e389cbfe1443b4b8a667d6bbeac989ec5c8de31db9f628494c5db07",
    "2024-05/reps/张伟.xlsx": "00a259c9f3b9f6357909beac96d7ced75aebe1d7bbfab75e0550c534480f19c1",
    "2024-05/reps/李娜.json": "a910a88859ed822fac6ba2850250e38cf7b0c8cbb3a840774d7e68b9d1b9bc1f",
    "2024-05/reps/李娜.xlsx": "fa203dbfd870ea4b341d375e32981fee313064e3460293d4c4a4d0a81a8b141a",
    "2024-05/reps/王磊.json": "cb94e3668bd2a6b255da4db3566383d251e06ea8954d5cb053ddde33867b12ea",
    "2024-05/reps/王磊.xlsx": "ded5ad927af2e6ecad237847f49580c21a8c797f84996622bcedeee59569771e",
    "2024-05/reps/赵敏.json": "10788d816915bf7dd3bff743fbcf38aeaf7b1cd1743d417985ca8ae89f734f23",
    "2024-05/reps/赵敏.xlsx": "8210418122437c7ab83ccca51eef88c5f880dabb9f7bca93186cda758dee52f1",
    "2024-05/reps/陈静.json": "0060eeae78e710af27f37fedfe27e4c380e8041e1c62fe56b852de024be4f5c6",
    "2024-05/reps/陈静.xlsx": "d364287cd4fb35e4175dd7196c35211d552b743b90a454bc2748454932651bac",
    "2024-05/reps/＊销售代表.json": "5854b9f7bbbf057232ea5de9fcc3cc4ccc51109654e616bbbc1ce171a4b3dee0",
    "2024-05/reps/＊销售代表.xlsx": "46fdc16c4cc74bb1a23f997e44004a8d223249b5a669675d734dde8095cc40af",
    "figures.json": "98f098bab21a724a1f87477e6d3f0002c588174c054a41fe0418b572f11617e9",
    "funnel_report_2024-05.xlsx": "6470a1dce81860575a6bc1986d1a4d40bfe17db105a60ed59fc7c14476234333",
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
