"""Read video object segmentation datasets and results as frames plus object-id masks.

Two dataset layouts are recognised automatically (see docs/evaluation.md):

- DAVIS: ``<root>/JPEGImages[/480p]/<seq>/*.jpg`` and ``<root>/Annotations[/480p]/<seq>/*.png``
- flat:  ``<root>/<seq>/frames/*.jpg`` and ``<root>/<seq>/masks/*.png``

Masks and results are PNGs whose pixel values (palette indices or grey levels) are object ids:
0 is background and 255 (void) is read as background. The PNG format itself (palette, void id,
reading) is `formats.davis`, shared with the web app's DAVIS exporter and importer.

    seq = read_sequence(data_dir, "bear")
    ground_truth = load_ground_truth(seq)          # list of HxW id maps (None: no mask)
    predicted = load_results(results_dir, seq, [1, 2, 3])
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence as SequenceOf

import cv2
import numpy as np
from PIL import Image

from formats.davis import VOID_ID, davis_palette, read_id_png

DAVIS = "davis"
FLAT = "flat"

FRAME_SUFFIXES = (".jpg", ".jpeg", ".png")
# DAVIS ships frames per resolution; the benchmark numbers are at 480p
DAVIS_RESOLUTION = "480p"


@dataclass(frozen=True)
class Sequence:
    """One clip: its frames in order and the ground-truth mask file of each frame, if any."""

    name: str
    frame_paths: tuple[Path, ...]
    mask_paths: tuple[Path | None, ...]

    def __len__(self) -> int:
        return len(self.frame_paths)

    @property
    def frame_names(self) -> list[str]:
        """Return the frame file names without suffix, e.g. ``"00000"``."""
        return [p.stem for p in self.frame_paths]


def detect_layout(root: str | Path) -> str:
    """Return ``"davis"`` or ``"flat"`` for a dataset folder, or raise ValueError."""
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"dataset folder not found: {root}")
    if (root / "JPEGImages").is_dir() and (root / "Annotations").is_dir():
        return DAVIS
    if any(_is_flat_sequence(d) for d in root.iterdir()):
        return FLAT
    raise ValueError(
        f"{root} is neither a DAVIS dataset (JPEGImages/ and Annotations/) nor a flat one "
        "(<seq>/frames/ and <seq>/masks/)"
    )


def list_sequences(root: str | Path) -> list[str]:
    """Return the names of the sequences that have both frames and masks, sorted."""
    root = Path(root)
    if detect_layout(root) == DAVIS:
        frames_dir, masks_dir = _davis_dirs(root)
        return sorted(
            d.name for d in masks_dir.iterdir() if d.is_dir() and (frames_dir / d.name).is_dir()
        )
    return sorted(d.name for d in root.iterdir() if _is_flat_sequence(d))


def read_sequence(root: str | Path, name: str) -> Sequence:
    """Return the frames of one sequence, each paired with its mask file (matched by stem)."""
    root = Path(root)
    if detect_layout(root) == DAVIS:
        frames_root, masks_root = _davis_dirs(root)
        frames_dir, masks_dir = frames_root / name, masks_root / name
    else:
        frames_dir, masks_dir = root / name / "frames", root / name / "masks"
    if not frames_dir.is_dir():
        raise FileNotFoundError(f"no frames for sequence {name!r}: {frames_dir}")
    frame_paths = sorted(p for p in frames_dir.iterdir() if p.suffix.lower() in FRAME_SUFFIXES)
    if not frame_paths:
        raise FileNotFoundError(f"sequence {name!r} has no frames in {frames_dir}")
    masks = {p.stem: p for p in masks_dir.glob("*.png")} if masks_dir.is_dir() else {}
    return Sequence(
        name=name,
        frame_paths=tuple(frame_paths),
        mask_paths=tuple(masks.get(p.stem) for p in frame_paths),
    )


def load_frame(path: str | Path) -> np.ndarray:
    """Return a frame as an HxWx3 uint8 BGR image."""
    frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if frame is None:
        raise OSError(f"cannot read frame {path}")
    return frame


def write_id_png(path: str | Path, ids: np.ndarray) -> None:
    """Write an HxW map of object ids (0..255) as a palette PNG with the DAVIS colours."""
    ids = np.asarray(ids)
    if ids.ndim != 2 or ids.min(initial=0) < 0 or ids.max(initial=0) > 255:
        raise ValueError(f"expected an HxW map of ids in 0..255, got shape {ids.shape}")
    img = Image.fromarray(ids.astype(np.uint8), mode="P")
    img.putpalette(davis_palette().ravel().tolist())
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    img.save(path)


def ids_from_raw(raw_masks: Iterable[np.ndarray | None]) -> list[np.ndarray | None]:
    """Return id maps from raw mask values of one sequence, with void mapped to background.

    If no value other than 0 and 255 appears anywhere in the sequence, the masks are binary
    0/255 masks of one object and 255 becomes object 1 instead.
    """
    raw = list(raw_masks)
    values: set[int] = set()
    for m in raw:
        if m is not None:
            values.update(np.unique(m).tolist())
    binary = VOID_ID in values and values <= {0, VOID_ID}
    out: list[np.ndarray | None] = []
    for m in raw:
        if m is None:
            out.append(None)
        elif binary:
            out.append((m == VOID_ID).astype(np.uint8))
        else:
            out.append(np.where(m == VOID_ID, 0, m))
    return out


def load_ground_truth(sequence: Sequence) -> list[np.ndarray | None]:
    """Return one HxW id map per frame of the sequence, or None where it has no mask."""
    raw = [read_id_png(p) if p is not None else None for p in sequence.mask_paths]
    return ids_from_raw(raw)


def object_ids(masks: Iterable[np.ndarray | None]) -> list[int]:
    """Return the sorted object ids present in any of the id maps."""
    ids: set[int] = set()
    for m in masks:
        if m is not None:
            ids.update(int(v) for v in np.unique(m))
    ids.discard(0)
    return sorted(ids)


def load_results(
    results_dir: str | Path, sequence: Sequence, frame_indices: SequenceOf[int]
) -> dict[int, np.ndarray]:
    """Return the predicted id maps ``<results_dir>/<seq>/<frame name>.png`` of some frames.

    Raises FileNotFoundError naming the first missing file.
    """
    seq_dir = Path(results_dir) / sequence.name
    names = sequence.frame_names
    raw = []
    for i in frame_indices:
        path = seq_dir / f"{names[i]}.png"
        if not path.is_file():
            raise FileNotFoundError(f"missing result for {sequence.name} frame {names[i]}: {path}")
        raw.append(read_id_png(path))
    return dict(zip(frame_indices, ids_from_raw(raw)))


def _davis_dirs(root: Path) -> tuple[Path, Path]:
    frames, masks = root / "JPEGImages", root / "Annotations"
    if (frames / DAVIS_RESOLUTION).is_dir() and (masks / DAVIS_RESOLUTION).is_dir():
        return frames / DAVIS_RESOLUTION, masks / DAVIS_RESOLUTION
    return frames, masks


def _is_flat_sequence(path: Path) -> bool:
    return (path / "frames").is_dir() and (path / "masks").is_dir()
