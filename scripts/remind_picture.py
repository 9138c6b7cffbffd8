"""docs/pictures/remind-mail.png: a reminder mail as a mail client shows it.

Runs `funnel-xl remind` on the example workbook for 2024-05-31 into a temporary outbox, reads
张伟's .eml back with the standard library, lays its headers above its HTML body as a mail client
does, and renders that page to PNG with headless Chromium (``apt-get install -y chromium``).

    python scripts/remind_picture.py
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from click.testing import CliRunner

from funnel_xl.cli import cli

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "docs" / "pictures" / "remind-mail.png"
REP = "张伟"


def reminder_eml(folder: Path) -> bytes:
    result = CliRunner().invoke(cli, [
        "remind", str(REPO / "examples" / "sample_tracking.xlsx"), "--as-of", "2024-05-31",
        "--to-rules", str(REPO / "rules" / "recipients.toml"), "--history", str(folder / "h.sqlite"),
        "--outbox", str(folder / "outbox"), "-q",
    ])
    if result.exit_code != 0:
        sys.exit(result.output)
    (path,) = (folder / "outbox").glob(f"*_{REP}_*.eml")
    return path.read_bytes()


def client_page(raw: bytes) -> str:
    """The message as a mail client's reading pane: From, To, Subject, Date, then the HTML body."""
    msg = message_from_bytes(raw, policy=default)
    body = msg.get_body(("html",)).get_content()
    inner = body.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0]
    rows = "".join(
        f'<tr><td style="color:#666;padding:2px 12px 2px 0">{name}</td>'
        f"<td>{html.escape(str(msg[key]))}</td></tr>"
        for name, key in (("发件人", "From"), ("收件人", "To"), ("主题", "Subject"), ("日期", "Date"))
    )
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
        '<body style="font-family:sans-serif;font-size:14px;color:#222;width:900px">'
        f'<table style="font-size:13px;border-bottom:1px solid #BFBFBF;width:100%;margin-bottom:12px">{rows}</table>'
        f"{inner}</body></html>"
    )


def main() -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        sys.exit("Chromium is needed to render the picture (apt-get install -y chromium).")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        page = folder / "remind-mail.html"
        page.write_text(client_page(reminder_eml(folder)), encoding="utf-8")
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={folder / 'profile'}", f"--screenshot={TARGET}",
             "--window-size=940,420", page.as_uri()],
            check=True, capture_output=True, timeout=180,
        )
    print(f"written: {TARGET}")


if __name__ == "__main__":
    main()
