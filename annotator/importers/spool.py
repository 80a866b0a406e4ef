"""Imported frames kept in a temporary file until they are written, not in memory.

An import is checked whole before anything is written (docs/formats.md), so every frame of the
archive must be kept until then; on disk, memory holds only each frame's index and offset.

    spool = FrameSpool()
    frames = SpooledFrames(spool)      # one per track
    frames[3] = ImportedFrame(...)     # pickled into the spool
    for frame in frames.values(): ...  # read back one at a time, in frame order
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator


class FrameSpool:
    """An anonymous temporary file (in TMPDIR) that frames are appended to; gone once closed or collected."""

    def __init__(self):
        self.file = tempfile.TemporaryFile(prefix="siamlabel-import-")

    def put(self, frame) -> int:
        self.file.seek(0, 2)
        offset = self.file.tell()
        pickle.dump(frame, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        return offset

    def get(self, offset: int):
        self.file.seek(offset)
        # pickle is safe here: this process wrote the file, which no one else can open
        return pickle.load(self.file)  # noqa: S301


class SpooledFrames:
    """A track's frames by frame index: a mapping whose values live in a FrameSpool."""

    def __init__(self, spool: FrameSpool):
        self.spool = spool
        self._offsets: dict[int, int] = {}
        self.masks = 0  # frames with a mask
        self.outside = 0  # outside frames (the others are boxes)

    def __len__(self) -> int:
        return len(self._offsets)

    def __contains__(self, frame_index: int) -> bool:
        return frame_index in self._offsets

    def __setitem__(self, frame_index: int, frame) -> None:
        assert frame_index not in self._offsets, "a frame is spooled once"
        self._offsets[frame_index] = self.spool.put(frame)
        self.masks += frame.mask_rle is not None
        self.outside += frame.outside

    def __getitem__(self, frame_index: int):
        return self.spool.get(self._offsets[frame_index])

    def keys(self) -> list[int]:
        return sorted(self._offsets)

    def values(self) -> Iterator:
        """Yield the frames in frame order."""
        for frame_index in sorted(self._offsets):
            yield self[frame_index]
