"""Progress of a long run, told through a callback: the library never prints.

``analyse``, ``validate_files`` and ``write_outputs`` take ``progress=``, a function called with a
:class:`Progress` as each step starts — reading and checking each file, recalculating, writing each
sheet (and, for a long sheet, every :data:`ROWS_PER_EVENT` rows), saving each file. The command line
shows these on stderr; a script may log them or pass nothing::

    funnel_xl.analyse(paths, rules, month="2024-05", progress=print)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

READ, VALIDATE, COMPUTE, WRITE, SAVE = "read", "validate", "compute", "write", "save"
STEPS = (READ, VALIDATE, COMPUTE, WRITE, SAVE)
# A sheet being written reports its rows this often.
ROWS_PER_EVENT = 20_000


@dataclass(frozen=True)
class Progress:
    """One step starting: what (``step``, one of :data:`STEPS`), on what (a file or sheet name),
    and for a long sheet how far along (``done`` of ``total`` rows)."""

    step: str
    name: str = ""
    done: int | None = None
    total: int | None = None


ProgressCallback = Callable[[Progress], None]


def silent(event: Progress) -> None:
    """The callback used when the caller passes none."""
