"""Per-item problems of an archive, gathered so that one refusal names them all.

A user fixing a file by hand should not meet its problems one upload at a time: the loops over
images, videos and annotations note each item's `ArchiveError` and go on, and the import is
refused once, at the end of the loop, with the first few problems and a count.

    problems = Problems()
    for item in items:
        with problems.item():
            convert(item)          # raises ArchiveError
    problems.raise_if_any()        # one ArchiveError naming up to MAX_SHOWN problems
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from annotator.importers.archive import ArchiveError

MAX_SHOWN = 10  # problems quoted in the message
GIVE_UP = 1000  # a file this broken is refused at once rather than read to the end


class Problems:
    def __init__(self, max_shown: int = MAX_SHOWN, give_up: int = GIVE_UP):
        self.max_shown = max_shown
        self.give_up = give_up
        self.found: list[str] = []

    @contextmanager
    def item(self) -> Iterator[None]:
        """Note an ArchiveError raised inside and carry on (until `give_up` problems)."""
        try:
            yield
        except ArchiveError as exc:
            self.found.append(str(exc))
            if len(self.found) >= self.give_up:
                self.raise_if_any(stopped=True)

    def raise_if_any(self, stopped: bool = False) -> None:
        """Raise one ArchiveError for what was noted; a single problem keeps its own message."""
        if not self.found:
            return
        if len(self.found) == 1:
            raise ArchiveError(self.found[0])
        count = f"{len(self.found)}{'+' if stopped else ''} problems"
        shown = "; ".join(self.found[: self.max_shown])
        more = len(self.found) - self.max_shown
        tail = f"; and {more} more" if more > 0 else ""
        stop = f" (reading stopped after {self.give_up})" if stopped else ""
        raise ArchiveError(f"{count}{stop}: {shown}{tail}")
