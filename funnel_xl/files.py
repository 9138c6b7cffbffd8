"""Reading an input file once, safely: a regular file, within a size limit, read whole or refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import FunnelXLError, InputError, Say, os_error_reason

MB = 1024 * 1024
_CHUNK = 1 << 20


def read_regular_file(
    path: Path,
    max_bytes: int,
    *,
    what: Say | str | None = None,
    limit_key: str = "",
    error: type[FunnelXLError] = InputError,
    not_found: Say | str = "",
) -> bytes:
    """The whole content of a regular file, read once; every failure becomes one clear ``error``
    (``what`` the file is, e.g. ``Say("files.workbook")``, goes into its message).

    Opened without blocking, so a named pipe cannot hang the tool; checked after the read, so a file
    that grew, shrank or was rewritten meanwhile (a sync client, Excel saving) is refused rather than
    read half old, half new.
    """
    path = Path(path)
    what = what or Say("files.file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error(not_found or Say("files.not_found", path=path)) from None
    except IsADirectoryError:
        raise error(Say("files.folder", path=path, what=what)) from None
    except OSError as exc:
        raise error(Say("files.cannot_open", path=path, reason=os_error_reason(exc))) from None
    try:
        before = os.fstat(fd)
        if stat.S_ISDIR(before.st_mode):
            raise error(Say("files.folder", path=path, what=what))
        if not stat.S_ISREG(before.st_mode):
            raise error(Say("files.not_regular", path=path, what=what))
        chunks, total = [], 0
        size = before.st_size
        while size <= max_bytes and (chunk := os.read(fd, _CHUNK)):
            size = total = total + len(chunk)
            chunks.append(chunk)
        if size > max_bytes:
            limit = Say("files.limit_key", setting=limit_key) if limit_key else ""
            raise error(Say(
                "files.too_big", name=path.name, mb=max_bytes // MB, limit=limit, what=what,
                raise_it=Say("files.raise_limit") if limit_key else "",
            ))
        after = os.fstat(fd)
    except OSError as exc:
        raise error(Say("files.read_failed", path=path, reason=os_error_reason(exc))) from None
    finally:
        os.close(fd)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or total != after.st_size:
        raise error(Say("files.changed_meanwhile", name=path.name))
    return b"".join(chunks)
