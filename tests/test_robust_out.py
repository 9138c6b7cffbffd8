"""Issue 16, the output side: what a run writes, mails and remembers never stops the month.

Each class of the issue gets its own tests here, built in code in tmp_path (see the issue's
numbering in each section's heading).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from funnel_xl.cli import cli
from funnel_xl.errors import RulesError
from funnel_xl.rules import default_rules_path, load_rules

# ---------------------------------------------------------------------------
# 15. Only text encodings for CSV files
# ---------------------------------------------------------------------------

NOT_CHARSETS = ["base64", "rot13", "zlib", "hex", "uu", "quopri", "unicode_escape", "bz2"]


@pytest.mark.parametrize("codec", NOT_CHARSETS)
def test_encoding_option_refuses_codecs_that_are_not_charsets(tmp_path, codec):
    csv = tmp_path / "leads.csv"
    csv.write_text("线索编号,所属阶段\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(csv), "--encoding", codec])
    assert result.exit_code == 2
    assert "不是文本文件的字符编码" in result.stderr
    assert "意外故障" not in result.output


@pytest.mark.parametrize("codec", NOT_CHARSETS)
def test_rules_input_encoding_refuses_codecs_that_are_not_charsets(tmp_path, codec):
    rules = tmp_path / "rules.toml"
    rules.write_text(f'[input]\nencoding = "{codec}"\n', encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(rules)
    assert "「input.encoding」" in str(info.value) and "不是文本文件的字符编码" in str(info.value)


def test_real_charsets_are_still_accepted(tmp_path):
    csv = tmp_path / "leads.csv"
    text = (
        "线索编号,客户名称/联系人,线索来源,所属阶段,首次接触时间,最近跟进时间,预计成交日期,预计成交金额(万元),负责人\n"
        "LF1,甲方,展会推广,潜在接触,2024-05-02,2024-05-20,2024-08-01,10,张伟\n"
    )
    csv.write_bytes(text.encode("gb18030"))
    result = CliRunner().invoke(cli, ["validate", str(csv), "--encoding", "gb18030", "--as-of", "2024-05-31"])
    assert result.exit_code in (0, 1), result.output


# ---------------------------------------------------------------------------
# 14. rules check and mail print no terminal escapes from a sheet
# ---------------------------------------------------------------------------

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m"
CSV_HEADER = "线索编号,客户名称/联系人,线索来源,所属阶段,首次接触时间,最近跟进时间,预计成交日期,预计成交金额(万元),负责人\n"


def escaping_csv(tmp_path):
    csv = tmp_path / "leads.csv"
    csv.write_text(
        CSV_HEADER.replace("\n", f",备注{ESCAPES}\n")
        + f"LF1,甲方,展会推广,潜在接触,2024-05-02,2024-05-20,2024-08-01,10,张伟{ESCAPES},x\n"
        + f"LF2,乙方,展会推广,阶段{ESCAPES},2024-05-02,2024-05-20,2024-08-01,10,张伟,x\n",
        encoding="utf-8",
    )
    return csv


def test_rules_check_neutralises_a_sheets_escape_sequences(tmp_path):
    rules = default_rules_path()
    result = CliRunner().invoke(cli, ["rules", "check", str(rules), str(escaping_csv(tmp_path))])
    assert "规则不认识的阶段值" in result.stdout and "未使用的列" in result.stdout
    for control in ("\x1b", "\x07", "\x9b"):
        assert control not in result.output


def test_mail_neutralises_names_from_the_sheet(tmp_path):
    out = tmp_path / "out"
    rebuilt = CliRunner().invoke(cli, [
        "rebuild", str(escaping_csv(tmp_path)), "--month", "2024-05", "--out", str(out), "--split-by", "owner",
        "--no-history",
    ])
    assert rebuilt.exit_code in (0, 1), rebuilt.output
    recipients = tmp_path / "recipients.toml"
    recipients.write_text(
        'version = 1\n[sender]\naddress = "ops@example.com"\n[manager]\nto = ["boss@example.com"]\n'
        '[reps]\n"张伟" = "zhang@example.com"\n', encoding="utf-8",
    )
    for extra in (["--dry-run"], []):
        result = CliRunner().invoke(cli, [
            "mail", "--month", "2024-05", "--out", str(out), "--to-rules", str(recipients), *extra,
        ])
        assert result.exit_code == 0, result.output
        assert "没有邮箱地址" in result.stderr  # the rep whose name holds the escapes
        for control in ("\x1b", "\x07", "\x9b"):
            assert control not in result.output
