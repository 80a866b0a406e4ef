"""What a fine-tune learns from and is judged on: a project's accepted tracks, split by video.

    split = split_videos(project)                       # refuses (ServiceError) when it cannot
    data = write_datasets(split, root=Path(run_dir))    # DAVIS folders train/ and heldout/

Trusted frames are the frames a person drew a mask on (`manual_mask`: drawn, imported, or a
propagated frame the annotator corrected). Propagated frames are never targets, accepted or not:
they are what the old model produced, so training on them teaches the new model to copy the old
one, and judging on them would score the old model against its own output, a comparison biased
toward the old model. Frames with only a manual box are not targets either (their mask, if any,
is the tracker's).

The split is by video, never by frame: frames of one video are near-duplicates, so a held-out
frame from a training video would measure memory, not generalisation. Each video's side is fixed
by a hash of (project, video) alone, so it never changes as videos are added, and a held-out
video was never in the training data of any ancestor fine-tuned in the same project.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from annotator import masks, media_store
from annotator.choices import ReviewStatus, Source
from annotator.exporters.davis import FRAMES_DIR, MASKS_DIR, id_png
from annotator.models import FrameAnnotation, Project, Track
from annotator.services.errors import ServiceError

TRACK_OBJECT_ID = 1  # every sequence holds one track, as object 1 (the layout the training code reads)
# A held-out track needs a first frame to start from and at least one more to be scored on.
MIN_HELDOUT_FRAMES = 2


@dataclass
class TrackData:
    track_id: int
    video_id: int
    trusted: list[int]  # frame indices with a hand-made mask, ascending

    @property
    def sequence(self) -> str:
        return f"v{self.video_id}_t{self.track_id}"


@dataclass
class Split:
    """Accepted tracks with trusted frames, on each side of the by-video split."""

    train: list[TrackData] = field(default_factory=list)
    heldout: list[TrackData] = field(default_factory=list)

    @property
    def train_videos(self) -> list[int]:
        return sorted({t.video_id for t in self.train})

    @property
    def heldout_videos(self) -> list[int]:
        return sorted({t.video_id for t in self.heldout})

    @property
    def frames(self) -> int:
        """Trusted frames trained on."""
        return sum(len(t.trusted) for t in self.train)


@dataclass
class Datasets:
    train_root: Path
    train_sequences: list[str]
    heldout_root: Path
    heldout_sequences: list[str]


def is_heldout(project_id: int, video_id: int, fraction: float | None = None) -> bool:
    """Return whether a video is held out: a fixed function of (project, video), never of the other videos."""
    fraction = settings.SIAMLABEL_FINETUNE_HELDOUT_FRACTION if fraction is None else fraction
    digest = hashlib.sha256(f"{project_id}:{video_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def accepted_tracks(project: Project) -> list[TrackData]:
    """Return the project's accepted tracks that have trusted frames, in id order."""
    rows = (FrameAnnotation.objects
            .filter(track__video__project=project, track__review_status=ReviewStatus.ACCEPTED,
                    source=Source.MANUAL_MASK, mask_rle__isnull=False)
            .order_by("track_id", "frame_index").values_list("track_id", "track__video_id", "frame_index"))
    tracks: dict[int, TrackData] = {}
    for track_id, video_id, frame_index in rows:
        tracks.setdefault(track_id, TrackData(track_id, video_id, [])).trusted.append(frame_index)
    return list(tracks.values())


def split_videos(project: Project, *, heldout_videos: list[int] | None = None) -> Split:
    """Split the project's accepted tracks by video; raise ServiceError when either side would be empty.

    `heldout_videos` forces the held-out side (the benchmark's fixed folds); None applies the hash rule.
    """
    split = Split()
    for track in accepted_tracks(project):
        held = (track.video_id in heldout_videos if heldout_videos is not None
                else is_heldout(project.pk, track.video_id))
        if not held:
            split.train.append(track)
        elif len(track.trusted) >= MIN_HELDOUT_FRAMES:
            split.heldout.append(track)
    if not split.train:
        raise ServiceError(_not_enough("training",
                                       "no accepted track with a hand-drawn mask falls on the training side"))
    if not split.heldout:
        raise ServiceError(_not_enough(
            "held-out", f"no accepted track with at least {MIN_HELDOUT_FRAMES} hand-drawn masks falls on the "
                        "held-out side, so the new model could not be compared with the old one"))
    return split


def _not_enough(side: str, why: str) -> str:
    fraction = settings.SIAMLABEL_FINETUNE_HELDOUT_FRACTION
    return (f"not enough {side} data: {why}. Videos are split by a fixed rule (about {fraction:.0%} of them held "
            "out to judge the new model); accept tracks with hand-drawn masks on more videos")


def write_datasets(split: Split, *, root: Path) -> Datasets:
    """Write the split as two DAVIS-layout folders under `root`: train/ and heldout/.

    Training sequences hold the trusted frames only, under their frame numbers in the video.
    Held-out sequences hold every frame from the first trusted frame on (at most
    SIAMLABEL_FINETUNE_HELDOUT_MAX_FRAMES), numbered from 00000, with masks on trusted frames only.
    """
    store = media_store.get()
    tracks = {t.pk: t for t in Track.objects.filter(pk__in=[t.track_id for t in split.train + split.heldout])
              .select_related("video")}
    for data in split.train:
        _write_sequence(store, tracks[data.track_id], data, root / "train", {i: i for i in data.trusted})
    cap = settings.SIAMLABEL_FINETUNE_HELDOUT_MAX_FRAMES
    for data in split.heldout:
        first = data.trusted[0]
        last = min(data.trusted[-1], first + cap - 1)
        _write_sequence(store, tracks[data.track_id], data, root / "heldout",
                        {i: i - first for i in range(first, last + 1)})
    return Datasets(root / "train", [t.sequence for t in split.train],
                    root / "heldout", [t.sequence for t in split.heldout])


def _write_sequence(store, track: Track, data: TrackData, root: Path, names: dict[int, int]) -> None:
    """Write the frames `names` maps (video frame -> file number), and masks on the trusted ones among them."""
    frames_dir, masks_dir = root / FRAMES_DIR / data.sequence, root / MASKS_DIR / data.sequence
    frames_dir.mkdir(parents=True, exist_ok=True)
    masks_dir.mkdir(parents=True, exist_ok=True)
    trusted = set(data.trusted) & set(names)
    rles = dict(track.annotations.filter(frame_index__in=trusted).values_list("frame_index", "mask_rle"))
    for frame_index, number in names.items():
        (frames_dir / f"{number:05d}.jpg").write_bytes(store.read_bytes(track.video.frame_key(frame_index)))
        if frame_index in rles:
            ids = masks.decode_mask(rles[frame_index]).astype("uint8") * TRACK_OBJECT_ID
            (masks_dir / f"{number:05d}.png").write_bytes(id_png(ids))
