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
    "2024-05-31/manifest.json": "fd53181026164ee0f3ff25bc2f4123cc1a18e4ead229fcf52d85e5dc1cb0fb0c",
    "2024-05-31/reps/刘洋.json": "89b6c4e980a575dd91e8aed0ff9e856a7a3ff856161944dd5539472642bcf22f",
    "2024-05-31/reps/刘洋.xlsx": "14e8742771bde87763bf6d95891f30ec9f78bbfed4df2a318f948a5540269aa3",
    "2024-05-31/reps/孙浩.json": "2d245431bc9b5247f5953445e985476d5d53294e2f231a1e3a2f19809a850b2a",
    "2024-05-31/reps/孙浩.xlsx": "58a3f54e19a336eead53e4724458ef8583b65d0f5e40aae4a4cc397db139aa1f",
    "2024-05-31/reps/张伟.json": "0bbf3ee08ee1d8dd5532e2243a98ebcfb0cdcee89ad475a8b09fe8f6d67811b3",
    "2024-05-31/reps/张伟.xlsx": "f9849c5a19b91bbf9c08abad9132b700c497e7ca17485b02aeacf97a96345c0b",
    "2024-05-31/reps/李娜.json": "9e6d7815d9218144d82c584a586429db31e2d7a12fa1ecad01c5ca9f420de153",
    "2024-05-31/reps/李娜.xlsx": "98178c7507223f3748ca7b415898653e7aa03786c0823ea6d23c19f6aa955402",
    "2024-05-31/reps/王磊.json": "db9287e0f4225cbcc894e9d906a189e3b74d62f4b58982357b0383a40d46a127",
    "2024-05-31/reps/王磊.xlsx": "0ca5dacdf65dfb0d347c8b03d185c124a747811e16e9023f56854f4a5e2b0718",
    "2024-05-31/reps/赵敏.json": "6c41c3ce7d9fb9ea67f34ee5ef8b4c1d8de11ee5c58e8fca4f4def772d4956fb",
    "2024-05-31/reps/赵敏.xlsx": "51ce37a399db2cd06bb85b88a9aed76be128b976556a88d446ce3e9a0f9bf765",
    "2024-05-31/reps/陈静.json": "9d905bf336aa1f6814ef8db6f170842d364843d3cd9b840dd1784cef5851b06b",
    "2024-05-31/reps/陈静.xlsx": "013971f1f03577d02fe5ad9cde885a6e47686e2bdf48f94f60161534568766b8",
    "2024-05-31/reps/＊销售代表.json": "9e33f6a62f103af0fbb968b301f0c09076ded2a41745b21e372d8611a0ef1e5a",
    "2024-05-31/reps/＊销售代表.xlsx": "f87a3e5c1852ee3f1f3a514983fafd46cf2f086991e76d86c96350619ee1f5b9",
    "figures.json": "b0f33ab90b09979a15a17710f1b4ef9c8564e3c022983a0c527c93c65ce15991",
    "funnel_report_2024-05-31.xlsx": "c99e56cd54c21e9ebec56c79672e498286d0fe7d8f5eda2623014f37ad01466b",
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
