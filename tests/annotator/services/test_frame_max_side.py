"""SIAMLABEL_FRAME_MAX_SIDE: frames stored shrunk, with both sizes on the video (docs/operations.md)."""

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from annotator import frames
from annotator.models import Video
from tests import clips
from tests.annotator.conftest import client_for
from tests.annotator.labelled import add_clip

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("size, max_side, stored", [
    ((854, 480), 640, (640, 360)),
    ((480, 854), 640, (360, 640)),  # portrait: the longer side is the height
    ((854, 480), 480, (480, 270)),
    ((320, 240), 640, (320, 240)),  # smaller clips are untouched
    ((854, 480), 0, (854, 480)),  # 0: off
    ((2000, 40), 500, (800, 16)),  # the shorter side keeps MIN_FRAME_SIDE, the longer passes max_side
])
def test_stored_size_keeps_the_aspect_within_the_max_side(size, max_side, stored):
    assert frames.stored_size(*size, max_side) == stored


def test_extraction_with_a_max_side_stores_shrunk_frames_and_both_sizes(cast, tmp_path, settings):
    settings.SIAMLABEL_FRAME_MAX_SIDE = 160
    video = add_clip(cast.project, by=cast.alice, tmp_path=tmp_path, size=(320, 240))
    assert (video.width, video.height, video.original_width, video.original_height) == (160, 120, 320, 240)
    stored = [cv2.imread(str(p)) for p in sorted(video.frames_dir.glob("*.jpg"))]
    assert len(stored) == video.frame_count == 12
    assert {f.shape for f in stored} == {(120, 160, 3)}
    # the first frame shrunk by half, give or take the video codec's and JPEG's losses; its bright
    # 30x30 square, at (20, 40) in the original, is a 15x15 square at (10, 20)
    expected = cv2.resize(next(clips.synthetic_frames(1, 320, 240)), (160, 120), interpolation=cv2.INTER_AREA)
    assert abs(expected.astype(int) - stored[0]).mean() < 8
    ys, xs = np.nonzero(stored[0].mean(axis=2) > 120)
    assert np.allclose([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], [10, 20, 25, 35], atol=1)

def test_without_a_max_side_frames_keep_their_size(cast, tmp_path, settings):
    assert settings.SIAMLABEL_FRAME_MAX_SIDE == 0
    video = add_clip(cast.project, by=cast.alice, tmp_path=tmp_path, size=(320, 240))
    assert (video.width, video.height, video.original_width, video.original_height) == (320, 240, 320, 240)
    assert cv2.imread(str(video.frame_path(0))).shape == (240, 320, 3)


def test_frames_zip_is_shrunk_like_a_video(tmp_path):
    source = clips.write_frames_zip(tmp_path / "frames.zip", n=3, width=320, height=240)
    info = frames.extract_frames(source, tmp_path / "frames", max_side=200)
    assert (info.width, info.height, info.original_width, info.original_height) == (200, 150, 320, 240)
    assert cv2.imread(str(tmp_path / "frames/00002.jpg")).shape == (150, 200, 3)


def test_disk_estimate_counts_the_shrunk_frames(tmp_path):
    source = clips.write_video(tmp_path / "clip.avi", n=24, width=640, height=480)
    full = frames.estimate_frames_bytes(source)
    shrunk = frames.estimate_frames_bytes(source, max_side=320)
    written = frames.extract_frames(source, tmp_path / "frames", max_side=320)
    on_disk = sum(p.stat().st_size for p in (tmp_path / "frames").glob("*.jpg"))
    assert written.width == 320
    assert shrunk < 0.5 * full
    assert 0.8 < shrunk / on_disk < 1.25


def test_the_api_gives_the_stored_and_the_original_size(cast, tmp_path, settings):
    settings.SIAMLABEL_FRAME_MAX_SIDE = 160
    video = add_clip(cast.project, by=cast.alice, tmp_path=tmp_path, size=(320, 240))
    body = client_for(cast.alice).get(f"/api/videos/{video.pk}/").json()
    assert (body["width"], body["height"], body["original_width"], body["original_height"]) == (160, 120, 320, 240)


def test_a_video_row_without_an_original_size_is_its_stored_size(cast):
    video = Video.objects.create(project=cast.project, name="old", source_file="x.avi", width=160, height=120)
    assert video.original_size == (160, 120)


@pytest.mark.parametrize("value, error", [("64", "at least 128 pixels, got 64"), ("-1", "got -1"), ("640", None)])
def test_settings_refuse_a_max_side_too_small_to_track(value, error, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIAMLABEL_")}
    env |= {"SIAMLABEL_VAR_DIR": str(tmp_path), "SIAMLABEL_FRAME_MAX_SIDE": value,
            "DJANGO_SETTINGS_MODULE": "config.settings"}
    code = "from django.conf import settings; print(settings.SIAMLABEL_FRAME_MAX_SIDE)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=env, check=False)
    if error is None:
        assert done.returncode == 0 and done.stdout.strip() == value, done.stderr
    else:
        assert done.returncode != 0 and "ImproperlyConfigured" in done.stderr and error in done.stderr
