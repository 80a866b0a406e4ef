"""DAVIS into tracks: every object id in a sequence's PNGs becomes one track with masks.

Reads `[<root>/]Annotations[/480p|/Full-Resolution]/<sequence>/<frame>.png` (palette or grey
PNGs of object ids) and, when present, `JPEGImages/` to number the frames and
`davis_semantics.json` ({sequence: {object id: category}}) for labels. Objects it does not
name get the project's first label. `siamlabel_outside.json` ({sequence: {object id: [[first,
last], ...]}}, our exports) marks frames where an object is outside, not merely unannotated. Value 255 is void (ignored) unless a sequence holds only 0
and 255, which is then a binary mask of object 1 (the rule of the evaluation tool,
docs/evaluation.md).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import PurePosixPath

import numpy as np
from PIL import Image

from annotator.importers.archive import Archive, ArchiveError, listing
from annotator.importers.base import (
    MAX_OBJECT_ID,
    ImportedFrame,
    ImportedVideo,
    Importer,
    TrackCollector,
    frame_number,
    mask_frame,
    outside_frames,
)
from annotator.importers.problems import Problems
from formats.davis import VOID_ID, IdPngSizeError, read_id_png

MASKS_DIR = "Annotations"
FRAMES_DIR = "JPEGImages"
SEMANTICS_FILE = "davis_semantics.json"
OUTSIDE_FILE = "siamlabel_outside.json"
RESOLUTIONS = ("480p", "Full-Resolution")
FRAME_SUFFIXES = (".jpg", ".jpeg", ".png")


def _layout(names, folder: str, suffixes: tuple[str, ...]) -> tuple[str | None, dict[str, dict[str, str]]]:
    """Return (root, {sequence: {frame stem: entry}}) of `<root>/<folder>[/<resolution>]/<seq>/<frame>`."""
    sequences: dict[str, dict[str, str]] = {}
    roots, levels = set(), set()
    for name in names:
        path = PurePosixPath(name)
        if folder not in path.parts[:-1] or path.suffix.lower() not in suffixes:
            continue
        at = path.parts.index(folder)
        rest = path.parts[at + 1:]
        if len(rest) == 3 and rest[0] in RESOLUTIONS:
            levels.add(rest[0])
            rest = rest[1:]
        if len(rest) != 2:
            raise ArchiveError(f"'{name}' is not {folder}/<sequence>/<frame>{suffixes[0]}")
        roots.add(path.parts[:at])
        sequences.setdefault(rest[0], {})[PurePosixPath(rest[1]).stem] = name
    if len(levels) > 1:
        raise ArchiveError(f"{folder}/ holds several resolutions ({listing(levels)}); keep one")
    if len(roots) > 1:
        raise ArchiveError(f"the archive holds several {folder}/ folders; keep one dataset per archive")
    root = "/".join(next(iter(roots))) if roots else None
    return root, sequences


class DavisImporter(Importer):
    format = "davis"

    @classmethod
    def check_layout(cls, archive: Archive) -> None:
        _, sequences = _layout(archive.files, MASKS_DIR, (".png",))
        if not sequences:
            raise ArchiveError(f"the archive holds no {MASKS_DIR}/<sequence>/<frame>.png masks: is it DAVIS?")

    def read(self, on_progress: Callable[[float], None] = lambda f: None) -> list[ImportedVideo]:
        with Archive(self.path) as archive:
            root, mask_files = _layout(archive.files, MASKS_DIR, (".png",))
            if not mask_files:
                raise ArchiveError(f"the archive holds no {MASKS_DIR}/<sequence>/<frame>.png masks")
            _, frame_files = _layout(archive.files, FRAMES_DIR, FRAME_SUFFIXES)
            semantics = self._semantics(archive, root)
            outside = self._outside(archive, root)
            videos = self.target.resolve_videos(mask_files)
            labels = {
                (seq, int(obj)): name for seq, objects in semantics.items() if seq in mask_files
                for obj, name in objects.items()
            }
            self.target.check_labels(labels.values())
            if self.target.default_label is None:
                raise ArchiveError("the project has no labels: create one for the imported objects first")

            collector, problems = TrackCollector(self.target), Problems()
            total, done = sum(len(m) for m in mask_files.values()), 0
            for seq, pngs in sorted(mask_files.items()):
                video = videos[seq]
                indices = self._frame_indices(seq, pngs, frame_files.get(seq), video)
                objects: dict[int, list[ImportedFrame]] = {}
                for stem, entry in sorted(pngs.items(), key=lambda kv: indices[kv[0]]):
                    with problems.item():
                        for value, frame in self._mask_frames(archive, entry, indices[stem], video):
                            objects.setdefault(value, []).append(frame)
                    done += 1
                    on_progress(done / total)
                problems.raise_if_any()
                if set(objects) == {VOID_ID}:
                    objects = {1: objects[VOID_ID]}  # a binary 0/255 sequence: one object
                objects.pop(VOID_ID, None)
                for obj, ranges in outside.get(seq, {}).items():
                    objects.setdefault(int(obj), []).extend(outside_frames(ranges, video, f"{OUTSIDE_FILE} '{seq}'"))
                for object_id, frames in sorted(objects.items()):
                    label = labels.get((seq, object_id), self.target.default_label)
                    track = collector.track(video, object_id=object_id, label=label, where=f"sequence '{seq}'")
                    for frame in frames:
                        collector.add(track, frame, f"{seq} object {object_id}")
            return collector.videos()

    @staticmethod
    def _mask_frames(archive: Archive, entry: str, frame_index: int, video) -> list[tuple[int, ImportedFrame]]:
        """Return (object id, frame) for each object of one id-mask PNG."""
        try:
            ids = read_id_png(io.BytesIO(archive.read(entry)), expect_hw=(video.height, video.width))
        except IdPngSizeError as exc:
            raise ArchiveError(f"{entry} is {exc.width}x{exc.height}, but video '{video.name}' is "
                               f"{video.width}x{video.height}") from exc
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise ArchiveError(f"{entry} is not a readable id mask: {exc}") from exc
        found = []
        for value in np.unique(ids):
            if value == 0:
                continue
            if value > MAX_OBJECT_ID and value != VOID_ID:
                raise ArchiveError(f"{entry}: object id {value} is above {MAX_OBJECT_ID}")
            found.append((int(value), mask_frame(frame_index, ids == value, video, entry)))
        return found

    @staticmethod
    def _sequence_map(archive: Archive, root: str | None, file: str, values: str) -> tuple[str, dict]:
        """Read an optional {sequence: {object id: ...}} file beside Annotations/ ({} when absent)."""
        name = f"{root}/{file}" if root else file
        document = archive.load_json(name) if name in archive.files else {}
        if not isinstance(document, dict) or not all(
            isinstance(v, dict) and all(str(k).isdigit() for k in v) for v in document.values()
        ):
            raise ArchiveError(f"{name} must map each sequence to {{object id: {values}}}")
        return name, document

    def _semantics(self, archive: Archive, root: str | None) -> dict:
        name, document = self._sequence_map(archive, root, SEMANTICS_FILE, "category")
        for seq, objects in document.items():
            for obj, category in objects.items():
                if not isinstance(category, str):
                    raise ArchiveError(f"{name}: sequence '{seq}' maps {obj!r} to {category!r}; expected id: name")
        return document

    def _outside(self, archive: Archive, root: str | None) -> dict:
        return self._sequence_map(archive, root, OUTSIDE_FILE, "[[first, last], ...]")[1]

    @staticmethod
    def _frame_indices(seq: str, pngs: dict[str, str], frames: dict[str, str] | None, video) -> dict[str, int]:
        """Return {mask stem: frame index}: the position among the sequence's frames, else the number."""
        if frames:
            if len(frames) != video.frame_count:
                raise ArchiveError(
                    f"{FRAMES_DIR}/{seq}/ has {len(frames)} frames but video '{video.name}' has "
                    f"{video.frame_count}: frames are missing, or it is another clip"
                )
            order = {stem: i for i, stem in enumerate(sorted(frames))}
            missing = [pngs[s] for s in pngs if s not in order]
            if missing:
                raise ArchiveError(f"masks without a frame in {FRAMES_DIR}/{seq}/ (missing frames): {listing(missing)}")
            return {stem: order[stem] for stem in pngs}
        indices, problems = {}, Problems()
        for stem, entry in sorted(pngs.items()):
            with problems.item():  # every bad name is listed, not only the first
                index = frame_number(stem)
                if index is None:
                    raise ArchiveError(f"{entry}: the file name is not a frame number and there is no {FRAMES_DIR}/")
                indices[stem] = video.check_frame(index, entry)
        problems.raise_if_any()
        return indices
