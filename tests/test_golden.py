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
    "2024-05/manifest.json": "8b807e0cb7f1534aa3886e1ea15be92ca3e28d36462a0f1e6eabb454f956cec3",
    "2024-05/reps/刘洋.json": "5693a1fe59265bde2c28cb73e94bdda37915aa1b304ff34877f1276103c73439",
    "2024-05/reps/刘洋.xlsx": "baa366e6cf0971546444c9fd701f893c2ac3e2ea42f86e825eb368e339926751",
    "2024-05/reps/孙浩.json": "9fc3a970ae4365043b739d728e1dd9e0f25f29b44e23eded0c8e4f1f169c24cf",
    "2024-05/reps/孙浩.xlsx": "37fdf266d6d3dd5fb1aadbd63809ca3492490d297a7cd7dd477b2a10c9a6958d",
    "2024-05/reps/张伟.json": "8e119bddc3ea6a8076f0ec91b49f6b5fbce6ed3b424e7774313dd5e1d4e21a56",
    "2024-05/reps/张伟.xlsx": "843e0c6e0c60952939c7510f53e5acc87730f5ec91f2f2878ab729e955f3436d",
    "2024-05/reps/李娜.json": "7e6c371105d11cf5962296f6e7c4865bf4f7541e2c77f94aee0e754f8eca6246",
    "2024-05/reps/李娜.xlsx": "5af9c8180bd058682e528aea1c3c3f309bcaff9a272b5d2a57a91a0cf5d7b56c",
    "2024-05/reps/王磊.json": "3c8e4ee6d83cf99e09002f793a2d48f4b3e200dd9b6d03dc171c8e3eb53312f6",
    "2024-05/reps/王磊.xlsx": "ef4ada63075f97deade5a85961b59e5c758a0a100420f08dcba0446f57856f6a",
    "2024-05/reps/赵敏.json": "bb51328e271f86ac26e091dcd3d7cf494870cf24b31ced010c6d3989ff52255a",
    "2024-05/reps/赵敏.xlsx": "71a840475c23d2cd88dcd6a219f9f678a4aadee06302371833b12408864dd914",
    "2024-05/reps/陈静.json": "13a93fa083febdd206256405ea101384133a384ceae825f4162e785aec5a1abd",
    "2024-05/reps/陈静.xlsx": "4cdf89d3af82a950cb9fa13e334a9f65e66bc31c3361742a5863152198a27257",
    "2024-05/reps/＊销售代表.json": "739ee337934bd16e6288c8754c8fe50c698d71421ddb822c0775e97064810e30",
    "2024-05/reps/＊销售代表.xlsx": "6da013944098a5fc9524c95ddc03a5a29dcdf023c00e12078e54614bc9df9070",
    "figures.json": "67ae1b9bbd4c130eca499f9428b75bd18e16d478d3bcdd9f35ce204a98eaa47c",
    "funnel_report_2024-05.xlsx": "8fac27311a684305e6a54892b060ab09c597405bbd7f478df3a432d342f95874",
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
