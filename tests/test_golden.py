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
    "2024-05-31/manifest.json": "0cfddc7bf2ee6b94bef06e86a2bf6198ecba424092932bd50079d085c8e59b7c",
    "2024-05-31/reps/刘洋.json": "28eb8f8aae993bfdf0590217a01a0e13c77f532bcd9fa63b5e85b36bbb14c4a5",
    "2024-05-31/reps/刘洋.xlsx": "dbeabff49078a9d49cb0f68b2ccc59047eaf7e49dca499cf60349cb47c29ddcb",
    "2024-05-31/reps/孙浩.json": "ef98264e6f83eb5e28610a9e9ba226733ac1e4f3ce50cae0bbc2fadd13056510",
    "2024-05-31/reps/孙浩.xlsx": "d271dc80f08e3a7609a3c060c5d86a92fda27c8c757cdaef555114fba5816462",
    "2024-05-31/reps/张伟.json": "01ef49e98a5e33f231690ca006bcb04cf6147abfb5262a012e14dac115718abd",
    "2024-05-31/reps/张伟.xlsx": "d5a81b54cf5954b137823b2cfa28c09e10a422e13c20ef2b64ce6a2baa9b3a79",
    "2024-05-31/reps/李娜.json": "cedf30e5f0a69f911741364ac0c84c5b86426e9c59ce47ac1294413b01244f0e",
    "2024-05-31/reps/李娜.xlsx": "75dda9061204a32ae2ac204d30f16107fa8fc8c7f876040de0c5037774588108",
    "2024-05-31/reps/王磊.json": "0a1cd375fdd10c0d6b5a1791928c6ab9fd8ec54aec097e5003cb545196d2a0a7",
    "2024-05-31/reps/王磊.xlsx": "25e05d67d28387b6921375241dbb49d9b71cd870e94d156d14ee3541fde505fc",
    "2024-05-31/reps/赵敏.json": "c848cf703635b97b830efc509313ace854ae11a7b0fe8b0e58509284ac92af5e",
    "2024-05-31/reps/赵敏.xlsx": "a56931e3cb7edad18c274c3def10a06072ee726fb08aa0f91d3aff805b6d5297",
    "2024-05-31/reps/陈静.json": "2afbbc68df0400d9949c13ac0da55ffa34318ec3be39ee42e174fead8148efb8",
    "2024-05-31/reps/陈静.xlsx": "c5b5ab0f03c2c8bb199fc9f29cd2653e2eb80081a78a3c9895bb673f7aa602e5",
    "2024-05-31/reps/＊销售代表.json": "7583feb0092474fcab52f65744a381e4e402306d9918a9cadde609b5c55b6b1c",
    "2024-05-31/reps/＊销售代表.xlsx": "0582ffff34b69a05baab1f11e6022161fdbefd18643b74222e61e0b8850b2aa4",
    "figures.json": "12c1ef757497b0ca9cde85b0d457cf501d96ec402ca0f6c1c1d7560f023f78b2",
    "funnel_report_2024-05-31.xlsx": "e666e2208b352585d3ed252ed165decd2aa757e423108d458d13d695079eb3e5",
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
