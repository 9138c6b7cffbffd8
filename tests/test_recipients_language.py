"""A recipients file's mistakes are told in the run's language: the file is read before the run
knows it, so each mistake is kept as a catalogue id and worded where it is shown."""

from __future__ import annotations

import re

import pytest

from funnel_xl.errors import RulesError
from funnel_xl.recipients import load_recipients

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
SENDER = '[sender]\nname = "Sales"\naddress = "ops@example.com"\n'
GOOD = 'version = 1\n' + SENDER + '[manager]\nto = ["boss@example.com"]\n'

CASES = {
    # name: (file content, words of the English message, words of the Chinese one)
    "unknown key": ("bogus = 1\n" + GOOD, "'bogus' is an unknown key", "「bogus」是未知的键"),
    "close to a key": ("version = 1\nmanagers = 1\n", "(did you mean 'manager'?)", "是否应为「manager」"),
    "missing key": ("version = 1\n" + SENDER, "'manager' is missing; it is required", "「manager」缺失，必须填写"),
    "wrong type": ("subject = 3\n" + GOOD, "'subject'", "「subject」"),
    "not a table": ("reps = 3\n" + GOOD, "'reps'", "「reps」"),
    "bad address": (GOOD.replace("boss@example.com", "boss@example"), "is not a valid mail address", "不是有效的邮箱地址"),
    "not TOML": ("manager = [\n", "is not valid TOML", "不是有效的 TOML"),
    "not UTF-8": (b"\xff\xfe", "is not UTF-8 text", "不是 UTF-8 文本"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_mistake_in_either_language(tmp_path, name):
    content, english, chinese = CASES[name]
    path = tmp_path / "recipients.toml"  # an ASCII path: any CJK in the English text is ours
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_recipients(path)
    told_en, told_zh = caught.value.text("en"), caught.value.text("zh")
    assert not CJK.search(told_en), told_en
    assert english in told_en and "recipients file" in told_en
    assert chinese in told_zh and told_zh.startswith("收件人文件")
    assert str(caught.value) == told_zh  # the Chinese default, as every message


def test_the_cli_tells_a_broken_recipients_file_in_english(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from funnel_xl.cli import cli

    (tmp_path / "recipients.toml").write_text("manager = [\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["mail", "--month", "2024-05", "--out", "out", "--to-rules", "recipients.toml", "--dry-run", "--lang", "en"],
    )
    assert result.exit_code == 2, result.output
    assert "is not valid TOML" in result.output and not CJK.search(result.output), result.output
