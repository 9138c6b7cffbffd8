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

from .errors import OutputError, Say, os_error_reason


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; move it onto ``target`` when the block succeeds."""
    target = Path(target)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f"{target.suffix}.tmp", dir=folder)
    except OSError as exc:
        raise OutputError(Say("atomic.folder", folder=folder, reason=os_error_reason(exc))) from None
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
            raise OutputError(Say("atomic.replace", target=target, reason=os_error_reason(exc))) from None
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
    return OutputError(Say("atomic.write", target=target, reason=os_error_reason(exc)))


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


def refuse_overwriting(
    targets: list[str | Path], inputs: list[str | Path], what: Say | str | None = None,
) -> None:
    """Stop before an output would replace an input (the same path, or a link to the same file);
    ``what`` the input is, e.g. ``Say("atomic.rules_file")``."""
    for target in targets:
        for source in inputs:
            if _same_file(Path(target), Path(source)):
                what = what or Say("atomic.input")
                raise OutputError(Say("atomic.overwrite", target=target, what=what, source=source))


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def write_text_atomic(target: str | Path, text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))
