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
    "2024-05-31/manifest.json": "2bca88f3b63a2118dcd917340718183d85795916cbfa13c70ef3c3067419469e",
    "2024-05-31/reps/刘洋.json": "28eb8f8aae993bfdf0590217a01a0e13c77f532bcd9fa63b5e85b36bbb14c4a5",
    "2024-05-31/reps/刘洋.xlsx": "f1cb0cb16a6a3087e905885e8e69ffa318b9723964de63cb4ddb660305e6a669",
    "2024-05-31/reps/孙浩.json": "ef98264e6f83eb5e28610a9e9ba226733ac1e4f3ce50cae0bbc2fadd13056510",
    "2024-05-31/reps/孙浩.xlsx": "6baef4d31f937310f5c2fd685f48080bdcae266a53a4c8086b273a78c276d614",
    "2024-05-31/reps/张伟.json": "01ef49e98a5e33f231690ca006bcb04cf6147abfb5262a012e14dac115718abd",
    "2024-05-31/reps/张伟.xlsx": "95e1764e83256348a120b3008b4032f8738a31f20402c698a2cf34b211be9606",
    "2024-05-31/reps/李娜.json": "cedf30e5f0a69f911741364ac0c84c5b86426e9c59ce47ac1294413b01244f0e",
    "2024-05-31/reps/李娜.xlsx": "a7493987d372f013bff2828cb48d2ca498641eefb5738fba9e00e89a5a1b7bf9",
    "2024-05-31/reps/王磊.json": "0a1cd375fdd10c0d6b5a1791928c6ab9fd8ec54aec097e5003cb545196d2a0a7",
    "2024-05-31/reps/王磊.xlsx": "df130beed4b0c8598a9f5db59aee4664d3e476356c674ffa06783afb6687bebf",
    "2024-05-31/reps/赵敏.json": "c848cf703635b97b830efc509313ace854ae11a7b0fe8b0e58509284ac92af5e",
    "2024-05-31/reps/赵敏.xlsx": "16fe2d835440dc0cf7972d5ca104c0961fc5f67dcea6a771865a6fbdd4b28b18",
    "2024-05-31/reps/陈静.json": "2afbbc68df0400d9949c13ac0da55ffa34318ec3be39ee42e174fead8148efb8",
    "2024-05-31/reps/陈静.xlsx": "f20985a4a03976ff3752aff2a16ef03c9a66e2d6f5516a80b2b9218a8786e229",
    "2024-05-31/reps/＊销售代表.json": "7583feb0092474fcab52f65744a381e4e402306d9918a9cadde609b5c55b6b1c",
    "2024-05-31/reps/＊销售代表.xlsx": "b5da0486d8a949617527894f54d8fb72f531fec3eb6a7417f16ec9a7f7560129",
    "figures.json": "6afe84a460550b54369d4e282ab2df4c9a852ca01b6dc7f6495ab32ec7b0deec",
    "funnel_report_2024-05-31.xlsx": "0c6d7ffcd6ab52a213536fdd47925bde46fc9af94864043b545e4d60270cf6f9",
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
