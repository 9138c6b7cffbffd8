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
    "2024-05-31/manifest.json": "093ba6fc3a90b92bb7b653776f6fc00a8c82af1f518ce2ba4b8a4ab6f18e741d",
    "2024-05-31/reps/刘洋.json": "28eb8f8aae993bfdf0590217a01a0e13c77f532bcd9fa63b5e85b36bbb14c4a5",
    "2024-05-31/reps/刘洋.xlsx": "7a2c1eb2f7947ecf15a05f692b1d3f8102b3dbe5ecfe312ab01ebab73cfc71d6",
    "2024-05-31/reps/孙浩.json": "ef98264e6f83eb5e28610a9e9ba226733ac1e4f3ce50cae0bbc2fadd13056510",
    "2024-05-31/reps/孙浩.xlsx": "6ceb0d8dcb9392361eecc0d2c746c313e130ea872afbafb8638407d4cc14033a",
    "2024-05-31/reps/张伟.json": "01ef49e98a5e33f231690ca006bcb04cf6147abfb5262a012e14dac115718abd",
    "2024-05-31/reps/张伟.xlsx": "183c3ad7eaa49cce337f995a93377914e74269eeb206c97e01bb69e2155a7a0e",
    "2024-05-31/reps/李娜.json": "cedf30e5f0a69f911741364ac0c84c5b86426e9c59ce47ac1294413b01244f0e",
    "2024-05-31/reps/李娜.xlsx": "5fbbe7cc63a3a95d929cc6491d3062dd07531b7cf9908ccc19b40f4d763605f1",
    "2024-05-31/reps/王磊.json": "0a1cd375fdd10c0d6b5a1791928c6ab9fd8ec54aec097e5003cb545196d2a0a7",
    "2024-05-31/reps/王磊.xlsx": "a656ddec42b1c5b37d39e6b7c10e00c16d682868c531c4ef2f8513700df52a27",
    "2024-05-31/reps/赵敏.json": "c848cf703635b97b830efc509313ace854ae11a7b0fe8b0e58509284ac92af5e",
    "2024-05-31/reps/赵敏.xlsx": "b8caae0a125fe97d0b425f023d2d1a63f78d04ce999b3966191f57e8ffc410fd",
    "2024-05-31/reps/陈静.json": "2afbbc68df0400d9949c13ac0da55ffa34318ec3be39ee42e174fead8148efb8",
    "2024-05-31/reps/陈静.xlsx": "e7d5bbb0cb00d39891e4246992fe7bf83d1a30dfce742134fa75d5c92b1b60a8",
    "2024-05-31/reps/＊销售代表.json": "7583feb0092474fcab52f65744a381e4e402306d9918a9cadde609b5c55b6b1c",
    "2024-05-31/reps/＊销售代表.xlsx": "dfdfa26a69e7e580412dbb6ec46ae6750964fcfbefc0c320b1ad389b184c6f74",
    "figures.json": "d6001246deb747e78655e0476d629899638aebad4ca4b5be563385f5b9a11909",
    "funnel_report_2024-05-31.xlsx": "ffa86b318e56dc285a3ad655dc53e63f882bb8b20973bd25ad9a07092be77132",
    "validate --format json": "71acf94c94088f1a60966dd9872498e1c2cf68f64f173dcc2db8f2a85b14b016",
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
