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
    "2024-05/manifest.json": "b9d5830cd468713b21f0bf538086012e1a101f376551e77ab5b8526c244b2af9",
    "2024-05/reps/刘洋.json": "91864d4276aea55d6ef974ba1f99f77f5e871c982cc8e499aa5a2c2e9ed800cc",
    "2024-05/reps/刘洋.xlsx": "9a7236bfc616d1fe9d6752b1306b26d79bf3f0e31c275fb584e2757e3518a09f",
    "2024-05/reps/孙浩.json": "bc2825126729f7ad9dad18a815263c662c59e2e5253c6b3403ce3b1a06abfaab",
    "2024-05/reps/孙浩.xlsx": "72938d88096150350556f47d00bdbbf9cd8401b2f8f8e16c5285336e6b3fe715",
    "2024-05/reps/张伟.json": "88beef30b4549a7573be3ed5fd280029212c50e6cc599a95d17010f8e8f4fb1b",
    "2024-05/reps/张伟.xlsx": "7e9730be2509801e40ee5d47b791d66926de9705518174a367cd81de1e5027f8",
    "2024-05/reps/李娜.json": "cf21e2dc7afc0f5a144f51521bac4765f8ecd444ae896282b113da10e4f58f46",
    "2024-05/reps/李娜.xlsx": "cfddd442ec035dd476a56c17aad93a0cfaabeb621fe9547837cead3ca2510eae",
    "2024-05/reps/王磊.json": "21de3694e132ad6ccdf493f0991fb71802ac85319ed0dc9ae7cba4f47f269eee",
    "2024-05/reps/王磊.xlsx": "7a62991fe3026cea194012949dec79886defab60f6b889720e590888329d3dfa",
    "2024-05/reps/赵敏.json": "4308828f3a9506c0ac021d1b83f88a6e0feb4be209feadc0079f68fe255ac3a1",
    "2024-05/reps/赵敏.xlsx": "762bc0842d8fcfaaf52c5049dfaa29bbbc969733878eb43ea67e3f6dfdbbbd10",
    "2024-05/reps/陈静.json": "001defac77c8e10747b28f765cdb19270f21b8284f48fbe9f12f4ccc39295925",
    "2024-05/reps/陈静.xlsx": "756781a5205770486ff4513b0f407461321cdf19dce302c44f64e6a9487a3b22",
    "2024-05/reps/＊销售代表.json": "3deb3d40fbf95a5daf4a854963bf11b4dcc9b83c9338a966bb0f38897f419d39",
    "2024-05/reps/＊销售代表.xlsx": "1c1f15d9f8959b6763cbc84854ae1fb5c96b0a0dff3032bb1548c54f05283ae0",
    "figures.json": "fdb232ef97cc5fe5ad205da5ee5e194e4cd6742e0f7f785208dba9ec75345a37",
    "funnel_report_2024-05.xlsx": "5dece845ca8151d4b316e76c31efb8a2a0f7b03d45a7030b954ae593e868b337",
    "validate --format json": "c356ba41ad8dcd7cedb2bbd48fc5fe465da97ef2c33ff6ff0c1e95bd1fb98f95",
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
