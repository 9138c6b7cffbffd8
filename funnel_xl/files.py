"""Reading an input file once, safely: a regular file, within a size limit, read whole or refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import FunnelXLError, InputError, os_error_reason

MB = 1024 * 1024
_CHUNK = 1 << 20


def read_regular_file(
    path: Path,
    max_bytes: int,
    *,
    what: str = "文件",
    limit_key: str = "",
    error: type[FunnelXLError] = InputError,
    not_found: str = "",
) -> bytes:
    """The whole content of a regular file, read once; every failure becomes one clear ``error``.

    Opened without blocking, so a named pipe cannot hang the tool; checked after the read, so a file
    that grew, shrank or was rewritten meanwhile (a sync client, Excel saving) is refused rather than
    read half old, half new.
    """
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error(not_found or f"找不到文件: {path}") from None
    except IsADirectoryError:
        raise error(f"{path} 是一个文件夹，不是{what}。") from None
    except OSError as exc:
        raise error(f"无法打开 {path}: {os_error_reason(exc)}。") from None
    try:
        before = os.fstat(fd)
        if stat.S_ISDIR(before.st_mode):
            raise error(f"{path} 是一个文件夹，不是{what}。")
        if not stat.S_ISREG(before.st_mode):
            raise error(f"{path} 不是普通文件（可能是管道或设备），无法作为{what}读取。")
        chunks, total = [], 0
        size = before.st_size
        while size <= max_bytes and (chunk := os.read(fd, _CHUNK)):
            size = total = total + len(chunk)
            chunks.append(chunk)
        if size > max_bytes:
            limit = f"（规则文件 {limit_key}）" if limit_key else ""
            raise error(
                f"{path.name}: 文件超过 {max_bytes // MB} MB 的上限{limit}，不像是一份正常的{what}。"
                + ("若确实需要，请在规则文件中调高上限。" if limit_key else "")
            )
        after = os.fstat(fd)
    except OSError as exc:
        raise error(
            f"读取 {path} 时出错: {os_error_reason(exc)}。文件可能在读取过程中被移动、删除或断开了连接，"
            "请把它复制到本机后重试。"
        ) from None
    finally:
        os.close(fd)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or total != after.st_size:
        raise error(f"{path.name}: 文件在读取过程中被修改了（可能正在保存或同步），请稍后重试。")
    return b"".join(chunks)
