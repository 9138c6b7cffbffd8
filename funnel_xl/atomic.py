"""Atomic output: write beside the target, then replace it in one step.

A crash, a full disk or a file held open elsewhere leaves the previous output intact. Several
outputs of one run are staged together (:func:`staged_outputs`): all are written first, and only
when every one is complete are they moved into place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
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


@contextmanager
def staged_outputs() -> Iterator[Callable[[str | Path], Path]]:
    """``with staged_outputs() as stage:`` — ``stage(target)`` gives the temporary path to write
    ``target`` to (the same one when asked again). When the block ends without an error every
    staged file is moved onto its target, the first staged last; on an error none is, and the
    temporary files are removed."""
    with ExitStack() as moves:
        staged: dict[Path, Path] = {}

        def stage(target: str | Path) -> Path:
            target = Path(target)
            if target not in staged:
                staged[target] = moves.enter_context(atomic_path(target))
            return staged[target]

        yield stage


def write_failed(target: str | Path, exc: OSError) -> OutputError:
    """The error for an output that could not be written (a full disk, a file too large)."""
    return OutputError(f"无法写入 {target}: {os_error_reason(exc)}。原有的文件保持不变。")


class OutputStream:
    """A file for a writer that cannot be stopped cleanly once a write fails (xlsxwriter's
    ZipFile, which would try again when garbage-collected and print a traceback): the first
    failure is kept in ``failure`` and raised; after it every write is dropped, but counted, so
    the writer's offsets stay consistent while it winds down."""

    def __init__(self, path: str | Path):
        self._file = open(path, "wb")  # noqa: SIM115 (closed by close())
        self._position = 0
        self.failure: OSError | None = None

    def _guard(self, operation: Callable, *args):
        try:
            return operation(*args)
        except OSError as exc:
            self.failure = exc
            raise

    def write(self, data) -> int:
        size = len(data)
        if self.failure is None:
            self._guard(self._file.write, data)
        self._position += size
        return size

    def flush(self) -> None:
        if self.failure is None:
            self._guard(self._file.flush)

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if self.failure is None:
            self._position = self._guard(self._file.seek, offset, whence)
        elif whence == os.SEEK_SET:
            self._position = offset
        return self._position

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        """Flush and close; raises the first failure of the whole write, if there was one."""
        try:
            self.flush()
        except OSError:
            pass
        finally:
            try:
                self._file.close()
            except OSError as exc:
                self.failure = self.failure or exc
        if self.failure is not None:
            raise self.failure


def write_bytes_atomic(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise write_failed(target, exc) from None


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
