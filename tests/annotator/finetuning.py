"""Projects with accepted tracks to fine-tune on: generated clips, ground truth imported as DAVIS masks.

    videos = accepted_clips(project, by=carol, tmp_path=tmp_path, train=2, heldout=1)

Each clip is the 12-frame 160x120 clip of `tests.clips` (a textured square moving right); its
one track is imported with the square's true mask on `frames` (manual_mask frames, as an annotator
would draw them), then submitted and accepted through the review services.
"""

import shutil
from pathlib import Path

import numpy as np
import pytest

from annotator.exporters.davis import id_png
from annotator.models import Project, Video
from annotator.services import review
from annotator.services.checkpoints import register_checkpoint
from annotator.services.finetune_data import is_heldout
from tests import clips
from tests.annotator.labelled import HEIGHT, WIDTH, add_clip, import_archive, zip_bytes

MAX_CLIPS = 40  # with a quarter held out, both sides are reached long before this
STARTER = Path(__file__).resolve().parents[2] / "weights" / "starter.pth"


@pytest.fixture
def starter(settings, tmp_path):
    """The committed light model (trainable), registered as the server's default."""
    settings.SIAMLABEL_WEIGHTS_DIR = tmp_path / "weights"
    settings.SIAMLABEL_WEIGHTS_DIR.mkdir()
    settings.SIAMLABEL_FINETUNE_DIR = tmp_path / "finetune"
    shutil.copy(STARTER, settings.SIAMLABEL_WEIGHTS_DIR / "starter.pth")
    return register_checkpoint(name="starter", file="starter.pth", variant="light", make_default=True)


@pytest.fixture
def videos(cast, tmp_path, starter):
    """Project P with accepted clips: two on the training side, one held out."""
    return accepted_clips(cast.project, by=cast.carol, tmp_path=tmp_path, train=2, heldout=1)


def square_mask(i: int) -> np.ndarray:
    """The true mask of the square on frame i of the generated clip."""
    x, y, w, h = (int(v) for v in clips.square_box(i, WIDTH))
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    mask[y:y + h, x:x + w] = 1
    return mask


def add_accepted_clip(project: Project, *, by, tmp_path: Path, name: str, frames=range(0, 12, 2)) -> Video:
    """Add a clip whose one track holds the square's mask on `frames`, accepted."""
    video = add_clip(project, by=by, tmp_path=tmp_path, name=name)
    archive = zip_bytes({f"Annotations/{name}/{i:05d}.png": id_png(square_mask(i)) for i in frames})
    job = import_archive(project, "davis", archive)
    assert job.status == "succeeded", job.error
    track = video.tracks.get()
    track = review.submit_for_review(track=track, version=track.version, by=by)
    review.accept_track(track=track, version=track.version, by=by)
    return video


def accepted_clips(project: Project, *, by, tmp_path: Path, train: int = 1, heldout: int = 1,
                   frames=range(0, 12, 2)) -> list[Video]:
    """Add accepted clips until at least `train` fall on the training side and `heldout` on the held-out one."""
    videos = []
    for n in range(MAX_CLIPS):
        held = sum(is_heldout(project.pk, v.pk) for v in videos)
        if held >= heldout and len(videos) - held >= train:
            return videos
        videos.append(add_accepted_clip(project, by=by, tmp_path=tmp_path, name=f"clip{n}", frames=frames))
    raise AssertionError(f"{MAX_CLIPS} clips and still not {train} training and {heldout} held-out videos")
