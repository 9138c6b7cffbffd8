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
    "2024-05-31/manifest.json": "97ea5dfccc54f78e55ebde55fed64db1f2233253018fe4f38394b99c750de9d0",
    "2024-05-31/reps/刘洋.json": "28eb8f8aae993bfdf0590217a01a0e13c77f532bcd9fa63b5e85b36bbb14c4a5",
    "2024-05-31/reps/刘洋.xlsx": "f9c77bf769263dffd33391cbf0f1a3232a892dac598824871dc17794535b0595",
    "2024-05-31/reps/孙浩.json": "ef98264e6f83eb5e28610a9e9ba226733ac1e4f3ce50cae0bbc2fadd13056510",
    "2024-05-31/reps/孙浩.xlsx": "a817efbb3894dc1ac98e4f188478c559c2812b049f6f5f11641f1f5b64e447df",
    "2024-05-31/reps/张伟.json": "01ef49e98a5e33f231690ca006bcb04cf6147abfb5262a012e14dac115718abd",
    "2024-05-31/reps/张伟.xlsx": "b0b7c0e4a3ba727dab998382cfa573dcc61df49e7b3279c080dc20ea92f8226b",
    "2024-05-31/reps/李娜.json": "cedf30e5f0a69f911741364ac0c84c5b86426e9c59ce47ac1294413b01244f0e",
    "2024-05-31/reps/李娜.xlsx": "b3ceae6ce17fdd66e868cc4df3cbf6ec85081958eb7594210202a79783426d0e",
    "2024-05-31/reps/王磊.json": "0a1cd375fdd10c0d6b5a1791928c6ab9fd8ec54aec097e5003cb545196d2a0a7",
    "2024-05-31/reps/王磊.xlsx": "01ac25b0b7727e49c91620653fe305a70a2ffa93cdfe5a59cb11da3bd0837ebe",
    "2024-05-31/reps/赵敏.json": "c848cf703635b97b830efc509313ace854ae11a7b0fe8b0e58509284ac92af5e",
    "2024-05-31/reps/赵敏.xlsx": "551b54ece65e427aa7e4f4322cb923ff065ef59de5f0c9ab98091b0074e0ab06",
    "2024-05-31/reps/陈静.json": "2afbbc68df0400d9949c13ac0da55ffa34318ec3be39ee42e174fead8148efb8",
    "2024-05-31/reps/陈静.xlsx": "86d6f6c9438ad1c5681edf9fcf813ec71f523a452cb455f1cf7b3d50dd5b2502",
    "2024-05-31/reps/＊销售代表.json": "7583feb0092474fcab52f65744a381e4e402306d9918a9cadde609b5c55b6b1c",
    "2024-05-31/reps/＊销售代表.xlsx": "10975c2a77b5f6bbf8657cc615113009e9ce30ecd703c4bcecc86f3066b19b44",
    "figures.json": "d6001246deb747e78655e0476d629899638aebad4ca4b5be563385f5b9a11909",
    "funnel_report_2024-05-31.xlsx": "43b39b57a455ca015651d243f2bfe8f00097640b3780256773a3b9ca135d0a64",
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
