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
    "2024-05/manifest.json": "06bc65f22078601076bd00eddd6f090abc361b43bd8912095866fc5487a5367b",
    "2024-05/reps/刘洋.json": "91864d4276aea55d6ef974ba1f99f77f5e871c982cc8e499aa5a2c2e9ed800cc",
    "2024-05/reps/刘洋.xlsx": "21450299c338f7387fe43bbcf046d5fd477b26898f199d7bdbc6beef32d43428",
    "2024-05/reps/孙浩.json": "bc2825126729f7ad9dad18a815263c662c59e2e5253c6b3403ce3b1a06abfaab",
    "2024-05/reps/孙浩.xlsx": "7300cb784b7c45903598f06e5e9141d4927fd027a53e5de4c3b99327696a6c66",
    "2024-05/reps/张伟.json": "88beef30b4549a7573be3ed5fd280029212c50e6cc599a95d17010f8e8f4fb1b",
    "2024-05/reps/张伟.xlsx": "00c9d973febb173f49c917635ea82b658dc8bd69bfd8e63788eeacad8d4432e0",
    "2024-05/reps/李娜.json": "cf21e2dc7afc0f5a144f51521bac4765f8ecd444ae896282b113da10e4f58f46",
    "2024-05/reps/李娜.xlsx": "a31942bf6eb89f553a79114c2cf579b923d16b313b308642efb798f95d7e29ed",
    "2024-05/reps/王磊.json": "da95172c460d9db73a9434cef7ede0a9f5c670963f2f16db9c2c1bd53ba4cff0",
    "2024-05/reps/王磊.xlsx": "43bc1c4c21c96eef294344418ed8d96a9d0f9527b6fd0ecf344670c18e4ce3da",
    "2024-05/reps/赵敏.json": "ce8ebe76b246260b9873c1a899a581069b39dcecf4ea208ab70977f4e56f24a1",
    "2024-05/reps/赵敏.xlsx": "8de641ac9bc990ed6fa78fb9cb8d0a2979d68a1972953036c0ec2ca554aed385",
    "2024-05/reps/陈静.json": "001defac77c8e10747b28f765cdb19270f21b8284f48fbe9f12f4ccc39295925",
    "2024-05/reps/陈静.xlsx": "e29915ddf537c24c5e333b93d15ade9e1771beb1e0168face99bdbe23d95f345",
    "2024-05/reps/＊销售代表.json": "b3a43b264fee2feff2758e5af65dac66788bd06587a72bb35cbaa04c20e08200",
    "2024-05/reps/＊销售代表.xlsx": "d0bf207d5abb5ff894e1e112de2ba79456fe72b7eb2b7359752ac5bdb375f0b2",
    "figures.json": "7f49c362549b030c9e790c9938643cfa5af0c0bcb4d5726a7aece14ab1b84504",
    "funnel_report_2024-05.xlsx": "f97e6a7b01cb95ba967dbf57d51d67f8030bc0dd469ede78815e96a4d1c1bece",
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
