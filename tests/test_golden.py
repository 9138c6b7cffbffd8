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
    "2024-05-31/manifest.json": "3d3fa94964012c6d0f01821758fc0f179107d22017a5f7f9653db6a08fd61ad3",
    "2024-05-31/reps/刘洋.json": "ca40bd8fc1fc89bd261ff0ae25ad195bce08243f2bfab5c819869ab561e9189f",
    "2024-05-31/reps/刘洋.xlsx": "2d5ccfdc688f97258b322dc6816ce3b6ef138221eb4a826f9b8bdc77a8884848",
    "2024-05-31/reps/孙浩.json": "acc532b6abf6981a7e1c3a3c57c78c9287fe06416e1382da6538cdbb75e9ba64",
    "2024-05-31/reps/孙浩.xlsx": "05068215bec6e72a7c49b82d42d6c2f2f5e06f80afd95396c4f1a50e771f11c0",
    "2024-05-31/reps/张伟.json": "f4ffbe9b6d4f898fdc1c5f67081ca7effa73d6d9c4e71b81bdbbdf6ef45f62e0",
    "2024-05-31/reps/张伟.xlsx": "4d93c6fd90a71b83834a924621238a8a99ef50f75b2ce197e22225a3f974c682",
    "2024-05-31/reps/李娜.json": "b9137ab84d64516cb0127b7fb88a486d1178f42ef5af17b9bd707677fcd73213",
    "2024-05-31/reps/李娜.xlsx": "6f1da449b849ea7424766526652795a233aa0ea8f9f1930fe636cb1e4a38f533",
    "2024-05-31/reps/王磊.json": "87a22549b3e51f52dddd24757eef1419b27133acae6e953940773a84d5376e80",
    "2024-05-31/reps/王磊.xlsx": "c4beb6f5dd1c3716ed36234b69cd7d9f4d94fb637ddd7bdd7630da3fe28a7c6a",
    "2024-05-31/reps/赵敏.json": "fe18e80478fd4696b483cd7c71eee1d09e1187e7af798ebfcef3a59278dc1e99",
    "2024-05-31/reps/赵敏.xlsx": "2f01b87895f32c46f32d582110748e63800a6633d2ed1423d90e2b83d8ba460d",
    "2024-05-31/reps/陈静.json": "d01355c9d66aadc849db63ec5311cc3fde293b95f1f48aef763bd9c5545ee4af",
    "2024-05-31/reps/陈静.xlsx": "f7f95c357effaac54c5c2cd25d21377b6563ea378799b6d3e68b37a7ac63b639",
    "2024-05-31/reps/＊销售代表.json": "e9441cfcf0dc6e8ea829388951abe3b90809ad669682da5ca478d482025fc0ba",
    "2024-05-31/reps/＊销售代表.xlsx": "d93d7b801bf513ea9b08a080df5072eda82b7fd9c9fd935e91e15bb1bfdd8f31",
    "figures.json": "2e50cac0f8e0da92c041a088ef74c40e5404a09d75ef18bb3d76fa27d9d9e283",
    "funnel_report_2024-05-31.xlsx": "0c6d7ffcd6ab52a213536fdd47925bde46fc9af94864043b545e4d60270cf6f9",
    "validate --format json": "33d9f12a071b10bef3ae42fd446ae9827cca0a14340c52ff55bb840277680272",
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
