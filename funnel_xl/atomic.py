"""Atomic output: write beside the target, then replace it in one step.

A crash, a full disk or a file held open elsewhere leaves the previous output intact.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError, os_error_reason


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; move it onto ``target`` when the block succeeds."""
    target = Path(target)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f"{target.suffix}.tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"无法在 {folder} 写入输出文件: {os_error_reason(exc)}。请换一个可写的位置。") from None
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file owner-only; give the output the permissions of a normally created file.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(
                f"无法写入 {target}: {os_error_reason(exc)}。若文件正在 Excel/WPS 中打开，请先关闭后重试；"
                "原有的文件保持不变。"
            ) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes_atomic(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"无法写入 {target}: {os_error_reason(exc)}。原有的文件保持不变。") from None


def refuse_overwriting(targets: list[str | Path], inputs: list[str | Path], what: str = "输入文件") -> None:
    """Stop before an output would replace an input (the same path, or a link to the same file)."""
    for target in targets:
        for source in inputs:
            if _same_file(Path(target), Path(source)):
                raise OutputError(
                    f"输出文件 {target} 就是{what} {source}，写入会覆盖它，已停止。请换一个输出目录或文件名。"
                )


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def write_text_atomic(target: str | Path, text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))
