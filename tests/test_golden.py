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
    "2024-05-31/manifest.json": "8e6132cd0a4edf3e00abbef76755eb4584d0cca92c0791d018f3216bcfd21449",
    "2024-05-31/reps/刘洋.json": "89b6c4e980a575dd91e8aed0ff9e856a7a3ff856161944dd5539472642bcf22f",
    "2024-05-31/reps/刘洋.xlsx": "ee8d874507c2f232b5ac12e655c99afc4b0dfbb9f46dbbcb7d1e5755662cda65",
    "2024-05-31/reps/孙浩.json": "2d245431bc9b5247f5953445e985476d5d53294e2f231a1e3a2f19809a850b2a",
    "2024-05-31/reps/孙浩.xlsx": "e57f6b5a9ad77852f58cb46ca35454922b6021f1f4cc2350f0b4e3f652eae9fd",
    "2024-05-31/reps/张伟.json": "0bbf3ee08ee1d8dd5532e2243a98ebcfb0cdcee89ad475a8b09fe8f6d67811b3",
    "2024-05-31/reps/张伟.xlsx": "ce522ba53d9654ae2c40c62fd07f91fb9742b8f243041ef4b9b9a3ec5e5af1bb",
    "2024-05-31/reps/李娜.json": "9e6d7815d9218144d82c584a586429db31e2d7a12fa1ecad01c5ca9f420de153",
    "2024-05-31/reps/李娜.xlsx": "67dc4f0174f7fd664b414cd552ba89bfb4dedd29d89707fa3042d5fcfbfdc7ea",
    "2024-05-31/reps/王磊.json": "db9287e0f4225cbcc894e9d906a189e3b74d62f4b58982357b0383a40d46a127",
    "2024-05-31/reps/王磊.xlsx": "87ababbdbc8cc2493c008a9073d08f4da5c45cd7473fe4397659f08168d702cf",
    "2024-05-31/reps/赵敏.json": "6c41c3ce7d9fb9ea67f34ee5ef8b4c1d8de11ee5c58e8fca4f4def772d4956fb",
    "2024-05-31/reps/赵敏.xlsx": "0152d8bab1097a4ab63111fdd8fededb7ce1f92e451d99f9351c9bf529ce753a",
    "2024-05-31/reps/陈静.json": "9d905bf336aa1f6814ef8db6f170842d364843d3cd9b840dd1784cef5851b06b",
    "2024-05-31/reps/陈静.xlsx": "ca516b04d93b12a2d80d2439853b1550ffb8490c8f44da35fe1a0ad45b1773d9",
    "2024-05-31/reps/＊销售代表.json": "9e33f6a62f103af0fbb968b301f0c09076ded2a41745b21e372d8611a0ef1e5a",
    "2024-05-31/reps/＊销售代表.xlsx": "255af00aa3a7d42ea42db5f13ee2ff627b6348ac2fa32718abacabd245e1798c",
    "figures.json": "28341573274ab917ec7d310a2dce464099b3f2bfa6fd88fce8146dad945f7b1c",
    "funnel_report_2024-05-31.xlsx": "e7238c6718b903bae8ac68d0fa910eb958c1bac683353bfd88c479e82ce88b9d",
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
